"""Loading and validating the registry of authorities and committees."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import certsvc.domain
from certsvc.domain.levels import AuthorityKind, Level
from certsvc.domain.registry import demo_registry, load_registry
from certsvc.errors import ConfigurationError, InvalidRegistry
from tests.conftest import SHARED_TESTDATA
from tests.domain.helpers import demo_document

PACKAGED_REGISTRY = Path(certsvc.domain.__file__).parent / "demo_registry.json"
REGISTRY_FILES = [PACKAGED_REGISTRY] + [
    path for path in [SHARED_TESTDATA / "registry.json"] if path.is_file()
]


def _load(document: dict[str, Any]) -> None:
    load_registry(json.dumps(document, ensure_ascii=False).encode())


def test_demo_registry_is_typed() -> None:
    """The packaged demo registry loads with typed kinds, levels and dates."""
    registry = demo_registry()
    county = registry.authorities["421221"]
    assert county.kind is AuthorityKind.COUNTY and county.levels == {Level.ZHU_LI, Level.YUAN}
    committee = registry.committees["500000-GC-正高级"]
    assert committee.size == 25 and committee.level is Level.ZHENG_GAO
    assert committee.registered_until == dt.date(2025, 12, 31)


@pytest.mark.parametrize("path", REGISTRY_FILES, ids=lambda path: path.parent.name)
def test_loading_from_a_path_matches_the_packaged_copy(path: Path) -> None:
    """A path (as Path or text) loads the same registry as its bytes and as the packaged demo
    registry (the packaged file, and the shared test data's copy when it is checked out)."""
    assert load_registry(path) == demo_registry()
    assert load_registry(str(path)) == load_registry(path.read_bytes())


def _problems(document: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidRegistry) as caught:
        _load(document)
    assert isinstance(caught.value, ConfigurationError)
    return caught.value.problems


def test_bad_uscc_is_refused() -> None:
    """An authority whose USCC fails GB 32100 is refused, naming it."""
    doc = demo_document()
    doc["authorities"][0]["uscc"] = "11500000729436482A"
    assert any("11500000729436482A" in p and "GB 32100" in p for p in _problems(doc))


def test_unknown_kind_and_level_are_refused() -> None:
    """Kinds and levels outside the known sets are refused."""
    doc = demo_document()
    doc["authorities"][0]["kind"] = "ministry"
    doc["authorities"][1]["levels"] = ["高级"]
    problems = _problems(doc)
    assert any("ministry" in p for p in problems) and any("'高级'" in p for p in problems)


def test_tier_may_not_be_granted_levels_above_it() -> None:
    """A county granted 正高级 is inconsistent with rule 5 and refused."""
    doc = demo_document()
    doc["authorities"][3]["levels"] = ["正高级", "助理级"]
    assert any("county authority may not confirm 正高级" in p for p in _problems(doc))


@pytest.mark.parametrize(
    ("start", "until", "ok"),
    [
        ("2023-01-01", "2025-12-31", True),
        ("2023-01-01", "2026-01-01", False),
        ("2024-02-29", "2027-02-27", True),
        ("2024-03-01", "2024-02-28", False),
    ],
)
def test_registration_window_is_at_most_three_years(start: str, until: str, ok: bool) -> None:
    """A registration is valid at most 3 years (inclusive end), and never reversed."""
    doc = demo_document()
    doc["committees"][0].update(registered_from=start, registered_until=until)
    if ok:
        _load(doc)
    else:
        assert any("registered" in p or "years" in p for p in _problems(doc))


def test_committee_of_unknown_authority_and_duplicates_are_refused() -> None:
    """Every problem is listed at once: unknown authority, duplicate codes."""
    doc = demo_document()
    doc["committees"][0]["authority"] = "999999"
    doc["committees"].append(dict(doc["committees"][1]))
    doc["authorities"].append(dict(doc["authorities"][1]))
    problems = _problems(doc)
    assert any("999999 is not in the registry" in p for p in problems)
    assert any("duplicate committee code" in p for p in problems)
    assert any("duplicate authority code" in p for p in problems)


def test_committee_for_a_level_its_authority_cannot_confirm_is_refused() -> None:
    """A city committee registered for 正高级 could never have its results confirmed."""
    doc = demo_document()
    doc["committees"][4]["level"] = "正高级"
    assert any("421200 may not confirm 正高级" in p for p in _problems(doc))


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'{"authorities": {}}', b"\xff\xfe"])
def test_malformed_documents_are_refused(raw: bytes) -> None:
    """Not JSON, wrong shape, or wrong encoding: InvalidRegistry, never a crash."""
    with pytest.raises(InvalidRegistry):
        load_registry(raw)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    """A path that does not exist gives InvalidRegistry naming the path."""
    with pytest.raises(InvalidRegistry) as caught:
        load_registry(tmp_path / "nope.json")
    assert "nope.json" in str(caught.value)
