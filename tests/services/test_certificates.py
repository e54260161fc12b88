"""Certificates after issue: lookup by typed number, the printable document, cached renderings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from certsvc.certificates.issuing import import_results
from certsvc.certificates.lookup import find_certificate, find_version
from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.certificates.services import document_for, render
from certsvc.documents import credential_from_png, qr_text_from_image
from certsvc.errors import CertificateNumberCheckError, NotFound
from certsvc.runtime import Runtime
from tests.services.support import sample


@pytest.fixture
def number(runtime: Runtime, sample_results: Path) -> str:
    """The certificate issued for row 3 of the 450000 sample (刘思, 45050219910912597X)."""
    report = import_results(
        runtime, sample(sample_results, "sample-450000.csv"), "sample-450000.csv", dry_run=False
    )
    return dict(report.issued)[3]


def test_number_is_found_as_people_type_it(runtime: Runtime, number: str) -> None:
    """Lower case with spaces and hyphens finds the certificate; a typo is caught by the check
    character before any lookup; a well-formed unknown number is NotFound."""
    typed = f"{number[:6]} {number[6:10]}-{number[10:]}".lower()
    with runtime.database.read() as session:
        assert find_certificate(session, typed).number == number
        typo = number[:-2] + ("0" if number[-2] != "0" else "1") + number[-1]
        with pytest.raises(CertificateNumberCheckError):
            find_certificate(session, typo)
        with pytest.raises(NotFound):
            find_certificate(session, "99999920241000001" + _check("99999920241000001"))


def _check(body: str) -> str:
    from certsvc.domain.checkdigits import mod37_36_check_char

    return mod37_36_check_char(body)


def test_document_prints_the_holder_copy_or_a_masked_id(runtime: Runtime, number: str) -> None:
    """The holder's copy carries the full ID number; the masked variant only its ends."""
    with runtime.database.read() as session:
        version = find_version(session, find_certificate(session, number))
        full = document_for(runtime, version, mask_id=False)
        masked = document_for(runtime, version, mask_id=True)

    assert full.id_number == "45050219910912597X"
    assert masked.id_number == "450***********597X"
    assert (full.holder_name, full.sex, full.birth_date.isoformat()) == ("刘思", "男", "1991-09-12")
    assert (full.title, full.level, full.certificate_number) == ("高级工程师", "副高级", number)
    assert full.authority_name == full.seal_text == "广西壮族自治区人力资源和社会保障厅"
    assert full.version == 1 and full.reissue_date is None
    assert full.qr_url.startswith("HTTPS://CERTS.EXAMPLE.TEST/V/")


def test_render_jws_and_url_are_the_stored_version(runtime: Runtime, number: str) -> None:
    """--format jws gives the stored credential and url the verification URL of its QR payload."""
    with runtime.database.read() as session:
        stored = session.execute(
            select(CertificateVersion.credential, CertificateVersion.qr_payload)
            .join(Certificate)
            .where(Certificate.number == number)
        ).one()

    assert render(runtime, number, "jws") == stored.credential.encode()
    assert render(runtime, number, "url") == f"HTTPS://CERTS.EXAMPLE.TEST/V/{stored.qr_payload}".encode()


def test_rendered_png_carries_the_url_in_its_qr_and_the_credential(runtime: Runtime, number: str) -> None:
    """The PNG's QR code decodes (zbar) to exactly the certificate's URL, its text chunk holds the
    JWS, and the second request is served from the cache unchanged."""
    png = render(runtime, number, "png")

    assert qr_text_from_image(png) == [render(runtime, number, "url").decode()]
    assert credential_from_png(png) == render(runtime, number, "jws").decode()
    cached = list((runtime.settings.cache_dir / "documents").glob(f"{number}-v1-*.png"))
    assert len(cached) == 1
    assert render(runtime, number, "png") == png == cached[0].read_bytes()
