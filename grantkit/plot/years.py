"""Year comparison: score rate per indicator, base vs target year, national average marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..eras import era_label
from ..rates import display_code
from .style import CAVEAT, ENTITY, ENTITY_LIGHT, NATIONAL, NATIONAL_DARK, WIDE, new_axes, source_note


def year_comparison(comparison: pd.DataFrame, *, ax: Axes | None = None, source: str | None = None,
                    rows: tuple[str, ...] = ("leaf", "subtotal", "total")) -> tuple[Figure, Axes]:
    """Horizontal bars of the entity's rate per indicator in both years, with each year's national rate.

    Takes ``compare_years(...)``. Indicators whose maximum changed are marked with ＊.
    """
    a = comparison.attrs
    data = comparison[comparison["row_kind"].isin(rows)].reset_index(drop=True)
    fig, ax = new_axes(ax, (WIDE[0], max(4.0, 0.42 * len(data) + 1.6)))
    y = np.arange(len(data))[::-1]
    h = 0.38
    base, target = era_label(a["base"]), era_label(a["target"])
    for offset, col, nat, colour, natc, year in ((h / 2, "rate_base", "national_rate_base", ENTITY_LIGHT, NATIONAL, base),
                                                 (-h / 2, "rate_target", "national_rate_target", ENTITY, NATIONAL_DARK, target)):
        values = data[col].astype("float64").to_numpy() * 100
        bars = ax.barh(y + offset, np.nan_to_num(values), height=h, color=colour, label=f"{a['entity']} {year}")
        marks = data[nat].astype("float64").to_numpy() * 100
        for bar, v, m in zip(bars, values, marks):
            if not np.isnan(v):  # right of the bar, and of the national mark when that sits just beyond it
                x = max(v, m) if not np.isnan(m) and 0 <= m - v < 6 else v
                ax.text(x + 0.8, bar.get_y() + h / 2, f"{v:.0f}%", va="center", fontsize=8)
        ax.scatter(data[nat].astype("float64") * 100, y + offset, marker="|", s=260, linewidths=2.2, color=natc,
                   zorder=3, label=f"全国平均 {year}")
    labels = [display_code(i, k) + ("＊" if m else "") for i, k, m in
              zip(data["indicator"], data["row_kind"], data["max_changed"].fillna(False))]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 112)
    ax.set_xlabel("得点率（%）")
    if ax.figure.get_constrained_layout():  # below the axis label, whatever the height of the figure
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower left", ncols=2, fontsize=8, frameon=False)
    else:
        ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"{a['entity']}の得点率（{base}・{target}）\n{CAVEAT}（＊は配点が変わった指標、｜は全国平均）",
                 fontsize=11)
    source_note(fig, source)
    return fig, ax
