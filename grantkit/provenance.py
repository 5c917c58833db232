"""The account a loader gives of what it read: nothing is lost without a line here."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import Problem

# Text columns as Python strings, as without pyarrow: the tables repeat a few names millions of times, which
# pandas' pyarrow-backed strings (its default once pyarrow, needed for the cache, is installed) copy cell by cell
# (the full-size national workbook loaded in 4.1 s instead of 2.3 s). A storage the user chose is left alone.
if pd.options.mode.string_storage == "auto":
    pd.options.mode.string_storage = "python"


def text_values(values: Iterable[object]) -> np.ndarray:
    """The values of a text column as an object array, with NaN appended: index -1 is a missing cell. Raises
    TypeError for a value that is neither str nor missing (None, NaN, which become NaN).

    >>> text_values(["a", None])
    array(['a', nan, nan], dtype=object)
    """
    out = [v if isinstance(v, str) else _missing(v) for v in values]
    return np.array([*out, np.nan], dtype=object)


def text_array(cells: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """pandas "str" over an object array whose cells are taken from ``text_values`` (by index, ``np.tile`` or
    ``np.repeat``): the values were checked once each, so no cell is checked again (a table repeats a few names
    millions of times).

    >>> codes = np.array([0, 1, 0, -1])
    >>> pd.Series(text_array(text_values(["県", "市"])[codes])).tolist()
    ['県', '市', '県', nan]
    """
    dtype = pd.StringDtype(na_value=np.nan)
    if dtype.storage == "python":
        with contextlib.suppress(AttributeError, TypeError):  # a pandas without the internal constructor
            return pd.arrays.StringArray._simple_new(np.asarray(cells, dtype=object), dtype)
    return pd.array(cells, dtype=dtype)


def _missing(value: object) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return np.nan
    raise TypeError(f"text column holds {type(value).__name__} {value!r}")


@dataclass
class LoadReport:
    """What a loader read from one file: rows read, kept and excluded, cells coerced to missing.

    ``rows_read == rows_kept + len(exclusions)`` always holds; ``check()`` asserts it.

    Attributes
    ----------
    source, sheet : str
        The file as the user named it, and the sheet read (``None`` for CSV).
    encoding, sha256 : str or None
        The text encoding detected (CSV) and the file's SHA-256.
    rows_read, rows_kept : int
        Data rows read from the file, and rows kept in the table.
    exclusions : list[Problem]
        One per row set aside, with its row as the user sees it and the reason.
    coerced : list[Problem]
        One per cell read as missing (e.g. 「－」).
    notes : list[str]
        Anything else the reader should know, in Japanese.

    Examples
    --------
    >>> from grantkit.errors import Problem
    >>> r = LoadReport("scores.csv", rows_read=3, rows_kept=2, exclusions=[Problem("全国平均の行", row=4)])
    >>> r.check()  # 3 read = 2 kept + 1 excluded
    >>> r.summary()
    'scores.csv、読込 3 行、採用 2 行、除外 1 行、欠損として読んだセル 0 個'
    """

    source: str
    sheet: str | None = None
    encoding: str | None = None
    sha256: str | None = None
    rows_read: int = 0
    rows_kept: int = 0
    exclusions: list[Problem] = field(default_factory=list)
    coerced: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self) -> None:
        """Raise AssertionError when rows went missing from the account."""
        if self.rows_read != self.rows_kept + len(self.exclusions):
            raise AssertionError(
                f"{self.source}: 読込 {self.rows_read} 行 ≠ 採用 {self.rows_kept} 行 + 除外 {len(self.exclusions)} 行"
            )

    def exclusions_frame(self) -> pd.DataFrame:
        """Excluded rows as a table: sheet, row (as the user sees it), column looked at, value, reason.

        Columns stay in English for code; show it with ``labels.with_labels`` (or ``present.readable``)
        for the Japanese headers シート・行・列・値・理由. For an MHLW workbook ``value`` is the row's 団体名.
        """
        return _problems_frame(self.exclusions)

    def coerced_frame(self) -> pd.DataFrame:
        """Cells read as missing (e.g. 「－」) as a table, with the columns of ``exclusions_frame``."""
        return _problems_frame(self.coerced)

    def summary(self) -> str:
        """One line in Japanese, for notebooks and logs."""
        parts = [
            f"{self.source}",
            f"読込 {self.rows_read} 行",
            f"採用 {self.rows_kept} 行",
            f"除外 {len(self.exclusions)} 行",
            f"欠損として読んだセル {len(self.coerced)} 個",
        ]
        if self.encoding:
            parts.append(f"文字コード {self.encoding}")
        return "、".join(parts)


def _problems_frame(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sheet": [p.sheet for p in problems],
            "row": pd.array([p.row for p in problems], dtype="Int64"),
            "column": [p.column for p in problems],
            "value": [None if p.value is None else str(p.value) for p in problems],
            "reason": [p.message for p in problems],
        }
    )
