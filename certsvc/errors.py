"""One exception tree for certsvc.

Every error carries a machine-readable ``code`` (a slug used in RFC 9457 problem types and CLI
output) and the HTTP ``status`` the web layer maps it to. Messages shown to users must be safe to
show: no stack traces, no personal data beyond what the user themselves supplied.
"""

from __future__ import annotations


class CertsvcError(Exception):
    """Base of every error certsvc raises on purpose."""

    code = "certsvc-error"
    status = 500
    title = "Internal error"

    def __init__(self, message: str = "", *, detail_zh: str | None = None) -> None:
        super().__init__(message or self.title)
        self.message = message or self.title
        self.detail_zh = detail_zh


# --- configuration -----------------------------------------------------------------------------
class ConfigurationError(CertsvcError):
    """Settings are missing, malformed or unsafe for the chosen mode."""

    code = "configuration"
    title = "Invalid configuration"


# --- client errors -----------------------------------------------------------------------------
class BadRequest(CertsvcError):
    """The request itself is malformed."""

    code = "bad-request"
    status = 400
    title = "Bad request"


class InvalidCertificateNumber(BadRequest):
    """A typed certificate number is malformed; caught before any lookup."""

    code = "invalid-certificate-number"
    title = "Invalid certificate number"


class CertificateNumberCheckError(InvalidCertificateNumber):
    """Well-formed, but the MOD 37,36 check character does not match: almost surely a typo."""

    code = "certificate-number-check"
    title = "Certificate number mistyped"


class InvalidField(BadRequest):
    """One member of a request body (or query) is missing or wrong; ``field`` names it for clients."""

    code = "invalid-field"
    title = "Invalid request member"

    def __init__(self, field: str, message: str = "", *, detail_zh: str | None = None) -> None:
        super().__init__(message, detail_zh=detail_zh)
        self.field = field


class NotFound(CertsvcError):
    """The resource does not exist (or the caller may not know whether it does)."""

    code = "not-found"
    status = 404
    title = "Not found"


class AuthenticationRequired(CertsvcError):
    code = "authentication-required"
    status = 401
    title = "Authentication required"


class Forbidden(CertsvcError):
    code = "forbidden"
    status = 403
    title = "Forbidden"


class SelfApproval(Forbidden):
    """Two-person rule: the staff member who proposed a change may not approve it."""

    code = "self-approval"
    title = "A second person must approve"


class Conflict(CertsvcError):
    code = "conflict"
    status = 409
    title = "Conflict"


class LoginFailed(AuthenticationRequired):
    """Sign-in refused. One message for unknown account, wrong password, wrong code and lockout,
    so the answer never tells whether an account exists."""

    code = "login-failed"
    title = "Sign-in failed"


class ActivationFailed(BadRequest):
    """Activation details do not match a holder without an account (deliberately not saying which)."""

    code = "activation-failed"
    title = "Activation failed"


# --- intake ------------------------------------------------------------------------------------
class IntakeError(CertsvcError):
    """A results file cannot be read or was refused; nothing was issued."""

    code = "intake"
    status = 422
    title = "Results file refused"


class UnreadableFile(IntakeError):
    code = "unreadable-file"
    title = "The file cannot be read"


class CalendarNotCovered(IntakeError):
    """The official holiday calendar does not cover a date; counting working days would be a guess."""

    code = "calendar-not-covered"
    title = "Date outside the official calendar"


class BadHeader(UnreadableFile):
    """The header row lacks a required column or names one twice."""

    code = "bad-header"
    title = "The file's column headers are not usable"


class InvalidIdNumber(IntakeError):
    """A GB 11643 citizen ID number is malformed; subclasses say how."""

    code = "invalid-id-number"
    title = "Invalid ID number"


class IdNumberLengthError(InvalidIdNumber):
    code = "id-number-length"


class IdNumberCharsetError(InvalidIdNumber):
    code = "id-number-charset"


class IdNumberBirthDateError(InvalidIdNumber):
    code = "id-number-birth-date"


class IdNumberCheckError(InvalidIdNumber):
    code = "id-number-check"


class ImplausibleName(IntakeError):
    code = "implausible-name"
    title = "Not a plausible personal name"


class InvalidRegistry(ConfigurationError):
    """The registry of authorities and committees is inconsistent; ``problems`` lists every finding."""

    code = "invalid-registry"
    title = "Invalid registry"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# --- signing -----------------------------------------------------------------------------------
class SigningError(CertsvcError):
    code = "signing"
    title = "Signing failed"


class KeyStoreError(SigningError):
    code = "key-store"
    title = "Key store error"


# --- ledger ------------------------------------------------------------------------------------
class LedgerError(CertsvcError):
    code = "ledger"
    title = "Ledger error"


class LedgerAuditFailure(LedgerError):
    code = "ledger-audit"
    title = "Ledger audit failed"


class LedgerRangeError(LedgerError, ValueError):
    """An index, size or leaf range lies outside the tree (or is not a count at all)."""

    code = "ledger-range"
    status = 400
    title = "Outside the ledger"


class CheckpointError(LedgerError):
    """A signed note or tlog checkpoint is malformed, or its signature does not verify."""

    code = "ledger-checkpoint"
    status = 422
    title = "Invalid signed checkpoint"


class LedgerEntryError(LedgerError, ValueError):
    """A ledger entry is malformed or would put personal data into the public log."""

    code = "ledger-entry"
    title = "Ledger entry refused"


# --- documents ---------------------------------------------------------------------------------
class DocumentError(CertsvcError):
    code = "document"
    title = "Document rendering failed"


class FontNotFound(DocumentError):
    code = "font-not-found"
    title = "No CJK font found"


class InvalidDocument(DocumentError):
    """The document cannot be printed faithfully (inconsistent fields, a glyph the font lacks, a
    value too long for its box); printing something else instead would misstate the certificate."""

    code = "invalid-document"
    status = 422
    title = "Certificate document cannot be printed"


class UnreadableDocument(DocumentError):
    """A file handed in for verification is not a PNG/PDF/image certsvc can read."""

    code = "unreadable-document"
    status = 422
    title = "The document file cannot be read"


# --- verification ------------------------------------------------------------------------------
class VerificationError(CertsvcError):
    """Verification failed at a named step. ``step`` names it (e.g. 'signature', 'key-window')."""

    code = "verification"
    status = 422
    title = "Verification failed"

    def __init__(self, message: str = "", *, step: str = "unknown", detail_zh: str | None = None) -> None:
        super().__init__(message, detail_zh=detail_zh)
        self.step = step


class MalformedToken(VerificationError):
    code = "malformed"
    title = "Malformed token"


class InvalidKeySet(VerificationError):
    """A JWKS document is malformed or inconsistent (e.g. a kid that is not its key's thumbprint)."""

    code = "invalid-key-set"
    title = "Invalid key set"


class InvalidStatusList(VerificationError):
    """A status list credential is forged, expired, or malformed; its bits must not be trusted."""

    code = "invalid-status-list"
    title = "Invalid status list"


# --- workflow ----------------------------------------------------------------------------------
class WorkflowError(CertsvcError):
    """A state transition is not allowed (e.g. reinstating a revoked certificate)."""

    code = "workflow"
    status = 409
    title = "Action not allowed in this state"


class RateLimited(CertsvcError):
    code = "rate-limited"
    status = 429
    title = "Too many requests"
