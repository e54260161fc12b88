"""Structured (JSON lines) logging with a request id.

Log records carry event names and counters, never names or ID numbers: callers pass only
non-personal fields through ``extra={"fields": {...}}``.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
import traceback
import warnings
from typing import Any

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


class JsonFormatter(logging.Formatter):
    # The second's text is the same for every record within it (a busy server logs hundreds).
    _second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second[0]:
            self._second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        entry: dict[str, Any] = {
            "ts": f"{self._second[1]}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            # Frames and the type find the bug; the message may echo user input (names, ID numbers).
            entry["exception"] = record.exc_info[0].__name__
            entry["traceback"] = "".join(traceback.format_tb(record.exc_info[2]))
        return _ENCODER.encode(entry)


# One encoder for every record: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    # Neither these JSON lines nor gunicorn's own log format use the caller's file and line or the
    # thread and process names: skip collecting them for each record (switches from the logging
    # HOWTO's "Optimization" section). A busy server writes one record per request.
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    # certsvc's own warnings (UnsafePlaintextKeys) are also logged where they arise: as a JSON line
    # only, not a second time as a Python warning with its source line.
    warnings.filterwarnings("ignore", category=UserWarning, module=r"certsvc\.")
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)
