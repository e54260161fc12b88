"""Files longer than one chunk: their chunks are signed by a worker process while the next chunk is
checked and written (ADR 0019). What a user sees must not change: every row issued with a genuine
credential, QR token and ledger entry, numbers in row order, and a refusal anywhere changing nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import signal
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select

from certsvc.certificates.issuing import CHUNK_ROWS, import_results
from certsvc.certificates.models import Certificate, CertificateVersion
from certsvc.domain.certno import parse_certificate_number
from certsvc.domain.checkdigits import gb11643_check_char
from certsvc.domain.routes import Acquisition
from certsvc.ledger.models import LedgerEntry
from certsvc.runtime import Runtime
from certsvc.signing.jwks import KeySet
from certsvc.signing.verifier import verify
from tests.intake.helpers import csv_bytes, sample_table
from tests.services.support import table_counts

ROWS = 2 * CHUNK_ROWS + CHUNK_ROWS // 2  # two full chunks and a part: the worker signs two of them


def _many_people(count: int) -> list[list[str]]:
    """The first sample row of 450000, held by ``count`` different people (valid, distinct IDs)."""
    header, template = sample_table("sample-450000.csv")[:2]
    id_column = header.index("id_number")
    rows = [header]
    for person in range(count):
        born = dt.date(1970, 1, 1) + dt.timedelta(days=person // 900)
        body = f"450102{born:%Y%m%d}{person % 900 + 100:03d}"
        row = list(template)
        row[id_column] = body + gb11643_check_char(body)
        rows.append(row)
    return rows


def test_a_file_of_several_chunks_issues_every_row_signed_and_recorded(runtime: Runtime) -> None:
    """All rows of a three-chunk file are issued in row order with consecutive serials; every
    version's credential and QR verify against the published keys and its ledger entry names its
    number and credential hash, at distinct, contiguous ledger positions."""
    report = import_results(runtime, csv_bytes(_many_people(ROWS)), "many.csv", dry_run=False, actor="test")

    assert report.refused == [] and len(report.issued) == ROWS
    issued = list(report.issued)
    assert [row for row, _ in issued] == list(range(2, ROWS + 2))
    serials = [parse_certificate_number(number).serial for _, number in issued]
    assert serials == list(range(serials[0], serials[0] + ROWS))

    with runtime.database.read() as session:
        versions = session.execute(
            select(
                Certificate.number,
                CertificateVersion.credential,
                CertificateVersion.qr_payload,
                CertificateVersion.ledger_index,
            ).join(Certificate)
        ).all()
        entries = {
            idx: json.loads(content)
            for idx, content in session.execute(select(LedgerEntry.idx, LedgerEntry.content))
        }
    assert len(versions) == ROWS
    indexes = sorted(ledger_index for *_, ledger_index in versions)
    assert indexes == list(range(indexes[0], indexes[0] + ROWS))
    keyset = KeySet.from_history(runtime.keys.history())
    for number, credential, payload, ledger_index in versions:
        entry = entries[ledger_index]
        assert (entry["type"], entry["certificate_number"], entry["version"]) == ("issue", number, 1)
        assert entry["credential_sha256"] == hashlib.sha256(credential.encode()).hexdigest()
        for token in (credential, payload):
            verdict = verify(token, keyset, runtime.now())
            assert verdict.authentic, verdict.reason
            assert verdict.facts is not None and verdict.facts.certificate_number == number


def test_a_refusal_in_the_last_chunk_leaves_nothing_of_the_chunks_before(runtime: Runtime) -> None:
    """A bad row after two chunks were already written and sent to be signed refuses the file:
    nothing is issued, no table changes, and the refusal names the row."""
    rows = _many_people(ROWS)
    votes = rows[0].index("votes_for")
    rows[-1][votes] = "1"  # far below two thirds of the committee
    before = table_counts(runtime)

    report = import_results(runtime, csv_bytes(rows), "many.csv", dry_run=False, actor="test")

    assert len(report.issued) == 0 and report.batch_id is None
    assert [violation.row for violation in report.refused] == [ROWS + 1]
    assert table_counts(runtime) == before


def test_acquisition_facts_cross_to_the_signing_worker_unchanged() -> None:
    """Every fact of how a title was obtained survives the pickling that carries a chunk to the
    signing worker, field by field, for a fully filled and an almost empty record."""
    full = Acquisition(
        route="reconfirmation",
        committee="广西工程技术中级评审委员会",
        review_date=dt.date(2020, 5, 6),
        education="硕士",
        original_certificate_number="44000020201000001X",
        original_issuer="广东省人力资源和社会保障厅",
        original_date=dt.date(2020, 6, 1),
        original_route="review",
        exam_name="会计专业技术资格考试",
        exam_date=dt.date(2019, 9, 7),
        exam_authority="财政部",
        exam_certificate_number="Z2019001",
    )
    for acquisition in (full, Acquisition(route="exam")):
        assert pickle.loads(pickle.dumps(acquisition)) == acquisition


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped has ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from Linux /proc")
def test_an_import_killed_while_signing_leaves_no_worker_behind(tmp_path: Path) -> None:
    """``certsvc import`` SIGKILLed while its signing worker runs: the worker ends with it, so
    the importer's output closes at once and no process is left waiting for chunks forever."""
    env = {
        **os.environ,
        "CERTSVC_ENV": "test",
        "CERTSVC_DATABASE_URL": f"sqlite:///{tmp_path / 'certsvc.sqlite3'}",
        "CERTSVC_INSTANCE_DIR": str(tmp_path / "instance"),
        "CERTSVC_KEYS_DIR": str(tmp_path / "keys"),
        "PYTHONWARNINGS": "ignore",
    }
    registry = resources.files("certsvc.domain").joinpath("demo_registry.json")
    command = [sys.executable, "-m", "certsvc"]
    with resources.as_file(registry) as registry_path:
        subprocess.run(
            [*command, "init", "--registry", str(registry_path)], env=env, check=True, capture_output=True
        )
    results = tmp_path / "many.csv"
    results.write_bytes(csv_bytes(_many_people(8 * CHUNK_ROWS)))

    importer = subprocess.Popen(
        [*command, "import", str(results)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers and importer.poll() is None and time.monotonic() < deadline:
        workers = [
            pid
            for pid in _children(importer.pid)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        time.sleep(0.02)
    assert workers, "the import never started a signing worker"
    importer.send_signal(signal.SIGKILL)
    importer.communicate(timeout=30)  # returns only once nobody holds the importer's output open

    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in workers)
