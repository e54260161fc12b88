"""Shapes of the issuer APIs: certificate actions, reissue requests and results imports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Union

from pydantic import ConfigDict, Field, create_model
from pydantic.json_schema import SkipJsonSchema

from certsvc.certificates.models import (
    CERTIFICATE_STATUSES,
    CORRECTABLE_FIELDS,
    REISSUE_REASONS,
    REQUEST_STATUSES,
)
from certsvc.certificates.reissue import MAX_NOTE
from certsvc.certificates.revocation import REASONS
from certsvc.domain.levels import Level
from certsvc.domain.record import COMMON_FIELDS, FIELD_LABELS_ZH, RECOGNITION, REVIEW, ROUTE_FIELDS, ROUTES
from certsvc.domain.routes import EDUCATIONS, ROUTE_EN, ROUTE_SLUGS
from certsvc.domain.rules import RULES, WARNINGS
from certsvc.schemas import Moment, OneOf, RequestShape, ResponseShape, UrlArguments, left_out_if_none
from certsvc.web.errors import Problem

MAX_ROW_ID = 2**31 - 1
MAX_DOC_NO = 200  # the service refuses more than 100 characters; this only bounds what we read
MAX_CORRECTED_VALUE = 200
REQUEST_FILTERS = (*REQUEST_STATUSES, "all")


# --- arguments ---------------------------------------------------------------------------------
class CertificateArguments(UrlArguments):
    number: str = Field(
        description="certificate number (18 characters with its check character, e.g. 50000020241000001Z)"
    )


class RequestArguments(UrlArguments):
    request_id: int = Field(ge=1)


class QueueQuery(UrlArguments):
    status: Annotated[str, OneOf(REQUEST_FILTERS)] = "pending"


# --- request bodies ----------------------------------------------------------------------------
class Reissue(RequestShape):
    """A counter reissue; a correction names the field and its corrected value."""

    reason: Annotated[str, OneOf(REISSUE_REASONS)]
    corrected_field: Annotated[str, OneOf(CORRECTABLE_FIELDS)] | None = None
    corrected_value: str | None = Field(None, max_length=MAX_CORRECTED_VALUE)


class StatusChange(RequestShape):
    """Revoke, suspend or reinstate the current version, under an authority's document."""

    reason: str = Field(max_length=64)
    document_number: str = Field(
        max_length=MAX_DOC_NO, description="number of the document deciding it (文号)"
    )
    effective: dt.date | None = Field(
        None, description="effective date, not in the future (default: today, China time)"
    )
    version: int | None = Field(
        None, gt=0, le=MAX_ROW_ID, description="refuse (409) unless this is the current version"
    )


class Revocation(StatusChange):
    reason: Annotated[str, OneOf(REASONS["revoke"])]


class Suspension(StatusChange):
    reason: Annotated[str, OneOf(REASONS["suspend"])]


class Reinstatement(StatusChange):
    reason: Annotated[str, OneOf(REASONS["reinstate"])]


STATUS_CHANGES: dict[str, type[StatusChange]] = {
    "revoke": Revocation,
    "suspend": Suspension,
    "reinstate": Reinstatement,
}


class Approval(RequestShape):
    """Approving takes no members: the body is empty or {}."""


class Rejection(RequestShape):
    reason: str = Field(min_length=1, max_length=MAX_NOTE, description="what the holder reads in the portal")


# --- answers -----------------------------------------------------------------------------------
class IssuerCertificateVersion(ResponseShape):
    version: int
    status: Annotated[str, OneOf(CERTIFICATE_STATUSES)]
    issued_at: Moment
    kid: str
    reissue_reason: str | None
    status_reason: str | None
    status_document_number: str | None
    status_effective: dt.date | None
    status_changed_at: Moment | None
    ledger_index: int | None = Field(description="ledger entry that issued (or reissued) this version")
    verification_url: str = Field(description="the URL this version's QR code holds")


class IssuerCertificate(ResponseShape):
    """One of the token's authority's certificates; the holder's name masked, never an ID number."""

    certificate_number: str
    authority_code: str
    holder: str
    series: str
    specialty: str
    title: str
    level: str
    status: Annotated[str, OneOf(CERTIFICATE_STATUSES)]
    current_version: int
    versions: list[IssuerCertificateVersion] = Field(description="oldest first")


class Evidence(ResponseShape):
    """The supporting file (download it in the issuer console)."""

    media_type: str
    size: int | None


class ReissueRequest(ResponseShape):
    id: int
    certificate_number: str
    version: int = Field(description="the version the holder asked to replace")
    reason: Annotated[str, OneOf(REISSUE_REASONS)]
    corrected_field: Annotated[str, OneOf(CORRECTABLE_FIELDS)] | None
    corrected_value: str | None
    holder_note: str | None
    evidence: Evidence | None
    status: Annotated[str, OneOf(REQUEST_STATUSES)]
    created_at: Moment
    age_working_days: int
    age_approximate: bool = Field(
        description="true when the official calendar does not cover the dates (Mon-Fri counted)"
    )
    flagged: bool = Field(description="pending longer than flag_after_working_days")
    decision_reason: str | None
    decided_by: str | None
    decided_at: Moment | None
    new_version: int | None


class ReissueQueue(ResponseShape):
    requests: list[ReissueRequest]
    flag_after_working_days: int


# --- results imports ---------------------------------------------------------------------------
class ResultsQuery(UrlArguments):
    dry_run: str = Field("", description="1 (or true, yes): check every rule, issue nothing")
    filename: str | None = Field(None, description="name used in messages when the body is the raw file")


class ResultsUpload(RequestShape):
    file: bytes


class NumberedRow(ResponseShape):
    row: int
    certificate_number: str


class _RowFinding(ResponseShape):
    """What a rule found in one row; each subclass narrows ``rule`` to its own rules."""

    row: int
    field: str
    rule: str
    message: str
    message_zh: str | SkipJsonSchema[None] = left_out_if_none()


class RefusedRow(_RowFinding):
    rule: Annotated[str, OneOf(RULES)]


class WarningRow(_RowFinding):
    """An accepted row worth a clerk's attention (rule 11: confirmed late after the publicity)."""

    rule: Annotated[str, OneOf(WARNINGS)]


class ImportSummary(ResponseShape):
    """What an import did (for a dry run: would do)."""

    file: str
    sha256: str
    dry_run: bool
    rows: int
    issued: list[NumberedRow]
    already_issued: list[NumberedRow]
    refused: list[RefusedRow]
    warnings: list[WarningRow]
    would_issue: int
    batch_id: int | None


class RefusedImport(Problem):
    """A refused or unreadable file: every problem listed, nothing issued (a refused file's problem
    also carries the rest of the import summary)."""

    issued: list[NumberedRow]
    refused: list[RefusedRow]


# --- one result of a JSON results file, per acquisition route ---------------------------------
_NUMBER_FIELDS = frozenset({"committee_size", "attendees", "votes_for"})
# Needed by some recognition rows only (the route's rule says which).
_SOMETIMES = {
    "work_start_date": "required for every education but 博士后",
    "employment_start_date": "required for 博士 (the title dates from it); for 博士后 the employment contract",
}


_LEVELS = tuple(level.value for level in Level)


class _ResultShape(RequestShape):
    """A result object: other members (序号, 备注, …) are ignored by intake, so they are allowed."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)


def _result_shape(route: str) -> type[RequestShape]:
    """The JSON object of one result of ``route``, generated from the intake's own field lists
    (``certsvc.domain.record``), so the API describes exactly the members intake reads."""
    slug = ROUTE_SLUGS[route]
    members: dict[str, Any] = {
        "route": (
            Annotated[str, OneOf((route, slug))] | None
            if route == REVIEW
            else Annotated[str, OneOf((route, slug))],
            Field(
                default=None if route == REVIEW else ...,
                description=f"取得方式: {route} (or {slug})"
                + ("; review when absent" if route == REVIEW else ""),
            ),
        )
    }
    for name in (*COMMON_FIELDS, *ROUTE_FIELDS[route]):
        kind: Any = int | str if name in _NUMBER_FIELDS else str
        if name == "level":
            kind = Annotated[str, OneOf(_LEVELS)]
        optional = route == RECOGNITION and name in _SOMETIMES
        note = f"; {_SOMETIMES[name]}" if optional else ""
        if name == "education":
            note = f"; one of {'、'.join(EDUCATIONS)}"
        elif name == "original_route":
            note = f"; one of {'、'.join(ROUTES)}"
        elif name.endswith("_date") or name.startswith("publicity_"):
            note += "; a date such as 2024-11-20"
        members[name] = (
            kind | None if optional else kind,
            Field(default=None if optional else ..., description=f"{FIELD_LABELS_ZH[name]}{note}"),
        )
    model: type[RequestShape] = create_model(f"{slug.capitalize()}Result", __base__=_ResultShape, **members)
    model.__doc__ = (
        f"One {ROUTE_EN[route]} result ({route}). Keys may also be the Chinese column headers "
        "(e.g. 身份证号 for id_number); numbers may be JSON numbers or text."
    )
    return model


RESULT_SHAPES: dict[str, type[RequestShape]] = {route: _result_shape(route) for route in ROUTES}
# One result of any route: its route decides its members (DESIGN §2 取得方式).
AnyResult: Any = Union[tuple(RESULT_SHAPES.values())]  # noqa: UP007  # a union built from the routes


class ResultsDocument(RequestShape):
    """A JSON results file: ``{"results": [...]}`` (a bare array of results is accepted too). One
    file may mix routes; it is issued whole or not at all."""

    results: list[AnyResult] = Field(min_length=1)


RESULTS_BODIES: dict[str, Any] = {
    "multipart/form-data": ResultsUpload,
    "text/csv": str,
    "application/json": Union[ResultsDocument, list[AnyResult]],  # noqa: UP007
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": bytes,
}
