"""grantkit: score tables, rates, comparisons and allocations of the two long-term-care insurer
incentive grants (保険者機能強化推進交付金・介護保険保険者努力支援交付金).

The public surface is ``__all__`` (the README's 「公開 API」 lists it by stage) plus four subpackages:
``grantkit.plot`` (charts), ``grantkit.present`` (tables and prose for reading), ``grantkit.report`` (the
report builders) and ``grantkit.testing`` (synthetic workbooks). Every other name stays importable from the
module that defines it, e.g. ``from grantkit.national import grant_totals``.

Modules are imported on first use, so ``import grantkit`` stays fast (matplotlib, papermill and openpyxl load
only when needed).

>>> import grantkit as gk
>>> gk.era_label(2019)
'R1'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it, by stage
_EXPORTS: dict[str, str] = {
    # errors and the load report
    "GrantkitError": "errors",
    "ValidationError": "errors",
    "InputFileError": "errors",
    "UnknownSelectionError": "errors",
    "LoadReport": "provenance",
    # eras
    "fiscal_year": "eras",
    "era_label": "eras",
    "era_label_long": "eras",
    # loading
    "load_scores": "io",
    "read_scores": "io",
    "load_mhlw": "io.mhlw",
    "load_utilization": "funding",
    "load_projects": "funding",
    "load_budgets": "funding",
    "load_municipal_data": "report.municipal",
    "example_scores": "examples",
    "example_path": "examples",
    # compute: tables and numbers in, tables out
    "score_rates": "rates",
    "compare_years": "compare",
    "compare_to_average": "compare",
    "strengths": "compare",
    "weaknesses": "compare",
    "prefecture_allocation": "allocation",
    "national_allocation": "national",
    "implied_average": "allocation",
    "what_if": "allocation",
    "utilization": "funding",
    "goal_table": "municipal",
    "goal_comparison": "municipal",
    "peer_table": "municipal",
    "year_change": "municipal",
    "zero_items": "municipal",
    "municipal_grant": "municipal",
    "trend_table": "trend",
    # reports
    "run_report": "report.prefecture",
    "run_municipal_report": "report.municipal",
    "run_prefecture_report": "report.prefecture_municipalities",
    "run_group_report": "report.group",
}

# subpackages reached as attributes: ``gk.plot.year_comparison``, ``gk.present.prose``
_SUBPACKAGES = ("plot", "present", "report", "testing")

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'grantkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_SUBPACKAGES))
