"""Text normalisation applied once, at the boundary where files are read."""

from __future__ import annotations

import re
import unicodedata

# Characters that NFKC would decompose but whose official form we keep: Roman numerals
# (Ⅰ..Ⅻ, used for 目標 and indicator codes) and circled numbers (①..⑳, used for 枝番).
_PROTECTED = {chr(c) for c in range(0x2160, 0x2180)} | {chr(c) for c in range(0x2460, 0x2474)}
_LATIN_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ", "VI": "Ⅵ"}
_SPACES = re.compile(r"\s+")


class _PerCharacterNfkc(dict):
    """A ``str.translate`` table: each character's own NFKC form (protected characters kept), found on first use."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        self[code] = form = ch if ch in _PROTECTED else unicodedata.normalize("NFKC", ch)
        return form


_PER_CHARACTER = _PerCharacterNfkc()


def normalize_text(value: object) -> str:
    """NFKC-normalise text but keep Roman numerals and circled numbers; fold white space.

    >>> normalize_text("Ｒ１　（推進）")
    'R1 (推進)'
    >>> normalize_text("Ⅱ（２）①")
    'Ⅱ(2)①'
    """
    s = "" if value is None else str(value)
    return _SPACES.sub(" ", s.translate(_PER_CHARACTER)).strip()


def fold_spaces(value: object) -> str:
    """Text as written (full-width characters kept) with runs of white space folded to one space and trimmed.

    >>> fold_spaces("ＮＰＯ法人　（例）  事業 ")
    'ＮＰＯ法人 （例） 事業'
    """
    return _SPACES.sub(" ", "" if value is None else str(value)).strip()


def normalize_indicator(value: object) -> str:
    """Normalise an indicator code: no spaces, ASCII brackets, Roman numerals as one character.

    >>> normalize_indicator("II (2) ①")
    'Ⅱ(2)①'
    >>> normalize_indicator("Ⅲ")
    'Ⅲ'
    """
    s = normalize_text(value).replace(" ", "")
    m = re.match(r"^(目標)?([IVX]+)(?![A-Za-z])", s)
    if m and m.group(2) in _LATIN_ROMAN:
        s = (m.group(1) or "") + _LATIN_ROMAN[m.group(2)] + s[m.end() :]
    return s
