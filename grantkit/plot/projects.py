"""Projects per category and year: implemented, of which new, and ended."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..eras import era_label
from ..funding import PREFECTURE_PROJECT_CATEGORIES
from .style import ENTITY, ENTITY_LIGHT, NATIONAL_DARK, WIDE, new_axes, source_note, wrap_label


def projects_chart(
    summary: pd.DataFrame,
    *,
    ax: Axes | None = None,
    source: str | None = None,
    categories: Mapping[int, str] | None = PREFECTURE_PROJECT_CATEGORIES,
) -> tuple[Figure, Axes]:
    """Horizontal bars per category: projects implemented each year; new and ended ones written beside.

    Takes ``project_summary(...)``. Every category of ``categories`` is shown, with 0 where no project was
    implemented (the names in the data win for their numbers); category names wrap at sensible points.

    Parameters
    ----------
    summary
        A ``project_summary`` table.
    ax
        Axes to draw on (the figure of fixed size is made when ``None``).
    source
        An 出典 note printed at the bottom right, or ``None``.
    categories
        Number → name of every category shown (``None``: those in
        the data).

    Returns
    -------
    tuple[Figure, Axes]
        A figure 9 inches wide, one row per category, one bar per year.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from grantkit import example_path, load_projects
    >>> from grantkit.funding import project_summary
    >>> fig, ax = projects_chart(project_summary(load_projects(example_path("projects_yamaguchi.csv"))))
    >>> len(ax.get_yticklabels()), ax.get_title()
    (7, '山口県の交付金を活用した事業（対象事業別、H30・R1）')
    >>> plt.close(fig)
    """
    years = sorted(summary["fiscal_year"].unique())
    names = dict(categories or {})
    names.update(zip(summary["category_no"].astype(int), summary["category"]))
    numbers = sorted(names)
    fig, ax = new_axes(ax, (WIDE[0], max(3.6, 0.55 * len(numbers) * len(years) / 2 + 1.8)))
    h = 0.8 / len(years)
    y = np.arange(len(numbers))[::-1]
    colours = [ENTITY_LIGHT, ENTITY] + [ENTITY] * max(0, len(years) - 2)
    for k, year in enumerate(years):
        part = summary[summary["fiscal_year"] == year].set_index("category_no").reindex(numbers)
        n = part["implemented"].fillna(0).astype(int).to_numpy()
        pos = y + (len(years) - 1) / 2 * h - k * h
        ax.barh(pos, n, height=h, color=colours[k], label=era_label(int(year)))
        for p, v, new, end in zip(pos, n, part["started"], part["ended"]):
            extra = []
            if not pd.isna(new) and new:
                extra.append(f"新規{int(new)}")
            if not pd.isna(end) and end:
                extra.append(f"廃止{int(end)}")
            ax.text(
                v + 0.05,
                p,
                f"{v}件" + (f"（{'・'.join(extra)}）" if extra else ""),
                va="center",
                fontsize=8,
                color=NATIONAL_DARK if extra else "#333333",
            )
    ax.set_yticks(y, [wrap_label(names[c], 15) for c in numbers], fontsize=9)
    ax.set_xlim(0, max(1, int(summary["implemented"].max())) + 2)
    ax.set_xlabel("実施事業数（件）")
    entity = str(summary["entity"].iloc[0]) if "entity" in summary.columns and len(summary) else ""
    span = "・".join(era_label(int(y)) for y in years)
    ax.set_title(f"{entity}の交付金を活用した事業（対象事業別、{span}）")
    ax.legend(loc="lower right", fontsize=8)
    source_note(fig, source)
    return fig, ax
