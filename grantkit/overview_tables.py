"""Tables of the overview reports (trend, the prefecture's municipalities, a group side by side) for people:
shown in the notebook (``shown``: formatted text, Japanese headers) and written to Excel (``for_excel``: numbers
kept, Japanese headers, rates marked as %). Columns named per grant (``rate_推進``, ``rate_推進_目標Ⅰ`` …) get
their grant and 目標 in the header; every other header comes from ``grantkit.labels``.
"""

from __future__ import annotations

import re

import pandas as pd

from .display import readable
from .labels import label

_PER_GRANT = re.compile(r"^(score|rate|rank|prefecture_rank)_(推進|支援)(?:_(.+))?$")
_WORDS = {"score": "合計得点", "rate": "得点率", "rank": "全国順位", "prefecture_rank": "県内順位"}


def column_label(column: str) -> str:
    """The header of a column, per-grant columns included.

    >>> column_label("rate_推進_目標Ⅰ"), column_label("prefecture_rank_支援"), column_label("entity")
    ('推進 目標Ⅰ 得点率', '支援 県内順位', '団体名')
    """
    found = _PER_GRANT.match(column)
    if not found:
        return label(column)
    kind, grant, goal = found.groups()
    return f"{grant} {goal + ' ' if goal else ''}{'得点率' if goal else _WORDS[kind]}"


def shown(table: pd.DataFrame | None, *, drop: tuple[str, ...] = ("entity_code", "level"),
          top: int | None = None) -> pd.DataFrame | None:
    """The table formatted for reading (rates in %, points as printed, counts with separators), Japanese
    headers; ``top`` keeps the first rows. None stays None."""
    if table is None:
        return None
    part = table if top is None else table.head(top)
    renamed = {c: column_label(c) for c in part.columns if _PER_GRANT.match(c)}
    formatted = readable(part.rename(columns={c: _as_rate_name(c) for c in renamed}), drop=drop)
    return formatted.rename(columns={_as_rate_name(c): v for c, v in renamed.items()}).reset_index(drop=True)


def _as_rate_name(column: str) -> str:
    """A name ``readable`` formats as a rate when the per-grant column is one (``rate_推進_目標Ⅰ_rate``)."""
    return f"{column}_rate" if _PER_GRANT.match(column).group(1) == "rate" else column


def for_excel(table: pd.DataFrame | None) -> pd.DataFrame | None:
    """The table with Japanese headers and numbers kept; ``attrs["percent"]`` lists the headers to show as %."""
    if table is None:
        return None
    percent = [column_label(c) for c in table.columns
               if c in table.attrs.get("percent", ()) or c == "rate" or c.endswith(("_rate", "_share"))
               or (_PER_GRANT.match(c) and _PER_GRANT.match(c).group(1) == "rate")]
    out = table.rename(columns={c: column_label(c) for c in table.columns})
    out.attrs = {"percent": percent}
    return out
