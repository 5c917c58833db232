"""Profile: radar of rates by top-level indicator, entity vs national, for each year."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..eras import era_label
from ..schema import NATIONAL as NATIONAL_ENTITY
from .style import ENTITY, ENTITY_LIGHT, NATIONAL, NATIONAL_DARK, setup_japanese, source_note


def top_level(rates: pd.DataFrame) -> pd.DataFrame:
    """Rows of a ``score_rates`` table that are top-level: leaves without a parent and group subtotals."""
    return rates[((rates["row_kind"] == "leaf") & (rates["parent"] == "")) | (rates["row_kind"] == "subtotal")]


def profile_radar(rates: pd.DataFrame, *, entity: str, years: list[int], ax: Axes | None = None,
                  source: str | None = None) -> tuple[Figure, Axes]:
    """Radar of the rate per top-level indicator (Ⅰ, Ⅱ, Ⅲ…), entity solid and national dashed, per year.

    Takes ``score_rates(...)`` (one grant). Needs at least three top-level indicators.
    """
    import matplotlib.pyplot as plt

    top = top_level(rates)
    axes_order = list(dict.fromkeys(top["indicator"]))
    if ax is None:
        setup_japanese()
        fig = plt.figure(figsize=(6.4, 5.6), layout="constrained")
        ax = fig.add_subplot(projection="polar")
    else:
        fig = ax.figure
    angles = np.linspace(0, 2 * np.pi, len(axes_order), endpoint=False)
    closed = np.append(angles, angles[0])
    styles = {(True, 0): ENTITY_LIGHT, (True, 1): ENTITY, (False, 0): NATIONAL, (False, 1): NATIONAL_DARK}
    for k, year in enumerate(years):
        for is_entity, who in ((True, entity), (False, NATIONAL_ENTITY)):
            part = top[(top["entity"] == who) & (top["fiscal_year"] == year)].set_index("indicator")
            vals = part["score_rate"].reindex(axes_order).astype("float64").to_numpy() * 100
            ax.plot(closed, np.append(vals, vals[0]), color=styles[(is_entity, min(k, 1))],
                    linestyle="-" if is_entity else "--", linewidth=2 if is_entity else 1.5, marker="o", markersize=3,
                    label=f"{who} {era_label(year)}")
    ax.set_xticks(angles, axes_order)
    ax.set_ylim(0, 100)
    ax.set_yticks([25, 50, 75, 100], ["25%", "50%", "75%", "100%"], fontsize=8)
    ax.set_title("目標・区分別の得点率", pad=14)
    ax.legend(loc="upper right", bbox_to_anchor=(1.35, 1.12), fontsize=8)
    source_note(fig, source)
    return fig, ax
