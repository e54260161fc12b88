"""Layout guard: a 70×99 grayscale thumbnail of the page compared with a stored golden thumbnail.

At this scale each pixel covers 3 mm, so font rasteriser differences wash out while a moved block,
a missing stamp or a resized QR shows up as pixels that differ strongly. After an intended layout
change, regenerate with ``CERTSVC_UPDATE_GOLDEN=1 pytest tests/documents/test_golden.py`` and look at
the new page before committing the fixture.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from certsvc.documents.fonts import CjkFont
from certsvc.documents.pdf import render_pdf
from certsvc.documents.png import render_png
from certsvc.documents.signature import PdfSealer
from tests.documents.support import VERSION_TWO, rasterise_pdf

GOLDEN = Path(__file__).parent / "golden" / "certificate_v2_layout.png"
THUMBNAIL_SIZE = (70, 99)
# Calibrated: the PDF raster differs from the PNG in 2 pixels by more than 32 levels, a reissue
# stamp adds 42, moving the QR block 3 mm adds 79.
STRONG_DIFFERENCE = 32
MAX_STRONGLY_DIFFERENT_PIXELS = 12
MAX_MEAN_DIFFERENCE = 2.5


def _thumbnail(image: Image.Image) -> Image.Image:
    return image.convert("L").resize(THUMBNAIL_SIZE, Image.Resampling.BOX)


def _assert_matches_golden(image: Image.Image, *, may_update: bool = False) -> None:
    thumbnail = _thumbnail(image)
    if may_update and os.environ.get("CERTSVC_UPDATE_GOLDEN") == "1":
        thumbnail.save(GOLDEN, optimize=True)
        pytest.skip(f"golden thumbnail rewritten: {GOLDEN}")
    golden = Image.open(GOLDEN)
    differences = ImageChops.difference(thumbnail, golden).tobytes()
    strong = sum(1 for value in differences if value > STRONG_DIFFERENCE)
    mean = sum(differences) / len(differences)
    assert strong <= MAX_STRONGLY_DIFFERENT_PIXELS, f"{strong} thumbnail pixels moved (mean {mean:.2f})"
    assert mean <= MAX_MEAN_DIFFERENCE


def test_png_layout_matches_golden(font: CjkFont) -> None:
    """The PNG page keeps the approved layout (heading, fields, QR, seal, reissue stamp, border)."""
    # The PNG is the source of the golden thumbnail; the PDF must match what the PNG approved.
    _assert_matches_golden(Image.open(io.BytesIO(render_png(VERSION_TWO, font))), may_update=True)


def test_pdf_layout_matches_the_same_golden(font: CjkFont, sealer: PdfSealer, tmp_path: Path) -> None:
    """The signed PDF page, rasterised with its seal (the signature's appearance), shows the same
    layout as the PNG."""
    _assert_matches_golden(rasterise_pdf(render_pdf(VERSION_TWO, sealer, font), tmp_path))
