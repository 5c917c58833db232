"""The seed-000 layout workbook: same table as the CSV, printed sums and rates checked."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from grantkit import InputFileError, ValidationError, example_path, example_scores, read_scores

XLSX = example_path("yamaguchi_scores.xlsx")


def _edit_cell(tmp_path, old: str, new: str):
    """A copy of the bundled workbook with one shared string replaced."""
    out = tmp_path / "edited.xlsx"
    with zipfile.ZipFile(XLSX) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/sharedStrings.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode(), 1)
            dst.writestr(info, data)
    return out


def test_workbook_equals_csv():
    loaded = read_scores(XLSX)
    pd.testing.assert_frame_equal(loaded.table, example_scores())
    assert loaded.report.rows_read == loaded.report.rows_kept == 48
    assert loaded.report.sheet == "評価指標" and loaded.report.notes == []


def test_printed_total_mismatch_names_the_row(tmp_path):
    with pytest.raises(ValidationError) as info:
        read_scores(_edit_cell(tmp_path, "470 ／ 730", "471 ／ 730"))
    (p,) = info.value.problems
    assert p.sheet == "評価指標" and p.column == "C" and "合計" in p.message and "470 ／ 730" in p.message
    assert p.row == 22  # the 合計 row as Excel numbers it


def test_printed_rate_inconsistent_with_printed_score_is_a_note(tmp_path):
    # Seed 000 prints the H30 Ⅲ national average as 13 with the rate 63.8% (the average was rounded).
    loaded = read_scores(_edit_cell(tmp_path, "（65.0%）", "（63.8%）"))
    assert len(loaded.report.notes) == 1 and "63.8%" in loaded.report.notes[0] and "Ⅲ" in loaded.report.notes[0]


def test_unknown_layout_is_a_clear_error(tmp_path):
    with pytest.raises(InputFileError, match="都道府県名ではありません"):
        read_scores(_edit_cell(tmp_path, "山口県評点", "架空県評点"))
