"""Inputs users actually have: the tidy table saved from Excel, a title line above the header, empty columns Excel
leaves behind, a column typed twice, many rows with the same problem, and several files after one --data."""

from __future__ import annotations

import pandas as pd
import pytest

from grantkit import ValidationError, read_scores
from grantkit.cli import build_parser

HEADER = "fiscal_year,level,grant,entity_code,entity,indicator,indicator_name,parent,score,max_score"
ROWS = [
    "H30,都道府県,推進,35,山口県,Ⅰ,地域課題の把握,,150,180",
    "H30,都道府県,推進,00,全国平均,Ⅰ,地域課題の把握,,120.5,180",
    "R1,都道府県,推進,35,山口県,Ⅰ,地域課題の把握,,94,106",
    "R1,都道府県,推進,00,全国平均,Ⅰ,地域課題の把握,,99.3,106",
]


def write(tmp_path, lines, *, encoding="utf-8", name="scores.csv"):
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def expected(tmp_path):
    return read_scores(write(tmp_path, [HEADER, *ROWS], name="plain.csv"), cache=False).table


def test_a_tidy_xlsx_is_read_like_the_csv(tmp_path):
    import xlsxwriter

    path = tmp_path / "scores.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("得点")
    sheet.write_row(0, 0, HEADER.split(","))
    for r, line in enumerate(ROWS, start=1):
        cells = line.split(",")
        for c, v in enumerate(cells):  # numbers as numbers, as Excel keeps them (35 and 00 → 35 and 0)
            if v and v.replace(".", "").isdigit():
                sheet.write_number(r, c, float(v))
            else:
                sheet.write_string(r, c, v)
    book.close()
    loaded = read_scores(path, cache=False)
    pd.testing.assert_frame_equal(loaded.table, expected(tmp_path))
    assert (loaded.report.sheet, loaded.report.rows_read, loaded.report.rows_kept) == ("得点", 4, 4)


def test_a_title_line_above_the_header_is_skipped_and_noted(tmp_path):
    path = write(tmp_path, ["令和元年度 保険者機能強化推進交付金 得点表", HEADER, *ROWS], encoding="cp932")
    loaded = read_scores(path, cache=False)
    pd.testing.assert_frame_equal(loaded.table, expected(tmp_path))
    assert loaded.report.encoding == "cp932"
    assert any("1行目" in n and "表題" in n for n in loaded.report.notes)
    assert loaded.report.rows_read == 4


def test_a_title_line_written_with_excels_trailing_commas_is_skipped(tmp_path):
    path = write(tmp_path, ["得点表" + "," * 9, HEADER, *ROWS])
    pd.testing.assert_frame_equal(read_scores(path, cache=False).table, expected(tmp_path))


def test_a_header_that_is_not_found_is_one_message_listing_the_columns(tmp_path):
    """49 data rows under a one-cell title and a header in words the kit does not know: one message, not 49."""
    header = "年,区分,交付金,コード,名前,番号,名称,上位,値,上限"
    path = write(tmp_path, ["得点表", header, *(ROWS * 12)[:48]], encoding="cp932")
    with pytest.raises(ValidationError) as info:
        read_scores(path, cache=False)
    err = info.value
    assert len(err.problems) == 1
    message = str(err)
    assert "1行目（得点表）を見出しとして読みました" in message and "49 行" in message
    assert HEADER.replace(",", ", ") in message and "表題などの行を削除してください" in message
    assert len(message.splitlines()) <= 3


@pytest.mark.parametrize("extra", [",", ",Unnamed: 10,Unnamed: 11"])
def test_empty_trailing_columns_are_left_out_and_noted(tmp_path, extra):
    blanks = "," * extra.count(",")
    path = write(tmp_path, [HEADER + extra, *(r + blanks for r in ROWS)])
    loaded = read_scores(path, cache=False)
    pd.testing.assert_frame_equal(loaded.table, expected(tmp_path))
    assert any("見出しも値もない列" in n and "11列目" in n for n in loaded.report.notes)


def test_an_unnamed_column_with_values_is_an_error(tmp_path):
    path = write(tmp_path, [HEADER + ",", *(r + ",x" for r in ROWS)])
    with pytest.raises(ValidationError, match="11列目に見出しがありませんが、値があります（2行目など）"):
        read_scores(path, cache=False)


def test_a_column_named_twice_is_an_error_naming_it(tmp_path):
    path = write(tmp_path, [HEADER + ",score", *(r + ",1" for r in ROWS)])
    with pytest.raises(ValidationError) as info:
        read_scores(path, cache=False)
    (problem,) = info.value.problems
    assert problem.column == "score"
    assert "列「score」が 2 回あります（9列目・11列目）" in problem.message and "片方を削除する" in problem.message


def test_repeated_problems_are_one_line_with_row_ranges(tmp_path):
    bad = [r.replace(",150,", ",abc,") for r in ROWS[:1]] * 30
    path = write(tmp_path, [HEADER, *[b.replace("H30", f"{2000 + k}") for k, b in enumerate(bad)], ROWS[1]])
    with pytest.raises(ValidationError) as info:
        read_scores(path, cache=False)
    lines = str(info.value).splitlines()
    assert len(info.value.problems) == 30
    assert lines == [
        "scores.csv に 30 件の問題があります",
        "  2〜31行目 列「score」: 'abc' は数値ではありません（30 件）",
    ]


def test_ragged_rows_are_grouped(tmp_path):
    path = write(tmp_path, [HEADER, *ROWS, *["R1,都道府県,推進"] * 5, ROWS[0]])
    with pytest.raises(ValidationError) as info:
        read_scores(path, cache=False)
    assert str(info.value).splitlines()[1:] == ["  6〜10行目: 列の数が見出し（10 列）と合いません（5 件）"]


@pytest.mark.parametrize(
    ("argv", "files"),
    [
        (["--data", "a.xlsx", "b.xlsx"], ["a.xlsx", "b.xlsx"]),
        (["--data", "a.xlsx", "--data", "b.xlsx"], ["a.xlsx", "b.xlsx"]),
        (["--data", "a.xlsx", "--data", "b.xlsx", "c.xlsx"], ["a.xlsx", "b.xlsx", "c.xlsx"]),
    ],
)
def test_data_takes_several_files_after_one_flag(argv, files):
    args = build_parser().parse_args(["report", "--level", "市町村", "--entity", "x", "--year", "R7", *argv])
    assert args.data == files
