"""Compute stage, municipal money: the 基準額 of one municipality by the municipal formula, what one more point
and the zero items would bring, and the budgets it accepts (grantkit.municipal.municipal_grant).

Expected amounts are computed here by integer arithmetic from the scores and 第1号被保険者数, or are the
交付見込額（案） printed in the bundled R6 sample.
"""

from __future__ import annotations

import pytest
from municipal_cases import (
    GRANTS,
    R6,
    R7,
    attributes_in,
    leaf_sums,
    tiny_table,
)

from grantkit import municipal as m
from grantkit.errors import GrantkitError, UnknownSelectionError

TINY_BUDGET = {"推進": 1_000_000, "支援": 500_000}


# ---------------------------------------------------------------- municipal_grant


def test_municipal_grant_hand_case():
    scores, attrs = tiny_table()
    z = m.zero_items(scores, entity="甲町", fiscal_year=R7)  # 推進 2ア (20), 支援 1ア (15)
    g = m.municipal_grant(scores, attrs, TINY_BUDGET, entity="甲町", fiscal_year=R7, zero=z).set_index("grant")
    # 推進: weights score×n = 40×1000, 25×2000, 35×3000 = 40,000 + 50,000 + 105,000 = 195,000
    #   甲 1,000,000 × 40,000 / 195,000 = 205,128.2 円 → 205 千円; one more point: × 41,000 / 196,000 = 209,183.7
    #   what-if +20: × 60,000 / 215,000 = 279,069.8 → 279 千円
    # 支援: 35×1000 + 20×2000 + 30×3000 = 165,000; 甲 500,000 × 35,000 / 165,000 = 106,060.6 → 106 千円
    #   one more point: × 36,000 / 166,000 = 108,433.7; what-if +15: × 50,000 / 180,000 = 138,888.9 → 138 千円
    got = g.loc["推進", ["score", "first_insured", "budget_yen", "basis_thousand_yen"]].tolist()
    assert got == [40, 1000, 1_000_000, 205]
    assert g.loc["推進", "yen_per_first_insured"] == pytest.approx(205.128)
    assert g.loc["推進", "one_point_yen"] == 209_183 - 205_128
    assert g.loc["推進", ["whatif_points", "whatif_thousand_yen", "whatif_gain_thousand_yen"]].tolist() == [20, 279, 74]
    assert g.loc["支援", "basis_thousand_yen"] == 106 and g.loc["支援", "one_point_yen"] == 108_433 - 106_060
    assert g.loc["支援", ["whatif_points", "whatif_thousand_yen", "whatif_gain_thousand_yen"]].tolist() == [15, 138, 32]
    # 乙 lacks the 目標Ⅳ item (共通, 30 points): it counts in both grants
    z = m.zero_items(scores, entity="乙町", fiscal_year=R7)
    g = m.municipal_grant(scores, attrs, TINY_BUDGET, entity="乙町", fiscal_year=R7, zero=z).set_index("grant")
    assert g["whatif_points"].tolist() == [30, 30]
    # 推進 乙 55×2000 = 110,000 of 255,000: 431,372.5 → 431 千円 (now 50,000 / 195,000: 256,410.3 → 256)
    assert g.loc["推進", ["basis_thousand_yen", "whatif_thousand_yen"]].tolist() == [256, 431]
    # all three 基準額 together: 205 + 256 + 538 = 999 千円 of 1,000; 106 + 121 + 272 = 499 of 500
    each = [
        m.municipal_grant(scores, attrs, TINY_BUDGET, entity=n, fiscal_year=R7).set_index("grant")
        for n in ("甲町", "乙町", "丙村")
    ]
    assert [e.at["推進", "basis_thousand_yen"] for e in each] == [205, 256, 538]
    assert [e.at["支援", "basis_thousand_yen"] for e in each] == [106, 121, 272]


def test_municipal_grant_whole_table(synth):
    """Every municipality of a synthetic R7 file: 基準額 by integer arithmetic, their sum against the budget."""
    _, data = synth
    budgets = {"推進": 987_654_321, "支援": 1_234_567_890}
    at = attributes_in(data, R7)
    n = at["first_insured"].astype(int)
    totals = leaf_sums(data.scores, R7, by=("grant",))["score"].unstack("grant")
    # synthetic scores are multiples of 1/8 point: weights in eighths are exact integers
    weight = {g: {c: round(totals.at[c, g] * 8) * int(n[c]) for c in at.index} for g in GRANTS}
    whole = {g: sum(w.values()) for g, w in weight.items()}
    basis = {g: 0 for g in GRANTS}
    for code in at.index:
        zero = m.zero_items(data.scores, entity=code, fiscal_year=R7)
        out = m.municipal_grant(
            data.scores, data.attributes, budgets, entity=code, fiscal_year=R7, zero=zero
        ).set_index("grant")
        for grant, budget in budgets.items():
            row, w, W = out.loc[grant], weight[grant][code], whole[grant]
            assert row["basis_thousand_yen"] == budget * w // W // 1000
            basis[grant] += int(row["basis_thousand_yen"])
            assert row["yen_per_first_insured"] == pytest.approx((budget * w // W) / n[code])  # 円 floored, per person
            # one more point: +8 eighths × n, everyone else unchanged
            exact = budget * (w + 8 * n[code]) // (W + 8 * n[code]) - budget * w // W
            assert row["one_point_yen"] == exact > 0
            # ≈ budget × n / Σ score·n, a little less: the point also raises the denominator
            # (exactly budget·n·(W − w) / (W·(W + 8n)) per point, W and w in eighths)
            rough = budget * n[code] / (W / 8)
            assert -1 <= rough - row["one_point_yen"] <= rough * (w + 8 * n[code]) / W + 1  # ±1: yen floored
            # the zero items: their 配点 in this grant plus the 共通 (目標Ⅳ) ones
            points = zero.loc[zero["grant"].isin([grant, "共通"]), "max_score"].sum()
            assert row["whatif_points"] == points
            more = round(points * 8) * n[code]
            assert row["whatif_thousand_yen"] == budget * (w + more) // (W + more) // 1000
            assert row["whatif_gain_thousand_yen"] == row["whatif_thousand_yen"] - row["basis_thousand_yen"] >= 0
    for grant, budget in budgets.items():
        short = budget - basis[grant] * 1000
        assert 0 <= short < len(at) * 1000  # each municipality loses less than 1 千円 to truncation


def test_municipal_grant_without_items_to_add(sample):
    budgets = dict(zip(*sample.budgets("R7")[["grant", "budget_yen"]].T.values))
    empty = m.zero_items(sample.scores, entity="つばきの森市", fiscal_year="R7", min_share=1.0)  # 0 点の自分がいる
    assert empty.empty
    for zero in (None, empty):
        g = m.municipal_grant(
            sample.scores, sample.attributes, budgets, entity="つばきの森市", fiscal_year="R7", zero=zero
        )
        assert (g["whatif_points"] == 0).all() and (g["whatif_gain_thousand_yen"] == 0).all()
        assert (g["whatif_thousand_yen"] == g["basis_thousand_yen"]).all()
        assert "plan_thousand_yen" not in g.columns
    assert g["grant"].tolist() == list(GRANTS) and (g["one_point_yen"] > 0).all()


def test_municipal_grant_refuses_budgets_that_leave_out_or_misname_a_grant():
    """A budget for 推進 alone used to give the 推進 row alone, silently; a misspelt grant was skipped."""
    scores, attrs = tiny_table()
    with pytest.raises(
        UnknownSelectionError, match=r"交付金「支援」の予算額がありません.*得点のある交付金: 推進、支援"
    ):
        m.municipal_grant(scores, attrs, {"推進": 1_000_000}, entity="甲町", fiscal_year=R7)
    with pytest.raises(UnknownSelectionError, match=r"交付金「支援x」は得点の表にありません.*ある交付金: 推進、支援"):
        m.municipal_grant(scores, attrs, {**TINY_BUDGET, "支援x": 1}, entity="甲町", fiscal_year=R7)
    with pytest.raises(UnknownSelectionError, match="予算額（budgets）が指定されていません"):
        m.municipal_grant(scores, attrs, {}, entity="甲町", fiscal_year=R7)
    # a grant scored by others but not by this town: said, not skipped
    only = scores[~((scores["entity"] == "丙村") & (scores["grant"] == "支援"))]
    with pytest.raises(UnknownSelectionError, match=r"丙村には令和7年度の交付金「支援」の得点がありません"):
        m.municipal_grant(only, attrs, TINY_BUDGET, entity="丙村", fiscal_year=R7)


@pytest.mark.parametrize("min_share", [-0.1, 1.01, float("nan"), "半分"])
def test_zero_items_refuses_a_share_outside_0_to_1(min_share):
    scores, _ = tiny_table()
    with pytest.raises(GrantkitError, match="0 から 1 の数で指定してください"):
        m.zero_items(scores, entity="甲町", fiscal_year=R7, min_share=min_share)


@pytest.mark.parametrize("entity", ["つばきの森市", "青森県ゆうひさき町"])
def test_municipal_grant_r6_reproduces_the_published_amount(sample, entity):
    """With the bundled 架空 budget the formula gives the 交付見込額（案） printed in the R6 sample."""
    budgets = sample.budgets("R6")
    g = m.municipal_grant(
        sample.scores,
        sample.attributes,
        dict(zip(budgets["grant"], budgets["budget_yen"])),
        entity=entity,
        fiscal_year="R6",
        amounts=sample.amounts_of("R6"),
    ).set_index("grant")
    code = g.attrs["entity_code"]
    amounts = sample.amounts[(sample.amounts["fiscal_year"] == R6) & (sample.amounts["entity_code"] == code)]
    for grant in GRANTS:
        published = amounts[amounts["grant"] == grant].iloc[0]
        assert g.at[grant, "plan_thousand_yen"] == published["plan_thousand_yen"] == g.at[grant, "basis_thousand_yen"]
        assert g.at[grant, "final_thousand_yen"] == published["final_thousand_yen"]
        assert g.at[grant, "score"] == pytest.approx(attributes_in(sample, R6).at[code, f"score_{grant}"])


def test_municipal_grant_budget_must_be_whole_yen(sample):
    at = sample.attributes_of("R7")
    for bad, says in (
        (float("nan"), "数値ではありません"),
        (None, "円の整数"),
        (1_000_000_000.7, "円の整数"),
        (True, "円の整数"),
    ):  # was a raw ValueError / TypeError, or silently 1,000,000,000 and 1 円
        with pytest.raises(GrantkitError, match=says):
            m.municipal_grant(sample.scores, at, {"推進": bad, "支援": 10**9}, entity="010010", fiscal_year="R7")
