"""Reading a workbook laid out like the score table of the printed prefecture report (山口県, 令和元年度).

Indicators run down the sheet (Ⅰ; a Ⅱ heading row then (1)…(9) with (2)① and ②; Ⅲ), each year has a
「<団体名>評点」 column of 「得点 ／ 配点」 cells and a 「全国平均」 column; printed subtotal rows (Ⅱ計) and the
合計 row are checked against the leaves, and rate rows 「（ 83% ）」 against the computed rates. What the
headings say is data (``layouts/prefecture_report.csv``), not code.
"""

from __future__ import annotations

import csv
import re
from importlib import resources
from pathlib import Path

import pandas as pd

from ..domain import NATIONAL, NATIONAL_CODE, PREFECTURE, PROMOTION, SUBTOTAL_SUFFIX, TOTAL
from ..errors import InputFileError, Problem, ValidationError
from ..prefectures import CODES
from ..provenance import LoadReport
from ..schema import Loaded, loaded, parse_number, tidy_scores
from ..text import normalize_indicator, normalize_text
from .files import sha256
from .workbook import Workbook

_RATE = re.compile(r"^\(?\s*([\d.]+)\s*%\s*\)?$")
_SUB = re.compile(r"^\((\d+)\)([①-⑳]?)$")


def _layout() -> dict[str, str]:
    text = resources.files("grantkit.io.layouts").joinpath("prefecture_report.csv").read_text(encoding="utf-8")
    return {r["key"]: normalize_text(r["value"]) for r in csv.DictReader(text.splitlines())}


def read_scores_xlsx(path: str | Path, *, sheet: str | None = None, book: Workbook | None = None) -> Loaded:
    """Read a workbook in the printed report's layout into the tidy score table with its load report.

    Takes the path, optionally the sheet (default: the first) and ``book``, the file opened already; returns ``Loaded`` (table + ``LoadReport``).
    Printed subtotals and 合計 must equal the sums of their leaves (else ``ValidationError`` naming the cell);
    a printed rate that the printed points do not give is a note in the report.

    >>> from grantkit import example_path
    >>> loaded = read_scores_xlsx(example_path("yamaguchi_scores.xlsx"))
    >>> len(loaded.table), loaded.report.rows_read == loaded.report.rows_kept, loaded.report.sheet
    (48, True, '評価指標')
    """
    path = Path(path)
    lay = _layout()
    book = book or Workbook(path)
    sheet_name = sheet or book.names[0]
    rows = [[normalize_text(v) if v is not None else "" for v in r] for r in book.rows(sheet_name)]
    report = LoadReport(source=path.name, sheet=sheet_name, sha256=sha256(path))
    head, blocks = _find_header(rows, lay, path, sheet_name)
    # the code and name columns are the two left of the first year block (a sheet may start further right)
    left = blocks[0][0] - 2
    if left < 0:
        raise InputFileError(
            path,
            f"シート「{sheet_name}」: 見出し「{blocks[0][1]}{lay['entity_header_suffix']}」の左に"
            "指標コードと指標名の2列がありません",
        )
    rows = [r[left:] for r in rows]
    blocks = [(c - left, who, year) for c, who, year in blocks]
    entity = blocks[0][1]
    code = CODES.get(entity)
    if code is None:
        raise InputFileError(path, f"見出し「{entity}{lay['entity_header_suffix']}」の団体名が都道府県名ではありません")
    title = " ".join(" ".join(r) for r in rows[:head])
    if lay["grant_in_title"] not in title.replace(" ", ""):
        raise InputFileError(
            path, f"表題に「{lay['grant_in_title']}」が見当たりません（この形式は推進交付金の都道府県分の表です）"
        )
    records, printed, problems = [], [], []
    group = group_name = ""
    last_leaf: str | None = None
    for i in range(head + 1, len(rows)):
        row, line = rows[i], i + 1
        label = normalize_indicator(row[0])
        name = row[1]
        if (not label and not any(row[2:])) or label.startswith("※"):
            continue
        if _is_rate_row(row, blocks):
            printed.append(("rate", line, last_leaf, row))
            continue
        if label == lay["total_label"] or label.endswith(lay["subtotal_suffix"]):
            printed.append(("sum", line, label, row))
            last_leaf = label
            continue
        if _SUB.match(label):
            label, parent = f"{group}{label}", group
        elif re.fullmatch(r"[①-⑳]", label) and last_leaf and group:
            label, parent = re.sub(r"[①-⑳]$", "", last_leaf) + label, group
        elif not any(row[c] for c, _, _ in blocks):
            group, group_name = label, name
            continue
        else:
            group, group_name, parent = "", "", ""
        for b, (col, who, year) in enumerate(blocks):
            score, max_score = _split(row[col], lay["score_separator"])
            nat = row[col + 1]
            for e, (ent, ent_code, value) in enumerate(
                ((who, code, score), (NATIONAL, NATIONAL_CODE[PREFECTURE], nat))
            ):
                records.append(
                    {
                        "fiscal_year": year,
                        "level": lay["level"],
                        "grant": PROMOTION,
                        "entity_code": ent_code,
                        "entity": ent,
                        "indicator": label,
                        "indicator_name": name,
                        "parent": parent,
                        "parent_name": group_name if parent else "",
                        "score": value,
                        "max_score": max_score,
                        "_line": line,
                        "_order": (b, e, line),
                    }
                )
        last_leaf = label
    raw = pd.DataFrame(sorted(records, key=lambda r: r.pop("_order")))
    if raw.empty:
        raise InputFileError(path, "得点の行が見つかりません")
    lines = raw.pop("_line").tolist()
    table = tidy_scores(raw, report, lines)
    problems += _check_printed(table, printed, blocks, path, sheet_name, report, left)
    if problems:
        raise ValidationError(path.name, problems)
    return loaded(report, scores=table)


def _find_header(rows: list[list[str]], lay: dict[str, str], path: Path, sheet: str):
    suffix, nat = lay["entity_header_suffix"], lay["national_header"]
    for i, row in enumerate(rows[: int(lay["header_search_rows"])]):
        blocks = []
        for c, cell in enumerate(row[:-1]):
            if cell.endswith(suffix) and len(cell) > len(suffix) and row[c + 1] == nat:
                year_label = next((rows[k][c] for k in range(i - 1, -1, -1) if rows[k][c]), "")
                blocks.append((c, cell[: -len(suffix)], year_label))
        if blocks:
            return i, blocks
    raise InputFileError(path, f"シート「{sheet}」に見出し「<団体名>{suffix}」「{nat}」の組が見つかりません")


def _split(cell: str, sep: str) -> tuple[str, str]:
    if sep in cell:
        score, max_score = cell.split(sep, 1)
        return score.strip(), max_score.strip()
    return cell, ""


def _is_rate_row(row: list[str], blocks) -> bool:
    cells = [row[c] for c, _, _ in blocks] + [row[c + 1] for c, _, _ in blocks]
    return not row[0] and any(cells) and all(_RATE.match(c.replace(" ", "")) for c in cells if c)


def _check_printed(
    table: pd.DataFrame, printed, blocks, path: Path, sheet: str, report: LoadReport, left: int = 0
) -> list[Problem]:
    """Printed subtotals and totals must equal the leaf sums (error); printed rates are compared at printed
    precision (a difference is a note: official tables round the averages they print). ``left``: columns cut
    off the left of the sheet, so that a problem names the column the user sees."""
    from ..eras import fiscal_year

    sums = leaf_sums(table)
    problems = []
    for kind, line, label, row in printed:
        for col, who, year in blocks:
            fy = fiscal_year(year)
            for ent, cell_col in ((who, col), (NATIONAL, col + 1)):
                ind = label.removesuffix(SUBTOTAL_SUFFIX) if label != TOTAL else TOTAL
                if (ent, fy, ind) not in sums.index or not row[cell_col]:
                    continue
                g = sums.loc[(ent, fy, ind)]
                if kind == "sum":
                    score, max_score = _split(row[cell_col], "/")
                    try:
                        want = [parse_number(score), parse_number(max_score) if max_score else None]
                    except ValueError:
                        problems.append(
                            Problem(
                                f"印字された{label} '{row[cell_col]}' は「得点 ／ 配点」の数値として"
                                f"読めません（{year}、{ent}）",
                                path.name,
                                sheet,
                                line,
                                _col_name(cell_col + left),
                                row[cell_col],
                            )
                        )
                        continue
                    have = [g["score"], g["max_score"] if max_score else None]
                    if any(w is not None and abs(w - h) > 0.05 for w, h in zip(want, have)):
                        problems.append(
                            Problem(
                                f"印字された{label} '{row[cell_col]}' が指標の合計 "
                                f"{g['score']:g} ／ {g['max_score']:g} と一致しません（{year}、{ent}）",
                                path.name,
                                sheet,
                                line,
                                _col_name(cell_col + left),
                                row[cell_col],
                            )
                        )
                else:
                    digits = len(_RATE.match(row[cell_col].replace(" ", "")).group(1).partition(".")[2])
                    shown = float(_RATE.match(row[cell_col].replace(" ", "")).group(1))
                    if abs(round(g["score_rate"] * 100, digits) - shown) > 10**-digits / 2 + 1e-9:
                        report.notes.append(
                            f"{line}行目 {label} {year} {ent}: 印字の得点率 {shown}% は得点 {g['score']:g} ／ 配点 "
                            f"{g['max_score']:g}（{g['score_rate']:.1%}）と合いません（印字された得点が端数処理されている可能性）"
                        )
    return problems


def leaf_sums(table: pd.DataFrame) -> pd.DataFrame:
    """Each leaf, each group's subtotal and each entity's 合計 of a one-grant score table, summed from the leaves,
    to check the figures the sheet prints (an independent sum: the reader does not lean on the computation it feeds).

    Takes a tidy score table of one grant and level; returns ``score``, ``max_score`` and ``score_rate``
    indexed by (entity, fiscal_year, indicator), where the indicator is a leaf code, a group code or 「合計」.
    A missing leaf score makes its sums missing (never counted as 0).

    >>> t = pd.DataFrame({"entity": ["A", "A", "A"], "fiscal_year": [2019] * 3, "indicator": ["Ⅰ", "Ⅱ(1)", "Ⅱ(2)"],
    ...                   "parent": ["", "Ⅱ", "Ⅱ"], "score": [10.0, 3.0, 4.5], "max_score": [20.0, 5.0, 5.0]})
    >>> sums = leaf_sums(t)
    >>> sums.loc[("A", 2019, "Ⅱ")].tolist(), sums.loc[("A", 2019, "合計"), "score"], sums.loc[("A", 2019, "Ⅰ"), "score"]
    ([7.5, 10.0, 0.75], np.float64(17.5), np.float64(10.0))
    """
    grouped = table[table["parent"] != ""].assign(indicator=lambda t: t["parent"])
    rows = pd.concat([table, grouped, table.assign(indicator=TOTAL)], ignore_index=True)
    sums = rows.groupby(["entity", "fiscal_year", "indicator"], sort=False)[["score", "max_score"]]
    out = sums.sum(skipna=False).round(10)  # 99.3 + 435.4 + 49.6 = 584.3 as printed
    out["score_rate"] = out["score"] / out["max_score"].where(out["max_score"] > 0)
    return out


def _col_name(c: int) -> str:
    return chr(ord("A") + c) if c < 26 else f"列{c + 1}"
