"""One style for every grantkit figure: Japanese fonts, Okabe–Ito colours, fixed sizes, deterministic files."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

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


# Where a Japanese label may break: after these characters (punctuation, particles), or before （.
_BREAK_AFTER = "、・，。）)／の等にを"
_NO_BREAK = ("にお",)  # 「における」 is one word


def _is_katakana(ch: str) -> bool:
    return "\u30a0" <= ch <= "\u30ff"


def _cut(text: str, width: int) -> int:
    """Where to end a line of at most ``width`` characters: after the last sensible break point, else before
    a run of katakana that would be split, else at ``width``."""
    cuts = [i + 1 for i in range(width) if text[i] in _BREAK_AFTER and text[i : i + 2] not in _NO_BREAK]
    cuts += [i for i in range(1, width + 1) if text[i] in "（("]
    cuts = [c for c in cuts if c >= 2]
    if cuts:
        return max(cuts)
    cut = width
    while cut > 1 and _is_katakana(text[cut - 1]) and _is_katakana(text[cut]):
        cut -= 1
    return cut if cut > 1 else width


def wrap_label(text: str, width: int = 14, max_lines: int | None = None, first: int | None = None) -> str:
    r"""Break a Japanese label into lines of at most ``width`` characters (``first`` for the first line) at
    sensible points (after 、・ and particles, before （), never inside a word or a katakana word when such a
    point exists; ``max_lines`` shortens with 「…」.

    >>> wrap_label("自立支援・重度化防止等に向けた地域ケア会議、介護予防に関する市町村支援", 16)
    '自立支援・重度化防止等に\n向けた地域ケア会議、介護予防に\n関する市町村支援'
    >>> wrap_label("管内の市町村における評価指標の達成状況による評価", 14)
    '管内の\n市町村における評価指標の\n達成状況による評価'
    >>> wrap_label("見える化システムに関する研修、アドバイザー派遣", 12, max_lines=1)
    '見える化システムに…'
    """
    lines: list[str] = []
    rest = text
    while rest:
        limit = first if first is not None and not lines else width
        if len(rest) <= limit:
            lines.append(rest)
            break
        cut = _cut(rest, limit)
        lines.append(rest[:cut])
        rest = rest[cut:]
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip("、・，。の") + "…"
    return "\n".join(lines)


def indicator_label(code: str, name: object, width: int = 16, max_lines: int = 2) -> str:
    """A bar label: the code and a short indicator name, wrapped (at most ``max_lines`` lines, 「…」 beyond).

    >>> indicator_label("Ⅱ(8)", "介護人材の確保"), indicator_label("合計", "")
    ('Ⅱ(8) 介護人材の確保', '合計')
    """
    name = "" if name is None or name != name or str(name) == code else str(name)
    if not name:
        return code
    return f"{code} {wrap_label(name, width, max_lines, first=max(4, width - len(code) - 1))}"


def setup_japanese() -> None:
    """Make Japanese text render (matplotlib-fontja) and minus signs ASCII; idempotent, explicit.

    Every chart function calls it; call it yourself before drawing your own matplotlib figures.

    Returns
    -------
    None
        Sets matplotlib's ``rcParams`` (font, ``axes.unicode_minus=False``, DPI, deterministic SVG) once.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> setup_japanese()
    >>> plt.rcParams["axes.unicode_minus"], plt.rcParams["figure.dpi"] == DPI
    (False, True)
    """
    global _ready
    if _ready:
        return
    import matplotlib_fontja  # noqa: F401  (registers IPAexGothic and sets it as the default family)

    plt.rcParams.update(
        {
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
        }
    )
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


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG, without a software tag (the bytes ``save_figure`` writes)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def svg_bytes(fig: Figure) -> bytes:
    """The figure as SVG, without date or creator (the bytes ``save_figure`` writes)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def save_figure(fig: Figure, path: str | Path, *, svg: bool = True) -> Path:
    """Write PNG (and SVG beside it) with no timestamps or software tags, so reruns give identical bytes.

    Parameters
    ----------
    fig
        The figure.
    path
        Where to write; the suffix is replaced by .png (and .svg). Each file is written atomically.
    svg
        ``False`` writes the PNG only.

    Returns
    -------
    pathlib.Path
        The PNG's path.

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=SIZE)
    >>> folder = Path(tempfile.mkdtemp())
    >>> a, b = save_figure(fig, folder / "a.png"), save_figure(fig, folder / "b")
    >>> b.name, a.read_bytes() == b.read_bytes(), b.with_suffix(".svg").is_file()
    ('b.png', True, True)
    >>> plt.close(fig)
    """
    from ..io.files import atomic_write

    path = Path(path).with_suffix(".png")
    with atomic_write(path) as tmp:
        Path(tmp).write_bytes(png_bytes(fig))
    if svg:
        with atomic_write(path.with_suffix(".svg")) as tmp:
            Path(tmp).write_bytes(svg_bytes(fig))
    return path
