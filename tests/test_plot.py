"""What the figures draw: bar lengths equal the rates, labels, 未確定, 47 tiles, no missing glyphs."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import grantkit as gk  # noqa: E402
from grantkit import plot  # noqa: E402
from grantkit.funding import project_summary  # noqa: E402
from grantkit.prefectures import PREFECTURES  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def tables():
    scores = gk.example_scores()
    return {
        "scores": scores,
        "cmp": gk.compare_years(scores, "H30", "R1", entity="山口県"),
        "avg": gk.compare_to_average(scores, entity="山口県", fiscal_year="R1"),
        "util": gk.utilization(gk.load_utilization(gk.example_path("utilization_yamaguchi.csv"))),
        "projects": project_summary(gk.load_projects(gk.example_path("projects_yamaguchi.csv"))),
    }


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_year_bars_equal_the_rates(tables):
    fig, ax = plot.year_comparison(tables["cmp"])
    bars = [p for p in ax.patches]
    n = len(tables["cmp"])
    base = [b.get_width() for b in bars[:n]]
    target = [b.get_width() for b in bars[n : 2 * n]]
    assert base == pytest.approx((tables["cmp"]["rate_base"] * 100).tolist())
    assert target == pytest.approx((tables["cmp"]["rate_target"] * 100).tolist())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # code and a short name (the seed names the indicators), wrapped; subtotal and total by code
    assert (
        labels[0] == "Ⅰ データ分析等を\n踏まえた地域課題の把握と支援計画＊"
        and labels[-1] == "合計＊"
        and "Ⅱ計＊" in labels
    )
    assert "Ⅱ(8) 介護人材の確保＊" in labels
    assert {"64%", "82%", "83%", "89%"} <= set(_texts(ax))
    # every value label as the tables print it (四捨五入), and clear of the national tick of its own bar
    rates = [*tables["cmp"]["rate_base"], *tables["cmp"]["rate_target"]]
    assert sorted(_texts(ax)) == sorted(gk.present.format_figure(r, "rate", 0) for r in rates if r == r)
    ticks = [(seg[0][0], seg[0][1], seg[1][1]) for coll in ax.collections for seg in coll.get_segments()]
    for text in ax.texts:
        x, y = text.get_position()
        near = [tx for tx, y0, y1 in ticks if y0 <= y <= y1 and not np.isnan(tx)]
        assert all(not (x - 0.5 <= tx <= x + 6) for tx in near), (text.get_text(), x, near)


def test_year_labels_round_half_up_with_the_asked_digits(tables):
    # quarter points make x.5% common: 82.5% is 83% with 0 digits (half up), 82.5% with 1
    cmp = tables["cmp"].copy()
    cmp["rate_base"] = 0.825
    cmp["rate_target"] = 0.865
    cmp.attrs.update(tables["cmp"].attrs)
    assert {"83%", "87%"} == set(_texts(plot.year_comparison(cmp)[1]))
    assert {"82.5%", "86.5%"} == set(_texts(plot.year_comparison(cmp, digits=1)[1]))


def test_gap_is_sorted_and_signed(tables):
    _, ax = plot.national_gap(tables["avg"])
    widths = [p.get_width() for p in ax.patches]
    assert widths == sorted(widths)
    leaves = tables["avg"][tables["avg"].row_kind == "leaf"]
    assert sorted(widths) == pytest.approx(sorted(leaves["diff_rate_pt"]))


def test_money_writes_amounts_and_unknown_spent(tables):
    _, ax = plot.money_chart(tables["util"])
    texts = _texts(ax)
    assert {"15,680", "22,248", "14,875", "11,080", "10,395", "未確定"} <= set(texts)
    heights = [p.get_height() for p in ax.patches]
    assert heights == [15680, 22248, 14875, 11080, 10395, 0]


def test_projects_counts(tables):
    _, ax = plot.projects_chart(tables["projects"])
    assert sum(p.get_width() for p in ax.patches) == tables["projects"]["implemented"].sum()
    assert "3件（新規2・廃止1）" in _texts(ax)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # all seven categories (総括的事業 has no project of its own in the seed: 0), names not broken inside words
    assert len(labels) == 7 and labels[0] == "総括的事業" and _texts(ax).count("0件") == 2
    flat = "\n".join(labels)
    assert "地\n域" not in flat and "市町\n村" not in flat and "リハビリ\nテーション" not in flat
    assert all(len(line) <= 15 for label in labels for line in label.split("\n"))


def test_titles_name_the_entity_and_year(tables):
    assert plot.national_gap(tables["avg"])[1].get_title().startswith("山口県と全国平均の得点率の差（R1）")
    assert plot.profile_chart(tables["cmp"])[1].get_title().startswith("山口県の区分別の得点率（H30・R1）")
    assert plot.money_chart(tables["util"])[1].get_title() == "山口県の交付金の配分額と事業費（H30・R1、千円）"
    assert (
        plot.projects_chart(tables["projects"])[1].get_title() == "山口県の交付金を活用した事業（対象事業別、H30・R1）"
    )
    # the category chart: Ⅰ, Ⅱ計, Ⅲ and 合計 as bars (no radar)
    _, ax = plot.profile_chart(tables["cmp"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Ⅰ＊", "Ⅱ計＊", "Ⅲ＊", "合計＊"]
    assert ax.name == "rectilinear"


def test_map_has_47_tiles_and_highlight():
    values = pd.Series({c: 0.5 for c in PREFECTURES})
    _, ax = plot.prefecture_map(values, highlight="35")
    tiles = [p for p in ax.patches if (p.get_gid() or "").startswith("pref-")]
    assert len(tiles) == 47
    (hl,) = [p for p in tiles if p.get_gid() == "pref-35"]
    assert hl.get_linewidth() > 2


def test_distribution_marks_entity():
    values = pd.Series([0.5, 0.6, 0.7, 0.8], index=["甲", "乙", "丙", "丁"])
    _, ax = plot.distribution(values, highlight="丙")
    assert [line.get_xdata()[0] for line in ax.lines] == pytest.approx([65.0, 65.0, 70.0])
    assert "丙" in _texts(ax)
    # the y axis counts entities: whole numbers only, even when the tallest bar is small
    fig, ax = plot.distribution(pd.Series(np.linspace(0.2, 0.9, 40)), highlight=3)
    fig.canvas.draw()
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)


def test_distribution_names_a_code_indexed_entity_and_keeps_non_rates_unscaled():
    # 円 per 第1号被保険者, indexed by 保険者番号: mean (1000+2000+3000+6000)/4 = 3000, median (2000+3000)/2 = 2500
    values = pd.Series([1000.0, 2000.0, 3000.0, 6000.0], index=["010001", "010002", "010003", "010004"])
    _, ax = plot.distribution(values, highlight="010002", name="乙村", xlabel="第1号被保険者1人当たり基準額（円）")
    # not scaled to %: the lines sit at the values themselves
    assert [line.get_xdata()[0] for line in ax.lines] == pytest.approx([3000.0, 2500.0, 2000.0])
    assert _texts(ax) == ["乙村"]  # the name is written, not the code
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(legend) == sorted(["全団体（4）", "平均 3,000.0", "中央値 2,500.0", "乙村 2,000.0"])
    assert not any("010002" in t for t in legend)
    assert ax.get_xlabel() == "第1号被保険者1人当たり基準額（円）"
    # without a label: 「値」 for non-rates, 「得点率（%）」 for rates
    assert plot.distribution(values, highlight="010002")[1].get_xlabel() == "値"
    _, ax = plot.distribution(values / 10_000, highlight="010002")
    assert ax.get_xlabel() == "得点率（%）" and ax.lines[2].get_xdata()[0] == pytest.approx(20.0)
    assert _texts(ax) == ["010002"]  # no name: the key itself


def _missing_glyphs(fig) -> list[str]:
    """Characters of the figure's texts that the font each text is drawn with has no glyph for."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font
    from matplotlib.text import Text

    fig.canvas.draw()
    missing = []
    for text in fig.findobj(Text):
        s = text.get_text()
        if not s or not text.get_visible() or "$" in s:
            continue
        font = font_manager.findfont(text.get_fontproperties())
        charmap = FT2Font(font).get_charmap()
        missing += [f"{ch!r} in {s!r} ({font})" for ch in s if not ch.isspace() and ord(ch) not in charmap]
    return missing


def test_every_figure_renders_without_missing_glyphs(tables):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figs = [
            plot.year_comparison(tables["cmp"], source="出典: テスト")[0],
            plot.national_gap(tables["avg"])[0],
            plot.profile_chart(tables["cmp"])[0],
            plot.money_chart(tables["util"])[0],
            plot.projects_chart(tables["projects"])[0],
            plot.prefecture_map(pd.Series({"35": 0.8}))[0],
        ]
        missing = {i: _missing_glyphs(fig) for i, fig in enumerate(figs)}
    assert all(m == [] for m in missing.values()), missing
    assert not [str(w.message) for w in caught if "Glyph" in str(w.message)]
    japanese = [
        t.get_text()
        for fig in figs
        for t in fig.findobj(matplotlib.text.Text)
        if any("\u3040" <= ch <= "\u9fff" for ch in t.get_text())
    ]
    assert len(japanese) >= len(figs)  # the check looked at Japanese text in every figure, not at empty figures


def test_missing_glyph_check_finds_a_character_the_font_lacks():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_title("得点率", family="DejaVu Sans")  # DejaVu has no kanji
    with pytest.warns(UserWarning, match="Glyph"):  # matplotlib's own warning, which the test above also catches
        assert len(_missing_glyphs(fig)) == 3
    plt.close(fig)


def test_save_figure_is_reproducible(tables, tmp_path):
    a = plot.save_figure(plot.money_chart(tables["util"])[0], tmp_path / "a.png")
    b = plot.save_figure(plot.money_chart(tables["util"])[0], tmp_path / "b.png")
    assert a.read_bytes() == b.read_bytes()
    assert a.with_suffix(".svg").read_bytes() == b.with_suffix(".svg").read_bytes()
    assert b"Creation" not in a.read_bytes() and b"<dc:date>" not in a.with_suffix(".svg").read_bytes()
