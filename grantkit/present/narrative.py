"""Japanese sentences drafted from computed tables, in the style of the prefectures' printed reports.

Every figure in a sentence comes from the table passed in; nothing is stored text. Directions
(伸びている / 下がっている / 横ばい) are judged on the figures as printed, so a sentence never says
"rose" between two equal printed rates. The drafts are a starting point: the reasons behind a change
(「理由は、…による。」) are for the author to write.
"""

from __future__ import annotations

import pandas as pd

from ..compare import top_leaves
from ..domain import GRANTS, TOTAL
from ..eras import era_label, era_label_long
from ..labels import goal_label
from .format import format_figure, format_points, format_points_change, format_rate, format_thousand_yen, round_half_up

# a 目標 this many percentage points or more below the national mean rate is named for 重点的な改善; one closer
# to the mean is named as slightly below, so a gap of a fraction of a point is not called a priority
FOCUS_GAP_PT = 5.0


def _direction(before: str, after: str, values: tuple[float, float]) -> str:
    if before == after:
        return "flat"
    return "up" if values[1] > values[0] else "down"


def _name(row: pd.Series) -> str:
    name = row["indicator_name"]
    return f"{row['indicator']}「{name}」" if name and name != row["indicator"] else str(row["indicator"])


def describe_change(comparison: pd.DataFrame, *, top: int = 1, digits: int = 0, national_digits: int = 1) -> str:
    """Sentences on a ``compare_years`` table: the total rate's change, the indicators that rose and fell
    most (``top`` each), and the position against the national average in both years.

    Parameters
    ----------
    comparison
        A :func:`grantkit.compare_years` table (its ``attrs`` name the years and the entity).
    top
        How many rising and falling indicators to name.
    digits, national_digits
        Decimal places of the entity's and the national rates.

    Returns
    -------
    str
        Japanese sentences, one line each; every figure printed through the one formatting path.

    Examples
    --------
    >>> from grantkit import example_scores, compare_years
    >>> text = describe_change(compare_years(example_scores(), "H30", "R1", entity="山口県"))
    >>> print(text.splitlines()[0])
    平成30年度から令和元年度にかけて、山口県の得点率は合計64%から82%と伸びている。
    """
    a = comparison.attrs
    base, target, entity = era_label_long(a["base"]), era_label_long(a["target"]), a["entity"]
    total = comparison[comparison["row_kind"] == "total"].iloc[0]
    rb, rt = format_rate(total["rate_base"], digits), format_rate(total["rate_target"], digits)
    way = _direction(rb, rt, (total["rate_base"], total["rate_target"]))
    first = {
        "up": f"合計{rb}から{rt}と伸びている。",
        "down": f"合計{rb}から{rt}と下がっている。",
        "flat": f"合計{rb}で横ばいである。",
    }[way]
    lines = [f"{base}から{target}にかけて、{entity}の得点率は{first}"]
    lines.append(_movers(comparison, top, digits))
    lines.append(_position(total, base, target, national_digits))
    changed = int((comparison["max_changed"] & (comparison["row_kind"] == "leaf")).sum())
    if changed:
        lines.append(f"なお、配点が変わった指標が{changed}件あるため、得点ではなく得点率で比較している。")
    return "\n".join(line for line in lines if line)


def _movers(comparison: pd.DataFrame, top: int, digits: int) -> str:
    def phrase(rows: pd.DataFrame) -> str:
        return "、".join(
            f"{_name(r)}（{format_rate(r['rate_base'], digits)}→{format_rate(r['rate_target'], digits)}、"
            f"{format_points_change(r['rate_change_pt'])}）"
            for _, r in rows.iterrows()
        )

    printed = comparison["rate_change_pt"].map(lambda x: x if pd.isna(x) else float(round_half_up(x, 1)))
    moved = comparison.assign(printed=printed)
    ups = top_leaves(moved[moved["printed"] > 0], "rate_change_pt", top, largest=True)
    downs = top_leaves(moved[moved["printed"] < 0], "rate_change_pt", top, largest=False)
    if not len(ups) and not len(downs):
        return "指標別の得点率に変化はない。"
    up_label, down_label = (
        ("最も伸びたのは", "最も下がったのは") if top == 1 else ("伸び幅が大きいのは", "下げ幅が大きいのは")
    )
    up = f"指標別に{up_label}{phrase(ups)}" if len(ups) else "得点率が伸びた指標はなく"
    down = f"{down_label}{phrase(downs)}である。" if len(downs) else "得点率が下がった指標はない。"
    return f"{up}、{down}"


def _position(total: pd.Series, base: str, target: str, digits: int) -> str:
    if pd.isna(total["national_rate_base"]) and pd.isna(total["national_rate_target"]):
        return ""

    def clause(year: str, gap: float, national: float, past: bool, also: bool) -> str:
        if pd.isna(gap):
            return f"{year}は全国平均がわからない"
        g = round_half_up(gap, 1)
        rel = "と同じ" if g == 0 else f"を{abs(g)}ポイント{'上回って' if g > 0 else '下回って'}"
        tail = ("いた" if past else "いる") if g != 0 else ("だった" if past else "である")
        return f"{year}{'も' if also else 'は'}全国平均（{format_rate(national, digits)}）{rel}{tail}"

    gb, gt = total["gap_base_pt"], total["gap_target_pt"]
    same = (
        not pd.isna(gb)
        and not pd.isna(gt)
        and (round_half_up(gb, 1) > 0) == (round_half_up(gt, 1) > 0)
        and round_half_up(gb, 1) != 0
        and round_half_up(gt, 1) != 0
    )
    b = clause(base, gb, total["national_rate_base"], True, False)
    t = clause(target, gt, total["national_rate_target"], False, same)
    lead = "合計の得点率を全国平均と比べると、"
    return f"{lead}{b}が、{t}。" if not same else f"{lead}{b}。{t}。"


def describe_utilization(util: pd.DataFrame) -> str:
    """Sentences on a ``utilization`` table: per year the allocation, planned and spent amounts with shares,
    and — when a year is flagged ``underused`` — the finding the printed prefecture report writes.

    Parameters
    ----------
    util
        A :func:`grantkit.utilization` table.

    Returns
    -------
    str
        Japanese sentences, one line per year and one per finding; an unknown 実績額 is said to be unknown.

    Examples
    --------
    >>> import pandas as pd
    >>> from grantkit import utilization
    >>> u = utilization(pd.DataFrame({"fiscal_year": [2018], "allocation_thousand_yen": [15680],
    ...     "planned_thousand_yen": [14875], "spent_thousand_yen": [10395]}))
    >>> print(describe_utilization(u))
    平成30年度は、配分額15,680千円に対し、所用見込額14,875千円（94.9%）、実績額10,395千円（66.3%）である。
    交付金の配分額に対して、事業実施に係る実績額が少なく、交付金を有効活用できていない。交付金の活用方法を検討する必要がある。
    """
    threshold = util.attrs.get("threshold", 0.8)
    lines = []
    for _, r in util.iterrows():
        parts = [
            f"所用見込額{_amount(r['planned_thousand_yen'], r['planned_share'])}",
            f"実績額{_amount(r['spent_thousand_yen'], r['spent_share'])}",
        ]
        lines.append(
            f"{era_label_long(int(r['fiscal_year']))}は、配分額"
            f"{format_thousand_yen(int(r['allocation_thousand_yen']) * 1000)}に対し、{'、'.join(parts)}である。"
        )
    flagged = util[util["underused"]]
    low = [
        label
        for label, col in (("所用見込額", "planned_share"), ("実績額", "spent_share"))
        if (flagged[col] < threshold).any()
    ]
    if low:
        lines.append(
            f"交付金の配分額に対して、事業実施に係る{'及び'.join(low)}が少なく、交付金を有効活用できていない。"
            "交付金の活用方法を検討する必要がある。"
        )
    elif len(util):
        lines.append(
            f"所用見込額・実績額はいずれも配分額の{format_rate(threshold)}以上で、交付金はおおむね活用されている。"
        )
    return "\n".join(lines)


def _amount(thousand_yen: object, share: float) -> str:
    if pd.isna(thousand_yen):
        return "は未確定"
    return f"{format_thousand_yen(int(thousand_yen) * 1000)}（{format_rate(share, 1)}）"


def _self_name(entity: str) -> str:
    """How a council report calls its own municipality: 本市・本町・本村・本区.

    >>> _self_name("北海道 つばきの森市（保険者番号 010010）"), _self_name("ゆうひさき町"), _self_name("X広域連合")
    ('本市', '本町', '当該保険者')
    """
    name = entity.split("（")[0].strip()
    return "本" + name[-1] if name and name[-1] in "市町村区" else "当該保険者"


def describe_municipal(
    goal: pd.DataFrame,
    peers: pd.DataFrame,
    zero: pd.DataFrame,
    *,
    entity: str,
    fiscal_year: int | str,
    previous_goal: pd.DataFrame | None = None,
    scale_changed: bool = False,
    money: pd.DataFrame | None = None,
    comparison: pd.DataFrame | None = None,
    change: pd.DataFrame | None = None,
    standing: pd.DataFrame | None = None,
) -> dict[str, str]:
    """The three sections of a municipal council report (議会・委員会報告) drafted from
    ``goal_table``, ``peer_table`` and ``zero_items``: 報告趣旨, 評価結果, 今後の方向性.

    ``previous_goal`` (last year's goal table) adds the change in rate; with ``scale_changed`` (R5 → R6)
    only rates are compared and the sentence says so. ``money`` (``municipal_grant``) adds the 基準額,
    called 試算 because it rests on the budget given. ``standing`` (``overall_standing``) adds the total over
    both grants, its national mean and the ranks with last year's. The 今後の方向性 is drawn from the figures:
    the 目標 below the national or peer mean (``comparison``: ``goal_comparison``), the largest falls from last
    year (``change``: ``year_change``) and the items other municipalities score but this one does not.

    Parameters
    ----------
    goal, peers, zero
        The municipality's :func:`grantkit.goal_table`, :func:`grantkit.peer_table` and
        :func:`grantkit.zero_items` of the year.
    entity
        The municipality's name as the report prints it.
    fiscal_year
        The year reported on.
    previous_goal, scale_changed, money, comparison, change, standing
        Optional tables (and the scale flag) described above; each adds its sentences.

    Returns
    -------
    dict[str, str]
        The three sections, keyed 報告趣旨, 評価結果 and 今後の方向性, in that order.

    Examples
    --------
    >>> from grantkit import goal_table, peer_table, zero_items
    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "grant": "推進", "indicator": "1ア",
    ...     "entity_code": ["000001", "000002", "000003"], "entity": ["甲町", "乙町", "丙村"], "indicator_name": "",
    ...     "parent": "目標Ⅰ", "score": [8.0, 6.0, 4.0], "max_score": 10.0})
    >>> at = pd.DataFrame({"entity_code": ["000001", "000002", "000003"], "prefecture": ["北海道", "北海道", "青森県"],
    ...     "size_class": None, "depopulated": ["全部過疎", "非過疎", "全部過疎"]})
    >>> one = {"entity": "甲町", "fiscal_year": 2025}
    >>> d = describe_municipal(goal_table(t, **one), peer_table(t, at, **one), zero_items(t, **one), **one)
    >>> list(d)
    ['報告趣旨', '評価結果', '今後の方向性']
    >>> print(d["評価結果"])
    保険者機能強化推進交付金は8点（配点10点、得点率80.0%）で、全国平均（60.0%）を20.0ポイント上回り、全国3市町村中1位。
    """
    year = era_label_long(fiscal_year)
    purpose = (
        f"{year}保険者機能強化推進交付金及び介護保険保険者努力支援交付金について、国から評価結果が示されたため、"
        f"{entity}の評価結果を報告するもの。"
    )
    total = goal[goal["parent"] == "合計"].iloc[0]
    ranks = None if standing is None else standing.set_index("grant")
    results = []
    if ranks is not None and "両交付金" in ranks.index:
        r = ranks.loc["両交付金"]
        results.append(
            f"両交付金の合計は{format_points(r['score'])}点（{format_points(r['max_score'])}点満点、"
            f"得点率{format_rate(r['rate'], 1)}）で、全国平均（{format_figure(r['national_mean'], 'one_decimal', 2)}点）"
            f"{'以上' if r['score'] >= r['national_mean'] else '未満'}、全国{int(r['n']):,}市町村中{int(r['rank']):,}位"
            f"{_previous_rank(r)}。"
        )
    for grant, full in (("推進", "保険者機能強化推進交付金"), ("支援", "介護保険保険者努力支援交付金")):
        if pd.isna(total[f"score_{grant}"]):
            continue
        nat = peers[(peers["grant"] == grant) & (peers["comparison"] == "全国")]
        line = (
            f"{full}は{format_points(total[f'score_{grant}'])}点（配点{format_points(total[f'max_{grant}'])}点、"
            f"得点率{format_rate(total[f'rate_{grant}'], 1)}）"
        )
        if len(nat):
            r = nat.iloc[0]
            line += (
                f"で、全国平均（{format_rate(r['mean_rate'], 1)}）を{abs(round_half_up(r['diff_pt'], 1))}ポイント"
                f"{'上回り' if r['diff_pt'] >= 0 else '下回り'}、全国{r['n']:,}市町村中{r['rank']:,}位"
            )
            if ranks is not None and grant in ranks.index:
                line += _previous_rank(ranks.loc[grant])
        if previous_goal is not None:
            prev = previous_goal[previous_goal["parent"] == "合計"].iloc[0][f"rate_{grant}"]
            if not pd.isna(prev):
                change_pt = round_half_up((total[f"rate_{grant}"] - prev) * 100, 1)
                moved = (
                    "と同水準"
                    if change_pt == 0
                    else f"から{abs(change_pt)}ポイント{'上昇' if change_pt > 0 else '低下'}"
                )
                line += f"。前年度の得点率（{format_rate(prev, 1)}）{moved}した"
        results.append(line + "。")
    if scale_changed:
        results.append("なお、前年度とは評価指標と配点の体系が異なるため、得点ではなく得点率で比較している。")
    shared = goal[(goal["shared"]) & (goal["group"] == "")]
    if len(shared):
        s = shared.iloc[0]
        results.append(
            f"成果指標群（目標Ⅳ）は{format_points(s['score_推進'])}点（得点率{format_rate(s['rate_推進'], 1)}）で、"
            "両交付金に同じ得点が計上される。"
        )
    if money is not None and len(money):
        amounts = "、".join(
            f"{'推進交付金' if r['grant'] == '推進' else '支援交付金'}"
            f"{format_thousand_yen(int(r['basis_thousand_yen']) * 1000)}"
            for _, r in money.iterrows()
        )
        results.append(f"評価結果と第1号被保険者数から算定される基準額（試算）は、{amounts}である。")
    direction = _directions(comparison, change, zero, _self_name(entity))
    return {"報告趣旨": purpose, "評価結果": "\n".join(results), "今後の方向性": direction}


def _previous_rank(row: pd.Series) -> str:
    """「（前年度34位から58位下降）」 when last year's rank is known, else ""."""
    if "prev_rank" not in row.index or pd.isna(row["prev_rank"]):
        return ""
    moved = int(row["prev_rank"]) - int(row["rank"])
    way = "と同順位" if moved == 0 else f"から{abs(moved):,}位{'上昇' if moved > 0 else '下降'}"
    return f"（前年度{int(row['prev_rank']):,}位{way}）"


def _directions(
    comparison: pd.DataFrame | None, change: pd.DataFrame | None, zero: pd.DataFrame, self_name: str
) -> str:
    """今後の方向性 from the figures: 目標 below the national (or only the peer) mean, the two largest falls,
    the zero-score items; a strength is named when nothing is below."""
    lines = []
    goals = None if comparison is None else comparison[comparison["parent"] != "合計"]
    if goals is not None and len(goals):
        groups = [c for c in goals.columns if c.startswith("mean_rate_")]
        national, peer = groups[0], groups[-1] if len(groups) > 1 else None

        def name(r: pd.Series) -> str:
            return goal_label(r["parent"], r["grant"])

        below = goals[goals["rate"] < goals[national]]
        gap = (goals[national] - goals["rate"]) * 100
        far, near = below[gap[below.index] >= FOCUS_GAP_PT], below[gap[below.index] < FOCUS_GAP_PT]

        def listed(rows: pd.DataFrame) -> str:
            return "、".join(
                f"{name(r)}（{format_rate(r['rate'], 1)}、全国平均{format_rate(r[national], 1)}）"
                for _, r in rows.iterrows()
            )

        if len(far):
            lines.append(
                f"全国平均を下回っている{listed(far)}について、指標ごとの得点状況を確認し、重点的に取組の改善を図る。"
            )
        if len(near):
            lines.append(
                f"{listed(near)}は全国平均をわずかに（{format_points_change(FOCUS_GAP_PT, 0).removeprefix('+')}"
                "未満）下回っており、得点できなかった指標を確認する。"
            )
        peer_only = (
            goals.iloc[0:0]
            if peer is None
            else goals[(goals["rate"] >= goals[national]) & (goals["rate"] < goals[peer])]
        )
        if len(peer_only):
            lines.append(
                f"全国平均は上回るものの、{peer.removeprefix('mean_rate_')}の平均を下回る"
                f"{'、'.join(name(r) for _, r in peer_only.iterrows())}も、同規模団体の取組を参考に向上を図る。"
            )
        if not len(below) and not len(peer_only):
            best = goals.assign(gap=goals["rate"] - goals[national]).sort_values("gap", ascending=False).iloc[0]
            lines.append(
                f"すべての目標で全国平均{'・同規模団体の平均' if peer else ''}以上であり、特に{name(best)}"
                f"（全国平均との差{format_figure((best['rate'] - best[national]) * 100, 'change')}）の取組を維持する。"
            )
    if change is not None and len(change):
        falls = (
            change[
                (change["parent"] != "合計")
                & (change["rate_change_pt"].map(lambda x: not pd.isna(x) and round_half_up(x, 1) < 0))
            ]
            .sort_values("rate_change_pt")
            .head(2)
        )
        if len(falls):
            listed = "、".join(
                f"{goal_label(r['parent'], r['grant'])}（{format_figure(r['rate_change_pt'], 'change')}）"
                for _, r in falls.iterrows()
            )
            lines.append(f"前年度から得点率の下げ幅が大きい{listed}は、下がった指標とその理由を確認する。")
    if len(zero):
        names = "、".join(
            f"{r['indicator']}「{r['indicator_name']}」" if r.get("indicator_name") else str(r["indicator"])
            for _, r in zero.head(3).iterrows()
        )
        lines.append(
            f"多くの市町村が得点している一方で{self_name}が得点できていない項目（{len(zero)}件、例: {names}）について、"
            "取組の状況を確認し、改善を図る。"
        )
    elif not lines:
        lines.append("多くの市町村が得点している項目はおおむね得点できている。引き続き取組の質の向上を図る。")
    return "\n".join(lines)


def average_rounding_note(rates: pd.DataFrame, *, years: list[int]) -> str:
    """A footnote for the years whose 全国平均 scores are all whole numbers (published rounded): the national
    rates computed from them may differ from the published rates, most for the indicator with the smallest 配点
    among those whose rate the score table prints (its example computed here, with the range the unrounded
    average lies in). "" when no year is rounded.

    Parameters
    ----------
    rates
        ``score_rates(...)`` of one grant, with the 全国平均 rows.
    years
        The years the score table shows.

    Returns
    -------
    str
        One 「※」 line per rounded year, or "".

    Examples
    --------
    >>> from grantkit import example_scores, score_rates
    >>> note = average_rounding_note(score_rates(example_scores()), years=[2018, 2019])
    >>> note.startswith("※平成30年度の全国平均の得点は整数に丸めて公表されているため")
    True
    >>> note[note.index("例えば"):]
    '例えば Ⅲ は 13 ／ 20 点 = 65.0%ですが、丸める前の得点は 12.5 点以上 13.5 点未満で、得点率では 62.5%以上 67.5%未満です。'
    """
    from ..schema import NATIONAL

    notes = []
    for year in years:
        nat = rates[(rates["entity"] == NATIONAL) & (rates["fiscal_year"] == year) & (rates["row_kind"] == "leaf")]
        scores = nat["score"].dropna().astype("float64")
        if not len(scores) or not (scores == scores.round()).all():
            continue
        shown = nat[nat["parent"] == ""]  # the rows whose rate the score table prints
        r = (shown if len(shown) else nat).sort_values("max_score", kind="stable").iloc[0]
        low, high = r["score"] - 0.5, r["score"] + 0.5
        notes.append(
            f"※{era_label_long(year)}の全国平均の得点は整数に丸めて公表されているため、その得点から計算した全国平均の"
            "得点率は、公表資料の得点率（丸める前の得点による）と異なることがあります。差が最も大きくなりうるのは"
            f"配点の小さい指標で、例えば {r['indicator']} は {format_points(r['score'])} ／ "
            f"{format_points(r['max_score'])} 点 = {format_rate(r['score_rate'], 1)}ですが、丸める前の得点は "
            f"{format_points(low)} 点以上 {format_points(high)} 点未満で、得点率では "
            f"{format_rate(low / r['max_score'], 1)}以上 {format_rate(high / r['max_score'], 1)}未満です。"
        )
    return "\n".join(notes)


def describe_allocation(summary: pd.DataFrame) -> str:
    """Sentences on an ``allocation_summary`` table: whether the official 配分額 is reproduced from the score,
    the national average and the budget, and which average an amount implies when it is not.

    Parameters
    ----------
    summary
        One row per year: fiscal_year, score, national_average, budget_yen, official_thousand_yen (missing
        when not published), computed_thousand_yen, matches_official, implied_average_low / _high.

    Returns
    -------
    str
        One Japanese sentence per year with an official or a computed amount.

    Examples
    --------
    >>> s = pd.DataFrame({"fiscal_year": [2018], "score": [470.0], "national_average": [638.0],
    ...     "budget_yen": [1_000_000_000], "official_thousand_yen": [15680], "computed_thousand_yen": [15673],
    ...     "matches_official": [False], "implied_average_low": [637.7144], "implied_average_high": [637.7551]})
    >>> print(describe_allocation(s))
    平成30年度の配分額15,680千円から逆算した全国平均は637.714点超637.755点以下で、公表された全国平均638点（端数処理後の値）から算定した15,673千円とはわずかに異なる。
    """
    lines = []
    for _, r in summary.iterrows():
        year = era_label_long(int(r["fiscal_year"]))
        if pd.isna(r["official_thousand_yen"]):
            if not pd.isna(r["computed_thousand_yen"]):
                lines.append(
                    f"{year}の基準額は、得点{format_points(r['score'])}点・全国平均{format_points(r['national_average'])}点"
                    f"から{format_thousand_yen(int(r['computed_thousand_yen']) * 1000)}と算定される。"
                )
            continue
        official = format_thousand_yen(int(r["official_thousand_yen"]) * 1000)
        if r["matches_official"]:
            lines.append(
                f"{year}の配分額{official}は、得点{format_points(r['score'])}点・全国平均"
                f"{format_points(r['national_average'])}点・予算額{int(r['budget_yen']) // 100_000_000}億円から算定した額と一致する。"
            )
        else:
            lines.append(
                f"{year}の配分額{official}から逆算した全国平均は{format_figure(r['implied_average_low'], 'three_decimal')}点超"
                f"{format_figure(r['implied_average_high'], 'three_decimal')}点以下で、公表された全国平均{format_points(r['national_average'])}点"
                f"（端数処理後の値）から算定した{format_thousand_yen(int(r['computed_thousand_yen']) * 1000)}とはわずかに異なる。"
            )
    return "\n".join(lines)


def trend_sentence(trend: pd.DataFrame, *, entity: str) -> str:
    """One sentence per grant on the direction of the total rate over the whole period, against the national
    mean, with the break named when the period crosses one.

    Parameters
    ----------
    trend
        A :func:`grantkit.trend_table` (or ``prefecture_trend``) table: rows with parent 「合計」 are read.
    entity
        The name the sentence uses.

    Returns
    -------
    str
        One line per grant with at least two years; rank only when every year has one.

    Examples
    --------
    >>> t = pd.DataFrame({"fiscal_year": [2024, 2026], "grant": "推進", "parent": "合計", "rate": [0.5, 0.62],
    ...     "national_mean_rate": [0.55, 0.57], "rank": [90, 40], "n": [200, 200], "scale_break": False})
    >>> trend_sentence(t, entity="甲町")
    '推進: 甲町の合計得点率はR6の50%からR8の62%へ上昇しました（+12.0ポイント）。全国平均との差は-5.0ポイントから+5.0ポイント、順位は90位/200から40位/200です。'
    """
    lines = []
    for grant in [g for g in GRANTS if (trend["grant"] == g).any()]:
        rows = trend[(trend["grant"] == grant) & (trend["parent"] == TOTAL)].sort_values("fiscal_year")
        ranked = rows["rank"].notna().all() if "rank" in rows.columns else False
        if len(rows) < 2:
            continue
        a, b = rows.iloc[0], rows.iloc[-1]
        change = (b["rate"] - a["rate"]) * 100
        word = "上昇しました" if change > 0.05 else "低下しました" if change < -0.05 else "ほぼ横ばいでした"
        text = (
            f"{grant}: {entity}の合計得点率は{era_label(int(a['fiscal_year']))}の{format_rate(a['rate'])}から"
            f"{era_label(int(b['fiscal_year']))}の{format_rate(b['rate'])}へ{word}（{format_points_change(change)}）。"
            f"全国平均との差は{format_points_change((a['rate'] - a['national_mean_rate']) * 100)}から"
            f"{format_points_change((b['rate'] - b['national_mean_rate']) * 100)}"
            + (f"、順位は{int(a['rank'])}位/{int(a['n'])}から{int(b['rank'])}位/{int(b['n'])}" if ranked else "")
            + "です。"
        )
        crossed = rows["scale_break"].iloc[1:].astype(bool)
        if crossed.any():
            years = "・".join(era_label_long(int(y)) for y in rows.loc[crossed[crossed].index, "fiscal_year"])
            text += f"{years}は配点（評価指標の体系）が前年度と異なるため、得点ではなく得点率で比べています。"
        lines.append(text)
    return "\n".join(lines)
