"""The prefecture's report on its municipalities: national workbooks in, one folder out.

``grantkit report --prefecture 北海道 --year R8 --data <全国の評価結果>...`` reads the workbooks once, builds the
report (``build_prefecture_municipalities_report``) and writes an HTML page, the tables as Excel, the PNG charts
and the report's notebook (``templates/prefecture_municipalities.ipynb`` with its parameters) into
``reports/<都道府県名>_市町村_<年度>/``. ``prefecture_overview`` assembles the tables the report shows.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..eras import era_label, era_label_long
from ..eras import fiscal_year as to_fiscal_year
from ..errors import UnknownSelectionError
from ..examples import template_path
from ..municipal import TOTAL, reused_totals
from ..prefecture_view import (
    below_goal_threshold,
    below_threshold,
    group_rates,
    low_score_thresholds,
    municipality_change,
    municipality_table,
    peer_context,
    rate_distribution,
    support_items,
)
from ..prefectures import PREFECTURES
from ..present.format import format_points_change, format_rate
from ..schema import GRANTS
from ..text import normalize_text

TEMPLATE = template_path("prefecture_municipalities.ipynb")


@dataclass
class PrefectureOverview:
    """The tables of the report on one prefecture's municipalities in one 交付年度 (see ``prefecture_view``).

    Attributes
    ----------
    prefecture, fiscal_year, previous : the prefecture, the 交付年度 and the previous one loaded (or None).
    table : one row per municipality (``municipality_table``).
    thresholds, below, below_goals : the low-score thresholds and the municipalities below them (grant totals;
        目標).
    items, change, peers, rates, groups : items to support first, the change from last year (None without it),
        区分×過疎 means, the rate distributions and the 指標群 rates.
    row_set : which rows the means and ranks use.

    >>> import grantkit as gk
    >>> d = gk.load_municipal_data([gk.example_path("mhlw_sample_R7.xlsx")])
    >>> o = prefecture_overview(d, prefecture="北海道", year="R7")
    >>> o.change is None, o.threshold("推進") < o.table.attrs["national_mean"]["推進"]
    (True, True)
    """

    prefecture: str
    fiscal_year: int
    previous: int | None
    table: pd.DataFrame
    thresholds: pd.DataFrame
    below: pd.DataFrame
    below_goals: pd.DataFrame
    items: pd.DataFrame
    change: pd.DataFrame | None
    peers: pd.DataFrame
    rates: pd.DataFrame
    groups: pd.DataFrame
    row_set: str

    @property
    def grants(self) -> list[str]:
        """The grants scored in the year, in official order."""
        return [g for g in GRANTS if f"rate_{g}" in self.table.columns]

    def threshold(self, grant: str) -> float | None:
        """The low-score threshold (rate) used for a grant total."""
        t = self.thresholds
        row = t[(t["grant"] == grant) & (t["parent"] == TOTAL)] if len(t) else t
        return float(row["threshold"].iloc[0]) if len(row) else None

    def summary(self) -> str:
        """Sentences for the head of the report: how many municipalities, the means, who is below the threshold."""
        n = self.table.attrs["n_prefecture"]
        lines = [
            (
                f"{self.prefecture}の市町村 {n} 団体（全国 {self.table.attrs['n']:,} 団体中）の"
                f"{era_label_long(self.fiscal_year)}の評価結果です。計算に使った行: {self.row_set}"
            )
        ]
        for grant in self.grants:
            mine = float(self.table[f"rate_{grant}"].mean())
            national = self.table.attrs["national_mean"][grant]
            low = self.below[self.below["grant"] == grant]
            threshold = self.threshold(grant)
            names = "、".join(low["entity"].astype(str))
            lines.append(
                f"{grant}: 県内平均の合計得点率は {format_rate(mine, 1)}（全国平均 {format_rate(national, 1)}、差 "
                f"{format_points_change((mine - national) * 100)}）。基準（全国平均−2標準偏差）"
                f"{format_rate(threshold, 1) if threshold is not None else '－'}を下回る市町村は "
                f"{len(low)} 団体" + (f"（{names}）" if names else "") + "です。"
            )
        goals = self.below_goals
        if len(goals):
            lines.append(
                f"目標ごとの基準を下回るのは延べ {len(goals)} 件、{goals['entity_code'].nunique()} 団体です"
                "（合計では基準以上でも、目標で下回る市町村を含みます）。"
            )
        return "\n".join(lines)


def prefecture_overview(data: object, *, prefecture: str, year: int | str) -> PrefectureOverview:
    """Every table of the report on one prefecture's municipalities, each computed once.

    Parameters
    ----------
    data : MunicipalData
        From ``load_municipal_data``; the previous year's workbook adds the change from last year.
    prefecture : str
        As in the workbook (「北海道」); 「鳥取」 is read as 「鳥取県」.
    year : int or str
        The 交付年度.

    Returns
    -------
    PrefectureOverview
        The municipality table, thresholds, the municipalities below them (grant totals and 目標), items to
        support first, the change (None without last year), peer means, distributions and 指標群 rates.

    >>> import grantkit as gk
    >>> d = gk.load_municipal_data([gk.example_path("mhlw_sample_R6.xlsx"), gk.example_path("mhlw_sample_R7.xlsx")])
    >>> o = prefecture_overview(d, prefecture="北海道", year="R7")
    >>> o.table.attrs["n_prefecture"], o.previous, o.grants
    (31, 2024, ['推進', '支援'])
    """
    with reused_totals():  # the tables below ask the same year's totals and standing several times
        return _prefecture_overview(data, prefecture=prefecture, year=year)


def _prefecture_overview(data: object, *, prefecture: str, year: int | str) -> PrefectureOverview:
    y = to_fiscal_year(year)
    pref = check_prefecture_selection(data, prefecture=prefecture, year=y)
    scores, attributes = data.scores_of(y), data.attributes_of(y)
    statistics = data.statistics[data.statistics["fiscal_year"] == y]
    table = municipality_table(scores, attributes, prefecture=pref, fiscal_year=y)
    thresholds = low_score_thresholds(scores, statistics, fiscal_year=y)
    previous = y - 1 if y - 1 in data.years else None
    change = (
        None
        if previous is None
        else municipality_change(data.scores, data.attributes, prefecture=pref, fiscal_year=y, previous=previous)
    )
    row_set = str(statistics["row_set"].iloc[0]) if "row_set" in statistics.columns and len(statistics) else ""
    return PrefectureOverview(
        pref,
        y,
        previous,
        table,
        thresholds,
        below_threshold(table, thresholds),
        below_goal_threshold(table, thresholds),
        support_items(scores, attributes, prefecture=pref, fiscal_year=y),
        change,
        peer_context(scores, attributes, prefecture=pref, fiscal_year=y),
        rate_distribution(scores, attributes, prefecture=pref, fiscal_year=y),
        group_rates(scores, attributes, prefecture=pref, fiscal_year=y),
        row_set,
    )


def check_prefecture_selection(data: object, *, prefecture: str, year: int | str) -> str:
    """The prefecture's name as in the workbook; ``UnknownSelectionError`` naming the years or prefectures there
    are. 「北海道」「東京都」 and names without 都・道・府・県 (「鳥取」) are accepted."""
    y = to_fiscal_year(year)
    if y not in data.years:
        raise UnknownSelectionError(
            f"{era_label_long(y)}の評価結果がありません（ある年度: "
            f"{'、'.join(era_label_long(v) for v in data.years)}）。--data にその年度のファイルを加えてください"
        )
    present = list(dict.fromkeys(data.attributes_of(y)["prefecture"].dropna().astype(str)))
    wanted = normalize_text(prefecture)
    for name in present:
        if wanted in (normalize_text(name), _stem(normalize_text(name))):
            return name
    known = "都道府県名" if wanted in {normalize_text(p) for p in PREFECTURES.values()} else "都道府県名の書き方"
    raise UnknownSelectionError(
        f"「{prefecture}」の市町村は{era_label_long(y)}の評価結果にありません（{known}を確かめて"
        f"ください。ある都道府県: {'、'.join(present)}）"
    )


def _stem(name: str) -> str:
    """「鳥取県」 → 「鳥取」, 「京都府」 → 「京都」 (one trailing 都・道・府・県 dropped)."""
    return name[:-1] if len(name) > 2 and name[-1] in "都道府県" else name


def run_prefecture_report(
    *,
    prefecture: str,
    year: int | str,
    data: Sequence[str | Path],
    out: str | Path = "reports",
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the report on one prefecture's municipalities in one 交付年度 (HTML, Excel, PNG and its notebook).

    Parameters
    ----------
    prefecture : str
        「鳥取県」 or 「鳥取」.
    year : int or str
        The 交付年度.
    data : sequence of str or Path
        The national result workbooks, one per 交付年度 (the previous year, when given, adds the changes).
    out : str or Path
        The folder the report folder is written into.
    progress : callable, optional
        Receives the progress lines (default: printed on stderr).

    Returns
    -------
    Path
        The report folder (``<out>/鳥取県_市町村_R7``), written atomically. Guarantees: each workbook is read once;
        a prefecture without municipalities in that year raises ``UnknownSelectionError`` listing the prefectures
        that exist, before anything is written.

    >>> from grantkit.examples import example_path
    >>> run_prefecture_report(prefecture="架空県", year="R7", data=[example_path("mhlw_sample_R7.xlsx")],
    ...                       progress=lambda msg: None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    grantkit.errors.UnknownSelectionError: 「架空県」の市町村は令和7年度の評価結果にありません（...）
    """
    from .execution import build_and_write
    from .municipal import load_municipal_data
    from .prefecture_municipalities_sections import build_prefecture_municipalities_report
    from .render import report_folder

    say = progress or (lambda msg: print(msg, file=sys.stderr))
    paths = [str(Path(p).resolve()) for p in data]
    say(f"[1/4] 全国の評価結果を読み込み中: {'、'.join(Path(p).name for p in paths)}")
    loaded = load_municipal_data(paths)
    y = to_fiscal_year(year)
    name = check_prefecture_selection(loaded, prefecture=prefecture, year=y)
    params = {"PREFECTURE": name, "YEAR": era_label(y), "DATA": paths, "OUTPUT_DIR": "."}
    folder = report_folder(out, f"{name}_市町村_{era_label(y)}")
    return build_and_write(
        lambda: build_prefecture_municipalities_report(loaded, prefecture=name, year=y), folder, TEMPLATE, params, say
    )
