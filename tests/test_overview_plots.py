"""Charts of the trend, the prefecture's municipalities and the group: fixed sizes, long lists split into pages
of one size, names that never overlap (checked on the drawn text extents), the break marked."""

from __future__ import annotations

from itertools import pairwise

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from grantkit.plot.group import group_trend_chart
from grantkit.plot.prefecture import (
    municipality_bars,
    page_count,
    page_rows,
    rate_panels,
)
from grantkit.plot.trend import trend_panels


def _table(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(n)
    table = pd.DataFrame(
        {
            "entity_code": [f"{k:06d}" for k in range(n)],
            "entity": [f"しおかぜがわの森町{k}" for k in range(n)],
            "rate_推進": rng.uniform(0.1, 0.95, n),
        }
    )
    table.attrs.update(prefecture="北海道", fiscal_year=2026, national_mean={"推進": 0.6})
    return table


def _overlaps(labels) -> int:
    boxes = sorted((t.get_window_extent() for t in labels if t.get_text()), key=lambda b: b.y0)
    return sum(1 for a, b in pairwise(boxes) if b.y0 < a.y1 - 0.5)


@pytest.mark.parametrize("n", [180, 19])
def test_bars_split_into_equal_pages_without_overlapping_names(n):
    table = _table(n)
    pages = page_count(n)
    sizes, names = set(), []
    for page in range(pages):
        fig, ax = municipality_bars(table, grant="推進", threshold=0.3, page=page)
        fig.canvas.draw()
        sizes.add(tuple(fig.get_size_inches()))
        labels = ax.get_yticklabels()
        assert _overlaps(labels) == 0
        names += [t.get_text().split(". ", 1)[1] for t in labels]
        plt.close(fig)
    assert len(sizes) == 1  # every page of a prefecture has the same size
    assert sorted(names) == sorted(table["entity"])  # every municipality once
    assert pages == (5 if n == 180 else 1) and page_rows(n) == (36 if n == 180 else 19)


def test_rate_panels_one_per_goal():
    rows = [
        {"grant": "推進", "parent": p, "entity_code": str(k), "rate": (k % 10) / 10, "in_prefecture": k < 5}
        for p in ("目標Ⅰ", "目標Ⅱ", "目標Ⅲ", "目標Ⅳ", "合計")
        for k in range(40)
    ]
    rates = pd.DataFrame(rows)
    thresholds = pd.DataFrame({"grant": ["推進"], "parent": ["合計"], "threshold": [0.2]})
    fig, axes = rate_panels(rates, grant="推進", thresholds=thresholds)
    visible = [ax for ax in axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["推進の合計", "目標Ⅰ", "目標Ⅱ", "目標Ⅲ", "目標Ⅳ"]
    assert tuple(fig.get_size_inches()) == (12.0, 7.0)
    plt.close(fig)


def test_trend_panels_mark_the_break():
    rows = [
        {
            "fiscal_year": y,
            "grant": "推進",
            "parent": p,
            "rate": 0.5,
            "national_mean_rate": 0.6,
            "prefecture_mean_rate": np.nan,
            "rank": 3,
            "n": 10,
            "scale_break": y == 2024,
        }
        for y in (2023, 2024, 2025)
        for p in ("合計", *(("目標Ⅰ", "目標Ⅱ") if y > 2023 else ("(1)",)))
    ]
    fig, axes = trend_panels(pd.DataFrame(rows), grant="推進", entity="甲町")
    visible = [ax for ax in axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["推進の合計", "目標Ⅰ", "目標Ⅱ"]  # the newest year's 目標
    for ax in visible:
        assert any(t.get_text() == "配点変更" for t in ax.texts)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["甲町", "全国平均"]  # no prefecture mean in the data: no line for it
    plt.close(fig)


def _group_trend(names: list[str], *, national_mean: list[float]) -> pd.DataFrame:
    """Three entities over R6–R7 as ``group_trend`` gives them (totals of 800, ranks of 50)."""
    return pd.DataFrame(
        {
            "fiscal_year": [2024, 2025] * 3,
            "entity_code": ["1", "1", "2", "2", "3", "3"],
            "entity": [n for n in names for _ in range(2)],
            "total": [500.0, 520, 430, 470, 610, 600],
            "max_score": 800.0,
            "rank": [10, 8, 40, 30, 2, 3],
            "n": 50,
            "national_mean": national_mean * 3,
        }
    )


def test_group_chart_names_in_the_legend():
    fig, ax = group_trend_chart(_group_trend(["甲町", "乙村", "丙市"], national_mean=[480.0, 490.0]))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["甲町（8位/50）", "乙村（30位/50）", "丙市（3位/50）", "全国平均（480.0 → 490.0）"]
    plt.close(fig)


def test_group_chart_names_same_named_towns_with_their_prefecture():
    """Two 伊達市 (北海道 and 福島県) in one group: the legend tells them apart; a unique name stays alone.
    The national means 482.25 and 490.05 print half up (482.3, not 482.2 as Python's format would)."""
    trend = _group_trend(["伊達市", "伊達市", "丙市"], national_mean=[482.25, 490.05])
    fig, ax = group_trend_chart(trend.assign(prefecture=["北海道"] * 2 + ["福島県"] * 2 + ["岩手県"] * 2))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "北海道伊達市（8位/50）",
        "福島県伊達市（30位/50）",
        "丙市（3位/50）",
        "全国平均（482.3 → 490.1）",
    ]
    plt.close(fig)


def test_overview_tables_round_half_up_like_every_other_figure():
    """失った点 4.25 and 3.25 print 4.3 and 3.3 (四捨五入), national means 482.25 → 482.3 and SDs 0.125 → 0.13:
    the overview tables print through present.format, not Python's half-even formatting."""
    from grantkit.present import overview_view

    table = pd.DataFrame({"entity": ["甲町", "乙村"], "lost": [4.25, 3.25], "national_mean": [482.25, 2.125]})
    table["std_rate"] = [0.125, 0.0]
    html = overview_view(table).to_html()
    for printed in ("4.3", "3.3", "482.3", "2.1", "0.13"):
        assert f">{printed}<" in html, printed
    assert ">4.2<" not in html and ">3.2<" not in html


def test_overview_page_and_sheet_use_the_same_headers():
    """The HTML table and the Excel sheet of an overview table carry the same Japanese header for every column."""
    from grantkit.present import overview_excel, overview_view

    table = pd.DataFrame(
        {"entity": ["甲町"], "score_推進": [300.0], "rate_推進": [0.75], "rank_推進": [3], "rate_支援_目標Ⅰ": [0.5]}
    )
    assert overview_view(table).columns.tolist() == overview_excel(table).columns.tolist()
    assert overview_excel(table).columns.tolist() == [
        "団体名",
        "推進合計",
        "推進 得点率",
        "推進 全国順位",
        "支援 目標Ⅰ 得点率",
    ]
