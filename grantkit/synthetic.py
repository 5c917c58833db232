"""Synthetic MHLW national result workbooks (架空データ) with the real shape, for tests, benchmarks and demos.

Real national workbooks cannot be downloaded here. These have the shape described in domain.md §5: a
title row, a merged header block (交付金 / 目標 / 指標群 / 指標番号 / 指標名 / 枝番), statistics rows, the
leading entity columns with last year's 前年度得点・順位, one column per 枝番, subtotal columns by heading
(目標Ⅰ合計 … 推進合計 支援合計 推進・支援合計, 順位 last), 広域連合 rows without scores and, for R6, the
交付見込額（案）/確定額 columns. The headings come from the same layout file the loader reads
(``io/layouts/mhlw.csv``), so a layout change is one edit. Every title says 架空データ.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .eras import era_label_long, fiscal_year as to_fiscal_year
from .prefectures import PREFECTURES

GROUP_CODES = {"（ⅰ）体制・取組指標群": "体制・取組", "（ⅱ）活動指標群": "活動", "成果指標群": "成果"}
BRANCHES = "アイウエオカキク"
FAKE_STEMS = "みどり あさひ ひかり さくら つばき かえで みなと やまと はるか いずみ ふたば こまち".split()


@dataclass(frozen=True)
class Column:
    """One score column: its place in the header block and its 配点."""

    grant: str
    goal: str
    group: str
    item: int
    name: str
    branch: str
    max_score: float


def layout_for(year: int) -> dict[str, str]:
    """The headings of one year from ``io/layouts/mhlw.csv`` (canonical name → heading)."""
    from .io.mhlw import layout

    return layout(year)


def score_columns(year: int, items_per_group: int = 4) -> list[Column]:
    """The score columns of a year: per grant, per 目標 (and 指標群 from R6), items with 枝番.

    From R6 each 目標 is worth 100 points per grant and 目標Ⅳ is the same block in both grants; before R6
    three categories with raw points (支援 only from R2 = 2020).
    """
    lay = layout_for(year)
    goals = lay["goals"].split("|")
    groups = [g for g in lay["groups"].split("|") if g]
    grants = ["推進", "支援"] if year >= 2020 else ["推進"]
    cols: list[Column] = []
    for grant in grants:
        for g, goal in enumerate(goals):
            goal_groups = (["成果指標群"] if goal.startswith(lay["shared_goal"] or "\0") else groups[:2]) if groups else [""]
            per_goal = [(grp, i) for grp in goal_groups for i in range(1, items_per_group + 1)]
            points = 100.0 if groups else float(40 + 20 * g)
            branches = [(grp, i, b) for grp, i in per_goal for b in BRANCHES[: 1 + (i % 3)]]
            each = points / len(branches)
            for grp, i, b in branches:
                cols.append(Column(grant, goal, grp, i, f"{goal.split()[0]}の評価項目{i}", b, round(each, 2)))
    return cols


def _fake_entities(rng: np.random.Generator, n: int, n_unions: int) -> list[dict]:
    prefs = list(PREFECTURES)
    out = []
    for k in range(n):
        pref = prefs[k % 47]
        pop = int(np.exp(rng.normal(10.0, 1.3)))
        name = f"{FAKE_STEMS[(k // 47) % len(FAKE_STEMS)]}{'市' if pop > 50_000 else '町'}"
        if k // 47 >= len(FAKE_STEMS):
            name = f"{FAKE_STEMS[k % len(FAKE_STEMS)]}{k // 47}{'市' if pop > 50_000 else '町'}"
        out.append({"prefecture_code": pref, "insurer_code": f"{pref}{1000 + k:04d}", "prefecture": PREFECTURES[pref],
                    "entity": name, "population": pop, "first_insured": int(pop * rng.uniform(0.25, 0.42)),
                    "size_class": "大規模" if pop >= 100_000 else "中規模" if pop >= 10_000 else "小規模",
                    "depopulated": rng.choice(["非過疎", "一部過疎", "全部過疎"], p=[0.5, 0.2, 0.3]) if pop < 50_000 else "非過疎",
                    "union": False})
    for u in range(n_unions):
        pref = prefs[(u * 7) % 47]
        out.append({"prefecture_code": pref, "insurer_code": f"{pref}9{u:03d}", "prefecture": PREFECTURES[pref],
                    "entity": f"{PREFECTURES[pref].removesuffix('県')}東部介護保険広域連合", "population": None,
                    "first_insured": None, "size_class": None, "depopulated": None, "union": True})
    return out


def national_workbook(path: str | Path, fiscal_year: int | str, *, n_municipalities: int = 300, n_unions: int = 3,
                      items_per_group: int = 4, seed: int = 0, prefectures: bool = True) -> Path:
    """Write a synthetic national workbook (both sheets) for one 交付年度 and return its path.

    ``n_municipalities=1741, items_per_group≈22`` gives the real size (~1,780 rows × ~1,560 columns).
    """
    import xlsxwriter

    year = to_fiscal_year(fiscal_year)
    lay = layout_for(year)
    rng = np.random.default_rng(seed + year)
    cols = score_columns(year, items_per_group)
    big = n_municipalities * len(cols) > 200_000
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": big, "strings_to_numbers": False,
                                         "strings_to_formulas": False})
    from datetime import datetime

    wb.set_properties({"created": datetime(2000, 1, 1), "title": "架空データ"})
    ents = _fake_entities(np.random.default_rng(seed), n_municipalities, n_unions)  # same towns every year
    _sheet(wb, lay["sheet_municipal"], lay, year, cols, ents, rng, municipal=True, merge=not big)
    if prefectures:
        prefs = [{"prefecture_code": c, "insurer_code": c, "prefecture": n, "entity": n,
                  "population": int(np.exp(rng.normal(14.3, 0.6))), "union": False} for c, n in PREFECTURES.items()]
        for p in prefs:
            p["first_insured"] = int(p["population"] * 0.3)
        _sheet(wb, lay["sheet_prefecture"], lay, year, cols, prefs, rng, municipal=False, merge=True)
    wb.close()
    return Path(path)


def _leading(lay: dict[str, str], municipal: bool) -> list[str]:
    keys = (["serial_no", "prefecture_code", "insurer_code", "prefecture", "entity", "population", "first_insured",
             "size_class", "depopulated", "prev_total", "prev_rank"] if municipal else
            ["serial_no", "prefecture_code", "prefecture", "population", "first_insured", "prev_total", "prev_rank"])
    return [k for k in keys if lay[k]]


def _sheet(wb, name, lay, year, cols, ents, rng, *, municipal, merge):
    ws = wb.add_worksheet(name)
    lead = _leading(lay, municipal)
    grants = list(dict.fromkeys(c.grant for c in cols))
    shared = lay["shared_goal"]
    # Column plan: leading, then per grant (per goal: items, goal total), grant total; then totals, amounts.
    plan: list[tuple] = [("lead", k) for k in lead]
    for grant in grants:
        for goal in dict.fromkeys(c.goal for c in cols if c.grant == grant):
            plan += [("item", c) for c in cols if c.grant == grant and c.goal == goal]
            plan.append(("goal_total", grant, goal))
        plan.append(("grant_total", grant))
    plan += [("total",), ("rank",)]
    if lay["amount_plan"]:
        plan += [("amount", lay["amount_plan"], g) for g in grants] + [("amount", lay["amount_final"], g) for g in grants]
    tag = "市町村分" if municipal else "都道府県分"
    ws.write_string(0, 0, f"【架空データ】{era_label_long(year)} 保険者機能強化推進交付金・介護保険保険者努力支援交付金 "
                          f"{lay['title_marker']}（{tag}）")
    header = [[None] * len(plan) for _ in range(7)]  # rows 2..8
    last = {}
    for j, p in enumerate(plan):
        if p[0] == "lead":
            header[0][j] = lay[p[1]]
        elif p[0] == "item":
            c = p[1]
            for r, key, value in ((0, "grant", lay[f"grant_{c.grant}"]), (1, "goal", c.goal), (2, "group", c.group),
                                  (3, "item", str(c.item))):
                if last.get(key) != (c.grant, c.goal, c.group, c.item)[: r + 1]:
                    header[r][j] = value
                    last[key] = (c.grant, c.goal, c.group, c.item)[: r + 1]
                    for lower in ("goal", "group", "item")[r:]:
                        if lower != key:
                            last.pop(lower, None)
            if header[3][j] is not None:
                header[4][j] = c.name
            header[5][j] = c.branch
        elif p[0] == "goal_total":
            header[1][j] = f"{p[2].split()[0]}{lay['goal_total_suffix']}"
            last.pop("goal", None)
        elif p[0] == "grant_total":
            header[1][j] = lay[f"grant_total_{p[1]}"]
        elif p[0] in ("total", "rank"):
            header[0][j] = lay[p[0]]
        else:
            header[0][j] = p[1]
            header[1][j] = p[2]
    for r, row in enumerate(header, start=1):
        for j, v in enumerate(row):
            if v is not None:
                ws.write_string(r, j, v)
    scores, totals = _scores(rng, cols, ents, shared)
    item_idx = {c: i for i, c in enumerate(cols)}
    valid = [k for k, e in enumerate(ents) if not e["union"]]
    stats_rows = ["stat_max", "stat_sum", "stat_mean", "stat_item_mean", "stat_mean_rate", "stat_median", "stat_std",
                  "stat_n", "stat_rate"]
    label_col = lead.index("entity") if "entity" in lead else lead.index("prefecture")
    r0 = 8
    for s, key in enumerate(stats_rows):
        ws.write_string(r0 + s, label_col, lay[key])
        for j, p in enumerate(plan):
            vals = None
            if p[0] == "item":
                vals = scores[valid, item_idx[p[1]]]
                mx = p[1].max_score
            elif p[0] in ("goal_total", "grant_total", "total"):
                vals = totals[p][valid]
                mx = _max_of(p, cols)
            if vals is None:
                continue
            v = {"stat_max": mx, "stat_sum": vals.sum(), "stat_mean": vals.mean(), "stat_item_mean": vals.mean(),
                 "stat_mean_rate": vals.mean() / mx if mx else 0.0, "stat_median": float(np.median(vals)),
                 "stat_std": float(vals.std()), "stat_n": float((vals > 0).sum()),
                 "stat_rate": float((vals > 0).mean())}[key]
            ws.write_number(r0 + s, j, round(float(v), 6))
    first = r0 + len(stats_rows)
    rank = _rank(totals[("total",)], valid)
    prev = totals[("total",)] * rng.uniform(0.8, 1.1, len(ents))
    prev_rank = _rank(prev, valid)
    for k, e in enumerate(ents):
        r = first + k
        for j, p in enumerate(plan):
            if p[0] == "lead":
                key = p[1]
                value = {"serial_no": k + 1, "prev_total": None if e["union"] else round(float(prev[k])),
                         "prev_rank": None if e["union"] else prev_rank[k]}.get(key, e.get(key))
                if key == "insurer_code" or key == "prefecture_code":
                    ws.write_string(r, j, str(value))
                elif isinstance(value, str):
                    ws.write_string(r, j, value)
                elif value is not None:
                    ws.write_number(r, j, float(value))
            elif e["union"]:
                continue
            elif p[0] == "item":
                ws.write_number(r, j, float(scores[k, item_idx[p[1]]]))
            elif p[0] == "rank":
                ws.write_number(r, j, float(rank[k]))
            elif p[0] == "amount":
                ws.write_number(r, j, float(round(totals[("grant_total", p[2])][k] * e["first_insured"] / 1000)))
            else:
                ws.write_number(r, j, float(totals[p][k]))
    if merge:
        ws.set_column(0, len(plan), 10)


def _max_of(p: tuple, cols: list[Column]) -> float:
    if p[0] == "goal_total":
        return sum(c.max_score for c in cols if c.grant == p[1] and c.goal == p[2])
    if p[0] == "grant_total":
        return sum(c.max_score for c in cols if c.grant == p[1])
    return sum(c.max_score for c in cols)


def _scores(rng, cols, ents, shared):
    n = len(ents)
    ability = rng.beta(5, 3, n)
    difficulty = rng.uniform(0.1, 0.9, len(cols))
    p = np.clip(ability[:, None] * 1.3 - difficulty[None, :] * 0.6, 0.02, 0.98)
    got = (rng.random((n, len(cols))) < p).astype(float)
    scores = got * np.array([c.max_score for c in cols])[None, :]
    if shared:  # 目標Ⅳ: the same items and score in both grants
        first = {(c.goal, c.group, c.item, c.branch): i for i, c in enumerate(cols) if c.grant == cols[0].grant}
        for i, c in enumerate(cols):
            if c.goal.startswith(shared) and c.grant != cols[0].grant:
                scores[:, i] = scores[:, first[(c.goal, c.group, c.item, c.branch)]]
    scores = np.round(scores, 2)
    totals = {}
    for grant in dict.fromkeys(c.grant for c in cols):
        for goal in dict.fromkeys(c.goal for c in cols if c.grant == grant):
            idx = [i for i, c in enumerate(cols) if c.grant == grant and c.goal == goal]
            totals[("goal_total", grant, goal)] = np.round(scores[:, idx].sum(axis=1), 2)
        idx = [i for i, c in enumerate(cols) if c.grant == grant]
        totals[("grant_total", grant)] = np.round(scores[:, idx].sum(axis=1), 2)
    totals[("total",)] = np.round(scores.sum(axis=1), 2)
    return scores, totals


def _rank(values: np.ndarray, valid: list[int]) -> dict[int, int]:
    v = values[valid]
    order = {k: int((v > values[k]).sum()) + 1 for k in valid}
    return order
