"""The thin web layer: one blueprint per concern, no business logic."""

from __future__ import annotations

import importlib

from flask import Flask, current_app

from certsvc.runtime import Runtime

# (module, attribute). Modules that do not exist yet are skipped so features can land one by one.
BLUEPRINTS = (
    ("certsvc.web.ops", "bp"),
    ("certsvc.verification.views.wellknown", "bp"),
    ("certsvc.web.api", "bp"),
    ("certsvc.ledger.views", "bp"),
    ("certsvc.verification.views.api", "bp"),
    ("certsvc.certificates.views.results_api", "bp"),
    ("certsvc.certificates.views.api", "bp"),
    ("certsvc.verification.views.status", "bp"),
    ("certsvc.verification.views.pages", "bp"),
    ("certsvc.certificates.views.holder", "bp"),
    ("certsvc.certificates.views.console", "bp"),
    ("certsvc.certificates.views.integrity", "bp"),
    ("certsvc.registry.views", "bp"),
    ("certsvc.accounts.views", "bp"),
)


def register_blueprints(app: Flask) -> None:
    for module_name, attribute in BLUEPRINTS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue
            raise
        app.register_blueprint(getattr(module, attribute))


def runtime() -> Runtime:
    """The Runtime of the current app."""
    value = current_app.extensions["certsvc"]
    assert isinstance(value, Runtime)
    return value
