"""Write every figure from the bundled 山口県 data into build/gallery/ to look at them."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import grantkit as gk
from grantkit import plot
from grantkit.funding import project_summary
from grantkit.prefectures import PREFECTURES


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    scores = gk.example_scores()
    cmp = gk.compare_years(scores, "H30", "R1", entity="山口県")
    util = gk.utilization(gk.load_utilization(gk.example_path("utilization_yamaguchi.csv")))
    projects = project_summary(gk.load_projects(gk.example_path("projects_yamaguchi.csv")))
    avg = gk.compare_to_average(scores, entity="山口県", fiscal_year="R1")
    src = "出典: 山口県資料"
    figures = {
        "year_comparison": plot.year_comparison(cmp, source=src),
        "national_gap": plot.national_gap(avg, source=src),
        "profile": plot.profile_chart(cmp, source=src),
        "money": plot.money_chart(util, source=src),
        "projects": plot.projects_chart(projects, source=src),
    }
    demo = pd.Series({code: 0.5 + int(code) / 100 for code in PREFECTURES}, dtype="float64")
    figures["map_demo"] = plot.prefecture_map(demo, highlight="35", title="地図の表示例（架空の値）")
    figures["distribution_demo"] = plot.distribution(
        demo.rename(index=PREFECTURES), highlight="山口県", title="分布の表示例（架空の値）"
    )
    for name, (fig, _) in figures.items():
        plot.save_figure(fig, out / f"{name}.png", svg=False)
        print(out / f"{name}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/gallery"))
