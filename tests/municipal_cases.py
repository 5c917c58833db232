"""Shared cases of the municipal tests: a three-town table worked out by hand, and look-ups on loaded data.

The tiny table's figures are in the comments (score / 配点 per grant); the look-ups recompute totals from the tidy
leaves and the workbook's published statistics rows with plain pandas, never with the code under test.
"""

from __future__ import annotations

import pandas as pd

from grantkit.domain import GRANTS  # noqa: F401  (re-exported for the municipal test modules)

N_SYNTH = 60
R5, R6, R7 = 2023, 2024, 2025


TINY_ITEMS = [  # grant, 目標, 指標群, indicator, 配点 (目標Ⅳ: the same item in both grants)
    ("推進", "目標Ⅰ", "体制・取組", "1ア", 10.0),
    ("推進", "目標Ⅰ", "活動", "2ア", 20.0),
    ("推進", "目標Ⅳ", "成果", "Ⅳ1", 30.0),
    ("支援", "目標Ⅰ", "体制・取組", "1ア", 15.0),
    ("支援", "目標Ⅰ", "活動", "2ア", 5.0),
    ("支援", "目標Ⅳ", "成果", "Ⅳ1", 30.0),
]
TINY_TOWNS = {  # code: (name, prefecture, 第1号被保険者数, 過疎, scores in the order of TINY_ITEMS)
    "010001": ("甲町", "北海道", 1000, "全部過疎", [10, 0, 30, 0, 5, 30]),  # 推進 40/60, 支援 35/50
    "010002": ("乙町", "北海道", 2000, "全部過疎", [5, 20, 0, 15, 5, 0]),  # 推進 25/60, 支援 20/50
    "020001": ("丙村", "青森県", 3000, "非過疎", [0, 20, 15, 15, 0, 15]),  # 推進 35/60, 支援 30/50
}


def tiny_table(**changes: list[float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The three-town tidy table and its attributes; ``changes`` replace a town's scores (by name)."""
    rows, attrs = [], []
    for code, (name, pref, first, depop, scores) in TINY_TOWNS.items():
        scores = changes.get(name, scores)
        for (grant, parent, group, ind, mx), s in zip(TINY_ITEMS, scores):
            rows.append(
                {
                    "fiscal_year": R7,
                    "level": "市町村",
                    "grant": grant,
                    "entity_code": code,
                    "entity": name,
                    "indicator": ind,
                    "indicator_name": f"指標{ind}",
                    "parent": parent,
                    "group": group,
                    "score": float(s),
                    "max_score": mx,
                }
            )
        attrs.append(
            {
                "entity_code": code,
                "entity": name,
                "prefecture": pref,
                "first_insured": first,
                "size_class": "人口1万人未満",
                "depopulated": depop,
            }
        )
    return pd.DataFrame(rows), pd.DataFrame(attrs)


def attributes_in(data, year: int) -> pd.DataFrame:
    return data.attributes[data.attributes["fiscal_year"] == year].set_index("entity_code")


def leaf_sums(scores: pd.DataFrame, year: int, by=("grant", "parent")) -> pd.DataFrame:
    """Score and 配点 per municipality summed from the leaves with a plain groupby."""
    rows = scores[scores["fiscal_year"] == year]
    return rows.groupby(["entity_code", *by])[["score", "max_score"]].sum()


def published_rows(data, year: int, kind: str) -> pd.DataFrame:
    st = data.statistics
    return st[(st["fiscal_year"] == year) & (st["row_kind"] == kind)]
