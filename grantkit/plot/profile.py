"""Profile: the rate per top-level category (Ⅰ, Ⅱ, Ⅲ…) in both years against the national average."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..eras import era_label
from ..present.format import ENTITY_RATE_DIGITS
from .style import CAVEAT
from .years import year_comparison


def top_level(rates: pd.DataFrame) -> pd.DataFrame:
    """Rows of a ``score_rates`` or ``compare_years`` table that are top-level: leaves without a parent (without
    a ``parent`` column: not under a subtotal's code, Ⅱ(1) under Ⅱ), group subtotals and the total.

    >>> t = pd.DataFrame({"indicator": ["Ⅰ", "Ⅱ(1)", "Ⅱ", "Ⅲ", "合計"],
    ...                   "row_kind": ["leaf", "leaf", "subtotal", "leaf", "total"]})
    >>> top_level(t)["indicator"].tolist()
    ['Ⅰ', 'Ⅱ', 'Ⅲ', '合計']
    """
    if "parent" in rates.columns:
        leaf_top = rates["parent"] == ""
    else:
        groups = tuple(str(g) for g in rates.loc[rates["row_kind"] == "subtotal", "indicator"].unique())
        leaf_top = ~rates["indicator"].astype(str).str.startswith(groups) if groups else rates["row_kind"] == "leaf"
    return rates[((rates["row_kind"] == "leaf") & leaf_top) | rates["row_kind"].isin(["subtotal", "total"])]


def profile_chart(
    comparison: pd.DataFrame, *, ax: Axes | None = None, source: str | None = None, digits: int = ENTITY_RATE_DIGITS
) -> tuple[Figure, Axes]:
    """Bars of the rate per category (Ⅰ, Ⅱ計, Ⅲ and 合計) in both years, each year's national average as a tick:
    three or four categories read better as bars than as a radar. Takes ``compare_years(...)``.

    Parameters
    ----------
    comparison
        A :func:`grantkit.compare_years` table.
    ax
        Axes to draw on (the figure of fixed size is made when ``None``).
    source
        An 出典 note printed at the bottom right, or ``None``.
    digits
        Decimal places of the value labels.

    Returns
    -------
    tuple[Figure, Axes]
        A figure 9 inches wide, two bars per top-level category.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from grantkit import compare_years, example_scores
    >>> fig, ax = profile_chart(compare_years(example_scores(), "H30", "R1", entity="山口県"))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Ⅰ＊', 'Ⅱ計＊', 'Ⅲ＊', '合計＊']
    >>> plt.close(fig)
    """
    a = comparison.attrs
    top = top_level(comparison)
    top.attrs.update(a)
    title = (
        f"{a['entity']}の区分別の得点率（{era_label(a['base'])}・{era_label(a['target'])}）\n{CAVEAT}\n（｜は全国平均）"
    )
    return year_comparison(top, ax=ax, source=source, digits=digits, title=title, names=False)
