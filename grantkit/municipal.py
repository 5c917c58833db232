"""The municipal yearly report (seed 004): both grants by 目標 and 指標群, peers, items to work on next.

Works on the tidy table of a national workbook (``load_mhlw(...).scores``): leaves with ``parent`` = 目標
(e.g. "目標Ⅰ") and optional ``group`` = 指標群 (体制・取組 / 活動 / 成果), plus the per-entity
``attributes`` (entity_code, prefecture, size_class, depopulated, first_insured, ...). From R6 both grants
have 目標Ⅰ–Ⅳ and 目標Ⅳ (the outcome group) is the same items and score in both grants.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .compare import rank_among, resolve_selection
from .eras import fiscal_year as to_fiscal_year
from .rates import rate
from .schema import GRANTS, NATIONAL

OUTCOME_GOAL = "目標Ⅳ"


def _year_rows(scores: pd.DataFrame, year: int) -> pd.DataFrame:
    return scores[(scores["fiscal_year"] == year) & (scores["entity"] != NATIONAL)]


def goal_table(scores: pd.DataFrame, *, entity: str, fiscal_year: int | str) -> pd.DataFrame:
    """Score, 配点 and rate of one municipality per grant × 目標 × 指標群, with 目標 subtotals and totals.

    Columns: parent (目標), group (指標群, "" for a 目標 subtotal, "合計" on the total row), then for each
    grant ``score_推進``, ``max_推進``, ``rate_推進`` (and 支援), and ``shared`` = the row counts in both grants
    (目標Ⅳ). Rows follow the official order of the input.

    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "entity_code": "000001", "entity": "甲町",
    ...     "grant": ["推進", "推進", "支援"], "indicator": ["1ア", "2ア", "1ア"], "indicator_name": "",
    ...     "parent": ["目標Ⅰ", "目標Ⅳ", "目標Ⅳ"], "group": ["活動", "成果", "成果"],
    ...     "score": [5.0, 8.0, 8.0], "max_score": 10.0})
    >>> goal_table(t, entity="甲町", fiscal_year=2025)[["parent", "group", "score_推進", "score_支援", "shared"]].values.tolist()
    [['目標Ⅰ', '活動', 5.0, nan, False], ['目標Ⅰ', '', 5.0, nan, False], ['目標Ⅳ', '成果', 8.0, 8.0, True], ['目標Ⅳ', '', 8.0, 8.0, True], ['合計', '合計', 13.0, 8.0, False]]
    """
    year = to_fiscal_year(fiscal_year)
    sel = resolve_selection(scores, entity=entity, grant=_some_grant(scores, entity), years=[year])
    rows = scores[(scores["entity_code"] == sel.entity_code) & (scores["fiscal_year"] == year)]
    rows = rows.assign(group=rows["group"] if "group" in rows.columns else "")
    keys = ["parent", "group"]
    order = rows[keys].drop_duplicates().reset_index(drop=True)
    parts = []
    for parent, part in order.groupby("parent", sort=False):
        parts += [part, pd.DataFrame({"parent": [parent], "group": [""]})]
    parts.append(pd.DataFrame({"parent": ["合計"], "group": ["合計"]}))
    out = pd.concat(parts, ignore_index=True)
    for grant in GRANTS:
        g = rows[rows["grant"] == grant]
        by_group = g.groupby(keys, sort=False)[["score", "max_score"]].sum(min_count=1)
        by_goal = g.groupby("parent", sort=False)[["score", "max_score"]].sum(min_count=1)
        score, max_score = [], []
        for parent, group in out[keys].itertuples(index=False):
            if parent == "合計":
                s, m = (g["score"].sum(min_count=1), g["max_score"].sum(min_count=1)) if len(g) else (np.nan, np.nan)
            elif group == "":
                s, m = by_goal.loc[parent] if parent in by_goal.index else (np.nan, np.nan)
            else:
                s, m = by_group.loc[(parent, group)] if (parent, group) in by_group.index else (np.nan, np.nan)
            score.append(s)
            max_score.append(m)
        out[f"score_{grant}"] = np.asarray(score, dtype="float64")
        out[f"max_{grant}"] = np.asarray(max_score, dtype="float64")
        out[f"rate_{grant}"] = rate(out[f"score_{grant}"], out[f"max_{grant}"])
    out["shared"] = out["parent"] == OUTCOME_GOAL
    return out


def _some_grant(scores: pd.DataFrame, entity: str) -> str | None:
    grants = [g for g in GRANTS if ((scores["grant"] == g) & ((scores["entity"] == entity)
                                                            | (scores["entity_code"] == entity))).any()]
    return grants[0] if grants else None


def peer_table(scores: pd.DataFrame, attributes: pd.DataFrame, *, entity: str,
               fiscal_year: int | str) -> pd.DataFrame:
    """The municipality's total rate per grant against national, prefecture and peer (規模区分 × 過疎) means,
    with its rank and percentile nationally, in the prefecture and among peers.

    Means are over the municipalities with a score in the table (広域連合 rows without score are not in it).
    Columns: grant, comparison (全国 / 都道府県内 / 同規模・同過疎区分), n, entity_rate, mean_rate, diff_pt,
    rank, percentile.
    """
    year = to_fiscal_year(fiscal_year)
    attrs = attributes.assign(peer=attributes["size_class"].astype(str) + "・" + attributes["depopulated"].astype(str))
    records = []
    for grant in GRANTS:
        sel = resolve_selection(scores, entity=entity, grant=grant, years=[year])
        year_rows = _year_rows(scores, year)
        totals = year_rows[year_rows["grant"] == grant].groupby("entity_code")[["score", "max_score"]].sum()
        totals["rate"] = rate(totals["score"], totals["max_score"])
        me = totals.loc[sel.entity_code, "rate"]
        mine = attrs.set_index("entity_code").loc[sel.entity_code]
        for label, within, key in (("全国", None, None), ("都道府県内", "prefecture", mine["prefecture"]),
                                   ("同規模・同過疎区分", "peer", mine["peer"])):
            members = totals.index if within is None else attrs.loc[attrs[within] == key, "entity_code"]
            group = totals.loc[totals.index.intersection(members), "rate"]
            rk = rank_among(scores, entity=sel.entity_code, fiscal_year=year, grant=grant, attributes=attrs,
                            within=within).iloc[0]
            records.append({"grant": grant, "comparison": label, "n": int(rk["n"]), "entity_rate": me,
                            "mean_rate": group.mean(), "diff_pt": (me - group.mean()) * 100,
                            "rank": int(rk["rank"]), "percentile": rk["percentile"]})
    return pd.DataFrame.from_records(records)


def zero_items(scores: pd.DataFrame, *, entity: str, fiscal_year: int | str, min_share: float = 0.5) -> pd.DataFrame:
    """Items the municipality scored 0 on while at least ``min_share`` of municipalities scored: what to work
    on next, ordered by points available (配点) then by the share of municipalities that scored.

    The share is computed from every municipality in the table (not taken from a printed 該当率), so it
    uses the same row set as the ranks. 目標Ⅳ items appear once (they are the same in both grants).

    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "grant": "推進",
    ...     "entity_code": ["000001", "000002", "000003"] * 2, "entity": ["甲町", "乙町", "丙村"] * 2,
    ...     "indicator": ["1ア"] * 3 + ["1イ"] * 3, "indicator_name": "", "parent": "目標Ⅰ",
    ...     "score": [0.0, 5.0, 5.0, 0.0, 0.0, 3.0], "max_score": [5.0] * 3 + [3.0] * 3})
    >>> zero_items(t, entity="甲町", fiscal_year=2025)[["indicator", "max_score", "share_scored"]].values.tolist()
    [['1ア', 5.0, 0.6666666666666666]]
    """
    year = to_fiscal_year(fiscal_year)
    rows = _year_rows(scores, year)
    sel = resolve_selection(rows, entity=entity, grant=_some_grant(rows, entity), years=[year])
    keys = ["grant", "indicator"]
    share = rows.assign(scored=rows["score"] > 0).groupby(keys, sort=False)["scored"].mean().rename("share_scored")
    mine = rows[rows["entity_code"] == sel.entity_code].merge(share.reset_index(), on=keys, how="left")
    picked = mine[(mine["score"] == 0) & (mine["share_scored"] >= min_share)]
    outcome = picked["parent"] == OUTCOME_GOAL
    picked = pd.concat([picked[~outcome], picked[outcome].drop_duplicates("indicator")])
    cols = [c for c in ["grant", "parent", "group", "indicator", "indicator_name", "max_score", "share_scored"]
            if c in picked.columns]
    return picked.sort_values(["max_score", "share_scored"], ascending=False, kind="stable")[cols].reset_index(drop=True)


def outcome_track(scores: pd.DataFrame, *, entity: str) -> pd.DataFrame:
    """目標Ⅳ (成果指標群) of one municipality over the years in the table, with the national mean rate.

    Columns: fiscal_year, score, max_score, rate, national_mean_rate. Read from the 推進 rows (目標Ⅳ is the
    same in both grants).
    """
    outcome = scores[(scores["parent"] == OUTCOME_GOAL) & (scores["grant"] == GRANTS[0])
                     & (scores["entity"] != NATIONAL)]
    sel = resolve_selection(outcome, entity=entity, grant=GRANTS[0])
    per = outcome.groupby(["fiscal_year", "entity_code"])[["score", "max_score"]].sum().reset_index()
    per["rate"] = rate(per["score"], per["max_score"])
    nat = per.groupby("fiscal_year")["rate"].mean().rename("national_mean_rate")
    mine = per[per["entity_code"] == sel.entity_code].set_index("fiscal_year")[["score", "max_score", "rate"]]
    return mine.join(nat).reset_index()
