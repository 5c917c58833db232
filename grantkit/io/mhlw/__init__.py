"""Reading the MHLW national result workbooks (「全国集計（市町村）」「全国集計（都道府県）」).

One step per module: ``layout`` (the headings of each 交付年度, kept as data in ``layouts/mhlw_*.csv``, and
matching by meaning), ``extract`` (sheet → columns named by meaning), ``tidy`` (rows → tidy tables), ``checks``
(printed subtotals, 配点, alternatives, the shared 目標Ⅳ) and ``load`` (``load_mhlw``). ``inspect`` describes a
file for a first look. Example: ``load_mhlw("01_（掲載用）令和7年度評価結果（市町村分）.xlsx")``.
"""

from __future__ import annotations

from pathlib import Path

from .layout import Layout, heading_key, layout, supported_years
from .load import MhlwResult, read_mhlw

__all__ = ["Layout", "MhlwResult", "heading_key", "layout", "load_mhlw", "read_mhlw", "supported_years"]


def load_mhlw(path: str | Path, *, level: str | None = None, strict: bool = True, cache: bool = True) -> MhlwResult:
    """Load an MHLW national result workbook (``read_mhlw``) through the cache of parsed files.

    A workbook read before, with the same bytes, options and grantkit code, comes back from its stored tables
    (identical tables, dtypes and load report).

    Parameters
    ----------
    path
        The national workbook (.xlsx).
    level
        ``"市町村"`` or ``"都道府県"`` reads that level's sheet; ``None`` every national sheet in the file.
    strict
        ``False`` records printed subtotals that differ from the leaves in ``report.notes`` instead of raising.
    cache
        ``False`` always parses the workbook.

    Returns
    -------
    MhlwResult
        ``scores`` (tidy leaf rows), ``attributes`` (one row per scored entity), ``statistics``, ``report``
        (rows read = kept + excluded) and what was checked.

    Raises
    ------
    InputFileError
        When the file cannot be read or has no national sheet.
    ValidationError
        When cells or totals do not read as the layout expects, listing every problem.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from grantkit.testing import national_workbook
    >>> p = national_workbook(pathlib.Path(tempfile.mkdtemp()) / "r7.xlsx", "R7", "市町村", n_municipalities=30)
    >>> load_mhlw(p).scores.equals(load_mhlw(p, cache=False).scores)
    True
    """
    from ..cache import cached

    return cached(
        lambda: read_mhlw(path, level=level, strict=strict),
        path,
        "load_mhlw",
        {"level": level, "strict": strict},
        use=cache,
    )
