"""Reading the MHLW national result workbooks (「全国集計（市町村）」「全国集計（都道府県）」).

One step per module: ``layout`` (the headings of each 交付年度, kept as data in ``layouts/mhlw_*.csv``, and
matching by meaning), ``extract`` (sheet → columns named by meaning), ``tidy`` (rows → tidy tables), ``checks``
(printed subtotals, 配点, alternatives, the shared 目標Ⅳ) and ``load`` (``load_mhlw``). ``inspect`` describes a
file for a first look. Example: ``load_mhlw("01_（掲載用）令和7年度評価結果（市町村分）.xlsx")``.
"""

from __future__ import annotations

from .layout import Layout, heading_key, layout, supported_years
from .load import MhlwResult, load_mhlw
from .load import (
    _read_level as _read_level,  # one sheet's rows → result (benchmarks time the read apart)
)

__all__ = ["Layout", "MhlwResult", "heading_key", "layout", "load_mhlw", "supported_years"]
