"""Reading QR codes from photos as phones send them (zbar first, then WeChat's detector, then both
on a 2x enlargement): time per image, and whether the QR was read at all.

The images are made from a rendered certificate the way tests/documents/test_photos.py makes them.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image, ImageFilter

from bench import Case, Row, timed_ms
from bench.cases.documents import _DOCUMENT
from certsvc.documents import find_cjk_font, render_png
from certsvc.documents.extract import qr_text_from_image
from certsvc.errors import UnreadableDocument


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _fit(image: Image.Image, long_side: int) -> Image.Image:
    scale = long_side / max(image.size)
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BILINEAR)


def _camera(image: Image.Image) -> Image.Image:
    pixels = np.asarray(image).astype(np.float32)
    light = np.linspace(0.65, 1.0, pixels.shape[1])[None, :, None]
    noise = np.random.default_rng(1).normal(0, 10, pixels.shape)
    return Image.fromarray(np.clip(pixels * light + noise, 0, 255).astype(np.uint8))


def _skewed(page: Image.Image) -> Image.Image:
    width, height = page.size
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    seen = np.float32([[width * 0.25, height * 0.05], [width * 0.92, 0], [width, height], [0, height * 0.95]])
    warped = cv2.warpPerspective(
        np.asarray(page),
        cv2.getPerspectiveTransform(corners, seen),
        (width, height),
        borderValue=(120, 110, 100),
    )
    return _camera(Image.fromarray(warped)).filter(ImageFilter.GaussianBlur(0.7))


def _oversized_header() -> bytes:
    small = _jpeg(Image.new("L", (16, 16)), 50)
    sof = small.index(b"\xff\xc0")
    return small[: sof + 5] + (12000).to_bytes(2, "big") * 2 + small[sof + 9 :]


def _reads(data: bytes) -> Callable[[], object]:
    def call() -> object:
        try:
            return qr_text_from_image(data)
        except UnreadableDocument:
            return None

    return call


def run() -> list[Row]:
    png = render_png(_DOCUMENT, find_cjk_font())
    page = Image.open(io.BytesIO(png)).convert("RGB")
    canvas = Image.new("RGB", (4000, 3000), (120, 110, 100))
    canvas.paste(_fit(page, 2800), (1000, 100))
    images = {
        "clean PNG 1240x1754": png,
        "WeChat JPEG 640 px q25": _jpeg(_fit(page, 640), 25),
        "whole sheet 900 px photo": _jpeg(_camera(_fit(page, 900)), 60),
        "sheet at an angle 1200 px": _jpeg(_fit(_skewed(page), 1200), 60),
        "phone photo 12 MP": _jpeg(canvas, 85),
        "header claims 144 MP (refused)": _oversized_header(),
    }
    rows: list[Row] = []
    for name, data in images.items():
        found = _reads(data)()
        rows.append({"metric": f"{name}: decode", "value": timed_ms(_reads(data), repeat=5), "unit": "ms"})
        rows.append({"metric": f"{name}: QR read", "value": "yes" if found else "no", "unit": ""})
    return rows


CASES = [Case("photos", run)]
