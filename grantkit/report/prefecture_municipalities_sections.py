"""The report on a prefecture's municipalities as a model: ``build_prefecture_municipalities_report`` turns a
``MunicipalData`` into a ``Report`` (the tables of ``prefecture_overview``, each computed once, with their charts
and the prose of each section; no previous year → the change is left out and said so).
"""

from __future__ import annotations

from .. import plot, present
from ..eras import era_label_long
from .model import Figure, Report, Section, Table, Text
from .municipal import MunicipalData
from .prefecture_municipalities import PrefectureOverview, prefecture_overview


def build_prefecture_municipalities_report(data: MunicipalData, *, prefecture: str, year: int | str) -> Report:
    """The report on one prefecture's municipalities in one 交付年度 as a ``Report``.

    Parameters
    ----------
    data : MunicipalData
        From ``load_municipal_data`` (the previous year's workbook adds the change from last year).
    prefecture : str
        「北海道」, 「鳥取県」 or 「鳥取」.
    year : int or str
        The 交付年度 (2025, "R7", "令和7年度").

    Returns
    -------
    Report
        Title 「<都道府県>の市町村の評価結果 <年度>（…）」, a lead and sections 1–8; sheets 県内の市町村,
        指標群別の得点率, 基準, 基準未満の市町村, 目標別の基準未満 (when a 目標 has any), 支援の優先候補, 前年度からの変化 (with the previous year),
        同規模・過疎区分.

    >>> from grantkit.examples import example_path
    >>> from grantkit.report import load_municipal_data
    >>> d = load_municipal_data([example_path("mhlw_sample_R7.xlsx")])
    >>> r = build_prefecture_municipalities_report(d, prefecture="北海道", year="R7")
    >>> r.title, "前年度からの変化" in r.sheets()
    ('北海道の市町村の評価結果 令和7年度（保険者機能強化推進交付金・介護保険保険者努力支援交付金）', False)
    """
    o = prefecture_overview(data, prefecture=prefecture, year=year)
    y, source = o.fiscal_year, data.source_note
    fictitious = (
        "\n【架空データ】この報告の数字は架空の見本データによるもので、実在の団体・評価結果ではありません。"
        if data.fictitious
        else ""
    )
    title = f"{o.prefecture}の市町村の評価結果 {era_label_long(y)}（保険者機能強化推進交付金・介護保険保険者努力支援交付金）"
    sections = [
        Section(
            "",
            [
                Text(
                    "都道府県の立場から、全国の評価結果（市町村分）で県内の市町村を見ます。県内市町村の得点率の分布と順位、"
                    "「著しく得点の低い市町村」の基準（全国平均得点率−2標準偏差）とそれを下回る市町村、県内で0点の多い"
                    "項目（支援の優先候補）、前年度からの変化、規模区分×過疎の区分ごとの平均を、全国と比べて並べます。"
                ),
                Text(o.summary() + fictitious, drafted=True),
            ],
        ),
        _municipalities(o, source),
        _distribution(o, source),
        Section(
            "3. 著しく得点の低い市町村の基準",
            [
                Text(
                    "基準は、公表の統計行の平均得点率 − 2 × 標準偏差 ÷ 配点です。標準偏差は母標準偏差（n で割る）と"
                    "標本標準偏差（n − 1 で割る）の両方を示します。公表の標準偏差がどちらかは、全市町村の得点から両方を"
                    "計算し直して判定し、基準にはその公表の値を使います。"
                ),
                _table(o.thresholds, "基準"),
                Text("基準を下回る県内の市町村と、基準との差（ポイント）です。"),
                Text("基準を下回る県内の市町村はありません。", drafted=True)
                if o.below.empty
                else _table(o.below, "基準未満の市町村"),
                Text(
                    "目標ごとの基準（目標ごとの平均得点率 − 2 × 標準偏差 ÷ 配点、上の表の目標の行）を下回る県内の市町村"
                    "です。合計では基準以上でも、一つの目標で大きく遅れている市町村を見つけるための一覧です。目標Ⅳは"
                    "両交付金に同じ得点が入るため「共通」として一度だけ示します。"
                ),
                Text("目標ごとの基準を下回る県内の市町村はありません。", drafted=True)
                if o.below_goals.empty
                else _table(o.below_goals, "目標別の基準未満"),
            ],
        ),
        Section(
            "4. 支援の優先候補：全国の多くが得点しているのに県内で0点の多い項目",
            [
                Text(o.items.attrs["rule"] + f"。該当 {len(o.items)} 項目（上位20件。全件は Excel）。", drafted=True),
                Table(
                    present.overview_view(o.items, top=20),
                    sheet="支援の優先候補",
                    numbers=present.overview_excel(o.items),
                ),
            ],
        ),
        Section(
            "5. 前年度からの変化",
            [
                Text(
                    "市町村ごとの合計得点率の変化です。どちらかの年度にしかない市町村も「掲載」欄に示して残しています。"
                ),
                Text(
                    f"前年度（{era_label_long(y - 1)}）の全国の評価結果が DATA にないため、比較は省略します。",
                    drafted=True,
                )
                if o.change is None
                else _table(o.change, "前年度からの変化"),
            ],
        ),
        Section(
            "6. 同規模・同じ過疎区分の平均",
            [
                Text(
                    "規模区分×過疎地域の区分ごとに、県内の平均得点率を全国の同じ区分の平均と比べます（規模区分のない"
                    "年度は過疎地域だけ）。"
                ),
                _table(o.peers, "同規模・過疎区分"),
            ],
        ),
        Section(
            "7. 表の書き出し",
            [
                Text(
                    "上の表は、報告書と同じフォルダの「表.xlsx」にもあります（日本語の見出し、数値は数値のまま、得点率は %）。"
                )
            ],
        ),
        Section(
            "8. 入力データ",
            [
                Text("この報告が読んだファイルと、その読み込み結果です（読込 ＝ 採用 ＋ 除外）。"),
                Text(data.summary(), drafted=True),
            ],
        ),
    ]
    return Report(title, source, sections)


def _table(table: object, sheet: str) -> Table:
    return Table(present.overview_view(table), sheet=sheet, numbers=present.overview_excel(table))


def _municipalities(o: PrefectureOverview, source: str) -> Section:
    parts: list = [
        Text(
            "市町村ごとの合計得点・得点率・全国順位・県内順位と、目標ごとの得点率です（推進の全国順位の順。Excel では"
            "並べ替えられます）。順位は得点の高い順で、同点は同順位です。"
        ),
        _table(o.table, "県内の市町村"),
        Text(
            "合計の得点率の高い順です。市町村が多い都道府県は、同じ大きさの図に分けて示します。点線は基準（全国平均−2"
            "標準偏差）、色の違う棒は基準を下回る市町村です。"
        ),
    ]
    for grant in o.grants:
        for page in range(plot.page_count(len(o.table))):
            fig, _ = plot.municipality_bars(
                o.table, grant=grant, threshold=o.threshold(grant), page=page, source=source
            )
            parts.append(Figure.of(fig, f"01_県内の得点率_{grant}_{page + 1}"))
    return Section("1. 県内の市町村", parts)


def _distribution(o: PrefectureOverview, source: str) -> Section:
    parts: list = [Text("灰色は全国の市町村の得点率の分布、下の縦線は県内の市町村です（目標ごと）。")]
    for grant in o.grants:
        fig, _ = plot.rate_panels(o.rates, grant=grant, thresholds=o.thresholds, source=source)
        parts.append(Figure.of(fig, f"02_得点率の分布_{grant}"))
    parts += [
        Text(
            "指標群（体制・取組／活動／成果）ごとの得点率の平均と中央値を、県内と全国で比べます。目標Ⅳ（成果指標群）は"
            "両交付金に同じ得点が入るため「共通」として一度だけ示します。"
        ),
        _table(o.groups, "指標群別の得点率"),
        Figure.of(plot.group_rate_chart(o.groups, source=source)[0], "02_指標群別の得点率"),
    ]
    return Section("2. 全国の分布の中の県内市町村", parts)
