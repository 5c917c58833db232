"""A large sheet parsed in two blocks on two cores gives exactly the rows of the sheet parsed whole; where a cut is
not sure, the sheet is parsed whole."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

import grantkit.io.row_blocks as blocks
import grantkit.io.workbook as workbook
from grantkit import load_mhlw
from grantkit.testing import national_workbook
from tests import realistic_mhlw as R


@pytest.fixture
def split_everything(monkeypatch):
    """Every sheet is cut (not only large ones), as on a machine with two cores; returns the cuts made."""
    made: list[bool] = []
    parse = blocks.parsed_rows

    def counted(*args):
        rows = parse(*args)
        made.append(rows is not None)
        return rows

    monkeypatch.setattr(workbook, "SPLIT_ABOVE", 0)
    monkeypatch.setattr(workbook, "cores", lambda: 2)
    monkeypatch.setattr(workbook, "parsed_rows", counted)
    return made


def whole(path: Path, sheet: str) -> list[list[object]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    width = max(len(r) for r in rows)
    return [r + [""] * (width - len(r)) for r in rows]


def odd_sheet(path: Path) -> Path:
    """openpyxl's way (shared strings, dates, merged cells), empty leading rows and columns, a gap mid-sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "全国集計（市町村）"
    ws["C3"] = "表題"
    ws.merge_cells("C3:E3")
    for r in range(5, 60):
        if 28 <= r <= 33:
            continue  # empty rows where the cut falls
        ws.cell(r, 3, f"町{r}")
        ws.cell(r, 4, r * 1.5)
        ws.cell(r, 6, dt.date(2025, 4, 1) + dt.timedelta(days=r))
        ws.cell(r, 9 + r % 3, "いずれか" if r % 2 else None)
    wb.create_sheet("別")["A1"] = 1
    wb.save(path)
    return path


@pytest.mark.parametrize("kind", ["national", "realistic", "openpyxl"])
def test_two_blocks_give_the_rows_of_the_whole_sheet(kind, split_everything, tmp_path):
    if kind == "national":
        path, sheet = (
            national_workbook(tmp_path / "r7.xlsx", "R7", "市町村", n_municipalities=120),
            "全国集計（市町村）",
        )
    elif kind == "realistic":
        path = R.write(tmp_path / "令和8年度評価結果（市町村分）.xlsx", 2026).path
        sheet = workbook.Workbook(path).names[0]
    else:
        path, sheet = odd_sheet(tmp_path / "odd.xlsx"), "全国集計（市町村）"
    rows = workbook.Workbook(path).rows(sheet, empty="")
    assert split_everything == [True]
    assert rows == whole(path, sheet)


def test_a_load_from_two_blocks_equals_a_load_of_the_whole_sheet(split_everything, tmp_path, monkeypatch):
    path = R.write(tmp_path / "令和7年度評価結果（市町村分）.xlsx", 2025, n=60).path
    split = load_mhlw(path, cache=False)
    assert split_everything == [True]
    monkeypatch.setattr(workbook, "cores", lambda: 1)
    one = load_mhlw(path, cache=False)
    assert split_everything == [True]  # one core: not cut
    for name, table in one.tables.items():
        pd.testing.assert_frame_equal(split.tables[name], table, check_exact=True)
    assert split.report == one.report


def rewrite_sheet(path: Path, out: Path, change) -> Path:
    """``path`` with its first sheet's XML passed through ``change``."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out


def unnumbered(xml: bytes) -> bytes:
    return xml.replace(b"<row r=", b"<row x=")  # rows without their numbers: calamine counts them


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda x: x.replace(b"</row>", b'</row><!-- <row r="9"> -->', 1), id="comment"),
        pytest.param(lambda x: x.replace(b"<sheetData>", b'<sheetData><?pi <row r="9">?>'), id="instruction"),
        pytest.param(unnumbered, id="rows-without-numbers"),
    ],
)
def test_a_sheet_that_cannot_be_cut_surely_is_parsed_whole(change, split_everything, tmp_path):
    path = rewrite_sheet(
        national_workbook(tmp_path / "r7.xlsx", "R7", "市町村", n_municipalities=40), tmp_path / "x.xlsx", change
    )
    sheet = "全国集計（市町村）"
    assert workbook.Workbook(path).rows(sheet, empty="") == whole(path, sheet)
    assert split_everything == [False]


def test_rows_out_of_order_are_parsed_whole(split_everything, tmp_path):
    def swap(xml: bytes) -> bytes:  # the last row written first: the blocks would overlap
        rows = xml.split(b"<row ")
        return (
            b"<row ".join([rows[0], rows[-1].replace(b"</sheetData>", b"")] + rows[1:-1])
            + b"</sheetData>"
            + (rows[-1].split(b"</sheetData>", 1)[1])
        )

    path = rewrite_sheet(
        national_workbook(tmp_path / "r7.xlsx", "R7", "市町村", n_municipalities=40), tmp_path / "x.xlsx", swap
    )
    sheet = "全国集計（市町村）"
    assert workbook.Workbook(path).rows(sheet, empty="") == whole(path, sheet)
    assert split_everything == [False]


def test_sheet_parts_follow_the_relationships(tmp_path):
    path = odd_sheet(tmp_path / "odd.xlsx")
    with zipfile.ZipFile(path) as zf:
        assert blocks.sheet_parts(zf) == {
            "全国集計（市町村）": "xl/worksheets/sheet1.xml",
            "別": "xl/worksheets/sheet2.xml",
        }


def test_marks_split_between_chunks_make_the_xml_not_plain():
    xml = blocks.SheetXml()
    for chunk in (b'<?xml version="1.0"?><worksheet><sheetData><row r="1"></row><', b"!-- x --></sheetData>"):
        xml.add(chunk)
    assert not xml.plain and xml.cut() is None
    fine = blocks.SheetXml()
    fine.add(b'<?xml version="1.0"?><worksheet><sheetData><row r="1"></row><row r="2"></row></sheetData>')
    assert fine.plain and fine.cut() is not None
