"""What grantkit writes: no formula can run, codes keep their zeros, round trips, safe paths, atomicity."""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

from grantkit import example_scores, load_scores
from grantkit.io.files import atomic_write
from grantkit.report.render import atomic_directory, safe_component, safe_join, write_csv, write_tables_xlsx

HOSTILE = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", " =1"]


def test_xlsx_text_is_never_a_formula_and_numbers_stay_numbers(tmp_path):
    df = pd.DataFrame({"entity": HOSTILE, "score": [-5.0, 1, 2, 3, 4, 5, 6], "entity_code": ["01"] * 7})
    path = write_tables_xlsx({"表": df}, tmp_path / "t.xlsx", labels=False)
    ws = openpyxl.load_workbook(path)["表"]
    texts = [ws.cell(i, 1) for i in range(2, 9)]
    assert [c.data_type for c in texts] == ["s"] * 7
    # openpyxl shows a stored carriage return in its escaped form _x000D_; the cell is still plain text.
    assert [c.value.replace("_x000D_", "\r") for c in texts] == HOSTILE
    assert ws.cell(2, 2).value == -5 and ws.cell(2, 2).data_type == "n"
    assert ws.cell(2, 3).value == "01"


def test_csv_neutralises_and_keeps_numbers(tmp_path):
    df = pd.DataFrame({"entity": HOSTILE, "score": [-5.0, 1, 2, 3, 4, 5, 6]})
    path = write_csv(df, tmp_path / "t.csv")
    rows = list(csv.reader(path.open(encoding="utf-8-sig", newline="")))
    assert [r[0] for r in rows[1:]] == ["'" + h for h in HOSTILE]
    assert rows[1][1] == "-5.0"


def test_round_trip_csv_and_xlsx_headers(tmp_path):
    scores = example_scores()
    back = load_scores(write_csv(scores, tmp_path / "s.csv"))
    pd.testing.assert_frame_equal(back, scores)
    path = write_tables_xlsx({"scores": scores}, tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(path)["scores"]
    assert [c.value for c in ws[1]][:5] == ["交付年度", "区分", "交付金", "団体コード", "団体名"]
    assert ws.cell(2, 4).value == "35" and ws.cell(2, 4).data_type == "s"


def test_money_and_rate_formats(tmp_path):
    df = pd.DataFrame({"allocation_thousand_yen": [22248], "score_rate": [0.8245]})
    ws = openpyxl.load_workbook(write_tables_xlsx({"a": df}, tmp_path / "m.xlsx"))["a"]
    assert ws.cell(2, 1).number_format == "#,##0" and ws.cell(2, 2).number_format == "0.0%"


def test_xlsx_is_reproducible(tmp_path):
    df = pd.DataFrame({"entity": ["山口県"], "score": [1.0]})
    a = write_tables_xlsx({"a": df}, tmp_path / "a.xlsx").read_bytes()
    b = write_tables_xlsx({"a": df}, tmp_path / "b.xlsx").read_bytes()
    assert a == b


@pytest.mark.parametrize("name", ["../../etc", "/abs/path", "a\\b", "CON", "nul.txt", "x\x00y", "..", " . ", "a" * 300])
def test_paths_cannot_escape(tmp_path, name):
    part = safe_component(name)
    assert "/" not in part and "\\" not in part and ".." not in part and part.split(".")[0].upper() != "CON"
    assert 0 < len(part) <= 80
    assert tmp_path.resolve() in safe_join(tmp_path, name).parents


def test_atomic_write_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_write(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []


def test_atomic_directory_keeps_the_old_report_on_error(tmp_path):
    final = tmp_path / "report"
    with atomic_directory(final) as d:
        (d / "a.txt").write_text("v1")
    with pytest.raises(RuntimeError), atomic_directory(final) as d:
        (d / "a.txt").write_text("half")
        raise RuntimeError("crash")
    assert (final / "a.txt").read_text() == "v1"
    assert [p.name for p in tmp_path.iterdir()] == ["report"]
