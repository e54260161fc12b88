"""Page layout of a certificate, independent of the output format.

``build_page`` turns a :class:`CertificateDocument` into drawing primitives positioned in
millimetres on an A4 page (origin top-left, y down, text positioned at its left baseline). The PNG
and PDF renderers only translate these primitives, so both formats show the same layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from certsvc.documents.fonts import CjkFont
from certsvc.documents.model import CertificateDocument, chinese_date
from certsvc.documents.qr import qr_matrix
from certsvc.documents.seal import SEAL_RED, SealGeometry, seal_geometry
from certsvc.errors import InvalidDocument

Colour = tuple[int, int, int]

PAGE_WIDTH = 210.0
PAGE_HEIGHT = 297.0
# Dots per millimetre of the PNG rendering (300 dpi: sharp in print).
RASTER_DPI = 300
RASTER_DPMM = RASTER_DPI / 25.4

INK = (26, 26, 26)
LABEL_GREY = (92, 92, 92)
RULE_GREY = (200, 200, 200)
DEEP_RED = (142, 27, 27)
GOLD = (184, 145, 47)


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float
    text: str
    size: float
    colour: Colour
    # Outline width in mm drawn in the text colour: a faux bold, as CJK fonts rarely ship a bold face.
    stroke: float = 0.0


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    colour: Colour


@dataclass(frozen=True, slots=True)
class Frame:
    """An unfilled rectangle whose stroke is centred on its edges."""

    x: float
    y: float
    width: float
    height: float
    line_width: float
    colour: Colour


@dataclass(frozen=True, slots=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    colour: Colour


@dataclass(frozen=True, slots=True)
class QrCode:
    """A QR matrix (quiet zone included) with its top-left corner at (x, y), ``module`` mm per module."""

    x: float
    y: float
    module: float
    matrix: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> float:
        return self.module * len(self.matrix)


@dataclass(frozen=True, slots=True)
class Seal:
    """A seal drawn over whatever lies beneath it, the way ink multiplies on paper."""

    cx: float
    cy: float
    radius: float
    geometry: SealGeometry
    colour: Colour


@dataclass(frozen=True, slots=True)
class Watermark:
    """Large translucent text across the page, centred on (cx, cy), turned ``angle`` degrees
    anticlockwise: marks a version that is no longer current."""

    cx: float
    cy: float
    text: str
    size: float
    angle: float
    colour: Colour
    opacity: float


Item = Text | Line | Frame | Polygon | QrCode | Seal | Watermark


@dataclass(frozen=True, slots=True)
class Page:
    width: float
    height: float
    items: tuple[Item, ...]
    title: str


@dataclass(frozen=True, slots=True)
class _Box:
    """Where one labelled field goes: the label ends at ``label_right``, the value fills the rest."""

    label_right: float
    value_left: float
    value_right: float


LABEL_SIZE = 4.2
VALUE_SIZE = 4.8
MIN_VALUE_SIZE = 3.3
ROW_PITCH = 12.0
LEFT = _Box(label_right=52.0, value_left=54.0, value_right=101.0)
RIGHT = _Box(label_right=133.0, value_left=135.0, value_right=186.0)
FULL = _Box(label_right=52.0, value_left=54.0, value_right=186.0)
# The issuer block starts right of the QR code. The authority's name takes a full line above the
# seal; the seal sits below it at the right, clear of every line of text: the date and version
# stop short of it.
ISSUER = _Box(label_right=98.0, value_left=100.0, value_right=186.0)
SEAL_CENTRE = (164.0, 233.0)
SEAL_RADIUS = 20.5
ISSUER_SHORT = _Box(label_right=98.0, value_left=100.0, value_right=SEAL_CENTRE[0] - SEAL_RADIUS - 2.0)
# Labels of up to this many characters are spread over this many ems, so label columns align
# (姓　　名 over 出生日期), the way Chinese forms set them.
LABEL_EMS = 4


def build_page(doc: CertificateDocument, font: CjkFont) -> Page:
    """Position everything printed on the certificate ``doc``."""
    items: list[Item] = [*_border(), *_heading(font)]
    if doc.usage_note:
        items += _watermark(doc.usage_note, font)
    if doc.is_reissue:
        items += _reissue_stamp(font)
    items += _fields(doc, font)
    items += _verification_block(doc, font)
    items += _issuer_block(doc, font)
    if doc.watermark:
        items.append(Watermark(PAGE_WIDTH / 2, 150.0, doc.watermark, 34.0, 35.0, SEAL_RED, 0.28))
    return Page(PAGE_WIDTH, PAGE_HEIGHT, tuple(items), title=f"职称电子证书 {doc.certificate_number}")


WATERMARK_FAINT = (226, 218, 218)
WATERMARK_ROWS = (100.0, 140.0, 180.0)


def _watermark(text: str, font: CjkFont) -> Iterator[Item]:
    """The holder's restriction, faint in rows under the fields and once clearly above the footnote;
    drawn before the fields so it never hides what it restricts."""
    font.require_glyphs("watermark", text)
    size = 5.0
    width = font.text_width(text, size)
    gap = 12.0
    left, right = 18.0, PAGE_WIDTH - 18.0
    for row, baseline in enumerate(WATERMARK_ROWS):
        # Whole copies only, inside the border; odd rows shifted half a copy, like a brick wall.
        x = left + (row % 2) * (width + gap) / 2
        while x + width <= right:
            yield Text(x, baseline, text, size, WATERMARK_FAINT)
            x += width + gap
    yield _centred(font, text, centre=PAGE_WIDTH / 2, baseline=264.0, size=4.2, colour=DEEP_RED)


def _border() -> Iterator[Item]:
    yield Frame(9.0, 9.0, 192.0, 279.0, 1.6, DEEP_RED)
    yield Frame(12.2, 12.2, 185.6, 272.6, 0.45, GOLD)
    yield Frame(13.6, 13.6, 182.8, 269.8, 0.2, DEEP_RED)
    for cx, cy in ((9.0, 9.0), (201.0, 9.0), (9.0, 288.0), (201.0, 288.0)):
        yield _diamond(cx, cy, 4.2, DEEP_RED)
        yield _diamond(cx, cy, 2.2, GOLD)
    for cx in (70.0, 140.0):
        yield _diamond(cx, 9.0, 1.8, GOLD)
        yield _diamond(cx, 288.0, 1.8, GOLD)


def _diamond(cx: float, cy: float, half: float, colour: Colour) -> Polygon:
    return Polygon(((cx, cy - half), (cx + half, cy), (cx, cy + half), (cx - half, cy)), colour)


def _heading(font: CjkFont) -> Iterator[Item]:
    yield from _tracked_centred(
        font,
        "职称电子证书",
        centre=PAGE_WIDTH / 2,
        baseline=46.0,
        size=12.5,
        tracking=4.5,
        colour=DEEP_RED,
        stroke=0.3,
    )
    english = "ELECTRONIC CERTIFICATE OF PROFESSIONAL TITLE"
    yield _centred(font, english, centre=PAGE_WIDTH / 2, baseline=55.0, size=3.4, colour=GOLD)
    yield Line(62.0, 61.0, 98.0, 61.0, 0.35, GOLD)
    yield Line(112.0, 61.0, 148.0, 61.0, 0.35, GOLD)
    yield _diamond(PAGE_WIDTH / 2, 61.0, 2.0, DEEP_RED)
    yield _diamond(101.5, 61.0, 0.9, GOLD)
    yield _diamond(108.5, 61.0, 0.9, GOLD)


def _reissue_stamp(font: CjkFont) -> Iterator[Item]:
    """A red 补发 stamp above the heading; the reissue date sits beside the certificate number."""
    yield Frame(164.0, 19.0, 21.0, 10.5, 0.6, SEAL_RED)
    yield from _tracked_centred(
        font, "补发", centre=174.5, baseline=27.2, size=6.2, tracking=1.6, colour=SEAL_RED, stroke=0.15
    )


Row = list[tuple["_Box", str, str, str]]


def _acquisition_rows(doc: CertificateDocument) -> list[Row]:
    """取得方式 and what the route's certificate states: review, the committee and the review date;
    认定, the education; 重新确认, the original certificate; 考试, the exam."""
    acquisition = doc.acquisition
    if acquisition is None:  # a document of before routes
        return [[(FULL, "评审委员会", "committee_name", doc.committee_name)]]
    route = (LEFT, "取得方式", "route", acquisition.route)
    a = acquisition
    if a.review_date is not None or a.committee:
        rows: list[Row] = [[route]]
        if a.review_date is not None:
            rows[0].append((RIGHT, "评审通过日期", "review_date", chinese_date(a.review_date)))
        if a.committee:
            rows.append([(FULL, "评审委员会", "committee", a.committee)])
        return rows
    if a.education:
        return [[route, (RIGHT, "学历", "education", a.education)]]
    if a.original_date is not None:
        return [
            [route, (RIGHT, "原取得方式", "original_route", a.original_route or "—")],
            [
                (LEFT, "原证书编号", "original_certificate_number", a.original_certificate_number or "—"),
                (RIGHT, "原取得时间", "original_date", chinese_date(a.original_date)),
            ],
            [(FULL, "原发证机构", "original_issuer", a.original_issuer or "—")],
        ]
    if a.exam_date is not None:
        return [
            [route, (RIGHT, "考试日期", "exam_date", chinese_date(a.exam_date))],
            [(FULL, "考试名称", "exam_name", a.exam_name or "—")],
            [
                (LEFT, "资格证书编号", "exam_certificate_number", a.exam_certificate_number or "—"),
                (RIGHT, "考试机构", "exam_authority", a.exam_authority or "—"),
            ],
        ]
    return [[route]]


def _fields(doc: CertificateDocument, font: CjkFont) -> Iterator[Item]:
    rows: list[Row] = [
        [(LEFT, "姓名", "holder_name", doc.holder_name), (RIGHT, "性别", "sex", doc.sex)],
        [
            (LEFT, "出生日期", "birth_date", chinese_date(doc.birth_date)),
            (RIGHT, "身份证号", "id_number", doc.id_number),
        ],
        [(FULL, "工作单位", "employer", doc.employer)],
        [(LEFT, "职称系列", "series", doc.series), (RIGHT, "专业", "specialty", doc.specialty)],
        [(LEFT, "资格名称", "title", doc.title), (RIGHT, "级别", "level", doc.level)],
        [
            (LEFT, "取得时间", "date_obtained", chinese_date(doc.date_obtained)),
            (RIGHT, "确认文号", "confirmation_number", doc.confirmation_number),
        ],
        *_acquisition_rows(doc),
    ]
    baseline = 80.0
    # Nine rows (reconfirmation, exam) close up so the certificate number stays clear of the QR.
    pitch = ROW_PITCH if len(rows) <= 8 else ROW_PITCH - 1.0
    for index, row in enumerate(rows):
        if index == 3:
            # A thin rule separates who the holder is from what the title is.
            yield Line(30.0, baseline - 7.5, 180.0, baseline - 7.5, 0.2, GOLD)
            baseline += 3.0
        for box, label, field_name, value in row:
            yield from _labelled(font, box, label, field_name=field_name, value=value, baseline=baseline)
        baseline += pitch
    yield Line(30.0, baseline - 7.5, 180.0, baseline - 7.5, 0.2, GOLD)
    baseline += 4.0
    yield from _label(font, "证书编号", FULL, baseline)
    number_box = _Box(FULL.label_right, FULL.value_left, RIGHT.label_right - 10.0)
    yield from _fitted(
        font,
        "certificate_number",
        doc.certificate_number,
        box=number_box,
        baseline=baseline,
        size=5.6,
        colour=DEEP_RED,
        stroke=0.12,
    )
    if doc.reissue_date is not None:
        reissued = chinese_date(doc.reissue_date)
        yield from _labelled(
            font, RIGHT, "补发日期", field_name="reissue_date", value=reissued, baseline=baseline
        )


def _verification_block(doc: CertificateDocument, font: CjkFont) -> Iterator[Item]:
    qr_left, qr_top, qr_size = 24.0, 196.0, 48.0
    matrix = qr_matrix(doc.qr_url)
    # Modules are a whole number of pixels at the PNG's resolution, so the PNG is crisp and the PDF,
    # drawn from the same numbers, prints the QR at exactly the same size.
    module = (qr_size * RASTER_DPMM // len(matrix)) / RASTER_DPMM
    inset = (qr_size - module * len(matrix)) / 2
    yield QrCode(qr_left + inset, qr_top + inset, module, matrix)
    centre = qr_left + qr_size / 2
    yield _centred(font, "扫码验证", centre=centre, baseline=qr_top + qr_size + 4.5, size=4.0, colour=INK)
    yield _centred(
        font, "Scan to verify", centre=centre, baseline=qr_top + qr_size + 9.5, size=3.0, colour=LABEL_GREY
    )


def _issuer_block(doc: CertificateDocument, font: CjkFont) -> Iterator[Item]:
    yield from _labelled(
        font, ISSUER, "发证机构", field_name="authority_name", value=doc.authority_name, baseline=204.0
    )
    yield from _labelled(
        font,
        ISSUER_SHORT,
        "发证日期",
        field_name="issue_date",
        value=chinese_date(doc.issue_date),
        baseline=219.0,
    )
    yield from _labelled(
        font, ISSUER_SHORT, "证书版本", field_name="version", value=f"第{doc.version}版", baseline=234.0
    )
    note = "本电子证书内嵌数字签名凭证，可扫描二维码在线核验，或使用公开密钥离线核验。"
    yield _centred(font, note, centre=PAGE_WIDTH / 2, baseline=273.0, size=2.9, colour=LABEL_GREY)
    if doc.supervisor:
        # 统一监制 (广西办法 第七条): the province's HR department supervises the certificate form.
        supervised = f"{doc.supervisor}监制"
        font.require_glyphs("supervisor", supervised)
        yield from _tracked_centred(
            font,
            supervised,
            centre=PAGE_WIDTH / 2,
            baseline=279.5,
            size=3.3,
            tracking=0.6,
            colour=INK,
            stroke=0.0,
        )
    font.require_glyphs("seal_text", doc.seal_text)
    # Drawn last: the seal overprints the issuer lines, as a real seal does.
    yield Seal(*SEAL_CENTRE, SEAL_RADIUS, seal_geometry(doc.seal_text), SEAL_RED)


def _labelled(
    font: CjkFont, box: _Box, label: str, *, field_name: str, value: str, baseline: float
) -> Iterator[Item]:
    yield from _label(font, label, box, baseline)
    yield Line(box.value_left, baseline + 1.8, box.value_right, baseline + 1.8, 0.18, RULE_GREY)
    yield from _fitted(
        font, field_name, value, box=box, baseline=baseline, size=VALUE_SIZE, colour=INK, stroke=0.0
    )


def _label(font: CjkFont, label: str, box: _Box, baseline: float) -> Iterator[Text]:
    """The label spread to ``LABEL_EMS`` ems when shorter, then a full-width colon whose em ends where
    the value starts: the blank half of its em keeps label, colon and value apart."""
    colon = "："
    colon_left = box.value_left - font.text_width(colon, LABEL_SIZE)
    advances = [font.text_width(c, LABEL_SIZE) for c in label]
    width = max(sum(advances), LABEL_EMS * LABEL_SIZE)
    gap = (width - sum(advances)) / (len(label) - 1) if len(label) > 1 else 0.0
    x = colon_left - width
    # Drawn in reading order, so text copied out of the PDF reads "label：value".
    for char, advance in zip(label, advances, strict=True):
        yield Text(x, baseline, char, LABEL_SIZE, LABEL_GREY)
        x += advance + gap
    yield Text(colon_left, baseline, colon, LABEL_SIZE, LABEL_GREY)


def _fitted(
    font: CjkFont,
    field_name: str,
    value: str,
    *,
    box: _Box,
    baseline: float,
    size: float,
    colour: Colour,
    stroke: float,
) -> Iterator[Item]:
    """The value at ``size``, shrunk to fit its box, or on two lines; never cut off."""
    font.require_glyphs(field_name, value)
    room = box.value_right - box.value_left
    width = font.text_width(value, size)
    if width <= room:
        yield Text(box.value_left, baseline, value, size, colour, stroke)
        return
    if size * room / width >= MIN_VALUE_SIZE:
        yield Text(box.value_left, baseline, value, size * room / width, colour, stroke)
        return
    first, second = _split_in_two(font, field_name, value, MIN_VALUE_SIZE, room)
    yield Text(box.value_left, baseline - MIN_VALUE_SIZE * 1.2, first, MIN_VALUE_SIZE, colour, stroke)
    yield Text(box.value_left, baseline, second, MIN_VALUE_SIZE, colour, stroke)


def _split_in_two(font: CjkFont, field_name: str, text: str, size: float, room: float) -> tuple[str, str]:
    """Two lines of similar length that each fit ``room``; Chinese may break between any characters."""
    for cut in sorted(range(1, len(text)), key=lambda k: abs(2 * k - len(text))):
        first, second = text[:cut], text[cut:]
        if font.text_width(first, size) <= room and font.text_width(second, size) <= room:
            return first, second
    raise InvalidDocument(f"field {field_name!r} is too long to print ({len(text)} characters)")


def _centred(
    font: CjkFont, text: str, *, centre: float, baseline: float, size: float, colour: Colour
) -> Text:
    return Text(centre - font.text_width(text, size) / 2, baseline, text, size, colour)


def _tracked_centred(
    font: CjkFont,
    text: str,
    *,
    centre: float,
    baseline: float,
    size: float,
    tracking: float,
    colour: Colour,
    stroke: float,
) -> Iterator[Text]:
    """Letter-spaced text, one item per character so every renderer spaces it identically."""
    advances = [font.text_width(c, size) for c in text]
    x = centre - (sum(advances) + tracking * (len(text) - 1)) / 2
    for char, advance in zip(text, advances, strict=True):
        yield Text(x, baseline, char, size, colour, stroke)
        x += advance + tracking
