"""Year comparison: score rate per indicator, base vs target year, national average marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..eras import era_label
from ..present.format import ENTITY_RATE_DIGITS, format_figure
from ..rates import display_code
from .style import CAVEAT, ENTITY, ENTITY_LIGHT, NATIONAL, NATIONAL_DARK, WIDE, indicator_label, new_axes, source_note

# room for a value label right of a bar, in % of the axis (「100.0%」 at fontsize 8 on the 9-inch figure)
LABEL_ROOM = 7.5


def year_comparison(
    comparison: pd.DataFrame,
    *,
    ax: Axes | None = None,
    source: str | None = None,
    rows: tuple[str, ...] = ("leaf", "subtotal", "total"),
    digits: int = ENTITY_RATE_DIGITS,
    title: str | None = None,
    names: bool = True,
) -> tuple[Figure, Axes]:
    """Horizontal bars of the entity's rate per indicator in both years, with each year's national rate.

    Takes ``compare_years(...)`` (or the municipal ``year_change``). Bars are labelled with the code and a
    short indicator name (``names``); values are printed as the tables print them (``digits``, 四捨五入).
    Indicators whose maximum changed are marked with ＊; each year's national rate is a tick as tall as its bar,
    and a value label is moved right of a tick it would touch.

    Parameters
    ----------
    comparison
        A :func:`grantkit.compare_years` (or ``year_change``) table; its ``attrs`` name the entity and
        years.
    ax
        Axes to draw on (the figure of fixed size is made when ``None``).
    source
        An 出典 note printed at the bottom right, or ``None``.
    rows
        The ``row_kind`` values drawn.
    digits
        Decimal places of the value labels.
    title
        Replaces the default title.
    names
        ``False`` labels bars with the code only.

    Returns
    -------
    tuple[Figure, Axes]
        A figure 9 inches wide, 0.5 inch per indicator high (at least 4), two bars per
        indicator.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from grantkit import compare_years, example_scores
    >>> fig, ax = year_comparison(compare_years(example_scores(), "H30", "R1", entity="山口県"))
    >>> fig.get_size_inches().tolist(), len(ax.patches), ax.get_title().splitlines()[0]
    ([9.0, 8.8], 28, '山口県の得点率（H30・R1）')
    >>> plt.close(fig)
    """
    a = comparison.attrs
    data = comparison[comparison["row_kind"].isin(rows)].reset_index(drop=True)
    fig, ax = new_axes(ax, (WIDE[0], max(4.0, 0.5 * len(data) + 1.8)))
    y = np.arange(len(data))[::-1]
    h = 0.38
    base, target = era_label(a["base"]), era_label(a["target"])
    for offset, col, nat, colour, natc, year in (
        (h / 2, "rate_base", "national_rate_base", ENTITY_LIGHT, NATIONAL, base),
        (-h / 2, "rate_target", "national_rate_target", ENTITY, NATIONAL_DARK, target),
    ):
        values = data[col].astype("float64").to_numpy() * 100
        ax.barh(y + offset, np.nan_to_num(values), height=h, color=colour, label=f"{a['entity']} {year}")
        marks = data[nat].astype("float64").to_numpy() * 100
        for yi, v, m, r in zip(y + offset, values, marks, data[col]):
            if not np.isnan(v):
                ax.text(_label_x(v, m), yi, format_figure(r, "rate", digits), va="center", fontsize=8)
        ax.vlines(
            marks,
            y + offset - h / 2,
            y + offset + h / 2,
            colors=natc,
            linewidth=2.4,
            zorder=3,
            label=f"全国平均 {year}",
        )
    codes = display_code(data["indicator"], data["row_kind"])
    named = data["indicator_name"] if names and "indicator_name" in data.columns else pd.Series([""] * len(data))
    labels = [
        indicator_label(c, n if k == "leaf" else "") + ("＊" if m else "")
        for c, n, k, m in zip(codes, named, data["row_kind"], data["max_changed"].fillna(False))
    ]
    ax.set_yticks(y, labels, fontsize=9 if named.astype(bool).any() else 10)
    ax.set_xlim(0, 112)
    ax.set_xlabel("得点率（%）")
    if ax.figure.get_constrained_layout():  # below the axis label, whatever the height of the figure
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower left", ncols=2, fontsize=8, frameon=False)
    else:
        ax.legend(loc="lower right", fontsize=8)
    ax.set_title(
        title or f"{a['entity']}の得点率（{base}・{target}）\n{CAVEAT}\n（＊は配点が変わった指標、｜は全国平均）",
        fontsize=11,
    )
    source_note(fig, source)
    return fig, ax


def _label_x(value: float, mark: float) -> float:
    """Where a value label starts: right of the bar, or right of the national tick when the label would touch it.

    >>> _label_x(60.0, 90.0), _label_x(88.7, 93.9), _label_x(64.4, 63.0)
    (60.8, 95.1, 65.2)
    """
    x = value + 0.8
    if not np.isnan(mark) and value - 1.0 <= mark <= x + LABEL_ROOM:
        x = max(x, mark + 1.2)
    return round(x, 6)
