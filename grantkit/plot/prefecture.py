"""A prefecture's municipalities: ranked bars split into pages of fixed size, and small multiples of the national
distribution per 目標 with the prefecture's municipalities, its mean and the low-score threshold."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..eras import era_label
from ..present.format import format_figure
from .style import (
    ENTITY,
    ENTITY_LIGHT,
    GREY,
    NATIONAL_DARK,
    SPENT,
    new_axes,
    setup_japanese,
    source_note,
)

PER_PAGE = 40
DISTRIBUTION_SIZE = (12.0, 7.0)


def page_count(n: int, per_page: int = PER_PAGE) -> int:
    """How many pages of at most ``per_page`` rows ``n`` municipalities fill (at least 1).

    Parameters
    ----------
    n
        The number of municipalities.
    per_page
        The most rows on one page.

    Returns
    -------
    int
        ceil(n / per_page), at least 1.

    Examples
    --------
    >>> page_count(179), page_count(15), page_count(0)
    (5, 1, 1)
    """
    return max(1, -(-int(n) // per_page))


def page_rows(n: int, per_page: int = PER_PAGE) -> int:
    """Rows per page when ``n`` rows are split evenly over ``page_count`` pages (179 → 5 pages of 36).

    >>> page_rows(179), page_rows(15), page_rows(80)
    (36, 15, 40)
    """
    return max(1, -(-int(n) // page_count(n, per_page)))


def municipality_bars(
    table: pd.DataFrame,
    *,
    grant: str,
    threshold: float | None,
    page: int = 0,
    per_page: int = PER_PAGE,
    ax: Axes | None = None,
    source: str | None = None,
) -> tuple[Figure, Axes]:
    """Horizontal bars of the municipalities' total rate for one grant, best first, one page (0, 1, …) of at most
    ``per_page`` rows: long lists are split evenly (``page_rows``), every page of one prefecture has the same
    size and a prefecture with few municipalities gets one short chart. The
    national mean (of ``table.attrs``), the prefecture mean and ``threshold`` drawn, bars below it in another
    colour. Takes ``municipality_table(...)``.

    Parameters
    ----------
    table
        A ``municipality_table`` (``rate_<grant>`` per municipality; ``attrs``: prefecture,
        fiscal_year, national_mean).
    grant
        The grant whose total rate is drawn.
    threshold
        The low-score line (a rate), or ``None``.
    page
        Which page (0, 1, …).
    per_page
        The most rows on one page.
    ax
        Axes to draw on (the figure of fixed size is made when ``None``).
    source
        An 出典 note printed at the bottom right, or ``None``.

    Returns
    -------
    tuple[Figure, Axes]
        A figure 9 inches wide, the same height on every page of one table.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"entity": ["甲町", "乙村", "丙市"], "rate_推進": [0.5, 0.8, 0.2]})
    >>> t.attrs.update(prefecture="北海道", fiscal_year=2025, national_mean={"推進": 0.6})
    >>> fig, ax = municipality_bars(t, grant="推進", threshold=0.3)
    >>> [label.get_text() for label in ax.get_yticklabels()], len(ax.patches)
    (['1. 乙村', '2. 甲町', '3. 丙市'], 3)
    >>> plt.close(fig)
    """
    col = f"rate_{grant}"
    ordered = table.sort_values(col, ascending=False, kind="stable").reset_index(drop=True)
    pages, rows = page_count(len(ordered), per_page), page_rows(len(ordered), per_page)
    part = ordered.iloc[page * rows : (page + 1) * rows]
    fig, ax = new_axes(ax, (9.0, 0.24 * rows + 2.4))
    rates = part[col].astype("float64").to_numpy() * 100
    y = np.arange(rows)[::-1][: len(part)]
    low = np.zeros(len(part), dtype=bool) if threshold is None else rates < threshold * 100
    ax.barh(y[~low], rates[~low], height=0.7, color=ENTITY_LIGHT, label="得点率")
    if low.any():
        ax.barh(y[low], rates[low], height=0.7, color=SPENT, label="基準（全国平均−2標準偏差）未満")
    for yi, v, r in zip(y, rates, part[col].astype("float64")):
        ax.text(
            v + 0.6,
            yi,
            format_figure(r, "rate"),
            va="center",
            fontsize=8,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.4},
        )  # lines pass behind the figure
    names = [f"{int(r)}. {n}" for r, n in zip(part.index + 1, part["entity"])]
    ax.set_yticks(y, names, fontsize=8)
    ax.set_ylim(-0.7, rows - 0.3)
    pref_mean = float(ordered[col].mean()) * 100
    ax.axvline(
        pref_mean,
        color=ENTITY,
        linestyle="--",
        linewidth=1.4,
        label=f"県内平均 {format_figure(pref_mean / 100, 'rate')}",
    )
    if threshold is not None:
        ax.axvline(
            threshold * 100,
            color="#333333",
            linestyle=":",
            linewidth=1.6,
            label=f"基準 {format_figure(threshold, 'rate')}",
        )
    national = table.attrs.get("national_mean", {}).get(grant)
    if national is not None:
        ax.axvline(
            national * 100, color=NATIONAL_DARK, linewidth=1.6, label=f"全国平均 {format_figure(national, 'rate')}"
        )
    ax.set_xlim(0, 108)
    ax.set_xlabel("合計の得点率（%）")
    year = table.attrs.get("fiscal_year")
    shown = f"{page * rows + 1}〜{page * rows + len(part)}位" + (f"（{page + 1}/{pages}）" if pages > 1 else "")
    ax.set_title(
        f"{table.attrs.get('prefecture', '')}の市町村の{grant}合計の得点率"
        f"（{era_label(year) if year else ''}、{len(ordered)}団体中 {shown}）",
        fontsize=11,
    )
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower left", ncols=3, fontsize=8, frameon=False)
    source_note(fig, source)
    return fig, ax


def rate_panels(
    rates: pd.DataFrame,
    *,
    grant: str,
    thresholds: pd.DataFrame | None = None,
    source: str | None = None,
    fig: Figure | None = None,
) -> tuple[Figure, np.ndarray]:
    """One panel per 目標 (合計 first): histogram of all municipalities' rates, the prefecture's municipalities as
    ticks under it, the national and prefecture means and the low-score threshold. Takes ``rate_distribution``
    and ``low_score_thresholds``; returns the figure and its axes (unused panels hidden).

    Parameters
    ----------
    rates
        A ``rate_distribution`` table: grant, parent, rate, in_prefecture per municipality.
    grant
        The grant drawn.
    thresholds
        A ``low_score_thresholds`` table (grant, parent, threshold), or ``None``.
    source
        An 出典 note printed at the bottom right, or ``None``.
    fig
        A figure to draw on (default: a new 12 × 7 inch figure).

    Returns
    -------
    tuple[Figure, numpy.ndarray]
        The figure and its axes, flattened; one visible panel per 目標, 合計 first.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> rates = pd.DataFrame([{"grant": "推進", "parent": p, "rate": k / 10, "in_prefecture": k < 3}
    ...     for p in ("合計", "目標Ⅰ", "目標Ⅱ") for k in range(10)])
    >>> fig, axes = rate_panels(rates, grant="推進")
    >>> fig.get_size_inches().tolist(), [ax.get_title() for ax in axes if ax.get_visible()]
    ([12.0, 7.0], ['推進の合計', '目標Ⅰ', '目標Ⅱ'])
    >>> plt.close(fig)
    """
    setup_japanese()
    rows = rates[rates["grant"] == grant]
    parents = ["合計", *[p for p in dict.fromkeys(rows["parent"]) if p != "合計"]]
    ncols = 3 if len(parents) > 4 else 2
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=DISTRIBUTION_SIZE, layout="constrained")
    axes = fig.subplots(-(-len(parents) // ncols), ncols, squeeze=False).ravel()
    bins = np.linspace(0, 100, 26)
    for ax, parent in zip(axes, parents):
        part = rows[rows["parent"] == parent]
        values = part["rate"].astype("float64") * 100
        mine = values[part["in_prefecture"].to_numpy()]
        counts, _, _ = ax.hist(values.dropna(), bins=bins, color=GREY, alpha=0.6, label="全国の市町村")
        top = max(float(counts.max()), 1.0)
        ax.plot(mine, np.full(len(mine), -0.06 * top), "|", color=ENTITY, markersize=9, label="県内の市町村")
        ax.axvline(values.mean(), color=NATIONAL_DARK, linewidth=1.5, label="全国平均")
        ax.axvline(mine.mean(), color=ENTITY, linestyle="--", linewidth=1.5, label="県内平均")
        if thresholds is not None:
            t = thresholds[(thresholds["grant"] == grant) & (thresholds["parent"] == parent)]
            if len(t):
                ax.axvline(
                    float(t["threshold"].iloc[0]) * 100,
                    color="#333333",
                    linestyle=":",
                    linewidth=1.5,
                    label="基準（平均−2標準偏差）",
                )
        ax.set_ylim(-0.12 * top, top * 1.1)
        ax.set_xlim(0, 100)
        ax.set_title(f"{grant}の合計" if parent == "合計" else parent, fontsize=11)
    for ax in axes[len(parents) :]:
        ax.set_visible(False)
    axes[0].set_ylabel("市町村数")
    fig.supylabel("")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower left", ncols=5, fontsize=9, frameon=False)
    year = rates.attrs.get("fiscal_year")
    fig.suptitle(
        f"{rates.attrs.get('prefecture', '')}の市町村の得点率の分布（{grant}、"
        f"{era_label(year) if year else ''}、横軸は得点率％）",
        fontsize=12,
    )
    source_note(fig, source)
    return fig, axes


def group_rate_chart(groups: pd.DataFrame, *, source: str | None = None, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Paired bars per grant × 目標 × 指標群: the prefecture's mean rate against the national mean, each labelled
    with its rate as the tables print it. Takes ``group_rates(...)``; one figure of a fixed width, 0.5 inch a row.

    Parameters
    ----------
    groups : DataFrame
        The table of ``prefecture_view.group_rates`` (its attrs name the prefecture and the year).
    source : str or None
        The 出典 line under the chart.
    ax : Axes or None
        Draw there instead of on a new figure.

    Returns
    -------
    (Figure, Axes)
        The rows top-down in the table's order (推進, 支援, then 目標Ⅳ as 共通).

    >>> import pandas as pd
    >>> g = pd.DataFrame({"grant": ["推進", "共通"], "parent": ["目標Ⅰ", "目標Ⅳ"], "group": ["活動", "成果"],
    ...                   "mean_rate_prefecture": [0.7046, 0.55], "mean_rate_national": [0.7053, 0.5562]})
    >>> fig, ax = group_rate_chart(g)
    >>> [t.get_text() for t in ax.get_yticklabels()], sorted(t.get_text() for t in ax.texts)
    (['推進 目標Ⅰ 活動', '共通 目標Ⅳ 成果'], ['55.0%', '55.6%', '70.5%', '70.5%'])
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    n = len(groups)
    fig, ax = new_axes(ax, (9.0, 0.5 * n + 1.8))
    y = np.arange(n)[::-1].astype(float)
    height = 0.38
    series = (
        ("mean_rate_prefecture", f"{groups.attrs.get('prefecture', '県内')}の平均", ENTITY, height / 2),
        ("mean_rate_national", "全国平均", GREY, -height / 2),
    )
    for column, name, colour, shift in series:
        rates = groups[column].astype("float64")
        ax.barh(y + shift, rates * 100, height=height, color=colour, label=name)
        for yi, r in zip(y + shift, rates):
            ax.text(r * 100 + 0.6, yi, format_figure(r, "rate"), va="center", fontsize=8)
    ax.set_yticks(y, [f"{g} {p} {k}" for g, p, k in zip(groups["grant"], groups["parent"], groups["group"])])
    ax.set_xlim(0, 108)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel("指標群の得点率の平均（%）")
    year = groups.attrs.get("fiscal_year")
    ax.set_title(
        f"{groups.attrs.get('prefecture', '')}の市町村の指標群別の得点率（{era_label(year) if year else ''}、全国平均との比較）",
        fontsize=11,
    )
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower left", ncols=2, fontsize=9, frameon=False)
    source_note(fig, source)
    return fig, ax
