"""Reading the documented tidy format of the score table: a CSV, or a workbook sheet with the same columns.

The header row is found among the first rows by its column names (a title line above it is skipped and noted);
blank rows are skipped; empty columns without a heading (blank or 「Unnamed: 12」, as Excel leaves after a stray
edit) are left out and noted; a column named twice is an error naming it. A well-formed CSV is split by pyarrow's
CSV reader into columns of distinct values (no Python object per cell); any irregular file (rows of another
width, blank lines, line breaks inside quotes) is read by the csv module, which names every line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ..domain import NATIONAL
from ..errors import InputFileError, Problem, ValidationError
from ..labels import label
from ..provenance import LoadReport
from ..schema import JAPANESE_HEADINGS, OPTIONAL, REQUIRED, Loaded, distinct_values, loaded, tidy_scores
from .files import read_text, sha256

HEADER_SEARCH_ROWS = 10
_UNNAMED = re.compile(r"^Unnamed: \d+$")


def read_scores_csv(path: Path) -> Loaded:
    """Read a score CSV (UTF-8, UTF-8 with BOM or CP932) into the tidy table with its load report."""
    path = Path(path)
    data = path.read_bytes()
    parsed = _split_fast(data.removeprefix(b"\xef\xbb\xbf")) if b"\x00" not in data[:4096] else None
    if parsed is not None:  # pyarrow checked the bytes are UTF-8, as read_text would have
        encoding = "utf-8-bom" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    else:
        text, encoding = read_text(path)
        parsed = (_split_fast(text.encode("utf-8")) if encoding == "cp932" else None) or _split_exact(text, path)
    digest = _sha256_meanwhile(data)
    report = LoadReport(source=path.name, encoding=encoding)
    table = tidy_cells(*parsed, report)
    report.sha256 = digest()
    return loaded(report, scores=table)


def _sha256_meanwhile(data: bytes) -> Callable[[], str]:
    """Start hashing ``data`` in a thread (hashlib lets other threads run while it hashes a large buffer), so that
    the hash of a large file overlaps the checks; the returned function waits for the hex digest.

    >>> _sha256_meanwhile(b"abc")()[:16]
    'ba7816bf8f01cfea'
    """
    found: list[str] = []
    worker = threading.Thread(target=lambda: found.append(hashlib.sha256(data).hexdigest()), daemon=True)
    worker.start()

    def digest() -> str:
        worker.join()
        return found[0]

    return digest


def read_scores_rows(rows: list[list[object]], path: Path, sheet: str) -> Loaded:
    """Read a workbook sheet holding the tidy table (the CSV's columns, cells as calamine gives them: numbers as
    float, blanks as "") into the tidy table with its load report; the sheet's row numbers are the lines."""
    report = LoadReport(source=Path(path).name, sheet=sheet, sha256=sha256(path))
    cells = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame()
    return loaded(report, scores=tidy_cells(cells, np.arange(1, len(cells) + 1), None, report))


def header_row(rows: list[list[object]]) -> int | None:
    """Index of the first of ``rows`` (the first ten) naming at least three columns of the tidy table, else None
    (a row with a 「全国平均」 heading is the prefecture-report layout's, whatever else it names).

    >>> header_row([["令和元年度 得点表"], ["fiscal_year", "level", "grant", "score"]])
    1
    """
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if sum(_heading(v) in _KNOWN for v in row) >= 3 and NATIONAL not in {_heading(v) for v in row}:
            return i
    return None


def tidy_cells(cells: pd.DataFrame, lines: np.ndarray, widths: np.ndarray | None, report: LoadReport) -> pd.DataFrame:
    """The tidy table from a grid of cells (columns 0…n-1, one row per record) and the line of each record.

    ``widths``: each record's own number of cells when records differ (else None). Raises ``ValidationError``.

    >>> head = ["fiscal_year", "level", "grant", "entity_code", "entity", "indicator", "indicator_name", "parent",
    ...         "score", "max_score"]
    >>> row = ["R1", "都道府県", "推進", "35", "山口県", "Ⅰ", "x", "", "5", "10"]
    >>> report = LoadReport("t.csv")
    >>> table = tidy_cells(pd.DataFrame([["得点表"] + [""] * 9, head, row]), np.arange(1, 4), None, report)
    >>> table["score"].tolist(), report.notes
    ([5.0], ['1行目（「得点表」）は見出しの上の表題として読み飛ばしました'])
    """
    src = report.source
    filled = (
        ~np.logical_and.reduce([_blank(cells[c]) for c in cells.columns])
        if len(cells.columns)
        else np.zeros(len(cells), dtype=bool)
    )
    lines = np.asarray(lines)
    if not filled.all():
        cells, lines = cells[filled].reset_index(drop=True), lines[filled]
    widths = None if widths is None else np.asarray(widths)[filled]
    if not len(cells):
        raise InputFileError(src, "データがありません（見出し行もありません）")
    top = [list(r) for r in cells.head(HEADER_SEARCH_ROWS).itertuples(index=False)]
    found = header_row(top)
    head = found or 0
    own = len(cells.columns) if widths is None else int(widths[head])  # the header record's own cells, unpadded
    header = [_heading(v, strip_only=True) for v in top[head][:own]]
    for k in range(head):
        title = " ".join(str(v).strip() for v in top[k] if str(v).strip())
        report.notes.append(f"{lines[k]}行目（「{title}」）は見出しの上の表題として読み飛ばしました")
    header_line = int(lines[head])
    body, lines = cells.iloc[head + 1 :].reset_index(drop=True), lines[head + 1 :]
    width = max((j + 1 for j, h in enumerate(header) if h), default=0)  # a header's trailing blank cells are no column
    problems: list[Problem] = []
    ragged = np.zeros(len(body), dtype=bool)  # cells beyond the header's own cells, or fewer cells than its columns
    for j in range(len(header), len(cells.columns)):
        ragged |= ~_blank(body[j])
    if widths is not None:
        ragged |= widths[head + 1 :] < width
    if ragged.any() and found is None:
        raise ValidationError(
            src,
            [
                Problem(
                    f"{header_line}行目（{', '.join(h for h in header if h) or '空'}）を見出しとして読みましたが、得点表の列名がなく、"
                    f"{int(ragged.sum())} 行で列の数が見出し（{width} 列）と合いません。見出し行（{', '.join(REQUIRED)}）が最初の行に"
                    "なるよう、表題などの行を削除してください",
                    src,
                    report.sheet,
                )
            ],
        )
    problems += [
        Problem(f"列の数が見出し（{width} 列）と合いません", src, report.sheet, int(lines[i]))
        for i in np.flatnonzero(ragged)
    ]
    keep, dropped = [], []
    for j in range(min(len(header), len(cells.columns))):
        name = header[j]
        empty = not name or bool(_UNNAMED.match(name))
        if empty and _blank(body[j][~ragged]).all():
            dropped.append(f"{j + 1}列目" + (f"（{name}）" if name else ""))
        elif empty:
            first = int(lines[np.flatnonzero(~_blank(body[j]) & ~ragged)[0]])
            problems.append(
                Problem(
                    f"{j + 1}列目に見出しがありませんが、値があります（{first}行目など）。"
                    "列名を付けるか、その列を削除してください",
                    src,
                    report.sheet,
                    None,
                    name or None,
                )
            )
        else:
            keep.append(j)
    names = [header[j] for j in keep]
    for name in dict.fromkeys(n for n in names if names.count(n) > 1):
        where = "・".join(f"{j + 1}列目" for j in keep if header[j] == name)
        problems.append(
            Problem(
                f"列「{name}」が {names.count(name)} 回あります（{where}）。どちらの値を使うか決められないため、"
                "片方を削除するか、列名を直してください",
                src,
                report.sheet,
                None,
                name,
            )
        )
    if problems:
        raise ValidationError(src, problems)
    if dropped:
        report.notes.append(f"見出しも値もない列（{'、'.join(dropped)}）は読み飛ばしました")
    raw = pd.DataFrame({header[j]: body[j] for j in keep}, index=body.index)
    return tidy_scores(raw, report, lines)


_KNOWN = set(REQUIRED + OPTIONAL) | set(JAPANESE_HEADINGS) | {label(c) for c in REQUIRED + OPTIONAL}


def _heading(value: object, *, strip_only: bool = False) -> str:
    text = "" if value is None else str(value).strip().lstrip("\ufeff")
    return text if strip_only else text.lower()


def _blank(column: pd.Series) -> np.ndarray:
    """Row mask: the cell is empty or white space (checked once per distinct value)."""
    codes, uniques = distinct_values(column)
    flags = np.array([v is None or (isinstance(v, str) and not v.strip()) for v in uniques] + [True], dtype=bool)
    return flags[codes]


def _split_fast(data: bytes) -> tuple[pd.DataFrame, np.ndarray, None] | None:
    """A regular UTF-8 CSV (every record one line of one width, no blank line) split by pyarrow into categorical
    columns; None for any other file (or bytes that are not UTF-8)."""
    try:
        import pyarrow as pa
        from pyarrow import csv as pacsv
    except ImportError:
        return None
    end = data.find(b"\n")
    first = data[: end if end >= 0 else len(data)]
    if not data or b'"' in first or not first.strip():
        return None
    names = [f"f{j}" for j in range(first.count(b",") + 1)]
    text = pa.dictionary(pa.int32(), pa.string())  # each column as codes into its distinct values
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 21),  # 2 MB: dictionaries stay in cache
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),  # else raises
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, text),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    # a record per line, as the row numbers say, unless a quoted cell spans lines or a lone CR ends one: counted then
    if (b'"' in data or b"\r" in data) and table.num_rows != data.count(b"\n") + (not data.endswith(b"\n")):
        return None
    columns = {}
    for j, name in enumerate(table.column_names):
        encoded = table.column(name).unify_dictionaries().combine_chunks()
        columns[j] = pd.Categorical.from_codes(encoded.indices.to_numpy(), categories=encoded.dictionary.to_pylist())
    return pd.DataFrame(columns), np.arange(1, table.num_rows + 1), None


def _split_exact(text: str, path: Path) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Any CSV by the csv module: the physical line where each record starts (quoted cells may span lines) and
    each record's width, the records padded to one width."""
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputFileError(path, f"CSV として読めません: {exc}") from None
    starts, line = [], 1
    for rec in records:
        starts.append(line)
        line += sum(cell.count("\n") for cell in rec) + 1
    widths = np.array([len(r) for r in records], dtype=np.int64)
    most = int(widths.max(initial=0))
    cells = pd.DataFrame([r + [""] * (most - len(r)) for r in records], dtype=object)
    return cells, np.array(starts, dtype=np.int64), widths
