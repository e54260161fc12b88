"""Sample certificate documents and helpers shared by the document tests (pure: no database)."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from certsvc.documents.model import CertificateDocument
from certsvc.domain.routes import Acquisition

# As long as a real QR URL: base + 192 Base32 characters (certificate facts plus an Ed25519 signature).
QR_URL = "https://certs.example.cn/v/" + ("MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZU" * 4)
JWS = "eyJhbGciOiJFZERTQSIsImtpZCI6Ik1VTDgiLCJ0eXAiOiJ2Yytqd3QifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWJ5dGVz"

SAMPLE_USCC = "11110000000021135M"
LONG_AUTHORITY = "广西壮族自治区人力资源和社会保障厅"

VERSION_ONE = CertificateDocument(
    holder_name="张晓明",
    sex="男",
    birth_date=date(1985, 3, 12),
    id_number="110105198503121234",
    employer="北京市朝阳区人民医院",
    series="卫生系列",
    specialty="心血管内科",
    title="主任医师",
    level="正高级",
    date_obtained=date(2024, 6, 30),
    committee_name="北京市卫生系列高级专业技术资格评审委员会",
    confirmation_number="京人社职字〔2024〕15号",
    certificate_number="BJ2024WS0001239",
    authority_name="北京市人力资源和社会保障局",
    issue_date=date(2024, 7, 15),
    version=1,
    reissue_date=None,
    qr_url=QR_URL,
    credential_jws=JWS,
    seal_text="北京市人力资源和社会保障局",
    acquisition=Acquisition(
        "评审", committee="北京市卫生系列高级专业技术资格评审委员会", review_date=date(2024, 5, 20)
    ),
    supervisor="北京市人力资源和社会保障局",
)

VERSION_TWO = replace(VERSION_ONE, version=2, reissue_date=date(2025, 3, 1), credential_jws=JWS + "v2")
LONG_NAME = replace(VERSION_ONE, authority_name=LONG_AUTHORITY, seal_text=LONG_AUTHORITY)


def rasterise_pdf(pdf: bytes, tmp_path: Path, dpi: int = 150) -> Image.Image:
    """The first page of ``pdf`` as an RGB image, rasterised by poppler's pdftoppm."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm not found: install the Debian package poppler-utils")
    source = tmp_path / "page.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        [pdftoppm, "-r", str(dpi), "-png", "-singlefile", str(source), str(tmp_path / "page")],
        capture_output=True,
        check=True,
    )
    assert not result.stderr, result.stderr
    return Image.open(tmp_path / "page.png").convert("RGB")


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
