"""Money: allocation vs 所用見込額 vs 実績額 per year in 千円, the unused share labelled."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from ..eras import era_label
from ..present.format import format_figure
from .style import ENTITY, PLANNED, SIZE, SPENT, new_axes, source_note

SERIES = (
    ("allocation_thousand_yen", "評価指標による配分額", ENTITY),
    ("planned_thousand_yen", "所用見込額", PLANNED),
    ("spent_thousand_yen", "実績額", SPENT),
)


def money_chart(util: pd.DataFrame, *, ax: Axes | None = None, source: str | None = None) -> tuple[Figure, Axes]:
    """Grouped bars per year (千円). A missing 実績額 is written 「未確定」, never drawn as 0.

    Takes ``utilization(...)``; the unused share (配分額に対する未使用分) is labelled above each year.

    Parameters
    ----------
    util
        A :func:`grantkit.utilization` table (with entity for the title).
    ax
        Axes to draw on (the figure of fixed size is made when ``None``).
    source
        An 出典 note printed at the bottom right, or ``None``.

    Returns
    -------
    tuple[Figure, Axes]
        An 8 × 4.8 inch figure: per year bars of 配分額, 所用見込額 and 実績額 (a missing one at 0,
        labelled 「未確定」).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from grantkit import utilization
    >>> u = utilization(pd.DataFrame({"fiscal_year": [2018, 2019], "entity": "山口県",
    ...     "allocation_thousand_yen": [15680, 22248], "planned_thousand_yen": [14875, 11080],
    ...     "spent_thousand_yen": pd.array([10395, None], dtype="Int64")}))
    >>> fig, ax = money_chart(u)
    >>> [float(p.get_height()) for p in ax.patches], "未確定" in [t.get_text() for t in ax.texts]
    ([15680.0, 22248.0, 14875.0, 11080.0, 10395.0, 0.0], True)
    >>> plt.close(fig)
    """
    fig, ax = new_axes(ax, SIZE)
    x = np.arange(len(util))
    w = 0.26
    top = float(np.nanmax(util[[c for c, _, _ in SERIES]].astype("float64").to_numpy()))
    for k, (col, name, colour) in enumerate(SERIES):
        values = util[col].astype("float64").to_numpy()
        pos = x + (k - 1) * w
        ax.bar(pos, np.nan_to_num(values), width=w, color=colour, label=name)
        for p, v in zip(pos, values):
            ax.text(
                p,
                (v if not np.isnan(v) else 0) + top * 0.01,
                "未確定" if np.isnan(v) else format_figure(v, "count"),
                ha="center",
                va="bottom",
                fontsize=8,
                color="#333333" if not np.isnan(v) else "#AA0000",
            )
    for xi, (_, r) in zip(x, util.iterrows()):
        used = r["spent_share"] if not pd.isna(r["spent_share"]) else r["planned_share"]
        basis = "実績" if not pd.isna(r["spent_share"]) else "見込"
        if not pd.isna(used):
            ax.text(
                xi,
                top * 1.1,
                f"配分額のうち未使用 {format_figure(1 - used, 'rate')}（{basis}ベース）",
                ha="center",
                fontsize=9,
            )
    ax.set_xticks(x, [era_label(int(y)) for y in util["fiscal_year"]])
    ax.set_ylim(0, top * 1.22)
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))  # picklable: drawn on a second core
    ax.set_ylabel("千円")
    entity = str(util["entity"].iloc[0]) if "entity" in util.columns and len(util) else ""
    span = "・".join(era_label(int(y)) for y in util["fiscal_year"])
    ax.set_title(f"{entity}の交付金の配分額と事業費（{span}、千円）")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.08), fontsize=9, ncols=3, frameon=False)
    source_note(fig, source)
    return fig, ax
