"""The console's import preview: each row of an uploaded results file with what importing it would
do, worded for the staff member signed in; and the same as a refusal report.

``preview_import`` runs the import's own dry run (``issuing.import_results``: every rule, the
database checks included) and reads the file's rows once more for what people check by eye —
name, title, level, committee. Each row gets one verdict (will be issued, issued before, or
refused) and its findings with the rule's Chinese name and the fix to make (``texts.LABELS``
kinds ``rule`` and ``rule_fix``); refusals are counted by row, not by problem.

Messages are worded for the person signed in: the intake speaks to an API token ("this API token
belongs to…"), but a console user acts for their authority, so a row of another authority's
results says so in those words, and a file made only of another authority's results gets one
message instead of the same refusal on every row (``foreign``).

Names are shown masked (张*明) unless the staff member chooses full names. The report keeps the
display facts of the first ``limit`` rows and of every refused row; a file of 100,000 rows is not
held whole.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from certsvc.audit.actors import Actor
from certsvc.certificates.intake.readers import read_rows
from certsvc.certificates.issuing import ImportReport, import_results
from certsvc.domain.names import mask_name, normalize_name
from certsvc.domain.rules import Violation
from certsvc.runtime import Runtime

PREVIEW_ROWS = 1000
VERDICTS = ("issue", "ready", "already", "refused")


@dataclass(frozen=True)
class Finding:
    """One problem (or warning) of a row: the field and rule (slugs, shown through their labels)
    and the message naming the values, in both languages."""

    field: str
    rule: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class PreviewRow:
    """A row as the preview table shows it. ``verdict``: issue (the file is accepted and this row
    will be issued), ready (this row passes, but other rows are refused, so nothing is issued
    yet), already (issued before: ``certificate_number``), refused."""

    row: int
    name: str
    title: str
    level: str
    committee: str
    verdict: str
    certificate_number: str | None = None
    findings: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()


@dataclass
class ImportPreview:
    """What an upload would do. ``rows``: the first ``limit`` rows and every refused row, in file
    order; ``refused_rows``: rows with at least one problem; ``problems``: all problems;
    ``foreign``: the authority codes of a file made only of other authorities' results (then
    nothing else is worth reading)."""

    report: ImportReport
    rows: list[PreviewRow] = field(default_factory=list)
    refused_rows: int = 0
    problems: int = 0
    foreign: tuple[str, ...] = ()
    full_names: bool = False
    limit: int = PREVIEW_ROWS

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def passing_rows(self) -> int:
        """Rows that pass every rule and were not issued before (issued once the file is accepted)."""
        return self.report.rows - self.refused_rows - len(self.report.already_issued)

    @property
    def shown(self) -> list[PreviewRow]:
        """The rows a page shows: the first ``limit`` of ``rows``."""
        return self.rows[: self.limit]

    @property
    def truncated(self) -> bool:
        """Whether a page showing ``shown`` leaves rows of the file out."""
        return self.report.rows > len(self.shown)

    @property
    def refused(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.verdict == "refused"]


def preview_import(
    runtime: Runtime,
    data: bytes,
    filename: str,
    *,
    acting_authority: str,
    actor: Actor | str,
    full_names: bool = False,
    limit: int | None = PREVIEW_ROWS,
) -> ImportPreview:
    """The dry run of ``data`` for ``acting_authority``'s staff, row by row (``limit`` None: every
    row). Raises ``IntakeError`` (``UnreadableFile``, ``BadHeader``) when the file cannot be read."""
    report = import_results(
        runtime, data, filename, dry_run=True, acting_authority=acting_authority, actor=actor
    )
    problems: dict[int, list[Violation]] = defaultdict(list)
    for violation in report.refused:
        problems[violation.row].append(violation)
    warnings: dict[int, list[Violation]] = defaultdict(list)
    for violation in report.warnings:
        warnings[violation.row].append(violation)
    already = dict(report.already_issued)
    preview = ImportPreview(
        report,
        refused_rows=len(problems),
        problems=len(report.refused),
        full_names=full_names,
        limit=PREVIEW_ROWS if limit is None else limit,
    )
    authorities: set[str] = set()
    rows: list[PreviewRow] = []
    for raw in read_rows(data, filename):
        fields = raw.fields
        authority = unicodedata.normalize("NFKC", fields.get("authority_code", "")).strip().upper()
        if authority:
            authorities.add(authority)
        refused = raw.row in problems
        if not refused and limit is not None and len(rows) >= limit:
            continue
        foreign = bool(authority) and authority != acting_authority
        rows.append(
            PreviewRow(
                row=raw.row,
                name=_name(fields.get("name", ""), full=full_names),
                title=_text(fields.get("title", "")),
                level=_text(fields.get("level", "")),
                committee=_text(fields.get("committee_name", "")),
                verdict=(
                    "refused"
                    if refused
                    else "already"
                    if raw.row in already
                    else ("issue" if report.ok else "ready")
                ),
                certificate_number=already.get(raw.row),
                findings=_findings(problems.get(raw.row, []), foreign, authority, acting_authority),
                warnings=tuple(_finding(v) for v in warnings.get(raw.row, [])),
            )
        )
    if authorities and acting_authority not in authorities:
        preview.foreign = tuple(sorted(authorities))
    preview.rows = rows
    return preview


def _text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def _name(value: str, *, full: bool) -> str:
    name = normalize_name(_text(value))
    return name if full or not name else mask_name(name)


def _finding(violation: Violation) -> Finding:
    return Finding(violation.field, violation.rule, violation.message_zh, violation.message_en)


def _findings(violations: list[Violation], foreign: bool, authority: str, acting: str) -> tuple[Finding, ...]:
    """The row's findings; for a row of another authority's results, the intake's jurisdiction
    findings (worded for API tokens, or about that authority's grants) become one, worded for
    the signed-in staff member."""
    if not foreign:
        return tuple(_finding(v) for v in violations)
    kept = [_finding(v) for v in violations if not (v.rule == "jurisdiction" and v.field == "authority_code")]
    return (
        Finding(
            "authority_code",
            "jurisdiction",
            f"本行是发证机构 {authority} 确认的结果；您的账号属于发证机构 {acting}，只能导入本机构确认的结果",
            f"this row holds results confirmed by authority {authority}; your account belongs to "
            f"authority {acting}, which imports only its own results",
        ),
        *kept,
    )
