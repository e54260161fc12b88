"""Building blocks for the request and response shapes of the JSON API (pydantic models).

Each concept declares its shapes in its own ``schemas`` module from these pieces; the views parse
requests and serialize answers with them, and ``certsvc.web.openapi`` generates the OpenAPI
document from them, so a shape is written down once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema


class RequestShape(BaseModel):
    """A request body or query: only the members it declares, each of exactly its JSON type (a
    number in quotes or ``true`` for an integer is refused, as a typo would be)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ResponseShape(BaseModel):
    """An answer: every member it declares and nothing else."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class OneOf:
    """``Annotated[str, OneOf(choices)]``: a string from a vocabulary the domain keeps as a tuple,
    validated and published as a JSON Schema ``enum`` from that one tuple."""

    def __init__(self, choices: Sequence[str]) -> None:
        self.choices = tuple(choices)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "enum": list(self.choices)}

    def _check(self, value: str) -> str:
        if value not in self.choices:
            listed = ", ".join(self.choices)
            raise PydanticCustomError(
                "one_of", "must be one of {choices}", {"choices": listed, "zh": f"应为 {listed} 之一"}
            )
        return value


def _in_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _in_utc_whole_second(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


# A moment, answered in RFC 3339 in UTC with "Z" (a database row without a zone is read as the
# server's local time, as ``datetime.astimezone`` does).
Moment = Annotated[dt.datetime, AfterValidator(_in_utc)]
# The same to the whole second, as verdicts give it.
WholeSecond = Annotated[dt.datetime, AfterValidator(_in_utc_whole_second)]


def _absent(value: object) -> bool:
    return value is None


def left_out_if_none(description: str | None = None) -> Any:
    """An answer member that may have no value: None by default, and then left out of the answer
    rather than sent as null."""
    return Field(default=None, exclude_if=_absent, description=description)


class UrlArguments(BaseModel):
    """Path or query-string arguments: strings as sent (a type that wants a number converts the
    string itself); query arguments the shape does not declare are ignored, as they always were."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)
