"""Request and response shapes: the one mapping of a refused request to a 400 problem, the moments in
answers, and the OpenAPI document generated from the shapes covering every JSON route."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

import pytest
from flask.testing import FlaskClient
from pydantic import Field, ValidationError

from certsvc.errors import InvalidField
from certsvc.ledger.schemas import Count
from certsvc.schemas import Moment, OneOf, RequestShape, ResponseShape, UrlArguments, WholeSecond
from certsvc.web.errors import invalid_request

SECRET = "雷俊怡421221197907225405"


class Sample(RequestShape):
    text: str = Field(min_length=2, max_length=5)
    count: int = Field(gt=0, le=10)
    floor: int = Field(default=1, ge=1)
    day: dt.date | None = None
    tags: list[str] = Field(default=[], min_length=1, max_length=2)


class Choice(RequestShape):
    reason: Annotated[str, OneOf(("lost", "damaged"))]


class SampleKind(RequestShape):
    kind: str


def _refusal(shape: type[RequestShape], body: str) -> InvalidField:
    with pytest.raises(ValidationError) as caught:
        shape.model_validate_json(body)
    problem = invalid_request(caught.value)
    assert isinstance(problem, InvalidField)
    return problem


GOOD = '"text": "abc", "count": 3'
BAD = [
    ('{"count": 3}', "text"),
    ('{"text": 5, "count": 3}', "text"),
    ('{"text": "a", "count": 3}', "text"),
    ('{"text": "abcdef", "count": 3}', "text"),
    ('{"text": "abc", "count": true}', "count"),
    ('{"text": "abc", "count": "3"}', "count"),
    ('{"text": "abc", "count": 0}', "count"),
    ('{"text": "abc", "count": 11}', "count"),
    (f'{{{GOOD}, "floor": 0}}', "floor"),
    (f'{{{GOOD}, "day": "2026-13-01"}}', "day"),
    (f'{{{GOOD}, "day": 20261101}}', "day"),
    (f'{{{GOOD}, "tags": "x"}}', "tags"),
    (f'{{{GOOD}, "tags": []}}', "tags"),
    (f'{{{GOOD}, "tags": ["a", "b", "c"]}}', "tags"),
    (f'{{{GOOD}, "{SECRET}": 1}}', SECRET),
]


@pytest.mark.parametrize(("body", "member"), BAD)
def test_each_kind_of_refusal_names_the_member_in_english_and_chinese(body: str, member: str) -> None:
    """Missing, unknown, mistyped, too short or long, out of range, not a date: the problem names the
    member in ``field`` and in both details, fully worded (no unfilled placeholder), and never
    repeats the value sent."""
    problem = _refusal(Sample, body)
    assert problem.field == member
    assert problem.message.startswith(f'"{member}" ') and problem.detail_zh
    assert problem.detail_zh.startswith(f"{member} ")
    for text in (problem.message, problem.detail_zh):
        assert not re.search(r"[{}]", text)
        assert "abcdef" not in text and "2026-13-01" not in text


def test_an_unknown_member_is_named_before_a_missing_one() -> None:
    """A misspelt member explains the missing one: the problem names the member the shape does not know."""
    assert _refusal(Sample, '{"txt": "abc", "count": 3}').field == "txt"


def test_a_member_outside_its_vocabulary_lists_the_choices() -> None:
    """A string outside its vocabulary is refused with the choices, in both languages."""
    problem = _refusal(Choice, '{"reason": "stolen"}')
    assert problem.field == "reason"
    assert "lost, damaged" in problem.message and "lost, damaged" in problem.detail_zh


@pytest.mark.parametrize("body", ["[]", '"x"', "{", "[" * 5000])
def test_a_body_that_is_no_object_is_a_plain_bad_request(body: str) -> None:
    """Not JSON, or not an object: a 400 with no ``field`` (no one member is at fault), in both languages."""
    with pytest.raises(ValidationError) as caught:
        SampleKind.model_validate_json(body)
    problem = invalid_request(caught.value)
    assert not isinstance(problem, InvalidField)
    assert problem.status == 400 and problem.message and problem.detail_zh


def test_counts_in_urls_are_plain_decimal_digits() -> None:
    """A count in a URL is digits only: signs, exponents, spaces and 20-digit numbers are refused."""

    class Where(UrlArguments):
        index: Count

    assert Where.model_validate({"index": "42"}).index == 42
    for raw in ("-1", "1e3", " 1", "+1", "9" * 20, "", "x"):
        with pytest.raises(ValidationError) as caught:
            Where.model_validate({"index": raw})
        problem = invalid_request(caught.value)
        assert isinstance(problem, InvalidField) and problem.field == "index", raw


def test_moments_are_answered_in_utc_with_z() -> None:
    """Moments are RFC 3339 in UTC with "Z"; verdict moments to the whole second."""

    class Answer(ResponseShape):
        at: Moment
        second: WholeSecond

    china = dt.timezone(dt.timedelta(hours=8))
    moment = dt.datetime(2026, 3, 1, 8, 30, 5, 250_000, tzinfo=china)
    assert Answer(at=moment, second=moment).model_dump(mode="json") == {
        "at": "2026-03-01T00:30:05.250000Z",
        "second": "2026-03-01T00:30:05Z",
    }


def _template(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def test_every_json_route_is_in_the_generated_document(client: FlaskClient) -> None:
    """Every route under /api/, /.well-known/ and /status/ is described, with each of its methods, in
    the document generated from the shapes; and it describes nothing the app does not serve."""
    document = client.get("/api/v1/openapi.json").get_json()
    served = {
        (_template(rule.rule), method.lower())
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith(("/api/", "/.well-known/", "/status/", "/healthz", "/readyz"))
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    described = {(path, method) for path, item in document["paths"].items() for method in item}
    assert served == described
