"""Import a confirmed-results file and issue its certificates: all or nothing, idempotent.

One pass over the file, in chunks of ``CHUNK_ROWS`` rows, inside ONE write transaction:

1. ``intake.validate_rows`` parses every row and checks it against every rule, plus the API
   token's authority (the same loop the intake tests and fuzzers run);
2. the chunk's holders are looked up in one query (by blind index) to answer "already issued"
   (the row's ``result_key`` exists: reported with its certificate number, never issued twice),
   "already holds an active certificate for this title" and, for a recognition (认定), "already
   recognised once" (refusals);
3. while nothing has been refused, the chunk is issued at once: holders, certificate numbers,
   status slots, signatures, one ledger ``record`` call, bulk inserts. After the first refusal
   the remaining rows are only checked, so the report still lists every refusal, and the
   transaction is rolled back at the end: a refused file leaves no trace.

Why one pass in chunks rather than "validate everything, then issue": an accepted file (the
common case) is read and parsed once, and memory stays bounded by the chunk, not the file. What
grows with the file is only what must: the ID numbers seen (duplicate check), the refusals, and
the issued (row, number) pairs, kept compactly (~22 bytes a row).

The ledger gets one ``record`` call per chunk (so one for files up to ``CHUNK_ROWS`` rows): each
call writes a checkpoint, all inside the same transaction, so atomicity is unchanged and memory
does not grow with the file.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import os
from array import array
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certsvc.audit.actors import Actor, as_actor, ledger_actor
from certsvc.audit.services import record_action
from certsvc.certificates import integrity
from certsvc.certificates.holders import SEX_CODES, HolderKeys, holder_keys
from certsvc.certificates.intake.readers import RawRow, read_path, read_rows
from certsvc.certificates.intake.validate import CheckedRecord, ValidationReport, validate_rows
from certsvc.certificates.models import Certificate, CertificateVersion, Holder, ImportBatch, NumberSequence
from certsvc.certificates.signer import ChunkSigner
from certsvc.certificates.versions import STATUS_VALID, allocate_slots
from certsvc.db.base import Base
from certsvc.db.bulk import insert_rows
from certsvc.documents.fonts import text_drawable
from certsvc.domain.certno import CERTIFICATE_NUMBER_LENGTH, make_certificate_number
from certsvc.domain.idnumber import identity_facts
from certsvc.domain.levels import Level
from certsvc.domain.record import AnyRecord, RecognitionRecord, RecordBase, ResultRecord
from certsvc.domain.routes import Acquisition, acquisition_of, recognised_before
from certsvc.domain.rules import CanDraw, HeldTitle, Violation, already_holds, integrity_refusal, name_differs
from certsvc.errors import Conflict, UnreadableFile
from certsvc.ledger.services import lock as lock_ledger
from certsvc.registry.models import Authority
from certsvc.registry.services import registry_from_database, supervisor_of
from certsvc.runtime import Runtime
from certsvc.signing.credential import CredentialFacts, issuer_id_for_uscc
from certsvc.signing.issuance import Signed, SigningOrder

CHUNK_ROWS = 1000
# A results row takes at least this many bytes in any accepted format (CSV rows run ~300).
_SMALLEST_ROW_BYTES = 120
_UNIT_SEPARATOR = "\x1f"
Progress = Callable[[int], None]
Source = bytes | os.PathLike[str]
# Runs inside an accepted import's transaction (see import_results).
Within = Callable[[Session, "ImportReport"], None]


# --- the report --------------------------------------------------------------------------------
class NumberedRows:
    """(row, certificate number) pairs stored compactly: a 100,000-row file costs ~2 MB, not ~15."""

    __slots__ = ("_numbers", "_rows")

    def __init__(self) -> None:
        self._rows = array("L")
        self._numbers = bytearray()

    def append(self, row: int, number: str) -> None:
        encoded = number.encode("ascii")
        if len(encoded) != CERTIFICATE_NUMBER_LENGTH:
            raise ValueError(f"not a certificate number: {number!r}")
        self._rows.append(row)
        self._numbers += encoded

    def clear(self) -> None:
        del self._rows[:]
        del self._numbers[:]

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[tuple[int, str]]:
        width = CERTIFICATE_NUMBER_LENGTH
        for position, row in enumerate(self._rows):
            yield row, self._numbers[position * width : (position + 1) * width].decode("ascii")

    def to_json(self) -> list[dict[str, Any]]:
        return [{"row": row, "certificate_number": number} for row, number in self]


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a refused file, would not do).

    ``issued`` is empty unless the file was accepted and it was not a dry run; ``would_issue``
    counts the rows a dry run found ready to issue.
    """

    filename: str
    source_sha256: str
    dry_run: bool
    rows: int = 0
    issued: NumberedRows = field(default_factory=NumberedRows)
    already_issued: NumberedRows = field(default_factory=NumberedRows)
    refused: list[Violation] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)
    would_issue: int = 0
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.refused

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.filename,
            "sha256": self.source_sha256,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "issued": self.issued.to_json(),
            "already_issued": self.already_issued.to_json(),
            "refused": [
                {
                    "row": v.row,
                    "field": v.field,
                    "rule": v.rule,
                    "message": v.message_en,
                    "message_zh": v.message_zh,
                }
                for v in self.refused
            ],
            "warnings": [
                {
                    "row": v.row,
                    "field": v.field,
                    "rule": v.rule,
                    "message": v.message_en,
                    "message_zh": v.message_zh,
                }
                for v in self.warnings
            ],
            "would_issue": self.would_issue,
            "batch_id": self.batch_id,
        }


# --- entry point -------------------------------------------------------------------------------
def import_results(
    runtime: Runtime,
    data: Source,
    filename: str,
    *,
    dry_run: bool,
    acting_authority: str | None = None,
    actor: Actor | str = "cli",
    progress: Progress | None = None,
    within: Within | None = None,
) -> ImportReport:
    """Check every row of a results file and, unless ``dry_run`` or anything is refused, issue it.

    ``data`` is the file's bytes or a path (streamed from disk). ``acting_authority`` (an API
    token's authority) refuses rows confirmed by any other authority. Raises ``UnreadableFile``
    (or ``BadHeader``) when the file cannot be read at all; otherwise every problem is in the
    report. A concurrent import of the same rows makes the loser retry once, which then reports
    them as already issued.
    """
    attempt_import = functools.partial(
        _import_once,
        runtime,
        data,
        filename,
        digest=_sha256(data, filename),
        dry_run=dry_run,
        acting_authority=acting_authority,
        actor=as_actor(actor),
        progress=progress,
        within=within,
    )
    for attempt in itertools.count(1):
        try:
            return attempt_import()
        except IntegrityError:
            # Another transaction issued some of these rows (or numbers) first; a second look sees it.
            if attempt >= 2:
                raise Conflict(
                    "the file's results were being issued concurrently; try again",
                    detail_zh="该文件的结果正由另一个导入同时处理，请稍后重试",
                ) from None
    raise AssertionError("unreachable")


class _Refused(Exception):
    """Raised inside the write transaction to roll it back; carries the report out."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("refused")
        self.report = report


def _import_once(
    runtime: Runtime,
    data: Source,
    filename: str,
    *,
    digest: str,
    dry_run: bool,
    acting_authority: str | None,
    actor: Actor,
    progress: Progress | None,
    within: Within | None = None,
) -> ImportReport:
    report = ImportReport(filename=filename, source_sha256=digest, dry_run=dry_run)
    rows = read_rows(data, filename) if isinstance(data, bytes) else read_path(data, filename)
    now, today = runtime.now(), runtime.today()
    keys = holder_keys(runtime)
    can_draw = text_drawable(runtime.settings.cjk_font)

    def check_rows(session: Session, issuer: _Issuer | None) -> None:
        """Check every row into ``report``; with an ``issuer`` (not in a dry run), issue them too."""
        _run(
            session,
            rows,
            report,
            keys=keys,
            today=today,
            acting=acting_authority,
            issuer=issuer,
            progress=progress,
            can_draw=can_draw,
        )

    if dry_run:
        with runtime.database.read() as session:
            check_rows(session, None)
        return report

    def signing_order() -> SigningOrder:
        key = runtime.keys.current(now)  # only once there is something to sign
        return SigningOrder.for_key(key, runtime.settings.base_url, now, ledger_actor(runtime, actor))

    try:
        with ChunkSigner(signing_order) as signer, runtime.database.write() as session:
            if _source_size(data) > CHUNK_ROWS * _SMALLEST_ROW_BYTES:
                signer.expect_more_chunks()  # surely more than one chunk: the worker starts now
            lock_ledger(session)
            issuer = _Issuer(
                session,
                runtime,
                signer=signer,
                keys=keys,
                now=now,
                today=today,
                report=report,
                actor=actor,
                acting=acting_authority,
            )
            check_rows(session, issuer)
            if not report.ok:
                raise _Refused(report)
            issuer.finish()
            if within is not None:
                within(session, report)
    except _Refused:
        report.issued.clear()
        report.batch_id = None
    return report


def _run(
    session: Session,
    rows: Iterable[RawRow],
    report: ImportReport,
    *,
    keys: HolderKeys,
    today: dt.date,
    acting: str | None,
    issuer: _Issuer | None,
    progress: Progress | None,
    can_draw: CanDraw | None = None,
) -> None:
    validation = ValidationReport()
    checked = validate_rows(
        rows, registry_from_database(session), today, validation, acting_authority=acting, can_draw=can_draw
    )
    chunks = iter(lambda: list(itertools.islice(checked, CHUNK_ROWS)), [])
    chunk = next(chunks, None)
    while chunk is not None:
        # Rows are checked one chunk ahead, so that a chunk is known to be the last one when it is
        # issued: the last is signed here, beside the worker's work on the chunk before.
        following = next(chunks, None)
        if issuer is not None and validation.ok and following is not None:
            issuer.signer.expect_more_chunks()
        ready = _classify(session, keys, chunk, validation, report, today=today)
        if issuer is not None and validation.ok:
            issuer.issue(ready, last=following is None)
        else:
            report.would_issue += len(ready)
        report.rows = validation.rows
        if progress is not None:
            progress(report.rows)
        chunk = following
    if report.rows != validation.rows:  # rows after the last that parsed
        report.rows = validation.rows
        if progress is not None:
            progress(report.rows)
    # Rows are checked in order, but "already holds" findings come after each chunk's rule checks.
    report.refused = validation.in_row_order()
    report.warnings = validation.warnings
    if report.refused:
        report.would_issue = 0


def result_key(record: RecordBase, id_index: str) -> str:
    """The identity of a confirmed result: authority, confirmation document, holder, title."""
    text = _UNIT_SEPARATOR.join((record.authority_code, record.confirmation_doc_no, id_index, record.title))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class _KnownHolder:
    id: int
    name: str
    held: list[HeldTitle] = field(default_factory=list)
    results: dict[str, str] = field(default_factory=dict)
    # (certificate number, authority, name on its current version) of each non-revoked certificate.
    registered_names: list[tuple[str, str, str]] = field(default_factory=list)

    def other_name(self, name: str) -> tuple[str, str] | None:
        """(number, authority) of a live certificate registered under another name, if any."""
        for number, authority, registered in self.registered_names:
            if registered != name:
                return number, authority
        return None


@dataclass(slots=True)
class _Pending:
    record: AnyRecord
    id_index: str
    result_key: str
    holder: _KnownHolder | None


def _classify(
    session: Session,
    keys: HolderKeys,
    chunk: list[CheckedRecord],
    validation: ValidationReport,
    report: ImportReport,
    *,
    today: dt.date,
) -> list[_Pending]:
    """Answer "already issued", "already holds" (rule 8), "already recognised" (认定 never twice)
    and "in the integrity record" (rule 10) for a chunk with one query each; the rows to issue."""
    indexes = [keys.index(checked.record.id_number) for checked in chunk]
    known = _known_holders(session, indexes)
    barred = integrity.running(session, indexes, today)
    ready: list[_Pending] = []
    for checked, index in zip(chunk, indexes, strict=True):
        record = checked.record
        key = result_key(record, index)
        holder = known.get(index)
        if holder is not None and key in holder.results:
            if not checked.refused:
                report.already_issued.append(record.row, holder.results[key])
            continue
        record_running = barred.get(index)
        if record_running is not None:
            validation.refuse(integrity_refusal(record, record_running.doc_no, record_running.runs_until))
            continue
        held = already_holds(record, holder.held) if holder is not None and not checked.repeated else None
        if held is None and holder is not None and isinstance(record, RecognitionRecord):
            held = recognised_before(record, ((title.route, title.title) for title in holder.held))
        if held is not None:
            validation.refuse(held)
            continue
        conflict = holder.other_name(record.name) if holder is not None else None
        if conflict is not None:
            # Never applied to the existing certificate: its authority alone corrects it (issue 16).
            validation.refuse(name_differs(record, *conflict))
            continue
        if not checked.refused:
            ready.append(_Pending(record, index, key, holder))
    return ready


def _known_holders(session: Session, indexes: list[str]) -> dict[str, _KnownHolder]:
    """The holders among ``indexes`` (blind indexes) with their certificates, in one query."""
    if not indexes:
        return {}
    rows = session.execute(
        select(
            Holder.id,
            Holder.id_index,
            Holder.name,
            Certificate.result_key,
            Certificate.number,
            Certificate.title,
            Certificate.status,
            Certificate.series,
            Certificate.specialty,
            Certificate.level,
            Certificate.meeting_date,
            Certificate.route,
            Certificate.authority_code,
            CertificateVersion.holder_name,
        )
        .outerjoin(Certificate, Certificate.holder_id == Holder.id)
        .outerjoin(
            CertificateVersion,
            (CertificateVersion.certificate_id == Certificate.id)
            & (CertificateVersion.version == Certificate.current_version),
        )
        .where(Holder.id_index.in_(indexes))
    )
    known: dict[str, _KnownHolder] = {}
    for (
        holder_id,
        index,
        name,
        key,
        number,
        title,
        status,
        series,
        specialty,
        level,
        meeting,
        route,
        authority,
        registered_name,
    ) in rows:
        holder = known.get(index)
        if holder is None:
            holder = known[index] = _KnownHolder(holder_id, name)
        if key is not None:
            holder.results[key] = number
            if status != "revoked":
                review_year = meeting.year if meeting is not None else 0
                holder.held.append(HeldTitle(series, specialty, title, Level(level), review_year, route))
                if registered_name is not None:  # None: issued by this import, still being signed
                    holder.registered_names.append((number, authority, registered_name))
    return known


# --- issuing -----------------------------------------------------------------------------------
@dataclass(slots=True)
class _Signing:
    """A chunk whose holders and certificates are written and whose signatures are on their way."""

    signing: Future[Signed]
    pending: list[_Pending]
    numbers: list[str]
    slots: list[tuple[int, int]]
    certificate_ids: dict[Hashable, int]


class _Issuer:
    """Issues accepted chunks inside the caller's write transaction."""

    def __init__(
        self,
        session: Session,
        runtime: Runtime,
        *,
        signer: ChunkSigner,
        keys: HolderKeys,
        now: dt.datetime,
        today: dt.date,
        report: ImportReport,
        actor: Actor,
        acting: str | None,
    ) -> None:
        self.session = session
        self.runtime = runtime
        self.signer = signer
        self._signing: _Signing | None = None
        self.keys = keys
        self.now = now
        self.today = today
        self.report = report
        self.actor = actor
        self.acting_authority = acting
        self._issuers: dict[str, tuple[str, str, str | None]] = {}
        self._serials: dict[tuple[str, Level], int] = {}
        self._authorities: set[str] = set()
        self.first_ledger_index: int | None = None

    def issue(self, pending: list[_Pending], *, last: bool) -> None:
        """Write ``pending``'s holders and certificates and send them to be signed; the chunk is
        completed (ledger, versions) when the next chunk has been written, or by ``finish``.
        ``last``: no chunk follows."""
        if not pending:
            return
        session = self.session
        batch_id = self._batch_id()
        numbers = self._numbers(pending)
        slots = allocate_slots(session, self.runtime, len(pending), self.now)
        acquisitions = [acquisition_of(item.record) for item in pending]
        facts = [
            self._facts(item.record, number, slot, acquisition)
            for item, number, slot, acquisition in zip(pending, numbers, slots, acquisitions, strict=True)
        ]
        signing = self.signer.submit(facts, last=last)
        holder_ids = self._holder_ids(pending)
        certificate_ids = insert_rows(
            session,
            _CERTIFICATES,
            [
                _certificate_row(
                    item.record,
                    number=number,
                    result_key=item.result_key,
                    holder_id=holder_id,
                    batch_id=batch_id,
                    acquisition=acquisition,
                    supervisor=fact.supervisor,
                    now=self.now,
                )
                for item, number, holder_id, acquisition, fact in zip(
                    pending, numbers, holder_ids, acquisitions, facts, strict=True
                )
            ],
            ids_by="number",
        )
        self._complete_signed()
        self._signing = _Signing(signing, pending, numbers, slots, certificate_ids)

    def _complete_signed(self) -> None:
        """Record the chunk sent to be signed last in the ledger and store its versions."""
        from certsvc.ledger.services import record as record_in_ledger

        if self._signing is None:
            return
        chunk, self._signing = self._signing, None
        signed = chunk.signing.result()
        kid = self.signer.order.kid
        # Late: the ledger lock is held from here until the commit.
        ledger_indexes = record_in_ledger(self.session, self.runtime, [entry for _, _, entry in signed])
        if self.first_ledger_index is None and ledger_indexes:
            self.first_ledger_index = ledger_indexes[0]
        insert_rows(
            self.session,
            _VERSIONS,
            [
                {
                    "certificate_id": chunk.certificate_ids[number],
                    "version": 1,
                    "status": STATUS_VALID,
                    "issued_at": self.now,
                    "kid": kid,
                    "credential": credential,
                    "qr_payload": qr_payload,
                    "status_list_id": slot[0],
                    "status_index": slot[1],
                    "ledger_index": ledger_index,
                    "holder_name": item.record.name,
                }
                for number, (credential, qr_payload, _), slot, ledger_index, item in zip(
                    chunk.numbers, signed, chunk.slots, ledger_indexes, chunk.pending, strict=True
                )
            ],
        )
        for item, number in zip(chunk.pending, chunk.numbers, strict=True):
            self.report.issued.append(item.record.row, number)
            self._authorities.add(item.record.authority_code)

    def finish(self) -> None:
        """Complete the last chunk; store the advanced certificate-number sequences and the
        batch's counts."""
        self._complete_signed()
        for (authority_code, level), next_serial in self._serials.items():
            self.session.execute(
                update(NumberSequence)
                .where(
                    NumberSequence.authority_code == authority_code,
                    NumberSequence.year == self.today.year,
                    NumberSequence.level == level.value,
                )
                .values(next_serial=next_serial)
            )
        if self.report.batch_id is not None:
            authority = self._batch_authority()
            self.session.execute(
                update(ImportBatch)
                .where(ImportBatch.id == self.report.batch_id)
                .values(
                    authority_code=authority,
                    row_count=self.report.rows,
                    issued_count=len(self.report.issued),
                )
            )
            record_action(
                self.session,
                self.runtime,
                self.actor,
                "import",
                target_kind="batch",
                target=str(self.report.batch_id),
                authority_code=None if authority == "MIXED" else authority,
                details={
                    "file": self.report.filename[:255],
                    "sha256": self.report.source_sha256,
                    "rows": self.report.rows,
                    "issued": len(self.report.issued),
                    "already_issued": len(self.report.already_issued),
                    "warnings": len(self.report.warnings),
                },
                ledger_index=self.first_ledger_index,
            )

    # --- pieces ------------------------------------------------------------------------------
    def _facts(
        self, record: AnyRecord, number: str, slot: tuple[int, int], acquisition: Acquisition
    ) -> CredentialFacts:
        issuer_id, issuer_name, supervisor = self._issuer(record.authority_code)
        return CredentialFacts(
            certificate_number=number,
            version=1,
            holder_name=record.name,
            title=record.title,
            level=record.level.value,
            series=record.series,
            specialty=record.specialty,
            obtained=record.obtained,
            issuer_id=issuer_id,
            issuer_name=issuer_name,
            status_list_id=slot[0],
            status_index=slot[1],
            employer=record.employer or None,
            acquisition=acquisition,
            supervisor=supervisor,
        )

    def _batch_id(self) -> int:
        if self.report.batch_id is None:
            self.report.batch_id = self.session.execute(
                insert(ImportBatch)
                .values(
                    authority_code=self.acting_authority or "",
                    source_name=self.report.filename[:255],
                    source_sha256=self.report.source_sha256,
                    row_count=0,
                    issued_count=0,
                    imported_by=self.actor.reference[:100],
                    created_at=self.now,
                )
                .returning(ImportBatch.id)
            ).scalar_one()
        return self.report.batch_id

    def _batch_authority(self) -> str:
        if self.acting_authority is not None:
            return self.acting_authority
        return next(iter(self._authorities)) if len(self._authorities) == 1 else "MIXED"

    def _issuer(self, authority_code: str) -> tuple[str, str, str | None]:
        """(issuer id, name, supervising body) of an authority, looked up once per import."""
        found = self._issuers.get(authority_code)
        if found is None:
            authority = self.session.scalars(select(Authority).where(Authority.code == authority_code)).one()
            found = self._issuers[authority_code] = (
                issuer_id_for_uscc(authority.uscc),
                authority.name,
                supervisor_of(self.session, authority),
            )
        return found

    def _holder_ids(self, pending: list[_Pending]) -> list[int]:
        # The holder row is shared by every authority: a new result never rewrites it. Its
        # certificates' names live on their versions (issue 16).
        new = [item for item in pending if item.holder is None]
        ciphertexts = self.keys.encrypt_all([(item.record.id_number, item.id_index) for item in new])
        rows = []
        for item, ciphertext in zip(new, ciphertexts, strict=True):
            facts = identity_facts(item.record.id_number)  # the identity rule accepted it
            rows.append(
                {
                    "id_index": item.id_index,
                    "id_ciphertext": ciphertext,
                    "name": item.record.name,
                    "birth_date": facts.birth_date,
                    "sex": SEX_CODES[facts.sex],
                    "created_at": self.now,
                }
            )
        created = insert_rows(self.session, _HOLDERS, rows, ids_by="id_index")
        return [created[item.id_index] if item.holder is None else item.holder.id for item in pending]

    def _numbers(self, pending: list[_Pending]) -> list[str]:
        numbers = []
        year = self.today.year
        for item in pending:
            key = (item.record.authority_code, item.record.level)
            serial = self._serials.get(key)
            if serial is None:
                serial = self._load_serial(*key)
            numbers.append(make_certificate_number(key[0], year, key[1], serial))
            self._serials[key] = serial + 1
        return numbers

    def _load_serial(self, authority_code: str, level: Level) -> int:
        """The next serial for (authority, this year, level), its row created and locked."""
        values = {"authority_code": authority_code, "year": self.today.year, "level": level.value}
        # Created with ON CONFLICT DO NOTHING so two first imports of the year do not collide.
        upsert = postgresql.insert if _dialect(self.session) == "postgresql" else sqlite.insert
        self.session.execute(upsert(NumberSequence).values(**values, next_serial=1).on_conflict_do_nothing())
        return self.session.execute(
            select(NumberSequence.next_serial)
            .where(
                NumberSequence.authority_code == authority_code,
                NumberSequence.year == self.today.year,
                NumberSequence.level == level.value,
            )
            .with_for_update()
        ).scalar_one()


def _certificate_row(
    record: AnyRecord,
    *,
    number: str,
    result_key: str,
    holder_id: int,
    batch_id: int,
    acquisition: Acquisition,
    supervisor: str | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """The ``certificates`` row of an accepted record: review keeps its committee and meeting in
    their columns, the other routes their facts in ``acquisition``."""
    review = record if isinstance(record, ResultRecord) else None
    return {
        "number": number,
        "result_key": result_key,
        "authority_code": record.authority_code,
        "holder_id": holder_id,
        "batch_id": batch_id,
        "committee_code": review.committee_code if review else "",
        "committee_name": review.committee_name if review else "",
        "series": record.series,
        "specialty": record.specialty,
        "title": record.title,
        "level": record.level.value,
        "employer": record.employer,
        "confirmation_doc_no": record.confirmation_doc_no,
        "confirmation_date": record.confirmation_date,
        "meeting_date": review.meeting_date if review else None,
        "route": record.route,
        "acquisition": None if review else acquisition.to_json(),
        "obtained_date": record.obtained,
        "supervisor": supervisor,
        "status": STATUS_VALID,
        "current_version": 1,
        "created_at": now,
    }


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


_HOLDERS = Base.metadata.tables[Holder.__tablename__]
_CERTIFICATES = Base.metadata.tables[Certificate.__tablename__]
_VERSIONS = Base.metadata.tables[CertificateVersion.__tablename__]


def _source_size(data: Source) -> int:
    """The source's size in bytes (0 when it cannot be told: the reader will say why)."""
    if isinstance(data, bytes):
        return len(data)
    try:
        return os.stat(data).st_size
    except OSError:
        return 0


def _sha256(data: Source, filename: str) -> str:
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    try:
        with Path(data).open("rb") as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
    except OSError as exc:
        raise UnreadableFile(
            f"{filename}: cannot be opened ({exc.strerror})",
            detail_zh=f"{filename}：无法打开（{exc.strerror}）",
        ) from None
    return digest.hexdigest()
