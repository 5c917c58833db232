"""The one mapping from column names to Japanese display labels (tables, Excel headers, charts)."""

from __future__ import annotations

import pandas as pd

from .domain import PROMOTION, SUPPORT

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
    "computed_thousand_yen": "得点と全国平均から算定した基準額（千円）",
    "official_thousand_yen": "公表の配分額（千円）",
    "implied_average_low": "配分額が示す全国平均（下限、含まない）",
    "implied_average_high": "配分額が示す全国平均（上限）",
    "matches_official": "算定額と公表額の一致",
    "row_kind": "行の種類",
    "era": "年度",
    "code": "指標",
    "national_score": "全国平均の得点",
    # comparisons (compare.py)
    "presence": "掲載年度",
    "score_base": "得点（基準年度）",
    "max_base": "配点（基準年度）",
    "rate_base": "得点率（基準年度）",
    "score_target": "得点（比較年度）",
    "max_target": "配点（比較年度）",
    "rate_target": "得点率（比較年度）",
    "national_rate_base": "全国平均得点率（基準年度）",
    "national_rate_target": "全国平均得点率（比較年度）",
    "rate_change_pt": "得点率の変化（ポイント）",
    "gap_base_pt": "全国平均との差（基準年度・ポイント）",
    "gap_target_pt": "全国平均との差（比較年度・ポイント）",
    "gap_change_pt": "全国平均との差の変化（ポイント）",
    "max_changed": "配点の変更",
    "rate": "得点率",
    "national_rate": "全国平均得点率",
    "diff_points": "全国平均との差（点）",
    "diff_rate_pt": "全国平均との得点率の差（ポイント）",
    "rank": "順位",
    "n": "団体数",
    "percentile": "パーセンタイル",
    "peer_group": "比較グループ",
    # allocation (allocation.py)
    "basis_yen": "基準額（円）",
    "basis_thousand_yen": "基準額（千円）",
    "first_insured": "第1号被保険者数",
    "adjustment": "調整係数",
    "eligible": "交付対象",
    "weight": "配分の重み（得点×第1号被保険者数×調整係数）",
    "scenario": "ケース",
    "score_before": "得点（現状）",
    "score_after": "得点（変更後）",
    "gain": "得点の増分",
    # utilisation and projects (funding.py)
    "planned_share": "配分額に対する所用見込額の割合",
    "spent_share": "配分額に対する実績額の割合",
    "unused_thousand_yen": "未活用額（千円）",
    "underused": "有効活用できていない",
    "implemented": "実施",
    "started": "新規",
    "continued": "継続",
    "ended": "廃止",
    "not_implemented": "未実施",
    "end_reasons": "廃止理由",
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
    "prefecture_code": "都道府県番号",
    "serial_no": "通し番号",
    "insurer_code": "保険者番号",
    "prefecture": "都道府県名",
    "population": "人口",
    "size_class": "規模区分",
    "depopulated": "過疎地域",
    "prev_total": "前年度得点",
    "prev_rank": "前年度順位",
    "total": "合計得点",
    "score_推進": "推進合計",
    "score_支援": "支援合計",
    "yen_per_first_insured": "第1号被保険者1人当たり基準額（円）",
    "needs_thousand_yen": "所要見込額（千円）",
    "confirmed_thousand_yen": "確定額（千円）",
    "plan_thousand_yen": "交付見込額（案）（千円）",
    "final_thousand_yen": "確定額（千円）",
    "mean_score": "平均得点",
    "mean_rate": "平均得点率",
    "median_rate": "得点率の中央値",
    "national_sum": "全国合計",
    "mean": "平均点",
    "item_mean": "項目平均",
    "median": "中央値",
    "std": "標準偏差",
    "n_applicable": "該当団体数",
    "applicable_rate": "該当率",
    "recomputed_mean": "平均点（再計算）",
    "recomputed_median": "中央値（再計算）",
    "row_set": "計算に使った行",
    # the municipal report (municipal.py)
    "national_mean_rate": "全国平均得点率",
    "share_scored": "得点した市町村の割合",
    "scale_changed": "配点の変更",
    "score_change": "得点の変化",
    "entity_rate": "得点率（本市町村）",
    "comparison": "比べる相手",
    "diff_pt": "平均との差（ポイント）",
    "one_point_yen": "1点増えた場合の基準額の増分（円）",
    "whatif_points": "取組候補の配点の合計",
    "whatif_thousand_yen": "取組候補をすべて得点した場合の基準額（千円）",
    "whatif_gain_thousand_yen": "その場合の増加額（千円）",
    # what a loader read (provenance.py: LoadReport.exclusions_frame / coerced_frame)
    "sheet": "シート",
    "row": "行",
    "column": "列",
    "value": "値",
    "reason": "理由",
    # trends, the prefecture's municipalities, groups side by side (trend.py, prefecture_view.py, group.py)
    "prefecture_mean_rate": "県内平均得点率",
    "scale_break": "評価体系の変更（得点率だけ比較）",
    "n_prefecture": "県内の団体数",
    "n_zero": "0点の県内市町村数",
    "prefecture_applicable_rate": "県内の該当率",
    "national_applicable_rate": "全国の該当率",
    "points_at_stake": "取れていない点数（0点の県内市町村数×配点）",
    "gap_pt": "差（ポイント）",
    "threshold": "基準の得点率（全国平均−2標準偏差）",
    "threshold_population": "基準（母標準偏差で計算）",
    "threshold_sample": "基準（標本標準偏差で計算）",
    "std_printed": "標準偏差（公表）",
    "std_population": "母標準偏差（公表値から換算）",
    "std_sample": "標本標準偏差（公表値から換算）",
    "std_population_rows": "母標準偏差（各団体の得点から再計算）",
    "std_sample_rows": "標本標準偏差（各団体の得点から再計算）",
    "printed_kind": "公表の標準偏差",
    "sd_used": "基準に使った標準偏差",
    "below_population": "母標準偏差の基準未満",
    "below_sample": "標本標準偏差の基準未満",
    "score_previous": "得点（前年度）",
    "score_current": "得点（今年度）",
    "rate_previous": "得点率（前年度）",
    "rate_current": "得点率（今年度）",
    "present": "掲載",
    "mean_rate_prefecture": "県内の平均得点率",
    "mean_rate_national": "全国の平均得点率",
    "median_rate_prefecture": "県内の得点率の中央値",
    "median_rate_national": "全国の得点率の中央値",
    "n_national": "全国の団体数",
    "peer": "同規模・同じ過疎区分",
    "peer_rank": "同区分内の順位",
    "peer_n": "同区分の団体数",
    "prefecture_rank": "県内順位",
    "prefecture_n": "県内の団体数",
    "national_mean": "全国平均（点）",
    "diff": "全国平均との差（点）",
    "flag": "±20点以上の差",
    "final_share": "消化率（確定額÷案）",
    "final_yen_per_first_insured": "第1号被保険者1人当たり確定額（円）",
    "national_yen_per_first_insured": "全国の第1号被保険者1人当たり確定額（円）",
    "below_plan": "確定額が案を下回る",
    "lost": "失った点",
    "share": "割合",
    "n_peers": "比べた団体数",
    "rule": "選び方",
    "n_recover": "取り戻す指標の数",
    "goal_flags": "全国平均と±20点以上差のある目標",
    "final_share_推進": "R6 消化率（推進）",
    "final_share_支援": "R6 消化率（支援）",
    "final_yen_per_first_insured_推進": "R6 1人当たり確定額（推進・円）",
    "final_yen_per_first_insured_支援": "R6 1人当たり確定額（支援・円）",
}

# Display words for the values of ``row_kind`` (score_rates) in tables people read.
ROW_KIND_NAMES: dict[str, str] = {"leaf": "明細", "subtotal": "小計", "total": "合計", "combined": "推進・支援合計"}

GRANT_NAMES: dict[str, str] = {
    PROMOTION: "保険者機能強化推進交付金",
    SUPPORT: "介護保険保険者努力支援交付金",
}


def goal_label(parent: str, grant: str) -> str:
    """The label of a municipal 目標 row of one grant, the same in every table and chart.

    >>> goal_label("目標Ⅰ", "推進"), goal_label("合計", "支援")
    ('目標Ⅰ（推進）', '合計（支援）')
    """
    return f"{parent}（{grant}）"


def label(column: str) -> str:
    """Japanese display label of a column (the column name itself when none is defined).

    Parameters
    ----------
    column
        A column name of the kit's tables.

    Returns
    -------
    str
        ``LABELS[column]``, or ``column`` unchanged.

    Examples
    --------
    >>> label("score_rate")
    '得点率'
    """
    return LABELS.get(column, column)


def with_labels(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with Japanese column headers, for display and export only.

    Parameters
    ----------
    df
        Any table of the kit.

    Returns
    -------
    pandas.DataFrame
        The same rows and values; each column renamed by :func:`label` (unknown names kept).

    Examples
    --------
    >>> with_labels(pd.DataFrame({"entity": ["山口県"], "score": [611.0], "extra": ["x"]})).columns.tolist()
    ['団体名', '得点', 'extra']
    """
    return df.rename(columns={c: label(c) for c in df.columns})
