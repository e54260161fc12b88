"""PDF rendering of a certificate: selectable text in an embedded subset CJK font, vector QR, the
signed credential attached as ``credential.jws`` (PDF EmbeddedFiles), the issuing authority and issue
date in the document information, and a PAdES signature by the authority's seal certificate whose
appearance is the vector seal (see ``documents.signature``)."""

from __future__ import annotations

import dataclasses
import functools
import io
import math

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from certsvc.documents import layout
from certsvc.documents.fonts import CjkFont, find_cjk_font
from certsvc.documents.layout import Colour, Frame, Line, Page, Polygon, QrCode, Seal, Text, Watermark
from certsvc.documents.model import CertificateDocument
from certsvc.documents.signature import PdfSealer, sign_pdf, sign_pdf_invisibly

ATTACHMENT_NAME = "credential.jws"
REPORT_SIGNATURE_REASON = "职称电子证书核验报告 / Verification report"
# Dark QR modules overlap their neighbours by this fraction so rasterisers show no hairline seams.
QR_MODULE_OVERLAP = 0.02


def render_pdf(doc: CertificateDocument, sealer: PdfSealer, font: CjkFont | None = None) -> bytes:
    """The certificate as a signed PDF: ``page_pdf`` followed by an incremental update adding the
    seal signature. The signature differs at each signing (time, ECDSA nonce); what it covers does not."""
    font = font or find_cjk_font()
    page = layout.build_page(doc, font)
    [seal] = [item for item in page.items if isinstance(item, Seal)]
    return sign_pdf(
        _page_pdf(page, doc, font), sealer, appearance=_seal_pdf(seal, font), box=_seal_box(seal, page)
    )


def page_pdf(doc: CertificateDocument, font: CjkFont | None = None) -> bytes:
    """The unsigned first revision of ``render_pdf``'s file: everything but the seal, which the
    signature adds as its appearance. The same input and font file give the same bytes."""
    font = font or find_cjk_font()
    return _page_pdf(layout.build_page(doc, font), doc, font)


def _page_pdf(page: Page, doc: CertificateDocument, font: CjkFont) -> bytes:
    body = dataclasses.replace(page, items=tuple(item for item in page.items if not isinstance(item, Seal)))
    return _with_attachment_and_info(_draw(body, font), doc)


@functools.lru_cache(maxsize=64)
def _seal_pdf(seal: Seal, font: CjkFont) -> bytes:
    """A page exactly the seal's size holding only the seal: the signature's appearance."""
    side = 2 * seal.radius
    centred = dataclasses.replace(seal, cx=seal.radius, cy=seal.radius)
    return _draw(Page(side, side, (centred,), title="seal"), font)


def _seal_box(seal: Seal, page: Page) -> tuple[int, int, int, int]:
    """The signature widget's rectangle in whole points, just enclosing the seal (which pyHanko
    centres in it, unscaled)."""
    left, right = (seal.cx - seal.radius) * mm, (seal.cx + seal.radius) * mm
    bottom = (page.height - seal.cy - seal.radius) * mm
    top = (page.height - seal.cy + seal.radius) * mm
    return (math.floor(left), math.floor(bottom), math.ceil(right), math.ceil(top))


def render_report_pdf(pages: tuple[Page, ...], sealer: PdfSealer, font: CjkFont, *, subject: str) -> bytes:
    """A verification report's pages as one PDF, signed (PAdES, no visible widget) by ``sealer``."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_draw_pages(pages, font))))
    writer.add_metadata({"/Author": sealer.signer_name, "/Subject": subject})
    out = io.BytesIO()
    writer.write(out)
    return sign_pdf_invisibly(out.getvalue(), sealer, reason=REPORT_SIGNATURE_REASON)


def _draw(page: Page, font: CjkFont) -> bytes:
    return _draw_pages((page,), font)


def _draw_pages(pages: tuple[Page, ...], font: CjkFont) -> bytes:
    first = pages[0]
    face = font.reportlab_font()
    for chained in font.faces:
        if chained.reportlab_font().fontName not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(chained.reportlab_font())
    out = io.BytesIO()
    # invariant=1 fixes the creation date and document ID, so the same page gives the same bytes.
    canvas = Canvas(
        out,
        pagesize=(first.width * mm, first.height * mm),
        invariant=1,
        pageCompression=1,
        # Otherwise reportlab references Helvetica, a font the PDF would not embed.
        initialFontName=face.fontName,
        lang="zh-CN",
    )
    canvas.setTitle(first.title)
    canvas.setCreator("certsvc")
    canvas.setProducer("certsvc (reportlab)")
    for page in pages:
        canvas.setPageSize((page.width * mm, page.height * mm))
        painter = _Painter(canvas, page.height, font)
        for item in page.items:
            painter.draw(item)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


class _Painter:
    """Translates layout primitives (mm, y down) into PDF drawing operations (pt, y up)."""

    def __init__(self, canvas: Canvas, page_height: float, font: CjkFont) -> None:
        self.canvas = canvas
        self.page_height = page_height
        self.font = font
        self.font_name = font.reportlab_font().fontName

    def y(self, value: float) -> float:
        return float((self.page_height - value) * mm)

    def draw(self, item: layout.Item) -> None:
        match item:
            case Text():
                self.text(item)
            case Line():
                self.canvas.setStrokeColorRGB(*_rgb(item.colour))
                self.canvas.setLineWidth(item.width * mm)
                self.canvas.line(item.x1 * mm, self.y(item.y1), item.x2 * mm, self.y(item.y2))
            case Frame():
                self.canvas.setStrokeColorRGB(*_rgb(item.colour))
                self.canvas.setLineWidth(item.line_width * mm)
                bottom = self.y(item.y + item.height)
                self.canvas.rect(item.x * mm, bottom, item.width * mm, item.height * mm, stroke=1, fill=0)
            case Polygon():
                self.polygon(item.points, item.colour)
            case QrCode():
                self.qr(item)
            case Seal():
                self.seal(item)
            case Watermark():
                self.watermark(item)

    def text(self, item: Text) -> None:
        # Text render mode and line width are graphics state that reportlab does not track across
        # text objects: confine them to this text with q/Q.
        self.canvas.saveState()
        text = self.canvas.beginText(item.x * mm, self.y(item.y))
        text.setFillColorRGB(*_rgb(item.colour))
        if item.stroke:
            # Fill plus an outline in the same colour: the PDF form of the PNG's faux bold.
            text.setTextRenderMode(2)
            text.setStrokeColorRGB(*_rgb(item.colour))
            self.canvas.setLineWidth(2 * item.stroke * mm)
        # One run per face of the fallback chain; textOut advances the pen by each run's width.
        for face, run in self.font.runs(item.text):
            text.setFont(face.reportlab_font().fontName, item.size * mm)
            text.textOut(run)
        self.canvas.drawText(text)
        self.canvas.restoreState()

    def polygon(self, points: tuple[tuple[float, float], ...], colour: Colour) -> None:
        path = self.canvas.beginPath()
        path.moveTo(points[0][0] * mm, self.y(points[0][1]))
        for x, y in points[1:]:
            path.lineTo(x * mm, self.y(y))
        path.close()
        self.canvas.setFillColorRGB(*_rgb(colour))
        self.canvas.drawPath(path, stroke=0, fill=1)

    def qr(self, item: QrCode) -> None:
        module = item.module
        grow = module * QR_MODULE_OVERLAP
        path = self.canvas.beginPath()
        for row_index, row in enumerate(item.matrix):
            top = item.y + row_index * module
            column = 0
            while column < len(row):
                if not row[column]:
                    column += 1
                    continue
                start = column
                while column < len(row) and row[column]:
                    column += 1
                # One rectangle per horizontal run of dark modules keeps the page small.
                left = item.x + start * module
                width = (column - start) * module
                path.rect(left * mm, self.y(top + module + grow), (width + grow) * mm, (module + grow) * mm)
        self.canvas.setFillColorRGB(0, 0, 0)
        self.canvas.drawPath(path, stroke=0, fill=1)

    def seal(self, item: Seal) -> None:
        canvas, geometry = self.canvas, item.geometry
        canvas.saveState()
        canvas.setBlendMode("Multiply")
        canvas.translate(item.cx * mm, self.y(item.cy))
        radius = item.radius * mm
        canvas.setStrokeColorRGB(*_rgb(item.colour))
        canvas.setFillColorRGB(*_rgb(item.colour))
        canvas.setLineWidth(geometry.ring_width * radius)
        canvas.circle(0, 0, geometry.ring_radius * radius, stroke=1, fill=0)
        star = canvas.beginPath()
        star.moveTo(geometry.star[0][0] * radius, -geometry.star[0][1] * radius)
        for x, y in geometry.star[1:]:
            star.lineTo(x * radius, -y * radius)
        star.close()
        canvas.drawPath(star, stroke=0, fill=1)
        for glyph in geometry.glyphs:
            size = glyph.size * radius
            canvas.saveState()
            canvas.translate(glyph.x * radius, -glyph.y * radius)
            canvas.rotate(-glyph.angle)
            canvas.scale(glyph.x_scale, 1)
            text = canvas.beginText()
            text.setFont(self.font_name, size)
            text.setTextRenderMode(2)
            canvas.setLineWidth(2 * glyph.weight * size)
            # Ideographs are centred about 0.345 em above their baseline.
            text.setTextOrigin(-pdfmetrics.stringWidth(glyph.char, self.font_name, size) / 2, -0.345 * size)
            text.textOut(glyph.char)
            canvas.drawText(text)
            canvas.restoreState()
        canvas.restoreState()

    def watermark(self, item: Watermark) -> None:
        canvas = self.canvas
        canvas.saveState()
        canvas.translate(item.cx * mm, self.y(item.cy))
        canvas.rotate(item.angle)
        canvas.setFillColorRGB(*_rgb(item.colour))
        canvas.setFillAlpha(item.opacity)
        size = item.size * mm
        canvas.setFont(self.font_name, size)
        canvas.drawCentredString(0, -0.345 * size, item.text)
        canvas.restoreState()


def _rgb(colour: Colour) -> tuple[float, float, float]:
    return (colour[0] / 255, colour[1] / 255, colour[2] / 255)


def _with_attachment_and_info(pdf: bytes, doc: CertificateDocument) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    attachment = writer.add_attachment(ATTACHMENT_NAME, doc.credential_jws.encode("ascii"))
    attachment.subtype = NameObject("/application#2Fjose")
    attachment.description = TextStringObject("Signed credential (compact JWS) of this certificate")
    # The document is dated by its version's issue (China time midnight): the same bytes each render.
    issued = doc.reissue_date or doc.issue_date
    pdf_date = f"D:{issued:%Y%m%d}000000+08'00'"
    writer.add_metadata(
        {
            "/Author": doc.authority_name,
            "/Subject": f"职称电子证书 {doc.certificate_number} 第{doc.version}版",
            "/Keywords": f"{doc.certificate_number}, {doc.title}, {doc.authority_name}",
            "/CreationDate": pdf_date,
            "/ModDate": pdf_date,
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
