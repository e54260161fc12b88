"""Public verification: the signature says whether a token is authentic, the registry says whether
it is still true.

1. Pure checks through ``signing.verifier`` (format, key, signature, key window, compromise).
2. The server's truth from the database: the version must be registered with exactly these bytes,
   then revoked > suspended > superseded > valid.
3. Ledger evidence for the version's entry, when the ledger has it.

Verify-by-number checks the check character before any lookup and then gives ONE answer for "no
such certificate" and "the name does not match", after the same work. Nothing here logs names,
numbers or payloads; each verdict is counted per day, channel and outcome.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import re
import time
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, and_, bindparam, exists, select
from sqlalchemy.exc import SQLAlchemyError

from certsvc.certificates.models import Certificate, CertificateVersion, Holder
from certsvc.domain.certno import validate_certificate_number
from certsvc.domain.names import mask_name, normalize_name
from certsvc.domain.routes import ACQUISITION_LABELS_ZH, PUBLIC_FACTS, Acquisition, stored_acquisition
from certsvc.errors import BadRequest, CertsvcError
from certsvc.ledger import services as ledger_service
from certsvc.log import get_logger
from certsvc.registry.models import Authority, Commission
from certsvc.runtime import Runtime
from certsvc.signing import verifier
from certsvc.signing.jwks import KeySet
from certsvc.signing.qrpayload import payload_from_url_or_text
from certsvc.texts import LABELS, bilingual, label
from certsvc.timefmt import china_date
from certsvc.verification import counters
from certsvc.verification.lookup import RegistryUnavailable, all_rows, first_row
from certsvc.verification.targets import MAX_TOKEN_CHARS, is_document, token_from_document

if TYPE_CHECKING:
    from certsvc.documents.signature import PdfSignatureCheck

log = get_logger("certsvc.verification")

OUTCOMES = ("valid", "superseded", "suspended", "revoked", "invalid", "unknown")
# Pages word an ``invalid`` outcome by the step that decided it (the API keeps outcome and step):
# forgery only when a signature fails, "no match" for a number and name, "unreadable" for what
# carries no certsvc certificate; other failures (a compromised key …) say "invalid" and why.
FORGED_STEPS = frozenset({"signature", "pdf-signature"})
WORDINGS = (*OUTCOMES, "forged", "no-match", "unreadable", "unreadable-file")
MAX_NAME_CHARS = 200
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")
# One Core select per verification, built once: a Session and ORM entities cost several times
# more than the query itself on this path. A row has the certificate, the version asked about
# (``v_*``), the certificate's current version (``cur_*``, NULL when missing) and the issuer's name.
_CERTIFICATES = cast(Table, Certificate.__table__)
_VERSIONS = cast(Table, CertificateVersion.__table__)
_CURRENT = _VERSIONS.alias("current_version")
_AUTHORITIES = cast(Table, Authority.__table__)
_HOLDERS = cast(Table, Holder.__table__)
_COMMISSIONS = cast(Table, Commission.__table__)
_VERSION_COLUMNS = (
    "version",
    "status",
    "issued_at",
    "reissue_reason",
    "status_reason",
    "status_doc_no",
    "status_effective",
    "status_changed_at",
)
_REGISTRY_COLUMNS = (
    _CERTIFICATES.c.id,
    _CERTIFICATES.c.number,
    _CERTIFICATES.c.title,
    _CERTIFICATES.c.level,
    _CERTIFICATES.c.series,
    _CERTIFICATES.c.specialty,
    _CERTIFICATES.c.authority_code,
    _CERTIFICATES.c.status,
    _CERTIFICATES.c.current_version,
    _CERTIFICATES.c.confirmation_date,
    _CERTIFICATES.c.holder_id,
    _AUTHORITIES.c.name.label("issuer_name"),
    _CERTIFICATES.c.committee_name,
    _CERTIFICATES.c.meeting_date,
    _CERTIFICATES.c.route,
    _CERTIFICATES.c.acquisition,
    _CERTIFICATES.c.obtained_date,
    _CERTIFICATES.c.supervisor,
    # 委托评审: the confirming authority commissioned the committee (the page says so).
    exists()
    .where(
        _COMMISSIONS.c.authority_code == _CERTIFICATES.c.authority_code,
        _COMMISSIONS.c.committee_code == _CERTIFICATES.c.committee_code,
    )
    .label("commissioned"),
    *(_VERSIONS.c[name].label(f"v_{name}") for name in _VERSION_COLUMNS),
    _VERSIONS.c.kid.label("v_kid"),
    _VERSIONS.c.qr_payload.label("v_qr_payload"),
    _VERSIONS.c.credential.label("v_credential"),
    _VERSIONS.c.ledger_index.label("v_ledger_index"),
    _VERSIONS.c.holder_name.label("v_holder_name"),
    *(_CURRENT.c[name].label(f"cur_{name}") for name in _VERSION_COLUMNS),
)
_WITH_CURRENT_AND_ISSUER = (
    _CERTIFICATES.join(_VERSIONS, _VERSIONS.c.certificate_id == _CERTIFICATES.c.id)
    .outerjoin(
        _CURRENT,
        and_(
            _CURRENT.c.certificate_id == _CERTIFICATES.c.id,
            _CURRENT.c.version == _CERTIFICATES.c.current_version,
        ),
    )
    .outerjoin(_AUTHORITIES, _AUTHORITIES.c.code == _CERTIFICATES.c.authority_code)
)
_BY_NUMBER_AND_VERSION = (
    select(*_REGISTRY_COLUMNS)
    .select_from(_WITH_CURRENT_AND_ISSUER)
    .where(_CERTIFICATES.c.number == bindparam("number"), _VERSIONS.c.version == bindparam("version"))
)
# By number: the current version, whose own holder name (as its authority registered it) is what
# the typed name is compared against (issue 16).
_BY_NUMBER = (
    select(*_REGISTRY_COLUMNS)
    .select_from(_WITH_CURRENT_AND_ISSUER)
    .where(
        _CERTIFICATES.c.number == bindparam("number"),
        _VERSIONS.c.version == _CERTIFICATES.c.current_version,
    )
)
# A bulk check's numbers, a chunk at a time: one statement instead of one per line.
_BY_NUMBERS = (
    select(*_REGISTRY_COLUMNS)
    .select_from(_WITH_CURRENT_AND_ISSUER)
    .where(
        _CERTIFICATES.c.number.in_(bindparam("numbers", expanding=True)),
        _VERSIONS.c.version == _CERTIFICATES.c.current_version,
    )
)
NUMBERS_PER_SELECT = 500
# A row of _REGISTRY_COLUMNS (a named tuple from ``registry.first_row``: attributes by label).
RegistryRow = Any
_HOLDER = select(_HOLDERS.c.id_index).where(_HOLDERS.c.id == bindparam("holder_id"))
# Compared when no certificate has the typed number, so both "no" answers do the same work.
_ABSENT_NAME = "\u0000no-such-holder\u0000"


@dataclasses.dataclass(frozen=True)
class PublicFacts:
    """What may be shown to anyone: the holder's name masked, never an ID number."""

    certificate_number: str
    version: int
    holder: str
    title: str
    level: str
    series: str | None
    specialty: str | None
    obtained: dt.date
    issued_at: dt.datetime
    issuer_name: str | None
    issuer_code: str | None
    kid: str | None
    form: str  # qr | jws | number
    committee_name: str | None = None  # the committee that reviewed (another unit's, if commissioned)
    commissioned: bool = False  # reviewed by a committee the confirming authority commissioned
    # How the title was obtained (取得方式 and its facts), when known (a QR read offline has none).
    acquisition: Acquisition | None = None
    supervisor: str | None = None  # the province's supervising body ("…监制")

    def route_details(self) -> list[tuple[str, str, str | dt.date]]:
        """(attribute, Chinese label, value) of the public acquisition facts a page lists under
        取得方式; the committee is shown on its own line (with 受委托评审 when commissioned)."""
        if self.acquisition is None:
            return []
        return [
            (name, ACQUISITION_LABELS_ZH[name], value)
            for name, value in self.acquisition.details()
            if name in PUBLIC_FACTS and name != "committee"
        ]


@dataclasses.dataclass(frozen=True)
class StatusFacts:
    """Why a certificate is revoked or suspended: date, reason category, the authority's document."""

    state: str
    effective: dt.date | None
    reason_category: str | None
    document_number: str | None
    changed_at: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class VersionFacts:
    this: int
    current: int
    current_issued_at: dt.datetime | None
    current_reissue_reason: str | None

    @property
    def newer_exists(self) -> bool:
        return self.current > self.this


@dataclasses.dataclass(frozen=True)
class OnlineVerdict:
    outcome: str
    step: str | None
    reason: str
    reason_zh: str
    checked_at: dt.datetime
    facts: PublicFacts | None = None
    status: StatusFacts | None = None
    versions: VersionFacts | None = None
    ledger: dict[str, Any] | None = None
    holder_confirmed: bool | None = None
    # The registered QR payload of the verified version: lets a page offer "confirm the holder"
    # for this certificate without ever handling the number or name again.
    confirm_payload: str | None = dataclasses.field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.outcome == "valid"

    @property
    def wording(self) -> str:
        """What a page calls this verdict (a slug of ``WORDINGS``): see :func:`wording`."""
        return wording(self.outcome, self.step)


def wording(outcome: str, step: str | None, *, upload: bool = False) -> str:
    """The headline a page shows for a verdict: its outcome, except that an ``invalid`` one is
    ``forged`` only when a signature fails, ``no-match`` when no certificate has the typed number and
    name (one wording for both causes), ``unreadable`` (``unreadable-file`` for an upload) when the
    text or file holds no certsvc certificate, and ``invalid`` (with the step as the reason) else."""
    if outcome != "invalid":
        return outcome
    if step in FORGED_STEPS:
        return "forged"
    if step == "not-found":
        return "no-match"
    if step == "parse":
        return "unreadable-file" if upload else "unreadable"
    return "invalid"


def wording_label(outcome: str, step: str | None, language: str) -> str:
    """The headline of a verdict in ``language``, as the pages show it (``label("outcome",
    wording)``): documents made outside a page (a report PDF, a bulk check's workbook) print these
    words too, so "no matching certificate" is never printed as "invalid"."""
    return label("outcome", wording(outcome, step), language)


# --- entry points ------------------------------------------------------------------------------
def verify_target(
    runtime: Runtime,
    target: str | bytes,
    *,
    channel: str = "api",
    confirm: str | None = None,
    evidence: bool = True,
) -> OnlineVerdict:
    """Verify a QR URL (any case), a bare QR payload, a compact JWS, or PNG/PDF/photo bytes.

    ``confirm`` (a full name or ID number typed by the verifier) adds ``holder_confirmed``;
    ``evidence=False`` leaves the ledger evidence out (bulk checks, which do not show it).
    Raises ``UnreadableDocument`` for a file without a readable QR or credential.
    """
    now = runtime.now()
    seal: PdfSignatureCheck | None = None
    if isinstance(target, bytes) and is_document(target):
        seal = _pdf_seal(runtime, target)
        target = token_from_document(target)
    text = _token_text(target)
    if text is None:
        verdict = _invalid(now, "parse", "not a certificate QR code, payload or credential")
    else:
        pure = _pure_verify(text, keyset(runtime), now)
        seal_problem = None if seal is None else _seal_problem(seal, pure)
        if seal_problem is not None:
            verdict = _invalid(now, "pdf-signature", seal_problem)
        elif pure.authentic:
            verdict = _online(runtime, pure, text, confirm, evidence=evidence)
        else:
            verdict = _invalid(now, pure.step, pure.reason)
    _count(runtime, now, channel, verdict.outcome)
    return verdict


def _pdf_seal(runtime: Runtime, data: bytes) -> PdfSignatureCheck | None:
    """The seal signature check of a PDF against this installation's issuing CA (None: not a PDF)."""
    if not data.startswith(b"%PDF-"):
        return None
    # Imported here: pyHanko is heavy, and only PDF uploads need it.
    from cryptography import x509

    from certsvc.documents.signature import check_pdf_signature

    return check_pdf_signature(data, [x509.load_pem_x509_certificate(runtime.keys.issuing_ca_pem())])


def _seal_problem(seal: PdfSignatureCheck, pure: verifier.Verdict) -> str | None:
    """Why a PDF's seal signature refutes the document, None when it holds.

    A signed PDF whose signature is broken, does not cover the whole file, does not chain to the
    issuing CA, or was sealed by another authority than the credential's issuer is refused whatever
    credential it carries. An unsigned PDF (rendered before PDFs were signed) is judged by its
    embedded credential alone, as before.
    """
    if not seal.signed:
        return None
    if not seal.ok:
        return seal.problem or "the PDF's seal signature does not hold"
    credential = None if pure.facts is None else pure.facts.credential
    if credential is not None and credential.issuer_id != f"urn:uscc:{seal.signer_uscc}":
        return "the PDF was sealed by another authority than the credential's issuer"
    return None


def verify_by_number(
    runtime: Runtime, number: str, name: str, *, channel: str = "number", confirm: str | None = None
) -> OnlineVerdict:
    """Verify a typed certificate number together with the holder's full name.

    A mistyped number raises ``InvalidCertificateNumber`` / ``CertificateNumberCheckError`` before
    any lookup. "No such certificate" and "the name does not match" give one identical verdict.
    """
    canonical = _checked_number_and_name(number, name)
    now = runtime.now()
    try:
        row = first_row(runtime.database.engine, _BY_NUMBER, {"number": canonical})
        verdict = _number_verdict(runtime, now, row, name, confirm=confirm, evidence=True)
    except RegistryUnavailable as error:
        verdict = _registry_unavailable(now, error, facts=None)
    _count(runtime, now, channel, verdict.outcome)
    return verdict


def verify_numbers(
    runtime: Runtime, pairs: Sequence[tuple[str, str]], *, channel: str = "bulk"
) -> list[OnlineVerdict | CertsvcError]:
    """``verify_by_number`` for each (number, name) of a bulk check, in order, reading the registry
    once per ``NUMBERS_PER_SELECT`` distinct numbers instead of once per line.

    A line whose number or name is malformed gets its error (what ``verify_by_number`` raises)
    instead of a verdict. Verdicts carry no ledger evidence (a bulk check does not show it); each
    is counted like a single check.
    """
    now = runtime.now()
    results: list[OnlineVerdict | CertsvcError] = []
    canonical: list[str | None] = []
    for number, name in pairs:
        try:
            canonical.append(_checked_number_and_name(number, name))
        except CertsvcError as error:
            canonical.append(None)
            results.append(error)
            continue
        results.append(no_match_verdict(now))  # replaced below
    wanted = sorted({value for value in canonical if value is not None})
    try:
        rows: dict[str, RegistryRow] = {}
        for start in range(0, len(wanted), NUMBERS_PER_SELECT):
            chunk = wanted[start : start + NUMBERS_PER_SELECT]
            for row in all_rows(runtime.database.engine, _BY_NUMBERS, {"numbers": chunk}):
                rows[row.number] = row
        unavailable: RegistryUnavailable | None = None
    except RegistryUnavailable as error:
        rows, unavailable = {}, error
    # One stored-credential check per certificate, however many lines name it.
    failures: dict[str, OnlineVerdict | None] = {}
    for position, ((_, name), found) in enumerate(zip(pairs, canonical, strict=True)):
        if found is None:
            continue
        if unavailable is not None:
            verdict = _registry_unavailable(now, unavailable, facts=None)
        else:
            verdict = _number_verdict(runtime, now, rows.get(found), name, failures=failures)
        results[position] = verdict
        _count(runtime, now, channel, verdict.outcome)
    return results


def _checked_number_and_name(number: str, name: str) -> str:
    """The canonical number; a malformed number or a missing name raises before any lookup."""
    canonical = validate_certificate_number(number)
    if not name or not name.strip() or len(name) > MAX_NAME_CHARS:
        raise BadRequest("the holder's full name is required", detail_zh="请填写持证人全名")
    return canonical


def _number_verdict(
    runtime: Runtime,
    now: dt.datetime,
    row: RegistryRow | None,
    name: str,
    *,
    confirm: str | None = None,
    evidence: bool = False,
    failures: dict[str, OnlineVerdict | None] | None = None,
) -> OnlineVerdict:
    """The verdict of a typed name against the registry row of its number (None: no such number)."""
    registered_name = row.v_holder_name if row is not None else _ABSENT_NAME
    # Compared even when there is no such certificate, so both "no" answers do the same work.
    names_match = _same_name(name, registered_name)
    if row is None or not names_match:
        return no_match_verdict(now)
    if failures is not None and row.number in failures:
        failed = failures[row.number]
    else:
        failed = _stored_credential_failure(runtime, row, now)
        if failures is not None:
            failures[row.number] = failed
    if failed is not None:
        # The number route agrees with the QR and credential routes (e.g. after a key compromise).
        return failed
    return _registered_truth(
        runtime, now, row, token=None, confirm=confirm, holder_name=registered_name, evidence=evidence
    )


def _stored_credential_failure(runtime: Runtime, row: RegistryRow, now: dt.datetime) -> OnlineVerdict | None:
    """The ``invalid`` verdict the stored credential of ``row`` gets from the pure checks, if any.

    A certificate found by number is only as good as its signed credential: when that fails (a
    compromised or expired signing key), every route must answer the same (issue 16, finding 8).
    """
    keys = keyset(runtime)
    text: str = row.v_credential
    digest = hashlib.sha256(text.encode("ascii", "replace")).digest()
    remembered = runtime.cache.credential_checks.get(digest)
    if remembered is not None and remembered[0] is keys:
        failure = remembered[1]
    else:
        # The check depends only on the credential's bytes and the key set (not on the time), so
        # it is remembered until the key history changes: a bulk check downloaded as Excel right
        # after it was shown, or a list checked again, does not verify every signature again.
        pure = _pure_verify(text, keys, now)
        failure = None if pure.authentic else (pure.step, pure.reason)
        with runtime.cache.lock:
            if len(runtime.cache.credential_checks) >= CREDENTIAL_CHECK_ENTRIES:
                runtime.cache.credential_checks.clear()
            runtime.cache.credential_checks[digest] = (keys, failure)
    return None if failure is None else _invalid(now, failure[0], failure[1])


CREDENTIAL_CHECK_ENTRIES = 50_000


def _pure_verify(text: str, keys: KeySet, now: dt.datetime) -> verifier.Verdict:
    try:
        return verifier.verify(text, keys, now)
    except ValueError:
        # urlsplit refuses some malformed URLs (e.g. "http://[x/v/…") before the verifier's own checks.
        return verifier.Verdict(verifier.INVALID, "parse", "not a well-formed URL")


def no_match_verdict(now: dt.datetime) -> OnlineVerdict:
    """The one answer for an unknown number and for a name that does not match it."""
    return _invalid(now, "not-found", label("step", "not-found", "en"))


def unreadable_verdict(runtime: Runtime, *, channel: str) -> OnlineVerdict:
    """The verdict a page shows for an uploaded file without a readable certsvc QR code or
    credential (the API answers ``UnreadableDocument`` instead); counted like any other."""
    now = runtime.now()
    verdict = _invalid(now, "parse", "the file holds no certsvc certificate")
    _count(runtime, now, channel, verdict.outcome)
    return verdict


def keyset(runtime: Runtime) -> KeySet:
    """The key set of every signing key ever used, rebuilt only when the key history changes."""
    history = runtime.keys.history()
    cache = runtime.cache
    cached = cache.keyset
    # The same tuple while the manifest is unchanged: no lock and no field-by-field comparison.
    if cached is not None and cached[0] is history:
        return cached[1]
    with cache.lock:
        cached = cache.keyset
        built = cached[1] if cached is not None and cached[0] == history else KeySet.from_history(history)
        cache.keyset = (history, built)
        return built


# --- the registry's truth ----------------------------------------------------------------------
def _online(
    runtime: Runtime, pure: verifier.Verdict, text: str, confirm: str | None, *, evidence: bool = True
) -> OnlineVerdict:
    facts = pure.facts
    assert facts is not None  # an authentic verdict always carries its facts
    now = runtime.now()
    try:
        row = first_row(
            runtime.database.engine,
            _BY_NUMBER_AND_VERSION,
            {"number": facts.certificate_number, "version": facts.version},
        )
        if row is None:
            return _invalid(now, "not-registered", label("step", "not-registered", "en"))
        # A valid signature over bytes the registry does not hold means a signing key was misused.
        stored, presented = (
            (row.v_credential, text)
            if facts.form == "jws"
            else (row.v_qr_payload, payload_from_url_or_text(text))
        )
        if not hmac.compare_digest(stored.encode(), presented.encode()):
            return _invalid(now, "registry-mismatch", label("step", "registry-mismatch", "en"))
        return _registered_truth(runtime, now, row, token=facts, confirm=confirm, evidence=evidence)
    except RegistryUnavailable as error:
        return _registry_unavailable(now, error, facts=_facts_from_token(facts))


def _registry_unavailable(now: dt.datetime, error: Exception, facts: PublicFacts | None) -> OnlineVerdict:
    """Authentic or not, the status cannot be established while the registry cannot be read."""
    log.warning("registry unavailable during verification", extra={"fields": {"error": str(error)}})
    zh, en = bilingual("step", "registry-unavailable")
    return OnlineVerdict("unknown", "registry-unavailable", en, zh, now, facts=facts)


def _registered_truth(
    runtime: Runtime,
    now: dt.datetime,
    row: RegistryRow,
    *,
    token: verifier.VerifiedFacts | None,
    confirm: str | None,
    holder_name: str | None = None,
    evidence: bool = True,
) -> OnlineVerdict:
    """The verdict from one registry row (see ``_REGISTRY_COLUMNS``): status, versions, evidence."""
    has_current = row.cur_version is not None
    versions = VersionFacts(
        this=row.v_version,
        current=row.current_version,
        current_issued_at=row.cur_issued_at if has_current else None,
        current_reissue_reason=row.cur_reissue_reason if has_current else None,
    )
    status: StatusFacts | None = None
    # A revocation or suspension concerns the certificate, so it outranks "a newer version exists".
    if "revoked" in (row.status, row.v_status):
        outcome = "revoked"
        status = _status_facts(row, "revoked", "v_" if row.v_status == "revoked" else "cur_")
    elif "suspended" in (row.status, row.v_status):
        outcome = "suspended"
        status = _status_facts(row, "suspended", "v_" if row.v_status == "suspended" else "cur_")
    elif row.v_status == "superseded" or versions.newer_exists:
        outcome = "superseded"
    elif row.v_status == "valid":
        outcome = "valid"
    else:
        outcome = "unknown"
    zh_explanation, en_explanation = bilingual("explanation", outcome)
    holder_confirmed = (
        None if confirm is None else _confirm_holder(runtime, row.holder_id, row.v_holder_name, confirm)
    )
    return OnlineVerdict(
        outcome=outcome,
        step=None if outcome == "valid" else "status",
        reason=en_explanation,
        reason_zh=zh_explanation,
        checked_at=now,
        facts=_facts_from_registry(row, token, holder_name),
        status=status,
        versions=versions,
        ledger=_ledger_evidence(runtime, row.v_ledger_index) if evidence else None,
        holder_confirmed=holder_confirmed,
        confirm_payload=row.v_qr_payload,
    )


def _status_facts(row: RegistryRow, state: str, prefix: str) -> StatusFacts:
    """Why ``state``, from the version that carries it (``v_``) or else the current one (``cur_``)."""
    if prefix == "cur_" and row.cur_version is None:
        return StatusFacts(state, None, None, None, None)
    return StatusFacts(
        state=state,
        effective=getattr(row, prefix + "status_effective"),
        reason_category=getattr(row, prefix + "status_reason"),
        document_number=getattr(row, prefix + "status_doc_no"),
        changed_at=getattr(row, prefix + "status_changed_at"),
    )


def _facts_from_registry(
    row: RegistryRow, token: verifier.VerifiedFacts | None, holder_name: str | None
) -> PublicFacts:
    # The registry holds exactly the presented token, so the token's name is the registered one.
    if token is not None:
        masked = token.holder_name if token.form == "qr" else mask_name(token.holder_name)
    else:
        masked = mask_name(holder_name or "")
    return PublicFacts(
        certificate_number=row.number,
        version=row.v_version,
        holder=masked,
        title=row.title,
        level=row.level,
        series=row.series,
        specialty=row.specialty,
        obtained=token.obtained if token is not None else row.obtained_date,
        issued_at=row.v_issued_at,
        issuer_name=row.issuer_name,
        issuer_code=row.authority_code,
        kid=row.v_kid,
        form=token.form if token is not None else "number",
        committee_name=row.committee_name or None,
        commissioned=bool(row.commissioned),
        acquisition=_acquisition(row),
        supervisor=row.supervisor,
    )


def _acquisition(row: RegistryRow) -> Acquisition:
    """The route facts of a registry row (``Certificate.acquisition_facts`` on a Core row)."""
    return stored_acquisition(row.route, row.acquisition, row.committee_name, row.meeting_date)


def _facts_from_token(token: verifier.VerifiedFacts) -> PublicFacts:
    credential = token.credential
    return PublicFacts(
        certificate_number=token.certificate_number,
        version=token.version,
        holder=token.holder_name if token.form == "qr" else mask_name(token.holder_name),
        title=token.title,
        level=token.level,
        series=credential.series if credential else None,
        specialty=credential.specialty if credential else None,
        obtained=token.obtained,
        issued_at=token.issued_at,
        issuer_name=credential.issuer_name if credential else None,
        issuer_code=None,
        kid=token.kid,
        form=token.form,
        acquisition=credential.acquisition if credential else None,
        supervisor=credential.supervisor if credential else None,
    )


def _ledger_evidence(runtime: Runtime, index: int | None) -> dict[str, Any] | None:
    """Inclusion proof of the version's entry against a checkpoint at most EVIDENCE_SECONDS old.

    A proof against a slightly older signed checkpoint is just as verifiable (and consistency
    proofs link it to newer ones), while computing one costs several node lookups, so repeated
    scans of a certificate reuse it for a few minutes.
    """
    if index is None:
        return None
    remembered = runtime.cache.ledger_evidence
    cached = remembered.get(index)
    if cached is not None and time.monotonic() - cached[0] < EVIDENCE_SECONDS:
        return cached[1]
    evidence = _fresh_evidence(runtime, index)
    if evidence is not None:
        with runtime.cache.lock:
            if len(remembered) >= EVIDENCE_CACHE_ENTRIES:
                remembered.clear()
            remembered[index] = (time.monotonic(), evidence)
    return evidence


EVIDENCE_SECONDS = 300.0
EVIDENCE_CACHE_ENTRIES = 20_000


def _fresh_evidence(runtime: Runtime, index: int) -> dict[str, Any] | None:
    try:
        with runtime.database.read() as session:
            return ledger_service.evidence(session, runtime, index)
    except (CertsvcError, SQLAlchemyError) as error:
        # Evidence is supporting material: its absence must not change or break the verdict.
        log.warning("ledger evidence unavailable", extra={"fields": {"error": type(error).__name__}})
        return None


# --- confirm the holder ------------------------------------------------------------------------
def _confirm_holder(runtime: Runtime, holder_id: int, registered_name: str, claim: str) -> bool:
    """Whether ``claim`` is the holder's ID number or the name on this certificate version."""
    id_candidate = unicodedata.normalize("NFKC", claim).strip().upper()
    if _ID_NUMBER.fullmatch(id_candidate):
        holder = first_row(runtime.database.engine, _HOLDER, {"holder_id": holder_id})
        if holder is None:
            return False
        from certsvc.certificates.holders import id_index

        try:
            typed_index = id_index(runtime, id_candidate)
        except Exception:
            typed_index = ""
        return _equal_digests(typed_index, holder.id_index)
    return _same_name(claim, registered_name)


def _same_name(typed: str, registered: str) -> bool:
    """Full names compared NFC-normalised, ignoring whitespace and (Latin) case, in constant time."""
    return _equal_digests(_name_key(typed), _name_key(registered))


def _name_key(name: str) -> str:
    return "".join(normalize_name(name[:MAX_NAME_CHARS]).split()).casefold()


def _equal_digests(left: str, right: str) -> bool:
    # Comparing fixed-length digests keeps the time independent of where, or whether, lengths differ.
    return hmac.compare_digest(
        hashlib.sha256(left.encode("utf-8")).digest(), hashlib.sha256(right.encode("utf-8")).digest()
    )


# --- helpers -----------------------------------------------------------------------------------
def _token_text(target: str | bytes) -> str | None:
    if isinstance(target, bytes):
        try:
            target = target.decode("utf-8")
        except UnicodeDecodeError:
            return None
    text = target.strip()
    if not text or len(text) > MAX_TOKEN_CHARS:
        return None
    return text


def _invalid(now: dt.datetime, step: str | None, reason: str) -> OnlineVerdict:
    zh = label("step", step, "zh") if step in LABELS["step"] else label("explanation", "invalid", "zh")
    return OnlineVerdict("invalid", step, reason, zh, now)


def _count(runtime: Runtime, now: dt.datetime, channel: str, outcome: str) -> None:
    counters.count(runtime, china_date(now), channel, outcome)
