"""Entity vs national average: a sorted diverging bar of the gap in rate points per indicator."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..rates import display_code
from .style import ENTITY, NATIONAL_DARK, SIZE, new_axes, source_note


def national_gap(comparison: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None,
                 source: str | None = None) -> tuple[Figure, Axes]:
    """Bars of (entity rate − national rate) in points per indicator, sorted, above in blue, below in orange.

    Takes ``compare_to_average(...)``; leaves only, the total shown in the title.
    """
    data = comparison[comparison["row_kind"] == "leaf"].sort_values("diff_rate_pt", kind="stable")
    fig, ax = new_axes(ax, (SIZE[0], max(3.6, 0.4 * len(data) + 1.4)))
    values = data["diff_rate_pt"].astype("float64").to_numpy()
    y = np.arange(len(data))
    ax.barh(y, values, color=[ENTITY if v >= 0 else NATIONAL_DARK for v in values], height=0.6)
    span = max(5.0, float(np.nanmax(np.abs(values))) if len(values) else 5.0)
    for yi, v in zip(y, values):
        ax.text(v + (0.02 * span if v >= 0 else -0.02 * span), yi, f"{v:+.1f}", va="center",
                ha="left" if v >= 0 else "right", fontsize=8)
    ax.set_yticks(y, [display_code(i, "leaf") for i in data["indicator"]])
    ax.set_xlim(-span * 1.25, span * 1.25)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlabel("全国平均との差（得点率、ポイント）")
    total = comparison[comparison["row_kind"] == "total"]
    a = comparison.attrs
    default = f"{a.get('entity', '')}と全国平均の差（指標別）"
    if len(total):
        default += f"　合計 {total['diff_rate_pt'].iloc[0]:+.1f}ポイント"
    ax.set_title(title or default)
    source_note(fig, source)
    return fig, ax
