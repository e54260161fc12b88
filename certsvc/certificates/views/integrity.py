"""The integrity record (诚信档案) in the issuing body's console: list, and end early by decision.

Staff see the records their authority may consult (its own; a province's HR department those of
its province); reviewers end a running record with a document number. Another authority's
record answers 404 (``NotFound`` from the service). Never public.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from certsvc.audit.web import acting
from certsvc.certificates import integrity
from certsvc.errors import BadRequest, WorkflowError
from certsvc.web import runtime
from certsvc.web.language import error_text, t
from certsvc.web.portal import me, staff_required

bp = Blueprint("issuer_integrity", __name__, url_prefix="/issuer/integrity")


@bp.get("/")
@staff_required()
def records() -> ResponseReturnValue:
    rt = runtime()
    with rt.database.read() as db:
        items = integrity.list_records(db, me().authority_code)
    return render_template("issuer/integrity.html", records=items, today=rt.today())


@bp.post("/<int:record_id>/end")
@staff_required("reviewer")
def end(record_id: int) -> ResponseReturnValue:
    rt = runtime()
    try:
        with rt.database.write() as db:
            integrity.end_record(
                db,
                rt,
                record_id,
                request.form.get("doc_no", ""),
                actor_authority=me().authority_code,
                actor=acting(),
            )
    except (BadRequest, WorkflowError) as error:
        flash(error_text(error), "error")
    else:
        flash(t("诚信档案记录已结束并记入账本。"), "info")
    return redirect(url_for("issuer_integrity.records"))
