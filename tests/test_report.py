"""The yearly report command end to end: the bundled 山口県 case and a synthetic prefecture, R1 → R2."""

from __future__ import annotations

import re

import openpyxl
import pytest

from grantkit import UnknownSelectionError, run_report
from grantkit.cli import main
from grantkit.examples import example_path

SYNTH_HEADER = "fiscal_year,level,grant,entity_code,entity,indicator,indicator_name,parent,score,max_score"
# 広島県 (架空の得点) and 全国平均, R1 and R2, indicators unlike the seed's: A, B(1), B(2), C in R2 only.
SYNTH_ROWS = [
    "R1,都道府県,推進,34,広島県,A,指標A,,30,50", "R1,都道府県,推進,34,広島県,B(1),指標B1,B,10,20",
    "R1,都道府県,推進,34,広島県,B(2),指標B2,B,5,30",
    "R1,都道府県,推進,00,全国平均,A,指標A,,40,50", "R1,都道府県,推進,00,全国平均,B(1),指標B1,B,12,20",
    "R1,都道府県,推進,00,全国平均,B(2),指標B2,B,15,30",
    "R2,都道府県,推進,34,広島県,A,指標A,,45,60", "R2,都道府県,推進,34,広島県,B(1),指標B1,B,18,20",
    "R2,都道府県,推進,34,広島県,B(2),指標B2,B,21,30", "R2,都道府県,推進,34,広島県,C,指標C,,6,10",
    "R2,都道府県,推進,00,全国平均,A,指標A,,42,60", "R2,都道府県,推進,00,全国平均,B(1),指標B1,B,14,20",
    "R2,都道府県,推進,00,全国平均,B(2),指標B2,B,18,30", "R2,都道府県,推進,00,全国平均,C,指標C,,5,10",
]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def synthetic_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic")
    data = root / "hiroshima.csv"
    data.write_text("\n".join([SYNTH_HEADER, *SYNTH_ROWS]) + "\n", encoding="utf-8")
    folder = run_report(entity="広島県", base="R1", target="令和2年度", data=data, out=root / "reports",
                        budgets=example_path("budgets.csv"), progress=lambda msg: None)
    return folder


def test_synthetic_report_folder(synthetic_report):
    assert synthetic_report.name == "広島県_R1-R2"
    names = {p.name for p in synthetic_report.iterdir()}
    assert {"報告書.ipynb", "報告書.html", "表.xlsx", "01_年度比較.png", "02_全国平均との差.png",
            "03_区分別得点率.png"} <= names
    assert "04_配分額と事業費.png" not in names  # no utilisation file given: no money chart


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
    assert "活用状況のデータはありません" in text


def test_synthetic_report_excel(synthetic_report):
    wb = openpyxl.load_workbook(synthetic_report / "表.xlsx")
    assert {"得点表", "年度比較", "全国平均との比較", "配分額"} <= set(wb.sheetnames)
    ws = wb["配分額"]
    headers = [c.value for c in ws[1]]
    assert "交付年度" in headers and "得点と全国平均から算定した基準額（千円）" in headers
    col = headers.index("得点と全国平均から算定した基準額（千円）") + 1
    assert ws.cell(3, col).value == 24239 and ws.cell(3, col).number_format == "#,##0"


def test_bundled_report_shows_seed_figures(tmp_path):
    assert main(["report", "--entity", "山口県", "--base", "H30", "--target", "R1", "--out", str(tmp_path)]) == 0
    folder = tmp_path / "山口県_H30-R1"
    text = _text((folder / "報告書.html").read_text(encoding="utf-8"))
    for printed in ["470 ／ 730", "611 ／ 741", "（64%）", "（87.4%）", "（82%）", "（78.9%）", "（83%）", "（93.9%）",
                    "22,248", "15,680", "14,875", "11,080", "10,395", "国事業廃止に伴い廃止",
                    "平成30年度から令和元年度にかけて、山口県の得点率は合計64%から82%と伸びている。",
                    "交付金を有効活用できていない"]:
        assert printed in text, printed
    assert len(list(folder.glob("*.png"))) == 5


def test_unknown_entity_or_year_lists_what_exists(tmp_path, capsys):
    assert main(["report", "--entity", "広島県", "--base", "H30", "--target", "R1", "--out", str(tmp_path)]) == 2
    assert "ある団体: 山口県" in capsys.readouterr().err
    with pytest.raises(UnknownSelectionError, match="ある年度: 平成30年度、令和元年度"):
        run_report(entity="山口県", base="H30", target="R3", data=example_path("yamaguchi_scores.csv"), out=tmp_path,
                   progress=lambda msg: None)
    assert list(tmp_path.iterdir()) == []
