"""The tidy score table: its columns, and validation of raw rows into it; the one shape every loader returns.

One row per (fiscal_year, level, grant, entity, indicator); leaves only — subtotals are computed by
``score_rates``, never stored. Every problem found is collected and raised together as one
``ValidationError`` naming file, sheet, row (as the user sees it), column, value and what was expected.

Every table's declaration (columns, kinds, key) and its check live in ``grantkit.tables``, re-exported here:
``schema.SCORES``, ``schema.check_scores``, … A loader returns a ``LoadResult``: its ``tables`` (name → frame)
and one ``report``; ``loaded(report, scores=table)`` checks each table and builds it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .domain import CODE_WIDTH, GRANTS, LEVELS, NATIONAL, NATIONAL_CODE  # noqa: F401  (re-exported)
from .eras import EraError, era_label_long, fiscal_year
from .errors import Problem, ValidationError
from .labels import label
from .provenance import LoadReport, text_array, text_values
from .tables import (  # noqa: F401  (re-exported: every table's declaration and check)
    ALLOCATION,
    AMOUNTS,
    ATTRIBUTES,
    AVERAGE_COMPARISON,
    BUDGETS,
    DERIVED_TABLES,
    GOAL_COMPARISON,
    GOAL_TABLE,
    INPUT_TABLES,
    MUNICIPAL_GRANT,
    NATIONAL_ALLOCATION,
    OVERALL_STANDING,
    PEER_TABLE,
    PROJECT_SUMMARY,
    PROJECTS,
    SCORE_RATES,
    SCORES,
    STATISTICS,
    TREND_TABLE,
    UTILIZATION,
    YEAR_CHANGE,
    YEAR_COMPARISON,
    ZERO_ITEMS,
    TableSpec,
    check_amounts,
    check_attributes,
    check_budgets,
    check_projects,
    check_scores,
    check_statistics,
    check_table,
    check_utilization,
    combined_codes,
    duplicated_keys,
    first_rows,
    value_codes,
)
from .tables import __all__ as TABLE_NAMES
from .text import normalize_indicator, normalize_text

KEY = ["fiscal_year", "level", "grant", "entity", "indicator"]
REQUIRED = SCORES.required  # fiscal_year, level, grant, entity_code, entity, indicator, …, score, max_score
OPTIONAL = ["parent_name", "group", "group_name"]
MISSING_MARKS = {"", "-", "－", "―", "‐", "ー", "—", "–", "*", "＊", "NA", "N/A", "nan", "NaN"}
TEXT_COLUMNS = ["level", "grant", "entity_code", "entity", "indicator_name", "parent_name", "group", "group_name"]
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


# Japanese headings users type for the columns, besides the display labels of labels.py
JAPANESE_HEADINGS = {
    "年度": "fiscal_year",
    "団体区分": "level",
    "保険者番号": "entity_code",
    "保険者名": "entity",
    "市町村名": "entity",
    "都道府県名": "entity",
    "指標番号": "indicator",
    "満点": "max_score",
    "点数": "score",
    "親指標": "parent",
}


class LoadResult:
    """What every loader returns: ``tables`` (name → DataFrame, each named as in ``grantkit.tables``) and one
    ``report`` (a ``LoadReport``: rows read = kept + excluded). ``table`` is the first table (the only one for a
    single-table loader); ``result["scores"]`` picks one by name."""

    tables: dict[str, pd.DataFrame]
    report: LoadReport

    @property
    def table(self) -> pd.DataFrame:
        """The first table: for a single-table loader (scores, utilisation, projects, budgets), the table."""
        return next(iter(self.tables.values()))

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


@dataclass
class Loaded(LoadResult):
    """Tables read from one file, each checked against its declaration, and the account of how they were read."""

    tables: dict[str, pd.DataFrame]
    report: LoadReport


def loaded(report: LoadReport, **tables: pd.DataFrame) -> Loaded:
    """Check each table against its declaration (``grantkit.tables.INPUT_TABLES``, by name) and return them with
    the report: the last line of every loader.

    Parameters
    ----------
    report : the loader's account; its ``source`` names the file in a ``TableError``.
    **tables : name → frame, e.g. ``scores=table``; a name must be one of ``INPUT_TABLES``.

    Returns
    -------
    A ``Loaded`` holding the tables (unchanged, in the order given) and the report.

    >>> from grantkit import example_scores
    >>> result = loaded(LoadReport("scores.csv", rows_read=48, rows_kept=48), scores=example_scores())
    >>> list(result.tables), len(result.table), result.report.source
    (['scores'], 48, 'scores.csv')
    """
    for name, table in tables.items():
        check_table(table, INPUT_TABLES[name], source=_where(report))
    return Loaded(dict(tables), report)


def check_result(result: LoadResult) -> LoadResult:
    """Check every table of a loader's result against its declaration; return the result unchanged.

    Parameters
    ----------
    result : a ``LoadResult`` (``Loaded``, ``MhlwResult``); a table absent from the result (None) is skipped.

    Returns
    -------
    ``result`` itself; raises ``TableError`` naming the table and the file when one breaks its declaration.

    >>> from grantkit import example_scores
    >>> r = Loaded({"scores": example_scores()}, LoadReport("scores.csv"))
    >>> check_result(r) is r
    True
    """
    for name, table in result.tables.items():
        check_table(table, INPUT_TABLES[name], source=_where(result.report))
    return result


def _where(report: LoadReport) -> str:
    return f"{report.source} シート「{report.sheet}」" if report.sheet else report.source


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


def tidy_scores(
    raw: pd.DataFrame, report: LoadReport, row_numbers: list[int] | np.ndarray | None = None
) -> pd.DataFrame:
    """Validate raw string cells (columns already named canonically) into the tidy score table.

    ``row_numbers`` gives, for each raw row, the line the user sees (header = 1 in a CSV).
    Raises ``ValidationError`` listing every problem; on success every raw row is in the result.
    """
    src, sheet = report.source, report.sheet
    rows = np.arange(2, len(raw) + 2) if row_numbers is None else np.asarray(row_numbers, dtype=np.int64)
    problems: list[Problem] = []

    def problem(msg: str, i: int | None = None, col: str | None = None, value: object = None) -> None:
        problems.append(
            Problem(msg, file=src, sheet=sheet, row=None if i is None else int(rows[i]), column=col, value=value)
        )

    missing = [c for c in REQUIRED if c not in raw.columns]
    unknown = [c for c in raw.columns if c not in REQUIRED + OPTIONAL]
    separator = next(
        (
            name
            for sep, name in (("\t", "タブ"), (";", "セミコロン"))
            if len(raw.columns) == 1 and sep in str(raw.columns[0])
        ),
        None,
    )
    if separator:
        problem(
            f"1行目が1つの列として読めました。{separator}区切りのようです。カンマ区切りの CSV で保存し直してください",
            col=None,
        )
        raise ValidationError(src, problems)
    meant = {label(c): c for c in REQUIRED + OPTIONAL} | JAPANESE_HEADINGS
    for c in missing:
        problem(f"必須の列「{c}」がありません（必須列: {', '.join(REQUIRED)}）", col=c)
    for c in unknown:
        hint = (
            f"。「{meant[normalize_text(c)]}」のことなら、列名を {meant[normalize_text(c)]} にしてください"
            if normalize_text(c) in meant
            else ""
        )
        problem(f"列「{c}」は得点表の列ではありません（使える列: {', '.join(REQUIRED + OPTIONAL)}）{hint}", col=c)
    if problems:
        raise ValidationError(src, problems)

    report.rows_read = len(raw)
    coerced: list[tuple[int, int, Problem]] = []

    def per_row(mask: np.ndarray, make: Callable[[int], Problem | None]) -> None:
        """One problem for each row where ``mask`` holds (the rows that fail; the checks themselves are per value)."""
        for i in np.flatnonzero(mask):
            found = make(int(i))
            if found is not None:
                problems.append(found)

    def cell(col: str, msg: str, i: int, value: object = None) -> Problem:
        return Problem(msg, file=src, sheet=sheet, row=int(rows[i]), column=col, value=value)

    # Every check runs once per distinct cell value (a column of a million cells holds a few hundred), and its
    # result is spread to the rows by the value's code; per-row work is only for the rows that fail.
    cols = {c: _Distinct(raw[c]) for c in REQUIRED + OPTIONAL if c in raw.columns}
    text = {c: cols[c].map(normalize_text) for c in TEXT_COLUMNS if c in cols}
    for c in ("indicator", "parent"):
        text[c] = cols[c].map(normalize_indicator)
    years = cols["fiscal_year"].map(_try(fiscal_year, EraError))
    per_row(years.failed, lambda i: cell("fiscal_year", years.error(i), i, cols["fiscal_year"].raw(i)))
    level = text["level"]
    level_ok = level.holds(lambda v: v in LEVELS)
    per_row(
        ~level_ok,
        lambda i: cell("level", f"'{level.at(i)}' は区分として使えません（{' または '.join(LEVELS)}）", i, level.at(i)),
    )
    grant = text["grant"]
    per_row(
        ~grant.holds(lambda v: v in GRANTS),
        lambda i: cell(
            "grant", f"'{grant.at(i)}' は交付金として使えません（{' または '.join(GRANTS)}）", i, grant.at(i)
        ),
    )
    restore = _try(restore_code, ValueError)
    codes = cols["entity_code"].pair(level, lambda v, lv: restore(v, lv) if lv in LEVELS else None)
    per_row(codes.failed & level_ok, lambda i: cell("entity_code", codes.error(i), i, cols["entity_code"].raw(i)))
    per_row(text["entity"].holds(lambda v: not v), lambda i: cell("entity", "団体名が空です", i))
    per_row(text["indicator"].holds(lambda v: not v), lambda i: cell("indicator", "指標コードが空です", i))
    numbers = {}
    for k, c in enumerate(("score", "max_score")):
        numbers[c] = cols[c].map(_try(parse_number, ValueError))
        per_row(
            numbers[c].failed, lambda i, c=c: cell(c, f"'{cols[c].raw(i)}' は数値ではありません", i, cols[c].raw(i))
        )
        missing = ~numbers[c].failed & numbers[c].holds(lambda v: v is None)
        for i in np.flatnonzero(missing):
            v = cols[c].raw(int(i))
            coerced.append((int(i), k, cell(c, f"'{normalize_text(v)}' を欠損として読みました", int(i), v)))
    report.coerced += [p for _, _, p in sorted(coerced, key=lambda t: (t[0], t[1]))]

    # Value rules run on the rows that parsed, so one report lists every problem at once.
    good = ~np.isin(rows, [p.row for p in problems])
    every = bool(good.all())
    columns: dict[str, object] = {"fiscal_year": years.values(good, "int64")}
    for c in REQUIRED[1:] + OPTIONAL:
        if c == "entity_code":
            columns[c] = codes.values(good, "str")
        elif c in ("score", "max_score"):
            columns[c] = numbers[c].values(good, "float64")
        elif c in text:
            columns[c] = text[c].values(good, "str")
    table = pd.DataFrame(columns)
    # the key columns as integer codes (equal code, equal value) for the rules across rows
    distinct = {
        c: d.canonical(good, every)
        for c, d in (
            ("fiscal_year", years),
            ("level", level),
            ("grant", grant),
            ("entity_code", codes),
            ("entity", text["entity"]),
            ("indicator", text["indicator"]),
            ("parent", text["parent"]),
        )
    }
    keys = pd.DataFrame({c: d.codes for c, d in distinct.items()})
    rows = rows if every else rows[good]
    if len(table):
        problems += _check_values(table, rows, src, sheet, keys)
        problems += _check_structure(
            table,
            rows,
            src,
            sheet,
            complete=not problems,
            keys=keys,
            indicator=distinct["indicator"],
            parent=distinct["parent"],
        )
    if problems:
        raise ValidationError(src, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    report.rows_kept = len(table)
    report.check()
    return table


class _Distinct:
    """A column as codes into its distinct values, so that a check or a conversion runs once per value.

    ``map`` gives the converted column (a failing conversion returns ``_Failure``); ``holds`` a row mask of a
    condition on the converted values; ``values`` the converted cells of some rows as a typed array.
    """

    def __init__(
        self,
        column: pd.Series | None = None,
        *,
        codes: np.ndarray | None = None,
        uniques: list | None = None,
        source: _Distinct | None = None,
    ):
        if column is not None:
            codes, uniques = distinct_values(column)
        self.codes, self.uniques, self.source = codes, uniques, source

    def map(self, convert: Callable[[object], object]) -> _Distinct:
        return _Distinct(codes=self.codes, uniques=[convert(u) for u in self.uniques], source=self)

    def pair(self, other: _Distinct, convert: Callable[[object, object], object]) -> _Distinct:
        """Converted from this column's and ``other``'s value together (once per distinct pair)."""
        joint, pairs = pd.factorize(self.codes.astype(np.int64) * (len(other.uniques) + 1) + other.codes)
        width = len(other.uniques) + 1
        return _Distinct(
            codes=joint,
            uniques=[convert(self.uniques[p // width], other.uniques[p % width]) for p in pairs],
            source=self,
        )

    def canonical(self, rows: np.ndarray, every: bool) -> _Distinct:
        """The converted column of some rows (``every``: all of them) with one code per distinct converted value:
        equal code, equal value (the codes of ``keys``)."""
        canonical, found = pd.factorize(
            pd.Series([repr(u) if isinstance(u, _Failure) else u for u in self.uniques], dtype=object)
        )
        codes = canonical[self.codes] if len(canonical) else np.zeros(len(self.codes), dtype=np.int64)
        return _Distinct(codes=codes if every else codes[rows], uniques=list(found))

    def holds(self, condition: Callable[[object], bool]) -> np.ndarray:
        return np.array([bool(condition(u)) for u in self.uniques] + [False], dtype=bool)[self.codes]

    @property
    def failed(self) -> np.ndarray:
        return self.holds(lambda v: isinstance(v, _Failure))

    def at(self, i: int) -> object:
        return self.uniques[self.codes[i]]

    def raw(self, i: int) -> object:
        return self.source.raw(i) if self.source is not None else self.at(i)

    def error(self, i: int) -> str:
        return self.at(i).message

    def values(self, rows: np.ndarray, dtype: str) -> object:
        if dtype == "float64":
            table = np.array([np.nan if v is None or isinstance(v, _Failure) else v for v in self.uniques], dtype=float)
        elif dtype == "int64":
            table = np.array([0 if isinstance(v, _Failure) else v for v in self.uniques], dtype=np.int64)
        else:
            table = text_values([str(v) for v in self.uniques])[:-1]
        codes = self.codes if rows.all() else self.codes[rows]
        taken = table[codes] if len(table) else np.zeros(len(codes), dtype=table.dtype)
        return text_array(taken) if dtype == "str" else taken


class _Failure:
    """A conversion that raised: its message for the rows that hold the value."""

    def __init__(self, message: str):
        self.message = message


def _try(convert: Callable[..., object], error: type[Exception]) -> Callable[..., object]:
    def attempt(*args: object) -> object:
        try:
            return convert(*args)
        except error as exc:
            return _Failure(str(exc))

    return attempt


def _check_values(
    table: pd.DataFrame, rows: np.ndarray, src: str, sheet: str | None, keys: pd.DataFrame
) -> list[Problem]:
    """Value rules checked with pandera; failures translated into Problems with user row numbers. The rules are
    first checked on whole columns at once: pandera runs, to name the cells, only when one of them fails."""
    problems: list[Problem] = []
    score, most = table["score"].to_numpy(dtype=float), table["max_score"].to_numpy(dtype=float)
    if (score < 0).any() or (most <= 0).any() or (score > most).any():  # NaN compares False: missing is allowed
        problems += _value_failures(table, rows, src, sheet)
    joint = _codes(keys, KEY)
    dup = np.bincount(joint)[joint] > 1 if len(joint) else np.zeros(0, dtype=bool)
    first: dict[tuple, int] = {}
    for i in np.flatnonzero(dup):
        key = tuple(str(v) for v in table.iloc[i][KEY])
        if key in first:
            problems.append(
                Problem(f"({', '.join(key)}) が {rows[first[key]]}行目と重複しています", src, sheet, int(rows[i]))
            )
        else:
            first[key] = i
    return problems


def _value_failures(table: pd.DataFrame, rows: np.ndarray, src: str, sheet: str | None) -> list[Problem]:
    """The cells that break a value rule, found by pandera, as Problems."""
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
                problems.append(
                    Problem(
                        f"{_fmt(r['score'])} は配点 {_fmt(r['max_score'])} を超えています {where}",
                        src,
                        sheet,
                        int(rows[i]),
                        "score",
                        r["score"],
                    )
                )
            else:
                label = "負の得点です" if case.column == "score" else "配点は正の数でなければなりません"
                problems.append(
                    Problem(
                        f"{_fmt(case.failure_case)}: {label} {where}",
                        src,
                        sheet,
                        int(rows[i]),
                        case.column,
                        case.failure_case,
                    )
                )
    return problems


def _check_structure(
    table: pd.DataFrame,
    rows: np.ndarray,
    src: str,
    sheet: str | None,
    *,
    complete: bool,
    keys: pd.DataFrame,
    indicator: _Distinct,
    parent: _Distinct,
) -> list[Problem]:
    """Rules across rows, so that no total is computed from rows that do not belong together: no subtotal or
    total rows (they are computed), one name per code and one code per name in a year, and within a year,
    level and grant the same indicators with the same 配点 for every entity (全国平均 included). ``complete``: no
    row was set aside for another problem (else a missing indicator would only repeat that problem). ``keys``: the
    key columns as integer codes (equal code, equal value): every rule is checked on them, the text is read only
    for the rows that break one; ``indicator`` and ``parent`` are those codes with the values they stand for."""
    problems: list[Problem] = []
    add = lambda msg, i=None, col=None, value=None: problems.append(  # noqa: E731
        Problem(msg, src, sheet, None if i is None else int(rows[i]), col, value)
    )
    block = ["fiscal_year", "level", "grant"]
    summary, parents = _summary_rows(table, block, indicator, parent)
    for i in np.flatnonzero(summary):  # 合計, 小計, 計, Ⅱ計, 総合計: computed, never typed
        key = tuple(table[c].iloc[i] for c in block + ["entity_code", "indicator"])
        hint = (
            ""
            if key not in parents
            else f"（ほかの行の parent が {key[-1]} です。そちらの誤りならその parent を直してください）"
        )
        add(
            f"指標 {key[-1]} は小計・合計の行です。小計・合計は明細から計算するので、この行を削除してください{hint}",
            int(i),
            "indicator",
            key[-1],
        )
    before = len(problems)
    for col, other, what in (("entity_code", "entity", "団体名"), ("entity", "entity_code", "団体コード")):
        group = _codes(keys, ["fiscal_year", "level", col])
        first = first_rows(group)[group]  # the first row of each (year, level, code or name)
        codes = keys[other].to_numpy()
        for i in np.flatnonzero(codes != codes[first]):
            fy, a, b, f = table["fiscal_year"].iloc[i], table[col].iloc[i], table[other].iloc[i], int(first[i])
            add(
                f"{a} の{what}が {rows[f]}行目では「{table[other].iloc[f]}」、この行では「{b}」です"
                f"（{era_label_long(int(fy))}。同じ団体は同じ団体名・団体コードで書いてください）",
                int(i),
                other,
                b,
            )
    # after a mistyped name or code, or a row set aside for another problem, "missing" rows only repeat that problem
    derived_only = len(problems) > before or not complete
    leaf = ~summary
    in_block = _codes(keys, block)
    indicator, entity = indicator.codes, keys["entity_code"].to_numpy()
    _check_maxima(table, leaf, combined_codes([in_block, indicator]), add)
    if derived_only:
        return problems
    for b in pd.unique(in_block[leaf]):
        part = leaf & (in_block == b)
        flagged = pd.unique(indicator[summary & (in_block == b)])
        counted = part & ~np.isin(indicator, flagged)
        per_entity = np.bincount(_distinct_pairs(entity[counted], indicator[counted]), minlength=len(entity))
        short = np.flatnonzero((per_entity > 0) & (per_entity < len(pd.unique(indicator[counted]))))
        if len(short):
            flagged_text = set(table["indicator"].to_numpy()[summary & (in_block == b)])
            _report_lacking(table, part, np.isin(entity, short), flagged_text, add)
    return problems


def _summary_rows(
    table: pd.DataFrame, block: list[str], indicator: _Distinct, parent: _Distinct
) -> tuple[np.ndarray, set[tuple]]:
    """Rows that are a subtotal or total (an indicator ending in 計, or one that another row of the same year, level,
    grant and entity names as its parent), and the (year, level, grant, entity_code, parent) of the rows whose
    parent is such an indicator."""
    summary = indicator.holds(lambda v: v.endswith("計"))
    named = set(parent.uniques)
    named_parent = indicator.holds(lambda v: v in named)  # only these can be a parent
    if not named_parent.any():
        return summary, set()
    used = {v for v in indicator.uniques if v in named}
    child = parent.holds(lambda v: v in used)
    columns = [table[c].to_numpy()[child] for c in [*block, "entity_code", "parent"]]
    parents = set(zip(*columns))
    for i in np.flatnonzero(named_parent):
        summary[i] |= tuple(table[c].iloc[i] for c in [*block, "entity_code", "indicator"]) in parents
    return summary, parents


def _check_maxima(table: pd.DataFrame, leaf: np.ndarray, group: np.ndarray, add: Callable[..., None]) -> None:
    """Every leaf of one year, level, grant and indicator (``group``) has the same 配点; the rows that differ from the
    most common one are named (when no value is the most common, every row with a 配点)."""
    most = table["max_score"].to_numpy(dtype=float)
    given = leaf & ~np.isnan(most)
    distinct = _distinct_pairs(group[given], pd.factorize(most[given])[0])
    varied = np.flatnonzero(np.bincount(distinct, minlength=len(group)) > 1)
    for g in varied:
        rows_of = np.flatnonzero(leaf & (group == g))
        first = table.iloc[int(rows_of[0])]
        where = f"{era_label_long(int(first['fiscal_year']))}・{first['level']}・{first['grant']}"
        scores = pd.Series(most[rows_of], index=rows_of)
        counts = scores.dropna().value_counts()
        usual = counts.index[0] if counts.iloc[0] > counts.iloc[1] else None  # a tie names no value as right
        for i in scores.index[scores.notna() & scores.ne(usual)]:
            r = table.iloc[int(i)]
            claim = (
                f"の配点 {_fmt(r['max_score'])} が他の団体の配点 {_fmt(usual)} と違います"
                if usual is not None
                else f"の配点が団体によって {'・'.join(_fmt(v) for v in counts.index)} と違い、どれが正しいか"
                f"決められません（この行は {_fmt(r['max_score'])}）"
            )
            add(
                f"指標 {first['indicator']} {claim}（{where}、{r['entity']}。同じ年度・交付金の指標は全団体で同じ配点です）",
                int(i),
                "max_score",
                r["max_score"],
            )


def _report_lacking(
    table: pd.DataFrame, part: np.ndarray, short: np.ndarray, flagged: set, add: Callable[..., None]
) -> None:
    """One problem per entity of a block (``part``) that lacks indicators the block's other entities have."""
    leaves = table[part]
    fy, level, grant = (leaves[c].iloc[0] for c in ("fiscal_year", "level", "grant"))
    where = f"{era_label_long(int(fy))}・{level}・{grant}"
    indicators = [x for x in leaves["indicator"].unique() if x not in flagged]
    for _, rows_of in table[part & short].groupby(
        "entity_code", sort=False
    ):  # by code: a mistyped name is reported above
        lacking = [x for x in indicators if x not in set(rows_of["indicator"])]
        add(
            f"{rows_of['entity'].iloc[0]} に指標 {'・'.join(lacking)} の行がありません（{where}。同じ年度・交付金の"
            "他の団体にはあります。合計を同じ指標で比べるため、得点がわからないときも行は残して score を空欄にしてください）"
        )


def _codes(table: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One code per distinct combination of ``columns`` (integer codes ≥ 0), numbered in order of first appearance."""
    return combined_codes([table[c].to_numpy() for c in columns])


def distinct_values(column: pd.Series) -> tuple[np.ndarray, list]:
    """A column as codes into a list of its values (a missing cell is a value too): a categorical column (as the CSV
    reader makes) by its own codes and categories, any other by ``pandas.factorize``. A value may be listed that no
    row holds.

    >>> codes, values = distinct_values(pd.Series(["b", "a", "b"], dtype="category"))
    >>> [values[c] for c in codes]
    ['b', 'a', 'b']
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        if not (codes < 0).any():
            return codes, list(column.cat.categories)
    codes, found = pd.factorize(column, use_na_sentinel=False)
    return codes, list(found)


def _distinct_pairs(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The ``first`` code of each distinct (first, second) pair of codes (integers ≥ 0), once per pair.

    >>> sorted(_distinct_pairs(np.array([0, 0, 1, 0]), np.array([5, 6, 5, 5])).tolist())
    [0, 0, 1]
    """
    width = int(second.max(initial=0)) + 1
    return pd.unique(first.astype(np.int64) * width + second) // width


def _fmt(x: object) -> str:
    return f"{x:g}" if isinstance(x, (float, int)) else str(x)


__all__ = [
    "JAPANESE_HEADINGS",
    "KEY",
    "MISSING_MARKS",
    "OPTIONAL",
    "REQUIRED",
    "TEXT_COLUMNS",
    "LoadResult",
    "Loaded",
    "check_result",
    "loaded",
    "parse_number",
    "restore_code",
    "tidy_scores",
    *TABLE_NAMES,  # every table's declaration and check
]
