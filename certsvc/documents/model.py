"""The value a certificate document is rendered from.

Renderers are pure functions of a :class:`CertificateDocument` (plus the font file), so the caller
decides everything that varies between audiences, e.g. whether the ID number is printed masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from certsvc.domain.routes import Acquisition
from certsvc.errors import InvalidDocument


@dataclass(frozen=True, slots=True)
class CertificateDocument:
    """Everything printed on one version of a certificate, already in display form."""

    holder_name: str
    sex: str
    birth_date: date
    id_number: str
    employer: str
    series: str
    specialty: str
    title: str
    level: str
    date_obtained: date
    committee_name: str
    confirmation_number: str
    certificate_number: str
    authority_name: str
    issue_date: date
    version: int
    reissue_date: date | None
    qr_url: str
    credential_jws: str
    seal_text: str
    # Printed across the page when this version is no longer the valid one ("已撤销", "已被替换",
    # "已暂停"); empty for the current, valid version.
    watermark: str = ""
    # "仅用于 …" printed across the page when the holder restricts what a copy may be used for.
    usage_note: str | None = None
    # How the title was obtained (取得方式 and its facts); None: a document made before routes,
    # printed as a review with ``committee_name``.
    acquisition: Acquisition | None = None
    # The province's supervising body, printed as "…监制" at the foot (统一监制, 广西办法 第七条).
    supervisor: str | None = None

    def __post_init__(self) -> None:
        if self.version < 1:
            raise InvalidDocument(f"version must be >= 1, got {self.version}")
        if (self.version == 1) != (self.reissue_date is None):
            raise InvalidDocument("a reissue date is required exactly when version > 1")
        # The credential travels in a PNG tEXt chunk (Latin-1) and a PDF attachment; a compact JWS is
        # plain ASCII without whitespace, so anything else is a caller bug worth stopping here.
        if not self.credential_jws.isascii() or any(c.isspace() for c in self.credential_jws):
            raise InvalidDocument("credential must be a compact JWS (ASCII, no whitespace)")

    @property
    def is_reissue(self) -> bool:
        return self.version > 1


def chinese_date(value: date) -> str:
    """Dates as printed on Chinese certificates: 2024年6月30日 (no zero padding)."""
    return f"{value.year}年{value.month}月{value.day}日"
