"""grantkit: score tables, rates, comparisons and allocations of the two long-term-care insurer
incentive grants (保険者機能強化推進交付金・介護保険保険者努力支援交付金).

The public surface is listed in ``__all__``; modules are imported on first use so that
``import grantkit`` stays fast (matplotlib, papermill and openpyxl load only when needed).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors and accounting
    "GrantkitError": "errors",
    "ValidationError": "errors",
    "InputFileError": "errors",
    "UnknownSelectionError": "errors",
    "Problem": "errors",
    "LoadReport": "provenance",
    "Loaded": "schema",
    # eras and text
    "fiscal_year": "eras",
    "era_label": "eras",
    "era_label_long": "eras",
    "normalize_text": "text",
    # loading
    "load_scores": "io",
    "read_scores": "io",
    "example_scores": "examples",
    "example_path": "examples",
    "data_dir": "examples",
    # display labels
    "label": "labels",
    "with_labels": "labels",
    "LABELS": "labels",
    "GRANT_NAMES": "labels",
    # rates and comparisons (issue 4)
    "score_rates": "rates",
    "rate": "rates",
    "display_code": "rates",
    "leaves_of": "rates",
    "compare_years": "compare",
    "compare_to_average": "compare",
    "strengths": "compare",
    "weaknesses": "compare",
    "top_leaves": "compare",
    "rank_among": "compare",
    "add_national_average": "compare",
    "resolve_selection": "compare",
    "PREFECTURES": "prefectures",
    "grant_totals": "national",
    "national_allocation": "national",
    "prefecture_means": "national",
    "grant_scores": "national",
    "group_means": "national",
    "peer_means": "national",
    "national_rates": "national",
    "goal_table": "municipal",
    "peer_table": "municipal",
    "zero_items": "municipal",
    "outcome_track": "municipal",
    "goal_totals": "municipal",
    "goal_comparison": "municipal",
    "year_change": "municipal",
    "municipal_grant": "municipal",
    "overall_standing": "municipal",
    "standing_view": "views",
    "average_rounding_note": "narrative",
    "peer_key": "municipal",
    "load_municipal_data": "municipal_report",
    "MunicipalData": "municipal_report",
    "run_municipal_report": "municipal_report",
    "Sections": "views",
    "goal_view": "views",
    "goal_comparison_view": "views",
    "peer_view": "views",
    "change_view": "views",
    "zero_view": "views",
    "grant_view": "views",
    "goal_chart": "plot",
    "outcome_chart": "plot",
    "load_mhlw": "io.mhlw",
    "MhlwResult": "io.mhlw",
    "national_workbook": "synthetic",
    "readable": "display",
    "allocation_summary": "report",
    "load_report_data": "report",
    "ReportData": "report",
    "comparison_view": "views",
    "average_view": "views",
    "allocation_view": "views",
    "score_table_view": "views",
    "project_view": "views",
    "by_year": "views",
    "prose": "views",
    "save_report_figure": "report",
    "write_report_tables": "report",
    "run_report": "report",
    "describe_allocation": "narrative",
    "describe_municipal": "narrative",
    "year_comparison": "plot",
    "national_gap": "plot",
    "profile_chart": "plot",
    "money_chart": "plot",
    "projects_chart": "plot",
    "distribution": "plot",
    "prefecture_map": "plot",
    "save_figure": "plot",
    "setup_japanese": "plot",
    "prefecture_of": "prefectures",
    "Selection": "compare",
    "format_rate": "display",
    "format_figure": "display",
    "excel_format": "display",
    "format_points": "display",
    "format_points_change": "display",
    "format_thousand_yen": "display",
    "round_half_up": "display",
    "score_table": "display",
    "score_numbers": "display",
    # allocation (issue 4)
    "prefecture_allocation": "allocation",
    "municipal_allocation": "allocation",
    "allocation_from_average": "allocation",
    "implied_average": "allocation",
    "implied_budget": "allocation",
    "AverageInterval": "allocation",
    "grant_amount": "allocation",
    "marginal_value": "allocation",
    "what_if": "allocation",
    "WhatIf": "allocation",
    # utilisation, projects, budgets (issue 4)
    "utilization": "funding",
    "load_utilization": "funding",
    "load_projects": "funding",
    "project_summary": "funding",
    "project_table": "funding",
    "load_budgets": "funding",
    "budget_for": "funding",
    "UnverifiedBudgetWarning": "funding",
    # trends, the prefecture's municipalities, a group side by side
    "trend_table": "trend",
    "trend_sentence": "narrative",
    "yearly_standing": "trend",
    "scale_breaks": "trend",
    "prefecture_trend": "trend",
    "municipality_table": "prefecture_view",
    "low_score_thresholds": "prefecture_view",
    "below_threshold": "prefecture_view",
    "support_items": "prefecture_view",
    "municipality_change": "prefecture_view",
    "peer_context": "prefecture_view",
    "rate_distribution": "prefecture_view",
    "group_rates": "prefecture_view",
    "prefecture_overview": "prefecture_report",
    "PrefectureOverview": "prefecture_report",
    "run_prefecture_report": "prefecture_report",
    "combined_totals": "group",
    "group_summary": "group",
    "group_trend": "group",
    "group_goals": "group",
    "amount_table": "group",
    "group_amounts": "group",
    "recover_items": "group",
    "group_tables": "group_report",
    "group_trend_chart": "plot.group",
    "overview_view": "overview_tables",
    "overview_excel": "overview_tables",
    "trend_panels": "plot.trend",
    "municipality_bars": "plot.prefecture",
    "rate_panels": "plot.prefecture",
    "page_count": "plot.prefecture",
    # narrative (issue 4)
    "describe_change": "narrative",
    "describe_utilization": "narrative",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'grantkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
