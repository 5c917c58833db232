"""Extract: a national sheet's cells → the header block located and every column named by its meaning.

The header block starts at the row of the first 交付金名; its depth is the distance to the first statistics or
data row. Columns left of the first 交付金名 are leading columns, matched by ``Layout.find`` (an unknown heading is
kept as an extra attribute). To the right, subtotals are recognised from their raw cells (they sit in different
header rows, so a forward-filled header would spread them), score leaves from the forward-filled header (lower
levels reset where a higher one is printed), and anything unknown is an error naming the cell, the nearest known
heading and the layout file to add a line to.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ...domain import GRANTS, MUNICIPALITY
from ...eras import era_label_long
from ...errors import InputFileError, Problem
from ...text import normalize_indicator, normalize_text
from .layout import (
    GOALS_FILE,
    HEADINGS_FILE,
    LEADING,
    MUNICIPAL_ONLY,
    REQUIRED,
    STATS,
    Layout,
    heading_key,
)

_GROUP_MARK = re.compile(r"^\([ⅰ-ⅻ]+\)")


@dataclass(frozen=True)
class Ctx:
    """Where a sheet is read from (for messages) and the layout of its year."""

    path: Path
    sheet: str
    level: str
    lay: Layout

    def error(self, message: str) -> InputFileError:
        return InputFileError(self.path, f"シート「{self.sheet}」: {message}（{era_label_long(self.lay.year)}の様式）")

    def problem(self, message: str, row: int | None = None, column: str | None = None, value: object = None) -> Problem:
        return Problem(message, self.path.name, self.sheet, row, column, value)


@dataclass
class Item:
    """One score leaf column."""

    col: int
    grant: str
    goal: str
    goal_name: str
    group: str
    group_name: str
    item: str
    code: str
    name: str
    alternative: str = ""


@dataclass
class Subtotal:
    """One printed subtotal column: ``kind`` group (指標群), goal (目標), grant (交付金) or total (推進・支援合計)."""

    col: int
    kind: str
    grant: str
    goal: str
    group: str
    label: str


@dataclass
class Columns:
    """Every column of the sheet by meaning."""

    lead: dict[str, int]
    extra: dict[int, str] = field(default_factory=dict)
    printed: dict[int, str] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    subtotals: list[Subtotal] = field(default_factory=list)
    special: dict[str, int] = field(default_factory=dict)
    amounts: dict[tuple[str, str], int] = field(default_factory=dict)
    blank: list[int] = field(default_factory=list)
    goal_names: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class Block:
    """The located header block: first header row, depth, statistics rows and the first data row (0-based)."""

    header: int
    depth: int
    stat_rows: dict[str, int]
    first_data: int
    cols: Columns


def column_letter(j: int) -> str:
    """Excel column letters of a 0-based index.

    >>> column_letter(0), column_letter(27)
    ('A', 'AB')
    """
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def label(heading: str, j: int) -> str:
    """A heading with its column letter, as messages name a cell's column."""
    return f"{heading}（{column_letter(j)}列）"


def text(v: object) -> str:
    """A cell as normalised text ("" for blank)."""
    if v is None or v == "":
        return ""
    if type(v) is str:  # a sheet repeats its names and headings: each normalised once
        return _text_of(v)
    if isinstance(v, float) and v.is_integer():  # 区分 1–5 stored as numbers: "5", not "5.0"
        v = int(v)
    return normalize_text(v)


@lru_cache(maxsize=1 << 16)
def _text_of(v: str) -> str:
    return normalize_text(v)


def is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)


def _serial(v: object) -> bool:
    """A 通し番号: a number, or digits written as text."""
    return is_number(v) or (isinstance(v, str) and text(v).isdigit())


def locate(rows: list[list[object]], ctx: Ctx) -> Block:
    """Find the header block, the statistics rows and the first data row, and name every column."""
    lay = ctx.lay
    grant_heads = [c for c in ("grant_推進", "grant_支援") if lay.spellings[c]]
    h = next(
        (
            i
            for i, r in enumerate(rows[:30])
            for v in r
            if isinstance(v, str) and v and any(lay.is_(c, heading_key(v)) for c in grant_heads)
        ),
        None,
    )
    if h is None:
        raise ctx.error(f"交付金名の見出し「{'」「'.join(lay.printed[c] for c in grant_heads)}」が見つかりません")
    first_grant = next(
        j
        for j, v in enumerate(rows[h])
        if isinstance(v, str) and v and any(lay.is_(c, heading_key(v)) for c in grant_heads)
    )
    lead, extra, printed = _leading(rows, h, first_grant, ctx)
    stat_keys = [k for k in STATS if lay.spellings[k]]
    key_col = lead.get("serial_no")
    name_col = lead["entity" if ctx.level == MUNICIPALITY else "prefecture"]
    first_data, stat_rows, depth = None, {}, None
    for i in range(h + 1, len(rows)):
        labels = [heading_key(rows[i][c]) for c in range(first_grant) if isinstance(rows[i][c], str) and rows[i][c]]
        hit = next((k for s in labels for k in stat_keys if lay.is_(k, s)), None)
        data = _serial(rows[i][key_col]) if key_col is not None else bool(text(rows[i][name_col])) and not hit
        if depth is None and (hit or data):
            depth = i - h
        if hit:
            stat_rows.setdefault(hit, i)
        elif data:
            first_data = i
            break
        elif depth is not None and labels:
            raise ctx.error(
                f"{i + 1}行目「{labels[0]}」は統計行（{'・'.join(lay.printed[k] for k in stat_keys)}）"
                "でもデータ行でもありません"
            )
    if first_data is None:
        raise ctx.error(
            "データ行が見つかりません" + (f"（{lay.printed['serial_no']}が数値の行）" if key_col is not None else "")
        )
    if depth != lay.depth:
        raise ctx.error(
            f"見出しが {depth} 行ありますが、様式では {lay.depth} 行です"
            f"（{'・'.join(k for k in lay.levels)}。{HEADINGS_FILE} の header_ の行）"
        )
    if "stat_max" not in stat_rows:
        raise ctx.error(f"統計行「{lay.printed['stat_max']}」がありません")
    head = [[text(v) for v in rows[h + r]] for r in range(depth)]
    cols = _classify(head, lead, extra, first_grant, ctx, h)
    cols.printed = printed
    return Block(h, depth, stat_rows, first_data, cols)


def _leading(
    rows: list[list[object]], h: int, first_grant: int, ctx: Ctx
) -> tuple[dict[str, int], dict[int, str], dict[int, str]]:
    """Leading columns (left of the first 交付金名) by meaning; unknown headings → extra attributes."""
    lay = ctx.lay
    wanted = [k for k in LEADING if lay.spellings[k] and (ctx.level == MUNICIPALITY or k not in MUNICIPAL_ONLY)]
    lead: dict[str, int] = {}
    extra: dict[int, str] = {}
    printed: dict[int, str] = {}
    for j in range(first_grant):
        cells = [text(rows[h + r][j]) for r in range(min(lay.depth, len(rows) - h))]
        heading = next((c for c in cells if c), "")  # a leading heading is one cell, merged down
        if not heading:
            continue
        printed[j] = heading
        key = heading_key(heading)
        found = lay.find(key, wanted)
        if found is None or found in lead:
            extra[j] = heading
        else:
            lead[found] = j
    missing = [k for k in REQUIRED[ctx.level] if k not in lead]
    if missing:
        raise ctx.error(
            "見出し「"
            + "」「".join(lay.printed[k] for k in missing)
            + "」がありません（交付金名より左の列: "
            + ("、".join(label(v, j) for j, v in extra.items()) or "なし")
            + f"。別の書き方なら {HEADINGS_FILE} "
            "のその行に「|」で足してください）"
        )
    return lead, extra, printed


def _classify(
    head: list[list[str]], lead: dict[str, int], extra: dict[int, str], first_grant: int, ctx: Ctx, h: int
) -> Columns:
    """Sort the columns right of the leading ones into leaves, subtotals, totals, rank and amounts."""
    lay = ctx.lay
    grants = lay.grants()
    out = Columns(lead=lead, extra=extra)
    state = dict.fromkeys(lay.levels, "")
    amount_kind = None
    for j in range(first_grant, len(head[0])):
        cells = [row[j] for row in head]
        keys = [heading_key(c) for c in cells]
        if not any(cells):
            out.blank.append(j)
            continue
        found = _special(keys, lay)
        if found is not None:
            kind, value = found
            if kind == "special":
                out.special[value] = j
            elif kind == "amount":
                amount_kind = value
                out.amounts[(value, _grant_short(keys, lay, ctx, j, h))] = j
                continue
            else:
                out.subtotals.append(_subtotal(kind, value, state, j, ctx))
        elif amount_kind and any(_short(k, lay) for k in keys):
            out.amounts[(amount_kind, _grant_short(keys, lay, ctx, j, h))] = j
            continue
        elif "total" in out.special:  # right of this year's total: only its rank and (R6) amounts
            r = next(r for r, c in enumerate(cells) if c)
            raise ctx.error(_unknown(cells[r], h + r, j, lay))
        else:
            out.items.append(_item(cells, j, state, ctx, h, grants))
            out.goal_names.setdefault((out.items[-1].grant, out.items[-1].goal), out.items[-1].goal_name)
        amount_kind = None
    if "total" not in out.special:  # the rank is optional: grantkit computes ranks itself
        raise ctx.error(f"見出し「{lay.printed['total']}」がありません（{'・'.join(lay.spellings['total'])}）")
    codes = [(it.grant, it.code) for it in out.items]
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise ctx.error(f"指標番号・枝番が重複しています: {'、'.join(f'{g} {c}' for g, c in dup[:10])}")
    return out


def _unknown(cell: str, i: int, j: int, lay: Layout) -> str:
    return (
        f"{i + 1}行目 {column_letter(j)}列の見出し「{cell}」は様式にありません（近い見出し: 「{lay.nearest(heading_key(cell))}」）。"
        f"この列を読むなら {HEADINGS_FILE}（目標・指標群なら {GOALS_FILE}）に行を足してください"
    )


def _special(keys: list[str], lay: Layout) -> tuple[str, str] | None:
    """What a column's raw cells say it is: ("special", total/rank), ("grant", 推進), ("group"/"goal", match text),
    ("amount", plan/final) or None for a leaf."""
    for k in keys:
        if not k:
            continue
        for name in ("total", "rank"):
            if lay.spellings[name] and lay.is_(name, k):
                return "special", name
        for g in GRANTS:
            if lay.spellings[f"grant_total_{g}"] and lay.is_(f"grant_total_{g}", k):
                return "grant", g
        for kind in ("group", "goal"):
            if lay.spellings[f"subtotal_{kind}"] and lay.is_(f"subtotal_{kind}", k):
                return kind, k
        for kind in ("plan", "final"):
            if lay.spellings[f"amount_{kind}"] and lay.is_(f"amount_{kind}", k):
                return "amount", kind
    return None


def _short(key: str, lay: Layout) -> str | None:
    for g in GRANTS:
        if key == g or (lay.spellings[f"grant_{g}"] and lay.is_(f"grant_{g}", key)):
            return g
    return None


def _grant_short(keys: list[str], lay: Layout, ctx: Ctx, j: int, h: int) -> str:
    grant = next((g for k in keys if k and (g := _short(k, lay))), None)
    if grant is None:
        raise ctx.error(f"{column_letter(j)}列（交付見込額・確定額）に交付金名（推進・支援）がありません")
    return grant


def _subtotal(kind: str, key: str, state: dict[str, str], j: int, ctx: Ctx) -> Subtotal:
    """A printed subtotal column; its grant is the one of the leaves before it."""
    lay = ctx.lay
    grant = grant_of(state.get("grant", ""), lay) or ""
    if kind == "grant":
        return Subtotal(j, "grant", key, "", "", lay.printed[f"grant_total_{key}"])
    m = re.fullmatch(lay.spellings[f"subtotal_{kind}"][0], key)
    mark = m.group("mark")
    if mark:
        goal = next((c for c in lay.goals if c.removeprefix("目標") == mark), None)
    else:  # 「（ⅰ）計」 printed under its 目標: the 目標 of the leaves before it
        goal = (lay.code_of(heading_key(state.get("goal", "")), "goals") or (None,))[0]
    if goal is None:
        raise ctx.error(
            f"{column_letter(j)}列の小計「{key}」の目標 {mark} は様式にありません（{'・'.join(lay.goals)}）"
        )
    group = ""
    if kind == "group":
        group = next((c for c, ps in lay.groups.items() if any(p.startswith(m.group("group")) for p in ps)), "")
        if not group:
            raise ctx.error(f"{column_letter(j)}列の小計「{key}」の指標群は様式にありません")
    return Subtotal(j, kind, grant, goal, group, key)


def _item(cells: list[str], j: int, state: dict[str, str], ctx: Ctx, h: int, grants: dict[str, str]) -> Item:
    """One score column: forward-fill its header (levels below the highest printed one are reset)."""
    lay = ctx.lay
    top = min(r for r, c in enumerate(cells) if c)
    for key, r in lay.levels.items():
        if r >= top:
            state[key] = cells[r]
    grant = grant_of(state["grant"], lay)
    if grant is None:
        raise ctx.error(_unknown(state["grant"] or "（空欄）", h + lay.levels["grant"], j, lay))
    goal = lay.code_of(heading_key(state["goal"]), "goals")
    if goal is None:
        raise ctx.error(_unknown(state["goal"] or "（空欄）", h + lay.levels["goal"], j, lay))
    group, group_name = "", ""
    if "group" in lay.levels:
        found = lay.code_of(heading_key(state["group"]), "groups") if state["group"] else None
        if found is None and not state["group"] and goal[0] == lay.headings["shared_goal"]:
            found = ("成果", "")
        if found is None:
            raise ctx.error(_unknown(state["group"] or "（空欄）", h + lay.levels["group"], j, lay))
        group, group_name = found[0], heading_key(state["group"])
    if not state["item"]:
        raise ctx.error(f"{column_letter(j)}列に指標番号がありません（得点の列として読めません）")
    mark = goal[0].removeprefix("目標") + (m.group(0) if (m := _GROUP_MARK.match(group_name)) else "")
    item = normalize_indicator(mark + state["item"])
    code = normalize_indicator(item + state["branch"] + state.get("sub_branch", ""))
    goal_name = goal[0] + (" " if goal[0].startswith("目標") and goal[1] else "") + goal[1]
    return Item(j, grant, goal[0], goal_name, group, group_name, item, code, heading_key(state["name"]))


def grant_of(heading: str, lay: Layout) -> str | None:
    """The short name ("推進", "支援") of a printed 交付金名, None if it is none of them."""
    key = heading_key(heading)
    return next((g for g in lay.grants().values() if lay.is_(f"grant_{g}", key)), None)
