"""A choropleth of Japan by prefecture, drawn as a tile grid map of vector squares (no raster, no GIS deps).

The tile positions (``japan_tiles.csv``: code, col, row) keep each prefecture near its neighbours; every
prefecture has the same area, so small prefectures are as visible as 北海道.
"""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..prefectures import PREFECTURES
from ..present.format import format_figure
from .style import ENTITY, new_axes, source_note


def _tiles() -> list[tuple[str, int, int]]:
    text = resources.files(__package__).joinpath("japan_tiles.csv").read_text(encoding="utf-8")
    return [(r["code"], int(r["col"]), int(r["row"])) for r in csv.DictReader(text.splitlines())]


def prefecture_map(
    values: pd.Series,
    *,
    highlight: str | None = None,
    ax: Axes | None = None,
    title: str = "都道府県別の得点率",
    label: str = "得点率（%）",
    cmap: str = "cividis",
    source: str | None = None,
) -> tuple[Figure, Axes]:
    """Colour each prefecture (indexed by code "01".."47") by its value; rates (≤1) are shown in %.

    Prefectures without a value are drawn in light grey with 「データなし」 in the legend text.

    Parameters
    ----------
    values
        One value per prefecture, indexed by code "01"–"47".
    highlight
        A code whose outline is drawn thick.
    ax
        Axes to draw on (the figure of fixed size is made when ``None``).
    title, label
        The title and the colour bar's label.
    cmap
        A matplotlib colour map.
    source
        An 出典 note printed at the bottom right, or ``None``.

    Returns
    -------
    tuple[Figure, Axes]
        A fixed-size tile map with one tile per prefecture (47).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = prefecture_map(pd.Series({"35": 0.82, "13": 0.75}), highlight="35")
    >>> ax.get_title(), len(ax.patches)
    ('都道府県別の得点率', 47)
    >>> plt.close(fig)
    """
    import matplotlib as mpl

    fig, ax = new_axes(ax, (7.6, 7.4))
    v = values.astype("float64")
    scale = 100.0 if v.max() <= 1.0 else 1.0
    v = v * scale
    norm = mpl.colors.Normalize(vmin=float(np.nanmin(v)), vmax=float(np.nanmax(v)))
    colours = mpl.colormaps[cmap]
    for code, col, row in _tiles():
        val = v.get(code, np.nan)
        face = "#EEEEEE" if np.isnan(val) else colours(norm(val))
        edge, width = (ENTITY, 3.0) if code == highlight else ("white", 1.0)
        ax.add_patch(
            Rectangle((col, -row), 0.95, 0.95, facecolor=face, edgecolor=edge, linewidth=width, gid=f"pref-{code}")
        )
        dark = not np.isnan(val) and norm(val) < 0.5
        name = PREFECTURES[code].removesuffix("県").removesuffix("府") if code != "01" else "北海道"
        name = "東京" if code == "13" else name
        ax.text(col + 0.475, -row + 0.6, name, ha="center", va="center", fontsize=7, color="white" if dark else "black")
        ax.text(
            col + 0.475,
            -row + 0.3,
            "－" if np.isnan(val) else format_figure(val, "whole"),
            ha="center",
            va="center",
            fontsize=7,
            color="white" if dark else "black",
        )
    ax.set_xlim(-0.3, 13.3)
    ax.set_ylim(-12.3, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    sm = mpl.cm.ScalarMappable(norm=norm, cmap=colours)
    fig.colorbar(sm, ax=ax, shrink=0.6, label=label if scale == 100.0 else "値")
    ax.set_title(title)
    source_note(fig, source)
    return fig, ax
