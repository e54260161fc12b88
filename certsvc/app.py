"""The Flask application: ``create_app`` wires configuration, runtime, extensions and views."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from certsvc.config import Settings, load_settings
from certsvc.runtime import Runtime, build_runtime


def _template_folder() -> str:
    package_dir = Path(__file__).parent
    # A wheel carries templates inside the package; a source checkout keeps them at the top level.
    for candidate in (package_dir / "templates", package_dir.parent / "templates"):
        if candidate.is_dir():
            return str(candidate)
    raise RuntimeError("certsvc templates not found (broken installation)")


def _refuse_plaintext_keys(runtime: Runtime) -> None:
    from certsvc.errors import ConfigurationError

    plaintext = runtime.keys.plaintext_private_files()
    if plaintext:
        raise ConfigurationError(
            f"CERTSVC_KEYS_DIR ({runtime.settings.keys_dir}) holds unencrypted private keys "
            f"({', '.join(plaintext)}): production serves only passphrase-encrypted keys"
        )


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """Wire configuration, runtime, extensions, blueprints and error handlers; nothing else."""
    from certsvc.log import configure_logging
    from certsvc.web import blueprints, errors, extensions, incoming, language, portal
    from certsvc.web.jsonio import CertsvcJSONProvider

    if runtime is None:
        runtime = build_runtime(settings or load_settings())
    configure_logging(runtime.settings.log_level)
    if runtime.settings.is_production:
        _refuse_plaintext_keys(runtime)
    app = Flask(
        __name__,
        template_folder=_template_folder(),
        static_folder=str(Path(__file__).parent / "web" / "static"),
    )
    app.config.update(
        SECRET_KEY=runtime.settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=runtime.settings.is_production,
        MAX_CONTENT_LENGTH=32 * 1024 * 1024,
        # Read by the views' rate limits (tests tighten them per app).
        CERTSVC_VERIFY_RATE=runtime.settings.verify_rate,
        CERTSVC_VERIFY_NUMBER_RATE=runtime.settings.verify_number_rate,
        CERTSVC_STATUS_RATE=runtime.settings.status_rate,
        CERTSVC_STATUS_TTL=runtime.settings.status_ttl_seconds,
        CERTSVC_ISSUER_API_RATE=runtime.settings.issuer_api_rate,
        CERTSVC_BULK_RATE=runtime.settings.bulk_rate,
        CERTSVC_BULK_NAME_RATE=runtime.settings.bulk_name_rate,
        CERTSVC_REPORT_RATE=runtime.settings.report_rate,
    )
    app.json = CertsvcJSONProvider(app)
    app.extensions["certsvc"] = runtime
    extensions.init_app(app, runtime)
    incoming.init_app(app)
    language.init_app(app)
    portal.init_app(app)
    for blueprint in blueprints():
        app.register_blueprint(blueprint)
    errors.init_app(app)
    return app
