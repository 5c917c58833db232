"""The prefecture report as a model: ``build_prefecture_report`` turns a ``ReportData`` into a ``Report``.

It selects the entity, grant and years once, computes each table once and decides each section's prose and
omissions (no utilisation data, no project list, fewer than 3 years → no trend).
"""

from __future__ import annotations

import pandas as pd

from .. import plot, present
from ..compare import Selection, compare_to_average, compare_years, resolve_selection, strengths, weaknesses
from ..eras import era_label_long
from ..eras import fiscal_year as to_fiscal_year
from ..funding import project_summary, project_table
from ..labels import GRANT_NAMES
from ..rates import score_rates
from ..trend import prefecture_trend
from .model import Figure, Heading, Report, Section, Table, Text
from .prefecture import ReportData, allocation_summary

NO_UTILIZATION = "活用状況のデータはありません（grantkit report の --utilization、ノートブックでは UTILIZATION に CSV を指定してください）。"
NO_PROJECTS = "事業一覧のデータはありません（grantkit report の --projects、ノートブックでは PROJECTS に CSV を指定してください）。"


def build_prefecture_report(data: ReportData, *, entity: str, base: int | str, target: int | str) -> Report:
    """The prefecture report of one entity and two years as a ``Report``.

    Parameters
    ----------
    data : ReportData
        From ``load_report_data`` (best narrowed to the entity, grant and years: ``entity=``, ``years=``).
    entity : str
        The prefecture (name or code).
    base, target : int or str
        The two 交付年度 (2018, "H30", "平成30年度"), base first.

    Returns
    -------
    Report
        Title 「<団体> <基準年度>・<比較年度> 交付金の評価と活用状況」 (the grant named when the table has both),
        a lead and sections 1–8 as the printed report has them; sheets 得点表, 得点表（数値）, 年度比較,
        全国平均との比較, 配分額 always, 全年度の推移 / 活用状況 / 活用事業 when there is data for them.
        Guarantees: each table is computed once; a missing utilisation or project file is said in its section.

    >>> from grantkit.examples import example_path
    >>> from grantkit.report import load_report_data
    >>> d = load_report_data(example_path("yamaguchi_scores.csv"), entity="山口県", years=["H30", "R1"])
    >>> r = build_prefecture_report(d, entity="山口県", base="H30", target="R1")
    >>> r.title, r.sheets()[:3]
    ('山口県 平成30年度・令和元年度 交付金の評価と活用状況', ['得点表', '得点表（数値）', '年度比較'])
    """
    years = [to_fiscal_year(base), to_fiscal_year(target)]
    sel = resolve_selection(data.scores, entity=entity, years=years, grant=data.grant or None)
    name, source = sel.entity, data.source_note
    history = data.history if data.history is not None else data.scores
    both = history.loc[history["fiscal_year"].isin(years), "grant"].nunique() > 1
    rates = score_rates(data.scores)
    comparison = compare_years(data.scores, base, target, entity=sel)  # the selection resolved once above
    versus = compare_to_average(data.scores, entity=sel, fiscal_year=target)
    title = (
        f"{name} {era_label_long(base)}・{era_label_long(target)} "
        f"{GRANT_NAMES[sel.grant] + 'の' if both else '交付金の'}評価と活用状況"
    )
    sections = [
        Section(
            "",
            [
                Text(
                    "評価指標の得点率を2か年と全国平均で比べ、その得点による交付金の配分額、配分額に対する事業費"
                    "（活用状況）、交付金を活用した事業をまとめます。"
                ),
                Text(
                    f"対象: {name}（{data.grant_name}）　比較する年度: {era_label_long(base)}（基準）と"
                    f"{era_label_long(target)}",
                    drafted=True,
                ),
            ],
        ),
        _scores_section(rates, sel, years),
        _comparison_section(comparison, history, name, sel.grant, target, source),
        _average_section(versus, comparison, source),
        _allocation_section(data, name),
        _utilization_section(data, comparison.attrs["entity"]),
        _projects_section(data, comparison.attrs["entity"]),
        Section(
            "7. 表の書き出し",
            [
                Text(
                    "上の表は、報告書と同じフォルダの「表.xlsx」にもあります（日本語の見出し、数値は数値のまま、"
                    "表示の桁数はこの報告書と同じ）。"
                )
            ],
        ),
        Section(
            "8. 入力データ",
            [
                Text("この報告書が読んだファイルと、その読み込み結果です。除外した行があれば、ここに件数が出ます。"),
                Text(data.summary(), drafted=True),
            ],
        ),
    ]
    return Report(title, source, sections, entity_rate_digits=0)


def _scores_section(rates: pd.DataFrame, sel: Selection, years: list[int]) -> Section:
    table = present.score_table(rates, entity=sel, years=years)
    return Section(
        "1. 評価指標の得点",
        [
            Text(
                "指標ごとの「得点 ／ 配点」と全国平均です。括弧内は得点率（団体は整数、全国平均は小数第1位）。"
                "小計・合計はデータの末端の指標から計算しています。得点率はすべて四捨五入です。"
            ),
            Table(present.score_table_view(table), sheet="得点表"),
            Table(None, sheet="得点表（数値）", numbers=present.score_numbers(rates, entity=sel, years=years)),
            Text(present.average_rounding_note(rates, years=years), drafted=True),
        ],
    )


def _comparison_section(
    comparison: pd.DataFrame, history: pd.DataFrame, name: str, grant: str, target: int | str, source: str
) -> Section:
    every_year = history[history["fiscal_year"] <= to_fiscal_year(target)]
    count = every_year["fiscal_year"].nunique()
    trend = prefecture_trend(every_year, entity=name, grant=grant) if count >= 3 else None
    parts = [
        Text(
            "配点や指標は年度ごとに変わるため、得点ではなく得点率で比べます。「配点の変更」が「あり」の指標は"
            "得点そのものは比べられません。"
        ),
        Table(present.comparison_view(comparison), sheet="年度比較", numbers=comparison),
        Text("棒は団体の得点率、縦線は各年度の全国平均です。"),
        Figure.of(plot.year_comparison(comparison, source=source)[0], "01_年度比較"),
        Heading("評価（案）"),
        Text("数値から自動で下書きした文章です。変化の理由は担当者が書き足してください。"),
        Text(present.describe_change(comparison), drafted=True),
        Heading("得点表にある全年度の推移"),
        Text(
            "得点表に比較年度までの3年度以上があるときは、区分（Ⅰ・Ⅱ・Ⅲ…）と合計の得点率を全年度について全国平均と"
            "並べます。配点が前年度と異なる年度は「評価体系の変更」に示し、得点ではなく得点率で比べます。"
        ),
    ]
    if trend is None:
        parts.append(Text(f"得点表の年度が{count}年度のため、推移は省略します（3年度以上で表示）。", drafted=True))
    else:
        parts += [
            Text(present.trend_sentence(trend, entity=name), drafted=True),
            Figure.of(plot.trend_panels(trend, grant=grant, entity=name, source=source)[0], "01_全年度の推移"),
            Table(present.overview_view(trend), sheet="全年度の推移", numbers=present.overview_excel(trend)),
        ]
    return Section("2. 年度比較", parts)


def _average_section(versus: pd.DataFrame, comparison: pd.DataFrame, source: str) -> Section:
    return Section(
        "3. 全国平均との比較",
        [
            Text(
                "比較年度について、指標ごとに全国平均との差（得点率のポイント差）を大きい順に並べます。青は全国平均"
                "より上、橙は下です。下の表は、全国平均を最も上回る指標（強み）と最も下回る指標（弱み）です。"
            ),
            Figure.of(plot.national_gap(versus, source=source)[0], "02_全国平均との差"),
            Table(present.average_view(strengths(versus)), sheet="全国平均との比較", numbers=versus),
            Table(present.average_view(weaknesses(versus))),
            Text("区分（Ⅰ・Ⅱ・Ⅲ）と合計の得点率を2か年並べ、各年度の全国平均（縦線）と比べます。"),
            Figure.of(plot.profile_chart(comparison, source=source)[0], "03_区分別得点率"),
        ],
    )


def _allocation_section(data: ReportData, name: str) -> Section:
    allocation = allocation_summary(
        data.scores, entity=name, budgets=data.prefecture_budgets(), official=data.utilization
    )
    return Section(
        "4. 交付金の配分額",
        [
            Text(
                "基準額 ＝ 予算額（都道府県分）× 当該団体の評価点数 ÷ 各団体の評価点数の合計（＝47 × 全国平均）。"
                "公表された全国平均は端数処理されているため、公表の配分額と一致しない年度は、配分額から逆算した"
                "全国平均の範囲を示します。"
            ),
            Table(present.allocation_view(allocation), sheet="配分額", numbers=allocation),
            Text(present.describe_allocation(allocation) + data.budget_note(), drafted=True),
        ],
    )


def _utilization_section(data: ReportData, name: str) -> Section:
    parts: list = [
        Text(
            "配分額に対する所用見込額・実績額とその割合です。割合が低い年度ほど、交付金を使い切れていません。"
            "実績額が空欄の年度は未確定（0 ではありません）。図は配分額（青）と所用見込額・実績額を並べたもので、"
            "上の注記は配分額のうち使われなかった割合です。"
        )
    ]
    if data.utilization is None:
        parts.append(Text(NO_UTILIZATION, drafted=True))
    else:
        parts += [
            Table(present.by_year(data.utilization), sheet="活用状況", numbers=data.utilization),
            Text(present.describe_utilization(data.utilization), drafted=True),
            Figure.of(plot.money_chart(data.utilization, source=data.funding_note(name))[0], "04_配分額と事業費"),
        ]
    return Section("5. 交付金の活用状況", parts)


def _projects_section(data: ReportData, name: str) -> Section:
    parts: list = [
        Text(
            "対象事業ごとの事業と各年度の実施状況です（○＝実施、－＝未実施、文字＝廃止の理由）。図は対象事業ごとの"
            "事業数を年度で並べたもので、橙の注記は新規・廃止の件数です。"
        )
    ]
    if data.projects is None:
        parts.append(Text(NO_PROJECTS, drafted=True))
    else:
        projects = project_table(data.projects)
        parts += [
            Table(present.project_view(projects), sheet="活用事業", numbers=projects),
            Figure.of(
                plot.projects_chart(project_summary(data.projects), source=data.funding_note(name))[0], "05_活用事業"
            ),
        ]
    return Section("6. 交付金を活用した事業", parts)
