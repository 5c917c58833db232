"""和暦 ⇄ 西暦 for fiscal years (年度). ``fiscal_year`` in grantkit is always the 交付年度."""

from __future__ import annotations

import re

from .errors import GrantkitError
from .text import normalize_text

_ERAS = {  # era: (first Western year of the era's year 1, letter)
    "令和": (2019, "R"),
    "平成": (1989, "H"),
}
_LAST = {"平成": 31}  # 平成31年度 = 令和元年度 (2019) is printed both ways; 平成32年度 does not exist
_LETTERS = {letter: (name, start) for name, (start, letter) in _ERAS.items()}
_PATTERN = re.compile(r"^(令和|平成|[RH])\s*(元|\d{1,2})\s*(?:年度?)?$")


class EraError(GrantkitError, ValueError):
    """A fiscal-year label that cannot be read."""


def fiscal_year(value: object) -> int:
    """Read a fiscal year written as 2019, "2019", "R1", "Ｒ１", "R01", "令和元年度", "平成30年度" or "H30".

    Parameters
    ----------
    value
        A Western year (int, float or text) or an era label, full-width or half-width.

    Returns
    -------
    int
        The Western fiscal year, always in 1989–2100.

    Raises
    ------
    EraError
        (a :class:`GrantkitError`) when the label cannot be read, names a year that does not exist
        (平成32年度, R0) or falls outside 1989–2100.

    Examples
    --------
    >>> fiscal_year("令和元年度"), fiscal_year("H30"), fiscal_year("Ｒ１"), fiscal_year(2020)
    (2019, 2018, 2019, 2020)
    """
    if isinstance(value, bool):
        raise EraError(f"{value!r} は年度ではありません")
    if isinstance(value, int):
        year = value
    elif isinstance(value, float) and value.is_integer():
        year = int(value)
    else:
        s = normalize_text(value).upper().replace(" ", "")
        s = s.removesuffix("年度").removesuffix("年") if s[:1].isdigit() else s
        if re.fullmatch(r"\d{4}", s):
            year = int(s)
        else:
            m = _PATTERN.match(s)
            if not m:
                raise EraError(f"'{value}' は年度として読めません（例: 2019, R1, 令和元年度, H30）")
            era = m.group(1)
            start = _ERAS[era][0] if era in _ERAS else _LETTERS[era][1]
            n = 1 if m.group(2) == "元" else int(m.group(2))
            if n < 1:
                raise EraError(f"'{value}' は年度として読めません（0年はありません）")
            year = start + n - 1
            name = era if era in _ERAS else _LETTERS[era][0]
            if name in _LAST and n > _LAST[name]:
                raise EraError(
                    f"'{value}' はありません（{name}は{_LAST[name]}年度まで。"
                    f"{era_label_long(year)}のことなら、そう書いてください）"
                )
    if not 1989 <= year <= 2100:
        raise EraError(f"'{value}' は対象外の年度です（1989〜2100）")
    return year


def _era_of(year: int) -> tuple[str, str, int]:
    for name, (start, letter) in _ERAS.items():
        if year >= start:
            return name, letter, year - start + 1
    raise EraError(f"{year} は対象外の年度です")


def era_label(year: int | str) -> str:
    """Short era label of a fiscal year: 2019 → "R1", 2018 → "H30".

    Parameters
    ----------
    year
        Anything :func:`fiscal_year` reads.

    Returns
    -------
    str
        Era letter and year number, no leading zero; round-trips through :func:`fiscal_year`.

    Examples
    --------
    >>> era_label(2019), era_label("平成30年度")
    ('R1', 'H30')
    """
    _, letter, n = _era_of(fiscal_year(year))
    return f"{letter}{n}"


def era_label_long(year: int | str) -> str:
    """Long era label of a fiscal year: 2019 → "令和元年度", 2018 → "平成30年度".

    Parameters
    ----------
    year
        Anything :func:`fiscal_year` reads.

    Returns
    -------
    str
        Era name, year (元 for the first) and 年度; round-trips through :func:`fiscal_year`.

    Examples
    --------
    >>> era_label_long(2019), era_label_long(2025)
    ('令和元年度', '令和7年度')
    """
    name, _, n = _era_of(fiscal_year(year))
    return f"{name}{'元' if n == 1 else n}年度"
