"""Reading back what a rendered certificate carries, for ``certsvc verify FILE`` and uploads.

Inputs here are untrusted files: anything unreadable raises :class:`UnreadableDocument`, and image
size is bounded from the header before pixels are decoded. Phone photos are read by two decoders
(docs/adr/0014-holders-share-activate-photos.md): zbar, fast on clean scans, and OpenCV's WeChat
QR detector, built for what phones send (recompressed, unevenly lit, at an angle), each first on
the photo as sent and then on a 2x enlargement for QR codes only a few pixels per module wide.

Every image has a pixel budget checked from its header before pixels are decoded (issue 16,
finding 3): PNG/JPEG headers, and the /Width and /Height a PDF declares for each image it holds.
The PDF library may fail on a crafted file with almost any exception, so its parsing is fenced in
one place and whatever it raises means "not a readable PDF".
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterator
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from PIL import Image, PngImagePlugin, UnidentifiedImageError
from pypdf import PageObject, PdfReader

from certsvc.documents.pdf import ATTACHMENT_NAME
from certsvc.documents.png import CREDENTIAL_KEY
from certsvc.errors import DocumentError, UnreadableDocument

# A phone photo is ~50 megapixels at most; anything larger is refused from its header alone.
MAX_IMAGE_PIXELS = 64_000_000
# Pixels actually decoded and searched: larger photos are scaled down to about this much first
# (JPEG through the decoder's own DCT scaling, so a 50 MP photo never exists in memory at full
# size). A whole A4 certificate in 4 MP still gives its QR code ~5 pixels per module.
DECODE_PIXELS = 4_000_000
# Below this many pixels a photo is also searched enlarged 2x: WeChat's detector finds QR codes
# of ~2 pixels per module (a whole certificate photographed at 900 px) only after enlarging.
ENLARGE_BELOW_PIXELS = 2_000_000
# Real images carry some bytes per pixel; one that claims many pixels for almost no bytes is a bomb
# (an 8000×8000 PNG fits in 8 KB and decodes to 64 MB).
MIN_BYTES_PER_MEGAPIXEL = 1024
_SMALL_IMAGE_PIXELS = 4_000_000
# Our credential chunk is ~2 KB; Pillow's defaults let text chunks inflate to 1 MB each, 64 MB in all.
PngImagePlugin.MAX_TEXT_CHUNK = 64 * 1024
PngImagePlugin.MAX_TEXT_MEMORY = 256 * 1024
T = TypeVar("T")

Grey = npt.NDArray[np.uint8]


def credential_from_png(data: bytes) -> str | None:
    """The compact JWS stored in a certsvc PNG's text chunk, or None if the PNG has none."""
    with _open_image(data) as image:
        if image.format != "PNG":
            raise UnreadableDocument(
                f"expected a PNG file, got {image.format or 'unknown format'}", detail_zh="文件不是 PNG 图片"
            )
        # Text chunks before the image data are parsed by open(); no pixels need decoding.
        value = image.info.get(CREDENTIAL_KEY)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _fenced_pdf(read: Callable[[], T]) -> T:
    """Run ``read`` over an untrusted PDF: whatever the PDF library raises means unreadable."""
    try:
        return read()
    except UnreadableDocument:
        raise
    except Exception as exc:
        raise UnreadableDocument("the file is not a readable PDF", detail_zh="无法读取该 PDF 文件") from exc


def credential_from_pdf(data: bytes) -> str | None:
    """The compact JWS attached to a certsvc PDF as ``credential.jws``, or None if absent."""

    def read() -> list[bytes] | None:
        attachments = PdfReader(io.BytesIO(data)).attachments
        return attachments.get(ATTACHMENT_NAME) if ATTACHMENT_NAME in attachments else None

    contents = _fenced_pdf(read)
    if not contents:
        return None
    try:
        return contents[0].decode("ascii").strip() or None
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(
            f"{ATTACHMENT_NAME} is not a compact JWS", detail_zh="PDF 附带的电子凭证格式不正确"
        ) from exc


def qr_texts_from_pdf_images(data: bytes, pages: int) -> list[str]:
    """Texts of the QR codes in the images of the first ``pages`` pages of a (scanned) PDF."""

    def images() -> list[bytes]:
        found: list[bytes] = []
        for page in PdfReader(io.BytesIO(data)).pages[:pages]:
            _check_pdf_image_sizes(page)
            found.extend(image.data for image in page.images)
        return found

    texts: list[str] = []
    for image in _fenced_pdf(images):
        try:
            texts.extend(qr_text_from_image(image))
        except UnreadableDocument:
            continue
    return texts


def _check_pdf_image_sizes(page: PageObject) -> None:
    """Refuse a page whose images declare sizes out of budget before the library decodes them."""
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    if xobjects is None:
        return
    for reference in xobjects.get_object().values():
        xobject = reference.get_object()
        if xobject.get("/Subtype") != "/Image":
            continue
        width, height = xobject.get("/Width"), xobject.get("/Height")
        if not isinstance(width, int) or not isinstance(height, int) or width <= 0 or height <= 0:
            raise UnreadableDocument(
                "the PDF holds an image without a valid size", detail_zh="PDF 中的图片尺寸无效"
            )
        _check_pixel_budget(width, height, None)


def _check_pixel_budget(width: int, height: int, size: int | None) -> None:
    """Refuse an image over the pixel budget, or a large one with implausibly few bytes per pixel."""
    pixels = width * height
    if pixels > MAX_IMAGE_PIXELS:
        raise UnreadableDocument(
            f"the image is too large ({width}×{height} pixels; at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels)",
            detail_zh=f"图片过大（{width}×{height} 像素，最多 {MAX_IMAGE_PIXELS // 1_000_000} 百万像素）",
        )
    if (
        size is not None
        and pixels > _SMALL_IMAGE_PIXELS
        and size * 1_000_000 < pixels * MIN_BYTES_PER_MEGAPIXEL
    ):
        raise UnreadableDocument(
            f"the image claims far more pixels ({width}×{height}) than its {size} bytes can hold",
            detail_zh="图片声明的像素数与文件大小不符",
        )


def qr_text_from_image(data: bytes) -> list[str]:
    """Texts of the QR codes found in an image (PNG, JPEG, …), from the first decoder that finds any.

    Tries zbar and then the WeChat detector on the image, then both on a 2x enlargement of small
    images; the first attempt that reads something wins, so clean scans cost one zbar pass.
    """
    grey = _grey_pixels(data)
    for image in _search_scales(grey):
        for decode in _decoders():
            texts = decode(image)
            if texts:
                return texts
    return []


def _grey_pixels(data: bytes) -> Grey:
    """The image as 8-bit grey, scaled down to about ``DECODE_PIXELS`` while it is decoded."""
    with _open_image(data) as image:
        try:
            if image.width * image.height > DECODE_PIXELS:
                scale = (DECODE_PIXELS / (image.width * image.height)) ** 0.5
                target = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
                # JPEG decodes straight to a power-of-two reduction at least ``target`` large.
                image.draft("L", target)
                grey = image.convert("L")
                if grey.width * grey.height > DECODE_PIXELS * 1.5:
                    grey = grey.resize(target, Image.Resampling.BOX)
            else:
                grey = image.convert("L")
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise UnreadableDocument("the image data is corrupt", detail_zh="图片数据已损坏") from exc
    return np.asarray(grey, dtype=np.uint8)


def _search_scales(grey: Grey) -> Iterator[Grey]:
    yield grey
    if 0 < grey.size < ENLARGE_BELOW_PIXELS:
        import cv2

        yield np.asarray(cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC), dtype=np.uint8)


def _decoders() -> tuple[Callable[[Grey], list[str]], ...]:
    return (_zbar_texts, _wechat_texts)


def _zbar_texts(grey: Grey) -> list[str]:
    try:
        from pyzbar import pyzbar
    except ImportError as exc:  # pyzbar raises ImportError when the zbar shared library is absent
        raise DocumentError("QR decoding needs the zbar library: apt-get install libzbar0") from exc
    symbols = pyzbar.decode(grey, symbols=[pyzbar.ZBarSymbol.QRCODE])
    return [symbol.data.decode("utf-8", "replace") for symbol in symbols]


def _wechat_texts(grey: Grey) -> list[str]:
    """WeChat's detector without its optional CNN models (the wheel does not ship them): its
    classic finder-pattern detector and ZXing-derived decoder, which tolerate blur, noise,
    uneven light and perspective better than zbar. A new detector per call: they are cheap
    (~50 µs) and not documented as thread-safe."""
    import cv2

    texts, _corners = cv2.wechat_qrcode.WeChatQRCode().detectAndDecode(grey)
    return [str(text) for text in texts if text]


def _open_image(data: bytes) -> Image.Image:
    """The image with only its header read; refused when it is over the pixel budget."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        # Pillow's own guard fires from the header too, for images far above ours.
        raise UnreadableDocument("the image is too large", detail_zh="图片像素过多，请缩小后再上传") from exc
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,  # e.g. a PNG text chunk that inflates beyond MAX_TEXT_CHUNK
    ) as exc:
        raise UnreadableDocument(
            "the file is not an image certsvc can read", detail_zh="无法读取该图片文件"
        ) from exc
    try:
        _check_pixel_budget(image.width, image.height, len(data))
    except UnreadableDocument:
        image.close()
        raise
    return image
