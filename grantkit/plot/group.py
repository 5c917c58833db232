"""A group of municipalities side by side: the combined total per year against the national mean."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..eras import era_label
from ..present.format import format_figure, format_points
from .style import NATIONAL_DARK, new_axes, source_note

# Okabe–Ito blues, green and pink, then black, grey, brown and purple: 9 entities in colours distinct from the
# national orange; a 10th entity and later repeat them with dashed lines
PALETTE = ("#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#000000", "#777777", "#8C564B", "#7B3FA0", "#1B9E9E")


def group_trend_chart(trend: pd.DataFrame, *, ax: Axes | None = None, source: str | None = None) -> tuple[Figure, Axes]:
    """Lines of the combined total (推進・支援合計) per year for each entity, the national mean dashed; the names
    in a legend below the chart (never on the lines, so they cannot overlap). Takes ``group_trend(...)``.

    Parameters
    ----------
    trend
        A ``group_trend`` table: fiscal_year, entity_code, entity, total, max_score, rank, n,
        national_mean.
    ax
        Axes to draw on (the figure of fixed size is made when ``None``).
    source
        An 出典 note printed at the bottom right, or ``None``.

    Returns
    -------
    tuple[Figure, Axes]
        A fixed-size figure; one line per entity and one for the national mean, each named in the
        legend with its newest rank.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> g = pd.DataFrame({"fiscal_year": [2024, 2025] * 2, "entity_code": ["1", "1", "2", "2"],
    ...     "entity": ["甲町", "甲町", "乙村", "乙村"], "total": [500.0, 520, 430, 470], "max_score": 800.0,
    ...     "rank": [10, 8, 40, 30], "n": 50, "national_mean": [480.0, 490.0] * 2})
    >>> fig, ax = group_trend_chart(g)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['甲町（8位/50）', '乙村（30位/50）', '全国平均（480.0 → 490.0）']
    >>> plt.close(fig)
    """
    codes = list(dict.fromkeys(trend["entity_code"]))
    fig, ax = new_axes(ax, (9.0, 5.0 + 0.25 * -(-len(codes) // 3)))
    years = sorted(int(y) for y in trend["fiscal_year"].unique())
    x = {y: i for i, y in enumerate(years)}
    # a town's name alone is ambiguous when two entities of the group share it: then its prefecture goes first
    names = trend.drop_duplicates("entity_code").set_index("entity_code")
    shared = names["entity"].duplicated(keep=False)
    where = names["prefecture"].fillna("") if "prefecture" in names else pd.Series("", index=names.index)
    shown = names["entity"].where(~shared, where + names["entity"])
    for k, code in enumerate(codes):
        part = trend[trend["entity_code"] == code].sort_values("fiscal_year")
        colour = PALETTE[k % len(PALETTE)]
        style = "-o" if k < len(PALETTE) else "--o"
        ax.plot(
            part["fiscal_year"].map(x),
            part["total"].astype("float64"),
            style,
            color=colour,
            linewidth=1.8,
            markersize=5,
            label=f"{shown[code]}（{int(part['rank'].iloc[-1])}位/{int(part['n'].iloc[-1])}）",
        )
    national = trend.drop_duplicates("fiscal_year").sort_values("fiscal_year")
    means = " → ".join(
        format_figure(v, "one_decimal") for v in national["national_mean"]
    )  # in the legend: no label on the lines
    ax.plot(
        national["fiscal_year"].map(x),
        national["national_mean"],
        "--s",
        color=NATIONAL_DARK,
        linewidth=2.2,
        label=f"全国平均（{means}）",
    )
    ax.set_xticks(range(len(years)), [era_label(y) for y in years])
    ax.set_xlim(-0.4, len(years) - 0.6)
    top = float(np.nanmax(trend["max_score"].astype("float64")))
    low = float(np.nanmin(np.r_[trend["total"].astype("float64"), trend["national_mean"].astype("float64")]))
    high = float(np.nanmax(np.r_[trend["total"].astype("float64"), trend["national_mean"].astype("float64")]))
    ax.set_ylim(max(0.0, low - 0.08 * top), min(top, high + 0.05 * top))
    ax.set_ylabel(f"推進・支援合計（{format_points(top)}点満点）")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_title("合計得点の推移（括弧内は最新年度の全国順位）", fontsize=12)
    source_note(fig, source)  # at the figure's foot; the legend goes just below the axes, above the note
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.08), ncols=3, fontsize=9, frameon=False)
    return fig, ax
