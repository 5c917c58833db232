"""Formatting numbers the way the reports print them; the numbers themselves are never changed.

Rates are rounded half up (四捨五入) at the printed precision; amounts in yen are shown in 千円
truncated (切り捨て), the rule the official prefecture amounts follow (22,248,844 円 is printed
22,248千円). Missing values print as 「－」.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import pandas as pd

from ..eras import era_label
from ..errors import GrantkitError
from ..rates import display_code, score_rates

if TYPE_CHECKING:
    from ..compare import Selection

MISSING = "－"


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def round_half_up(x: float, digits: int = 0) -> Decimal:
    """Round as reports do (四捨五入), on ``x`` to 12 significant digits (float noise removed: 0.125 → 0.13).

    Parameters
    ----------
    x
        The number.
    digits
        Decimal places kept (negative: tens, hundreds …).

    Returns
    -------
    decimal.Decimal
        Exactly ``digits`` decimal places; halves round away from zero.

    Examples
    --------
    >>> str(round_half_up(68.75, 0)), str(round_half_up(78.4504, 1)), str(round_half_up(0.125, 2))
    ('69', '78.5', '0.13')
    """
    return Decimal(f"{float(x):.12g}").quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def format_rate(x: float | None, digits: int = 0) -> str:
    """A rate (fraction) as a printed percentage: 0.6438 → "64%", digits=1 → "64.4%".

    Parameters
    ----------
    x
        The rate as a fraction (0.6438), or missing.
    digits
        Decimal places of the percentage, rounded half up.

    Returns
    -------
    str
        The percentage with "%", or 「－」 for a missing value.

    Examples
    --------
    >>> format_rate(470 / 730), format_rate(169 / 180, digits=1), format_rate(float("nan"))
    ('64%', '93.9%', '－')
    """
    if _missing(x):
        return MISSING
    return f"{round_half_up(float(x) * 100, digits)}%"


def format_points(x: float | None) -> str:
    """A score as printed: whole numbers without decimals, others as given, thousands separated.

    Parameters
    ----------
    x
        The score (points), or missing.

    Returns
    -------
    str
        The score as text (up to 10 significant digits, not rounded to a printed precision), or 「－」 for a
        missing value.

    Examples
    --------
    >>> format_points(150.0), format_points(99.3), format_points(1355), format_points(None)
    ('150', '99.3', '1,355', '－')
    """
    if _missing(x):
        return MISSING
    x = float(x)
    return f"{int(x):,}" if x.is_integer() else f"{x:,.10g}"


def format_thousand_yen(yen: int | float | None) -> str:
    """An amount in yen shown in 千円, truncated toward zero: 22,248,844 → "22,248千円".

    Parameters
    ----------
    yen
        The amount in yen, or missing.

    Returns
    -------
    str
        Thousands of yen with separators and 千円, or 「－」 for a missing value.

    Examples
    --------
    >>> format_thousand_yen(22_248_844), format_thousand_yen(-1_500), format_thousand_yen(None)
    ('22,248千円', '-1千円', '－')
    """
    if _missing(yen):
        return MISSING
    thousands = abs(int(yen)) // 1000  # int() drops a float's fraction first: both steps truncate
    return f"{-thousands if yen < 0 else thousands:,}千円"


def format_points_change(pt: float | None, digits: int = 1) -> str:
    """A change in percentage points with its sign: 17.9 → "+17.9ポイント".

    Parameters
    ----------
    pt
        The change in percentage points, or missing.
    digits
        Decimal places, rounded half up.

    Returns
    -------
    str
        "+" before a rise, "-" before a fall, "±" for zero after rounding; 「－」 for a missing value.

    Examples
    --------
    >>> format_points_change(17.87), format_points_change(-3.0, 0), format_points_change(0.0)
    ('+17.9ポイント', '-3ポイント', '±0.0ポイント')
    """
    if _missing(pt):
        return MISSING
    r = round_half_up(pt, digits)
    sign = "+" if r > 0 else "±" if r == 0 else ""
    return f"{sign}{abs(r) if r == 0 else r}ポイント"


# The precision of each kind of figure, wherever it is shown (chart labels, HTML tables, Excel cells).
RATE_DIGITS = 1  # rates of averages and shares, and every rate of the municipal report
ENTITY_RATE_DIGITS = 0  # an entity's own rate in the prefecture report (as the printed reports do)
CHANGE_DIGITS = 1  # differences in percentage points
ONE_DECIMAL_DIGITS = 1  # averages of points, yen per person
KINDS = (
    "rate",
    "points",
    "change",
    "thousand_yen",
    "yen",
    "count",
    "one_decimal",
    "two_decimal",
    "three_decimal",
    "whole",
    "flag",
    "presence",
)


def format_figure(value: object, kind: str, digits: int | None = None, *, unit: bool = True) -> str:
    """The one way a figure is printed: ``kind`` is one of ``KINDS``; ``digits`` overrides the kind's precision.

    Rates are fractions (0.825 → "82.5%"); ``change`` is in percentage points ("+17.9ポイント", without the
    word when ``unit`` is False); ``thousand_yen`` takes yen and truncates to 千円; ``yen``, ``count``,
    ``one_decimal`` and ``whole`` get thousands separators; ``flag`` prints はい/いいえ and ``presence`` あり/なし.
    All rounding is 四捨五入 (half up) on the printed digits; a missing value prints 「－」.

    Parameters
    ----------
    value
        The figure as stored.
    kind
        One of ``KINDS``.
    digits
        Overrides the kind's precision.
    unit
        ``False`` leaves out ポイント and 千円 (for a column whose header carries the unit).

    Returns
    -------
    str
        The figure as every table, chart and workbook of the kit prints it.

    Raises
    ------
    GrantkitError
        For a ``kind`` not in ``KINDS``.

    Examples
    --------
    >>> format_figure(0.825, "rate"), format_figure(0.825, "rate", 0), format_figure(-10.556, "change", unit=False)
    ('82.5%', '83%', '-10.6')
    >>> format_figure(76.5, "whole"), format_figure(32093.6, "yen"), format_figure(True, "flag")
    ('77', '32,094', 'はい')
    >>> format_figure(None, "rate")
    '－'

    """
    if kind not in KINDS:
        raise GrantkitError(f"数値の種類 {kind!r} はありません（{'、'.join(KINDS)}）")
    if kind in ("flag", "presence"):
        if _missing(value):
            return ""
        return ("はい" if value else "いいえ") if kind == "flag" else ("あり" if value else "なし")
    if _missing(value):
        return MISSING
    if kind == "rate":
        return format_rate(value, RATE_DIGITS if digits is None else digits)
    if kind == "points":
        return format_points(value)
    if kind == "change":
        text = format_points_change(value, CHANGE_DIGITS if digits is None else digits)
        return text if unit else text.removesuffix("ポイント")
    if kind == "thousand_yen":
        text = format_thousand_yen(value)
        return text if unit else text.removesuffix("千円")
    places = (
        {"yen": 0, "count": 0, "whole": 0, "one_decimal": ONE_DECIMAL_DIGITS, "two_decimal": 2, "three_decimal": 3}[
            kind
        ]
        if digits is None
        else digits
    )
    return f"{round_half_up(float(value), places):,}"


def excel_format(kind: str, digits: int | None = None) -> str | None:
    """The Excel number format that shows a figure as ``format_figure`` prints it.

    Parameters
    ----------
    kind
        One of ``KINDS``.
    digits
        Overrides the kind's precision.

    Returns
    -------
    str or None
        An Excel number format code, or ``None`` where the value is shown as stored (points, text).

    Examples
    --------
    >>> excel_format("rate"), excel_format("rate", 0), excel_format("change"), excel_format("yen")
    ('0.0%', '0%', '+0.0;-0.0;±0.0', '#,##0')
    >>> excel_format("points") is None
    True
    """
    default = {
        "rate": RATE_DIGITS,
        "change": CHANGE_DIGITS,
        "one_decimal": ONE_DECIMAL_DIGITS,
        "two_decimal": 2,
        "three_decimal": 3,
    }.get(kind, 0)
    places = default if digits is None else digits
    decimals = "." + "0" * places if places else ""
    if kind == "rate":
        return f"0{decimals}%"
    if kind == "change":
        return f"+0{decimals};-0{decimals};±0{decimals}"
    if kind in ("thousand_yen", "yen", "count", "one_decimal", "two_decimal", "three_decimal", "whole"):
        return f"#,##0{decimals}"
    return None


def score_table(
    rates: pd.DataFrame,
    *,
    entity: str | Selection,
    years: list[int | str] | None = None,
    grant: str | None = None,
    rate_rows: str = "top",
) -> pd.DataFrame:
    """The prefecture report's score table: per year 「得点 ／ 配点」, 全国平均 and both rates in parentheses.

    Entity rates print with 0 digits, national rates with 1, as the printed prefecture reports do.

    Parameters
    ----------
    rates
        The output of ``score_rates`` (a tidy table is passed through it first), with the entity and 全国平均.
    entity
        Name or code of the entity.
    years, grant
        The years shown (default: all in the table) and the grant (needed when there are two).
    rate_rows
        ``"top"`` prints rates only on top-level rows (Ⅰ, Ⅱ計, Ⅲ, 合計); ``"all"`` on every row.

    Returns
    -------
    pandas.DataFrame
        Text, indexed by the printed code, one row per indicator of any year in the official order: ``label``,
        then per year 得点, 全国平均, 得点率, 全国平均得点率.

    Raises
    ------
    UnknownSelectionError
        When the entity, a year or the grant is not in the table.
    GrantkitError
        For a ``rate_rows`` other than "top" or "all".

    Examples
    --------
    >>> from grantkit import example_scores, score_rates
    >>> t = score_table(score_rates(example_scores()), entity="山口県")
    >>> t.loc["合計"].tolist()
    ['合計', '470 ／ 730', '638', '（64%）', '（87.4%）', '611 ／ 741', '584.3', '（82%）', '（78.9%）']
    """
    from ..compare import merged_order, resolve_selection

    if rate_rows not in ("top", "all"):
        raise GrantkitError(f"rate_rows は 'top' または 'all' です（指定: {rate_rows!r}）")
    if "row_kind" not in rates.columns:
        rates = score_rates(rates)
    sel = resolve_selection(rates, entity=entity, grant=grant, years=years)
    part = rates[rates["level"].eq(sel.level) & rates["grant"].eq(sel.grant) & rates["fiscal_year"].isin(sel.years)]
    part = part.assign(code=display_code(part["indicator"], part["row_kind"]))
    own_rows = part[part["entity"] == sel.entity]
    order: list[str] = []
    for year in sel.years:
        order = merged_order(order, own_rows.loc[own_rows["fiscal_year"] == year, "code"].tolist())
    info = own_rows.drop_duplicates("code", keep="last").set_index("code")
    shown = {c: rate_rows == "all" or info.at[c, "parent"] == "" for c in order}
    table = pd.DataFrame(index=pd.Index(order, name="code"))
    table["label"] = [
        f"{c} {info.at[c, 'indicator_name']}".strip() if info.at[c, "row_kind"] == "leaf" else c for c in order
    ]

    def cells(rows: pd.DataFrame, fmt: Callable[[pd.Series], str], rate: bool = False) -> list[str]:
        return [fmt(rows.loc[c]) if c in rows.index and (shown[c] or not rate) else "" for c in order]

    for year in sel.years:
        label = era_label(year)
        own = own_rows[own_rows["fiscal_year"] == year].set_index("code")
        nat = part[(part["fiscal_year"] == year) & (part["entity"] == sel.national)].set_index("code")
        table[f"{label} 得点"] = cells(own, lambda r: f"{format_points(r['score'])} ／ {format_points(r['max_score'])}")
        table[f"{label} 全国平均"] = cells(nat, lambda r: format_points(r["score"]))
        table[f"{label} 得点率"] = cells(own, lambda r: f"（{format_rate(r['score_rate'])}）", rate=True)
        table[f"{label} 全国平均得点率"] = cells(nat, lambda r: f"（{format_rate(r['score_rate'], 1)}）", rate=True)
    return table


def score_numbers(
    rates: pd.DataFrame, *, entity: str | Selection, years: list[int | str] | None = None, grant: str | None = None
) -> pd.DataFrame:
    """The figures of ``score_table`` as numbers, for Excel: per year and indicator (leaves, subtotals, total)
    the entity's and the national average's score, 配点 and rate.

    Parameters
    ----------
    rates, entity, years, grant
        As for :func:`score_table`.

    Returns
    -------
    pandas.DataFrame
        One row per year and printed code: fiscal_year, code, indicator_name, row_kind, score, max_score,
        score_rate, national_score, national_rate (rates in [0, 1]).

    Examples
    --------
    >>> from grantkit import example_scores, score_rates
    >>> n = score_numbers(score_rates(example_scores()), entity="山口県")
    >>> n[n.code == "合計"][["fiscal_year", "score", "national_score", "score_rate"]].round(4).values.tolist()
    [[2018.0, 470.0, 638.0, 0.6438], [2019.0, 611.0, 584.3, 0.8246]]
    """
    from ..compare import resolve_selection

    if "row_kind" not in rates.columns:
        rates = score_rates(rates)
    sel = resolve_selection(rates, entity=entity, grant=grant, years=years)
    part = rates[rates["level"].eq(sel.level) & rates["grant"].eq(sel.grant) & rates["fiscal_year"].isin(sel.years)]
    part = part.assign(code=display_code(part["indicator"], part["row_kind"]))
    keys = ["fiscal_year", "code"]
    own = part.loc[
        part["entity"] == sel.entity, [*keys, "indicator_name", "row_kind", "score", "max_score", "score_rate"]
    ]
    nat = part.loc[part["entity"] == sel.national, [*keys, "score", "score_rate"]]
    nat = nat.rename(columns={"score": "national_score", "score_rate": "national_rate"})
    return own.merge(nat, on=keys, how="left").reset_index(drop=True)


_COUNTS = frozenset({"population", "first_insured", "n", "n_entities", "rank", "prev_rank"})
_ONE_DECIMAL = frozenset({"yen_per_first_insured", "mean_score"})
_WHOLE = frozenset({"percentile"})
_POINTS = frozenset({"score", "max_score", "whatif_points"})
_PRESENCE = frozenset({"max_changed", "scale_changed"})  # printed あり/なし (the others はい/いいえ)


def column_kind(column: str, values: pd.Series | None = None) -> str | None:
    """The kind of figure (``KINDS``) a column of the kit's tables holds, from its name (None: text or as stored).

    >>> column_kind("allocation_thousand_yen"), column_kind("national_rate"), column_kind("diff_rate_pt")
    ('thousand_yen', 'rate', 'change')
    """
    if column.endswith("_thousand_yen"):
        return "thousand_yen"
    if column.endswith("_yen"):
        return "yen"
    if column in _COUNTS:
        return "count"
    if column in _ONE_DECIMAL:
        return "one_decimal"
    if column in _WHOLE:
        return "whole"
    if column.startswith("implied_average"):
        return "three_decimal"
    if column in _POINTS:
        return "points"
    if column.endswith("_pt"):
        return "change"
    if column == "rate" or column.endswith(("_rate", "_share")) or column.startswith(("rate_", "national_rate_")):
        return "rate"
    if column in _PRESENCE:
        return "presence"
    if values is not None and pd.api.types.is_bool_dtype(values):
        return "flag"
    return None


def rate_digits(column: str, entity_digits: int = RATE_DIGITS) -> int:
    """Digits of a rate column: averages and shares ``RATE_DIGITS``, the entity's own rates ``entity_digits``.

    >>> rate_digits("rate_base", ENTITY_RATE_DIGITS), rate_digits("national_rate_base", ENTITY_RATE_DIGITS)
    (0, 1)
    """
    averaged = any(word in column for word in ("national", "mean", "median", "share", "applicable"))
    return RATE_DIGITS if averaged else entity_digits


def readable(df: pd.DataFrame, *, drop: tuple[str, ...] = ("level", "grant", "entity_code")) -> pd.DataFrame:
    """A copy for reading: Japanese headers, 千円 and 円 and counts with separators, rates and shares in %,
    points as printed (64.375), 年度 as 和暦.

    Numbers become text, so use it only for display (Excel export keeps the numbers).

    Parameters
    ----------
    df
        Any table of the kit (English snake_case columns).
    drop
        Columns left out when present (by default the ones a report's title already says).

    Returns
    -------
    pandas.DataFrame
        A copy with the same rows; each known figure formatted by ``format_figure``, headers from ``LABELS``.

    Examples
    --------
    >>> readable(pd.DataFrame({"fiscal_year": [2019], "allocation_thousand_yen": [22248], "planned_share": [0.498]}))
      交付年度 評価指標による交付金配分額（千円） 配分額に対する所用見込額の割合
    0   R1            22,248           49.8%
    """
    from ..eras import era_label
    from ..labels import with_labels

    out = df.drop(columns=[c for c in drop if c in df.columns])
    for c in out.columns:
        col = out[c]
        kind = column_kind(c, col)
        if c == "fiscal_year":
            out[c] = col.map(era_label)
        elif kind in ("flag", "presence"):
            out[c] = col.map(lambda v, k=kind: format_figure(v, k))
        elif kind is not None and pd.api.types.is_numeric_dtype(col):
            # columns in 千円 hold thousands already: printed with separators, no unit (it is in the header)
            shown = "count" if kind in ("thousand_yen", "yen") else kind
            out[c] = col.map(lambda v, k=shown: "" if pd.isna(v) else format_figure(v, k, unit=False))
    return with_labels(out)
