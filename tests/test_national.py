"""National views: allocation for all municipalities, means by prefecture and peers, ranks via compare."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from grantkit import load_mhlw, national_allocation
from grantkit.compare import rank_among
from grantkit.errors import GrantkitError, UnknownSelectionError
from grantkit.national import (
    grant_scores,
    grant_totals,
    group_means,
    national_rates,
    peer_means,
    prefecture_means,
    size_class_bounds,
)
from grantkit.testing.synthetic import national_workbook

ATTRS = pd.DataFrame(
    {
        "entity_code": ["010001", "010002", "350001"],
        "entity": ["甲町", "乙村", "丙市"],
        "prefecture_code": ["01", "01", "35"],
        "prefecture": ["北海道", "北海道", "山口県"],
        "first_insured": [1000, 3000, 2000],
        "size_class": ["小", "小", "大"],
        "depopulated": ["過疎", "非過疎", "非過疎"],
    }
)


def tidy(scores: dict[str, list[float]], maxima: list[float]) -> pd.DataFrame:
    """A tidy table of two 推進 leaves per entity."""
    rows = []
    for code, values in scores.items():
        name = ATTRS.set_index("entity_code").loc[code, "entity"]
        for k, (v, m) in enumerate(zip(values, maxima)):
            rows.append(
                {
                    "fiscal_year": 2025,
                    "level": "市町村",
                    "grant": "推進",
                    "entity_code": code,
                    "entity": name,
                    "indicator": f"Ⅰ{k + 1}",
                    "indicator_name": "",
                    "parent": "目標Ⅰ",
                    "score": v,
                    "max_score": m,
                }
            )
    return pd.DataFrame(rows)


TABLE = tidy({"010001": [10, 20], "010002": [5, 5], "350001": [30, 10]}, [40, 40])


def test_allocation_by_hand():
    # totals 30, 10, 40; weights × 第1号被保険者数: 30,000, 30,000, 80,000 (Σ 140,000); budget 14,000,000 円
    # → 3,000,000 / 3,000,000 / 8,000,000 円; per 第1号被保険者 3,000 / 1,000 / 4,000 円
    out = national_allocation(grant_totals(TABLE), ATTRS, {"推進": 14_000_000})
    assert out["basis_yen"].tolist() == [3_000_000, 3_000_000, 8_000_000]
    assert out["basis_thousand_yen"].tolist() == [3_000, 3_000, 8_000]
    assert out["yen_per_first_insured"].tolist() == [3000.0, 1000.0, 4000.0]


def test_budgets_naming_no_grant_or_an_unknown_grant_are_refused():
    """An empty budgets mapping was pandas' 「No objects to concatenate」, a misspelt grant 「1団体だけの表です」."""
    tot = grant_totals(TABLE)
    with pytest.raises(UnknownSelectionError, match=r"予算額（budgets）が指定されていません.*ある交付金: 推進）"):
        national_allocation(tot, ATTRS, {})
    with pytest.raises(UnknownSelectionError, match=r"交付金「支援x」は得点の表にありません.*ある交付金: 推進）"):
        national_allocation(tot, ATTRS, {"推進": 14_000_000, "支援x": 1_000_000})
    # a budget for one of two grants computes that grant alone (a national view, not a report)
    both = pd.concat([tot, tot.assign(grant="支援")], ignore_index=True)
    assert national_allocation(both, ATTRS, {"支援": 14_000_000})["grant"].unique().tolist() == ["支援"]


def test_confirmed_is_capped_by_needs_and_eligibility_excludes():
    needs = pd.DataFrame(
        {"entity_code": ["010001", "010002", "350001"], "grant": "推進", "needs_thousand_yen": [2_500, 4_000, np.nan]}
    )
    out = national_allocation(grant_totals(TABLE), ATTRS, {"推進": 14_000_000}, needs=needs)
    assert out["confirmed_thousand_yen"].tolist() == [2_500, 3_000, 8_000]  # min(案, 所要見込額); no need given → 案
    only = national_allocation(
        grant_totals(TABLE), ATTRS, {"推進": 14_000_000}, eligible={"推進": ["010001", "350001"]}
    )
    # 乙村 excluded: weights 30,000 and 80,000 (Σ 110,000) share the whole budget
    assert only["basis_yen"].tolist() == [14_000_000 * 30 // 110, 0, 14_000_000 * 80 // 110]


def test_prefecture_and_peer_means_by_hand():
    tot = grant_totals(TABLE)  # rates 30/80, 10/80, 40/80
    pm = prefecture_means(tot, ATTRS).set_index("prefecture_code")
    assert pm.loc["01", "n"] == 2 and pm.loc["01", "mean_rate"] == pytest.approx((30 / 80 + 10 / 80) / 2)
    assert pm.loc["35", "mean_score"] == 40
    peers = peer_means(tot, ATTRS).set_index(["size_class", "depopulated"])
    assert peers.loc[("小", "過疎"), "n"] == 1 and peers.loc[("大", "非過疎"), "mean_rate"] == pytest.approx(0.5)
    assert national_rates(tot, grant="推進").to_dict() == {"010001": 30 / 80, "010002": 10 / 80, "350001": 0.5}


@pytest.fixture(scope="module")
def r7(tmp_path_factory):
    path = national_workbook(tmp_path_factory.mktemp("nat") / "r7.xlsx", "R7", "市町村", n_municipalities=120)
    return load_mhlw(path)


def test_allocation_of_all_municipalities_sums_to_budget(r7):
    budgets = {"推進": 1_000_000_000, "支援": 2_000_000_000}
    out = national_allocation(grant_scores(r7.attributes), r7.attributes, budgets)
    for grant, budget in budgets.items():
        part = out[out["grant"] == grant]
        assert len(part) == 120
        assert budget - 120 * 1000 < part["basis_thousand_yen"].sum() * 1000 <= budget  # truncated to 千円
        assert budget - 120 < part["basis_yen"].sum() <= budget


def test_published_totals_equal_leaf_totals(r7):
    from_leaves = grant_totals(r7.scores).set_index(["grant", "entity_code"])["score"]
    published = grant_scores(r7.attributes).set_index(["grant", "entity_code"])["score"]
    assert np.allclose(from_leaves.loc[published.index], published)


def test_prefecture_means_against_numpy(r7):
    tot = grant_totals(r7.scores)
    pm = prefecture_means(tot, r7.attributes)
    a = r7.attributes
    for code in ("01", "35"):
        members = a.loc[a["prefecture_code"] == code, "entity_code"]
        rates = a.set_index("entity_code").loc[members, "score_支援"] / 400
        got = pm[(pm["grant"] == "支援") & (pm["prefecture_code"] == code)].iloc[0]
        assert got["n"] == len(members) and got["mean_rate"] == pytest.approx(rates.mean())


def test_rank_from_compare_matches_the_published_rank(r7):
    a = r7.attributes
    code = a["entity_code"].iloc[5]
    nat = rank_among(r7.scores, entity=code, fiscal_year=2025, grant="推進")
    expected = 1 + (a["score_推進"] > a.loc[a["entity_code"] == code, "score_推進"].iloc[0]).sum()
    assert int(nat["rank"].iloc[0]) == expected and int(nat["n"].iloc[0]) == 120
    inside = rank_among(r7.scores, entity=code, fiscal_year=2025, grant="推進", attributes=a, within="prefecture")
    assert int(inside["n"].iloc[0]) == (a["prefecture"] == a.loc[a["entity_code"] == code, "prefecture"].iloc[0]).sum()


def test_same_named_towns_need_the_prefecture(r7):
    a = r7.attributes
    twin = a["entity"][a["entity"].duplicated()].iloc[0]
    with pytest.raises(UnknownSelectionError) as err:
        rank_among(r7.scores, entity=twin, fiscal_year=2025, grant="推進")
    for pref in a.loc[a["entity"] == twin, "prefecture"]:
        assert pref in str(err.value)


# --- levels: a workbook read whole holds 市町村 and 都道府県 rows -----------------------------------------

PREF_ATTRS = pd.DataFrame(
    {
        "level": "都道府県",
        "entity_code": ["01", "35"],
        "entity": ["北海道", "山口県"],
        "prefecture_code": ["01", "35"],
        "prefecture": ["北海道", "山口県"],
        "first_insured": [1_500_000, 400_000],
        "size_class": None,
        "depopulated": None,
    }
)
BOTH_ATTRS = pd.concat([ATTRS.assign(level="市町村"), PREF_ATTRS], ignore_index=True)


def prefecture_rows(scores: dict[str, list[float]], maxima: list[float]) -> pd.DataFrame:
    """Two 推進 leaves per prefecture, same shape as ``tidy``."""
    names = PREF_ATTRS.set_index("entity_code")["entity"]
    return pd.DataFrame(
        [
            {
                "fiscal_year": 2025,
                "level": "都道府県",
                "grant": "推進",
                "entity_code": code,
                "entity": names[code],
                "indicator": f"Ⅰ{k + 1}",
                "indicator_name": "",
                "parent": "目標Ⅰ",
                "score": v,
                "max_score": m,
            }
            for code, values in scores.items()
            for k, (v, m) in enumerate(zip(values, maxima))
        ]
    )


# 北海道 totals 60 of 100 (rate 0.6), 山口県 20 of 100 (0.2): far from the municipalities' rates, so mixing shows
MIXED = pd.concat([TABLE, prefecture_rows({"01": [50, 10], "35": [10, 10]}, [50, 50])], ignore_index=True)


def test_grant_totals_keep_the_levels_apart():
    tot = grant_totals(MIXED)
    assert sorted(zip(tot["level"], tot["entity_code"])) == [
        ("市町村", "010001"),
        ("市町村", "010002"),
        ("市町村", "350001"),
        ("都道府県", "01"),
        ("都道府県", "35"),
    ]
    prefs = grant_totals(MIXED, level="都道府県")
    assert prefs.set_index("entity_code")["score_rate"].to_dict() == {"01": 0.6, "35": 0.2}


def test_municipal_views_default_to_municipalities_when_both_levels_are_present():
    tot = grant_totals(MIXED)
    # allocation: exactly the hand-computed municipal case above (the prefectures are not weighted in)
    out = national_allocation(tot, BOTH_ATTRS, {"推進": 14_000_000})
    assert out["entity_code"].tolist() == ["010001", "010002", "350001"]
    assert out["basis_yen"].tolist() == [3_000_000, 3_000_000, 8_000_000] and out.attrs["level"] == "市町村"
    # prefecture means: 北海道 = mean of 甲町 30/80 and 乙村 10/80 (n = 2: its own 0.6 is not averaged in)
    pm = prefecture_means(tot, BOTH_ATTRS).set_index("prefecture_code")
    assert pm.loc["01", "n"] == 2 and pm.loc["01", "mean_rate"] == pytest.approx(0.25)
    assert pm.loc["35", "n"] == 1 and pm.loc["35", "mean_rate"] == pytest.approx(0.5)
    # peers: the municipalities' three groups only, no group of prefectures without 規模区分
    peers = peer_means(tot, BOTH_ATTRS)
    assert sorted(zip(peers["size_class"], peers["depopulated"])) == [
        ("大", "非過疎"),
        ("小", "過疎"),
        ("小", "非過疎"),
    ]
    assert peers["n"].sum() == 3


def test_prefecture_level_on_request():
    tot = grant_totals(MIXED)
    # prefecture formula: budget × score / Σ scores = 1,000,000 × 60/80 and × 20/80
    out = national_allocation(tot, BOTH_ATTRS, {"推進": 1_000_000}, level="都道府県")
    assert out["entity_code"].tolist() == ["01", "35"] and out["basis_yen"].tolist() == [750_000, 250_000]
    assert out["yen_per_first_insured"].tolist() == pytest.approx([750_000 / 1_500_000, 250_000 / 400_000])
    assert out.attrs["level"] == "都道府県"
    assert national_rates(tot, grant="推進", level="都道府県").to_dict() == {"01": 0.6, "35": 0.2}
    assert national_rates(tot, grant="推進", level="市町村").to_dict() == {
        "010001": 30 / 80,
        "010002": 10 / 80,
        "350001": 0.5,
    }
    with pytest.raises(GrantkitError, match="市町村分"):
        national_allocation(tot, BOTH_ATTRS, {"推進": 1_000_000}, level="都道府県", eligible={"推進": ["01"]})


def test_a_table_of_one_level_uses_it():
    prefs = grant_totals(MIXED, level="都道府県")
    # group_means of prefectures by prefecture: each its own rate
    gm = group_means(prefs, BOTH_ATTRS, "prefecture").set_index("prefecture")
    assert gm["mean_rate"].to_dict() == {"北海道": 0.6, "山口県": 0.2} and gm.attrs["level"] == "都道府県"
    assert national_rates(prefs, grant="推進").to_dict() == {"01": 0.6, "35": 0.2}
    out = national_allocation(prefs, BOTH_ATTRS, {"推進": 1_000_000})
    assert out["basis_yen"].tolist() == [750_000, 250_000]


def test_mixed_levels_without_a_level_are_an_error_where_nothing_says_which():
    tot = grant_totals(MIXED)
    for call in (lambda: national_rates(tot, grant="推進"), lambda: group_means(tot, BOTH_ATTRS, "prefecture")):
        with pytest.raises(UnknownSelectionError) as err:
            call()
        message = str(err.value)
        assert "都道府県と市町村" in message and 'level="市町村"' in message and 'level="都道府県"' in message


def test_a_level_not_in_the_table_or_not_a_level_is_an_error():
    municipal = grant_totals(TABLE)
    with pytest.raises(UnknownSelectionError, match="都道府県の行がありません（ある区分: 市町村）"):
        national_rates(municipal, grant="推進", level="都道府県")
    prefs = grant_totals(MIXED, level="都道府県")
    with pytest.raises(UnknownSelectionError, match="市町村の行がありません（ある区分: 都道府県）"):
        peer_means(prefs, BOTH_ATTRS, level="市町村")
    with pytest.raises(UnknownSelectionError, match="区分「町村」は使えません"):
        grant_totals(MIXED, level="町村")
    # the level the scores imply must be in the attributes too (not an empty join)
    with pytest.raises(UnknownSelectionError, match="都道府県の行がありません（ある区分: 市町村）"):
        national_allocation(prefs, ATTRS.assign(level="市町村"), {"推進": 1_000_000})


def test_grant_scores_carry_the_level():
    at = BOTH_ATTRS.assign(score_推進=[30.0, 10.0, 40.0, 60.0, 20.0])
    both = grant_scores(at)
    assert both[["level", "entity_code", "score"]].values.tolist() == [
        ["市町村", "010001", 30.0],
        ["市町村", "010002", 10.0],
        ["市町村", "350001", 40.0],
        ["都道府県", "01", 60.0],
        ["都道府県", "35", 20.0],
    ]
    assert grant_scores(at, level="都道府県")["entity_code"].tolist() == ["01", "35"]
    # the published totals of both levels give the same municipal allocation as the leaves
    assert national_allocation(both, at, {"推進": 14_000_000})["basis_yen"].tolist() == [
        3_000_000,
        3_000_000,
        8_000_000,
    ]


def test_whole_workbook_views_equal_the_views_of_the_municipal_sheet(tmp_path):
    path = national_workbook(tmp_path / "both.xlsx", "R7", n_municipalities=60)
    both, alone = load_mhlw(path), load_mhlw(path, level="市町村")
    assert set(both.scores["level"]) == {"市町村", "都道府県"}
    budgets = {"推進": 500_000_000, "支援": 900_000_000}
    mixed, municipal = grant_totals(both.scores), grant_totals(alone.scores)
    pd.testing.assert_frame_equal(
        national_allocation(mixed, both.attributes, budgets), national_allocation(municipal, alone.attributes, budgets)
    )
    pd.testing.assert_frame_equal(peer_means(mixed, both.attributes), peer_means(municipal, alone.attributes))
    pm = prefecture_means(mixed, both.attributes)
    # n per prefecture = its municipalities, counted independently from the attributes
    counts = alone.attributes["prefecture_code"].value_counts()
    got = pm[pm["grant"] == "推進"].set_index("prefecture_code")["n"]
    assert got.to_dict() == counts.to_dict()


# --- peer groups in a meaningful order ------------------------------------------------------------------


def test_size_class_bounds():
    assert size_class_bounds("人口1万人未満") == (0, 10_000)
    assert size_class_bounds("人口1万人以上5万人未満") == (10_000, 50_000)
    assert size_class_bounds("人口１０万人以上") == (100_000, math.inf)  # full-width digits
    assert size_class_bounds("人口5千人以上1万人未満") == (5_000, 10_000)
    assert size_class_bounds("人口10,000人以下") == (0, 10_000)
    assert size_class_bounds("人口50万人超") == (500_000, math.inf)
    assert size_class_bounds("政令指定都市") is None and size_class_bounds(None) is None
    assert size_class_bounds(float("nan")) is None


def test_peer_groups_in_population_and_depopulation_order():
    sizes = ["人口10万人以上", "政令指定都市", "人口1万人未満", "人口5万人以上10万人未満", "人口1万人以上5万人未満"]
    depop = ["全部過疎", "非過疎", "一部過疎", "みなし過疎"]
    # every size × every 過疎 status, listed in a scrambled order, one entity each
    pairs = [(s, d) for d in depop for s in sizes]
    codes = [f"{i:06d}" for i in range(len(pairs))]
    at = pd.DataFrame({"entity_code": codes, "size_class": [s for s, _ in pairs], "depopulated": [d for _, d in pairs]})
    tot = pd.DataFrame({"level": "市町村", "grant": "推進", "entity_code": codes, "score": 1.0, "score_rate": 0.5})
    out = peer_means(tot, at)
    expected_sizes = [
        "人口1万人未満",
        "人口1万人以上5万人未満",
        "人口5万人以上10万人未満",
        "人口10万人以上",
        "政令指定都市",
    ]
    expected_depop = ["非過疎", "みなし過疎", "一部過疎", "全部過疎"]
    assert list(zip(out["size_class"], out["depopulated"])) == [(s, d) for s in expected_sizes for d in expected_depop]


def test_depopulated_order_puts_unknown_then_missing_last():
    at = pd.DataFrame(
        {"entity_code": ["1", "2", "3", "4", "5"], "depopulated": ["過疎", None, "全部過疎", "非過疎", "みなし過疎"]}
    )
    tot = pd.DataFrame({"grant": "推進", "entity_code": ["1", "2", "3", "4", "5"], "score": 1.0, "score_rate": 0.5})
    out = group_means(tot, at, "depopulated")
    assert out["depopulated"].tolist()[:4] == ["非過疎", "みなし過疎", "全部過疎", "過疎"]
    assert pd.isna(out["depopulated"].iloc[4])


def test_views_refuse_mixed_years():
    """Two years in one table would count each town twice; 得点 of R7 with 属性 of R6 would weight by last
    year's 第1号被保険者数. Both are refused with a message naming the years, never computed."""
    two_years = grant_totals(pd.concat([TABLE, TABLE.assign(fiscal_year=2024)], ignore_index=True))
    views = [
        lambda t, a: national_allocation(t, a, {"推進": 14_000_000}),
        prefecture_means,
        peer_means,
        lambda t, a: group_means(t, a, "prefecture"),
    ]
    for view in views:
        with pytest.raises(UnknownSelectionError, match="令和6年度、令和7年度"):
            view(two_years, ATTRS)
        with pytest.raises(UnknownSelectionError, match="得点は令和7年度、属性は令和6年度"):
            view(grant_totals(TABLE), ATTRS.assign(fiscal_year=2024))
        view(grant_totals(TABLE), ATTRS.assign(fiscal_year=2025))  # the same year is fine
    with pytest.raises(UnknownSelectionError, match="複数の年度"):
        national_rates(two_years, grant="推進")
