"""Helpers shared by the subcommands."""

from __future__ import annotations

from certsvc.config import load_settings
from certsvc.runtime import Runtime, build_runtime


def cli_runtime() -> Runtime:
    from certsvc.log import configure_logging

    settings = load_settings()
    configure_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    return build_runtime(settings)
