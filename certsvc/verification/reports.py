"""Verification reports (核验报告): a verification's result, recorded under its own number, shown at
``/r/<number>`` and printed as a PDF signed by the installation (docs/adr/0016).

A report is made from a verdict (one certificate) or a bulk check's rows. What it records is what
the public verdict page shows: outcomes, certificate numbers, masked holder names, titles and
issuers, status details. It records nothing about who verified (no account, no address, no typed
name): the table has no column for it. Report numbers carry 50 random bits, so they cannot be
enumerated; ``/r/`` pages are rate-limited besides.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select

from certsvc.documents.cache import RenderKey, cached_render
from certsvc.documents.fonts import CjkFont, find_cjk_font
from certsvc.documents.pdf import render_report_pdf
from certsvc.documents.report import ReportDocument, ReportLine, report_pages
from certsvc.documents.signature import PdfSealer
from certsvc.domain.canonical import canonical_json
from certsvc.errors import CertsvcError, NotFound
from certsvc.runtime import Runtime
from certsvc.texts import label
from certsvc.timefmt import china_date, china_minute, parse_rfc3339, rfc3339
from certsvc.verification.bulk import BulkResult, BulkRow, error_zh, wording_counts
from certsvc.verification.models import VerificationReport
from certsvc.verification.services import OnlineVerdict, wording

# The seal certificate reports are signed with: issued by the installation's CA like the
# authorities' seals, but naming the installation (its serialNumber is no USCC, so no certificate
# PDF can pass as signed by it; ADR 0016).
REPORT_SEAL_ID = "CERTSVC-REPORTS"
NUMBER_PREFIX = "HY"
_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols, none confusable
_RANDOM_CHARS = 10  # 50 bits
MAX_NUMBER_CHARS = 32
# Bumped when what the PDF prints changes (v2: the pages' verdict words): a report's recorded content
# never changes, but a PDF cached with older words is drawn again rather than served.
REPORT_RENDERING = "report2"


@dataclasses.dataclass(frozen=True)
class ReportStatus:
    state: str
    effective: str | None
    reason: str | None
    document_number: str | None


@dataclasses.dataclass(frozen=True)
class ReportRow:
    """One recorded verdict (or a line that could not be checked: outcome ``error``)."""

    line: int | None
    outcome: str
    step: str | None
    explanation_zh: str
    explanation_en: str
    number: str | None = None
    version: int | None = None
    holder: str | None = None  # masked, as every public page shows it
    title: str | None = None
    level: str | None = None
    series: str | None = None
    specialty: str | None = None
    issuer: str | None = None
    obtained: str | None = None
    status: ReportStatus | None = None

    @property
    def wording(self) -> str:
        """What the pages call this result (``services.wording``: "no-match" rather than "invalid"
        for a number and name that match nothing …), or ``error`` for a line not checked."""
        return "error" if self.outcome == "error" else wording(self.outcome, self.step)


@dataclasses.dataclass(frozen=True)
class Report:
    number: str
    kind: str  # single | bulk
    checked_at: dt.datetime
    rows: tuple[ReportRow, ...]

    @property
    def wording_counts(self) -> dict[str, int]:
        """How many rows per wording (``bulk.SUMMARY_ORDER``): the summary line of page and PDF."""
        return wording_counts(row.wording for row in self.rows)

    @property
    def single(self) -> bool:
        return self.kind == "single"


# --- recording -----------------------------------------------------------------------------------
def record_verdict(runtime: Runtime, verdict: OnlineVerdict) -> Report:
    """A report of one verification."""
    return _record(runtime, "single", verdict.checked_at, (_verdict_row(None, verdict),))


def record_bulk(runtime: Runtime, result: BulkResult) -> Report:
    """A report of a bulk check, one row per checked line."""
    return _record(runtime, "bulk", result.checked_at, tuple(_bulk_row(row) for row in result.rows))


def _record(runtime: Runtime, kind: str, checked_at: dt.datetime, rows: tuple[ReportRow, ...]) -> Report:
    number = new_report_number(checked_at)
    content = canonical_json(
        {
            "kind": kind,
            "checked_at": rfc3339(checked_at, exact=True),
            "rows": [_row_json(row) for row in rows],
        }
    )
    with runtime.database.write() as session:
        session.add(
            VerificationReport(
                number=number,
                kind=kind,
                checked_at=checked_at,
                items=len(rows),
                content=content.decode("utf-8"),
                content_sha256=hashlib.sha256(content).hexdigest(),
            )
        )
    return Report(number, kind, checked_at, rows)


def new_report_number(checked_at: dt.datetime) -> str:
    """``HY`` + the China date + 10 random characters, e.g. ``HY20261121-7K3M9QXD2F``."""
    random_part = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(_RANDOM_CHARS))
    return f"{NUMBER_PREFIX}{china_date(checked_at):%Y%m%d}-{random_part}"


def _verdict_row(line: int | None, verdict: OnlineVerdict) -> ReportRow:
    facts, status = verdict.facts, verdict.status
    return ReportRow(
        line=line,
        outcome=verdict.outcome,
        step=verdict.step,
        explanation_zh=verdict.reason_zh,
        explanation_en=verdict.reason,
        number=facts.certificate_number if facts else None,
        version=facts.version if facts else None,
        holder=facts.holder if facts else None,
        title=facts.title if facts else None,
        level=facts.level if facts else None,
        series=facts.series if facts else None,
        specialty=facts.specialty if facts else None,
        issuer=facts.issuer_name if facts else None,
        obtained=facts.obtained.isoformat() if facts else None,
        status=None
        if status is None
        else ReportStatus(
            status.state,
            status.effective.isoformat() if status.effective else None,
            status.reason_category,
            status.document_number,
        ),
    )


def _bulk_row(row: BulkRow) -> ReportRow:
    if row.verdict is not None:
        return _verdict_row(row.line, row.verdict)
    error = row.error
    assert isinstance(error, CertsvcError)
    # The error's own words describe the line (a mistyped check character …), never what was typed.
    return ReportRow(row.line, "error", error.code, error_zh(error), error.message)


def _row_json(row: ReportRow) -> dict[str, Any]:
    return {key: value for key, value in dataclasses.asdict(row).items() if value is not None}


# --- reading -------------------------------------------------------------------------------------
def normalize_report_number(text: str) -> str:
    return (text or "").strip().upper()[:MAX_NUMBER_CHARS]


def find_report(runtime: Runtime, number: str) -> Report:
    """The report with this number: ``NotFound`` otherwise (malformed numbers included)."""
    wanted = normalize_report_number(number)
    with runtime.database.read() as session:
        row = session.scalar(select(VerificationReport).where(VerificationReport.number == wanted))
        if row is None:
            raise NotFound("no verification report with this number", detail_zh="没有该编号的核验报告")
        content = json.loads(row.content)
    return Report(
        number=wanted,
        kind=content["kind"],
        checked_at=parse_rfc3339(content["checked_at"]),
        rows=tuple(_row_from_json(item) for item in content["rows"]),
    )


def _row_from_json(item: dict[str, Any]) -> ReportRow:
    status = item.pop("status", None)
    # Members without a value were left out of the stored content.
    item.setdefault("line", None)
    item.setdefault("step", None)
    return ReportRow(**item, status=ReportStatus(**status) if status else None)


def report_url(runtime: Runtime, number: str) -> str:
    return f"{runtime.settings.base_url}/r/{number}"


# --- the signed PDF --------------------------------------------------------------------------------
def report_sealer(runtime: Runtime) -> PdfSealer:
    """The installation's report seal (created on first use, rotated with the other seals)."""
    signer = runtime.settings.operator_name or "certsvc"
    seal = runtime.keys.seal_key(REPORT_SEAL_ID, signer, runtime.now())
    return PdfSealer(seal.private_key, seal.certificate, seal.ca_certificate, runtime.settings.tsa_url)


def report_pdf(runtime: Runtime, report: Report) -> bytes:
    """The report as a PDF signed by the installation's report seal (Chinese, as filed in China).

    A report never changes, so its signed PDF is rendered once and kept in the render cache: a
    1,000-line report takes a second or two to draw and sign, and /r/ pages are public."""
    key = RenderKey(report.number, 1, "pdf", variant=REPORT_RENDERING)
    return cached_render(runtime.settings.cache_dir / "reports", key, lambda: _render_pdf(runtime, report))


def _render_pdf(runtime: Runtime, report: Report) -> bytes:
    sealer = report_sealer(runtime)
    document = ReportDocument(
        number=report.number,
        checked_at=china_minute(report.checked_at) + "（北京时间）",
        scope="单张证书查验" if report.single else f"批量查验，共 {len(report.rows)} 项",
        summary=summary_zh(report),
        url=report_url(runtime, report.number),
        signer=sealer.signer_name,
        lines=tuple(_printed_line(row, report.single) for row in report.rows),
        single=report.single,
    )
    font = _font(runtime.settings.cjk_font)
    return render_report_pdf(report_pages(document, font), sealer, font, subject=f"核验报告 {report.number}")


@functools.lru_cache(maxsize=4)
def _font(configured: Path | None) -> CjkFont:
    return find_cjk_font(configured)


def summary_zh(report: Report) -> str:
    """The summary line in the pages' words, e.g. "有效 1，已撤销 1，未找到匹配的证书 1"."""
    return "，".join(f"{_wording_zh(slug)} {count}" for slug, count in report.wording_counts.items())


def _wording_zh(slug: str) -> str:
    """A wording in Chinese, as the pages say it (``label("outcome", wording)``)."""
    return "无法查验" if slug == "error" else label("outcome", slug, "zh")


def _printed_line(row: ReportRow, single: bool) -> ReportLine:
    dash = "—"
    details: tuple[tuple[str, str], ...] = ()
    if single:
        pairs = [
            ("证书编号", row.number),
            ("版本", str(row.version) if row.version else None),
            ("持证人", row.holder and f"{row.holder}（部分隐去）"),
            ("资格名称", row.title),
            ("级别", row.level),
            ("系列 · 专业", " · ".join(part for part in (row.series, row.specialty) if part) or None),
            ("取得资格日期", row.obtained),
            ("发证机构", row.issuer),
        ]
        if row.status is not None:
            reason = label("reason", row.status.reason, "zh") if row.status.reason else None
            pairs.append(("状态生效日期", row.status.effective))
            pairs.append(("状态原因", reason))
            pairs.append(("决定文号", row.status.document_number))
        details = tuple((name, value or dash) for name, value in pairs)
    return ReportLine(
        line=str(row.line) if row.line is not None else dash,
        outcome=row.wording,
        outcome_text=_wording_zh(row.wording),
        explanation=row.explanation_zh,
        number=row.number or dash,
        holder=row.holder or dash,
        title=row.title or dash,
        issuer=row.issuer or dash,
        details=details,
    )
