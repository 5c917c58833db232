"""Reading files into tidy tables: CSV, seed-layout workbooks and MHLW national workbooks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputFileError
from ..schema import Loaded
from .files import file_kind


def read_scores(path: str | Path, *, sheet: str | None = None) -> Loaded:
    """Read a score table (CSV, or .xlsx in the prefecture-report layout) with its load report.

    >>> from grantkit import example_path
    >>> loaded = read_scores(example_path("yamaguchi_scores.csv"))
    >>> loaded.report.rows_read == loaded.report.rows_kept == len(loaded.table)
    True
    """
    path = Path(path)
    kind = file_kind(path)
    if kind == "text":
        from .csv import read_scores_csv

        return read_scores_csv(path)
    if kind == "xlsx":
        from .seed_xlsx import read_scores_xlsx

        return read_scores_xlsx(path, sheet=sheet)
    raise InputFileError(path, "暗号化された Excel ファイルか、古い形式（.xls）です。Excel で開いて .xlsx 形式（パスワードなし）で保存し直してください")


def load_scores(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Load a score table into the tidy DataFrame (one row per year, level, grant, entity, indicator).

    >>> from grantkit import load_scores, example_path
    >>> scores = load_scores(example_path("yamaguchi_scores.csv"))
    >>> sorted(scores["fiscal_year"].unique().tolist())
    [2018, 2019]
    """
    return read_scores(path, sheet=sheet).table
