"""Write grantkit/data/yamaguchi_scores.xlsx (the printed table layout) from the bundled yamaguchi_scores.csv.

The workbook is generated, never typed: subtotals, totals and rates come from grantkit.present.score_table.
Usage: python tools/build_seed_workbook.py [OUT.xlsx]
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import xlsxwriter

import grantkit as gk
from grantkit.io.files import atomic_write


def build(out: Path, entity: str = "山口県") -> Path:
    scores = gk.example_scores()
    rates = gk.score_rates(scores)
    table = gk.present.score_table(rates, entity=entity)
    years = sorted(scores["fiscal_year"].unique())
    leaves = scores.drop_duplicates("indicator").set_index("indicator")
    with atomic_write(out) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False})
        wb.set_properties({"created": datetime(2000, 1, 1)})
        ws = wb.add_worksheet("評価指標")
        ws.write_string(0, 0, f"保険者機能強化推進交付金に係る評価指標（{entity}）")
        for k, year in enumerate(years):
            ws.write_string(2, 2 + 2 * k, gk.era_label(year))
            ws.write_string(3, 2 + 2 * k, f"{entity}評点")
            ws.write_string(3, 3 + 2 * k, "全国平均")
        r, group, last_sub = 4, "", ""
        for code, row in table.iterrows():
            parent = leaves["parent"].get(code, "")
            if parent and parent != group:
                ws.write_string(r, 0, parent)
                ws.write_string(r, 1, leaves.loc[code, "parent_name"])
                r += 1
            group = parent
            shown = code.removeprefix(parent) if parent else code
            sub = shown.rstrip("①②③④⑤⑥⑦⑧⑨")
            if parent and sub != shown and sub == last_sub:
                shown = "  " + shown[len(sub) :]
            last_sub = sub
            ws.write_string(r, 0, shown)
            ws.write_string(r, 1, row["label"].removeprefix(code).strip() if not code.endswith(("計", "合計")) else "")
            for k, year in enumerate(years):
                label = gk.era_label(year)
                ws.write_string(r, 2 + 2 * k, row[f"{label} 得点"])
                ws.write_string(r, 3 + 2 * k, row[f"{label} 全国平均"])
            r += 1
            if any(row[f"{gk.era_label(y)} 得点率"] for y in years):
                for k, year in enumerate(years):
                    label = gk.era_label(year)
                    ws.write_string(r, 2 + 2 * k, row[f"{label} 得点率"])
                    ws.write_string(r, 3 + 2 * k, row[f"{label} 全国平均得点率"])
                r += 1
        ws.write_string(r + 1, 0, "※括弧内の数字は得点率")
        ws.set_column(0, 0, 8)
        ws.set_column(1, 1, 60)
        ws.set_column(2, 1 + 2 * len(years), 12)
        wb.close()
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else gk.example_path("yamaguchi_scores.xlsx")))
