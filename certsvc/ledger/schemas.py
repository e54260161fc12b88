"""Shapes of the ledger API: entries, Merkle proofs and the numbers that address them."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from certsvc.schemas import ResponseShape, UrlArguments, left_out_if_none

_DECIMAL = re.compile(r"[0-9]{1,19}")


def _decimal(value: object) -> object:
    """A count arrives in a URL as text: plain decimal digits only (no sign, exponent or spaces)."""
    if isinstance(value, str):
        if not _DECIMAL.fullmatch(value):
            raise PydanticCustomError(
                "decimal_count", "must be a non-negative decimal integer", {"zh": "须为非负十进制整数"}
            )
        return int(value)
    return value


Count = Annotated[int, Field(ge=0), BeforeValidator(_decimal)]
Hash = Annotated[
    str, Field(description="SHA-256, standard base64", json_schema_extra={"contentEncoding": "base64"})
]


class SizeArguments(UrlArguments):
    size: Count = Field(description="Tree size")


class EntryArguments(UrlArguments):
    index: Count = Field(description="Entry index (0-based)")


class InclusionQuery(UrlArguments):
    index: Count = Field(description="Entry index (0-based)")
    size: Count | None = Field(None, description="Tree size; defaults to the latest")


class ConsistencyQuery(UrlArguments):
    first: Count = Field(description="Older tree size (at least 1)")
    second: Count = Field(description="Newer tree size")


class LedgerEntry(ResponseShape):
    index: int = Field(ge=0)
    leaf_hash: Hash
    content: dict[str, Any] | None = Field(description="The entry (canonical JSON, no personal data)")
    content_base64: str | SkipJsonSchema[None] = left_out_if_none("Only for an entry that is not JSON")


class InclusionProof(ResponseShape):
    index: int = Field(ge=0)
    size: int = Field(ge=1)
    leaf_hash: Hash
    root: Hash
    hashes: list[Hash]


class ConsistencyProof(ResponseShape):
    first: int = Field(ge=1)
    second: int = Field(ge=1)
    hashes: list[Hash]
