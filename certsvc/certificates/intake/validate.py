"""Validate a whole results file: parse every row, apply every rule, find duplicates.

The report lists every violation of every row, so a clerk fixes the file in one pass; a file is
issued only when ``report.ok`` (all or nothing). ``validate_rows`` consumes the rows one at a
time and keeps only compact records (equal strings shared) and the ID numbers seen, so it can
follow ``read_path`` over a 100,000-row file. ``UnreadableFile`` from the reader propagates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from certsvc.certificates.intake.readers import RawRow
from certsvc.certificates.intake.records import parse_row
from certsvc.domain.record import ResultRecord
from certsvc.domain.registry import Registry
from certsvc.domain.rules import (
    CanDraw,
    DuplicateFinder,
    Violation,
    already_holds,
    check_raw_fields,
    check_record,
    check_warnings,
)

HoldsActive = Callable[[str, str], bool]
"""``holds_active(id_number, title)``: whether that person already holds an active certificate for it."""


@dataclass
class ValidationReport:
    """``records``: every row that parsed (with or without rule violations), in file order;
    ``violations``: every finding, in row order; ``rows``: data rows read."""

    records: list[ResultRecord] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.violations


def validate_rows(
    raw_rows: Iterable[RawRow],
    registry: Registry,
    today: dt.date,
    holds_active: HoldsActive | None = None,
    *,
    can_draw: CanDraw | None = None,
) -> ValidationReport:
    """Check every raw row against the registry and ``today``; see the module docstring."""
    report = ValidationReport()
    duplicates = DuplicateFinder()
    shared: dict[str, str] = {}
    for raw in raw_rows:
        report.rows += 1
        report.violations += check_raw_fields(raw.row, raw.fields)
        parsed = parse_row(raw, shared=shared)
        if isinstance(parsed, list):
            report.violations += parsed
            continue
        report.records.append(parsed)
        report.violations += check_record(parsed, registry, today, can_draw=can_draw)
        report.warnings += check_warnings(parsed)
        duplicate = duplicates.check(parsed)
        if duplicate is not None:
            report.violations.append(duplicate)
        elif holds_active is not None and holds_active(parsed.id_number, parsed.title):
            report.violations += filter(None, [already_holds(parsed)])
    return report
