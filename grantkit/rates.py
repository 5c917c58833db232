"""Score rates (得点率), subtotals per group, totals per grant and the combined total across grants.

``score_rates`` takes the tidy leaf table and returns it with computed rows added, in the official
order: each leaf as given, each group's subtotal right after its last leaf, the grant total last,
and — where both grants are scored for an entity and year — a combined total (grant ``"合計"``).
A subtotal or total over a missing leaf score (a cell read as 「－」 or blank) is missing too: an unknown
score is never counted as 0 (its 配点 would still count, and the rate and 基準額 would come out too low).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .domain import COMBINED_TOTAL, GRANTS, SUBTOTAL_SUFFIX, TOTAL
from .schema import OPTIONAL, REQUIRED
from .tables import SCORE_RATES, check_table

ROW_KINDS = ("leaf", "subtotal", "total", "combined")
_BLOCK = ["fiscal_year", "level", "entity_code", "entity"]


def rate(score: object, max_score: object) -> object:
    """score / max_score as a fraction; NaN where the maximum is 0 or missing (scalars or arrays).

    >>> rate(470, 730)
    0.6438356164383562
    >>> rate(5, 0)
    nan
    """
    s = np.asarray(score, dtype="float64")
    m = np.asarray(max_score, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where((m > 0) & np.isfinite(m), s / np.where(m > 0, m, 1.0), np.nan)
    if isinstance(score, pd.Series):
        return pd.Series(out, index=score.index, name="score_rate")
    return float(out) if out.ndim == 0 else out


def factorize_runs(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` (same codes, same uniques in order of appearance), fast on the long runs of one value
    of a tidy table (rows entity by entity, items in order): only the first row of each run is hashed.

    >>> codes, uniques = factorize_runs(pd.Series(["b", "b", "a", "a", "b"] * 3))
    >>> codes.tolist(), list(uniques)
    ([0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0], ['b', 'a'])
    """
    plain = isinstance(values.dtype, np.dtype) and values.dtype.kind in "iub"  # integers compare as they are
    v = (
        np.asarray(values)
        if plain
        else np.asarray(values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values, dtype=object)
    )
    try:
        heads = np.flatnonzero(np.r_[True, v[1:] != v[:-1]]) if len(v) > 1 else np.arange(len(v))
    except TypeError:  # a value without a plain truth value of != (e.g. pd.NA): hash every row
        heads = np.arange(len(v))
    if len(heads) * 4 > len(v):  # short runs: nothing to gain
        codes, uniques = pd.factorize(v)
        return codes, np.asarray(uniques, dtype=object)
    codes, uniques = pd.factorize(v[heads])
    return np.repeat(codes, np.diff(np.r_[heads, len(v)])), np.asarray(uniques, dtype=object)


def alternatives_once(scores: pd.DataFrame) -> pd.DataFrame:
    """The leaves ready to be summed with each alternative (択一: branches marked with the same ``alternative``)
    counted once, as its higher branch: that branch carries the highest score and 配点 of the branches, the other
    branches score 0 of 0. Rows are neither added nor dropped (cheap on a national table); a table without
    alternatives is returned as it is. Sum this, not the raw leaves, for any total; show the raw leaves.

    >>> t = pd.DataFrame({"fiscal_year": 2026, "level": "市町村", "grant": "推進", "entity_code": "000001",
    ...     "indicator": ["Ⅳ1ア", "Ⅳ1イ", "Ⅳ2"], "alternative": ["Ⅳ1", "Ⅳ1", ""],
    ...     "score": [5.0, 15.0, 20.0], "max_score": 20.0})
    >>> alternatives_once(t)[["indicator", "score", "max_score"]].values.tolist()
    [['Ⅳ1ア', 0.0, 0.0], ['Ⅳ1イ', 15.0, 20.0], ['Ⅳ2', 20.0, 20.0]]
    """
    if "alternative" not in scores.columns or scores.empty:
        return scores
    alt = scores["alternative"].to_numpy(dtype=object)
    pos = np.flatnonzero(alt != "")  # one C-level pass; missing values are weeded out among the few hits
    pos = pos[[isinstance(v, str) and v != "" for v in alt[pos]]]
    if not len(pos):
        return scores
    keys = [c for c in ("fiscal_year", "level", "grant", "entity_code", "alternative") if c in scores.columns]
    part = scores.iloc[pos]
    group = part.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    points = part["score"].to_numpy(dtype="float64", na_value=np.nan)
    maxima = part["max_score"].to_numpy(dtype="float64", na_value=np.nan)
    order = np.lexsort((np.where(np.isnan(points), np.inf, -points), group))  # per group: highest score first
    winner = order[np.r_[True, group[order][1:] != group[order][:-1]]]
    top = pd.Series(maxima).groupby(group).max().to_numpy()
    score = scores["score"].to_numpy(dtype="float64", na_value=np.nan, copy=True)
    max_score = scores["max_score"].to_numpy(dtype="float64", na_value=np.nan, copy=True)
    score[pos], max_score[pos] = 0.0, 0.0
    score[pos[winner]], max_score[pos[winner]] = points[winner], top[group[winner]]
    return scores.assign(score=score, max_score=max_score)


def score_rates(scores: pd.DataFrame) -> pd.DataFrame:
    """The tidy leaves plus subtotal, total and combined rows, each with ``score_rate`` and ``row_kind``.

    Subtotals and totals count an indicator with alternative branches once; the combined row (grant 「合計」)
    is added only where both grants are scored for an entity and year.

    Parameters
    ----------
    scores
        A tidy score table (as from :func:`load_scores`).

    Returns
    -------
    pandas.DataFrame
        Every input row (``row_kind`` "leaf"), each group's subtotal after its last leaf, then per entity and year
        each grant's total and the combined row; ``score_rate`` = score / max_score, in [0, 1] for valid scores
        (NaN where max_score is 0 or missing).

    Examples
    --------
    >>> from grantkit import example_scores
    >>> r = score_rates(example_scores())
    >>> tot = r[(r.entity == "山口県") & (r.row_kind == "total")]
    >>> tot[["score", "max_score"]].values.tolist()
    [[470.0, 730.0], [611.0, 741.0]]
    >>> r.loc[(r.entity == "山口県") & (r.fiscal_year == 2018) & (r.indicator == "Ⅱ"), "score_rate"].round(4).tolist()
    [0.6038]
    """
    leaves = scores.copy()
    leaves["row_kind"] = "leaf"
    block = _BLOCK + ["grant"]
    leaves["_b"] = pd.MultiIndex.from_frame(leaves[_BLOCK].astype(str)).factorize()[0]
    leaves["_k"] = leaves.groupby(block, sort=False).cumcount().astype("float64")
    counted = alternatives_once(leaves)  # subtotals and totals count an alternative once
    grouped = counted[counted["parent"] != ""]
    sub = _sums(grouped, block + ["parent"])
    if "parent_name" in grouped.columns:
        names = grouped.groupby(block + ["parent"], sort=False)["parent_name"].agg(_first_text).reset_index(drop=True)
        sub["indicator_name"] = names.where(names != "", sub["parent"])
    else:
        sub["indicator_name"] = sub["parent"]
    sub = sub.assign(indicator=sub["parent"], parent="", row_kind="subtotal", _k=sub["_k"] + 0.5)

    tot = _sums(counted, block)
    tot = tot.assign(indicator=TOTAL, indicator_name=TOTAL, parent="", row_kind="total", _k=np.inf)

    per_entity = tot.groupby(_BLOCK, sort=False)
    both = per_entity["grant"].transform("nunique") > 1
    comb = _sums(tot[both], _BLOCK)
    comb = comb.assign(grant=TOTAL, indicator=TOTAL, indicator_name=TOTAL, parent="", row_kind="combined", _k=np.inf)

    out = pd.concat([leaves, sub, tot, comb], ignore_index=True)
    for c in [c for c in OPTIONAL if c in scores.columns]:
        out[c] = out[c].fillna("")
    grant_order = {g: i for i, g in enumerate((*GRANTS, TOTAL))}
    out["_g"] = out["grant"].map(grant_order).fillna(len(grant_order))
    out = out.sort_values(["_b", "_g", "_k"], kind="stable").drop(columns=["_b", "_g", "_k"])
    out["score_rate"] = rate(out["score"], out["max_score"])
    out["fiscal_year"] = out["fiscal_year"].astype("int64")
    columns = [c for c in REQUIRED + OPTIONAL if c in scores.columns]
    columns += [c for c in scores.columns if c not in columns]
    return check_table(out[columns + ["score_rate", "row_kind"]].reset_index(drop=True), SCORE_RATES)


def leaves_of(table: pd.DataFrame) -> pd.DataFrame:
    """The tidy leaf rows of a table, whether it is a tidy score table or the output of ``score_rates``.

    >>> from grantkit import example_scores
    >>> len(leaves_of(score_rates(example_scores()))) == len(example_scores())
    True
    """
    if "row_kind" not in table.columns:
        return table
    return table[table["row_kind"] == "leaf"].drop(columns=["score_rate", "row_kind"])


def display_code(indicator: str | pd.Series, row_kind: str | pd.Series) -> str | pd.Series:
    """The code as reports print it: "Ⅱ計" for a subtotal, "推進・支援合計" for the combined total.

    >>> display_code("Ⅱ", "subtotal"), display_code("Ⅱ(1)", "leaf"), display_code("合計", "combined")
    ('Ⅱ計', 'Ⅱ(1)', '推進・支援合計')
    """
    if isinstance(indicator, pd.Series):
        kind = pd.Series(row_kind, index=indicator.index)
        return indicator.where(kind != "subtotal", indicator + SUBTOTAL_SUFFIX).where(
            kind != "combined", COMBINED_TOTAL
        )
    if row_kind == "subtotal":
        return f"{indicator}{SUBTOTAL_SUFFIX}"
    if row_kind == "combined":
        return COMBINED_TOTAL
    return indicator


def _sums(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Score and max sums per group (any missing cell → NaN), with the ordering keys.

    Sums are rounded to 10 decimals so that decimal inputs add up as printed
    (99.3 + 435.4 + 49.6 = 584.3, not 584.3000000000001).
    """
    g = frame.groupby(keys, sort=False, dropna=False)
    out = g[["score", "max_score"]].sum(skipna=False).round(10)
    out["_k"] = g["_k"].max()
    out["_b"] = g["_b"].first()
    return out.reset_index()


def _first_text(values: pd.Series) -> str:
    found = [v for v in values if isinstance(v, str) and v]
    return found[0] if found else ""
