"""grantkit.testing: synthetic MHLW-layout workbooks (fictitious entities and scores) for tests, benchmarks
and demonstrations. Nothing here is real data.

>>> from grantkit import testing
>>> testing.synthetic_budget("推進", 1741)
9500000000
"""

from .synthetic import FULL_SIZE, national_workbook, synthetic_budget

__all__ = ["FULL_SIZE", "national_workbook", "synthetic_budget"]
