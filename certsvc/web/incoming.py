"""The one check of incoming text, before any view runs (issue 16, finding 3; ADR 0011).

Query parameters, form fields, upload file names, path arguments and JSON bodies are checked
against ``certsvc.domain.incoming``: a NUL, a control character, an unpaired surrogate or JSON
nested too deeply gets a 400 problem (or page) naming the field, in English and Chinese, and the
request changes nothing. File contents are not text here: each reader checks its own format.
"""

from __future__ import annotations

from flask import Flask, request

from certsvc.domain.incoming import UnacceptableText, check_json, check_text, check_texts
from certsvc.errors import InvalidField

# Views whose body is a file (its reader reports row, field and rule), not request text.
FILE_BODY_ENDPOINTS = frozenset({"results_api.submit_results"})


def check_request() -> None:
    try:
        check_texts(request.args.items(multi=True))
        for name, value in (request.view_args or {}).items():
            if isinstance(value, str):
                check_text(name, value)
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            check_texts(request.form.items(multi=True))
            for name, upload in request.files.items(multi=True):
                check_text(name or "file", upload.filename or "")
        elif request.is_json and request.endpoint not in FILE_BODY_ENDPOINTS:
            body = request.get_json(silent=True)
            if body is not None:
                check_json(body)
    except UnacceptableText as error:
        raise InvalidField(error.field, error.message_en, detail_zh=error.message_zh) from None


def init_app(app: Flask) -> None:
    app.before_request(check_request)
