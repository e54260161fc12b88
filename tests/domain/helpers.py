"""Builders for valid records and small registries, shared by the domain and intake tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from importlib import resources
from typing import Any

from certsvc.domain.levels import Level
from certsvc.domain.record import ResultRecord
from certsvc.domain.registry import Registry, demo_registry, load_registry

TODAY = dt.date(2026, 11, 21)

# Row 2 of sample-500000.csv: a valid 正高级 result confirmed by Chongqing (committee of 25).
VALID = ResultRecord(
    row=2,
    confirmation_doc_no="测职改〔2024〕500号",
    confirmation_date=dt.date(2024, 11, 20),
    authority_code="500000",
    committee_code="500000-GC-正高级",
    committee_name="重庆市人力资源和社会保障局工程技术正高级评审委员会",
    committee_size=25,
    meeting_date=dt.date(2024, 10, 25),
    publicity_start=dt.date(2024, 11, 4),
    publicity_end=dt.date(2024, 11, 8),
    series="工程技术",
    specialty="数字技术",
    name="尹玲梅",
    id_number="500101196911053478",
    employer="广西北部湾智造有限公司",
    title="正高级工程师",
    level=Level.ZHENG_GAO,
    attendees=24,
    votes_for=24,
)


def record(**changes: Any) -> ResultRecord:
    return dataclasses.replace(VALID, **changes)


def demo_document() -> dict[str, Any]:
    """A fresh, mutable copy of the demo registry JSON."""
    text = resources.files("certsvc.domain").joinpath("demo_registry.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def registry_with_committee(**committee: Any) -> Registry:
    """The demo registry plus one committee of authority 500000 (fields overridable)."""
    document = demo_document()
    entry = {
        "code": "500000-GC-TEST",
        "name": "测试评审委员会",
        "authority": "500000",
        "series": "工程技术",
        "level": "正高级",
        "size": 9,
        "registered_from": "2023-01-01",
        "registered_until": "2025-12-31",
    }
    entry.update(committee)
    document["committees"].append(entry)
    return load_registry(json.dumps(document, ensure_ascii=False).encode())


DEMO = demo_registry()
