"""Regression tests for bugs the fuzzers found (each was pinned as a strict xfail until fixed)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from certsvc.accounts.services import create_api_token
from certsvc.certificates.models import Certificate
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


# --- found by the concurrency test (test_concurrency.py) ------------------------------------------
def test_reissue_during_an_import_does_not_deadlock(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reissue that has its new slot but not yet its ledger entry, and an import starting just then,
    both complete: one waits for the other instead of deadlocking."""
    import threading

    from certsvc.certificates.issuing import import_results
    from certsvc.certificates.reissue import reissue
    from certsvc.ledger import services as ledger
    from tests.reliability.world import demo_batch, populate

    if runtime.database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE: no lock order to invert")
    populate(runtime, ("500000",))
    with runtime.database.read() as session:
        number = session.scalars(select(Certificate.number).order_by(Certificate.id)).first()
    assert number is not None
    real_record, between, resume = ledger.record, threading.Event(), threading.Event()

    def record_after_a_pause(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "reissue":
            between.set()  # the reissue holds its status-list slot and is about to take the ledger lock
            resume.wait(10)
        return real_record(*args, **kwargs)

    monkeypatch.setattr(ledger, "record", record_after_a_pause)
    errors: list[BaseException] = []

    def run(action: Any) -> None:
        try:
            action()
        except BaseException as error:  # reported to the test thread below
            errors.append(error)

    def do_reissue() -> None:
        with runtime.database.write() as session:
            reissue(session, runtime, number, "damaged")

    def do_import() -> None:
        import_results(runtime, demo_batch("421221"), "sample-421221.csv", dry_run=False, actor="test")

    reissuer = threading.Thread(target=run, args=(do_reissue,), name="reissue")
    reissuer.start()
    assert between.wait(10)
    importer = threading.Thread(target=run, args=(do_import,), name="import")
    importer.start()
    time.sleep(1.5)  # the import takes the ledger lock and queues on the reissue's status-list row
    resume.set()
    reissuer.join(30)
    importer.join(30)
    if errors:
        raise errors[0]
