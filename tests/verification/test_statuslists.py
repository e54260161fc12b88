"""Status lists: built from version statuses, signed, cached briefly, served at the URL credentials name."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask.testing import FlaskClient

from certsvc.runtime import Runtime
from certsvc.signing.credential import decode_unverified
from certsvc.signing.jwks import KeySet
from certsvc.signing.statuslist import verify_status_list
from certsvc.verification.statuslists import signed_status_list
from tests.verification.conftest import Issued


def _slot(credential: str) -> tuple[str, int]:
    entry = decode_unverified(credential)["credentialStatus"][0]
    return entry["statusListCredential"], int(entry["statusListIndex"])


def _bits(runtime: Runtime, list_id: int, purpose: str) -> set[int]:
    keys = KeySet.from_history(runtime.keys.history())
    verified = verify_status_list(signed_status_list(runtime, list_id, purpose).jws, keys, runtime.now())
    assert verified.bits.size >= 131072
    return set(verified.bits.set_indexes())


def test_revocation_list_marks_revoked_and_superseded_and_suspension_list_suspended(
    runtime: Runtime, issued: list[Issued], clock: object
) -> None:
    """Revoked and superseded versions set the revocation bit, suspended ones the suspension bit."""
    from certsvc.certificates.reissue import reissue
    from certsvc.certificates.revocation import change_status

    url, _ = _slot(issued[0].credential)
    list_id = int(url.rstrip("/").split("/")[-2])
    assert _bits(runtime, list_id, "revocation") == set()
    with runtime.database.write() as session:
        reissue(session, runtime, issued[0].number, "lost")
        change_status(session, runtime, issued[1].number, "revoke", "fraud", "文〔2026〕1号")
        change_status(session, runtime, issued[2].number, "suspend", "investigation", "文〔2026〕2号")
    revoked = {_slot(issued[0].credential)[1], _slot(issued[1].credential)[1]}
    assert _bits(runtime, list_id, "revocation") == revoked
    assert _bits(runtime, list_id, "suspension") == {_slot(issued[2].credential)[1]}


def test_a_status_change_is_served_at_once_despite_the_cache(runtime: Runtime, issued: list[Issued]) -> None:
    """Within the cache window the same signed list is reused, but a status change rebuilds it."""
    from certsvc.certificates.revocation import change_status

    list_id = int(_slot(issued[0].credential)[0].split("/")[-2])
    first = signed_status_list(runtime, list_id, "suspension")
    assert signed_status_list(runtime, list_id, "suspension") is first
    with runtime.database.write() as session:
        change_status(session, runtime, issued[0].number, "suspend", "investigation", "文〔2026〕3号")
    rebuilt = signed_status_list(runtime, list_id, "suspension")
    assert rebuilt.jws != first.jws


def test_status_endpoint_serves_the_url_credentials_point_to(
    verify_client: FlaskClient, issued: list[Issued]
) -> None:
    """The credential's statusListCredential path answers a signed list with cache headers and an ETag."""
    url, _ = _slot(issued[0].credential)
    path = urlsplit(url).path
    for served in (path, "/api/v1" + path):
        response = verify_client.get(served)
        assert response.status_code == 200, served
        assert response.mimetype == "application/vc+jwt"
        cache = response.headers["Cache-Control"]
        assert cache.startswith("public, max-age=") and int(cache.rsplit("=", 1)[1]) > 0
        etag = response.headers["ETag"]
        again = verify_client.get(served, headers={"If-None-Match": etag})
        assert again.status_code == 304


def test_unknown_list_and_purpose_are_client_errors(verify_client: FlaskClient, issued: list[Issued]) -> None:
    """A list that does not exist is 404 problem JSON; a purpose that does not exist is 404 too."""
    missing = verify_client.get("/api/v1/status/999/revocation")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert verify_client.get("/api/v1/status/1/expiry").status_code == 404
