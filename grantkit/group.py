"""A group of municipalities side by side (as consultancies deliver it): standing, amounts, trend, 目標 and
the items to win back.

Works on ``MunicipalData`` (national workbooks of one or more years). Entities are given by their
``entity_code`` (``MunicipalData.code(name)``) and shown by name. Totals come from ``municipal.goal_totals``;
the combined total is 推進合計 + 支援合計 (目標Ⅳ counted in both, as the published 推進・支援合計). Ranks: 1 =
best, ties share the best rank, among all municipalities of the year's table (national), those of the same
規模区分 × 過疎 (peer; whichever of the two the year has) and those of the same prefecture (県内).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .compare import resolve_selection
from .domain import GRANTS, OUTCOME_GOAL, SHARED, SUPPORT
from .errors import UnknownSelectionError
from .municipal import TOTAL, goal_totals, peer_key, year_block, zero_items_of

if TYPE_CHECKING:  # only the type: this stage computes, the report stage loads
    from .report.municipal import MunicipalData

FLAG_POINTS = 20.0
MIN_FULL_SHARE = 0.3
RECOVER_RULE = (
    "取り戻す指標: {peer}の市町村（本団体を除く）の{share:.0%}以上が満点なのに、本団体が満点に届かなかった"
    "項目（失った点の大きい順）"
)
ZERO_RULE = "0点の項目: 全国の市町村の半数以上が得点しているのに本団体が0点の項目（配点の大きい順）"


NAME_KEYS = ("fiscal_year", "level", "grant", "entity_code", "entity")


def name_rows(scores: pd.DataFrame) -> pd.DataFrame:
    """The first row of each 年度 × level × grant × entity_code × entity, in the table's order: all that looking
    an entity up by name or code reads, a few thousand rows instead of millions.

    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "grant": "推進", "entity_code": ["1", "1", "2"],
    ...     "entity": ["甲町", "甲町", "乙町"], "score": [1.0, 2.0, 3.0]})
    >>> name_rows(t)["score"].tolist()
    [1.0, 3.0]
    """
    keys = [c for c in NAME_KEYS if c in scores.columns]
    head = np.zeros(len(scores), dtype=bool)
    for col in keys:  # only the first row of a run of equal keys can start a new combination
        head |= scores[col].ne(scores[col].shift()).to_numpy(dtype=bool, na_value=True)
    return scores[head].drop_duplicates(keys)


def entity_codes(data: MunicipalData, entities: Sequence[str], *, fiscal_year: int) -> list[str]:
    """The 保険者番号 of each entity (name, 「都道府県名＋団体名」 or code) in ``fiscal_year``, as
    ``MunicipalData.code(entity, fiscal_year)`` gives it (and its error for an unknown or ambiguous one)."""
    names = name_rows(data.scores)
    names = names[names["fiscal_year"] == fiscal_year]
    codes = []
    for entity in entities:
        try:
            codes.append(
                resolve_selection(
                    names if len(names) else name_rows(data.scores), entity=entity, grant=GRANTS[0], years=[fiscal_year]
                ).entity_code
            )
        except UnknownSelectionError:
            codes.append(data.code(entity, fiscal_year))  # its own message (a 広域連合 row without score …)
    return codes


def entity_names(data: MunicipalData, codes: Sequence[str], *, fiscal_year: int) -> tuple[list[str], list[str]]:
    """The name and the prefecture of each code in ``fiscal_year``, as the workbook prints them ("" for a
    prefecture it leaves empty)."""
    rows = name_rows(data.scores)
    names = rows[rows["fiscal_year"] == fiscal_year].drop_duplicates("entity_code").set_index("entity_code")["entity"]
    at = data.attributes_of(fiscal_year).drop_duplicates("entity_code").set_index("entity_code")["prefecture"]
    return [str(names[c]) for c in codes], ["" if pd.isna(at.get(c)) else str(at.get(c)) for c in codes]


def combined_totals(data: MunicipalData, fiscal_year: int) -> pd.DataFrame:
    """Every municipality's combined total (推進合計 + 支援合計) of one year with its national, peer and 県内
    rank.

    Columns: entity_code, entity, prefecture, first_insured, size_class, depopulated, peer, total, max_score,
    rank, n, peer_rank, peer_n, prefecture_rank, prefecture_n; ``attrs``: national_mean (mean total), peer_name.
    """
    totals = goal_totals(data.scores, fiscal_year)  # the whole table: computed once per year in reused_totals
    totals = totals[totals["parent"] == TOTAL]
    summed = totals.groupby("entity_code", sort=False).agg(
        entity=("entity", "first"), total=("score", lambda s: s.sum(min_count=1)), max_score=("max_score", "sum")
    )
    at = data.attributes_of(fiscal_year).drop_duplicates("entity_code").set_index("entity_code")
    key, peer_name = peer_key(at)
    out = summed.join(at[["prefecture", "first_insured", "size_class", "depopulated"]], how="left")
    out["peer"] = key.reindex(out.index)
    out["rank"] = out["total"].rank(method="min", ascending=False).astype("Int64")
    out["n"] = int(out["total"].notna().sum())
    for prefix, by in (("peer", "peer"), ("prefecture", "prefecture")):
        g = out.groupby(by, dropna=True)["total"]
        out[f"{prefix}_rank"] = g.rank(method="min", ascending=False).astype("Int64")
        out[f"{prefix}_n"] = g.transform("count").astype("Int64")
    out = out.reset_index()
    out.attrs.update(national_mean=float(out["total"].mean()), peer_name=peer_name, fiscal_year=fiscal_year)
    return out


def group_summary(data: MunicipalData, codes: Sequence[str], *, fiscal_year: int) -> pd.DataFrame:
    """The group's rows of ``combined_totals`` in the order given, with the national mean total and the
    difference. Columns: those of ``combined_totals`` plus national_mean, diff."""
    every = combined_totals(data, fiscal_year)
    out = every.set_index("entity_code").loc[list(codes)].reset_index()
    out["national_mean"] = every.attrs["national_mean"]
    out["diff"] = out["total"] - out["national_mean"]
    out.attrs.update(every.attrs)
    return out


def group_trend(data: MunicipalData, codes: Sequence[str]) -> pd.DataFrame:
    """The group's combined total and national rank in every year of the data, against the national mean total.

    Columns: fiscal_year, entity_code, entity, prefecture, total, max_score, rank, n, national_mean, diff.
    """
    parts = []
    for year in data.years:
        every = combined_totals(data, year)
        mine = every[every["entity_code"].isin(codes)]
        parts.append(
            mine[["entity_code", "entity", "prefecture", "total", "max_score", "rank", "n"]].assign(
                fiscal_year=year, national_mean=every.attrs["national_mean"]
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["diff"] = out["total"] - out["national_mean"]
    order = {c: i for i, c in enumerate(codes)}
    out = out.sort_values(
        ["entity_code", "fiscal_year"], key=lambda c: c.map(order) if c.name == "entity_code" else c, kind="stable"
    )
    return out[
        [
            "fiscal_year",
            "entity_code",
            "entity",
            "prefecture",
            "total",
            "max_score",
            "rank",
            "n",
            "national_mean",
            "diff",
        ]
    ].reset_index(drop=True)


def group_goals(
    data: MunicipalData, codes: Sequence[str], *, fiscal_year: int, flag: float = FLAG_POINTS
) -> pd.DataFrame:
    """Each entity's score per grant × 目標 (and grant total) against the national mean score; a 目標 is flagged
    「高」/「低」 where the difference is at least ``flag`` points either way (grant totals are shown, not flagged).

    Columns: entity_code, entity, grant, parent, score, max_score, national_mean, diff, flag.
    """
    totals = goal_totals(data.scores, fiscal_year)
    means = totals.groupby(["grant", "parent"], sort=False)["score"].mean().rename("national_mean")
    mine = totals[totals["entity_code"].isin(codes)].join(means, on=["grant", "parent"])
    mine["diff"] = mine["score"] - mine["national_mean"]
    goal = mine["parent"].ne(TOTAL).to_numpy(dtype=bool)  # a 100-point 目標; ±flag on a 400-point total means less
    mine["flag"] = np.where(goal & (mine["diff"] >= flag), "高", np.where(goal & (mine["diff"] <= -flag), "低", ""))
    order = {c: i for i, c in enumerate(codes)}
    mine = mine.sort_values("entity_code", key=lambda c: c.map(order), kind="stable")
    cols = ["entity_code", "entity", "grant", "parent", "score", "max_score", "national_mean", "diff", "flag"]
    out = mine[cols].reset_index(drop=True)
    out.attrs["rule"] = f"全国平均（得点）との差が ±{flag:g} 点以上の目標に「高」「低」"
    return out


def amount_table(data: MunicipalData, *, fiscal_year: int = 2024) -> pd.DataFrame | None:
    """Every municipality's published 交付見込額（案） and 確定額 per grant (千円), 消化率 = 確定額 ÷ 案, and 確定額 per
    第1号被保険者 (円); None when the year's workbook publishes no amounts (only R6 does).

    Columns: entity_code, entity, prefecture, grant, plan_thousand_yen, final_thousand_yen, final_share,
    first_insured, final_yen_per_first_insured, below_plan; ``attrs``: national_yen_per_first_insured per grant
    (Σ確定額 ÷ Σ第1号被保険者数 over the municipalities with both).
    """
    amounts = data.amounts_of(fiscal_year)
    if amounts is None:
        return None
    at = data.attributes_of(fiscal_year).drop_duplicates("entity_code").set_index("entity_code")
    out = amounts.drop(columns=["fiscal_year"], errors="ignore").reset_index(drop=True)
    out.insert(2, "prefecture", out["entity_code"].map(at["prefecture"]))
    plan = out["plan_thousand_yen"].astype("float64")
    final = out["final_thousand_yen"].astype("float64")
    out["final_share"] = (final / plan).where(plan > 0)
    out["first_insured"] = out["entity_code"].map(at["first_insured"])
    out["final_yen_per_first_insured"] = final * 1000 / out["first_insured"]
    out["below_plan"] = final < plan
    known = out[final.notna() & out["first_insured"].notna()]
    per = known.groupby("grant").apply(
        lambda g: g["final_thousand_yen"].astype("float64").sum() * 1000 / g["first_insured"].sum(),
        include_groups=False,
    )
    out.attrs.update(national_yen_per_first_insured={str(k): float(v) for k, v in per.items()}, fiscal_year=fiscal_year)
    return out


def group_amounts(amounts: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """The group's rows of ``amount_table`` in the order given, with the national amount per 第1号被保険者."""
    order = {c: i for i, c in enumerate(codes)}
    mine = amounts[amounts["entity_code"].isin(codes)]
    mine = mine.sort_values("entity_code", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)
    mine["national_yen_per_first_insured"] = mine["grant"].map(amounts.attrs["national_yen_per_first_insured"])
    return mine


def recover_items(
    data: MunicipalData, codes: Sequence[str], *, fiscal_year: int, min_full_share: float = MIN_FULL_SHARE
) -> pd.DataFrame:
    """「取り戻す指標」 for each entity: items where at least ``min_full_share`` of its peers (same 規模区分 ×
    過疎, the entity itself left out) have full marks but the entity scored below the 配点; joined with the
    0-point items many municipalities score (``municipal.zero_items``), each row with its rule.

    Columns: entity_code, entity, rule, grant, parent, indicator, indicator_name, max_score, score, lost,
    share (of peers with full marks, or of all municipalities scoring), n_peers.
    """
    rows = year_block(data.scores, fiscal_year)
    at = data.attributes_of(fiscal_year).drop_duplicates("entity_code").set_index("entity_code")
    key, peer_name = peer_key(at)
    rows = rows.assign(peer=rows["entity_code"].map(key), full=rows["score"] >= rows["max_score"])
    keys = ["grant", "indicator"]
    full = rows.groupby(["peer", *keys], sort=False)["full"].agg(["sum", "size"])
    rule = RECOVER_RULE.format(peer=peer_name or "区分", share=min_full_share)
    zeros = zero_items_of(rows, list(codes), fiscal_year=fiscal_year)
    parts = []
    for code in codes:
        mine = rows[rows["entity_code"] == code]
        lookup = full.reindex(pd.MultiIndex.from_frame(mine[["peer", *keys]]))
        others_full = lookup["sum"].to_numpy() - mine["full"].to_numpy()
        others = lookup["size"].to_numpy() - 1
        share = np.divide(others_full, others, out=np.full(len(mine), np.nan), where=others > 0)
        mine = mine.assign(share=share, n_peers=others, lost=mine["max_score"] - mine["score"], rule=rule)
        picked = mine[(mine["score"] < mine["max_score"]) & (mine["share"] >= min_full_share)]
        picked = picked[~((picked["parent"] == OUTCOME_GOAL) & (picked["grant"] == SUPPORT))]
        picked = picked.assign(grant=picked["grant"].where(picked["parent"] != OUTCOME_GOAL, SHARED))
        parts.append(picked.sort_values(["lost", "share"], ascending=False, kind="stable"))
        zero = zeros[code]
        parts.append(
            zero.assign(
                entity_code=code,
                entity=mine["entity"].iloc[0] if len(mine) else code,
                rule=ZERO_RULE,
                score=0.0,
                lost=zero["max_score"],
                share=zero["share_scored"],
                n_peers=pd.NA,
            )
        )
    cols = [
        "entity_code",
        "entity",
        "rule",
        "grant",
        "parent",
        "indicator",
        "indicator_name",
        "max_score",
        "score",
        "lost",
        "share",
        "n_peers",
    ]
    out = pd.concat([p.reindex(columns=cols) for p in parts], ignore_index=True)
    out.attrs["rules"] = [rule, ZERO_RULE]
    return out
