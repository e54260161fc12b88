"""GB 11643 citizen ID numbers (公民身份号码): parse, validate, mask."""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from dataclasses import dataclass

from certsvc.domain.checkdigits import gb11643_check_char
from certsvc.errors import (
    IdNumberBirthDateError,
    IdNumberCharsetError,
    IdNumberCheckError,
    IdNumberLengthError,
)

ID_NUMBER_LENGTH = 18
# Nobody alive was born before this; an earlier "birth date" is a typo, not a person.
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)


class Sex(enum.Enum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True, slots=True)
class IdentityFacts:
    """What an ID number says about its holder."""

    birth_date: dt.date
    sex: Sex


def normalize_id_number(text: str) -> str:
    """NFKC (full-width digits become ASCII), spaces removed, a typed lower-case x made upper-case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def parse_id_number(id_number: str, *, today: dt.date) -> IdentityFacts:
    """Validate a normalised 18-character ID number and return birth date and sex.

    Raises the matching ``InvalidIdNumber`` subclass: length, charset, birth date (impossible,
    before 1900 or after ``today``), or check character.
    """
    if len(id_number) != ID_NUMBER_LENGTH:
        raise IdNumberLengthError(
            f"ID number has {len(id_number)} characters, not 18",
            detail_zh=f"身份证号为 {len(id_number)} 位，应为 18 位",
        )
    body, check = id_number[:17], id_number[17]
    if not (body.isascii() and body.isdigit()) or not (check.isascii() and (check.isdigit() or check == "X")):
        raise IdNumberCharsetError(
            "ID number must be 17 digits followed by a digit or X",
            detail_zh="身份证号应为 17 位数字加 1 位数字或 X",
        )
    try:
        birth = dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise IdNumberBirthDateError(
            f"ID number holds no valid birth date ({body[6:14]})",
            detail_zh=f"身份证号中的出生日期 {body[6:14]} 不是有效日期",
        ) from None
    if birth < EARLIEST_BIRTH_DATE or birth > today:
        raise IdNumberBirthDateError(
            f"ID number birth date {birth.isoformat()} is not plausible",
            detail_zh=f"身份证号中的出生日期 {birth.isoformat()} 不合理",
        )
    expected = gb11643_check_char(body)
    if check != expected:
        raise IdNumberCheckError(
            "ID number check character is wrong: the number was probably mistyped",
            detail_zh="身份证号校验码不符，可能录入有误",
        )
    return IdentityFacts(birth_date=birth, sex=_sex(body))


def identity_facts(id_number: str) -> IdentityFacts:
    """Birth date and sex of an ID number ``parse_id_number`` has already accepted, not checked again.

    For batch work that validated every number first; anything else must use ``parse_id_number``.
    """
    birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return IdentityFacts(birth_date=birth, sex=_sex(id_number))


def _sex(id_number: str) -> Sex:
    """The 17th character is the sequence code's last digit: odd for men, even for women."""
    return Sex.MALE if int(id_number[16]) % 2 else Sex.FEMALE


def mask_id(id_number: str) -> str:
    """Keep the first 3 and last 4 characters of an 18-character ID number: ``421***********5405``.

    Anything else keeps at most its last 4 characters, and none when 4 or fewer, so malformed
    input never leaks more than a well-formed number would.
    """
    n = len(id_number)
    if n == ID_NUMBER_LENGTH:
        return id_number[:3] + "*" * 11 + id_number[-4:]
    if n <= 4:
        return "*" * n
    return "*" * (n - 4) + id_number[-4:]
