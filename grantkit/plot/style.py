"""One style for every grantkit figure: Japanese fonts, Okabe–Ito colours, fixed sizes, deterministic files."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.axes import Axes
from matplotlib.figure import Figure

# Okabe–Ito (colour-blind safe). The entity and the national average keep the same colours everywhere.
ENTITY = "#0072B2"
ENTITY_LIGHT = "#56B4E9"
NATIONAL = "#E69F00"
NATIONAL_DARK = "#D55E00"
PLANNED = "#009E73"
SPENT = "#CC79A7"
GREY = "#999999"
SIZE = (8.0, 4.8)
WIDE = (9.0, 6.0)
DPI = 100
CAVEAT = "※配点・指標は年度により異なるため、得点ではなく得点率で比較"

_ready = False


def setup_japanese() -> None:
    """Make Japanese text render (matplotlib-fontja) and minus signs ASCII; idempotent, explicit."""
    global _ready
    if _ready:
        return
    import matplotlib_fontja  # noqa: F401  (registers IPAexGothic and sets it as the default family)

    plt.rcParams.update({
        "axes.unicode_minus": False,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 13,
        "axes.labelsize": 11,
        "xtick.labelsize": 10,
        "ytick.labelsize": 10,
        "legend.fontsize": 10,
        "svg.hashsalt": "grantkit",
        "svg.fonttype": "path",
    })
    _ready = True


def new_axes(ax: Axes | None, size: tuple[float, float] = SIZE) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: the given ``ax``, or a new figure of the fixed size."""
    setup_japanese()
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def source_note(fig: Figure, text: str | None) -> None:
    """A small 出典 note at the bottom right of the figure, below the x-axis label.

    On our constrained-layout figures it is the figure's ``supxlabel``, for which the layout
    makes room for it (a plain ``fig.text`` would be drawn over the axis label).
    """
    if not text:
        return
    if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        fig.supxlabel(text, x=0.99, ha="right", fontsize=8, color="#555555")
    else:
        fig.text(0.99, 0.005, text, ha="right", va="bottom", fontsize=8, color="#555555")


def save_figure(fig: Figure, path: str | Path, *, svg: bool = True) -> Path:
    """Write PNG (and SVG beside it) with no timestamps or software tags, so reruns give identical bytes."""
    from ..io.files import atomic_write

    path = Path(path).with_suffix(".png")
    with atomic_write(path) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None})
    if svg:
        with atomic_write(path.with_suffix(".svg")) as tmp:
            fig.savefig(tmp, format="svg", metadata={"Date": None, "Creator": None})
    return path
