"""The yearly report command end to end: the bundled 山口県 case and a synthetic prefecture, R1 → R2."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest
from conftest import notebook_html, notebook_problems, rerun_report_notebook

from grantkit import UnknownSelectionError, run_report
from grantkit.cli import main
from grantkit.examples import example_path

SYNTH_HEADER = "fiscal_year,level,grant,entity_code,entity,indicator,indicator_name,parent,score,max_score"
# 広島県 (架空の得点) and 全国平均, R1 and R2, indicators unlike the seed's: A, B(1), B(2), C in R2 only.
SYNTH_ROWS = [
    "R1,都道府県,推進,34,広島県,A,指標A,,30,50",
    "R1,都道府県,推進,34,広島県,B(1),指標B1,B,10,20",
    "R1,都道府県,推進,34,広島県,B(2),指標B2,B,5,30",
    "R1,都道府県,推進,00,全国平均,A,指標A,,40,50",
    "R1,都道府県,推進,00,全国平均,B(1),指標B1,B,12,20",
    "R1,都道府県,推進,00,全国平均,B(2),指標B2,B,15,30",
    "R2,都道府県,推進,34,広島県,A,指標A,,45,60",
    "R2,都道府県,推進,34,広島県,B(1),指標B1,B,18,20",
    "R2,都道府県,推進,34,広島県,B(2),指標B2,B,21,30",
    "R2,都道府県,推進,34,広島県,C,指標C,,6,10",
    "R2,都道府県,推進,00,全国平均,A,指標A,,42,60",
    "R2,都道府県,推進,00,全国平均,B(1),指標B1,B,14,20",
    "R2,都道府県,推進,00,全国平均,B(2),指標B2,B,18,30",
    "R2,都道府県,推進,00,全国平均,C,指標C,,5,10",
]


# Its own utilisation file (no project list: that section must say the file is missing).
# 基準額 R1 = 10億円 × 45 / (47 × 67) = 14,290,251 円 → 14,290千円; R2 = 10億円 × 90 / (47 × 79) → 24,239千円.
SYNTH_UTILIZATION = """\
fiscal_year,level,grant,entity_code,entity,allocation_thousand_yen,planned_thousand_yen,spent_thousand_yen
R1,都道府県,推進,34,広島県,14290,12861,10003
R2,都道府県,推進,34,広島県,24239,21815,
"""


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def synthetic_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic")
    data = root / "hiroshima.csv"
    data.write_text("\n".join([SYNTH_HEADER, *SYNTH_ROWS]) + "\n", encoding="utf-8")
    utilization = root / "hiroshima_utilization.csv"
    utilization.write_text(SYNTH_UTILIZATION, encoding="utf-8")
    folder = run_report(
        entity="広島県",
        base="R1",
        target="令和2年度",
        data=data,
        out=root / "reports",
        utilization=utilization,
        budgets=example_path("budgets.csv"),
        progress=lambda msg: None,
    )
    return folder


def test_synthetic_report_folder(synthetic_report):
    assert synthetic_report.name == "広島県_R1-R2"
    names = {p.name for p in synthetic_report.iterdir()}
    assert {
        "報告書.ipynb",
        "報告書.html",
        "表.xlsx",
        "01_年度比較.png",
        "02_全国平均との差.png",
        "03_区分別得点率.png",
        "04_配分額と事業費.png",
    } <= names
    assert "05_活用事業.png" not in names  # no project list given: no project chart
    assert not any(n.startswith(".") for n in names)  # nothing left over from the temporary folder


def test_synthetic_report_notebook_reruns_to_the_same_report(synthetic_report, tmp_path):
    """The end-to-end papermill test of the prefecture report: the folder's notebook (the template with this report's
    parameters) runs clean with papermill, shows the sections and writes the same report (same words, same sheets)."""
    nb = json.loads((synthetic_report / "報告書.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"]["OUTPUT_DIR"] == "."
    ran, copy = rerun_report_notebook(synthetic_report, tmp_path / "copy")
    assert notebook_problems(ran) == []
    shown = notebook_html(ran)
    assert "45 ／ 100" in shown and "令和元年度から令和2年度にかけて" in shown
    assert _text((copy / "報告書.html").read_text(encoding="utf-8")) == _text(
        (synthetic_report / "報告書.html").read_text(encoding="utf-8")
    )
    sheets = [openpyxl.load_workbook(f / "表.xlsx").sheetnames for f in (copy, synthetic_report)]
    assert sheets[0] == sheets[1]


def test_synthetic_report_html_has_no_code(synthetic_report):
    html = (synthetic_report / "報告書.html").read_text(encoding="utf-8")
    assert "<pre" not in html and "<code" not in html and "jp-InputArea" not in html


def test_synthetic_report_numbers(synthetic_report):
    html = (synthetic_report / "報告書.html").read_text(encoding="utf-8")
    assert "import grantkit" not in html and "gk.score_rates" not in html, "code cells must not be in the HTML"
    text = _text(html)
    # Totals computed by hand: R1 45/100 = 45%, national 67/100 = 67.0%; R2 90/120 = 75%, national 79/120 = 65.8%.
    assert "45 ／ 100" in text and "90 ／ 120" in text
    assert "（45%）" in text and "（67.0%）" in text and "（75%）" in text and "（65.8%）" in text
    assert "令和元年度から令和2年度にかけて、広島県の得点率は合計45%から75%と伸びている。" in text
    assert "比較年度のみ" in text  # indicator C exists only in R2
    # 基準額 R2 = 10億円 × 90 / (47 × 79) = 24,239,968 円 → 24,239千円 (truncated).
    assert "24,239" in text
    # utilisation by hand: R1 12,861 / 14,290 = 90.0%, 10,003 / 14,290 = 70.0%; R2 21,815 / 24,239 = 90.0%.
    assert "所用見込額12,861千円（90.0%）、実績額10,003千円（70.0%）" in text
    assert "所用見込額21,815千円（90.0%）、実績額は未確定" in text
    assert "令和元年度の配分額14,290千円は、得点45点・全国平均67点・予算額10億円から算定した額と一致する。" in text
    assert "事業一覧のデータはありません" in text and "活用状況のデータはありません" not in text


def test_synthetic_report_excel(synthetic_report):
    wb = openpyxl.load_workbook(synthetic_report / "表.xlsx")
    assert {"得点表", "年度比較", "全国平均との比較", "配分額"} <= set(wb.sheetnames)
    ws = wb["配分額"]
    headers = [c.value for c in ws[1]]
    assert "交付年度" in headers and "得点と全国平均から算定した基準額（千円）" in headers
    col = headers.index("得点と全国平均から算定した基準額（千円）") + 1
    assert ws.cell(3, col).value == 24239 and ws.cell(3, col).number_format == "#,##0"
    assert "活用事業" not in wb.sheetnames
    util = wb["活用状況"]
    headers = [c.value for c in util[1]]
    share = util.cell(2, headers.index("配分額に対する所用見込額の割合") + 1)
    assert share.value == pytest.approx(12861 / 14290) and share.number_format == "0.0%"
    flags = {util.cell(r, headers.index("有効活用できていない") + 1).value for r in range(2, util.max_row + 1)}
    assert flags and flags <= {"はい", "いいえ"}  # as the HTML prints them, not TRUE/FALSE
    assert [c.value for c in wb["得点表"][1]][:2] == ["指標", "R1 得点"]
    rates = wb["年度比較"]
    headers = [c.value for c in rates[1]]
    # the entity's rates as the HTML prints them (whole %), the national ones to 0.1 %, differences signed
    assert rates.cell(2, headers.index("得点率（比較年度）") + 1).number_format == "0%"
    assert rates.cell(2, headers.index("全国平均得点率（比較年度）") + 1).number_format == "0.0%"
    assert rates.cell(2, headers.index("得点率の変化（ポイント）") + 1).number_format == "+0.0;-0.0;±0.0"
    assert {rates.cell(r, headers.index("配点の変更") + 1).value for r in range(2, rates.max_row + 1)} <= {
        "あり",
        "なし",
    }
    # the 得点表 sheet as printed, its plain numbers (全国平均) stored as numbers
    printed = wb["得点表"]
    head = [c.value for c in printed[1]]
    averages = [printed.cell(r, head.index("R2 全国平均") + 1).value for r in range(2, printed.max_row + 1)]
    assert all(isinstance(v, (int, float)) for v in averages if v is not None) and any(averages)
    # the score table as numbers (the 得点表 sheet is text as printed): R2 total 90 of 120, national 79
    numbers = [
        dict(zip([c.value for c in wb["得点表（数値）"][1]], row))
        for row in wb["得点表（数値）"].iter_rows(min_row=2, values_only=True)
    ]
    total = next(r for r in numbers if r["年度"] == "R2" and r["指標"] == "合計")
    assert (total["交付年度"], total["行の種類"], total["得点"], total["配点"], total["全国平均の得点"]) == (
        2020,
        "合計",
        90,
        120,
        79,
    )
    assert total["得点率"] == pytest.approx(90 / 120)
    assert {r["行の種類"] for r in numbers} == {"明細", "小計", "合計"}


@pytest.fixture(scope="module")
def bundled_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled")
    assert main(["report", "--entity", "山口県", "--base", "H30", "--target", "R1", "--out", str(out)]) == 0
    return out / "山口県_H30-R1"


def test_bundled_report_shows_seed_figures(bundled_report):
    folder = bundled_report
    text = _text((folder / "報告書.html").read_text(encoding="utf-8"))
    for printed in [
        "470 ／ 730",
        "611 ／ 741",
        "（64%）",
        "（87.4%）",
        "（82%）",
        "（78.9%）",
        "（83%）",
        "（93.9%）",
        "22,248",
        "15,680",
        "14,875",
        "11,080",
        "10,395",
        "国事業廃止に伴い廃止",
        "平成30年度から令和元年度にかけて、山口県の得点率は合計64%から82%と伸びている。",
        "交付金を有効活用できていない",
    ]:
        assert printed in text, printed
    assert len(list(folder.glob("*.png"))) == 5


def test_unknown_entity_or_year_lists_what_exists(tmp_path, capsys):
    assert main(["report", "--entity", "広島県", "--base", "H30", "--target", "R1", "--out", str(tmp_path)]) == 2
    assert "ある団体: 山口県" in capsys.readouterr().err
    with pytest.raises(UnknownSelectionError, match="ある年度: 平成30年度、令和元年度"):
        run_report(
            entity="山口県",
            base="H30",
            target="R3",
            data=example_path("yamaguchi_scores.csv"),
            out=tmp_path,
            progress=lambda msg: None,
        )
    assert list(tmp_path.iterdir()) == []


def test_report_data_keeps_only_the_entity_grant_and_years(tmp_path):
    from grantkit.report.prefecture import load_report_data

    util = tmp_path / "u.csv"
    util.write_text(
        SYNTH_UTILIZATION + "R1,都道府県,推進,35,山口県,99999,1,1\nR2,都道府県,支援,34,広島県,11000,5000,4000\n"
        "H30,都道府県,推進,34,広島県,100,50,50\n",
        encoding="utf-8",
    )
    scores = tmp_path / "s.csv"
    scores.write_text("\n".join([SYNTH_HEADER, *SYNTH_ROWS]) + "\n", encoding="utf-8")
    data = load_report_data(scores, util, budgets=example_path("budgets.csv"), entity="広島県", years=["R1", "R2"])
    # 山口県's 99,999千円 is not 広島県's R1 amount, the 支援 row not its 推進 amount, H30 not one of the two years
    assert data.utilization[["fiscal_year", "allocation_thousand_yen"]].values.tolist() == [
        [2019, 14290],
        [2020, 24239],
    ]
    assert "活用状況: 広島県・推進・令和元年度・令和2年度以外の 3 行はこの報告書では使っていません" in data.summary()
    assert data.grant_name == "保険者機能強化推進交付金"


def test_unverified_budget_is_said_in_the_report(synthetic_report):
    from grantkit import load_budgets

    b = load_budgets(example_path("budgets.csv"))
    unverified = b[(b.fiscal_year == 2020) & (b.level == "都道府県") & (b.grant == "推進")]["verified"].iloc[0]
    html = _text((synthetic_report / "報告書.html").read_text(encoding="utf-8"))
    assert ("令和2年度の予算額は未確認の値です" in html) == (not unverified)


def test_both_grants_need_grant_and_missing_score_is_refused(tmp_path, capsys):
    both = [*SYNTH_ROWS, *(r.replace(",推進,", ",支援,") for r in SYNTH_ROWS)]
    data = tmp_path / "both.csv"
    data.write_text("\n".join([SYNTH_HEADER, *both]) + "\n", encoding="utf-8")
    args = [
        "report",
        "--entity",
        "広島県",
        "--base",
        "R1",
        "--target",
        "R2",
        "--data",
        str(data),
        "--out",
        str(tmp_path / "o"),
    ]
    assert main(args) == 2
    assert "--grant" in capsys.readouterr().err
    folder = run_report(
        entity="広島県",
        base="R1",
        target="R2",
        data=data,
        out=tmp_path / "o",
        grant="支援",
        budgets=example_path("budgets.csv"),
        progress=lambda msg: None,
    )
    assert folder.name == "広島県_R1-R2_支援"
    html = _text((folder / "報告書.html").read_text(encoding="utf-8"))
    assert "広島県（介護保険保険者努力支援交付金）" in html
    # both grants in R2 only: an R1-only pair needs no --grant, and its title and folder name no grant
    later = tmp_path / "later.csv"
    later.write_text(
        "\n".join(
            [
                SYNTH_HEADER,
                *SYNTH_ROWS,
                *(r.replace(",推進,", ",支援,") for r in SYNTH_ROWS[6:]),
                *(r.replace("R1,", "H30,") for r in SYNTH_ROWS[:6]),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    assert (
        run_report(
            entity="広島県", base="H30", target="R1", data=later, out=tmp_path / "o", progress=lambda msg: None
        ).name
        == "広島県_H30-R1"
    )
    blank = tmp_path / "blank.csv"
    blank.write_text(
        "\n".join([SYNTH_HEADER, *SYNTH_ROWS[:-5], SYNTH_ROWS[-5].replace(",6,10", ",－,10"), *SYNTH_ROWS[-4:]]) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(UnknownSelectionError, match="得点が空欄・「－」の指標があります（R2 広島県 C）"):
        run_report(entity="広島県", base="R1", target="R2", data=blank, out=tmp_path / "o", progress=lambda msg: None)


def test_prefecture_report_refuses_what_it_cannot_compute(tmp_path):
    from grantkit import load_scores
    from grantkit.report.prefecture import check_selection

    def table(rows):
        path = tmp_path / "t.csv"
        path.write_text("\n".join([SYNTH_HEADER, *rows]) + "\n", encoding="utf-8")
        return load_scores(path)

    towns = [
        r.replace("都道府県", "市町村").replace(",34,広島県,", ",342076,福山市,").replace(",00,", ",000000,")
        for r in SYNTH_ROWS
    ]
    with pytest.raises(UnknownSelectionError, match="「福山市」は市町村です"):
        check_selection(table(towns), entity="福山市", base="R1", target="R2")
    no_national = [r for r in SYNTH_ROWS if "全国平均" not in r]
    with pytest.raises(UnknownSelectionError, match="令和元年度・令和2年度の全国平均の行がありません"):
        check_selection(table(no_national), entity="広島県", base="R1", target="R2")
    blank_max = [r.replace(",6,10", ",6,") if r.startswith("R2,都道府県,推進,34,広島県,C,") else r for r in SYNTH_ROWS]
    with pytest.raises(UnknownSelectionError, match="配点が空欄・「－」の指標があります（R2 広島県 C）"):
        check_selection(table(blank_max), entity="広島県", base="R1", target="R2")
    # municipal rows in the same file (their own 全国平均) change nothing of the prefecture's 基準額
    from grantkit.report.prefecture import allocation_summary

    mixed = table([*SYNTH_ROWS, *towns])
    alone = allocation_summary(table(SYNTH_ROWS), entity="広島県", budgets={2019: 10**9, 2020: 10**9})
    assert allocation_summary(mixed, entity="広島県", budgets={2019: 10**9, 2020: 10**9}).equals(alone)
    assert alone["computed_thousand_yen"].tolist() == [14290, 24239]  # as SYNTH_UTILIZATION, computed by hand


def test_bundled_report_explains_the_rounded_h30_average(bundled_report):
    """The seed prints H30 Ⅲ 全国平均 13 points and 63.8%; 13／20 is 65.0%. The report says why they may differ."""
    text = _text((bundled_report / "報告書.html").read_text(encoding="utf-8"))
    assert "平成30年度の全国平均の得点は整数に丸めて公表されている" in text
    assert "Ⅲ は 13 ／ 20 点 = 65.0%" in text and "62.5%以上 67.5%未満" in text  # 63.8% lies inside


def test_bundled_report_keeps_names_as_written(bundled_report):
    text = _text((bundled_report / "報告書.html").read_text(encoding="utf-8"))
    assert "移動支援等人材養成研修（ボランティア、ＮＰＯ職員向け）" in text
    ws = openpyxl.load_workbook(bundled_report / "表.xlsx")["活用事業"]
    assert "移動支援等人材養成研修（ボランティア、ＮＰＯ職員向け）" in {c.value for row in ws.iter_rows() for c in row}


def _svg_texts(path):
    return re.findall(r"<!-- (.*?) -->", path.read_text(encoding="utf-8"))


def test_bundled_chart_rates_agree_with_the_html_tables(bundled_report):
    html = (bundled_report / "報告書.html").read_text(encoding="utf-8")
    cells = {re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)}
    for name in ("01_年度比較.svg", "03_区分別得点率.svg"):
        rates = [t for t in _svg_texts(bundled_report / name) if re.fullmatch(r"\d+(\.\d)?%", t)]
        assert rates and set(rates) <= cells, (name, set(rates) - cells)
    # the gap chart's values are the table's differences (signed, 0.1 point)
    gaps = [t for t in _svg_texts(bundled_report / "02_全国平均との差.svg") if re.fullmatch(r"[+-]\d+\.\d", t)]
    assert gaps and {g + "ポイント" for g in gaps} <= cells


def test_bundled_html_is_offline_with_chart_titles_as_alt_text(bundled_report):
    html = (bundled_report / "報告書.html").read_text(encoding="utf-8")
    assert "://" not in html and "<script" not in html and "MathJax" not in html and "require.js" not in html
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html)
    alts = re.findall(r'<img[^>]*\balt="([^"]*)"', html)
    assert len(alts) == len(re.findall(r"<img", html)) == 5
    titles = {p.stem: " ".join(_svg_texts(p)) for p in bundled_report.glob("*.svg")}
    assert alts[0].startswith("山口県の得点率（H30・R1）") and alts[0] in titles["01_年度比較"]
    assert all(any(a in t for t in titles.values()) for a in alts), alts
    heads = re.findall(r"<thead>(.*?)</thead>", html, flags=re.S)
    assert heads and all(h.count("<tr") == 1 for h in heads)  # no empty row of index names


def test_bundled_charts_name_the_source_not_a_file(bundled_report):
    for path in bundled_report.glob("*.svg"):
        texts = _svg_texts(path)
        assert any(t.startswith("出典: ") for t in texts), path.name
        assert not any(t.startswith("出典: ") and ".csv" in t for t in texts), path.name


def test_reversed_years_suggest_only_years_in_the_data(tmp_path, capsys):
    assert main(["report", "--entity", "山口県", "--base", "2030", "--target", "R1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--base H30 --target R1" in err and "R12" not in err and "データにある年度: H30、R1" in err
