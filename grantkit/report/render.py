"""Everything grantkit writes: Excel and CSV that cannot run formulas, safe paths, atomic writes.

OWASP CSV-injection guidance: a cell whose text starts with ``= + - @``, tab or carriage return can be
run as a formula by a spreadsheet. Text cells are written as strings (never formulas) in .xlsx and
prefixed with a single quote in CSV; numbers stay numbers.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import GrantkitError
from ..io.files import atomic_write, umask  # noqa: F401  (atomic_write: re-exported)
from ..labels import label
from ..present.format import RATE_DIGITS, column_kind, excel_format, format_figure, rate_digits

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_FIXED_DATE = datetime(2000, 1, 1)


def neutralize(value: object) -> object:
    """Text that a spreadsheet could run as a formula gets a leading ``'``; everything else is unchanged.

    >>> neutralize("=1+1"), neutralize("@SUM(A1)"), neutralize(-5), neutralize("山口県")
    ("'=1+1", "'@SUM(A1)", -5, '山口県')
    """
    if isinstance(value, str) and value.lstrip(" ").startswith(DANGEROUS_START):
        return "'" + value
    return value


def safe_component(name: str, *, max_length: int = 80) -> str:
    """An entity name made safe as one path component, still readable Japanese.

    >>> safe_component("../../etc/passwd"), safe_component("CON"), safe_component("山口県")
    ('etc_passwd', '_CON', '山口県')
    """
    s = unicodedata.normalize("NFKC", str(name))
    s = "".join("_" if (unicodedata.category(ch).startswith("C") or ch in '/\\:*?"<>|') else ch for ch in s)
    s = re.sub(r"\.{2,}", "", s)
    s = re.sub(r"_+", "_", s).strip(" ._")
    s = s[:max_length].rstrip(" .")
    if not s:
        s = "_"
    if s.split(".")[0].upper() in _RESERVED:
        s = "_" + s
    return s


def safe_join(root: str | Path, *parts: str) -> Path:
    """``root / parts`` made of safe components; raises if the result would leave ``root``.

    >>> safe_join("reports", "../x").name
    'x'
    """
    base = Path(root).resolve()
    path = base.joinpath(*(safe_component(p) for p in parts)).resolve()
    if path != base and base not in path.parents:
        raise GrantkitError(f"出力先 {path} は {base} の外です")
    return path


@contextlib.contextmanager
def atomic_directory(final: str | Path) -> Iterator[Path]:
    """Build a folder in a temporary sibling and move it into place at the end (replacing an old one).

    A crash leaves the old folder (or none), never a half-written one under the final name.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~umask())
        old = None
        if final.exists():
            old = final.with_name(f".{final.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            final.rename(old)
        tmp.rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_csv(df: pd.DataFrame, path: str | Path, *, labels: bool = False) -> Path:
    """Write UTF-8 CSV with BOM (Excel opens it directly), text cells neutralised, atomically."""
    out = df.rename(columns=label) if labels else df
    out = out.apply(
        lambda col: col.map(neutralize) if col.dtype == object or pd.api.types.is_string_dtype(col) else col
    )
    with atomic_write(path) as tmp:
        out.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    return Path(path)


def _sheet_name(name: str, used: set[str]) -> str:
    s = re.sub(r"[\[\]:*?/\\]", "_", str(name))[:31] or "Sheet"
    base, i = s, 2
    while s in used:
        s = f"{base[:28]}_{i}"
        i += 1
    used.add(s)
    return s


def write_tables_xlsx(
    tables: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    labels: bool = True,
    thousand_yen_columns: tuple[str, ...] = (),
    percent_columns: tuple[str, ...] = (),
    kinds: Mapping[str, str] | None = None,
    entity_rate_digits: int = RATE_DIGITS,
) -> Path:
    """Write one sheet per table: Japanese headers, numbers as numbers shown as the report prints them.

    Each column's kind of figure (``present.format.column_kind``, or ``kinds``, ``thousand_yen_columns``,
    ``percent_columns``) gives its number format (``present.format.excel_format``: 千円 and 円 with separators, rates
    in % with the report's digits — an entity's own rates ``entity_rate_digits`` —, point differences signed
    to 0.1); yes/no columns are written はい/いいえ as in the HTML; text that is a plain number (a score
    table's 全国平均 「584.3」) is written as a number, codes and other text as text (leading zeros kept, never
    a formula). The file is reproducible (fixed creation date) and written atomically.
    """
    import xlsxwriter

    kinds = dict(kinds or {})
    with atomic_write(path) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "nan_inf_to_errors": False,
            },
        )
        wb.set_properties({"created": _FIXED_DATE})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
        formats: dict[str, object] = {}
        used: set[str] = set()
        for name, df in tables.items():
            ws = wb.add_worksheet(_sheet_name(name, used))
            for j, col in enumerate(df.columns):
                title = label(col) if labels else str(col)
                ws.write_string(0, j, title, head)
                kind = kinds.get(col) or (
                    "thousand_yen"
                    if col in thousand_yen_columns
                    else "rate"
                    if col in percent_columns
                    else column_kind(str(col), df[col])
                )
                spec = (
                    excel_format(kind, rate_digits(str(col), entity_rate_digits) if kind == "rate" else None)
                    if kind
                    else None
                )
                fmt = formats.setdefault(spec, wb.add_format({"num_format": spec})) if spec else None
                width = max([len(title) * 2] + [len(str(v)) * 2 for v in df[col].head(200)])
                ws.set_column(j, j, min(max(width, 8), 60), fmt)
                _write_column(
                    ws,
                    j,
                    df[col],
                    fmt,
                    flag="presence" if kind == "presence" else "flag",
                    numeric_text=not _is_code(str(col)),
                )
            ws.freeze_panes(1, 0)
        wb.close()
    return Path(path)


_NUMBER = re.compile(r"^-?(?:0|[1-9]\d{0,2}(?:,\d{3})*|[1-9]\d*)(?:\.\d+)?$")
_CODE_WORDS = ("code", "indicator", "コード", "番号", "指標")


def _is_code(column: str) -> bool:
    return any(word in column for word in _CODE_WORDS)


def _write_column(
    ws: object, j: int, values: pd.Series, fmt: object, *, flag: str = "flag", numeric_text: bool = True
) -> None:
    for i, v in enumerate(values.tolist(), start=1):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, (bool, np.bool_)):
            ws.write_string(i, j, format_figure(bool(v), flag))
        elif isinstance(v, (int, float, np.integer, np.floating)):
            ws.write_number(i, j, float(v), fmt)
        elif numeric_text and isinstance(v, str) and _NUMBER.match(v):
            ws.write_number(i, j, float(v.replace(",", "")), fmt)
        else:
            ws.write_string(i, j, str(v))
