"""The action log in the console: the auditor lists, filters and exports it (Excel).

Auditors read their own authority's rows and those concerning every authority (signing keys, the
registry). Filters travel as query parameters (no personal data: actions, staff logins or
pseudonyms, certificate or proposal numbers, dates); ``/issuer/audit.xlsx`` with the same query is
the export of exactly the rows the filter selects.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from certsvc.audit import services
from certsvc.audit.export import action_log_workbook
from certsvc.errors import BadRequest
from certsvc.web import runtime
from certsvc.web.language import error_text
from certsvc.web.portal import me, staff_required

bp = Blueprint("issuer_audit", __name__, url_prefix="/issuer")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ARGUMENTS = ("action", "staff", "target", "since", "until")


def _filters() -> services.ActionFilter:
    return services.ActionFilter.parse({name: request.args.get(name, "") for name in _ARGUMENTS})


@bp.get("/audit")
@staff_required("auditor")
def action_log() -> ResponseReturnValue:
    try:
        filters = _filters()
    except BadRequest as error:
        return render_template(
            "issuer/audit.html",
            page=None,
            filters=services.ActionFilter(),
            error=error_text(error),
            actions=services.ACTIONS,
        ), 400
    try:
        number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        number = 1
    with runtime().database.read() as db:
        page = services.list_actions(db, authority_code=me().authority_code, filters=filters, page=number)
    return render_template(
        "issuer/audit.html", page=page, filters=filters, error=None, actions=services.ACTIONS
    )


@bp.get("/audit.xlsx")
@staff_required("auditor")
def action_log_export() -> ResponseReturnValue:
    filters = _filters()
    with runtime().database.read() as db:
        data = action_log_workbook(
            services.iter_actions(db, authority_code=me().authority_code, filters=filters)
        )
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = 'attachment; filename="action-log.xlsx"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
