"""``certsvc verify``: exit codes 0 valid, 1 not valid, 2 usage error, 3 authentic but status unknown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from certsvc.cli import main
from certsvc.runtime import Runtime
from certsvc.signing.credential import decode_unverified
from certsvc.signing.qrpayload import qr_url
from tests.verification.conftest import Issued


@pytest.fixture
def cli_env(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """The environment `certsvc` reads, pointing at the test database and key store."""
    settings = runtime.settings
    for name, value in {
        "CERTSVC_ENV": "test",
        "CERTSVC_INSTANCE_DIR": str(settings.instance_dir),
        "CERTSVC_DATABASE_URL": settings.database_url,
        "CERTSVC_KEYS_DIR": str(settings.keys_dir),
        "CERTSVC_BASE_URL": settings.base_url,
        "CERTSVC_SECRET_KEY": settings.secret_key,
    }.items():
        monkeypatch.setenv(name, value)
    return runtime


def _revoke(runtime: Runtime, number: str) -> None:
    from certsvc.certificates.revocation import change_status

    with runtime.database.write() as session:
        change_status(session, runtime, number, "revoke", "fraud", "人社职改〔2026〕7号")


def _save_offline_material(client: FlaskClient, credential: str, directory: Path) -> tuple[Path, list[Path]]:
    """The JWKS and both status lists, saved from the endpoints a verifier would download them from."""
    jwks = directory / "jwks.json"
    jwks.write_bytes(client.get("/.well-known/jwks.json").get_data())
    lists = []
    for entry in decode_unverified(credential)["credentialStatus"]:
        response = client.get(urlsplit(entry["statusListCredential"]).path)
        assert response.status_code == 200
        path = directory / f"{entry['statusPurpose']}.jwt"
        path.write_bytes(response.get_data())
        lists.append(path)
    return jwks, lists


def _status_args(lists: list[Path]) -> list[str]:
    return [argument for path in lists for argument in ("--status", str(path))]


def test_online_exit_codes(
    cli_env: Runtime, issued: list[Issued], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Online: valid 0 (URL, payload, JWS, PNG and PDF files); revoked or forged 1; verdict in zh and en."""
    from certsvc.certificates.services import render

    png = tmp_path / "certificate.png"
    png.write_bytes(render(cli_env, issued[1].number, "png"))
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(render(cli_env, issued[1].number, "pdf"))
    for target in (
        qr_url(cli_env.settings.base_url, issued[0].qr_payload),
        issued[0].qr_payload,
        issued[0].credential,
        str(png),
        str(pdf),
    ):
        assert main(["verify", target]) == 0, target
    out = capsys.readouterr().out
    assert "有效 Valid" in out and issued[0].name not in out and "雷*怡" in out
    _revoke(cli_env, issued[0].number)
    assert main(["verify", issued[0].qr_payload]) == 1
    assert "已撤销 Revoked" in capsys.readouterr().out
    assert main(["verify", "NOT-A-TOKEN"]) == 1


def test_a_verdict_is_said_once_with_a_reason_only_when_it_adds_one(
    cli_env: Runtime, issued: list[Issued], capsys: pytest.CaptureFixture[str]
) -> None:
    """A genuine certificate's verdict line is not repeated below it; a forged token's verdict
    is followed by what failed, so the user learns why."""
    assert main(["verify", issued[0].qr_payload]) == 0
    assert capsys.readouterr().out.count("Genuine and current") == 1
    forged = issued[0].credential[:-4] + ("AAAA" if not issued[0].credential.endswith("AAAA") else "BBBB")
    assert main(["verify", forged]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 2 and lines[1].strip() and lines[1].strip() not in lines[0]


def test_usage_errors_exit_2(cli_env: Runtime, issued: list[Issued], tmp_path: Path) -> None:
    """Missing files, --status without --offline, --offline without --jwks and a bad JWKS are usage errors."""
    assert main(["verify", str(tmp_path / "missing.png")]) == 2
    assert main(["verify", issued[0].qr_payload, "--status", "x.jwt"]) == 2
    assert main(["verify", issued[0].qr_payload, "--offline"]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"keys": [{"kty": "RSA"}]}', encoding="utf-8")
    assert main(["verify", issued[0].qr_payload, "--offline", "--jwks", str(bad)]) == 2
    with pytest.raises(SystemExit) as raised:
        main(["verify"])
    assert raised.value.code == 2


def test_offline_verification(
    runtime: Runtime,
    client: FlaskClient,
    issued: list[Issued],
    tmp_path: Path,
    clock: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Offline with the saved JWKS: 3 without a status list, 0 with them, 1 when revoked or tampered."""
    clock.current = dt.datetime.now(dt.UTC)  # type: ignore[attr-defined]  # the CLI reads the real clock
    monkeypatch.setenv("CERTSVC_DATABASE_URL", "sqlite:////nonexistent/dir/never-opened.sqlite3")
    cert = issued[0]
    jwks, lists = _save_offline_material(client, cert.credential, tmp_path)
    url = qr_url(runtime.settings.base_url, cert.qr_payload)
    offline = ["--offline", "--jwks", str(jwks)]
    assert main(["verify", url, *offline]) == 3
    assert main(["verify", url, *offline, *_status_args(lists)]) == 0
    assert main(["verify", cert.credential, *offline, *_status_args(lists)]) == 0
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert main(["verify", tampered, *offline, *_status_args(lists)]) == 1

    _revoke(runtime, cert.number)
    later = tmp_path / "later"
    later.mkdir()
    _, fresh = _save_offline_material(client, cert.credential, later)
    assert main(["verify", url, *offline, *_status_args(fresh)]) == 1

    forged = tmp_path / "forged.jwt"
    forged.write_text(lists[0].read_text()[:-4] + "AAAA", encoding="ascii")
    assert main(["verify", url, *offline, "--status", str(forged)]) == 3


def _flip_page_byte(pdf: bytes) -> bytes:
    """The PDF with one byte of its page content stream changed (same length)."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    contents = reader.pages[0].get("/Contents")
    assert contents is not None
    start = pdf.index(b"stream", reader.xref[0][contents.idnum]) + len(b"stream\n") + 40
    changed = bytearray(pdf)
    changed[start] ^= 0x01
    return bytes(changed)


def test_a_path_with_dots_is_a_file_and_a_signed_pdf_is_checked(
    cli_env: Runtime, issued: list[Issued], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`certsvc verify /tmp/a.b/c.pdf` reads the file (two dots do not make it a JWS); the PDF's seal
    signature is checked too: one changed byte of page content makes it invalid (exit 1)."""
    from certsvc.certificates.services import render

    folder = tmp_path / "a.b"
    folder.mkdir()
    pdf_path = folder / "c.pdf"
    pdf = render(cli_env, issued[1].number, "pdf")
    pdf_path.write_bytes(pdf)
    assert main(["verify", str(pdf_path)]) == 0
    assert "有效 Valid" in capsys.readouterr().out
    assert main(["verify", str(folder / "missing.pdf")]) == 2
    pdf_path.write_bytes(_flip_page_byte(pdf))
    assert main(["verify", str(pdf_path), "--json"]) == 1
    out = capsys.readouterr().out
    assert '"step": "pdf-signature"' in out


def test_offline_pdf_verification_checks_the_seal_against_the_published_ca(
    runtime: Runtime,
    client: FlaskClient,
    issued: list[Issued],
    tmp_path: Path,
    clock: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Offline, with the CA saved from /.well-known/certsvc-ca.pem, a signed PDF verifies (0) and a
    tampered one does not (1); a CA from elsewhere does not vouch for the seal (1)."""
    from certsvc.certificates.services import render

    clock.current = dt.datetime.now(dt.UTC)  # type: ignore[attr-defined]  # the CLI reads the real clock
    pdf = render(runtime, issued[0].number, "pdf")
    monkeypatch.setenv("CERTSVC_DATABASE_URL", "sqlite:////nonexistent/dir/never-opened.sqlite3")
    jwks, lists = _save_offline_material(client, issued[0].credential, tmp_path)
    ca = tmp_path / "certsvc-ca.pem"
    response = client.get("/.well-known/certsvc-ca.pem")
    assert response.status_code == 200 and response.mimetype == "application/x-pem-file"
    ca.write_bytes(response.data)
    offline = ["--offline", "--jwks", str(jwks), *_status_args(lists), "--ca", str(ca)]
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(pdf)
    bad.write_bytes(_flip_page_byte(pdf))
    assert main(["verify", str(good), *offline]) == 0
    assert main(["verify", str(bad), *offline]) == 1
    from certsvc.signing.keystore import FileKeyStore

    other = FileKeyStore(tmp_path / "other-keys", b"x", unsafe_plaintext=False)
    other.ensure_initial_key(dt.datetime.now(dt.UTC))
    stranger = tmp_path / "stranger-ca.pem"
    stranger.write_bytes(other.issuing_ca_pem())
    assert main(["verify", str(good), *offline[:-1], str(stranger)]) == 1


def test_rendering_a_revoked_or_replaced_version_from_the_cli_is_watermarked(
    cli_env: Runtime, issued: list[Issued], tmp_path: Path
) -> None:
    """`certsvc render` of a revoked certificate prints 已撤销 across the page (PDF text says so)."""
    import io

    from pypdf import PdfReader

    before = tmp_path / "before.pdf"
    after = tmp_path / "after.pdf"
    assert main(["render", issued[2].number, "--format", "pdf", "-o", str(before)]) == 0
    _revoke(cli_env, issued[2].number)
    assert main(["render", issued[2].number, "--format", "pdf", "-o", str(after)]) == 0
    text_before = PdfReader(io.BytesIO(before.read_bytes())).pages[0].extract_text()
    text_after = PdfReader(io.BytesIO(after.read_bytes())).pages[0].extract_text()
    assert "已撤销" not in text_before
    assert "已撤销" in text_after
