"""Compute stage, municipal scores: goal totals and tables, peer groups, ranks, zero items, the change from the
previous year and the 成果指標群 track (grantkit.municipal).

Expected figures are worked out by hand on the three-town table of ``municipal_cases`` (the arithmetic is in the
comments) or recomputed here from the tidy leaves and the workbook's published columns (score_推進 / score_支援 /
total / rank, the statistics rows of the 目標 subtotals) with plain pandas — never copied from what the code
printed. Workbooks: the bundled 架空 samples (300 towns, R6 and R7) and small synthetic R5/R6/R7 files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from municipal_cases import (
    GRANTS,
    R5,
    R6,
    R7,
    attributes_in,
    leaf_sums,
    published_rows,
    tiny_table,
)

from grantkit import municipal as m
from grantkit.compare import rank_among
from grantkit.errors import UnknownSelectionError
from grantkit.examples import example_path
from grantkit.io.mhlw import load_mhlw
from grantkit.report.municipal import load_municipal_data

# ---------------------------------------------------------------- goal_totals


def test_goal_totals_hand_case():
    scores, _ = tiny_table()
    t = m.goal_totals(scores, "R7").set_index(["entity_code", "grant", "parent"])
    expected = {  # (score, 配点)
        ("010001", "推進", "目標Ⅰ"): (10, 30),
        ("010001", "推進", "目標Ⅳ"): (30, 30),
        ("010001", "推進", "合計"): (40, 60),
        ("010001", "支援", "目標Ⅰ"): (5, 20),
        ("010001", "支援", "目標Ⅳ"): (30, 30),
        ("010001", "支援", "合計"): (35, 50),
        ("010002", "推進", "合計"): (25, 60),
        ("010002", "支援", "合計"): (20, 50),
        ("020001", "推進", "目標Ⅰ"): (20, 30),
        ("020001", "支援", "合計"): (30, 50),
    }
    for key, (score, mx) in expected.items():
        assert (t.loc[key, "score"], t.loc[key, "max_score"], t.loc[key, "rate"]) == (score, mx, score / mx), key
    assert len(t) == 3 * 2 * 3  # 3 towns × 2 grants × (目標Ⅰ, 目標Ⅳ, 合計)
    assert t.loc[("020001", "推進", "目標Ⅰ"), "entity"] == "丙村"


def test_goal_totals_missing_leaf_is_skipped_not_zeroed():
    scores, _ = tiny_table()
    scores.loc[(scores["entity"] == "甲町") & (scores["indicator"] == "2ア") & (scores["grant"] == "推進"), "score"] = (
        np.nan
    )
    scores.loc[(scores["entity"] == "乙町") & (scores["parent"] == "目標Ⅳ"), "score"] = np.nan
    t = m.goal_totals(scores, R7).set_index(["entity_code", "grant", "parent"])
    assert t.loc[("010001", "推進", "目標Ⅰ"), "score"] == 10 and t.loc[("010001", "推進", "目標Ⅰ"), "max_score"] == 30
    assert np.isnan(t.loc[("010002", "推進", "目標Ⅳ"), "score"])  # every cell missing: the sum is missing
    assert t.loc[("010002", "推進", "合計"), "score"] == 25


@pytest.mark.parametrize("year", [R6, R7])
def test_goal_totals_agree_with_the_published_columns(sample, year):
    t = m.goal_totals(sample.scores, year)
    at = attributes_in(sample, year)
    assert set(t["entity_code"]) == set(at.index) and len(at) == 300
    assert t["rate"].between(0, 1).all()
    # 目標 subtotals: a plain groupby of the leaves
    leaves = leaf_sums(sample.scores, year)
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
    pub = published_rows(sample, year, "subtotal").set_index(["grant", "parent"])
    summed = goals.groupby(["grant", "parent"]).agg(
        score=("score", "sum"), max_score=("max_score", "first"), mean_rate=("rate", "mean")
    )
    assert set(summed.index) == set(pub.index)
    for key, row in summed.iterrows():
        assert row["score"] == pytest.approx(pub.loc[key, "national_sum"]), key
        assert row["max_score"] == pub.loc[key, "max_score"] == 100
        assert row["mean_rate"] == pytest.approx(pub.loc[key, "mean_rate"], abs=6e-5), key  # printed to 4 places


# ---------------------------------------------------------------- goal_table


def test_goal_table_hand_case():
    scores, _ = tiny_table()
    g = m.goal_table(scores, entity="甲町", fiscal_year=R7)
    got = g[["parent", "group", "score_推進", "max_推進", "score_支援", "max_支援", "shared"]].values.tolist()
    assert got == [
        ["目標Ⅰ", "体制・取組", 10, 10, 0, 15, False],
        ["目標Ⅰ", "活動", 0, 20, 5, 5, False],
        ["目標Ⅰ", "", 10, 30, 5, 20, False],
        ["目標Ⅳ", "成果", 30, 30, 30, 30, True],
        ["目標Ⅳ", "", 30, 30, 30, 30, True],
        ["合計", "合計", 40, 60, 35, 50, False],
    ]
    assert g["rate_推進"].tolist() == [1.0, 0.0, 1 / 3, 1.0, 1.0, 40 / 60]
    assert g.attrs["entity_code"] == "010001" and g.attrs["fiscal_year"] == R7


def test_goal_table_sums_the_leaves_and_matches_the_published_total(sample):
    s, code = sample.scores, "010010"
    g = m.goal_table(s, entity="つばきの森市", fiscal_year="R7")
    assert g.attrs["entity_code"] == code
    assert list(dict.fromkeys(g["parent"])) == ["目標Ⅰ", "目標Ⅱ", "目標Ⅲ", "目標Ⅳ", "合計"]
    at = attributes_in(sample, R7).loc[code]
    pub_total = published_rows(sample, R7, "total").set_index("grant")
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
        for _parent, part in g[g["parent"] != "合計"].groupby("parent"):
            assert part["group"].iloc[-1] == ""
            assert part[f"score_{grant}"].iloc[:-1].sum() == pytest.approx(part[f"score_{grant}"].iloc[-1])
    outcome = g[g["parent"] == "目標Ⅳ"]
    assert g["shared"].tolist() == (g["parent"] == "目標Ⅳ").tolist()
    assert (outcome["score_推進"] == outcome["score_支援"]).all() and (outcome["max_推進"] == 100).all()


def test_goal_table_before_r6_has_categories_without_groups(synth):
    _, data = synth
    code = attributes_in(data, R5).index[7]
    g = m.goal_table(data.scores, entity=code, fiscal_year="R5")
    assert (g["group"].iloc[:-1] == "").all() and g["parent"].iloc[-1] == "合計"
    pub = published_rows(data, R5, "total").set_index("grant")
    at = attributes_in(data, R5).loc[code]
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
    at = pd.DataFrame(
        {"size_class": ["小", "小", None, "大"], "depopulated": ["過疎", "非過疎", "過疎", None]},
        index=["1", "2", "3", "4"],
    )
    key, name = m.peer_key(at)
    assert name == "同規模・同じ過疎区分"
    assert key.tolist()[:2] == ["小・過疎", "小・非過疎"] and key.isna().tolist() == [False, False, True, True]
    key, name = m.peer_key(at.assign(depopulated=None))
    assert name == "同規模" and key.tolist()[:2] == ["小", "小"]
    key, name = m.peer_key(at[[]])
    assert name == "" and key.isna().all() and list(key.index) == ["1", "2", "3", "4"]


def test_peer_key_of_the_samples(sample):
    key6, name6 = m.peer_key(attributes_in(sample, R6))  # R6 has no 規模区分 column values
    assert name6 == "同じ過疎区分" and (key6 == attributes_in(sample, R6)["depopulated"]).all()
    at7 = attributes_in(sample, R7)
    key7, name7 = m.peer_key(at7)
    assert name7 == "同規模・同じ過疎区分"
    assert (key7 == at7["size_class"] + "・" + at7["depopulated"]).all()


# ---------------------------------------------------------------- goal_comparison


def test_goal_comparison_hand_case():
    scores, attrs = tiny_table()
    c = m.goal_comparison(scores, attrs, entity="甲町", fiscal_year=R7)
    peers = "同規模・同じ過疎区分（人口1万人未満・全部過疎）"
    assert c.attrs["groups"] == {"全国": 3, "北海道内": 2, peers: 2}
    assert c[["grant", "parent"]].values.tolist() == [
        ["推進", "目標Ⅰ"],
        ["支援", "目標Ⅰ"],
        ["共通", "目標Ⅳ"],
        ["推進", "合計"],
        ["支援", "合計"],
    ]
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
    at = attributes_in(sample, R7)
    sums = leaf_sums(sample.scores, R7)
    totals = leaf_sums(sample.scores, R7, by=("grant",)).assign(parent="合計").set_index("parent", append=True)
    both = pd.concat([sums, totals])
    rates = (both["score"] / both["max_score"]).unstack(["grant", "parent"])
    # 目標Ⅳ once, as 共通, equal in both grants; grant rows otherwise
    assert (c.loc[c["parent"] == "目標Ⅳ", "grant"] == "共通").all() and (c["parent"] == "目標Ⅳ").sum() == 1
    assert (rates[("推進", "目標Ⅳ")] == rates[("支援", "目標Ⅳ")]).all()
    assert set(c.loc[c["parent"] != "目標Ⅳ", "grant"]) == set(GRANTS)
    assert c["parent"].iloc[-1] == "合計" and len(c) == 3 * 2 + 1 + 2
    same_size = (at["size_class"] == at.at[code, "size_class"]) & (at["depopulated"] == at.at[code, "depopulated"])
    groups = {
        "全国": at.index,
        f"{at.at[code, 'prefecture']}内": at.index[at["prefecture"] == at.at[code, "prefecture"]],
        f"同規模・同じ過疎区分（{at.at[code, 'size_class']}・{at.at[code, 'depopulated']}）": at.index[same_size],
    }
    assert c.attrs["groups"] == {k: len(v) for k, v in groups.items()}
    for _, row in c.iterrows():
        column = ("推進" if row["grant"] == "共通" else row["grant"], row["parent"])
        assert row["rate"] == pytest.approx(rates.at[code, column])
        assert 0 <= row["rate"] <= 1
        for label, members in groups.items():
            assert row[f"mean_rate_{label}"] == pytest.approx(rates.loc[members, column].mean()), (label, column)
    # the national mean per 目標 is the one printed in the workbook's statistics rows
    pub = published_rows(sample, R7, "subtotal").set_index(["grant", "parent"])["mean_rate"]
    for _, row in c[c["parent"] != "合計"].iterrows():
        key = ("推進" if row["grant"] == "共通" else row["grant"], row["parent"])
        assert row["mean_rate_全国"] == pytest.approx(pub.loc[key], abs=6e-5)


# ---------------------------------------------------------------- peer_table


def test_peer_table_hand_case_and_ties():
    scores, attrs = tiny_table()
    p = m.peer_table(scores, attrs, entity="丙村", fiscal_year=R7).set_index(["grant", "comparison"])
    # 支援 totals 甲 35, 乙 20, 丙 30: 丙 second of 3 nationally, alone in 青森県
    row = p.loc[("支援", "全国")]
    assert (row["n"], row["rank"], row["percentile"]) == (3, 2, 50.0)
    assert row["mean_rate"] == pytest.approx(85 / 150) and row["diff_pt"] == pytest.approx((0.6 - 85 / 150) * 100)
    row = p.loc[("支援", "青森県内")]
    assert (row["n"], row["rank"], row["percentile"], row["diff_pt"]) == (1, 1, 100.0, 0.0)
    assert p.loc[("推進", "全国"), "rank"] == 2  # 推進 40, 25, 35
    # 丙 scores 5 more in 支援 2ア: 35 like 甲 — a tie shares the best rank, 乙 is third
    scores, attrs = tiny_table(丙村=[0, 20, 15, 15, 5, 15])
    for name, rank, pct in (("甲町", 1, 100.0), ("丙村", 1, 100.0), ("乙町", 3, 0.0)):
        p = m.peer_table(scores, attrs, entity=name, fiscal_year=R7).set_index(["grant", "comparison"])
        assert (p.loc[("支援", "全国"), "rank"], p.loc[("支援", "全国"), "percentile"]) == (rank, pct), name
    # the percentile is the share of the other towns not scoring higher (the notebook says so): 乙 ties 丙 at
    # 30 in 支援 below 甲 35 → for each, 1 of the 2 others (the tied one) is not higher: 50, not 0
    scores, attrs = tiny_table(乙町=[5, 20, 10, 15, 5, 10])
    for name in ("乙町", "丙村"):
        p = m.peer_table(scores, attrs, entity=name, fiscal_year=R7).set_index(["grant", "comparison"])
        assert (p.loc[("支援", "全国"), "rank"], p.loc[("支援", "全国"), "percentile"]) == (2, 50.0), name


@pytest.mark.parametrize(("entity", "year"), [("青森県ゆうひさき町", R7), ("010031", R6)])
def test_peer_table_ranks_agree_with_rank_among(sample, entity, year):
    p = m.peer_table(sample.scores, sample.attributes, entity=entity, fiscal_year=year)
    code = p.attrs["entity_code"]
    at = attributes_in(sample, year)
    peer = at["depopulated"] if year == R6 else at["size_class"] + "・" + at["depopulated"]
    peer_name = "同じ過疎区分" if year == R6 else "同規模・同じ過疎区分"
    totals = leaf_sums(sample.scores, year, by=("grant",))
    rate = (totals["score"] / totals["max_score"]).unstack("grant")
    groups = [
        ("全国", None, at.index),
        (f"{at.at[code, 'prefecture']}内", "prefecture", at.index[at["prefecture"] == at.at[code, "prefecture"]]),
        (f"{peer_name}（{peer[code]}）", peer, at.index[peer == peer[code]]),
    ]
    assert p[["grant", "comparison"]].values.tolist() == [[g, label] for g in GRANTS for label, _, _ in groups]
    for (_, row), (label, within, members) in zip(p.iterrows(), groups * 2):
        leaves = sample.scores_of(year)
        ref = rank_among(
            leaves[leaves["grant"] == row["grant"]],
            entity=code,
            fiscal_year=year,
            grant=row["grant"],
            attributes=at.reset_index(),
            within=within,
        ).iloc[0]
        assert (row["rank"], row["n"]) == (ref["rank"], ref["n"]), label
        assert row["percentile"] == pytest.approx(ref["percentile"]) and 0 <= row["percentile"] <= 100
        assert row["n"] == len(members)
        assert row["rank"] == 1 + int((rate.loc[members, row["grant"]] > rate.at[code, row["grant"]]).sum())
        assert row["entity_rate"] == pytest.approx(rate.at[code, row["grant"]])
        assert row["mean_rate"] == pytest.approx(rate.loc[members, row["grant"]].mean())
        assert row["diff_pt"] == pytest.approx((row["entity_rate"] - row["mean_rate"]) * 100)


# ---------------------------------------------------------------- zero_items


def test_zero_items_hand_case():
    scores, _ = tiny_table()
    # 甲: 0 in 推進 2ア (乙, 丙 scored: 2/3) and 支援 1ア (2/3); by 配点 20 before 15
    z = m.zero_items(scores, entity="甲町", fiscal_year=R7)
    assert z[["grant", "indicator", "max_score"]].values.tolist() == [["推進", "2ア", 20.0], ["支援", "1ア", 15.0]]
    assert z["share_scored"].tolist() == pytest.approx([2 / 3, 2 / 3])
    # 乙: 0 in 目標Ⅳ Ⅳ1, which counts in both grants: listed once as 共通
    z = m.zero_items(scores, entity="乙町", fiscal_year=R7)
    assert z[["grant", "parent", "group", "indicator", "max_score"]].values.tolist() == [
        ["共通", "目標Ⅳ", "成果", "Ⅳ1", 30.0]
    ]
    assert m.zero_items(scores, entity="甲町", fiscal_year=R7, min_share=0.7).empty  # 2/3 < 0.7


@pytest.mark.parametrize("min_share", [0.5, 0.8])
@pytest.mark.parametrize("entity", ["つばきの森市", "020011", "ふたば市"])
def test_zero_items_are_exactly_the_scored_elsewhere_zeros(sample, entity, min_share):
    z = m.zero_items(sample.scores, entity=entity, fiscal_year="R7", min_share=min_share)
    code = m.goal_table(sample.scores, entity=entity, fiscal_year="R7").attrs["entity_code"]
    rows = sample.scores_of(R7)
    share = rows.assign(scored=rows["score"] > 0).groupby(["grant", "indicator"])["scored"].mean()
    mine = rows[rows["entity_code"] == code].set_index(["grant", "indicator"])
    wanted = {
        (("共通" if mine.at[k, "parent"] == "目標Ⅳ" else k[0]), k[1])
        for k in mine.index
        if mine.at[k, "score"] == 0 and share[k] >= min_share
    }
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
    code = attributes_in(data, R7).index[40]
    y = m.year_change(scores, entity=code, base="R6", target="R7")
    assert y.attrs["scale_changed"] is False and not y["scale_changed"].any()
    assert (y.attrs["entity_code"], y.attrs["base"], y.attrs["target"]) == (code, R6, R7)
    assert y[["grant", "parent"]].values.tolist() == [[g, p] for p in ("目標Ⅰ", "目標Ⅱ", "目標Ⅲ") for g in GRANTS] + [
        ["共通", "目標Ⅳ"],
        ["推進", "合計"],
        ["支援", "合計"],
    ]
    tables = {yr: m.goal_table(scores, entity=code, fiscal_year=yr) for yr in ("R6", "R7")}
    national = {
        yr: (lambda s: (s["score"] / s["max_score"]).groupby(level=["grant", "parent"]).mean())(leaf_sums(scores, yr))
        for yr in (R6, R7)
    }
    for _, row in y.iterrows():
        grant = "推進" if row["grant"] == "共通" else row["grant"]
        sub = {
            yr: t[(t["parent"] == row["parent"]) & (t["group"] == ("合計" if row["parent"] == "合計" else ""))].iloc[0]
            for yr, t in tables.items()
        }
        assert row["rate_base"] == pytest.approx(sub["R6"][f"rate_{grant}"])
        assert row["rate_target"] == pytest.approx(sub["R7"][f"rate_{grant}"])
        assert row["rate_change_pt"] == pytest.approx((sub["R7"][f"rate_{grant}"] - sub["R6"][f"rate_{grant}"]) * 100)
        assert row["score_change"] == pytest.approx(sub["R7"][f"score_{grant}"] - sub["R6"][f"score_{grant}"])
        if row["parent"] != "合計":
            assert row["national_rate_base"] == pytest.approx(national[R6][(grant, row["parent"])])
            assert row["national_rate_target"] == pytest.approx(national[R7][(grant, row["parent"])])
    at6, at7 = attributes_in(data, R6).loc[code], attributes_in(data, R7).loc[code]
    for grant in GRANTS:  # against the published totals of both files
        total = y[(y["parent"] == "合計") & (y["grant"] == grant)].iloc[0]
        assert total["score_change"] == pytest.approx(at7[f"score_{grant}"] - at6[f"score_{grant}"])


def test_year_change_r5_to_r6_compares_rates_only(synth):
    _, data = synth
    code = attributes_in(data, R6).index[3]
    y = m.year_change(data.scores, entity=code, base=R5, target=R6)
    assert y.attrs["scale_changed"] is True and y["scale_changed"].all()
    assert y["score_change"].isna().all()  # points of another 配点 are not compared
    old = y[y["max_target"].isna()]
    new = y[y["max_base"].isna()]
    assert set(old["parent"]) == set(published_rows(data, R5, "subtotal")["parent"]) and len(old) == 6
    assert set(new["parent"]) == {"目標Ⅰ", "目標Ⅱ", "目標Ⅲ", "目標Ⅳ"} and (new["grant"] == "共通").sum() == 1
    pub5 = published_rows(data, R5, "total").set_index("grant")["max_score"]
    for grant in GRANTS:
        total = y[(y["parent"] == "合計") & (y["grant"] == grant)].iloc[0]
        before = attributes_in(data, R5).at[code, f"score_{grant}"] / pub5[grant]
        after = attributes_in(data, R6).at[code, f"score_{grant}"] / 400
        assert total["rate_base"] == pytest.approx(before) and total["rate_target"] == pytest.approx(after)
        assert total["rate_change_pt"] == pytest.approx((after - before) * 100)


# ---------------------------------------------------------------- outcome_track


def test_outcome_track_over_the_years(synth):
    _, data = synth
    code = attributes_in(data, R7).index[11]
    track = m.outcome_track(data.scores, entity=code)
    assert track["fiscal_year"].tolist() == [R6, R7]  # R5 has no 目標Ⅳ
    s = data.scores[data.scores["parent"] == "目標Ⅳ"]
    for _, row in track.iterrows():
        year = s[s["fiscal_year"] == row["fiscal_year"]]
        per = year.groupby(["grant", "entity_code"])[["score", "max_score"]].sum()
        assert row["score"] == per.loc[("推進", code), "score"] == per.loc[("支援", code), "score"]
        assert row["max_score"] == 100 and row["rate"] == pytest.approx(row["score"] / 100)
        pub = published_rows(data, int(row["fiscal_year"]), "subtotal").set_index(["grant", "parent"])
        assert row["national_mean_rate"] == pytest.approx((per.loc["推進", "score"] / 100).mean())
        assert row["national_mean_rate"] == pytest.approx(pub.loc[("推進", "目標Ⅳ"), "mean_rate"], abs=6e-5)


def test_attributes_of_another_year_are_refused(sample):
    only_r6 = sample.attributes[sample.attributes["fiscal_year"] == 2024]
    with pytest.raises(UnknownSelectionError, match="属性の表に令和7年度の行がありません（ある年度: 令和6年度）"):
        m.goal_comparison(sample.scores, only_r6, entity="つばきの森市", fiscal_year="R7")


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
            pytest.approx(now[code]),
            pytest.approx(now.mean()),
            rank,
            len(now),
        )
        assert (row["prev_rank"], row["rank_change"]) == (prev, prev - rank)
    total = got.loc["両交付金"]
    assert (total["score"], total["max_score"], total["rank"], total["n"]) == (582, 800, 92, 300)
    assert total["rate"] == pytest.approx(0.7275) and round(total["national_mean"], 2) == 502.34
    assert [got.loc[g, "prev_rank"] for g in ("推進", "支援", "両交付金")] == [41, 29, 34]
    assert [got.loc[g, "rank"] for g in ("推進", "支援", "両交付金")] == [71, 99, 92]
