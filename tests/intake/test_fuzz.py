"""Property tests: hostile input never escapes as anything but the documented errors."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from certsvc.certificates.intake.readers import RawRow, read_rows
from certsvc.domain.record import FIELDS
from certsvc.domain.registry import demo_registry
from certsvc.domain.rules import check_raw_fields
from certsvc.errors import UnreadableFile
from tests.intake.helpers import csv_bytes, sample_table, valid_row, validate, xlsx_bytes

REGISTRY = demo_registry()
HEADER = ",".join(FIELDS).encode() + b"\n"
XLSX = xlsx_bytes([list(FIELDS), list(valid_row().values())])
CSV = csv_bytes(sample_table()[:3])

prefixes = st.sampled_from([b"", b"PK\x03\x04", b"[", b'{"results": [', b"\xef\xbb\xbf", HEADER, XLSX[:200]])


def _drain(data: bytes, filename: str) -> None:
    try:
        for _ in read_rows(data, filename):
            pass
    except UnreadableFile:
        pass


@settings(max_examples=300, deadline=None)
@given(prefixes, st.binary(max_size=2000), st.sampled_from(["x.csv", "x.xlsx", "x.json", "x"]))
def test_readers_raise_only_unreadable_file(prefix: bytes, body: bytes, filename: str) -> None:
    """Arbitrary bytes (also behind zip, JSON or header prefixes) either read or raise UnreadableFile."""
    _drain(prefix + body, filename)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_damaged_real_files_raise_only_unreadable_file(data: st.DataObject) -> None:
    """A real .xlsx or CSV with bytes flipped, cut or inserted reads or raises UnreadableFile."""
    original = bytearray(data.draw(st.sampled_from([XLSX, CSV])))
    for _ in range(data.draw(st.integers(1, 5))):
        i = data.draw(st.integers(0, len(original) - 1))
        original[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(original)))
    _drain(bytes(original[:cut]), data.draw(st.sampled_from(["x.xlsx", "x.csv"])))


near_valid = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["", " ", "0", "9" * 30, "2024-02-30", "2003-01-01", "2099-12-31", "正高级", "初级", "-1"]
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), near_valid))
def test_validate_never_crashes_on_arbitrary_fields(changes: dict[str, str]) -> None:
    """Any field strings, mixed into a valid row, produce violations or a record, never an exception."""
    fields = valid_row() | changes
    report, _ = validate([RawRow(2, fields), RawRow(3, fields)], REGISTRY, dt.date(2026, 11, 21))
    assert report.rows == 2
    assert all(v.rule for v in report.violations)


@given(st.text(max_size=20))
def test_formula_check_matches_its_definition(value: str) -> None:
    """A cell is flagged exactly when it starts with tab/CR, starts with = + - @ after whitespace,
    or contains a control character."""
    expected = (
        value[:1] in ("\t", "\r")
        or value.lstrip()[:1] in ("=", "+", "-", "@")
        or any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value)
    )
    assert bool(check_raw_fields(2, {"employer": value, "name": "张三"})) == expected
