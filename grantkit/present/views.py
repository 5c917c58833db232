"""Tables and text shaped for reading in notebooks and the HTML report (numbers become text: display only).

The Excel workbook keeps the numeric tables; these views only decide headings, row labels and formats.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from ..domain import GRANTS, SUBTOTAL_SUFFIX, TOTAL
from ..eras import era_label
from ..labels import goal_label, label, with_labels
from ..rates import display_code
from .format import format_figure, format_points, format_points_change, format_rate, readable


@dataclass(frozen=True)
class Prose:
    """Drafted sentences shown as paragraphs (``print`` would show them as program output).

    >>> Prose("一文目。\\n二文目。")._repr_html_()
    '<div class="grantkit-prose"><p>一文目。</p><p>二文目。</p></div>'
    """

    text: str

    def _repr_html_(self) -> str:
        paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in self.text.splitlines() if line.strip())
        return f'<div class="grantkit-prose">{paragraphs}</div>'

    def __repr__(self) -> str:
        return self.text


def prose(text: str) -> Prose:
    """Wrap drafted sentences (``describe_change`` …) so that notebooks show them as paragraphs.

    Parameters
    ----------
    text
        Sentences, one paragraph per line.

    Returns
    -------
    Prose
        Shown as ``<p>`` paragraphs in HTML (text escaped) and as the text itself otherwise.

    Examples
    --------
    >>> prose("得点率は伸びている。")
    得点率は伸びている。
    """
    return Prose(text)


def show_all_rows(limit: int = 2000) -> None:
    """Let notebooks and the HTML report show tables of up to ``limit`` rows in full (pandas cuts any table longer
    than 60 rows to its first and last five, which a report must not do: the rows left out would be missing).

    Parameters
    ----------
    limit
        The longest table shown in full.

    Returns
    -------
    None
        Sets pandas' ``display.max_rows`` for the running session.

    Examples
    --------
    >>> show_all_rows(); pd.get_option("display.max_rows")
    2000
    """
    pd.set_option("display.max_rows", limit)


def score_table_view(table: pd.DataFrame) -> pd.DataFrame:
    """A ``score_table`` with 「Ⅰ データ分析…」 as the row heading, as the printed report has it.

    Parameters
    ----------
    table
        A :func:`score_table`.

    Returns
    -------
    pandas.DataFrame
        The same cells, indexed by 「code name」 (index name 指標).

    Examples
    --------
    >>> from grantkit import example_scores, score_rates
    >>> from grantkit.present import score_table
    >>> score_table_view(score_table(score_rates(example_scores()), entity="山口県")).index[:2].tolist()
    ['Ⅰ データ分析等を踏まえた地域課題の把握と支援計画', 'Ⅱ(1) 見える化システムに関する研修、アドバイザー派遣']
    """
    return table.set_index("label").rename_axis(label("indicator"))


def comparison_view(comparison: pd.DataFrame, *, names: bool = False) -> pd.DataFrame:
    """A ``compare_years`` table formatted for reading: codes like Ⅱ計, rates in %, changes in points;
    ``names=True`` adds the indicator names (for short lists such as the largest changes).

    Parameters
    ----------
    comparison
        A :func:`grantkit.compare_years` table (its ``attrs`` name the years).
    names
        ``True`` adds the indicator names.

    Returns
    -------
    pandas.DataFrame
        Text, one row per row of ``comparison``, indexed by the printed code (Ⅱ計, 合計 …).

    Examples
    --------
    >>> from grantkit import compare_years, example_scores
    >>> comparison_view(compare_years(example_scores(), "H30", "R1", entity="山口県")).loc["合計", "変化"]
    '+18.1ポイント'
    """
    a = comparison.attrs
    b, t = era_label(a["base"]), era_label(a["target"])
    view = pd.DataFrame(
        {
            "指標": display_code(comparison["indicator"], comparison["row_kind"]),
            **({"指標名": comparison["indicator_name"]} if names else {}),
            f"{b} 得点率": comparison["rate_base"].map(format_rate),
            f"{t} 得点率": comparison["rate_target"].map(format_rate),
            "変化": comparison["rate_change_pt"].map(format_points_change),
            f"{b} 全国平均との差": comparison["gap_base_pt"].map(format_points_change),
            f"{t} 全国平均との差": comparison["gap_target_pt"].map(format_points_change),
            "配点の変更": comparison["max_changed"].map(lambda v: format_figure(v, "presence")),
            "データ": comparison["presence"],
        }
    )
    return view.set_index("指標")


def average_view(versus: pd.DataFrame) -> pd.DataFrame:
    """A ``compare_to_average`` table (or its ``strengths``/``weaknesses``) formatted for reading.

    Parameters
    ----------
    versus
        A :func:`grantkit.compare_to_average` table or a part of it.

    Returns
    -------
    pandas.DataFrame
        Text with Japanese headers, one row per row of ``versus``, indexed by the printed code.

    Examples
    --------
    >>> from grantkit import compare_to_average, example_scores
    >>> v = average_view(compare_to_average(example_scores(), entity="山口県", fiscal_year="R1"))
    >>> v.loc["合計"].tolist()
    ['合計', '611', '584.3', '741', '82%', '78.9%', '+3.6ポイント']
    """
    view = pd.DataFrame(
        {
            "indicator": display_code(versus["indicator"], versus["row_kind"]),
            "indicator_name": versus["indicator_name"].where(
                versus["row_kind"] == "leaf", display_code(versus["indicator"], versus["row_kind"])
            ),
            "score": versus["score"].map(format_points),
            "national_average": versus["national_average"].map(format_points),
            "max_score": versus["max_score"].map(format_points),
            "rate": versus["rate"].map(format_rate),
            "national_rate": versus["national_rate"].map(lambda x: format_rate(x, 1)),
            "diff_rate_pt": versus["diff_rate_pt"].map(format_points_change),
        }
    )
    return with_labels(view).set_index(label("indicator"))


def allocation_view(summary: pd.DataFrame) -> pd.DataFrame:
    """An ``allocation_summary`` table for reading: points as printed, implied averages to 3 decimals
    (as the narrative states them), one row per 交付年度.

    Parameters
    ----------
    summary
        An ``allocation_summary`` table (score, national_average, implied_average_low / _high …).

    Returns
    -------
    pandas.DataFrame
        Text, one row per 交付年度 (index 交付年度 as 和暦).

    Examples
    --------
    >>> s = pd.DataFrame({"fiscal_year": [2019], "score": [611.0], "national_average": [584.3],
    ...                   "implied_average_low": [584.29961], "implied_average_high": [584.32104]})
    >>> allocation_view(s).loc["R1"].tolist()
    ['611', '584.3', '584.300', '584.321']
    """

    def implied(x: float) -> str:
        return "" if pd.isna(x) else format_figure(x, "three_decimal")

    shown = summary.assign(
        score=summary["score"].map(format_points),
        national_average=summary["national_average"].map(format_points),
        implied_average_low=summary["implied_average_low"].map(implied),
        implied_average_high=summary["implied_average_high"].map(implied),
    )
    return by_year(shown)


def by_year(table: pd.DataFrame) -> pd.DataFrame:
    """``readable`` with the 交付年度 as the row heading instead of 0, 1, … (and no repeated 団体名).

    Parameters
    ----------
    table
        Any table of the kit with fiscal_year.

    Returns
    -------
    pandas.DataFrame
        Text with Japanese headers, indexed by 交付年度 (和暦); level, grant, entity_code, entity dropped.

    Examples
    --------
    >>> v = by_year(pd.DataFrame({"fiscal_year": [2019], "entity": ["山口県"], "planned_share": [0.498]}))
    >>> v.index.name, v.index.tolist(), v.iloc[0].tolist()
    ('交付年度', ['R1'], ['49.8%'])
    """
    return readable(table, drop=("level", "grant", "entity_code", "entity")).set_index(label("fiscal_year"))


def project_view(table: pd.DataFrame) -> pd.DataFrame:
    """A ``project_table`` with 対象事業 and 事業 as row headings (each category printed once).

    Parameters
    ----------
    table
        A ``project_table`` (or any table with category and project).

    Returns
    -------
    pandas.DataFrame
        The same rows with Japanese headers, indexed by 対象事業 and 事業.

    Examples
    --------
    >>> v = project_view(pd.DataFrame({"category": ["介護予防"], "project": ["通いの場"], "status": ["実施"]}))
    >>> v.index.names, v.columns.tolist()
    (FrozenList(['対象事業', '事業']), ['実施状況'])
    """
    return with_labels(table).set_index([label("category"), label("project")])


# --- the municipal report (grantkit.municipal) ------------------------------------------------------------


@dataclass(frozen=True)
class Sections:
    """Drafted report sections (見出し → sentences), shown as headed paragraphs.

    Parameters
    ----------
    parts
        見出し → sentences, in the order shown.

    Examples
    --------
    >>> Sections({"報告趣旨": "報告するもの。"})._repr_html_()
    '<div class="grantkit-prose"><h4>報告趣旨</h4><p>報告するもの。</p></div>'
    """

    parts: dict[str, str]

    def _repr_html_(self) -> str:
        body = "".join(
            f"<h4>{html.escape(head)}</h4>"
            + Prose(text)._repr_html_().removeprefix('<div class="grantkit-prose">').removesuffix("</div>")
            for head, text in self.parts.items()
        )
        return f'<div class="grantkit-prose">{body}</div>'

    def __repr__(self) -> str:
        return "\n".join(f"【{head}】\n{text}" for head, text in self.parts.items())


def _goal_label(parent: pd.Series, grant: pd.Series) -> pd.Series:
    return pd.Series([goal_label(p, g) for p, g in zip(parent, grant)], index=parent.index, dtype="str")


class _Cells:
    """Formats a column for reading, or keeps the numbers (``numbers=True``, for Excel) and remembers each
    column's kind of figure (``attrs["kinds"]``) so the workbook shows it as the HTML prints it."""

    def __init__(self, numbers: bool) -> None:
        self.numbers = numbers
        self.kinds: dict[str, str] = {}

    def points(self, values: pd.Series) -> pd.Series:
        return values.astype("Float64") if self.numbers else values.map(format_points)

    def rate(self, values: pd.Series, name: str) -> pd.Series:
        self.kinds[name] = "rate"
        return values.astype("Float64") if self.numbers else values.map(lambda x: format_figure(x, "rate"))

    def change(self, values: pd.Series, name: str) -> pd.Series:
        self.kinds[name] = "change"
        if self.numbers:
            return values.astype("Float64").round(10)
        return values.map(lambda x: format_figure(x, "change", unit=False))  # the unit is in the header

    def whole(self, values: pd.Series, name: str) -> pd.Series:
        self.kinds[name] = "whole"
        return values if self.numbers else values.map(lambda x: format_figure(x, "whole"))

    def done(self, view: pd.DataFrame, index: str | list[str]) -> pd.DataFrame:
        out = view.set_index(index)
        if self.numbers:
            out.attrs["kinds"] = {c: k for c, k in self.kinds.items() if c in out.columns}
            out.attrs["percent"] = [c for c, k in out.attrs["kinds"].items() if k == "rate"]
        return out


def goal_view(goal: pd.DataFrame, *, numbers: bool = False) -> pd.DataFrame:
    """A ``goal_table`` for reading: 目標 and 指標群 as row headings, 得点・配点・得点率 per grant.
    ``numbers=True`` keeps numbers (for Excel), as do the other municipal views.

    Parameters
    ----------
    goal
        A :func:`grantkit.goal_table`.
    numbers
        ``True`` keeps the numbers (for Excel) and records each column's kind of figure in
        ``attrs["kinds"]``, so the workbook shows it as the HTML prints it.

    Returns
    -------
    pandas.DataFrame
        One row per row of ``goal``, indexed by 目標 and 指標群 (計 for a subtotal); per grant 得点, 配点,
        得点率.

    Examples
    --------
    >>> goal = pd.DataFrame({"parent": ["目標Ⅰ", "目標Ⅰ", "合計"], "group": ["活動", "", "合計"], "shared": False,
    ...     "score_推進": [5.0, 5.0, 5.0], "max_推進": 10.0, "rate_推進": 0.5, "score_支援": [1.5, 1.5, 1.5],
    ...     "max_支援": 3.0, "rate_支援": 0.5})
    >>> goal_view(goal).loc[("目標Ⅰ", "計")].tolist()
    ['5', '10', '50.0%', '1.5', '3', '50.0%']
    """
    cells = _Cells(numbers)
    group = goal["group"].where(goal["group"] != "", SUBTOTAL_SUFFIX).where(goal["parent"] != TOTAL, "")
    parent = goal["parent"].where(~goal["shared"], goal["parent"] + "（両交付金に計上）")
    view = pd.DataFrame({"目標": parent, "指標群": group})
    for grant in GRANTS:
        view[f"{grant} 得点"] = cells.points(goal[f"score_{grant}"])
        view[f"{grant} 配点"] = cells.points(goal[f"max_{grant}"])
        view[f"{grant} 得点率"] = cells.rate(goal[f"rate_{grant}"], f"{grant} 得点率")
    return cells.done(view, ["目標", "指標群"])


def goal_comparison_view(comparison: pd.DataFrame, *, numbers: bool = False) -> pd.DataFrame:
    """A ``goal_comparison`` for reading: the rate and each group's mean rate, with the gap to the national.

    Parameters
    ----------
    comparison
        A :func:`grantkit.goal_comparison` table.
    numbers
        ``True`` keeps the numbers (for Excel) and records each column's kind of figure in
        ``attrs["kinds"]``, so the workbook shows it as the HTML prints it.

    Returns
    -------
    pandas.DataFrame
        One row per 目標 and grant (「目標Ⅰ（推進）」): 得点, 配点, 得点率, each group's mean rate, the gap
        to the national mean in points.

    Examples
    --------
    >>> c = pd.DataFrame({"grant": ["推進"], "parent": ["目標Ⅰ"], "score": [8.0], "max_score": [10.0], "rate": [0.8],
    ...                   "mean_rate_全国": [0.6], "mean_rate_北海道内": [0.7]})
    >>> goal_comparison_view(c).loc["目標Ⅰ（推進）"].tolist()
    ['8', '10', '80.0%', '60.0%', '70.0%', '+20.0']
    """
    cells = _Cells(numbers)
    groups = [c for c in comparison.columns if c.startswith("mean_rate_")]
    view = pd.DataFrame(
        {
            "目標": _goal_label(comparison["parent"], comparison["grant"]),
            "得点": cells.points(comparison["score"]),
            "配点": cells.points(comparison["max_score"]),
            "得点率": cells.rate(comparison["rate"], "得点率"),
        }
    )
    for col in groups:
        name = f"{col.removeprefix('mean_rate_')}の平均得点率"
        view[name] = cells.rate(comparison[col], name)
    view["全国平均との差（ポイント）"] = cells.change(
        (comparison["rate"] - comparison[groups[0]]) * 100, "全国平均との差（ポイント）"
    )
    return cells.done(view, "目標")


def peer_view(peers: pd.DataFrame, *, numbers: bool = False) -> pd.DataFrame:
    """A ``peer_table`` for reading: rank as 「12位／300」, rates in %, the gap in points.

    Parameters
    ----------
    peers
        A :func:`grantkit.peer_table`.
    numbers
        ``True`` keeps the numbers (for Excel) and records each column's kind of figure in
        ``attrs["kinds"]``, so the workbook shows it as the HTML prints it.

    Returns
    -------
    pandas.DataFrame
        One row per grant and comparison group: 得点率, 平均得点率, 差, 順位, パーセンタイル.

    Examples
    --------
    >>> p = pd.DataFrame({"grant": ["推進"], "comparison": ["全国"], "n": [1741], "entity_rate": [0.6],
    ...                   "mean_rate": [0.55], "diff_pt": [5.0], "rank": [312], "percentile": [82.1]})
    >>> peer_view(p).loc[("推進", "全国")].tolist()
    ['60.0%', '55.0%', '+5.0', '312位／1,741', '82']
    """
    cells = _Cells(numbers)
    view = pd.DataFrame(
        {
            "交付金": peers["grant"],
            "比べる相手": peers["comparison"],
            "得点率": cells.rate(peers["entity_rate"], "得点率"),
            "平均得点率": cells.rate(peers["mean_rate"], "平均得点率"),
            "差（ポイント）": cells.change(peers["diff_pt"], "差（ポイント）"),
        }
    )
    if numbers:
        view["順位"], view["団体数"] = peers["rank"], peers["n"]
    else:
        view["順位"] = [f"{r:,}位／{n:,}" for r, n in zip(peers["rank"], peers["n"])]
    view["パーセンタイル"] = cells.whole(peers["percentile"], "パーセンタイル")
    return cells.done(view, ["交付金", "比べる相手"])


def change_view(change: pd.DataFrame, *, numbers: bool = False) -> pd.DataFrame:
    """A ``year_change`` table for reading; where the 配点 changed, the points are said not comparable.

    Parameters
    ----------
    change
        A :func:`grantkit.year_change` table (its ``attrs`` name base and target).
    numbers
        ``True`` keeps the numbers (for Excel) and records each column's kind of figure in
        ``attrs["kinds"]``, so the workbook shows it as the HTML prints it.

    Returns
    -------
    pandas.DataFrame
        One row per 目標 and grant: both years' rates and national mean rates, the change in rate and in points.

    Examples
    --------
    >>> c = pd.DataFrame({"grant": ["推進"], "parent": ["合計"], "rate_base": [0.5], "rate_target": [0.8],
    ...     "rate_change_pt": [30.0], "score_change": [None], "scale_changed": [True], "national_rate_base": [0.4],
    ...     "national_rate_target": [0.6]})
    >>> c.attrs.update(base=2023, target=2024)
    >>> change_view(c).loc["合計（推進）"].tolist()
    ['50.0%', '80.0%', '+30.0', '配点が異なり比較不可', '40.0%', '60.0%']
    """
    cells = _Cells(numbers)
    b, t = era_label(change.attrs["base"]), era_label(change.attrs["target"])
    points = cells.change(change["score_change"].where(~change["scale_changed"]), "得点の変化（点）")
    if not numbers:
        points = points.where(~change["scale_changed"], "配点が異なり比較不可")
    view = pd.DataFrame(
        {
            "目標": _goal_label(change["parent"], change["grant"]),
            f"{b} 得点率": cells.rate(change["rate_base"], f"{b} 得点率"),
            f"{t} 得点率": cells.rate(change["rate_target"], f"{t} 得点率"),
            "得点率の変化（ポイント）": cells.change(change["rate_change_pt"], "得点率の変化（ポイント）"),
            "得点の変化（点）": points,
            f"{b} 全国平均得点率": cells.rate(change["national_rate_base"], f"{b} 全国平均得点率"),
            f"{t} 全国平均得点率": cells.rate(change["national_rate_target"], f"{t} 全国平均得点率"),
        }
    )
    return cells.done(view, "目標")


def zero_view(zero: pd.DataFrame, top: int | None = 15, *, numbers: bool = False) -> pd.DataFrame:
    """The first ``top`` rows (all with None) of ``zero_items`` for reading (配点 as printed, share in %).

    Parameters
    ----------
    zero
        A :func:`grantkit.zero_items` table.
    top
        How many rows to show (``None``: all).
    numbers
        ``True`` keeps the numbers (for Excel) and records each column's kind of figure in
        ``attrs["kinds"]``, so the workbook shows it as the HTML prints it.

    Returns
    -------
    pandas.DataFrame
        At most ``top`` rows in the order of ``zero``, indexed by 指標.

    Examples
    --------
    >>> z = pd.DataFrame({"indicator": ["1ア", "2イ"], "grant": "推進", "parent": "目標Ⅰ", "group": "活動",
    ...                   "indicator_name": ["研修", "計画"], "max_score": [10.0, 5.0], "share_scored": [0.9, 0.75]})
    >>> zero_view(z, top=1).reset_index().values.tolist()
    [['1ア', '推進', '目標Ⅰ', '活動', '研修', '10', '90.0%']]
    """
    cells = _Cells(numbers)
    shown = zero if top is None else zero.head(top)
    view = pd.DataFrame(
        {
            "指標": shown["indicator"],
            "交付金": shown["grant"],
            "目標": shown["parent"],
            "指標群": shown.get("group", ""),
            "指標名": shown["indicator_name"],
            "配点": cells.points(shown["max_score"]),
            "得点した市町村の割合": cells.rate(shown["share_scored"], "得点した市町村の割合"),
        }
    )
    return cells.done(view, "指標")


def grant_view(money: pd.DataFrame) -> pd.DataFrame:
    """A ``municipal_grant`` table for reading: one column per grant, amounts with separators.

    Parameters
    ----------
    money
        A :func:`grantkit.municipal_grant` table.

    Returns
    -------
    pandas.DataFrame
        Text, one column per grant, one row per figure (Japanese row labels).

    Examples
    --------
    >>> v = grant_view(pd.DataFrame({"grant": ["推進", "支援"], "basis_thousand_yen": [22248, 1500]}))
    >>> v.columns.tolist(), v.iloc[0].tolist()
    (['推進', '支援'], ['22,248', '1,500'])
    """
    return readable(money, drop=("entity_code",)).set_index(label("grant")).T


def standing_view(standing: pd.DataFrame, *, numbers: bool = False) -> pd.DataFrame:
    """An ``overall_standing`` table for reading: per grant and over both grants the score of its maximum,
    the rate, the national mean, the rank 「92位／300」 and last year's rank with the movement.

    Parameters
    ----------
    standing
        An ``overall_standing`` table (per grant and 両交付金).
    numbers
        ``True`` keeps the numbers (for Excel) and records each column's kind of figure in
        ``attrs["kinds"]``, so the workbook shows it as the HTML prints it.

    Returns
    -------
    pandas.DataFrame
        One row per grant, indexed by 交付金: 得点, 満点, 得点率, 全国平均, 順位 and, when known, last
        year's rank.

    Examples
    --------
    >>> s = pd.DataFrame({"grant": ["両交付金"], "score": [582.0], "max_score": [800.0], "rate": [0.7275],
    ...     "national_mean": [502.3433], "n": [300], "rank": [92], "prev_score": [600.0], "prev_max": [800.0],
    ...     "prev_rank": [34], "prev_n": [300], "rank_change": [-58]})
    >>> standing_view(s).iloc[0].tolist()
    ['582', '800', '72.8%', '502.34', '92位／300', '34位／300', '58位下降']
    """
    cells = _Cells(numbers)
    view = pd.DataFrame(
        {
            "交付金": standing["grant"].map(lambda g: "両交付金の合計" if g == "両交付金" else g),
            "得点": cells.points(standing["score"]),
            "満点": cells.points(standing["max_score"]),
            "得点率": cells.rate(standing["rate"], "得点率"),
        }
    )
    if numbers:
        cells.kinds["全国平均（点）"] = "two_decimal"
        view["全国平均（点）"] = standing["national_mean"]
        view["順位"], view["団体数"] = standing["rank"], standing["n"]
        if "prev_rank" in standing.columns:
            view["前年度の順位"], view["前年度の団体数"] = standing["prev_rank"], standing["prev_n"]
            view["順位の変化（上昇が正）"] = standing["rank_change"]
    else:
        view["全国平均（点）"] = standing["national_mean"].map(lambda x: format_figure(x, "one_decimal", 2))
        view["順位"] = [f"{r:,}位／{n:,}" for r, n in zip(standing["rank"], standing["n"])]
        if "prev_rank" in standing.columns:
            view["前年度の順位"] = [
                f"{r:,}位／{n:,}" if not pd.isna(r) else "－" for r, n in zip(standing["prev_rank"], standing["prev_n"])
            ]
            view["順位の変化"] = standing["rank_change"].map(_rank_move)
    return cells.done(view, "交付金")


def _rank_move(change: object) -> str:
    if pd.isna(change):
        return "－"
    change = int(change)
    return "同順位" if change == 0 else f"{abs(change):,}位{'上昇' if change > 0 else '下降'}"
