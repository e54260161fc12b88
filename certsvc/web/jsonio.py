"""JSON in and out: the app's JSON provider, and reading requests into their declared shapes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from flask import Response, jsonify, request
from flask.json.provider import DefaultJSONProvider
from pydantic import BaseModel, ValidationError

from certsvc.domain.incoming import MAX_JSON_DEPTH, nested_too_deeply
from certsvc.errors import BadRequest
from certsvc.web.errors import invalid_request

Shape = TypeVar("Shape", bound=BaseModel)


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


def json_body(shape: type[Shape], *, limit: int | None = None, optional: bool = False) -> Shape:
    """The request's JSON body as ``shape``, or a 400 problem saying what is wrong with it. An
    ``optional`` body may be empty (read as ``{}``); ``limit`` bounds its size in bytes."""
    if limit is not None and (request.content_length or 0) > limit:
        raise BadRequest(f"the body is limited to {limit} bytes", detail_zh="请求体过大")
    data = request.get_data()
    if optional and not data.strip():
        data = b"{}"
    elif not request.is_json:
        raise BadRequest(
            "send a JSON object with Content-Type: application/json", detail_zh="请求体必须是 JSON 对象"
        )
    try:
        return shape.model_validate_json(data)
    except ValidationError as error:
        raise invalid_request(error) from None


def parse(shape: type[Shape], data: object) -> Shape:
    """Already-decoded data (an item of a batch, path or query arguments) as ``shape``, or a 400."""
    try:
        return shape.model_validate(data)
    except ValidationError as error:
        raise invalid_request(error) from None


def query(shape: type[Shape]) -> Shape:
    """The query string as ``shape`` (the first value of a repeated argument counts)."""
    arguments: Mapping[str, str] = request.args.to_dict()
    return parse(shape, arguments)


def json_response(answer: BaseModel, status: int = 200) -> Response:
    """An answer serialized by its shape (members in declaration order), through the app's provider."""
    response = jsonify(answer.model_dump(mode="json"))
    response.status_code = status
    return response
