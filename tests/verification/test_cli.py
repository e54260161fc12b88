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
