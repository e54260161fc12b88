"""Certificate numbers (证书编号): the 18 characters people type to verify a certificate.

Format, upper-case ``0-9A-Z`` only, fixed positions::

    AAAAAA YYYY L SSSSSS C
    │      │    │ │      └ ISO/IEC 7064 MOD 37,36 check character over the 17 characters before it
    │      │    │ └ serial within (authority, year, level), 6 base-36 digits, 0 … 2,176,782,335
    │      │    └ level digit: 1 正高级, 2 副高级, 3 中级, 4 助理级, 5 员级
    │      └ year of issue
    └ authority code as in the registry (e.g. 500000, S50001)

e.g. ``50000020241000001Z`` (500000's first 正高级 certificate of 2024), written without separators.
People may type it with spaces or hyphens, in lower case or full width; ``validate_certificate_number``
normalises all of that away. Letters O/I and digits 0/1 can both occur; a confusion between
them is a single-character substitution, which the check character always detects, so a
mistyped number is refused before any lookup instead of finding someone else's certificate.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from certsvc.domain.checkdigits import MOD37_36_ALPHABET, mod37_36_check_char
from certsvc.domain.levels import Level
from certsvc.errors import CertificateNumberCheckError, InvalidCertificateNumber

CERTIFICATE_NUMBER_LENGTH = 18
SERIAL_DIGITS = 6
MAX_SERIAL = 36**SERIAL_DIGITS - 1
_AUTHORITY_CODE = re.compile(r"[0-9A-Z]{6}")
_SHAPE = re.compile(
    r"(?P<authority>[0-9A-Z]{6})(?P<year>[0-9]{4})(?P<level>[1-5])(?P<serial>[0-9A-Z]{6})[0-9A-Z]"
)
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


@dataclass(frozen=True, slots=True)
class CertificateNumberParts:
    authority_code: str
    year: int
    level: Level
    serial: int


def _base36(value: int, width: int) -> str:
    digits = []
    for _ in range(width):
        value, rem = divmod(value, 36)
        digits.append(MOD37_36_ALPHABET[rem])
    return "".join(reversed(digits))


def make_certificate_number(authority_code: str, year: int, level: Level, serial: int) -> str:
    """The certificate number for the ``serial``-th certificate of that authority, year and level.

    Raises ValueError when a part does not fit the format (a programming error, not user input).
    """
    if not _AUTHORITY_CODE.fullmatch(authority_code):
        raise ValueError(f"authority code must be 6 characters 0-9A-Z, got {authority_code!r}")
    if not 1000 <= year <= 9999:
        raise ValueError(f"year must have 4 digits, got {year}")
    if not 0 <= serial <= MAX_SERIAL:
        raise ValueError(f"serial must be in 0..{MAX_SERIAL}, got {serial}")
    body = f"{authority_code}{year:04d}{level.digit}{_base36(serial, SERIAL_DIGITS)}"
    return body + mod37_36_check_char(body)


def normalize_certificate_number(text: str) -> str:
    """Full width to ASCII, separators (spaces, hyphens, dashes) removed, upper case."""
    if text.isascii() and text.isalnum():  # the usual case: only the letter case may need fixing
        return text.upper()
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def validate_certificate_number(text: str) -> str:
    """The canonical form of a typed certificate number.

    Raises ``InvalidCertificateNumber`` when it does not have the shape, and its subclass
    ``CertificateNumberCheckError`` when only the check character disagrees (a typo).
    """
    number = normalize_certificate_number(text)
    if not _SHAPE.fullmatch(number):
        raise InvalidCertificateNumber(
            "a certificate number has 18 letters and digits, e.g. 50000020241000001Z",
            detail_zh="证书编号应为 18 位字母和数字",
        )
    if mod37_36_check_char(number[:-1]) != number[-1]:
        raise CertificateNumberCheckError(
            "the certificate number's check character does not match: please check for a typing error",
            detail_zh="证书编号校验位不符，请检查是否输错",
        )
    return number


def parse_certificate_number(text: str) -> CertificateNumberParts:
    """Validate ``text`` (see ``validate_certificate_number``) and split it into its parts."""
    match = _SHAPE.fullmatch(validate_certificate_number(text))
    assert match is not None  # validate_certificate_number checked the shape
    level = Level.from_digit(int(match["level"]))
    assert level is not None  # the shape allows only 1-5
    return CertificateNumberParts(
        authority_code=match["authority"],
        year=int(match["year"]),
        level=level,
        serial=int(match["serial"], 36),
    )
