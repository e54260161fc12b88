"""The thin web layer: one blueprint per concern, no business logic."""

from __future__ import annotations

from flask import Blueprint, current_app

from certsvc.runtime import Runtime


def blueprints() -> list[Blueprint]:
    """Every blueprint of the app, in registration order (imported here: views import ``runtime``)."""
    from certsvc.accounts.views import bp as accounts
    from certsvc.audit.views import bp as audit
    from certsvc.certificates.views import lists  # noqa: F401 - adds the lists to the console's blueprint
    from certsvc.certificates.views.api import bp as certificates_api
    from certsvc.certificates.views.approvals import bp as approvals
    from certsvc.certificates.views.console import bp as console
    from certsvc.certificates.views.holder import bp as holder
    from certsvc.certificates.views.integrity import bp as integrity
    from certsvc.certificates.views.results_api import bp as results_api
    from certsvc.certificates.views.shared import bp as shared
    from certsvc.ledger.views import bp as ledger
    from certsvc.registry.views import bp as registry
    from certsvc.verification.views.api import bp as verification_api
    from certsvc.verification.views.employer import bp as employer
    from certsvc.verification.views.employer_api import bp as employer_api
    from certsvc.verification.views.pages import bp as pages
    from certsvc.verification.views.reports import bp as reports
    from certsvc.verification.views.status import bp as status
    from certsvc.verification.views.wellknown import bp as wellknown
    from certsvc.web.api import bp as api
    from certsvc.web.ops import bp as ops
    from certsvc.web.site import bp as site

    return [
        ops,
        site,
        wellknown,
        api,
        ledger,
        verification_api,
        employer_api,
        results_api,
        certificates_api,
        status,
        pages,
        reports,
        employer,
        holder,
        shared,
        console,
        approvals,
        audit,
        integrity,
        registry,
        accounts,
    ]


def runtime() -> Runtime:
    """The Runtime of the current app."""
    value = current_app.extensions["certsvc"]
    assert isinstance(value, Runtime)
    return value
