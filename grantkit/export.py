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

from .errors import GrantkitError
from .io.files import atomic_write, umask  # noqa: F401  (atomic_write: re-exported)
from .labels import label

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
    out = out.apply(lambda col: col.map(neutralize) if col.dtype == object or pd.api.types.is_string_dtype(col)
                    else col)
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


def write_tables_xlsx(tables: Mapping[str, pd.DataFrame], path: str | Path, *, labels: bool = True,
                      thousand_yen_columns: tuple[str, ...] = (), percent_columns: tuple[str, ...] = ()) -> Path:
    """Write one sheet per table: Japanese headers, 千円 with separators, rates as %, text never a formula.

    Columns ending in ``_thousand_yen`` and ``_yen`` get ``#,##0``; ``score_rate``/``*_rate``/``*_share``
    get ``0.0%``; codes and other text are written as text (leading zeros kept). The file is reproducible
    (fixed creation date) and written atomically.
    """
    import xlsxwriter

    with atomic_write(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False,
                                            "strings_to_urls": False, "nan_inf_to_errors": False})
        wb.set_properties({"created": _FIXED_DATE})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
        money = wb.add_format({"num_format": "#,##0"})
        pct = wb.add_format({"num_format": "0.0%"})
        num = wb.add_format({"num_format": "0.0##"})
        used: set[str] = set()
        for name, df in tables.items():
            ws = wb.add_worksheet(_sheet_name(name, used))
            for j, col in enumerate(df.columns):
                title = label(col) if labels else str(col)
                ws.write_string(0, j, title, head)
                fmt = (money if col in thousand_yen_columns or col.endswith(("_thousand_yen", "_yen")) else
                       pct if col in percent_columns or col.endswith(("_rate", "_share")) else
                       num if pd.api.types.is_float_dtype(df[col]) else None)
                width = max([len(title) * 2] + [len(str(v)) * 2 for v in df[col].head(200)])
                ws.set_column(j, j, min(max(width, 8), 60), fmt)
                _write_column(ws, j, df[col], fmt)
            ws.freeze_panes(1, 0)
        wb.close()
    return Path(path)


def _write_column(ws: object, j: int, values: pd.Series, fmt: object) -> None:
    for i, v in enumerate(values.tolist(), start=1):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, (bool, np.bool_)):
            ws.write_boolean(i, j, bool(v))
        elif isinstance(v, (int, float, np.integer, np.floating)):
            ws.write_number(i, j, float(v), fmt)
        else:
            ws.write_string(i, j, str(v))
