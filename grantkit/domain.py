"""The words of the two grants that every stage uses, spelled once: levels, grants, 全国平均, 目標, 合計.

Values are the official Japanese (they appear in the data and in the reports); the names say what they are.
Import them instead of typing the words, so a spelling is fixed in one place.

>>> LEVELS, GRANTS
(('都道府県', '市町村'), ('推進', '支援'))
>>> NATIONAL_CODE[MUNICIPALITY], CODE_WIDTH[PREFECTURE]
('000000', 2)
"""

from __future__ import annotations

# levels (団体区分): who is scored
PREFECTURE = "都道府県"
MUNICIPALITY = "市町村"
LEVELS = (PREFECTURE, MUNICIPALITY)
# the two grants: 推進 = 保険者機能強化推進交付金, 支援 = 介護保険保険者努力支援交付金 (from R2)
PROMOTION = "推進"
SUPPORT = "支援"
GRANTS = (PROMOTION, SUPPORT)

# the national average is a row of the score tables, with the all-zero code of its level
NATIONAL = "全国平均"
NATIONAL_CODE = {PREFECTURE: "00", MUNICIPALITY: "000000"}
# codes are fixed-width strings: 団体コード (2 digits) for prefectures, 保険者番号 (6 digits) for municipalities
CODE_WIDTH = {PREFECTURE: 2, MUNICIPALITY: 6}

# totals: a grant's 合計, a group's subtotal code ends in 計 (Ⅱ計), both grants together
TOTAL = "合計"
SUBTOTAL_SUFFIX = "計"
COMBINED_TOTAL = "推進・支援合計"

# the municipal goals (目標Ⅰ–Ⅳ); 目標Ⅳ (成果指標群) is scored once and counts for both grants (共通)
GOALS = ("目標Ⅰ", "目標Ⅱ", "目標Ⅲ", "目標Ⅳ")
OUTCOME_GOAL = "目標Ⅳ"
SHARED = "共通"
