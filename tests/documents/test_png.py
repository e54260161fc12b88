"""PNG rendering: scannable QR, embedded credential, determinism, reissue marker."""

from __future__ import annotations

import io
from dataclasses import replace

from PIL import Image

from certsvc.documents.extract import credential_from_png, qr_text_from_image
from certsvc.documents.fonts import CjkFont
from certsvc.documents.png import render_png
from tests.documents.support import QR_URL, VERSION_ONE, VERSION_TWO


def _image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


def test_png_is_a4_portrait_at_300_dpi(font: CjkFont) -> None:
    """The PNG prints sharp at A4 size: 2480×3508 pixels tagged 300 dpi."""
    image = _image(render_png(VERSION_ONE, font))
    assert image.size == (2480, 3508)
    assert tuple(round(v) for v in image.info["dpi"]) == (300, 300)


def test_qr_in_png_scans_to_exactly_the_url(font: CjkFont) -> None:
    """A scanner reading the rendered PNG gets the verification URL and nothing else."""
    assert qr_text_from_image(render_png(VERSION_ONE, font)) == [QR_URL]


def test_credential_round_trips_through_png(font: CjkFont) -> None:
    """The JWS put into the document is read back unchanged from the PNG."""
    assert credential_from_png(render_png(VERSION_TWO, font)) == VERSION_TWO.credential_jws


def test_png_rendering_is_deterministic(font: CjkFont) -> None:
    """Rendering the same document twice gives identical bytes (so caches and hashes are stable)."""
    assert render_png(VERSION_ONE, font) == render_png(VERSION_ONE, font)


def test_png_changes_when_a_printed_field_changes(font: CjkFont) -> None:
    """The holder's name is actually drawn: another name gives another image."""
    other = replace(VERSION_ONE, holder_name="李四")
    assert render_png(other, font) != render_png(VERSION_ONE, font)


def _red_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    data = image.convert("RGB").crop(box).tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(1 for r, g, b in pixels if r > 150 and g < 90 and b < 90)


def test_reissued_version_shows_red_reissue_stamp(font: CjkFont) -> None:
    """Version 2 carries the red 补发 stamp in the top-right corner; version 1 does not."""
    stamp_area = (1920, 200, 2220, 360)
    assert _red_pixels(_image(render_png(VERSION_TWO, font)), stamp_area) > 1200
    assert _red_pixels(_image(render_png(VERSION_ONE, font)), stamp_area) == 0


def test_seal_is_red_beside_the_issuer_lines(font: CjkFont) -> None:
    """The round seal is red ink at the right of the issuer block (centre 164 mm, 233 mm)."""
    image = _image(render_png(VERSION_ONE, font))
    seal_box = (1700, 2510, 2170, 2990)
    assert _red_pixels(image, seal_box) > 20000
