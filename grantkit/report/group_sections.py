"""The group report as a model: ``build_group_report`` turns a ``MunicipalData`` and several municipalities into a
``Report`` (the tables of ``group_tables``, each computed once; every one of them is a sheet of the workbook, in
full, while the page shows the first rows of the long ones; no R6 workbook → the amounts are left out and said so).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from .. import plot, present
from ..eras import era_label_long
from ..eras import fiscal_year as to_fiscal_year
from .group import check_entities, entity_names, group_tables
from .model import Figure, Report, Section, Table, Text
from .municipal import MunicipalData


def build_group_report(data: MunicipalData, entities: Sequence[str], *, year: int | str) -> Report:
    """The report comparing several municipalities in one 交付年度 as a ``Report``.

    Parameters
    ----------
    data : MunicipalData
        From ``load_municipal_data`` (the R6 workbook adds the published amounts).
    entities : sequence of str
        The municipalities (names, 「都道府県名＋団体名」 or 保険者番号), each once.
    year : int or str
        The 交付年度.

    Returns
    -------
    Report
        Title 「<団体>・…の評価結果の比較 <年度>（…）」, a lead and sections 1–7; one sheet per table of
        ``group_tables`` (概要 first, ルール last), in full.

    >>> from grantkit.examples import example_path
    >>> from grantkit.report import load_municipal_data
    >>> d = load_municipal_data([example_path("mhlw_sample_R7.xlsx")])
    >>> r = build_group_report(d, ["つばきの森市", "020011"], year="R7")
    >>> r.title
    '北海道つばきの森市・青森県ゆうひさき町の評価結果の比較 令和7年度（保険者機能強化推進交付金・介護保険保険者努力支援交付金）'
    """
    y = to_fiscal_year(year)
    codes = check_entities(data, entities, year=y)
    names, prefectures = entity_names(data, codes, fiscal_year=y)
    tables = group_tables(data, list(entities), year=y)
    sheets = {name: present.overview_excel(table) for name, table in tables.items()}
    fictitious = (
        "\n【架空データ】この報告の数字は架空の見本データによるもので、実在の団体・評価結果ではありません。"
        if data.fictitious
        else ""
    )
    title = (
        f"{'・'.join(p + n for p, n in zip(prefectures, names))}の評価結果の比較 {era_label_long(y)}"
        "（保険者機能強化推進交付金・介護保険保険者努力支援交付金）"
    )

    def table(name: str, top: int | None = None) -> Table:
        return Table(present.overview_view(tables[name], top=top), sheet=name, numbers=sheets[name])

    below = tables["案を下回った市町村（全国）"]
    no_r6 = "R6 の全国の評価結果が DATA にないため、"
    sections = [
        Section(
            "",
            [
                Text(
                    "複数の市町村を全国の評価結果（市町村分）で並べて比べます。合計得点とその全国順位・同規模（規模区分"
                    "×過疎）の中の順位・県内順位、年度ごとの合計得点の推移、目標ごとの得点と全国平均との差、R6 の交付"
                    "見込額（案）と確定額（消化率）、同規模の市町村の多くが満点なのに失った点のある「取り戻す指標」を"
                    "示します。"
                ),
                Text(
                    f"{len(tables['概要'])} 団体の{era_label_long(y)}の評価結果を並べます。{fictitious}", drafted=True
                ),
            ],
        ),
        Section(
            "1. 概要",
            [
                Text(
                    "団体ごとの第1号被保険者数・区分・過疎、推進・支援の合計得点と全国平均との差、全国・同規模・県内の"
                    "順位、全国平均から20点以上離れた目標、取り戻す指標の数、R6 の消化率と第1号被保険者1人当たりの"
                    "確定額です。"
                ),
                table("概要"),
                Table(None, sheet="順位と合計", numbers=sheets["順位と合計"]),
            ],
        ),
        Section(
            "2. 合計得点の推移",
            [
                Text("年度ごとの推進・支援の合計得点と全国平均（破線）です。"),
                Figure.of(plot.group_trend_chart(tables["推移"], source=data.source_note)[0], "01_合計得点の推移"),
                table("推移"),
            ],
        ),
        Section(
            "3. 目標ごとの得点",
            [
                Text("目標ごとの得点と全国平均との差です。差が±20点以上の目標に印を付けます。"),
                Text(tables["目標別"].attrs["rule"], drafted=True),
                table("目標別"),
            ],
        ),
        Section(
            "4. R6 の交付額",
            [
                Text("交付見込額（案）と確定額、消化率（確定額 ÷ 案）、第1号被保険者1人当たりの確定額です。"),
                Text(no_r6 + "交付額は省略します。", drafted=True) if tables["R6交付額"] is None else table("R6交付額"),
                Text("確定額が交付見込額（案）を下回った全国の市町村です（全件は Excel）。"),
                *_below(below, no_r6, table, sheets),
            ],
        ),
        Section(
            "5. 取り戻す指標",
            [
                Text(
                    "同規模の市町村の多くが満点なのに失った点のある項目と、全国の多くが得点しているのに0点の項目です"
                    "（規則は下のとおり。上位30件。全件は Excel）。"
                ),
                Text("\n".join(tables["取り戻す指標"].attrs["rules"]), drafted=True),
                table("取り戻す指標", top=30),
                *[Table(None, sheet=name, numbers=sheets[name]) for name in tables if name not in _SHOWN],
            ],
        ),
        Section(
            "6. 表の書き出し",
            [
                Text(
                    "上の表は、報告書と同じフォルダの「表.xlsx」にもあります（1枚目が概要、続いて見方ごとに1枚。日本語の"
                    "見出し、数値は数値のまま、割合は %）。使った規則は「ルール」のシートにあります。"
                )
            ],
        ),
        Section(
            "7. 入力データ",
            [
                Text("この報告が読んだファイルと、その読み込み結果です（読込 ＝ 採用 ＋ 除外）。"),
                Text(data.summary(), drafted=True),
            ],
        ),
    ]
    return Report(title, data.source_note, sections)


_SHOWN = {"概要", "順位と合計", "推移", "目標別", "R6交付額", "案を下回った市町村（全国）", "取り戻す指標"}


def _below(below: pd.DataFrame | None, no_r6: str, table: Callable, sheets: dict) -> list[Text | Table]:
    """The municipalities paid less than planned: none read (no R6 workbook), none found (an empty sheet), or the
    first 30 of them (all in the sheet)."""
    name = "案を下回った市町村（全国）"
    if below is None:
        return [Text(no_r6 + "省略します。", drafted=True)]
    if below.empty:
        return [Text("案を下回った市町村はありません。", drafted=True), Table(None, sheet=name, numbers=sheets[name])]
    return [table(name, top=30)]
