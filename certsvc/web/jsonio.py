"""The app's JSON provider: Flask's, with the choices certsvc makes for every JSON answer and body."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider

from certsvc.domain.incoming import MAX_JSON_DEPTH, nested_too_deeply


class CertsvcJSONProvider(DefaultJSONProvider):
    """Answers in UTF-8 (Flask 3 reads no JSON_AS_ASCII setting) with members in the order the code
    builds them (the verdict first), not sorted again for each answer. A body nested deeper than
    the parser can follow is malformed JSON like any other: ``request.get_json`` then gives the
    400 problem, not a 500 from a RecursionError."""

    ensure_ascii = False
    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        # Depth is checked here; the characters of its strings by ``certsvc.web.incoming`` (which
        # names the offending member in its 400 problem).
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        if nested_too_deeply(value):
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        return value
