"""Incoming text: the one rule for which characters untrusted text may contain, and bounded JSON.

Every request's query, form fields, upload names, path arguments and JSON body pass through
``certsvc.web.incoming`` (which applies this module), and the JWS parser uses ``loads_bounded``,
so no handler meets a NUL (PostgreSQL refuses it in text), a control character, or an unpaired
surrogate (it cannot be encoded as UTF-8, so it fails wherever text is written out), and no JSON
value is nested deeper than ``MAX_JSON_DEPTH`` (Python's parser and every recursive walker over
JSON would otherwise hit the recursion limit). Tab, line feed and carriage return stay allowed:
text areas send them. (Issue 16, finding 3; ADR 0011.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

MAX_JSON_DEPTH = 32
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class UnacceptableText(ValueError):
    """Text with a forbidden character or JSON nested too deeply; ``field`` says where."""

    def __init__(self, field: str, message_en: str, message_zh: str) -> None:
        super().__init__(message_en)
        self.field = field
        self.message_en = message_en
        self.message_zh = message_zh


def text_problem(value: str) -> tuple[str, str] | None:
    """(English, Chinese) description of what makes ``value`` unacceptable, or None if it is fine."""
    found = _FORBIDDEN.search(value)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "a NUL character", "空字符（NUL）"
    if "\ud800" <= char <= "\udfff":
        return "an unpaired surrogate (not valid Unicode text)", "无效的 Unicode 代理字符"
    return f"a control character (U+{ord(char):04X})", f"控制字符（U+{ord(char):04X}）"


def check_text(field: str, value: str) -> None:
    """Raise ``UnacceptableText`` naming ``field`` when ``value`` has a forbidden character."""
    problem = text_problem(value)
    if problem is not None:
        raise UnacceptableText(
            field,
            f'"{field}" contains {problem[0]}; remove it and send the text again',
            f"“{field}”含有{problem[1]}，请删除后重新提交",
        )


def check_texts(pairs: Iterable[tuple[str | None, str | None]]) -> None:
    """``check_text`` over (field, value) pairs; the field name itself is checked too.

    A multipart part whose name the parser could not read (none given, or cut by a stray carriage
    return) arrives under the name None: no view can ask for it, so there is nothing to check.
    """
    for field, value in pairs:
        if field is None:
            continue
        check_text("parameter name", field)
        check_text(field, value or "")


def check_json(value: Any, field: str = "body") -> None:
    """Every key and string in a parsed JSON value, and its depth, without recursion."""
    stack: list[tuple[Any, str, int]] = [(value, field, 0)]
    while stack:
        item, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise UnacceptableText(
                path,
                f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels",
                f"JSON 嵌套超过 {MAX_JSON_DEPTH} 层",
            )
        if isinstance(item, str):
            check_text(path, item)
        elif isinstance(item, dict):
            for key, member in item.items():
                check_text(path, key)
                stack.append((member, str(key) if path == field else f"{path}.{key}", depth + 1))
        elif isinstance(item, list):
            stack.extend((member, f"{path}[{index}]", depth + 1) for index, member in enumerate(item))


def nested_too_deeply(value: Any) -> bool:
    """Whether a parsed JSON value nests deeper than ``MAX_JSON_DEPTH`` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(item, dict):
            stack.extend((member, depth + 1) for member in item.values())
        elif isinstance(item, list):
            stack.extend((member, depth + 1) for member in item)
    return False


def loads_bounded(text: str | bytes, **kwargs: Any) -> Any:
    """``json.loads`` that raises ``ValueError`` (never ``RecursionError``) for any nesting it
    cannot or should not follow, and for forbidden characters in keys or strings."""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    check_json(value)
    return value
