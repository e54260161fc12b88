"""Validate a results file: parse every row, apply every rule, find duplicates within the file.

``validate_rows`` is the one loop that checks a file's rows: the import (``issuing``) runs it, and
so do the dry run and the tests. It consumes the rows one at a time and yields each row that
parsed, as a ``CheckedRecord``, while every violation goes into the ``ValidationReport`` it was
given; it keeps nothing per row but the ID numbers seen (for duplicates) and equal strings shared
between records, so it can follow ``read_path`` over a 100,000-row file. The report lists every
violation of every row, so a clerk fixes the file in one pass; a file is issued only when
``report.ok`` (all or nothing). ``UnreadableFile`` from the reader propagates.

What needs the database ("already issued", "already holds an active certificate for this
title") is the caller's: ``issuing`` answers it for a chunk of checked records at a time and adds
its findings with ``ValidationReport.refuse``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from certsvc.certificates.intake.readers import RawRow
from certsvc.certificates.intake.records import parse_row
from certsvc.domain.record import AnyRecord, RecordBase
from certsvc.domain.registry import Registry
from certsvc.domain.rules import (
    CanDraw,
    DuplicateFinder,
    Violation,
    check_raw_fields,
    check_record,
    check_warnings,
)


@dataclass(frozen=True, slots=True)
class CheckedRecord:
    """A row that parsed. ``refused``: the row broke a rule (its violations are in the report);
    ``repeated``: its person appeared in an earlier row of the file."""

    record: AnyRecord
    refused: bool
    repeated: bool


@dataclass
class ValidationReport:
    """``violations``: every finding, in the order found; ``rows``: data rows read."""

    violations: list[Violation] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.violations

    def refuse(self, violation: Violation) -> None:
        """Add a finding made outside ``validate_rows`` (e.g. from the database)."""
        self.violations.append(violation)

    def in_row_order(self) -> list[Violation]:
        return sorted(self.violations, key=lambda v: v.row)


def validate_rows(
    raw_rows: Iterable[RawRow],
    registry: Registry,
    today: dt.date,
    report: ValidationReport,
    *,
    acting_authority: str | None = None,
    can_draw: CanDraw | None = None,
) -> Iterator[CheckedRecord]:
    """Check every raw row against the registry and ``today``, yielding each row that parsed.

    ``acting_authority`` (an API token's authority) refuses rows confirmed by any other authority.
    Violations go into ``report`` as each row is checked.
    """
    duplicates = DuplicateFinder()
    shared: dict[str, str] = {}
    for raw in raw_rows:
        report.rows += 1
        found = check_raw_fields(raw.row, raw.fields)
        parsed = parse_row(raw, shared=shared)
        if isinstance(parsed, list):
            report.violations += found + parsed
            continue
        found += check_record(parsed, registry, today, can_draw=can_draw)
        report.warnings += check_warnings(parsed)
        if acting_authority is not None and parsed.authority_code != acting_authority:
            found.append(_foreign_authority(parsed, acting_authority))
        duplicate = duplicates.check(parsed)
        if duplicate is not None:
            found.append(duplicate)
        report.violations += found
        yield CheckedRecord(parsed, refused=bool(found), repeated=duplicate is not None)


def _foreign_authority(record: RecordBase, acting: str) -> Violation:
    return Violation(
        record.row,
        "authority_code",
        "jurisdiction",
        f"this API token belongs to authority {acting}, which may import only its own results, "
        f"not results confirmed by {record.authority_code}",
        f"该接口令牌属于发证机构 {acting}，只能导入本机构确认的结果，"
        f"不能导入 {record.authority_code} 确认的结果",
    )
