"""The municipal yearly report's figures: both grants by 目標 and 指標群, peers, change, items to work on next.

Works on the tidy table of national workbooks (``load_mhlw(...).scores``, one or several years): leaves with
``parent`` = 目標 (e.g. "目標Ⅰ") and ``group`` = 指標群 (体制・取組 / 活動 / 成果), plus the per-entity
``attributes`` (entity_code, prefecture, size_class, depopulated, first_insured, ...; with a ``fiscal_year``
column when several years are combined). From R6 both grants have 目標Ⅰ–Ⅳ and 目標Ⅳ (the outcome group) is
the same items and score in both grants. Means, shares and ranks use the municipalities with a score
(広域連合 rows without score are not in the table); ties share the best rank, as in ``compare.rank_among``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from .allocation import check_budgets
from .compare import equal_mask, resolve_selection, rows_where
from .domain import GRANTS, NATIONAL, OUTCOME_GOAL, SHARED, TOTAL
from .eras import era_label_long
from .eras import fiscal_year as to_fiscal_year
from .errors import GrantkitError, UnknownSelectionError
from .national import national_allocation
from .rates import alternatives_once, rate
from .rates import factorize_runs as _factorize
from .schema import first_rows
from .tables import (
    GOAL_COMPARISON,
    GOAL_TABLE,
    MUNICIPAL_GRANT,
    OVERALL_STANDING,
    PEER_TABLE,
    YEAR_CHANGE,
    ZERO_ITEMS,
    check_table,
)


def year_block(scores: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of ``year``, as ``scores[scores["fiscal_year"] == year]`` but sliced, not copied, when they are
    one block (tables are read year by year).

    >>> year_block(pd.DataFrame({"fiscal_year": [2024, 2025, 2025], "score": [1.0, 2.0, 3.0]}), 2025).index.tolist()
    [1, 2]
    """
    return rows_where(scores, (scores["fiscal_year"] == year).to_numpy(dtype=bool))


def _year_rows(scores: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of ``year`` without 全国平均 rows."""
    scores = year_block(scores, year)
    keep = scores["entity"].ne(NATIONAL).to_numpy(dtype=bool, na_value=True)  # compared in C, not as objects
    return scores if keep.all() else scores[keep]


_REUSED: list[dict[tuple, tuple[object, Any]]] = []


@contextmanager
def reused_totals() -> Iterator[None]:
    """Inside the block, ``goal_totals`` and ``trend.yearly_standing`` of the same table objects and year, and the
    entity a name or code stands for in a table, are computed once (a report asks them of one table several
    times). The tables must not be changed in place inside the block; each result is handed out as a copy.

    >>> t = pd.DataFrame({"fiscal_year": 2025, "entity_code": ["1", "2"], "entity": ["甲町", "乙町"],
    ...     "grant": "推進", "parent": "目標Ⅰ", "score": [1.0, 2.0], "max_score": 5.0})
    >>> with reused_totals():
    ...     goal_totals(t, 2025).equals(goal_totals(t, 2025))
    True
    """
    _REUSED.append({})
    try:
        yield
    finally:
        _REUSED.pop()


def reuse(kind: str, tables: tuple[pd.DataFrame, ...], year: int, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``compute()``, or inside ``reused_totals`` the copy of its earlier result for the same ``kind``, table
    objects and year."""
    if not _REUSED:
        return compute()
    key = (kind, *(id(t) for t in tables), int(year))
    if key not in _REUSED[-1]:
        _REUSED[-1][key] = (tables, compute())  # the tables are held so that their ids are not reused
    return _REUSED[-1][key][1].copy(deep=False)


def _remembered(key: tuple, table: pd.DataFrame, compute: Callable[[], str]) -> str:
    """``compute()``, or inside ``reused_totals`` its earlier result for the same ``key`` and table object."""
    if not _REUSED:
        return compute()
    full = (key, id(table))
    if full not in _REUSED[-1]:
        _REUSED[-1][full] = (table, compute())
    return _REUSED[-1][full][1]


def _code(scores: pd.DataFrame, entity: str, year: int | None = None) -> str:
    """The entity_code of a name or code (ambiguous names raise, listing the candidates)."""

    def find() -> str:
        grant = next((g for g in GRANTS if _has(scores["grant"], g)), None)
        return resolve_selection(scores, entity=entity, grant=grant, years=None if year is None else [year]).entity_code

    return _remembered(("code", entity, year), scores, find)


def _floats(column: pd.Series) -> np.ndarray:
    """The column as float64 with NaN for missing (a float64 column as it is, without a copy)."""
    if column.dtype == np.float64:
        return column.to_numpy()
    return column.to_numpy(dtype="float64", na_value=np.nan)


def _has(column: pd.Series, value: str) -> bool:
    """Whether ``value`` is in ``column``, answered by the first row when it is there (no pass over the table)."""
    first = column.iloc[0] if len(column) else None
    return (isinstance(first, str) and first == value) or bool(equal_mask(column, value).any())


def _name(scores: pd.DataFrame, code: str) -> str:
    return _remembered(
        ("name", code), scores, lambda: str(scores.loc[equal_mask(scores["entity_code"], code), "entity"].iloc[0])
    )


def _attributes(attributes: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per entity_code: the attributes of ``year`` when the table holds several years."""
    if "fiscal_year" in attributes.columns:
        years = sorted(int(y) for y in attributes["fiscal_year"].dropna().unique())
        attributes = attributes[attributes["fiscal_year"] == year]
        if attributes.empty:
            raise UnknownSelectionError(
                f"属性の表に{era_label_long(year)}の行がありません（ある年度: "
                f"{'、'.join(era_label_long(y) for y in years) or 'なし'}）"
            )
    return attributes.drop_duplicates("entity_code").set_index("entity_code")


def goal_totals(scores: pd.DataFrame, fiscal_year: int | str) -> pd.DataFrame:
    """Score, 配点 and rate of every municipality per grant × 目標, plus one ``合計`` row per grant.

    Columns: entity_code, entity, grant, parent, score, max_score, rate (a sum is missing only when all its
    cells are). Summed with integer keys and ``np.bincount``.

    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "entity_code": ["000001"] * 3 + ["000002"],
    ...     "entity": ["甲町"] * 3 + ["乙村"], "grant": "推進", "parent": ["目標Ⅰ", "目標Ⅰ", "目標Ⅱ", "目標Ⅰ"],
    ...     "score": [1.0, 2.0, None, 4.0], "max_score": 5.0})
    >>> totals = goal_totals(t, 2025)
    >>> totals[["entity", "parent", "score", "max_score"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['甲町', '目標Ⅰ', 3.0, 10.0], ['甲町', '目標Ⅱ', nan, 5.0], ['乙村', '目標Ⅰ', 4.0, 5.0],
     ['甲町', '合計', 3.0, 15.0], ['乙村', '合計', 4.0, 5.0]]
    """
    year = to_fiscal_year(fiscal_year)
    return reuse("goal_totals", (scores,), year, lambda: _goal_totals(scores, year))


def _goal_totals(scores: pd.DataFrame, fiscal_year: int) -> pd.DataFrame:
    rows = alternatives_once(_year_rows(scores, fiscal_year))  # 択一 once, as the higher branch
    entity, codes = _factorize(rows["entity_code"])
    grant, grants = _factorize(rows["grant"])
    parent, parents = _factorize(rows["parent"])
    first = first_rows(entity)
    names = rows["entity"].to_numpy(dtype=object)[first]
    columns = {col: _floats(rows[col]) for col in ("score", "max_score")}
    fine = (entity * len(grants) + grant) * len(parents) + parent
    cells_fine, cells_coarse = len(codes) * len(grants) * len(parents), len(codes) * len(grants)
    counts = {None: np.bincount(fine, minlength=cells_fine)}  # rows, then known values of each column, per cell
    counts |= {col: np.bincount(fine, weights=~np.isnan(v), minlength=cells_fine) for col, v in columns.items()}
    filled = {col: np.where(np.isnan(v), 0.0, v) for col, v in columns.items()}
    coarse = {k: c.reshape(cells_coarse, len(parents)).sum(axis=1) for k, c in counts.items()}  # counts: exact
    parts = []
    for key, n_parent, labels, n in (
        (fine, len(parents), parents, counts),
        (entity * len(grants) + grant, 1, [TOTAL], coarse),
    ):
        size = len(codes) * len(grants) * n_parent
        present = n[None] > 0
        part = {}
        for col in columns:  # sums row by row in table order at both levels (not sums of sums)
            sums = np.bincount(key, weights=filled[col], minlength=size)
            part[col] = np.where(n[col] > 0, sums, np.nan)[present]
        cells = np.flatnonzero(present)
        e, rest = np.divmod(cells, len(grants) * n_parent)
        g, p = np.divmod(rest, n_parent)
        parts.append(
            pd.DataFrame(
                {
                    "entity_code": pd.array(np.asarray(codes)[e], dtype="str"),
                    "entity": pd.array(names[e], dtype="str"),
                    "grant": pd.array(np.asarray(grants)[g], dtype="str"),
                    "parent": pd.array(np.asarray(labels, dtype=object)[p], dtype="str"),
                    **part,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["rate"] = rate(out["score"], out["max_score"])
    return out


def goal_table(scores: pd.DataFrame, *, entity: str, fiscal_year: int | str) -> pd.DataFrame:
    """Score, 配点 and rate of one municipality per grant × 目標 × 指標群, with 目標 subtotals and totals.

    Parameters
    ----------
    scores
        A tidy municipal score table of every municipality (as from :func:`load_mhlw`), with parent (目標).
    entity
        Name or code (保険者番号) of the municipality.
    fiscal_year
        The year (2025, "R7" …).

    Returns
    -------
    pandas.DataFrame
        Columns parent (目標), group (指標群, "" for a 目標 subtotal, "合計" on the total row), then per grant
        ``score_推進``, ``max_推進``, ``rate_推進`` (and 支援), and ``shared`` (the row counts in both grants:
        目標Ⅳ). One row per 目標 × 指標群, each 目標's subtotal after its groups, the total last; rows follow
        the official order of the input; rates in [0, 1].

    Examples
    --------
    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "entity_code": "000001", "entity": "甲町",
    ...     "grant": ["推進", "推進", "支援"], "indicator": ["1ア", "2ア", "1ア"], "indicator_name": "",
    ...     "parent": ["目標Ⅰ", "目標Ⅳ", "目標Ⅳ"], "group": ["活動", "成果", "成果"],
    ...     "score": [5.0, 8.0, 8.0], "max_score": 10.0})
    >>> g = goal_table(t, entity="甲町", fiscal_year=2025)
    >>> g[["parent", "group", "score_推進", "score_支援", "shared"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['目標Ⅰ', '活動', 5.0, nan, False], ['目標Ⅰ', '', 5.0, nan, False], ['目標Ⅳ', '成果', 8.0, 8.0, True],
     ['目標Ⅳ', '', 8.0, 8.0, True], ['合計', '合計', 13.0, 8.0, False]]
    """
    year = to_fiscal_year(fiscal_year)
    code = _code(scores, entity, year)
    rows = scores[equal_mask(scores["entity_code"], code) & (scores["fiscal_year"] == year).to_numpy(dtype=bool)]
    rows = alternatives_once(rows)
    rows = rows.assign(group=rows["group"] if "group" in rows.columns else "")
    keys = ["parent", "group"]
    order = rows[keys].drop_duplicates().reset_index(drop=True)
    parts = []
    for parent, part in order.groupby("parent", sort=False):
        # before R6 a category has no 指標群 (group ""): its subtotal row is all there is
        parts += [part[part["group"] != ""], pd.DataFrame({"parent": [parent], "group": [""]})]
    parts.append(pd.DataFrame({"parent": [TOTAL], "group": [TOTAL]}))
    out = pd.concat(parts, ignore_index=True)
    for grant in GRANTS:
        g = rows[rows["grant"] == grant]
        sums = pd.concat(
            [
                g.groupby(keys, sort=False)[["score", "max_score"]].sum(min_count=1),
                g.assign(group="").groupby(keys, sort=False)[["score", "max_score"]].sum(min_count=1),
                g.assign(parent=TOTAL, group=TOTAL).groupby(keys)[["score", "max_score"]].sum(min_count=1),
            ]
        )
        sums = sums[~sums.index.duplicated()]  # (parent, "") twice when a category has no 指標群: same sums
        found = sums.reindex(pd.MultiIndex.from_frame(out[keys]))
        out[f"score_{grant}"] = found["score"].to_numpy(dtype="float64")
        out[f"max_{grant}"] = found["max_score"].to_numpy(dtype="float64")
        out[f"rate_{grant}"] = rate(out[f"score_{grant}"], out[f"max_{grant}"])
    out["shared"] = out["parent"] == OUTCOME_GOAL
    out.attrs.update(entity_code=code, fiscal_year=year)
    return check_table(out, GOAL_TABLE)


def peer_key(attributes: pd.DataFrame) -> tuple[pd.Series, str]:
    """The peer group of every entity (規模区分 × 過疎地域, whichever the year's file has) and its name.

    >>> at = pd.DataFrame({"entity_code": ["1", "2"], "size_class": None, "depopulated": ["全部過疎", "非過疎"]})
    >>> key, name = peer_key(at.set_index("entity_code"))
    >>> key.tolist(), name
    (['全部過疎', '非過疎'], '同じ過疎区分')
    """
    cols = [c for c in ("size_class", "depopulated") if c in attributes.columns and attributes[c].notna().any()]
    name = {
        ("size_class", "depopulated"): "同規模・同じ過疎区分",
        ("size_class",): "同規模",
        ("depopulated",): "同じ過疎区分",
    }.get(tuple(cols), "")
    if not cols:
        return pd.Series(pd.NA, index=attributes.index, dtype="str"), name
    key = attributes[cols[0]].astype("str")
    for c in cols[1:]:
        key = key + "・" + attributes[c].astype("str")
    return key.where(attributes[cols].notna().all(axis=1)), name


def _groups(attributes: pd.DataFrame, code: str) -> list[tuple[str, pd.Series]]:
    """(label, bool mask over attributes' index) for 全国, the entity's prefecture and its peers."""
    key, peer_name = peer_key(attributes)
    me = attributes.loc[code]
    out = [("全国", pd.Series(True, index=attributes.index))]
    if pd.notna(me.get("prefecture")):
        out.append((f"{me['prefecture']}内", attributes["prefecture"] == me["prefecture"]))
    if peer_name and pd.notna(key.loc[code]):
        out.append((f"{peer_name}（{key.loc[code]}）", key == key.loc[code]))
    return out


def goal_comparison(
    scores: pd.DataFrame, attributes: pd.DataFrame, *, entity: str, fiscal_year: int | str
) -> pd.DataFrame:
    """The municipality's rate per 目標 and grant total against the mean rate of all municipalities, of those
    in its prefecture and of its peers (規模区分・過疎). 目標Ⅳ, the same in both grants, appears once (grant
    "共通").

    Parameters
    ----------
    scores
        A tidy municipal score table of every municipality (as from :func:`load_mhlw`), with parent (目標).
    attributes
        One row per municipality: entity_code, prefecture, size_class (規模区分), depopulated (過疎).
    entity
        Name or code (保険者番号) of the municipality.
    fiscal_year
        The year (2025, "R7" …).

    Returns
    -------
    pandas.DataFrame
        One row per grant × 目標 and grant total: grant, parent, score, max_score, rate, then
        ``mean_rate_全国``, ``mean_rate_<都道府県>内``, … in the order of ``attrs["groups"]`` (label → number of
        municipalities); rates in [0, 1].

    Examples
    --------
    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "grant": "推進", "indicator": "1ア",
    ...     "entity_code": ["000001", "000002", "000003"], "entity": ["甲町", "乙町", "丙村"], "indicator_name": "",
    ...     "parent": "目標Ⅰ", "score": [8.0, 6.0, 4.0], "max_score": 10.0})
    >>> at = pd.DataFrame({"entity_code": ["000001", "000002", "000003"], "prefecture": ["北海道", "北海道", "青森県"],
    ...     "size_class": None, "depopulated": ["全部過疎", "非過疎", "全部過疎"]})
    >>> c = goal_comparison(t, at, entity="甲町", fiscal_year=2025)  # rates 0.8, 0.6, 0.4
    >>> c.attrs["groups"]
    {'全国': 3, '北海道内': 2, '同じ過疎区分（全部過疎）': 2}
    >>> c.loc[c.parent == "目標Ⅰ", ["rate", "mean_rate_全国", "mean_rate_北海道内"]].round(2).values.tolist()
    [[0.8, 0.6, 0.7]]
    """
    year = to_fiscal_year(fiscal_year)
    code = _code(scores, entity, year)
    totals = goal_totals(scores, year)
    attrs = _attributes(attributes, year)
    mine = totals[totals["entity_code"] == code].drop(columns=["entity_code", "entity"]).reset_index(drop=True)
    groups = _groups(attrs.loc[attrs.index.intersection(totals["entity_code"].unique())], code)
    for label, mask in groups:
        members = mask.index[mask.to_numpy(dtype=bool)]
        means = totals[totals["entity_code"].isin(members)].groupby(["grant", "parent"])["rate"].mean()
        mine[f"mean_rate_{label}"] = means.reindex(pd.MultiIndex.from_frame(mine[["grant", "parent"]])).to_numpy()
    mine = _in_goal_order(_outcome_once(mine), mine["parent"])
    mine.attrs.update(
        entity_code=code,
        entity=_name(scores, code),
        fiscal_year=year,
        groups={label: int(mask.sum()) for label, mask in groups},
    )
    return check_table(mine, GOAL_COMPARISON)


def _outcome_once(table: pd.DataFrame) -> pd.DataFrame:
    """目標Ⅳ rows once, as grant "共通" (they are the same in both grants from R6)."""
    outcome = table["parent"] == OUTCOME_GOAL
    if not outcome.any():
        return table
    first = outcome & (table["grant"] == GRANTS[0])
    out = table[~outcome | first].copy()
    out.loc[out["parent"] == OUTCOME_GOAL, "grant"] = SHARED
    return out


def _in_goal_order(table: pd.DataFrame, parents: object) -> pd.DataFrame:
    """Rows by 目標 in the order first seen in ``parents`` (合計 last), then 推進, 支援, 共通."""
    order = {p: i for i, p in enumerate(dict.fromkeys(parents)) if p != TOTAL} | {TOTAL: len(table) + 1}
    grants = {g: i for i, g in enumerate((*GRANTS, SHARED))}
    return table.sort_values(
        by=["parent", "grant"], key=lambda c: c.map(order if c.name == "parent" else grants), kind="stable"
    ).reset_index(drop=True)


def peer_table(scores: pd.DataFrame, attributes: pd.DataFrame, *, entity: str, fiscal_year: int | str) -> pd.DataFrame:
    """The municipality's total rate per grant against the national, prefecture and peer means, with its
    rank (1 = best; ties share the best rank) and percentile in each group: 100 × (n − rank) / (n − 1), the
    share of the other municipalities not scoring higher (100 = first, ties at the top included; 0 = last),
    as ``compare.rank_among``.

    Parameters
    ----------
    scores
        A tidy municipal score table of every municipality (as from :func:`load_mhlw`), with parent (目標).
    attributes
        One row per municipality: entity_code, prefecture, size_class (規模区分), depopulated (過疎).
    entity
        Name or code (保険者番号) of the municipality.
    fiscal_year
        The year (2025, "R7" …).

    Returns
    -------
    pandas.DataFrame
        One row per grant and comparison group: grant, comparison, n, entity_rate, mean_rate, diff_pt, rank
        (1 ≤ rank ≤ n), percentile (0–100).

    Examples
    --------
    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "grant": "推進", "indicator": "1ア",
    ...     "entity_code": ["000001", "000002", "000003"], "entity": ["甲町", "乙町", "丙村"], "indicator_name": "",
    ...     "parent": "目標Ⅰ", "score": [8.0, 6.0, 4.0], "max_score": 10.0})
    >>> at = pd.DataFrame({"entity_code": ["000001", "000002", "000003"], "prefecture": ["北海道", "北海道", "青森県"],
    ...     "size_class": None, "depopulated": ["全部過疎", "非過疎", "全部過疎"]})
    >>> p = peer_table(t, at, entity="乙町", fiscal_year=2025)  # 8, 6, 4 points: 乙町 is second of three
    >>> p[["comparison", "n", "rank", "percentile"]].values.tolist()
    [['全国', 3, 2, 50.0], ['北海道内', 2, 2, 0.0], ['同じ過疎区分（非過疎）', 1, 1, 100.0]]
    """
    year = to_fiscal_year(fiscal_year)
    code = _code(scores, entity, year)
    totals = goal_totals(scores, year)
    totals = totals[totals["parent"] == TOTAL]
    attrs = _attributes(attributes, year)
    groups = _groups(attrs.loc[attrs.index.intersection(totals["entity_code"].unique())], code)
    records = []
    for grant in [g for g in GRANTS if (totals["grant"] == g).any()]:
        per = totals[totals["grant"] == grant].set_index("entity_code")
        for label, mask in groups:
            members = per.loc[per.index.intersection(mask.index[mask.to_numpy(dtype=bool)])]
            n = len(members)
            rank = int((members["score"] > per.loc[code, "score"]).sum()) + 1
            records.append(
                {
                    "grant": grant,
                    "comparison": label,
                    "n": n,
                    "entity_rate": per.loc[code, "rate"],
                    "mean_rate": members["rate"].mean(),
                    "diff_pt": (per.loc[code, "rate"] - members["rate"].mean()) * 100,
                    "rank": rank,
                    "percentile": 100.0 * (n - rank) / (n - 1) if n > 1 else 100.0,
                }
            )
    out = pd.DataFrame.from_records(records)
    out.attrs.update(entity_code=code, fiscal_year=year)
    return check_table(out, PEER_TABLE)


def zero_items(scores: pd.DataFrame, *, entity: str, fiscal_year: int | str, min_share: float = 0.5) -> pd.DataFrame:
    """Items the municipality scored 0 on while at least ``min_share`` of municipalities scored: what to work
    on next, ordered by points available (配点) then by the share of municipalities that scored.

    The share is computed from every municipality in the table (not taken from a printed 該当率), so it
    uses the same row set as the ranks. 目標Ⅳ items appear once (grant "共通": they count in both grants).

    Parameters
    ----------
    scores
        A tidy municipal score table of every municipality (as from :func:`load_mhlw`), with parent (目標).
    entity
        Name or code (保険者番号) of the municipality.
    fiscal_year
        The year (2025, "R7" …).
    min_share
        The least share (0 to 1) of municipalities that scored on an item for it to be listed.

    Returns
    -------
    pandas.DataFrame
        One row per item: grant, parent, group, indicator, indicator_name, max_score (> 0), share_scored
        (≥ ``min_share``); largest 配点 first.

    Raises
    ------
    GrantkitError
        When ``min_share`` is not a number from 0 to 1.

    Examples
    --------
    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "grant": "推進",
    ...     "entity_code": ["000001", "000002", "000003"] * 2, "entity": ["甲町", "乙町", "丙村"] * 2,
    ...     "indicator": ["1ア"] * 3 + ["1イ"] * 3, "indicator_name": "", "parent": "目標Ⅰ",
    ...     "score": [0.0, 5.0, 5.0, 0.0, 0.0, 3.0], "max_score": [5.0] * 3 + [3.0] * 3})
    >>> zero_items(t, entity="甲町", fiscal_year=2025)[["indicator", "max_score", "share_scored"]].values.tolist()
    [['1ア', 5.0, 0.6666666666666666]]
    """
    check_share(min_share)
    year = to_fiscal_year(fiscal_year)
    rows = alternatives_once(_year_rows(scores, year))  # an alternative is one item: its higher branch
    code = _code(rows, entity, year)
    return check_table(_zero_items(rows, [code], min_share)[code], ZERO_ITEMS)


def zero_items_of(
    scores: pd.DataFrame, codes: list[str], *, fiscal_year: int | str, min_share: float = 0.5
) -> dict[str, pd.DataFrame]:
    """``zero_items`` of several municipalities given by ``entity_code`` (code → table), the shares computed
    once for all of them."""
    check_share(min_share)
    return _zero_items(alternatives_once(_year_rows(scores, to_fiscal_year(fiscal_year))), codes, min_share)


def _zero_items(rows: pd.DataFrame, codes: list[str], min_share: float) -> dict[str, pd.DataFrame]:
    keys = ["grant", "indicator"]
    share = rows.assign(scored=rows["score"] > 0).groupby(keys, sort=False)["scored"].mean().rename("share_scored")
    out = {}
    for code in codes:
        mine = rows[rows["entity_code"].eq(code).to_numpy(dtype=bool, na_value=False)]
        mine = mine.merge(share.reset_index(), on=keys, how="left")
        picked = mine[(mine["score"] == 0) & (mine["share_scored"] >= min_share) & (mine["max_score"] > 0)]
        outcome = picked["parent"] == OUTCOME_GOAL
        shared = picked[outcome].drop_duplicates("indicator").assign(grant=SHARED)
        picked = pd.concat([picked[~outcome], shared])
        cols = [
            c
            for c in ["grant", "parent", "group", "indicator", "indicator_name", "max_score", "share_scored"]
            if c in picked.columns
        ]
        out[code] = picked.sort_values(["max_score", "share_scored"], ascending=False, kind="stable")[cols].reset_index(
            drop=True
        )
    return out


def check_share(min_share: object) -> None:
    """A ``GrantkitError`` unless ``min_share`` is a number from 0 to 1."""
    try:
        share_ok = 0.0 <= float(min_share) <= 1.0
    except (TypeError, ValueError):
        share_ok = False
    if not share_ok:
        raise GrantkitError(
            f"zero_items: min_share={min_share!r} は使えません。得点した市町村の割合の下限を "
            "0 から 1 の数で指定してください（例: 0.5 = 半数以上）"
        )


def year_change(scores: pd.DataFrame, *, entity: str, base: int | str, target: int | str) -> pd.DataFrame:
    """Per grant × 目標 and grant total: the municipality's score, 配点 and rate in two years, the change in
    rate (points), and the national mean rate of both years. Rows present in one year only are kept.

    ``scale_changed`` marks rows whose 配点 differs (e.g. R5 → R6, when the indicators were rebuilt): their
    raw points are not comparable, only rates (``score_change`` is left empty there).

    Parameters
    ----------
    scores
        A tidy municipal score table of every municipality (as from :func:`load_mhlw`), with parent (目標).
    entity
        Name or code (保険者番号) of the municipality.
    base, target
        The two fiscal years.

    Returns
    -------
    pandas.DataFrame
        One row per grant × 目標 of either year and per grant total; ``rate_change_pt`` = (target − base rate)
        × 100.

    Examples
    --------
    >>> t = pd.DataFrame({"fiscal_year": [2024, 2024, 2025, 2025], "level": "市町村", "grant": "推進",
    ...     "entity_code": ["000001", "000002"] * 2, "entity": ["甲町", "乙村"] * 2, "indicator": "1ア",
    ...     "indicator_name": "", "parent": "目標Ⅰ", "score": [5.0, 3.0, 8.0, 4.0], "max_score": 10.0})
    >>> c = year_change(t, entity="甲町", base=2024, target=2025)  # 甲町 5 → 8 of 10; 乙村 3 → 4
    >>> c[["parent", "rate_change_pt", "score_change", "national_rate_target"]].round(2).values.tolist()
    [['目標Ⅰ', 30.0, 3.0, 0.6], ['合計', 30.0, 3.0, 0.6]]
    """
    b, t = to_fiscal_year(base), to_fiscal_year(target)
    code = _code(scores, entity)
    keys = ["grant", "parent"]
    sides = []
    for year, suffix in ((b, "base"), (t, "target")):
        totals = goal_totals(scores, year)
        national = totals.groupby(keys, sort=False)["rate"].mean().rename(f"national_rate_{suffix}")
        mine = totals[totals["entity_code"] == code].set_index(keys)[["score", "max_score", "rate"]]
        sides.append(mine.add_suffix(f"_{suffix}").join(national))
    out = _outcome_once(sides[0].join(sides[1], how="outer", sort=False).reset_index())
    out = out.rename(columns={"max_score_base": "max_base", "max_score_target": "max_target"})
    out = _in_goal_order(out, [*sides[0].index.get_level_values(1), *sides[1].index.get_level_values(1)])
    out["rate_change_pt"] = (out["rate_target"] - out["rate_base"]) * 100
    out["scale_changed"] = (out["max_base"] != out["max_target"]).to_numpy()
    out["score_change"] = (out["score_target"] - out["score_base"]).where(~out["scale_changed"])
    # the columns plot.year_comparison reads: one bar pair per row, ＊ where the 配点 changed
    out["indicator"] = out["parent"] + "（" + out["grant"] + "）"
    out["row_kind"] = np.where(out["parent"] == TOTAL, "total", "leaf")
    out["max_changed"] = out["scale_changed"]
    out.attrs.update(
        entity_code=code,
        entity=_name(scores, code),
        base=b,
        target=t,
        scale_changed=bool(out.loc[out["parent"] == TOTAL, "scale_changed"].any()),
    )
    return check_table(out, YEAR_CHANGE)


def outcome_track(scores: pd.DataFrame, *, entity: str) -> pd.DataFrame:
    """目標Ⅳ (成果指標群) of one municipality over the years in the table, with the national mean rate.

    Columns: fiscal_year, score, max_score, rate, national_mean_rate. Read from the 推進 rows (目標Ⅳ is the
    same in both grants); years without a 目標Ⅳ (before R6) are not in it.

    >>> t = pd.DataFrame({"fiscal_year": [2024, 2024, 2025, 2025], "level": "市町村", "grant": "推進",
    ...     "entity_code": ["000001", "000002"] * 2, "entity": ["甲町", "乙村"] * 2, "indicator": "1ア",
    ...     "indicator_name": "", "parent": "目標Ⅳ", "score": [6.0, 2.0, 8.0, 4.0], "max_score": 10.0})
    >>> outcome_track(t, entity="甲町")[["fiscal_year", "rate", "national_mean_rate"]].round(2).values.tolist()
    [[2024.0, 0.6, 0.4], [2025.0, 0.8, 0.6]]
    """
    outcome = scores[
        equal_mask(scores["parent"], OUTCOME_GOAL)
        & equal_mask(scores["grant"], GRANTS[0])
        & ~equal_mask(scores["entity"], NATIONAL)
    ]
    code = _code(outcome, entity)
    per = alternatives_once(outcome).groupby(["fiscal_year", "entity_code"])[["score", "max_score"]].sum().reset_index()
    per["rate"] = rate(per["score"], per["max_score"])
    nat = per.groupby("fiscal_year")["rate"].mean().rename("national_mean_rate")
    mine = per[per["entity_code"] == code].set_index("fiscal_year")[["score", "max_score", "rate"]]
    return mine.join(nat).reset_index()


def municipal_grant(
    scores: pd.DataFrame,
    attributes: pd.DataFrame,
    budgets: Mapping[str, int],
    *,
    entity: str,
    fiscal_year: int | str,
    zero: pd.DataFrame | None = None,
    amounts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The municipality's 基準額 per grant by the municipal formula (budget × score·n / Σ score·n over all
    municipalities in the table, n = 第1号被保険者数, truncated to 千円), with what it means.

    Parameters
    ----------
    scores
        A tidy municipal score table of every municipality (as from :func:`load_mhlw`), with parent (目標).
    attributes
        One row per municipality with entity_code and first_insured (第1号被保険者数).
    budgets
        Grant → 市町村分 budget in yen.
    entity
        Name or code (保険者番号) of the municipality.
    fiscal_year
        The year (2025, "R7" …).
    zero
        A :func:`zero_items` table: adds what scoring on those items would bring.
    amounts
        The workbook's published amounts (R6): adds plan and final figures.

    Returns
    -------
    pandas.DataFrame
        One row per grant: grant, score, first_insured, budget_yen, basis_thousand_yen (≤ the exact share),
        yen_per_first_insured, one_point_yen (what one more point brings, everyone else unchanged),
        whatif_points (配点 of ``zero`` items in that grant; 目標Ⅳ items count in both), whatif_thousand_yen,
        whatif_gain_thousand_yen, and plan_thousand_yen / final_thousand_yen when ``amounts`` are given.

    Examples
    --------
    Weights 30 × 1,000 and 10 × 2,000: 甲町 gets 1,000,000 × 30,000 / 50,000 = 600,000 円; one more point
    gives 1,000,000 × 31,000 / 51,000 = 607,843 円 (floored), 7,843 円 more.

    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "grant": "推進", "entity_code": ["000001", "000002"],
    ...     "entity": ["甲町", "乙村"], "indicator": "1ア", "indicator_name": "", "parent": "目標Ⅰ",
    ...     "score": [30.0, 10.0], "max_score": 50.0})
    >>> at = pd.DataFrame({"entity_code": ["000001", "000002"], "first_insured": [1000, 2000]})
    >>> g = municipal_grant(t, at, {"推進": 1_000_000}, entity="甲町", fiscal_year=2025)
    >>> g[["grant", "basis_thousand_yen", "yen_per_first_insured", "one_point_yen"]].values.tolist()
    [['推進', 600, 600.0, 7843]]
    """
    year = to_fiscal_year(fiscal_year)
    code = _code(scores, entity, year)
    totals = goal_totals(scores, year)
    totals = totals[totals["parent"] == TOTAL]
    attrs = _attributes(attributes, year).reset_index()
    budgets = check_budgets(budgets, totals, what="municipal_grant")  # whole yen, checked once
    mine = [str(g) for g in dict.fromkeys(totals.loc[totals["entity_code"] == code, "grant"])]
    missing = [g for g in mine if g not in budgets]
    if missing:  # a report never shows one grant's money and silently not the other's
        raise UnknownSelectionError(
            f"municipal_grant: 交付金「{'」「'.join(missing)}」の予算額がありません（予算額のある交付金: "
            f"{'、'.join(budgets)}。{_name(scores, code)}に得点のある交付金: {'、'.join(mine)}）。"
            "得点のある交付金すべての予算額を渡してください"
        )
    absent = [g for g in budgets if g not in mine]
    if absent:
        raise UnknownSelectionError(
            f"municipal_grant: {_name(scores, code)}には{era_label_long(year)}の交付金「{'」「'.join(absent)}」の"
            f"得点がありません（得点のある交付金: {'、'.join(mine) or 'なし'}）"
        )
    records = []
    for grant, budget in budgets.items():
        per = totals[totals["grant"] == grant][["entity_code", "entity", "grant", "score"]]
        extra = 0.0 if zero is None else float(zero.loc[zero["grant"].isin([grant, SHARED]), "max_score"].sum())
        basis = {}
        for case, gain in (("now", 0.0), ("one", 1.0), ("whatif", extra)):
            changed = per.assign(score=per["score"].where(per["entity_code"] != code, per["score"] + gain))
            alloc = national_allocation(changed, attrs, {grant: budget})
            basis[case] = alloc.set_index("entity_code").loc[code]
        now = basis["now"]
        records.append(
            {
                "grant": grant,
                "score": now["score"],
                "first_insured": int(now["first_insured"]),
                "budget_yen": budget,
                "basis_thousand_yen": int(now["basis_thousand_yen"]),
                "yen_per_first_insured": now["yen_per_first_insured"],
                "one_point_yen": int(basis["one"]["basis_yen"] - now["basis_yen"]),
                "whatif_points": extra,
                "whatif_thousand_yen": int(basis["whatif"]["basis_thousand_yen"]),
                "whatif_gain_thousand_yen": int(basis["whatif"]["basis_thousand_yen"] - now["basis_thousand_yen"]),
            }
        )
    out = pd.DataFrame.from_records(records)
    if amounts is not None and len(out):
        mine = amounts[amounts["entity_code"] == code].set_index("grant")
        for col in ("plan_thousand_yen", "final_thousand_yen"):
            out[col] = out["grant"].map(mine[col]).astype("Float64") if col in mine.columns else np.nan
    out.attrs.update(entity_code=code, fiscal_year=year)
    return check_table(out, MUNICIPAL_GRANT)


OVERALL = "両交付金"


def overall_standing(
    scores: pd.DataFrame, *, entity: str, fiscal_year: int | str, previous: int | str | None = None
) -> pd.DataFrame:
    """The municipality's total per grant and over both grants (目標Ⅳ counted in each, as the grants do: 800
    points from R6), the national mean of that total, its rank among all municipalities (1 = best, ties share
    the best rank) and, with ``previous``, last year's score, rank and the rank's change (positive = moved up).

    Columns: grant (推進, 支援, 両交付金), score, max_score, rate, national_mean, n, rank, prev_score, prev_max,
    prev_rank, prev_n, rank_change.

    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "entity_code": ["000001", "000001", "000002",
    ...     "000002"], "entity": ["甲町", "甲町", "乙村", "乙村"], "grant": ["推進", "支援"] * 2, "parent": "目標Ⅰ",
    ...     "score": [3.0, 1.0, 2.0, 4.0], "max_score": 5.0})
    >>> s = overall_standing(t, entity="甲町", fiscal_year=2025)
    >>> s[["grant", "score", "max_score", "national_mean", "rank"]].values.tolist()
    [['推進', 3.0, 5.0, 2.5, 1], ['支援', 1.0, 5.0, 2.5, 2], ['両交付金', 4.0, 10.0, 5.0, 2]]
    """
    year = to_fiscal_year(fiscal_year)
    code = _code(scores, entity, year)

    def standing(y: int) -> pd.DataFrame:
        totals = goal_totals(scores, y)
        totals = totals[totals["parent"] == TOTAL]
        per = totals.pivot_table(
            index="entity_code", columns="grant", values=["score", "max_score"], aggfunc="sum", sort=False
        )
        grants = [g for g in GRANTS if g in per["score"].columns]
        rows = []
        for grant in [*grants, OVERALL]:
            used = grants if grant == OVERALL else [grant]
            score = per["score"][used].sum(axis=1, min_count=len(used))
            top = per["max_score"][used].sum(axis=1, min_count=len(used))
            if code not in score.index or pd.isna(score.loc[code]):
                continue
            scored = score.dropna()
            rows.append(
                {
                    "grant": grant,
                    "score": float(score.loc[code]),
                    "max_score": float(top.loc[code]),
                    "national_mean": float(scored.mean()),
                    "n": len(scored),
                    "rank": int((scored > score.loc[code]).sum()) + 1,
                }
            )
        return pd.DataFrame.from_records(rows)

    out = standing(year)
    out["rate"] = rate(out["score"], out["max_score"])
    before = None if previous is None else standing(to_fiscal_year(previous))
    if before is not None and len(before):
        last = before.set_index("grant").rename(
            columns={"score": "prev_score", "max_score": "prev_max", "rank": "prev_rank", "n": "prev_n"}
        )
        out = out.join(last[["prev_score", "prev_max", "prev_rank", "prev_n"]], on="grant")
        out["prev_rank"] = out["prev_rank"].astype("Int64")
        out["prev_n"] = out["prev_n"].astype("Int64")
        out["rank_change"] = out["prev_rank"] - out["rank"]
    out = out[
        [
            c
            for c in (
                "grant",
                "score",
                "max_score",
                "rate",
                "national_mean",
                "n",
                "rank",
                "prev_score",
                "prev_max",
                "prev_rank",
                "prev_n",
                "rank_change",
            )
            if c in out.columns
        ]
    ]
    out.attrs.update(
        entity_code=code,
        entity=_name(scores, code),
        fiscal_year=year,
        previous=None if previous is None else to_fiscal_year(previous),
    )
    return check_table(out, OVERALL_STANDING)
