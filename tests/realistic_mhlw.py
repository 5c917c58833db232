"""Workbooks shaped like the real MHLW national results (R6, R7, R8 municipal; R8 prefecture), for tests only.

Written from the published description of the real files, independently of ``grantkit.testing.synthetic``:
- row 1 title; rows 2–8 merged headings (交付金名 / 目標 「目標Ⅰ　名」 / 指標群 / 指標番号 / 指標名 / 枝 / 小枝);
- statistics rows from row 9 (municipal: 配点 … 該当率, with 項目平均 and 該当市町村数 blank in subtotal columns;
  prefecture: 配点 / 全国合計 / 平均 / 平均率 / 中位 / 標準偏差), data from row 19 (R6: row 18, no blank row);
- leading columns as in R8 (通し番号, 都道府県番号, 保険者番号 …, 「第１号被保険者数\\n（…）」, 「区分…」 from R7,
  「過疎地域該当…」, last year's 「R7評価指標合計得点」 and its 順位), plus headings nobody described;
- per 目標: leaves, 指標群 subtotals 「Ⅰ（ⅰ）計」 (municipal only), 「Ⅰ合計」; 「Ⅳ合計」 in row 4 for 推進 and row 3 for
  支援; 推進合計, 支援合計, 推進・支援合計 (prefecture: 総合計), 今年度順位;
- 配点: every 目標 100; 指標群 推進 Ⅰ 64/36, Ⅱ 68/32, Ⅲ 64/36, 支援 Ⅰ 52/48, Ⅱ 64/36, Ⅲ 68/32; 目標Ⅳ 5 indicators ×
  20, of which Ⅳ1, Ⅳ2 and Ⅳ4 are ア/イ alternatives of 20 each (the higher counts); 支援Ⅰ（ⅱ）指標9 is
  「いずれかで最大4点」 (ア/イ/ウ of 4 each); other branched indicators are summed;
- member towns of a 広域連合 scored without 保険者番号, 広域連合 rows with 保険者番号 and no score; R6 amounts.

``spell(kind, text)`` lets a test print every heading another way (``kind`` "prefix" where the loader matches a
prefix and a suffix may follow, "name" for a 目標・指標群 heading whose name is recorded, "exact" otherwise).
Everything the tests compare against (``Book.expected``) is computed here from the leaves, by the published rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl

SUISHIN, SHIEN = "保険者機能強化推進交付金", "介護保険保険者努力支援交付金"
GOALS = {
    "推進": {
        "Ⅰ": "持続可能な地域のあるべき姿をかたちにする",
        "Ⅱ": "公正・公平な給付を行う体制を構築する",
        "Ⅲ": "介護人材の確保その他のサービス提供基盤の整備を推進する",
        "Ⅳ": "高齢者がその状態に応じて可能な限り自立した日常生活を営む",
    },
    "支援": {
        "Ⅰ": "介護予防／日常生活支援を推進する",
        "Ⅱ": "認知症総合支援を推進する",
        "Ⅲ": "在宅医療・在宅介護連携の体制を構築する",
        "Ⅳ": "高齢者がその状態に応じて可能な限り自立した日常生活を営む",
    },
}
GROUP_POINTS = {
    "推進": {"Ⅰ": (64, 36), "Ⅱ": (68, 32), "Ⅲ": (64, 36)},
    "支援": {"Ⅰ": (52, 48), "Ⅱ": (64, 36), "Ⅲ": (68, 32)},
}
GROUPS = ("（ⅰ）体制・取組指標群", "（ⅱ）活動指標群")
OUTCOME_ALTERNATIVES = ("1", "2", "4")
PREFS = {"01": "北海道", "02": "青森県", "26": "京都府", "35": "山口県"}


@dataclass
class Leaf:
    grant: str
    goal: str  # Ⅰ … Ⅳ
    group: int  # 0 (ⅰ), 1 (ⅱ), 2 成果
    item: str
    name: str
    branch: str
    sub: str
    max: int
    alternative: bool = False

    @property
    def code(self) -> str:
        """The code grantkit gives the leaf: 目標 mark, 指標群 mark, 指標番号, 枝, 小枝."""
        mark = self.goal + ("(ⅰ)", "(ⅱ)", "")[self.group]
        return f"{mark}{self.item}{self.branch}{self.sub}"


def _group_leaves(grant: str, goal: str, group: int, points: int) -> list[Leaf]:
    """Leaves of one 指標群 summing to ``points``: single items, one item with summed ア/イ, one with ア①② + イ;
    支援Ⅰ（ⅱ） also has 指標9 「いずれかで最大4点」."""

    def name(i: object) -> str:
        return f"{GOALS[grant][goal][:4]}の取組{i}"

    shape = [
        ("1", "", ""),
        ("2", "ア", ""),
        ("2", "イ", ""),
        ("3", "ア", "①"),
        ("3", "ア", "②"),
        ("3", "イ", ""),
        ("4", "", ""),
        ("5", "", ""),
    ]
    special = grant == "支援" and goal == "Ⅰ" and group == 1
    rest = points - (4 if special else 0)
    maxima = [rest // len(shape)] * len(shape)
    for k in range(rest - sum(maxima)):
        maxima[k] += 1
    leaves = [Leaf(grant, goal, group, i, name(i), b, s, m) for (i, b, s), m in zip(shape, maxima)]
    if special:
        leaves += [Leaf(grant, goal, group, "9", "いずれかで最大4点の取組", b, "", 4, True) for b in "アイウ"]
    return leaves


def leaves(grant: str, level: str = "市町村") -> list[Leaf]:
    """Every leaf of one grant in sheet order."""
    out: list[Leaf] = []
    for goal in ("Ⅰ", "Ⅱ", "Ⅲ"):
        for group, points in enumerate(GROUP_POINTS[grant][goal] if level == "市町村" else (50, 50)):
            out += _group_leaves(grant, goal, group, points)
    for i in "12345":
        branches = "アイ" if i in OUTCOME_ALTERNATIVES else [""]
        out += [Leaf(grant, "Ⅳ", 2, i, f"成果指標{i}", b, "", 20, i in OUTCOME_ALTERNATIVES) for b in branches]
    return out


def counted(scores: np.ndarray, spec: list[Leaf]) -> np.ndarray:
    """Scores with each alternative counted once (its higher branch on its first leaf): what totals sum."""
    out = scores.copy()
    groups: dict[tuple, list[int]] = {}
    for k, leaf in enumerate(spec):
        if leaf.alternative:
            groups.setdefault((leaf.goal, leaf.group, leaf.item), []).append(k)
    for ks in groups.values():
        best = out[..., ks].max(axis=-1)
        out[..., ks] = 0
        out[..., ks[0]] = best
    return out


@dataclass
class Town:
    serial: int
    pref: str
    code: str  # 保険者番号, "" for a member town of a 広域連合
    name: str
    population: int
    union: bool = False

    @property
    def entity_code(self) -> str:
        return self.code or f"{self.pref}:{self.name}"


def towns(n: int = 80) -> list[Town]:
    """``n`` municipalities over four prefectures, the same every year: every 8th (in 青森県 and 京都府) a member town
    without 保険者番号; then three 広域連合 rows (保険者番号, no score)."""
    rng = np.random.default_rng(7)
    out = []
    prefs = list(PREFS)
    for k in range(n):
        pref = prefs[k % 4]
        member = k % 8 in (1, 2)  # 青森県 (k%4 == 1) and 京都府 (k%4 == 2) towns
        kind = "町" if member else ("市" if k % 3 == 0 else "町")
        out.append(
            Town(
                k + 1,
                pref,
                "" if member else f"{pref}{k:03d}{k % 10}",
                f"第{k + 1}{kind}",
                int(rng.integers(2_000, 300_000)),
            )
        )
    for u, pref in enumerate(("02", "26", "35")):
        out.append(Town(n + u + 1, pref, f"{pref}9{u:02d}0", f"{PREFS[pref]}第{u + 1}介護保険広域連合", 0, union=True))
    return out


@dataclass
class Book:
    """A written workbook and what it should read as (computed here by the published rules)."""

    path: Path
    year: int
    level: str
    entities: list[Town]
    spec: dict[str, list[Leaf]]
    scores: dict[str, np.ndarray]  # grant → scored entities × leaves
    expected: dict[str, np.ndarray] = field(default_factory=dict)  # 推進, 支援, 合計 per scored entity
    prev_total: np.ndarray | None = None


def _identity(kind: str, text: str) -> str:
    return text


def _scores(spec: list[Leaf], n: int, rng: np.random.Generator) -> np.ndarray:
    ability = rng.normal(0.3, 1.0, n)[:, None]
    difficulty = rng.normal(0, 1.0, len(spec))[None, :]
    p = 1 / (1 + np.exp(-(ability - difficulty)))
    u = rng.random(p.shape)
    maxima = np.array([leaf.max for leaf in spec], dtype=float)
    return np.where(u < p, maxima, np.where(u < p + 0.15, np.floor(maxima / 2), 0.0))


def write(
    path: Path, year: int, level: str = "市町村", *, spell=_identity, members: bool = True, n: int = 80, seed: int = 0
) -> Book:
    """Write a realistic national workbook of 交付年度 ``year`` (2024 = R6 …) and return what it holds.
    ``members=False`` writes the re-issued shape without the member towns (the ``_3`` file); its statistics rows
    and ranks stay those of the full file."""
    r = year - 2018
    rng = np.random.default_rng([seed, year])
    ents = (
        towns(n)
        if level == "市町村"
        else [Town(k + 1, c, c, name, 0) for k, (c, name) in enumerate(_all_prefectures().items())]
    )
    scored = [e for e in ents if not e.union]
    spec = {g: leaves(g, level) for g in ("推進", "支援")}
    scores = {"推進": _scores(spec["推進"], len(scored), rng)}
    scores["支援"] = _scores(spec["支援"], len(scored), rng)
    outcome = [k for k, leaf in enumerate(spec["推進"]) if leaf.goal == "Ⅳ"]
    scores["支援"][:, [k for k, leaf in enumerate(spec["支援"]) if leaf.goal == "Ⅳ"]] = scores["推進"][:, outcome]
    prev = np.round(rng.uniform(250, 700, len(scored)), 1) if year > 2024 else rng.integers(700, 1600, len(scored))
    book = Book(path, year, level, ents, spec, scores, prev_total=prev.astype(float))
    _Writer(book, spell, r, members).write()
    return book


def _all_prefectures() -> dict[str, str]:
    from grantkit.prefectures import (
        PREFECTURES,  # the 47 names and codes (a fact, not a part of the loader)
    )

    return PREFECTURES


class _Writer:
    def __init__(self, book: Book, spell, r: int, members: bool):
        self.b, self.spell, self.r, self.members = book, spell, r, members
        self.wb = openpyxl.Workbook()
        muni = book.level == "市町村"
        self.ws = self.wb.active
        self.ws.title = "全国集計（市町村）" if muni else "全国集計（都道府県）"
        self.plan: list[tuple] = []  # per sheet column after the leading ones
        self.values: list[np.ndarray] = []  # scored entities per planned column
        self.maxima: list[float] = []

    # --- columns -------------------------------------------------------------------------------------------
    def leading(self) -> list[tuple[str, str, object]]:
        """(kind of match, heading, key of the value) per leading column."""
        r, muni = self.r, self.b.level == "市町村"
        if not muni:
            return [
                ("exact", "No.", "serial"),
                ("exact", "団体コード", "code"),
                ("exact", "都道府県名", "name"),
                ("exact", "ブロック", "block"),
                ("prefix", "第１号被保険者数\n（令和7年3月末）", "first"),
                ("exact", "前年度得点", "prev"),
                ("exact", "前年度順位", "prev_rank"),
            ]
        out = [
            ("exact", "通し番号", "serial"),
            ("exact", "都道府県番号", "pref_no"),
            ("exact", "広域連合名", "union"),
            ("exact", "保険者番号", "code"),
            ("exact", "構成市町村数", "members"),
            ("exact", "備考", "note"),
            ("exact", "都道府県名", "pref"),
            ("exact", "市町村名", "name"),
            ("prefix", "人口", "population"),
            ("prefix", f"第１号被保険者数\n（令和{r - 1}年3月末）", "first"),
        ]
        if self.b.year >= 2025:
            out.append(("prefix", "区分\n（規模区分）", "size"))
        out += [
            ("prefix", "過疎地域該当\n（○＝該当）", "depopulated"),
            ("exact", f"R{r - 1}評価指標合計得点", "prev"),
            ("exact", f"R{r - 1}評価指標合計得点順位", "prev_rank"),
        ]
        return out

    def build_plan(self) -> None:
        b = self.b
        muni = b.level == "市町村"
        cnt = {g: counted(b.scores[g], b.spec[g]) for g in b.scores}
        mx = {g: counted(np.array([[leaf.max for leaf in b.spec[g]]], dtype=float), b.spec[g])[0] for g in b.scores}

        def add(entry, values, maximum):
            self.plan.append(entry)
            self.values.append(values)
            self.maxima.append(float(maximum))

        grant_totals = {}
        for g in ("推進", "支援"):
            spec = b.spec[g]
            for goal in ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"):
                in_goal = [k for k, leaf in enumerate(spec) if leaf.goal == goal]
                for k in in_goal:
                    add(("leaf", g, k), b.scores[g][:, k], spec[k].max)
                if goal != "Ⅳ" and muni:
                    for grp in (0, 1):
                        ks = [k for k in in_goal if spec[k].group == grp]
                        add(("group_total", g, goal, grp), cnt[g][:, ks].sum(axis=1), mx[g][ks].sum())
                add(("goal_total", g, goal), cnt[g][:, in_goal].sum(axis=1), mx[g][in_goal].sum())
            grant_totals[g] = cnt[g].sum(axis=1)
            add(("grant_total", g), grant_totals[g], mx[g].sum())
        total = grant_totals["推進"] + grant_totals["支援"]
        add(("total",), total, mx["推進"].sum() + mx["支援"].sum())
        rank = 1 + (total[None, :] > total[:, None]).sum(axis=1)
        add(("rank",), rank.astype(float), np.nan)
        b.expected = {"推進": grant_totals["推進"], "支援": grant_totals["支援"], "合計": total, "rank": rank}
        if b.year == 2024 and muni:
            weights = {g: grant_totals[g] * np.array([e.population for e in b.entities if not e.union]) for g in cnt}
            for kind in ("plan", "final"):
                for g in ("推進", "支援"):
                    amount = np.floor(weights[g] / weights[g].sum() * 1_000_000 * (0.9 if kind == "final" else 1))
                    add(("amount", kind, g), amount, np.nan)
                    b.expected[f"{kind}_{g}"] = amount

    # --- writing -------------------------------------------------------------------------------------------
    def put(self, row: int, col: int, text: str, kind: str = "exact", *, down: int = 8, right: int | None = None):
        """A heading at (row, col) (1-based), merged down to row ``down`` and right to column ``right``."""
        self.ws.cell(row, col, self.spell(kind, text))
        right = right or col
        if down > row or right > col:
            self.ws.merge_cells(start_row=row, start_column=col, end_row=down, end_column=right)

    def write(self) -> None:
        b, ws = self.b, self.ws
        muni = b.level == "市町村"
        tag = "市町村分" if muni else "都道府県分"
        ws.cell(1, 1, f"令和{self.r}年度 保険者機能強化推進交付金・介護保険保険者努力支援交付金 評価結果（{tag}）")
        lead = self.leading()
        for j, (kind, heading, _) in enumerate(lead, start=1):
            self.put(2, j, heading, kind)
        self.build_plan()
        first = len(lead) + 1
        self._headings(first)
        stat_first = 9
        data_first = 19 if (b.year >= 2025 or not muni) else 18
        self._statistics(stat_first, lead, first)
        self._rows(data_first, lead, first)
        self.wb.save(b.path)

    def _headings(self, first: int) -> None:
        b = self.b
        cols = {p: first + i for i, p in enumerate(self.plan)}
        for g, name in (("推進", SUISHIN), ("支援", SHIEN)):
            mine = [c for p, c in cols.items() if p[0] != "amount" and len(p) > 1 and p[1] == g]
            self.put(2, min(mine), name, "prefix", down=2, right=max(mine))
            spec = b.spec[g]
            for goal in ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"):
                leaf_cols = [cols[("leaf", g, k)] for k, leaf in enumerate(spec) if leaf.goal == goal]
                sub_cols = [c for p, c in cols.items() if p[0] == "group_total" and p[1:3] == (g, goal)]
                total_col = cols[("goal_total", g, goal)]
                span = max(leaf_cols + sub_cols + ([total_col] if goal == "Ⅳ" and g == "推進" else []))
                self.put(3, min(leaf_cols), f"目標{goal}　{GOALS[g][goal]}", "name", down=3, right=span)
                if goal == "Ⅳ":
                    self.put(4, min(leaf_cols), "成果指標群", "name", down=4, right=max(leaf_cols))
                    self.put(4 if g == "推進" else 3, total_col, f"{goal}合計")
                else:
                    self.put(3, total_col, f"{goal}合計")
                    for grp in (0, 1):
                        ks = [k for k, leaf in enumerate(spec) if leaf.goal == goal and leaf.group == grp]
                        self.put(
                            4, cols[("leaf", g, ks[0])], GROUPS[grp], "name", down=4, right=cols[("leaf", g, ks[-1])]
                        )
                        if ("group_total", g, goal, grp) in cols:
                            self.put(4, cols[("group_total", g, goal, grp)], f"{goal}（{'ⅰⅱ'[grp]}）\n計")
                self._leaf_headings(g, goal, cols)
            self.put(3, cols[("grant_total", g)], f"{g}合計")
        total_name = "推進・支援\n合計" if b.level == "市町村" else "総合計"
        self.put(2, cols[("total",)], total_name)
        self.put(2, cols[("rank",)], "今年度\n順位")
        for kind, label in (("plan", "交付見込額（案）\n（千円）"), ("final", "確定額（千円）")):
            mine = [c for p, c in cols.items() if p[0] == "amount" and p[1] == kind]
            if mine:
                self.put(2, min(mine), label, "prefix", down=2, right=max(mine))
                for p, c in cols.items():
                    if p[0] == "amount" and p[1] == kind:
                        self.put(3, c, p[2])

    def _leaf_headings(self, g: str, goal: str, cols: dict) -> None:
        spec = self.b.spec[g]
        ks = [k for k, leaf in enumerate(spec) if leaf.goal == goal]
        for grp in sorted({spec[k].group for k in ks}):
            items: dict[str, list[int]] = {}
            for k in ks:
                if spec[k].group == grp:
                    items.setdefault(spec[k].item, []).append(k)
            for item, its in items.items():
                c0, c1 = cols[("leaf", g, its[0])], cols[("leaf", g, its[-1])]
                self.put(5, c0, "１２３４５６７８９"[int(item) - 1], down=5, right=c1)  # full-width 指標番号
                self.put(6, c0, spec[its[0]].name, down=6, right=c1)
                branches: dict[str, list[int]] = {}
                for k in its:
                    if spec[k].branch:
                        branches.setdefault(spec[k].branch, []).append(k)
                for branch, bks in branches.items():
                    self.put(7, cols[("leaf", g, bks[0])], branch, down=7, right=cols[("leaf", g, bks[-1])])
                    for k in bks:
                        if spec[k].sub:
                            self.put(8, cols[("leaf", g, k)], spec[k].sub, down=8)

    def _statistics(self, row: int, lead: list, first: int) -> None:
        muni = self.b.level == "市町村"
        label_col = 1 + [key for _, _, key in lead].index("name")
        labels = (
            ("配点", "全国合計", "平均点", "項目平均", "平均得点率", "中央値", "標準偏差", "該当市町村数", "該当率")
            if muni
            else ("配点", "全国合計", "平均", "平均率", "中位", "標準偏差")
        )
        for s, name in enumerate(labels):
            self.ws.cell(row + s, label_col, self.spell("exact", name))
            for i, (p, v, m) in enumerate(zip(self.plan, self.values, self.maxima)):
                if p[0] in ("rank", "amount"):
                    continue
                subtotal = p[0] != "leaf"
                value = {
                    "配点": m,
                    "全国合計": v.sum(),
                    "平均点": v.mean(),
                    "平均": v.mean(),
                    "項目平均": None if subtotal else (v[v > 0].mean() if (v > 0).any() else 0.0),
                    "平均得点率": v.mean() / m,
                    "平均率": v.mean() / m,
                    "中央値": float(np.median(v)),
                    "中位": float(np.median(v)),
                    "標準偏差": float(v.std(ddof=1)),
                    "該当市町村数": None if subtotal else int((v > 0).sum()),
                    "該当率": (v > 0).mean(),
                }[name]
                if value is not None:
                    self.ws.cell(row + s, first + i, round(float(value), 6))

    def _rows(self, row: int, lead: list, first: int) -> None:
        b = self.b
        muni = b.level == "市町村"
        k_scored = 0
        prev_rank = 1 + (b.prev_total[None, :] > b.prev_total[:, None]).sum(axis=1)
        for e in b.entities:
            if muni and not e.code and not self.members:
                k_scored += 1
                continue
            values = {
                "serial": e.serial,
                "pref_no": int(e.pref),
                "union": "" if e.code else f"{PREFS[e.pref]}広域連合",
                "code": e.code if muni else f"{e.pref}0000",
                "members": None,
                "note": "",
                "pref": PREFS.get(e.pref, ""),
                "name": e.name,
                "population": e.population,
                "first": int(e.population * 0.3) if muni else 400_000 + 1000 * e.serial,
                "size": 1 + min(4, e.population // 60_000),
                "depopulated": "○" if e.population < 20_000 else "",
                "block": "東日本" if int(e.pref) < 24 else "西日本",
            }
            if not e.union:
                values |= {"prev": float(b.prev_total[k_scored]), "prev_rank": int(prev_rank[k_scored])}
            for j, (_, _, key) in enumerate(lead, start=1):
                v = values.get(key)
                if v not in (None, ""):
                    self.ws.cell(row, j, v)
            if not e.union:
                for i, v in enumerate(self.values):
                    self.ws.cell(row, first + i, float(v[k_scored]))
                k_scored += 1
            row += 1
