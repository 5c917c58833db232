"""Tidy: the located columns of a national sheet → kept and excluded rows, the tidy leaf table, the attributes of
each entity, the printed statistics and (R6) the amounts.

A row with a printed total is kept. A row with neither total nor score (広域連合・一部事務組合 with a 保険者番号, or a
note) is excluded with its reason; a row with scores but no total is an error naming the cell. A municipality
without 保険者番号 (its insurer is a 広域連合) is kept: its ``entity_code`` is 「都道府県コード:市町村名」, stable
across years and files (no maintained source of 全国地方公共団体コード is available as a package), so
「京都府笠置町」, 「笠置町」 and 「26:笠置町」 all find it.
"""

from __future__ import annotations

import itertools
import operator

import numpy as np
import pandas as pd

from ...domain import MUNICIPALITY, PREFECTURE, TOTAL
from ...errors import Problem
from ...prefectures import CODES
from ...provenance import LoadReport, text_array, text_values
from ...schema import MISSING_MARKS, parse_number, restore_code
from .extract import Block, Columns, Ctx, column_letter, is_number, label, text
from .layout import STATS


def has_value(v: object) -> bool:
    """A number, or text that is not a missing mark (「－」, blank)."""
    return is_number(v) or (isinstance(v, str) and text(v) not in MISSING_MARKS)


def score_headings(cols: Columns) -> dict[int, str]:
    """Sheet column → heading of every leaf and subtotal column (the cells a scored row fills)."""
    out = {it.col: f"{it.grant} {it.code}" for it in cols.items}
    return out | {s.col: s.label for s in cols.subtotals}


def split_rows(
    rows: list[list[object]], block: Block, ctx: Ctx, report: LoadReport, problems: list[Problem]
) -> tuple[list[list[object]], list[int]]:
    """The scored rows and their sheet row numbers; every other non-blank row is listed as an exclusion."""
    cols, lay = block.cols, ctx.lay
    total_col = cols.special["total"]
    name_col = cols.lead["entity" if ctx.level == MUNICIPALITY else "prefecture"]
    score_cols = score_headings(cols)
    # one C call per row (a 広域連合 row is ~1,500 blank cells); the two extra keys keep the result a tuple
    score_cells = operator.itemgetter(*score_cols, total_col, total_col)
    kept, numbers = [], []
    for i in range(block.first_data, len(rows)):
        r = rows[i]
        if not any(v is not None and v != "" for v in r):
            continue
        report.rows_read += 1
        if has_value(r[total_col]):
            kept.append(r)
            numbers.append(i + 1)
            continue
        scored = [j for j, v in zip(score_cols, score_cells(r)) if v != "" and has_value(v)]
        if scored:  # a town whose 合計 is missing, not a 広域連合: excluding it would change every mean and rank
            problems.append(
                ctx.problem(
                    f"{lay.printed['total']}がありませんが、得点のある列が {len(scored)} 列あります（"
                    f"{'、'.join(label(score_cols[j], j) for j in scored[:3])}{' など' if len(scored) > 3 else ''}）。"
                    "広域連合など得点のない行として除外すると平均・順位・配分が変わるため読めません",
                    i + 1,
                    label(lay.printed["total"], total_col),
                    r[total_col],
                )
            )
            continue
        name = text(r[name_col])
        reason = (
            "合計の得点がない行（広域連合・一部事務組合など。得点は構成市町村が持つ）"
            if name
            else "団体名も合計の得点もない行（注記など）"
        )
        report.exclusions.append(ctx.problem(reason, i + 1, lay.printed["total"], name or text(r[0])))
    report.rows_kept = len(kept)
    return kept, numbers


def matrix(
    rows: list[list[object]],
    idx: list[int],
    numbers: list[int],
    ctx: Ctx,
    headings: list[str],
    report: LoadReport,
    problems: list[Problem],
) -> np.ndarray:
    """Cells of ``rows`` at columns ``idx`` as floats; 「－」 etc. → NaN (listed as coerced), text → problem.
    One C-level conversion when every cell is a number (picked by ``itemgetter`` and read by ``np.fromiter``, no
    object array of the whole sheet), cell by cell only otherwise."""
    if not idx:
        return np.empty((len(rows), 0))
    pick = operator.itemgetter(*idx, idx[0])  # one extra key: a tuple however few columns
    width = len(idx) + 1
    try:
        cells = np.fromiter(itertools.chain.from_iterable(map(pick, rows)), dtype="float64", count=len(rows) * width)
        return cells.reshape(len(rows), width)[:, :-1].copy()
    except (TypeError, ValueError):
        pass
    block = np.array(list(map(pick, rows)), dtype=object).reshape(len(rows), width)[:, :-1]
    out = np.full(block.shape, np.nan)
    for (i, k), v in np.ndenumerate(block):
        try:
            x = parse_number(v)
        except ValueError:
            problems.append(ctx.problem(f"'{text(v)}' は数値ではありません", numbers[i], label(headings[k], idx[k]), v))
            continue
        if x is None:
            report.coerced.append(
                ctx.problem("空欄・「－」を欠損として読みました", numbers[i], label(headings[k], idx[k]), v)
            )
        else:
            out[i, k] = x
    return out


def statistics_rows(
    rows: list[list[object]], block: Block, idx: list[int], heads: list[str], ctx: Ctx, problems: list[Problem]
) -> dict[str, np.ndarray]:
    """The printed statistics rows (配点, 平均点 …) at columns ``idx``; a blank cell (項目平均 of a subtotal) is NaN."""
    lines = [rows[i] for i in block.stat_rows.values()]
    values = matrix(lines, idx, [i + 1 for i in block.stat_rows.values()], ctx, heads, LoadReport(source=""), problems)
    return {STATS[k]: values[n] for n, k in enumerate(block.stat_rows)}


def attributes(
    kept: list[list[object]],
    numbers: list[int],
    cols: Columns,
    published: np.ndarray,
    ctx: Ctx,
    problems: list[Problem],
    report: LoadReport,
) -> pd.DataFrame:
    """One row per scored entity: codes as fixed-width strings, this year's 合計/順位 from the last columns.

    Numbers written as text (「28,567」, full-width digits) are read as numbers, blanks and 「－」 are missing and
    listed in ``report.coerced``, other text is a problem; 人口 must be a whole number ≥ 0 and 第1号被保険者数
    (the divisor of the 基準額) a whole number > 0."""
    lead, level, lay = cols.lead, ctx.level, ctx.lay

    def texts(key: str) -> list[str]:
        return [text(r[lead[key]]) for r in kept] if key in lead else [""] * len(kept)

    def number(key: str, least: int | None = None) -> np.ndarray:
        j = lead.get(key, cols.special.get(key))
        out = np.full(len(kept), np.nan)
        if j is None:
            return out
        where = label(lay.printed[key], j)
        for i, (r, n) in enumerate(zip(kept, numbers)):
            v = r[j]
            try:
                x = v if is_number(v) else parse_number(v)
            except ValueError:
                problems.append(
                    ctx.problem(
                        f"'{text(v)}' は数値ではありません（「－」などの欠損の印なら欠損として読みます）", n, where, v
                    )
                )
                continue
            if x is None:
                report.coerced.append(ctx.problem("空欄・「－」を欠損として読みました", n, where, v))
            elif least is not None and (x < least or not float(x).is_integer()):
                kind = "正の整数" if least > 0 else "0 以上の整数"
                problems.append(ctx.problem(f"{lay.printed[key]} {x:.10g} は{kind}ではありません", n, where, v))
            else:
                out[i] = x
        return out

    def codes(key: str, lv: str) -> list[str]:
        out = []
        for r, n in zip(kept, numbers):
            v = r[lead[key]] if key in lead else ""
            try:
                out.append("" if v is None or v == "" or text(v) in MISSING_MARKS else restore_code(v, lv))
            except ValueError as exc:
                problems.append(ctx.problem(str(exc), n, label(lay.printed[key], lead[key]), v))
                out.append("")
        return out

    prefecture = texts("prefecture")
    pref_code = codes("prefecture_code", PREFECTURE)
    pref_code = [c or CODES.get(p, "") for c, p in zip(pref_code, prefecture)]
    name_key = "entity" if level == MUNICIPALITY else "prefecture"
    entity = texts(name_key)
    for r, n, name in zip(kept, numbers, entity):
        if not name:
            problems.append(
                ctx.problem(
                    f"得点のある行に{lay.printed[name_key]}がありません",
                    n,
                    label(lay.printed[name_key], lead[name_key]),
                    r[lead[name_key]],
                )
            )
    insurer = codes("insurer_code", MUNICIPALITY) if level == MUNICIPALITY else [""] * len(kept)
    if level == MUNICIPALITY:
        entity_code = [c or (f"{p}:{name}" if p else "") for c, p, name in zip(insurer, pref_code, entity)]
        for n, c, p in zip(numbers, entity_code, prefecture):
            if not c:
                problems.append(
                    ctx.problem(
                        f"保険者番号のない行の{lay.printed['prefecture']}「{p}」が都道府県名として読めません"
                        "（都道府県＋市町村名で団体を識別します）",
                        n,
                        label(lay.printed["prefecture"], lead["prefecture"]),
                        p,
                    )
                )
    else:
        entity_code = pref_code
    frame = pd.DataFrame(
        {
            "fiscal_year": lay.year,
            "level": level,
            "entity_code": entity_code,
            "entity": entity,
            "insurer_code": insurer,
            "serial_no": number("serial_no"),
            "prefecture_code": pref_code,
            "prefecture": prefecture,
            "population": number("population", least=0),
            "first_insured": number("first_insured", least=1),
            "size_class": texts("size_class"),
            "depopulated": texts("depopulated"),
            "prev_total": number("prev_total"),
            "prev_rank": number("prev_rank"),
            "total": published[:, -1],
            "rank": number("rank"),
        }
    )
    grants = [(s.grant, k) for k, s in enumerate(cols.subtotals) if s.kind == "grant"]
    for g, k in grants:
        frame[f"score_{g}"] = published[:, k]
    if not grants:
        frame["score_推進"] = published[:, -1]
    dup = frame["entity_code"].duplicated(keep=False) & frame["entity_code"].ne("")
    for n, code in zip(np.asarray(numbers)[dup.to_numpy()], frame.loc[dup, "entity_code"]):
        problems.append(ctx.problem(f"コード {code} が重複しています", int(n)))
    for c in ("entity_code", "entity", "insurer_code", "prefecture_code", "prefecture", "size_class", "depopulated"):
        frame[c] = frame[c].astype("str")
    for c in ("size_class", "depopulated"):  # a blank class is unknown, not a class called ""
        frame[c] = frame[c].where(frame[c] != "")
    return frame


def extras(kept: list[list[object]], cols: Columns, attrs: pd.DataFrame) -> pd.DataFrame:
    """Leading columns the layout does not know, long: entity_code, heading, sheet_column, value (text)."""
    parts = [
        pd.DataFrame(
            {
                "entity_code": attrs["entity_code"],
                "heading": heading,
                "sheet_column": column_letter(j),
                "value": [text(r[j]) for r in kept],
            }
        )
        for j, heading in cols.extra.items()
    ]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in ("entity_code", "heading", "sheet_column", "value")})
    return pd.concat(parts, ignore_index=True).astype("str")


def long(
    scores: np.ndarray, meta: pd.DataFrame, attrs: pd.DataFrame, year: int, level: str, max_score: np.ndarray
) -> pd.DataFrame:
    """The tidy leaf table: entities × leaves, built column by column (no per-cell Python).

    Each text column is its values, checked once each, broadcast into one preallocated object array (faster than
    ``np.tile`` / ``np.repeat`` of objects). ``alternative`` is the indicator whose branches are alternatives ("" for
    an ordinary leaf)."""
    n_ent, n_item = scores.shape

    def spread(values: object, per_entity: bool) -> pd.Series:
        checked = text_values(values)[:-1]
        out = np.empty(n_ent * n_item, dtype=object)
        out.reshape(n_ent, n_item)[...] = checked[:, None] if per_entity else checked[None, :]
        return pd.Series(text_array(out), copy=False)

    def tile(column: str) -> pd.Series:
        return spread(meta[column], per_entity=False)

    def repeat(column: str) -> pd.Series:
        return spread(attrs[column], per_entity=True)

    return pd.DataFrame(
        {
            "fiscal_year": np.full(n_ent * n_item, year, dtype="int64"),
            "level": spread([level] * n_item, per_entity=False),
            "grant": tile("grant"),
            "entity_code": repeat("entity_code"),
            "entity": repeat("entity"),
            "indicator": tile("code"),
            "indicator_name": tile("name"),
            "parent": tile("goal"),
            "score": scores.reshape(-1),
            "max_score": np.tile(max_score, n_ent),
            "parent_name": tile("goal_name"),
            "group": tile("group"),
            "group_name": tile("group_name"),
            "alternative": tile("alternative"),
        },
        copy=False,
    )


def statistics(
    meta: pd.DataFrame,
    cols: Columns,
    stats: dict[str, np.ndarray],
    values: np.ndarray,
    ctx: Ctx,
    row_set: str,
    checks: list[str],
    report: LoadReport,
    tolerance: float,
) -> pd.DataFrame:
    """The printed statistics per printed leaf and subtotal column, with the mean and median recomputed on
    ``row_set``. ``row_kind``: leaf, group_subtotal (指標群), subtotal (目標), total (交付金・総合計)."""
    leaves = meta.rename(columns={"goal": "parent", "code": "indicator", "name": "indicator_name"})
    leaves = leaves[["grant", "parent", "group", "indicator", "indicator_name", "alternative"]].assign(row_kind="leaf")
    kind = {"group": "group_subtotal", "goal": "subtotal", "grant": "total"}
    subs = pd.DataFrame(
        {
            "grant": [s.grant or TOTAL for s in cols.subtotals] + [TOTAL],
            "parent": [s.goal for s in cols.subtotals] + [""],
            "group": [s.group for s in cols.subtotals] + [""],
            "indicator": [s.goal or TOTAL for s in cols.subtotals] + [TOTAL],
            "indicator_name": [s.label for s in cols.subtotals] + [ctx.lay.printed["total"]],
            "alternative": "",
            "row_kind": [kind[s.kind] for s in cols.subtotals] + ["total"],
        }
    )
    out = pd.concat([leaves, subs], ignore_index=True)
    for key, v in stats.items():
        out[key] = v
    out["recomputed_mean"] = np.nanmean(values, axis=0) if len(values) else np.nan
    out["recomputed_median"] = column_median(values)
    out.insert(0, "level", ctx.level)
    out.insert(0, "fiscal_year", ctx.lay.year)
    out["row_set"] = row_set
    if "mean" in out:
        diff = (out["recomputed_mean"] - out["mean"]).abs()
        off = int((diff > tolerance).sum())
        line = (
            f"平均点: {ctx.level}の {len(out)} 列で統計行の平均点と再計算した平均（{row_set.split('（')[0]}）の差は最大 "
            f"{float(diff.max()):.4f} 点"
        )
        if off:
            line += f"。{off} 列で {tolerance} 点を超えて違います（統計行が別の行の集合で計算されている可能性）"
            report.notes.append(line)
        checks.append(line)
    return out


def column_median(values: np.ndarray) -> np.ndarray:
    """Median of each column ignoring NaN (NaN for an all-NaN column); one sort instead of ``np.nanmedian``'s
    per-column partition (4× faster at full size).

    >>> column_median(np.array([[1.0, np.nan, np.nan], [3.0, 2.0, np.nan], [np.nan, 4.0, np.nan], [2.0, 9.0, np.nan]]))
    array([ 2.,  4., nan])
    """
    ordered = np.sort(values, axis=0)  # NaN sort last
    n = (~np.isnan(values)).sum(axis=0)
    cols = np.arange(values.shape[1])
    low, high = ordered[np.maximum(n - 1, 0) // 2, cols], ordered[n // 2, cols]
    return np.where(n > 0, (low + high) / 2, np.nan)


def amounts(
    kept: list[list[object]],
    numbers: list[int],
    cols: Columns,
    attrs: pd.DataFrame,
    ctx: Ctx,
    report: LoadReport,
    problems: list[Problem],
) -> pd.DataFrame | None:
    """R6: 交付見込額（案）and 確定額 per grant (千円), one row per entity, long by grant."""
    if not cols.amounts:
        return None
    keys = list(cols.amounts)
    heads = [f"{ctx.lay.printed['amount_' + kind]} {g}" for kind, g in keys]
    values = matrix(kept, list(cols.amounts.values()), numbers, ctx, heads, report, problems)
    parts = []
    for g in dict.fromkeys(g for _, g in keys):
        part = attrs[["entity_code", "entity"]].assign(grant=g)
        for kind in ("plan", "final"):
            if (kind, g) in cols.amounts:
                part[f"{kind}_thousand_yen"] = values[:, keys.index((kind, g))]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
