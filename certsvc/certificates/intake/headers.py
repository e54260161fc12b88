"""Column headers → field names. English (``id_number``) and Chinese (``身份证号``) headers are accepted.

Matching ignores case, surrounding and inner whitespace (including the full-width space U+3000),
underscores and hyphens, and full-width letters: ``ID Number``, `` 身份证号　`` and ``id_number``
all name the same field.

A file without a ``route`` (取得方式) column is a review file, and every field of
``certsvc.domain.record.FIELDS`` is required, as always. A file with one may mix routes: only the
fields every route has (``COMMON_FIELDS``) are required as columns, and each row must fill its
own route's fields (checked per row, naming row and field). Columns with other headers (序号,
备注, …) are ignored: every required column must still be present, so a misspelt header surfaces
as a missing column, and the error lists the ignored headers as a hint. A field named by two
columns is refused, since which one is meant would be a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from certsvc.domain.record import (
    ALL_FIELDS,
    COMMON_FIELDS,
    EXTRA_LABELS_ZH,
    FIELD_LABELS_ZH,
    FIELDS,
    REVIEW,
    ROUTE_FIELDS,
)
from certsvc.errors import BadHeader

_OTHER_ROUTES_FIELDS = frozenset(
    f for route, fields in ROUTE_FIELDS.items() if route != REVIEW for f in fields
)
_IGNORABLE = re.compile(r"[\s_\-\ufeff]+")


def header_key(text: str) -> str:
    """The comparison key of a header."""
    return _IGNORABLE.sub("", unicodedata.normalize("NFKC", text)).lower()


ALIASES: Mapping[str, str] = MappingProxyType(
    {header_key(alias): field for field in ALL_FIELDS for alias in (field, FIELD_LABELS_ZH[field])}
    | {header_key(alias): field for alias, field in EXTRA_LABELS_ZH.items()}
)


def field_for(header: str) -> str | None:
    """The field a header or JSON key names, or None when it names none."""
    return ALIASES.get(header_key(header))


def map_headers(headers: Sequence[str], filename: str) -> list[str | None]:
    """For each column, the field it holds or None (ignored); raises ``BadHeader`` naming the problem."""
    columns = [field_for(h) for h in headers]
    seen: dict[str, int] = {}
    for index, field in enumerate(columns):
        if field is None:
            continue
        if field in seen:
            first, second = headers[seen[field]].strip(), headers[index].strip()
            raise BadHeader(
                f"{filename}: columns {seen[field] + 1} ({first}) and {index + 1} ({second}) "
                f"both name {field}",
                detail_zh=f"{filename}：第 {seen[field] + 1} 列“{first}”与第 {index + 1} 列“{second}”"
                f"都表示{FIELD_LABELS_ZH[field]}",
            )
        seen[field] = index
    required = COMMON_FIELDS if "route" in seen else FIELDS
    missing = [f for f in required if f not in seen]
    if missing:
        ignored = [h.strip()[:30] for h, f in zip(headers, columns, strict=True) if f is None and h.strip()][
            :8
        ]
        hint = f" (unrecognised headers: {', '.join(ignored)})" if ignored else ""
        hint_zh = f"（无法识别的列：{'、'.join(ignored)}）" if ignored else ""
        if "route" not in seen and _OTHER_ROUTES_FIELDS & seen.keys():
            # Columns of 认定, 重新确认 or 考试 without the route column: the file reads as review.
            hint += "; a file of recognition, reconfirmation or exam results needs a route column"
            hint_zh += "；认定、重新确认或考试结果的文件须有“取得方式”列"
        raise BadHeader(
            f"{filename}: row 1 lacks the column(s) {', '.join(missing)}{hint}",
            detail_zh=f"{filename}：第 1 行缺少列 {'、'.join(FIELD_LABELS_ZH[f] for f in missing)}{hint_zh}",
        )
    return columns
