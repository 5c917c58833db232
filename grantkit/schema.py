"""The tidy score table: its columns, and validation of raw rows into it.

One row per (fiscal_year, level, grant, entity, indicator); leaves only — subtotals are computed by
``score_rates``, never stored. Every problem found is collected and raised together as one
``ValidationError`` naming file, sheet, row (as the user sees it), column, value and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .domain import CODE_WIDTH, GRANTS, LEVELS, NATIONAL, NATIONAL_CODE  # noqa: F401  (re-exported)
from .eras import EraError, era_label_long, fiscal_year
from .errors import Problem, ValidationError
from .labels import label
from .provenance import LoadReport
from .text import normalize_indicator, normalize_text

KEY = ["fiscal_year", "level", "grant", "entity", "indicator"]
REQUIRED = ["fiscal_year", "level", "grant", "entity_code", "entity", "indicator", "indicator_name",
            "parent", "score", "max_score"]
OPTIONAL = ["parent_name", "group", "group_name"]
MISSING_MARKS = {"", "-", "－", "―", "‐", "ー", "—", "–", "*", "＊", "NA", "N/A", "nan", "NaN"}
TEXT_COLUMNS = ["level", "grant", "entity_code", "entity", "indicator_name", "parent_name", "group", "group_name"]
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


# Japanese headings users type for the columns, besides the display labels of labels.py
_JAPANESE_HEADINGS = {"年度": "fiscal_year", "団体区分": "level", "保険者番号": "entity_code", "保険者名": "entity",
                      "市町村名": "entity", "都道府県名": "entity", "指標番号": "indicator", "満点": "max_score",
                      "点数": "score", "親指標": "parent"}


@dataclass
class Loaded:
    """A loaded table and the account of how it was read."""

    table: pd.DataFrame
    report: LoadReport


def parse_number(value: object) -> float | None:
    """Read a cell as a number: "1,234" → 1234.0, "－" → None; raise ValueError otherwise.

    >>> parse_number("1,234"), parse_number("－"), parse_number(" 12.5 ")
    (1234.0, None, 12.5)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    s = normalize_text(value).replace(" ", "")
    if s in MISSING_MARKS:
        return None
    if not _NUMBER.match(s):
        raise ValueError(s)
    return float(s.replace(",", ""))


def restore_code(value: object, level: str) -> str:
    """Restore a fixed-width code that Excel turned into a number ("1" → "01" for a prefecture).

    >>> restore_code("1", "都道府県"), restore_code(12345.0, "市町村"), restore_code("35.0", "都道府県")
    ('01', '012345', '35')
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = normalize_text(value).replace(" ", "")
    s = re.sub(r"^(\d+)\.0+$", r"\1", s)  # "35.0": a code that went through a float on its way to the CSV
    width = CODE_WIDTH[level]
    if not s.isdigit() or len(s) > width:
        raise ValueError(f"'{s}' は {width} 桁の数字コードではありません")
    return s.zfill(width)


def tidy_scores(raw: pd.DataFrame, report: LoadReport, row_numbers: list[int] | None = None) -> pd.DataFrame:
    """Validate raw string cells (columns already named canonically) into the tidy score table.

    ``row_numbers`` gives, for each raw row, the line the user sees (header = 1 in a CSV).
    Raises ``ValidationError`` listing every problem; on success every raw row is in the result.
    """
    src, sheet = report.source, report.sheet
    rows = row_numbers or [i + 2 for i in range(len(raw))]
    problems: list[Problem] = []

    def problem(msg: str, i: int | None = None, col: str | None = None, value: object = None) -> None:
        problems.append(Problem(msg, file=src, sheet=sheet, row=None if i is None else rows[i], column=col, value=value))

    missing = [c for c in REQUIRED if c not in raw.columns]
    unknown = [c for c in raw.columns if c not in REQUIRED + OPTIONAL]
    separator = next((name for sep, name in (("\t", "タブ"), (";", "セミコロン")) if len(raw.columns) == 1
                      and sep in str(raw.columns[0])), None)
    if separator:
        problem(f"1行目が1つの列として読めました。{separator}区切りのようです。カンマ区切りの CSV で保存し直してください",
                col=None)
        raise ValidationError(src, problems)
    meant = {label(c): c for c in REQUIRED + OPTIONAL} | _JAPANESE_HEADINGS
    for c in missing:
        problem(f"必須の列「{c}」がありません（必須列: {', '.join(REQUIRED)}）", col=c)
    for c in unknown:
        hint = f"。「{meant[normalize_text(c)]}」のことなら、列名を {meant[normalize_text(c)]} にしてください" \
            if normalize_text(c) in meant else ""
        problem(f"列「{c}」は得点表の列ではありません（使える列: {', '.join(REQUIRED + OPTIONAL)}）{hint}", col=c)
    if problems:
        raise ValidationError(src, problems)

    n = len(raw)
    report.rows_read = n
    out: dict[str, list] = {c: [None] * n for c in REQUIRED + [c for c in OPTIONAL if c in raw.columns]}
    cells = raw.to_dict("list")
    for i in range(n):
        for c in TEXT_COLUMNS:
            if c in cells:
                out[c][i] = normalize_text(cells[c][i])
        for c in ("indicator", "parent"):
            out[c][i] = normalize_indicator(cells[c][i])
        fy = cells["fiscal_year"][i]
        try:
            out["fiscal_year"][i] = fiscal_year(fy)
        except EraError as exc:
            problem(str(exc), i, "fiscal_year", fy)
        level = out["level"][i]
        if level not in LEVELS:
            problem(f"'{level}' は区分として使えません（{' または '.join(LEVELS)}）", i, "level", level)
        if out["grant"][i] not in GRANTS:
            problem(f"'{out['grant'][i]}' は交付金として使えません（{' または '.join(GRANTS)}）", i, "grant", out["grant"][i])
        if level in LEVELS:
            try:
                out["entity_code"][i] = restore_code(cells["entity_code"][i], level)
            except ValueError as exc:
                problem(str(exc), i, "entity_code", cells["entity_code"][i])
        if not out["entity"][i]:
            problem("団体名が空です", i, "entity")
        if not out["indicator"][i]:
            problem("指標コードが空です", i, "indicator")
        for c in ("score", "max_score"):
            v = cells[c][i]
            try:
                x = parse_number(v)
            except ValueError:
                problem(f"'{v}' は数値ではありません", i, c, v)
                continue
            if x is None:
                report.coerced.append(Problem(f"'{normalize_text(v)}' を欠損として読みました", src, sheet, rows[i], c, v))
            out[c][i] = np.nan if x is None else x

    # Value rules run on the rows that parsed, so one report lists every problem at once.
    bad = {p.row for p in problems}
    good = [i for i in range(n) if rows[i] not in bad]
    table = pd.DataFrame({c: [v[i] for i in good] for c, v in out.items()})
    rows = [rows[i] for i in good]
    table["fiscal_year"] = table["fiscal_year"].astype("int64")
    for c in ("score", "max_score"):
        table[c] = table[c].astype("float64")
    for c in table.columns:
        if c not in ("fiscal_year", "score", "max_score"):
            table[c] = table[c].astype("str")
    if len(table):
        problems += _check_values(table, rows, src, sheet)
        problems += _check_structure(table, rows, src, sheet, complete=not problems)
    if problems:
        raise ValidationError(src, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    report.rows_kept = len(table)
    report.check()
    return table


def _check_values(table: pd.DataFrame, rows: list[int], src: str, sheet: str | None) -> list[Problem]:
    """Value rules checked with pandera; failures translated into Problems with user row numbers."""
    import pandera.pandas as pa

    schema = pa.DataFrameSchema(
        {
            "score": pa.Column(float, [pa.Check.ge(0, error="負の得点です")], nullable=True),
            "max_score": pa.Column(float, [pa.Check.gt(0, error="配点は正の数でなければなりません")], nullable=True),
        },
        checks=[pa.Check(lambda d: ~(d["score"] > d["max_score"]), error="score_exceeds_max")],
    )
    problems: list[Problem] = []
    try:
        schema.validate(table, lazy=True)
    except pa.errors.SchemaErrors as exc:
        for case in exc.failure_cases.itertuples(index=False):
            i = case.index
            if i is None or (isinstance(i, float) and np.isnan(i)):
                continue
            i = int(i)
            r = table.iloc[i]
            where = f"(指標 {r['indicator']}, {era_label_long(int(r['fiscal_year']))}, {r['entity']})"
            if "score_exceeds_max" in str(case.check):
                if case.column not in (None, "score"):
                    continue
                problems.append(Problem(f"{_fmt(r['score'])} は配点 {_fmt(r['max_score'])} を超えています {where}",
                                        src, sheet, rows[i], "score", r["score"]))
            else:
                label = "負の得点です" if case.column == "score" else "配点は正の数でなければなりません"
                problems.append(Problem(f"{_fmt(case.failure_case)}: {label} {where}", src, sheet, rows[i],
                                        case.column, case.failure_case))
    dup = table.duplicated(KEY, keep=False)
    first: dict[tuple, int] = {}
    for i in np.flatnonzero(dup.to_numpy()):
        key = tuple(str(v) for v in table.iloc[i][KEY])
        if key in first:
            problems.append(Problem(f"({', '.join(key)}) が {rows[first[key]]}行目と重複しています", src, sheet, rows[i]))
        else:
            first[key] = i
    return problems


def _check_structure(table: pd.DataFrame, rows: list[int], src: str, sheet: str | None, *,
                     complete: bool = True) -> list[Problem]:
    """Rules across rows, so that no total is computed from rows that do not belong together: no subtotal or
    total rows (they are computed), one name per code and one code per name in a year, and within a year,
    level and grant the same indicators with the same 配点 for every entity (全国平均 included). ``complete``: no
    row was set aside for another problem (else a missing indicator would only repeat that problem)."""
    problems: list[Problem] = []
    add = lambda msg, i=None, col=None, value=None: problems.append(  # noqa: E731
        Problem(msg, src, sheet, None if i is None else rows[i], col, value))
    block = ["fiscal_year", "level", "grant"]
    parents = set(zip(*(table[c] for c in block + ["entity_code", "parent"])))
    summary = np.zeros(len(table), dtype=bool)
    for i, key in enumerate(zip(*(table[c] for c in block + ["entity_code", "indicator"]))):
        if key[-1].endswith("計") or key in parents:  # 合計, 小計, 計, Ⅱ計, 総合計: computed, never typed
            summary[i] = True
            hint = "" if key not in parents else f"（ほかの行の parent が {key[-1]} です。そちらの誤りならその parent を直してください）"
            add(f"指標 {key[-1]} は小計・合計の行です。小計・合計は明細から計算するので、この行を削除してください{hint}", i,
                "indicator", key[-1])
    before = len(problems)
    for col, other, what in (("entity_code", "entity", "団体名"), ("entity", "entity_code", "団体コード")):
        seen: dict[tuple, tuple[str, int]] = {}
        for i, (fy, level, a, b) in enumerate(zip(table["fiscal_year"], table["level"], table[col], table[other])):
            first = seen.setdefault((fy, level, a), (b, i))
            if first[0] != b:
                add(f"{a} の{what}が {rows[first[1]]}行目では「{first[0]}」、この行では「{b}」です"
                    f"（{era_label_long(int(fy))}。同じ団体は同じ団体名・団体コードで書いてください）", i, other, b)
    # after a mistyped name or code, or a row set aside for another problem, "missing" rows only repeat that problem
    derived_only = len(problems) > before or not complete
    leaves = table[~summary]
    for (fy, level, grant), part in leaves.groupby(block, sort=False):
        where = f"{era_label_long(int(fy))}・{level}・{grant}"
        for indicator, maxima in part.groupby("indicator", sort=False)["max_score"]:
            counts = maxima.dropna().value_counts()
            if len(counts) < 2:
                continue
            usual = counts.index[0] if counts.iloc[0] > counts.iloc[1] else None  # a tie names no value as right
            for i in maxima.index[maxima.notna() & maxima.ne(usual)]:
                r = table.loc[i]
                claim = (f"の配点 {_fmt(r['max_score'])} が他の団体の配点 {_fmt(usual)} と違います" if usual is not None
                         else f"の配点が団体によって {'・'.join(_fmt(v) for v in counts.index)} と違い、どれが正しいか"
                              f"決められません（この行は {_fmt(r['max_score'])}）")
                add(f"指標 {indicator} {claim}（{where}、{r['entity']}。同じ年度・交付金の指標は全団体で同じ配点です）",
                    int(i), "max_score", r["max_score"])
        flagged = set(table.loc[summary & table["fiscal_year"].eq(fy) & table["level"].eq(level)
                                & table["grant"].eq(grant), "indicator"])
        indicators = [x for x in dict.fromkeys(part["indicator"]) if x not in flagged]
        for _, rows_of in part.groupby("entity_code", sort=False):  # by code: a mistyped name is reported above
            lacking = [x for x in indicators if x not in set(rows_of["indicator"])]
            if lacking and not derived_only:
                add(f"{rows_of['entity'].iloc[0]} に指標 {'・'.join(lacking)} の行がありません（{where}。同じ年度・交付金の"
                    "他の団体にはあります。合計を同じ指標で比べるため、得点がわからないときも行は残して score を空欄にしてください）")
    return problems


def _fmt(x: object) -> str:
    return f"{x:g}" if isinstance(x, (float, int)) else str(x)
