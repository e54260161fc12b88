"""services.verification: each verdict, the registry's truth, confirm the holder, the by-number oracle."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from certsvc import create_app
from certsvc.cli.gunicorn_app import CertsvcGunicorn
from certsvc.errors import CertificateNumberCheckError, InvalidCertificateNumber
from certsvc.runtime import Runtime
from certsvc.signing.keystore import FileKeyStore
from certsvc.signing.qrpayload import decode_qr, encode_qr, qr_url
from certsvc.verification import counters
from certsvc.verification.schemas import Verdict
from certsvc.verification.services import OnlineVerdict, verify_by_number, verify_target
from tests.verification.conftest import Issued, UntouchableDatabase, unreachable_database


def _answer(verdict: OnlineVerdict) -> dict[str, object]:
    """The verdict as the API answers it."""
    return Verdict.of(verdict).model_dump(mode="json")


def _swap_check_char(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def _revoke(runtime: Runtime, number: str) -> None:
    from certsvc.certificates.revocation import change_status

    with runtime.database.write() as session:
        change_status(session, runtime, number, "revoke", "fraud", "人社职改〔2026〕7号")


def _suspend(runtime: Runtime, number: str) -> None:
    from certsvc.certificates.revocation import change_status

    with runtime.database.write() as session:
        change_status(session, runtime, number, "suspend", "investigation", "人社调〔2026〕3号")


def _reissue(runtime: Runtime, number: str) -> str:
    from certsvc.certificates.reissue import reissue

    with runtime.database.write() as session:
        return reissue(session, runtime, number, "lost").qr_payload


def test_valid_certificate_verifies_in_every_form(runtime: Runtime, issued: list[Issued]) -> None:
    """Upper-case QR URL, lower-case /v/ URL, bare payload, JWS and number + name all say valid."""
    cert = issued[0]
    targets = [
        qr_url(runtime.settings.base_url, cert.qr_payload),
        f"{runtime.settings.base_url}/v/{cert.qr_payload}",
        cert.qr_payload,
        cert.credential,
        cert.credential.encode("ascii"),
    ]
    for target in targets:
        verdict = verify_target(runtime, target)
        assert verdict.outcome == "valid", (target, verdict)
        assert verdict.facts is not None and verdict.facts.certificate_number == cert.number
    by_number = verify_by_number(runtime, cert.number.lower(), f"  {cert.name} ")
    assert by_number.outcome == "valid"
    assert by_number.facts is not None and by_number.facts.issuer_name == "咸宁市人力资源和社会保障局"


def test_valid_verdict_carries_ledger_evidence(runtime: Runtime, issued: list[Issued]) -> None:
    """The verdict includes the entry index, an inclusion proof that checks out and the signed checkpoint."""
    import base64

    from certsvc.ledger.merkle import verify_inclusion

    evidence = verify_target(runtime, issued[1].qr_payload).ledger
    assert evidence is not None
    verify_inclusion(
        evidence["index"],
        evidence["size"],
        base64.b64decode(evidence["leaf_hash"]),
        [base64.b64decode(h) for h in evidence["hashes"]],
        base64.b64decode(evidence["root"]),
    )
    assert evidence["checkpoint"].splitlines()[1] == str(evidence["size"])


def test_superseded_after_reissue(runtime: Runtime, issued: list[Issued]) -> None:
    """After a reissue the old QR says superseded and points to the newer version; the new QR is valid."""
    cert = issued[0]
    new_payload = _reissue(runtime, cert.number)
    old = verify_target(runtime, cert.qr_payload)
    assert old.outcome == "superseded"
    assert old.versions is not None and old.versions.newer_exists and old.versions.current == 2
    assert old.versions.current_reissue_reason == "lost"
    assert verify_target(runtime, new_payload).outcome == "valid"
    assert verify_by_number(runtime, cert.number, cert.name).facts.version == 2  # type: ignore[union-attr]


def test_suspended_certificate(runtime: Runtime, issued: list[Issued]) -> None:
    """A suspended certificate says suspended, with the reason category and the deciding document."""
    _suspend(runtime, issued[0].number)
    verdict = verify_target(runtime, issued[0].qr_payload)
    assert verdict.outcome == "suspended"
    assert verdict.status is not None
    assert (verdict.status.reason_category, verdict.status.document_number) == (
        "investigation",
        "人社调〔2026〕3号",
    )


def test_revoked_certificate_shows_date_reason_and_document(runtime: Runtime, issued: list[Issued]) -> None:
    """A revoked certificate says revoked with the effective date, reason category and document number."""
    _revoke(runtime, issued[0].number)
    verdict = verify_target(runtime, issued[0].credential)
    assert verdict.outcome == "revoked"
    assert verdict.status is not None
    assert verdict.status.effective == runtime.today()
    assert verdict.status.reason_category == "fraud"
    assert verdict.status.document_number == "人社职改〔2026〕7号"


def test_revocation_outranks_an_older_version(runtime: Runtime, issued: list[Issued]) -> None:
    """Scanning a superseded version of a certificate that was later revoked says revoked, not superseded."""
    cert = issued[0]
    _reissue(runtime, cert.number)
    _revoke(runtime, cert.number)
    assert verify_target(runtime, cert.qr_payload).outcome == "revoked"


def test_altered_payload_is_invalid(runtime: Runtime, issued: list[Issued]) -> None:
    """Changing one character of a QR payload or a JWS makes it invalid, naming the failed step."""
    payload = issued[0].qr_payload
    position = len(payload) // 2
    altered = payload[:position] + ("A" if payload[position] != "A" else "B") + payload[position + 1 :]
    verdict = verify_target(runtime, altered)
    assert verdict.outcome == "invalid" and verdict.step in ("signature", "parse", "key-unknown")
    jws = issued[0].credential
    head, body, signature = jws.split(".")
    forged = f"{head}.{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{signature}"
    assert verify_target(runtime, forged).outcome == "invalid"


def test_payload_signed_by_a_foreign_key_is_invalid(
    runtime: Runtime, issued: list[Issued], tmp_path: Path
) -> None:
    """A forger's key, however well-formed the token, gives invalid at step key-unknown."""
    foreign = FileKeyStore(tmp_path / "forger", None, unsafe_plaintext=True)
    foreign.ensure_initial_key(runtime.now())
    fields = decode_qr(issued[0].qr_payload).fields
    forged = encode_qr(fields, foreign.current(runtime.now()))
    verdict = verify_target(runtime, forged)
    assert (verdict.outcome, verdict.step) == ("invalid", "key-unknown")


def test_signed_but_unregistered_or_different_is_invalid(runtime: Runtime, issued: list[Issued]) -> None:
    """A token our key signed that the registry does not hold (misused key) is invalid, not valid."""
    key = runtime.keys.current(runtime.now())
    fields = decode_qr(issued[0].qr_payload).fields
    unregistered = encode_qr(dataclasses.replace(fields, certificate_number="42120020263ZZZZZZ0"), key)
    assert verify_target(runtime, unregistered).step == "not-registered"
    different = encode_qr(dataclasses.replace(fields, title="正高级工程师"), key)
    verdict = verify_target(runtime, different)
    assert (verdict.outcome, verdict.step) == ("invalid", "registry-mismatch")


@pytest.mark.parametrize(
    "garbage", ["", "   ", "hello", "HTTPS://X/V/", "http://[x/v/ABC", "a.b.c", b"\xff\xfe", "é" * 20000]
)
def test_garbage_is_invalid_not_an_error(runtime: Runtime, garbage: str | bytes) -> None:
    """Anything that is not a token is an invalid verdict at step parse, never an exception."""
    verdict = verify_target(runtime, garbage)
    assert (verdict.outcome, verdict.step) == ("invalid", "parse")


def test_unknown_when_the_registry_cannot_be_read(
    runtime: Runtime, issued: list[Issued], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An authentic QR while the database is down is unknown (status cannot be established), never valid."""
    monkeypatch.setattr(runtime, "database", unreachable_database(tmp_path))
    monkeypatch.setattr(counters, "count", lambda *args: None)
    verdict = verify_target(runtime, issued[0].qr_payload)
    assert (verdict.outcome, verdict.step) == ("unknown", "registry-unavailable")
    assert verdict.facts is not None and verdict.facts.holder == "雷*怡"


def test_by_number_is_unknown_when_the_registry_cannot_be_read(
    runtime: Runtime, issued: list[Issued], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A typed number while the database is down gets "unknown", not an error and not "no such"."""
    monkeypatch.setattr(runtime, "database", unreachable_database(tmp_path))
    verdict = verify_by_number(runtime, issued[0].number, issued[0].name)
    assert (verdict.outcome, verdict.step, verdict.facts) == ("unknown", "registry-unavailable", None)


def test_mistyped_number_is_refused_before_any_lookup(
    runtime: Runtime, issued: list[Issued], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong check character or a malformed number raises before the database is touched."""
    monkeypatch.setattr(runtime, "database", UntouchableDatabase())
    with pytest.raises(CertificateNumberCheckError):
        verify_by_number(runtime, _swap_check_char(issued[0].number), issued[0].name)
    with pytest.raises(InvalidCertificateNumber):
        verify_by_number(runtime, "12345", issued[0].name)


def test_unknown_number_and_wrong_name_give_one_identical_answer(
    runtime: Runtime, issued: list[Issued]
) -> None:
    """Verify-by-number cannot tell a stranger whether a number exists: both "no" answers are the same."""
    from certsvc.domain.certno import make_certificate_number
    from certsvc.domain.levels import Level

    unknown_number = make_certificate_number("421200", 2026, Level.from_digit(3), 9999)  # type: ignore[arg-type]
    no_such = verify_by_number(runtime, unknown_number, issued[0].name)
    wrong_name = verify_by_number(runtime, issued[0].number, issued[1].name)
    assert no_such.outcome == "invalid" and no_such.step == "not-found"
    assert json.dumps(_answer(no_such), sort_keys=True) == json.dumps(_answer(wrong_name), sort_keys=True)
    assert no_such.facts is None and no_such.ledger is None


def test_confirm_the_holder_by_name_or_id_number(runtime: Runtime, issued: list[Issued]) -> None:
    """Typed full name (any spacing, NFC or not) or ID number answers match; anything else no match."""
    import unicodedata

    cert = issued[0]
    spaced = " ".join(cert.name)
    decomposed = unicodedata.normalize("NFD", cert.name)
    for claim, expected in [
        (cert.name, True),
        (spaced, True),
        (decomposed, True),
        (cert.id_number, True),
        (cert.id_number.lower(), True),
        (issued[1].name, False),
        (issued[1].id_number, False),
        (cert.name[:-1], False),
    ]:
        verdict = verify_target(runtime, cert.qr_payload, confirm=claim)
        assert verdict.holder_confirmed is expected, claim
        assert cert.name not in json.dumps(_answer(verdict), ensure_ascii=False)


def test_verdicts_are_counted_per_day_channel_and_outcome(runtime: Runtime, issued: list[Issued]) -> None:
    """Counts are aggregated (day, channel, outcome) and hold no numbers, names or payloads."""
    counters.buffer_for(runtime).flush_interval = 3600
    verify_target(runtime, issued[0].qr_payload, channel="page")
    verify_target(runtime, issued[1].qr_payload, channel="page")
    verify_target(runtime, "garbage", channel="api")
    verify_by_number(runtime, issued[0].number, "某某某", channel="number")
    counters.flush(runtime)
    verify_target(runtime, issued[0].qr_payload, channel="page")
    counters.flush(runtime)
    with runtime.database.read() as session:
        totals = counters.totals(session, runtime.today())
    assert totals == {("page", "valid"): 3, ("api", "invalid"): 1, ("number", "invalid"): 1}


def test_counting_day_is_the_china_calendar_day(
    runtime: Runtime, issued: list[Issued], clock: object
) -> None:
    """A check at 17:00 UTC is counted on the next day, the date people in China see."""
    clock.current = dt.datetime(2026, 11, 21, 17, 0, tzinfo=dt.UTC)  # type: ignore[attr-defined]
    counters.buffer_for(runtime).flush_interval = 0
    verify_target(runtime, issued[0].qr_payload, channel="api")
    with runtime.database.read() as session:
        assert counters.totals(session, dt.date(2026, 11, 22)) == {("api", "valid"): 1}


def test_pending_counts_are_stored_when_the_runtime_closes(runtime: Runtime, issued: list[Issued]) -> None:
    """Counts not yet due for storing are written when the runtime closes (a worker's graceful exit
    closes it), so a clean shutdown loses none."""
    counters.buffer_for(runtime).flush_interval = 3600
    verify_target(runtime, issued[0].qr_payload, channel="api")
    verify_target(runtime, "garbage", channel="api")
    with runtime.database.read() as session:
        assert counters.totals(session, runtime.today()) == {}
    server = CertsvcGunicorn({"bind": "127.0.0.1:0"}, app_factory=lambda: create_app(runtime=runtime))
    server.load()  # what each worker does after fork
    server.cfg.worker_exit(None, None)  # what gunicorn calls when the worker exits gracefully
    with runtime.database.read() as session:
        assert counters.totals(session, runtime.today()) == {("api", "valid"): 1, ("api", "invalid"): 1}


def test_registry_row_reflects_a_status_change_at_once(runtime: Runtime, issued: list[Issued]) -> None:
    """The next verification after a revocation says revoked: nothing about status is cached."""
    assert verify_target(runtime, issued[0].qr_payload).outcome == "valid"
    _revoke(runtime, issued[0].number)
    assert verify_target(runtime, issued[0].qr_payload).outcome == "revoked"
