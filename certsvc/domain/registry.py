"""The registry of confirming authorities and registered review committees (核准备案).

``load_registry`` accepts the JSON shape of ``testdata/registry.json`` (an object with
``authorities`` and ``committees`` arrays) and refuses, listing every problem at once, anything
inconsistent: bad USCC check characters, unknown kinds or levels, levels an authority's tier may
not confirm, committees of unknown authorities or for levels their authority may not confirm,
registration windows longer than 3 years or reversed, duplicate codes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

from certsvc.domain.checkdigits import uscc_is_valid
from certsvc.domain.levels import AuthorityKind, Level, confirmable_levels
from certsvc.errors import InvalidRegistry

MAX_REGISTRATION_YEARS = 3
_AUTHORITY_CODE = re.compile(r"[0-9A-Z]{6}")


@dataclass(frozen=True, slots=True)
class Authority:
    code: str
    name: str
    uscc: str
    kind: AuthorityKind
    levels: frozenset[Level]
    confirmable: frozenset[Level] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "confirmable", confirmable_levels(self.kind, self.levels))

    def may_confirm(self, level: Level) -> bool:
        """Whether this authority may confirm ``level`` (DESIGN §2 rule 5)."""
        return level in self.confirmable


@dataclass(frozen=True, slots=True)
class Committee:
    code: str
    name: str
    authority_code: str
    series: str
    level: Level
    size: int
    registered_from: dt.date
    registered_until: dt.date

    def registered_on(self, day: dt.date) -> bool:
        return self.registered_from <= day <= self.registered_until


@dataclass(frozen=True)
class Registry:
    """Authorities and committees keyed by code (read-only mappings, file order kept)."""

    authorities: Mapping[str, Authority]
    committees: Mapping[str, Committee]


def load_registry(source: bytes | str | os.PathLike[str]) -> Registry:
    """Parse and validate a registry: ``bytes`` are the JSON itself, ``str``/path name a file.

    Raises ``InvalidRegistry`` (a ``ConfigurationError``) whose ``problems`` list every finding.
    """
    where = "registry"
    try:
        if isinstance(source, bytes):
            raw = source
        else:
            where = os.fspath(source)
            with open(source, "rb") as f:
                raw = f.read()
        document = json.loads(raw.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidRegistry([f"{where}: cannot read JSON ({exc})"]) from None
    return _build(document, where)


def demo_registry() -> Registry:
    """The demo registry shipped with the package (a copy of ``testdata/registry.json``)."""
    data = resources.files("certsvc.domain").joinpath("demo_registry.json").read_bytes()
    return load_registry(data)


class _Problems:
    def __init__(self, where: str) -> None:
        self.where = where
        self.items: list[str] = []

    def add(self, context: str, message: str) -> None:
        self.items.append(f"{self.where}: {context}: {message}")


def _build(document: Any, where: str) -> Registry:
    problems = _Problems(where)
    if not isinstance(document, dict):
        raise InvalidRegistry([f"{where}: top level must be an object with authorities and committees"])
    authorities: dict[str, Authority] = {}
    for i, item in enumerate(_array(document, "authorities", problems)):
        authority = _authority(item, f"authorities[{i}]", problems)
        if authority is None:
            continue
        if authority.code in authorities:
            problems.add(f"authorities[{i}]", f"duplicate authority code {authority.code}")
        authorities[authority.code] = authority
    committees: dict[str, Committee] = {}
    for i, item in enumerate(_array(document, "committees", problems)):
        committee = _committee(item, f"committees[{i}]", problems, authorities)
        if committee is None:
            continue
        if committee.code in committees:
            problems.add(f"committees[{i}]", f"duplicate committee code {committee.code}")
        committees[committee.code] = committee
    if problems.items:
        raise InvalidRegistry(problems.items)
    return Registry(MappingProxyType(authorities), MappingProxyType(committees))


def _array(document: dict[str, Any], key: str, problems: _Problems) -> list[Any]:
    value = document.get(key)
    if not isinstance(value, list):
        problems.add(key, "must be an array")
        return []
    return value


def _text(item: dict[str, Any], key: str, context: str, problems: _Problems) -> str | None:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(context, f"{key} must be a non-empty string")
        return None
    return value.strip()


def _level(value: Any, context: str, problems: _Problems) -> Level | None:
    level = Level.parse(value) if isinstance(value, str) else None
    if level is None:
        problems.add(context, f"unknown level {value!r} (known: {', '.join(x.value for x in Level)})")
    return level


def _date(item: dict[str, Any], key: str, context: str, problems: _Problems) -> dt.date | None:
    value = item.get(key)
    try:
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    problems.add(context, f"{key} must be a date YYYY-MM-DD, got {value!r}")
    return None


def _authority(item: Any, context: str, problems: _Problems) -> Authority | None:
    if not isinstance(item, dict):
        problems.add(context, "must be an object")
        return None
    before = len(problems.items)
    code = _text(item, "code", context, problems)
    name = _text(item, "name", context, problems)
    uscc = _text(item, "uscc", context, problems)
    if code is not None:
        context = f"{context} ({code})"
        if not _AUTHORITY_CODE.fullmatch(code):
            problems.add(context, "code must be 6 characters 0-9A-Z (it is part of certificate numbers)")
    if uscc is not None and not uscc_is_valid(uscc):
        problems.add(context, f"USCC {uscc} fails the GB 32100 check")
    raw_kind = item.get("kind")
    kind = AuthorityKind.parse(raw_kind) if isinstance(raw_kind, str) else None
    if kind is None:
        known = ", ".join(k.value for k in AuthorityKind)
        problems.add(context, f"unknown kind {item.get('kind')!r} (known: {known})")
    raw_levels = item.get("levels")
    levels: list[Level] = []
    if not isinstance(raw_levels, list) or not raw_levels:
        problems.add(context, "levels must be a non-empty array")
    else:
        levels = [lv for lv in (_level(v, context, problems) for v in raw_levels) if lv is not None]
        if len(set(levels)) != len(levels):
            problems.add(context, "levels lists a level twice")
    if kind is not None and kind is not AuthorityKind.SELF_REVIEW:
        beyond = [lv.value for lv in levels if lv not in confirmable_levels(kind, levels)]
        if beyond:
            problems.add(context, f"a {kind.value} authority may not confirm {', '.join(beyond)}")
    if len(problems.items) > before or code is None or name is None or uscc is None or kind is None:
        return None
    return Authority(code=code, name=name, uscc=uscc, kind=kind, levels=frozenset(levels))


def _committee(
    item: Any, context: str, problems: _Problems, authorities: Mapping[str, Authority]
) -> Committee | None:
    if not isinstance(item, dict):
        problems.add(context, "must be an object")
        return None
    before = len(problems.items)
    code = _text(item, "code", context, problems)
    if code is not None:
        context = f"{context} ({code})"
    name = _text(item, "name", context, problems)
    authority_code = _text(item, "authority", context, problems)
    series = _text(item, "series", context, problems)
    level = _level(item.get("level"), context, problems)
    size = item.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        problems.add(context, f"size must be a positive integer, got {size!r}")
    start = _date(item, "registered_from", context, problems)
    until = _date(item, "registered_until", context, problems)
    if start is not None and until is not None:
        if until < start:
            problems.add(context, "registered_until is before registered_from")
        elif until >= _add_years(start, MAX_REGISTRATION_YEARS):
            problems.add(
                context, f"registration {start}..{until} is longer than {MAX_REGISTRATION_YEARS} years"
            )
    authority = authorities.get(authority_code) if authority_code is not None else None
    if authority_code is not None and authority is None:
        problems.add(context, f"authority {authority_code} is not in the registry")
    if authority is not None and level is not None and not authority.may_confirm(level):
        problems.add(context, f"authority {authority.code} may not confirm {level.value}")
    if len(problems.items) > before:
        return None
    assert code and name and authority_code and series and level and start and until  # checked above
    assert isinstance(size, int)
    return Committee(code, name, authority_code, series, level, size, start, until)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a non-leap year
        return day.replace(year=day.year + years, day=28)
