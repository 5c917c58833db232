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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import GrantkitError
from ..io.files import atomic_write, umask  # noqa: F401  (atomic_write: re-exported)
from ..labels import label
from ..present.format import RATE_DIGITS, column_kind, excel_format, format_figure, rate_digits

if TYPE_CHECKING:
    from .model import Figure, Report, Section

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


def report_folder(out: str | Path, name: str) -> Path:
    """The folder of one report: ``out / name`` made of safe path components; an ``out`` that is a file is
    refused with a clear error.

    >>> report_folder("reports", "../山口県_H30-R1").name
    '山口県_H30-R1'
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise GrantkitError(f"出力先 {out} はファイルです。報告書を書き出すフォルダを --out に指定してください")
    return safe_join(out, name)


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


# a table cell holding words (not a figure, 「○」 or 「－」): starts with neither a digit nor a sign
_TEXT_CELL = re.compile(r"^(?![（(]?[+\-±]?\d)(?![○－]$).*[^\W\d_]")


def offline_page(page: str, alts: list[str]) -> str:
    """``page`` without any script, style sheet or font loaded by URL (inline scripts that only configure
    MathJax go too), the n-th image's alt text set to ``alts[n]`` when given, and each table's second
    header row of index names merged into the first.

    >>> page = '<html><head><script src="https://x/require.js"></script></head><body><img src="data:,"></body></html>'
    >>> offline_page(page, ["山口県の得点率"])
    '<html><head></head><body><img alt="山口県の得点率" src="data:,"/></body></html>'
    """
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(page, features="html.parser")
    for comment in soup.find_all(string=lambda t: isinstance(t, Comment) and "mathjax" in t.lower()):
        comment.extract()
    for tag in soup.find_all(["script", "link"]):
        url = tag.get("src") or tag.get("href") or ""
        if (
            "://" in url
            or url.startswith("//")
            or "mathjax" in (tag.get("type") or "").lower()
            or "MathJax" in tag.get_text()
            or (tag.name == "script" and "://" in tag.get_text())
        ):
            tag.decompose()
    for style in soup.find_all("style"):  # comments citing where a colour came from are URLs too
        if style.string and "://" in style.string:
            style.string = re.sub(
                r"/\*.*?\*/", lambda m: "" if "://" in m.group(0) else m.group(0), style.string, flags=re.S
            )
    for td in soup.find_all("td"):  # names and reasons read from the left; figures stay right-aligned
        if _TEXT_CELL.match(td.get_text(strip=True)):
            td["class"] = [*td.get("class", []), "grantkit-text"]
    for img, alt in zip(soup.find_all("img"), alts):
        if alt:
            img["alt"] = alt
    for thead in soup.find_all("thead"):
        rows = thead.find_all("tr", recursive=False)
        if len(rows) != 2:
            continue
        top, names = rows[0].find_all("th"), [th.get_text() for th in rows[1].find_all("th")]
        # the second row holds only the index names, under the first row's empty leading cells
        if (
            len(names) == len(top)
            and not rows[1].find_all("td")
            and all(not name.strip() or not th.get_text(strip=True) for th, name in zip(top, names))
        ):
            for th, name in zip(top, names):
                if name.strip():
                    th.string = name
            rows[1].decompose()
    return str(soup)


# --- the report model (report.model) as HTML, Excel and PNG ------------------------------------------------------

HTML_NAME = "報告書.html"
EXCEL_NAME = "表.xlsx"
# rate columns (fractions) whose names do not end in ``_rate``: shown as % in the workbook
RATE_COLUMNS = ("rate", "rate_base", "rate_target", "national_rate_base", "national_rate_target")


def section_html(section: Section, *, images: Mapping[str, bytes] | None = None) -> list[str | Figure]:
    """The section as HTML pieces in reading order; a figure is an ``<img>`` embedding ``images[stem]`` (the PNG
    bytes saved) or, when ``images`` is None, the ``Figure`` itself (a notebook shows it as an image).

    >>> from grantkit.report.model import Section, Text
    >>> section_html(Section("1. 得点", [Text("本文。")]))
    ['<h2>1. 得点</h2>', '<p>本文。</p>']
    """
    import base64
    import html

    from .model import Figure, Heading, Table, Text

    pieces: list[str | Figure] = [f"<h2>{html.escape(section.title)}</h2>"] if section.title else []
    for part in section.parts:
        if isinstance(part, Text):
            paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in part.paragraphs)
            pieces.append(f'<div class="grantkit-prose">{paragraphs}</div>' if part.drafted else paragraphs)
        elif isinstance(part, Heading):
            pieces.append(f"<h3>{html.escape(part.text)}</h3>")
        elif isinstance(part, Table) and part.view is not None:
            plain = isinstance(part.view.index, pd.RangeIndex)  # row numbers from 0 mean nothing to a reader
            pieces.append(part.view.to_html(max_rows=None, max_cols=None, notebook=True, index=not plain))
        elif isinstance(part, Figure):
            if images is None:
                pieces.append(part)
            else:
                data = base64.b64encode(images[part.stem]).decode("ascii")
                alt = html.escape(part.alt, quote=True)
                pieces.append(f'<figure><img alt="{alt}" src="data:image/png;base64,{data}"/></figure>')
    return pieces


def report_page(report: Report, images: Mapping[str, bytes]) -> str:
    """The report as one self-contained HTML page: its title as ``<title>`` and heading, each section in order,
    the charts embedded (``images``: file stem → PNG bytes) with their titles as alt text, the report styles
    (``templates/report.css``) inline. Nothing is loaded from the network (municipal PCs often have no internet).

    >>> from grantkit.report.model import Report, Section, Text
    >>> page = report_page(Report("山口県 報告書", "", [Section("1. 得点", [Text("本文。")])]), {})
    >>> "<h1>山口県 報告書</h1>" in page and "<h2>1. 得点</h2>" in page and "://" not in page
    True
    """
    import html

    from ..examples import template_path

    css = template_path("report.css").read_text(encoding="utf-8")
    body = "\n".join(
        "<section>" + "\n".join(str(p) for p in section_html(s, images=images)) + "</section>" for s in report
    )
    title = html.escape(report.title)
    page = (
        f'<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8"/><title>{title}</title>\n'
        f"<style>\n{css}</style>\n</head>\n<body><main>\n<h1>{title}</h1>\n{body}\n</main></body></html>\n"
    )
    return offline_page(page, [])


def write_report(report: Report, folder: str | Path) -> list[Path]:
    """Write a report model as files.

    Parameters
    ----------
    report : Report
        From ``build_prefecture_report`` or ``build_municipal_report``.
    folder : str or Path
        An existing folder.

    Returns
    -------
    list of Path
        The files written: each chart as PNG (and SVG beside it), ``表.xlsx`` (one sheet per table with a sheet
        name, in order; text that could run as a formula neutralised, number formats as printed) and the page
        ``報告書.html``. Guarantees: each figure is saved once and the page embeds those bytes, so it shows exactly
        the PNG in the folder; every file is written atomically.

    >>> import tempfile
    >>> from grantkit.report.model import Report, Section, Text
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in write_report(Report("題", "", [Section("1. 節", [Text("文。")])]), d)]
    ['報告書.html']
    """
    from ..plot import save_figure

    folder = Path(folder)
    written, images = [], {}
    figures = list(report.figures())
    for figure in figures:  # the PNGs here, while the SVGs handed to a second core are drawn there
        path = save_figure(figure.fig, folder / f"{figure.stem}.png", svg=False)
        images[figure.stem] = path.read_bytes()
        written.append(path)
    tables = {t.sheet: t.excel for s in report for t in s.tables if t.sheet and t.excel is not None}
    if tables:
        written.append(write_excel_tables(tables, folder / EXCEL_NAME, entity_rate_digits=report.entity_rate_digits))
    for figure in figures:
        with atomic_write(folder / f"{figure.stem}.svg") as tmp:
            Path(tmp).write_bytes(figure.svg())
    with atomic_write(folder / HTML_NAME) as tmp:
        Path(tmp).write_text(report_page(report, images), encoding="utf-8")
    written.append(folder / HTML_NAME)
    return written


def write_excel_tables(
    tables: Mapping[str, pd.DataFrame], path: str | Path, *, entity_rate_digits: int = RATE_DIGITS
) -> Path:
    """Write report tables (sheet name → table) as one workbook, each cell showing the figure as the HTML does.

    A table's ``attrs["kinds"]`` (the views with ``numbers=True``) names its columns' kinds of figure; the
    entity's own rates get ``entity_rate_digits``; an index is written as leading columns, 行の種類 in Japanese
    and the 年度 as printed (H30) next to the numeric 交付年度. Returns ``path``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_excel_tables({"表": pd.DataFrame({"fiscal_year": [2019]})}, Path(d) / "t.xlsx").name
    't.xlsx'
    """
    present = {k: _for_excel(v.reset_index() if v.index.name or v.index.nlevels > 1 else v) for k, v in tables.items()}
    kinds = {c: k for v in tables.values() for c, k in v.attrs.get("kinds", {}).items()}
    return write_tables_xlsx(
        present, path, percent_columns=RATE_COLUMNS, kinds=kinds, entity_rate_digits=entity_rate_digits
    )


def _for_excel(table: pd.DataFrame) -> pd.DataFrame:
    """Words for people in the workbook: 行の種類 in Japanese, and the 年度 as the report prints it (H30) next
    to the numeric 交付年度."""
    from ..eras import era_label
    from ..labels import ROW_KIND_NAMES

    out = table.copy()
    if "row_kind" in out.columns:
        out["row_kind"] = out["row_kind"].map(lambda v: ROW_KIND_NAMES.get(v, v))
    if "fiscal_year" in out.columns and "era" not in out.columns and pd.api.types.is_integer_dtype(out["fiscal_year"]):
        out.insert(out.columns.get_loc("fiscal_year") + 1, "era", out["fiscal_year"].map(era_label))
    return out
