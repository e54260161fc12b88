"""Layout rules shared by PNG and PDF: long values fit their boxes, and nothing is cut off."""

from __future__ import annotations

from dataclasses import replace

import pytest

from certsvc.documents.fonts import CjkFont
from certsvc.documents.layout import PAGE_WIDTH, Text, build_page
from certsvc.documents.seal import seal_geometry
from certsvc.errors import InvalidDocument
from tests.documents.support import VERSION_ONE, VERSION_TWO

LONG_EMPLOYER = (
    "中国科学院深圳先进技术研究院医药所生物医学与健康工程研究中心分子影像与智能诊疗联合实验室第一研究组"
)


def _texts(page_items: tuple[object, ...]) -> list[Text]:
    return [item for item in page_items if isinstance(item, Text)]


def test_every_text_stays_inside_the_inner_border(font: CjkFont) -> None:
    """No field runs past the page's decorative border, even with long values."""
    document = replace(VERSION_TWO, employer=LONG_EMPLOYER[:30], committee_name=LONG_EMPLOYER[:28])
    for text in _texts(build_page(document, font).items):
        assert text.x >= 14.0
        assert text.x + font.text_width(text.text, text.size) <= PAGE_WIDTH - 14.0, text.text


def test_long_value_is_wrapped_onto_two_lines_not_truncated(font: CjkFont) -> None:
    """A very long employer name is printed in full, over two lines."""
    page = build_page(replace(VERSION_ONE, employer=LONG_EMPLOYER), font)
    printed = [t for t in _texts(page.items) if len(t.text) > 1 and t.text in LONG_EMPLOYER]
    assert len(printed) == 2
    assert printed[0].text + printed[1].text == LONG_EMPLOYER


def test_value_too_long_for_two_lines_is_refused(font: CjkFont) -> None:
    """A value that cannot be printed in full is an error, never silently cut."""
    with pytest.raises(InvalidDocument, match="employer"):
        build_page(replace(VERSION_ONE, employer=LONG_EMPLOYER * 2), font)


@pytest.mark.parametrize(
    "name", ["人社局", "北京市人力资源和社会保障局", "新疆维吾尔自治区人力资源和社会保障厅职称办"]
)
def test_seal_characters_stay_inside_the_ring(name: str) -> None:
    """Authority names of any usual length fit inside the seal's ring without crossing it."""
    geometry = seal_geometry(name)
    inner_edge = geometry.ring_radius - geometry.ring_width / 2
    for glyph in geometry.glyphs:
        # Farthest point of the glyph's (condensed) em box from the centre.
        half_diagonal = ((glyph.size * glyph.x_scale) ** 2 + glyph.size**2) ** 0.5 / 2
        assert (glyph.x**2 + glyph.y**2) ** 0.5 + half_diagonal <= inner_edge + 0.05, glyph.char
