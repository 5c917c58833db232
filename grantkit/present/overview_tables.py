"""Tables of the overview reports (trend, the prefecture's municipalities, a group side by side) for
people: shown in the notebook (``overview_view``: formatted text, Japanese headers) and written to Excel
(``overview_excel``: numbers kept, Japanese headers, rates marked as %). Columns named per grant (``rate_推進``,
``rate_推進_目標Ⅰ`` …) get their grant and 目標 in the header; every other header comes from ``grantkit.labels``.
"""

from __future__ import annotations

import re

import pandas as pd

from ..labels import label
from .format import format_figure, format_points_change, readable

_PER_GRANT = re.compile(r"^(score|rate|rank|prefecture_rank)_(推進|支援)(?:_(.+))?$")
_WORDS = {"score": "合計得点", "rate": "得点率", "rank": "全国順位", "prefecture_rank": "県内順位"}


def column_label(column: str) -> str:
    """The header of a column, per-grant columns included.

    >>> column_label("rate_推進_目標Ⅰ"), column_label("prefecture_rank_支援"), column_label("entity")
    ('推進 目標Ⅰ 得点率', '支援 県内順位', '団体名')
    """
    found = _PER_GRANT.match(column)
    if not found or label(column) != column:  # a header of grantkit.labels wins: the page and the sheet agree
        return label(column)
    kind, grant, goal = found.groups()
    return f"{grant} {goal + ' ' if goal else ''}{'得点率' if goal else _WORDS[kind]}"


def overview_view(
    table: pd.DataFrame | None, *, drop: tuple[str, ...] = ("entity_code", "level"), top: int | None = None
) -> pd.DataFrame | None:
    """The table formatted for reading (rates in %, points as printed, counts with separators), Japanese
    headers.

    Parameters
    ----------
    table
        A trend, prefecture-overview or group table (``attrs["percent"]`` may name more rate columns), or None.
    drop
        Columns left out when present.
    top
        Keep only the first ``top`` rows (``None``: all).

    Returns
    -------
    pandas.DataFrame or None
        Text, the rows of ``table`` (at most ``top``) renumbered from 0; ``None`` for ``None``.

    Examples
    --------
    >>> t = pd.DataFrame({"entity": ["甲町", "乙村"], "rate_推進": [0.8125, 0.5], "rank_推進": [1, 2]})
    >>> v = overview_view(t, top=1)
    >>> v.columns.tolist(), v.iloc[0, :2].tolist()
    (['団体名', '推進 得点率', '推進 全国順位'], ['甲町', '81.3%'])
    >>> overview_view(None) is None
    True
    """
    if table is None:
        return None
    part = table if top is None else table.head(top)
    percent = set(table.attrs.get("percent", ()))
    temporary = {
        c: f"{c}_rate"
        for c in part.columns  # names readable formats as rates
        if (c in percent and not c.endswith("_rate")) or (_PER_GRANT.match(c) and c.startswith("rate_"))
    }
    points = {
        c: part[c].map(lambda v: "" if pd.isna(v) else format_points_change(v).removesuffix("ポイント"))
        for c in part.columns
        if c.endswith("_pt") and pd.api.types.is_numeric_dtype(part[c])
    }
    plain = {
        c: part[c].map(lambda v: "" if pd.isna(v) else format_figure(v, "one_decimal"))
        for c in ("diff", "national_mean", "lost")
        if c in part.columns and pd.api.types.is_numeric_dtype(part[c])
    }
    plain |= {
        c: part[c].map(lambda v: "" if pd.isna(v) else format_figure(v, "two_decimal"))
        for c in part.columns
        if c.startswith("std_") and pd.api.types.is_numeric_dtype(part[c])
    }
    plain |= {
        c: part[c].map(lambda v: "" if pd.isna(v) else format_figure(v, "yen"))
        for c in part.columns
        if "_yen_per_" in c and pd.api.types.is_numeric_dtype(part[c])
    }
    formatted = readable(part.assign(**points, **plain).rename(columns=temporary), drop=drop)
    headers = {temporary.get(c, c): column_label(c) for c in part.columns}
    return formatted.rename(columns=headers).reset_index(drop=True)


def overview_excel(table: pd.DataFrame | None) -> pd.DataFrame | None:
    """The table with Japanese headers and numbers kept, for Excel.

    Parameters
    ----------
    table
        A trend, prefecture-overview or group table, or None.

    Returns
    -------
    pandas.DataFrame or None
        The same rows and values under Japanese headers; ``attrs["percent"]`` lists the headers of rate columns
        (to show as %). ``None`` for ``None``.

    Examples
    --------
    >>> e = overview_excel(pd.DataFrame({"entity": ["甲町"], "rate_推進": [0.8125], "rank_推進": [1]}))
    >>> e.columns.tolist(), e.attrs["percent"], e.iloc[0, 1]
    (['団体名', '推進 得点率', '推進 全国順位'], ['推進 得点率'], np.float64(0.8125))
    """
    if table is None:
        return None
    percent = [
        column_label(c)
        for c in table.columns
        if c in table.attrs.get("percent", ())
        or c == "rate"
        or c.endswith(("_rate", "_share"))
        or (_PER_GRANT.match(c) and _PER_GRANT.match(c).group(1) == "rate")
    ]
    out = table.rename(columns={c: column_label(c) for c in table.columns})
    out.attrs = {"percent": percent}
    return out
