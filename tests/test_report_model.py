"""The report sections through the model, in this process (no papermill, no kernel): titles, the figures the
printed 山口県 report shows, omissions, the Excel sheets, and the HTML page written from the same model.

The 山口県 figures are those of the published report (seed 000, also checked end to end in test_report.py); the
municipal figures are recomputed here from the workbook's own rows with plain pandas.
"""

from __future__ import annotations

import re

import openpyxl
import pytest

from grantkit.examples import example_path
from grantkit.report import (
    Table,
    build_municipal_report,
    build_prefecture_report,
    load_municipal_data,
    load_report_data,
    write_report,
)
from grantkit.report.model import figure_title
from grantkit.report.render import report_page

PREFECTURE_SECTIONS = [
    "",
    "1. 評価指標の得点",
    "2. 年度比較",
    "3. 全国平均との比較",
    "4. 交付金の配分額",
    "5. 交付金の活用状況",
    "6. 交付金を活用した事業",
    "7. 表の書き出し",
    "8. 入力データ",
]
MUNICIPAL_SECTIONS = [
    "",
    "1. 報告（案）",
    "2. 目標・指標群別の得点",
    "3. 全国・県内・同規模団体との比較",
    "4. 前年度からの変化",
    "5. 成果指標群（目標Ⅳ）の推移",
    "6. 取組の候補：多くの市町村が得点しているのに得点できていない項目",
    "7. 基準額",
    "8. 表の書き出し",
    "9. 入力データ",
]


def _yamaguchi(**files):
    data = load_report_data(
        example_path("yamaguchi_scores.csv"),
        **files,
        budgets=example_path("budgets.csv"),
        entity="山口県",
        years=["H30", "R1"],
    )
    return build_prefecture_report(data, entity="山口県", base="H30", target="R1")


@pytest.fixture(scope="module")
def yamaguchi():
    return _yamaguchi(
        utilization=example_path("utilization_yamaguchi.csv"), projects=example_path("projects_yamaguchi.csv")
    )


def _cells(table: Table) -> set[str]:
    return {str(v) for v in table.view.to_numpy().ravel()}


def test_prefecture_sections_and_seed_figures(yamaguchi):
    assert yamaguchi.title == "山口県 平成30年度・令和元年度 交付金の評価と活用状況"
    assert [s.title for s in yamaguchi] == PREFECTURE_SECTIONS
    scores = yamaguchi["評価指標の得点"].tables[0]
    assert {"470 ／ 730", "611 ／ 741"} <= {v.split("（")[0].strip() for v in _cells(scores)}
    text = yamaguchi.text()
    for printed in (
        "平成30年度から令和元年度にかけて、山口県の得点率は合計64%から82%と伸びている。",
        "交付金を有効活用できていない",
        "平成30年度の全国平均の得点は整数に丸めて公表されている",
    ):
        assert printed in text, printed
    money = _cells(yamaguchi["交付金の活用状況"].tables[0])
    assert {"22,248", "15,680", "14,875", "11,080", "10,395"} <= money
    assert "国事業廃止に伴い廃止" in _cells(yamaguchi["交付金を活用した事業"].tables[0])


def test_prefecture_sheets_and_figures(yamaguchi):
    assert yamaguchi.sheets() == [
        "得点表",
        "得点表（数値）",
        "年度比較",
        "全国平均との比較",
        "配分額",
        "活用状況",
        "活用事業",
    ]
    figures = yamaguchi.figures()
    assert [f.stem for f in figures] == [
        "01_年度比較",
        "02_全国平均との差",
        "03_区分別得点率",
        "04_配分額と事業費",
        "05_活用事業",
    ]
    assert all(f.alt == figure_title(f.fig) and f.alt for f in figures)
    assert figures[0].alt.startswith("山口県の得点率（H30・R1）")
    # each table shown once: the excel-only numbers of the score table are not shown
    numbers = next(t for t in yamaguchi["評価指標の得点"].tables if t.sheet == "得点表（数値）")
    assert numbers.view is None and numbers.excel is not None


def test_prefecture_omissions_are_said():
    report = _yamaguchi()  # no utilisation, no project list; two years only
    text = report.text()
    assert "活用状況のデータはありません" in text and "事業一覧のデータはありません" in text
    assert "得点表の年度が2年度のため、推移は省略します（3年度以上で表示）。" in text
    assert not {"活用状況", "活用事業", "全年度の推移"} & set(report.sheets())
    assert [f.stem for f in report.figures()] == ["01_年度比較", "02_全国平均との差", "03_区分別得点率"]
    assert report["交付金の活用状況"].tables == [] and report["交付金の活用状況"].figures == []


def test_prefecture_trend_with_three_years(tmp_path):
    from test_report import SYNTH_HEADER, SYNTH_ROWS

    path = tmp_path / "three.csv"
    earlier = [r.replace("R1,", "H30,", 1) for r in SYNTH_ROWS[:6]]
    path.write_text("\n".join([SYNTH_HEADER, *earlier, *SYNTH_ROWS]) + "\n", encoding="utf-8")
    data = load_report_data(path, entity="広島県", years=["R1", "R2"])
    report = build_prefecture_report(data, entity="広島県", base="R1", target="R2")
    assert "全年度の推移" in report.sheets()
    assert "01_全年度の推移" in [f.stem for f in report.figures()]
    # the trend reads every year of the file (H30 too), although the comparison is R1 → R2
    trend = next(t for t in report["年度比較"].tables if t.sheet == "全年度の推移").excel
    assert set(trend["交付年度"]) == {2018, 2019, 2020}


@pytest.fixture(scope="module")
def samples():
    return [example_path("mhlw_sample_R6.xlsx"), example_path("mhlw_sample_R7.xlsx")]


@pytest.fixture(scope="module")
def tsubaki(samples):
    data = load_municipal_data(samples, example_path("budgets_synthetic.csv"))
    return data, build_municipal_report(data, entity="つばきの森市", year="R7")


def test_municipal_sections_sheets_and_figures(tsubaki):
    _, report = tsubaki
    assert report.title == "つばきの森市 令和7年度 保険者機能強化推進交付金・介護保険保険者努力支援交付金の評価結果"
    assert [s.title for s in report] == MUNICIPAL_SECTIONS
    assert report.sheets() == [
        "目標別の得点",
        "全国・県内・同規模との比較",
        "合計と順位",
        "順位",
        "前年度からの変化",
        "成果指標群の推移",
        "取組の候補",
        "予算額",
        "基準額",
    ]
    assert [f.stem for f in report.figures()] == [
        "01_目標別の得点率",
        "02_得点率の分布_推進",
        "03_得点率の分布_支援",
        "04_前年度との比較",
        "05_成果指標群の推移",
    ]
    assert all(f.alt == figure_title(f.fig) and f.alt for f in report.figures())
    text = report.text()
    assert {"報告趣旨", "評価結果", "今後の方向性"} <= set(text.splitlines())
    assert "【架空データ】" in text and "前年度との比較: 令和6年度" in text
    assert "読み込んだ年度が2年度のため、推移は省略します（3年度以上で表示）。" in text


def test_municipal_totals_are_the_sums_of_the_leaves(tsubaki):
    data, report = tsubaki
    r7 = data.scores_of("R7")
    code = data.code("つばきの森市", "R7")
    leaves = r7[r7["entity_code"] == code].groupby("grant")["score"].sum()
    goal = next(t for t in report["目標・指標群別の得点"].tables).excel
    total = goal.loc[("合計", "")]
    for grant in ("推進", "支援"):
        assert total[f"{grant} 得点"] == pytest.approx(leaves[grant])
        assert total[f"{grant} 配点"] == 400


def test_municipal_omissions_without_last_year_or_budget(samples):
    data = load_municipal_data(samples[1:])  # R7 only, no budgets file (R7 publishes no amounts to infer one)
    report = build_municipal_report(data, entity="つばきの森市", year="R7")
    text = report.text()
    assert "前年度との比較は省略します。前年度（令和6年度）の全国の評価結果のファイルがありません" in text
    assert "令和7年度の市町村分の予算額がわかりません（推進・支援）" in report["基準額"].text()
    assert not {"前年度からの変化", "予算額", "基準額"} & set(report.sheets())
    assert "04_前年度との比較" not in [f.stem for f in report.figures()]


def test_prefecture_municipalities_sections(samples):
    from grantkit.report import build_prefecture_municipalities_report

    both = load_municipal_data(samples)
    report = build_prefecture_municipalities_report(both, prefecture="北海道", year="R7")
    assert [s.title for s in report][1:3] == ["1. 県内の市町村", "2. 全国の分布の中の県内市町村"]
    assert "前年度からの変化" in report.sheets() and "02_得点率の分布_推進" in [f.stem for f in report.figures()]
    # the municipalities of 北海道 in R7, counted here from the workbook's attributes
    at = both.attributes_of("R7")
    table = next(t for t in report["県内の市町村"].tables).excel
    assert len(table) == int((at["prefecture"] == "北海道").sum())
    alone = build_prefecture_municipalities_report(load_municipal_data(samples[1:]), prefecture="北海道", year="R7")
    assert "前年度（令和6年度）の全国の評価結果が DATA にないため、比較は省略します。" in alone.text()
    assert "前年度からの変化" not in alone.sheets()


def test_group_sections_and_omissions(samples):
    from grantkit.report import build_group_report

    report = build_group_report(load_municipal_data(samples[1:]), ["つばきの森市", "020011"], year="R7")
    assert [s.title for s in report][1:4] == ["1. 概要", "2. 合計得点の推移", "3. 目標ごとの得点"]
    assert report.sheets()[0] == "概要" and report.sheets()[-1] == "ルール"
    assert "R6交付額" not in report.sheets()  # no R6 workbook: no amounts, and the section says so
    assert "R6 の全国の評価結果が DATA にないため、交付額は省略します。" in report.text()
    assert [f.stem for f in report.figures()] == ["01_合計得点の推移"]
    summary = report["概要"].tables[0].excel
    assert len(summary) == 2


def test_renderer_writes_the_model(tsubaki, tmp_path):
    _, report = tsubaki
    written = {p.name for p in write_report(report, tmp_path)}
    assert {"報告書.html", "表.xlsx", *(f"{f.stem}.png" for f in report.figures())} <= written
    assert openpyxl.load_workbook(tmp_path / "表.xlsx").sheetnames == report.sheets()
    html = (tmp_path / "報告書.html").read_text(encoding="utf-8")
    assert "://" not in html and "<script" not in html
    assert re.findall(r'<img[^>]*\balt="([^"]*)"', html) == [f.alt for f in report.figures()]
    assert [h for h in re.findall(r"<h2>(.*?)</h2>", html)] == [s.title for s in report if s.title]
    # the page embeds the PNG saved in the folder, byte for byte
    first = report.figures()[0]
    import base64

    embedded = re.search(r'<img[^>]*src="data:image/png;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(embedded) == (tmp_path / f"{first.stem}.png").read_bytes()


def test_a_section_is_found_by_its_title(yamaguchi):
    assert yamaguchi["年度比較"] is yamaguchi["2. 年度比較"]
    with pytest.raises(KeyError, match="ある節: 1. 評価指標の得点"):
        yamaguchi["存在しない節"]


def test_page_escapes_what_it_is_given():
    from grantkit.report import Report, Section, Text

    page = report_page(Report("<b>題</b>", "", [Section("1. <i>節</i>", [Text("a < b & c")])]), {})
    assert "<b>題</b>" not in page and "&lt;b&gt;題&lt;/b&gt;" in page and "a &lt; b &amp; c" in page
