"""Utilisation shares from seed 000, the project list, budgets; fixtures written by the tests."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from grantkit import (
    UnknownSelectionError,
    ValidationError,
    example_path,
    load_budgets,
    load_projects,
    load_utilization,
    utilization,
)
from grantkit.funding import UnverifiedBudgetWarning, budget_for, project_summary, project_table
from grantkit.present.format import format_rate


@pytest.fixture(scope="module")
def util():
    return utilization(load_utilization(example_path("utilization_yamaguchi.csv")))


def test_seed_amounts_and_shares(util, seed000_text):
    h30, r1 = util.iloc[0], util.iloc[1]
    # Seed 000: 配分額 15,680 / 22,248; 所用見込額 14,875 / 11,080; 実績額 10,395 / (not printed) 千円.
    for figure in ("15,680千円", "22,248千円", "14,875千円", "11,080千円", "10,395千円"):
        assert figure in seed000_text
    assert (h30.allocation_thousand_yen, h30.planned_thousand_yen, h30.spent_thousand_yen) == (15680, 14875, 10395)
    # 14,875 / 15,680 = 94.87% ; 10,395 / 15,680 = 66.29% ; 11,080 / 22,248 = 49.80%
    assert format_rate(h30.planned_share, 1) == "94.9%"
    assert format_rate(h30.spent_share, 1) == "66.3%"
    assert format_rate(r1.planned_share, 1) == "49.8%"
    assert h30.unused_thousand_yen == 15680 - 10395


def test_unknown_spent_is_not_zero(util):
    r1 = util.iloc[1]
    assert pd.isna(r1.spent_thousand_yen) and pd.isna(r1.spent_share) and pd.isna(r1.unused_thousand_yen)


def test_underused_flag_and_threshold(util):
    # Seed 000 writes 「交付金を有効活用できていない」: H30 spent 66.3%, R1 planned 49.8% are both below 80%.
    assert util.underused.tolist() == [True, True]
    loose = utilization(load_utilization(example_path("utilization_yamaguchi.csv")), threshold=0.4)
    assert loose.underused.tolist() == [False, False]
    # Only a known amount can raise the flag: R1 with threshold 0.45 (planned 49.8%, spent unknown) is not flagged.
    assert not utilization(loose, threshold=0.45).underused.iloc[1]


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_utilization_lists_every_problem(tmp_path):
    path = _write(
        tmp_path,
        "u.csv",
        "fiscal_year,level,grant,entity_code,entity,allocation_thousand_yen,planned_thousand_yen,spent_thousand_yen\n"
        "H30,都道府県,推進,35,山口県,abc,100,50\n"
        "X9,都道府県,推進,35,山口県,100,-5,\n"
        "R1,県,推進,35,山口県,,100,1.5\n",
    )
    with pytest.raises(ValidationError) as err:
        load_utilization(path)
    text = str(err.value)
    rows_cols = {(p.row, p.column) for p in err.value.problems}
    assert rows_cols == {
        (2, "allocation_thousand_yen"),
        (3, "fiscal_year"),
        (3, "planned_thousand_yen"),
        (4, "level"),
        (4, "allocation_thousand_yen"),
        (4, "spent_thousand_yen"),
    }
    assert "'abc' は数値ではありません" in text


def test_missing_column_named(tmp_path):
    path = _write(tmp_path, "u.csv", "fiscal_year,entity\nH30,山口県\n")
    with pytest.raises(ValidationError, match="allocation_thousand_yen"):
        load_utilization(path)


@pytest.fixture(scope="module")
def projects():
    return load_projects(example_path("projects_yamaguchi.csv"))


def test_project_table_as_printed_in_seed(projects):
    t = project_table(projects).set_index("project")
    assert list(t.columns) == ["category", "H30", "R1"]
    assert len(t) == 14  # seed 000 lists 14 projects
    # names as the seed writes them (full-width （…） and ＮＰＯ kept for display)
    assert t.loc["介護予防活動普及展開支援事業（モデル事業支援）", "R1"] == "国事業廃止に伴い廃止"
    assert t.loc["移動支援等人材養成研修（ボランティア、ＮＰＯ職員向け）", "R1"] == "事業目的達成のため廃止"
    assert t.loc["医療介護連携の見える化事業（多職種連携事例集作成）", "R1"] == "単年度事業のため廃止"
    assert t.loc["地域包括支援センター機能強化研修"].tolist()[1:] == ["－", "○"]
    assert t.loc["認知症カフェサミット"].tolist()[1:] == ["○", "○"]


def test_project_summary_counts(projects):
    s = project_summary(projects).set_index(["fiscal_year", "category_no"])
    # Category 7 in R1 (the printed report): 見える化事業 ended (単年度), 人材養成研修 and 機能強化研修 new
    # (－ → ○), カフェ continued.
    c7 = s.loc[(2019, 7)]
    assert (c7.implemented, c7.started, c7.continued, c7.ended) == (3, 2, 1, 1)
    assert c7.end_reasons == "単年度事業のため廃止"
    # H30 is the first year in the table: new vs continued cannot be known.
    assert pd.isna(s.loc[(2018, 3), "started"])
    assert s.loc[(2018, 7), "not_implemented"] == 2
    # Totals over categories: R1 11 implemented, 3 ended (seed: 14 projects, 3 ended in R1).
    r1 = s.loc[2019]
    assert r1.implemented.sum() == 11 and r1.ended.sum() == 3


def test_load_projects_problems(tmp_path):
    path = _write(
        tmp_path,
        "p.csv",
        "fiscal_year,entity_code,entity,category_no,category,project,status,end_reason\n"
        "H30,35,山口県,2,現状分析,事業A,実施,\n"
        "H30,35,山口県,2,現状分析,事業A,実施,\n"
        "R1,35,山口県,x,現状分析,事業B,中止,\n"
        "R1,35,山口県,2,現状分析,事業C,実施,単年度事業\n",
    )
    with pytest.raises(ValidationError) as err:
        load_projects(path)
    assert {(p.row, p.column) for p in err.value.problems} == {
        (3, "project"),
        (4, "status"),
        (4, "category_no"),
        (5, "end_reason"),
    }


def test_entity_code_restored(tmp_path):
    path = _write(
        tmp_path,
        "p.csv",
        "fiscal_year,entity_code,entity,category_no,category,project,status,end_reason\n"
        "R1,1,北海道,2,現状分析,事業A,実施,\nR1,12345,札幌市,2,現状分析,事業A,実施,\n",
    )
    assert load_projects(path).entity_code.tolist() == ["01", "012345"]


def test_budgets(recwarn):
    b = load_budgets(example_path("budgets.csv"))
    assert b.budget_yen.dtype == "int64" and b.verified.dtype == bool
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert budget_for(b, "H30", "推進", "都道府県") == 1_000_000_000  # verified: no warning
    with pytest.warns(UnverifiedBudgetWarning, match="未確認"):
        assert budget_for(b, 2018, "推進", "市町村") == 19_000_000_000
    with pytest.raises(UnknownSelectionError, match="支援・合計") as err:
        budget_for(b, "R6", "支援", "市町村")
    assert "budget=" in str(err.value)
    with pytest.raises(UnknownSelectionError, match="なし"):
        budget_for(b, "R9", "推進", "市町村")


def test_duplicate_utilization_rows_are_refused(tmp_path):
    path = _write(
        tmp_path,
        "u.csv",
        "fiscal_year,level,grant,entity_code,entity,allocation_thousand_yen,planned_thousand_yen,spent_thousand_yen\n"
        "R1,都道府県,推進,35,山口県,22248,11080,\n"
        "令和元年度,都道府県,推進,35,山口県,22248,11080,\n",
    )
    with pytest.raises(ValidationError) as err:
        load_utilization(path)
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "fiscal_year")]


def test_a_column_nobody_reads_is_an_error_and_projects_may_name_their_grant(tmp_path):
    head = "fiscal_year,entity_code,entity,category_no,category,project,status,end_reason"
    with pytest.raises(ValidationError, match="列「備考」はこのファイルの列ではありません"):
        load_projects(_write(tmp_path, "p.csv", head + ",備考\nR1,35,山口県,2,現状分析,事業A,実施,,メモ\n"))
    p = load_projects(
        _write(
            tmp_path,
            "g.csv",
            head + ",grant\nR2,35,山口県,2,現状分析,事業A,実施,,支援\nR2,35,山口県,2,現状分析,事業B,実施,,\n",
        )
    )
    assert p["grant"].tolist() == ["支援", ""]
