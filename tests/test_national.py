"""National views: allocation for all municipalities, means by prefecture and peers, ranks via compare."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grantkit import (grant_scores, grant_totals, load_mhlw, national_allocation, national_rates, national_workbook,
                      peer_means, prefecture_means, rank_among)
from grantkit.errors import UnknownSelectionError

ATTRS = pd.DataFrame({"entity_code": ["010001", "010002", "350001"], "entity": ["甲町", "乙村", "丙市"],
                      "prefecture_code": ["01", "01", "35"], "prefecture": ["北海道", "北海道", "山口県"],
                      "first_insured": [1000, 3000, 2000], "size_class": ["小", "小", "大"],
                      "depopulated": ["過疎", "非過疎", "非過疎"]})


def tidy(scores: dict[str, list[float]], maxima: list[float]) -> pd.DataFrame:
    """A tidy table of two 推進 leaves per entity."""
    rows = []
    for code, values in scores.items():
        name = ATTRS.set_index("entity_code").loc[code, "entity"]
        for k, (v, m) in enumerate(zip(values, maxima)):
            rows.append({"fiscal_year": 2025, "level": "市町村", "grant": "推進", "entity_code": code, "entity": name,
                         "indicator": f"Ⅰ{k + 1}", "indicator_name": "", "parent": "目標Ⅰ", "score": v,
                         "max_score": m})
    return pd.DataFrame(rows)


TABLE = tidy({"010001": [10, 20], "010002": [5, 5], "350001": [30, 10]}, [40, 40])


def test_allocation_by_hand():
    # totals 30, 10, 40; weights × 第1号被保険者数: 30,000, 30,000, 80,000 (Σ 140,000); budget 14,000,000 円
    # → 3,000,000 / 3,000,000 / 8,000,000 円; per 第1号被保険者 3,000 / 1,000 / 4,000 円
    out = national_allocation(grant_totals(TABLE), ATTRS, {"推進": 14_000_000})
    assert out["basis_yen"].tolist() == [3_000_000, 3_000_000, 8_000_000]
    assert out["basis_thousand_yen"].tolist() == [3_000, 3_000, 8_000]
    assert out["yen_per_first_insured"].tolist() == [3000.0, 1000.0, 4000.0]


def test_confirmed_is_capped_by_needs_and_eligibility_excludes():
    needs = pd.DataFrame({"entity_code": ["010001", "010002", "350001"], "grant": "推進",
                          "needs_thousand_yen": [2_500, 4_000, np.nan]})
    out = national_allocation(grant_totals(TABLE), ATTRS, {"推進": 14_000_000}, needs=needs)
    assert out["confirmed_thousand_yen"].tolist() == [2_500, 3_000, 8_000]  # min(案, 所要見込額); no need given → 案
    only = national_allocation(grant_totals(TABLE), ATTRS, {"推進": 14_000_000},
                               eligible={"推進": ["010001", "350001"]})
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
