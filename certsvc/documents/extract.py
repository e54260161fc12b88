"""Reading back what a rendered certificate carries, for ``certsvc verify FILE``.

Inputs here are untrusted files: anything unreadable raises :class:`UnreadableDocument`, and image
size is bounded before pixels are decoded.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from certsvc.documents.pdf import ATTACHMENT_NAME
from certsvc.documents.png import CREDENTIAL_KEY
from certsvc.errors import DocumentError, UnreadableDocument

# A phone photo is ~50 megapixels at most; anything larger is refused before decoding.
MAX_IMAGE_PIXELS = 64_000_000


def credential_from_png(data: bytes) -> str | None:
    """The compact JWS stored in a certsvc PNG's text chunk, or None if the PNG has none."""
    with _open_image(data) as image:
        if image.format != "PNG":
            raise UnreadableDocument(f"expected a PNG file, got {image.format or 'unknown format'}")
        # Text chunks before the image data are parsed by open(); no pixels need decoding.
        value = image.info.get(CREDENTIAL_KEY)
    return value.strip() if isinstance(value, str) and value.strip() else None


def credential_from_pdf(data: bytes) -> str | None:
    """The compact JWS attached to a certsvc PDF as ``credential.jws``, or None if absent."""
    try:
        attachments = PdfReader(io.BytesIO(data)).attachments
        contents = attachments.get(ATTACHMENT_NAME) if ATTACHMENT_NAME in attachments else None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableDocument("the file is not a readable PDF") from exc
    if not contents:
        return None
    try:
        return contents[0].decode("ascii").strip() or None
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(f"{ATTACHMENT_NAME} is not a compact JWS") from exc


def qr_text_from_image(data: bytes) -> list[str]:
    """Texts of every QR code found in an image (PNG, JPEG, …), in reading order of the decoder."""
    try:
        from pyzbar import pyzbar
    except ImportError as exc:  # pyzbar raises ImportError when the zbar shared library is absent
        raise DocumentError("QR decoding needs the zbar library: apt-get install libzbar0") from exc
    with _open_image(data) as image:
        try:
            grey = image.convert("L")
        except (OSError, ValueError) as exc:
            raise UnreadableDocument("the image data is corrupt") from exc
    symbols = pyzbar.decode(grey, symbols=[pyzbar.ZBarSymbol.QRCODE])
    return [symbol.data.decode("utf-8", "replace") for symbol in symbols]


def _open_image(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (
        UnidentifiedImageError,
        OSError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as exc:
        raise UnreadableDocument("the file is not an image certsvc can read") from exc
    if image.width * image.height > MAX_IMAGE_PIXELS:
        image.close()
        raise UnreadableDocument(f"the image is too large ({image.width}×{image.height} pixels)")
    return image
