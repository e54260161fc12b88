"""PNG rendering of a certificate (A4 portrait at 300 dpi) with the credential in a tEXt chunk."""

from __future__ import annotations

import functools
import io
import math
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw
from PIL.PngImagePlugin import PngInfo

from certsvc.documents import layout
from certsvc.documents.fonts import CjkFont, find_cjk_font, pil_font
from certsvc.documents.layout import Colour, Frame, Line, Page, Polygon, QrCode, Seal, Text, Watermark
from certsvc.documents.model import CertificateDocument
from certsvc.documents.seal import SEAL_RED, SealGeometry

DPI = layout.RASTER_DPI
PX_PER_MM = layout.RASTER_DPMM
CREDENTIAL_KEY = "certsvc-credential"
# Shapes and the seal are drawn this many times larger, then reduced: Pillow does not anti-alias them.
SUPERSAMPLE = 4
WHITE = (255, 255, 255)
# zlib level 1: at 300 dpi level 6 takes four times as long for a file only 40 % smaller.
PNG_COMPRESS_LEVEL = 1
# Lightest tint (fraction of the way from white to an ink) the palette keeps.
MIN_TINT = 0.06


def render_png(doc: CertificateDocument, font: CjkFont | None = None) -> bytes:
    """The certificate as PNG bytes; identical input (and font file) gives identical bytes.

    ``font`` defaults to :func:`find_cjk_font` with no configured path; callers with settings pass
    ``find_cjk_font(settings.cjk_font)``.
    """
    font = font or find_cjk_font()
    page = layout.build_page(doc, font)
    image = _paint(page, font)
    info = PngInfo()
    info.add_text(CREDENTIAL_KEY, doc.credential_jws)
    out = io.BytesIO()
    # A fixed palette makes the file about a third of the RGB size and encodes several times faster.
    image.quantize(palette=_palette(), dither=Image.Dither.NONE).save(
        out, "PNG", pnginfo=info, dpi=(DPI, DPI), compress_level=PNG_COMPRESS_LEVEL
    )
    return out.getvalue()


def _px(mm: float) -> int:
    return round(mm * PX_PER_MM)


def _paint(page: Page, font: CjkFont) -> Image.Image:
    image = Image.new("RGB", (_px(page.width), _px(page.height)), "white")
    draw = ImageDraw.Draw(image)
    for item in page.items:
        match item:
            case Text():
                x = item.x
                # One run per face of the fallback chain (a name with 𠮷 switches face for it).
                for face, run in font.runs(item.text):
                    draw.text(
                        (x * PX_PER_MM, item.y * PX_PER_MM),
                        run,
                        font=pil_font(face.path, face.index, _px(item.size)),
                        fill=item.colour,
                        anchor="ls",
                        stroke_width=_px(item.stroke),
                        stroke_fill=item.colour,
                    )
                    x += face.text_width(run, item.size)
            case Line():
                points = [
                    (item.x1 * PX_PER_MM, item.y1 * PX_PER_MM),
                    (item.x2 * PX_PER_MM, item.y2 * PX_PER_MM),
                ]
                draw.line(points, fill=item.colour, width=max(1, _px(item.width)))
            case Frame():
                half = item.line_width / 2
                box = (_px(item.x - half), _px(item.y - half))
                far = (_px(item.x + item.width + half) - 1, _px(item.y + item.height + half) - 1)
                draw.rectangle((box, far), outline=item.colour, width=max(1, _px(item.line_width)))
            case Polygon():
                _paste_polygon(image, item)
            case QrCode():
                _paste_qr(image, item)
            case Seal():
                _overprint_seal(image, item, font)
            case Watermark():
                _overprint_watermark(image, item, font)
    return image


def _overprint_watermark(image: Image.Image, mark: Watermark, font: CjkFont) -> None:
    em = _px(mark.size)
    face = pil_font(font.path, font.index, em)
    width = round(face.getlength(mark.text)) + 2 * em
    tile = Image.new("L", (width, 2 * em), 0)
    ImageDraw.Draw(tile).text((width / 2, em + 0.345 * em), mark.text, font=face, fill=255, anchor="ms")
    tile = tile.rotate(mark.angle, resample=Image.Resampling.BICUBIC, expand=True)
    tile = tile.point(lambda value: round(value * mark.opacity))
    ink = Image.new("RGB", tile.size, "white")
    ink.paste(mark.colour, (0, 0, *tile.size), tile)
    left, top = _px(mark.cx) - tile.width // 2, _px(mark.cy) - tile.height // 2
    box = (left, top, left + tile.width, top + tile.height)
    image.paste(ImageChops.multiply(image.crop(box), ink), box)


def _paste_polygon(image: Image.Image, polygon: Polygon) -> None:
    xs = [x for x, _ in polygon.points]
    ys = [y for _, y in polygon.points]
    left, top = math.floor(min(xs) * PX_PER_MM), math.floor(min(ys) * PX_PER_MM)
    width = math.ceil(max(xs) * PX_PER_MM) - left + 1
    height = math.ceil(max(ys) * PX_PER_MM) - top + 1
    mask = Image.new("L", (width * SUPERSAMPLE, height * SUPERSAMPLE), 0)
    scaled = [
        ((x * PX_PER_MM - left) * SUPERSAMPLE, (y * PX_PER_MM - top) * SUPERSAMPLE) for x, y in polygon.points
    ]
    ImageDraw.Draw(mask).polygon(scaled, fill=255)
    mask = mask.resize((width, height), Image.Resampling.BOX)
    image.paste(polygon.colour, (left, top, left + width, top + height), mask)


def _paste_qr(image: Image.Image, qr: QrCode) -> None:
    modules = len(qr.matrix)
    module_px = max(1, _px(qr.module))
    bits = bytes(0 if dark else 255 for row in qr.matrix for dark in row)
    code = Image.frombytes("L", (modules, modules), bits)
    code = code.resize((module_px * modules, module_px * modules), Image.Resampling.NEAREST)
    image.paste(code, (_px(qr.x), _px(qr.y)))


def _overprint_seal(image: Image.Image, seal: Seal, font: CjkFont) -> None:
    ink = _seal_ink(seal.geometry, seal.colour, _px(seal.radius), font.path, font.index)
    left, top = _px(seal.cx) - ink.width // 2, _px(seal.cy) - ink.height // 2
    box = (left, top, left + ink.width, top + ink.height)
    image.paste(ImageChops.multiply(image.crop(box), ink), box)


@functools.lru_cache(maxsize=32)
def _seal_ink(
    geometry: SealGeometry, colour: Colour, radius_px: int, font_path: Path, font_index: int
) -> Image.Image:
    """The seal as ink on white paper (multiply it onto the page); pure, so cached per process."""
    scale = radius_px * SUPERSAMPLE
    size = 2 * scale + 2 * SUPERSAMPLE
    centre = size / 2
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    ring = geometry.ring_radius * scale
    half_width = geometry.ring_width * scale / 2
    draw.ellipse(
        (
            centre - ring - half_width,
            centre - ring - half_width,
            centre + ring + half_width,
            centre + ring + half_width,
        ),
        outline=255,
        width=round(2 * half_width),
    )
    draw.polygon([(centre + x * scale, centre + y * scale) for x, y in geometry.star], fill=255)
    for glyph in geometry.glyphs:
        glyph_font = pil_font(font_path, font_index, round(glyph.size * scale))
        em = round(glyph.size * scale)
        tile = Image.new("L", (2 * em, 2 * em), 0)
        # Vertical centre of CJK ideographs sits about 0.345 em above the baseline.
        ImageDraw.Draw(tile).text(
            (em, em + 0.345 * em),
            glyph.char,
            font=glyph_font,
            fill=255,
            anchor="ms",
            stroke_width=round(glyph.weight * em),
            stroke_fill=255,
        )
        tile = tile.resize((max(1, round(2 * em * glyph.x_scale)), 2 * em), Image.Resampling.BICUBIC)
        tile = tile.rotate(-glyph.angle, resample=Image.Resampling.BICUBIC, expand=True)
        origin = (
            round(centre + glyph.x * scale - tile.width / 2),
            round(centre + glyph.y * scale - tile.height / 2),
        )
        region = (*origin, origin[0] + tile.width, origin[1] + tile.height)
        mask.paste(ImageChops.lighter(mask.crop(region), tile), region)
    mask = mask.resize((size // SUPERSAMPLE, size // SUPERSAMPLE), Image.Resampling.BOX)
    ink = Image.new("RGB", mask.size, "white")
    ink.paste(colour, (0, 0, *mask.size), mask)
    return ink


@functools.lru_cache(maxsize=1)
def _palette() -> Image.Image:
    """Ramps from white to each ink colour, and from seal red to the inks it overprints."""
    seal = SEAL_RED
    ramps: list[tuple[Colour, Colour, int]] = [
        (WHITE, (0, 0, 0), 64),
        (WHITE, layout.DEEP_RED, 36),
        (WHITE, layout.GOLD, 32),
        (WHITE, seal, 40),
        (seal, _multiply(seal, layout.INK), 24),
        (seal, _multiply(seal, layout.DEEP_RED), 12),
        (seal, _multiply(seal, layout.GOLD), 10),
    ]
    colours: list[int] = []
    for start, end, steps in ramps:
        for step in range(steps):
            t = step / (steps - 1)
            # Pillow maps colours to a palette through a coarse lookup cube; a near-white entry
            # would capture pure white and tint the whole background grey.
            if 0 < t < MIN_TINT and start == WHITE:
                continue
            colours += [round(a + (b - a) * t) for a, b in zip(start, end, strict=True)]
    palette = Image.new("P", (1, 1))
    palette.putpalette(colours + [255] * (768 - len(colours)))
    return palette


def _multiply(a: Colour, b: Colour) -> Colour:
    return (a[0] * b[0] // 255, a[1] * b[1] // 255, a[2] * b[2] // 255)
