"""Municipal report figures: rate per 目標 against the group means, and the 成果指標群 over the years."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..eras import era_label
from ..labels import goal_label
from ..present.format import format_figure
from .style import ENTITY, ENTITY_LIGHT, NATIONAL_DARK, SIZE, SPENT, WIDE, new_axes, source_note

# marker per comparison group, in the order goal_comparison gives them (全国, 都道府県内, 同規模…)
# (全国 in the national colour of the whole kit; the others in Okabe–Ito colours not used for 全国)
MARKERS = (("|", NATIONAL_DARK, 150), ("D", SPENT, 40), ("o", "#333333", 40))


def goal_chart(
    comparison: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None, source: str | None = None
) -> tuple[Figure, Axes]:
    """Bars of the municipality's rate per 目標 and grant total; markers for the mean rate of all
    municipalities, of those in its prefecture and of its peers. Takes ``goal_comparison(...)``.

    Parameters
    ----------
    comparison
        A :func:`grantkit.goal_comparison` table (``attrs``: entity, fiscal_year).
    ax
        Axes to draw on (the figure of fixed size is made when ``None``).
    title
        Replaces the default title.
    source
        An 出典 note printed at the bottom right, or ``None``.

    Returns
    -------
    tuple[Figure, Axes]
        A figure 9 inches wide, one bar per row of ``comparison``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> c = pd.DataFrame({"grant": "推進", "parent": ["目標Ⅰ", "合計"], "rate": [0.8, 0.7], "mean_rate_全国": [0.6, 0.6]})
    >>> fig, ax = goal_chart(c)
    >>> len(ax.patches), [t.get_text() for t in ax.get_yticklabels()]
    (2, ['目標Ⅰ（推進）', '合計（推進）'])
    >>> plt.close(fig)
    """
    groups = [c for c in comparison.columns if c.startswith("mean_rate_")]
    fig, ax = new_axes(ax, (WIDE[0], max(4.0, 0.5 * len(comparison) + 2.0)))
    y = np.arange(len(comparison))[::-1]
    rates = comparison["rate"].astype("float64").to_numpy() * 100
    ax.barh(y, np.nan_to_num(rates), height=0.7, color=ENTITY_LIGHT, label=comparison.attrs.get("entity", "本市町村"))
    for yi, v in zip(y, comparison["rate"]):
        if not pd.isna(v):
            ax.text(1.5, yi, format_figure(v, "rate"), va="center", ha="left", fontsize=9, color="#003f63")
    offsets = (0.2, 0.0, -0.2)[: len(groups)] if len(groups) > 1 else (0.0,)
    for col, (marker, colour, size), dy in zip(groups, MARKERS, offsets):
        ax.scatter(
            comparison[col].astype("float64") * 100,
            y + dy,
            marker=marker,
            s=size,
            color=colour,
            zorder=3,
            linewidths=2.2 if marker == "|" else 0.8,
            edgecolors="white" if marker != "|" else None,
            label=f"{col.removeprefix('mean_rate_')}の平均",
        )
    labels = [goal_label(p, g) for p, g in zip(comparison["parent"], comparison["grant"])]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("得点率（%）")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower left", ncols=2, fontsize=9, frameon=False)
    year, entity = comparison.attrs.get("fiscal_year"), comparison.attrs.get("entity", "")
    ax.set_title(
        title
        or f"{entity}の目標別の得点率{'（' + era_label(year) + '）' if year else ''}"
        "\n目標Ⅳ（成果指標群）は両交付金に同じ得点が入る",
        fontsize=11,
    )
    source_note(fig, source)
    return fig, ax


def outcome_chart(
    track: pd.DataFrame, *, entity: str, ax: Axes | None = None, source: str | None = None
) -> tuple[Figure, Axes]:
    """目標Ⅳ (成果指標群) rate per year, the municipality against the national mean. Takes ``outcome_track``.

    Parameters
    ----------
    track
        An ``outcome_track`` table: fiscal_year, rate, national_mean_rate.
    entity
        The name in the legend and title.
    ax
        Axes to draw on (the figure of fixed size is made when ``None``).
    source
        An 出典 note printed at the bottom right, or ``None``.

    Returns
    -------
    tuple[Figure, Axes]
        An 8 × 4.8 inch figure with two lines (the municipality, the national mean).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"fiscal_year": [2024, 2025], "rate": [0.6, 0.8], "national_mean_rate": [0.4, 0.6]})
    >>> fig, ax = outcome_chart(t, entity="甲町")
    >>> len(ax.lines), ax.get_title()
    (2, '甲町の成果指標群（目標Ⅳ）の得点率の推移（R6〜R7）')
    >>> plt.close(fig)
    """
    fig, ax = new_axes(ax, SIZE)
    years = [era_label(int(y)) for y in track["fiscal_year"]]
    x = np.arange(len(track))
    for col, colour, label, style in (
        ("rate", ENTITY, entity, "-o"),
        ("national_mean_rate", NATIONAL_DARK, "全国平均", "--s"),
    ):
        values = track[col].astype("float64").to_numpy() * 100
        ax.plot(x, values, style, color=colour, linewidth=2.2, markersize=7, label=label)
        for xi, v, r in zip(x, values, track[col]):
            ax.annotate(
                format_figure(r, "rate"),
                (xi, v),
                textcoords="offset points",
                xytext=(0, 8),
                ha="center",
                fontsize=9,
                color=colour,
            )
    ax.set_xticks(x, years)
    ax.set_xlim(-0.5, len(track) - 0.5)
    ax.set_ylim(0, 105)
    ax.set_ylabel("得点率（%）")
    ax.legend(loc="lower right", fontsize=9)
    span = f"（{years[0]}〜{years[-1]}）" if len(years) > 1 else f"（{years[0]}）" if years else ""
    ax.set_title(f"{entity}の成果指標群（目標Ⅳ）の得点率の推移{span}")
    source_note(fig, source)
    return fig, ax
