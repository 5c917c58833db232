"""Score rates, subtotals and totals against every rate printed in seed 000, and the row layout contract."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from printed_table import PRINTED_ORDER

from grantkit import score_rates
from grantkit.present.format import format_rate, score_table
from grantkit.rates import display_code

# Seed 000 p.3, copied as printed: (entity rate, national rate) per printed row and year.
# The seed prints rates only on the top-level rows Ⅰ, Ⅱ計, Ⅲ and 合計.
PRINTED_RATES = {
    2018: {"Ⅰ": ("83%", "93.9%"), "Ⅱ計": ("60%", "86.0%"), "Ⅲ": ("0%", "63.8%"), "合計": ("64%", "87.4%")},
    2019: {"Ⅰ": ("89%", "93.7%"), "Ⅱ計": ("83%", "78.5%"), "Ⅲ": ("69%", "62.0%"), "合計": ("82%", "78.9%")},
}
# Seed 000 p.3 totals as printed: (score, max, national average).
PRINTED_TOTALS = {
    2018: {"Ⅱ計": (320, 530, 456), "合計": (470, 730, 638)},
    2019: {"Ⅱ計": (462, 555, 435.4), "合計": (611, 741, 584.3)},
}
# The one printed figure that does not follow from the printed average (see test below and grantkit/data/SOURCES.md §3).
KNOWN_MISMATCH = (2018, "Ⅲ")


@pytest.fixture(scope="module")
def rates(example):
    return score_rates(example)


def _row(rates, year, entity, code):
    sel = rates[
        (rates.fiscal_year == year) & (rates.entity == entity) & (display_code(rates.indicator, rates.row_kind) == code)
    ]
    assert len(sel) == 1, (year, entity, code)
    return sel.iloc[0]


@pytest.mark.parametrize("year", [2018, 2019])
@pytest.mark.parametrize("code", ["Ⅰ", "Ⅱ計", "Ⅲ", "合計"])
def test_every_printed_rate(rates, year, code):
    own, national = PRINTED_RATES[year][code]
    assert format_rate(_row(rates, year, "山口県", code).score_rate) == own
    if (year, code) != KNOWN_MISMATCH:
        assert format_rate(_row(rates, year, "全国平均", code).score_rate, digits=1) == national


def test_h30_national_iii_is_the_known_mismatch(rates):
    """Printed: average 13 of 20, rate 63.8%. 13/20 is 65.0%; 63.8% × 20 = 12.76 — the printed 13 is a rounded
    12.76, and the H30 allocation 15,680千円 independently implies that (tests/test_allocation.py)."""
    row = _row(rates, 2018, "全国平均", "Ⅲ")
    assert (row.score, row.max_score) == (13, 20)
    assert format_rate(row.score_rate, 1) == "65.0%" != PRINTED_RATES[2018]["Ⅲ"][1]
    assert 0.638 * 20 == pytest.approx(12.76)
    assert format_rate(12.76 / 20, 1) == "63.8%"
    # With 12.76 the printed national total rate 87.4% still holds: (169 + 456 + 12.76) / 730 = 87.36%.
    assert format_rate((169 + 456 + 12.76) / 730, 1) == "87.4%"


@pytest.mark.parametrize("year", [2018, 2019])
def test_printed_totals(rates, year):
    for code, (score, mx, avg) in PRINTED_TOTALS[year].items():
        own, nat = _row(rates, year, "山口県", code), _row(rates, year, "全国平均", code)
        assert (own.score, own.max_score) == (score, mx)
        assert nat.score == avg  # exact after the sum's 10-decimal rounding: printed figures add up as printed
        assert nat.max_score == mx


def test_score_table_matches_the_seed_text(rates, seed000_text):
    """Every rate pair printed in the seed text, in order, against the generated table."""
    printed = re.findall(r"（ (\d+)% ） （ ([\d.]+)% ） （ (\d+)% ） （ ([\d.]+)% ）", seed000_text)
    table = score_table(rates, entity="山口県")
    codes = ["Ⅰ", "Ⅱ計", "Ⅲ", "合計"]
    assert len(printed) == len(codes)
    for code, (own18, nat18, own19, nat19) in zip(codes, printed):
        row = table.loc[code]
        assert row["H30 得点率"] == f"（{own18}%）"
        assert row["R1 得点率"] == f"（{own19}%）"
        assert row["R1 全国平均得点率"] == f"（{nat19}%）"
        if (2018, code) == KNOWN_MISMATCH:
            assert (row["H30 全国平均得点率"], nat18) == ("（65.0%）", "63.8")
        else:
            assert row["H30 全国平均得点率"] == f"（{nat18}%）"


def test_score_table_scores_as_printed(rates):
    table = score_table(rates, entity="山口県")
    assert table.loc["Ⅰ", "H30 得点"] == "150 ／ 180"
    assert table.loc["Ⅱ(2)②", "R1 全国平均"] == "31"
    assert table.loc["Ⅱ計", "R1 全国平均"] == "435.4"
    assert table.loc["合計", "R1 得点"] == "611 ／ 741"
    assert table.loc["Ⅱ(1)", "R1 得点率"] == ""  # the seed prints no rate on Ⅱ's items
    assert score_table(rates, entity="山口県", rate_rows="all").loc["Ⅱ(1)", "R1 得点率"] == "（45%）"  # 13/29


def test_order_subtotal_after_last_leaf_and_total_last(rates):
    part = rates[(rates.fiscal_year == 2018) & (rates.entity == "山口県")]
    codes = display_code(part.indicator, part.row_kind).tolist()
    assert codes == PRINTED_ORDER
    sub = part[part.row_kind == "subtotal"].iloc[0]
    assert (sub.indicator, sub.parent, sub.indicator_name) == (
        "Ⅱ",
        "",
        "自立支援・重度化防止、保険給付適正化事業等に係る支援",
    )
    assert part[part.row_kind == "total"].iloc[0].indicator_name == "合計"


def test_columns_contract(example, rates):
    assert list(rates.columns) == list(example.columns) + ["score_rate", "row_kind"]
    assert set(rates.row_kind) == {"leaf", "subtotal", "total"}
    assert len(rates) == len(example) + 2 * 2 * 2  # one Ⅱ subtotal and one total per entity-year


def _two_grants() -> pd.DataFrame:
    """R6-style: 推進 and 支援, 目標Ⅰ–Ⅳ each 100 points, 目標Ⅳ identical in both grants."""
    rows = []
    for grant, scores in (("推進", [80, 60, 50, 40]), ("支援", [70, 90, 30, 40])):
        for goal, s in zip(["目標Ⅰ", "目標Ⅱ", "目標Ⅲ", "目標Ⅳ"], scores):
            rows.append(
                {
                    "fiscal_year": 2024,
                    "level": "市町村",
                    "grant": grant,
                    "entity_code": "352012",
                    "entity": "下関市",
                    "indicator": goal,
                    "indicator_name": "",
                    "parent": "",
                    "score": float(s),
                    "max_score": 100.0,
                }
            )
    return pd.DataFrame(rows)


def test_combined_total_across_grants():
    r = score_rates(_two_grants())
    comb = r[r.row_kind == "combined"]
    assert len(comb) == 1
    c = comb.iloc[0]
    # 推進 80+60+50+40 = 230, 支援 70+90+30+40 = 230; 目標Ⅳ counts in both: 460 of 400 + 400 = 800.
    assert (c.grant, c.indicator, c.score, c.max_score) == ("合計", "合計", 460.0, 800.0)
    assert c.score_rate == pytest.approx(460 / 800)
    assert r.row_kind.tolist()[-1] == "combined"
    assert r.grant.tolist() == ["推進"] * 5 + ["支援"] * 5 + ["合計"]


def test_rate_nan_when_max_zero_or_missing():
    t = _two_grants().iloc[:2].copy()
    t["max_score"] = [0.0, math.nan]
    r = score_rates(t)
    assert r.score_rate.iloc[:2].isna().all()


def test_missing_leaf_makes_its_subtotal_and_total_missing_not_zero():
    t = _two_grants().iloc[:4].copy()
    t.loc[0, "score"] = math.nan
    r = score_rates(t)
    total = r.query("row_kind == 'total'").iloc[0]
    assert math.isnan(total.score) and math.isnan(total.score_rate)  # not (60 + 50 + 40) / 200 with 配点 counted
    assert total.max_score == _two_grants().iloc[:4].max_score.sum()
    known = r.query("row_kind == 'leaf'").iloc[1:]
    assert known.score.tolist() == [60, 50, 40]  # the other leaves keep their values and rates


def test_display_code():
    assert display_code("Ⅱ", "subtotal") == "Ⅱ計"
    assert display_code("合計", "total") == "合計"
    assert display_code(pd.Series(["Ⅰ", "Ⅱ"]), pd.Series(["leaf", "subtotal"])).tolist() == ["Ⅰ", "Ⅱ計"]


def test_score_table_keeps_one_year_indicators_in_order():
    rows = [
        {
            "fiscal_year": y,
            "level": "市町村",
            "grant": "推進",
            "entity_code": "352012",
            "entity": "下関市",
            "indicator": i,
            "indicator_name": f"名{i}",
            "parent": "",
            "score": 1.0,
            "max_score": 2.0,
        }
        for y, codes in ((2022, ["(1)", "(2)"]), (2023, ["(1)", "(3)"]))
        for i in codes
    ]
    t = score_table(score_rates(pd.DataFrame(rows)), entity="下関市")
    assert t.index.tolist() == ["(1)", "(2)", "(3)", "合計"]
    assert t.loc["(2)", "R5 得点"] == "" and t.loc["(2)", "R4 得点"] == "1 ／ 2"
    assert t.loc["(3)", "label"] == "(3) 名(3)"
    assert t.loc["(1)", "R4 全国平均"] == ""  # no national rows: left blank, not invented


def test_score_table_accepts_the_tidy_table(example, rates):
    assert score_table(example, entity="山口県").equals(score_table(rates, entity="山口県"))
