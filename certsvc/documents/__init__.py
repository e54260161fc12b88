"""Certificate documents: PNG and PDF renderings of a :class:`CertificateDocument`, and reading
back the credential and QR text they carry.

Rendering is pure: the same document and font file give the same bytes. Typical use::

    font = find_cjk_font(settings.cjk_font)
    png = cached_render(cache_dir, RenderKey(number, version, "png"), lambda: render_png(doc, font))
    pdf = render_pdf(doc, PdfSealer(seal_key, seal_certificate, ca_certificate), font)
"""

from certsvc.documents.cache import RENDERER_VERSION, RenderKey, cached_render
from certsvc.documents.extract import credential_from_pdf, credential_from_png, qr_text_from_image
from certsvc.documents.fonts import CjkFont, find_cjk_font
from certsvc.documents.model import CertificateDocument
from certsvc.documents.pdf import render_pdf
from certsvc.documents.png import render_png
from certsvc.documents.signature import PdfSealer, PdfSignatureCheck, check_pdf_signature, sign_pdf

__all__ = [
    "RENDERER_VERSION",
    "CertificateDocument",
    "CjkFont",
    "PdfSealer",
    "PdfSignatureCheck",
    "RenderKey",
    "cached_render",
    "check_pdf_signature",
    "credential_from_pdf",
    "credential_from_png",
    "find_cjk_font",
    "qr_text_from_image",
    "render_pdf",
    "render_png",
    "sign_pdf",
]
