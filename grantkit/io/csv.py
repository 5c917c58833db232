"""Reading the documented CSV format of the tidy score table."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from ..errors import InputFileError
from ..provenance import LoadReport
from ..schema import Loaded, tidy_scores
from .files import read_text, sha256


def read_scores_csv(path: Path) -> Loaded:
    """Read a score CSV (UTF-8, UTF-8 with BOM or CP932) into the tidy table with its load report."""
    path = Path(path)
    text, encoding = read_text(path)
    report = LoadReport(source=path.name, encoding=encoding, sha256=sha256(path))
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputFileError(path, f"CSV として読めません: {exc}") from None
    # Physical line where each record starts (quoted cells may span lines).
    starts, line = [], 1
    for rec in records:
        starts.append(line)
        line += sum(cell.count("\n") for cell in rec) + 1
    numbered = [(n, r) for n, r in zip(starts, records) if any(c.strip() for c in r)]
    if not numbered:
        raise InputFileError(path, "データがありません（見出し行もありません）")
    (_, header), body = numbered[0], numbered[1:]
    header = [h.strip().lstrip("\ufeff") for h in header]
    problems_width = [n for n, r in body if len(r) != len(header)]
    if problems_width:
        from ..errors import Problem, ValidationError

        raise ValidationError(path.name, [
            Problem(f"列の数が見出し（{len(header)} 列）と合いません", path.name, None, n) for n in problems_width
        ])
    raw = pd.DataFrame([r for _, r in body], columns=header, dtype=object)
    table = tidy_scores(raw, report, [n for n, _ in body])
    return Loaded(table, report)
