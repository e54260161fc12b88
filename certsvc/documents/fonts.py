"""Finding a CJK font that renders every character of a certificate, in PNG and in PDF.

The PDF renderer (reportlab) can only embed and subset fonts with TrueType outlines, so the font
must have them: WenQuanYi Micro Hei (Debian ``fonts-wqy-microhei``) is the default. Noto CJK ships
CFF (PostScript) outlines and is refused with a message saying so. A font that lacks a character
would print tofu boxes on an official document; :meth:`CjkFont.require_glyphs` lets the renderers
refuse instead.

Names may use any GB 18030 character, including the CJK extensions (𠮷 U+20BB7, 𪚥 U+2A6A5), which
the main font lacks. A fallback chain covers them: Hanazono Mincho A and B (Debian
``fonts-hanazono``: BMP and Extension A, and the supplementary plane's Extensions B–F), tried in
that order for each character the main font cannot draw. Text is drawn in runs, each with the first
face of the chain that has its characters (:meth:`CjkFont.runs`). Intake asks
:func:`text_drawable` so that a name no installed font can draw is refused before anything is
signed. Known limit: reportlab writes 16-bit ToUnicode entries, so copying a supplementary-plane
character out of the PDF gives the wrong text, although it prints correctly.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import ImageFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from certsvc.errors import FontNotFound, InvalidDocument

# Debian/Ubuntu locations of CJK fonts with TrueType outlines, best first.
CANDIDATE_PATHS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)

# Fallbacks for characters the main font lacks (the CJK extensions), in order.
FALLBACK_PATHS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"),
    Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
)

INSTALL_HINT = (
    "install the Debian package fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or set "
    "CERTSVC_CJK_FONT to a CJK font with TrueType outlines (.ttf/.ttc); Noto CJK .otf/.ttc use CFF "
    "outlines, which the PDF renderer cannot embed"
)

# Characters every certificate prints (labels, heading, seal); a font lacking any is unusable.
FIXED_TEXT = (
    "职称电子证书姓名性别出生日期身份证号工作单位系列专业资格级别取得时间评审委员会确认文编"
    "发机构补版本第年月日扫码验专用章：0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

# Size at which text is measured for layout; large enough that hinting/rounding is negligible.
_MEASURE_SIZE = 1000


@dataclass(frozen=True)
class CjkFont:
    """One face of a font file, usable by both renderers."""

    path: Path
    index: int
    family: str
    _codepoints: frozenset[int] = field(repr=False, compare=False)
    fallbacks: tuple[CjkFont, ...] = field(default=(), repr=False, compare=False)

    @property
    def faces(self) -> tuple[CjkFont, ...]:
        """This face, then its fallbacks: the order characters are looked up in."""
        return (self, *self.fallbacks)

    def face_for(self, char: str) -> CjkFont | None:
        """The first face of the chain that draws ``char``."""
        code = ord(char)
        if code in self._codepoints:
            return self
        for face in self.fallbacks:
            if code in face._codepoints:
                return face
        return None

    def runs(self, text: str) -> list[tuple[CjkFont, str]]:
        """``text`` split into runs drawn with one face each (a character no face has stays in
        the main face; ``require_glyphs`` refuses such text before it gets here)."""
        if not self.fallbacks or self.can_draw_alone(text):
            return [(self, text)]
        runs: list[tuple[CjkFont, str]] = []
        for char in text:
            face = self.face_for(char) or self
            if runs and runs[-1][0] is face:
                runs[-1] = (face, runs[-1][1] + char)
            else:
                runs.append((face, char))
        return runs

    def can_draw_alone(self, text: str) -> bool:
        return self._codepoints.issuperset(map(ord, text))

    def can_draw(self, text: str) -> bool:
        """Whether the chain draws every (non-space) character of ``text``."""
        return self.can_draw_alone(text) or not self.missing_glyphs(text)

    def missing_glyphs(self, text: str) -> str:
        """The distinct characters of ``text`` this font cannot draw, in order of appearance."""
        seen: dict[str, None] = {}
        for char in text:
            if not char.isspace() and self.face_for(char) is None:
                seen.setdefault(char, None)
        return "".join(seen)

    def require_glyphs(self, field_name: str, text: str) -> None:
        """Refuse (rather than print tofu) when ``text`` has a character the font lacks."""
        missing = self.missing_glyphs(text)
        if missing:
            # The characters themselves may be part of a name: name the field, not the text.
            raise InvalidDocument(
                f"the font {self.family} has no glyph for {len(missing)} character(s) of field "
                f"{field_name!r}; configure CERTSVC_CJK_FONT with a font covering them",
                detail_zh=f"字体缺少“{field_name}”字段中的 {len(missing)} 个字符",
            )

    def text_width(self, text: str, size: float) -> float:
        """Advance width of ``text`` at font size ``size`` (same unit as the result)."""
        return sum(
            _measuring_font(face.path, face.index).getlength(run) * size / _MEASURE_SIZE
            for face, run in self.runs(text)
        )

    def reportlab_font(self) -> TTFont:
        """A registered-name-ready reportlab font object for this face (parsed once per process)."""
        return _reportlab_font(self.path, self.index)


def find_cjk_font(configured: str | Path | None = None) -> CjkFont:
    """The configured font, or the first usable CJK font in the usual Debian locations.

    ``configured`` comes from settings (``CERTSVC_CJK_FONT``); a path may end in ``#N`` to pick
    face N of a collection. A configured font that is missing or unusable is an error: falling back
    silently would print certificates in a font the operator did not choose.
    """
    if configured:
        path, index = _split_face(str(configured))
        return _with_fallbacks(_load(path, index))
    problems: list[str] = []
    for candidate in CANDIDATE_PATHS:
        if candidate.is_file():
            try:
                return _with_fallbacks(_load(candidate, 0))
            except FontNotFound as exc:
                problems.append(exc.message)
    searched = ", ".join(str(p) for p in CANDIDATE_PATHS)
    detail = f" ({'; '.join(problems)})" if problems else ""
    raise FontNotFound(
        f"no usable CJK font found in {searched}{detail}: {INSTALL_HINT}",
        detail_zh="未找到可用的中文字体，请安装 fonts-wqy-microhei 或设置 CERTSVC_CJK_FONT",
    )


def text_drawable(configured: str | Path | None = None) -> Callable[[str], bool]:
    """``can_draw(text)`` for intake: whether the fonts certificates are rendered with draw it.

    Without any usable CJK font nothing could be rendered at all; intake then accepts only the
    characters every CJK font has (the CJK Unified Ideographs of Unicode 1.1 and Latin letters),
    so a name never passes that the fonts of a properly set-up machine could not draw either.
    """
    fonts: list[Callable[[str], bool]] = []

    def can_draw(text: str) -> bool:
        # Every CJK font draws basic text, so the fonts (hundreds of MB parsed, over a second)
        # are loaded only for the rare name beyond it, such as one in a CJK extension.
        if _is_basic_text(text):
            return True
        if not fonts:
            try:
                fonts.append(find_cjk_font(configured).can_draw)
            except FontNotFound:
                fonts.append(_is_basic_text)
        return fonts[0](text)

    return can_draw


_BASIC_TEXT = re.compile("[\u4e00-\u9fa5\u00b7A-Za-z\u00c0-\u024f '\\-]*")


def _is_basic_text(text: str) -> bool:
    return _BASIC_TEXT.fullmatch(text) is not None


@functools.lru_cache(maxsize=8)
def _with_fallbacks(primary: CjkFont) -> CjkFont:
    faces = []
    for path in FALLBACK_PATHS:
        if path.is_file() and path != primary.path:
            try:
                faces.append(_load_fallback(path))
            except FontNotFound:
                continue  # an unusable fallback only narrows the names that can be printed
    return dataclasses.replace(primary, fallbacks=tuple(faces))


@functools.lru_cache(maxsize=8)
def _load_fallback(path: Path) -> CjkFont:
    try:
        font = _reportlab_font(path, 0)
    except (TTFError, OSError) as exc:
        raise FontNotFound(f"fallback font {path} is not usable ({exc})") from exc
    family = font.face.name.decode("ascii", "replace") if isinstance(font.face.name, bytes) else "font"
    return CjkFont(path=path, index=0, family=family, _codepoints=frozenset(font.face.charToGlyph))


def _split_face(configured: str) -> tuple[Path, int]:
    head, sep, tail = configured.rpartition("#")
    if sep and tail.isdigit():
        return Path(head), int(tail)
    return Path(configured), 0


@functools.lru_cache(maxsize=8)
def _load(path: Path, index: int) -> CjkFont:
    if not path.is_file():
        raise FontNotFound(f"CJK font file {path} does not exist: {INSTALL_HINT}")
    try:
        font = _reportlab_font(path, index)
    except (TTFError, OSError) as exc:
        raise FontNotFound(f"CJK font {path} face {index} is not usable ({exc}): {INSTALL_HINT}") from exc
    codepoints = frozenset(font.face.charToGlyph)
    family = font.face.name.decode("ascii", "replace") if isinstance(font.face.name, bytes) else "font"
    loaded = CjkFont(path=path, index=index, family=family, _codepoints=codepoints)
    missing = loaded.missing_glyphs(FIXED_TEXT)
    if missing:
        raise FontNotFound(f"font {path} lacks CJK characters such as {missing[:5]!r}: {INSTALL_HINT}")
    return loaded


@functools.lru_cache(maxsize=8)
def _reportlab_font(path: Path, index: int) -> TTFont:
    # One reportlab name per face; TTFont keeps per-document subset state, so sharing it is safe.
    # The name must not vary between processes (str hashing is salted): PDFs must be reproducible.
    digest = hashlib.sha256(f"{path}#{index}".encode()).hexdigest()[:12]
    return TTFont(f"CertsvcCJK-{digest}", str(path), subfontIndex=index)


@functools.lru_cache(maxsize=8)
def _measuring_font(path: Path, index: int) -> ImageFont.FreeTypeFont:
    return pil_font(path, index, _MEASURE_SIZE)


@functools.lru_cache(maxsize=128)
def pil_font(path: Path, index: int, size_px: int) -> ImageFont.FreeTypeFont:
    """A Pillow font; BASIC layout so output does not depend on whether libraqm is installed."""
    return ImageFont.truetype(str(path), size_px, index=index, layout_engine=ImageFont.Layout.BASIC)
