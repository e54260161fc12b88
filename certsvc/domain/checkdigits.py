"""Check characters: GB 11643 (citizen ID), GB 32100 (USCC) and ISO/IEC 7064 MOD 37,36.

Each algorithm is a few lines and DESIGN §2 fixes it exactly, so they are written out here rather
than pulled in from a dependency. Functions take upper-case text; callers normalise first.

What MOD 37,36 catches: every single-character substitution, and every swap of two adjacent
characters unless their alphabet values are neighbours (0↔1, A↔B, Z↔0: values differing by 1
mod 36); those neighbour swaps slip through in about 3 % of positions (e.g. ``L401`` and
``L410`` are both valid). That is the hybrid system's known limit, not a defect here.
"""

from __future__ import annotations

import operator

GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_GB11643_CHECK = "10X98765432"
_GB11643_ZEROS = ord("0") * sum(GB11643_WEIGHTS)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}

MOD37_36_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MOD37_36_VALUE = {c: i for i, c in enumerate(MOD37_36_ALPHABET)}


def gb11643_check_char(body: str) -> str:
    """The check character of the first 17 digits of an ID number.

    Raises ValueError when ``body`` is not 17 ASCII digits.
    """
    if len(body) != 17 or not (body.isascii() and body.isdigit()):
        raise ValueError("GB 11643 body must be 17 ASCII digits")
    # Weighted sum of the digits' ASCII codes, less 48 ("0") times the weights: no int() per digit.
    return _GB11643_CHECK[
        (sum(map(operator.mul, body.encode("ascii"), GB11643_WEIGHTS)) - _GB11643_ZEROS) % 11
    ]


def uscc_check_char(body: str) -> str:
    """The 18th character of a Unified Social Credit Code given its first 17.

    Raises ValueError when ``body`` is not 17 characters of the USCC alphabet.
    """
    if len(body) != 17 or any(c not in _USCC_VALUE for c in body):
        raise ValueError("USCC body must be 17 characters of " + USCC_ALPHABET)
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_is_valid(code: str) -> bool:
    """Whether ``code`` is 18 USCC characters whose last is the right check character."""
    if len(code) != 18:
        return False
    try:
        return uscc_check_char(code[:17]) == code[17]
    except ValueError:
        return False


def _mod37_36_state(text: str) -> int:
    """The hybrid-system state P after consuming ``text`` (ISO/IEC 7064 §7, M = 36)."""
    p = 36
    for c in text:
        a = _MOD37_36_VALUE.get(c)
        if a is None:
            raise ValueError(f"character {c!r} is outside the MOD 37,36 alphabet 0-9A-Z")
        t = (p + a) % 36 or 36
        p = (2 * t) % 37
    return p


def mod37_36_check_char(text: str) -> str:
    """The MOD 37,36 check character to append to ``text`` (upper-case 0-9A-Z)."""
    return MOD37_36_ALPHABET[(1 - _mod37_36_state(text)) % 36]


def mod37_36_is_valid(text: str) -> bool:
    """Whether the last character of ``text`` is the MOD 37,36 check character of the rest."""
    if len(text) < 2:
        return False
    try:
        return mod37_36_check_char(text[:-1]) == text[-1]
    except ValueError:
        return False
