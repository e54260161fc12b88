"""Geometry of the red round seal (公章 style): ring, star, authority name along the arc, and a
horizontal line of text under the star. Both renderers draw from this one description, in units
of the seal radius with the centre at the origin and y pointing down.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

SEAL_RED = (206, 30, 38)
BOTTOM_TEXT = "证书专用章"

RING_WIDTH = 0.055
ARC_TEXT_RADIUS = 0.71
# Seal characters are condensed horizontally, as engraved seals are.
GLYPH_X_SCALE = 0.78
MIN_X_SCALE = 0.45
MAX_GLYPH = 0.28
MIN_GLYPH = 0.2
# Glyph advance over glyph width at the inner edge of the arc text: the gap between neighbours.
GLYPH_GAP = 1.1
# Widest arc (degrees) the name may take; beyond it the ends would run into the bottom line.
MAX_SPAN = 240.0


@dataclass(frozen=True, slots=True)
class SealGlyph:
    """One character: its centre, em size, clockwise rotation in degrees, horizontal squeeze."""

    char: str
    x: float
    y: float
    size: float
    angle: float
    x_scale: float = GLYPH_X_SCALE
    # Outline width in em: seal characters are engraved heavier than the font's regular weight.
    weight: float = 0.022


@dataclass(frozen=True, slots=True)
class SealGeometry:
    ring_radius: float
    ring_width: float
    star: tuple[tuple[float, float], ...]
    glyphs: tuple[SealGlyph, ...]


@functools.lru_cache(maxsize=64)
def seal_geometry(arc_text: str, bottom_text: str = BOTTOM_TEXT) -> SealGeometry:
    """Lay out a seal for ``arc_text`` (the issuing authority's name)."""
    chars = [c for c in arc_text if not c.isspace()]
    return SealGeometry(
        ring_radius=1.0 - RING_WIDTH / 2,
        ring_width=RING_WIDTH,
        star=_star(outer=0.29, inner=0.29 * 0.382, centre_y=-0.02),
        glyphs=_arc_glyphs(chars) + _bottom_glyphs(bottom_text),
    )


def _arc_glyphs(chars: list[str]) -> tuple[SealGlyph, ...]:
    """The name along the top of the ring, for any length.

    Neighbouring glyphs must not touch at their inner edge, where the arc is shortest. Short names
    keep full-size glyphs; longer ones spread further round the ring (up to ``MAX_SPAN``), then get
    smaller down to ``MIN_GLYPH``, then are condensed further (down to ``MIN_X_SCALE``), as engravers
    do with long authority names (e.g. 广西壮族自治区人力资源和社会保障厅).
    """
    if not chars:
        return ()
    count = len(chars)
    span = min(MAX_SPAN, max(100.0, 21.0 * count))
    step = span / (count - 1) if count > 1 else 0.0
    x_scale = GLYPH_X_SCALE
    size = MAX_GLYPH if count == 1 else min(MAX_GLYPH, _fitting_size(math.radians(step), x_scale))
    if size < MIN_GLYPH:
        step_rad = math.radians(step)
        room = step_rad * (ARC_TEXT_RADIUS - MIN_GLYPH / 2)
        x_scale = max(MIN_X_SCALE, room / (GLYPH_GAP * MIN_GLYPH))
        size = min(MAX_GLYPH, _fitting_size(step_rad, x_scale))
    glyphs = []
    for i, char in enumerate(chars):
        angle = -span / 2 + i * step if count > 1 else 0.0
        rad = math.radians(angle)
        glyphs.append(
            SealGlyph(
                char, ARC_TEXT_RADIUS * math.sin(rad), -ARC_TEXT_RADIUS * math.cos(rad), size, angle, x_scale
            )
        )
    return tuple(glyphs)


def _fitting_size(step_rad: float, x_scale: float) -> float:
    """The largest em whose glyphs, ``x_scale`` wide, keep a gap at their inner edge.

    Solves step × (R − size/2) = GLYPH_GAP × size × x_scale for size.
    """
    return step_rad * ARC_TEXT_RADIUS / (GLYPH_GAP * x_scale + step_rad / 2)


def _bottom_glyphs(text: str) -> tuple[SealGlyph, ...]:
    size = 0.2
    pitch = size * GLYPH_X_SCALE * 1.04
    start = -pitch * (len(text) - 1) / 2
    return tuple(SealGlyph(c, start + i * pitch, 0.52, size, 0.0) for i, c in enumerate(text))


def _star(outer: float, inner: float, centre_y: float) -> tuple[tuple[float, float], ...]:
    points = []
    for k in range(10):
        radius = outer if k % 2 == 0 else inner
        angle = math.radians(k * 36)
        points.append((radius * math.sin(angle), centre_y - radius * math.cos(angle)))
    return tuple(points)
