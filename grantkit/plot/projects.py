"""Projects per category and year: implemented, of which new, and ended."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..eras import era_label
from .style import ENTITY, ENTITY_LIGHT, NATIONAL_DARK, WIDE, new_axes, source_note


def projects_chart(summary: pd.DataFrame, *, ax: Axes | None = None, source: str | None = None) -> tuple[Figure, Axes]:
    """Horizontal bars per category: projects implemented each year; new and ended ones written beside.

    Takes ``project_summary(...)``.
    """
    years = sorted(summary["fiscal_year"].unique())
    cats = summary.drop_duplicates("category_no").sort_values("category_no")
    fig, ax = new_axes(ax, (WIDE[0], max(3.6, 0.55 * len(cats) * len(years) / 2 + 1.5)))
    h = 0.8 / len(years)
    y = np.arange(len(cats))[::-1]
    colours = [ENTITY_LIGHT, ENTITY] + [ENTITY] * max(0, len(years) - 2)
    for k, year in enumerate(years):
        part = summary[summary["fiscal_year"] == year].set_index("category_no").reindex(cats["category_no"])
        n = part["implemented"].fillna(0).astype(int).to_numpy()
        pos = y + (len(years) - 1) / 2 * h - k * h
        ax.barh(pos, n, height=h, color=colours[k], label=era_label(int(year)))
        for p, v, new, end in zip(pos, n, part["started"], part["ended"]):
            extra = []
            if not pd.isna(new) and new:
                extra.append(f"新規{int(new)}")
            if not pd.isna(end) and end:
                extra.append(f"廃止{int(end)}")
            ax.text(v + 0.05, p, f"{v}件" + (f"（{'・'.join(extra)}）" if extra else ""), va="center", fontsize=8,
                    color=NATIONAL_DARK if extra else "#333333")
    ax.set_yticks(y, [_wrap(c) for c in cats["category"]])
    ax.set_xlim(0, max(1, int(summary["implemented"].max())) + 2)
    ax.set_xlabel("実施事業数（件）")
    ax.set_title("交付金を活用した事業（対象事業別）")
    ax.legend(loc="lower right", fontsize=8)
    source_note(fig, source)
    return fig, ax


def _wrap(text: str, width: int = 16) -> str:
    """Break a long Japanese label every ``width`` characters, never starting a line with 、 or 。."""
    lines: list[str] = []
    while text:
        cut = min(width, len(text))
        while cut < len(text) and text[cut] in "、。）)":
            cut += 1
        lines.append(text[:cut])
        text = text[cut:]
    return "\n".join(lines)
