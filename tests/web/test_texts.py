"""One catalogue of wording: every Chinese UI string and label has its English, on every page."""

from __future__ import annotations

import re
from pathlib import Path

from certsvc.texts import EN, EN_IN_CONTEXT, LABELS, label, translate

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((ROOT / "templates").rglob("*.html")),
    *sorted((ROOT / "certsvc").rglob("views*.py")),
    *sorted((ROOT / "certsvc").rglob("views/*.py")),
    ROOT / "certsvc" / "web" / "portal.py",
]
CALL = re.compile(r"""\bt\(\s*(["'])([^"']*[\u4e00-\u9fff][^"']*)\1""")


def test_every_ui_string_and_label_has_an_english_translation() -> None:
    """A t("…") call or a slug label without an English entry would show Chinese on English pages
    (public pages and portal alike)."""
    used = {match[1] for path in SOURCES for match in CALL.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 150
    missing = sorted(used - set(EN))
    assert missing == []
    for kind, slugs in LABELS.items():
        for slug, chinese in slugs.items():
            assert chinese in EN or chinese in EN_IN_CONTEXT.get(kind, {}), (kind, slug)


def test_translations_keep_their_placeholders() -> None:
    """`%(n)s`-style placeholders survive translation, or formatting would fail at run time."""
    for chinese, english in EN.items():
        assert sorted(re.findall(r"%\(\w+\)s", chinese)) == sorted(re.findall(r"%\(\w+\)s", english)), chinese


def test_a_context_gives_its_own_english_for_the_same_chinese() -> None:
    """A verdict headline is capitalised while the same word as a status label is not, and the
    Chinese side never changes."""
    assert (label("outcome", "suspended", "en"), label("status", "suspended", "en")) == (
        "Suspended",
        "suspended",
    )
    assert label("outcome", "suspended", "zh") == label("status", "suspended", "zh") == "暂停"
    assert translate("最多 %(n)s 项", "en", n=100) == "At most 100 items"
    assert label("step", None, "en") == ""
