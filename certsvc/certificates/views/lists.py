"""The console's lists: certificates and import batches, filtered and paged, each exportable to
Excel at the same URL with ``.xlsx``; and an upload's refusal report.

Registered on the console's blueprint (``issuer``), so the pages share its URLs and guards: any
staff role reads the lists of its own authority (services scope every query to it). Filters
without personal data travel as query parameters; a search by name or ID number is a POST
(see ``certificates.listing``), and its paging and export re-post the filters.
"""

from __future__ import annotations

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue

from certsvc.certificates import listing
from certsvc.certificates.lookup import looks_like_id_number, read_number
from certsvc.certificates.staging import peek_staged_upload
from certsvc.certificates.views.console import bp
from certsvc.errors import BadRequest
from certsvc.timefmt import china_date
from certsvc.web import runtime
from certsvc.web.language import error_text
from certsvc.web.portal import me, staff_required

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, stem: str) -> Response:
    day = china_date(runtime().now()).strftime("%Y%m%d")
    response = Response(data, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}-{day}.xlsx"'
    return response


def _echo(value: str) -> str:
    """What a form field may show again: anything but an ID number (the page never echoes one)."""
    if not looks_like_id_number(value):
        return value
    try:
        typed = read_number(value, today=runtime().today())
    except BadRequest:
        return ""
    return value if typed.id_number is None else ""


def _certificate_filters() -> listing.CertificateFilters:
    person = request.method == "POST"
    source = request.form if person else request.args
    return listing.certificate_filters(source, person=person, today=runtime().today())


# --- certificates ------------------------------------------------------------------------------
@bp.route("/certificates", methods=["GET", "POST"])
@staff_required()
def search() -> ResponseReturnValue:
    """The authority's certificates, newest first: filtered by the query string, or by a posted
    search naming a person (the page never echoes an ID number back)."""
    rt = runtime()
    person = request.method == "POST"
    source = request.form if person else request.args
    shown = {
        name: _echo(source.get(name, ""))
        for name in (*listing.CERTIFICATE_FILTERS, *(("q", "name") if person else ()))
    }
    try:
        filters = _certificate_filters()
        page = listing.page_number(source)
    except BadRequest as problem:
        with rt.database.read() as db:
            series = listing.authority_series(db, me().authority_code or "")
        return render_template(
            "issuer/certificates.html",
            result=None,
            error=error_text(problem),
            shown=shown,
            series=series,
            person=person,
        ), 400
    with rt.database.read() as db:
        result = listing.list_certificates(db, rt, me().authority_code or "", filters, page=page)
    return render_template(
        "issuer/certificates.html",
        result=result,
        error=None,
        shown=shown,
        series=result.series,
        person=person or result.filters.by_person,
    )


@bp.route("/certificates.xlsx", methods=["GET", "POST"])
@staff_required()
def certificates_export() -> ResponseReturnValue:
    """Exactly the certificates the same filters list, every page, as an Excel workbook."""
    from certsvc.certificates.exports import certificates_workbook

    rt = runtime()
    filters = _certificate_filters()
    with rt.database.read() as db:
        data = certificates_workbook(listing.iter_certificates(db, rt, me().authority_code or "", filters))
    return _download(data, "certificates")


# --- batches -----------------------------------------------------------------------------------
@bp.get("/batches")
@staff_required()
def batches() -> ResponseReturnValue:
    """The history of imports: when, which file, who imported it, how many certificates."""
    try:
        filters = listing.batch_filters(request.args)
        page = listing.page_number(request.args)
    except BadRequest as problem:
        return render_template("issuer/batches.html", page=None, filters=None, error=error_text(problem)), 400
    with runtime().database.read() as db:
        found = listing.list_batches(db, me().authority_code or "", filters, page=page)
    return render_template("issuer/batches.html", page=found, filters=filters, error=None)


@bp.get("/batches.xlsx")
@staff_required()
def batches_export() -> ResponseReturnValue:
    """Exactly the batches the same filters list, as an Excel workbook."""
    from certsvc.certificates.exports import batches_workbook

    filters = listing.batch_filters(request.args)
    with runtime().database.read() as db:
        rows = listing.iter_batches(db, me().authority_code or "", filters)
    return _download(batches_workbook(rows), "batches")


# --- an upload's refusal report ----------------------------------------------------------------
@bp.post("/import/report.xlsx")
@staff_required("operator")
def import_report() -> ResponseReturnValue:
    """The refused rows of an upload still waiting for confirmation (or correction), as Excel."""
    from certsvc.certificates.exports import refusal_report_workbook
    from certsvc.certificates.preview import preview_import

    rt = runtime()
    principal = me()
    data, filename = peek_staged_upload(rt, principal.user_id, request.form.get("token", ""))
    preview = preview_import(
        rt,
        data,
        filename,
        acting_authority=principal.authority_code or "",
        actor=principal.actor,
        full_names=request.form.get("names") == "full",
        limit=0,
    )
    return _download(refusal_report_workbook(preview), "refusals")
