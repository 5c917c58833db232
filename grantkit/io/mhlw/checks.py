"""Checks: the printed subtotals and their 配点 against the leaves, alternatives (択一) found from the data, and the
shared 目標Ⅳ block.

Every printed subtotal (指標群 「Ⅰ（ⅰ）計」, 目標 「Ⅰ合計」, 推進合計・支援合計, 推進・支援合計) sums its leaves. Where an
indicator has several branches (ア, イ …) of which only the higher counts, the leaf sum exceeds the printed subtotal
and its 配点; such an indicator is read as an alternative only when taking its higher branch reproduces the printed
subtotal's 配点 and its cells (all of them, or all but a few: a mistyped cell is then reported alone, not as every row
of its subtotal), and no other set of indicators does. After that, any disagreement is an error naming the cell.
"""

from __future__ import annotations

from itertools import product

import numpy as np

from ...domain import PROMOTION, SUPPORT
from ...errors import Problem
from ...provenance import LoadReport
from .extract import Columns, Ctx, Item, Subtotal, label

TOLERANCE = 0.01
_BRUTE_FORCE = 12


def targets(items: list[Item], subtotals: list[Subtotal]) -> list[np.ndarray]:
    """For each printed subtotal (then the total), the mask of the leaves it sums."""
    grant = np.array([it.grant for it in items])
    goal = np.array([it.goal for it in items])
    group = np.array([it.group for it in items])
    out = []
    for s in subtotals:
        if s.kind == "group":
            out.append((grant == s.grant) & (goal == s.goal) & (group == s.group))
        elif s.kind == "goal":
            out.append(((grant == s.grant) if s.grant else True) & (goal == s.goal))
        else:
            out.append(grant == s.grant)
    return [np.broadcast_to(m, grant.shape).copy() for m in out] + [np.ones(len(items), bool)]


def alternative_groups(items: list[Item]) -> list[np.ndarray]:
    """Positions of the leaves of each indicator read as an alternative (same grant and indicator)."""
    keys: dict[tuple[str, str], list[int]] = {}
    for k, it in enumerate(items):
        if it.alternative:
            keys.setdefault((it.grant, it.alternative), []).append(k)
    return [np.array(v) for v in keys.values()]


def counted(values: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """``values`` (rows × leaves, or one row of 配点) with each alternative counted once: its higher branch in its
    first leaf, 0 in the others."""
    out = np.array(values, dtype="float64", copy=True)
    two = out.ndim == 2
    for g in groups:
        block = out[:, g] if two else out[g]
        best = np.where(np.isnan(block).all(axis=-1), np.nan, np.nanmax(np.nan_to_num(block, nan=-np.inf), axis=-1))
        if two:
            out[:, g] = 0.0
            out[:, g[0]] = best
        else:
            out[g] = 0.0
            out[g[0]] = best
    return out


def find_alternatives(
    scores: np.ndarray, max_score: np.ndarray, published: np.ndarray, sub_max: np.ndarray, cols: Columns
) -> list[str]:
    """Mark (``Item.alternative``) the indicators whose higher branch alone reproduces their finest printed subtotal
    on every row and its 配点; return a line per indicator found, for the load report."""
    masks = targets(cols.items, cols.subtotals)
    decided = np.zeros(len(cols.items), bool)
    found: list[str] = []
    for k in sorted(range(len(masks)), key=lambda k: int(masks[k].sum())):
        mask = masks[k] & ~decided
        if not mask.any():
            continue
        decided |= masks[k]
        groups: dict[str, list[int]] = {}
        for p in np.flatnonzero(mask):
            groups.setdefault(cols.items[p].item, []).append(int(p))
        candidates = [np.array(v) for v in groups.values() if len(v) > 1 and _both_scored(scores[:, v])]
        current = alternative_groups(cols.items)
        rows_off = np.nansum(counted(scores, current)[:, masks[k]], axis=1) - published[:, k]
        printed = 0.0 if np.isnan(sub_max[k]) else sub_max[k]
        max_off = float(np.nansum(counted(max_score, current)[masks[k]])) - printed
        if not candidates or (np.abs(rows_off) <= TOLERANCE).all() and abs(max_off) <= TOLERANCE:
            continue
        pick = _solve(scores, max_score, candidates, rows_off, max_off if not np.isnan(sub_max[k]) else None)
        for g in pick:
            first = cols.items[g[0]]
            for p in g:
                cols.items[p].alternative = first.item
            names = "・".join(cols.items[p].code.removeprefix(first.item) or cols.items[p].code for p in g)
            found.append(
                f"{first.grant} {first.item}（{names}）: いずれか高い方の得点を数える択一の項目"
                f"（配点 {np.nanmax(max_score[g]):g}）"
            )
    return found


def _both_scored(block: np.ndarray) -> bool:
    """Whether some row scores on two branches: the only evidence the rows can give of an alternative."""
    return bool(((np.nan_to_num(block) > 0).sum(axis=1) > 1).any())


def _solve(
    scores: np.ndarray, max_score: np.ndarray, candidates: list[np.ndarray], rows_off: np.ndarray, max_off: float | None
) -> list[np.ndarray]:
    """The one set of candidates whose excess over their higher branch equals what the printed subtotal is short of,
    in 配点 (when printed) and on the rows; [] when no set or more than one does. A set that fits all but a few rows
    (under 10 %) still counts: those rows then fail the subtotal check, each named, instead of every row."""
    excess = np.column_stack(
        [
            np.nansum(scores[:, g], axis=1)
            - np.nan_to_num(np.nanmax(np.nan_to_num(scores[:, g], nan=-np.inf), axis=1), neginf=0.0)
            for g in candidates
        ]
    )
    excess = np.nan_to_num(excess)
    m_ex = np.array([max_score[g].sum() - max_score[g].max() for g in candidates])
    if len(candidates) <= _BRUTE_FORCE:
        choices = np.array(list(product((0.0, 1.0), repeat=len(candidates)))).T  # candidates × subsets
        fits = (np.abs(excess @ choices - rows_off[:, None]) <= TOLERANCE).sum(axis=0)
        if max_off is not None:
            fits = np.where(np.abs(m_ex @ choices - max_off) <= TOLERANCE, fits, -1)
        best = np.flatnonzero(fits == fits.max())
        if len(best) != 1 or fits[best[0]] < 0.9 * len(rows_off):
            return []
        z = choices[:, best[0]]
    else:
        a, b = (np.vstack([excess, m_ex]), np.append(rows_off, max_off)) if max_off is not None else (excess, rows_off)
        z = np.round(np.linalg.lstsq(a, b, rcond=None)[0])
        if not np.isin(z, (0.0, 1.0)).all() or not (np.abs(a @ z - b) <= TOLERANCE).all():
            return []
    return [g for g, on in zip(candidates, z) if on]


def check_subtotals(
    scores: np.ndarray,
    max_score: np.ndarray,
    published: np.ndarray,
    sub_max: np.ndarray,
    cols: Columns,
    ctx: Ctx,
    strict: bool,
    problems: list[Problem],
    report: LoadReport,
    numbers: list[int],
    stat_row: int,
) -> list[str]:
    """Every printed subtotal and its 配点 against its leaves (alternatives counted once); lines for ``checks``."""
    groups = alternative_groups(cols.items)
    leaf = counted(scores, groups)
    top = counted(max_score, groups)
    masks = targets(cols.items, cols.subtotals)
    names = [
        *(s.label + (f"（{s.grant}）" if s.kind in ("group", "goal") else "") for s in cols.subtotals),
        ctx.lay.printed["total"],
    ]
    where = [s.col for s in cols.subtotals] + [cols.special["total"]]
    hint = (
        "（いずれか高い方を数える択一の項目として読んでも合いません。セルの値を確かめてください。"
        "strict=False なら報告に記録して読みます）"
    )
    off_cells = off_max = 0
    for k, (mask, name) in enumerate(zip(masks, names)):
        sums = np.nansum(leaf[:, mask], axis=1)
        off = np.flatnonzero(np.abs(sums - published[:, k]) > TOLERANCE)
        off_cells += len(off)
        for i in off[:20]:
            msg = f"公表の「{name}」{published[i, k]:g} が明細の合計 {sums[i]:g} と一致しません"
            _record(
                problems,
                report,
                strict,
                ctx.problem(msg + hint, int(numbers[i]), label(name, where[k]), published[i, k]),
            )
    for k, (mask, name) in enumerate(zip(masks, names)):
        want = float(np.sum(top[mask]))
        if not np.isnan(sub_max[k]) and not np.isnan(want) and abs(want - sub_max[k]) > TOLERANCE:
            off_max += 1
            msg = f"配点の「{name}」{sub_max[k]:g} が明細の配点の合計 {want:g} と一致しません"
            _record(problems, report, strict, ctx.problem(msg + hint, stat_row, label(name, where[k]), sub_max[k]))
    kinds = {
        name: sum(s.kind == kind for s in cols.subtotals)
        for kind, name in (("group", "指標群の小計"), ("goal", "目標の小計"), ("grant", "交付金の合計"))
    }
    what = "・".join([*(f"{name} {n} 列" for name, n in kinds.items() if n), "総合計 1 列"])
    return [
        f"公表の{what}を明細の合計と照合（択一は高い方を1回）: "
        + ("すべて一致" if off_cells == 0 else f"{off_cells} セルが不一致（報告に記載）"),
        f"配点: {what}を明細の配点の合計と照合: "
        + ("すべて一致" if off_max == 0 else f"{off_max} 列が不一致（報告に記載）"),
    ]


def _record(problems: list[Problem], report: LoadReport, strict: bool, problem: Problem) -> None:
    if strict:
        problems.append(problem)
    else:
        report.notes.append(f"{problem.row}行目 {problem.column}: {problem.message}")


def shared_goal(
    scores: np.ndarray, max_score: np.ndarray, cols: Columns, ctx: Ctx, problems: list[Problem], numbers: list[int]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The shared 目標Ⅳ: equal in both grants, or copied from 推進 into 支援 when printed once."""
    shared = ctx.lay.headings["shared_goal"]
    if not shared:
        return scores, max_score, []
    grant = np.array([it.grant for it in cols.items])
    goal = np.array([it.goal for it in cols.items])
    src = np.flatnonzero((grant == PROMOTION) & (goal == shared))
    dup = np.flatnonzero((grant == SUPPORT) & (goal == shared))
    if len(dup) == 0 and len(src) and SUPPORT in ctx.lay.grants().values():
        cols.items.extend(
            Item(
                -1,
                SUPPORT,
                *(
                    getattr(cols.items[k], f)
                    for f in ("goal", "goal_name", "group", "group_name", "item", "code", "name", "alternative")
                ),
            )
            for k in src
        )
        return (
            np.concatenate([scores, scores[:, src]], axis=1),
            np.concatenate([max_score, max_score[src]]),
            [f"{shared}: 支援の列がないため推進の列を支援にも計上（同じ指標・同じ得点）"],
        )
    if not len(dup):
        return scores, max_score, []
    push, support = [cols.items[k].code for k in src], [cols.items[k].code for k in dup]
    if push != support:
        problems.append(
            ctx.problem(
                f"{shared} の指標が推進と支援で一致しません（推進: {'・'.join(push)}、支援: "
                f"{'・'.join(support)}。同じ指標が両方に計上されるはずです）"
            )
        )
        return scores, max_score, []
    for i, k in np.argwhere(~np.isclose(scores[:, dup], scores[:, src], equal_nan=True))[:20]:
        problems.append(
            ctx.problem(
                f"{shared} {push[k]} の得点が推進 {scores[i, src[k]]:g}、支援 {scores[i, dup[k]]:g} と違います"
                "（同じ指標・同じ得点が両方に計上されるはずです）",
                int(numbers[i]),
                label(f"支援 {support[k]}", cols.items[dup[k]].col),
                scores[i, dup[k]],
            )
        )
    return (
        scores,
        max_score,
        [f"{shared}: 支援の列は推進の列と同一（明細の合計では1回だけ数え、各交付金の合計にはそれぞれ計上）"],
    )
