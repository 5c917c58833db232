"""grantkit.present: the analysis tables made readable — views for the notebooks and reports, the one
formatting path (四捨五入, one figure one value), display labels and the prose that describes a table.

Presentation never computes a figure the compute stage did not: it formats, labels and arranges.

>>> from grantkit import present
>>> present.format_rate(169 / 180, digits=1)
'93.9%'
"""

from ..labels import GRANT_NAMES, LABELS, label, with_labels
from .format import (
    excel_format,
    format_figure,
    format_points,
    format_points_change,
    format_rate,
    format_thousand_yen,
    readable,
    round_half_up,
    score_numbers,
    score_table,
)
from .narrative import (
    average_rounding_note,
    describe_allocation,
    describe_change,
    describe_municipal,
    describe_utilization,
    trend_sentence,
)
from .overview_tables import overview_excel, overview_view
from .views import (
    Sections,
    allocation_view,
    average_view,
    by_year,
    change_view,
    comparison_view,
    goal_comparison_view,
    goal_view,
    grant_view,
    peer_view,
    project_view,
    prose,
    score_table_view,
    show_all_rows,
    standing_view,
    zero_view,
)

__all__ = [
    # tables for reading (notebooks and reports)
    "Sections",
    "allocation_view",
    "average_view",
    "by_year",
    "change_view",
    "comparison_view",
    "goal_comparison_view",
    "goal_view",
    "grant_view",
    "overview_excel",
    "overview_view",
    "peer_view",
    "project_view",
    "prose",
    "readable",
    "score_numbers",
    "score_table",
    "score_table_view",
    "show_all_rows",
    "standing_view",
    "zero_view",
    # the one formatting path
    "excel_format",
    "format_figure",
    "format_points",
    "format_points_change",
    "format_rate",
    "format_thousand_yen",
    "round_half_up",
    # prose
    "average_rounding_note",
    "describe_allocation",
    "describe_change",
    "describe_municipal",
    "describe_utilization",
    "trend_sentence",
    # display labels
    "GRANT_NAMES",
    "LABELS",
    "label",
    "with_labels",
]
