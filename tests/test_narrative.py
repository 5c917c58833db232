"""Narrative drafts: seed 000's sentences regenerated from the numbers; falls and flat cases too."""

from __future__ import annotations

import pandas as pd

from grantkit import compare_years, example_path, load_utilization, utilization
from grantkit.present.narrative import describe_change, describe_utilization


def _zenkaku_to_ascii(text: str) -> str:
    return text.translate(str.maketrans("０１２３４５６７８９％", "0123456789%"))


def test_seed_sentence_on_the_total(example, seed000_text):
    c = compare_years(example, "H30", "R1", entity="山口県")
    first = describe_change(c).splitlines()[0]
    assert first == "平成30年度から令和元年度にかけて、山口県の得点率は合計64%から82%と伸びている。"
    assert first in _zenkaku_to_ascii(seed000_text).replace("○", "")


def test_movers_and_position(example):
    text = describe_change(compare_years(example, "H30", "R1", entity="山口県"))
    # Hand: Ⅲ 0/20 → 55/80 = +68.75 pt is the largest rise; Ⅱ(2)② 30/30 → 39/45 = −13.3 pt the largest fall.
    assert "最も伸びたのはⅢ「管内の市町村における評価指標の達成状況による評価」（0%→69%、+68.8ポイント）" in text
    assert "最も下がったのはⅡ(2)②「介護予防事業に関する研修、アドバイザー派遣」（100%→87%、-13.3ポイント）" in text
    # 470/730 − 638/730 = −23.0 pt; 611/741 − 584.3/741 = +3.6 pt.
    assert (
        "平成30年度は全国平均（87.4%）を23.0ポイント下回っていたが、令和元年度は全国平均（78.9%）を3.6ポイント上回っている。"
        in text
    )
    assert "配点が変わった指標が10件" in text  # all leaves but Ⅱ(2)① and Ⅱ(9) changed their maximum


def test_fall_reads_as_a_fall(example):
    text = describe_change(compare_years(example, "R1", "H30", entity="山口県"))
    assert text.splitlines()[0] == "令和元年度から平成30年度にかけて、山口県の得点率は合計82%から64%と下がっている。"


def _two_years(scores_base, scores_target):
    rows = [
        {
            "fiscal_year": y,
            "level": "市町村",
            "grant": "推進",
            "entity_code": "352012",
            "entity": "下関市",
            "indicator": f"({i + 1})",
            "indicator_name": "",
            "parent": "",
            "score": float(s),
            "max_score": 10.0,
        }
        for y, scores in ((2022, scores_base), (2023, scores_target))
        for i, s in enumerate(scores)
    ]
    return pd.DataFrame(rows)


def test_flat_and_no_change():
    c = compare_years(_two_years([5, 5], [5, 5]), 2022, 2023, entity="下関市")
    text = describe_change(c)
    assert "合計50%で横ばいである。" in text
    assert "指標別の得点率に変化はない。" in text
    assert "全国平均" not in text  # no national figures in the table: nothing said about them


def test_equal_printed_rates_are_flat_even_if_unrounded_differ():
    # 10/100 and 10.04/100 both print 10%: flat, though one indicator rose 0.08 pt.
    rows = _two_years([6, 4], [6.04, 4]).assign(max_score=[50.0, 50.0, 50.0, 50.0])
    text = describe_change(compare_years(rows, 2022, 2023, entity="下関市"))
    assert "横ばい" in text


def test_utilization_finding_as_in_seed(seed000_text):
    util = utilization(load_utilization(example_path("utilization_yamaguchi.csv")))
    text = describe_utilization(util)
    finding = "交付金の配分額に対して、事業実施に係る所用見込額及び実績額が少なく、交付金を有効活用できていない。"
    assert finding in text and finding in seed000_text
    assert "令和元年度は、配分額22,248千円に対し、所用見込額11,080千円（49.8%）、実績額は未確定である。" in text


def test_utilization_when_used():
    util = utilization(
        pd.DataFrame(
            {
                "fiscal_year": [2020],
                "allocation_thousand_yen": [10000],
                "planned_thousand_yen": [9800],
                "spent_thousand_yen": [9500],
            }
        )
    )
    text = describe_utilization(util)
    assert "有効活用できていない" not in text and "おおむね活用されている" in text
