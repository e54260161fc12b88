"""Font discovery: a usable CJK font or a clear FontNotFound, never tofu."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from certsvc.documents.fonts import CjkFont, find_cjk_font
from certsvc.documents.model import CertificateDocument
from certsvc.documents.pdf import page_pdf
from certsvc.documents.png import render_png
from certsvc.errors import FontNotFound, InvalidDocument
from tests.documents.support import VERSION_ONE

NOTO_CJK_CFF = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
LATIN_ONLY = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# U+30000, CJK Extension G (Unicode 13): beyond every installed font, fallbacks included.
RARE_CHARACTER = "\U00030000"
# 𠮷 (U+20BB7) and 𪚥 (U+2A6A5), Extension B: real in names, absent from WenQuanYi, drawn by the
# fallback chain (Debian fonts-hanazono).
EXTENSION_B_NAME = "\U00020bb7田\U0002a6a5"
HANAZONO = Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf")


def test_configured_font_path_that_does_not_exist_is_font_not_found(tmp_path: Path) -> None:
    """A misconfigured CERTSVC_CJK_FONT fails loudly, saying what to install, not falling back."""
    with pytest.raises(FontNotFound, match="fonts-wqy-microhei"):
        find_cjk_font(tmp_path / "missing.ttc")


def test_font_without_cjk_glyphs_is_refused() -> None:
    """A Latin-only font would print tofu boxes, so it is refused up front."""
    if not LATIN_ONLY.is_file():
        pytest.skip(f"{LATIN_ONLY} not installed")
    with pytest.raises(FontNotFound, match="lacks CJK characters"):
        find_cjk_font(LATIN_ONLY)


def test_cff_outline_font_is_refused_with_the_reason() -> None:
    """Noto CJK's CFF outlines cannot be embedded by the PDF renderer; the message says so."""
    if not NOTO_CJK_CFF.is_file():
        pytest.skip(f"{NOTO_CJK_CFF} not installed")
    with pytest.raises(FontNotFound, match="CFF"):
        find_cjk_font(f"{NOTO_CJK_CFF}#2")


def test_configured_face_of_a_collection_is_used(font: CjkFont) -> None:
    """``path#N`` selects face N of a .ttc collection."""
    chosen = find_cjk_font(f"{font.path}#1")
    assert (chosen.path, chosen.index) == (font.path, 1)


def test_default_search_finds_a_font_covering_the_labels(font: CjkFont) -> None:
    """Without configuration, a font that can print every label of the certificate is found."""
    assert font.missing_glyphs("职称电子证书评审委员会确认文号证书专用章") == ""


@pytest.mark.parametrize("render", [render_png, page_pdf])
def test_name_with_a_character_the_font_lacks_is_refused_not_printed_as_tofu(
    font: CjkFont, render: Callable[[CertificateDocument, CjkFont], bytes]
) -> None:
    """A holder name the font cannot draw stops rendering, naming the field but not the name."""
    document = replace(VERSION_ONE, holder_name=f"张{RARE_CHARACTER}")
    with pytest.raises(InvalidDocument, match="holder_name") as raised:
        render(document, font)
    assert RARE_CHARACTER not in raised.value.message


@pytest.mark.parametrize("render", [render_png, page_pdf])
def test_extension_b_name_renders_through_the_fallback_chain(
    font: CjkFont, render: Callable[[CertificateDocument, CjkFont], bytes]
) -> None:
    """A name with 𠮷 and 𪚥 renders (the main font lacks them; Hanazono draws them), and differs
    from the same page with those characters replaced, so they were really drawn."""
    if not HANAZONO.is_file():
        pytest.skip("fonts-hanazono not installed (scripts/setup installs it)")
    assert font.face_for("\U00020bb7") not in (None, font)  # a fallback face draws it
    assert font.can_draw(EXTENSION_B_NAME)
    rare = render(replace(VERSION_ONE, holder_name=EXTENSION_B_NAME), font)
    plain = render(replace(VERSION_ONE, holder_name="吉田龍"), font)
    assert rare != plain


def test_pdf_embeds_the_fallback_face_only_when_used(font: CjkFont) -> None:
    """The fallback font is embedded (subset) in a PDF that needs it, and not in others."""
    if not HANAZONO.is_file():
        pytest.skip("fonts-hanazono not installed (scripts/setup installs it)")
    assert b"HanaMin" in page_pdf(replace(VERSION_ONE, holder_name=EXTENSION_B_NAME), font)
    assert b"HanaMin" not in page_pdf(VERSION_ONE, font)
