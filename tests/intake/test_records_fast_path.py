"""parse_row's one-pass path for clean rows gives exactly what the field-by-field parser gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from certsvc.certificates.intake import records
from certsvc.certificates.intake.readers import RawRow
from certsvc.domain.record import FIELDS
from tests.intake.helpers import valid_row

# Field values near the edges of the rules: blanks, full-width forms, odd spacing, bad numbers and
# dates, name dot variants, lower-case x, and arbitrary text.
_TRICKY = st.sampled_from(
    [
        "",
        " ",
        "\u3000",
        "０７",
        "7",
        " 7 ",
        "1234567",
        "-3",
        "7.0",
        "２０２４-11-20",
        "2024年1月2日",
        "2024-11-20 00:00",
        "11/20/2024",
        "2024-02-30",
        "副高级",
        " 助理级 ",
        "初级",
        "阿卜杜·热合曼",
        "阿卜杜 • 热合曼",
        "a\u0301",
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "s50001",
        "ｓ５０００１",
    ]
)
_VALUE = st.one_of(_TRICKY, st.text(max_size=12))


@st.composite
def _rows(draw: st.DrawFn) -> dict[str, str]:
    """A valid row with some fields replaced, dropped, or padded."""
    row = valid_row()
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=5)):
        choice = draw(st.integers(0, 2))
        if choice == 0:
            row.pop(field, None)
        elif choice == 1:
            row[field] = draw(_VALUE)
        else:
            row[field] = f" {row.get(field, '')}\u3000"
    return row


@settings(max_examples=500, deadline=None)
@given(_rows(), st.booleans())
def test_clean_row_path_equals_field_by_field_parsing(fields: dict[str, str], with_shared: bool) -> None:
    """Whatever the row, parse_row's result (record or violations) and the strings it shares are
    those of the field-by-field parser, and the fast path never accepts a row that has a problem."""
    raw = RawRow(3, fields)
    fast_shared: dict[str, str] | None = {} if with_shared else None
    slow_shared: dict[str, str] | None = {} if with_shared else None
    fast = records._parse_clean_row(raw, fast_shared)
    slow = records._parse_reporting(raw, slow_shared)
    if fast is not None:
        assert fast == slow
        assert fast_shared == slow_shared
    assert records.parse_row(raw, shared=None) == slow
