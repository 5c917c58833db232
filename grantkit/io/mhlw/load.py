"""Reading an MHLW national result workbook: sheets → extract → tidy → checks → ``MhlwResult``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ...domain import LEVELS, MUNICIPALITY, PREFECTURE, SUPPORT
from ...eras import era_label_long
from ...eras import fiscal_year as to_fiscal_year
from ...errors import GrantkitError, InputFileError, Problem, ValidationError
from ...labels import label
from ...provenance import LoadReport
from ...schema import LoadResult, check_result
from ...text import normalize_text
from ..files import sha256
from ..workbook import Workbook
from . import checks, tidy
from .extract import Block, Columns, Ctx, column_letter, locate
from .layout import heading_key, layout, printed_sheet_names, sheet_names

_TITLE_YEAR = re.compile(r"(令和|平成)(元|\d{1,2})年度")
# what ``inspect`` says a leading column was read as: its display label, with last year's columns marked as such
_READ_AS = {
    "entity": "市町村名",
    "prev_total": "前年度の合計得点（今年度の得点には使わない）",
    "prev_rank": "前年度の順位（今年度の順位には使わない）",
}


@dataclass
class MhlwResult(LoadResult):
    """A national workbook read into tidy tables, with the account of what was read.

    ``scores``: the tidy leaf table with ``parent`` = 目標, ``group`` = 指標群 and ``alternative`` = the indicator
    whose branches are alternatives ("" otherwise; totals count such an indicator once, as its higher branch);
    ``attributes``: one row per scored entity (codes, names, 人口, 第1号被保険者数, 規模区分, 過疎地域, last year's
    total and rank, this year's printed totals and rank); ``statistics``: the printed statistics rows per column with
    the recomputed mean; ``amounts``: R6 交付見込額（案）/確定額 in 千円 (else None); ``extras``: leading columns the
    layout does not know (entity_code, heading, sheet_column, value); ``columns``: what every column was read as;
    ``alternatives``: the alternatives found; ``row_set``: which rows the averages, ranks and distributions use;
    ``checks``: what was verified; ``header_row`` / ``first_data_row``: sheet rows (1-based).

    As every loader's result, ``tables`` holds the checked tables by name (scores, attributes, statistics and,
    when the workbook has them, amounts) and ``report`` the one load report.
    """

    scores: pd.DataFrame
    attributes: pd.DataFrame
    statistics: pd.DataFrame
    amounts: pd.DataFrame | None
    report: LoadReport
    layout: int
    level: str
    row_set: str = ""
    sha256: str = ""
    checks: list[str] = field(default_factory=list)
    title: str = ""
    extras: pd.DataFrame | None = None
    columns: pd.DataFrame | None = None
    alternatives: list[str] = field(default_factory=list)
    header_row: int = 0
    first_data_row: int = 0

    @property
    def tables(self) -> dict[str, pd.DataFrame]:  # type: ignore[override]
        """The tables by name (``grantkit.tables``): scores, attributes, statistics and amounts when read."""
        named = {"scores": self.scores, "attributes": self.attributes, "statistics": self.statistics}
        return named | ({"amounts": self.amounts} if self.amounts is not None else {})

    @property
    def fictitious(self) -> bool:
        """True for a 架空データ workbook (grantkit.testing marks its title rows so)."""
        return "架空データ" in self.title

    def details(self) -> pd.DataFrame:
        """The leaves with the shared 目標Ⅳ block counted once (the 支援 copy dropped): for sums over details.

        Each grant's total still contains 目標Ⅳ (``scores`` keeps both copies, as the official totals do). Sum
        ``rates.alternatives_once(details())`` so that an alternative counts once, as its higher branch.
        """
        shared = layout(self.layout).headings["shared_goal"]
        if not shared:
            return self.scores
        return self.scores[~((self.scores["grant"] == SUPPORT) & (self.scores["parent"] == shared))]


def read_mhlw(path: str | Path, *, level: str | None = None, strict: bool = True) -> MhlwResult:
    """Read a national result workbook into tidy tables.

    ``level`` "市町村" or "都道府県" picks the sheet; None reads every national sheet in the file (both
    levels in one result when both are there). With ``strict=False`` printed subtotals that differ from the leaves
    are recorded in ``report.notes`` instead of raising (alternatives found from the data never differ).

    >>> import tempfile, pathlib
    >>> from grantkit.testing import national_workbook
    >>> p = national_workbook(pathlib.Path(tempfile.mkdtemp()) / "r7.xlsx", "R7", "市町村", n_municipalities=60)
    >>> r = read_mhlw(p)
    >>> r.layout, r.level, r.report.rows_read, r.report.rows_kept, len(r.report.exclusions)
    (2025, '市町村', 63, 60, 3)
    """
    if level is not None and level not in LEVELS:
        raise ValueError(f"level は {'・'.join(LEVELS)} のどちらかです（指定: {level!r}）")
    path = Path(path)
    book = Workbook(path)  # checked once (zip bombs, DTD/ENTITY), then each sheet parsed by calamine
    names = book.names
    wanted = [
        (lv, s)
        for lv in (MUNICIPALITY, PREFECTURE)
        if level in (None, lv)
        for s in names
        if heading_key(s) in sheet_names(lv)
    ]
    if not wanted:
        expected = "」「".join(n for lv in LEVELS if level in (None, lv) for n in printed_sheet_names(lv))
        raise InputFileError(path, f"全国集計のシート「{expected}」がありません（あるシート: {'、'.join(names)}）")
    results = [_read_level(path, book.rows(sheet, empty=""), sheet, lv, strict) for lv, sheet in wanted]
    return check_result(results[0] if len(results) == 1 else _combine(results))


def _combine(results: list[MhlwResult]) -> MhlwResult:
    """Both levels of one workbook in one result (tables stacked; each keeps its ``level``)."""
    first = results[0]
    report = LoadReport(
        source=first.report.source,
        sheet="、".join(r.report.sheet or "" for r in results),
        sha256=first.report.sha256,
        rows_read=sum(r.report.rows_read for r in results),
        rows_kept=sum(r.report.rows_kept for r in results),
        exclusions=[p for r in results for p in r.report.exclusions],
        coerced=[p for r in results for p in r.report.coerced],
        notes=[n for r in results for n in r.report.notes],
    )

    def stack(name: str) -> pd.DataFrame:
        return pd.concat([getattr(r, name) for r in results], ignore_index=True)

    amounts = [r.amounts for r in results if r.amounts is not None]
    return MhlwResult(
        stack("scores"),
        stack("attributes"),
        stack("statistics"),
        amounts[0] if amounts else None,
        report,
        first.layout,
        "、".join(r.level for r in results),
        " / ".join(r.row_set for r in results),
        first.sha256,
        [c for r in results for c in r.checks],
        first.title,
        stack("extras"),
        stack("columns"),
        [a for r in results for a in r.alternatives],
        first.header_row,
        first.first_data_row,
    )


def _read_level(path: Path, rows: list[list[object]], sheet: str, level: str, strict: bool) -> MhlwResult:
    year = _title_year(rows, path, sheet)
    try:
        lay = layout(year)
    except GrantkitError as exc:
        raise InputFileError(path, f"シート「{sheet}」: {exc}") from None
    ctx = Ctx(path, sheet, level, lay)
    if not lay.headings["sheet_prefecture" if level == PREFECTURE else "sheet_municipal"]:
        raise ctx.error(f"{level}の評価結果の様式は未対応です（layouts/mhlw_headings.csv に見出しがありません）")
    block = locate(rows, ctx)
    return replace(_tidy(rows, block, ctx, strict), title=_title_text(rows))


def _title_text(rows: list[list[object]]) -> str:
    """The title row: the first text cell of the sheet."""
    return next((normalize_text(v) for row in rows[:3] for v in row if isinstance(v, str) and v.strip()), "")


def _title_year(rows: list[list[object]], path: Path, sheet: str) -> int:
    """The 交付年度 of the title row; a file name naming another 年度 (「…令和8年度評価結果…」) is an error."""
    named = [to_fiscal_year(m.group(0)) for m in _TITLE_YEAR.finditer(normalize_text(path.stem))]
    for row in rows[:3]:
        for v in row:
            m = _TITLE_YEAR.search(normalize_text(v)) if isinstance(v, str) and "年度" in v else None
            if m:
                year = to_fiscal_year(m.group(0))
                if named and year not in named:
                    raise InputFileError(
                        path,
                        f"シート「{sheet}」: 表題は{m.group(0)}、ファイル名は"
                        f"{era_label_long(named[0])}です。どちらの年度の評価結果か確かめてください"
                        "（年度は表題から読みます）",
                    )
                return year
    hint = f"。ファイル名は{era_label_long(named[0])}ですが、年度は表題から読みます" if named else ""
    raise InputFileError(
        path, f"シート「{sheet}」: 表題の行に「令和N年度」が見つかりません（全国集計の様式ではないようです{hint}）"
    )


def _tidy(rows: list[list[object]], block: Block, ctx: Ctx, strict: bool) -> MhlwResult:
    lay, level, cols = ctx.lay, ctx.level, block.cols
    report = LoadReport(source=ctx.path.name, sheet=ctx.sheet, sha256=sha256(ctx.path))
    problems: list[Problem] = []
    kept, numbers = tidy.split_rows(rows, block, ctx, report, problems)
    if not problems:
        report.check()
    if not kept:
        if problems:
            raise ValidationError(ctx.path.name, problems)
        raise ctx.error("合計の得点がある行がありません")
    idx = [it.col for it in cols.items]
    heads = [f"{it.grant} {it.code}" for it in cols.items]
    sub_idx = [s.col for s in cols.subtotals] + [cols.special["total"]]
    sub_heads = [s.label for s in cols.subtotals] + [lay.printed["total"]]
    scores = tidy.matrix(kept, idx, numbers, ctx, heads, report, problems)
    published = tidy.matrix(kept, sub_idx, numbers, ctx, sub_heads, report, problems)
    stats = tidy.statistics_rows(rows, block, idx + sub_idx, heads + sub_heads, ctx, problems)
    max_score, sub_max = stats["max_score"][: len(idx)], stats["max_score"][len(idx) :]
    stat_row = block.stat_rows["stat_max"] + 1
    if np.isnan(max_score).any():
        bad = [heads[k] for k in np.flatnonzero(np.isnan(max_score))[:10]]
        problems.append(ctx.problem(f"配点がありません: {'、'.join(bad)}", stat_row))
    for i, k in np.argwhere((scores > max_score[None, :] + 1e-9) | (scores < 0))[:50]:
        problems.append(
            ctx.problem(
                f"得点 {scores[i, k]:g} が 0〜配点 {max_score[k]:g} の範囲にありません",
                numbers[i],
                tidy.label(heads[k], idx[k]),
                scores[i, k],
            )
        )
    if cols.blank:
        filled = tidy.matrix(kept, cols.blank, numbers, ctx, ["（見出しなし）"] * len(cols.blank), LoadReport(""), [])
        for k in np.flatnonzero(~np.isnan(filled).all(axis=0))[:10]:
            problems.append(ctx.problem("見出しのない列に値があります", None, f"{column_letter(cols.blank[k])}列"))
    printed_leaves = len(cols.items)
    scores, max_score, lines = checks.shared_goal(scores, max_score, cols, ctx, problems, numbers)
    found = checks.find_alternatives(scores, max_score, published, sub_max, cols)
    lines += checks.check_subtotals(
        scores, max_score, published, sub_max, cols, ctx, strict, problems, report, numbers, stat_row
    )
    attrs = tidy.attributes(kept, numbers, cols, published, ctx, problems, report)
    amounts = tidy.amounts(kept, numbers, cols, attrs, ctx, report, problems)
    if problems:
        raise ValidationError(ctx.path.name, problems)
    meta = pd.DataFrame([vars(it) for it in cols.items])
    row_set = _row_set(attrs, report, level)
    table = tidy.long(scores, meta, attrs, lay.year, level, max_score)
    values = np.concatenate([scores[:, :printed_leaves], published], axis=1)
    statistics = tidy.statistics(
        meta.iloc[:printed_leaves], cols, stats, values, ctx, row_set, lines, report, checks.TOLERANCE
    )
    if found:
        report.notes.append("択一（いずれか高い方）として読んだ項目: " + "、".join(found))
    if cols.extra:
        report.notes.append(
            "様式にない左側の列を追加の属性として保持: "
            + "、".join(f"「{h}」（{column_letter(j)}列）" for j, h in cols.extra.items())
        )
    report.notes.append(row_set)
    return MhlwResult(
        table,
        attrs,
        statistics,
        amounts,
        report,
        lay.year,
        level,
        row_set,
        report.sha256 or "",
        lines,
        "",
        tidy.extras(kept, cols, attrs),
        _columns(cols, lay.printed),
        found,
        block.header + 1,
        block.first_data + 1,
    )


def _row_set(attrs: pd.DataFrame, report: LoadReport, level: str) -> str:
    """Which rows the means, ranks and distributions use, said in words."""
    n = len(attrs)
    line = f"{level}で合計の得点がある {n:,} 団体（"
    if level == MUNICIPALITY:
        without = int((attrs["insurer_code"] == "").sum())
        line += f"うち保険者番号のない市町村（広域連合の構成市町村） {without:,} 団体。"
    return (
        line + f"除外 {len(report.exclusions)} 行: 広域連合・一部事務組合など得点のない行）。"
        "平均・順位・分布はこの集合で計算"
    )


def _columns(cols: Columns, printed: dict[str, str]) -> pd.DataFrame:
    """What every column of the sheet was read as (sheet_column, kind, read_as, grant, goal, group, indicator,
    goal_name: the 目標 as this grant names it, heading: a leading column's heading as printed)."""
    rows = [(j, "lead", _READ_AS.get(k, label(k)), "", "", "", "", "") for k, j in cols.lead.items()]
    rows += [(j, "extra", "追加の属性（様式にない見出し）", "", "", "", "", "") for j, h in cols.extra.items()]
    rows += [
        (
            it.col,
            "leaf",
            "得点" + ("（択一）" if it.alternative else ""),
            it.grant,
            it.goal,
            it.group,
            it.code,
            it.goal_name,
        )
        for it in cols.items
        if it.col >= 0
    ]
    names = {"group": "指標群の小計", "goal": "目標の小計", "grant": "交付金の合計"}
    rows += [(s.col, s.kind, f"{names[s.kind]}「{s.label}」", s.grant, s.goal, s.group, "", "") for s in cols.subtotals]
    rows += [
        (j, k, {"total": "推進・支援合計（今年度）", "rank": "順位（今年度）"}[k], "", "", "", "", "")
        for k, j in cols.special.items()
    ]
    rows += [
        (j, "amount", f"{printed['amount_' + kind]}（{g}）", g, "", "", "", "") for (kind, g), j in cols.amounts.items()
    ]
    rows.sort()
    out = pd.DataFrame(rows, columns=["col", "kind", "read_as", "grant", "goal", "group", "indicator", "goal_name"])
    out.insert(0, "sheet_column", [column_letter(j) for j in out["col"]])
    out["heading"] = [cols.printed.get(j, "") for j in out["col"]]
    return out.drop(columns="col").astype("str")


__all__ = ["MhlwResult", "read_mhlw"]
