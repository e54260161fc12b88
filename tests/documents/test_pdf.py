"""PDF rendering: selectable text, subset CJK font, attached credential, scannable QR, size."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from certsvc.documents.extract import credential_from_pdf, qr_text_from_image
from certsvc.documents.fonts import CjkFont
from certsvc.documents.pdf import page_pdf, render_pdf
from certsvc.documents.signature import PdfSealer
from tests.documents.support import QR_URL, VERSION_ONE, VERSION_TWO, png_bytes, rasterise_pdf

A4_POINTS = (595.28, 841.89)


def _text(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_pdf_is_one_a4_page(font: CjkFont, sealer: PdfSealer) -> None:
    """The PDF is a single A4 portrait page."""
    reader = PdfReader(io.BytesIO(render_pdf(VERSION_ONE, sealer, font)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A4_POINTS


def test_pdf_text_is_selectable(font: CjkFont, sealer: PdfSealer) -> None:
    """Copying text out of the PDF yields the holder's name and the certificate number."""
    text = _text(render_pdf(VERSION_ONE, sealer, font))
    assert VERSION_ONE.holder_name in text
    assert VERSION_ONE.certificate_number in text
    assert "评审委员会：" + VERSION_ONE.committee_name in text.replace(" ", "")


def test_pdf_embeds_only_a_subset_of_the_cjk_font(font: CjkFont, sealer: PdfSealer) -> None:
    """The font travels inside the PDF (readable anywhere) as a subset, keeping the file small."""
    pdf = render_pdf(VERSION_ONE, sealer, font)
    resources = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    fonts = resources["/Font"].get_object()
    assert isinstance(fonts, DictionaryObject)
    descriptors = []
    for reference in fonts.values():
        font_dict = reference.get_object()
        assert isinstance(font_dict, DictionaryObject)
        assert "+" in str(font_dict["/BaseFont"]), "subset fonts carry a tag like ABCDEF+Name"
        descriptor = font_dict["/FontDescriptor"].get_object()
        assert isinstance(descriptor, DictionaryObject)
        descriptors.append(descriptor)
    assert descriptors and all("/FontFile2" in d for d in descriptors)
    assert len(pdf) <= 300 * 1024


def test_credential_round_trips_through_pdf_attachment(font: CjkFont, sealer: PdfSealer) -> None:
    """The JWS is attached as credential.jws and read back unchanged."""
    pdf = render_pdf(VERSION_TWO, sealer, font)
    assert list(PdfReader(io.BytesIO(pdf)).attachments) == ["credential.jws"]
    assert credential_from_pdf(pdf) == VERSION_TWO.credential_jws


def test_pdf_page_is_deterministic_and_only_the_signature_is_new(font: CjkFont, sealer: PdfSealer) -> None:
    """The same document gives the same page bytes (no clock in them); a signed PDF is those bytes
    followed by the signature's incremental update, so two signings differ only after them."""
    page = page_pdf(VERSION_TWO, font)
    assert page == page_pdf(VERSION_TWO, font)
    first, second = render_pdf(VERSION_TWO, sealer, font), render_pdf(VERSION_TWO, sealer, font)
    assert first.startswith(page) and second.startswith(page)
    assert len(first) > len(page)


def test_qr_on_rasterised_pdf_scans_to_exactly_the_url(
    font: CjkFont, sealer: PdfSealer, tmp_path: Path
) -> None:
    """The vector QR, printed at 150 dpi, scans to the verification URL."""
    page = rasterise_pdf(render_pdf(VERSION_ONE, sealer, font), tmp_path)
    assert qr_text_from_image(png_bytes(page)) == [QR_URL]


def test_reissue_marker_and_date_appear_only_on_reissued_versions(font: CjkFont, sealer: PdfSealer) -> None:
    """Version 2 says 补发 with its reissue date and version; version 1 says neither."""
    reissued = _text(render_pdf(VERSION_TWO, sealer, font)).replace(" ", "")
    original = _text(render_pdf(VERSION_ONE, sealer, font)).replace(" ", "")
    assert "补发" in reissued
    assert "补发日期：2025年3月1日" in reissued
    assert "第2版" in reissued
    assert "补发" not in original
    assert "第1版" in original
