"""The bundled 山口県 data against the figures printed in seed 000, read from the seed text itself."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from printed_table import PRINTED_ORDER

from grantkit import example_path, read_scores

ROW = re.compile(r"(\d+) ／ (\d+) ([\d.]+) (\d+) ／ (\d+) ([\d.]+)")


@pytest.fixture(scope="module")
def printed(seed000_text) -> pd.DataFrame:
    rows = ROW.findall(seed000_text)
    assert len(rows) == len(PRINTED_ORDER), "seed 000 table rows not found as expected"
    return pd.DataFrame(
        [[float(x) for x in r] for r in rows],
        index=PRINTED_ORDER,
        columns=["score_2018", "max_2018", "avg_2018", "score_2019", "max_2019", "avg_2019"],
    )


def _value(example, year, entity, indicator, column):
    sel = example[(example.fiscal_year == year) & (example.entity == entity) & (example.indicator == indicator)]
    assert len(sel) == 1
    return sel[column].iloc[0]


@pytest.mark.parametrize("year", [2018, 2019])
def test_every_leaf_matches_seed(example, printed, year):
    for ind in PRINTED_ORDER:
        if ind in ("Ⅱ計", "合計"):
            continue
        assert _value(example, year, "山口県", ind, "score") == printed.loc[ind, f"score_{year}"], ind
        assert _value(example, year, "山口県", ind, "max_score") == printed.loc[ind, f"max_{year}"], ind
        assert _value(example, year, "全国平均", ind, "score") == printed.loc[ind, f"avg_{year}"], ind
        assert _value(example, year, "全国平均", ind, "max_score") == printed.loc[ind, f"max_{year}"], ind


@pytest.mark.parametrize("year", [2018, 2019])
def test_printed_subtotals_and_totals_equal_leaf_sums(example, printed, year):
    for entity, col in (("山口県", "score"), ("全国平均", "avg")):
        part = example[(example.fiscal_year == year) & (example.entity == entity)]
        ii = part[part.parent == "Ⅱ"]
        assert ii["score"].sum() == pytest.approx(printed.loc["Ⅱ計", f"{col}_{year}"])
        assert ii["max_score"].sum() == printed.loc["Ⅱ計", f"max_{year}"]
        assert part["score"].sum() == pytest.approx(printed.loc["合計", f"{col}_{year}"])
        assert part["max_score"].sum() == printed.loc["合計", f"max_{year}"]


def test_maxima_730_and_741(example):
    per_year = example[example.entity == "山口県"].groupby("fiscal_year")["max_score"].sum()
    assert per_year.to_dict() == {2018: 730.0, 2019: 741.0}


def test_shape_and_codes(example):
    assert len(example) == 2 * 2 * 12
    assert set(example.entity_code) == {"35", "00"}
    assert example.groupby(["fiscal_year", "entity"]).size().eq(12).all()
    assert example["entity_code"].dtype == "str"


def test_load_report_accounts_for_every_row():
    loaded = read_scores(example_path("yamaguchi_scores.csv"))
    r = loaded.report
    assert (r.rows_read, r.rows_kept, len(r.exclusions), len(r.coerced)) == (48, 48, 0, 0)
    assert r.encoding == "utf-8" and len(r.sha256) == 64


def test_utilisation_figures_match_seed(seed000_text):
    util = pd.read_csv(example_path("utilization_yamaguchi.csv"), dtype={"entity_code": str})
    printed = [int(x.replace(",", "")) for x in re.findall(r"([\d,]+)千円", seed000_text)]
    # The seed prints 14,875 and 11,080 (所用見込額 H30, R1), 10,395 (実績額 H30), 15,680 and 22,248 (配分額).
    assert printed == [14875, 11080, 10395, 15680, 22248]
    assert util["allocation_thousand_yen"].tolist() == [15680, 22248]
    assert util["planned_thousand_yen"].tolist() == [14875, 11080]
    assert util["spent_thousand_yen"].iloc[0] == 10395 and pd.isna(util["spent_thousand_yen"].iloc[1])


def test_project_list_matches_seed(seed000_text):
    projects = pd.read_csv(example_path("projects_yamaguchi.csv"), dtype=str, keep_default_na=False)
    assert projects["project"].nunique() == 14
    assert projects["category_no"].nunique() == 6  # 総括的事業 has no project printed of its own
    flat = re.sub(r"\s+", "", seed000_text)
    for name in projects["project"].unique():
        assert re.sub(r"\s+", "", name) in flat, name
    ended = projects[projects.status == "廃止"]
    assert sorted(ended.end_reason) == sorted(
        ["国事業廃止に伴い廃止", "事業目的達成のため廃止", "単年度事業のため廃止"]
    )
    for reason in ended.end_reason:
        assert reason in flat
    not_yet = projects[projects.status == "未実施"]
    assert sorted(not_yet.project) == ["医療介護連携人材養成研修事業", "地域包括支援センター機能強化研修"]
    assert seed000_text.count("－ ○") == 2
