"""Personal names: normalise, judge plausibility (DESIGN §2 rule 9), mask for public display.

A plausible name is either
- Han: 2-30 Han characters (CJK Unified Ideographs, Ext-A and the supplementary extensions, 〇),
  optionally split by single middle dots ``·`` (U+00B7) as in minority names (阿沛·阿旺晋美);
  the dots people type instead (U+30FB ・, U+2022 •, U+2027 ‧, U+FF65 ･, U+2219, U+22C5) become U+00B7;
- Latin: 2-100 characters of Latin letters (with diacritics), words separated by single spaces,
  hyphens or apostrophes (Mary-Jane O'Neil).
No digits, symbols, private-use characters (U+E000–U+F8FF, planes 15–16: each computer shows
something else) or mixtures of the two scripts. Whitespace around the name is dropped and runs
of whitespace inside a Latin name become one space; a space inside a Han name is refused, since
the name on an ID card never has one.

Masking (public pages, QR): Han names keep the first and, from three characters on, the last
character (张三明 → 张*明, 张三 → 张*, 张 → *, 阿沛·阿旺晋美 → 阿*·***美); Latin names keep the
first letter of every word (John Smith → J*** S****, O'Neil → O'N***).
"""

from __future__ import annotations

import re
import unicodedata

from certsvc.errors import ImplausibleName

MIDDLE_DOT = "\u00b7"
_DOT_VARIANTS = str.maketrans({c: MIDDLE_DOT for c in "\u30fb\u2022\u2027\uff65\u2219\u22c5"})

_HAN = (
    "\u3007"
    "\u3400-\u4dbf"
    "\u4e00-\u9fff"
    "\uf900-\ufaff"
    "\U00020000-\U0002a6df"
    "\U0002a700-\U0002ee5f"
    "\U00030000-\U000323af"
)
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"

_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
_HAN_CHAR = re.compile(f"[{_HAN}]")
_HAN_NAME = re.compile(f"[{_HAN}]+(?:{MIDDLE_DOT}[{_HAN}]+)*")
_LATIN_NAME = re.compile(f"[{_LATIN}]+(?:[ '\\-][{_LATIN}]+)*")
# Masking covers every run between separators, so even malformed input never shows through.
_MASKABLE_RUN = re.compile(r"[^\s'\-]+")
_SPACE_AROUND_DOT = re.compile(rf"\s*{MIDDLE_DOT}\s*")

HAN_LENGTH = (2, 30)
LATIN_LENGTH = (2, 100)


def normalize_name(text: str) -> str:
    """NFC, dot variants to U+00B7, outer whitespace dropped, inner whitespace runs to one space."""
    text = unicodedata.normalize("NFC", text).translate(_DOT_VARIANTS)
    text = " ".join(text.split())
    return _SPACE_AROUND_DOT.sub(MIDDLE_DOT, text)


def check_name(text: str) -> str:
    """The normalised name, or ``ImplausibleName`` saying (in English and Chinese) what is wrong."""
    name = normalize_name(text)
    if not name:
        raise ImplausibleName("name is empty", detail_zh="姓名为空")
    if _PRIVATE_USE.search(name):
        # Private-use code points mean a different character on every computer (rule 9).
        raise ImplausibleName(
            "a name may not contain private-use characters (they show differently on every computer); "
            "use the standard GB 18030 character",
            detail_zh="姓名不能包含私用区字符（不同电脑显示不同），请使用 GB 18030 标准字符",
        )
    if _HAN_CHAR.search(name):
        letters = len(name.replace(MIDDLE_DOT, ""))
        if not _HAN_NAME.fullmatch(name):
            raise ImplausibleName(
                "a Chinese name may contain only Han characters and the middle dot ·",
                detail_zh="中文姓名只能包含汉字和间隔号“·”",
            )
        if not HAN_LENGTH[0] <= letters <= HAN_LENGTH[1]:
            raise ImplausibleName(
                f"a Chinese name has {HAN_LENGTH[0]} to {HAN_LENGTH[1]} characters, this one {letters}",
                detail_zh=f"中文姓名应为 {HAN_LENGTH[0]} 至 {HAN_LENGTH[1]} 个汉字，实际 {letters} 个",
            )
        return name
    if not _LATIN_NAME.fullmatch(name):
        raise ImplausibleName(
            "a name may contain only Han characters, or Latin letters with spaces, hyphens and apostrophes",
            detail_zh="姓名只能由汉字组成，或由拉丁字母及空格、连字符、撇号组成",
        )
    if not LATIN_LENGTH[0] <= len(name) <= LATIN_LENGTH[1]:
        raise ImplausibleName(
            f"a Latin-script name has {LATIN_LENGTH[0]} to {LATIN_LENGTH[1]} characters, "
            f"this one {len(name)}",
            detail_zh=f"拉丁字母姓名应为 {LATIN_LENGTH[0]} 至 {LATIN_LENGTH[1]} 个字符，实际 {len(name)} 个",
        )
    return name


def is_plausible_name(text: str) -> bool:
    try:
        check_name(text)
    except ImplausibleName:
        return False
    return True


def mask_name(name: str) -> str:
    """The name as public pages show it; see the module docstring for the scheme."""
    name = normalize_name(name)
    if _HAN_CHAR.search(name):
        return _mask_han(name)
    return _MASKABLE_RUN.sub(lambda m: m.group()[0] + "*" * (len(m.group()) - 1), name)


def _mask_han(name: str) -> str:
    positions = [i for i, c in enumerate(name) if c != MIDDLE_DOT]
    keep = set(positions[:1] + positions[-1:]) if len(positions) >= 3 else set(positions[:1])
    if len(positions) <= 1:
        keep = set()
    return "".join(c if c == MIDDLE_DOT or i in keep else "*" for i, c in enumerate(name))
