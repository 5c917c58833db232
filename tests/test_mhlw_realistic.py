"""load_mhlw on workbooks shaped like the real MHLW files (tests/realistic_mhlw.py, written from the published
description): every figure expected here is computed by that generator from its leaves by the published rules
(alternatives: the higher branch), never taken from grantkit."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import realistic_mhlw as R
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import grantkit as gk
from grantkit.compare import resolve_selection
from grantkit.errors import InputFileError
from grantkit.municipal import goal_totals
from grantkit.national import grant_totals

YEARS = (2024, 2025, 2026)
MEMBERS = ["02:第2町", "26:第3町", "02:第10町", "26:第11町"]  # some of the towns without 保険者番号


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    root = tmp_path_factory.mktemp("real")
    out = {y: R.write(root / f"01_（掲載用）令和{y - 2018}年度評価結果（市町村分）.xlsx", y) for y in YEARS}
    out["pref"] = R.write(root / "02_（掲載用）令和8年度評価結果（都道府県分）.xlsx", 2026, "都道府県")
    out["_3"] = R.write(root / "001732614_3.xlsx", 2026, members=False)
    return out


@pytest.fixture(scope="module")
def loaded(books):
    return {k: gk.load_mhlw(b.path) for k, b in books.items()}


def scored(book):
    return [e for e in book.entities if not e.union]


@pytest.mark.parametrize("year", YEARS)
def test_every_scored_municipality_is_kept_with_or_without_its_insurer_number(books, loaded, year):
    book, r = books[year], loaded[year]
    assert r.attributes["entity_code"].tolist() == [e.entity_code for e in scored(book)]
    assert set(MEMBERS) <= set(r.attributes["entity_code"])
    without = r.attributes[r.attributes["insurer_code"] == ""]
    assert len(without) == sum(1 for e in scored(book) if not e.code) == 20
    assert [p.value for p in r.report.exclusions] == [e.name for e in book.entities if e.union]
    assert all("広域連合" in p.message for p in r.report.exclusions)
    assert r.report.rows_read == r.report.rows_kept + len(r.report.exclusions) == len(book.entities)
    assert "うち保険者番号のない市町村（広域連合の構成市町村） 20 団体" in r.row_set


@pytest.mark.parametrize("key", [*YEARS, "pref"])
def test_printed_totals_equal_what_grantkit_computes_on_every_row(books, loaded, key):
    book, r = books[key], loaded[key]
    totals = grant_totals(r.scores).pivot(index="entity_code", columns="grant", values="score")
    codes = [e.entity_code for e in scored(book)]
    for grant in ("推進", "支援"):
        assert totals.loc[codes, grant].tolist() == book.expected[grant].tolist()
        assert r.attributes[f"score_{grant}"].tolist() == book.expected[grant].tolist()
    assert (totals.loc[codes, "推進"] + totals.loc[codes, "支援"]).tolist() == book.expected["合計"].tolist()
    assert r.attributes["total"].tolist() == book.expected["合計"].tolist()
    assert r.attributes["rank"].tolist() == book.expected["rank"].tolist()
    # every 目標 of every grant, per row, from the generator's own counted leaves
    goals = goal_totals(r.scores, book.year).set_index(["entity_code", "grant", "parent"])["score"]
    for grant, spec in book.spec.items():
        cnt = R.counted(book.scores[grant], spec)
        for goal in ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"):
            ks = [k for k, leaf in enumerate(spec) if leaf.goal == goal]
            assert [goals[(c, grant, f"目標{goal}")] for c in codes] == cnt[:, ks].sum(axis=1).tolist()
    combined = gk.score_rates(r.scores)
    combined = combined[combined["row_kind"] == "combined"].set_index("entity_code")["score"]
    assert combined.loc[codes].tolist() == book.expected["合計"].tolist()


@pytest.mark.parametrize("key", [*YEARS, "pref"])
def test_maxima_are_as_published(loaded, key):
    r = loaded[key]
    totals = grant_totals(r.scores)
    assert set(totals["max_score"]) == {400.0}
    goals = goal_totals(r.scores, r.layout)
    assert set(goals.loc[goals["parent"] != "合計", "max_score"]) == {100.0}
    groups = r.statistics[r.statistics["row_kind"] == "group_subtotal"]
    if key == "pref":
        assert groups.empty
        return
    published = {
        ("推進", "目標Ⅰ"): (64, 36),
        ("推進", "目標Ⅱ"): (68, 32),
        ("推進", "目標Ⅲ"): (64, 36),
        ("支援", "目標Ⅰ"): (52, 48),
        ("支援", "目標Ⅱ"): (64, 36),
        ("支援", "目標Ⅲ"): (68, 32),
    }
    got = {k: tuple(g["max_score"].astype(int)) for k, g in groups.groupby(["grant", "parent"], sort=False)}
    assert got == published


@pytest.mark.parametrize("key", [*YEARS, "pref"])
def test_alternatives_are_found_and_listed(loaded, key):
    r = loaded[key]
    alt = r.scores.loc[r.scores["alternative"] != "", ["grant", "alternative"]].drop_duplicates()
    expected = {(g, f"Ⅳ{i}") for g in ("推進", "支援") for i in R.OUTCOME_ALTERNATIVES}
    expected.add(("支援", "Ⅰ(ⅱ)9"))
    assert set(map(tuple, alt.values.tolist())) == expected
    assert len(r.alternatives) == 7 and any("Ⅰ(ⅱ)9（ア・イ・ウ）" in a for a in r.alternatives)
    assert any(n.startswith("択一（いずれか高い方）として読んだ項目") for n in r.report.notes)


def test_size_class_and_depopulation_are_read(books, loaded):
    for year in YEARS:
        r, book = loaded[year], books[year]
        pops = np.array([e.population for e in scored(book)])
        assert r.attributes["depopulated"].eq("○").tolist() == (pops < 20_000).tolist()
        if year == 2024:  # R6 has no 区分 column
            assert r.attributes["size_class"].isna().all()
        else:
            assert r.attributes["size_class"].tolist() == [str(1 + min(4, p // 60_000)) for p in pops]
        assert r.attributes["first_insured"].tolist() == [int(p * 0.3) for p in pops]


@pytest.mark.parametrize("key", [*YEARS, "pref"])
def test_last_years_leading_total_is_never_this_years(books, loaded, key):
    book, r = books[key], loaded[key]
    assert r.attributes["prev_total"].tolist() == book.prev_total.tolist()
    assert r.attributes["total"].tolist() == book.expected["合計"].tolist()
    assert (r.attributes["prev_total"] != r.attributes["total"]).any()
    read_as = dict(zip(r.columns["read_as"], r.columns["sheet_column"]))
    assert read_as["推進・支援合計（今年度）"] != read_as["前年度の合計得点（今年度の得点には使わない）"]


def test_unknown_leading_columns_are_kept_as_extra_attributes(loaded):
    r = loaded[2026]
    assert sorted(r.extras["heading"].unique()) == ["備考", "広域連合名", "構成市町村数"]
    union = r.extras[(r.extras["heading"] == "広域連合名") & r.extras["entity_code"].isin(MEMBERS)]
    assert set(union["value"]) == {"青森県広域連合", "京都府広域連合"}
    assert any("「広域連合名」（C列）" in n for n in r.report.notes)


def test_prefecture_sheet_without_population_or_codes(books, loaded):
    r = loaded["pref"]
    assert len(r.attributes) == 47 and r.attributes["entity_code"].iloc[[0, 46]].tolist() == ["01", "47"]
    assert r.attributes["population"].isna().all() and r.attributes["first_insured"].notna().all()
    assert sorted(r.extras["heading"].unique()) == ["No.", "ブロック", "団体コード"]
    assert r.first_data_row == 19


def test_reissued_file_without_member_towns_loads_and_says_its_row_set(books, loaded):
    r, full = loaded["_3"], loaded[2026]
    assert len(r.attributes) == len(full.attributes) - 20
    assert (r.attributes["insurer_code"] != "").all()
    assert "うち保険者番号のない市町村（広域連合の構成市町村） 0 団体" in r.row_set
    assert r.statistics["row_set"].eq(r.row_set).all()
    assert any("別の行の集合" in n for n in r.report.notes)  # printed means are those of the full file


def test_member_town_is_found_by_name_with_or_without_its_prefecture(loaded):
    scores = loaded[2026].scores
    for name in ("第3町", "京都府第3町", "第3町（京都府）", "26:第3町"):
        assert resolve_selection(scores, entity=name, grant="推進").entity_code == "26:第3町"


def test_municipal_report_runs_for_a_member_town_without_insurer_number(books, tmp_path):
    budgets = tmp_path / "budgets.csv"
    budgets.write_text(
        "fiscal_year,grant,level,budget_yen,verified,source,note\n"
        "R8,推進,市町村,950000000,false,テスト用の架空の額,\nR8,支援,市町村,1900000000,false,テスト用の架空の額,\n",
        encoding="utf-8",
    )
    folder = gk.run_municipal_report(
        entity="京都府第3町",
        year="R8",
        data=[books[2025].path, books[2026].path],
        budgets=budgets,
        out=tmp_path / "reports",
        progress=lambda msg: None,
    )
    assert folder.name == "京都府第3町_R8"
    wb = openpyxl.load_workbook(folder / "表.xlsx", read_only=True)
    rows = list(wb["目標別の得点"].iter_rows(values_only=True))
    head, total = rows[0], next(r for r in rows if r[0] == "合計")
    k = [e.entity_code for e in scored(books[2026])].index("26:第3町")
    for grant in ("推進", "支援"):
        assert total[head.index(f"{grant} 得点")] == books[2026].expected[grant][k]
        assert total[head.index(f"{grant} 配点")] == 400  # the alternatives counted once


# --- spelling: the loader's result does not change ------------------------------------------------------------

_FULL = str.maketrans(
    "0123456789()ABCDEFGHIJKLMNOPQRSTUVWXYZ.",
    "０１２３４５６７８９（）ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ．",
)
_HALF = {v: k for k, v in zip("0123456789()ｱｲｳ", "０１２３４５６７８９（）アイウ")}  # half-width katakana too


@st.composite
def spellings(draw):
    """A way of printing headings: width, spaces and line breaks at chosen places, a suffix on prefix headings."""
    width = draw(st.sampled_from(["as is", "full", "half"]))
    space = draw(st.sampled_from(["", " ", "　", "\n", " \n "]))
    where = draw(st.integers(min_value=1, max_value=3))
    suffix = draw(st.sampled_from(["", "（人）", "\n（令和7年3月31日現在）", "※1"]))

    def spell(kind: str, text: str) -> str:
        if width == "full":
            text = text.translate(_FULL)
        elif width == "half":
            text = "".join(_HALF.get(c, c) for c in text)
        if len(text) > where:
            text = text[:where] + space + text[where:]
        return text + (suffix if kind == "prefix" else "")

    return spell


@pytest.fixture(scope="module")
def canonical(tmp_path_factory):
    book = R.write(tmp_path_factory.mktemp("canon") / "r8.xlsx", 2026, n=24)
    return gk.load_mhlw(book.path)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spell=spellings())
def test_heading_spelling_does_not_change_the_result(spell, canonical, tmp_path_factory):
    book = R.write(tmp_path_factory.mktemp("spell") / "r8.xlsx", 2026, n=24, spell=spell)
    r = gk.load_mhlw(book.path)
    for name in ("scores", "attributes"):
        got, want = getattr(r, name), getattr(canonical, name)
        assert got.equals(want), name
    assert r.alternatives == canonical.alternatives
    assert r.statistics.drop(columns="indicator_name").equals(canonical.statistics.drop(columns="indicator_name"))


# --- a column nobody described ----------------------------------------------------------------------------------


def _add_right(source, target, heading, value=None):
    wb = openpyxl.load_workbook(source)
    ws = wb.active
    col = ws.max_column + 2
    if heading:
        ws.cell(2, col, heading)
    for row in range(9, ws.max_row + 1):
        if value is not None:
            ws.cell(row, col, value)
    wb.save(target)
    return target


def test_blank_columns_right_of_the_scores_are_ignored_and_an_unknown_heading_is_named(books, tmp_path):
    r = gk.load_mhlw(_add_right(books[2026].path, tmp_path / "blank.xlsx", None))
    assert r.attributes["total"].tolist() == books[2026].expected["合計"].tolist()
    with pytest.raises(InputFileError) as err:
        gk.load_mhlw(_add_right(books[2026].path, tmp_path / "memo.xlsx", "今年度順位（参考）", 1))
    text = str(err.value)
    assert "2行目" in text and "今年度順位(参考)" in text and "近い見出し" in text
    assert "grantkit/io/layouts/mhlw_headings.csv" in text


def test_every_layout_year_keeps_only_what_differs():
    """A year column is blank where the year prints what ``common`` says: a new year's change is one cell."""
    path = Path(__file__).resolve().parents[1] / "grantkit" / "io" / "layouts" / "mhlw_headings.csv"
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    for row in rows:
        assert all(row[str(y)] != row["common"] for y in range(2018, 2027)), row["canonical"]


def test_years_stacked_for_the_municipal_report_keep_every_printed_total(books, loaded):
    """load_municipal_data stacks the years a block at a time (repeats.stack_tables): the stacked table is pandas'
    concatenation cell for cell, and each year's totals in it equal the printed ones on every row."""
    from grantkit.repeats import repeated_block
    from grantkit.report import load_municipal_data

    data = load_municipal_data([books[y].path for y in YEARS])
    years = [loaded[y].scores for y in YEARS]
    assert repeated_block(years[-1]["entity_code"]) is not None  # the block path is taken on these files
    pd.testing.assert_frame_equal(data.scores, pd.concat(years, ignore_index=True), check_exact=True)
    for y in YEARS:
        book = books[y]
        totals = grant_totals(data.scores_of(y)).pivot(index="entity_code", columns="grant", values="score")
        codes = [e.entity_code for e in scored(book)]
        for grant in ("推進", "支援"):
            assert totals.loc[codes, grant].tolist() == book.expected[grant].tolist()


# --- grantkit inspect ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [*YEARS, "pref", "_3"])
def test_inspect_prints_what_was_read_where(books, key, capsys):
    from grantkit.cli import main

    book = books[key]
    assert main(["inspect", str(book.path)]) == 0
    out = capsys.readouterr().out
    r = book.year - 2018
    muni = book.level == "市町村"
    assert f"交付年度: 令和{r}年度（様式: grantkit/io/layouts/mhlw_headings.csv の {book.year} 列）" in out
    assert f"シート: 全国集計（{book.level}）" in out
    first = 18 if (book.year == 2024 and muni) else 19  # R6 data start one row earlier
    assert f"見出しの行: 2〜8行目（7 行）、最初のデータ行: {first}行目" in out
    if muni:
        assert f"「第1号被保険者数 (令和{r - 1}年3月末)」→ 第1号被保険者数" in out
        assert f"「R{r - 1}評価指標合計得点」→ 前年度の合計得点（今年度の得点には使わない）" in out
        assert "「広域連合名」→ 追加の属性（様式にない見出し）" in out
        assert ("「区分 (規模区分)」→ 規模区分" in out) == (book.year >= 2025)
        assert "小計・合計の列: 指標群の小計 12、目標の小計 8、交付金の合計 2、推進・支援合計 1、順位 1" in out
    else:
        assert "「都道府県名」→ 都道府県名" in out and "「前年度順位」→ 前年度の順位（今年度の順位には使わない）" in out
        assert "小計・合計の列: 目標の小計 8、交付金の合計 2、推進・支援合計 1、順位 1" in out
    # leaves per grant × 目標 × 指標群, by the generator's own plan
    for grant, spec in book.spec.items():
        for goal in ("Ⅰ", "Ⅳ"):
            for grp, name in enumerate(("体制・取組", "活動", "成果")):
                n = sum(1 for leaf in spec if leaf.goal == goal and leaf.group == grp)
                if n:
                    assert f"  {grant} 目標{goal} {name}: {n}\n" in out
    assert "択一（いずれか高い方を数える項目）: 7" in out and "支援 Ⅰ(ⅱ)9（ア・イ・ウ）" in out
    kept = len([e for e in book.entities if not e.union and (e.code or key != "_3")])
    unions = len(book.entities) - len(scored(book))
    assert f"行: 読込 {kept + unions} = 採用 {kept} + 除外 {unions}" in out
    assert "✓ 公表の" in out and "すべて一致" in out


def test_inspect_fails_with_the_error_list(books, tmp_path, capsys):
    from grantkit.cli import main

    bad = _add_right(books[2026].path, tmp_path / "memo.xlsx", "メモ", "あり")
    assert main(["inspect", str(books[2025].path), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "交付年度: 令和7年度" in captured.out  # the readable file is still described
    assert "memo.xlsx: 読めませんでした" in captured.err and "「メモ」は様式にありません" in captured.err


# --- alternatives in the computations ---------------------------------------------------------------------------


def test_allocation_and_what_if_count_alternatives_once(books, loaded):
    book, r = books[2026], loaded[2026]
    budget = 1_000_000_000
    alloc = gk.national_allocation(grant_totals(r.scores), r.attributes, {"推進": budget})
    first = np.array([int(e.population * 0.3) for e in scored(book)])
    weights = book.expected["推進"] * first  # 得点 × 第1号被保険者数, the generator's own totals
    k = [e.entity_code for e in scored(book)].index("26:第3町")
    mine = alloc.set_index("entity_code").loc["26:第3町"]
    assert mine["score"] == book.expected["推進"][k]
    assert mine["basis_yen"] == budget * weights[k] // weights.sum()
    w = gk.what_if(
        r.scores,
        "26:第3町",
        {},
        budget,
        fiscal_year="R8",
        grant="推進",
        first_insured=r.attributes.set_index("entity_code")["first_insured"],
    )
    assert w.allocation["score"].tolist() == [book.expected["推進"][k]] * 2
    assert w.allocation["basis_yen"].iloc[0] == budget * weights[k] // weights.sum()


def test_goal_table_of_a_member_town_counts_each_alternative_once(books, loaded):
    from grantkit.municipal import goal_table

    book = books[2026]
    table = goal_table(loaded[2026].scores, entity="京都府第3町", fiscal_year="R8").set_index(["parent", "group"])
    k = [e.entity_code for e in scored(book)].index("26:第3町")
    outcome = [j for j, leaf in enumerate(book.spec["推進"]) if leaf.goal == "Ⅳ"]
    assert table.loc[("目標Ⅳ", ""), "max_推進"] == 100
    assert table.loc[("目標Ⅳ", ""), "score_推進"] == R.counted(book.scores["推進"], book.spec["推進"])[k, outcome].sum()
    assert table.loc[("合計", "合計"), "max_支援"] == 400


def test_readme_adding_a_year_starts_with_inspect():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### 次の年度のデータを追加するには", 1)[1]
    first_command = next(line for line in section.splitlines() if line.startswith("grantkit "))
    assert first_command.startswith("grantkit inspect ")
    assert section.index("grantkit inspect") < section.index("make report-prefecture")


def test_r6_amounts_are_read_per_grant(books, loaded):
    book, r = books[2024], loaded[2024]
    assert loaded[2025].amounts is None and loaded[2026].amounts is None  # only R6 publishes amounts
    for grant in ("推進", "支援"):
        mine = r.amounts[r.amounts["grant"] == grant]
        assert mine["entity_code"].tolist() == [e.entity_code for e in scored(book)]
        assert mine["plan_thousand_yen"].tolist() == book.expected[f"plan_{grant}"].tolist()
        assert mine["final_thousand_yen"].tolist() == book.expected[f"final_{grant}"].tolist()


def test_group_subtotal_printed_without_its_goal_mark_is_read_under_its_goal(canonical, tmp_path):
    import re

    book = R.write(tmp_path / "r8.xlsx", 2026, n=24, spell=lambda kind, text: re.sub(r"^[ⅠⅡⅢ](?=（[ⅰⅱ]）)", "", text))
    r = gk.load_mhlw(book.path)
    assert r.scores.equals(canonical.scores) and r.attributes.equals(canonical.attributes)
    from grantkit.io.mhlw.inspect import describe

    assert "  AE列 指標群の小計「(ⅰ)計」（推進）" in describe(r).splitlines()


def test_a_sheet_without_this_years_rank_loads(books, tmp_path):
    """The rank is not needed by any computation (grantkit ranks itself); its absence is no error."""
    wb = openpyxl.load_workbook(books[2026].path)
    ws = wb.active
    last = ws.max_column
    assert ws.cell(2, last).value == "今年度\n順位"
    for rng in [m for m in ws.merged_cells.ranges if m.min_col == last]:
        ws.unmerge_cells(str(rng))
    ws.delete_cols(last)
    wb.save(tmp_path / "norank.xlsx")
    r = gk.load_mhlw(tmp_path / "norank.xlsx")
    assert r.attributes["rank"].isna().all()
    assert r.attributes["total"].tolist() == books[2026].expected["合計"].tolist()


def test_each_grant_keeps_its_own_goal_names(loaded):
    from grantkit.io.mhlw.inspect import describe

    r = loaded[2026]
    names = r.scores[["grant", "parent", "parent_name"]].drop_duplicates()
    named = {(g, p): n for g, p, n in names.itertuples(index=False)}
    text = describe(r).splitlines()
    for grant in ("推進", "支援"):
        for goal, name in R.GOALS[grant].items():
            printed = f"目標{goal} {name.replace('／', '/')}"  # NFKC: the full-width slash is read as "/"
            assert named[(grant, f"目標{goal}")] == printed
            assert f"  {grant} {printed}" in text


@pytest.mark.parametrize("name", ["mhlw_sample_R6.xlsx", "mhlw_sample_R7.xlsx"])
def test_bundled_samples_load_with_their_printed_numbers(name):
    """The old synthetic shape: no alternatives, every printed grant total reproduced from the leaves."""
    r = gk.load_mhlw(gk.example_path(name), level="市町村")
    assert r.alternatives == [] and (r.scores["alternative"] == "").all()
    assert (r.attributes["insurer_code"] == r.attributes["entity_code"]).all()  # every town has its 保険者番号
    totals = grant_totals(r.scores).pivot(index="entity_code", columns="grant", values="score")
    for grant in ("推進", "支援"):
        printed = r.attributes.set_index("entity_code")[f"score_{grant}"]
        assert np.allclose(totals.loc[printed.index, grant], printed)
    assert r.report.rows_read == r.report.rows_kept + len(r.report.exclusions) == 304


def test_a_subtotal_no_alternative_explains_is_an_error_naming_the_cell(books, loaded, tmp_path):
    from grantkit.errors import ValidationError

    cols = loaded[2026].columns
    letter = cols.loc[(cols["read_as"] == "目標の小計「Ⅳ合計」") & (cols["grant"] == "推進"), "sheet_column"].item()
    wb = openpyxl.load_workbook(books[2026].path)
    ws = wb.active
    ws[f"{letter}19"] = ws[f"{letter}19"].value + 1  # the first town's printed 推進 Ⅳ合計, one point too many
    wb.save(tmp_path / "off.xlsx")
    with pytest.raises(ValidationError) as err:
        gk.load_mhlw(tmp_path / "off.xlsx")
    (problem,) = err.value.problems
    assert (problem.row, problem.column) == (19, f"Ⅳ合計（推進）（{letter}列）")
    assert "択一の項目として読んでも合いません" in problem.message
    r = gk.load_mhlw(tmp_path / "off.xlsx", strict=False)
    assert any(n.startswith(f"19行目 Ⅳ合計（推進）（{letter}列）") for n in r.report.notes)
