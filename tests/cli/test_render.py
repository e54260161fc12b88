"""``certsvc render``: the PNG/PDF written carries a QR code holding exactly the URL --format url prints."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from certsvc.certificates.issuing import import_results
from certsvc.cli import main
from certsvc.documents import credential_from_pdf, qr_text_from_image
from certsvc.runtime import Runtime
from tests.services.support import sample


@pytest.fixture
def number(cli_env: Runtime, sample_results: Path) -> str:
    report = import_results(cli_env, sample(sample_results), "sample-500000.csv", dry_run=False)
    return next(iter(report.issued))[1]


def _printed(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out.strip()


def test_png_qr_decodes_to_the_printed_url(
    number: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """render --format png -o FILE writes a PNG whose QR (zbar) is the URL render --format url prints."""
    url = _printed(capsys, "render", number, "--format", "url")
    out = tmp_path / "cert.png"

    assert main(["render", number, "--format", "png", "-o", str(out)]) == 0

    assert url.startswith("HTTPS://")
    assert qr_text_from_image(out.read_bytes()) == [url]


def test_pdf_qr_decodes_to_the_printed_url_and_embeds_the_credential(
    number: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The PDF page, rasterised, shows a QR holding the URL; the JWS render prints is embedded."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is needed to rasterise the PDF")
    url = _printed(capsys, "render", number, "--format", "url")
    jws = _printed(capsys, "render", number, "--format", "jws")
    out = tmp_path / "cert.pdf"

    assert main(["render", number.lower(), "--format", "pdf", "-o", str(out)]) == 0

    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(out), str(tmp_path / "page")], check=True
    )
    assert qr_text_from_image((tmp_path / "page.png").read_bytes()) == [url]
    assert credential_from_pdf(out.read_bytes()) == jws


def test_unknown_certificate_exits_1(cli_env: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    """A well-formed number that was never issued is reported, exit 1; a typo is a usage error, exit 2."""
    from certsvc.domain.checkdigits import mod37_36_check_char

    unknown = "99999920241000001" + mod37_36_check_char("99999920241000001")
    assert main(["render", unknown, "--format", "url"]) == 1
    assert unknown in capsys.readouterr().err
    typo = unknown[:-1] + ("0" if unknown[-1] != "0" else "1")
    assert main(["render", typo, "--format", "url"]) == 2


def test_the_command_line_starts_without_warnings(tmp_path: Path) -> None:
    """``certsvc --help`` prints its usage and nothing on stderr: no library deprecation notice
    greets the user (pyHanko's DSA import is silenced where it is imported)."""
    done = subprocess.run(
        [sys.executable, "-m", "certsvc", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "CERTSVC_INSTANCE_DIR": str(tmp_path / "instance")},
        check=False,
        timeout=120,
    )
    assert done.returncode == 0 and "usage: certsvc" in done.stdout
    assert done.stderr == ""


def test_development_key_notice_is_printed_once(tmp_path: Path) -> None:
    """``certsvc init`` with development (plaintext) keys says so exactly once, as one JSON log line
    naming UnsafePlaintextKeys, not again as a Python warning with a source line."""
    done = subprocess.run(
        [sys.executable, "-m", "certsvc", "init"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "CERTSVC_INSTANCE_DIR": str(tmp_path / "instance"),
            "CERTSVC_KEYS_DIR": str(tmp_path / "keys"),
        },
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    notices = [line for line in done.stderr.splitlines() if "UNENCRYPTED" in line]
    assert len(notices) == 1, done.stderr
    assert json.loads(notices[0])["event"].startswith("UnsafePlaintextKeys: private keys in ")
    assert "Warning" not in done.stderr and "return FileKeyStore(" not in done.stderr
