"""Tables and text shaped for reading in notebooks and the HTML report (numbers become text: display only).

The Excel workbook keeps the numeric tables; these views only decide headings, row labels and formats.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from .display import format_points, format_points_change, format_rate, readable
from .eras import era_label
from .labels import label, with_labels
from .rates import display_code


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

    >>> prose("得点率は伸びている。")
    得点率は伸びている。
    """
    return Prose(text)


def score_table_view(table: pd.DataFrame) -> pd.DataFrame:
    """A ``score_table`` with 「Ⅰ データ分析…」 as the row heading, as the printed report has it.

    >>> from grantkit import example_scores, score_rates, score_table
    >>> score_table_view(score_table(score_rates(example_scores()), entity="山口県")).index[:2].tolist()
    ['Ⅰ データ分析等を踏まえた地域課題の把握と支援計画', 'Ⅱ(1) 見える化システムに関する研修、アドバイザー派遣']
    """
    return table.set_index("label").rename_axis(label("indicator"))


def comparison_view(comparison: pd.DataFrame, *, names: bool = False) -> pd.DataFrame:
    """A ``compare_years`` table formatted for reading: codes like Ⅱ計, rates in %, changes in points;
    ``names=True`` adds the indicator names (for short lists such as the largest changes).

    >>> from grantkit import compare_years, example_scores
    >>> comparison_view(compare_years(example_scores(), "H30", "R1", entity="山口県")).loc["合計", "変化"]
    '+18.1ポイント'
    """
    a = comparison.attrs
    b, t = era_label(a["base"]), era_label(a["target"])
    view = pd.DataFrame({
        "指標": display_code(comparison["indicator"], comparison["row_kind"]),
        **({"指標名": comparison["indicator_name"]} if names else {}),
        f"{b} 得点率": comparison["rate_base"].map(format_rate),
        f"{t} 得点率": comparison["rate_target"].map(format_rate),
        "変化": comparison["rate_change_pt"].map(format_points_change),
        f"{b} 全国平均との差": comparison["gap_base_pt"].map(format_points_change),
        f"{t} 全国平均との差": comparison["gap_target_pt"].map(format_points_change),
        "配点の変更": comparison["max_changed"].map({True: "あり", False: ""}).fillna(""),
        "データ": comparison["presence"],
    })
    return view.set_index("指標")


def average_view(versus: pd.DataFrame) -> pd.DataFrame:
    """A ``compare_to_average`` table (or its ``strengths``/``weaknesses``) formatted for reading.

    >>> from grantkit import compare_to_average, example_scores
    >>> v = average_view(compare_to_average(example_scores(), entity="山口県", fiscal_year="R1"))
    >>> v.loc["合計"].tolist()
    ['合計', '611', '584.3', '741', '82%', '78.9%', '+3.6ポイント']
    """
    view = pd.DataFrame({
        "indicator": display_code(versus["indicator"], versus["row_kind"]),
        "indicator_name": versus["indicator_name"].where(versus["row_kind"] == "leaf",
                                                         display_code(versus["indicator"], versus["row_kind"])),
        "score": versus["score"].map(format_points),
        "national_average": versus["national_average"].map(format_points),
        "max_score": versus["max_score"].map(format_points),
        "rate": versus["rate"].map(format_rate),
        "national_rate": versus["national_rate"].map(lambda x: format_rate(x, 1)),
        "diff_rate_pt": versus["diff_rate_pt"].map(format_points_change),
    })
    return with_labels(view).set_index(label("indicator"))


def allocation_view(summary: pd.DataFrame) -> pd.DataFrame:
    """An ``allocation_summary`` table for reading: points as printed, implied averages to 3 decimals
    (as the narrative states them), one row per 交付年度."""
    def implied(x: float) -> str:
        return "" if pd.isna(x) else f"{x:.3f}"

    shown = summary.assign(score=summary["score"].map(format_points),
                           national_average=summary["national_average"].map(format_points),
                           implied_average_low=summary["implied_average_low"].map(implied),
                           implied_average_high=summary["implied_average_high"].map(implied))
    return by_year(shown)


def by_year(table: pd.DataFrame) -> pd.DataFrame:
    """``readable`` with the 交付年度 as the row heading instead of 0, 1, … (and no repeated 団体名).

    >>> v = by_year(pd.DataFrame({"fiscal_year": [2019], "entity": ["山口県"], "planned_share": [0.498]}))
    >>> v.index.name, v.index.tolist(), v.iloc[0].tolist()
    ('交付年度', ['R1'], ['49.8%'])
    """
    return readable(table, drop=("level", "grant", "entity_code", "entity")).set_index(label("fiscal_year"))


def project_view(table: pd.DataFrame) -> pd.DataFrame:
    """A ``project_table`` with 対象事業 and 事業 as row headings (each category printed once)."""
    return with_labels(table).set_index([label("category"), label("project")])
