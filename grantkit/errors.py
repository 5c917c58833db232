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
    """Base class of every error grantkit raises on purpose."""


class ValidationError(GrantkitError):
    """An input has one or more problems; ``problems`` lists every one of them.

    >>> err = ValidationError("scores.csv", [Problem("'abc' は数値ではありません", row=9, column="score")])
    >>> print(err)
    scores.csv に 1 件の問題があります
      9行目 列「score」: 'abc' は数値ではありません
    """

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = list(problems)
        lines = [f"{source} に {len(self.problems)} 件の問題があります"]
        lines += [f"  {p}" for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  … ほか {len(self.problems) - 50} 件")
        super().__init__("\n".join(lines))


class InputFileError(GrantkitError):
    """A file cannot be read at all (missing, wrong type, encrypted, unsafe, undecodable)."""

    def __init__(self, path: object, message: str):
        self.path = str(path)
        super().__init__(f"{self.path}: {message}")


class UnknownSelectionError(GrantkitError):
    """A requested entity, year or level is not in the data; the message lists what exists."""
