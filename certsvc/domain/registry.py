"""The registry (DESIGN §2): provincial policies, authorities and their grants, committee
registrations (核准备案) and commissions (委托函), as pure, read-only values.

``load_registry`` accepts the JSON shape of DESIGN §2, of which ``testdata/registry.json`` is the
oldest form (authorities with ``levels``, committees with one ``authority``): that form keeps
loading and means the same as before where the regulations agree (an authority's ``levels`` are
a grant for every series, route 评审, without end; a committee's ``authority`` is its forming unit
and, unless ``registered_by`` says otherwise, the body it is registered with).

Every problem is reported at once, each as ``<file>: <JSON path> [<rule>]: <message>``, so a
clerk fixes the file in one pass. What is refused: malformed values, USCCs failing GB 32100,
unknown kinds, levels, routes and organisations, references to absent authorities or committees,
registrations longer than 3 years or reversed, overlapping registrations of one committee,
duplicate codes, committees whose size is even or below their province's minimum without an
approved adjustment (or with one the province's policy does not allow), and committees nobody may
confirm (no authority linked to them holds a grant for their level and series).

Jurisdiction is never derived from the kind of an authority: the regulations leave it to each
province, so grants say it (渝职改办〔2023〕270号 §一(二), 广西办法 第七、三十一条).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any, TypeGuard

from certsvc.domain.checkdigits import uscc_is_valid
from certsvc.domain.levels import AuthorityKind, Level, level_group
from certsvc.domain.record import REVIEW, ROUTES
from certsvc.domain.workdays import add_years
from certsvc.errors import InvalidRegistry

MAX_REGISTRATION_YEARS = 3
ORGANISATIONS = ("series", "specialty", "self-review")
ORGANISATION_ZH = MappingProxyType(
    {"series": "按系列组建", "specialty": "按专业组建", "self-review": "自主评审"}
)
LEVEL_GROUPS = ("高级", "中级", "初级")
_AUTHORITY_CODE = re.compile(r"[0-9A-Z]{6}")
_REGION = re.compile(r"[0-9]{6}")


@dataclass(frozen=True, slots=True)
class Grant:
    """What an authority may confirm: levels × series (None: every series) × routes × validity."""

    levels: frozenset[Level]
    series: frozenset[str] | None = None
    routes: frozenset[str] = frozenset({REVIEW})
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    def covers(self, level: Level, series: str, route: str, day: dt.date) -> bool:
        return (
            level in self.levels
            and (self.series is None or series in self.series)
            and route in self.routes
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or day <= self.valid_until)
        )

    def describe(self) -> str:
        """One line for people: levels · series · routes · validity."""
        levels = "、".join(level.value for level in Level if level in self.levels)
        series = "、".join(sorted(self.series)) if self.series is not None else "全部系列"
        routes = "、".join(route for route in ROUTES if route in self.routes)
        start = self.valid_from.isoformat() if self.valid_from else "…"
        until = self.valid_until.isoformat() if self.valid_until else "…"
        return f"{levels} · {series} · {routes} · {start} – {until}"


@dataclass(frozen=True, slots=True)
class Authority:
    code: str
    name: str
    uscc: str
    kind: AuthorityKind
    grants: tuple[Grant, ...]
    region: str | None = None

    @property
    def levels(self) -> frozenset[Level]:
        """Every level some grant covers (for display; jurisdiction asks ``may_confirm``)."""
        return frozenset(level for grant in self.grants for level in grant.levels)

    @property
    def province(self) -> str | None:
        """The province-level region code (two digits and four zeros), when the region is known."""
        return None if self.region is None else self.region[:2] + "0000"

    def may_confirm(self, level: Level, series: str, route: str, day: dt.date) -> bool:
        """Whether a grant covers ``level`` of ``series`` by ``route`` on ``day`` (rule 5)."""
        return any(grant.covers(level, series, route, day) for grant in self.grants)

    def may_ever_confirm(self, level: Level, series: str, route: str = REVIEW) -> bool:
        return any(
            level in g.levels and (g.series is None or series in g.series) and route in g.routes
            for g in self.grants
        )


@dataclass(frozen=True, slots=True)
class SizeAdjustment:
    """An approved adjustment of a committee's minimum size (广西办法 第十二条, 渝职改办〔2023〕270号 §三)."""

    minimum: int
    approved_by: str
    letter: str


@dataclass(frozen=True, slots=True)
class Committee:
    """One registration (核准备案) of a review committee.

    ``authority_code`` is the forming unit (组建单位), ``registered_by`` the body that registered
    it; ``confirms_own_results`` says the registering body authorised the forming unit to confirm
    its results itself (经授权自主确认).
    """

    code: str
    name: str
    authority_code: str
    series: str
    level: Level
    size: int
    registered_from: dt.date
    registered_until: dt.date
    registered_by: str = ""
    confirms_own_results: bool = False
    specialty: str | None = None
    organisation: str = "series"
    size_adjustment: SizeAdjustment | None = None

    def __post_init__(self) -> None:
        if not self.registered_by:
            object.__setattr__(self, "registered_by", self.authority_code)

    def registered_on(self, day: dt.date) -> bool:
        return self.registered_from <= day <= self.registered_until


@dataclass(frozen=True, slots=True)
class Commission:
    """A commission letter (委托函): ``authority_code`` commissioned ``committee_code`` to review."""

    authority_code: str
    committee_code: str
    levels: frozenset[Level]
    letter: str
    valid_from: dt.date
    valid_until: dt.date

    def covers(self, level: Level, day: dt.date) -> bool:
        return level in self.levels and self.valid_from <= day <= self.valid_until


@dataclass(frozen=True, slots=True)
class Policy:
    """A province's rules: minimum committee sizes and who supervises (监制) its certificates.

    ``committee_minimums`` keys are a level group (高级, 中级, 初级) or a level, optionally followed
    by ``/`` and an organisation (series, specialty, self-review); the most specific key wins.
    ``adjustable`` lists the level groups whose minimum may be adjusted by approval (None: all).
    """

    region: str
    name: str
    supervisor: str | None
    committee_minimums: Mapping[str, int]
    adjustable: frozenset[str] | None = None

    def minimum(self, level: Level, organisation: str) -> int | None:
        group = level_group(level)
        for key in (f"{level.value}/{organisation}", level.value, f"{group}/{organisation}", group):
            if key in self.committee_minimums:
                return self.committee_minimums[key]
        return None

    def allows_adjustment(self, level: Level) -> bool:
        return self.adjustable is None or level_group(level) in self.adjustable


_EMPTY: Mapping[Any, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Registry:
    """Everything keyed by code (read-only mappings, file order kept).

    ``committees`` holds the latest registration of each committee; ``registrations`` every
    registration, oldest first, so a result is judged by the registration in force at its meeting.
    """

    authorities: Mapping[str, Authority]
    committees: Mapping[str, Committee]
    policies: Mapping[str, Policy] = field(default_factory=lambda: _EMPTY)
    commissions: tuple[Commission, ...] = ()
    registrations: Mapping[str, tuple[Committee, ...]] = field(default_factory=lambda: _EMPTY, compare=False)
    # Per-registration answers of rule 6's size check: the same for every row of a committee.
    _size_verdicts: dict[int, tuple[str, str] | None] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )

    def size_problem(self, committee: Committee) -> tuple[str, str] | None:
        """``size_problem`` for a registration of this registry, computed once per registration."""
        key = id(committee)
        if key not in self._size_verdicts:
            self._size_verdicts[key] = size_problem(committee, self.policy_for(committee))
        return self._size_verdicts[key]

    def committee_on(self, code: str, day: dt.date) -> Committee | None:
        """The registration of committee ``code`` in force on ``day``, else its latest one."""
        for registration in self.registrations.get(code, ()):
            if registration.registered_on(day):
                return registration
        return self.committees.get(code)

    def policy_for(self, committee: Committee) -> Policy | None:
        """The policy of the province the committee is registered in."""
        body = self.authorities.get(committee.registered_by) or self.authorities.get(committee.authority_code)
        if body is None or body.province is None:
            return None
        return self.policies.get(body.province)

    def supervisor_for(self, authority_code: str) -> str | None:
        authority = self.authorities.get(authority_code)
        if authority is None or authority.province is None:
            return None
        policy = self.policies.get(authority.province)
        return None if policy is None else policy.supervisor

    def commission(
        self, authority_code: str, committee_code: str, level: Level, day: dt.date
    ) -> Commission | None:
        """The commission letter by which ``authority_code`` confirms this committee's result."""
        for commission in self.commissions:
            if (
                commission.authority_code == authority_code
                and commission.committee_code == committee_code
                and commission.covers(level, day)
            ):
                return commission
        return None

    def confirmation_link(
        self, authority_code: str, committee: Committee, level: Level, day: dt.date
    ) -> str | None:
        """Why ``authority_code`` may confirm this committee's results (rule 6), or None.

        ``registered`` (it registered the committee), ``own`` (the forming unit, authorised) or
        ``commission:<letter>`` (the commissioning unit, with a letter covering the level and day).
        """
        if authority_code == committee.registered_by:
            return "registered"
        if authority_code == committee.authority_code and committee.confirms_own_results:
            return "own"
        commission = self.commission(authority_code, committee.code, level, day)
        return None if commission is None else f"commission:{commission.letter}"

    def for_authority(self, code: str) -> tuple[list[Committee], list[Commission]]:
        """The committees an authority forms or registers and the commissions it gave or received."""
        committees = [
            registration
            for registrations in self.registrations.values()
            for registration in registrations
            if code in (registration.authority_code, registration.registered_by)
        ]
        mine = {c.code for c in committees}
        commissions = [c for c in self.commissions if c.authority_code == code or c.committee_code in mine]
        return committees, commissions


def size_problem(committee: Committee, policy: Policy | None) -> tuple[str, str] | None:
    """Why the committee's size breaks rule 6 (English, Chinese), or None.

    The size must be odd (广西办法 第十二条 "组成人员应当是单数") and at least the province's
    minimum for its level and organisation, or the approved adjusted minimum.
    """
    size = committee.size
    if size % 2 == 0:
        return (
            f"committee {committee.code} has {size} members, an even number; committees have an odd number",
            f"评委会 {committee.code} 组成人数为 {size}，评委会组成人员应当是单数",
        )
    adjustment = committee.size_adjustment
    if adjustment is not None:
        minimum: int | None = adjustment.minimum
        basis_en, basis_zh = (
            f"the approved minimum ({adjustment.letter})",
            f"经批准调整的人数（{adjustment.letter}）",
        )
    else:
        minimum = None if policy is None else policy.minimum(committee.level, committee.organisation)
        basis_en = f"{policy.name if policy else ''}'s minimum for {committee.level.value} ({committee.organisation})"
        basis_zh = f"{policy.name if policy else ''}{committee.level.value}评委会（{ORGANISATION_ZH[committee.organisation]}）的最低人数"
    if minimum is not None and size < minimum:
        return (
            f"committee {committee.code} has {size} members, fewer than {basis_en}, {minimum}",
            f"评委会 {committee.code} 组成人数 {size} 少于{basis_zh} {minimum} 人",
        )
    return None


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
    return _Builder(where).build(document)


def demo_registry() -> Registry:
    """The demo registry shipped with the package (``testdata/registry.json`` extended)."""
    data = resources.files("certsvc.domain").joinpath("demo_registry.json").read_bytes()
    return load_registry(data)


def make_registry(
    authorities: Iterable[Authority],
    registrations: Iterable[Committee],
    policies: Iterable[Policy] = (),
    commissions: Iterable[Commission] = (),
) -> Registry:
    """A registry from already-validated values (e.g. read back from the database)."""
    by_code: dict[str, list[Committee]] = {}
    for registration in registrations:
        by_code.setdefault(registration.code, []).append(registration)
    ordered = {code: tuple(sorted(items, key=lambda c: c.registered_from)) for code, items in by_code.items()}
    return Registry(
        authorities=MappingProxyType({a.code: a for a in authorities}),
        committees=MappingProxyType({code: items[-1] for code, items in ordered.items()}),
        policies=MappingProxyType({p.region: p for p in policies}),
        commissions=tuple(commissions),
        registrations=MappingProxyType(ordered),
    )


class _Builder:
    """Reads one registry document, collecting every problem with its JSON path and rule."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[str] = []
        self.known_codes: set[str] = set()

    def add(self, path: str, rule: str, message: str) -> None:
        self.problems.append(f"{self.where}: {path} [{rule}]: {message}")

    # --- the document ---------------------------------------------------------------------
    def build(self, document: Any) -> Registry:
        if not isinstance(document, dict):
            raise InvalidRegistry(
                [f"{self.where}: $ [shape]: top level must be an object with authorities and committees"]
            )
        policies: dict[str, Policy] = {}
        for i, item in enumerate(self.array(document, "policies", required=False)):
            policy = self.policy(item, f"$.policies[{i}]")
            if policy is not None:
                if policy.region in policies:
                    self.add(
                        f"$.policies[{i}].region", "duplicate", f"duplicate policy for region {policy.region}"
                    )
                policies[policy.region] = policy
        authorities: dict[str, Authority] = {}
        raw_authorities = self.array(document, "authorities")
        # Codes of every listed authority, even one with problems of its own, so references to it
        # are not reported a second time as references to a missing authority.
        self.known_codes = {
            item["code"].strip()
            for item in raw_authorities
            if isinstance(item, dict) and isinstance(item.get("code"), str)
        }
        for i, item in enumerate(raw_authorities):
            authority = self.authority(item, f"$.authorities[{i}]")
            if authority is None:
                continue
            if authority.code in authorities:
                self.add(
                    f"$.authorities[{i}].code", "duplicate", f"duplicate authority code {authority.code}"
                )
            authorities[authority.code] = authority
        registrations: list[tuple[str, Committee]] = []
        for i, item in enumerate(self.array(document, "committees")):
            committee = self.committee(item, f"$.committees[{i}]", authorities)
            if committee is not None:
                registrations.append((f"$.committees[{i}]", committee))
        commissions: list[tuple[str, Commission]] = []
        codes = {c.code: c for _, c in registrations}
        for i, item in enumerate(self.array(document, "commissions", required=False)):
            commission = self.commission(item, f"$.commissions[{i}]", authorities, codes)
            if commission is not None:
                commissions.append((f"$.commissions[{i}]", commission))
        self.check_registrations(registrations)
        registry = make_registry(
            authorities.values(),
            (c for _, c in registrations),
            policies.values(),
            (c for _, c in commissions),
        )
        for path, committee in registrations:
            self.check_committee(path, committee, registry)
        if self.problems:
            raise InvalidRegistry(self.problems)
        return registry

    def array(self, document: dict[str, Any], key: str, *, required: bool = True) -> list[Any]:
        value = document.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.add(f"$.{key}", "shape", "must be an array")
            return []
        return value

    # --- values ---------------------------------------------------------------------------
    def is_object(self, item: Any, path: str) -> TypeGuard[dict[str, Any]]:
        """Whether ``item`` is a JSON object; when it is not, that is recorded as a problem."""
        if isinstance(item, dict):
            return True
        self.add(path, "shape", "must be an object")
        return False

    def text(self, item: dict[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
        value = item.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(f"{path}.{key}", "shape", f"{key} must be a non-empty string")
            return None
        return value.strip()

    def level(self, value: Any, path: str) -> Level | None:
        level = Level.parse(value) if isinstance(value, str) else None
        if level is None:
            known = ", ".join(x.value for x in Level)
            self.add(path, "level", f"unknown level {value!r} (known: {known})")
        return level

    def levels(self, item: dict[str, Any], key: str, path: str) -> frozenset[Level] | None:
        raw = item.get(key)
        if not isinstance(raw, list) or not raw:
            self.add(f"{path}.{key}", "shape", f"{key} must be a non-empty array of levels")
            return None
        levels = [self.level(v, f"{path}.{key}[{j}]") for j, v in enumerate(raw)]
        if None in levels:
            return None
        if len(set(levels)) != len(levels):
            self.add(f"{path}.{key}", "duplicate", f"{key} lists a level twice")
        return frozenset(level for level in levels if level is not None)

    def date(self, item: dict[str, Any], key: str, path: str, *, required: bool = True) -> dt.date | None:
        value = item.get(key)
        if value is None and not required:
            return None
        try:
            if isinstance(value, str):
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
        self.add(f"{path}.{key}", "date", f"{key} must be a date YYYY-MM-DD, got {value!r}")
        return None

    def window(
        self, path: str, start: dt.date | None, until: dt.date | None, start_key: str, until_key: str
    ) -> bool:
        if start is not None and until is not None and until < start:
            self.add(f"{path}.{until_key}", "date", f"{until_key} {until} is before {start_key} {start}")
            return False
        return True

    # --- policies ---------------------------------------------------------------------------
    def policy(self, item: Any, path: str) -> Policy | None:
        if not self.is_object(item, path):
            return None
        before = len(self.problems)
        region = self.text(item, "region", path)
        if region is not None and not (_REGION.fullmatch(region) and region.endswith("0000")):
            self.add(
                f"{path}.region", "code", f"region {region} must be a province code (6 digits ending 0000)"
            )
        name = self.text(item, "name", path)
        supervisor = self.text(item, "supervisor", path, required=False)
        minimums: dict[str, int] = {}
        raw = item.get("committee_minimums", {})
        if not isinstance(raw, dict):
            self.add(f"{path}.committee_minimums", "shape", "must be an object of key: size")
            raw = {}
        for key, value in raw.items():
            where = f"{path}.committee_minimums[{json.dumps(key, ensure_ascii=False)}]"
            head, _, organisation = str(key).partition("/")
            if (head not in LEVEL_GROUPS and Level.parse(head) is None) or (
                organisation and organisation not in ORGANISATIONS
            ):
                self.add(
                    where,
                    "policy",
                    f"key {key!r} must be a level group ({', '.join(LEVEL_GROUPS)}) or a level, "
                    f"optionally /{'|/'.join(ORGANISATIONS)}",
                )
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                self.add(where, "policy", f"minimum must be a positive integer, got {value!r}")
            else:
                minimums[str(key)] = value
        adjustable: frozenset[str] | None = None
        if "adjustable" in item and item["adjustable"] is not None:
            raw_adjustable = item["adjustable"]
            if not isinstance(raw_adjustable, list) or any(g not in LEVEL_GROUPS for g in raw_adjustable):
                self.add(
                    f"{path}.adjustable",
                    "policy",
                    f"adjustable must list level groups of {', '.join(LEVEL_GROUPS)}",
                )
            else:
                adjustable = frozenset(raw_adjustable)
        if len(self.problems) > before or region is None or name is None:
            return None
        return Policy(region, name, supervisor, MappingProxyType(minimums), adjustable)

    # --- authorities and grants -------------------------------------------------------------
    def authority(self, item: Any, path: str) -> Authority | None:
        if not self.is_object(item, path):
            return None
        before = len(self.problems)
        code = self.text(item, "code", path)
        name = self.text(item, "name", path)
        uscc = self.text(item, "uscc", path)
        if code is not None and not _AUTHORITY_CODE.fullmatch(code):
            self.add(
                f"{path}.code",
                "code",
                f"code {code} must be 6 characters 0-9A-Z (it is part of certificate numbers)",
            )
        if uscc is not None and not uscc_is_valid(uscc):
            self.add(f"{path}.uscc", "uscc", f"USCC {uscc} of {code} fails the GB 32100 check")
        raw_kind = item.get("kind")
        kind = AuthorityKind.parse(raw_kind) if isinstance(raw_kind, str) else None
        if kind is None:
            known = ", ".join(k.value for k in AuthorityKind)
            self.add(f"{path}.kind", "shape", f"unknown kind {raw_kind!r} (known: {known})")
        region = self.text(item, "region", path, required=False)
        if region is not None and not _REGION.fullmatch(region):
            self.add(
                f"{path}.region", "code", f"region {region} must be a 6-digit administrative division code"
            )
        if region is None and code is not None and _REGION.fullmatch(code):
            region = code  # the old shape: an HR department's code is its division code
        grants: list[Grant] = []
        if "levels" in item:
            levels = self.levels(item, "levels", path)
            if levels is not None:
                grants.append(Grant(levels))  # the old shape: every series, by review, without end
        raw_grants = item.get("grants")
        if raw_grants is not None:
            if not isinstance(raw_grants, list):
                self.add(f"{path}.grants", "shape", "grants must be an array")
            else:
                for j, raw in enumerate(raw_grants):
                    grant = self.grant(raw, f"{path}.grants[{j}]")
                    if grant is not None:
                        grants.append(grant)
        if "levels" not in item and not raw_grants:
            self.add(path, "shape", f"authority {code} needs levels or grants")
        if len(self.problems) > before or code is None or name is None or uscc is None or kind is None:
            return None
        return Authority(code=code, name=name, uscc=uscc, kind=kind, grants=tuple(grants), region=region)

    def grant(self, item: Any, path: str) -> Grant | None:
        if not self.is_object(item, path):
            return None
        before = len(self.problems)
        levels = self.levels(item, "levels", path)
        series: frozenset[str] | None = None
        raw_series = item.get("series")
        if raw_series is not None:
            if (
                not isinstance(raw_series, list)
                or not raw_series
                or not all(isinstance(s, str) and s.strip() for s in raw_series)
            ):
                self.add(
                    f"{path}.series",
                    "shape",
                    "series must be a non-empty array of names (omit it for every series)",
                )
            else:
                series = frozenset(s.strip() for s in raw_series)
        routes = frozenset({REVIEW})
        raw_routes = item.get("routes")
        if raw_routes is not None:
            if not isinstance(raw_routes, list) or not raw_routes:
                self.add(
                    f"{path}.routes", "shape", f"routes must be a non-empty array of {', '.join(ROUTES)}"
                )
            else:
                unknown = [r for r in raw_routes if r not in ROUTES]
                if unknown:
                    self.add(
                        f"{path}.routes",
                        "route",
                        f"unknown route(s) {unknown!r} (known: {', '.join(ROUTES)})",
                    )
                routes = frozenset(r for r in raw_routes if r in ROUTES)
        start = self.date(item, "from", path, required=False)
        until = self.date(item, "until", path, required=False)
        self.window(path, start, until, "from", "until")
        if len(self.problems) > before or levels is None:
            return None
        return Grant(levels, series, routes, start, until)

    # --- committees -------------------------------------------------------------------------
    def committee(self, item: Any, path: str, authorities: Mapping[str, Authority]) -> Committee | None:
        if not self.is_object(item, path):
            return None
        before = len(self.problems)
        code = self.text(item, "code", path)
        name = self.text(item, "name", path)
        forming = self.text(item, "authority", path)
        registered_by = self.text(item, "registered_by", path, required=False) or forming
        series = self.text(item, "series", path)
        specialty = self.text(item, "specialty", path, required=False)
        organisation = item.get("organisation") or "series"
        if organisation not in ORGANISATIONS:
            self.add(
                f"{path}.organisation",
                "shape",
                f"organisation {organisation!r} must be one of {', '.join(ORGANISATIONS)}",
            )
        elif organisation == "specialty" and specialty is None:
            self.add(
                f"{path}.specialty", "shape", f"committee {code} is organised by specialty but names none"
            )
        own = item.get("confirms_own_results", False)
        if not isinstance(own, bool):
            self.add(f"{path}.confirms_own_results", "shape", "confirms_own_results must be true or false")
        level = self.level(item.get("level"), f"{path}.level")
        size = item.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            self.add(f"{path}.size", "shape", f"size must be a positive integer, got {size!r}")
        adjustment = self.adjustment(item.get("size_adjustment"), f"{path}.size_adjustment", authorities)
        start = self.date(item, "registered_from", path)
        until = self.date(item, "registered_until", path)
        if (
            start is not None
            and until is not None
            and self.window(path, start, until, "registered_from", "registered_until")
        ) and until >= add_years(start, MAX_REGISTRATION_YEARS):
            self.add(
                f"{path}.registered_until",
                "registration",
                f"registration {start}..{until} of {code} is longer than {MAX_REGISTRATION_YEARS} years",
            )
        for key, value in (("authority", forming), ("registered_by", registered_by)):
            if key == "registered_by" and value == forming:
                continue
            if value is not None and value not in self.known_codes:
                self.add(f"{path}.{key}", "reference", f"authority {value} is not in the registry")
        if len(self.problems) > before:
            return None
        assert code and name and forming and registered_by and series and level and start and until
        assert isinstance(size, int) and isinstance(own, bool)
        return Committee(
            code=code,
            name=name,
            authority_code=forming,
            series=series,
            level=level,
            size=size,
            registered_from=start,
            registered_until=until,
            registered_by=registered_by,
            confirms_own_results=own,
            specialty=specialty,
            organisation=str(organisation),
            size_adjustment=adjustment,
        )

    def adjustment(self, item: Any, path: str, authorities: Mapping[str, Authority]) -> SizeAdjustment | None:
        if item is None:
            return None
        if not isinstance(item, dict):
            self.add(
                path, "shape", "size_adjustment must be null or an object with minimum, approved_by, letter"
            )
            return None
        minimum = item.get("minimum")
        if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
            self.add(f"{path}.minimum", "shape", f"minimum must be a positive integer, got {minimum!r}")
            minimum = None
        approved_by = self.text(item, "approved_by", path)
        letter = self.text(item, "letter", path)
        if approved_by is not None and approved_by not in self.known_codes:
            self.add(f"{path}.approved_by", "reference", f"authority {approved_by} is not in the registry")
        if minimum is None or approved_by is None or letter is None:
            return None
        return SizeAdjustment(minimum, approved_by, letter)

    def check_registrations(self, registrations: list[tuple[str, Committee]]) -> None:
        """One code may be registered again (a renewal), never twice for overlapping windows."""
        seen: dict[str, list[Committee]] = {}
        for path, committee in registrations:
            for other in seen.get(committee.code, []):
                if (
                    committee.registered_from <= other.registered_until
                    and other.registered_from <= committee.registered_until
                ):
                    self.add(
                        f"{path}.code",
                        "duplicate",
                        f"duplicate committee code {committee.code}: its registrations overlap",
                    )
            seen.setdefault(committee.code, []).append(committee)

    def check_committee(self, path: str, committee: Committee, registry: Registry) -> None:
        policy = registry.policy_for(committee)
        problem = size_problem(committee, policy)
        if problem is not None:
            self.add(f"{path}.size", "committee-size", problem[0])
        adjustment = committee.size_adjustment
        if adjustment is not None and policy is not None and not policy.allows_adjustment(committee.level):
            self.add(
                f"{path}.size_adjustment",
                "committee-size",
                f"{policy.name} allows no adjustment of {level_group(committee.level)} committee sizes",
            )
        confirmers = {committee.registered_by}
        if committee.confirms_own_results:
            confirmers.add(committee.authority_code)
        confirmers |= {c.authority_code for c in registry.commissions if c.committee_code == committee.code}
        if any(code not in registry.authorities for code in confirmers):
            return  # an authority with problems of its own: its grants are unknown, already reported
        able = [
            code
            for code in confirmers
            if code in registry.authorities
            and registry.authorities[code].may_ever_confirm(committee.level, committee.series)
        ]
        if not able:
            self.add(
                f"{path}.level",
                "jurisdiction",
                f"nobody may confirm the results of committee {committee.code}: authority "
                f"{committee.registered_by} may not confirm {committee.level.value} {committee.series} "
                "by review (no grant), nor any unit linked to the committee",
            )

    # --- commissions ------------------------------------------------------------------------
    def commission(
        self, item: Any, path: str, authorities: Mapping[str, Authority], committees: Mapping[str, Committee]
    ) -> Commission | None:
        if not self.is_object(item, path):
            return None
        before = len(self.problems)
        authority = self.text(item, "authority", path)
        committee_code = self.text(item, "committee", path)
        letter = self.text(item, "letter", path)
        levels = self.levels(item, "levels", path)
        start = self.date(item, "from", path)
        until = self.date(item, "until", path)
        self.window(path, start, until, "from", "until")
        if authority is not None and authority not in self.known_codes:
            self.add(f"{path}.authority", "reference", f"authority {authority} is not in the registry")
        committee = committees.get(committee_code) if committee_code is not None else None
        if committee_code is not None and committee is None:
            self.add(f"{path}.committee", "reference", f"committee {committee_code} is not in the registry")
        if committee is not None and levels is not None and committee.level not in levels:
            self.add(
                f"{path}.levels",
                "reference",
                f"committee {committee.code} reviews {committee.level.value}, which the letter {letter} does not cover",
            )
        if len(self.problems) > before:
            return None
        assert authority and committee_code and letter and levels and start and until
        return Commission(authority, committee_code, levels, letter, start, until)
