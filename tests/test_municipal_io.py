"""Loading stage of the municipal report: national workbooks of several years and a budgets file into one
MunicipalData (grantkit.report.municipal.load_municipal_data), and finding a municipality in it by what a user types.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from municipal_cases import (
    GRANTS,
    N_SYNTH,
    R6,
    R7,
)

from grantkit import municipal as m
from grantkit.errors import GrantkitError, UnknownSelectionError
from grantkit.examples import example_path
from grantkit.io.mhlw import load_mhlw
from grantkit.national import grant_scores, national_allocation
from grantkit.report.municipal import load_municipal_data
from grantkit.testing.synthetic import synthetic_budget


def test_loading_samples(sample):
    assert sample.years == [R6, R7] and sample.fictitious
    assert sample.files == ["mhlw_sample_R6.xlsx", "mhlw_sample_R7.xlsx"]
    assert sorted(sample.attributes["fiscal_year"].unique()) == [R6, R7]
    assert sample.amounts_of("R7") is None and len(sample.amounts_of("R6")) == 600
    assert "架空データ" in sample.source_note and any("budgets_synthetic.csv" in s for s in sample.sources)
    assert (sample.previous_year("R7"), sample.previous_year("令和7年度"), sample.previous_year(2025)) == (R6, R6, R6)
    assert sample.previous_year("R6") is None and sample.previous_year("R8") == R7


def test_describe_says_who_unambiguously(sample):
    assert sample.describe("つばきの森市") == "北海道 つばきの森市（保険者番号 010010）"
    assert sample.describe("010031") == "北海道 ゆうひさき町（保険者番号 010031）"
    assert sample.describe("青森県ゆうひさき町") == "青森県 ゆうひさき町（保険者番号 020011）"
    with pytest.raises(UnknownSelectionError, match="020011"):
        sample.describe("ゆうひさき町")


def test_budgets_from_the_file(sample):
    for year in ("R6", "R7"):
        b = sample.budgets(year).set_index("grant")
        assert list(b.index) == list(GRANTS)
        for grant in GRANTS:
            assert b.at[grant, "budget_yen"] == synthetic_budget(grant, 300)
            assert not b.at[grant, "verified"] and "架空" in b.at[grant, "source"]


def test_budgets_without_a_file(synth):
    paths, data = synth
    assert data.budget_rows is None
    b = data.budgets("R6").set_index("grant")
    amounts = data.amounts[data.amounts["fiscal_year"] == R6]
    at = data.attributes_of("R6")
    allocated = national_allocation(grant_scores(at), at, b["budget_yen"].to_dict())
    for grant in GRANTS:
        total = int(amounts.loc[amounts["grant"] == grant, "plan_thousand_yen"].sum()) * 1000
        implied = b.at[grant, "budget_yen"]
        assert not b.at[grant, "verified"] and "すべて再現する最小の額として逆算" in b.at[grant, "source"]
        # the synthetic amounts come from synthetic_budget; the sum of truncated amounts is short of it, the
        # implied budget is not above it and gives back every published amount
        assert total <= implied <= synthetic_budget(grant, N_SYNTH) < total + N_SYNTH * 1000
        mine = allocated[allocated["grant"] == grant].merge(amounts[amounts["grant"] == grant], on="entity_code")
        assert len(mine) == N_SYNTH and mine["basis_thousand_yen"].eq(mine["plan_thousand_yen"]).all()
    for year in ("R5", "R7"):
        with pytest.raises(UnknownSelectionError) as exc:
            data.budgets(year)
        assert "--budgets" in str(exc.value) and "予算額がわかりません" in str(exc.value)
    # a budgets file without 市町村 rows for the year (the bundled budgets.csv has 合計 rows only) changes nothing
    own = load_municipal_data([paths["R6"], paths["R7"]], example_path("budgets.csv"))
    assert own.budgets("R6")["budget_yen"].tolist() == b["budget_yen"].tolist()
    with pytest.raises(UnknownSelectionError, match="令和7年度の市町村分の予算額がわかりません"):
        own.budgets("R7")


def test_budgets_for_one_grant_only_is_an_error(synth, tmp_path):
    """A budgets file with the 推進 row only: the report must not show 推進's money and silently drop 支援's."""
    paths, _ = synth
    one = tmp_path / "budgets.csv"
    one.write_text(
        "fiscal_year,grant,level,budget_yen,verified,source,note\nR7,推進,市町村,1000000000,false,手入力,\n",
        encoding="utf-8",
    )
    data = load_municipal_data([paths["R6"], paths["R7"]], one)
    with pytest.raises(UnknownSelectionError, match=r"令和7年度の市町村分の予算額がわかりません（支援）"):
        data.budgets("R7")
    # R6 has no 市町村 rows in the file: both grants come from the published amounts, as before
    assert data.budgets("R6")["grant"].tolist() == list(GRANTS)


def test_loading_refuses_two_files_of_one_year(synth, tmp_path):
    paths, _ = synth
    copy = tmp_path / "again.xlsx"
    copy.write_bytes(Path(paths["R7"]).read_bytes())
    with pytest.raises(GrantkitError, match="同じ年度のファイルが複数あります（令和7年度）"):
        load_municipal_data([paths["R6"], paths["R7"], copy])
    with pytest.raises(GrantkitError, match="1つ以上"):
        load_municipal_data([])
    one = load_municipal_data(str(paths["R7"]))  # a single path is fine
    assert one.years == [R7] and one.amounts is None and one.fictitious


def test_bundled_synthetic_budgets_file():
    with open(example_path("budgets_synthetic.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {(r["fiscal_year"], r["grant"]) for r in rows} == {(y, g) for y in ("R6", "R7") for g in GRANTS}
    for r in rows:
        assert int(r["budget_yen"]) == synthetic_budget(r["grant"], 300), r
        assert r["level"] == "市町村" and r["verified"] == "false" and "架空" in r["source"]


def test_attributes_of_one_workbook_carry_its_year(synth):
    """load_mhlw's attributes say their 交付年度, so 得点 of R6 with 属性 of the R7 workbook are refused."""
    paths, data = synth
    r7 = load_mhlw(paths["R7"])
    assert set(r7.attributes["fiscal_year"]) == {2025}
    with pytest.raises(UnknownSelectionError, match="属性の表に令和6年度の行がありません（ある年度: 令和7年度）"):
        m.goal_comparison(data.scores, r7.attributes, entity="010010", fiscal_year="R6")


def test_what_the_user_types_is_normalised_and_a_miss_says_what_to_type(sample):
    """Full-width digits, stray spaces and codes that lost their leading zero in Excel find the municipality;
    a prefecture name or a near miss gets a message with what to type instead."""
    for typed in ("０２００１１", " 020011　", "20011", "青森県　ゆうひさき町"):
        assert sample.code(typed) == "020011", typed
    with pytest.raises(UnknownSelectionError, match="2 つあります"):
        sample.code("　ゆうひさき町 ")  # the spaces go, the name stays ambiguous
    with pytest.raises(
        UnknownSelectionError,
        match="「山口県」は都道府県名です。市町村名か保険者番号を指定してください（山口県の市町村: ",
    ):
        sample.code("山口県")
    with pytest.raises(UnknownSelectionError, match="似た名前: ゆうひさき町"):
        sample.code("ゆうひさき")


def test_a_name_taken_by_another_town_last_year_is_no_ambiguity_this_year(sample):
    from dataclasses import replace

    scores = sample.scores.copy()
    other = scores["fiscal_year"].eq(2024) & scores["entity_code"].eq("010031")  # ゆうひさき町 (北海道), R6 only
    scores.loc[other, "entity"] = "つばきの森市"
    data = replace(sample, scores=scores)
    assert data.code("つばきの森市", "R7") == "010010"
    with pytest.raises(UnknownSelectionError, match="2 つあります"):
        data.code("つばきの森市")  # across both years the name is ambiguous, and says so
