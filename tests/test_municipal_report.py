"""The municipal report end to end on synthetic national workbooks of consecutive years.

Every figure checked here is recomputed in the test from the workbook's own rows with plain pandas and
integer arithmetic (totals from the leaves and from the published 合計 columns, ranks by counting, the
municipal formula with ``//``), never copied from the report.
"""

from __future__ import annotations

import re

import openpyxl
import pytest
from conftest import notebook_html, notebook_problems, rerun_report_notebook

import grantkit as gk
from grantkit.cli import main
from grantkit.national import grant_totals
from grantkit.testing.synthetic import national_workbook

N = 80
BUDGET = {"推進": 1_234_567_000, "支援": 2_345_678_000}  # 架空の市町村分予算額（円）


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _sheet(path, name) -> list[dict]:
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("municipal")
    paths = {
        y: national_workbook(root / f"{y}.xlsx", y, "市町村", n_municipalities=N, seed=7) for y in ("R5", "R6", "R7")
    }
    budgets = root / "budgets.csv"
    budgets.write_text(
        "fiscal_year,grant,level,budget_yen,verified,source,note\n"
        + "".join(f"R7,{g},市町村,{b},false,テスト用の架空の額,\n" for g, b in BUDGET.items()),
        encoding="utf-8",
    )
    return root, paths, budgets


@pytest.fixture(scope="module")
def r7(files):
    """The R7 workbook's own figures: leaves summed per municipality and grant, and the published columns."""
    _, paths, _ = files
    loaded = gk.load_mhlw(paths["R7"], level="市町村")
    leaves = loaded.scores
    totals = leaves.groupby(["entity_code", "grant"])["score"].sum().unstack()
    return loaded, totals


@pytest.fixture(scope="module")
def entity(r7):
    """A mid-table municipality with a unique name (its code is what the command passes on)."""
    loaded, totals = r7
    at = loaded.attributes.set_index("entity_code")
    unique = at[~at["entity"].duplicated(keep=False)]
    code = totals.loc[unique.index, "推進"].sort_values().index[N // 3]
    return code, str(at.at[code, "entity"])


@pytest.fixture(scope="module")
def report(files, entity):
    root, paths, budgets = files
    return gk.run_municipal_report(
        entity=entity[1],
        year="R7",
        data=[paths["R6"], paths["R7"]],
        budgets=budgets,
        out=root / "reports",
        progress=lambda msg: None,
    )


def test_leaves_agree_with_the_published_totals(r7):
    loaded, totals = r7
    at = loaded.attributes.set_index("entity_code")
    for grant in ("推進", "支援"):
        assert totals[grant].to_numpy() == pytest.approx(at.loc[totals.index, f"score_{grant}"].to_numpy())
    assert len(totals) == N  # 広域連合 rows are exclusions, not municipalities


def test_report_folder(report, entity, r7):
    pref = r7[0].attributes.set_index("entity_code").at[entity[0], "prefecture"]
    assert report.name == f"{pref}{entity[1]}_R7"  # the prefecture keeps towns of one name apart
    names = {p.name for p in report.iterdir()}
    assert {
        "報告書.ipynb",
        "報告書.html",
        "表.xlsx",
        "01_目標別の得点率.png",
        "02_得点率の分布_推進.png",
        "03_得点率の分布_支援.png",
        "04_前年度との比較.png",
        "05_成果指標群の推移.png",
    } <= names
    assert not any(n.startswith(".") for n in names)


def test_totals_rates_and_ranks(report, r7, entity):
    _, totals = r7
    code, _ = entity
    goal = {r["目標"]: r for r in _sheet(report / "表.xlsx", "目標別の得点")}
    ranks = {(r["交付金"], r["比べる相手"]): r for r in _sheet(report / "表.xlsx", "順位")}
    for grant in ("推進", "支援"):
        mine = totals.at[code, grant]
        assert goal["合計"][f"{grant} 得点"] == pytest.approx(mine)
        assert goal["合計"][f"{grant} 配点"] == 400
        assert goal["合計"][f"{grant} 得点率"] == pytest.approx(mine / 400)
        nat = ranks[(grant, "全国")]
        assert nat["順位"] == 1 + int((totals[grant] > mine).sum())
        assert nat["団体数"] == N
        assert nat["平均得点率"] == pytest.approx(totals[grant].mean() / 400)
        assert nat["差（ポイント）"] == pytest.approx((mine - totals[grant].mean()) / 4)
        assert 0 <= nat["パーセンタイル"] <= 100
    # 目標Ⅳ once, the same score in both grants, inside each 400-point total
    outcome = goal["目標Ⅳ（両交付金に計上）"]
    assert outcome["推進 得点"] == outcome["支援 得点"] and outcome["推進 配点"] == 100


def test_allocation_sums_to_the_budget(report, r7, entity):
    loaded, totals = r7
    code, _ = entity
    n = loaded.attributes.set_index("entity_code")["first_insured"].astype(int)
    money = {r["交付金"]: r for r in _sheet(report / "表.xlsx", "基準額")}
    for grant, budget in BUDGET.items():
        # the synthetic scores are multiples of 1/8 point: weights in eighths are exact integers
        weight = {c: round(totals.at[c, grant] * 8) * int(n[c]) for c in totals.index}
        whole = sum(weight.values())
        basis = {c: budget * w // whole // 1000 for c, w in weight.items()}  # 千円未満切り捨て
        assert money[grant]["基準額（千円）"] == basis[code]
        assert money[grant]["予算額（円）"] == budget
        short = budget // 1000 - sum(basis.values())
        assert 0 <= short < N  # each municipality loses less than 1千円 to truncation
        assert money[grant]["第1号被保険者1人当たり基準額（円）"] == pytest.approx(
            budget * weight[code] / whole / n[code]
        )
        one_more = budget * (weight[code] + 8 * int(n[code])) // (whole + 8 * int(n[code]))
        assert abs(money[grant]["1点増えた場合の基準額の増分（円）"] - (one_more - budget * weight[code] // whole)) <= 1


def test_change_from_last_year(report, files, entity):
    _, paths, _ = files
    code, _ = entity
    prev = gk.load_mhlw(paths["R6"], level="市町村").attributes.set_index("entity_code")
    now = gk.load_mhlw(paths["R7"], level="市町村").attributes.set_index("entity_code")
    change = {r["目標"]: r for r in _sheet(report / "表.xlsx", "前年度からの変化")}
    for grant in ("推進", "支援"):
        row = change[f"合計（{grant}）"]
        before, after = prev.at[code, f"score_{grant}"], now.at[code, f"score_{grant}"]
        assert row["R6 得点率"] == pytest.approx(before / 400) and row["R7 得点率"] == pytest.approx(after / 400)
        assert row["得点率の変化（ポイント）"] == pytest.approx((after - before) / 4)
        assert row["得点の変化（点）"] == pytest.approx(after - before)  # same 配点 (400): points compare


def test_html_reads_as_a_report(report, entity):
    html = (report / "報告書.html").read_text(encoding="utf-8")
    text = _text(html)
    assert "<pre" not in html and "<code" not in html  # no code, no program output
    assert "gk." not in text and "Traceback" not in text
    for heading in ("報告趣旨", "評価結果", "今後の方向性", "目標・指標群別の得点", "前年度からの変化", "基準額"):
        assert heading in text
    assert "架空データ" in text  # the synthetic workbooks say so in their title
    # a report, not notebook instructions: its own heading, no how-to-run text, no note on the bundled sample
    assert re.search(
        rf"<h1[^>]*>{entity[1]} 令和7年度 保険者機能強化推進交付金・介護保険保険者努力支援交付金の評価結果", html
    )
    assert "このノートブック" not in text and "同梱のデータはすべて架空データ" not in text and "05 市町村" not in text
    assert f"{entity[1]}（保険者番号 {entity[0]}）" in text


def test_notebook_reruns_to_the_same_report(report, tmp_path):
    """The end-to-end papermill test of the municipal report: the folder's notebook (the template with this report's
    parameters) runs clean with papermill, shows the sections and writes the same report (same words, same sheets)."""
    ran, copy = rerun_report_notebook(report, tmp_path / "copy")
    assert notebook_problems(ran) == []
    assert "報告趣旨" in notebook_html(ran) and "目標Ⅳ（両交付金に計上）" in notebook_html(ran)
    assert _text((copy / "報告書.html").read_text(encoding="utf-8")) == _text(
        (report / "報告書.html").read_text(encoding="utf-8")
    )
    sheets = [openpyxl.load_workbook(f / "表.xlsx").sheetnames for f in (copy, report)]
    assert sheets[0] == sheets[1]


def test_scale_change_r5_to_r6_compares_rates_only(files, entity):
    root, paths, _ = files
    folder = gk.run_municipal_report(
        entity=entity[0], year="R6", data=[paths["R5"], paths["R6"]], out=root / "r6", progress=lambda msg: None
    )
    change = {r["目標"]: r for r in _sheet(folder / "表.xlsx", "前年度からの変化")}
    total = change["合計（推進）"]
    assert total["得点の変化（点）"] is None  # raw points of R5 (another 配点) are not compared
    assert total["得点率の変化（ポイント）"] == pytest.approx((total["R6 得点率"] - total["R5 得点率"]) * 100)
    text = _text((folder / "報告書.html").read_text(encoding="utf-8"))
    assert "配点が異なり比較不可" in text and "得点ではなく得点率で比較" in text
    # no budgets file: R6 workbooks publish 交付見込額（案）; the budget that reproduces them stands in (and says so)
    assert "公表の交付見込額（案）" in text and "すべて再現する最小の額として逆算" in text


def test_command_line_ambiguous_name_lists_candidates(capsys, tmp_path):
    assert (
        main(["report", "--level", "市町村", "--entity", "ゆうひさき町", "--year", "R7", "--out", str(tmp_path)]) == 2
    )
    err = capsys.readouterr().err
    assert "ゆうひさき町（北海道、010031）" in err and "ゆうひさき町（青森県、020011）" in err
    assert list(tmp_path.iterdir()) == []


def test_command_line_year_without_budget_makes_the_report_and_says_what_is_missing(capsys, tmp_path, files, entity):
    _, paths, _ = files
    assert (
        main(
            [
                "report",
                "--level",
                "市町村",
                "--entity",
                entity[0],
                "--year",
                "R7",
                "--data",
                str(paths["R7"]),
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "令和7年度の市町村分の予算額がわかりません" in err and "--budgets" in err
    (folder,) = tmp_path.iterdir()
    text = _text((folder / "報告書.html").read_text(encoding="utf-8"))
    section = text[text.index("7. 基準額") : text.index("8. 表の書き出し")]
    assert "令和7年度の市町村分の予算額がわかりません（推進・支援）" in section
    assert f"--entity {entity[0]} --year R7" in section and "--budgets budgets_R7.csv" in section
    assert "R7,推進,市町村,&lt;予算額（円）&gt;,false" in section or "R7,推進,市町村,<予算額（円）>,false" in section
    assert "基準額" not in {r["交付金"] for r in []}  # no amounts shown without a budget
    assert "基準額" not in openpyxl.load_workbook(folder / "表.xlsx").sheetnames
    # the rest of the report is there
    for heading in ("報告趣旨", "評価結果", "今後の方向性", "目標・指標群別の得点"):
        assert heading in text


def _overall(path, level="市町村"):
    """Per municipality the 800-point total and each grant's total, summed here from the workbook's leaves."""
    leaves = gk.load_mhlw(path, level=level).scores
    per = leaves.groupby(["entity_code", "grant"])["score"].sum().unstack()
    per["両交付金"] = per["推進"] + per["支援"]
    return per


def test_overall_total_mean_and_ranks_with_last_year(report, files, entity):
    """The 800-point total (目標Ⅳ counted in each grant), its national mean and rank, and last year's rank,
    in the Excel workbook and the HTML, against values computed here from the raw rows."""
    _, paths, _ = files
    code, _ = entity
    now, before = _overall(paths["R7"]), _overall(paths["R6"])
    rows = {r["交付金"]: r for r in _sheet(report / "表.xlsx", "合計と順位")}
    text = _text((report / "報告書.html").read_text(encoding="utf-8"))
    for grant, label, top in (("推進", "推進", 400), ("支援", "支援", 400), ("両交付金", "両交付金の合計", 800)):
        r = rows[label]
        mine, last = now.at[code, grant], before.at[code, grant]
        rank = 1 + int((now[grant] > mine).sum())
        prev_rank = 1 + int((before[grant] > last).sum())
        assert (r["得点"], r["満点"], r["順位"], r["団体数"]) == (pytest.approx(mine), top, rank, N)
        assert r["全国平均（点）"] == pytest.approx(now[grant].mean())
        assert (r["前年度の順位"], r["順位の変化（上昇が正）"]) == (prev_rank, prev_rank - rank)
        assert f"{rank}位／{N}" in text and f"{prev_rank}位／{N}" in text
    total = now.at[code, "両交付金"]
    assert f"両交付金の合計は{gk.present.format_points(total)}点（800点満点" in text


def test_direction_names_the_goals_below_the_national_mean(report, files, entity):
    _, paths, _ = files
    code, _ = entity
    leaves = gk.load_mhlw(paths["R7"], level="市町村").scores
    per = leaves.groupby(["entity_code", "grant", "parent"])[["score", "max_score"]].sum()
    rates = (per["score"] / per["max_score"]).unstack(["grant", "parent"])
    mine, mean = rates.loc[code], rates.mean()
    # 目標Ⅳ is the same items and score in both grants: the report names it once, as 共通
    # 5 points or more below: a priority (重点的に); less: slightly below (わずかに), never called a priority
    gap = {
        f"{parent}（{'共通' if parent == '目標Ⅳ' else grant}）": (mean[(grant, parent)] - mine[(grant, parent)]) * 100
        for (grant, parent) in rates.columns
        if mine[(grant, parent)] < mean[(grant, parent)]
    }
    text = _text((report / "報告書.html").read_text(encoding="utf-8"))
    section = text[: text.index("2. 目標・指標群別の得点")]
    direction = section[section.rindex("今後の方向性") :]
    sentences = direction.split("。")
    for goal, points in gap.items():
        said = [s for s in sentences if goal in s and "全国平均" in s]
        assert said, goal
        assert ("重点的に" in said[0]) == (points >= 5) and ("わずかに" in said[0]) == (points < 5), (goal, points)
    assert "成果指標群の向上に取り組む" not in direction  # no fixed sentence


def _svg_rates(folder, names):
    out = {}
    for name in names:
        comments = re.findall(r"<!-- (.*?) -->", (folder / name).read_text(encoding="utf-8"))
        out[name] = [c for c in comments if re.fullmatch(r"\d+(\.\d)?%", c)]
    return out


def _table_cells(html: str) -> set[str]:
    return {re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)}


def test_chart_rates_agree_with_the_html_tables(report):
    """Every rate printed on the charts (read back from the SVG text) is printed the same in an HTML table."""
    cells = _table_cells((report / "報告書.html").read_text(encoding="utf-8"))
    shown = _svg_rates(report, ["01_目標別の得点率.svg", "04_前年度との比較.svg", "05_成果指標群の推移.svg"])
    assert all(shown.values())
    for name, rates in shown.items():
        assert set(rates) <= cells, (name, set(rates) - cells)
    # the same figure in both charts: the rates of the report year in 01 are those of 04
    assert set(shown["01_目標別の得点率.svg"]) <= set(shown["04_前年度との比較.svg"])


def test_html_is_offline_and_images_carry_their_chart_titles(report):
    html = (report / "報告書.html").read_text(encoding="utf-8")
    assert "://" not in html and "<script" not in html  # no CDN, no MathJax / require.js, nothing by URL
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html)  # images embedded
    alts = re.findall(r'<img[^>]*\balt="([^"]*)"', html)
    assert len(alts) == len(re.findall(r"<img", html)) == 5
    titles = [" ".join(re.findall(r"<!-- (.*?) -->", p.read_text(encoding="utf-8"))) for p in report.glob("*.svg")]
    for alt in alts:
        assert "No description" not in alt and any(alt in t for t in titles), alt
    # one header row per table (no row of index names), header words kept whole by the page style
    heads = re.findall(r"<thead>(.*?)</thead>", html, flags=re.S)
    assert heads and all(h.count("<tr") == 1 for h in heads)
    assert "word-break: keep-all" in html


def test_bundled_synthetic_budget_reproduces_every_published_r6_amount():
    """data/budgets_synthetic.csv + the municipal formula give the 交付見込額（案） printed in the R6 sample."""
    data = gk.load_municipal_data([gk.example_path("mhlw_sample_R6.xlsx")], gk.example_path("budgets_synthetic.csv"))
    budgets = data.budgets("R6")
    assert not budgets["verified"].any() and budgets["source"].str.contains("架空").all()
    totals = grant_totals(data.scores_of("R6"))
    published = data.amounts_of("R6")
    for grant, budget in zip(budgets["grant"], budgets["budget_yen"]):
        basis = gk.national_allocation(totals[totals["grant"] == grant], data.attributes_of("R6"), {grant: int(budget)})
        mine = basis.set_index("entity_code")["basis_thousand_yen"]
        printed = published[published["grant"] == grant].set_index("entity_code")["plan_thousand_yen"]
        assert len(printed) == 300 and (mine.reindex(printed.index) == printed).all()


def _drop_row(src, dst, name):
    """A copy of a national workbook without the row of municipality ``name`` (a new or merged insurer)."""
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    rows = [c.row for row in ws.iter_rows() for c in row if c.value == name]
    assert len(rows) == 1
    ws.delete_rows(rows[0])
    wb.save(dst)
    return dst


def test_same_named_towns_get_their_own_folders(tmp_path):
    """北海道ゆうひさき町 and 青森県ゆうひさき町 used to write <out>/ゆうひさき町_R7/: the second replaced the first."""
    for entity in ("北海道ゆうひさき町", "020011"):
        assert main(["report", "--level", "市町村", "--entity", entity, "--year", "R7", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["北海道ゆうひさき町_R7", "青森県ゆうひさき町_R7"]
    for folder, who in (
        ("北海道ゆうひさき町_R7", "北海道 ゆうひさき町（保険者番号 010031）"),
        ("青森県ゆうひさき町_R7", "青森県 ゆうひさき町（保険者番号 020011）"),
    ):
        assert who in _text((tmp_path / folder / "報告書.html").read_text(encoding="utf-8"))


def test_folder_name_adds_the_code_for_two_towns_of_one_name_in_one_prefecture(tmp_path):
    src = gk.example_path("mhlw_sample_R7.xlsx")
    loaded = gk.load_mhlw(src, level="市町村").attributes
    twin = loaded[(loaded["prefecture"] == "北海道") & (loaded["entity"] != "ゆうひさき町")].iloc[-1]
    wb = openpyxl.load_workbook(src)
    cells = [c for row in wb.worksheets[0].iter_rows() for c in row if c.value == twin["entity"]]
    assert len(cells) == 1
    cells[0].value = "ゆうひさき町"  # a second ゆうひさき町 in 北海道
    wb.save(tmp_path / "R7.xlsx")
    data = gk.load_municipal_data([tmp_path / "R7.xlsx"], gk.example_path("budgets_synthetic.csv"))
    assert data.folder_name("010031", "R7") == "北海道ゆうひさき町_010031_R7"
    assert data.folder_name(twin["entity_code"], "R7") == f"北海道ゆうひさき町_{twin['entity_code']}_R7"
    assert data.folder_name("020011", "R7") == "青森県ゆうひさき町_R7"


def test_municipality_missing_from_last_year_gets_a_report_without_the_change(files, entity, tmp_path):
    """A new or merged insurer absent from the previous year's file: the report is made, the change from last
    year is left out and said so (the notebook used to stop on 「令和6年度のデータはありません」)."""
    root, paths, budgets = files
    before = _drop_row(paths["R6"], tmp_path / "R6_without.xlsx", entity[1])
    folder = gk.run_municipal_report(
        entity=entity[0],
        year="R7",
        data=[before, paths["R7"]],
        budgets=budgets,
        out=tmp_path / "reports",
        progress=lambda msg: None,
    )
    names = {p.name for p in folder.iterdir()}
    assert {"報告書.html", "表.xlsx", "01_目標別の得点率.png", "05_成果指標群の推移.png"} <= names
    assert "04_前年度との比較.png" not in names
    assert "前年度からの変化" not in openpyxl.load_workbook(folder / "表.xlsx").sheetnames
    text = _text((folder / "報告書.html").read_text(encoding="utf-8"))
    note = f"令和6年度の全国の評価結果に{entity[1]}（保険者番号 {entity[0]}）の得点がありません"
    assert f"前年度との比較: なし（{note}" in text and f"前年度との比較は省略します。{note}" in text
    assert "Traceback" not in text
    # the rest of the report is the one of a municipality with a previous year (same R7 figures)
    mine = {r["目標"]: r for r in _sheet(folder / "表.xlsx", "目標別の得点")}
    full = gk.run_municipal_report(
        entity=entity[0],
        year="R7",
        data=[paths["R6"], paths["R7"]],
        budgets=budgets,
        out=tmp_path / "full",
        progress=lambda msg: None,
    )
    assert mine == {r["目標"]: r for r in _sheet(full / "表.xlsx", "目標別の得点")}
    track = _sheet(folder / "表.xlsx", "成果指標群の推移")
    assert [r["交付年度"] for r in track] == [2025]  # R7 alone: R6 has no row of it


def test_command_line_wide_area_union_says_it_has_no_score(capsys, tmp_path):
    """A 広域連合 row is in the workbook without a score (its member towns hold the scores): say so, with the row."""
    name = "あおば地区介護保険広域連合"
    ws = openpyxl.load_workbook(gk.example_path("mhlw_sample_R7.xlsx")).worksheets[0]
    rows = [c.row for row in ws.iter_rows() for c in row if c.value == name]
    assert len(rows) == 1
    assert main(["report", "--level", "市町村", "--entity", name, "--year", "R7", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"mhlw_sample_R7.xlsx（シート「{ws.title}」）の{rows[0]}行目" in err
    assert "合計の得点がない行" in err and "構成市町村の名前か保険者番号を指定してください" in err
    assert "データにありません" not in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
