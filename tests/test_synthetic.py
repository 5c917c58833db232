"""The synthetic national workbooks: real shape, consistent numbers, readable by load_mhlw for every layout."""

from __future__ import annotations

from collections import Counter

import numpy as np
import openpyxl
import pytest

from grantkit import example_path, load_mhlw
from grantkit.io.mhlw import supported_years
from grantkit.testing.synthetic import FULL_SIZE, national_workbook, score_columns, synthetic_budget

N = 60


@pytest.fixture(scope="module")
def r6(tmp_path_factory):
    return national_workbook(tmp_path_factory.mktemp("syn") / "r6.xlsx", "R6", n_municipalities=N, n_unions=4)


@pytest.mark.parametrize("year", supported_years())
def test_every_layout_round_trips(tmp_path, year):
    path = national_workbook(tmp_path / f"{year}.xlsx", year, "市町村", n_municipalities=N, n_unions=2)
    r = load_mhlw(path)
    assert r.layout == year and r.report.rows_read == N + 2 and r.report.rows_kept == N
    assert len(r.report.exclusions) == 2 and all("広域連合" in p.message for p in r.report.exclusions)
    assert any("すべて一致" in c for c in r.checks)
    st = r.statistics
    assert np.allclose(st["mean"], st["recomputed_mean"], atol=0.005)  # printed means are rounded to 0.01


def test_title_says_fictitious(r6):
    wb = openpyxl.load_workbook(r6, read_only=True)
    for ws in wb.worksheets:
        assert "架空データ" in next(ws.iter_rows(max_row=1, values_only=True))[0]
    wb.close()


def test_header_is_merged_and_depth_differs_before_r6(tmp_path):
    new = national_workbook(tmp_path / "r7.xlsx", "R7", "市町村", n_municipalities=N)
    old = national_workbook(tmp_path / "r5.xlsx", "R5", "市町村", n_municipalities=N)
    ws = openpyxl.load_workbook(new)["全国集計（市町村）"]
    merged = [str(m) for m in ws.merged_cells.ranges]
    assert "A2:A8" in merged  # 通し番号 spans the 7 header rows
    assert any(m.min_row == m.max_row == 2 and m.max_col - m.min_col > 10 for m in ws.merged_cells.ranges)  # 交付金名
    # R7: title + 7 header rows + 9 statistics rows → first data row 18; R5 has no 指標群 row → 17
    assert ws.cell(18, 1).value == 1 and ws.cell(17, 1).value is None
    assert openpyxl.load_workbook(old)["全国集計（市町村）"].cell(17, 1).value == 1


def test_points_per_goal_and_grant(r6):
    st = load_mhlw(r6, level="市町村").statistics
    sub = st[st["row_kind"] == "subtotal"]
    assert (sub["max_score"] == 100).all() and len(sub) == 8  # 目標Ⅰ–Ⅳ × 2 grants, 100 points each
    tot = st[st["row_kind"] == "total"].set_index("grant")["max_score"].to_dict()
    assert tot == {"推進": 400, "支援": 400, "合計": 800}


def test_shared_goal_identical_in_both_grants(r6):
    s = load_mhlw(r6, level="市町村").scores
    iv = s[s["parent"] == "目標Ⅳ"].pivot_table(index=["entity_code", "indicator"], columns="grant", values="score")
    assert len(iv) > 0 and (iv["推進"] == iv["支援"]).all()


def test_entities_realistic_with_one_same_named_pair(tmp_path):
    a = load_mhlw(national_workbook(tmp_path / "r7.xlsx", "R7", "市町村", n_municipalities=N)).attributes
    assert a["prefecture_code"].nunique() == 47
    names = Counter(a["entity"])
    (twin,) = [n for n, c in names.items() if c > 1]
    assert a.loc[a["entity"] == twin, "prefecture"].nunique() == 2
    assert set(a["size_class"]) <= {
        "人口1万人未満",
        "人口1万人以上5万人未満",
        "人口5万人以上10万人未満",
        "人口10万人以上",
    }
    assert set(a["depopulated"]) <= {"非過疎", "全部過疎", "一部過疎", "みなし過疎"}
    assert a["entity_code"].str.fullmatch(r"\d{6}").all() and a["entity_code"].str.startswith("01").any()
    assert (a["first_insured"] < a["population"]).all()


def test_both_sheets_by_default(r6):
    r = load_mhlw(r6)
    assert set(r.scores["level"]) == {"市町村", "都道府県"}
    pref = r.attributes[r.attributes["level"] == "都道府県"]
    assert len(pref) == 47 and pref["entity_code"].str.len().eq(2).all()


def test_consecutive_years_form_a_series(tmp_path):
    r6 = load_mhlw(national_workbook(tmp_path / "a.xlsx", "R6", "市町村", n_municipalities=N))
    r7 = load_mhlw(national_workbook(tmp_path / "b.xlsx", "R7", "市町村", n_municipalities=N))
    a6 = r6.attributes.set_index("entity_code")
    a7 = r7.attributes.set_index("entity_code")
    assert list(a6.index) == list(a7.index)
    assert np.allclose(a7["prev_total"], a6["total"])  # R7's 前年度得点 is R6's 合計
    assert np.allclose(a7["prev_rank"], a6["rank"])


def test_r6_amounts_follow_the_municipal_formula(r6):
    """案 = floor(予算 × 得点 × 第1号被保険者数 / Σ(得点 × 第1号被保険者数)) in 千円, computed here with integers."""
    r = load_mhlw(r6, level="市町村")
    assert r.amounts is not None
    at = r.attributes.set_index("entity_code")
    for grant in ("推進", "支援"):
        am = r.amounts[r.amounts["grant"] == grant].set_index("entity_code")
        eighths = [int(round(s * 8)) * int(n) for s, n in zip(at[f"score_{grant}"], at["first_insured"])]
        budget = synthetic_budget(grant, N)
        expected = [budget * w // sum(eighths) // 1000 for w in eighths]
        assert am.loc[at.index, "plan_thousand_yen"].astype(int).tolist() == expected
        assert (am["final_thousand_yen"] <= am["plan_thousand_yen"]).all()
        assert (am["final_thousand_yen"] < am["plan_thousand_yen"]).any()  # some capped by 所要見込額


def test_full_size_column_count():
    cols = score_columns("R7", "市町村", FULL_SIZE["items_per_group"])
    width = 11 + len(cols) + 8 + 2 + 2  # leading, leaves, 目標 subtotals, grant totals, 合計・順位
    assert 1500 <= width <= 1620
    assert FULL_SIZE["n_municipalities"] + FULL_SIZE["n_unions"] == 1779


@pytest.mark.parametrize("year", ["R6", "R7"])
def test_bundled_samples_are_labelled_and_complete(year):
    path = example_path(f"mhlw_sample_{year}.xlsx")
    assert path.stat().st_size < 3_000_000
    r = load_mhlw(path)
    assert r.layout == {"R6": 2024, "R7": 2025}[year]
    assert set(r.attributes["level"]) == {"市町村", "都道府県"}
    assert len(r.report.exclusions) == 4  # 広域連合・一部事務組合 rows without score
    towns = r.attributes[r.attributes["level"] == "市町村"]
    assert towns["prefecture_code"].nunique() == 47 and towns["entity"].duplicated().sum() == 1
    assert (r.amounts is not None) == (year == "R6")
    text = (path.parent / "SOURCES_synthetic.md").read_text(encoding="utf-8")
    assert "架空データ" in text and path.name in text
