"""Allocation: seed 000's amounts, the rounding rule, the municipal formula and the three-way cap by hand."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grantkit import (
    GrantkitError,
    UnknownSelectionError,
    ValidationError,
    example_scores,
    implied_average,
    prefecture_allocation,
    what_if,
)
from grantkit.allocation import (
    allocation_from_average,
    grant_amount,
    implied_budget,
    marginal_value,
    municipal_allocation,
)
from grantkit.present.format import format_thousand_yen

BUDGET = 1_000_000_000  # seed 000: 保険者機能強化推進交付金（都道府県分）の予算額＝１０億円


# --- seed 000 amounts ---------------------------------------------------------------------------------------


def test_r1_amount_from_score_and_average(seed000_text):
    # 1,000,000,000 × 611 / (47 × 584.3) = 611,000,000,000 / 27,462.1 = 22,248,844.77 円
    yen = allocation_from_average(611, 584.3, BUDGET)
    assert yen == 22_248_844
    assert format_thousand_yen(yen) == "22,248千円"  # truncated, as printed
    assert "22,248千円" in seed000_text


def test_h30_amount_is_within_the_rounding_of_the_printed_average(seed000_text):
    assert "15,680千円" in seed000_text
    # With the printed average 638: 470,000,000,000 / (47 × 638) = 15,673,981 円 → 15,673千円, not 15,680千円.
    assert format_thousand_yen(allocation_from_average(470, 638, BUDGET)) == "15,673千円"
    # The printed amount implies 10,000,000,000 / 15,681,000 < average ≤ 10,000,000,000 / 15,680,000.
    iv = implied_average(15_680_000, 470, BUDGET)
    assert iv.low == pytest.approx(1e10 / 15_681_000) and iv.high == pytest.approx(1e10 / 15_680_000)
    assert round(iv.low, 3) == 637.714 and round(iv.high, 3) == 637.755
    assert not iv.contains(638)
    assert 637.5 <= iv.low and iv.high < 638.5  # …which the printed whole number 638 rounds
    # Every average inside gives 15,680千円 back; just outside does not.
    assert format_thousand_yen(allocation_from_average(470, 637.75, BUDGET)) == "15,680千円"
    assert format_thousand_yen(allocation_from_average(470, 637.71, BUDGET)) == "15,681千円"


def test_h30_amount_and_the_printed_iii_rate_agree():
    """The seed prints the H30 national Ⅲ average as 13 but its rate as 63.8%: 63.8% means an average in
    [12.75, 12.77) of 20. The amount says Ⅰ + Ⅱ + Ⅲ ∈ (637.714, 637.755]; with Ⅰ = 169 and Ⅱ = 456 as printed,
    Ⅲ ∈ (12.714, 12.755]. The two ranges overlap in [12.75, 12.755]: the printed 13 is the rounded figure."""
    iv = implied_average(15_680_000, 470, BUDGET)
    rate_range = (0.6375 * 20, 0.6385 * 20)  # 12.75 ≤ Ⅲ < 12.77
    amount_range = (iv.low - 169 - 456, iv.high - 169 - 456)
    low, high = max(rate_range[0], amount_range[0]), min(rate_range[1], amount_range[1])
    assert low == pytest.approx(12.75) and high == pytest.approx(12.7551, abs=1e-4) and low < high
    assert iv.contains(169 + 456 + 12.75)
    # 12.76 itself (= 63.8% × 20) sits just outside: 10,000,000,000 / 637.76 = 15,679,879 → 15,679千円.
    assert format_thousand_yen(allocation_from_average(470, 169 + 456 + 12.76, BUDGET)) == "15,679千円"
    # And 13 (as printed) is clearly outside.
    assert not iv.contains(169 + 456 + 13)


# --- prefecture formula and the rounding rule ----------------------------------------------------------------


def test_three_equal_prefectures_truncate_and_largest_remainder():
    s = pd.Series({"A県": 10, "B県": 10, "C県": 10})
    # Each exact share is 1,000,000,000 / 3 = 333,333,333.33 円 → 333,333,333 円, 333,333千円; 1,000 円 left.
    a = prefecture_allocation(s, BUDGET)
    assert a.basis_yen.tolist() == [333_333_333] * 3
    assert a.basis_thousand_yen.tolist() == [333_333] * 3
    assert a.attrs["remainder_yen"] == 1_000 and a.attrs["allocated_yen"] == 999_999_000
    lr = prefecture_allocation(s, BUDGET, rounding="largest_remainder")
    assert lr.basis_thousand_yen.tolist() == [333_334, 333_333, 333_333]  # equal remainders: first in order
    assert lr.attrs["remainder_yen"] == 0
    with pytest.raises(GrantkitError, match="rounding"):
        prefecture_allocation(s, BUDGET, rounding="round")


def test_prefecture_allocation_from_tidy_table_leaves_out_national(example):
    r1 = example[example.fiscal_year == 2019]
    other = r1[r1.entity == "山口県"].assign(entity="広島県", entity_code="34", score=lambda d: d.max_score)
    a = prefecture_allocation(pd.concat([r1, other]), BUDGET)
    assert list(a.columns) == ["entity_code", "entity", "score", "basis_yen", "basis_thousand_yen"]
    assert a.entity.tolist() == ["山口県", "広島県"]
    # 611 and 741 points: 1,000,000,000 × 611 / 1,352 = 451,923,076.9 円
    assert a.basis_yen.tolist() == [451_923_076, 548_076_923]
    with pytest.raises(UnknownSelectionError, match="全団体"):
        prefecture_allocation(r1, BUDGET)
    with pytest.raises(UnknownSelectionError, match="fiscal_year"):
        prefecture_allocation(example, BUDGET)


# --- municipal formula, by hand ---------------------------------------------------------------------------


@pytest.fixture
def towns():
    scores = pd.DataFrame(
        {"entity_code": ["000001", "000002", "000003"], "entity": ["A町", "B町", "C村"], "score": [50.0, 100.0, 80.0]}
    )
    insured = pd.DataFrame({"entity_code": ["000001", "000002", "000003"], "first_insured": [2000, 1000, 500]})
    return scores, insured


def test_municipal_formula_by_hand(towns):
    scores, insured = towns
    a = municipal_allocation(scores, insured, 10_000_000)
    # weights: 50×2000 = 100,000; 100×1000 = 100,000; 80×500 = 40,000; Σ = 240,000.
    # A, B: 10,000,000 × 100,000/240,000 = 4,166,666.67; C: 10,000,000 × 40,000/240,000 = 1,666,666.67.
    assert a.weight.tolist() == [100_000, 100_000, 40_000]
    assert a.basis_yen.tolist() == [4_166_666, 4_166_666, 1_666_666]
    assert a.basis_thousand_yen.tolist() == [4_166, 4_166, 1_666]
    assert a.attrs["remainder_yen"] == 10_000_000 - 9_998_000


def test_municipal_exclusion_and_adjustment(towns):
    scores, insured = towns
    a = municipal_allocation(scores, insured, 10_000_000, eligible=["000001", "000003"])
    # Σ = 100,000 + 40,000 = 140,000: A 10,000,000 × 100,000/140,000 = 7,142,857.14; C 2,857,142.86; B 0.
    assert a.basis_yen.tolist() == [7_142_857, 0, 2_857_142]
    assert a.attrs["excluded"] == ["B町"]
    adj = pd.Series({"000003": 0.5})
    b = municipal_allocation(scores, insured, 11_000_000, adjustment=adj)
    # C weight 40,000 × 0.5 = 20,000; Σ = 220,000: A, B 11,000,000 × 100,000/220,000 = 5,000,000; C 1,000,000.
    assert b.basis_yen.tolist() == [5_000_000, 5_000_000, 1_000_000]
    elig = pd.Series({"000001": True, "000002": False, "000003": True})
    assert municipal_allocation(scores, insured, 10_000_000, eligible=elig).basis_yen.tolist()[1] == 0


def test_municipal_missing_insured_is_named(towns):
    scores, insured = towns
    with pytest.raises(UnknownSelectionError, match="C村"):
        municipal_allocation(scores, insured.iloc[:2], 10_000_000)


# --- exactness against a Fraction reference (hypothesis) ------------------------------------------------------


def _reference(scores, insured, adjustment, eligible, budget, rounding):
    """(weights, yen, 千円) by the documented rule, with Fraction: each number is the decimal it prints as."""
    weights = [
        Fraction(repr(float(s))) * k * Fraction(repr(float(a))) if e else Fraction(0)
        for s, k, a, e in zip(scores, insured, adjustment, eligible)
    ]
    if sum(weights) <= 0:
        return weights, None, None
    shares = [budget * w / sum(weights) for w in weights]
    yen = [math.floor(x) for x in shares]
    units = [math.floor(x / 1000) for x in shares]
    if rounding == "largest_remainder":  # leftover 千円 to the largest remainders, ties in table order
        order = sorted(range(len(shares)), key=lambda i: shares[i] / 1000 - units[i], reverse=True)
        for i in order[: max(budget // 1000 - sum(units), 0)]:
            units[i] += 1
    return weights, yen, units


quarters = st.integers(min_value=0, max_value=4000).map(lambda q: q / 4)  # 0 … 1000 points in quarter points
municipal_rows = st.lists(
    st.tuples(
        quarters,
        st.integers(min_value=1, max_value=1_000_000),
        st.sampled_from([1.0, 0.5, 0.9, 1.1, 1.25, 0.333, 0.07]),
        st.booleans(),
    ),
    min_size=2,
    max_size=80,
)


@settings(max_examples=150, deadline=None)
@given(municipal_rows, st.integers(min_value=1, max_value=10**11), st.sampled_from(["truncate", "largest_remainder"]))
def test_municipal_allocation_equals_fraction_reference(rows, budget, rounding):
    codes = [f"{i:06d}" for i in range(len(rows))]
    scores = pd.DataFrame({"entity_code": codes, "entity": codes, "score": [r[0] for r in rows]})
    insured = pd.Series([r[1] for r in rows], index=codes)
    adjustment = pd.Series([r[2] for r in rows], index=codes)
    eligible = pd.Series([r[3] for r in rows], index=codes)
    weights, yen, units = _reference(*zip(*rows), budget, rounding)
    if sum(weights) <= 0:
        with pytest.raises(GrantkitError, match="合計が 0"):
            municipal_allocation(scores, insured, budget, eligible, adjustment, rounding=rounding)
        return
    a = municipal_allocation(scores, insured, budget, eligible, adjustment, rounding=rounding)
    assert list(a.columns) == [
        "entity_code",
        "entity",
        "score",
        "first_insured",
        "adjustment",
        "eligible",
        "weight",
        "basis_yen",
        "basis_thousand_yen",
    ]
    assert [str(t) for t in a.dtypes.iloc[2:]] == ["float64", "int64", "float64", "bool", "float64", "int64", "int64"]
    assert a.weight.tolist() == [float(w) for w in weights]
    assert a.basis_yen.tolist() == yen and a.basis_thousand_yen.tolist() == units
    assert a.attrs["allocated_yen"] == sum(units) * 1000 and a.attrs["remainder_yen"] == budget - sum(units) * 1000
    assert a.attrs["excluded"] == [c for c, r in zip(codes, rows) if not r[3]]


# Any float, read as the decimal it prints as (0.1 + 0.2 → 0.30000000000000004, 1e-300, 3e20).
any_points = st.floats(min_value=-1e6, max_value=1e22, allow_nan=False) | quarters


@settings(max_examples=150, deadline=None)
@given(
    st.lists(any_points, min_size=2, max_size=47),
    st.integers(min_value=1, max_value=10**11),
    st.sampled_from(["truncate", "largest_remainder"]),
)
def test_prefecture_allocation_equals_fraction_reference(scores, budget, rounding):
    n = len(scores)
    weights, yen, units = _reference(scores, [1] * n, [1.0] * n, [True] * n, budget, rounding)
    series = pd.Series(scores, index=[f"{i:02d}" for i in range(n)], dtype="float64")
    if any(w < 0 for w in weights):  # a negative score would push the others above their share
        with pytest.raises(GrantkitError, match="負の団体があります"):
            prefecture_allocation(series, budget, rounding=rounding)
        return
    if sum(weights) <= 0:
        with pytest.raises(GrantkitError, match="合計が 0"):
            prefecture_allocation(series, budget, rounding=rounding)
        return
    a = prefecture_allocation(series, budget, rounding=rounding)
    assert a.basis_yen.tolist() == yen and a.basis_thousand_yen.tolist() == units
    assert [str(t) for t in a.dtypes.iloc[2:]] == ["float64", "int64", "int64"]


def test_scores_that_cannot_be_used(towns):
    scores, insured = towns
    with pytest.raises(GrantkitError, match="数値ではありません"):
        municipal_allocation(scores.assign(score=[50.0, math.nan, 80.0]), insured, 10_000_000)
    with pytest.raises(GrantkitError, match="数値ではありません"):
        prefecture_allocation(pd.Series({"A県": 1.0, "B県": math.inf}), BUDGET)
    # An excluded town's missing score does not matter: it gets 0.
    a = municipal_allocation(
        scores.assign(score=[50.0, math.nan, 80.0]), insured, 10_000_000, eligible=["000001", "000003"]
    )
    assert a.basis_yen.tolist() == [7_142_857, 0, 2_857_142]
    # Whole numbers in a frame's int column are kept exact, not read through float.
    big = pd.DataFrame({"entity": ["A県", "B県"], "score": [2**60 + 1, 2**60 - 1]})
    assert prefecture_allocation(big, 2).basis_yen.tolist() == [1, 0]


# --- the three-way minimum ---------------------------------------------------------------------------------


def test_grant_amount_scalars_ties_zeros_and_missing():
    # Seed 000 H30: 基準額 15,680千円, 実支出額 10,395千円 → the smaller, 10,395千円.
    assert grant_amount(15_680_000, 10_395_000, 16_000_000) == 10_395_000
    assert grant_amount(5, 5, 5) == 5  # all tied
    assert grant_amount(7, 7, 9) == 7  # two tied
    assert grant_amount(0, 100, 100) == 0  # zero basis
    assert grant_amount(100, 0, None) == 0  # zero expense
    assert grant_amount(100, None, None) == 100  # nothing else given
    assert math.isnan(grant_amount(None, None, None))
    assert grant_amount(100, float("nan"), 80) == 80


def test_grant_amount_vectorised():
    basis = pd.Series([100, 50, 0, 30], index=list("abcd"))
    out = grant_amount(basis, pd.Series([80, 50, 10, 30], index=list("abcd")), np.array([90, 60, 5, 30]))
    assert out.tolist() == [80, 50, 0, 30] and out.dtype == "int64" and list(out.index) == list("abcd")
    mixed = grant_amount(basis, [None, 40, None, None], None)
    assert mixed.tolist() == [100.0, 40.0, 0.0, 30.0]


# --- what-if and marginal value -------------------------------------------------------------------------------


def test_marginal_value_by_hand():
    # score 10, others 90, budget 1,000: 1,000 × 11/101 − 1,000 × 10/100 = 108.911 − 100 = 8.911
    assert marginal_value(10, 90, 1000) == pytest.approx(1000 * 11 / 101 - 100)
    # It is less than the naive budget / total (= 10): one's own score is in the denominator.
    assert marginal_value(10, 90, 1000) < 1000 / 100


def test_what_if_full_marks_r1(example):
    w = what_if(example, "山口県", {"Ⅱ(1)": "max"}, BUDGET, fiscal_year="R1")
    # Others = 47 × 584.3 − 611 = 26,851.1. After: 611 − 13 + 29 = 627.
    # 1,000,000,000 × 627 / (26,851.1 + 627) = 22,818,171.6 円; before 22,248,844 円 (seed: 22,248千円).
    assert w.allocation.basis_yen.tolist() == [22_248_844, 22_818_171]
    assert w.allocation.basis_thousand_yen.tolist() == [22_248, 22_818]
    assert w.difference_yen == 22_818_171 - 22_248_844
    assert w.changes.set_index("indicator").loc["Ⅱ(1)", "gain"] == 16
    assert w.method == "全国平均×47団体"


def test_what_if_errors(example):
    with pytest.raises(UnknownSelectionError, match="Ⅱ\\(1\\)"):
        what_if(example, "山口県", {"Ⅸ": 3}, BUDGET, fiscal_year="R1")
    with pytest.raises(ValidationError, match="配点 29"):
        what_if(example, "山口県", {"Ⅱ(1)": 30}, BUDGET, fiscal_year="R1")
    with pytest.raises(UnknownSelectionError, match="fiscal_year"):
        what_if(example, "山口県", {}, BUDGET)


def test_what_if_with_all_municipalities_and_insured():
    rows = [
        {
            "fiscal_year": 2023,
            "level": "市町村",
            "grant": "推進",
            "entity_code": c,
            "entity": n,
            "indicator": i,
            "indicator_name": "",
            "parent": "",
            "score": s,
            "max_score": 50.0,
        }
        for c, n, a, b in (("000001", "A町", 20.0, 30.0), ("000002", "B町", 50.0, 50.0))
        for i, s in (("(1)", a), ("(2)", b))
    ]
    insured = pd.Series({"000001": 1000, "000002": 3000})
    w = what_if(pd.DataFrame(rows), "A町", {"(1)": 50}, 1_000_000, first_insured=insured)
    # before: A 50 × 1000 = 50,000; B 100 × 3000 = 300,000 → 1,000,000 × 50,000/350,000 = 142,857.1
    # after:  A 80 × 1000 = 80,000 → 1,000,000 × 80,000/380,000 = 210,526.3
    assert w.allocation.basis_yen.tolist() == [142_857, 210_526]


def test_impossible_money_is_refused_not_computed():
    """A negative or fractional budget, a zero national average and negative expenses are typing errors:
    refused with a message instead of negative 基準額 or a ZeroDivisionError."""
    scores = pd.Series([1.0, 2.0], index=["01", "02"])
    for budget in (-5, 1.5, "abc", True):
        with pytest.raises(GrantkitError, match="予算額"):
            prefecture_allocation(scores, budget)
    assert prefecture_allocation(scores, 0)["basis_yen"].tolist() == [0, 0]  # no money: zeros, not an error
    with pytest.raises(GrantkitError, match="全国平均 0 は正の数"):
        allocation_from_average(10, 0, 1_000_000)
    with pytest.raises(GrantkitError, match="団体数 0 は正の数"):
        implied_average(1_000, 10, 1_000_000, n_entities=0)
    with pytest.raises(GrantkitError, match="負の金額"):
        grant_amount(100, -5)
    with pytest.raises(GrantkitError, match="負の金額があります（b）"):
        grant_amount(pd.Series([100, 100], index=["a", "b"]), pd.Series([50, -1], index=["a", "b"]))


def test_negative_score_is_refused_not_allocated():
    with pytest.raises(GrantkitError, match="負の団体があります: A"):
        prefecture_allocation(pd.Series({"A": -5, "B": 10}), 1_000_000)  # would give B twice the budget


@pytest.mark.parametrize("bad", ["100", True])
def test_grant_amount_refuses_what_is_not_an_amount(bad):
    with pytest.raises(GrantkitError, match="数値ではありません"):
        grant_amount(bad, 50)
    assert grant_amount(100, pd.NA) == 100  # pandas' missing value means "not given"


@pytest.mark.parametrize("spelling", ["max", "MAX", "満点", "ｍａｘ"])
def test_what_if_full_marks_spellings(spelling):
    w = what_if(example_scores(), "山口県", {"Ⅱ(1)": spelling}, 1_000_000_000, fiscal_year="R1")
    assert w.allocation["basis_thousand_yen"].tolist() == [22248, 22818]


def test_what_if_with_a_few_prefectures_uses_the_national_average():
    s = example_scores()
    other = s[s.entity == "山口県"].assign(entity="広島県", entity_code="34")
    w = what_if(pd.concat([s, other]), "山口県", {"Ⅱ(1)": "max"}, 1_000_000_000, fiscal_year="R1")
    # two prefectures are not the denominator of 47: the same as with 山口県 and 全国平均 alone (seed 000: 22,248千円)
    assert w.allocation["basis_thousand_yen"].tolist() == [22248, 22818]
    assert w.method == "全国平均×47団体"
    with pytest.raises(UnknownSelectionError, match="全国平均の行もありません"):
        what_if(
            pd.concat([s[s.entity != "全国平均"], other]), "山口県", {"Ⅱ(1)": "max"}, 1_000_000_000, fiscal_year="R1"
        )


def test_implied_average_needs_a_positive_score_and_an_amount_not_below_zero():
    with pytest.raises(GrantkitError, match="全国平均は決まりません"):
        implied_average(15_680_000, 0, BUDGET)
    with pytest.raises(GrantkitError, match="配分額が負です"):
        implied_average(-1, 470, BUDGET)
    assert implied_average(0, 470, BUDGET).high == math.inf  # under 1,000 円: the average is only bounded below


def test_implied_budget_reproduces_every_amount_and_is_the_least():
    weights = [37.5 * 2000, 80 * 130, 12.25 * 91_000, 0.0]
    for budget in (1_000_000, 9_500_000_000, 123_456_789):
        amounts = municipal_allocation(
            pd.Series([37.5, 80, 12.25, 0.0], index=["a", "b", "c", "d"]),
            pd.Series({"a": 2000, "b": 130, "c": 91_000, "d": 10}),
            budget,
        )
        implied = implied_budget(amounts["basis_thousand_yen"].tolist(), weights)
        assert implied <= budget  # the true budget is one of those that reproduce the amounts
        again = municipal_allocation(
            pd.Series([37.5, 80, 12.25, 0.0], index=["a", "b", "c", "d"]),
            pd.Series({"a": 2000, "b": 130, "c": 91_000, "d": 10}),
            implied,
        )
        assert again["basis_thousand_yen"].tolist() == amounts["basis_thousand_yen"].tolist()
        less = municipal_allocation(
            pd.Series([37.5, 80, 12.25, 0.0], index=["a", "b", "c", "d"]),
            pd.Series({"a": 2000, "b": 130, "c": 91_000, "d": 10}),
            implied - 1,
        )
        assert less["basis_thousand_yen"].tolist() != amounts["basis_thousand_yen"].tolist()
        gap = amounts["basis_thousand_yen"].astype("float64").tolist()
        gap[2] = math.nan  # one amount not published (「－」): the others still fix the budget, with c's weight in Σ
        assert implied_budget(gap, weights) <= budget
        again = municipal_allocation(
            pd.Series([37.5, 80, 12.25, 0.0], index=["a", "b", "c", "d"]),
            pd.Series({"a": 2000, "b": 130, "c": 91_000, "d": 10}),
            implied_budget(gap, weights),
        )
        assert again["basis_thousand_yen"].tolist()[:2] == amounts["basis_thousand_yen"].tolist()[:2]
    assert implied_budget([5, 1], [0.0, 1.0]) is None  # money for a zero weight: not this formula
