"""Reading files into tidy tables: CSV, seed-layout workbooks and MHLW national workbooks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputFileError
from ..schema import Loaded
from .files import file_kind


def read_scores(path: str | Path, *, sheet: str | None = None, cache: bool = True) -> Loaded:
    """Read a score table (CSV; .xlsx with the CSV's columns or in the prefecture-report layout) with its load
    report, through the cache of parsed files.

    Parameters
    ----------
    path
        The file: CSV (UTF-8 or Shift_JIS) or .xlsx.
    sheet
        For a workbook, the sheet to read (default: the first).
    cache
        ``False`` parses the file even when an identical one was read before.

    Returns
    -------
    Loaded
        ``tables["scores"]`` (also ``table``): the tidy score rows (fiscal_year, level, grant, entity_code, entity,
        indicator, …, score, max_score), checked against ``grantkit.tables.SCORES``; ``report``: a ``LoadReport``
        (rows read = kept + excluded with reasons).

    Raises
    ------
    InputFileError
        When the file cannot be read at all (missing, encrypted, .xls, unsafe).
    ValidationError
        When rows are bad: one error listing every problem with its row and column.

    Examples
    --------
    >>> from grantkit import example_path
    >>> loaded = read_scores(example_path("yamaguchi_scores.csv"))
    >>> loaded.report.rows_read == loaded.report.rows_kept == len(loaded.table)
    True
    """
    from .cache import cached

    return cached(lambda: _read_scores(Path(path), sheet), path, "read_scores", {"sheet": sheet}, use=cache)


def _read_scores(path: Path, sheet: str | None) -> Loaded:
    kind = file_kind(path)
    if kind == "text":
        from .csv import read_scores_csv

        return read_scores_csv(path)
    if kind == "xlsx":
        from .csv import header_row, read_scores_rows
        from .report_xlsx import read_scores_xlsx
        from .workbook import Workbook

        book = Workbook(path)
        name = sheet or book.names[0]
        rows = book.rows(name, empty="")
        if header_row(rows) is not None:  # the CSV's columns, saved from Excel
            return read_scores_rows(rows, path, name)
        return read_scores_xlsx(path, sheet=name, book=book)
    raise InputFileError(
        path,
        "暗号化された Excel ファイルか、古い形式（.xls）です。Excel で開いて .xlsx 形式（パスワードなし）で保存し直してください",
    )


def load_scores(path: str | Path, *, sheet: str | None = None, cache: bool = True) -> pd.DataFrame:
    """Load a score table into the tidy DataFrame (one row per year, level, grant, entity, indicator).

    Parameters
    ----------
    path, sheet, cache
        As for :func:`read_scores`.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`read_scores` without its load report; the same errors.

    Examples
    --------
    >>> from grantkit import load_scores, example_path
    >>> scores = load_scores(example_path("yamaguchi_scores.csv"))
    >>> sorted(scores["fiscal_year"].unique().tolist())
    [2018, 2019]
    """
    return read_scores(path, sheet=sheet, cache=cache).table
