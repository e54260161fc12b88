"""Signed PDFs checked by validators nobody here wrote: poppler's pdfsig (NSS) and pyHanko."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from certsvc.documents.fonts import CjkFont
from certsvc.documents.pdf import page_pdf, render_pdf
from certsvc.documents.signature import PdfSealer, check_pdf_signature
from certsvc.signing.keystore import FileKeyStore
from tests.documents.conftest import KEYS_CREATED
from tests.documents.support import SAMPLE_USCC, VERSION_ONE, VERSION_TWO


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found: install the Debian package {package} (scripts/setup does)")
    return found


@pytest.fixture
def nss_db(tmp_path: Path, session_keys: FileKeyStore) -> Path:
    """A scratch NSS database trusting only this installation's issuing CA."""
    certutil = _tool("certutil", "libnss3-tools")
    database = tmp_path / "nss"
    database.mkdir()
    subprocess.run([certutil, "-N", "-d", f"sql:{database}", "--empty-password"], check=True)
    ca = tmp_path / "ca.pem"
    ca.write_bytes(session_keys.issuing_ca_pem())
    subprocess.run(
        [certutil, "-A", "-d", f"sql:{database}", "-n", "certsvc-ca", "-t", "CT,C,C", "-i", str(ca)],
        check=True,
    )
    return database


def _pdfsig(pdf: bytes, nss_db: Path, tmp_path: Path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [_tool("pdfsig", "poppler-utils"), "-nssdir", f"sql:{nss_db}", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout + result.stderr


def _pyhanko_status(pdf: bytes, ca_pem: bytes) -> tuple[bool, bool, str]:
    """(intact and valid, trusted, coverage) as pyHanko's own validator reports them."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    _, _, der = pem.unarmor(ca_pem)
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)], allow_fetching=False)
    [signature] = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    status = validate_pdf_signature(signature, signer_validation_context=context)
    return bool(status.intact and status.valid), bool(status.trusted), status.coverage.name


def _flip_page_content_byte(pdf: bytes) -> bytes:
    """The same file with one byte of the page's content stream changed (same length)."""
    reader = PdfReader(io.BytesIO(pdf))
    contents = reader.pages[0].get("/Contents")
    assert contents is not None
    offset = reader.xref[0][contents.idnum]
    data_start = pdf.index(b"stream", offset) + len(b"stream\n") + 40
    changed = bytearray(pdf)
    changed[data_start] ^= 0x01
    return bytes(changed)


def test_pdfsig_trusts_the_signature_and_sees_the_whole_file_signed(
    font: CjkFont, sealer: PdfSealer, nss_db: Path, tmp_path: Path
) -> None:
    """pdfsig, trusting only the issuing CA, finds one valid PAdES signature by the authority's seal
    certificate covering the whole document."""
    report = _pdfsig(render_pdf(VERSION_ONE, sealer, font), nss_db, tmp_path)
    assert "Signature Field Name: Seal" in report
    assert f"Common Name: {VERSION_ONE.authority_name}" in report
    assert "Signature Type: ETSI.CAdES.detached" in report
    assert "Total document signed" in report
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report


def test_pdfsig_reports_a_changed_byte_of_page_content(
    font: CjkFont, sealer: PdfSealer, nss_db: Path, tmp_path: Path
) -> None:
    """One changed byte in the page's content stream makes pdfsig report a digest mismatch; pyHanko
    and certsvc's own check agree the document is no longer intact."""
    pdf = render_pdf(VERSION_ONE, sealer, font)
    tampered = _flip_page_content_byte(pdf)
    report = _pdfsig(tampered, nss_db, tmp_path)
    assert "Signature Validation: Digest Mismatch." in report
    ca_pem = sealer.ca_certificate.public_bytes(Encoding.PEM)
    assert _pyhanko_status(tampered, ca_pem)[0] is False
    check = check_pdf_signature(tampered, [sealer.ca_certificate])
    assert not check.ok and not check.intact


def test_content_appended_after_signing_is_reported(
    font: CjkFont, sealer: PdfSealer, nss_db: Path, tmp_path: Path
) -> None:
    """An incremental update added after the signature (e.g. an edited page) leaves the signature
    valid over less than the whole file: pdfsig says so and certsvc refuses the file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    pdf = render_pdf(VERSION_ONE, sealer, font)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    updated = out.getvalue()
    report = _pdfsig(updated, nss_db, tmp_path)
    assert "Total document signed" not in report
    check = check_pdf_signature(updated, [sealer.ca_certificate])
    assert check.intact and not check.covers_whole_file and not check.ok


def test_pyhanko_validator_agrees_the_signature_is_valid_and_trusted(
    font: CjkFont, sealer: PdfSealer, session_keys: FileKeyStore
) -> None:
    """pyHanko's validator, given only the published CA, finds the signature intact, trusted and
    covering the entire file; certsvc's check names the sealing authority by its USCC."""
    pdf = render_pdf(VERSION_TWO, sealer, font)
    assert _pyhanko_status(pdf, session_keys.issuing_ca_pem()) == (True, True, "ENTIRE_FILE")
    check = check_pdf_signature(pdf, [sealer.ca_certificate])
    assert check.ok and check.signer_uscc == SAMPLE_USCC and check.signer_name == VERSION_TWO.authority_name


def test_a_pdf_signed_by_another_ca_is_not_trusted(
    font: CjkFont, sealer: PdfSealer, keys: FileKeyStore
) -> None:
    """A seal certificate from another installation's CA does not chain to ours: refused."""
    stranger = keys.seal_key(SAMPLE_USCC, VERSION_ONE.authority_name, KEYS_CREATED)
    forged = render_pdf(
        VERSION_ONE, PdfSealer(stranger.private_key, stranger.certificate, stranger.ca_certificate), font
    )
    check = check_pdf_signature(forged, [sealer.ca_certificate])
    assert check.intact and not check.trusted and not check.ok


def test_pdf_signed_with_a_rotated_seal_key_still_validates(font: CjkFont, keys: FileKeyStore) -> None:
    """After `keys rotate`, PDFs sealed with the previous seal certificate keep validating, and new
    ones are sealed with a new certificate from the same CA."""
    before = keys.seal_key(SAMPLE_USCC, VERSION_ONE.authority_name, KEYS_CREATED)
    old_pdf = render_pdf(
        VERSION_ONE, PdfSealer(before.private_key, before.certificate, before.ca_certificate), font
    )
    keys.rotate(KEYS_CREATED + dt.timedelta(days=30))
    after = keys.seal_key(SAMPLE_USCC, VERSION_ONE.authority_name, KEYS_CREATED + dt.timedelta(days=31))
    assert after.certificate.serial_number != before.certificate.serial_number
    assert after.ca_certificate == before.ca_certificate
    new_pdf = render_pdf(
        VERSION_ONE, PdfSealer(after.private_key, after.certificate, after.ca_certificate), font
    )
    ca = x509.load_pem_x509_certificate(keys.issuing_ca_pem())
    assert check_pdf_signature(old_pdf, [ca]).ok
    assert check_pdf_signature(new_pdf, [ca]).ok
    assert _pyhanko_status(old_pdf, keys.issuing_ca_pem()) == (True, True, "ENTIRE_FILE")
    history = [seal for seal in keys.seal_history() if seal.uscc == SAMPLE_USCC]
    assert [seal.not_after is None for seal in history] == [False, True]


def test_seal_private_keys_are_encrypted_at_rest(keys: FileKeyStore, tmp_path: Path) -> None:
    """The issuing CA's and the seal's private keys are passphrase-encrypted PKCS#8 files, mode 0600."""
    keys.seal_key(SAMPLE_USCC, VERSION_ONE.authority_name, KEYS_CREATED)
    files = [*(tmp_path / "keys").glob("seal-*.pem"), tmp_path / "keys" / "issuing-ca.pem"]
    assert len(files) == 2
    for path in files:
        assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        assert path.stat().st_mode & 0o777 == 0o600


def test_metadata_names_the_authority_and_the_issue_date(font: CjkFont, sealer: PdfSealer) -> None:
    """The PDF's document information says who issued it and when, not "anonymous" on 2000-01-01."""
    info = PdfReader(io.BytesIO(render_pdf(VERSION_TWO, sealer, font))).metadata
    assert info is not None
    assert info.author == VERSION_TWO.authority_name
    assert info["/CreationDate"] == "D:20250301000000+08'00'"  # the reissue of version 2
    assert VERSION_TWO.certificate_number in str(info.subject)
    page_info = PdfReader(io.BytesIO(page_pdf(VERSION_ONE, font))).metadata
    assert page_info is not None and page_info["/CreationDate"] == "D:20240715000000+08'00'"
