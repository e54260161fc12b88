"""Public pages: the start page, the page a QR opens, "confirm the holder", uploads, bulk checks.

Verdict first, then masked facts, then the ledger evidence folded away. zh-CN unless the browser
prefers English or the visitor switches (``?lang=en``, remembered in a cookie).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from typing import Any

from flask import Blueprint, Response, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from certsvc.domain.certno import normalize_certificate_number
from certsvc.errors import BadRequest, CertsvcError
from certsvc.verification import texts
from certsvc.verification.schemas import MAX_BATCH
from certsvc.verification.services import OnlineVerdict, verify_by_number, verify_target
from certsvc.verification.views.api import MAX_UPLOAD_BYTES, NUMBER_SCOPE, number_rate, verify_rate
from certsvc.web import runtime
from certsvc.web.extensions import SUPPORTED_LANGUAGES, limiter, select_locale

bp = Blueprint("public", __name__)

CHINA = dt.timezone(dt.timedelta(hours=8))
LANG_COOKIE_SECONDS = 365 * 24 * 3600
LEVELS_EN = {
    "正高级": "Senior (full)",
    "副高级": "Senior (associate)",
    "中级": "Intermediate",
    "助理级": "Assistant",
    "员级": "Junior",
}
_FIELD_SEPARATORS = (",", "，", "\t", ";", "；")


# --- language and template helpers -------------------------------------------------------------
@bp.before_request
def _choose_language() -> None:
    g.lang = select_locale()


@bp.after_request
def _remember_language(response: Response) -> Response:
    chosen = request.args.get("lang")
    if chosen in SUPPORTED_LANGUAGES:
        response.set_cookie("lang", chosen, max_age=LANG_COOKIE_SECONDS, samesite="Lax", httponly=True)
    response.headers["Vary"] = "Accept-Language, Cookie"
    # Verdicts change (a revocation must show at once) and pages may echo what the visitor typed.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("china_time")
def china_time(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") + " (UTC+8)"


@bp.app_template_filter("long_date")
def long_date(day: dt.date | None) -> str:
    if day is None:
        return "—"
    # Portal pages use this filter too; their language is not chosen in a hook of every request.
    if (g.get("lang") or select_locale()) == "en":
        return day.isoformat()
    return f"{day.year}年{day.month}月{day.day}日"


@bp.context_processor
def _helpers() -> dict[str, Any]:
    lang = g.get("lang", "zh")

    def level_text(level: str) -> str:
        return f"{level} ({LEVELS_EN[level]})" if lang == "en" and level in LEVELS_EN else level

    return {
        "lang": lang,
        "t": lambda key: texts.label(key, lang),
        "headline": lambda outcome: texts.headline(outcome, lang),
        "explanation": lambda outcome: texts.explanation(outcome, lang),
        "step_text": lambda step: texts.step_text(step, lang),
        "reason_text": lambda code: texts.reason_text(code, lang),
        "level_text": level_text,
        "other_lang": "zh" if lang == "en" else "en",
    }


# --- pages -------------------------------------------------------------------------------------
@bp.get("/")
@limiter.limit(verify_rate)
def start() -> ResponseReturnValue:
    return render_template("public/start.html", switch_url=url_for("public.start"))


@bp.get("/v/<payload>")
@bp.get("/V/<payload>")
@limiter.limit(verify_rate)
def scanned(payload: str) -> ResponseReturnValue:
    verdict = verify_target(runtime(), payload, channel="page")
    return _verdict_page(verdict, payload=payload)


@bp.post("/v/<payload>/confirm")
@bp.post("/V/<payload>/confirm")
@limiter.limit(verify_rate)
@limiter.shared_limit(number_rate, scope=NUMBER_SCOPE)
def confirm(payload: str) -> ResponseReturnValue:
    claim = request.form.get("claim", "").strip()
    if not claim or len(claim) > 200:
        raise BadRequest("type the holder's full name or ID number", detail_zh="请输入持证人全名或身份证号码")
    verdict = verify_target(runtime(), payload, channel="page", confirm=claim)
    return _verdict_page(verdict, payload=payload)


@bp.post("/verify")
@limiter.limit(verify_rate)
@limiter.shared_limit(number_rate, scope=NUMBER_SCOPE)
def by_number() -> ResponseReturnValue:
    number = request.form.get("number", "")
    name = request.form.get("name", "")
    if len(number) > 64 or len(name) > 200:
        raise BadRequest("the number or the name is too long")
    verdict = verify_by_number(runtime(), number, name, channel="number")
    return _verdict_page(verdict, payload=verdict.confirm_payload)


@bp.post("/verify/upload")
@limiter.limit(verify_rate)
def upload() -> ResponseReturnValue:
    file = request.files.get("file")
    data = file.read(MAX_UPLOAD_BYTES + 1) if file is not None else b""
    if not data or len(data) > MAX_UPLOAD_BYTES:
        raise BadRequest(
            "choose a PNG/PDF certificate or a photo of its QR code "
            f"(at most {MAX_UPLOAD_BYTES // 2**20} MiB)",
            detail_zh="请选择 PNG/PDF 证书文件或二维码照片（不超过 10 MiB）",
        )
    verdict = verify_target(runtime(), data, channel="upload")
    return _verdict_page(verdict, payload=verdict.confirm_payload)


def _verdict_page(verdict: OnlineVerdict, *, payload: str | None) -> str:
    switch_url = url_for("public.scanned", payload=payload) if payload else url_for("public.start")
    return render_template(
        "public/verify.html",
        verdict=verdict,
        confirm_payload=verdict.confirm_payload,
        switch_url=switch_url,
    )


# --- bulk --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class BulkItem:
    line: int
    token: str | None = None
    number: str | None = None
    name: str | None = None


@dataclasses.dataclass(frozen=True)
class BulkRow:
    line: int
    number: str | None
    verdict: OnlineVerdict | None
    error: str | None


@dataclasses.dataclass(frozen=True)
class BulkForm:
    """The submitted bulk form: its items, or the problem that stands in for them."""

    items: tuple[BulkItem, ...]
    problem: Exception | None


def bulk_form() -> BulkForm:
    """The bulk form (textarea lines or a CSV upload), parsed once per request and never raising:
    the rate limiter reads it before the view (to know what the request costs), and a form a
    client crafted to fail (oversized, undecodable) must not fail there. The view raises the
    problem."""
    parsed: BulkForm | None = g.get("bulk_form")
    if parsed is None:
        parsed = g.bulk_form = _parse_bulk_form()
    return parsed


def _bulk_name_tests() -> int:
    """Number + name lines of a valid bulk form: its cost on the budget shared with the API."""
    if request.method != "POST":
        return 0
    return sum(1 for item in bulk_form().items if item.number is not None)


@bp.route("/verify/bulk", methods=["GET", "POST"])
@limiter.limit(verify_rate)
@limiter.shared_limit(
    number_rate,
    scope=NUMBER_SCOPE,
    cost=_bulk_name_tests,
    exempt_when=lambda: _bulk_name_tests() == 0,
)
def bulk() -> ResponseReturnValue:
    rows: list[BulkRow] = []
    if request.method == "POST":
        form = bulk_form()
        if form.problem is not None:
            raise form.problem
        rows = [_bulk_row(item) for item in form.items]
    return render_template(
        "public/bulk.html", rows=rows, max_items=MAX_BATCH, switch_url=url_for("public.bulk")
    )


def _bulk_row(item: BulkItem) -> BulkRow:
    try:
        if item.number is not None and item.name is not None:
            verdict = verify_by_number(runtime(), item.number, item.name, channel="bulk")
            return BulkRow(item.line, normalize_certificate_number(item.number), verdict, None)
        assert item.token is not None
        verdict = verify_target(runtime(), item.token, channel="bulk")
    except CertsvcError as error:
        if error.status >= 500:
            raise
        message = error.detail_zh if g.get("lang") != "en" and error.detail_zh else error.message
        return BulkRow(item.line, None, None, message)
    number = verdict.facts.certificate_number if verdict.facts is not None else None
    return BulkRow(item.line, number, verdict, None)


def _parse_bulk_form() -> BulkForm:
    try:
        items = _bulk_items()
    except (CertsvcError, HTTPException) as error:  # HTTPException: too large, client went away
        return BulkForm((), error)
    if not items:
        problem = BadRequest("nothing to verify: paste QR texts or number,name lines, or upload a CSV file")
        return BulkForm((), problem)
    if len(items) > MAX_BATCH:
        return BulkForm(
            (), BadRequest(f"at most {MAX_BATCH} items per request", detail_zh=f"每次最多 {MAX_BATCH} 项")
        )
    return BulkForm(tuple(items), None)


def _bulk_items() -> list[BulkItem]:
    upload = request.files.get("csv")
    if upload is not None and upload.filename:
        return _parse_csv(upload.read(MAX_UPLOAD_BYTES + 1))
    text = request.form.get("items", "")
    if len(text) > MAX_BATCH * 2048:
        raise BadRequest(f"at most {MAX_BATCH} items per request")
    items = []
    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line:
            items.append(_item_from_fields(line_number, _split_line(line)))
    return items


def _split_line(line: str) -> list[str]:
    if "://" in line or line.count(".") == 2:
        return [line]
    for separator in _FIELD_SEPARATORS:
        if separator in line:
            return [part.strip() for part in line.split(separator, 1)]
    parts = line.split(None, 1)
    return parts if len(parts) == 2 and len(parts[0]) <= 40 else [line]


def _item_from_fields(line: int, fields: list[str]) -> BulkItem:
    if len(fields) >= 2 and fields[1]:
        return BulkItem(line, number=fields[0], name=fields[1])
    return BulkItem(line, token=fields[0])


def _parse_csv(data: bytes) -> list[BulkItem]:
    if len(data) > MAX_UPLOAD_BYTES:
        raise BadRequest("the CSV file is too large")
    text = _decode_csv(data)
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    except csv.Error as error:  # a NUL byte, a field beyond the csv module's size limit
        raise BadRequest(f"the CSV file cannot be read: {error}", detail_zh="无法读取该 CSV 文件") from None
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    columns = _csv_columns(header)
    body = rows[1:] if columns is not None else rows
    qr_col, number_col, name_col = columns if columns is not None else (None, 0, 1)
    items = []
    for line, row in enumerate(body, start=2 if columns is not None else 1):
        cells = [cell.strip() for cell in row]
        if qr_col is not None and qr_col < len(cells) and cells[qr_col]:
            items.append(BulkItem(line, token=cells[qr_col]))
        elif number_col is not None and name_col is not None and max(number_col, name_col) < len(cells):
            items.append(_item_from_fields(line, [cells[number_col], cells[name_col]]))
        elif cells:
            items.append(BulkItem(line, token=cells[0]))
    return items


def _csv_columns(header: list[str]) -> tuple[int | None, int | None, int | None] | None:
    def find(*names: str) -> int | None:
        return next((header.index(name) for name in names if name in header), None)

    qr = find("qr", "二维码", "credential")
    number = find("certificate_number", "number", "证书编号")
    name = find("name", "姓名")
    if qr is None and (number is None or name is None):
        return None
    return qr, number, name


def _decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadRequest("the CSV file is neither UTF-8 nor GBK text", detail_zh="CSV 文件编码应为 UTF-8 或 GBK")
