"""The portal's English interface covers every Chinese UI string."""

from __future__ import annotations

import re
from pathlib import Path

from certsvc.web.portal_text import EN, LABELS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((ROOT / "templates").glob("auth/*.html")),
    *sorted((ROOT / "templates").glob("holder/*.html")),
    *sorted((ROOT / "templates").glob("issuer/*.html")),
    ROOT / "certsvc" / "accounts" / "views.py",
    ROOT / "certsvc" / "certificates" / "views" / "holder.py",
    ROOT / "certsvc" / "certificates" / "views" / "console.py",
    ROOT / "certsvc" / "certificates" / "views" / "integrity.py",
    ROOT / "certsvc" / "registry" / "views.py",
    ROOT / "certsvc" / "web" / "portal.py",
]
CALL = re.compile(r"""\bt\(\s*(["'])([^"']*[\u4e00-\u9fff][^"']*)\1""")


def test_every_ui_string_and_label_has_an_english_translation() -> None:
    """A t("…") call or a slug label without an English entry would show Chinese on English pages."""
    used = {match[1] for path in SOURCES for match in CALL.findall(path.read_text(encoding="utf-8"))}
    labels = {text for group in LABELS.values() for text in group.values()}
    assert len(used) > 100
    missing = sorted((used | labels) - set(EN))
    assert missing == []


def test_translations_keep_their_placeholders() -> None:
    """`%(n)s`-style placeholders survive translation, or formatting would fail at run time."""
    for chinese, english in EN.items():
        assert sorted(re.findall(r"%\(\w+\)s", chinese)) == sorted(re.findall(r"%\(\w+\)s", english)), chinese
