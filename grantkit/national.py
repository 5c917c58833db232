"""National views from a national workbook: every municipality's grant, and means by prefecture and by peers.

Works on ``load_mhlw(...)``: the tidy ``scores`` and the per-entity ``attributes`` (entity_code, prefecture,
first_insured, size_class, depopulated, score_推進 / score_支援 = published grant totals). The formulas are
those of ``grantkit.allocation`` and ranks those of ``grantkit.compare.rank_among`` (one entity's rank
nationally, in its prefecture or among peers: ``rank_among(scores, entity=..., fiscal_year=...,
attributes=attributes, within="prefecture")``); nothing here re-implements them. Means and shares use the
row set of the table: entities with a score (広域連合 rows without score are not in it).

Levels: a workbook read whole holds both 市町村 and 都道府県 rows. Every view takes ``level``; left out, a
table of one level uses that level, and a table of both uses 市町村 where the view is about municipalities
(``national_allocation``, ``prefecture_means``, ``peer_means``) and is an error elsewhere (``group_means``,
``national_rates``), since mixing the two would be wrong. ``grant_totals`` and ``grant_scores`` keep every
level (one row per entity, ``level`` as a column) unless ``level`` is given. Tables without a ``level``
column are taken as they are. The views work on one 交付年度: tables mixing years, or 得点 and 属性 of
different years, are refused with a message (``MunicipalData.scores_of`` / ``attributes_of`` give one year).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from .allocation import check_budgets, grant_amount, municipal_allocation, prefecture_allocation
from .compare import equal_mask, rows_where
from .domain import LEVELS, MUNICIPALITY, NATIONAL, PREFECTURE
from .eras import era_label_long
from .errors import GrantkitError, UnknownSelectionError
from .rates import alternatives_once, factorize_runs, rate
from .schema import first_rows
from .tables import NATIONAL_ALLOCATION, check_table
from .text import normalize_text

PEERS = ("size_class", "depopulated")
MUNICIPAL = MUNICIPALITY
DEPOPULATED_ORDER = ("非過疎", "みなし過疎", "一部過疎", "全部過疎")


def _levels(frame: pd.DataFrame) -> list[str]:
    """The levels in ``frame`` (都道府県 before 市町村, other values after); [] without a level column."""
    if "level" not in frame.columns:
        return []
    present = {str(v) for v in frame["level"].dropna().unique()}
    return sorted(present, key=lambda v: (LEVELS.index(v) if v in LEVELS else len(LEVELS), v))


def _resolve_level(level: str | None, *frames: pd.DataFrame, what: str, prefer: str | None = None) -> str | None:
    """The level a view works on: ``level`` checked against the tables; left out, the only level of the first
    table with a level column, or ``prefer`` when it holds several (an error when there is no ``prefer``).
    None when no table has a level column (nothing to filter)."""
    if level is not None and level not in LEVELS:
        raise UnknownSelectionError(f"{what}: 区分「{level}」は使えません（{' または '.join(LEVELS)}）")
    tables = [_levels(f) for f in frames if "level" in f.columns]
    if not tables:
        return level
    if level is None:
        present = tables[0]
        if len(present) == 1:
            level = present[0]
        elif prefer is not None and prefer in present:
            level = prefer
        else:
            choices = " または ".join(f'level="{v}"' for v in present)
            raise UnknownSelectionError(
                f"{what}: 表に{'と'.join(present)}の行が混ざっています。混ぜて計算すると"
                f"意味のない数字になるため、{choices} を指定してください"
            )
    for present in tables:  # every table must hold it (得点 and 属性 of the same level)
        if level not in present:
            raise UnknownSelectionError(
                f"{what}: 表に{level}の行がありません（ある区分: {'、'.join(present) or 'なし'}）"
            )
    return level


def _one_year(*frames: pd.DataFrame, what: str) -> None:
    """Refuse tables that mix 交付年度, or 得点 and 属性 of different years (a silently wrong figure otherwise:
    entities would be counted once per year, or weighted by another year's 第1号被保険者数)."""
    seen = []
    for frame in frames:
        if "fiscal_year" not in frame.columns:
            continue
        years = sorted(int(y) for y in frame["fiscal_year"].dropna().unique())
        if len(years) > 1:
            raise UnknownSelectionError(
                f"{what}: 表に複数の年度（{'、'.join(era_label_long(y) for y in years)}）の行が"
                'あります。1年度分に絞って渡してください（例: data.scores_of("R7")）'
            )
        seen += years
    if len(set(seen)) > 1:
        raise UnknownSelectionError(
            f"{what}: 得点は{era_label_long(seen[0])}、属性は{era_label_long(seen[1])}の表です。"
            "同じ年度の得点と属性を渡してください"
        )


def _only(frame: pd.DataFrame, level: str | None) -> pd.DataFrame:
    """The rows of ``level`` (all rows when ``level`` is None or the table has no level column)."""
    if level is None or "level" not in frame.columns:
        return frame
    return frame[frame["level"] == level]


_BOUND = re.compile(r"(\d+(?:\.\d+)?)\s*(億|万|千)?\s*人?\s*(以上|未満|以下|を超え|超え|超)")
_UNIT = {None: 1, "": 1, "千": 1_000, "万": 10_000, "億": 100_000_000}


def size_class_bounds(label: object) -> tuple[float, float] | None:
    """The population range (lower, upper) a 規模区分 label states, None when it states none.

    「以上」「超」 give the lower bound, 「未満」「以下」 the upper; a missing bound is 0 or infinity.

    >>> size_class_bounds("人口1万人以上5万人未満"), size_class_bounds("人口10万人以上")
    ((10000.0, 50000.0), (100000.0, inf))
    >>> size_class_bounds("人口１万人未満"), size_class_bounds("政令指定都市")
    ((0.0, 10000.0), None)
    """
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return None
    lower, upper, found = 0.0, math.inf, False
    for number, unit, side in _BOUND.findall(normalize_text(label).replace(",", "")):
        value = float(number) * _UNIT[unit or None]
        if side in ("以上", "を超え", "超え", "超"):
            lower = value
        else:
            upper = value
        found = True
    return (lower, upper) if found else None


def _rank_of(values: pd.Series, key) -> pd.Series:
    """Integer rank of each value under ``key`` (missing values last), for sorting."""
    labels = list(values.dropna().unique())
    order = {v: i for i, v in enumerate(sorted(labels, key=key))}
    return values.map(order).fillna(len(order)).astype("int64")


def _size_key(label: object) -> tuple:
    bounds = size_class_bounds(label)
    return (0, *bounds, str(label)) if bounds is not None else (1, 0.0, 0.0, str(label))


def _depopulated_key(label: object) -> tuple:
    text = normalize_text(label)
    return (DEPOPULATED_ORDER.index(text), "") if text in DEPOPULATED_ORDER else (len(DEPOPULATED_ORDER), text)


def _peer_sort_key(column: pd.Series) -> pd.Series:
    """Sort key of a group column: 規模区分 by population, 過疎地域 in DEPOPULATED_ORDER, others as they are."""
    if column.name == "size_class":
        return _rank_of(column, _size_key)
    if column.name == "depopulated":
        return _rank_of(column, _depopulated_key)
    return column


def grant_totals(scores: pd.DataFrame, *, level: str | None = None) -> pd.DataFrame:
    """Total score, 配点 and rate per entity and grant (one row each), from the tidy leaves.

    Columns: fiscal_year, level, grant, entity_code, entity, score, max_score, score_rate. Every level of
    the table is kept (``level`` is a key, so 市町村 and 都道府県 never mix); ``level`` keeps one.

    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "grant": "推進", "entity_code": ["000001"] * 2,
    ...     "entity": "甲町", "indicator": ["1ア", "1イ"], "score": [3.0, 1.0], "max_score": [4.0, 4.0]})
    >>> grant_totals(t)[["score", "max_score", "score_rate"]].values.tolist()
    [[4.0, 8.0, 0.5]]
    """
    if level is not None:
        scores = _only(scores, _resolve_level(level, scores, what="grant_totals"))
    scores = alternatives_once(scores)  # an alternative (択一) counts once, as its higher branch
    keys = [k for k in ("fiscal_year", "level", "grant", "entity_code") if k in scores.columns]
    part = rows_where(scores, ~equal_mask(scores["entity"], NATIONAL))
    group, first = _groups(part, keys)
    part = rows_where(part, group >= 0)  # a row missing a key is in no group, as in groupby
    grouped = part.groupby(group[group >= 0], sort=False)
    out = grouped[["score", "max_score"]].sum(min_count=1)
    out.insert(0, "entity", grouped["entity"].first())
    out = pd.concat([part[keys].iloc[first].reset_index(drop=True), out.reset_index(drop=True)], axis=1)
    out["score_rate"] = rate(out["score"], out["max_score"])
    return out


def _groups(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The group number of every row by ``keys`` (numbered in order of first appearance, -1 where a key is
    missing) and the position of each group's first row: ``groupby(keys, sort=False)`` without hashing every
    row of the long runs of a tidy table."""
    group = np.zeros(len(frame), dtype="int64")
    for key in keys:
        codes, uniques = factorize_runs(frame[key])
        if group.max(initial=0) >= 2**62 // max(len(uniques), 1):  # renumber densely before the product overflows
            group = np.where(group < 0, -1, pd.factorize(group)[0])
        group = np.where((group < 0) | (codes < 0), -1, group * len(uniques) + codes)
    valid = group >= 0
    numbered = np.full(len(frame), -1, dtype="int64")
    numbered[valid] = factorize_runs(group[valid])[0]
    first = np.flatnonzero(valid)[first_rows(numbered[valid])]
    return numbered, first


def national_allocation(
    totals: pd.DataFrame,
    attributes: pd.DataFrame,
    budgets: Mapping[str, int],
    *,
    level: str | None = None,
    needs: pd.DataFrame | None = None,
    eligible: Mapping[str, pd.Series | Collection[str]] | None = None,
    adjustment: Mapping[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """基準額 of every entity of one level for each grant, and 円 per 第1号被保険者.

    市町村 uses the municipal formula (score × 第1号被保険者数, ``allocation.municipal_allocation``);
    都道府県 the prefecture formula (score alone, ``allocation.prefecture_allocation``).

    Parameters
    ----------
    totals
        One row per entity and grant: entity_code, entity, grant, score (``grant_totals`` of the tidy table,
        or ``grant_scores(attributes)``).
    attributes
        One row per entity with entity_code and first_insured (第1号被保険者数).
    budgets
        Grant → budget of that level (市町村分 or 都道府県分) in yen.
    level
        市町村 or 都道府県; default 市町村 when the tables hold both levels.
    needs
        entity_code, grant, needs_thousand_yen (所要見込額): adds ``confirmed_thousand_yen`` =
        min(基準額（案）, 所要見込額).
    eligible, adjustment
        Per grant, as in ``allocation.municipal_allocation`` (who qualifies for 支援; municipal only).

    Returns
    -------
    pandas.DataFrame
        One row per entity and grant; each grant's basis_yen sums to at most its budget (truncation);
        ``attrs["level"]`` is the level used.

    Examples
    --------
    >>> at = pd.DataFrame({"entity_code": ["000001", "000002"], "first_insured": [2000, 1000]})
    >>> tot = pd.DataFrame({"entity_code": ["000001", "000002"], "entity": ["甲町", "乙村"], "grant": "推進",
    ...     "score": [50.0, 100.0]})
    >>> national_allocation(tot, at, {"推進": 3_000_000})[["entity", "basis_yen", "yen_per_first_insured"]].values.tolist()
    [['甲町', 1500000, 750.0], ['乙村', 1500000, 1500.0]]
    """
    lv = _resolve_level(level, totals, attributes, what="national_allocation", prefer=MUNICIPAL)
    _one_year(totals, attributes, what="national_allocation")
    totals, attributes = _only(totals, lv), _only(attributes, lv)
    prefectural = lv == PREFECTURE
    if prefectural and (eligible is not None or adjustment is not None):
        raise GrantkitError(
            "national_allocation: 交付対象（eligible）と調整係数（adjustment）は市町村分の配分のものです。"
            "都道府県分の基準額は得点だけで配分します"
        )
    check_budgets(budgets, totals, what="national_allocation")
    first = attributes.set_index("entity_code")["first_insured"]
    parts = []
    for grant, budget in budgets.items():
        mine = totals[totals["grant"] == grant][["entity_code", "entity", "score"]]
        if prefectural:
            alloc = prefecture_allocation(mine, budget)
            alloc["first_insured"] = alloc["entity_code"].map(first).to_numpy(dtype="float64")
        else:
            alloc = municipal_allocation(
                mine,
                first,
                budget,
                eligible=None if eligible is None else eligible.get(grant),
                adjustment=None if adjustment is None else adjustment.get(grant),
            )
        alloc.insert(0, "grant", grant)
        alloc["yen_per_first_insured"] = alloc["basis_yen"] / alloc["first_insured"]
        parts.append(alloc)
    out = pd.concat(parts, ignore_index=True)
    out.attrs.update(budgets={g: int(b) for g, b in budgets.items()}, level=lv)
    if needs is not None:
        out = out.merge(needs[["entity_code", "grant", "needs_thousand_yen"]], on=["entity_code", "grant"], how="left")
        out["confirmed_thousand_yen"] = grant_amount(out["basis_thousand_yen"], out["needs_thousand_yen"])
    return check_table(out, NATIONAL_ALLOCATION)


def grant_scores(attributes: pd.DataFrame, *, level: str | None = None) -> pd.DataFrame:
    """The published grant totals of ``attributes`` (score_推進, score_支援) as one row per entity and grant.

    Columns: fiscal_year and level when ``attributes`` has them, entity_code, entity, grant, score. Every
    level is kept unless ``level`` is given.

    >>> at = pd.DataFrame({"entity_code": ["000001"], "entity": ["甲町"], "score_推進": [300.0], "score_支援": [280.0]})
    >>> grant_scores(at)[["grant", "score"]].values.tolist()
    [['推進', 300.0], ['支援', 280.0]]
    """
    if level is not None:
        attributes = _only(attributes, _resolve_level(level, attributes, what="grant_scores"))
    keys = [c for c in ("fiscal_year", "level", "entity_code", "entity") if c in attributes.columns]
    grants = [c.removeprefix("score_") for c in attributes.columns if c.startswith("score_")]
    return pd.concat(
        [attributes[keys].assign(grant=g, score=attributes[f"score_{g}"]) for g in grants], ignore_index=True
    )


def _group_means(
    totals: pd.DataFrame, attributes: pd.DataFrame, by: Sequence[str], level: str | None, what: str, prefer: str | None
) -> pd.DataFrame:
    lv = _resolve_level(level, totals, attributes, what=what, prefer=prefer)
    _one_year(totals, attributes, what=what)
    totals, attributes = _only(totals, lv), _only(attributes, lv)
    joined = totals.merge(attributes[["entity_code", *by]], on="entity_code", how="left")
    g = joined.groupby(["grant", *by], sort=True, observed=True, dropna=False)
    out = g.agg(
        n=("score", "count"),
        mean_score=("score", "mean"),
        mean_rate=("score_rate", "mean"),
        median_rate=("score_rate", "median"),
    ).reset_index()
    out = out.sort_values(["grant", *by], key=_peer_sort_key, kind="stable").reset_index(drop=True)
    out.attrs.update(level=lv)
    return out


def group_means(
    totals: pd.DataFrame, attributes: pd.DataFrame, by: str | Sequence[str], *, level: str | None = None
) -> pd.DataFrame:
    """Mean total score and rate of the entities per group of ``attributes`` columns, per grant.

    Columns: grant, the ``by`` columns, n, mean_score, mean_rate, median_rate. ``totals`` is
    ``grant_totals(scores)``. ``level``: the level whose entities are averaged; needed when the tables
    hold both 市町村 and 都道府県 rows. Rows are in grant order, then 規模区分 by population and 過疎地域
    from 非過疎 to 全部過疎 (other columns as text); ``attrs["level"]`` is the level used.

    >>> tot = pd.DataFrame({"level": "市町村", "grant": "推進", "entity_code": ["1", "2", "3"], "score": [1.0, 2.0, 6.0],
    ...     "score_rate": [0.1, 0.2, 0.6]})
    >>> at = pd.DataFrame({"entity_code": ["1", "2", "3"], "prefecture": ["A県", "A県", "B県"]})
    >>> group_means(tot, at, "prefecture")[["prefecture", "n", "mean_score"]].values.tolist()
    [['A県', 2, 1.5], ['B県', 1, 6.0]]
    """
    by = [by] if isinstance(by, str) else list(by)
    return _group_means(totals, attributes, by, level, "group_means", None)


def prefecture_means(totals: pd.DataFrame, attributes: pd.DataFrame, *, level: str | None = None) -> pd.DataFrame:
    """Mean rate of the municipalities of each prefecture, per grant (``group_means`` by prefecture).

    Columns: grant, prefecture_code, prefecture, n, mean_score, mean_rate, median_rate. ``level`` defaults
    to 市町村 when the tables hold both levels (the prefectures' own rows are not averaged into their means).
    """
    return _group_means(totals, attributes, ["prefecture_code", "prefecture"], level, "prefecture_means", MUNICIPAL)


def peer_means(
    totals: pd.DataFrame, attributes: pd.DataFrame, by: Sequence[str] = PEERS, *, level: str | None = None
) -> pd.DataFrame:
    """Mean rate per peer group (default 規模区分 × 過疎地域): fairer comparisons than the national mean.

    ``level`` defaults to 市町村 when the tables hold both levels. Groups come in population order of the
    規模区分 (bounds read from the label, e.g. 人口1万人未満 before 人口1万人以上5万人未満; labels without
    bounds after them) and in the order 非過疎, みなし過疎, 一部過疎, 全部過疎 (others after them); a
    column the year's file lacks (all missing) is left out of the groups.

    >>> tot = pd.DataFrame({"level": "市町村", "grant": "推進", "entity_code": ["1", "2", "3"], "score": [1.0, 2.0, 3.0],
    ...     "score_rate": [0.1, 0.2, 0.3]})
    >>> at = pd.DataFrame({"entity_code": ["1", "2", "3"], "depopulated": None,
    ...     "size_class": ["人口10万人以上", "人口1万人未満", "人口1万人以上5万人未満"]})
    >>> peer_means(tot, at)["size_class"].tolist()
    ['人口1万人未満', '人口1万人以上5万人未満', '人口10万人以上']
    """
    lv = _resolve_level(level, totals, attributes, what="peer_means", prefer=MUNICIPAL)
    mine = _only(attributes, lv)
    cols = [c for c in by if c in mine.columns and mine[c].notna().any()]
    return _group_means(totals, attributes, cols, lv, "peer_means", MUNICIPAL)


def national_rates(totals: pd.DataFrame, *, grant: str, level: str | None = None) -> pd.Series:
    """Total rate per entity for one grant, indexed by entity_code: input of the distribution chart.

    ``level`` is needed when ``totals`` holds both 市町村 and 都道府県 rows (one distribution per level).

    >>> tot = pd.DataFrame({"grant": "推進", "entity_code": ["000001"], "score_rate": [0.5]})
    >>> national_rates(tot, grant="推進").to_dict()
    {'000001': 0.5}
    """
    part = _only(totals, _resolve_level(level, totals, what="national_rates"))
    _one_year(part, what="national_rates")
    part = part[part["grant"] == grant]
    return pd.Series(part["score_rate"].to_numpy(), index=part["entity_code"].astype(str), name="score_rate")
