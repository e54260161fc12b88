"""Shapes of the verification API: verify requests, the verdict, the key set and status lists."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Discriminator, Field, RootModel, SkipValidation, Tag
from pydantic.json_schema import SkipJsonSchema

from certsvc.domain.record import ROUTES
from certsvc.domain.routes import PUBLIC_FACTS, Acquisition
from certsvc.schemas import OneOf, RequestShape, ResponseShape, UrlArguments, WholeSecond, left_out_if_none
from certsvc.signing.contexts import CERTSVC_CONTEXTS
from certsvc.verification.services import OUTCOMES

if TYPE_CHECKING:
    from certsvc.verification.services import OnlineVerdict

MAX_BATCH = 100
CONTEXT_VERSIONS = tuple(path.rsplit("/", 1)[-1].removesuffix(".jsonld") for path in CERTSVC_CONTEXTS)
MAX_BULK = 1000  # an employer's bulk check (API key or signed-in page)
MAX_TEXT = 16_384
STEPS = (
    "parse, signature, key-window, key-compromised, key-unknown, claims, not-registered, "
    "registry-mismatch, not-found, registry-unavailable, status, pdf-signature"
)


# --- requests ----------------------------------------------------------------------------------
Confirm = Annotated[
    str | None,
    Field(
        max_length=200,
        description="the holder's full name or ID number to confirm (answer: holder_confirmed true/false)",
    ),
]


class QrRequest(RequestShape):
    """Verify the text of a certificate's QR code (the URL or the bare payload)."""

    qr: str = Field(min_length=1, max_length=MAX_TEXT)
    confirm: Confirm = None


class CredentialRequest(RequestShape):
    """Verify a signed credential (compact JWS)."""

    credential: str = Field(min_length=1, max_length=MAX_TEXT)
    confirm: Confirm = None


class NumberRequest(RequestShape):
    """Verify by certificate number and the holder's full name."""

    certificate_number: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    confirm: Confirm = None


FORMS = ("qr", "credential", "certificate_number")


def _form(body: Any) -> str | None:
    """Which request form a body is: the one of ``FORMS`` it has, if it has exactly one."""
    if not isinstance(body, dict):
        return None
    forms = [form for form in FORMS if form in body]
    return forms[0] if len(forms) == 1 else None


def _form_discriminator(error_type: str) -> Discriminator:
    """Tells a body's form by ``_form``; a body of no form (or of two) is refused as ``error_type``."""
    return Discriminator(
        _form,
        custom_error_type=error_type,
        custom_error_message='give a JSON object with exactly one of "qr", "credential" or '
        '"certificate_number" (with "name")',
        custom_error_context={
            "zh": "请提供 JSON 对象，且只含 qr、credential 或 certificate_number（及 name）之一"
        },
    )


class VerifyRequest(
    RootModel[
        Annotated[
            Annotated[QrRequest, Tag("qr")]
            | Annotated[CredentialRequest, Tag("credential")]
            | Annotated[NumberRequest, Tag("certificate_number")],
            _form_discriminator("verify_form"),
        ]
    ]
):
    """One verify request: QR text, a signed credential, or a certificate number with the name."""

    @property
    def target(self) -> str | None:
        """The QR text or credential to verify; None for a request by number."""
        form = self.root
        return form.qr if isinstance(form, QrRequest) else getattr(form, "credential", None)

    @property
    def tests_a_name(self) -> bool:
        """Whether the request can test a holder's name (by number, or with ``confirm``)."""
        return isinstance(self.root, NumberRequest) or self.root.confirm is not None


class VerifyBatch(RequestShape):
    """Up to ``MAX_BATCH`` verify requests; each item is checked on its own (a malformed item gets
    its own problem in the answer, the others their verdicts)."""

    items: list[SkipValidation[VerifyRequest]] = Field(min_length=1, max_length=MAX_BATCH)


class BulkNumber(RequestShape):
    """A line of a bulk check: certificate number and the holder's full name."""

    certificate_number: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)


class BulkQr(RequestShape):
    """A line of a bulk check: the text of a certificate's QR code."""

    qr: str = Field(min_length=1, max_length=MAX_TEXT)


class BulkCredential(RequestShape):
    """A line of a bulk check: a signed credential (compact JWS)."""

    credential: str = Field(min_length=1, max_length=MAX_TEXT)


class BulkLine(
    RootModel[
        Annotated[
            Annotated[BulkQr, Tag("qr")]
            | Annotated[BulkCredential, Tag("credential")]
            | Annotated[BulkNumber, Tag("certificate_number")],
            _form_discriminator("bulk_form"),
        ]
    ]
):
    """One line of an employer's bulk check (no ``confirm``: a bulk check confirms no holder)."""


class BulkCheck(RequestShape):
    """An employer's bulk check: up to 1,000 lines, each checked on its own (a malformed line gets
    its own problem in the answer); ``report`` also records it as a verification report."""

    items: list[SkipValidation[BulkLine]] = Field(min_length=1, max_length=MAX_BULK)
    report: bool = False


class BulkUpload(RequestShape):
    """A list of up to 1,000 lines as a CSV or Excel (.xlsx) file: a ``qr`` column, or
    ``certificate_number``/``证书编号`` and ``name``/``姓名`` columns, or headerless number,name rows."""

    file: bytes
    report: bool = False


class BulkQuery(UrlArguments):
    """``format=xlsx`` answers the results as an Excel workbook instead of JSON."""

    format: Literal["json", "xlsx"] = "json"


class VerifyUpload(RequestShape):
    """A certificate PNG/PDF, or a photo of its QR code."""

    file: bytes


class ContextArguments(UrlArguments):
    version: Annotated[str, OneOf(CONTEXT_VERSIONS)] = Field(description="v2 for credentials issued now")


# --- the verdict -------------------------------------------------------------------------------
class Issuer(ResponseShape):
    name: str | None
    code: str | None


class VerdictAcquisition(ResponseShape):
    """How the title was obtained: the route's public facts (the holder's education is not one)."""

    route: Annotated[str, OneOf(ROUTES)] = Field(description="取得方式: 评审, 认定, 重新确认 or 考试")
    committee: str | SkipJsonSchema[None] = left_out_if_none("评审: 评审委员会")
    review_date: dt.date | SkipJsonSchema[None] = left_out_if_none("评审: 评审通过日期 (the review meeting)")
    original_certificate_number: str | SkipJsonSchema[None] = left_out_if_none("重新确认: 原证书编号")
    original_issuer: str | SkipJsonSchema[None] = left_out_if_none("重新确认: 原发证机构")
    original_date: dt.date | SkipJsonSchema[None] = left_out_if_none("重新确认: 原取得时间")
    original_route: Annotated[str, OneOf(ROUTES)] | SkipJsonSchema[None] = left_out_if_none(
        "重新确认: 原取得方式"
    )
    exam_name: str | SkipJsonSchema[None] = left_out_if_none("考试: 考试名称")
    exam_date: dt.date | SkipJsonSchema[None] = left_out_if_none("考试: 考试日期")
    exam_authority: str | SkipJsonSchema[None] = left_out_if_none("考试: 考试组织机构")
    exam_certificate_number: str | SkipJsonSchema[None] = left_out_if_none("考试: 资格证书编号")

    @classmethod
    def of(cls, acquisition: Acquisition) -> VerdictAcquisition:
        public = {name: value for name, value in acquisition.details() if name in PUBLIC_FACTS}
        return cls(route=acquisition.route, **public)  # type: ignore[arg-type]  # names are members


class VerdictCertificate(ResponseShape):
    """What anyone may see of a certificate."""

    number: str
    version: int = Field(ge=1)
    holder: str = Field(description="masked name, e.g. 张*明")
    title: str
    level: str
    series: str | None
    specialty: str | None
    obtained: dt.date
    issued_at: WholeSecond
    issuer: Issuer
    kid: str | None
    form: Annotated[str, OneOf(("qr", "jws", "number"))]
    acquisition: VerdictAcquisition | None = Field(
        default=None, description="how the title was obtained (absent from a QR read offline)"
    )
    supervisor: str | None = Field(
        default=None, description="the province's body supervising the certificate (…监制)"
    )


class VerdictStatus(ResponseShape):
    """Why a certificate is revoked or suspended."""

    state: Annotated[str, OneOf(("revoked", "suspended"))]
    effective: dt.date | None
    reason_category: str | None
    document_number: str | None
    changed_at: WholeSecond | None


class VerdictVersions(ResponseShape):
    this: int
    current: int
    newer_exists: bool
    current_issued_at: WholeSecond | None
    current_reissue_reason: str | None


class Verdict(ResponseShape):
    """What the registry says about a certificate; the name masked (张*明), never an ID number."""

    outcome: Annotated[str, OneOf(OUTCOMES)]
    step: str | None = Field(description=f"the check that decided a non-valid outcome ({STEPS})")
    reason: str
    reason_zh: str
    checked_at: WholeSecond
    certificate: VerdictCertificate | None
    status: VerdictStatus | None
    versions: VerdictVersions | None
    ledger: dict[str, Any] | None = Field(
        description="ledger evidence: entry index, leaf hash, inclusion proof, signed checkpoint"
    )
    holder_confirmed: bool | SkipJsonSchema[None] = left_out_if_none("present when the request had 'confirm'")

    @classmethod
    def of(cls, verdict: OnlineVerdict) -> Verdict:
        facts, status, versions = verdict.facts, verdict.status, verdict.versions
        return cls(
            outcome=verdict.outcome,
            step=verdict.step,
            reason=verdict.reason,
            reason_zh=verdict.reason_zh,
            checked_at=verdict.checked_at,
            certificate=None
            if facts is None
            else VerdictCertificate(
                number=facts.certificate_number,
                version=facts.version,
                holder=facts.holder,
                title=facts.title,
                level=facts.level,
                series=facts.series,
                specialty=facts.specialty,
                obtained=facts.obtained,
                issued_at=facts.issued_at,
                issuer=Issuer(name=facts.issuer_name, code=facts.issuer_code),
                kid=facts.kid,
                form=facts.form,
                acquisition=None if facts.acquisition is None else VerdictAcquisition.of(facts.acquisition),
                supervisor=facts.supervisor,
            ),
            # Same members by the same names: read from the facts' attributes.
            status=None if status is None else VerdictStatus.model_validate(status, from_attributes=True),
            versions=None
            if versions is None
            else VerdictVersions.model_validate(versions, from_attributes=True),
            ledger=verdict.ledger,
            holder_confirmed=verdict.holder_confirmed,
        )


class ItemProblem(ResponseShape):
    """Why one item of a batch was refused (the problem members, without type and instance)."""

    code: str
    title: str
    status: int
    detail: str
    detail_zh: str | SkipJsonSchema[None] = left_out_if_none()
    field: str | SkipJsonSchema[None] = left_out_if_none("the member of the item at fault")


_LINE = "the line of the uploaded file (its header is line 1); only for file uploads"


class ItemVerdict(ResponseShape):
    index: int
    line: int | SkipJsonSchema[None] = left_out_if_none(_LINE)
    verdict: Verdict


class ItemRefused(ResponseShape):
    index: int
    line: int | SkipJsonSchema[None] = left_out_if_none(_LINE)
    error: ItemProblem


class BatchResult(ResponseShape):
    """One result per item, in order: a verdict or the item's problem."""

    results: list[ItemVerdict | ItemRefused]


class ReportRef(ResponseShape):
    """A verification report: its number, its public page and its signed PDF."""

    number: str
    url: str
    pdf_url: str


class BulkCheckResult(ResponseShape):
    """One result per line, in order (``index`` counts from 0), how many lines had each outcome
    (``error``: lines that could not be checked), and the report when one was asked for."""

    checked_at: WholeSecond
    counts: dict[str, int]
    results: list[ItemVerdict | ItemRefused]
    report: ReportRef | None


# --- keys and status lists ---------------------------------------------------------------------
class Jwks(ResponseShape):
    """JSON Web Key Set (RFC 7517): every credential-signing key ever used, with its validity window."""

    keys: list[dict[str, Any]]


class StatusListArguments(UrlArguments):
    list_id: int = Field(ge=1)
    purpose: Literal["revocation", "suspension"]


class IssuerStatusListArguments(StatusListArguments):
    """A status list as issued by one authority, named by its Unified Social Credit Code."""

    uscc: str = Field(pattern=r"^[0-9A-Z]{18}$")


# A compact JWS (vc+jwt).
CompactJws = Annotated[str, Field(pattern=r"^[\w-]+\.[\w-]+\.[\w-]+$")]
