"""Reading the MHLW national result workbooks (「全国集計（市町村）」「全国集計（都道府県）」).

The 交付年度 is read from the title row; what the headings of that year are comes from data, not code:
``layouts/mhlw_headings.csv`` (leading columns, subtotals, statistics rows, header rows) and
``layouts/mhlw_goals.csv`` (目標 and 指標群 headings), one column per 交付年度. The header block is found by its
headings (通し番号 …) and its depth by the first statistics or data row; merged cells are forward-filled
left to right, lower levels reset where a higher one is printed; subtotal columns (目標Ⅰ合計, 推進合計,
推進・支援合計) are recognised by their raw heading wherever they sit, and the leading 前年度得点・前年度順位
are kept apart from this year's 合計・順位. Rows without a total and without any score (広域連合・一部事務組合) are
excluded and listed with the reason; a row with scores but no total is an error naming the cell. The printed
subtotals and their 配点 are checked against the leaves; 人口 and 第1号被保険者数 are read like the score cells and
must be whole numbers (第1号被保険者数 > 0). Example: ``load_mhlw("01_（掲載用）令和7年度評価結果（市町村分）.xlsx")``.
"""

from __future__ import annotations

import csv
import operator
import re
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..eras import era_label_long, fiscal_year as to_fiscal_year
from ..errors import GrantkitError, InputFileError, Problem, ValidationError
from ..provenance import LoadReport
from ..schema import LEVELS, MISSING_MARKS, parse_number, restore_code
from ..text import normalize_indicator, normalize_text
from .files import sha256
from .workbook import Workbook

HEADER_LEVELS = ("grant", "goal", "group", "item", "name", "branch", "sub_branch")
LEADING = ("serial_no", "prefecture_code", "insurer_code", "prefecture", "entity", "population", "first_insured",
           "size_class", "depopulated", "prev_total", "prev_rank")
MUNICIPAL_ONLY = ("insurer_code", "entity", "size_class", "depopulated")
STATS = {"stat_max": "max_score", "stat_sum": "national_sum", "stat_mean": "mean", "stat_item_mean": "item_mean",
         "stat_mean_rate": "mean_rate", "stat_median": "median", "stat_std": "std", "stat_n": "n_applicable",
         "stat_rate": "applicable_rate"}
_TITLE_YEAR = re.compile(r"(令和|平成)(元|\d{1,2})年度")
_GROUP_MARK = re.compile(r"^\([ⅰ-ⅻ]+\)")
_TOLERANCE = 0.01


@dataclass(frozen=True)
class Layout:
    """The headings of one 交付年度 (from the layout files): normalised for matching, and ``printed`` as in the
    file (canonical name or 目標/指標群 code → heading) for messages and the synthetic workbooks."""

    year: int
    headings: dict[str, str]
    goals: dict[str, str]
    groups: dict[str, str]
    levels: dict[str, int]
    printed: dict[str, str]

    @property
    def depth(self) -> int:
        """Number of header rows (交付金名 … 枝番)."""
        return max(self.levels.values()) + 1

    def grants(self) -> dict[str, str]:
        """Printed 交付金名 → short name ("推進", "支援") for the grants of the year."""
        return {self.headings[f"grant_{g}"]: g for g in ("推進", "支援") if self.headings[f"grant_{g}"]}


@cache
def _layout_rows(name: str) -> tuple[dict[str, str], ...]:
    text = resources.files("grantkit.io.layouts").joinpath(name).read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))


def supported_years() -> list[int]:
    """The 交付年度 the layout files describe.

    >>> supported_years()[:3], supported_years()[-1]
    ([2018, 2019, 2020], 2026)
    """
    return [int(c) for c in _layout_rows("mhlw_headings.csv")[0] if c != "canonical"]


def layout(year: int | str) -> Layout:
    """The layout of one 交付年度 (``"R7"`` or ``2025``); an unsupported year is an error listing the supported ones.

    >>> lay = layout("R7")
    >>> lay.headings["size_class"], lay.depth, lay.goals["目標Ⅳ 高齢者がその状態に応じて可能な限り自立した日常生活を営む"]
    ('規模区分', 7, '目標Ⅳ')
    """
    y = to_fiscal_year(year)
    if y not in supported_years():
        raise GrantkitError(f"{era_label_long(y)}の全国集計の様式は未対応です（対応: "
                            f"{'、'.join(era_label_long(v) for v in supported_years())}）。"
                            "grantkit/io/layouts/mhlw_headings.csv と mhlw_goals.csv に列を追加してください")
    col = str(y)
    heads = {r["canonical"]: normalize_text(r[col]) for r in _layout_rows("mhlw_headings.csv")}
    goals = {normalize_text(r[col]): r["code"] for r in _layout_rows("mhlw_goals.csv") if r["kind"] == "goal" and r[col]}
    groups = {normalize_text(r[col]): r["code"] for r in _layout_rows("mhlw_goals.csv") if r["kind"] == "group" and r[col]}
    levels = {k: int(heads[f"header_{k}"]) - 1 for k in HEADER_LEVELS if heads[f"header_{k}"]}
    printed = {r["canonical"]: r[col] for r in _layout_rows("mhlw_headings.csv")}
    printed |= {r["code"]: r[col] for r in _layout_rows("mhlw_goals.csv") if r[col]}
    return Layout(y, heads, goals, groups, levels, printed)


@dataclass
class MhlwResult:
    """A national workbook read into tidy tables, with the account of what was read.

    ``scores``: the tidy leaf table (grantkit.schema) with ``parent`` = 目標 and ``group`` = 指標群;
    ``attributes``: one row per scored entity (fiscal_year, level, entity_code, entity, prefecture, population,
    first_insured, size_class, depopulated, published totals; ``fiscal_year`` lets the views refuse 属性 of
    another year); ``statistics``: the printed statistics rows per column with
    the recomputed mean; ``amounts``: R6 交付見込額（案）/確定額 in 千円 (else None); ``row_set``: which rows
    the averages, ranks and distributions use; ``checks``: what was verified.
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

    @property
    def fictitious(self) -> bool:
        """True for a 架空データ workbook (grantkit.synthetic marks its title rows so)."""
        return "架空データ" in self.title

    def details(self) -> pd.DataFrame:
        """The leaves with the shared 目標Ⅳ block counted once (the 支援 copy dropped): for sums over details.

        Each grant's total still contains 目標Ⅳ (``scores`` keeps both copies, as the official totals do).
        """
        shared = layout(self.layout).headings["shared_goal"]
        if not shared:
            return self.scores
        return self.scores[~((self.scores["grant"] == "支援") & (self.scores["parent"] == shared))]


@dataclass(frozen=True)
class _Ctx:
    path: Path
    sheet: str
    level: str
    lay: Layout

    def error(self, message: str) -> InputFileError:
        return InputFileError(self.path, f"シート「{self.sheet}」: {message}（{era_label_long(self.lay.year)}の様式）")

    def problem(self, message: str, row: int | None = None, column: str | None = None, value: object = None) -> Problem:
        return Problem(message, self.path.name, self.sheet, row, column, value)


@dataclass
class _Item:
    col: int
    grant: str
    goal: str
    goal_name: str
    group: str
    group_name: str
    code: str
    name: str


@dataclass
class _Columns:
    lead: dict[str, int]
    items: list[_Item] = field(default_factory=list)
    goal_totals: dict[tuple[str, str], int] = field(default_factory=dict)
    grant_totals: dict[str, int] = field(default_factory=dict)
    special: dict[str, int] = field(default_factory=dict)
    amounts: dict[tuple[str, str], int] = field(default_factory=dict)
    blank: list[int] = field(default_factory=list)


def load_mhlw(path: str | Path, *, level: str | None = None, strict: bool = True, cache: bool = True) -> MhlwResult:
    """``read_mhlw`` through the cache of parsed files (``grantkit.io.cache``): a workbook read before, with the
    same bytes, options and grantkit, comes back from its stored tables; ``cache=False`` always parses it."""
    from .cache import cached

    return cached(lambda: read_mhlw(path, level=level, strict=strict), path, "load_mhlw",
                  {"level": level, "strict": strict}, use=cache)


def read_mhlw(path: str | Path, *, level: str | None = None, strict: bool = True) -> MhlwResult:
    """Read a national result workbook into tidy tables.

    ``level`` "市町村" or "都道府県" picks the sheet; None reads every national sheet in the file (both
    levels in one result when both are there). With ``strict=False`` published subtotals that differ
    from the leaves (e.g. 「いずれか高い方」 items) are recorded in ``report.notes`` instead of raising.

    >>> import tempfile, pathlib
    >>> from grantkit.synthetic import national_workbook
    >>> p = national_workbook(pathlib.Path(tempfile.mkdtemp()) / "r7.xlsx", "R7", "市町村", n_municipalities=60)
    >>> r = load_mhlw(p)
    >>> r.layout, r.level, r.report.rows_read, r.report.rows_kept, len(r.report.exclusions)
    (2025, '市町村', 63, 60, 3)
    """
    if level is not None and level not in LEVELS:
        raise ValueError(f"level は {'・'.join(LEVELS)} のどちらかです（指定: {level!r}）")
    path = Path(path)
    book = Workbook(path)  # checked once (zip bombs, DTD/ENTITY), then each sheet parsed by calamine
    names = book.names
    known = {lv: {r[c] for r in _layout_rows("mhlw_headings.csv")
                  if r["canonical"] == ("sheet_municipal" if lv == "市町村" else "sheet_prefecture")
                  for c in r if c != "canonical" and r[c]} for lv in LEVELS}
    wanted = [(lv, s) for lv in ("市町村", "都道府県") if level in (None, lv) for s in names
              if normalize_text(s) in {normalize_text(k) for k in known[lv]}]
    if not wanted:
        expected = "」「".join(sorted(set().union(*(known[lv] for lv in LEVELS if level in (None, lv)))))
        raise InputFileError(path, f"全国集計のシート「{expected}」がありません（あるシート: {'、'.join(names)}）")
    results = [_read_level(path, book.rows(sheet, empty=""), sheet, lv, strict) for lv, sheet in wanted]
    return results[0] if len(results) == 1 else _combine(results)


def _combine(results: list[MhlwResult]) -> MhlwResult:
    """Both levels of one workbook in one result (tables stacked; each keeps its ``level``)."""
    first = results[0]
    report = LoadReport(source=first.report.source, sheet="、".join(r.report.sheet or "" for r in results),
                        sha256=first.report.sha256, rows_read=sum(r.report.rows_read for r in results),
                        rows_kept=sum(r.report.rows_kept for r in results),
                        exclusions=[p for r in results for p in r.report.exclusions],
                        coerced=[p for r in results for p in r.report.coerced],
                        notes=[n for r in results for n in r.report.notes])
    stack = lambda name: pd.concat([getattr(r, name) for r in results], ignore_index=True)  # noqa: E731
    amounts = [r.amounts for r in results if r.amounts is not None]
    return MhlwResult(stack("scores"), stack("attributes"), stack("statistics"), amounts[0] if amounts else None,
                      report, first.layout, "、".join(r.level for r in results), " / ".join(r.row_set for r in results),
                      first.sha256, [c for r in results for c in r.checks], first.title)


def _read_level(path: Path, rows: list[list[object]], sheet: str, level: str, strict: bool) -> MhlwResult:
    year = _title_year(rows, path, sheet)
    try:
        lay = layout(year)
    except GrantkitError as exc:
        raise InputFileError(path, f"シート「{sheet}」: {exc}") from None
    ctx = _Ctx(path, sheet, level, lay)
    if not lay.headings["sheet_prefecture" if level == "都道府県" else "sheet_municipal"]:
        raise ctx.error(f"{level}の評価結果の様式は未対応です（layouts/mhlw_headings.csv に見出しがありません）")
    return replace(_parse(rows, ctx, strict), title=_title_text(rows))


def _title_text(rows: list[list[object]]) -> str:
    """The title row: the first text cell of the sheet."""
    return next((normalize_text(v) for row in rows[:3] for v in row if isinstance(v, str) and v.strip()), "")


def _title_year(rows: list[list[object]], path: Path, sheet: str) -> int:
    """The 交付年度 of the title row; a file name naming another 年度 (「…令和8年度評価結果…」) is an error."""
    named = [to_fiscal_year(m.group(0)) for m in _TITLE_YEAR.finditer(normalize_text(path.stem))]
    for row in rows[:3]:
        for v in row:
            m = _TITLE_YEAR.search(normalize_text(v)) if isinstance(v, str) else None
            if m:
                year = to_fiscal_year(m.group(0))
                if named and year not in named:
                    raise InputFileError(path, f"シート「{sheet}」: 表題は{m.group(0)}、ファイル名は"
                                               f"{era_label_long(named[0])}です。どちらの年度の評価結果か確かめてください"
                                               "（年度は表題から読みます）")
                return year
    hint = f"。ファイル名は{era_label_long(named[0])}ですが、年度は表題から読みます" if named else ""
    raise InputFileError(path, f"シート「{sheet}」: 表題の行に「令和N年度」が見つかりません（全国集計の様式ではないようです{hint}）")


def _text(v: object) -> str:
    if v is None or v == "":
        return ""
    return _normal(v) if isinstance(v, str) else normalize_text(v)


@lru_cache(maxsize=1 << 16)
def _normal(text: str) -> str:
    return normalize_text(text)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v


def _column_letter(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _label(heading: str, j: int) -> str:
    return f"{heading}（{_column_letter(j)}列）"


def _leading_keys(ctx: _Ctx) -> list[str]:
    return [k for k in LEADING if ctx.lay.headings[k] and (ctx.level == "市町村" or k not in MUNICIPAL_ONLY)]


def _parse(rows: list[list[object]], ctx: _Ctx, strict: bool) -> MhlwResult:
    lay = ctx.lay
    serial = lay.headings["serial_no"]
    h = next((i for i, r in enumerate(rows[:30]) if any(_text(v) == serial for v in r)), None)
    if h is None:
        raise ctx.error(f"見出し「{serial}」が見つかりません")
    top = [_text(v) for v in rows[h]]
    lead = {}
    for k in _leading_keys(ctx):
        if lay.headings[k] not in top:
            raise ctx.error(f"見出し「{lay.headings[k]}」がありません")
        lead[k] = top.index(lay.headings[k])
    stat_keys = [("stat_n_prefecture" if k == "stat_n" and ctx.level == "都道府県" else k) for k in STATS]
    stat_labels = {lay.headings[k]: k.replace("_prefecture", "") for k in stat_keys if lay.headings[k]}
    first_data, stat_rows, depth = None, {}, None
    for i in range(h + 1, len(rows)):
        labels = [_text(rows[i][c]) for c in lead.values()]
        hit = next((s for s in labels if s in stat_labels), None)
        if depth is None and (hit or _is_number(rows[i][lead["serial_no"]])):
            depth = i - h
        if hit:
            stat_rows[stat_labels[hit]] = i
        elif _is_number(rows[i][lead["serial_no"]]):
            first_data = i
            break
        elif depth is not None and any(labels):
            raise ctx.error(f"{i + 1}行目「{next(s for s in labels if s)}」は統計行（{'・'.join(stat_labels)}）でもデータ行でもありません")
    if first_data is None:
        raise ctx.error(f"データ行（{serial}が数値の行）が見つかりません")
    if depth != lay.depth:
        raise ctx.error(f"見出しが {depth} 行ありますが、様式では {lay.depth} 行です"
                        f"（{'・'.join(k for k in HEADER_LEVELS if k in lay.levels)}）")
    if "stat_max" not in stat_rows:
        raise ctx.error(f"統計行「{lay.headings['stat_max']}」がありません")
    head = [[_text(v) for v in rows[h + r]] for r in range(depth)]
    cols = _classify(head, lead, ctx)
    return _tidy(rows, first_data, stat_rows, cols, ctx, strict)


def _classify(head: list[list[str]], lead: dict[str, int], ctx: _Ctx) -> _Columns:
    """Sort the columns into leading, score leaves (forward-filled header), subtotals, totals and amounts."""
    lay, hd = ctx.lay, ctx.lay.headings
    special = {hd["total"]: "total", hd["rank"]: "rank"}
    grant_totals = {hd[f"grant_total_{g}"]: g for g in ("推進", "支援") if hd[f"grant_total_{g}"]}
    goal_totals = {hd["goal_total"].format(goal=code): code for code in lay.goals.values()}
    amount_heads = {hd[k]: k.removeprefix("amount_") for k in ("amount_plan", "amount_final") if hd[k]}
    grants = lay.grants()
    short = {**{g: g for g in grants.values()}, **grants}
    out = _Columns(lead=lead)
    lead_cols = set(lead.values())
    state = dict.fromkeys(lay.levels, "")
    amount_kind = None
    for j in range(len(head[0])):
        if j in lead_cols:
            continue
        cells = [row[j] for row in head]
        if not any(cells):
            out.blank.append(j)
            continue
        if any(c in special for c in cells):
            out.special[next(special[c] for c in cells if c in special)] = j
        elif any(c in grant_totals for c in cells):
            out.grant_totals[next(grant_totals[c] for c in cells if c in grant_totals)] = j
        elif any(c in goal_totals for c in cells):
            code = next(goal_totals[c] for c in cells if c in goal_totals)
            out.goal_totals[(grants[state["grant"]] if state["grant"] in grants else "", code)] = j
        elif any(c in amount_heads for c in cells) or (amount_kind and any(c in short for c in cells)):
            amount_kind = next((amount_heads[c] for c in cells if c in amount_heads), amount_kind)
            grant = next((short[c] for c in cells if c in short), None)
            if grant is None:
                raise ctx.error(f"{_label(amount_kind, j)}に交付金名（推進・支援）がありません")
            out.amounts[(amount_kind, grant)] = j
            continue
        else:
            out.items.append(_item(cells, j, state, ctx))
        amount_kind = None
    for key in ("total", "rank"):
        if key not in out.special:
            raise ctx.error(f"見出し「{hd[key]}」がありません")
    codes = [(it.grant, it.code) for it in out.items]
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise ctx.error(f"指標番号・枝番が重複しています: {'、'.join(f'{g} {c}' for g, c in dup[:10])}")
    return out


def _item(cells: list[str], j: int, state: dict[str, str], ctx: _Ctx) -> _Item:
    """One score column: forward-fill its header (levels below the highest printed one are reset)."""
    lay = ctx.lay
    top = min(r for r, c in enumerate(cells) if c)
    for key, r in lay.levels.items():
        if r >= top:
            state[key] = cells[r]
    grants = lay.grants()
    if state["grant"] not in grants:
        raise ctx.error(f"{_label(state['grant'] or '（空欄）', j)}は様式にない見出しです"
                        f"（交付金名: {'・'.join(grants)}）")
    goal = lay.goals.get(state["goal"])
    if goal is None:
        raise ctx.error(f"目標の見出し「{state['goal'] or '（空欄）'}」（{_column_letter(j)}列）は様式にありません"
                        f"（{'・'.join(lay.goals)}）")
    group, group_name = "", ""
    if "group" in lay.levels:
        group_name = state["group"]
        group = lay.groups.get(group_name, "成果" if not group_name and goal == lay.headings["shared_goal"] else None)
        if group is None:
            raise ctx.error(f"指標群の見出し「{group_name or '（空欄）'}」（{_column_letter(j)}列）は様式にありません"
                            f"（{'・'.join(lay.groups)}）")
    if not state["item"]:
        raise ctx.error(f"{_column_letter(j)}列に指標番号がありません（得点の列として読めません）")
    mark = goal.removeprefix("目標") + (m.group(0) if (m := _GROUP_MARK.match(group_name)) else "")
    code = normalize_indicator(mark + state["item"] + state["branch"] + state.get("sub_branch", ""))
    return _Item(j, grants[state["grant"]], goal, state["goal"], group, group_name, code, state["name"])


def _matrix(body: np.ndarray, idx: list[int], numbers: list[int], ctx: _Ctx,
            headings: list[str], report: LoadReport, problems: list[Problem]) -> np.ndarray:
    """Cells of ``body`` (object array) at columns ``idx`` as floats; 「－」 etc. → NaN (listed as coerced),
    text → problem. One C-level conversion when every cell is a number, cell by cell only otherwise."""
    block = body[:, idx]
    try:
        return block.astype("float64")
    except (TypeError, ValueError):
        pass
    out = np.full(block.shape, np.nan)
    for (i, k), v in np.ndenumerate(block):
        try:
            x = parse_number(v)
        except ValueError:
            problems.append(ctx.problem(f"'{_text(v)}' は数値ではありません", numbers[i], _label(headings[k], idx[k]), v))
            continue
        if x is None:
            report.coerced.append(ctx.problem("空欄・「－」を欠損として読みました", numbers[i],
                                              _label(headings[k], idx[k]), v))
        else:
            out[i, k] = x
    return out


def _score_headings(cols: _Columns, lay: Layout) -> dict[int, str]:
    """Sheet column → heading of every leaf and subtotal column (the cells a scored row fills)."""
    out = {it.col: f"{it.grant} {it.code}" for it in cols.items}
    out |= {j: lay.headings["goal_total"].format(goal=goal) + (f"（{g}）" if g else "")
            for (g, goal), j in cols.goal_totals.items()}
    return out | {j: lay.headings[f"grant_total_{g}"] for g, j in cols.grant_totals.items()}


def _has_value(v: object) -> bool:
    """A number, or text that is not a missing mark (「－」, blank)."""
    return _is_number(v) or (isinstance(v, str) and _text(v) not in MISSING_MARKS)


def _tidy(rows: list[list[object]], first: int, stat_rows: dict[str, int], cols: _Columns, ctx: _Ctx,
          strict: bool) -> MhlwResult:
    lay, level = ctx.lay, ctx.level
    report = LoadReport(source=ctx.path.name, sheet=ctx.sheet, sha256=sha256(ctx.path))
    total_col = cols.special["total"]
    name_col = cols.lead["entity" if level == "市町村" else "prefecture"]
    score_cols = _score_headings(cols, lay)
    # one C call per row (a 広域連合 row is ~1,500 blank cells); the two extra keys (ignored by zip below) keep
    # the result a tuple however few score columns there are
    score_cells = operator.itemgetter(*score_cols, total_col, total_col)
    kept, numbers = [], []
    problems: list[Problem] = []
    for i in range(first, len(rows)):
        r = rows[i]
        if not any(v is not None and v != "" for v in r):
            continue
        report.rows_read += 1
        if _has_value(r[total_col]):
            kept.append(r)
            numbers.append(i + 1)
            continue
        scored = [j for j, v in zip(score_cols, score_cells(r)) if v != "" and _has_value(v)]
        if scored:  # a town whose 合計 is missing, not a 広域連合: excluding it would change every mean and rank
            problems.append(ctx.problem(
                f"{lay.headings['total']}がありませんが、得点のある列が {len(scored)} 列あります（"
                f"{'、'.join(_label(score_cols[j], j) for j in scored[:3])}{' など' if len(scored) > 3 else ''}）。"
                "広域連合など得点のない行として除外すると平均・順位・配分が変わるため読めません", i + 1,
                _label(lay.headings["total"], total_col), r[total_col]))
            continue
        name = _text(r[name_col])
        reason = ("合計の得点がない行（広域連合・一部事務組合など。得点は構成市町村が持つ）" if name
                  else "団体名も合計の得点もない行（注記など）")
        report.exclusions.append(ctx.problem(reason, i + 1, lay.headings["total"], name or _text(r[0])))
    report.rows_kept = len(kept)
    if not problems:
        report.check()
    if not kept:
        if problems:
            raise ValidationError(ctx.path.name, problems)
        raise ctx.error("合計の得点がある行がありません")
    items = cols.items
    idx = [it.col for it in items]
    heads = [f"{it.grant} {it.code}" for it in items]
    kept = np.array(kept, dtype=object)
    scores = _matrix(kept, idx, numbers, ctx, heads, report, problems)
    sub_idx = [*cols.goal_totals.values(), *cols.grant_totals.values(), total_col]
    sub_heads = [lay.headings["goal_total"].format(goal=g) + f"（{gr}）" for gr, g in cols.goal_totals] + \
        [lay.headings[f"grant_total_{g}"] for g in cols.grant_totals] + [lay.headings["total"]]
    published = _matrix(kept, sub_idx, numbers, ctx, sub_heads, report, problems)
    stat_lines = np.array([rows[i] for i in stat_rows.values()], dtype=object)
    stats = _matrix(stat_lines, idx + sub_idx, [i + 1 for i in stat_rows.values()], ctx, heads + sub_heads,
                    LoadReport(source=""), problems)
    stats = {STATS[k]: stats[n] for n, k in enumerate(stat_rows)}
    max_score = stats["max_score"][: len(idx)]
    if np.isnan(max_score).any():
        bad = [heads[k] for k in np.flatnonzero(np.isnan(max_score))[:10]]
        problems.append(ctx.problem(f"配点がありません: {'、'.join(bad)}", stat_rows["stat_max"] + 1))
    for i, k in np.argwhere((scores > max_score[None, :] + 1e-9) | (scores < 0))[:50]:
        problems.append(ctx.problem(f"得点 {scores[i, k]:g} が 0〜配点 {max_score[k]:g} の範囲にありません",
                                    numbers[i], _label(heads[k], idx[k]), scores[i, k]))
    if cols.blank:
        filled = _matrix(kept, cols.blank, numbers, ctx, ["（見出しなし）"] * len(cols.blank), LoadReport(""), [])
        for k in np.flatnonzero(~np.isnan(filled).all(axis=0))[:10]:
            problems.append(ctx.problem("見出しのない列に値があります", None, f"{_column_letter(cols.blank[k])}列"))
    meta = pd.DataFrame([vars(it) for it in items])
    scores, checks = _check_totals(scores, published, meta, cols, ctx, strict, problems, report, numbers, sub_idx)
    if len(max_score) != scores.shape[1]:  # 目標Ⅳ printed once: its 配点 counts in 支援 too
        max_score = np.concatenate([max_score, max_score[_shared_source(meta, lay)]])
    checks.append(_check_maxima(max_score, stats["max_score"][len(idx):], cols, ctx, strict, problems, report,
                                stat_rows["stat_max"] + 1, sub_idx))
    attrs = _attributes(kept, numbers, cols, published, ctx, problems, report)
    if problems:
        raise ValidationError(ctx.path.name, problems)
    meta = pd.DataFrame([vars(it) for it in items])  # after a possible 目標Ⅳ copy
    n_ent = scores.shape[0]
    row_set = (f"{level}で合計の得点がある {n_ent:,} 団体（除外 {len(report.exclusions)} 行: "
               "広域連合・一部事務組合など得点のない行）。平均・順位・分布はこの集合で計算")
    tidy = _long(scores, meta, attrs, lay.year, level, max_score)
    statistics = _statistics(meta.iloc[: len(idx)], cols, stats, scores[:, : len(idx)], published, ctx, row_set,
                             checks, report)
    amounts = _amounts(kept, numbers, cols, attrs, ctx, report)
    report.notes.append(row_set)
    return MhlwResult(tidy, attrs, statistics, amounts, report, lay.year, level, row_set, report.sha256 or "", checks)


def _shared_source(meta: pd.DataFrame, lay: Layout) -> np.ndarray:
    """Positions of the 推進 目標Ⅳ leaves (the block 支援 shares)."""
    shared = lay.headings["shared_goal"]
    return np.flatnonzero(((meta["grant"] == "推進") & (meta["goal"] == shared)).to_numpy())


def _check_totals(scores, published, meta, cols: _Columns, ctx: _Ctx, strict: bool, problems, report, numbers,
                  sub_idx):
    """Published subtotals against the leaves; the shared 目標Ⅳ block equal in both grants (copied if printed once).

    ``numbers``: the sheet row of each entity row, ``sub_idx``: the sheet column of each published subtotal (a
    mismatch names both)."""
    lay = ctx.lay
    shared = lay.headings["shared_goal"]
    checks: list[str] = []
    if shared:
        src = _shared_source(meta, lay)
        dup = np.flatnonzero(((meta["grant"] == "支援") & (meta["goal"] == shared)).to_numpy())
        if len(dup) == 0 and len(src) and "支援" in lay.grants().values():
            copies = [_Item(-1, "支援", *(meta.loc[k, c] for c in ("goal", "goal_name", "group", "group_name", "code",
                                                                   "name"))) for k in src]
            cols.items.extend(copies)
            scores = np.concatenate([scores, scores[:, src]], axis=1)
            checks.append(f"{shared}: 支援の列がないため推進の列を支援にも計上（同じ指標・同じ得点）")
        elif len(dup):
            push, support = list(meta["code"].iloc[src]), list(meta["code"].iloc[dup])
            if push != support:
                problems.append(ctx.problem(f"{shared} の指標が推進と支援で一致しません（推進: {'・'.join(push)}、支援: "
                                            f"{'・'.join(support)}。同じ指標が両方に計上されるはずです）"))
            else:
                for i, k in np.argwhere(~np.isclose(scores[:, dup], scores[:, src], equal_nan=True))[:20]:
                    problems.append(ctx.problem(
                        f"{shared} {push[k]} の得点が推進 {scores[i, src[k]]:g}、支援 {scores[i, dup[k]]:g} と違います"
                        "（同じ指標・同じ得点が両方に計上されるはずです）", int(numbers[i]),
                        _label(f"支援 {support[k]}", int(meta["col"].iloc[dup[k]])), scores[i, dup[k]]))
            checks.append(f"{shared}: 支援の列は推進の列と同一（明細の合計では1回だけ数え、各交付金の合計にはそれぞれ計上）")
    leaf_sum = lambda mask: np.nansum(scores[:, mask], axis=1)  # noqa: E731
    targets, labels = _subtotal_targets(cols, lay)
    off_total = 0
    for k, (mask, label) in enumerate(zip(targets, labels)):
        off = np.flatnonzero(np.abs(leaf_sum(mask) - published[:, k]) > _TOLERANCE)
        off_total += len(off)
        for i in off[:20]:
            msg = f"公表の「{label}」{published[i, k]:g} が明細の合計 {leaf_sum(mask)[i]:g} と一致しません"
            if strict:
                problems.append(ctx.problem(msg + "（「いずれか高い方」の項目がある年度は strict=False で読めます）",
                                            int(numbers[i]), _label(label, sub_idx[k]), published[i, k]))
            else:
                report.notes.append(f"{numbers[i]}行目 {_label(label, sub_idx[k])}: {msg}")
    checks.append(f"公表の小計・合計 {len(labels)} 列を明細の合計と照合: "
                  + ("すべて一致" if off_total == 0 else f"{off_total} セルが不一致（報告に記載）"))
    return scores, checks


def _subtotal_targets(cols: _Columns, lay: Layout) -> tuple[list[np.ndarray], list[str]]:
    """For each published subtotal, grant total and the total (in ``sub_idx`` order): the mask of the leaves it sums
    (both copies of the shared 目標Ⅳ block in the total, as printed) and its label."""
    grant_of = np.array([it.grant for it in cols.items])
    goal_of = np.array([it.goal for it in cols.items])
    targets = [(grant_of == g) & (goal_of == goal) if g else (goal_of == goal) for g, goal in cols.goal_totals]
    targets += [grant_of == g for g in cols.grant_totals] + [np.ones(len(grant_of), bool)]
    labels = [f"{lay.headings['goal_total'].format(goal=goal)}（{g}）" for g, goal in cols.goal_totals] + \
        [lay.headings[f"grant_total_{g}"] for g in cols.grant_totals] + [lay.headings["total"]]
    return targets, labels


def _check_maxima(max_score: np.ndarray, sub_max: np.ndarray, cols: _Columns, ctx: _Ctx, strict: bool, problems,
                  report, row: int, sub_idx) -> str:
    """The printed 配点 of each subtotal/total column against the sum of its leaves' 配点 (a changed leaf 配点
    would otherwise shift every rate while the subtotal still shows the old one). ``row``: the 配点 row of the
    sheet; a blank 配点 of a subtotal is not compared (a blank leaf 配点 is already a problem)."""
    targets, labels = _subtotal_targets(cols, ctx.lay)
    label = ctx.lay.headings["stat_max"]
    off = 0
    for k, (mask, name) in enumerate(zip(targets, labels)):
        want = float(np.sum(max_score[mask]))
        if np.isnan(sub_max[k]) or np.isnan(want) or abs(want - sub_max[k]) <= _TOLERANCE:
            continue
        off += 1
        msg = f"{label}の「{name}」{sub_max[k]:g} が明細の{label}の合計 {want:g} と一致しません"
        if strict:
            problems.append(ctx.problem(msg + "（「いずれか高い方」の項目がある年度は strict=False で読めます）", row,
                                        _label(name, sub_idx[k]), sub_max[k]))
        else:
            report.notes.append(f"{row}行目 {_label(name, sub_idx[k])}: {msg}")
    return (f"{label}: 小計・合計 {len(labels)} 列を明細の{label}の合計と照合: "
            + ("すべて一致" if off == 0 else f"{off} 列が不一致（報告に記載）"))


def _code(value: object, level: str) -> str:
    return "" if value is None or value == "" else restore_code(value, level)


def _attributes(kept, numbers, cols: _Columns, published, ctx: _Ctx, problems, report) -> pd.DataFrame:
    """One row per scored entity: codes as fixed-width strings, this year's 合計/順位 from the last columns.

    Numbers written as text (「28,567」, full-width digits) are read as numbers, blanks and 「－」 are missing and
    listed in ``report.coerced``, other text is a problem; 人口 must be a whole number ≥ 0 and 第1号被保険者数
    (the divisor of the 基準額) a whole number > 0."""
    lead, level = cols.lead, ctx.level

    def text(key: str) -> list[str | None]:
        return [_text(r[lead[key]]) or None for r in kept] if key in lead else [None] * len(kept)

    def number(key: str, least: int | None = None) -> np.ndarray:
        """Column ``key`` as floats; ``least``: the value must be a whole number ≥ ``least``."""
        j = lead.get(key) if key in lead else cols.special.get(key)
        out = np.full(len(kept), np.nan)
        if j is None:
            return out
        where = _label(ctx.lay.headings[key], j)
        for i, (r, n) in enumerate(zip(kept, numbers)):
            v = r[j]
            try:
                x = v if _is_number(v) else parse_number(v)
            except ValueError:
                problems.append(ctx.problem(f"'{_text(v)}' は数値ではありません（「－」などの欠損の印なら欠損として読みます）",
                                            n, where, v))
                continue
            if x is None:
                report.coerced.append(ctx.problem("空欄・「－」を欠損として読みました", n, where, v))
            elif least is not None and (x < least or not float(x).is_integer()):
                kind = "正の整数" if least > 0 else "0 以上の整数"
                problems.append(ctx.problem(f"{ctx.lay.headings[key]} {x:.10g} は{kind}ではありません", n, where, v))
            else:
                out[i] = x
        return out

    codes = {}
    key_code = "insurer_code" if level == "市町村" else "prefecture_code"
    for key, lv in (("prefecture_code", "都道府県"), ("insurer_code", "市町村")):
        if key not in lead:
            continue
        out = []
        for r, n in zip(kept, numbers):
            try:
                out.append(_code(r[lead[key]], lv))
            except ValueError as exc:
                problems.append(ctx.problem(str(exc), n, _label(ctx.lay.headings[key], lead[key]), r[lead[key]]))
                out.append("")
                continue
            if key == key_code and not out[-1]:  # the key of every table: two rows without it would merge
                problems.append(ctx.problem(f"得点のある行に{ctx.lay.headings[key]}がありません", n,
                                            _label(ctx.lay.headings[key], lead[key]), r[lead[key]]))
        codes[key] = out
    pref_code = codes["prefecture_code"]
    entity_code = codes["insurer_code"] if level == "市町村" else pref_code
    entity = text("entity") if level == "市町村" else text("prefecture")
    name_key = "entity" if level == "市町村" else "prefecture"
    for r, n, name in zip(kept, numbers, entity):
        if name is None:
            problems.append(ctx.problem(f"得点のある行に{ctx.lay.headings[name_key]}がありません", n,
                                        _label(ctx.lay.headings[name_key], lead[name_key]), r[lead[name_key]]))
    frame = pd.DataFrame({"fiscal_year": ctx.lay.year, "level": level, "entity_code": entity_code, "entity": entity,
                          "prefecture_code": pref_code, "prefecture": text("prefecture"),
                          "population": number("population", least=0), "first_insured": number("first_insured", least=1),
                          "size_class": text("size_class"),
                          "depopulated": text("depopulated"), "prev_total": number("prev_total"),
                          "prev_rank": number("prev_rank"), "total": published[:, -1], "rank": number("rank")})
    for g, k in zip(cols.grant_totals, range(len(cols.goal_totals), published.shape[1] - 1)):
        frame[f"score_{g}"] = published[:, k]
    if not cols.grant_totals:
        frame["score_推進"] = published[:, -1]
    dup = frame["entity_code"].duplicated(keep=False) & frame["entity_code"].ne("")
    for n, code in zip(np.asarray(numbers)[dup.to_numpy()], frame.loc[dup, "entity_code"]):
        problems.append(ctx.problem(f"コード {code} が重複しています", int(n)))
    for c in ("entity_code", "entity", "prefecture_code", "prefecture", "size_class", "depopulated"):
        frame[c] = frame[c].astype("str")
    return frame


def _long(scores: np.ndarray, meta: pd.DataFrame, attrs: pd.DataFrame, year: int, level: str,
          max_score: np.ndarray) -> pd.DataFrame:
    """The tidy leaf table: entities × leaves, built column by column (no per-cell Python).

    Text columns are filled by broadcasting into one preallocated object array (2–4× faster than
    ``np.tile``/``take`` at full size, which copy twice)."""
    n_ent, n_item = scores.shape

    def spread(values: np.ndarray, per_entity: bool) -> pd.Series:
        out = np.empty(n_ent * n_item, dtype=object)
        out.reshape(n_ent, n_item)[...] = values[:, None] if per_entity else values[None, :]
        return pd.Series(out, dtype="str", copy=False)

    def tile(column: str) -> pd.Series:
        return spread(meta[column].to_numpy(dtype=object), per_entity=False)

    def repeat(column: str) -> pd.Series:
        return spread(attrs[column].to_numpy(dtype=object), per_entity=True)

    return pd.DataFrame({
        "fiscal_year": np.full(n_ent * n_item, year, dtype="int64"),
        "level": spread(np.array([level], dtype=object), per_entity=False),
        "grant": tile("grant"), "entity_code": repeat("entity_code"), "entity": repeat("entity"),
        "indicator": tile("code"), "indicator_name": tile("name"), "parent": tile("goal"),
        "score": scores.reshape(-1), "max_score": np.tile(max_score, n_ent),
        "parent_name": tile("goal_name"), "group": tile("group"), "group_name": tile("group_name"),
    }, copy=False)


def _statistics(meta, cols: _Columns, stats, scores, published, ctx: _Ctx, row_set: str, checks, report) -> pd.DataFrame:
    """The printed statistics per printed leaf and subtotal column, with the mean recomputed on ``row_set``."""
    lay = ctx.lay
    leaves = meta.rename(columns={"goal": "parent", "code": "indicator", "name": "indicator_name"})
    leaves = leaves[["grant", "parent", "group", "indicator", "indicator_name"]].assign(row_kind="leaf")
    subs = pd.DataFrame({"grant": [g for g, _ in cols.goal_totals] + list(cols.grant_totals) + ["合計"],
                         "parent": [goal for _, goal in cols.goal_totals] + [""] * (len(cols.grant_totals) + 1),
                         "group": "", "indicator": [goal for _, goal in cols.goal_totals] + ["合計"] * (len(cols.grant_totals) + 1),
                         "indicator_name": [lay.headings["goal_total"].format(goal=goal) for _, goal in cols.goal_totals]
                         + [lay.headings[f"grant_total_{g}"] for g in cols.grant_totals] + [lay.headings["total"]],
                         "row_kind": ["subtotal"] * len(cols.goal_totals) + ["total"] * (len(cols.grant_totals) + 1)})
    out = pd.concat([leaves, subs], ignore_index=True)
    for key, values in stats.items():
        out[key] = values
    values = np.concatenate([scores, published], axis=1)
    out["recomputed_mean"] = np.nanmean(values, axis=0)
    out["recomputed_median"] = _column_median(values)
    out.insert(0, "level", ctx.level)
    out.insert(0, "fiscal_year", lay.year)
    out["row_set"] = row_set
    if "mean" in out:
        diff = (out["recomputed_mean"] - out["mean"]).abs()
        worst = float(diff.max())
        off = int((diff > _TOLERANCE).sum())
        line = (f"平均点: {ctx.level}の {len(out)} 列で統計行の平均点と再計算した平均（{row_set.split('（')[0]}）の差は最大 "
                f"{worst:.4f} 点")
        if off:
            line += f"。{off} 列で {_TOLERANCE} 点を超えて違います（統計行が別の行の集合で計算されている可能性）"
            report.notes.append(line)
        checks.append(line)
    return out


def _column_median(values: np.ndarray) -> np.ndarray:
    """Median of each column ignoring NaN (NaN for an all-NaN column); one sort instead of ``np.nanmedian``'s
    per-column partition (4× faster at full size).

    >>> _column_median(np.array([[1.0, np.nan, np.nan], [3.0, 2.0, np.nan], [np.nan, 4.0, np.nan], [2.0, 9.0, np.nan]]))
    array([ 2.,  4., nan])
    """
    ordered = np.sort(values, axis=0)  # NaN sort last
    n = (~np.isnan(values)).sum(axis=0)
    cols = np.arange(values.shape[1])
    low, high = ordered[np.maximum(n - 1, 0) // 2, cols], ordered[n // 2, cols]
    return np.where(n > 0, (low + high) / 2, np.nan)


def _amounts(kept, numbers, cols: _Columns, attrs: pd.DataFrame, ctx: _Ctx, report) -> pd.DataFrame | None:
    """R6: 交付見込額（案）and 確定額 per grant (千円), one row per entity, long by grant."""
    if not cols.amounts:
        return None
    problems: list[Problem] = []
    keys = list(cols.amounts)
    heads = [f"{ctx.lay.headings['amount_' + kind]} {g}" for kind, g in keys]
    values = _matrix(kept, list(cols.amounts.values()), numbers, ctx, heads, report, problems)
    if problems:
        raise ValidationError(ctx.path.name, problems)
    parts = []
    for g in dict.fromkeys(g for _, g in keys):
        part = attrs[["entity_code", "entity"]].assign(grant=g)
        for kind in ("plan", "final"):
            if (kind, g) in cols.amounts:
                part[f"{kind}_thousand_yen"] = values[:, keys.index((kind, g))]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
