"""grantkit.municipal (goal tables, peers, ranks, zero items, year change, 成果指標群, 基準額), the data layer of the
municipal report (grantkit.municipal_report) and the ``--level 市町村`` arguments of the command line.

Expected figures are either worked out by hand on a three-town table (the arithmetic is in the comments) or
recomputed here from the tidy leaves and the workbook's published columns (score_推進 / score_支援 / total /
rank, the statistics rows of the 目標 subtotals) with plain pandas and integer arithmetic — never copied from
what the code printed. Workbooks: the bundled 架空 samples (300 towns, R6 and R7) and small synthetic
R5/R6/R7 files written with ``grantkit.synthetic.national_workbook``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grantkit import municipal as m
from grantkit.cli import main
from grantkit.compare import rank_among
from grantkit.errors import GrantkitError, UnknownSelectionError
from grantkit.examples import example_path
from grantkit.io.mhlw import load_mhlw
from grantkit.municipal_report import check_municipal_selection, load_municipal_data
from grantkit.national import grant_scores, national_allocation
from grantkit.synthetic import national_workbook, synthetic_budget

GRANTS = ("推進", "支援")
N_SYNTH = 60
R5, R6, R7 = 2023, 2024, 2025


# ---------------------------------------------------------------- data

TINY_ITEMS = [  # grant, 目標, 指標群, indicator, 配点 (目標Ⅳ: the same item in both grants)
    ("推進", "目標Ⅰ", "体制・取組", "1ア", 10.0),
    ("推進", "目標Ⅰ", "活動", "2ア", 20.0),
    ("推進", "目標Ⅳ", "成果", "Ⅳ1", 30.0),
    ("支援", "目標Ⅰ", "体制・取組", "1ア", 15.0),
    ("支援", "目標Ⅰ", "活動", "2ア", 5.0),
    ("支援", "目標Ⅳ", "成果", "Ⅳ1", 30.0),
]
TINY_TOWNS = {  # code: (name, prefecture, 第1号被保険者数, 過疎, scores in the order of TINY_ITEMS)
    "010001": ("甲町", "北海道", 1000, "全部過疎", [10, 0, 30, 0, 5, 30]),  # 推進 40/60, 支援 35/50
    "010002": ("乙町", "北海道", 2000, "全部過疎", [5, 20, 0, 15, 5, 0]),  # 推進 25/60, 支援 20/50
    "020001": ("丙村", "青森県", 3000, "非過疎", [0, 20, 15, 15, 0, 15]),  # 推進 35/60, 支援 30/50
}


def _tiny(**changes: list[float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The three-town tidy table and its attributes; ``changes`` replace a town's scores (by name)."""
    rows, attrs = [], []
    for code, (name, pref, first, depop, scores) in TINY_TOWNS.items():
        scores = changes.get(name, scores)
        for (grant, parent, group, ind, mx), s in zip(TINY_ITEMS, scores):
            rows.append({"fiscal_year": R7, "level": "市町村", "grant": grant, "entity_code": code, "entity": name,
                         "indicator": ind, "indicator_name": f"指標{ind}", "parent": parent, "group": group,
                         "score": float(s), "max_score": mx})
        attrs.append({"entity_code": code, "entity": name, "prefecture": pref, "first_insured": first,
                      "size_class": "人口1万人未満", "depopulated": depop})
    return pd.DataFrame(rows), pd.DataFrame(attrs)


@pytest.fixture(scope="module")
def sample():
    """The bundled 架空 samples R6 + R7 with the bundled 架空 budgets."""
    return load_municipal_data([example_path("mhlw_sample_R6.xlsx"), example_path("mhlw_sample_R7.xlsx")],
                               example_path("budgets_synthetic.csv"))


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    """Small synthetic workbooks of R5 (old categories), R6 (amounts) and R7 (規模区分), one series."""
    root = tmp_path_factory.mktemp("municipal_unit")
    paths = {y: national_workbook(root / f"{y}.xlsx", y, "市町村", n_municipalities=N_SYNTH, seed=11)
             for y in ("R5", "R6", "R7")}
    return paths, load_municipal_data(list(paths.values()))


def _attrs(data, year: int) -> pd.DataFrame:
    return data.attributes[data.attributes["fiscal_year"] == year].set_index("entity_code")


def _leaf_sums(scores: pd.DataFrame, year: int, by=("grant", "parent")) -> pd.DataFrame:
    """Score and 配点 per municipality summed from the leaves with a plain groupby."""
    rows = scores[scores["fiscal_year"] == year]
    return rows.groupby(["entity_code", *by])[["score", "max_score"]].sum()


def _published(data, year: int, kind: str) -> pd.DataFrame:
    st = data.statistics
    return st[(st["fiscal_year"] == year) & (st["row_kind"] == kind)]


# ---------------------------------------------------------------- goal_totals

def test_goal_totals_hand_case():
    scores, _ = _tiny()
    t = m.goal_totals(scores, "R7").set_index(["entity_code", "grant", "parent"])
    expected = {  # (score, 配点)
        ("010001", "推進", "目標Ⅰ"): (10, 30), ("010001", "推進", "目標Ⅳ"): (30, 30), ("010001", "推進", "合計"): (40, 60),
        ("010001", "支援", "目標Ⅰ"): (5, 20), ("010001", "支援", "目標Ⅳ"): (30, 30), ("010001", "支援", "合計"): (35, 50),
        ("010002", "推進", "合計"): (25, 60), ("010002", "支援", "合計"): (20, 50),
        ("020001", "推進", "目標Ⅰ"): (20, 30), ("020001", "支援", "合計"): (30, 50),
    }
    for key, (score, mx) in expected.items():
        assert (t.loc[key, "score"], t.loc[key, "max_score"], t.loc[key, "rate"]) == (score, mx, score / mx), key
    assert len(t) == 3 * 2 * 3  # 3 towns × 2 grants × (目標Ⅰ, 目標Ⅳ, 合計)
    assert t.loc[("020001", "推進", "目標Ⅰ"), "entity"] == "丙村"


def test_goal_totals_missing_leaf_is_skipped_not_zeroed():
    scores, _ = _tiny()
    scores.loc[(scores["entity"] == "甲町") & (scores["indicator"] == "2ア") & (scores["grant"] == "推進"), "score"] = np.nan
    scores.loc[(scores["entity"] == "乙町") & (scores["parent"] == "目標Ⅳ"), "score"] = np.nan
    t = m.goal_totals(scores, R7).set_index(["entity_code", "grant", "parent"])
    assert t.loc[("010001", "推進", "目標Ⅰ"), "score"] == 10 and t.loc[("010001", "推進", "目標Ⅰ"), "max_score"] == 30
    assert np.isnan(t.loc[("010002", "推進", "目標Ⅳ"), "score"])  # every cell missing: the sum is missing
    assert t.loc[("010002", "推進", "合計"), "score"] == 25


@pytest.mark.parametrize("year", [R6, R7])
def test_goal_totals_agree_with_the_published_columns(sample, year):
    t = m.goal_totals(sample.scores, year)
    at = _attrs(sample, year)
    assert set(t["entity_code"]) == set(at.index) and len(at) == 300
    assert t["rate"].between(0, 1).all()
    # 目標 subtotals: a plain groupby of the leaves
    leaves = _leaf_sums(sample.scores, year)
    goals = t[t["parent"] != "合計"].set_index(["entity_code", "grant", "parent"]).sort_index()
    assert goals.index.equals(leaves.index)
    assert np.array_equal(goals["score"].to_numpy(), leaves["score"].to_numpy())
    assert np.array_equal(goals["max_score"].to_numpy(), leaves["max_score"].to_numpy())
    # grant totals = the published 推進合計 / 支援合計 columns; their sum = the published 合計, its rank = 順位
    total = t[t["parent"] == "合計"].pivot(index="entity_code", columns="grant", values="score").loc[at.index]
    for grant in GRANTS:
        assert total[grant].to_numpy() == pytest.approx(at[f"score_{grant}"].to_numpy())
    both = total["推進"] + total["支援"]
    assert both.to_numpy() == pytest.approx(at["total"].to_numpy())
    rank = both.map(lambda v: 1 + int((both > v).sum()))
    assert (rank.to_numpy() == at["rank"].to_numpy()).all()
    # per 目標: national sum and 配点 = the published statistics rows of the subtotal columns
    pub = _published(sample, year, "subtotal").set_index(["grant", "parent"])
    summed = goals.groupby(["grant", "parent"]).agg(score=("score", "sum"), max_score=("max_score", "first"),
                                                   mean_rate=("rate", "mean"))
    assert set(summed.index) == set(pub.index)
    for key, row in summed.iterrows():
        assert row["score"] == pytest.approx(pub.loc[key, "national_sum"]), key
        assert row["max_score"] == pub.loc[key, "max_score"] == 100
        assert row["mean_rate"] == pytest.approx(pub.loc[key, "mean_rate"], abs=6e-5), key  # printed to 4 places


# ---------------------------------------------------------------- goal_table

def test_goal_table_hand_case():
    scores, _ = _tiny()
    g = m.goal_table(scores, entity="甲町", fiscal_year=R7)
    got = g[["parent", "group", "score_推進", "max_推進", "score_支援", "max_支援", "shared"]].values.tolist()
    assert got == [["目標Ⅰ", "体制・取組", 10, 10, 0, 15, False],
                   ["目標Ⅰ", "活動", 0, 20, 5, 5, False],
                   ["目標Ⅰ", "", 10, 30, 5, 20, False],
                   ["目標Ⅳ", "成果", 30, 30, 30, 30, True],
                   ["目標Ⅳ", "", 30, 30, 30, 30, True],
                   ["合計", "合計", 40, 60, 35, 50, False]]
    assert g["rate_推進"].tolist() == [1.0, 0.0, 1 / 3, 1.0, 1.0, 40 / 60]
    assert g.attrs["entity_code"] == "010001" and g.attrs["fiscal_year"] == R7


def test_goal_table_sums_the_leaves_and_matches_the_published_total(sample):
    s, code = sample.scores, "010010"
    g = m.goal_table(s, entity="つばきの森市", fiscal_year="R7")
    assert g.attrs["entity_code"] == code
    assert list(dict.fromkeys(g["parent"])) == ["目標Ⅰ", "目標Ⅱ", "目標Ⅲ", "目標Ⅳ", "合計"]
    at = _attrs(sample, R7).loc[code]
    pub_total = _published(sample, R7, "total").set_index("grant")
    mine = s[(s["entity_code"] == code) & (s["fiscal_year"] == R7)]
    for grant in GRANTS:
        leaves = mine[mine["grant"] == grant]
        by_group = leaves.groupby(["parent", "group"])[["score", "max_score"]].sum()
        by_goal = leaves.groupby("parent")[["score", "max_score"]].sum()
        for _, row in g.iterrows():
            if row["parent"] == "合計":
                expected = (at[f"score_{grant}"], pub_total.loc[grant, "max_score"])
            elif row["group"] == "":
                expected = tuple(by_goal.loc[row["parent"]])
            else:
                expected = tuple(by_group.loc[(row["parent"], row["group"])])
            assert (row[f"score_{grant}"], row[f"max_{grant}"]) == pytest.approx(expected), (grant, row["parent"])
        assert g[f"rate_{grant}"].between(0, 1).all()
        # each 目標 row closes its 指標群 rows: the subtotal is last and is their sum
        for parent, part in g[g["parent"] != "合計"].groupby("parent"):
            assert part["group"].iloc[-1] == ""
            assert part[f"score_{grant}"].iloc[:-1].sum() == pytest.approx(part[f"score_{grant}"].iloc[-1])
    outcome = g[g["parent"] == "目標Ⅳ"]
    assert g["shared"].tolist() == (g["parent"] == "目標Ⅳ").tolist()
    assert (outcome["score_推進"] == outcome["score_支援"]).all() and (outcome["max_推進"] == 100).all()


def test_goal_table_before_r6_has_categories_without_groups(synth):
    _, data = synth
    code = _attrs(data, R5).index[7]
    g = m.goal_table(data.scores, entity=code, fiscal_year="R5")
    assert (g["group"].iloc[:-1] == "").all() and g["parent"].iloc[-1] == "合計"
    pub = _published(data, R5, "total").set_index("grant")
    at = _attrs(data, R5).loc[code]
    for grant in GRANTS:
        total = g[g["parent"] == "合計"].iloc[0]
        assert total[f"score_{grant}"] == pytest.approx(at[f"score_{grant}"])
        assert total[f"max_{grant}"] == pub.loc[grant, "max_score"]
        assert g[f"score_{grant}"].iloc[:-1].sum() == pytest.approx(total[f"score_{grant}"])
    assert not g["shared"].any()


def test_same_named_towns_need_a_code_or_prefecture(sample):
    with pytest.raises(UnknownSelectionError) as exc:
        m.goal_table(sample.scores, entity="ゆうひさき町", fiscal_year="R7")
    assert "ゆうひさき町（北海道、010031）" in str(exc.value) and "ゆうひさき町（青森県、020011）" in str(exc.value)
    assert m.goal_table(sample.scores, entity="青森県ゆうひさき町", fiscal_year="R7").attrs["entity_code"] == "020011"
    assert m.goal_table(sample.scores, entity="010031", fiscal_year="R7").attrs["entity_code"] == "010031"


# ---------------------------------------------------------------- peer_key

def test_peer_key_names_what_the_file_has():
    at = pd.DataFrame({"size_class": ["小", "小", None, "大"], "depopulated": ["過疎", "非過疎", "過疎", None]},
                      index=["1", "2", "3", "4"])
    key, name = m.peer_key(at)
    assert name == "同規模・同じ過疎区分"
    assert key.tolist()[:2] == ["小・過疎", "小・非過疎"] and key.isna().tolist() == [False, False, True, True]
    key, name = m.peer_key(at.assign(depopulated=None))
    assert name == "同規模" and key.tolist()[:2] == ["小", "小"]
    key, name = m.peer_key(at[[]])
    assert name == "" and key.isna().all() and list(key.index) == ["1", "2", "3", "4"]


def test_peer_key_of_the_samples(sample):
    key6, name6 = m.peer_key(_attrs(sample, R6))  # R6 has no 規模区分 column values
    assert name6 == "同じ過疎区分" and (key6 == _attrs(sample, R6)["depopulated"]).all()
    at7 = _attrs(sample, R7)
    key7, name7 = m.peer_key(at7)
    assert name7 == "同規模・同じ過疎区分"
    assert (key7 == at7["size_class"] + "・" + at7["depopulated"]).all()


# ---------------------------------------------------------------- goal_comparison

def test_goal_comparison_hand_case():
    scores, attrs = _tiny()
    c = m.goal_comparison(scores, attrs, entity="甲町", fiscal_year=R7)
    peers = "同規模・同じ過疎区分（人口1万人未満・全部過疎）"
    assert c.attrs["groups"] == {"全国": 3, "北海道内": 2, peers: 2}
    assert c[["grant", "parent"]].values.tolist() == [["推進", "目標Ⅰ"], ["支援", "目標Ⅰ"], ["共通", "目標Ⅳ"],
                                                      ["推進", "合計"], ["支援", "合計"]]
    # rates: 推進 目標Ⅰ 甲 10/30 乙 25/30 丙 20/30; 支援 目標Ⅰ 5/20 20/20 15/20; 目標Ⅳ 30/30 0/30 15/30;
    # 推進 合計 40/60 25/60 35/60; 支援 合計 35/50 20/50 30/50. 北海道 = 甲 + 乙 = the peers here.
    assert c["rate"].tolist() == pytest.approx([1 / 3, 1 / 4, 1.0, 2 / 3, 0.7])
    assert c["mean_rate_全国"].tolist() == pytest.approx([55 / 90, 2 / 3, 0.5, 100 / 180, 85 / 150])
    assert c["mean_rate_北海道内"].tolist() == pytest.approx([35 / 60, 0.625, 0.5, 65 / 120, 0.55])
    assert c[f"mean_rate_{peers}"].tolist() == c["mean_rate_北海道内"].tolist()
    alone = m.goal_comparison(scores, attrs, entity="丙村", fiscal_year=R7)
    assert alone.attrs["groups"] == {"全国": 3, "青森県内": 1, "同規模・同じ過疎区分（人口1万人未満・非過疎）": 1}
    assert (alone["mean_rate_青森県内"] == alone["rate"]).all()


@pytest.mark.parametrize("entity", ["つばきの森市", "020011"])
def test_goal_comparison_means_recomputed(sample, entity):
    c = m.goal_comparison(sample.scores, sample.attributes, entity=entity, fiscal_year="R7")
    code = c.attrs["entity_code"]
    at = _attrs(sample, R7)
    sums = _leaf_sums(sample.scores, R7)
    totals = _leaf_sums(sample.scores, R7, by=("grant",)).assign(parent="合計").set_index("parent", append=True)
    both = pd.concat([sums, totals])
    rates = (both["score"] / both["max_score"]).unstack(["grant", "parent"])
    # 目標Ⅳ once, as 共通, equal in both grants; grant rows otherwise
    assert (c.loc[c["parent"] == "目標Ⅳ", "grant"] == "共通").all() and (c["parent"] == "目標Ⅳ").sum() == 1
    assert (rates[("推進", "目標Ⅳ")] == rates[("支援", "目標Ⅳ")]).all()
    assert set(c.loc[c["parent"] != "目標Ⅳ", "grant"]) == set(GRANTS)
    assert c["parent"].iloc[-1] == "合計" and len(c) == 3 * 2 + 1 + 2
    same_size = (at["size_class"] == at.at[code, "size_class"]) & (at["depopulated"] == at.at[code, "depopulated"])
    groups = {"全国": at.index, f"{at.at[code, 'prefecture']}内": at.index[at["prefecture"] == at.at[code, "prefecture"]],
              f"同規模・同じ過疎区分（{at.at[code, 'size_class']}・{at.at[code, 'depopulated']}）": at.index[same_size]}
    assert c.attrs["groups"] == {k: len(v) for k, v in groups.items()}
    for _, row in c.iterrows():
        column = ("推進" if row["grant"] == "共通" else row["grant"], row["parent"])
        assert row["rate"] == pytest.approx(rates.at[code, column])
        assert 0 <= row["rate"] <= 1
        for label, members in groups.items():
            assert row[f"mean_rate_{label}"] == pytest.approx(rates.loc[members, column].mean()), (label, column)
    # the national mean per 目標 is the one printed in the workbook's statistics rows
    pub = _published(sample, R7, "subtotal").set_index(["grant", "parent"])["mean_rate"]
    for _, row in c[c["parent"] != "合計"].iterrows():
        key = ("推進" if row["grant"] == "共通" else row["grant"], row["parent"])
        assert row["mean_rate_全国"] == pytest.approx(pub.loc[key], abs=6e-5)


# ---------------------------------------------------------------- peer_table

def test_peer_table_hand_case_and_ties():
    scores, attrs = _tiny()
    p = m.peer_table(scores, attrs, entity="丙村", fiscal_year=R7).set_index(["grant", "comparison"])
    # 支援 totals 甲 35, 乙 20, 丙 30: 丙 second of 3 nationally, alone in 青森県
    row = p.loc[("支援", "全国")]
    assert (row["n"], row["rank"], row["percentile"]) == (3, 2, 50.0)
    assert row["mean_rate"] == pytest.approx(85 / 150) and row["diff_pt"] == pytest.approx((0.6 - 85 / 150) * 100)
    row = p.loc[("支援", "青森県内")]
    assert (row["n"], row["rank"], row["percentile"], row["diff_pt"]) == (1, 1, 100.0, 0.0)
    assert p.loc[("推進", "全国"), "rank"] == 2  # 推進 40, 25, 35
    # 丙 scores 5 more in 支援 2ア: 35 like 甲 — a tie shares the best rank, 乙 is third
    scores, attrs = _tiny(丙村=[0, 20, 15, 15, 5, 15])
    for name, rank, pct in (("甲町", 1, 100.0), ("丙村", 1, 100.0), ("乙町", 3, 0.0)):
        p = m.peer_table(scores, attrs, entity=name, fiscal_year=R7).set_index(["grant", "comparison"])
        assert (p.loc[("支援", "全国"), "rank"], p.loc[("支援", "全国"), "percentile"]) == (rank, pct), name
    # the percentile is the share of the other towns not scoring higher (the notebook says so): 乙 ties 丙 at
    # 30 in 支援 below 甲 35 → for each, 1 of the 2 others (the tied one) is not higher: 50, not 0
    scores, attrs = _tiny(乙町=[5, 20, 10, 15, 5, 10])
    for name in ("乙町", "丙村"):
        p = m.peer_table(scores, attrs, entity=name, fiscal_year=R7).set_index(["grant", "comparison"])
        assert (p.loc[("支援", "全国"), "rank"], p.loc[("支援", "全国"), "percentile"]) == (2, 50.0), name


@pytest.mark.parametrize(("entity", "year"), [("青森県ゆうひさき町", R7), ("010031", R6)])
def test_peer_table_ranks_agree_with_rank_among(sample, entity, year):
    p = m.peer_table(sample.scores, sample.attributes, entity=entity, fiscal_year=year)
    code = p.attrs["entity_code"]
    at = _attrs(sample, year)
    peer = at["depopulated"] if year == R6 else at["size_class"] + "・" + at["depopulated"]
    peer_name = "同じ過疎区分" if year == R6 else "同規模・同じ過疎区分"
    totals = _leaf_sums(sample.scores, year, by=("grant",))
    rate = (totals["score"] / totals["max_score"]).unstack("grant")
    groups = [("全国", None, at.index),
              (f"{at.at[code, 'prefecture']}内", "prefecture", at.index[at["prefecture"] == at.at[code, "prefecture"]]),
              (f"{peer_name}（{peer[code]}）", peer, at.index[peer == peer[code]])]
    assert p[["grant", "comparison"]].values.tolist() == [[g, label] for g in GRANTS for label, _, _ in groups]
    for (_, row), (label, within, members) in zip(p.iterrows(), groups * 2):
        leaves = sample.scores_of(year)
        ref = rank_among(leaves[leaves["grant"] == row["grant"]], entity=code, fiscal_year=year, grant=row["grant"],
                         attributes=at.reset_index(), within=within).iloc[0]
        assert (row["rank"], row["n"]) == (ref["rank"], ref["n"]), label
        assert row["percentile"] == pytest.approx(ref["percentile"]) and 0 <= row["percentile"] <= 100
        assert row["n"] == len(members)
        assert row["rank"] == 1 + int((rate.loc[members, row["grant"]] > rate.at[code, row["grant"]]).sum())
        assert row["entity_rate"] == pytest.approx(rate.at[code, row["grant"]])
        assert row["mean_rate"] == pytest.approx(rate.loc[members, row["grant"]].mean())
        assert row["diff_pt"] == pytest.approx((row["entity_rate"] - row["mean_rate"]) * 100)


# ---------------------------------------------------------------- zero_items

def test_zero_items_hand_case():
    scores, _ = _tiny()
    # 甲: 0 in 推進 2ア (乙, 丙 scored: 2/3) and 支援 1ア (2/3); by 配点 20 before 15
    z = m.zero_items(scores, entity="甲町", fiscal_year=R7)
    assert z[["grant", "indicator", "max_score"]].values.tolist() == [["推進", "2ア", 20.0], ["支援", "1ア", 15.0]]
    assert z["share_scored"].tolist() == pytest.approx([2 / 3, 2 / 3])
    # 乙: 0 in 目標Ⅳ Ⅳ1, which counts in both grants: listed once as 共通
    z = m.zero_items(scores, entity="乙町", fiscal_year=R7)
    assert z[["grant", "parent", "group", "indicator", "max_score"]].values.tolist() == [
        ["共通", "目標Ⅳ", "成果", "Ⅳ1", 30.0]]
    assert m.zero_items(scores, entity="甲町", fiscal_year=R7, min_share=0.7).empty  # 2/3 < 0.7


@pytest.mark.parametrize("min_share", [0.5, 0.8])
@pytest.mark.parametrize("entity", ["つばきの森市", "020011", "ふたば市"])
def test_zero_items_are_exactly_the_scored_elsewhere_zeros(sample, entity, min_share):
    z = m.zero_items(sample.scores, entity=entity, fiscal_year="R7", min_share=min_share)
    code = m.goal_table(sample.scores, entity=entity, fiscal_year="R7").attrs["entity_code"]
    rows = sample.scores_of(R7)
    share = rows.assign(scored=rows["score"] > 0).groupby(["grant", "indicator"])["scored"].mean()
    mine = rows[rows["entity_code"] == code].set_index(["grant", "indicator"])
    wanted = {(("共通" if mine.at[k, "parent"] == "目標Ⅳ" else k[0]), k[1]) for k in mine.index
              if mine.at[k, "score"] == 0 and share[k] >= min_share}
    assert set(zip(z["grant"], z["indicator"])) == wanted and len(z) == len(wanted)
    for _, row in z.iterrows():
        key = ("推進" if row["grant"] == "共通" else row["grant"], row["indicator"])
        assert mine.at[key, "score"] == 0 and row["share_scored"] == pytest.approx(share[key])
        assert share[key] >= min_share
        assert row["max_score"] == mine.at[key, "max_score"]
        assert (row["grant"] == "共通") == (row["parent"] == "目標Ⅳ")
    order = list(zip(-z["max_score"], -z["share_scored"]))
    assert order == sorted(order)  # 配点 desc, then share desc


# ---------------------------------------------------------------- year_change

@pytest.mark.parametrize("which", ["sample", "synth"])
def test_year_change_same_scale(sample, synth, which):
    data = sample if which == "sample" else synth[1]
    scores = data.scores
    code = _attrs(data, R7).index[40]
    y = m.year_change(scores, entity=code, base="R6", target="R7")
    assert y.attrs["scale_changed"] is False and not y["scale_changed"].any()
    assert (y.attrs["entity_code"], y.attrs["base"], y.attrs["target"]) == (code, R6, R7)
    assert y[["grant", "parent"]].values.tolist() == [[g, p] for p in ("目標Ⅰ", "目標Ⅱ", "目標Ⅲ") for g in GRANTS] + \
        [["共通", "目標Ⅳ"], ["推進", "合計"], ["支援", "合計"]]
    tables = {yr: m.goal_table(scores, entity=code, fiscal_year=yr) for yr in ("R6", "R7")}
    national = {yr: (lambda s: (s["score"] / s["max_score"]).groupby(level=["grant", "parent"]).mean())(
        _leaf_sums(scores, yr)) for yr in (R6, R7)}
    for _, row in y.iterrows():
        grant = "推進" if row["grant"] == "共通" else row["grant"]
        sub = {yr: t[(t["parent"] == row["parent"]) & (t["group"] == ("合計" if row["parent"] == "合計" else ""))].iloc[0]
               for yr, t in tables.items()}
        assert row["rate_base"] == pytest.approx(sub["R6"][f"rate_{grant}"])
        assert row["rate_target"] == pytest.approx(sub["R7"][f"rate_{grant}"])
        assert row["rate_change_pt"] == pytest.approx((sub["R7"][f"rate_{grant}"] - sub["R6"][f"rate_{grant}"]) * 100)
        assert row["score_change"] == pytest.approx(sub["R7"][f"score_{grant}"] - sub["R6"][f"score_{grant}"])
        if row["parent"] != "合計":
            assert row["national_rate_base"] == pytest.approx(national[R6][(grant, row["parent"])])
            assert row["national_rate_target"] == pytest.approx(national[R7][(grant, row["parent"])])
    at6, at7 = _attrs(data, R6).loc[code], _attrs(data, R7).loc[code]
    for grant in GRANTS:  # against the published totals of both files
        total = y[(y["parent"] == "合計") & (y["grant"] == grant)].iloc[0]
        assert total["score_change"] == pytest.approx(at7[f"score_{grant}"] - at6[f"score_{grant}"])


def test_year_change_r5_to_r6_compares_rates_only(synth):
    _, data = synth
    code = _attrs(data, R6).index[3]
    y = m.year_change(data.scores, entity=code, base=R5, target=R6)
    assert y.attrs["scale_changed"] is True and y["scale_changed"].all()
    assert y["score_change"].isna().all()  # points of another 配点 are not compared
    old = y[y["max_target"].isna()]
    new = y[y["max_base"].isna()]
    assert set(old["parent"]) == set(_published(data, R5, "subtotal")["parent"]) and len(old) == 6
    assert set(new["parent"]) == {"目標Ⅰ", "目標Ⅱ", "目標Ⅲ", "目標Ⅳ"} and (new["grant"] == "共通").sum() == 1
    pub5 = _published(data, R5, "total").set_index("grant")["max_score"]
    for grant in GRANTS:
        total = y[(y["parent"] == "合計") & (y["grant"] == grant)].iloc[0]
        before = _attrs(data, R5).at[code, f"score_{grant}"] / pub5[grant]
        after = _attrs(data, R6).at[code, f"score_{grant}"] / 400
        assert total["rate_base"] == pytest.approx(before) and total["rate_target"] == pytest.approx(after)
        assert total["rate_change_pt"] == pytest.approx((after - before) * 100)


# ---------------------------------------------------------------- outcome_track

def test_outcome_track_over_the_years(synth):
    _, data = synth
    code = _attrs(data, R7).index[11]
    track = m.outcome_track(data.scores, entity=code)
    assert track["fiscal_year"].tolist() == [R6, R7]  # R5 has no 目標Ⅳ
    s = data.scores[data.scores["parent"] == "目標Ⅳ"]
    for _, row in track.iterrows():
        year = s[s["fiscal_year"] == row["fiscal_year"]]
        per = year.groupby(["grant", "entity_code"])[["score", "max_score"]].sum()
        assert row["score"] == per.loc[("推進", code), "score"] == per.loc[("支援", code), "score"]
        assert row["max_score"] == 100 and row["rate"] == pytest.approx(row["score"] / 100)
        pub = _published(data, int(row["fiscal_year"]), "subtotal").set_index(["grant", "parent"])
        assert row["national_mean_rate"] == pytest.approx((per.loc["推進", "score"] / 100).mean())
        assert row["national_mean_rate"] == pytest.approx(pub.loc[("推進", "目標Ⅳ"), "mean_rate"], abs=6e-5)


# ---------------------------------------------------------------- municipal_grant

TINY_BUDGET = {"推進": 1_000_000, "支援": 500_000}


def test_municipal_grant_hand_case():
    scores, attrs = _tiny()
    z = m.zero_items(scores, entity="甲町", fiscal_year=R7)  # 推進 2ア (20), 支援 1ア (15)
    g = m.municipal_grant(scores, attrs, TINY_BUDGET, entity="甲町", fiscal_year=R7, zero=z).set_index("grant")
    # 推進: weights score×n = 40×1000, 25×2000, 35×3000 = 40,000 + 50,000 + 105,000 = 195,000
    #   甲 1,000,000 × 40,000 / 195,000 = 205,128.2 円 → 205 千円; one more point: × 41,000 / 196,000 = 209,183.7
    #   what-if +20: × 60,000 / 215,000 = 279,069.8 → 279 千円
    # 支援: 35×1000 + 20×2000 + 30×3000 = 165,000; 甲 500,000 × 35,000 / 165,000 = 106,060.6 → 106 千円
    #   one more point: × 36,000 / 166,000 = 108,433.7; what-if +15: × 50,000 / 180,000 = 138,888.9 → 138 千円
    got = g.loc["推進", ["score", "first_insured", "budget_yen", "basis_thousand_yen"]].tolist()
    assert got == [40, 1000, 1_000_000, 205]
    assert g.loc["推進", "yen_per_first_insured"] == pytest.approx(205.128)
    assert g.loc["推進", "one_point_yen"] == 209_183 - 205_128
    assert g.loc["推進", ["whatif_points", "whatif_thousand_yen", "whatif_gain_thousand_yen"]].tolist() == [20, 279, 74]
    assert g.loc["支援", "basis_thousand_yen"] == 106 and g.loc["支援", "one_point_yen"] == 108_433 - 106_060
    assert g.loc["支援", ["whatif_points", "whatif_thousand_yen", "whatif_gain_thousand_yen"]].tolist() == [15, 138, 32]
    # 乙 lacks the 目標Ⅳ item (共通, 30 points): it counts in both grants
    z = m.zero_items(scores, entity="乙町", fiscal_year=R7)
    g = m.municipal_grant(scores, attrs, TINY_BUDGET, entity="乙町", fiscal_year=R7, zero=z).set_index("grant")
    assert g["whatif_points"].tolist() == [30, 30]
    # 推進 乙 55×2000 = 110,000 of 255,000: 431,372.5 → 431 千円 (now 50,000 / 195,000: 256,410.3 → 256)
    assert g.loc["推進", ["basis_thousand_yen", "whatif_thousand_yen"]].tolist() == [256, 431]
    # all three 基準額 together: 205 + 256 + 538 = 999 千円 of 1,000; 106 + 121 + 272 = 499 of 500
    each = [m.municipal_grant(scores, attrs, TINY_BUDGET, entity=n, fiscal_year=R7).set_index("grant")
            for n in ("甲町", "乙町", "丙村")]
    assert [e.at["推進", "basis_thousand_yen"] for e in each] == [205, 256, 538]
    assert [e.at["支援", "basis_thousand_yen"] for e in each] == [106, 121, 272]


def test_municipal_grant_whole_table(synth):
    """Every municipality of a synthetic R7 file: 基準額 by integer arithmetic, their sum against the budget."""
    _, data = synth
    budgets = {"推進": 987_654_321, "支援": 1_234_567_890}
    at = _attrs(data, R7)
    n = at["first_insured"].astype(int)
    totals = _leaf_sums(data.scores, R7, by=("grant",))["score"].unstack("grant")
    # synthetic scores are multiples of 1/8 point: weights in eighths are exact integers
    weight = {g: {c: round(totals.at[c, g] * 8) * int(n[c]) for c in at.index} for g in GRANTS}
    whole = {g: sum(w.values()) for g, w in weight.items()}
    basis = {g: 0 for g in GRANTS}
    for code in at.index:
        zero = m.zero_items(data.scores, entity=code, fiscal_year=R7)
        out = m.municipal_grant(data.scores, data.attributes, budgets, entity=code, fiscal_year=R7,
                                zero=zero).set_index("grant")
        for grant, budget in budgets.items():
            row, w, W = out.loc[grant], weight[grant][code], whole[grant]
            assert row["basis_thousand_yen"] == budget * w // W // 1000
            basis[grant] += int(row["basis_thousand_yen"])
            assert row["yen_per_first_insured"] == pytest.approx((budget * w // W) / n[code])  # 円 floored, per person
            # one more point: +8 eighths × n, everyone else unchanged
            exact = budget * (w + 8 * n[code]) // (W + 8 * n[code]) - budget * w // W
            assert row["one_point_yen"] == exact > 0
            # ≈ budget × n / Σ score·n, a little less: the point also raises the denominator
            # (exactly budget·n·(W − w) / (W·(W + 8n)) per point, W and w in eighths)
            rough = budget * n[code] / (W / 8)
            assert -1 <= rough - row["one_point_yen"] <= rough * (w + 8 * n[code]) / W + 1  # ±1: yen floored
            # the zero items: their 配点 in this grant plus the 共通 (目標Ⅳ) ones
            points = zero.loc[zero["grant"].isin([grant, "共通"]), "max_score"].sum()
            assert row["whatif_points"] == points
            more = round(points * 8) * n[code]
            assert row["whatif_thousand_yen"] == budget * (w + more) // (W + more) // 1000
            assert row["whatif_gain_thousand_yen"] == row["whatif_thousand_yen"] - row["basis_thousand_yen"] >= 0
    for grant, budget in budgets.items():
        short = budget - basis[grant] * 1000
        assert 0 <= short < len(at) * 1000  # each municipality loses less than 1 千円 to truncation


def test_municipal_grant_without_items_to_add(sample):
    budgets = dict(zip(*sample.budgets("R7")[["grant", "budget_yen"]].T.values))
    empty = m.zero_items(sample.scores, entity="つばきの森市", fiscal_year="R7", min_share=1.0)  # 0 点の自分がいる
    assert empty.empty
    for zero in (None, empty):
        g = m.municipal_grant(sample.scores, sample.attributes, budgets, entity="つばきの森市", fiscal_year="R7",
                              zero=zero)
        assert (g["whatif_points"] == 0).all() and (g["whatif_gain_thousand_yen"] == 0).all()
        assert (g["whatif_thousand_yen"] == g["basis_thousand_yen"]).all()
        assert "plan_thousand_yen" not in g.columns
    assert g["grant"].tolist() == list(GRANTS) and (g["one_point_yen"] > 0).all()


def test_municipal_grant_refuses_budgets_that_leave_out_or_misname_a_grant():
    """A budget for 推進 alone used to give the 推進 row alone, silently; a misspelt grant was skipped."""
    scores, attrs = _tiny()
    with pytest.raises(UnknownSelectionError, match=r"交付金「支援」の予算額がありません.*得点のある交付金: 推進、支援"):
        m.municipal_grant(scores, attrs, {"推進": 1_000_000}, entity="甲町", fiscal_year=R7)
    with pytest.raises(UnknownSelectionError, match=r"交付金「支援x」は得点の表にありません.*ある交付金: 推進、支援"):
        m.municipal_grant(scores, attrs, {**TINY_BUDGET, "支援x": 1}, entity="甲町", fiscal_year=R7)
    with pytest.raises(UnknownSelectionError, match="予算額（budgets）が指定されていません"):
        m.municipal_grant(scores, attrs, {}, entity="甲町", fiscal_year=R7)
    # a grant scored by others but not by this town: said, not skipped
    only = scores[~((scores["entity"] == "丙村") & (scores["grant"] == "支援"))]
    with pytest.raises(UnknownSelectionError, match=r"丙村には令和7年度の交付金「支援」の得点がありません"):
        m.municipal_grant(only, attrs, TINY_BUDGET, entity="丙村", fiscal_year=R7)


@pytest.mark.parametrize("min_share", [-0.1, 1.01, float("nan"), "半分"])
def test_zero_items_refuses_a_share_outside_0_to_1(min_share):
    scores, _ = _tiny()
    with pytest.raises(GrantkitError, match="0 から 1 の数で指定してください"):
        m.zero_items(scores, entity="甲町", fiscal_year=R7, min_share=min_share)


@pytest.mark.parametrize("entity", ["つばきの森市", "青森県ゆうひさき町"])
def test_municipal_grant_r6_reproduces_the_published_amount(sample, entity):
    """With the bundled 架空 budget the formula gives the 交付見込額（案） printed in the R6 sample."""
    budgets = sample.budgets("R6")
    g = m.municipal_grant(sample.scores, sample.attributes, dict(zip(budgets["grant"], budgets["budget_yen"])),
                          entity=entity, fiscal_year="R6", amounts=sample.amounts_of("R6")).set_index("grant")
    code = g.attrs["entity_code"]
    amounts = sample.amounts[(sample.amounts["fiscal_year"] == R6) & (sample.amounts["entity_code"] == code)]
    for grant in GRANTS:
        published = amounts[amounts["grant"] == grant].iloc[0]
        assert g.at[grant, "plan_thousand_yen"] == published["plan_thousand_yen"] == g.at[grant, "basis_thousand_yen"]
        assert g.at[grant, "final_thousand_yen"] == published["final_thousand_yen"]
        assert g.at[grant, "score"] == pytest.approx(_attrs(sample, R6).at[code, f"score_{grant}"])


# ---------------------------------------------------------------- MunicipalData

def test_loading_samples(sample):
    assert sample.years == [R6, R7] and sample.fictitious
    assert sample.files == ["mhlw_sample_R6.xlsx", "mhlw_sample_R7.xlsx"]
    assert sorted(sample.attributes["fiscal_year"].unique()) == [R6, R7]
    assert sample.amounts_of("R7") is None and len(sample.amounts_of("R6")) == 600
    assert "架空データ" in sample.source_note and any("budgets_synthetic.csv" in s for s in sample.sources)
    assert (sample.previous_year("R7"), sample.previous_year("令和7年度"), sample.previous_year(2025)) == (R6, R6, R6)
    assert sample.previous_year("R6") is None and sample.previous_year("R8") == R7


def test_describe_says_who_unambiguously(sample):
    assert sample.describe("つばきの森市") == "北海道 つばきの森市（保険者番号 010010）"
    assert sample.describe("010031") == "北海道 ゆうひさき町（保険者番号 010031）"
    assert sample.describe("青森県ゆうひさき町") == "青森県 ゆうひさき町（保険者番号 020011）"
    with pytest.raises(UnknownSelectionError, match="020011"):
        sample.describe("ゆうひさき町")


def test_budgets_from_the_file(sample):
    for year in ("R6", "R7"):
        b = sample.budgets(year).set_index("grant")
        assert list(b.index) == list(GRANTS)
        for grant in GRANTS:
            assert b.at[grant, "budget_yen"] == synthetic_budget(grant, 300)
            assert not b.at[grant, "verified"] and "架空" in b.at[grant, "source"]


def test_budgets_without_a_file(synth):
    paths, data = synth
    assert data.budget_rows is None
    b = data.budgets("R6").set_index("grant")
    amounts = data.amounts[data.amounts["fiscal_year"] == R6]
    at = data.attributes_of("R6")
    allocated = national_allocation(grant_scores(at), at, b["budget_yen"].to_dict())
    for grant in GRANTS:
        total = int(amounts.loc[amounts["grant"] == grant, "plan_thousand_yen"].sum()) * 1000
        implied = b.at[grant, "budget_yen"]
        assert not b.at[grant, "verified"] and "すべて再現する最小の額として逆算" in b.at[grant, "source"]
        # the synthetic amounts come from synthetic_budget; the sum of truncated amounts is short of it, the
        # implied budget is not above it and gives back every published amount
        assert total <= implied <= synthetic_budget(grant, N_SYNTH) < total + N_SYNTH * 1000
        mine = allocated[allocated["grant"] == grant].merge(amounts[amounts["grant"] == grant], on="entity_code")
        assert len(mine) == N_SYNTH and mine["basis_thousand_yen"].eq(mine["plan_thousand_yen"]).all()
    for year in ("R5", "R7"):
        with pytest.raises(UnknownSelectionError) as exc:
            data.budgets(year)
        assert "--budgets" in str(exc.value) and "予算額がわかりません" in str(exc.value)
    # a budgets file without 市町村 rows for the year (the bundled budgets.csv has 合計 rows only) changes nothing
    own = load_municipal_data([paths["R6"], paths["R7"]], example_path("budgets.csv"))
    assert own.budgets("R6")["budget_yen"].tolist() == b["budget_yen"].tolist()
    with pytest.raises(UnknownSelectionError, match="令和7年度の市町村分の予算額がわかりません"):
        own.budgets("R7")



def test_budgets_for_one_grant_only_is_an_error(synth, tmp_path):
    """A budgets file with the 推進 row only: the report must not show 推進's money and silently drop 支援's."""
    paths, _ = synth
    one = tmp_path / "budgets.csv"
    one.write_text("fiscal_year,grant,level,budget_yen,verified,source,note\n"
                   "R7,推進,市町村,1000000000,false,手入力,\n", encoding="utf-8")
    data = load_municipal_data([paths["R6"], paths["R7"]], one)
    with pytest.raises(UnknownSelectionError, match=r"令和7年度の市町村分の予算額がわかりません（支援）"):
        data.budgets("R7")
    # R6 has no 市町村 rows in the file: both grants come from the published amounts, as before
    assert data.budgets("R6")["grant"].tolist() == list(GRANTS)

def test_loading_refuses_two_files_of_one_year(synth, tmp_path):
    paths, _ = synth
    copy = tmp_path / "again.xlsx"
    copy.write_bytes(Path(paths["R7"]).read_bytes())
    with pytest.raises(GrantkitError, match="同じ年度のファイルが複数あります（令和7年度）"):
        load_municipal_data([paths["R6"], paths["R7"], copy])
    with pytest.raises(GrantkitError, match="1つ以上"):
        load_municipal_data([])
    one = load_municipal_data(str(paths["R7"]))  # a single path is fine
    assert one.years == [R7] and one.amounts is None and one.fictitious


def test_check_municipal_selection(sample, synth):
    assert check_municipal_selection(sample, entity="つばきの森市", year="R7") == "つばきの森市"
    assert check_municipal_selection(sample, entity="020011", year="R6") == "ゆうひさき町"
    assert check_municipal_selection(sample, entity="青森県ゆうひさき町", year="R7") == "ゆうひさき町"
    with pytest.raises(UnknownSelectionError) as exc:
        check_municipal_selection(sample, entity="ゆうひさき町", year="R7")
    assert "ゆうひさき町（北海道、010031）" in str(exc.value) and "ゆうひさき町（青森県、020011）" in str(exc.value)
    with pytest.raises(UnknownSelectionError) as exc:
        check_municipal_selection(sample, entity="つばきの森市", year="R5")
    assert "令和5年度の評価結果がありません" in str(exc.value) and "ある年度: 令和6年度、令和7年度" in str(exc.value)
    with pytest.raises(UnknownSelectionError, match="存在しない町"):
        check_municipal_selection(sample, entity="存在しない町", year="R7")
    _, data = synth  # no budgets file, R7 publishes no amounts: the budget is unknown, which is no error
    code = _attrs(data, R7).index[0]
    assert check_municipal_selection(data, entity=code, year="R7")
    gap = data.budget_gap("R7", code)  # what the report's 基準額 section says instead
    assert "令和7年度の市町村分の予算額がわかりません（推進・支援）" in gap and "--budgets" in gap
    assert f"--entity {code} --year R7" in gap and "\nR7,推進,市町村,<予算額（円）>,false," in gap


def test_bundled_synthetic_budgets_file():
    with open(example_path("budgets_synthetic.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {(r["fiscal_year"], r["grant"]) for r in rows} == {(y, g) for y in ("R6", "R7") for g in GRANTS}
    for r in rows:
        assert int(r["budget_yen"]) == synthetic_budget(r["grant"], 300), r
        assert r["level"] == "市町村" and r["verified"] == "false" and "架空" in r["source"]


# ---------------------------------------------------------------- command line

@pytest.fixture
def municipal_calls(monkeypatch, tmp_path):
    """Record what ``main`` asks ``run_municipal_report`` for, without running a kernel."""
    seen: list[dict] = []

    def fake(**kwargs):
        seen.append(kwargs)
        return tmp_path / "done"

    monkeypatch.setattr("grantkit.municipal_report.run_municipal_report", fake)
    return seen


def test_cli_municipal_bundled_defaults(municipal_calls, capsys):
    assert main(["report", "--level", "市町村", "--entity", "青森県ゆうひさき町", "--year", "R7"]) == 0
    (kw,) = municipal_calls
    assert (kw["entity"], kw["year"], str(kw["out"])) == ("青森県ゆうひさき町", "R7", "reports")
    assert kw["data"] == [str(example_path("mhlw_sample_R6.xlsx")), str(example_path("mhlw_sample_R7.xlsx"))]
    assert kw["budgets"] == str(example_path("budgets_synthetic.csv"))
    assert set(kw) == {"entity", "year", "out", "data", "budgets"}
    assert capsys.readouterr().out.strip().endswith("done")


def test_cli_municipal_own_data(municipal_calls, tmp_path):
    assert main(["report", "--level", "市町村", "--entity", "020011", "--year", "令和7年度", "--data", "r6.xlsx",
                 "--data", "r7.xlsx", "--out", str(tmp_path)]) == 0
    assert main(["report", "--level", "市町村", "--entity", "020011", "--year", "R7", "--data", "r7.xlsx",
                 "--budgets", "mine.csv"]) == 0
    assert main(["report", "--level", "市町村", "--entity", "020011", "--year", "R7", "--budgets", "mine.csv"]) == 0
    own, own_budgets, bundled_data = municipal_calls
    assert own["data"] == ["r6.xlsx", "r7.xlsx"] and own["year"] == "令和7年度" and own["out"] == tmp_path
    assert own["budgets"] == str(example_path("budgets.csv"))  # the 架空 budgets belong to the 架空 samples only
    assert own_budgets["data"] == ["r7.xlsx"] and own_budgets["budgets"] == "mine.csv"
    assert bundled_data["budgets"] == "mine.csv" and len(bundled_data["data"]) == 2


def test_cli_municipal_error_exits_2(monkeypatch, capsys):
    def fail(**kwargs):
        raise UnknownSelectionError("団体「どこか町」はデータにありません")

    monkeypatch.setattr("grantkit.municipal_report.run_municipal_report", fail)
    assert main(["report", "--level", "市町村", "--entity", "どこか町", "--year", "R7"]) == 2
    assert "エラー: 団体「どこか町」はデータにありません" in capsys.readouterr().err


def test_attributes_of_another_year_are_refused(sample):
    only_r6 = sample.attributes[sample.attributes["fiscal_year"] == 2024]
    with pytest.raises(UnknownSelectionError, match="属性の表に令和7年度の行がありません（ある年度: 令和6年度）"):
        m.goal_comparison(sample.scores, only_r6, entity="つばきの森市", fiscal_year="R7")


def test_attributes_of_one_workbook_carry_its_year(synth):
    """load_mhlw's attributes say their 交付年度, so 得点 of R6 with 属性 of the R7 workbook are refused."""
    paths, data = synth
    r7 = load_mhlw(paths["R7"])
    assert set(r7.attributes["fiscal_year"]) == {2025}
    with pytest.raises(UnknownSelectionError, match="属性の表に令和6年度の行がありません（ある年度: 令和7年度）"):
        m.goal_comparison(data.scores, r7.attributes, entity="010010", fiscal_year="R6")


def test_what_the_user_types_is_normalised_and_a_miss_says_what_to_type(sample):
    """Full-width digits, stray spaces and codes that lost their leading zero in Excel find the municipality;
    a prefecture name or a near miss gets a message with what to type instead."""
    for typed in ("０２００１１", " 020011　", "20011", "青森県　ゆうひさき町"):
        assert sample.code(typed) == "020011", typed
    with pytest.raises(UnknownSelectionError, match="2 つあります"):
        sample.code("　ゆうひさき町 ")  # the spaces go, the name stays ambiguous
    with pytest.raises(UnknownSelectionError, match="「山口県」は都道府県名です。市町村名か保険者番号を指定してください（山口県の市町村: "):
        sample.code("山口県")
    with pytest.raises(UnknownSelectionError, match="似た名前: ゆうひさき町"):
        sample.code("ゆうひさき")


def test_a_name_taken_by_another_town_last_year_is_no_ambiguity_this_year(sample):
    from dataclasses import replace

    scores = sample.scores.copy()
    other = scores["fiscal_year"].eq(2024) & scores["entity_code"].eq("010031")  # ゆうひさき町 (北海道), R6 only
    scores.loc[other, "entity"] = "つばきの森市"
    data = replace(sample, scores=scores)
    assert data.code("つばきの森市", "R7") == "010010"
    with pytest.raises(UnknownSelectionError, match="2 つあります"):
        data.code("つばきの森市")  # across both years the name is ambiguous, and says so


def test_municipal_grant_budget_must_be_whole_yen(sample):
    at = sample.attributes_of("R7")
    for bad, says in ((float("nan"), "数値ではありません"), (None, "円の整数"), (1_000_000_000.7, "円の整数"),
                      (True, "円の整数")):  # was a raw ValueError / TypeError, or silently 1,000,000,000 and 1 円
        with pytest.raises(GrantkitError, match=says):
            m.municipal_grant(sample.scores, at, {"推進": bad, "支援": 10**9}, entity="010010", fiscal_year="R7")


def test_overall_standing_of_the_bundled_sample():
    """つばきの森市 R7 on the bundled 架空データ: the 800-point total, its national mean, the ranks and last year's
    ranks, summed and counted here from the workbooks' leaves (the figures an independent recomputation of the
    sample found: 582 of 800, mean 502.34, 92nd of 300; 推進 41st → 71st, 支援 29th → 99th, overall 34th → 92nd)."""
    per = {}
    for year in ("R6", "R7"):
        leaves = load_mhlw(example_path(f"mhlw_sample_{year}.xlsx"), level="市町村").scores
        t = leaves.groupby(["entity_code", "grant"])["score"].sum().unstack()
        t["両交付金"] = t["推進"] + t["支援"]
        per[year] = t
    data = load_municipal_data([example_path("mhlw_sample_R6.xlsx"), example_path("mhlw_sample_R7.xlsx")])
    code = data.code("つばきの森市")
    got = m.overall_standing(data.scores, entity="つばきの森市", fiscal_year="R7", previous="R6").set_index("grant")
    for grant in ("推進", "支援", "両交付金"):
        now, before = per["R7"][grant], per["R6"][grant]
        rank, prev = 1 + int((now > now[code]).sum()), 1 + int((before > before[code]).sum())
        row = got.loc[grant]
        assert (row["score"], row["national_mean"], row["rank"], row["n"]) == (
            pytest.approx(now[code]), pytest.approx(now.mean()), rank, len(now))
        assert (row["prev_rank"], row["rank_change"]) == (prev, prev - rank)
    total = got.loc["両交付金"]
    assert (total["score"], total["max_score"], total["rank"], total["n"]) == (582, 800, 92, 300)
    assert total["rate"] == pytest.approx(0.7275) and round(total["national_mean"], 2) == 502.34
    assert [got.loc[g, "prev_rank"] for g in ("推進", "支援", "両交付金")] == [41, 29, 34]
    assert [got.loc[g, "rank"] for g in ("推進", "支援", "両交付金")] == [71, 99, 92]
