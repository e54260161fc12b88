"""Importing confirmed results: every sample file issues, bad files change nothing, nothing twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from certsvc.certificates.holders import decrypt_id, id_index
from certsvc.certificates.issuing import ImportReport, import_results
from certsvc.certificates.models import Certificate, CertificateVersion, Holder, StatusList
from certsvc.domain.certno import parse_certificate_number
from certsvc.domain.levels import Level
from certsvc.ledger.models import LedgerEntry
from certsvc.runtime import Runtime
from certsvc.signing.jwks import KeySet
from certsvc.signing.statuslist import DEFAULT_SIZE
from certsvc.signing.verifier import verify
from tests.services.support import (
    SAMPLES,
    as_xlsx,
    edit,
    rows_of,
    sample,
    table_counts,
    to_csv,
    with_chinese_headers,
)


def _import(runtime: Runtime, data: bytes, name: str = "results.csv", **options: object) -> ImportReport:
    return import_results(runtime, data, name, dry_run=bool(options.pop("dry_run", False)), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_file_issues_every_row(runtime: Runtime, sample_results: Path, name: str) -> None:
    """Each shared sample file is accepted whole: 100 rows, 100 certificates, numbers of its authority."""
    report = _import(runtime, sample(sample_results, name), name)

    assert report.refused == []
    assert len(report.issued) == report.rows == 100
    authority = name.removeprefix("sample-").removesuffix(".csv")
    numbers = [number for _, number in report.issued]
    assert len(set(numbers)) == 100
    assert {parse_certificate_number(number).authority_code for number in numbers} == {authority}
    assert [row for row, _ in report.issued] == list(range(2, 102))


def test_report_json_has_the_documented_shape(runtime: Runtime, sample_results: Path) -> None:
    """to_json gives issued [{row, certificate_number}] and refused [{row, field, rule, message}]."""
    accepted = _import(runtime, sample(sample_results)).to_json()
    assert accepted["issued"][0] == {
        "row": 2,
        "certificate_number": accepted["issued"][0]["certificate_number"],
    }
    assert accepted["refused"] == []

    rows = edit(rows_of(sample(sample_results, "sample-450000.csv")), 3, "votes_for", "5")
    refused = _import(runtime, to_csv(rows).encode()).to_json()
    assert refused["issued"] == []
    assert {"row", "field", "rule", "message"} <= refused["refused"][0].keys()
    json.dumps(refused)


@pytest.mark.parametrize(
    ("variant", "encode"),
    [
        ("gbk.csv", lambda rows: to_csv(with_chinese_headers(rows)).encode("gbk")),
        ("bom.csv", lambda rows: to_csv(rows).encode("utf-8-sig")),
        ("zh.xlsx", lambda rows: as_xlsx(with_chinese_headers(rows))),
    ],
)
def test_reencoded_file_imports_the_same(
    runtime: Runtime, sample_results: Path, variant: str, encode: Callable[[list[list[str]]], bytes]
) -> None:
    """A file re-saved as GBK, UTF-8 with BOM or .xlsx with Chinese headers issues the same results:
    importing the original afterwards finds every row already issued, with the same numbers."""
    original = sample(sample_results)
    first = _import(runtime, encode(rows_of(original)), variant)
    again = _import(runtime, original, "sample-500000.csv")

    assert first.refused == [] and len(first.issued) == 100
    assert len(again.issued) == 0 and again.refused == []
    assert list(again.already_issued) == list(first.issued)


def test_refused_file_changes_nothing(runtime: Runtime, sample_results: Path) -> None:
    """One bad row refuses the whole file: not a row is written to any table, issued is empty."""
    _import(runtime, sample(sample_results, "sample-421200.csv"))
    before = table_counts(runtime)
    rows = rows_of(sample(sample_results, "sample-450000.csv"))
    rows = edit(rows, 101, "attendees", "16")  # 16 of 25 is below two thirds

    report = _import(runtime, to_csv(rows).encode())

    assert [(v.row, v.field, v.rule) for v in report.refused] == [(101, "attendees", "attendance")]
    assert len(report.issued) == 0 and report.batch_id is None
    assert table_counts(runtime) == before


def test_every_refusal_is_reported_in_row_order(runtime: Runtime, sample_results: Path) -> None:
    """Problems in several rows and chunks are all listed at once, sorted by row, in English and Chinese."""
    rows = rows_of(sample(sample_results, "sample-450000.csv"))
    rows = edit(rows, 90, "name", "=HYPERLINK(1)")
    rows = edit(rows, 5, "votes_for", "2")
    rows = edit(rows, 7, "id_number", rows[2][rows[0].index("id_number")])  # row 3's person again

    report = _import(runtime, to_csv(rows).encode())

    found = [(v.row, v.field, v.rule) for v in report.refused]
    assert (5, "votes_for", "vote") in found
    assert (7, "id_number", "duplicate") in found
    assert (90, "name", "form") in found
    assert [v.row for v in report.refused] == sorted(v.row for v in report.refused)
    assert all(v.message_en and v.message_zh for v in report.refused)


def test_same_file_twice_issues_nothing_twice(runtime: Runtime, sample_results: Path) -> None:
    """The second import reports every row as already issued, with the first import's numbers."""
    data = sample(sample_results, "sample-421221.csv")
    first = _import(runtime, data)
    counts = table_counts(runtime)

    second = _import(runtime, data)

    assert second.refused == [] and len(second.issued) == 0
    assert list(second.already_issued) == list(first.issued)
    assert table_counts(runtime)["certificates"] == counts["certificates"]


def test_partially_imported_batch_is_completed(runtime: Runtime, sample_results: Path) -> None:
    """A batch cut short and imported again in full issues only the missing rows."""
    rows = rows_of(sample(sample_results))
    first = _import(runtime, to_csv(rows[:41]).encode())

    complete = _import(runtime, to_csv(rows).encode())

    assert len(first.issued) == 40
    assert list(complete.already_issued) == list(first.issued)
    assert [row for row, _ in complete.issued] == list(range(42, 102))


def test_holder_with_active_certificate_for_the_title_is_refused(
    runtime: Runtime, sample_results: Path
) -> None:
    """The same people under another confirmation document already hold that title: refused."""
    rows = rows_of(sample(sample_results))
    _import(runtime, to_csv(rows).encode())
    assert rows[0][0] == "confirmation_doc_no"
    other_document = [rows[0], *(["测职改〔2025〕7号", *r[1:]] for r in rows[1:3])]

    report = _import(runtime, to_csv(other_document).encode())

    assert [(v.row, v.field, v.rule) for v in report.refused] == [
        (2, "title", "duplicate"),
        (3, "title", "duplicate"),
    ]
    assert "*" in report.refused[0].message_en  # the person is named only masked


def test_acting_authority_may_import_only_its_own_results(runtime: Runtime, sample_results: Path) -> None:
    """A county authority (an API token's) cannot import a province's results; nothing is issued."""
    before = table_counts(runtime)
    report = _import(runtime, sample(sample_results, "sample-450000.csv"), acting_authority="421221")

    assert len(report.issued) == 0
    assert {(v.field, v.rule) for v in report.refused} == {("authority_code", "jurisdiction")}
    assert len(report.refused) == 100
    assert table_counts(runtime) == before


def test_dry_run_checks_but_writes_nothing(runtime: Runtime, sample_results: Path) -> None:
    """--dry-run reports how many rows would be issued and leaves the database untouched."""
    before = table_counts(runtime)
    report = _import(runtime, sample(sample_results), dry_run=True)
    assert report.ok and report.would_issue == 100 and len(report.issued) == 0
    assert table_counts(runtime) == before


def test_numbers_continue_per_authority_year_and_level(runtime: Runtime, sample_results: Path) -> None:
    """A second batch of the same authority continues the serials; no number is handed out twice."""
    rows = rows_of(sample(sample_results))
    first = _import(runtime, to_csv(rows[:51]).encode())
    second = _import(runtime, to_csv([rows[0], *rows[51:]]).encode())

    parts = [parse_certificate_number(n) for _, n in [*first.issued, *second.issued]]
    for level in (Level.ZHENG_GAO, Level.FU_GAO):
        serials = [p.serial for p in parts if p.level is level]
        assert serials == list(range(1, len(serials) + 1))
    assert {p.year for p in parts} == {runtime.today().year}


def test_each_version_has_a_ledger_entry_and_its_own_status_slot(
    runtime: Runtime, sample_results: Path
) -> None:
    """Every issued version points at an "issue" ledger entry for its number and credential hash,
    and at a distinct slot of a status list whose counter matches the slots handed out."""
    _import(runtime, sample(sample_results, "sample-450000.csv"))
    _import(runtime, sample(sample_results, "sample-500000.csv"))
    with runtime.database.read() as session:
        versions = session.execute(
            select(
                Certificate.number,
                CertificateVersion.credential,
                CertificateVersion.ledger_index,
                CertificateVersion.status_list_id,
                CertificateVersion.status_index,
            ).join(Certificate)
        ).all()
        entries = {
            idx: json.loads(content)
            for idx, content in session.execute(select(LedgerEntry.idx, LedgerEntry.content))
        }
        allocated = sum(session.scalars(select(StatusList.allocated)))

    assert len(versions) == 200
    for number, credential, ledger_index, _, _ in versions:
        assert ledger_index is not None
        entry = entries[ledger_index]
        assert entry["type"] == "issue" and entry["certificate_number"] == number and entry["version"] == 1
        assert entry["credential_sha256"] == hashlib.sha256(credential.encode()).hexdigest()
    slots = {(list_id, index) for _, _, _, list_id, index in versions}
    assert len(slots) == 200
    assert all(0 <= index < DEFAULT_SIZE for _, index in slots)
    assert allocated == 200


def test_issued_credential_and_qr_verify_offline(runtime: Runtime, sample_results: Path) -> None:
    """The stored JWS and QR payload verify against the published keys; the QR holds a masked name."""
    report = _import(runtime, sample(sample_results, "sample-450000.csv"))
    _, number = next(iter(report.issued))
    with runtime.database.read() as session:
        credential, payload = session.execute(
            select(CertificateVersion.credential, CertificateVersion.qr_payload)
            .join(Certificate)
            .where(Certificate.number == number)
        ).one()
    keyset = KeySet.from_history(runtime.keys.history())

    for target in (credential, payload):
        verdict = verify(target, keyset, runtime.now())
        assert verdict.authentic, verdict.reason
        assert verdict.facts is not None and verdict.facts.certificate_number == number
    assert verify(payload, keyset, runtime.now()).facts.holder_name == "史*"  # type: ignore[union-attr]
    assert verify(credential, keyset, runtime.now()).facts.holder_name == "史怡"  # type: ignore[union-attr]


def test_holder_id_numbers_are_encrypted_and_found_by_blind_index(
    runtime: Runtime, sample_results: Path
) -> None:
    """No ID number is stored in clear; the blind index finds the holder; birth date and sex come
    from the ID number."""
    _import(runtime, sample(sample_results, "sample-450000.csv"))
    id_number = "45050219910912597X"  # row 3 of the sample: 刘思
    with runtime.database.read() as session:
        holder = session.scalars(select(Holder).where(Holder.id_index == id_index(runtime, id_number))).one()
        stored = session.scalars(select(Holder.id_ciphertext)).all()
        assert holder.name == "刘思"
        assert decrypt_id(runtime, holder) == id_number
        assert (holder.birth_date.isoformat(), holder.sex) == ("1991-09-12", "M")
        assert id_index(runtime, "45050219910912597x") == holder.id_index  # typed lower-case x
    assert not any(id_number.encode() in blob for blob in stored)


def test_unreadable_file_raises_naming_the_file(runtime: Runtime) -> None:
    """A file that is no results file at all is an error naming it, not a report."""
    from certsvc.errors import UnreadableFile

    with pytest.raises(UnreadableFile, match=r"broken\.csv"):
        _import(runtime, b"\x00\x01\x02binary", "broken.csv")


def test_issued_rows_read_back_with_their_dates_and_issue_time(
    runtime: Runtime, sample_results: Path
) -> None:
    """Dates from the file, birth dates and the issue time (whole seconds or not) read back exactly."""
    runtime.clock.advance(microseconds=250)  # type: ignore[attr-defined]
    issued_at = runtime.now()
    report = _import(runtime, sample(sample_results, "sample-450000.csv"))
    _, number = next(iter(report.issued))
    with runtime.database.read() as session:
        certificate = session.scalars(select(Certificate).where(Certificate.number == number)).one()
        version = session.scalars(
            select(CertificateVersion).where(CertificateVersion.certificate_id == certificate.id)
        ).one()
        assert (certificate.confirmation_date.isoformat(), certificate.meeting_date.isoformat()) == (
            "2024-11-20",
            "2024-10-25",
        )
        assert certificate.created_at == version.issued_at == certificate.holder.created_at == issued_at
        assert certificate.holder.birth_date.isoformat() == "1970-01-28"


def test_a_second_result_for_a_title_held_is_refused_unless_revoked(
    runtime: Runtime, sample_results: Path
) -> None:
    """A new confirmation for a title the holder already holds actively is refused as a duplicate,
    naming row and title, while the file's other rows are already issued; once that certificate is
    revoked the same file issues the new result."""
    from sqlalchemy import update

    first = _import(runtime, sample(sample_results))
    rows = rows_of(sample(sample_results))
    again = edit(rows, 3, "confirmation_doc_no", "渝人社职〔2024〕99号")
    data = to_csv(again).encode("utf-8")

    refused = _import(runtime, data, "again.csv")
    assert [(v.row, v.field, v.rule) for v in refused.refused] == [(3, "title", "duplicate")]
    assert "already holds an active certificate" in refused.refused[0].message_en
    assert len(refused.issued) == 0

    row_3_number = dict(first.issued)[3]
    with runtime.database.write() as session:
        session.execute(
            update(Certificate).where(Certificate.number == row_3_number).values(status="revoked")
        )
    accepted = _import(runtime, data, "again.csv")
    assert accepted.refused == [] and [row for row, _ in accepted.issued] == [3]
    assert len(accepted.already_issued) == len(first.issued) - 1
