"""The registry as an issuing body sees it in its console: its grants, the committees it forms or
registered, the commissions it gave or received, and its province's policy.

Read-only: the registry changes through ``certsvc init --registry``. Each authority sees only
what concerns it.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from certsvc.registry.services import registry_from_database
from certsvc.web import runtime
from certsvc.web.portal import me, staff_required

bp = Blueprint("issuer_registry", __name__, url_prefix="/issuer/registry")


@bp.get("/")
@staff_required()
def overview() -> ResponseReturnValue:
    code = me().authority_code or ""
    rt = runtime()
    with rt.database.read() as db:
        registry = registry_from_database(db)
    authority = registry.authorities.get(code)
    committees, commissions = registry.for_authority(code)
    policy = None
    if authority is not None and authority.province is not None:
        policy = registry.policies.get(authority.province)
    names = {a.code: a.name for a in registry.authorities.values()}
    committee_names = {c.code: c.name for c in registry.committees.values()}
    return render_template(
        "issuer/registry.html",
        authority=authority,
        committees=committees,
        commissions=commissions,
        policy=policy,
        names=names,
        committee_names=committee_names,
        today=rt.today(),
    )
