"""grantkit.plot: figures drawn from the analysis tables (never from files), one style for all.

Every function returns ``(fig, ax)``, accepts ``ax=`` to compose, and has a fixed size.
"""

from .distribution import distribution
from .japan_map import prefecture_map
from .money import money_chart
from .municipal import goal_chart, outcome_chart
from .national import national_gap
from .profile import profile_chart
from .projects import projects_chart
from .style import save_figure, setup_japanese
from .years import year_comparison

__all__ = ["distribution", "goal_chart", "money_chart", "outcome_chart", "national_gap", "prefecture_map", "profile_chart",
           "projects_chart",
           "save_figure", "setup_japanese", "year_comparison"]
