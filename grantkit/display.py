"""Formatting numbers the way the reports print them; the numbers themselves are never changed.

Rates are rounded half up (四捨五入) at the printed precision; amounts in yen are shown in 千円
truncated (切り捨て), the rule the official prefecture amounts follow (seed 000: 22,248,844 円 is printed
22,248千円). Missing values print as 「－」.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from .eras import era_label
from .errors import GrantkitError
from .rates import display_code, score_rates

MISSING = "－"


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def round_half_up(x: float, digits: int = 0) -> Decimal:
    """Round as reports do (四捨五入), on ``x`` to 12 significant digits (float noise removed: 0.125 → 0.13).

    >>> str(round_half_up(68.75, 0)), str(round_half_up(78.4504, 1)), str(round_half_up(0.125, 2))
    ('69', '78.5', '0.13')
    """
    return Decimal(f"{float(x):.12g}").quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def format_rate(x: float | None, digits: int = 0) -> str:
    """A rate (fraction) as a printed percentage: 0.6438 → "64%", digits=1 → "64.4%".

    >>> format_rate(470 / 730), format_rate(169 / 180, digits=1), format_rate(float("nan"))
    ('64%', '93.9%', '－')
    """
    if _missing(x):
        return MISSING
    return f"{round_half_up(float(x) * 100, digits)}%"


def format_points(x: float | None) -> str:
    """A score as printed: whole numbers without decimals, others as given, thousands separated.

    >>> format_points(150.0), format_points(99.3), format_points(1355), format_points(None)
    ('150', '99.3', '1,355', '－')
    """
    if _missing(x):
        return MISSING
    x = float(x)
    return f"{int(x):,}" if x.is_integer() else f"{x:,.10g}"


def format_thousand_yen(yen: int | float | None) -> str:
    """An amount in yen shown in 千円, truncated toward zero: 22,248,844 → "22,248千円".

    >>> format_thousand_yen(22_248_844), format_thousand_yen(-1_500), format_thousand_yen(None)
    ('22,248千円', '-1千円', '－')
    """
    if _missing(yen):
        return MISSING
    thousands = abs(int(yen)) // 1000  # int() drops a float's fraction first: both steps truncate
    return f"{-thousands if yen < 0 else thousands:,}千円"


def format_points_change(pt: float | None, digits: int = 1) -> str:
    """A change in percentage points with its sign: 17.9 → "+17.9ポイント".

    >>> format_points_change(17.87), format_points_change(-3.0, 0), format_points_change(0.0)
    ('+17.9ポイント', '-3ポイント', '±0.0ポイント')
    """
    if _missing(pt):
        return MISSING
    r = round_half_up(pt, digits)
    sign = "+" if r > 0 else "±" if r == 0 else ""
    return f"{sign}{abs(r) if r == 0 else r}ポイント"


def score_table(rates: pd.DataFrame, *, entity: str, years: list[int | str] | None = None,
                grant: str | None = None, rate_rows: str = "top") -> pd.DataFrame:
    """The seed-000 score table: per year 「得点 ／ 配点」, 全国平均 and both rates in parentheses.

    ``rates`` is the output of ``score_rates`` (a tidy table is passed through it first). Entity rates print with 0 digits, national rates with 1,
    as the seed does. ``rate_rows="top"`` prints rates only on top-level rows (Ⅰ, Ⅱ計, Ⅲ, 合計) like the
    seed; ``"all"`` on every row.

    >>> from grantkit import example_scores, score_rates
    >>> t = score_table(score_rates(example_scores()), entity="山口県")
    >>> t.loc["合計"].tolist()
    ['合計', '470 ／ 730', '638', '（64%）', '（87.4%）', '611 ／ 741', '584.3', '（82%）', '（78.9%）']
    """
    from .compare import merged_order, resolve_selection

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
    table["label"] = [f"{c} {info.at[c, 'indicator_name']}".strip() if info.at[c, "row_kind"] == "leaf" else c
                      for c in order]

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


def score_numbers(rates: pd.DataFrame, *, entity: str, years: list[int | str] | None = None,
                  grant: str | None = None) -> pd.DataFrame:
    """The figures of ``score_table`` as numbers, for Excel: per year and indicator (leaves, subtotals, total)
    the entity's and the national average's score, 配点 and rate.

    >>> from grantkit import example_scores, score_rates
    >>> n = score_numbers(score_rates(example_scores()), entity="山口県")
    >>> n[n.code == "合計"][["fiscal_year", "score", "national_score", "score_rate"]].round(4).values.tolist()
    [[2018.0, 470.0, 638.0, 0.6438], [2019.0, 611.0, 584.3, 0.8246]]
    """
    from .compare import resolve_selection

    if "row_kind" not in rates.columns:
        rates = score_rates(rates)
    sel = resolve_selection(rates, entity=entity, grant=grant, years=years)
    part = rates[rates["level"].eq(sel.level) & rates["grant"].eq(sel.grant) & rates["fiscal_year"].isin(sel.years)]
    part = part.assign(code=display_code(part["indicator"], part["row_kind"]))
    keys = ["fiscal_year", "code"]
    own = part.loc[part["entity"] == sel.entity, [*keys, "indicator_name", "row_kind", "score", "max_score", "score_rate"]]
    nat = part.loc[part["entity"] == sel.national, [*keys, "score", "score_rate"]]
    nat = nat.rename(columns={"score": "national_score", "score_rate": "national_rate"})
    return own.merge(nat, on=keys, how="left").reset_index(drop=True)


_COUNTS = frozenset({"population", "first_insured", "n", "n_entities", "rank"})
_ONE_DECIMAL = frozenset({"yen_per_first_insured", "percentile", "mean_score"})
_POINTS = frozenset({"score", "max_score", "whatif_points"})


def readable(df: pd.DataFrame, *, drop: tuple[str, ...] = ("level", "grant", "entity_code")) -> pd.DataFrame:
    """A copy for reading: Japanese headers, 千円 and 円 and counts with separators, rates and shares in %,
    points as printed (64.375), 年度 as 和暦.

    Numbers become text, so use it only for display (Excel export keeps the numbers).

    >>> readable(pd.DataFrame({"fiscal_year": [2019], "allocation_thousand_yen": [22248], "planned_share": [0.498]}))
      交付年度 評価指標による交付金配分額（千円） 配分額に対する所用見込額の割合
    0   R1            22,248           49.8%
    """
    from .eras import era_label
    from .labels import with_labels

    out = df.drop(columns=[c for c in drop if c in df.columns])
    for c in out.columns:
        col = out[c]
        if c == "fiscal_year":
            out[c] = col.map(era_label)
        elif (c.endswith("_yen") or c in _COUNTS) and pd.api.types.is_numeric_dtype(col):
            out[c] = col.map(lambda v: "" if pd.isna(v) else f"{int(v):,}")
        elif c in _ONE_DECIMAL and pd.api.types.is_numeric_dtype(col):
            out[c] = col.map(lambda v: "" if pd.isna(v) else f"{v:,.1f}")
        elif c in _POINTS and pd.api.types.is_numeric_dtype(col):
            out[c] = col.map(lambda v: "" if pd.isna(v) else format_points(v))
        elif (c == "rate" or c.endswith(("_rate", "_share"))) and pd.api.types.is_numeric_dtype(col):
            out[c] = col.map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
        elif pd.api.types.is_bool_dtype(col):
            out[c] = col.map(lambda v: "" if pd.isna(v) else ("はい" if v else "いいえ"))
    return with_labels(out)
