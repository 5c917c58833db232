"""Trend over every year given: small multiples, one panel per 目標 (合計 first), the municipality against the
national and prefecture mean rates, the change of scoring system marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..eras import era_label
from ..present.format import format_figure
from .style import ENTITY, GREY, NATIONAL_DARK, setup_japanese, source_note

TREND_SIZE = (12.0, 7.0)
LINES = (
    ("rate", ENTITY, "-o", "{entity}"),
    ("national_mean_rate", NATIONAL_DARK, "--s", "全国平均"),
    ("prefecture_mean_rate", GREY, ":^", "県内平均"),
)


def trend_panels(
    trend: pd.DataFrame, *, grant: str, entity: str, source: str | None = None, fig: Figure | None = None
) -> tuple[Figure, np.ndarray]:
    """One panel per 目標 of the newest year (合計 first) with the rate per year of the municipality, the national
    mean and the prefecture mean; the rank under each point of the 合計 panel; a dotted line before a year whose
    scoring system changed (rates compared across it, points not). Takes ``trend_table(...)``; returns the figure
    and its axes (flattened; unused panels hidden).

    Parameters
    ----------
    trend
        A :func:`grantkit.trend_table` (or ``prefecture_trend``) table.
    grant
        The grant drawn.
    entity
        The name in the legend and title.
    source
        An 出典 note printed at the bottom right, or ``None``.
    fig
        A figure to draw on (default: a new one of fixed size).

    Returns
    -------
    tuple[Figure, numpy.ndarray]
        The figure and its axes, flattened; one visible panel per 目標 of the newest year.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> t = pd.DataFrame([{"fiscal_year": y, "grant": "推進", "parent": p, "rate": r, "national_mean_rate": 0.6,
    ...     "prefecture_mean_rate": 0.55, "rank": 3, "n": 10, "scale_break": False}
    ...     for y, r in ((2024, 0.5), (2025, 0.7)) for p in ("合計", "目標Ⅰ")])
    >>> fig, axes = trend_panels(t, grant="推進", entity="甲町")
    >>> fig.get_size_inches().tolist(), [ax.get_title() for ax in axes if ax.get_visible()]
    ([12.0, 7.0], ['推進の合計', '目標Ⅰ'])
    >>> plt.close(fig)
    """
    setup_japanese()
    rows = trend[trend["grant"] == grant]
    years = sorted(int(y) for y in rows["fiscal_year"].unique())
    newest = rows[rows["fiscal_year"] == years[-1]]["parent"]
    parents = ["合計", *[p for p in dict.fromkeys(newest) if p != "合計"]]
    ncols = 3 if len(parents) > 4 else 2
    nrows = -(-len(parents) // ncols)
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=TREND_SIZE, layout="constrained")
    axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel()
    x = {y: i for i, y in enumerate(years)}
    breaks = sorted(int(y) for y in rows.loc[rows["scale_break"].astype(bool), "fiscal_year"].unique())
    for ax, parent in zip(axes, parents):
        part = rows[rows["parent"] == parent].sort_values("fiscal_year")
        xs = part["fiscal_year"].map(x).to_numpy()
        for col, colour, style, label in LINES:
            if rows[col].isna().all():  # e.g. no prefecture mean in a prefecture's own score table
                continue
            values = part[col].astype("float64").to_numpy() * 100
            ax.plot(
                xs,
                values,
                style,
                color=colour,
                linewidth=2 if col == "rate" else 1.4,
                markersize=5,
                label=label.format(entity=entity),
            )
        for xi, r in zip(xs, part["rate"].astype("float64")):
            ax.annotate(
                format_figure(r, "rate", 0),
                (xi, r * 100),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=8,
                color=ENTITY,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3},
            )
        if parent == "合計":
            for xi, rank, n in zip(xs, part["rank"], part["n"]):
                if pd.isna(rank):
                    continue
                ax.annotate(
                    f"{int(rank)}位/{int(n)}",
                    (xi, 0),
                    textcoords="offset points",
                    xytext=(0, 4),
                    ha="center",
                    fontsize=8,
                    color="#333333",
                )
        for year in breaks:
            ax.axvline(x[year] - 0.5, color="#444444", linestyle=":", linewidth=1)
            ax.text(
                x[year] - 0.46,
                24,
                "配点変更",
                fontsize=8,
                color="#444444",
                va="bottom",
                ha="left",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
            )
        ax.set_title(f"{grant}の{parent}" if parent == "合計" else parent, fontsize=11)
        ax.set_xticks(range(len(years)), [era_label(y) for y in years])
        ax.set_xlim(-0.5, len(years) - 0.5)
        ax.set_ylim(0, 112)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    for ax in axes[len(parents) :]:
        ax.set_visible(False)
    axes[0].set_ylabel("得点率（%）")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower left", ncols=3, fontsize=9, frameon=False)
    fig.suptitle(
        f"{entity}の得点率の推移（{grant}、{era_label(years[0])}〜{era_label(years[-1])}）"
        + ("　点線の年度から配点（評価指標）が変わったため得点率で比較" if breaks else ""),
        fontsize=12,
    )
    source_note(fig, source)
    return fig, axes
