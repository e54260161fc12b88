"""What the bulk pages and the bulk API share: the submitted form, parsed once per request, the
anonymous bulk budgets, and the answers (results page, Excel file, report).

Anonymous bulk checks (the public page and ``POST /api/v1/verify/batch``) draw on two per-client
budgets instead of the single form's name budget (docs/adr/0016): each submission counts one
against ``CERTSVC_BULK_RATE``, and each line that tests a name (number + name) one against
``CERTSVC_BULK_NAME_RATE``. The page states both, so a list of up to 100 lines always fits a
fresh budget, and name guesses stay bounded. Employers count against their own quota instead.

Callbacks the limiter calls read only what is parsed once here and never raise (ADR 0010).
"""

from __future__ import annotations

import dataclasses
import io

from flask import Response, g, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from limits import parse_many
from werkzeug.exceptions import HTTPException

from certsvc.errors import BadRequest, CertsvcError
from certsvc.timefmt import china_minute
from certsvc.verification.bulk import (
    MAX_FILE_BYTES,
    BulkItem,
    BulkResult,
    parse_bulk_file,
    parse_bulk_text,
    verify_bulk,
)
from certsvc.verification.reports import record_bulk
from certsvc.verification.spreadsheet import MEDIA_TYPE, results_workbook
from certsvc.web import runtime
from certsvc.web.extensions import configured_rate
from certsvc.web.language import error_text, language
from certsvc.web.portal import Principal

BULK_SCOPE = "bulk"
BULK_NAME_SCOPE = "bulk-names"
OUTPUTS = ("page", "xlsx", "report")
bulk_rate = configured_rate("CERTSVC_BULK_RATE")
bulk_name_rate = configured_rate("CERTSVC_BULK_NAME_RATE")


@dataclasses.dataclass(frozen=True)
class BulkForm:
    """The submitted bulk form: its items, or the problem that stands in for them."""

    items: tuple[BulkItem, ...]
    problem: Exception | None

    @property
    def name_lines(self) -> int:
        return 0 if self.problem is not None else sum(1 for item in self.items if item.tests_a_name)

    @property
    def checkable(self) -> bool:
        """Whether the view will check it (what a submission budget counts)."""
        return self.problem is None and bool(self.items)


def bulk_form(max_items: int) -> BulkForm:
    """The bulk form (textarea lines, or a CSV/XLSX upload), parsed once per request and never
    raising: the rate limiter reads it before the view (to know what the request costs), and a
    form a client crafted to fail (oversized, undecodable) must not fail there. The view raises
    the problem."""
    parsed: BulkForm | None = g.get("bulk_form")
    if parsed is None:
        try:
            upload = request.files.get("file") or request.files.get("csv")
            if upload is not None and upload.filename:
                items = parse_bulk_file(upload.read(MAX_FILE_BYTES + 1), max_items=max_items)
            else:
                items = parse_bulk_text(request.form.get("items", ""), max_items=max_items)
            parsed = BulkForm(tuple(items), None)
        except (CertsvcError, HTTPException) as error:  # HTTPException: too large, client went away
            parsed = BulkForm((), error)
        except Exception as error:  # a limiter callback must never raise on client input (ADR 0010)
            parsed = BulkForm((), error)
        g.bulk_form = parsed
    return parsed


def posted_form(max_items: int) -> BulkForm | None:
    """The bulk form of a POST (None for a GET)."""
    return bulk_form(max_items) if request.method == "POST" else None


def output() -> str:
    chosen = request.form.get("output", "page")
    return chosen if chosen in OUTPUTS else "page"


def run_bulk(form: BulkForm, *, max_items: int) -> BulkResult:
    """The checked rows of a submitted form (raising its problem if it has one)."""
    if form.problem is not None:
        raise form.problem
    return verify_bulk(runtime(), form.items, max_items=max_items)


def check_form(form: BulkForm | None, *, max_items: int) -> tuple[BulkResult | None, str | None]:
    """(rows, None) for a form that could be checked; (None, the refusal in the page's language)
    for one that could not (too many lines, an unreadable file): the page shows it above the form,
    which keeps what was typed. Nothing is checked then."""
    if form is None:
        return None, None
    try:
        return run_bulk(form, max_items=max_items), None
    except BadRequest as problem:
        return None, error_text(problem)


def bulk_page(
    *, max_items: int, endpoint: str, employer: Principal | None, **budgets: str
) -> ResponseReturnValue:
    """The bulk page at ``endpoint``, the public one or an employer's: they differ only in how many
    lines a list may have, who checks and the budgets the page states (``budgets``). A refused
    form is shown again with the refusal (400); a checked one answers as the form asked."""
    form = posted_form(max_items)
    result, refusal = check_form(form, max_items=max_items)
    page = render_template(
        "public/bulk.html",
        result=result,
        refusal=refusal,
        max_items=max_items,
        items_text=kept_text(form),
        action=url_for(endpoint),
        employer=employer,
        switch_url=url_for(endpoint),
        **budgets,
    )
    if refusal is not None:
        return page, 400
    return page if result is None else answer(result, page)


def answer(result: BulkResult, render_page: ResponseReturnValue) -> ResponseReturnValue:
    """The answer the form asked for: the page, the Excel file, or a report (its page)."""
    chosen = output()
    if chosen == "xlsx":
        return workbook_response(result)
    if chosen == "report":
        report = record_bulk(runtime(), result)
        return redirect(url_for("reports.report", number=report.number), code=303)
    return render_page


def workbook_response(result: BulkResult) -> Response:
    stamp = china_minute(result.checked_at).replace("-", "").replace(" ", "-").replace(":", "")
    return send_file(
        io.BytesIO(results_workbook(result)),
        mimetype=MEDIA_TYPE,
        as_attachment=True,
        download_name=f"certsvc-bulk-{stamp}.xlsx",
        max_age=0,
    )


def kept_text(form: BulkForm | None) -> str:
    """The form's items as lines, so the page shows them again (an uploaded file's too)."""
    if form is None or form.problem is not None:
        return request.form.get("items", "") if request.method == "POST" else ""
    return "\n".join(item.as_line() for item in form.items)


_UNITS_ZH = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天", "month": "个月", "year": "年"}


def describe_rate(rate: str, unit_zh: str, unit_en: str) -> str:
    """A configured rate as the page states it: "每分钟 5 次、每小时 30 次" / "5 per minute, 30 per hour"."""
    parts = []
    for item in parse_many(rate):
        period, multiples = item.GRANULARITY.name, item.multiples
        if language() == "en":
            window = period if multiples == 1 else f"{multiples} {period}s"
            parts.append(f"{item.amount} {unit_en} per {window}")
        else:
            window = (
                _UNITS_ZH.get(period, period)
                if multiples == 1
                else f" {multiples} {_UNITS_ZH.get(period, period)}"
            )
            parts.append(f"每{window} {item.amount} {unit_zh}")
    return ("、" if language() == "zh" else ", ").join(parts)
