"""Certificate tables: holders, certificates and their versions, status-list slots, import batches,
reissue requests and staged console imports.

Personal data at rest: a holder's ID number is stored only encrypted (``id_ciphertext``) and is
found through a keyed hash (``id_index``, a blind index), so a database dump alone does not reveal
ID numbers and lookups never decrypt a table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certsvc.db.base import Base, UTCDateTime
from certsvc.domain.routes import Acquisition, stored_acquisition

CERTIFICATE_STATUSES = ("valid", "superseded", "suspended", "revoked")
REISSUE_REASONS = ("lost", "damaged", "correction")
CORRECTABLE_FIELDS = ("name", "employer")
REQUEST_STATUSES = ("pending", "approved", "rejected")


class Holder(Base):
    """A titled professional. The ID number is encrypted; ``id_index`` is its keyed blind index."""

    __tablename__ = "holders"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_index: Mapped[str] = mapped_column(String(64), unique=True)
    id_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    certificates: Mapped[list[Certificate]] = relationship(back_populates="holder")


class ImportBatch(Base):
    """One imported results file (what was imported, by whom, when; no personal data)."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_code: Mapped[str] = mapped_column(String(32), index=True)
    source_name: Mapped[str] = mapped_column(String(255))
    source_sha256: Mapped[str] = mapped_column(String(64), index=True)
    row_count: Mapped[int] = mapped_column(Integer)
    issued_count: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class NumberSequence(Base):
    """Next serial for certificate numbers per authority, year and level."""

    __tablename__ = "number_sequences"

    authority_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(8), primary_key=True)
    next_serial: Mapped[int] = mapped_column(Integer)


class Certificate(Base):
    """A title certificate. Its facts never change; its versions carry signatures and status."""

    __tablename__ = "certificates"
    __table_args__ = (
        # At most one non-revoked certificate per holder, series, specialty and title (rule 8,
        # enforced by the database too); the same title in another specialty is 多评同级.
        Index(
            "uq_certificates_active_title",
            "holder_id",
            "series",
            "specialty",
            "title",
            unique=True,
            sqlite_where=text("status <> 'revoked'"),
            postgresql_where=text("status <> 'revoked'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    result_key: Mapped[str] = mapped_column(String(64), unique=True)
    authority_code: Mapped[str] = mapped_column(ForeignKey("authorities.code"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    committee_code: Mapped[str] = mapped_column(String(64))
    committee_name: Mapped[str] = mapped_column(String(200))
    series: Mapped[str] = mapped_column(String(64))
    specialty: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8))
    employer: Mapped[str] = mapped_column(String(200))
    confirmation_doc_no: Mapped[str] = mapped_column(String(100))
    confirmation_date: Mapped[dt.date] = mapped_column(Date)
    # The review meeting (评审通过日期); None for titles obtained by another route.
    meeting_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    # How the title was obtained (取得方式): 评审, 认定, 重新确认 or 考试; review keeps its facts in
    # the committee and meeting columns, the other routes theirs in ``acquisition``
    # (``certsvc.domain.routes.Acquisition.to_json``).
    route: Mapped[str] = mapped_column(String(8), server_default=text("'评审'"))
    # SQL NULL for review (none_as_null: no JSON text is made for the commonest row).
    acquisition: Mapped[dict[str, str] | None] = mapped_column(JSON(none_as_null=True))
    # 取得时间: when the title was obtained, from the route's event (DESIGN §2).
    obtained_date: Mapped[dt.date] = mapped_column(Date)
    # The province's supervising body printed as "…监制" (统一监制, 广西办法 第七条), as at issue.
    supervisor: Mapped[str | None] = mapped_column(String(200))

    holder: Mapped[Holder] = relationship(back_populates="certificates")
    versions: Mapped[list[CertificateVersion]] = relationship(
        back_populates="certificate", order_by="CertificateVersion.version"
    )

    @property
    def acquisition_facts(self) -> Acquisition:
        """How the title was obtained, with the facts the certificate states for its route."""
        return stored_acquisition(self.route, self.acquisition, self.committee_name, self.meeting_date)

    @property
    def current_version_row(self) -> CertificateVersion:
        """The version the certificate now stands at (``current_version``)."""
        return next(v for v in self.versions if v.version == self.current_version)

    @property
    def holder_name(self) -> str:
        """The holder's name on the current version, as this certificate's authority registered it."""
        return self.current_version_row.holder_name


class StatusList(Base):
    """A status-list allocation space of ``size`` slots, filled through a keyed random permutation."""

    __tablename__ = "status_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    allocated: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CertificateVersion(Base):
    """Version n of a certificate: its signed credential, QR payload, status and status-list slot."""

    __tablename__ = "certificate_versions"
    __table_args__ = (
        UniqueConstraint("certificate_id", "version"),
        UniqueConstraint("status_list_id", "status_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    kid: Mapped[str] = mapped_column(String(64))
    credential: Mapped[str] = mapped_column(Text)
    qr_payload: Mapped[str] = mapped_column(Text)
    status_list_id: Mapped[int] = mapped_column(ForeignKey("status_lists.id"))
    status_index: Mapped[int] = mapped_column(Integer)
    # The holder's name as the issuing authority registered it for this version: what the
    # credential signs, verify-by-number compares and the console shows. Another authority's
    # spelling never reaches it (issue 16; ADR 0011).
    holder_name: Mapped[str] = mapped_column(String(100))
    reissue_reason: Mapped[str | None] = mapped_column(String(32))
    status_reason: Mapped[str | None] = mapped_column(String(64))
    status_doc_no: Mapped[str | None] = mapped_column(String(100))
    status_effective: Mapped[dt.date | None] = mapped_column(Date)
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ledger_index: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    certificate: Mapped[Certificate] = relationship(back_populates="versions")


class ReissueRequest(Base):
    """A holder's request for a new version of one of their certificates."""

    __tablename__ = "reissue_requests"
    __table_args__ = (Index("ix_reissue_requests_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    authority_code: Mapped[str] = mapped_column(ForeignKey("authorities.code"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))
    corrected_field: Mapped[str | None] = mapped_column(String(32))
    corrected_value: Mapped[str | None] = mapped_column(String(200))
    holder_note: Mapped[str | None] = mapped_column(String(500))
    evidence: Mapped[bytes | None] = mapped_column(LargeBinary)
    evidence_type: Mapped[str | None] = mapped_column(String(64))
    evidence_name: Mapped[str | None] = mapped_column(String(255))
    evidence_size: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    new_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    certificate: Mapped[Certificate] = relationship()


class StagedImport(Base):
    """A results file uploaded in the console, kept between its dry run and the confirmation.

    Kept in the database, not on local disk, so the confirmation may reach any server process.
    """

    __tablename__ = "staged_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class IntegrityRecord(Base):
    """An entry of the integrity record (诚信档案): a person barred from titles for 3 years.

    Created by revoking a certificate for fraud; the person is named only by the blind index of
    the ID number. ``doc_no`` is the decision that opened it (the revocation's document number),
    the only thing refusals show. It runs from ``starts_on`` to ``runs_until`` (exclusive) unless
    ended early (``ended_on``, ``end_doc_no``) by an authority's decision or by the revocation
    being reversed. Never public.
    """

    __tablename__ = "integrity_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_index: Mapped[str] = mapped_column(String(64), index=True)
    authority_code: Mapped[str] = mapped_column(ForeignKey("authorities.code"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    doc_no: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(32))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    runs_until: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    end_doc_no: Mapped[str | None] = mapped_column(String(100))
    ended_by: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CertificateShare(Base):
    """A holder's share link (亮证) for one purpose: who opens it sees the chosen scope and the
    live verdict until it expires or the holder ends it.

    Only the token's SHA-256 is kept (the token is 192-bit random, so a slow hash adds nothing):
    the link is shown to the holder once, and a database reader cannot open shares.
    """

    __tablename__ = "certificate_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(100))
    show_full_name: Mapped[bool] = mapped_column(Boolean)
    show_id_last4: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    certificate: Mapped[Certificate] = relationship()


class ShareAccess(Base):
    """One opening of a share link, as the holder sees it: when, and a coarse client description
    (browser family and device class). No address is stored; ``visitor`` is a short keyed digest of
    address and browser, enough to tell one visitor's repeated visits from several visitors."""

    __tablename__ = "share_accesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("certificate_shares.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    client: Mapped[str] = mapped_column(String(64))
    visitor: Mapped[str] = mapped_column(String(16))


class Proposal(Base):
    """A change one staff member proposed and a second one (a reviewer) must approve (maker–checker):
    a status change of a certificate, a signing-key rotation or compromise, or a large import.

    ``authority_code`` is the proposer's authority: only its staff see and decide the proposal. An
    import's file is kept encrypted (``file_data``, bound to ``file_binding``) until the decision,
    then dropped. At most one pending proposal per certificate (a partial unique index).
    """

    __tablename__ = "proposals"
    __table_args__ = (
        Index(
            "uq_proposals_pending_certificate",
            "certificate_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_proposals_authority_status", "authority_code", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_code: Mapped[str] = mapped_column(ForeignKey("authorities.code"))
    action: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    version: Mapped[int | None] = mapped_column(Integer)
    from_status: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    doc_no: Mapped[str | None] = mapped_column(String(100))
    effective: Mapped[dt.date | None] = mapped_column(Date)
    kid: Mapped[str | None] = mapped_column(String(128))
    since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    filename: Mapped[str | None] = mapped_column(String(255))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_rows: Mapped[int | None] = mapped_column(Integer)
    file_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    file_binding: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(500))
    proposed_by_user: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_by_user: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(String(500))
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    certificate: Mapped[Certificate | None] = relationship()
