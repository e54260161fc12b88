"""PAdES signatures on certificate PDFs, made and checked with pyHanko.

``sign_pdf`` adds one signature field, named ``Seal``, whose widget is the red seal: the visible seal
IS the signature's appearance, so a reader shows the seal together with the signature's state and
any change to the file after signing. The CMS signature is PAdES B-B (``ETSI.CAdES.detached``,
signing certificate in a signed attribute) by the issuing authority's seal certificate, with the
issuing CA in the certificate set; with a timestamp authority configured it is B-T (an RFC 3161
signature timestamp).

``check_pdf_signature`` is the verifier's side: the signature must cover the whole file as it
stands (no later revision), be intact and valid, and chain to the trusted issuing CA.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import warnings
from collections.abc import Iterable

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

with warnings.catch_warnings():
    # pyHanko imports cryptography's DSA types for its own API as it loads; certsvc signs with
    # ECDSA and never uses DSA, and the deprecation notice otherwise greets every command.
    warnings.filterwarnings("ignore", message="DSA is deprecated")
    from pyhanko.pdf_utils import content
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.layout import AxisAlignment, BoxConstraints, Margins, SimpleBoxLayoutRule
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko.stamp import StaticStampStyle


FIELD_NAME = "Seal"
# Room for the CMS of a B-B signature (two P-256 certificates, signed attributes: about 1.5 KB).
# Giving it saves pyHanko's dry-run signature that would otherwise size it, a third of the cost of
# signing; with a timestamp the token's size is unknown, so pyHanko measures it.
BB_SIGNATURE_BYTES = 4096
SIGNATURE_REASON = "职称电子证书 / Electronic certificate of professional title"


@dataclasses.dataclass(frozen=True)
class PdfSealer:
    """What signs a certificate PDF: the authority's seal key and certificate, the CA that issued
    it, and optionally an RFC 3161 timestamp authority (PAdES B-T)."""

    private_key: ec.EllipticCurvePrivateKey = dataclasses.field(repr=False)
    certificate: x509.Certificate
    ca_certificate: x509.Certificate
    tsa_url: str | None = None

    @functools.cached_property
    def signer(self) -> signers.SimpleSigner:
        der_key = self.private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return signers.SimpleSigner(
            signing_cert=_asn1_certificate(self.certificate),
            signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
            # pyHanko's constructor lacks annotations; it takes an iterable of certificates.
            cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
                [_asn1_certificate(self.ca_certificate)]
            ),
        )

    @property
    def signer_name(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return str(names[0].value) if names else ""


class _PdfBytesPage(content.PdfContent):
    """Page ``0`` of a PDF held in memory, as a form XObject (pyHanko's ``ImportedPdfPage`` wants a path)."""

    def __init__(self, pdf: bytes) -> None:
        self._pdf = pdf
        super().__init__()

    def render(self) -> bytes:
        xobject = self._ensure_writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self._pdf)), page_ix=0)
        name = "/SealAppearance"
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"


def sign_pdf(pdf: bytes, sealer: PdfSealer, *, appearance: bytes, box: tuple[int, int, int, int]) -> bytes:
    """``pdf`` with a PAdES signature whose visible appearance is page 0 of ``appearance``, centred
    in ``box`` (x1, y1, x2, y2 in whole PDF points) on the first page."""
    style = StaticStampStyle(
        background=_PdfBytesPage(appearance),
        background_opacity=1.0,
        border_width=0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID, margins=Margins(0, 0, 0, 0)
        ),
    )
    field = fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=0, box=box)
    return _sign(pdf, sealer, reason=SIGNATURE_REASON, field=field, style=style)


def sign_pdf_invisibly(pdf: bytes, sealer: PdfSealer, *, reason: str) -> bytes:
    """``pdf`` with a PAdES signature by ``sealer`` in a field without a widget on the page (a
    verification report prints who signs it in its text; readers list the signature)."""
    return _sign(pdf, sealer, reason=reason, field=fields.SigFieldSpec(sig_field_name=FIELD_NAME))


def _sign(
    pdf: bytes,
    sealer: PdfSealer,
    *,
    reason: str,
    field: fields.SigFieldSpec,
    style: StaticStampStyle | None = None,
) -> bytes:
    """``pdf`` with a PAdES signature by ``sealer`` in ``field`` (drawn with ``style`` when given),
    timestamped when the sealer names a timestamp authority."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=sealer.signer_name,
    )
    timestamper = None if sealer.tsa_url is None else timestamps.HTTPTimeStamper(sealer.tsa_url)
    pdf_signer = signers.PdfSigner(
        metadata, signer=sealer.signer, timestamper=timestamper, stamp_style=style, new_field_spec=field
    )
    reserved = BB_SIGNATURE_BYTES if timestamper is None else None
    out = pdf_signer.sign_pdf(writer, output=io.BytesIO(), bytes_reserved=reserved)
    return bytes(out.getbuffer())


@dataclasses.dataclass(frozen=True)
class PdfSignatureCheck:
    """What a PDF's signature says. ``ok`` only when there is exactly one signature, it covers the
    whole file, is intact and valid, and its certificate chains to a trusted issuing CA."""

    signed: bool
    intact: bool = False
    covers_whole_file: bool = False
    trusted: bool = False
    signer_name: str | None = None
    # The sealing authority's USCC (the seal certificate's subject serialNumber).
    signer_uscc: str | None = None
    signed_at: dt.datetime | None = None
    timestamped: bool = False
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.covers_whole_file and self.trusted


def check_pdf_signature(pdf: bytes, trusted_cas: Iterable[x509.Certificate]) -> PdfSignatureCheck:
    """Check the seal signature of a certificate PDF against ``trusted_cas``; never raises for bad input."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except Exception as exc:
        return PdfSignatureCheck(signed=False, problem=f"not a readable PDF: {exc}")
    if not embedded:
        return PdfSignatureCheck(signed=False, problem="the PDF carries no signature")
    if len(embedded) != 1:
        return PdfSignatureCheck(signed=True, problem=f"expected one signature, found {len(embedded)}")
    signature = embedded[0]
    roots = [_asn1_certificate(ca) for ca in trusted_cas]
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(signature, signer_validation_context=context)
    except Exception as exc:
        return PdfSignatureCheck(signed=True, problem=f"signature unreadable: {exc}")
    coverage = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    names = status.signing_cert.subject.native
    return PdfSignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid),
        covers_whole_file=coverage,
        trusted=bool(status.trusted),
        signer_name=str(names.get("common_name")) if names.get("common_name") else None,
        signer_uscc=str(names.get("serial_number")) if names.get("serial_number") else None,
        signed_at=status.signer_reported_dt,
        timestamped=status.timestamp_validity is not None,
        problem=None
        if (status.intact and status.valid and coverage and status.trusted)
        else _problem(status, coverage),
    )


def _problem(status: object, coverage: bool) -> str:
    if not (getattr(status, "intact", False) and getattr(status, "valid", False)):
        return "the document was changed after it was signed, or the signature is broken"
    if not coverage:
        return "content was added after the signature"
    return "the seal certificate does not chain to the trusted issuing CA"


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


__all__ = [
    "FIELD_NAME",
    "PdfSealer",
    "PdfSignatureCheck",
    "check_pdf_signature",
    "sign_pdf",
    "sign_pdf_invisibly",
]
