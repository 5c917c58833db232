"""grantkit.plot: figures drawn from the analysis tables (never from files), one style for all.

Every function returns ``(fig, ax)`` (or a list of figures for multi-page charts), accepts ``ax=`` to compose
where it draws one axes, and has a fixed size.

>>> from grantkit import plot
>>> plot.page_count(45)
2
"""

from .distribution import distribution
from .group import group_trend_chart
from .japan_map import prefecture_map
from .money import money_chart
from .municipal import goal_chart, outcome_chart
from .national import national_gap
from .prefecture import group_rate_chart, municipality_bars, page_count, rate_panels
from .profile import profile_chart
from .projects import projects_chart
from .style import save_figure, setup_japanese
from .trend import trend_panels
from .years import year_comparison

__all__ = [
    "distribution",
    "goal_chart",
    "group_rate_chart",
    "group_trend_chart",
    "money_chart",
    "municipality_bars",
    "national_gap",
    "outcome_chart",
    "page_count",
    "prefecture_map",
    "profile_chart",
    "projects_chart",
    "rate_panels",
    "save_figure",
    "setup_japanese",
    "trend_panels",
    "year_comparison",
]
