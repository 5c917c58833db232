"""Entity vs national average: a sorted diverging bar of the gap in rate points per indicator."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..eras import era_label
from ..present.format import format_figure
from ..rates import display_code
from .style import ENTITY, NATIONAL_DARK, SIZE, indicator_label, new_axes, source_note


def national_gap(
    comparison: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None, source: str | None = None
) -> tuple[Figure, Axes]:
    """Bars of (entity rate − national rate) in points per indicator, sorted, above in blue, below in orange.

    Takes ``compare_to_average(...)``; leaves only (code and short name), the total shown in the title with
    the entity and the year. Values are printed as the tables print them (signed, 0.1 point, 四捨五入).

    Parameters
    ----------
    comparison
        A :func:`grantkit.compare_to_average` table (its ``attrs`` name entity and year).
    ax
        Axes to draw on (the figure of fixed size is made when ``None``).
    title
        Replaces the default title.
    source
        An 出典 note printed at the bottom right, or ``None``.

    Returns
    -------
    tuple[Figure, Axes]
        A figure 9 inches wide, one bar per leaf indicator.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from grantkit import compare_to_average, example_scores
    >>> fig, ax = national_gap(compare_to_average(example_scores(), entity="山口県", fiscal_year="R1"))
    >>> len(ax.patches), ax.get_title().splitlines()[1]
    (12, '合計 +3.6ポイント（指標別、右が全国平均より上）')
    >>> plt.close(fig)
    """
    data = comparison[comparison["row_kind"] == "leaf"].sort_values("diff_rate_pt", kind="stable")
    fig, ax = new_axes(ax, (SIZE[0] + 1.0, max(3.6, 0.5 * len(data) + 1.6)))
    values = data["diff_rate_pt"].astype("float64").to_numpy()
    y = np.arange(len(data))
    ax.barh(y, values, color=[ENTITY if v >= 0 else NATIONAL_DARK for v in values], height=0.6)
    span = max(5.0, float(np.nanmax(np.abs(values))) if len(values) else 5.0)
    for yi, v in zip(y, values):
        ax.text(
            v + (0.02 * span if v >= 0 else -0.02 * span),
            yi,
            format_figure(v, "change", unit=False),
            va="center",
            ha="left" if v >= 0 else "right",
            fontsize=8,
        )
    names = data["indicator_name"] if "indicator_name" in data.columns else [""] * len(data)
    ax.set_yticks(
        y, [indicator_label(display_code(i, "leaf"), n) for i, n in zip(data["indicator"], names)], fontsize=9
    )
    ax.set_xlim(-span * 1.3, span * 1.3)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlabel("全国平均との差（得点率、ポイント）")
    total = comparison[comparison["row_kind"] == "total"]
    a = comparison.attrs
    year = f"（{era_label(a['fiscal_year'])}）" if a.get("fiscal_year") else ""
    default = f"{a.get('entity', '')}と全国平均の得点率の差{year}"
    if len(total):
        default += f"\n合計 {format_figure(total['diff_rate_pt'].iloc[0], 'change')}（指標別、右が全国平均より上）"
    ax.set_title(title or default, fontsize=11)
    source_note(fig, source)
    return fig, ax
