"""Trends over every 交付年度 given: per grant and 目標, a municipality's rate, rank and the mean rates.

Works on the tidy score rows of national workbooks of several years (``load_municipal_data(...).scores``) and
their ``attributes`` (with ``fiscal_year``). Sums come from ``municipal.goal_totals`` (score, 配点 and rate per
municipality, grant and 目標, plus the grant's 合計); means and ranks use every municipality of the year's
table (the workbook's row set). Where the scoring system changed between two consecutive years of the table
(the 配点 of a grant total differs, as from R5 to R6), the later year is marked: rates can be followed across
the break, points cannot.
"""

from __future__ import annotations

import pandas as pd

from .compare import equal_mask, resolve_selection
from .domain import GRANTS, MUNICIPALITY, NATIONAL, TOTAL
from .eras import era_label
from .municipal import goal_totals, reuse
from .rates import score_rates
from .tables import TREND_TABLE, check_table

BREAK_NOTE = "評価指標の体系が変わった年度（配点が前年度と異なる）。得点率だけを前年度と比べ、得点は比べない"
MUNICIPAL = MUNICIPALITY


def municipal_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The 市町村 rows of a table that has a ``level`` column (a workbook read whole also holds the prefectures'
    own rows, which are not municipalities); the table itself otherwise.

    >>> municipal_rows(pd.DataFrame({"level": ["市町村", "都道府県"], "entity": ["甲町", "A県"]}))["entity"].tolist()
    ['甲町']
    """
    if "level" not in table.columns:
        return table
    keep = (table["level"] == MUNICIPAL).to_numpy(dtype=bool)
    return table if keep.all() else table[keep]


def yearly_standing(scores: pd.DataFrame, attributes: pd.DataFrame, fiscal_year: int) -> pd.DataFrame:
    """Every municipality's score, 配点 and rate per grant × 目標 (and 合計) of one year, with its rank among
    all municipalities (1 = best, ties share the best rank), n, the national mean rate and the mean rate of
    its prefecture.

    Columns: fiscal_year, entity_code, entity, prefecture, grant, parent, score, max_score, rate, rank, n,
    national_mean_rate, prefecture_mean_rate.

    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "entity_code": ["1", "2", "3"],
    ...     "entity": ["甲町", "乙町", "丙村"], "grant": "推進", "parent": "目標Ⅰ", "score": [5.0, 8.0, 5.0],
    ...     "max_score": 10.0})
    >>> at = pd.DataFrame({"fiscal_year": 2025, "entity_code": ["1", "2", "3"], "prefecture": ["A県", "A県", "B県"]})
    >>> s = yearly_standing(t, at, 2025)
    >>> s[s["parent"] == "合計"][["entity", "rank", "n", "prefecture_mean_rate"]].values.tolist()
    [['甲町', 2, 3, 0.65], ['乙町', 1, 3, 0.65], ['丙村', 2, 3, 0.5]]
    """
    return reuse(
        "yearly_standing", (scores, attributes), fiscal_year, lambda: _yearly_standing(scores, attributes, fiscal_year)
    )


def _yearly_standing(scores: pd.DataFrame, attributes: pd.DataFrame, fiscal_year: int) -> pd.DataFrame:
    totals = goal_totals(municipal_rows(scores), fiscal_year)
    at = municipal_rows(attributes)
    if "fiscal_year" in at.columns:
        at = at[at["fiscal_year"] == fiscal_year]
    prefecture = at.drop_duplicates("entity_code").set_index("entity_code")["prefecture"]
    out = totals.assign(fiscal_year=int(fiscal_year), prefecture=totals["entity_code"].map(prefecture))
    keys = ["grant", "parent"]
    by = out.groupby(keys, sort=False)
    out["rank"] = by["score"].rank(method="min", ascending=False).astype("Int64")
    out["n"] = by["score"].transform("count").astype("int64")
    out["national_mean_rate"] = by["rate"].transform("mean")
    out["prefecture_mean_rate"] = out.groupby([*keys, "prefecture"], sort=False, dropna=False)["rate"].transform("mean")
    cols = [
        "fiscal_year",
        "entity_code",
        "entity",
        "prefecture",
        "grant",
        "parent",
        "score",
        "max_score",
        "rate",
        "rank",
        "n",
        "national_mean_rate",
        "prefecture_mean_rate",
    ]
    return out[cols]


def scale_breaks(scores: pd.DataFrame) -> dict[int, bool]:
    """For each year of the table: True when the 配点 of a grant total differs from the previous year of the
    table (the scoring system changed, e.g. R5 → R6), False otherwise (and for the first year).

    >>> t = pd.DataFrame({"fiscal_year": [2023, 2024, 2025], "entity": "甲町", "grant": "推進",
    ...     "entity_code": "1", "parent": "目標Ⅰ", "score": 1.0, "max_score": [1355.0, 400.0, 400.0]})
    >>> scale_breaks(t)
    {2023: False, 2024: True, 2025: False}
    """
    keep = scores["entity"].ne(NATIONAL).to_numpy(dtype=bool, na_value=True)  # whole-column comparisons stay in C
    fiscal = scores["fiscal_year"].to_numpy()
    maxima: dict[int, dict[str, float]] = {}
    for year in sorted(pd.unique(fiscal[keep])):
        of_year = keep & (fiscal == year)
        codes = scores["entity_code"][of_year].dropna()  # the year's first municipality
        mine = scores[
            of_year
            & scores["entity_code"].eq(codes.iloc[0] if len(codes) else None).to_numpy(dtype=bool, na_value=False)
        ]
        maxima[int(year)] = mine.groupby("grant")["max_score"].sum().to_dict()
    years = sorted(maxima)
    return {y: i > 0 and maxima[y] != maxima[years[i - 1]] for i, y in enumerate(years)}


def trend_table(scores: pd.DataFrame, attributes: pd.DataFrame, *, entity_code: str) -> pd.DataFrame:
    """One municipality over every year of the table: per year, grant and 目標 (合計 included) its score, 配点,
    rate, rank out of n, the national mean rate and its prefecture's mean rate; ``scale_break`` marks the
    first year after a change of the scoring system (compare rates only), ``score_change`` (points from the
    previous year of the table) is left empty there.

    Parameters
    ----------
    scores
        A tidy municipal score table of every municipality, one or more years.
    attributes
        One row per municipality with entity_code and prefecture.
    entity_code
        The municipality's 保険者番号 (``MunicipalData.code(name)`` finds it from a name).

    Returns
    -------
    pandas.DataFrame
        One row per grant, 目標 (合計 first) and year: fiscal_year, era, grant, parent, score, max_score, rate
        (in [0, 1]), rank (1 ≤ rank ≤ n), n, national_mean_rate, prefecture_mean_rate, diff_pt (rate − national
        mean, points), scale_break, score_change, rate_change_pt (empty in the first year).

    Examples
    --------
    >>> t = pd.DataFrame({"fiscal_year": [2024, 2024, 2025, 2025], "level": "市町村", "grant": "推進",
    ...     "entity_code": ["000001", "000002"] * 2, "entity": ["甲町", "乙村"] * 2, "indicator": "1ア",
    ...     "indicator_name": "", "parent": "目標Ⅰ", "score": [5.0, 3.0, 8.0, 4.0], "max_score": 10.0})
    >>> at = pd.DataFrame({"entity_code": ["000001", "000002"], "prefecture": "北海道"})
    >>> tt = trend_table(t, at, entity_code="000001")  # 甲町 5 → 8 of 10, first of two both years
    >>> tt.loc[tt.parent == "合計", ["era", "rate", "rank", "n", "national_mean_rate"]].round(2).values.tolist()
    [['R6', 0.5, 1, 2, 0.4], ['R7', 0.8, 1, 2, 0.6]]
    """
    years = sorted(int(y) for y in scores["fiscal_year"].unique())
    breaks = scale_breaks(scores)
    parts = []
    for year in years:
        standing = yearly_standing(scores, attributes, year)
        parts.append(standing[standing["entity_code"] == entity_code])
    out = pd.concat(parts, ignore_index=True).drop(columns=["entity_code", "entity", "prefecture"])
    out.insert(1, "era", out["fiscal_year"].map(era_label))
    out["diff_pt"] = (out["rate"] - out["national_mean_rate"]) * 100
    out["scale_break"] = out["fiscal_year"].map(breaks).astype(bool)
    out = out.sort_values(["grant", "parent", "fiscal_year"], key=_order_key, kind="stable")
    previous = out.groupby(["grant", "parent"], sort=False)[["score", "rate", "fiscal_year"]].shift()
    follows = previous["fiscal_year"].notna()
    out["score_change"] = (out["score"] - previous["score"]).where(follows & ~out["scale_break"])
    out["rate_change_pt"] = ((out["rate"] - previous["rate"]) * 100).where(follows)
    out = out.reset_index(drop=True)
    out.attrs.update(
        entity_code=entity_code,
        years=years,
        breaks=[y for y, b in breaks.items() if b],
        percent=["national_mean_rate", "prefecture_mean_rate"],
    )
    return check_table(out, TREND_TABLE)


def _order_key(column: pd.Series) -> pd.Series:
    """Sort key: grants in official order, 合計 before the 目標, years ascending."""
    if column.name == "grant":
        return column.map({g: i for i, g in enumerate(GRANTS)}).fillna(len(GRANTS))
    if column.name == "parent":
        return column.map(lambda p: "" if p == TOTAL else str(p))
    return column


def prefecture_trend(scores: pd.DataFrame, *, entity: str, grant: str | None = None) -> pd.DataFrame:
    """A prefecture-report score table (one prefecture and 全国平均, any number of years) as a trend: per year, the
    entity's score, 配点 and rate for each top-level row (Ⅰ, Ⅱ, Ⅲ … and 合計 as ``parent``) against the 全国平均
    row's rate; rank and n when the table holds several entities of the level; ``scale_break`` where the 合計's
    配点 differs from the previous year of the table. Same columns as ``trend_table`` (prefecture_mean_rate
    empty), so ``trend_sentence`` and ``plot.trend_panels`` take it.
    """
    sel = resolve_selection(scores, entity=entity, grant=grant)
    part = scores[equal_mask(scores["grant"], sel.grant) & equal_mask(scores["level"], sel.level)]
    rates = score_rates(part)
    top = rates[(rates["row_kind"] != "leaf") | (rates["parent"].fillna("") == "")]
    top = top.assign(parent=top["indicator"].where(top["row_kind"] != "total", TOTAL))
    national = top[equal_mask(top["entity"], NATIONAL)].set_index(["fiscal_year", "parent"])["score_rate"]
    others = top[~equal_mask(top["entity"], NATIONAL)]
    by = others.groupby(["fiscal_year", "parent"], sort=False)["score"]
    others = others.assign(rank=by.rank(method="min", ascending=False), n=by.transform("count"))
    mine = others[others["entity_code"] == sel.entity_code]
    out = pd.DataFrame(
        {
            "fiscal_year": mine["fiscal_year"].astype("int64"),
            "grant": sel.grant,
            "parent": mine["parent"],
            "score": mine["score"],
            "max_score": mine["max_score"],
            "rate": mine["score_rate"],
        }
    )
    keys = pd.MultiIndex.from_frame(out[["fiscal_year", "parent"]])
    out["national_mean_rate"] = national.reindex(keys).to_numpy()
    out["prefecture_mean_rate"] = float("nan")
    several = others["entity_code"].nunique() > 1
    out["rank"] = mine["rank"].astype("Int64") if several else pd.array([pd.NA] * len(mine), dtype="Int64")
    out["n"] = mine["n"].astype("Int64") if several else pd.array([pd.NA] * len(mine), dtype="Int64")
    maxima = out[out["parent"] == TOTAL].set_index("fiscal_year")["max_score"].sort_index()
    breaks = {int(y): i > 0 and maxima.iloc[i] != maxima.iloc[i - 1] for i, y in enumerate(maxima.index)}
    out.insert(1, "era", out["fiscal_year"].map(era_label))
    out["diff_pt"] = (out["rate"] - out["national_mean_rate"]) * 100
    out["scale_break"] = out["fiscal_year"].map(breaks).fillna(False).astype(bool)
    out = out.sort_values(["parent", "fiscal_year"], key=_order_key, kind="stable")
    previous = out.groupby("parent", sort=False)[["score", "rate", "fiscal_year"]].shift()
    follows = previous["fiscal_year"].notna()
    out["score_change"] = (out["score"] - previous["score"]).where(follows & ~out["scale_break"])
    out["rate_change_pt"] = ((out["rate"] - previous["rate"]) * 100).where(follows)
    out = out.reset_index(drop=True)
    out.attrs.update(
        entity_code=sel.entity_code,
        years=sorted(breaks),
        breaks=[y for y, b in breaks.items() if b],
        percent=["national_mean_rate", "prefecture_mean_rate"],
    )
    return check_table(out, TREND_TABLE)
