"""The prefecture's view of its municipalities, from a national workbook: where they stand, who is below the
low-score threshold, which items to support first, the change from last year and the peer context.

Works on one year's tidy ``scores``, ``attributes`` and published ``statistics`` of the municipal sheet
(``load_mhlw(...)`` or ``MunicipalData.scores_of(year)`` …). Totals come from ``municipal.goal_totals``; means,
ranks and shares use every municipality of the table (the workbook's row set: scored rows, 広域連合 members
without 保険者番号 included, 広域連合 rows without score not). Entities are keyed by ``entity_code`` and shown
by name.

The low-score threshold is the published 平均得点率 − 2 × 標準偏差 ÷ 配点 of the grant total (and of each 目標),
computed with both the population SD (divided by n) and the sample SD (divided by n − 1): the printed 標準偏差
is one of them (recomputing both from the rows tells which) and the other follows from n. The threshold used
is the one with the SD as printed; the other is shown beside it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .errors import UnknownSelectionError
from .municipal import OUTCOME_GOAL, SHARED, TOTAL, goal_totals
from .national import PEERS, group_means
from .schema import GRANTS
from .trend import municipal_rows, yearly_standing

SUMMED = (
    "fiscal_year",
    "level",
    "entity_code",
    "entity",
    "grant",
    "parent",
    "group",
    "alternative",
    "score",
    "max_score",
)
"""The columns ``goal_totals`` reads (and ``group``): a table cut to them is cheaper to filter."""
POPULATION_SD, SAMPLE_SD = "母標準偏差", "標本標準偏差"
SD_KINDS = {POPULATION_SD: "母標準偏差（n で割る）", SAMPLE_SD: "標本標準偏差（n − 1 で割る）"}


def _members(attributes: pd.DataFrame, prefecture: str) -> pd.DataFrame:
    """The attributes rows of the prefecture (an unknown name lists the prefectures of the table)."""
    attributes = municipal_rows(attributes)
    mine = attributes[attributes["prefecture"] == prefecture]
    if mine.empty:
        present = "、".join(dict.fromkeys(attributes["prefecture"].dropna().astype(str)))
        raise UnknownSelectionError(f"「{prefecture}」の市町村は全国の評価結果にありません（ある都道府県: {present}）")
    return mine


def municipality_table(
    scores: pd.DataFrame, attributes: pd.DataFrame, *, prefecture: str, fiscal_year: int
) -> pd.DataFrame:
    """One row per municipality of the prefecture: name, 区分, 過疎, per grant the total, its rate, national and
    県内 rank (1 = best, ties share the best rank) and each 目標 rate; sorted by the 推進 rank.

    Columns: entity_code, entity, size_class, depopulated, then per grant ``score_<grant>``,
    ``rate_<grant>``, ``rank_<grant>``, ``prefecture_rank_<grant>`` and ``rate_<grant>_<目標>``; ``attrs``:
    n (municipalities nationally), n_prefecture.
    """
    standing = yearly_standing(scores, attributes, fiscal_year)
    at = _members(_year(attributes, fiscal_year), prefecture).drop_duplicates("entity_code")
    out = at[["entity_code", "entity", "size_class", "depopulated"]].reset_index(drop=True)
    mine = standing[standing["entity_code"].isin(out["entity_code"])]
    for grant in [g for g in GRANTS if (standing["grant"] == g).any()]:
        total = mine[(mine["grant"] == grant) & (mine["parent"] == TOTAL)].set_index("entity_code")
        out[f"score_{grant}"] = out["entity_code"].map(total["score"])
        out[f"rate_{grant}"] = out["entity_code"].map(total["rate"])
        out[f"rank_{grant}"] = out["entity_code"].map(total["rank"]).astype("Int64")
        out[f"prefecture_rank_{grant}"] = out[f"score_{grant}"].rank(method="min", ascending=False).astype("Int64")
        goals = mine[(mine["grant"] == grant) & (mine["parent"] != TOTAL)]
        for parent in dict.fromkeys(goals["parent"]):
            rates = goals[goals["parent"] == parent].set_index("entity_code")["rate"]
            out[f"rate_{grant}_{parent}"] = out["entity_code"].map(rates)
    first = f"rank_{GRANTS[0]}"
    if first in out.columns:
        out = out.sort_values(first, kind="stable").reset_index(drop=True)
    totals = standing[standing["parent"] == TOTAL]
    out.attrs.update(
        n=int(standing["entity_code"].nunique()),
        n_prefecture=len(out),
        prefecture=prefecture,
        national_mean={str(g): float(r.mean()) for g, r in totals.groupby("grant")["rate"]},
        fiscal_year=int(fiscal_year),
        percent=[c for c in out.columns if c.startswith("rate_")],
    )
    return out


def _year(table: pd.DataFrame, fiscal_year: int) -> pd.DataFrame:
    """The rows of ``fiscal_year`` (the table itself when it holds that year only)."""
    if "fiscal_year" not in table.columns:
        return table
    keep = (table["fiscal_year"] == fiscal_year).to_numpy(dtype=bool)
    return table if keep.all() else table[keep]


def low_score_thresholds(scores: pd.DataFrame, statistics: pd.DataFrame, *, fiscal_year: int) -> pd.DataFrame:
    """The low-score threshold per grant total and 目標: published 平均得点率 − 2 × 標準偏差 ÷ 配点, with the
    population and the sample SD.

    Columns: grant, parent, max_score, n, mean_rate, std_printed, std_population and std_sample (the printed
    標準偏差 as it is and converted to the other kind by √(n/(n−1))), std_population_rows and std_sample_rows (both
    recomputed from the municipalities' scores), printed_kind (「母標準偏差」 / 「標本標準偏差」: the recomputed one the
    printed 標準偏差 is closer to), threshold_population, threshold_sample, threshold (the one of ``printed_kind``),
    sd_used (its name).
    """
    stats, scores = municipal_rows(_year(statistics, fiscal_year)), municipal_rows(scores)
    stats = stats[stats["row_kind"].isin(["subtotal", "total"]) & stats["grant"].isin(GRANTS)]
    totals = goal_totals(scores, fiscal_year)
    records = []
    for row in stats.itertuples(index=False):
        parent = TOTAL if row.row_kind == "total" else row.parent
        values = totals.loc[(totals["grant"] == row.grant) & (totals["parent"] == parent), "score"].dropna()
        n = len(values)
        if n < 2 or pd.isna(row.std) or pd.isna(row.mean_rate):
            continue
        pop, smp = float(values.std(ddof=0)), float(values.std(ddof=1))
        kind = SAMPLE_SD if abs(row.std - smp) <= abs(row.std - pop) else POPULATION_SD
        factor = math.sqrt(n / (n - 1))
        std_pop, std_smp = (row.std / factor, row.std) if kind == SAMPLE_SD else (row.std, row.std * factor)
        rec = {
            "grant": row.grant,
            "parent": parent,
            "max_score": row.max_score,
            "n": n,
            "mean_rate": row.mean_rate,
            "std_printed": row.std,
            "std_population": std_pop,
            "std_sample": std_smp,
            "std_population_rows": pop,
            "std_sample_rows": smp,
            "printed_kind": kind,
            "threshold_population": row.mean_rate - 2 * std_pop / row.max_score,
            "threshold_sample": row.mean_rate - 2 * std_smp / row.max_score,
        }
        rec["threshold"] = rec["threshold_sample" if kind == SAMPLE_SD else "threshold_population"]
        rec["sd_used"] = SD_KINDS[kind] + "（公表の標準偏差）"
        records.append(rec)
    out = pd.DataFrame.from_records(records)
    out.attrs["percent"] = ["mean_rate", "threshold_population", "threshold_sample", "threshold"]
    return out


def below_threshold(table: pd.DataFrame, thresholds: pd.DataFrame) -> pd.DataFrame:
    """The municipalities of ``municipality_table`` whose grant total rate is below the threshold used.

    Columns: grant, entity_code, entity, rate, threshold, gap_pt (rate − threshold, points, negative),
    below_population, below_sample (below each of the two thresholds).
    """
    rows = [
        _below(table, f"rate_{t.grant}", t)
        for t in thresholds[thresholds["parent"] == TOTAL].itertuples(index=False)
        if f"rate_{t.grant}" in table.columns
    ]
    if not rows:
        return pd.DataFrame(columns=_BELOW_COLUMNS)
    out = pd.concat(rows, ignore_index=True)
    out = out.sort_values(["grant", "gap_pt"], kind="stable")[_BELOW_COLUMNS].reset_index(drop=True)
    out.attrs["percent"] = ["rate", "threshold"]
    return out


_BELOW_COLUMNS = ["grant", "entity_code", "entity", "rate", "threshold", "gap_pt", "below_population", "below_sample"]


def below_goal_threshold(table: pd.DataFrame, thresholds: pd.DataFrame) -> pd.DataFrame:
    """The municipalities of ``municipality_table`` whose rate in a 目標 is below that 目標's threshold (its own
    平均得点率 − 2 × 標準偏差 ÷ 配点): a town can be above the grant's threshold and still far behind in one 目標.

    目標Ⅳ is scored once for both grants, so it is listed once, as grant 「共通」.
    Columns: grant, parent, entity_code, entity, rate, threshold, gap_pt (rate − threshold, points, negative),
    below_population, below_sample; sorted by grant, 目標 and gap.
    """
    cols = ["grant", "parent", *_BELOW_COLUMNS[1:]]
    rows = []
    goals = thresholds[thresholds["parent"] != TOTAL]
    goals = goals[(goals["parent"] != OUTCOME_GOAL) | ~goals.duplicated("parent")]  # 目標Ⅳ: the first grant's row
    for t in goals.itertuples(index=False):
        col = f"rate_{t.grant}_{t.parent}"
        if col not in table.columns:
            continue
        part = _below(table, col, t).assign(parent=t.parent)
        if t.parent == OUTCOME_GOAL:
            part = part.assign(grant=SHARED)
        rows.append(part)
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.concat(rows, ignore_index=True)
    order = {g: i for i, g in enumerate((*GRANTS, SHARED))}
    out = out.sort_values(
        ["grant", "parent", "gap_pt"], key=lambda c: c.map(order) if c.name == "grant" else c, kind="stable"
    )
    out = out[cols].reset_index(drop=True)
    out.attrs["percent"] = ["rate", "threshold"]
    return out


def _below(table: pd.DataFrame, column: str, threshold: object) -> pd.DataFrame:
    """The rows of ``table`` whose ``column`` is below ``threshold.threshold``, with the gap and both SD tests."""
    part = table[["entity_code", "entity", column]].rename(columns={column: "rate"})
    part = part.assign(grant=threshold.grant, threshold=threshold.threshold)
    part["below_population"] = part["rate"] < threshold.threshold_population
    part["below_sample"] = part["rate"] < threshold.threshold_sample
    part = part[part["rate"] < threshold.threshold]
    return part.assign(gap_pt=(part["rate"] - part["threshold"]) * 100)


def support_items(
    scores: pd.DataFrame, attributes: pd.DataFrame, *, prefecture: str, fiscal_year: int, min_national: float = 0.5
) -> pd.DataFrame:
    """Items to support first: at least ``min_national`` of all municipalities score (該当率 = share with a score
    above 0) and the prefecture's 該当率 is below the national one; ordered by the points at stake (配点 × the
    prefecture's municipalities at 0). 目標Ⅳ items appear once (grant 「共通」: they count in both grants).

    Columns: grant, parent, group, indicator, indicator_name, max_score, n_prefecture, n_zero,
    prefecture_applicable_rate, national_applicable_rate, gap_pt, points_at_stake.
    """
    rows = municipal_rows(_year(scores, fiscal_year))
    rows = rows[[c for c in (*SUMMED, "indicator", "indicator_name") if c in rows.columns]]  # copied below
    members = set(_members(_year(attributes, fiscal_year), prefecture)["entity_code"])
    rows = rows.assign(scored=rows["score"] > 0, mine=rows["entity_code"].isin(members))
    outcome = rows["parent"] == OUTCOME_GOAL
    rows = rows[~outcome | (rows["grant"] == GRANTS[0])]
    rows = rows.assign(grant=rows["grant"].where(rows["parent"] != OUTCOME_GOAL, SHARED))
    keys = [c for c in ("grant", "parent", "group", "indicator", "indicator_name") if c in rows.columns]
    by = ["grant", "indicator"]  # the key of an item; its 目標, 指標群 and name come with it
    described = {c: (c, "first") for c in keys if c not in by}
    national = rows.groupby(by, sort=False).agg(
        **described, max_score=("max_score", "first"), national_applicable_rate=("scored", "mean")
    )
    pref = (
        rows[rows["mine"].to_numpy()]
        .groupby(by, sort=False)
        .agg(n_prefecture=("scored", "size"), prefecture_applicable_rate=("scored", "mean"))
    )
    out = national.join(pref, how="inner").reset_index()
    out["n_zero"] = (out["n_prefecture"] * (1 - out["prefecture_applicable_rate"])).round().astype("int64")
    out["gap_pt"] = (out["prefecture_applicable_rate"] - out["national_applicable_rate"]) * 100
    out["points_at_stake"] = out["n_zero"] * out["max_score"]
    picked = out[
        (out["national_applicable_rate"] >= min_national)
        & (out["prefecture_applicable_rate"] < out["national_applicable_rate"])
    ]
    cols = [
        *keys,
        "max_score",
        "n_prefecture",
        "n_zero",
        "prefecture_applicable_rate",
        "national_applicable_rate",
        "gap_pt",
        "points_at_stake",
    ]
    picked = picked.sort_values(["points_at_stake", "gap_pt"], ascending=[False, True], kind="stable")
    result = picked[cols].reset_index(drop=True)
    result.attrs.update(
        rule=f"全国の{min_national:.0%}以上の市町村が得点し（該当率 = 0点でない市町村の割合）、"
        f"{prefecture}内の該当率が全国を下回る項目。並びは「0点の県内市町村数 × 配点」の大きい順",
        percent=["prefecture_applicable_rate", "national_applicable_rate"],
    )
    return result


def municipality_change(
    scores: pd.DataFrame, attributes: pd.DataFrame, *, prefecture: str, fiscal_year: int, previous: int
) -> pd.DataFrame:
    """Per municipality of the prefecture and grant: total rate last year and this year and the change (points);
    ``present`` says 「両年度」, 「今年度のみ」 or 「前年度のみ」 (rows not in both years are kept and listed).
    ``scale_changed`` marks a change of the grant's 配点 (compare rates only).
    """
    sides = []
    for year, suffix in ((previous, "previous"), (fiscal_year, "current")):
        table = municipality_table(scores, attributes, prefecture=prefecture, fiscal_year=year)
        for grant in [g for g in GRANTS if f"rate_{g}" in table.columns]:
            sides.append(
                table[["entity_code", "entity", f"score_{grant}", f"rate_{grant}"]]
                .rename(columns={f"score_{grant}": "score", f"rate_{grant}": "rate"})
                .assign(grant=grant, side=suffix)
            )
    both = pd.concat(sides, ignore_index=True)
    wide = both.pivot_table(index=["grant", "entity_code"], columns="side", values=["rate", "score"], aggfunc="first")
    wide.columns = [f"{v}_{s}" for v, s in wide.columns]
    names = both.drop_duplicates(["entity_code"], keep="last").set_index("entity_code")["entity"]
    out = wide.reset_index()
    for col in ("rate_previous", "rate_current", "score_previous", "score_current"):
        if col not in out.columns:
            out[col] = np.nan
    out.insert(2, "entity", out["entity_code"].map(names))
    out["rate_change_pt"] = (out["rate_current"] - out["rate_previous"]) * 100
    has_prev, has_cur = out["rate_previous"].notna(), out["rate_current"].notna()
    out["present"] = np.where(has_prev & has_cur, "両年度", np.where(has_cur, "今年度のみ", "前年度のみ"))
    out = out.sort_values(["grant", "rate_change_pt"], key=_grant_first, ascending=[True, False], kind="stable")
    out.attrs["percent"] = ["rate_previous", "rate_current"]
    return out[
        [
            "grant",
            "entity_code",
            "entity",
            "score_previous",
            "score_current",
            "rate_previous",
            "rate_current",
            "rate_change_pt",
            "present",
        ]
    ].reset_index(drop=True)


def _grant_first(column: pd.Series) -> pd.Series:
    return column.map({g: i for i, g in enumerate(GRANTS)}) if column.name == "grant" else column


def peer_context(scores: pd.DataFrame, attributes: pd.DataFrame, *, prefecture: str, fiscal_year: int) -> pd.DataFrame:
    """Mean total rate per 規模区分 × 過疎 inside the prefecture against the same group nationally, per grant.

    Columns: grant, the peer columns the year has, n_prefecture, mean_rate_prefecture, n_national,
    mean_rate_national, diff_pt.
    """
    at = municipal_rows(_year(attributes, fiscal_year))
    totals = goal_totals(municipal_rows(scores), fiscal_year)
    totals = totals[totals["parent"] == TOTAL].rename(columns={"rate": "score_rate"})
    by = [c for c in PEERS if c in at.columns and at[c].notna().any()]
    national = group_means(totals, at, by)
    mine = group_means(totals[totals["entity_code"].isin(_members(at, prefecture)["entity_code"])], at, by)
    keys = ["grant", *by]
    out = mine[[*keys, "n", "mean_rate"]].merge(
        national[[*keys, "n", "mean_rate"]], on=keys, how="left", suffixes=("_prefecture", "_national")
    )
    out = out.rename(columns={"mean_rate_prefecture": "mean_rate_prefecture", "n_prefecture": "n_prefecture"})
    out["diff_pt"] = (out["mean_rate_prefecture"] - out["mean_rate_national"]) * 100
    out.attrs["percent"] = ["mean_rate_prefecture", "mean_rate_national"]
    return out


def rate_distribution(
    scores: pd.DataFrame, attributes: pd.DataFrame, *, prefecture: str, fiscal_year: int
) -> pd.DataFrame:
    """Every municipality's rate per grant × 目標 and 合計, with ``in_prefecture`` marking the prefecture's
    own: the input of the distribution panels. Columns: those of ``trend.yearly_standing`` plus in_prefecture."""
    standing = yearly_standing(scores, attributes, fiscal_year)
    members = set(_members(_year(attributes, fiscal_year), prefecture)["entity_code"])
    out = standing.assign(in_prefecture=standing["entity_code"].isin(members))
    out.attrs.update(prefecture=prefecture, fiscal_year=int(fiscal_year))
    return out


def group_rates(scores: pd.DataFrame, attributes: pd.DataFrame, *, prefecture: str, fiscal_year: int) -> pd.DataFrame:
    """The 指標群 (体制・取組 / 活動 / 成果) of every 目標 and grant: mean and median rate of the prefecture's
    municipalities against all municipalities. Sums per municipality come from ``municipal.goal_totals`` on
    the rows of each 指標群; 目標Ⅳ appears once (grant 「共通」).

    Columns: grant, parent, group, n_prefecture, mean_rate_prefecture, median_rate_prefecture, n_national,
    mean_rate_national, median_rate_national, diff_pt.
    """
    rows = municipal_rows(_year(scores, fiscal_year))
    if "group" not in rows.columns or not rows["group"].fillna("").astype(bool).any():
        return pd.DataFrame(columns=["grant", "parent", "group"])  # years before 指標群 (R5 and earlier)
    rows = rows[[c for c in SUMMED if c in rows.columns]]  # what the sums read: the rows are copied below
    rows = rows[~((rows["parent"] == OUTCOME_GOAL) & (rows["grant"] != GRANTS[0])).to_numpy(dtype=bool)]
    group = rows["group"].fillna("")
    groups = list(group.unique())  # in order of appearance
    parts = [goal_totals(rows[(group == g).to_numpy()], fiscal_year).assign(group=g) for g in groups]
    pairs = pd.concat(parts, ignore_index=True)
    pairs = pairs[pairs["parent"] != TOTAL]
    pairs = pairs.assign(grant=pairs["grant"].where(pairs["parent"] != OUTCOME_GOAL, SHARED))
    members = set(_members(_year(attributes, fiscal_year), prefecture)["entity_code"])
    keys = ["grant", "parent", "group"]
    national = pairs.groupby(keys, sort=False)["rate"].agg(
        n_national="count", mean_rate_national="mean", median_rate_national="median"
    )
    mine = (
        pairs[pairs["entity_code"].isin(members)]
        .groupby(keys, sort=False)["rate"]
        .agg(n_prefecture="count", mean_rate_prefecture="mean", median_rate_prefecture="median")
    )
    out = mine.join(national).reset_index()
    order = {
        "grant": {g: i for i, g in enumerate((*GRANTS, SHARED))},
        "group": {g: i for i, g in enumerate(groups)},
    }  # 指標群 in the workbook's order
    out = out.sort_values(keys, key=lambda c: c.map(order[c.name]) if c.name in order else c, kind="stable")
    out = out.reset_index(drop=True)
    out["diff_pt"] = (out["mean_rate_prefecture"] - out["mean_rate_national"]) * 100
    out.attrs["percent"] = [
        "mean_rate_prefecture",
        "median_rate_prefecture",
        "mean_rate_national",
        "median_rate_national",
    ]
    out.attrs.update(prefecture=prefecture, fiscal_year=int(fiscal_year))
    return out[
        [
            *keys,
            "n_prefecture",
            "mean_rate_prefecture",
            "median_rate_prefecture",
            "n_national",
            "mean_rate_national",
            "median_rate_national",
            "diff_pt",
        ]
    ]
