"""Where an entity stands among all prefectures or municipalities."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..present.format import format_figure
from .style import ENTITY, GREY, NATIONAL_DARK, SIZE, new_axes, source_note


def distribution(
    values: pd.Series,
    *,
    highlight: str,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    source: str | None = None,
    name: str | None = None,
) -> tuple[Figure, Axes]:
    """Histogram of a value per entity (rates as fractions are shown in %), the highlighted entity marked,
    mean and median drawn. ``values`` is indexed by entity name or code; ``highlight`` is one of them and
    ``name`` the text shown for it (default ``highlight``: pass the 団体名 when the index is codes).
    ``xlabel`` defaults to 「得点率（%）」 for rates and 「値」 for other values.

    Parameters
    ----------
    values
        One value per entity, indexed by name or code.
    highlight
        The index label marked.
    ax
        Axes to draw on (the figure of fixed size is made when ``None``).
    title
        Replaces the default title.
    xlabel
        Replaces the default axis label.
    source
        An 出典 note printed at the bottom right, or ``None``.
    name
        The text shown for ``highlight``.

    Returns
    -------
    tuple[Figure, Axes]
        An 8 × 4.8 inch figure (or the given axes).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = distribution(pd.Series({"甲町": 0.5, "乙村": 0.7, "丙市": 0.9}), highlight="乙村")
    >>> fig.get_size_inches().tolist(), ax.get_xlabel()
    ([8.0, 4.8], '得点率（%）')
    >>> plt.close(fig)
    """
    fig, ax = new_axes(ax, SIZE)
    v = values.dropna().astype("float64")
    scale = 100.0 if v.max() <= 1.0 else 1.0
    data = v * scale
    bins = min(40, max(8, int(np.sqrt(len(data))) * 2))
    ax.hist(data, bins=bins, color=GREY, alpha=0.7, edgecolor="white", label=f"全団体（{len(data):,}）")
    mean, median = float(data.mean()), float(data.median())

    def shown_value(x: float) -> str:  # as the tables print it: rates in %, other values to 0.1
        return format_figure(x / 100, "rate") if scale == 100.0 else format_figure(x, "one_decimal")

    ax.axvline(mean, color=NATIONAL_DARK, linewidth=1.6, label=f"平均 {shown_value(mean)}")
    ax.axvline(median, color=NATIONAL_DARK, linewidth=1.6, linestyle="--", label=f"中央値 {shown_value(median)}")
    me = float(data.loc[highlight])
    shown = str(highlight) if name is None else name
    ax.axvline(me, color=ENTITY, linewidth=2.6, label=f"{shown} {shown_value(me)}")
    # no bold: IPAexGothic has no bold face (matplotlib would log a findfont warning to stderr)
    ax.annotate(
        shown, xy=(me, ax.get_ylim()[1] * 0.92), xytext=(6, 0), textcoords="offset points", color=ENTITY, fontsize=10
    )
    ax.set_xlabel(xlabel or ("得点率（%）" if scale == 100.0 else "値"))
    ax.set_ylabel("団体数")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 2.5 団体
    ax.set_title(title or "全団体の中での位置")
    ax.legend(fontsize=8, loc="upper left")
    source_note(fig, source)
    return fig, ax
