"""Regression tests for bugs the fuzzers found (each was pinned as a strict xfail until fixed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from certsvc.accounts.services import create_api_token
from certsvc.domain.canonical import canonical_json
from certsvc.errors import InvalidStatusList
from certsvc.runtime import Runtime
from certsvc.signing.jose import sign_vc_jwt
from certsvc.signing.jwks import KeySet
from certsvc.signing.keystore import FileKeyStore
from certsvc.signing.statuslist import status_list_url, verify_status_list

NOW = dt.datetime(2025, 3, 1, 9, 30, 15, tzinfo=dt.UTC)
BASE_URL = "https://zhicheng.example.gov.cn"


def test_status_list_with_non_string_encoded_list_is_refused(tmp_path: Path) -> None:
    """A signed status list whose encodedList is not a string is refused as InvalidStatusList."""
    store = FileKeyStore(tmp_path, b"passphrase", unsafe_plaintext=False)
    store.ensure_initial_key(NOW)
    url = status_list_url(BASE_URL, 1, "revocation")
    claims = {
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "validFrom": "2025-03-01T00:00:00Z",
        "validUntil": "2025-03-02T00:00:00Z",
        "credentialSubject": {
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": None,
        },
        "iat": int(NOW.timestamp()),
    }
    jws = sign_vc_jwt(claims, store.current(NOW))
    with pytest.raises(InvalidStatusList):
        verify_status_list(jws, KeySet.from_history(store.history()), NOW)


def test_canonical_json_refuses_values_json_cannot_carry() -> None:
    """What certsvc signs is always JSON: a non-finite number is refused rather than written as Infinity."""
    with pytest.raises(ValueError):
        canonical_json({"x": float("inf")})


# --- found by the API fuzzer (test_api_fuzz.py) ---------------------------------------------------
@pytest.mark.parametrize("prefix", ["/status", "/api/v1/status"])
def test_status_list_id_out_of_range_is_not_found(client: FlaskClient, prefix: str) -> None:
    """A status list id no list can have is 404, not a server error."""
    response = client.get(f"{prefix}/{2**64}/revocation")
    assert response.status_code == 404


def test_status_list_errors_are_problem_json(client: FlaskClient) -> None:
    """A verifier fetching a missing status list at the credential's URL gets problem+json, as documented."""
    response = client.get("/status/4096/revocation")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_results_api_unreadable_file_matches_its_document(client: FlaskClient, runtime: Runtime) -> None:
    """An unreadable upload is refused with the documented 422 body (problem + import report)."""
    with runtime.database.write() as session:
        token = create_api_token(session, runtime, authority_code="421221", role="operator", label="bug")
    response = client.post(
        "/api/v1/results",
        data=b"{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    body = response.get_json()
    assert "issued" in body and "refused" in body
