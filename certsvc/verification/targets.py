"""Turning what a verifier hands in (a file, a photo, scanned text) into the token to verify.

Uploaded files are untrusted: the document readers bound image sizes and raise
``UnreadableDocument``; this module only decides which reader to use and which QR text counts.
"""

from __future__ import annotations

from certsvc.errors import UnreadableDocument

MAX_TOKEN_CHARS = 16_384
_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG, what phone cameras write
    b"GIF8",
    b"BM",
    b"II*\x00",  # TIFF
    b"MM\x00*",
)
_PDF_MAGIC = b"%PDF-"
_PDF_PAGES_SCANNED = 2


def is_document(data: bytes) -> bool:
    """True when ``data`` starts like a PDF or an image file rather than like token text."""
    head = data[:16]
    is_webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return head.startswith(_PDF_MAGIC) or head.startswith(_IMAGE_MAGIC) or is_webp


def token_from_document(data: bytes) -> str:
    """The credential a certsvc PNG/PDF carries, else the certsvc QR found in the image or PDF.

    The embedded credential is preferred: it is the same signed version as the QR, with more facts.
    """
    from certsvc.documents.extract import credential_from_pdf, credential_from_png

    if data.startswith(_PDF_MAGIC):
        credential = credential_from_pdf(data)
        return credential or _qr_from_pdf_images(data)
    if data.startswith(b"\x89PNG"):
        credential = credential_from_png(data)
        if credential:
            return credential
    return pick_qr_text(_qr_texts(data))


def pick_qr_text(texts: list[str]) -> str:
    """The first QR text that looks like a certsvc verification URL or payload."""
    for text in texts:
        candidate = text.strip()
        if "/v/" in candidate.lower() or (candidate.isalnum() and candidate.isupper()):
            return candidate
    if texts:
        return texts[0].strip()
    raise UnreadableDocument(
        "no QR code was found in the file; photograph the QR code squarely and in focus",
        detail_zh="文件中未找到二维码，请正对二维码拍摄清晰的照片",
    )


def _qr_texts(data: bytes) -> list[str]:
    from certsvc.documents.extract import qr_text_from_image

    return qr_text_from_image(data)


def _qr_from_pdf_images(data: bytes) -> str:
    """A scanned PDF has no attachment: look for the QR in the images of its first pages."""
    from certsvc.documents.extract import qr_texts_from_pdf_images

    texts = qr_texts_from_pdf_images(data, _PDF_PAGES_SCANNED)
    return pick_qr_text(texts)
