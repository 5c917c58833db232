"""``grantkit report --prefecture`` and the group report (each written from its model as HTML, Excel, PNG; each
notebook rerun once with papermill), on the bundled 架空 samples (mhlw_sample_R6.xlsx, mhlw_sample_R7.xlsx: 300
municipalities). The workbook's sheets are checked against figures recomputed here from the loader's published
totals with plain pandas.
"""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest
from conftest import notebook_html, notebook_problems, rerun_report_notebook

from grantkit.cli import main
from grantkit.examples import example_path
from grantkit.io.mhlw import load_mhlw
from grantkit.present.overview_tables import column_label
from grantkit.report.group import read_entity_list

R7 = example_path("mhlw_sample_R7.xlsx")
LEVEL = "市町村"


def _sheet(path, name: str) -> pd.DataFrame:
    rows = list(openpyxl.load_workbook(path, read_only=True)[name].values)
    return pd.DataFrame(rows[1:], columns=rows[0])


@pytest.fixture(scope="module")
def r7():
    return load_mhlw(R7, level=LEVEL)


@pytest.fixture(scope="module")
def r7_data():
    from grantkit.report.municipal import load_municipal_data

    return load_municipal_data(R7)


@pytest.fixture(scope="module")
def prefecture_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("pref")
    assert main(["report", "--prefecture", "北海道", "--year", "R7", "--out", str(out)]) == 0
    return out / "北海道_市町村_R7"


def test_prefecture_report_writes_every_part(prefecture_folder):
    names = {p.name for p in prefecture_folder.iterdir()}
    assert {
        "報告書.html",
        "報告書.ipynb",
        "表.xlsx",
        "01_県内の得点率_推進_1.png",
        "02_得点率の分布_支援.png",
        "02_指標群別の得点率.png",
    } <= names
    assert "目標別の基準未満" in openpyxl.load_workbook(prefecture_folder / "表.xlsx", read_only=True).sheetnames
    html = (prefecture_folder / "報告書.html").read_text(encoding="utf-8")
    assert "北海道の市町村" in html and "架空データ" in html


def test_prefecture_report_notebook_reruns_to_the_same_report(prefecture_folder, tmp_path):
    """The end-to-end papermill test of the prefecture-municipalities report: the folder's notebook runs clean,
    shows the sections and writes the same report (same words, same sheets)."""
    ran, copy = rerun_report_notebook(prefecture_folder, tmp_path / "copy")
    assert notebook_problems(ran) == []
    assert "著しく得点の低い市町村の基準" in notebook_html(ran)
    pages = [(f / "報告書.html").read_text(encoding="utf-8") for f in (copy, prefecture_folder)]
    assert _words(pages[0]) == _words(pages[1])
    sheets = [openpyxl.load_workbook(f / "表.xlsx").sheetnames for f in (copy, prefecture_folder)]
    assert sheets[0] == sheets[1]


def _words(html: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_prefecture_report_threshold_sheet(prefecture_folder, r7):
    below = _sheet(prefecture_folder / "表.xlsx", "基準未満の市町村")
    at = r7.attributes
    n = len(at)
    for grant in ("推進", "支援"):
        stat = r7.statistics[(r7.statistics["grant"] == grant) & (r7.statistics["row_kind"] == "total")].iloc[0]
        limit = stat["mean_rate"] - 2 * stat["std"] / 400  # the printed SD is the sample SD (ddof=1)
        assert limit < stat["mean_rate"] - 2 * stat["std"] * math.sqrt((n - 1) / n) / 400
        mine = at[at["prefecture"] == "北海道"]
        want = sorted(mine.loc[mine[f"score_{grant}"] / 400 < limit, "entity"])
        assert sorted(below.loc[below[column_label("grant")] == grant, column_label("entity")]) == want


def test_prefecture_report_table_sheet_ranks(prefecture_folder, r7):
    table = _sheet(prefecture_folder / "表.xlsx", "県内の市町村")
    at = r7.attributes
    mine = at[at["prefecture"] == "北海道"].set_index("entity_code")
    assert len(table) == len(mine)
    for code, rank in zip(table[column_label("entity_code")], table[column_label("rank_支援")]):
        assert rank == 1 + int((at["score_支援"] > mine.loc[code, "score_支援"]).sum())


def test_unknown_prefecture_is_one_clear_error(tmp_path, capsys):
    assert main(["report", "--prefecture", "ほげ県", "--year", "R7", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "「ほげ県」の市町村は令和7年度の評価結果にありません" in err and "北海道" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["report", "--prefecture", "北海道"], "--year を指定"),
        (
            ["report", "--prefecture", "北海道", "--year", "R7", "--entity", "つばきの森市"],
            "--entity・--entities は使いません",
        ),
        (["report", "--entity", "山口県", "--entity", "広島県", "--base", "H30", "--target", "R1"], "--level 市町村"),
    ],
)
def test_argument_mistakes(argv, expected, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert expected in capsys.readouterr().err


def test_group_report_from_a_list_file(tmp_path, r7):
    listing = tmp_path / "団体.txt"
    listing.write_text("# 比較する団体\nつばきの森市\n\n020011\n", encoding="utf-8")
    assert read_entity_list(listing) == ["つばきの森市", "020011"]
    assert (
        main(
            [
                "report",
                "--level",
                "市町村",
                "--entity",
                "北海道ゆうひさき町",
                "--entities",
                str(listing),
                "--year",
                "R7",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    [folder] = tmp_path.glob("団体比較_R7_*")
    assert folder.name.startswith("団体比較_R7_ゆうひさき町・つばきの森市ほか1団体_")
    page = (folder / "報告書.html").read_text(encoding="utf-8")
    assert "://" not in page and 'alt="合計得点の推移' in page and "import grantkit" not in page
    workbook = folder / "表.xlsx"
    assert openpyxl.load_workbook(workbook, read_only=True).sheetnames[0] == "概要"
    summary = _sheet(workbook, "概要")
    at = r7.attributes.set_index("entity_code")
    assert summary[column_label("entity")].tolist() == ["ゆうひさき町", "つばきの森市", "ゆうひさき町"]
    for code, rank, pref_rank in zip(
        summary[column_label("entity_code")], summary[column_label("rank")], summary[column_label("prefecture_rank")]
    ):
        me = at.loc[code]
        assert rank == 1 + int((at["total"] > me["total"]).sum())
        same = at[at["prefecture"] == me["prefecture"]]
        assert pref_rank == 1 + int((same["total"] > me["total"]).sum())
    assert (folder / "01_合計得点の推移.png").exists()
    # the end-to-end papermill test of the group report: the folder's notebook reruns to the same report
    ran, copy = rerun_report_notebook(folder, tmp_path / "copy")
    assert notebook_problems(ran) == [] and "取り戻す指標" in notebook_html(ran)
    assert _words((copy / "報告書.html").read_text(encoding="utf-8")) == _words(page)
    assert openpyxl.load_workbook(copy / "表.xlsx").sheetnames == openpyxl.load_workbook(workbook).sheetnames


def test_empty_list_file_is_an_error(tmp_path, capsys):
    listing = tmp_path / "空.txt"
    listing.write_text("# なし\n\n", encoding="utf-8")
    assert (
        main(["report", "--level", "市町村", "--entities", str(listing), "--year", "R7", "--out", str(tmp_path)]) == 2
    )
    assert "団体の一覧が空です" in capsys.readouterr().err


def test_municipal_report_shows_the_trend_with_three_years(tmp_path):
    """Three yearly workbooks (R5, R6, R7): the report adds the 全年度の推移 sheet; its 合計 rates are the
    published totals ÷ 配点, and R6 is marked as the change of scoring system."""
    from grantkit.report.municipal import run_municipal_report
    from grantkit.testing.synthetic import national_workbook

    paths = [
        national_workbook(tmp_path / f"{y}.xlsx", y, "市町村", n_municipalities=60, items_per_group=2)
        for y in ("R5", "R6", "R7")
    ]
    folder = run_municipal_report(
        entity="つばきの森市",
        year="R7",
        data=paths,
        out=tmp_path / "out",
        budgets=example_path("budgets_synthetic.csv"),
        progress=lambda msg: None,
    )
    assert (folder / "04_推移_推進.png").exists()
    sheet = _sheet(folder / "表.xlsx", "全年度の推移")
    total = sheet[(sheet[column_label("grant")] == "推進") & (sheet[column_label("parent")] == "合計")]
    maxima = {2023: 1355, 2024: 400, 2025: 400}
    for year, rate, brk in zip(
        total[column_label("fiscal_year")], total[column_label("rate")], total[column_label("scale_break")]
    ):
        at = load_mhlw(paths[year - 2023]).attributes.set_index("entity")
        assert rate == pytest.approx(at.loc["つばきの森市", "score_推進"] / maxima[year])
        assert brk == ("はい" if year == 2024 else "いいえ")  # yes/no cells read as in the HTML


def test_prefecture_score_report_over_three_years(tmp_path):
    """The seed-form report on a table of three years (H30, R1 and an R2 copy): the trend section and sheet."""
    text = example_path("yamaguchi_scores.csv").read_text(encoding="utf-8-sig")
    r2 = [line.replace("R1,", "R2,", 1) for line in text.splitlines()[1:] if line.startswith("R1,")]
    data = tmp_path / "three.csv"
    data.write_text(text.rstrip("\n") + "\n" + "\n".join(r2) + "\n", encoding="utf-8")
    assert (
        main(
            [
                "report",
                "--entity",
                "山口県",
                "--base",
                "H30",
                "--target",
                "R2",
                "--data",
                str(data),
                "--out",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    folder = tmp_path / "out" / "山口県_H30-R2"
    assert (folder / "01_全年度の推移.png").exists()
    sheet = _sheet(folder / "表.xlsx", "全年度の推移")
    total = sheet[sheet[column_label("parent")] == "合計"]
    assert total[column_label("rate")].tolist() == pytest.approx([470 / 730, 611 / 741, 611 / 741])
    assert total[column_label("scale_break")].tolist() == ["いいえ", "はい", "いいえ"]


def test_group_folders_never_collide(r7_data):
    """Two groups of the same size get different folders, even when their first names are the same; the same
    group in another order gets the same digest."""
    from grantkit.group import entity_names
    from grantkit.report.group import group_folder_name

    codes = r7_data.scores_of(2025)["entity_code"].drop_duplicates().tolist()
    names = dict(zip(codes, entity_names(r7_data, codes, fiscal_year=2025)[0]))

    def folder(group):
        return group_folder_name(group, [names[c] for c in group], year="R7")

    first, second = folder(codes[:3]), folder(codes[3:6])
    assert first != second
    assert folder(codes[2::-1])[-8:] == first[-8:]
    same_names = folder([codes[0], codes[1], codes[4]])
    assert same_names.rsplit("_", 1)[0] == first.rsplit("_", 1)[0] and same_names != first
    assert len({folder(codes[k : k + 3]) for k in range(0, 30, 3)}) == 10
