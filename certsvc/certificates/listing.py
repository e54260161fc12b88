"""The console's lists: one authority's certificates and import batches, filtered and paged.

Filters arrive as text (a query string or a form body) and are read by ``certificate_filters`` and
``batch_filters``, which refuse what they cannot read with a message naming the field in Chinese
and English. The filters that name a person — the holder's name, an ID number, or the quick box
that takes a certificate number *or* an ID number — are read only from a POST body
(``person=True``): personal data never travels in a URL (docs/architecture.md), so it stays out of
browser history, proxy logs and the language links. A page that searched by ID number re-posts
the holder's internal id (``holder``) for its paging and export, never the ID number.

Every query is scoped to the staff member's authority: another authority's certificates are not
in any list, whatever the filters say. Batches are those imported for the authority, or holding
at least one of its certificates (a command-line import may carry several authorities' results).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeAlias, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from certsvc.accounts.models import ApiToken, User
from certsvc.certificates.holders import find_holder
from certsvc.certificates.lookup import TypedNumber, read_number
from certsvc.certificates.models import Certificate, CertificateVersion, ImportBatch
from certsvc.domain.certno import validate_certificate_number
from certsvc.domain.levels import Level
from certsvc.domain.names import normalize_name
from certsvc.domain.record import ROUTES
from certsvc.errors import BadRequest
from certsvc.runtime import Runtime
from certsvc.timefmt import china_date, china_midnight

PAGE_SIZE = 50
MAX_TEXT = 100
MAX_ID = 2**31 - 1
LIST_STATUSES = ("valid", "suspended", "revoked")
LEVELS = tuple(level.value for level in Level)
# Query-string filters of the certificate list (no personal data), in the order forms show them.
CERTIFICATE_FILTERS = (
    "number",
    "doc_no",
    "batch",
    "employer",
    "series",
    "level",
    "route",
    "status",
    "from",
    "to",
)
# Filters that name a person: only ever read from a POST body.
PERSON_FILTERS = ("q", "name", "holder", "id_number")
BATCH_FILTERS = ("source", "from", "to")
_LABELS_ZH = {
    "number": "证书编号",
    "doc_no": "确认文号",
    "batch": "批次",
    "employer": "工作单位",
    "series": "职称系列",
    "level": "级别",
    "route": "取得方式",
    "status": "状态",
    "from": "起始日期",
    "to": "截止日期",
    "q": "证书编号或身份证号",
    "name": "姓名",
    "holder": "持证人",
    "source": "文件名",
    "page": "页码",
}

T = TypeVar("T")
AnySelect: TypeAlias = Select[*tuple[Any, ...]]


# --- reading filters ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CertificateFilters:
    """What the certificate list is narrowed to; ``None`` is "any".

    The number criterion matches a certificate whose number is ``number`` OR whose holder is
    ``id_number``'s or ``holder_id``: one typed number may be both kinds (see ``read_number``),
    and the forms never combine a certificate number with a person.
    """

    number: str | None = None
    id_number: str | None = None
    holder_id: int | None = None
    name: str | None = None
    doc_no: str | None = None
    batch: int | None = None
    employer: str | None = None
    series: str | None = None
    level: str | None = None
    route: str | None = None
    status: str | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None

    @property
    def by_person(self) -> bool:
        """Whether a filter names a person (the list must then be re-posted, never linked)."""
        return bool(self.id_number or self.holder_id or self.name)

    @property
    def any(self) -> bool:
        return any(getattr(self, name) is not None for name in self.__dataclass_fields__)

    def query_args(self) -> dict[str, str]:
        """The query-string filters (no personal data), for links and the export URL."""
        values = {
            "number": self.number,
            "doc_no": self.doc_no,
            "batch": self.batch,
            "employer": self.employer,
            "series": self.series,
            "level": self.level,
            "route": self.route,
            "status": self.status,
            "from": self.issued_from,
            "to": self.issued_to,
        }
        return {key: str(value) for key, value in values.items() if value is not None}

    def form_fields(self) -> dict[str, str]:
        """Every filter as form fields to re-post (paging, export): the holder's id stands for an ID
        number, which is never written back into a page."""
        fields = self.query_args()
        if self.name is not None:
            fields["name"] = self.name
        if self.holder_id is not None:
            fields["holder"] = str(self.holder_id)
        return fields


def certificate_filters(values: Mapping[str, str], *, person: bool, today: dt.date) -> CertificateFilters:
    """Read the certificate list's filters from ``values`` (a query string, or a POST body when
    ``person``). Raises ``BadRequest`` naming the field when one cannot be read."""
    if not person:
        _refuse_person_filters(values)
    number = _text(values, "number")
    certificate_number = id_number = None
    if number is not None:
        typed = _number(number, "number", today)
        if typed.certificate_number is None:
            raise BadRequest(
                "that is an ID number: search for a holder with the form for people, which keeps the "
                "ID number out of the address bar",
                detail_zh="这是身份证号：请在“按持证人查找”中输入，身份证号不会出现在网址中",
            )
        certificate_number = typed.certificate_number
    holder_id = None
    name = None
    if person:
        quick = _text(values, "q")
        if quick is not None:
            typed = _number(quick, "q", today)
            certificate_number, id_number = typed.certificate_number, typed.id_number
        holder_id = _whole(values, "holder")
        name_text = _text(values, "name")
        name = normalize_name(name_text) if name_text is not None else None
    status = _choice(values, "status", LIST_STATUSES)
    issued_from, issued_to = _date_range(values)
    return CertificateFilters(
        number=certificate_number,
        id_number=id_number,
        holder_id=holder_id,
        name=name,
        doc_no=_text(values, "doc_no"),
        batch=_whole(values, "batch"),
        employer=_text(values, "employer"),
        series=_text(values, "series"),
        level=_choice(values, "level", LEVELS),
        route=_choice(values, "route", ROUTES),
        status=status,
        issued_from=issued_from,
        issued_to=issued_to,
    )


@dataclass(frozen=True)
class BatchFilters:
    """What the batch list is narrowed to: the file name contains ``source``; imported between the
    two China dates (inclusive)."""

    source: str | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None

    def query_args(self) -> dict[str, str]:
        values = {"source": self.source, "from": self.created_from, "to": self.created_to}
        return {key: str(value) for key, value in values.items() if value is not None}


def batch_filters(values: Mapping[str, str]) -> BatchFilters:
    """Read the batch list's filters from a query string; ``BadRequest`` names a bad field."""
    created_from, created_to = _date_range(values)
    return BatchFilters(source=_text(values, "source"), created_from=created_from, created_to=created_to)


def page_number(values: Mapping[str, str]) -> int:
    """The 1-based page asked for (1 when absent)."""
    return _whole(values, "page") or 1


def _refuse_person_filters(values: Mapping[str, str]) -> None:
    if any(values.get(name) for name in PERSON_FILTERS):
        raise BadRequest(
            "names and ID numbers are searched with the form for people, never in the address",
            detail_zh="姓名和身份证号只能通过“按持证人查找”表单查询，不能放在网址中",
        )


def _field_problem(name: str, en: str, zh: str) -> BadRequest:
    return BadRequest(f"{name}: {en}", detail_zh=f"{_LABELS_ZH.get(name, name)}：{zh}")


def _text(values: Mapping[str, str], name: str) -> str | None:
    text = " ".join(str(values.get(name) or "").split())
    if not text:
        return None
    if len(text) > MAX_TEXT:
        raise _field_problem(name, f"at most {MAX_TEXT} characters", f"最多 {MAX_TEXT} 个字符")
    return text


def _whole(values: Mapping[str, str], name: str) -> int | None:
    text = _text(values, name)
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
        raise _field_problem(name, "must be a whole number from 1", "应为从 1 开始的整数")
    return int(text)


def _choice(values: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str | None:
    text = _text(values, name)
    if text is not None and text not in choices:
        raise _field_problem(name, f"must be one of {', '.join(choices)}", f"应为 {'、'.join(choices)} 之一")
    return text


def _date(values: Mapping[str, str], name: str) -> dt.date | None:
    text = _text(values, name)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _field_problem(name, "a date is written YYYY-MM-DD", "日期格式应为 YYYY-MM-DD") from None


def _date_range(values: Mapping[str, str]) -> tuple[dt.date | None, dt.date | None]:
    start, end = _date(values, "from"), _date(values, "to")
    if start is not None and end is not None and start > end:
        raise _field_problem("to", "the end date lies before the start date", "截止日期早于起始日期")
    return start, end


def _number(text: str, name: str, today: dt.date) -> TypedNumber:
    try:
        return read_number(text, today=today)
    except BadRequest as problem:
        raise BadRequest(
            f"{name}: {problem.message}", detail_zh=f"{_LABELS_ZH[name]}：{problem.detail_zh}"
        ) from None


# --- pages -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: ``items``, and where it lies among ``total`` matches."""

    items: list[T]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.items) - 1 if self.items else 0


def _page_of(
    session: Session, query: AnySelect, page: int, size: int
) -> tuple[list[Sequence[Any]], int, int]:
    """(rows of page ``page``, total, the page number given: the last page when past the end)."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = min(max(page, 1), max(1, math.ceil(total / size)))
    rows: list[Sequence[Any]] = [
        tuple(row) for row in session.execute(query.limit(size).offset((page - 1) * size))
    ]
    return rows, total, page


# --- certificates ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CertificateRow:
    """A certificate as the list and its export show it (the name of its current version)."""

    number: str
    name: str
    title: str
    level: str
    series: str
    specialty: str
    employer: str
    committee: str
    doc_no: str
    confirmation_date: dt.date
    issued_at: dt.datetime
    status: str
    version: int
    batch_id: int | None

    @property
    def issued_on(self) -> dt.date:
        """The China day it was issued."""
        return china_date(self.issued_at)


@dataclass(frozen=True)
class CertificateList:
    """A page of certificates, the filters as resolved (an ID number became ``holder_id``) and the
    series this authority has issued (the series filter's choices)."""

    page: Page[CertificateRow]
    filters: CertificateFilters
    series: list[str] = field(default_factory=list)


_CURRENT = CertificateVersion.__table__.alias("current_version")
_COLUMNS = (
    Certificate.number,
    _CURRENT.c.holder_name,
    Certificate.title,
    Certificate.level,
    Certificate.series,
    Certificate.specialty,
    Certificate.employer,
    Certificate.committee_name,
    Certificate.confirmation_doc_no,
    Certificate.confirmation_date,
    Certificate.created_at,
    Certificate.status,
    Certificate.current_version,
    Certificate.batch_id,
)


def list_certificates(
    session: Session,
    runtime: Runtime,
    authority_code: str,
    filters: CertificateFilters,
    *,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> CertificateList:
    """Page ``page`` of ``authority_code``'s certificates matching ``filters``, newest first (a
    page past the end gives the last page)."""
    filters = resolve_holder(session, runtime, filters)
    query = _certificate_query(authority_code, filters)
    items, total, number = _page_of(session, query, page, size)
    rows = [CertificateRow(*item) for item in items]
    return CertificateList(
        Page(rows, total, number, size), filters, series=authority_series(session, authority_code)
    )


def iter_certificates(
    session: Session, runtime: Runtime, authority_code: str, filters: CertificateFilters
) -> Iterator[CertificateRow]:
    """Every certificate of ``authority_code`` matching ``filters``, newest first, streamed."""
    filters = resolve_holder(session, runtime, filters)
    query = _certificate_query(authority_code, filters).execution_options(yield_per=1000)
    for item in session.execute(query):
        yield CertificateRow(*item)


def resolve_holder(session: Session, runtime: Runtime, filters: CertificateFilters) -> CertificateFilters:
    """``filters`` with an ID number replaced by its holder's id, found through the blind index
    (``holder_id`` 0 when nobody has that ID number, which matches nothing)."""
    if filters.id_number is None:
        return filters
    holder = find_holder(session, runtime, filters.id_number)
    holder_id = holder.id if holder is not None else 0
    if filters.holder_id is not None and filters.holder_id != holder_id:
        holder_id = 0
    return replace(filters, id_number=None, holder_id=holder_id)


def authority_series(session: Session, authority_code: str) -> list[str]:
    """The series of the certificates ``authority_code`` has issued, sorted."""
    return list(
        session.scalars(
            select(Certificate.series)
            .where(Certificate.authority_code == authority_code)
            .distinct()
            .order_by(Certificate.series)
        )
    )


def _certificate_query(authority_code: str, f: CertificateFilters) -> AnySelect:
    where: list[ColumnElement[bool]] = [Certificate.authority_code == authority_code]
    numbers: list[ColumnElement[bool]] = []
    if f.number is not None:
        numbers.append(Certificate.number == validate_certificate_number(f.number))
    if f.holder_id is not None:
        numbers.append(Certificate.holder_id == f.holder_id)
    if f.id_number is not None:  # not resolved: nobody's (resolve_holder runs first)
        numbers.append(false())
    if numbers:
        where.append(or_(*numbers))
    if f.name is not None:
        where.append(_CURRENT.c.holder_name.icontains(f.name, autoescape=True))
    if f.doc_no is not None:
        where.append(Certificate.confirmation_doc_no.icontains(f.doc_no, autoescape=True))
    if f.batch is not None:
        where.append(Certificate.batch_id == f.batch)
    if f.employer is not None:
        where.append(Certificate.employer.icontains(f.employer, autoescape=True))
    if f.series is not None:
        where.append(Certificate.series == f.series)
    if f.level is not None:
        where.append(Certificate.level == f.level)
    if f.route is not None:
        where.append(Certificate.route == f.route)
    if f.status is not None:
        where.append(Certificate.status == f.status)
    if f.issued_from is not None:
        where.append(Certificate.created_at >= china_midnight(f.issued_from))
    if f.issued_to is not None:
        where.append(Certificate.created_at < china_midnight(f.issued_to + dt.timedelta(days=1)))
    return (
        select(*_COLUMNS)
        .join(
            _CURRENT,
            and_(
                _CURRENT.c.certificate_id == Certificate.id,
                _CURRENT.c.version == Certificate.current_version,
            ),
        )
        .where(*where)
        .order_by(Certificate.created_at.desc(), Certificate.id.desc())
    )


# --- batches -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BatchRow:
    """An import batch as the history shows it. ``rows`` (the file's row count) only for a batch
    imported for this authority alone; ``issued_here``: its certificates of this authority."""

    id: int
    created_at: dt.datetime
    source_name: str
    imported_by: Actor
    rows: int | None
    issued_here: int


@dataclass(frozen=True)
class Actor:
    """Who did something, for people: ``kind`` (user, api-token, cli, other) and a name."""

    kind: str
    name: str


def list_batches(
    session: Session, authority_code: str, filters: BatchFilters, *, page: int = 1, size: int = PAGE_SIZE
) -> Page[BatchRow]:
    """Page ``page`` of the batches of ``authority_code`` matching ``filters``, newest first."""
    items, total, number = _page_of(session, _batch_query(authority_code, filters), page, size)
    return Page(_batch_rows(session, authority_code, items), total, number, size)


def iter_batches(session: Session, authority_code: str, filters: BatchFilters) -> list[BatchRow]:
    """Every batch of ``authority_code`` matching ``filters``, newest first."""
    items = list(session.execute(_batch_query(authority_code, filters)))
    return _batch_rows(session, authority_code, items)


def _batch_query(authority_code: str, f: BatchFilters) -> AnySelect:
    mine = (
        select(Certificate.batch_id, func.count().label("issued"))
        .where(Certificate.authority_code == authority_code, Certificate.batch_id.is_not(None))
        .group_by(Certificate.batch_id)
        .subquery()
    )
    where: list[ColumnElement[bool]] = [
        or_(ImportBatch.authority_code == authority_code, mine.c.batch_id.is_not(None))
    ]
    if f.source is not None:
        where.append(ImportBatch.source_name.icontains(f.source, autoescape=True))
    if f.created_from is not None:
        where.append(ImportBatch.created_at >= china_midnight(f.created_from))
    if f.created_to is not None:
        where.append(ImportBatch.created_at < china_midnight(f.created_to + dt.timedelta(days=1)))
    return (
        select(
            ImportBatch.id,
            ImportBatch.created_at,
            ImportBatch.source_name,
            ImportBatch.imported_by,
            ImportBatch.authority_code,
            ImportBatch.row_count,
            func.coalesce(mine.c.issued, 0),
        )
        .outerjoin(mine, mine.c.batch_id == ImportBatch.id)
        .where(*where)
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
    )


def _batch_rows(session: Session, authority_code: str, items: Sequence[Sequence[Any]]) -> list[BatchRow]:
    actors = describe_actors(session, [str(item[3]) for item in items])
    rows = []
    for batch_id, created_at, source, imported_by, authority, row_count, issued in items:
        assert isinstance(batch_id, int) and isinstance(created_at, dt.datetime)
        assert isinstance(row_count, int) and isinstance(issued, int)
        rows.append(
            BatchRow(
                id=batch_id,
                created_at=created_at,
                source_name=str(source),
                imported_by=actors[str(imported_by)],
                rows=row_count if authority == authority_code else None,
                issued_here=issued,
            )
        )
    return rows


def describe_actors(session: Session, actors: list[str]) -> dict[str, Actor]:
    """How each recorded actor (``user:<id>:<login>``, ``api-token:<id>``, ``cli:<user>``, …) is
    named for people: a staff member's display name, an API token's label."""
    user_ids = {int(parts[1]) for parts in (a.split(":") for a in actors) if _numbered(parts, "user")}
    token_ids = {int(parts[1]) for parts in (a.split(":") for a in actors) if _numbered(parts, "api-token")}
    users: dict[int, str] = {}
    if user_ids:
        users.update(session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all())
    tokens: dict[int, str] = {}
    if token_ids:
        tokens.update(
            session.execute(select(ApiToken.id, ApiToken.label).where(ApiToken.id.in_(token_ids))).all()
        )
    described = {}
    for actor in actors:
        parts = actor.split(":")
        if _numbered(parts, "user"):
            login = parts[2] if len(parts) > 2 else ""
            name = users.get(int(parts[1]))
            shown = f"{name} ({login})" if name and login and name != login else name or login
            described[actor] = Actor("user", shown)
        elif _numbered(parts, "api-token"):
            described[actor] = Actor("api-token", tokens.get(int(parts[1]), parts[1]))
        elif parts[0] == "cli":
            described[actor] = Actor("cli", ":".join(parts[1:]))
        else:
            described[actor] = Actor("other", actor)
    return described


def _numbered(parts: list[str], kind: str) -> bool:
    return len(parts) >= 2 and parts[0] == kind and parts[1].isascii() and parts[1].isdigit()
