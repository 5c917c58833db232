"""The one exception family of grantkit, carrying every problem found with where and what."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in an input: where it is (file, sheet, row as the user sees it, column) and what."""

    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"シート「{self.sheet}」")
        if self.row is not None:
            where.append(f"{self.row}行目")
        if self.column:
            where.append(f"列「{self.column}」")
        prefix = " ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class GrantkitError(Exception):
    """Base class of every error grantkit raises on purpose: catch it to tell the user's input apart from a bug.

    Its message is Japanese and says what to do; subclasses add what went wrong where.

    Parameters
    ----------
    message
        The Japanese message shown to the user (``str(err)``).

    Examples
    --------
    >>> from grantkit import fiscal_year
    >>> try:
    ...     fiscal_year("X1")
    ... except GrantkitError as err:
    ...     print(type(err).__name__, isinstance(err, GrantkitError))
    EraError True
    """


class ValidationError(GrantkitError):
    """An input has one or more problems; ``problems`` lists every one of them.

    The message names the source and groups the problems by kind (at most 30 lines); none is dropped from
    ``problems``.

    Parameters
    ----------
    source
        The file (or table) the problems were found in, as the user named it.
    problems
        Every problem found, each with its sheet, row, column and value.

    Attributes
    ----------
    source : str
    problems : list[Problem]

    Examples
    --------
    >>> err = ValidationError("scores.csv", [Problem("'abc' は数値ではありません", row=9, column="score")])
    >>> print(err)
    scores.csv に 1 件の問題があります
      9行目 列「score」: 'abc' は数値ではありません
    """

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = list(problems)
        groups = grouped(self.problems)
        lines = [f"{source} に {len(self.problems)} 件の問題があります"]
        lines += [f"  {g}" for g in groups[:MAX_LINES]]
        if len(groups) > MAX_LINES:
            lines.append(f"  … ほか {len(groups) - MAX_LINES} 種類の問題")
        super().__init__("\n".join(lines))


MAX_LINES = 30


def grouped(problems: list[Problem]) -> list[str]:
    """One line per kind of problem (same message, sheet and column), with the rows where it occurs as ranges.

    >>> for line in grouped([Problem("列の数が合いません", row=r) for r in (2, 3, 4, 7)] + [Problem("x", row=9)]):
    ...     print(line)
    2〜4・7行目: 列の数が合いません（4 件）
    9行目: x
    """
    kinds: dict[tuple, list[Problem]] = {}
    for p in problems:
        kinds.setdefault((p.message, p.sheet, p.column, p.file), []).append(p)
    lines = []
    for same in kinds.values():
        rows = sorted({p.row for p in same if p.row is not None})
        if len(same) == 1 or not rows:
            lines.append(str(same[0]) + (f"（{len(same)} 件）" if len(same) > 1 else ""))
            continue
        where = [f"シート「{same[0].sheet}」"] if same[0].sheet else []
        where.append(f"{_ranges(rows)}行目")
        if same[0].column:
            where.append(f"列「{same[0].column}」")
        lines.append(f"{' '.join(where)}: {same[0].message}（{len(same)} 件）")
    return lines


def _ranges(rows: list[int], shown: int = 8) -> str:
    """2, 3, 4, 7 → 「2〜4・7」 (at most ``shown`` ranges, then 「ほか」)."""
    spans: list[list[int]] = []
    for r in rows:
        if spans and r == spans[-1][1] + 1:
            spans[-1][1] = r
        else:
            spans.append([r, r])
    text = "・".join(f"{a}〜{b}" if b > a else f"{a}" for a, b in spans[:shown])
    return text + (f"・ほか {len(spans) - shown} か所" if len(spans) > shown else "")


class InputFileError(GrantkitError):
    """A file cannot be read at all (missing, wrong type, encrypted, unsafe, undecodable).

    The message starts with the path and says what is wrong.

    Parameters
    ----------
    path
        The file as the user named it (kept as ``str`` in ``path``).
    message
        What is wrong with it, in Japanese.

    Attributes
    ----------
    path : str

    Examples
    --------
    >>> from grantkit import load_scores
    >>> try:
    ...     load_scores("no-such-file.csv")
    ... except InputFileError as err:
    ...     print(err.path, "|", err)
    no-such-file.csv | no-such-file.csv: ファイルが見つかりません
    """

    def __init__(self, path: object, message: str):
        self.path = str(path)
        super().__init__(f"{self.path}: {message}")


class UnknownSelectionError(GrantkitError):
    """A requested entity, year or level is not in the data; the message lists what exists.

    Parameters
    ----------
    message
        What was asked for and what the data holds instead, in Japanese.

    Examples
    --------
    >>> from grantkit import compare_years, example_scores
    >>> try:
    ...     compare_years(example_scores(), entity="架空県", base="H30", target="R1")
    ... except UnknownSelectionError as err:
    ...     print(err)
    団体「架空県」はデータにありません。（ある団体: 山口県、全国平均）
    """


class TableError(ValidationError):
    """A table breaks its declaration in ``grantkit.tables``: missing columns, columns of another kind, or
    missing or repeated keys. ``table`` names it, ``key`` is its key, ``file`` the file it was read from (None for
    a computed table) and ``problems`` lists what is wrong.

    >>> from grantkit.tables import BUDGETS
    >>> err = TableError(BUDGETS, [Problem("必須の列「note」がありません", column="note")], "budgets.csv")
    >>> print(err)
    budgets.csv（予算額） に 1 件の問題があります
      列「note」: 必須の列「note」がありません
    >>> err.table, err.key
    ('budgets', ('fiscal_year', 'grant', 'level'))
    """

    def __init__(self, spec: object, problems: list[Problem], file: str | None = None):
        self.table: str = spec.name  # type: ignore[attr-defined]
        self.key: tuple[str, ...] = tuple(spec.key)  # type: ignore[attr-defined]
        self.file = file
        where = f"{file}（{spec.title}）" if file else f"{spec.title}（{self.table}）"  # type: ignore[attr-defined]
        super().__init__(where, [p if p.file else _with_file(p, file) for p in problems])


def _with_file(problem: Problem, file: str | None) -> Problem:
    from dataclasses import replace

    return replace(problem, file=file)
