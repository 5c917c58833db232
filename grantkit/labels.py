"""The one mapping from column names to Japanese display labels (tables, Excel headers, charts)."""

from __future__ import annotations

import pandas as pd

LABELS: dict[str, str] = {
    "fiscal_year": "交付年度",
    "level": "区分",
    "grant": "交付金",
    "entity_code": "団体コード",
    "entity": "団体名",
    "indicator": "指標",
    "indicator_name": "指標名",
    "parent": "上位区分",
    "parent_name": "上位区分名",
    "group": "指標群",
    "group_name": "指標群名",
    "score": "得点",
    "max_score": "配点",
    "score_rate": "得点率",
    "national_average": "全国平均",
    "row_kind": "行の種類",
    "category": "対象事業",
    "category_no": "対象事業番号",
    "project": "事業",
    "status": "実施状況",
    "end_reason": "廃止理由",
    "allocation_thousand_yen": "評価指標による交付金配分額（千円）",
    "planned_thousand_yen": "事業実施に係る所用見込額（千円）",
    "spent_thousand_yen": "事業実施に要した実績額（千円）",
    "budget_yen": "予算額（円）",
    "verified": "確認済み",
    "source": "出典",
    "note": "備考",
}

GRANT_NAMES: dict[str, str] = {
    "推進": "保険者機能強化推進交付金",
    "支援": "介護保険保険者努力支援交付金",
}


def label(column: str) -> str:
    """Japanese display label of a column (the column name itself when none is defined).

    >>> label("score_rate")
    '得点率'
    """
    return LABELS.get(column, column)


def with_labels(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with Japanese column headers, for display and export only."""
    return df.rename(columns={c: label(c) for c in df.columns})
