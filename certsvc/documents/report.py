"""Page layout of a verification report (核验报告), independent of the output format (PURE).

A report records what a verification answered at one moment: its number, time, the verdict (one
certificate) or a table of verdicts (a bulk check), the masked holder, the issuer, and a QR code
to ``/r/<report>`` where the recorded result can be looked up again. Every value arrives already
in display form (:class:`ReportDocument`); this module only places it on A4 pages, in the same
primitives as the certificate layout, so the PDF renderer draws both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from certsvc.documents.fonts import CjkFont
from certsvc.documents.layout import (
    INK,
    LABEL_GREY,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE_GREY,
    Colour,
    Frame,
    Item,
    Line,
    Page,
    QrCode,
    Text,
)
from certsvc.documents.qr import qr_matrix

MARGIN = 16.0
TITLE_RED = (142, 27, 27)
OUTCOME_COLOURS: dict[str, Colour] = {
    "valid": (22, 120, 60),
    "superseded": (150, 100, 0),
    "suspended": (150, 100, 0),
    "revoked": (170, 30, 30),
    "invalid": (170, 30, 30),
    "forged": (170, 30, 30),
    # the pages' slate grey for "nothing to judge" (no matching certificate, nothing readable)
    "no-match": (69, 90, 100),
    "unreadable": (69, 90, 100),
    "unreadable-file": (69, 90, 100),
    "unknown": (90, 90, 90),
    "error": (90, 90, 90),
}
ROW_PITCH = 6.2
TABLE_SIZE = 2.9
FOOTER_TOP = 272.0
# (header, left edge) of the bulk table's columns; each column ends where the next starts.
COLUMNS = (
    ("行", MARGIN),
    ("结果", MARGIN + 11),
    ("证书编号", MARGIN + 37),
    ("持证人", MARGIN + 78),
    ("资格名称", MARGIN + 96),
    ("发证机构", MARGIN + 130),
)
TABLE_RIGHT = PAGE_WIDTH - MARGIN


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One verdict as printed: every value already in display form ("—" where there is none)."""

    line: str
    outcome: str  # the pages' wording (services.WORDINGS) or error: picks the colour
    outcome_text: str
    explanation: str
    number: str
    holder: str
    title: str
    issuer: str
    details: tuple[tuple[str, str], ...] = ()  # (label, value) pairs of a single report's facts


@dataclass(frozen=True, slots=True)
class ReportDocument:
    number: str
    checked_at: str
    scope: str
    summary: str
    url: str
    signer: str
    lines: tuple[ReportLine, ...]
    single: bool


def report_pages(doc: ReportDocument, font: CjkFont) -> tuple[Page, ...]:
    """The report's A4 pages: heading, facts and QR on the first, the table continued on the next."""
    first: list[Item] = [*_heading(doc, font)]
    if doc.single:
        first.extend(_single(doc.lines[0], font))
        pages = [first]
    else:
        pages = [first]
        top = 102.0
        rows = list(doc.lines)
        while True:
            items = pages[-1]
            capacity = int((FOOTER_TOP - 6 - top - ROW_PITCH) // ROW_PITCH)
            items.extend(_table(rows[:capacity], top, font))
            rows = rows[capacity:]
            if not rows:
                break
            pages.append([*_continued_heading(doc, font)])
            top = 30.0
    count = len(pages)
    return tuple(
        Page(
            PAGE_WIDTH,
            PAGE_HEIGHT,
            (*items, *_footer(doc, font, index + 1, count)),
            title=f"核验报告 {doc.number}",
        )
        for index, items in enumerate(pages)
    )


def _heading(doc: ReportDocument, font: CjkFont) -> Iterator[Item]:
    yield _centred(font, "职称电子证书核验报告", PAGE_WIDTH / 2, 24.0, 7.0, colour=TITLE_RED)
    yield _centred(
        font,
        "Verification report · electronic professional-title certificates",
        PAGE_WIDTH / 2,
        31.0,
        3.0,
        colour=LABEL_GREY,
    )
    yield Line(MARGIN, 36.0, PAGE_WIDTH - MARGIN, 36.0, 0.3, RULE_GREY)
    qr_size = 34.0
    matrix = qr_matrix(doc.url)
    qr_left = PAGE_WIDTH - MARGIN - qr_size
    yield QrCode(qr_left, 40.0, qr_size / len(matrix), matrix)
    yield _centred(font, "扫码查看本报告记录的结果", qr_left + qr_size / 2, 79.0, 2.6, colour=LABEL_GREY)
    facts = (
        ("报告编号", doc.number),
        ("核验时间", doc.checked_at),
        ("核验内容", doc.scope),
        ("结果汇总", doc.summary),
        ("查询地址", doc.url),
    )
    baseline = 47.0
    for label, value in facts:
        yield Text(MARGIN, baseline, label, 3.3, LABEL_GREY)
        yield Text(MARGIN + 20, baseline, _fit(font, value, 3.5, qr_left - MARGIN - 24), 3.5, INK)
        baseline += 7.5
    yield Line(MARGIN, 88.0, PAGE_WIDTH - MARGIN, 88.0, 0.3, RULE_GREY)


def _continued_heading(doc: ReportDocument, font: CjkFont) -> Iterator[Item]:
    yield Text(MARGIN, 18.0, "职称电子证书核验报告（续）", 4.2, TITLE_RED)
    yield Text(MARGIN, 24.0, f"报告编号 {doc.number}", 3.0, LABEL_GREY)
    yield Line(MARGIN, 27.0, PAGE_WIDTH - MARGIN, 27.0, 0.3, RULE_GREY)


def _single(line: ReportLine, font: CjkFont) -> Iterator[Item]:
    colour = OUTCOME_COLOURS.get(line.outcome, INK)
    yield Frame(MARGIN, 94.0, PAGE_WIDTH - 2 * MARGIN, 22.0, 0.6, colour)
    yield Text(MARGIN + 5, 104.0, line.outcome_text, 6.5, colour, stroke=0.12)
    yield Text(MARGIN + 5, 112.0, _fit(font, line.explanation, 3.6, PAGE_WIDTH - 2 * MARGIN - 10), 3.6, INK)
    baseline = 128.0
    for label, value in line.details:
        yield Text(MARGIN, baseline, label, 3.4, LABEL_GREY)
        yield Text(MARGIN + 32, baseline, _fit(font, value, 3.8, PAGE_WIDTH - 2 * MARGIN - 32), 3.8, INK)
        baseline += 8.5
        if baseline > FOOTER_TOP - 8:
            break


def _table(rows: list[ReportLine], top: float, font: CjkFont) -> Iterator[Item]:
    header = top - 3.0
    for title, left in COLUMNS:
        yield Text(left, header, title, TABLE_SIZE, LABEL_GREY)
    yield Line(MARGIN, top - 1.5, TABLE_RIGHT, top - 1.5, 0.25, RULE_GREY)
    rights = [left - 1.5 for _, left in COLUMNS[1:]] + [TABLE_RIGHT]
    for position, row in enumerate(rows):
        baseline = top + (position + 1) * ROW_PITCH - 1.6
        colour = OUTCOME_COLOURS.get(row.outcome, INK)
        values = (row.line, row.outcome_text, row.number, row.holder, row.title, row.issuer)
        for (_, left), right, value, ink in zip(
            COLUMNS, rights, values, (INK, colour, INK, INK, INK, INK), strict=True
        ):
            yield Text(left, baseline, _fit(font, value, TABLE_SIZE, right - left), TABLE_SIZE, ink)
        yield Line(MARGIN, baseline + 1.8, TABLE_RIGHT, baseline + 1.8, 0.1, RULE_GREY)


def _footer(doc: ReportDocument, font: CjkFont, page: int, pages: int) -> Iterator[Item]:
    yield Line(MARGIN, FOOTER_TOP, PAGE_WIDTH - MARGIN, FOOTER_TOP, 0.3, RULE_GREY)
    notes = (
        "本报告记录核验时间当时的查验结果；证书状态此后可能变化，可扫码或访问查询地址核对记录，或重新查验。",
        f"本报告由 {doc.signer} 以电子签章（数字签名）签署，任何改动都会使签名失效。本报告不记录查验人的任何信息。",
    )
    baseline = FOOTER_TOP + 5.0
    for note in notes:
        yield Text(MARGIN, baseline, _fit(font, note, 2.6, PAGE_WIDTH - 2 * MARGIN), 2.6, LABEL_GREY)
        baseline += 4.2
    yield Text(MARGIN, baseline + 1.0, f"报告编号 {doc.number}", 2.6, LABEL_GREY)
    page_text = f"第 {page} 页 / 共 {pages} 页"
    yield Text(
        PAGE_WIDTH - MARGIN - font.text_width(page_text, 2.6), baseline + 1.0, page_text, 2.6, LABEL_GREY
    )


def _centred(
    font: CjkFont, text: str, centre: float, baseline: float, size: float, *, colour: Colour
) -> Text:
    return Text(centre - font.text_width(text, size) / 2, baseline, text, size, colour)


def _fit(font: CjkFont, text: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` mm at ``size``."""
    if font.text_width(text, size) <= width:
        return text
    while text and font.text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"
