"""Comparisons: one entity across two years, against the national average, and its rank among peers.

Raw points are not comparable across years (indicators and maxima change every year): compare the
rates (得点率) and the gap to the national average; ``max_changed`` marks where the maximum moved.
The national average is the table's 「全国平均」 rows; where a table holds every entity but no such
rows, ``add_national_average`` computes it as the mean over entities.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .domain import NATIONAL, NATIONAL_CODE, TOTAL
from .eras import era_label_long
from .eras import fiscal_year as to_fiscal_year
from .errors import UnknownSelectionError
from .prefectures import CODES, prefecture_of, split_prefecture
from .rates import display_code, leaves_of, score_rates
from .repeats import equal_cells
from .tables import AVERAGE_COMPARISON, YEAR_COMPARISON, check_table
from .text import normalize_text

PRESENCE = {"both": "両年度", "base": "基準年度のみ", "target": "比較年度のみ"}
_LIST_MAX = 20


def equal_mask(column: pd.Series, value: object) -> np.ndarray:
    """``column == value`` as a NumPy bool array (missing → False), for filters on a whole national table (2.6 million
    rows a year): ``repeats.equal_cells``, which compares a run of one string object once.

    >>> equal_mask(pd.Series(["推進", None, "支援"], dtype="str"), "推進").tolist()
    [True, False, False]
    """
    return equal_cells(column, value)


def rows_where(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """``frame[mask]`` (same rows, same index), without copying when the rows kept are one block of consecutive
    rows (one year of a table that holds several years one after the other): a slice instead of a take.

    >>> t = pd.DataFrame({"fiscal_year": [2024, 2024, 2025, 2025]}, index=[5, 6, 7, 8])
    >>> rows_where(t, (t["fiscal_year"] == 2025).to_numpy()).index.tolist()
    [7, 8]
    """
    keep = np.flatnonzero(mask)
    if len(keep) == len(frame):
        return frame
    if len(keep) and keep[-1] - keep[0] + 1 == len(keep):
        return frame.iloc[keep[0] : keep[-1] + 1]
    return frame.iloc[keep]


@dataclass(frozen=True)
class Selection:
    """What a comparison is about: level, grant, entity (name and code) and years present.

    >>> from grantkit import example_scores
    >>> sel = resolve_selection(example_scores(), entity="山口県")
    >>> sel.level, sel.grant, sel.entity_code, sel.years
    ('都道府県', '推進', '35', (2018, 2019))
    """

    level: str
    grant: str
    entity: str
    entity_code: str
    years: tuple[int, ...]
    national: str = NATIONAL


def _listing(values: object) -> str:
    vals = [str(v) for v in dict.fromkeys(values) if str(v) not in ("", TOTAL)]
    more = f" ほか {len(vals) - _LIST_MAX} 件" if len(vals) > _LIST_MAX else ""
    return "、".join(vals[:_LIST_MAX]) + more


def resolve_selection(
    scores: pd.DataFrame,
    *,
    entity: str | Selection,
    grant: str | None = None,
    years: list[int | str] | None = None,
    level: str | None = None,
) -> Selection:
    """Find an entity (name or code), its level, its grant and the years asked for, or say what exists.

    Without ``grant`` the entity's only grant is used; with two grants present an
    ``UnknownSelectionError`` lists them.

    A ``Selection`` resolved before is taken as it is (narrowed to ``years``, which it must hold): a report resolves
    its entity once and hands the selection to every compute function.

    >>> from grantkit import example_scores
    >>> sel = resolve_selection(example_scores(), entity="35", years=["H30", "R1"])
    >>> sel  # doctest: +NORMALIZE_WHITESPACE
    Selection(level='都道府県', grant='推進', entity='山口県', entity_code='35', years=(2018, 2019),
              national='全国平均')
    >>> resolve_selection(example_scores(), entity=sel, years=["R1"]).years
    (2019,)
    """
    if isinstance(entity, Selection):
        return _reuse(entity, grant=grant, years=years, level=level)
    rows = _entity_rows(scores, str(entity))
    if rows["entity"].eq(NATIONAL).all():
        raise UnknownSelectionError(f"「{entity}」は比べる相手（全国平均）の行です。都道府県・市町村を選んでください")
    if level is not None:
        if level not in set(rows["level"]):
            raise UnknownSelectionError(
                f"「{entity}」に区分「{level}」のデータはありません（ある区分: {_listing(rows['level'])}）"
            )
        rows = rows[rows["level"] == level]
    elif rows["level"].nunique() > 1:
        raise UnknownSelectionError(
            f"「{entity}」は複数の区分にあります。level= で選んでください（{_listing(rows['level'])}）"
        )
    grants = [g for g in dict.fromkeys(rows["grant"]) if g != TOTAL]
    if years is not None:  # a grant scored only in other years does not make the asked years ambiguous
        asked = rows["fiscal_year"].isin([to_fiscal_year(y) for y in years])
        grants = [g for g in dict.fromkeys(rows.loc[asked, "grant"]) if g != TOTAL] or grants
    if grant is None:
        if len(grants) > 1:
            raise UnknownSelectionError(
                f"交付金が複数あります。grant= （コマンドでは --grant）で選んでください"
                f"（ある交付金: {_listing(grants)}）"
            )
        grant = grants[0]
    elif grant not in grants:
        raise UnknownSelectionError(
            f"「{entity}」に交付金「{grant}」のデータはありません（ある交付金: {_listing(grants)}）"
        )
    rows = rows[rows["grant"] == grant]
    present = sorted(int(y) for y in rows["fiscal_year"].unique())
    wanted = present if years is None else [to_fiscal_year(y) for y in years]
    missing = [y for y in wanted if y not in present]
    if missing:
        raise UnknownSelectionError(
            f"「{rows['entity'].iloc[0]}」（{grant}）に"
            f"{'、'.join(era_label_long(y) for y in missing)}のデータはありません"
            f"（ある年度: {'、'.join(era_label_long(y) for y in present)}）"
        )
    return Selection(
        str(rows["level"].iloc[0]), grant, str(rows["entity"].iloc[0]), str(rows["entity_code"].iloc[0]), tuple(wanted)
    )


def _reuse(selection: Selection, *, grant: str | None, years: list[int | str] | None, level: str | None) -> Selection:
    """A selection resolved before, narrowed to ``years`` (which it must hold); another grant or level is an error."""
    if grant not in (None, selection.grant) or level not in (None, selection.level):
        raise UnknownSelectionError(
            f"「{selection.entity}」は{selection.level}・{selection.grant}として選ばれています（求められたのは "
            f"{level or selection.level}・{grant or selection.grant}）"
        )
    wanted = selection.years if years is None else tuple(to_fiscal_year(y) for y in years)
    missing = [y for y in wanted if y not in selection.years]
    if missing:
        raise UnknownSelectionError(
            f"「{selection.entity}」の選択に{'、'.join(era_label_long(y) for y in missing)}は含まれていません"
            f"（選んだ年度: {'、'.join(era_label_long(y) for y in selection.years)}）"
        )
    return replace(selection, years=wanted)


def _entity_rows(scores: pd.DataFrame, entity: str) -> pd.DataFrame:
    """Rows of one entity given by code, name, or prefecture-qualified name; ambiguity is an error.

    What the user typed is normalised first (NFKC, spaces: 「０２００１１」 is 020011, 「　甲町 」 is 甲町), and a code
    that lost its leading zeros in Excel (20011) is tried at the fixed widths (020011, or 05 for a prefecture).
    """
    entity = normalize_text(entity)
    rows = scores[equal_mask(scores["entity"], entity) | equal_mask(scores["entity_code"], entity)]
    if rows.empty and entity.isdigit():
        for width in (2, 6):
            if len(entity) < width and rows.empty:
                rows = scores[equal_mask(scores["entity_code"], entity.zfill(width))]
    if rows.empty:
        pref, name = split_prefecture(entity)
        if pref is not None:
            rows = scores[equal_mask(scores["entity"], name) & scores["entity_code"].str.startswith(CODES[pref])]
    if rows.empty:
        raise UnknownSelectionError(_unknown_entity(scores, entity))
    codes = rows[["entity_code", "entity"]].drop_duplicates()
    if len(codes) > 1:
        listing = "、".join(
            f"{n}（{prefecture_of(c) or '都道府県不明'}、{c}）" for c, n in codes.itertuples(index=False)
        )
        raise UnknownSelectionError(
            f"「{entity}」という名前の団体が {len(codes)} つあります。団体コード（保険者番号）か"
            f"「都道府県名＋団体名」で指定してください: {listing}"
        )
    return rows


def _unknown_entity(scores: pd.DataFrame, entity: str) -> str:
    """Why ``entity`` was not found, with what to type instead: the municipalities of a prefecture given by its
    name, names spelled alike, and what the table holds."""
    names = list(dict.fromkeys(scores["entity"].dropna().astype(str)))
    if entity in CODES:
        code = scores["entity_code"].astype(str)
        inside = scores.loc[code.str.startswith(CODES[entity]) & code.str.len().eq(6), "entity"]
        if len(inside):
            return (
                f"「{entity}」は都道府県名です。市町村名か保険者番号を指定してください（{entity}の市町村: "
                f"{_listing(inside)}）"
            )
    close = difflib.get_close_matches(entity, names, n=5, cutoff=0.6)
    hint = f"似た名前: {'、'.join(close)}。" if close else ""
    return f"団体「{entity}」はデータにありません。{hint}（ある団体: {_listing(names)}）"


def add_national_average(scores: pd.DataFrame) -> pd.DataFrame:
    """Add 「全国平均」 leaf rows (mean over entities) wherever a year, level and grant lacks them.

    Only where at least two entities are present; missing cells are skipped in the mean.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"fiscal_year": [2019, 2019], "level": "都道府県", "grant": "推進",
    ...     "entity_code": ["01", "02"], "entity": ["北海道", "青森県"], "indicator": "Ⅰ",
    ...     "indicator_name": "", "parent": "", "score": [10.0, 20.0], "max_score": 30.0})
    >>> add_national_average(t)[["entity", "score"]].values.tolist()
    [['北海道', 10.0], ['青森県', 20.0], ['全国平均', 15.0]]
    """
    key = ["fiscal_year", "level", "grant"]
    has = scores.groupby(key)["entity"].transform(lambda e: (e == NATIONAL).any())
    others = scores[~has & (scores["entity"] != NATIONAL)]
    count = others.groupby(key)["entity"].transform("nunique")
    others = others[count >= 2]
    if others.empty:
        return scores
    texts = [c for c in scores.columns if c not in ("score", "max_score", "entity", "entity_code")]
    avg = (
        others.groupby(["fiscal_year", "level", "grant", "indicator"], sort=False)
        .agg(
            **{c: (c, "first") for c in texts if c not in ("fiscal_year", "level", "grant", "indicator")},
            score=("score", "mean"),
            max_score=("max_score", "first"),
        )
        .reset_index()
    )
    avg["entity"] = NATIONAL
    avg["entity_code"] = avg["level"].map(NATIONAL_CODE)
    return pd.concat([scores, avg[scores.columns]], ignore_index=True)


def _rates_for(scores: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    """Rates of the entity and the national average for the selection (computed rows included)."""
    leaves = leaves_of(scores)
    part = leaves[leaves["level"].eq(sel.level) & leaves["grant"].eq(sel.grant) & leaves["fiscal_year"].isin(sel.years)]
    part = add_national_average(part)
    part = part[part["entity"].isin([sel.entity, sel.national])]
    r = score_rates(part)
    r = r[r["row_kind"] != "combined"]
    return r.assign(key=display_code(r["indicator"], r["row_kind"]))


def _side(r: pd.DataFrame, year: int, entity: str) -> pd.DataFrame:
    return r[(r["fiscal_year"] == year) & (r["entity"] == entity)].set_index("key")


def merged_order(first: list[str], second: list[str]) -> list[str]:
    """One order for two lists of codes: ``second`` in its order, each item only in ``first`` inserted after the
    item that precedes it in ``first`` (at the start when none does). Nothing is dropped or repeated.

    >>> merged_order(["Ⅰ", "Ⅱ(1)", "Ⅱ(2)", "Ⅲ"], ["Ⅰ", "Ⅱ(2)", "Ⅳ"])
    ['Ⅰ', 'Ⅱ(1)', 'Ⅱ(2)', 'Ⅲ', 'Ⅳ']
    """
    out = list(second)
    for i, k in enumerate(first):
        if k not in out:
            prev = next((first[j] for j in range(i - 1, -1, -1) if first[j] in out), None)
            out.insert(0 if prev is None else out.index(prev) + 1, k)
    return out


def compare_years(
    scores: pd.DataFrame,
    base: int | str,
    target: int | str,
    *,
    entity: str | Selection,
    grant: str | None = None,
    level: str | None = None,
) -> pd.DataFrame:
    """One row per indicator (leaves, subtotals, total): both years' score, max, rate, national rate and changes.

    ``rate_change_pt`` = (rate_target − rate_base) × 100; ``gap_*_pt`` = (entity rate − national rate) × 100.
    Indicators present in one year only are kept, marked in ``presence``.

    Parameters
    ----------
    scores
        A tidy score table with the entity and 全国平均 (as from :func:`load_scores`).
    base, target
        The two fiscal years (2018, "H30", "令和元年度" …); they must differ.
    entity
        Name or code of the entity (full-width, spaces and lost leading zeros are forgiven), or the ``Selection``
        a report resolved once.
    grant, level
        Needed only when the data holds more than one grant or level for the entity.

    Returns
    -------
    pandas.DataFrame
        One row per indicator of either year, in the printed order; ``attrs`` records base, target, entity,
        entity_code, grant and level.

    Raises
    ------
    UnknownSelectionError
        When the years are equal or the entity, a year, grant or level is not in the data.

    Examples
    --------
    >>> from grantkit import example_scores
    >>> c = compare_years(example_scores(), "H30", "R1", entity="山口県")
    >>> tot = c[c.row_kind == "total"].iloc[0]
    >>> round(tot.rate_base, 4), round(tot.rate_target, 4), round(tot.rate_change_pt, 1)
    (np.float64(0.6438), np.float64(0.8246), np.float64(18.1))
    """
    b, t = to_fiscal_year(base), to_fiscal_year(target)
    if b == t:
        raise UnknownSelectionError(f"基準年度と比較年度が同じです（{era_label_long(b)}）。別の2か年を指定してください")
    sel = resolve_selection(scores, entity=entity, grant=grant, years=[b, t], level=level)
    r = _rates_for(scores, sel)
    own_b, own_t = _side(r, b, sel.entity), _side(r, t, sel.entity)
    nat_b, nat_t = _side(r, b, sel.national), _side(r, t, sel.national)
    keys = merged_order(list(own_b.index), list(own_t.index))
    info = pd.concat([own_b, own_t])
    info = info[~info.index.duplicated(keep="last")]
    out = pd.DataFrame(index=pd.Index(keys, name="key"))
    out["indicator"] = info["indicator"]
    out["indicator_name"] = info["indicator_name"]
    out["row_kind"] = info["row_kind"]
    in_b, in_t = out.index.isin(own_b.index), out.index.isin(own_t.index)
    out["presence"] = np.where(in_b & in_t, PRESENCE["both"], np.where(in_b, PRESENCE["base"], PRESENCE["target"]))
    for suffix, own in (("base", own_b), ("target", own_t)):
        out[f"score_{suffix}"] = own["score"]
        out[f"max_{suffix}"] = own["max_score"]
        out[f"rate_{suffix}"] = own["score_rate"]
    out["national_rate_base"] = nat_b["score_rate"].reindex(out.index)
    out["national_rate_target"] = nat_t["score_rate"].reindex(out.index)
    out["rate_change_pt"] = (out["rate_target"] - out["rate_base"]) * 100
    out["gap_base_pt"] = (out["rate_base"] - out["national_rate_base"]) * 100
    out["gap_target_pt"] = (out["rate_target"] - out["national_rate_target"]) * 100
    out["gap_change_pt"] = out["gap_target_pt"] - out["gap_base_pt"]
    out["max_changed"] = (in_b & in_t) & (out["max_base"] != out["max_target"]).to_numpy()
    out = out.reset_index(drop=True)
    out.attrs.update(base=b, target=t, entity=sel.entity, entity_code=sel.entity_code, grant=sel.grant, level=sel.level)
    return check_table(out, YEAR_COMPARISON)


def compare_to_average(
    scores: pd.DataFrame,
    *,
    entity: str | Selection,
    fiscal_year: int | str,
    grant: str | None = None,
    level: str | None = None,
) -> pd.DataFrame:
    """Per indicator and totals: score, national average, both rates, and the differences.

    ``diff_points`` = score − national_average; ``diff_rate_pt`` = (rate − national_rate) × 100.

    Parameters
    ----------
    scores
        A tidy score table with the entity and 全国平均 (as from :func:`load_scores`).
    fiscal_year
        The year to compare (2019, "R1" …).
    entity
        Name or code of the entity (full-width, spaces and lost leading zeros are forgiven), or the ``Selection``
        a report resolved once.
    grant, level
        Needed only when the data holds more than one grant or level for the entity.

    Returns
    -------
    pandas.DataFrame
        One row per indicator, subtotal and total of the entity that year; rates in [0, 1].

    Raises
    ------
    UnknownSelectionError
        When the entity, year, grant or level is not in the data.

    Examples
    --------
    >>> from grantkit import example_scores
    >>> c = compare_to_average(example_scores(), entity="山口県", fiscal_year="R1")
    >>> c.loc[c.indicator == "合計", ["score", "national_average", "max_score"]].values.tolist()
    [[611.0, 584.3, 741.0]]
    """
    year = to_fiscal_year(fiscal_year)
    sel = resolve_selection(scores, entity=entity, grant=grant, years=[year], level=level)
    r = _rates_for(scores, sel)
    own, nat = _side(r, year, sel.entity), _side(r, year, sel.national)
    out = own[["indicator", "indicator_name", "row_kind", "score"]].copy()
    out["national_average"] = nat["score"].reindex(out.index)
    out["max_score"] = own["max_score"]
    out["rate"] = own["score_rate"]
    out["national_rate"] = nat["score_rate"].reindex(out.index)
    out["diff_points"] = out["score"] - out["national_average"]
    out["diff_rate_pt"] = (out["rate"] - out["national_rate"]) * 100
    out = out.reset_index(drop=True)
    out.attrs.update(fiscal_year=year, entity=sel.entity, entity_code=sel.entity_code, grant=sel.grant, level=sel.level)
    return check_table(out, AVERAGE_COMPARISON)


def strengths(cmp: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The ``n`` leaf indicators furthest above the national rate (from ``compare_to_average``); only those
    above it (fewer than ``n``, or none, when the entity is below average nearly everywhere).

    Parameters
    ----------
    cmp
        A table from :func:`compare_to_average`.
    n
        At most this many rows.

    Returns
    -------
    pandas.DataFrame
        Rows of ``cmp`` (leaves only) with ``diff_rate_pt`` > 0, largest first.

    Examples
    --------
    >>> from grantkit import example_scores
    >>> strengths(compare_to_average(example_scores(), entity="山口県", fiscal_year="R1"), 2).indicator.tolist()
    ['Ⅱ(2)②', 'Ⅱ(2)①']
    """
    return top_leaves(cmp[cmp["diff_rate_pt"] > 0], "diff_rate_pt", n, largest=True)


def weaknesses(cmp: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The ``n`` leaf indicators furthest below the national rate (from ``compare_to_average``); only those
    below it (an indicator above the average is not a weakness).

    Parameters
    ----------
    cmp
        A table from :func:`compare_to_average`.
    n
        At most this many rows.

    Returns
    -------
    pandas.DataFrame
        Rows of ``cmp`` (leaves only) with ``diff_rate_pt`` < 0, furthest below first.

    Examples
    --------
    >>> from grantkit import example_scores
    >>> weaknesses(compare_to_average(example_scores(), entity="山口県", fiscal_year="R1"), 2).indicator.tolist()
    ['Ⅱ(1)', 'Ⅱ(4)']
    """
    return top_leaves(cmp[cmp["diff_rate_pt"] < 0], "diff_rate_pt", n, largest=False)


def top_leaves(table: pd.DataFrame, column: str, n: int, *, largest: bool = True) -> pd.DataFrame:
    """The ``n`` leaf rows with the largest (or smallest) known ``column``; ties keep the official order.

    >>> t = pd.DataFrame({"row_kind": ["leaf", "leaf", "total"], "x": [1.0, 3.0, 9.0]})
    >>> top_leaves(t, "x", 1).x.tolist(), top_leaves(t, "x", 1, largest=False).x.tolist()
    ([3.0], [1.0])
    """
    leaves = table[(table["row_kind"] == "leaf") & table[column].notna()]
    return leaves.sort_values(column, ascending=not largest, kind="stable").head(n)


def rank_among(
    scores: pd.DataFrame,
    *,
    entity: str | Selection,
    fiscal_year: int | str,
    grant: str | None = None,
    level: str | None = None,
    by_indicator: bool = False,
    attributes: pd.DataFrame | None = None,
    within: str | pd.Series | None = None,
) -> pd.DataFrame:
    """Rank (1 = best, ties share the lowest rank), n and percentile of an entity's total among its level.

    ``percentile`` = 100 × (n − rank) / (n − 1): 100 for first place, 0 for last. ``within`` ranks inside
    peer groups: a column of ``attributes`` (keyed by ``entity_code``, e.g. "prefecture", "size_class"),
    a column of ``scores``, or a Series keyed by entity_code. 全国平均 rows are never ranked.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"fiscal_year": 2019, "level": "都道府県", "grant": "推進",
    ...     "entity_code": ["01", "02", "03"], "entity": ["北海道", "青森県", "岩手県"], "indicator": "Ⅰ",
    ...     "indicator_name": "", "parent": "", "score": [10.0, 30.0, 10.0], "max_score": 30.0})
    >>> rank_among(t, entity="岩手県", fiscal_year=2019)[["score", "rank", "n", "percentile"]].values.tolist()
    [[10.0, 2, 3, 50.0]]
    """
    year = to_fiscal_year(fiscal_year)
    sel = resolve_selection(scores, entity=entity, grant=grant, years=[year], level=level)
    leaves = leaves_of(scores)
    part = leaves[
        leaves["level"].eq(sel.level)
        & leaves["grant"].eq(sel.grant)
        & leaves["fiscal_year"].eq(year)
        & leaves["entity"].ne(sel.national)
    ]
    if part["entity_code"].nunique() < 2:
        raise UnknownSelectionError(
            f"順位には同じ区分の全団体のデータが必要です。この表には「{sel.entity}」しかありません"
            f"（{era_label_long(year)}・{sel.level}・{sel.grant}）。全国の評価結果ファイルを読み込んでください"
        )
    r = score_rates(part)
    r = r[r["row_kind"].isin(["leaf", "subtotal", "total"] if by_indicator else ["total"])]
    r = r.assign(key=display_code(r["indicator"], r["row_kind"]))
    groups = ["key"]
    if within is not None:
        r = r.assign(peer_group=_peer_groups(r, scores, attributes, within))
        groups.append("peer_group")
    grouped = r.groupby(groups, sort=False, dropna=False)["score"]
    r = r.assign(
        rank=grouped.rank(method="min", ascending=False).astype("Int64"), n=grouped.transform("count").astype("int64")
    )
    pct = np.where(r["n"] > 1, 100 * (r["n"] - r["rank"].astype("float64")) / (r["n"] - 1).clip(lower=1), 100.0)
    r = r.assign(percentile=pct)
    cols = ["indicator", "indicator_name", "row_kind", "score", "rank", "n", "percentile"]
    out = r.loc[r["entity_code"] == sel.entity_code, cols + (["peer_group"] if within is not None else [])]
    out = out.reset_index(drop=True)
    out.attrs.update(fiscal_year=year, entity=sel.entity, grant=sel.grant, level=sel.level)
    return out


def _peer_groups(
    r: pd.DataFrame, scores: pd.DataFrame, attributes: pd.DataFrame | None, within: str | pd.Series
) -> pd.Series:
    if isinstance(within, pd.Series):
        lookup = within
    elif attributes is not None:
        if within not in attributes.columns:
            raise UnknownSelectionError(f"属性に列「{within}」がありません（ある列: {_listing(attributes.columns)}）")
        keyed = attributes.set_index("entity_code") if "entity_code" in attributes.columns else attributes
        lookup = keyed[within]
    elif within in scores.columns:
        lookup = scores.drop_duplicates("entity_code").set_index("entity_code")[within]
    else:
        raise UnknownSelectionError(
            f"グループ分けの列「{within}」がありません。attributes= に団体属性の表を渡してください"
        )
    lookup = lookup.copy()
    lookup.index = lookup.index.astype(str)
    return r["entity_code"].map(lookup)
