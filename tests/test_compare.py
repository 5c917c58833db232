"""Year-to-year and national comparisons, ranks; expectations from seed 000 or written-out arithmetic."""

from __future__ import annotations

import pandas as pd
import pytest

from grantkit import UnknownSelectionError, compare_to_average, compare_years, strengths, weaknesses
from grantkit.compare import add_national_average, rank_among

COLUMNS = [
    "indicator",
    "indicator_name",
    "row_kind",
    "presence",
    "score_base",
    "max_base",
    "rate_base",
    "score_target",
    "max_target",
    "rate_target",
    "national_rate_base",
    "national_rate_target",
    "rate_change_pt",
    "gap_base_pt",
    "gap_target_pt",
    "gap_change_pt",
    "max_changed",
]


def _leaf(year, code, entity, indicator, score, mx, *, grant="推進", level="市町村", parent=""):
    return {
        "fiscal_year": year,
        "level": level,
        "grant": grant,
        "entity_code": code,
        "entity": entity,
        "indicator": indicator,
        "indicator_name": f"{indicator}の名前",
        "parent": parent,
        "score": float(score),
        "max_score": float(mx),
    }


@pytest.fixture(scope="module")
def yamaguchi(example):
    return compare_years(example, "H30", "令和元年度", entity="山口県")


def test_columns_and_attrs(yamaguchi):
    assert list(yamaguchi.columns) == COLUMNS
    assert yamaguchi.attrs["base"] == 2018 and yamaguchi.attrs["target"] == 2019
    assert yamaguchi.attrs["entity"] == "山口県"
    assert yamaguchi.row_kind.tolist()[-1] == "total"
    assert (yamaguchi.presence == "両年度").all()


def test_total_row_against_seed(yamaguchi):
    tot = yamaguchi.set_index("indicator").loc["合計"]
    # seed 000: 470/730 → 611/741 (64% → 82%), national 638/730 → 584.3/741.
    assert tot.rate_base == pytest.approx(470 / 730)
    assert tot.rate_target == pytest.approx(611 / 741)
    assert tot.rate_change_pt == pytest.approx((611 / 741 - 470 / 730) * 100)
    assert tot.gap_base_pt == pytest.approx((470 / 730 - 638 / 730) * 100)
    assert tot.gap_target_pt == pytest.approx((611 / 741 - 584.3 / 741) * 100)
    assert tot.gap_change_pt == pytest.approx(tot.gap_target_pt - tot.gap_base_pt)
    assert bool(tot.max_changed)


def test_max_changed_flags(yamaguchi):
    by = yamaguchi.set_index("indicator")
    assert not by.loc["Ⅱ(2)①", "max_changed"]  # 80 both years
    assert by.loc["Ⅰ", "max_changed"]  # 180 → 106
    assert by.loc["Ⅱ", "row_kind"] == "subtotal"
    assert by.loc["Ⅱ", "rate_base"] == pytest.approx(320 / 530)


def test_indicator_in_one_year_only_is_kept_and_ordered():
    rows = [
        _leaf(2022, "352012", "下関市", "(1)", 5, 10),
        _leaf(2022, "352012", "下関市", "(2)", 3, 10),
        _leaf(2023, "352012", "下関市", "(1)", 8, 10),
        _leaf(2023, "352012", "下関市", "(3)", 4, 5),
    ]
    c = compare_years(pd.DataFrame(rows), 2022, "R5", entity="下関市")
    assert c.indicator.tolist() == ["(1)", "(2)", "(3)", "合計"]
    assert c.presence.tolist() == ["両年度", "基準年度のみ", "比較年度のみ", "両年度"]
    assert pd.isna(c.loc[1, "rate_target"]) and c.loc[2, "rate_target"] == 4 / 5
    assert not c.loc[1, "max_changed"]
    # No 全国平均 rows and one entity only: national rates unknown, not invented.
    assert c.national_rate_base.isna().all()


def test_national_average_computed_when_all_entities_present():
    rows = [
        _leaf(y, code, name, "(1)", s, 10)
        for y in (2022, 2023)
        for code, name, s in (("352012", "下関市", 6 if y == 2022 else 9), ("352021", "宇部市", 4))
    ]
    c = compare_years(pd.DataFrame(rows), 2022, 2023, entity="下関市")
    # national = mean of 下関市 and 宇部市: 2022 (6+4)/2 = 5 of 10, 2023 (9+4)/2 = 6.5 of 10.
    assert c.national_rate_base.tolist() == [0.5, 0.5]
    assert c.national_rate_target.tolist() == [0.65, 0.65]
    assert c.gap_target_pt.iloc[0] == pytest.approx((0.9 - 0.65) * 100)


def test_grant_selection_shien_and_ambiguity():
    rows = [_leaf(2022, "352012", "下関市", "(1)", 5, 10, grant=g) for g in ("推進", "支援")]
    rows += [_leaf(2023, "352012", "下関市", "(1)", 7, 10, grant=g) for g in ("推進", "支援")]
    t = pd.DataFrame(rows)
    with pytest.raises(UnknownSelectionError, match="推進、支援"):
        compare_years(t, 2022, 2023, entity="下関市")
    c = compare_years(t, 2022, 2023, entity="下関市", grant="支援")
    assert c.attrs["grant"] == "支援" and c.rate_change_pt.iloc[0] == pytest.approx(20)
    only = t[t.grant == "支援"]
    assert compare_years(only, 2022, 2023, entity="352012").attrs["grant"] == "支援"


def test_unknown_entity_and_year_list_what_exists(example):
    with pytest.raises(UnknownSelectionError, match="山口県"):
        compare_years(example, 2018, 2019, entity="広島県")
    with pytest.raises(UnknownSelectionError, match="令和2年度.*平成30年度、令和元年度"):
        compare_years(example, 2018, "R2", entity="山口県")


def test_compare_to_average_r1(example):
    c = compare_to_average(example, entity="山口県", fiscal_year=2019).set_index("indicator")
    assert list(c.reset_index().columns) == [
        "indicator",
        "indicator_name",
        "row_kind",
        "score",
        "national_average",
        "max_score",
        "rate",
        "national_rate",
        "diff_points",
        "diff_rate_pt",
    ]
    assert c.loc["合計", "diff_points"] == pytest.approx(611 - 584.3)
    assert c.loc["Ⅱ", "national_average"] == pytest.approx(435.4)
    assert c.loc["Ⅲ", "diff_rate_pt"] == pytest.approx((55 / 80 - 49.6 / 80) * 100)


def test_strengths_and_weaknesses_are_leaves_sorted(example):
    c = compare_to_average(example, entity="山口県", fiscal_year=2019)
    # Hand: Ⅱ(2)② 39/45 − 31/45 = +17.8 pt; Ⅱ(1) 13/29 − 17.8/29 = −16.6 pt.
    assert strengths(c, 1).indicator.tolist() == ["Ⅱ(2)②"]
    assert weaknesses(c, 1).indicator.tolist() == ["Ⅱ(1)"]
    assert set(strengths(c, 20).row_kind) == {"leaf"}
    assert strengths(c, 20).diff_rate_pt.is_monotonic_decreasing


def _five_towns() -> pd.DataFrame:
    towns = [
        ("352012", "下関市", 80),
        ("352021", "宇部市", 60),
        ("352039", "山口市", 80),
        ("322016", "松江市", 50),
        ("322024", "浜田市", 90),
    ]
    rows = [_leaf(2023, c, n, "(1)", s / 2, 50) for c, n, s in towns] + [
        _leaf(2023, c, n, "(2)", s / 2, 50) for c, n, s in towns
    ]
    return pd.DataFrame(rows)


def test_rank_ties_min_and_percentile():
    r = rank_among(_five_towns(), entity="山口市", fiscal_year=2023).iloc[0]
    # Totals 90, 80, 80, 60, 50: 山口市 ties 下関市 at 80 → rank 2 (min); percentile 100 × (5−2)/(5−1) = 75.
    assert (r.indicator, r["rank"], r.n, r.percentile) == ("合計", 2, 5, 75.0)


def test_rank_within_attribute_groups():
    attrs = pd.DataFrame(
        {
            "entity_code": ["352012", "352021", "352039", "322016", "322024"],
            "prefecture": ["山口県"] * 3 + ["島根県"] * 2,
        }
    )
    r = rank_among(_five_towns(), entity="浜田市", fiscal_year=2023, attributes=attrs, within="prefecture").iloc[0]
    assert (r["rank"], r.n, r.peer_group) == (1, 2, "島根県")
    by = rank_among(_five_towns(), entity="宇部市", fiscal_year=2023, by_indicator=True)
    assert by.indicator.tolist() == ["(1)", "(2)", "合計"]
    assert by["rank"].tolist() == [4, 4, 4]


def test_rank_needs_all_entities(example):
    with pytest.raises(UnknownSelectionError, match="全団体"):
        rank_among(example, entity="山口県", fiscal_year="R1")


def test_add_national_average_keeps_existing(example):
    assert len(add_national_average(example)) == len(example)


def test_rank_within_a_series_and_a_scores_column():
    towns = _five_towns()
    size = pd.Series({"352012": "中", "352021": "小", "352039": "中", "322016": "小", "322024": "中"})
    r = rank_among(towns, entity="山口市", fiscal_year=2023, within=size).iloc[0]
    # 中: 浜田市 90, 下関市 80, 山口市 80 → 山口市 rank 2 of 3, percentile 100 × (3−2)/(3−1) = 50.
    assert (r["rank"], r.n, r.percentile, r.peer_group) == (2, 3, 50.0, "中")
    with_col = towns.assign(prefecture=towns.entity_code.str[:2])
    # code prefix "35": 下関市 80, 山口市 80, 宇部市 60 → 宇部市 is 3rd of 3.
    r = rank_among(with_col, entity="宇部市", fiscal_year=2023, within="prefecture").iloc[0]
    assert (r["rank"], r.n, r.peer_group) == (3, 3, "35")


def _two_fuchu():
    import pandas as pd

    return pd.DataFrame(
        {
            "fiscal_year": 2025,
            "level": "市町村",
            "grant": "推進",
            "entity_code": ["132065", "342025", "342033"],
            "entity": ["府中市", "府中市", "三原市"],
            "indicator": "Ⅰ",
            "indicator_name": "",
            "parent": "",
            "score": [10.0, 20.0, 30.0],
            "max_score": 40.0,
        }
    )


def test_same_name_in_two_prefectures_asks_for_code_and_lists_candidates():
    from grantkit import UnknownSelectionError
    from grantkit.compare import resolve_selection

    with pytest.raises(UnknownSelectionError) as info:
        resolve_selection(_two_fuchu(), entity="府中市")
    msg = str(info.value)
    assert "府中市（東京都、132065）" in msg and "府中市（広島県、342025）" in msg


@pytest.mark.parametrize("query", ["342025", "広島県府中市", "広島県 府中市", "府中市（広島県）"])
def test_code_or_prefecture_qualified_name_picks_one(query):
    from grantkit.compare import resolve_selection

    sel = resolve_selection(_two_fuchu(), entity=query)
    assert (sel.entity, sel.entity_code) == ("府中市", "342025")


def test_a_year_compared_with_itself_is_refused(example):
    with pytest.raises(UnknownSelectionError, match="基準年度と比較年度が同じです"):
        compare_years(example, "H31", "R1", entity="山口県")  # H31 is R1: an all-zero comparison would say nothing


def test_the_national_average_is_not_an_entity_to_report_on(example):
    with pytest.raises(UnknownSelectionError, match="全国平均"):
        compare_to_average(example, entity="全国平均", fiscal_year="R1")


def test_strengths_are_above_and_weaknesses_below_the_average(example):
    versus = compare_to_average(example, entity="山口県", fiscal_year="R1")
    assert (strengths(versus, 20)["diff_rate_pt"] > 0).all() and (weaknesses(versus, 20)["diff_rate_pt"] < 0).all()
    above = versus.assign(diff_rate_pt=versus["diff_rate_pt"].abs() + 1)  # an entity above average everywhere
    assert weaknesses(above).empty and len(strengths(above)) == 3


def test_a_selection_resolved_once_is_reused_not_resolved_again():
    """The report resolves 山口県 once; compute functions given that selection give the same tables as with the
    name, narrow it to the years they need, and refuse a year or grant it does not hold."""
    from grantkit import example_scores
    from grantkit.compare import resolve_selection

    scores = example_scores()
    sel = resolve_selection(scores, entity="山口県", years=["H30", "R1"])
    pd.testing.assert_frame_equal(
        compare_years(scores, "H30", "R1", entity=sel), compare_years(scores, "H30", "R1", entity="山口県")
    )
    versus = compare_to_average(scores, entity=sel, fiscal_year="R1")
    assert versus.attrs["entity_code"] == "35" and versus.attrs["fiscal_year"] == 2019
    only_r1 = resolve_selection(scores, entity="山口県", years=["R1"])
    with pytest.raises(UnknownSelectionError, match="平成30年度"):
        compare_years(scores, "H30", "R1", entity=only_r1)
    with pytest.raises(UnknownSelectionError, match="支援"):
        resolve_selection(scores, entity=sel, grant="支援")
