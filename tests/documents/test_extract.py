"""Reading credentials and QR texts back from files handed to ``certsvc verify``."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image
from pypdf import PdfWriter

from certsvc.documents.extract import credential_from_pdf, credential_from_png, qr_text_from_image
from certsvc.errors import UnreadableDocument
from tests.documents.support import png_bytes


def test_png_without_a_credential_gives_none() -> None:
    """An ordinary PNG (e.g. a screenshot) has no credential: None, not an error."""
    assert credential_from_png(png_bytes(Image.new("RGB", (8, 8), "white"))) is None


def test_jpeg_is_not_accepted_as_a_certsvc_png() -> None:
    """The credential lives in a PNG text chunk; another format is reported as unreadable."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "JPEG")
    with pytest.raises(UnreadableDocument):
        credential_from_png(out.getvalue())


@pytest.mark.parametrize("read", [credential_from_png, credential_from_pdf, qr_text_from_image])
def test_garbage_bytes_are_unreadable(read: Callable[[bytes], object]) -> None:
    """Bytes that are no image or PDF raise UnreadableDocument rather than a library exception."""
    with pytest.raises(UnreadableDocument):
        read(b"certainly not a document")


def test_pdf_without_attachment_gives_none() -> None:
    """A PDF that carries no credential.jws yields None."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    assert credential_from_pdf(out.getvalue()) is None


def test_image_without_qr_gives_no_texts() -> None:
    """An image with no QR code decodes to an empty list."""
    assert qr_text_from_image(png_bytes(Image.new("L", (200, 200), 255))) == []


def test_oversized_image_is_refused_before_decoding() -> None:
    """A huge (decompression-bomb sized) image is refused from its header alone."""
    with pytest.raises(UnreadableDocument, match="too large"):
        qr_text_from_image(png_bytes(Image.new("1", (9000, 9000))))
