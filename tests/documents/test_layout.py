"""Layout rules shared by PNG and PDF: long values fit their boxes, and nothing is cut off."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from certsvc.documents.fonts import CjkFont
from certsvc.documents.layout import PAGE_WIDTH, ROW_PITCH, Seal, Text, Watermark, build_page
from certsvc.documents.seal import SealGlyph, seal_geometry
from certsvc.errors import InvalidDocument
from tests.documents.support import LONG_AUTHORITY, VERSION_ONE, VERSION_TWO

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


def _glyph_corners(glyph: SealGlyph) -> list[tuple[float, float]]:
    """The four corners of a seal glyph's (condensed, rotated) em box, in seal units."""
    half_w, half_h = glyph.size * glyph.x_scale / 2, glyph.size / 2
    turn = math.radians(glyph.angle)
    cos, sin = math.cos(turn), math.sin(turn)
    return [
        (glyph.x + dx * cos - dy * sin, glyph.y + dx * sin + dy * cos)
        for dx, dy in ((-half_w, -half_h), (half_w, -half_h), (half_w, half_h), (-half_w, half_h))
    ]


def _boxes_overlap(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> bool:
    """Separating-axis test for two convex quadrilaterals."""
    for polygon in (a, b):
        for i in range(4):
            (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % 4]
            axis = (y1 - y2, x2 - x1)
            pa = [axis[0] * x + axis[1] * y for x, y in a]
            pb = [axis[0] * x + axis[1] * y for x, y in b]
            if max(pa) <= min(pb) or max(pb) <= min(pa):
                return False
    return True


@pytest.mark.parametrize(
    "name",
    [
        "人社局",
        "北京市人力资源和社会保障局",
        LONG_AUTHORITY,
        "新疆维吾尔自治区人力资源和社会保障厅职称办",
        "内蒙古自治区人力资源和社会保障厅专业技术人员管理处职称评审办公室",
    ],
)
def test_no_two_seal_characters_overlap_for_any_name_length(name: str) -> None:
    """Seal characters never touch one another, the star or the bottom line, however long the
    authority's name (long names are spread further and condensed, as engravers do)."""
    glyphs = seal_geometry(name).glyphs
    boxes = [_glyph_corners(glyph) for glyph in glyphs]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not _boxes_overlap(boxes[i], boxes[j]), (glyphs[i].char, glyphs[j].char)
    star = seal_geometry(name).star
    star_box = [
        (min(x for x, _ in star), min(y for _, y in star)),
        (max(x for x, _ in star), min(y for _, y in star)),
        (max(x for x, _ in star), max(y for _, y in star)),
        (min(x for x, _ in star), max(y for _, y in star)),
    ]
    assert not any(_boxes_overlap(box, star_box) for box in boxes)
    # 0.16 of the 20.5 mm radius: characters at least 3.3 mm tall even for a 31-character name.
    assert min(glyph.size for glyph in glyphs) >= 0.16, "characters stay legible"


def _text_box(font: CjkFont, text: Text) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in mm: ideographs rise about 0.88 em above the baseline."""
    return (
        text.x,
        text.y - 0.88 * text.size,
        text.x + font.text_width(text.text, text.size),
        text.y + 0.12 * text.size,
    )


@pytest.mark.parametrize("authority", ["北京市人力资源和社会保障局", LONG_AUTHORITY])
def test_seal_overlaps_no_printed_text_including_the_date(font: CjkFont, authority: str) -> None:
    """The seal's disc touches no line of text: not the authority's name, not the issue date."""
    page = build_page(replace(VERSION_TWO, authority_name=authority, seal_text=authority), font)
    [seal] = [item for item in page.items if isinstance(item, Seal)]
    for text in _texts(page.items):
        left, top, right, bottom = _text_box(font, text)
        nearest_x = min(max(seal.cx, left), right)
        nearest_y = min(max(seal.cy, top), bottom)
        assert math.hypot(nearest_x - seal.cx, nearest_y - seal.cy) > seal.radius, text.text


def test_labels_align_in_columns_with_full_width_colons(font: CjkFont) -> None:
    """Two-character labels are spread to the width of four-character ones (姓　　名 over 出生日期),
    and every label ends in a full-width colon set apart from its value."""
    texts = _texts(build_page(VERSION_ONE, font).items)
    first = {t.text: t for t in texts if t.y in (80.0, 80.0 + ROW_PITCH)}
    assert first["姓"].x == pytest.approx(first["出"].x)
    colons = [t for t in texts if t.text == "："]
    assert len(colons) >= 14
    assert ":" not in "".join(t.text for t in texts if t.size == 4.2)
    holder = next(t for t in texts if t.text == VERSION_ONE.holder_name)
    colon = next(t for t in colons if t.y == holder.y and t.x < holder.x)
    assert colon.x + font.text_width("：", colon.size) == pytest.approx(holder.x)


def test_watermark_only_on_versions_that_are_not_current(font: CjkFont) -> None:
    """A revoked or replaced version carries its watermark across the page; the current one none."""
    assert not [item for item in build_page(VERSION_ONE, font).items if isinstance(item, Watermark)]
    marked = build_page(replace(VERSION_ONE, watermark="已撤销"), font)
    [mark] = [item for item in marked.items if isinstance(item, Watermark)]
    assert mark.text == "已撤销" and mark.size >= 30
