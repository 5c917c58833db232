"""Every table grantkit passes around, on one page: its columns, their kinds and its unique key, and one check.

A loader ends with the check of each table it returns; a compute function checks the key of the table it
builds before returning it (as owid/etl's ``Table.format(keys)`` does). A table that breaks its declaration
raises one ``TableError`` naming the table, the file when known, the key and what is wrong (missing columns,
wrong kinds, missing or duplicated keys with the first duplicates), never a pandas traceback. Checks read the
frame and never change it.

Kinds: ``int`` (any integer dtype, nullable Int64 included), ``float``, ``number`` (integer or float), ``text``
(pandas ``str`` or object) and ``bool``. Columns of a table beyond its declaration are allowed.

>>> SCORES.key
('fiscal_year', 'level', 'grant', 'entity_code', 'indicator')
>>> sorted(INPUT_TABLES)
['amounts', 'attributes', 'budgets', 'projects', 'scores', 'statistics', 'utilization']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import Problem, TableError
from .repeats import value_codes

_KIND_TEST = {
    "int": pd.api.types.is_integer_dtype,
    "float": pd.api.types.is_float_dtype,
    "number": lambda t: pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t),
    "text": lambda t: isinstance(t, pd.StringDtype) or pd.api.types.is_object_dtype(t),
    "bool": pd.api.types.is_bool_dtype,
}
_KIND_NAME = {"int": "整数", "float": "小数", "number": "数値", "text": "文字列", "bool": "真偽値"}
SHOWN_DUPLICATES = 5


@dataclass(frozen=True)
class TableSpec:
    """A table's declaration: ``name`` (as in code), ``title`` (Japanese, for messages), ``key`` (the columns
    whose values identify a row; never missing, never repeated), ``columns`` (column → kind, all required) and
    ``optional`` (column → kind, checked when present)."""

    name: str
    title: str
    key: tuple[str, ...]
    columns: dict[str, str]
    optional: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = {k for k in (*self.columns.values(), *self.optional.values()) if k not in _KIND_TEST}
        if unknown or not set(self.key) <= set(self.columns):
            raise ValueError(f"{self.name}: the key must be among the columns; kinds are {sorted(_KIND_TEST)}")

    @property
    def required(self) -> list[str]:
        """The required columns, in order."""
        return list(self.columns)


def _spec(name: str, title: str, key: str, columns: str, optional: str = "") -> TableSpec:
    """A declaration from compact text: ``key`` "a b", ``columns`` "a:int b:text" (same for ``optional``)."""

    def parse(text: str) -> dict[str, str]:
        return dict(item.split(":") for item in text.split())

    return TableSpec(name, title, tuple(key.split()), parse(columns), parse(optional))


# ---- the tables the loaders return -------------------------------------------------------------------------------
# The score key names the entity by code: a national table has two 府中市 (東京都 and 広島県). A tidy CSV holds one
# code per name in a year and level (``schema.tidy_scores`` checks it), so there the name is as good a key.
SCORES = _spec(
    "scores",
    "得点表",
    "fiscal_year level grant entity_code indicator",
    "fiscal_year:int level:text grant:text entity_code:text entity:text indicator:text indicator_name:text"
    " parent:text score:float max_score:float",
    "parent_name:text group:text group_name:text alternative:text",
)
ATTRIBUTES = _spec(
    "attributes",
    "団体の属性",
    "fiscal_year level entity_code",
    "fiscal_year:int level:text entity_code:text entity:text",
    "insurer_code:text prefecture_code:text prefecture:text population:float first_insured:float"
    " size_class:text depopulated:text total:float rank:float prev_total:float prev_rank:float",
)
STATISTICS = _spec(
    "statistics",
    "全国集計の統計行",
    "fiscal_year level grant row_kind parent group indicator",
    "fiscal_year:int level:text grant:text parent:text group:text indicator:text row_kind:text max_score:float",
    "indicator_name:text alternative:text mean:float median:float std:float recomputed_mean:float",
)
AMOUNTS = _spec(
    "amounts",
    "交付見込額・確定額",
    "entity_code grant",
    "entity_code:text entity:text grant:text plan_thousand_yen:float final_thousand_yen:float",
)
UTILIZATION = _spec(
    "utilization",
    "交付金の活用状況",
    "fiscal_year level grant entity_code",
    "fiscal_year:int level:text grant:text entity_code:text entity:text allocation_thousand_yen:int"
    " planned_thousand_yen:int spent_thousand_yen:int",
)
PROJECTS = _spec(
    "projects",
    "交付金の活用事業",
    "fiscal_year entity_code project",
    "fiscal_year:int entity_code:text entity:text category_no:int category:text project:text status:text"
    " end_reason:text grant:text",
)
BUDGETS = _spec(
    "budgets",
    "予算額",
    "fiscal_year grant level",
    "fiscal_year:int grant:text level:text budget_yen:int verified:bool source:text note:text",
)
INPUT_TABLES = {s.name: s for s in (SCORES, ATTRIBUTES, STATISTICS, AMOUNTS, UTILIZATION, PROJECTS, BUDGETS)}

# ---- the tables the compute functions return (key and the columns every caller reads) ---------------------------
SCORE_RATES = _spec(
    "score_rates",
    "得点率の表",
    "fiscal_year level grant entity_code indicator row_kind",
    "fiscal_year:int level:text grant:text entity_code:text entity:text indicator:text score:float"
    " max_score:float score_rate:float row_kind:text",
)
YEAR_COMPARISON = _spec(
    "compare_years",
    "2か年の比較",
    "indicator row_kind",
    "indicator:text indicator_name:text row_kind:text presence:text rate_base:float rate_target:float"
    " rate_change_pt:float",
)
AVERAGE_COMPARISON = _spec(
    "compare_to_average",
    "全国平均との比較",
    "indicator row_kind",
    "indicator:text indicator_name:text row_kind:text score:float national_average:float diff_rate_pt:float",
)
GOAL_TABLE = _spec("goal_table", "目標別の得点", "parent group", "parent:text group:text shared:bool")
GOAL_COMPARISON = _spec(
    "goal_comparison", "目標別の得点率と平均", "grant parent", "grant:text parent:text score:float rate:float"
)
PEER_TABLE = _spec(
    "peer_table",
    "比較グループ内の位置",
    "grant comparison",
    "grant:text comparison:text n:int entity_rate:float mean_rate:float rank:int percentile:float",
)
YEAR_CHANGE = _spec(
    "year_change",
    "目標別の2か年の変化",
    "grant parent",
    "grant:text parent:text rate_change_pt:float scale_changed:bool",
)
TREND_TABLE = _spec(
    "trend_table",
    "年度ごとの推移",
    "fiscal_year grant parent",
    "fiscal_year:int era:text grant:text parent:text score:float max_score:float rate:float",
)
ALLOCATION = _spec(
    "allocation",
    "基準額の配分",
    "entity_code",
    "entity_code:text entity:text score:number basis_yen:int basis_thousand_yen:int",
)
NATIONAL_ALLOCATION = _spec(
    "national_allocation",
    "全国の基準額",
    "grant entity_code",
    "grant:text entity_code:text entity:text score:number basis_yen:int basis_thousand_yen:int"
    " yen_per_first_insured:float",
)
MUNICIPAL_GRANT = _spec(
    "municipal_grant",
    "市町村の基準額",
    "grant",
    "grant:text score:float first_insured:int budget_yen:int basis_thousand_yen:int one_point_yen:int",
)
ZERO_ITEMS = _spec(
    "zero_items",
    "0点の項目",
    "grant indicator",
    "grant:text parent:text indicator:text max_score:float share_scored:float",
)
OVERALL_STANDING = _spec(
    "overall_standing", "合計の順位", "grant", "grant:text score:float max_score:float rate:float rank:number"
)
PROJECT_SUMMARY = _spec(
    "project_summary",
    "事業の区分別の件数",
    "entity_code fiscal_year category_no",
    "fiscal_year:int entity_code:text entity:text category_no:int category:text implemented:int ended:int",
)
DERIVED_TABLES = {
    s.name: s
    for s in (
        SCORE_RATES,
        YEAR_COMPARISON,
        AVERAGE_COMPARISON,
        GOAL_TABLE,
        GOAL_COMPARISON,
        PEER_TABLE,
        YEAR_CHANGE,
        TREND_TABLE,
        ALLOCATION,
        NATIONAL_ALLOCATION,
        MUNICIPAL_GRANT,
        ZERO_ITEMS,
        OVERALL_STANDING,
        PROJECT_SUMMARY,
    )
}


def check_table(table: pd.DataFrame, spec: TableSpec, *, source: str | None = None) -> pd.DataFrame:
    """Check ``table`` against its declaration and return it unchanged (the same object).

    Parameters
    ----------
    table : the frame to check; it is only read.
    spec : its declaration (``SCORES``, ``BUDGETS``, … or a compute function's table).
    source : the file it was read from, named in the error (None: a computed table).

    Returns
    -------
    ``table`` itself, so a loader or a compute function can end with ``return check_table(out, SPEC)``.

    Raises ``TableError`` listing every missing column, column of another kind, key with missing values and the
    first duplicated keys.

    >>> t = pd.DataFrame({"entity_code": ["01", "01"], "entity": "甲", "score": [1.0, 2.0],
    ...     "basis_yen": [1, 2], "basis_thousand_yen": [0, 0]})
    >>> try:
    ...     check_table(t, ALLOCATION)
    ... except TableError as err:
    ...     print(err.problems[0].message)
    キー (entity_code) が重複しています: (01) ほか計 2 行
    """
    problems: list[Problem] = []
    columns = set(table.columns)
    for c in spec.columns:
        if c not in columns:
            problems.append(
                Problem(f"必須の列「{c}」がありません（{spec.title}の列: {', '.join(spec.columns)}）", column=c)
            )
    for c, kind in (spec.columns | spec.optional).items():
        if c in columns and not _is_kind(table[c], kind):
            problems.append(Problem(f"列「{c}」は{_KIND_NAME[kind]}の列のはずですが、{table[c].dtype} です", column=c))
    if not problems:
        problems += _key_problems(table, spec.key)
    if problems:
        raise TableError(spec, problems, source)
    return table


def _is_kind(column: pd.Series | pd.DataFrame, kind: str) -> bool:
    return isinstance(column, pd.Series) and bool(_KIND_TEST[kind](column.dtype))  # a DataFrame: a repeated name


def _key_problems(table: pd.DataFrame, key: tuple[str, ...]) -> list[Problem]:
    """Missing key values, then repeated keys (the first ``SHOWN_DUPLICATES`` of them shown)."""
    problems: list[Problem] = []
    codes = {c: value_codes(table[c]) for c in key}
    for c in key:
        rows = np.flatnonzero(codes[c] < 0)
        if len(rows):
            problems.append(
                Problem(f"キーの列「{c}」に値のない行が {len(rows)} 行あります（最初は {rows[0] + 1} 行目）", column=c)
            )
    if problems or len(table) < 2:
        return problems
    joint, bound = _joint(list(codes.values()))
    if _has_repeats(joint, bound):
        rows = np.flatnonzero(pd.Series(joint, copy=False).duplicated().to_numpy())
        shown = "、".join(
            "(" + ", ".join(str(v) for v in table[list(key)].iloc[i]) + ")" for i in rows[:SHOWN_DUPLICATES]
        )
        problems.append(Problem(f"キー ({', '.join(key)}) が重複しています: {shown} ほか計 {len(rows) + 1} 行"))
    return problems


def duplicated_keys(table: pd.DataFrame, key: tuple[str, ...] | list[str]) -> np.ndarray:
    """A row mask: True where the row's ``key`` values appeared on an earlier row (missing values count as equal).

    Each key column becomes integer codes (``value_codes``) combined into one integer per row, so a million rows
    cost one pass over each column rather than a hash of Python tuples.

    Parameters
    ----------
    table : the frame; only read.
    key : the columns whose values together identify a row.

    Returns
    -------
    A boolean array with one entry per row, False for each key's first row.

    >>> duplicated_keys(pd.DataFrame({"a": [1, 1, 2, 1], "b": ["x", "y", "x", "x"]}), ["a", "b"]).tolist()
    [False, False, False, True]
    """
    joint, _ = _joint([value_codes(table[c]) for c in key])
    return pd.Series(joint, copy=False).duplicated().to_numpy()


def _joint(codes: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """The columns' codes combined into one non-negative integer per row (mixed radix), and a bound above them."""
    joint = np.zeros(len(codes[0]) if codes else 0, dtype=np.int64)
    bound = 1
    for column in codes:
        if len(column) and column.min() < 0:  # missing (−1) becomes a value of its own
            column = column + 1
        radix = int(column.max(initial=0)) + 1
        if radix == 1:
            continue
        joint *= radix  # in place: a million-row key makes no temporaries
        joint += column
        bound *= radix
        if bound > 2**40:  # keep the combined codes far from overflow
            joint = pd.factorize(joint)[0].astype(np.int64)
            bound = int(joint.max(initial=0)) + 1
    return joint, bound


def combined_codes(codes: list[np.ndarray]) -> np.ndarray:
    """One code per distinct combination of several columns' integer codes (−1 = missing is a value of its own),
    numbered in order of first appearance.

    Parameters
    ----------
    codes : list of numpy arrays
        One array of integer codes per column, all of the same length (e.g. ``value_codes`` of each column).

    Returns
    -------
    numpy.ndarray
        int64 codes, equal exactly where every column's code is equal.

    >>> combined_codes([np.array([0, 0, 1, 0]), np.array([0, 1, 0, 0])]).tolist()
    [0, 1, 2, 0]
    """
    return pd.factorize(_joint(codes)[0])[0]


def _has_repeats(joint: np.ndarray, bound: int) -> bool:
    """Whether a value occurs twice: counted in an array when the values are dense, else hashed."""
    if bound <= 4 * len(joint) + 1024:
        return bool(np.bincount(joint, minlength=1).max(initial=0) > 1)
    return bool(pd.Series(joint, copy=False).duplicated().any())


def first_rows(codes: np.ndarray) -> np.ndarray:
    """For codes numbered in order of first appearance (``pandas.factorize``), the position of each code's first row.

    >>> first_rows(np.array([0, 0, 1, 0, 2, 1])).tolist()
    [0, 2, 4]
    """
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    highest = np.maximum.accumulate(codes)
    return np.concatenate([[0], np.flatnonzero(highest[1:] != highest[:-1]) + 1])


def check_scores(table: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Check a score table (``SCORES``); return it unchanged.

    Parameters
    ----------
    table : the tidy score table.
    source : the file it came from, for the message.

    Returns
    -------
    ``table``; raises ``TableError`` when it breaks the declaration.

    >>> from grantkit import example_scores
    >>> len(check_scores(example_scores()))
    48
    """
    return check_table(table, SCORES, source=source)


def check_attributes(table: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Check an attributes table (``ATTRIBUTES``: one row per year, level and entity); return it unchanged.

    Parameters
    ----------
    table : one row per scored entity of a national workbook.
    source : the file it came from, for the message.

    Returns
    -------
    ``table``; raises ``TableError`` when it breaks the declaration.

    >>> check_attributes(pd.DataFrame({"fiscal_year": [2025], "level": "市町村", "entity_code": "010001",
    ...     "entity": "甲町"})).shape
    (1, 4)
    """
    return check_table(table, ATTRIBUTES, source=source)


def check_statistics(table: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Check a national workbook's statistics rows (``STATISTICS``); return the table unchanged.

    Parameters
    ----------
    table : one row per printed column (leaf, subtotal or total) with its statistics.
    source : the file it came from, for the message.

    Returns
    -------
    ``table``; raises ``TableError`` when it breaks the declaration.

    >>> t = pd.DataFrame({"fiscal_year": [2025], "level": "市町村", "grant": "推進", "parent": "目標Ⅰ",
    ...     "group": "", "indicator": "1ア", "row_kind": "leaf", "max_score": 10.0, "mean": 5.0})
    >>> len(check_statistics(t))
    1
    """
    return check_table(table, STATISTICS, source=source)


def check_amounts(table: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Check the 交付見込額・確定額 table (``AMOUNTS``: one row per entity and grant); return it unchanged.

    Parameters
    ----------
    table : amounts in 千円 per entity_code and grant.
    source : the file it came from, for the message.

    Returns
    -------
    ``table``; raises ``TableError`` when it breaks the declaration.

    >>> t = pd.DataFrame({"entity_code": ["010001"] * 2, "entity": "甲町", "grant": ["推進", "推進"],
    ...     "plan_thousand_yen": 1.0, "final_thousand_yen": 1.0})
    >>> try:
    ...     check_amounts(t, source="r6.xlsx")
    ... except TableError as err:
    ...     print(err.table, err.source)
    amounts r6.xlsx（交付見込額・確定額）
    """
    return check_table(table, AMOUNTS, source=source)


def check_utilization(table: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Check a utilisation table (``UTILIZATION``: one row per year, level, grant and entity); return it unchanged.

    Parameters
    ----------
    table : 配分額・所用見込額・実績額 in 千円.
    source : the file it came from, for the message.

    Returns
    -------
    ``table``; raises ``TableError`` when it breaks the declaration.

    >>> from grantkit import example_path, load_utilization
    >>> len(check_utilization(load_utilization(example_path("utilization_yamaguchi.csv"))))
    2
    """
    return check_table(table, UTILIZATION, source=source)


def check_projects(table: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Check a funded-project list (``PROJECTS``: one row per year, entity and project); return it unchanged.

    Parameters
    ----------
    table : the long project list.
    source : the file it came from, for the message.

    Returns
    -------
    ``table``; raises ``TableError`` when it breaks the declaration.

    >>> from grantkit import example_path, load_projects
    >>> len(check_projects(load_projects(example_path("projects_yamaguchi.csv"))))
    28
    """
    return check_table(table, PROJECTS, source=source)


def check_budgets(table: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Check a budget table (``BUDGETS``: one row per year, grant and level); return it unchanged.

    Parameters
    ----------
    table : 予算額 in yen with ``verified`` and its source.
    source : the file it came from, for the message.

    Returns
    -------
    ``table``; raises ``TableError`` when it breaks the declaration.

    >>> from grantkit import example_path, load_budgets
    >>> len(check_budgets(load_budgets(example_path("budgets.csv"))))
    20
    """
    return check_table(table, BUDGETS, source=source)


__all__ = [
    "ALLOCATION",
    "AMOUNTS",
    "ATTRIBUTES",
    "AVERAGE_COMPARISON",
    "BUDGETS",
    "DERIVED_TABLES",
    "GOAL_COMPARISON",
    "GOAL_TABLE",
    "INPUT_TABLES",
    "MUNICIPAL_GRANT",
    "NATIONAL_ALLOCATION",
    "OVERALL_STANDING",
    "PEER_TABLE",
    "PROJECTS",
    "PROJECT_SUMMARY",
    "SCORES",
    "SCORE_RATES",
    "STATISTICS",
    "TREND_TABLE",
    "TableSpec",
    "UTILIZATION",
    "YEAR_CHANGE",
    "YEAR_COMPARISON",
    "ZERO_ITEMS",
    "check_amounts",
    "check_attributes",
    "check_budgets",
    "check_projects",
    "check_scores",
    "check_statistics",
    "check_table",
    "check_utilization",
    "duplicated_keys",
    "combined_codes",
    "first_rows",
    "value_codes",
]
