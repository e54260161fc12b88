"""Photos of certificates as phones send them: recompressed, small, at an angle, very large.

Every image is made here from a rendered certificate (no binary fixtures): the pictures mimic
what WeChat forwards and what a phone camera takes, and each must give back the exact QR URL.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageFilter

from certsvc.documents import extract
from certsvc.documents.extract import qr_text_from_image
from certsvc.documents.fonts import CjkFont
from certsvc.documents.png import render_png
from certsvc.errors import UnreadableDocument
from tests.documents.support import QR_URL, VERSION_ONE


@pytest.fixture(scope="module")
def page(font: CjkFont) -> Image.Image:
    """The rendered certificate, A4 at 150 dpi (1240 × 1754)."""
    return Image.open(io.BytesIO(render_png(VERSION_ONE, font))).convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _fit(image: Image.Image, long_side: int) -> Image.Image:
    scale = long_side / max(image.size)
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BILINEAR)


def _camera(image: Image.Image, seed: int = 1) -> Image.Image:
    """What a phone camera adds: light falling off across the sheet, and sensor noise."""
    pixels = np.asarray(image).astype(np.float32)
    light = np.linspace(0.65, 1.0, pixels.shape[1])[None, :, None]
    noise = np.random.default_rng(seed).normal(0, 10, pixels.shape)
    return Image.fromarray(np.clip(pixels * light + noise, 0, 255).astype(np.uint8))


def _at_an_angle(page: Image.Image, tilt: float) -> Image.Image:
    """The sheet photographed from the side: a perspective warp on a table-coloured background."""
    width, height = page.size
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    seen = np.float32(
        [[width * tilt, height * 0.05], [width * (1 - tilt / 3), 0], [width, height], [0, height * 0.95]]
    )
    matrix = cv2.getPerspectiveTransform(corners, seen)
    warped = cv2.warpPerspective(np.asarray(page), matrix, (width, height), borderValue=(120, 110, 100))
    return Image.fromarray(warped)


@pytest.mark.parametrize("long_side", [640, 800])
def test_small_recompressed_wechat_jpeg_decodes(page: Image.Image, long_side: int) -> None:
    """A certificate forwarded through WeChat (shrunk to 640-800 px, JPEG quality 25) still scans."""
    photo = _jpeg(_fit(page, long_side), quality=25)
    assert qr_text_from_image(photo) == [QR_URL]


@pytest.mark.parametrize("tilt", [0.15, 0.25, 0.3])
def test_certificate_photographed_at_an_angle_decodes(page: Image.Image, tilt: float) -> None:
    """A skewed photo (perspective, uneven light, noise, slight blur) of the whole sheet scans."""
    skewed = _camera(_at_an_angle(page, tilt)).filter(ImageFilter.GaussianBlur(0.7))
    assert qr_text_from_image(_jpeg(_fit(skewed, 1200), quality=60)) == [QR_URL]


@pytest.mark.parametrize("seed", [1, 2])
def test_whole_certificate_photographed_at_900_pixels_decodes(page: Image.Image, seed: int) -> None:
    """The whole sheet in a 900 px photo (QR ~2 px per module, noisy, unevenly lit) scans."""
    photo = _jpeg(_camera(_fit(page, 900), seed), quality=60)
    assert qr_text_from_image(photo) == [QR_URL]


def test_large_phone_photo_is_scaled_down_not_refused(
    page: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 12-megapixel phone photo is accepted and searched at about 4 megapixels, not at full size."""
    canvas = Image.new("RGB", (4000, 3000), (120, 110, 100))
    canvas.paste(_fit(page, 2800), (1000, 100))
    searched: list[int] = []
    real = extract._decoders

    def recording() -> tuple[extract.Callable[[extract.Grey], list[str]], ...]:
        return tuple(
            lambda grey, decode=decode: searched.append(grey.size) or decode(grey) for decode in real()
        )

    monkeypatch.setattr(extract, "_decoders", recording)
    assert qr_text_from_image(_jpeg(canvas, quality=85)) == [QR_URL]
    assert searched and max(searched) <= extract.DECODE_PIXELS * 1.5


def test_image_above_the_pixel_budget_is_refused_from_its_header() -> None:
    """A JPEG claiming more pixels than any phone takes is refused before its pixels are decoded."""
    header_only = _jpeg(Image.new("L", (16, 16)), quality=50)
    # Rewrite the frame header's height and width (SOF0: FFC0, length, precision, H, W).
    sof = header_only.index(b"\xff\xc0")
    forged = header_only[: sof + 5] + (12000).to_bytes(2, "big") + (12000).to_bytes(2, "big")
    forged += header_only[sof + 9 :]
    with pytest.raises(UnreadableDocument, match="too large"):
        qr_text_from_image(forged)
