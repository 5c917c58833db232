"""The municipal report as a model: ``build_municipal_report`` turns a ``MunicipalData`` into a ``Report``.

The municipality and year are resolved once (to the 保険者番号); every table is computed once, the national
totals of each year once for all of them (``municipal.reused_totals``); each section's prose and omissions (no
previous year, no budget, fewer than 3 years → no trend) are decided here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import plot, present
from ..domain import GRANTS, TOTAL
from ..eras import era_label, era_label_long
from ..eras import fiscal_year as to_fiscal_year
from ..labels import GRANT_NAMES
from ..municipal import (
    goal_comparison,
    goal_table,
    goal_totals,
    municipal_grant,
    outcome_track,
    overall_standing,
    peer_table,
    reused_totals,
    year_change,
    zero_items,
)
from ..national import national_rates
from ..trend import trend_table
from .model import Figure, Heading, Report, Section, Table, Text
from .municipal import MunicipalData

ATTRIBUTE_COLUMNS = ["entity_code", "entity", "prefecture", "population", "first_insured", "size_class", "depopulated"]


@dataclass(frozen=True)
class _Tables:
    """The tables of one municipal report, each computed once."""

    goal: pd.DataFrame
    comparison: pd.DataFrame
    peers: pd.DataFrame
    zero: pd.DataFrame
    standing: pd.DataFrame
    budget_gap: str
    budgets: pd.DataFrame | None
    money: pd.DataFrame | None
    previous: int | None
    change: pd.DataFrame | None
    previous_goal: pd.DataFrame | None
    trend: pd.DataFrame | None
    track: pd.DataFrame


def build_municipal_report(data: MunicipalData, *, entity: str, year: int | str) -> Report:
    """The municipal report of one municipality and 交付年度 as a ``Report``.

    Parameters
    ----------
    data : MunicipalData
        From ``load_municipal_data`` (one national workbook per year, and the budgets).
    entity : str
        The municipality: name, 「都道府県名＋団体名」 or 保険者番号 (resolved once, among that year's municipalities).
    year : int or str
        The 交付年度 (2025, "R7", "令和7年度").

    Returns
    -------
    Report
        Title 「<団体名> <年度> 保険者機能強化推進交付金・介護保険保険者努力支援交付金の評価結果」, a lead (who, the
        comparison year, 架空データ when it is) and sections 1–9. The change from last year is left out, and said
        so, when the previous year's file or the municipality's score in it is missing; the trend when fewer than
        3 years are read; the 基準額 when a grant has no budget (the section says what to add).

    >>> from grantkit.examples import example_path
    >>> from grantkit.report import load_municipal_data
    >>> d = load_municipal_data([example_path("mhlw_sample_R6.xlsx"), example_path("mhlw_sample_R7.xlsx")],
    ...                         example_path("budgets_synthetic.csv"))
    >>> r = build_municipal_report(d, entity="つばきの森市", year="R7")
    >>> r.sheets()[:3], len(r.figures())
    (['目標別の得点', '全国・県内・同規模との比較', '合計と順位'], 5)
    """
    y = to_fiscal_year(year)
    code = data.code(entity, y)  # from here on the 保険者番号: a name may be another town's in another year
    name, who = data.name(code), data.describe(code)
    with reused_totals():  # the national totals of a year are summed once for every table and chart
        return _report(data, code, y, name, who)


def _report(data: MunicipalData, code: str, y: int, name: str, who: str) -> Report:
    t = _tables(data, code, y)
    title = f"{name} {era_label_long(y)} {GRANT_NAMES['推進']}・{GRANT_NAMES['支援']}の評価結果"
    sections = [
        _lead(data, code, y, who, t),
        _draft_section(t, who, y),
        Section(
            "2. 目標・指標群別の得点",
            [
                Text(
                    "両交付金の得点・配点・得点率を、目標（Ⅰ〜Ⅳ）と指標群（体制・取組／活動／成果）ごとに並べます。"
                    "目標Ⅳ（成果指標群）は両交付金に同じ得点が計上されるため、一度だけ示し、それぞれの合計に含めて"
                    "います（各交付金の合計は400点満点）。"
                ),
                Table(present.goal_view(t.goal), sheet="目標別の得点", numbers=present.goal_view(t.goal, numbers=True)),
            ],
        ),
        _peers_section(data, code, name, y, t),
        _change_section(data, code, name, y, t),
        _outcome_section(data, name, t),
        _zero_section(t),
        _money_section(t),
        Section(
            "8. 表の書き出し",
            [
                Text(
                    "上の表は、報告書と同じフォルダの「表.xlsx」にもあります（日本語の見出し、数値は数値のまま、"
                    "得点率は %、金額は桁区切り）。取組の候補は全件です。"
                )
            ],
        ),
        Section(
            "9. 入力データ",
            [
                Text(
                    "この報告が読んだファイルと、その読み込み結果です（読込 ＝ 採用 ＋ 除外。除外したのは得点のない"
                    "広域連合などの行です）。"
                ),
                Text(data.summary(), drafted=True),
            ],
        ),
    ]
    return Report(title, data.source_of(y), sections, entity_rate_digits=1)


def _tables(data: MunicipalData, code: str, y: int) -> _Tables:
    scores, attributes = data.scores, data.attributes_of(y)
    previous = data.previous_year(y, code)
    gap = data.budget_gap(y, code)
    budgets = None if gap else data.budgets(y)
    zero = zero_items(scores, entity=code, fiscal_year=y)
    money = (
        None
        if budgets is None
        else municipal_grant(
            scores,
            attributes,
            dict(zip(budgets["grant"], budgets["budget_yen"])),
            entity=code,
            fiscal_year=y,
            zero=zero,
            amounts=data.amounts_of(y),
        )
    )
    return _Tables(
        goal=goal_table(scores, entity=code, fiscal_year=y),
        comparison=goal_comparison(scores, attributes, entity=code, fiscal_year=y),
        peers=peer_table(scores, attributes, entity=code, fiscal_year=y),
        zero=zero,
        standing=overall_standing(scores, entity=code, fiscal_year=y, previous=previous),
        budget_gap=gap,
        budgets=budgets,
        money=money,
        previous=previous,
        change=None if previous is None else year_change(scores, entity=code, base=previous, target=y),
        previous_goal=None if previous is None else goal_table(scores, entity=code, fiscal_year=previous),
        trend=trend_table(scores, data.attributes, entity_code=code) if len(data.years) >= 3 else None,
        track=outcome_track(scores, entity=code),
    )


def _lead(data: MunicipalData, code: str, y: int, who: str, t: _Tables) -> Section:
    compared = era_label_long(t.previous) if t.previous else f"なし（{data.no_previous_reason(y, code)}）"
    fictitious = (
        "\n【架空データ】この報告の数字は架空の見本データによるもので、実在の団体・評価結果ではありません。"
        if data.fictitious
        else ""
    )
    at = data.attributes_of(y)
    mine = at.loc[at["entity_code"] == code, [c for c in ATTRIBUTE_COLUMNS if c in at.columns]]
    return Section(
        "",
        [
            Text(
                "一つの市町村について、交付年度の評価結果を両交付金まとめて見ます。目標（Ⅰ〜Ⅳ）と指標群（体制・取組／"
                "活動／成果）ごとの得点率、全国・県内・同規模団体との比較と順位、前年度からの変化、成果指標群（目標Ⅳ）"
                "の推移、多くの市町村が得点しているのに得点できていない項目（取組の候補）、評価結果から算定される基準額"
                "を並べ、議会・委員会への報告（案）を下書きします。"
            ),
            Text(f"対象: {who}　交付年度: {era_label_long(y)}　前年度との比較: {compared}{fictitious}", drafted=True),
            Text(
                "団体の属性です。同規模団体は「規模区分」と「過疎地域」が同じ市町村です（規模区分のない年度は過疎地域"
                "だけで比べます）。"
            ),
            Table(present.readable(mine, drop=()).set_index("団体名")),
        ],
    )


def _draft_section(t: _Tables, who: str, y: int) -> Section:
    drafted = present.describe_municipal(
        t.goal,
        t.peers,
        t.zero,
        entity=who,
        fiscal_year=y,
        previous_goal=t.previous_goal,
        scale_changed=t.change is not None and bool(t.change["scale_changed"].any()),
        money=t.money,
        comparison=t.comparison,
        change=t.change,
        standing=t.standing,
    )
    parts: list = [
        Text(
            "以下の表から自動で下書きした、議会・委員会への報告の文案です（報告趣旨・評価結果・今後の方向性）。"
            "取組の背景や理由は担当者が書き足してください。"
        )
    ]
    for head, text in drafted.items():
        parts += [Heading(head), Text(text, drafted=True)]
    return Section("1. 報告（案）", parts)


def _peers_section(data: MunicipalData, code: str, name: str, y: int, t: _Tables) -> Section:
    totals = goal_totals(data.scores, y)  # the 合計 rows: each municipality's total per grant (as grant_totals)
    totals = totals[totals["parent"] == TOTAL].rename(columns={"rate": "score_rate"})
    parts: list = [
        Text(
            "目標ごとの得点率と、全国の市町村・同じ都道府県の市町村・同規模団体の平均得点率です。「全国平均との差」は"
            "ポイント（得点率の差）です。"
        ),
        Table(
            present.goal_comparison_view(t.comparison),
            sheet="全国・県内・同規模との比較",
            numbers=present.goal_comparison_view(t.comparison, numbers=True),
        ),
        Text("棒は当該市町村の得点率、記号はそれぞれの平均です。"),
        Figure.of(plot.goal_chart(t.comparison, source=data.source_of(y))[0], "01_目標別の得点率"),
        Text(
            "両交付金の合計（各400点、目標Ⅳは両方に計上して800点満点）と交付金ごとの合計について、得点・全国平均"
            "（全市町村の平均点、小数第2位まで）・全国の順位と前年度の順位です。順位は得点の高い順（同点は同順位）です。"
        ),
        Table(
            present.standing_view(t.standing),
            sheet="合計と順位",
            numbers=present.standing_view(t.standing, numbers=True),
        ),
        Text(
            "全国・県内・同規模団体の中での、交付金ごとの合計の得点率の順位です。順位は得点の高い順（同点は同順位）、"
            "パーセンタイルは、ほかの団体のうち自分より得点の高くない団体の割合（100 ×（団体数 − 順位）÷（団体数 − 1）。"
            "100 が最上位、0 が最下位。四捨五入して整数）です。"
        ),
        Table(present.peer_view(t.peers), sheet="順位", numbers=present.peer_view(t.peers, numbers=True)),
        Text("全国の市町村の合計得点率の分布と、当該市町村の位置です（交付金ごと）。"),
    ]
    for number, grant in enumerate(GRANTS, start=2):
        fig, _ = plot.distribution(
            national_rates(totals, grant=grant),
            highlight=code,
            name=name,
            title=f"{GRANT_NAMES[grant]}の合計得点率の分布（{era_label(y)}、全国の市町村）",
            source=data.source_of(y),
        )
        parts.append(Figure.of(fig, f"0{number}_得点率の分布_{grant}"))
    return Section("3. 全国・県内・同規模団体との比較", parts)


def _change_section(data: MunicipalData, code: str, name: str, y: int, t: _Tables) -> Section:
    parts: list = [
        Text(
            "前年度と同じ目標ごとに得点率を比べます。配点が前年度と異なる目標（評価指標の体系が変わった年度、例えば"
            "令和5年度→令和6年度）は、得点そのものは比べられないため得点率だけで比べ、「得点の変化」に「配点が異なり"
            "比較不可」と示します。"
        )
    ]
    if t.change is None:
        parts.append(Text(f"前年度との比較は省略します。{data.no_previous_reason(y, code)}。", drafted=True))
    else:
        parts += [
            Table(
                present.change_view(t.change),
                sheet="前年度からの変化",
                numbers=present.change_view(t.change, numbers=True),
            ),
            Figure.of(plot.year_comparison(t.change, source=data.source_note, digits=1)[0], "04_前年度との比較"),
        ]
    parts += [
        Heading("読み込んだ全年度の推移"),
        Text(
            "3年度以上のファイルを読み込んだときは、全年度の得点率・全国順位・全国平均・県内平均を交付金と目標ごとに"
            "並べます（評価指標の体系が変わった年度は「評価体系の変更」に示し、得点ではなく得点率で比べます）。"
        ),
    ]
    if t.trend is None:
        parts.append(
            Text(f"読み込んだ年度が{len(data.years)}年度のため、推移は省略します（3年度以上で表示）。", drafted=True)
        )
    else:
        parts.append(Text(present.trend_sentence(t.trend, entity=name), drafted=True))
        for grant in GRANTS:
            fig, _ = plot.trend_panels(t.trend, grant=grant, entity=name, source=data.source_note)
            parts.append(Figure.of(fig, f"04_推移_{grant}"))
        parts.append(
            Table(present.overview_view(t.trend), sheet="全年度の推移", numbers=present.overview_excel(t.trend))
        )
    return Section("4. 前年度からの変化", parts)


def _outcome_section(data: MunicipalData, name: str, t: _Tables) -> Section:
    return Section(
        "5. 成果指標群（目標Ⅳ）の推移",
        [
            Text(
                "国はアウトプット・中間アウトカム指標の充実を進めています。成果指標群（目標Ⅳ）の得点率を、読み込んだ"
                "年度について全国平均と並べます。"
            ),
            Table(present.by_year(t.track), sheet="成果指標群の推移", numbers=t.track),
            Figure.of(plot.outcome_chart(t.track, entity=name, source=data.source_note)[0], "05_成果指標群の推移"),
        ],
    )


def _zero_section(t: _Tables) -> Section:
    zero = t.zero
    points = {g: present.format_points(zero[zero["grant"].isin([g, "共通"])]["max_score"].sum()) for g in GRANTS}
    return Section(
        "6. 取組の候補：多くの市町村が得点しているのに得点できていない項目",
        [
            Text(
                "当該市町村が0点で、全国の市町村の半数以上が得点している項目を、配点の大きい順に並べます（上位15件。"
                "全件は Excel に書き出します）。目標Ⅳの項目は両交付金に効きます。"
            ),
            Text(
                f"該当する項目は {len(zero)} 件、配点の合計は推進 {points['推進']} 点、支援 {points['支援']} 点です。",
                drafted=True,
            ),
            Table(present.zero_view(zero), sheet="取組の候補", numbers=present.zero_view(zero, top=None, numbers=True)),
        ],
    )


def _money_section(t: _Tables) -> Section:
    parts: list = [
        Text(
            "基準額 ＝ 予算額（市町村分）× 当該市町村の評価点数 × 第1号被保険者数 ÷ 全市町村の（評価点数 × 第1号被保険者数）"
            "の合計です。表の基準額は千円未満を切り捨てた額です。予算額は次の表のもので、確認済みでない額による基準額は"
            "試算です。「1点増えた場合の基準額の増分」（1点あたり）は、ほかの市町村の得点が変わらないとしたときの、1点"
            "増えた場合と現在の基準額（それぞれ1円未満を切り捨てた額）の差を円単位で示します。「第1号被保険者1人当たり"
            "基準額」は小数第1位に四捨五入しています。「取組候補をすべて得点した場合」は前節の項目をすべて得点したとき"
            "の試算です。"
        )
    ]
    if t.budget_gap:
        parts.append(Text(t.budget_gap, drafted=True))
    else:
        parts.append(Table(present.readable(t.budgets, drop=()).set_index("交付金"), sheet="予算額", numbers=t.budgets))
    if t.money is not None:
        parts.append(Table(present.grant_view(t.money), sheet="基準額", numbers=t.money))
    return Section("7. 基準額", parts)
