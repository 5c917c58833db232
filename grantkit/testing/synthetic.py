"""Synthetic MHLW national result workbooks (架空データ) with the real shape, for tests, benchmarks and demos.

Tests and demos cannot rely on the real workbooks being at hand; these have their shape: a title row
saying 【架空データ】, a merged header block (交付金名 / 目標 / 指標群 / 指標番号 / 指標名 / 枝番 / 細目),
statistics rows, the leading entity columns with last year's 前年度得点・前年度順位, one column per leaf,
subtotal columns (目標Ⅰ合計 … 推進合計 支援合計 推進・支援合計) and 順位 last, 広域連合 rows without
scores and, for R6, 交付見込額（案）/確定額. Headings come from the same layout files the loader reads, so a
layout change is one edit there. Entities are the same every year for one ``seed`` and 前年度得点 is the
previous year's total, so two consecutive files form a consistent series.
Example: ``national_workbook("r7.xlsx", "R7", "市町村", n_municipalities=300)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np

from ..domain import MUNICIPALITY, PREFECTURE, PROMOTION, SUPPORT
from ..eras import era_label_long
from ..io.mhlw import Layout, layout, supported_years
from ..io.mhlw.layout import LEADING
from ..prefectures import PREFECTURES

# Approximate number of 市区町村 per prefecture (sums to 1,741): where synthetic towns are placed.
MUNICIPALITIES_PER_PREFECTURE = (
    179,
    40,
    33,
    35,
    25,
    35,
    59,
    44,
    25,
    35,
    63,
    54,
    62,
    33,
    30,
    15,
    19,
    17,
    27,
    77,
    42,
    35,
    54,
    29,
    19,
    26,
    43,
    41,
    39,
    30,
    19,
    19,
    27,
    23,
    19,
    24,
    17,
    20,
    34,
    60,
    20,
    21,
    45,
    18,
    26,
    43,
    41,
)
FULL_SIZE = {"n_municipalities": 1741, "n_unions": 38, "items_per_group": 42}
"""Arguments giving the real size: 1,779 rows (1,741 scored) × about 1,560 columns."""
SYNTHETIC_BUDGET_YEN = {PROMOTION: 9_500_000_000, SUPPORT: 19_000_000_000}
"""架空の市町村分予算額 for 1,741 municipalities (scaled to the sample size), used for the R6 amounts."""
PRE_R6_MAX = {PROMOTION: 1355.0, SUPPORT: 830.0}
_GOAL_SHARE = (0.3, 0.5, 0.2)
_STEMS = (
    "あおば",
    "あさひ",
    "いずみ",
    "うみべ",
    "おおぞら",
    "かえで",
    "かすみ",
    "きよさと",
    "こまち",
    "さくら",
    "しらかば",
    "すずらん",
    "たかね",
    "つばき",
    "ときわ",
    "なぎさ",
    "はるか",
    "ひかり",
    "ふたば",
    "ほたる",
    "みずほ",
    "みどり",
    "みなと",
    "もみじ",
    "やまと",
    "ゆうひ",
    "わかば",
    "ことぶき",
    "しおかぜ",
    "せせらぎ",
)
_TAILS = ("", "の", "が", "ざわ", "だい", "はら", "がわ", "やま", "さき", "おか", "の森", "の里")
_BRANCHES = "アイウエオカキク"
_CIRCLED = "①②③④⑤"


@dataclass(frozen=True)
class Column:
    """One leaf column: its place in the header block (目標/指標群 as codes) and its 配点."""

    grant: str
    goal: str
    group: str
    item: str
    name: str
    branch: str
    sub_branch: str
    max_score: float


def score_columns(fiscal_year: int | str, level: str = MUNICIPALITY, items_per_group: int = 4) -> list[Column]:
    """The leaf columns of a synthetic workbook, per grant, 目標 and 指標群 (from R6) in official order.

    From R6 each 目標 is worth 100 points per grant and 目標Ⅳ (成果指標群) is the same block in both
    grants; before R6 three categories share the 推進 1,355 / 支援 830 points of R5. Prefecture sheets have
    half as many items. 配点 are multiples of 0.25, so every sum is exact.

    >>> cols = score_columns("R7", items_per_group=2)
    >>> sum(c.max_score for c in cols if c.grant == "推進" and c.goal == "目標Ⅰ")
    100.0
    """
    lay = layout(fiscal_year)
    n = items_per_group if level == MUNICIPALITY else max(2, items_per_group // 2)
    shared = lay.headings["shared_goal"]
    goals = list(lay.goals)
    rng = np.random.default_rng(lay.year)
    cols: list[Column] = []
    for grant in lay.grants().values():
        for g, goal in enumerate(goals):
            if grant == SUPPORT and goal == shared:  # the 推進 block: same items, same 配点
                cols += [replace(c, grant=SUPPORT) for c in cols if c.grant == PROMOTION and c.goal == shared]
                continue
            groups = (["成果"] if goal == shared else ["体制・取組", "活動"]) if lay.groups else [""]
            spec = []
            for k, group in enumerate(groups):
                count = max(2, n // 2) if goal == shared else (n if lay.groups else 2 * n)
                for i in range(k * count + 1, (k + 1) * count + 1):
                    nb = 1 + (i * 7) % 4
                    for b in range(nb):
                        subs = _CIRCLED[:3] if (nb > 1 and b == 1 and i % 5 == 0) else ""
                        spec += [(group, str(i), _BRANCHES[b] if nb > 1 else "", s) for s in subs or [""]]
            points = 100.0 if lay.groups else PRE_R6_MAX[grant] * _GOAL_SHARE[g]
            maxima = _split(points, rng.integers(1, 5, len(spec)))
            cols += [
                Column(grant, goal, grp, i, f"{goal}の評価指標{i}（架空）", b, s, m)
                for (grp, i, b, s), m in zip(spec, maxima)
            ]
    return cols


def _split(points: float, weights: np.ndarray) -> list[float]:
    """``points`` in quarter points over the leaves in proportion to ``weights`` (at least ¼ each, exact sum)."""
    units = int(round(points * 4))
    share = weights / weights.sum() * (units - len(weights))
    base = np.floor(share).astype(int)
    order = np.argsort(-(share - base), kind="stable")
    base[order[: units - len(weights) - base.sum()]] += 1
    return ((base + 1) / 4).tolist()


def _entities(n: int, n_unions: int, seed: int) -> list[dict]:
    """Fake municipalities spread over the 47 prefectures like the real ones, sorted by 保険者番号.

    Names are made up and unique except one deliberate pair of same-named towns in two prefectures
    (real Japan has such pairs); 広域連合 rows carry no score.
    """
    rng = np.random.default_rng(seed)
    weights = np.asarray(MUNICIPALITIES_PER_PREFECTURE, dtype=float)
    per = np.minimum(np.floor(weights / weights.sum() * n), weights).astype(int)
    per = np.maximum(per, 1 if n >= 47 else 0)
    for k in np.argsort(-weights, kind="stable")[: max(0, n - per.sum())]:
        per[k] += 1
    while per.sum() > n:
        per[int(np.argmax(per))] -= 1
    names = [a + b for b in _TAILS for a in _STEMS]
    rng.shuffle(names)
    out, used = [], 0
    for p, (pref_code, pref) in enumerate(PREFECTURES.items()):
        for k in range(per[p]):
            pop = int(np.clip(np.exp(rng.normal(10.0, 1.45)), 180, 3_700_000))
            kind = "市" if pop >= 50_000 else ("村" if pop < 5_000 and rng.random() < 0.4 else "町")
            out.append(
                {
                    "prefecture_code": pref_code,
                    "insurer_code": f"{pref_code}{2 * k + 1:03d}{(p + k) % 10}",
                    "prefecture": pref,
                    "entity": names[used % len(names)] + kind,
                    "population": pop,
                    "first_insured": int(pop * rng.uniform(0.22, 0.45)),
                    "size_class": _size_class(pop),
                    "depopulated": _depopulated(pop, rng),
                    "union": False,
                }
            )
            used += 1
    towns = [e for e in out if e["entity"].endswith("町")]
    other = next((e for e in towns if e["prefecture_code"] != towns[0]["prefecture_code"]), None) if towns else None
    if other is not None:
        other["entity"] = towns[0]["entity"]
    for u in range(n_unions):
        pref_code = list(PREFECTURES)[(u * 7 + 3) % 47]
        stem = _STEMS[u % len(_STEMS)]
        out.append(
            {
                "prefecture_code": pref_code,
                "insurer_code": f"{pref_code}9{u:02d}{u % 10}",
                "prefecture": PREFECTURES[pref_code],
                "entity": f"{stem}地区介護保険広域連合" if u % 2 == 0 else f"{stem}郡介護保険事務組合",
                "population": None,
                "first_insured": None,
                "size_class": None,
                "depopulated": None,
                "union": True,
            }
        )
    return sorted(out, key=lambda e: e["insurer_code"])


def _size_class(population: int) -> str:
    for limit, label in (
        (10_000, "人口1万人未満"),
        (50_000, "人口1万人以上5万人未満"),
        (100_000, "人口5万人以上10万人未満"),
    ):
        if population < limit:
            return label
    return "人口10万人以上"


def _depopulated(population: int, rng: np.random.Generator) -> str:
    p = float(np.clip(0.6 - 0.45 * (np.log10(population) - 4), 0.02, 0.95))
    if rng.random() >= p:
        return "非過疎"
    return str(rng.choice(["全部過疎", "一部過疎", "みなし過疎"], p=[0.6, 0.3, 0.1]))


def _prefecture_entities() -> list[dict]:
    rng = np.random.default_rng(47)
    out = []
    for code, name in PREFECTURES.items():
        pop = int(np.exp(rng.normal(14.3, 0.6)))
        out.append(
            {
                "prefecture_code": code,
                "insurer_code": code,
                "prefecture": name,
                "entity": name,
                "population": pop,
                "first_insured": int(pop * 0.3),
                "union": False,
            }
        )
    return out


def _scores(cols: list[Column], ents: list[dict], year: int, seed: int) -> np.ndarray:
    """Scores per entity × leaf: an ability per entity (stable over years, larger places a little higher),
    a difficulty per leaf; full marks, half marks or nothing. 目標Ⅳ identical in both grants."""
    scored = [e for e in ents if not e["union"]]
    base = np.random.default_rng(seed + 1)
    ability = base.normal(0.6, 0.9, len(scored))
    ability += 0.25 * (np.log10([max(e["population"], 1) for e in scored]) - 4)
    rng = np.random.default_rng([seed, year])
    ability = ability + rng.normal(0, 0.3, len(scored))
    difficulty = rng.normal(0, 1.3, len(cols))
    p = 1 / (1 + np.exp(-(ability[:, None] - difficulty[None, :])))
    u = rng.random(p.shape)
    maxima = np.array([c.max_score for c in cols])
    scores = np.where(u < p, maxima, np.where((u < p + 0.1) & (maxima >= 1), maxima / 2, 0.0))
    shared = layout(year).headings["shared_goal"]
    first = {(c.goal, c.group, c.item, c.branch, c.sub_branch): i for i, c in enumerate(cols) if c.grant == PROMOTION}
    for i, c in enumerate(cols):
        if c.grant == SUPPORT and c.goal == shared:
            scores[:, i] = scores[:, first[(c.goal, c.group, c.item, c.branch, c.sub_branch)]]
    return scores


def synthetic_budget(grant: str, n_municipalities: int) -> int:
    """The 架空の市町村分予算額 (yen) behind the synthetic R6 amounts, scaled to the number of municipalities.

    Parameters
    ----------
    grant
        "推進" or "支援".
    n_municipalities
        The number of municipalities of the synthetic workbook.

    Returns
    -------
    int
        The budget in yen: ``SYNTHETIC_BUDGET_YEN[grant]`` at 1,741 municipalities, proportionally less for fewer.

    Examples
    --------
    >>> synthetic_budget("推進", 1741)
    9500000000
    """
    return SYNTHETIC_BUDGET_YEN[grant] * n_municipalities // 1741


def national_workbook(
    path: str | Path,
    fiscal_year: int | str,
    level: str | None = None,
    *,
    n_municipalities: int = 300,
    n_unions: int = 3,
    items_per_group: int = 4,
    seed: int = 0,
) -> Path:
    """Write a synthetic national result workbook for one 交付年度 and return its path.

    The entities and scores are fictitious; the same arguments write the same workbook. ``**FULL_SIZE`` gives
    the real size (1,779 rows × about 1,560 columns), written in constant memory.

    Parameters
    ----------
    path
        Where to write the .xlsx.
    fiscal_year
        The 交付年度 whose layout is written (e.g. "R6"; R6 adds the published amounts).
    level
        "市町村" or "都道府県" writes that sheet only (as MHLW publishes them); ``None`` writes both.
    n_municipalities, n_unions
        Scored municipalities, and 広域連合 rows (listed, not scored) besides them.
    items_per_group
        Indicators per 指標群.
    seed
        Seed of the random scores.

    Returns
    -------
    pathlib.Path
        ``path``, a workbook :func:`grantkit.load_mhlw` reads with ``n_municipalities`` scored rows.

    Examples
    --------
    >>> import tempfile
    >>> from grantkit import load_mhlw
    >>> p = national_workbook(Path(tempfile.mkdtemp()) / "r6.xlsx", "R6", "市町村", n_municipalities=50)
    >>> load_mhlw(p, cache=False).attributes["entity_code"].nunique()
    50
    """
    import xlsxwriter

    lay = layout(fiscal_year)
    levels = [level] if level else [MUNICIPALITY, PREFECTURE]
    wb = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties({"title": "架空データ（grantkit.synthetic）", "created": datetime(2000, 1, 1)})
    for lv in levels:
        key = "sheet_municipal" if lv == MUNICIPALITY else "sheet_prefecture"
        if not lay.headings[key]:
            wb.close()
            Path(path).unlink(missing_ok=True)
            raise ValueError(f"{era_label_long(lay.year)}の{lv}の様式は layouts にありません")
        ents = _entities(n_municipalities, n_unions, seed) if lv == MUNICIPALITY else _prefecture_entities()
        _Sheet(wb.add_worksheet(lay.printed[key]), lay, lv, items_per_group, ents, seed).write()
    wb.close()
    return Path(path)


_LEADING = LEADING  # the leading columns the loader knows, in its order
_STAT_ROWS = (
    "stat_max",
    "stat_sum",
    "stat_mean",
    "stat_item_mean",
    "stat_mean_rate",
    "stat_median",
    "stat_std",
    "stat_n",
    "stat_rate",
)


class _Sheet:
    """One national sheet: the column plan, the numbers, and writing them row by row (constant memory)."""

    def __init__(self, ws, lay: Layout, level: str, items_per_group: int, ents: list[dict], seed: int):
        cols = score_columns(lay.year, level, items_per_group)
        self.ws, self.lay, self.level, self.cols, self.ents = ws, lay, level, cols, ents
        hd = lay.headings
        self.lead = [
            k
            for k in _LEADING
            if hd[k] and (level == MUNICIPALITY or k not in ("insurer_code", "entity", "size_class", "depopulated"))
        ]
        self.scored = np.array([not e["union"] for e in ents])
        plan: list[tuple] = [("lead", k) for k in self.lead]
        grants = list(lay.grants().values())
        for grant in grants:
            for goal in dict.fromkeys(c.goal for c in cols if c.grant == grant):
                plan += [("leaf", i) for i, c in enumerate(cols) if c.grant == grant and c.goal == goal]
                plan.append(("goal_total", grant, goal))
            if hd[f"grant_total_{grant}"]:
                plan.append(("grant_total", grant))
        plan += [("total",), ("rank",)]
        if hd["amount_plan"] and level == MUNICIPALITY:
            plan += [("amount", kind, g) for kind in ("plan", "final") for g in grants]
        self.plan = plan
        leaves = _scores(cols, ents, lay.year, seed)
        self.values, self.maxima = self._numbers(leaves, plan)
        self.prev = self._previous(seed, items_per_group)

    def _numbers(self, leaves: np.ndarray, plan: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
        """Every numeric column for the scored rows (NaN for leading columns) and each column's 配点."""
        cols = self.cols
        grant = np.array([c.grant for c in cols])
        goal = np.array([c.goal for c in cols])
        maxima = np.array([c.max_score for c in cols])
        out = np.full((leaves.shape[0], len(plan)), np.nan)
        top = np.full(len(plan), np.nan)
        totals = {}
        for j, p in enumerate(plan):
            mask = None
            if p[0] == "leaf":
                out[:, j], top[j] = leaves[:, p[1]], maxima[p[1]]
            elif p[0] == "goal_total":
                mask = (grant == p[1]) & (goal == p[2])
            elif p[0] == "grant_total":
                mask = grant == p[1]
            elif p[0] == "total":
                mask = np.ones(len(cols), bool)
            if mask is not None:
                out[:, j], top[j] = leaves[:, mask].sum(axis=1), maxima[mask].sum()
                totals[p] = out[:, j]
        out[:, plan.index(("rank",))] = _rank(totals[("total",)])
        amounts = [j for j, p in enumerate(plan) if p[0] == "amount"]
        if amounts:
            first = np.array([e["first_insured"] for e in self.ents if not e["union"]], dtype=object)
            rng = np.random.default_rng(self.lay.year)
            for g in dict.fromkeys(plan[j][2] for j in amounts):
                g_total = totals[("grant_total", g)] if ("grant_total", g) in totals else totals[("total",)]
                weights = [int(round(s * 8)) * int(n) for s, n in zip(g_total, first)]
                budget, whole = synthetic_budget(g, int(self.scored.sum())), sum(weights)
                proposed = np.array([budget * w // whole // 1000 for w in weights], dtype=float)
                needs = np.round(proposed * rng.uniform(0.7, 1.6, len(proposed)))
                out[:, plan.index(("amount", "plan", g))] = proposed
                out[:, plan.index(("amount", "final", g))] = np.minimum(proposed, needs)
        return out, top

    def _previous(self, seed: int, items_per_group: int) -> np.ndarray:
        """前年度得点: the previous year's total of the same synthetic series (90% of this year's when the
        previous year has no layout for this level)."""
        year = self.lay.year - 1
        key = "sheet_prefecture" if self.level == PREFECTURE else "sheet_municipal"
        if year not in supported_years() or not layout(year).headings[key]:
            return np.round(self.values[:, self.plan.index(("total",))] * 0.9)
        return _scores(score_columns(year, self.level, items_per_group), self.ents, year, seed).sum(axis=1)

    def write(self) -> None:
        lay, ws = self.lay, self.ws
        tag = "市町村分" if self.level == MUNICIPALITY else "都道府県分"
        ws.write_string(
            0,
            0,
            f"【架空データ】{era_label_long(lay.year)} 保険者機能強化推進交付金・介護保険保険者努力支援交付金 "
            f"{lay.printed['title_marker']}（{tag}）※実在の団体・得点ではありません",
        )
        self._header()
        self._statistics(1 + lay.depth)
        self._rows(1 + lay.depth + len(_STAT_ROWS))

    def _header(self) -> None:
        lay, ws, depth = self.lay, self.ws, self.lay.depth
        cells: dict[tuple[int, int], tuple[str, int, int]] = {}  # (row, col) → (text, last row, last col)
        levels = [k for k in ("grant", "goal", "group", "item", "name", "branch", "sub_branch") if k in lay.levels]
        goal_row = lay.levels["goal"]
        for j, p in enumerate(self.plan):
            if p[0] in ("lead", "total", "rank"):
                cells[(0, j)] = (lay.printed[p[1] if p[0] == "lead" else p[0]], depth - 1, j)
            elif p[0] == "goal_total":
                cells[(goal_row, j)] = (lay.printed["goal_total"].format(goal=p[2]), depth - 1, j)
            elif p[0] == "grant_total":
                cells[(goal_row, j)] = (lay.printed[f"grant_total_{p[1]}"], depth - 1, j)
            elif p[0] == "amount":
                cells[(goal_row, j)] = (p[2], depth - 1, j)
        spans: list[tuple[int, int, int, str]] = []  # header row, first col, last col, text
        for r, key in enumerate(levels):
            prev = None
            for j, p in enumerate(self.plan):
                if p[0] == "leaf":
                    path = tuple(self._heading(self.cols[p[1]], k) for k in levels[: r + 1])
                elif p[0] in ("goal_total", "grant_total") and key == "grant":
                    path = (self._heading_grant(p[1]),)
                elif p[0] == "amount" and key == "grant":
                    path = ("amount", p[1])
                else:
                    prev = None
                    continue
                if path == prev:
                    spans[-1] = (*spans[-1][:2], j, spans[-1][3])
                else:
                    text = lay.printed["amount_" + p[1]] if p[0] == "amount" else path[-1]
                    spans.append((lay.levels[key], j, j, text))
                prev = path
        for row, first, last, text in spans:
            if text:
                cells[(row, first)] = (text, row, last)
        for r in range(depth):
            for (row, j), (text, last_row, last_col) in sorted((k, v) for k, v in cells.items() if k[0] == r):
                if last_row > row or last_col > j:
                    ws.merge_range(1 + row, j, 1 + last_row, last_col, text)
                else:
                    ws.write_string(1 + row, j, text)

    def _heading(self, c: Column, key: str) -> str:
        if key == "grant":
            return self._heading_grant(c.grant)
        if key in ("goal", "group"):
            return self.lay.printed.get(getattr(c, key), "")
        return getattr(c, key)

    def _heading_grant(self, grant: str) -> str:
        return self.lay.printed[f"grant_{grant}"]

    def _statistics(self, first_row: int) -> None:
        lay, ws = self.lay, self.ws
        label_col = self.lead.index("entity" if self.level == MUNICIPALITY else "prefecture")
        valid = self.values
        n = valid.shape[0]
        for s, key in enumerate(_STAT_ROWS):
            label = lay.printed["stat_n_prefecture" if key == "stat_n" and self.level == PREFECTURE else key]
            ws.write_string(first_row + s, label_col, label)
            for j, p in enumerate(self.plan):
                if p[0] not in ("leaf", "goal_total", "grant_total", "total"):
                    continue
                v, mx = valid[:, j], self.maxima[j]
                value = {
                    "stat_max": mx,
                    "stat_sum": v.sum(),
                    "stat_mean": round(v.mean(), 2),
                    "stat_item_mean": round(v[v > 0].mean(), 2) if (v > 0).any() else 0.0,
                    "stat_mean_rate": round(v.mean() / mx, 4),
                    "stat_median": float(np.median(v)),
                    "stat_std": round(float(v.std(ddof=1)), 2),
                    "stat_n": float((v > 0).sum()),
                    "stat_rate": round(float((v > 0).sum()) / n, 4),
                }[key]
                ws.write_number(first_row + s, j, float(value))

    def _rows(self, first_row: int) -> None:
        ws = self.ws
        write_number, write_string = ws.write_number, ws.write_string
        numeric = [j for j, p in enumerate(self.plan) if p[0] != "lead"]
        k_scored = 0
        prev_rank = _rank(self.prev)
        for r, e in enumerate(self.ents):
            row = first_row + r
            scored = not e["union"]
            for j, key in enumerate(self.lead):
                value = {
                    "serial_no": r + 1,
                    "prefecture_code": int(e["prefecture_code"]),
                    "insurer_code": int(e["insurer_code"]),
                    "prev_total": self.prev[k_scored] if scored else None,
                    "prev_rank": prev_rank[k_scored] if scored else None,
                }.get(key, e.get(key))
                if isinstance(value, str):
                    write_string(row, j, value)
                elif value is not None:
                    write_number(row, j, float(value))
            if scored:
                values = self.values[k_scored].tolist()
                for j in numeric:
                    write_number(row, j, values[j])
                k_scored += 1


def _rank(values: np.ndarray) -> np.ndarray:
    """1 + number of strictly larger values (ties share the best rank)."""
    ordered = np.sort(values)
    return (len(values) - np.searchsorted(ordered, values, side="right") + 1).astype(float)
