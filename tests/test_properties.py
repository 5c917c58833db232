"""Properties (hypothesis): allocations sum to the budget within the rounding rule and are monotone in score,
rates lie in [0, 1], totals equal the sum of leaves, a what-if of +0 changes nothing, the cap is a minimum."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grantkit import prefecture_allocation, score_rates, what_if
from grantkit.allocation import grant_amount, municipal_allocation

FAST = settings(max_examples=60, deadline=None)
points = st.integers(min_value=0, max_value=10_000).map(lambda tenths: tenths / 10)  # 0.0 … 1000.0, one decimal
budgets = st.integers(min_value=1_000, max_value=100_000_000).map(lambda k: k * 1000)


def _series(values: list[float]) -> pd.Series:
    return pd.Series(values, index=[f"{i + 1:02d}" for i in range(len(values))], dtype="float64")


@FAST
@given(st.lists(points, min_size=2, max_size=47).filter(lambda v: sum(v) > 0), budgets)
def test_prefecture_allocation_sums_to_budget_within_rounding(scores, budget):
    n = len(scores)
    a = prefecture_allocation(_series(scores), budget)
    allocated = int(a.basis_thousand_yen.sum()) * 1000
    assert budget - n * 1000 < allocated <= budget
    assert a.attrs["remainder_yen"] == budget - allocated
    assert budget - n < int(a.basis_yen.sum()) <= budget  # each yen figure is floored once
    lr = prefecture_allocation(_series(scores), budget, rounding="largest_remainder")
    assert int(lr.basis_thousand_yen.sum()) * 1000 == budget
    assert ((lr.basis_thousand_yen - a.basis_thousand_yen).isin([0, 1])).all()


@FAST
@given(st.lists(points, min_size=2, max_size=47).filter(lambda v: sum(v) > 0), budgets)
def test_allocation_monotone_in_score(scores, budget):
    a = prefecture_allocation(_series(scores), budget).sort_values(["score", "basis_yen"], kind="stable")
    assert a.basis_yen.is_monotonic_increasing
    assert a.basis_thousand_yen.is_monotonic_increasing


@FAST
@given(
    st.lists(st.tuples(points, st.integers(min_value=1, max_value=500_000)), min_size=2, max_size=60).filter(
        lambda v: sum(s * k for s, k in v) > 0
    ),
    budgets,
)
def test_municipal_allocation_sums_and_is_monotone_at_equal_insured(rows, budget):
    scores = _series([s for s, _ in rows])
    insured = pd.Series([k for _, k in rows], index=scores.index)
    a = municipal_allocation(scores, insured, budget)
    allocated = int(a.basis_thousand_yen.sum()) * 1000
    assert budget - len(rows) * 1000 < allocated <= budget
    same = municipal_allocation(scores, insured * 0 + 1000, budget).sort_values(["score", "basis_yen"], kind="stable")
    assert same.basis_yen.is_monotonic_increasing


def _table(draw_scores: list[tuple[float, float]]) -> pd.DataFrame:
    rows = []
    for i, (score, extra) in enumerate(draw_scores):
        mx = score + extra
        rows.append(
            {
                "fiscal_year": 2023,
                "level": "都道府県",
                "grant": "推進",
                "entity_code": "35",
                "entity": "山口県",
                "indicator": f"Ⅱ({i + 1})" if i % 2 else f"Ⅰ({i + 1})",
                "indicator_name": "",
                "parent": "Ⅱ" if i % 2 else "",
                "score": score,
                "max_score": mx if mx > 0 else 1.0,
            }
        )
    return pd.DataFrame(rows)


leaves = st.lists(st.tuples(points, points), min_size=1, max_size=25)


@FAST
@given(leaves)
def test_rates_in_unit_interval_and_totals_are_sums(draw):
    t = _table(draw)
    r = score_rates(t)
    assert r.score_rate.between(0, 1).all()
    total = r[r.row_kind == "total"].iloc[0]
    assert total.score == pytest.approx(t.score.sum())
    assert total.max_score == pytest.approx(t.max_score.sum())
    sub = r[r.row_kind == "subtotal"]
    if len(sub):
        assert sub.score.iloc[0] == pytest.approx(t.loc[t.parent == "Ⅱ", "score"].sum())
    assert (r.row_kind == "leaf").sum() == len(t)


@FAST
@given(leaves, st.data())
def test_what_if_plus_zero_changes_nothing(draw, data):
    t = _table(draw)
    national = t.assign(entity="全国平均", entity_code="00", score=t.max_score / 2)
    both = pd.concat([t, national], ignore_index=True)
    i = data.draw(st.integers(min_value=0, max_value=len(t) - 1))
    w = what_if(both, "山口県", {t.indicator[i]: t.score[i]}, 1_000_000_000)
    assert w.allocation.basis_yen.iloc[0] == w.allocation.basis_yen.iloc[1]
    assert w.difference_yen == 0
    assert (w.changes.gain == 0).all()


optional = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))


@FAST
@given(st.integers(min_value=0, max_value=10**9), optional, optional)
def test_grant_amount_is_the_minimum_of_what_is_given(basis, expense, net):
    out = grant_amount(basis, expense, net)
    given_values = [v for v in (basis, expense, net) if v is not None]
    assert out == min(given_values)
    assert all(out <= v for v in given_values)
    vec = grant_amount(pd.Series([basis]), pd.Series([expense], dtype="float64"), None if net is None else [net])
    assert vec.iloc[0] == out and not math.isnan(vec.iloc[0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["推進", "支援", "目標Ⅰ", "1", None]), st.integers(1, 30)), max_size=12))
def test_run_factorize_equals_pandas_factorize(runs):
    """The run-length shortcut of the municipal tables gives pandas' codes and uniques (missing → -1)."""
    from grantkit.rates import factorize_runs

    values = pd.Series([v for v, n in runs for _ in range(n)], dtype="str")
    codes, uniques = factorize_runs(values)
    expected_codes, expected_uniques = pd.factorize(values)
    assert codes.tolist() == expected_codes.tolist()
    assert list(uniques) == list(expected_uniques)


cells = st.one_of(st.floats(min_value=0, max_value=100, allow_nan=False), st.just(math.nan))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12).flatmap(lambda n: st.lists(st.lists(cells, min_size=n, max_size=n), min_size=1, max_size=15)))
def test_column_median_equals_nanmedian(rows):
    """The loader's one-sort median of the statistics check equals numpy's nanmedian (all-NaN column → NaN)."""
    import warnings

    import numpy as np

    from grantkit.io.mhlw.tidy import column_median as _column_median

    values = np.array(rows, dtype="float64")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy warns on an all-NaN column
        expected = np.nanmedian(values, axis=0)
    np.testing.assert_allclose(_column_median(values), expected, equal_nan=True)
