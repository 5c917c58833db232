"""The account a loader gives of what it read: nothing is lost without a line here."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .errors import Problem

# Text columns as Python strings, as without pyarrow: the tables repeat a few names millions of times, which
# pandas' pyarrow-backed strings (its default once pyarrow, needed for the cache, is installed) copy cell by cell
# (the full-size national workbook loaded in 4.1 s instead of 2.3 s). A storage the user chose is left alone.
if pd.options.mode.string_storage == "auto":
    pd.options.mode.string_storage = "python"


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
