"""grantkit.group: several municipalities side by side (synthetic R6, R7, R8 workbooks).

Expected figures are recomputed here from the workbook's published cells (推進・支援合計 ``total``, the grant
totals, 第1号被保険者数, R6 交付見込額（案）/確定額) and the tidy leaves with plain pandas.
"""

from __future__ import annotations

import pytest

from grantkit.group import (
    amount_table,
    group_amounts,
    group_goals,
    group_summary,
    group_trend,
    recover_items,
)
from grantkit.report.municipal import load_municipal_data
from grantkit.testing.synthetic import national_workbook

N = 150


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("group")
    paths = [
        national_workbook(folder / f"{y}.xlsx", y, "市町村", n_municipalities=N, items_per_group=2)
        for y in ("R6", "R7", "R8")
    ]
    return load_municipal_data(paths)


@pytest.fixture(scope="module")
def codes(data):
    at = data.attributes_of(2026)
    return [str(at["entity_code"].iloc[k]) for k in (2, 40, 77, 120)]  # 4 prefectures


def test_ranks_national_peer_and_prefecture(data, codes):
    got = group_summary(data, codes, fiscal_year=2026).set_index("entity_code")
    at = data.attributes_of(2026).set_index("entity_code")
    assert list(got.index) == codes
    for code in codes:
        me = at.loc[code]
        assert got.loc[code, "total"] == pytest.approx(me["total"])  # 推進合計 + 支援合計 = published 推進・支援合計
        assert got.loc[code, "rank"] == 1 + int((at["total"] > me["total"]).sum())
        peers = at[(at["size_class"] == me["size_class"]) & (at["depopulated"] == me["depopulated"])]
        assert got.loc[code, "peer_rank"] == 1 + int((peers["total"] > me["total"]).sum())
        assert got.loc[code, "peer_n"] == len(peers)
        pref = at[at["prefecture"] == me["prefecture"]]
        assert got.loc[code, "prefecture_rank"] == 1 + int((pref["total"] > me["total"]).sum())
        assert got.loc[code, "prefecture_n"] == len(pref)
        assert got.loc[code, "national_mean"] == pytest.approx(at["total"].mean())


def test_r6_peer_is_the_depopulated_class_alone(data, codes):
    got = group_summary(data, codes, fiscal_year=2024).set_index("entity_code")
    at = data.attributes_of(2024).set_index("entity_code")
    assert at["size_class"].isna().all()  # R6 has no 規模区分
    code = codes[0]
    peers = at[at["depopulated"] == at.loc[code, "depopulated"]]
    assert got.loc[code, "peer_rank"] == 1 + int((peers["total"] > at.loc[code, "total"]).sum())


def test_trend_over_three_years(data, codes):
    got = group_trend(data, codes)
    assert len(got) == 3 * len(codes)
    for row in got.itertuples():
        at = data.attributes_of(row.fiscal_year).set_index("entity_code")
        assert row.total == pytest.approx(at.loc[row.entity_code, "total"])
        assert row.rank == 1 + int((at["total"] > at.loc[row.entity_code, "total"]).sum())
        assert row.national_mean == pytest.approx(at["total"].mean())


def test_amounts_share_and_per_person(data, codes):
    amounts = amount_table(data, fiscal_year=2024)
    raw = data.amounts_of(2024)
    at = data.attributes_of(2024).set_index("entity_code")
    below = raw[raw["final_thousand_yen"] < raw["plan_thousand_yen"]]
    assert int(amounts["below_plan"].sum()) == len(below) > 0
    for grant in ("推進", "支援"):
        part = raw[raw["grant"] == grant]
        national = part["final_thousand_yen"].sum() * 1000 / at.loc[part["entity_code"], "first_insured"].sum()
        assert amounts.attrs["national_yen_per_first_insured"][grant] == pytest.approx(national)
    mine = group_amounts(amounts, codes)
    assert list(dict.fromkeys(mine["entity_code"])) == codes
    for row in mine.itertuples():
        r = raw[(raw["entity_code"] == row.entity_code) & (raw["grant"] == row.grant)].iloc[0]
        assert row.final_share == pytest.approx(r["final_thousand_yen"] / r["plan_thousand_yen"])
        assert row.final_yen_per_first_insured == pytest.approx(
            r["final_thousand_yen"] * 1000 / at.loc[row.entity_code, "first_insured"]
        )
    assert amount_table(data, fiscal_year=2026) is None  # only R6 publishes amounts


def test_goals_flagged_at_20_points(data, codes):
    got = group_goals(data, codes, fiscal_year=2026)
    leaves = data.scores_of(2026)
    sums = leaves.groupby(["entity_code", "grant", "parent"])["score"].sum().reset_index()
    means = sums.groupby(["grant", "parent"])["score"].mean()
    for row in got[got["parent"] != "合計"].itertuples():
        mine = sums[
            (sums["entity_code"] == row.entity_code) & (sums["grant"] == row.grant) & (sums["parent"] == row.parent)
        ]["score"].iloc[0]
        diff = mine - means[(row.grant, row.parent)]
        assert row.diff == pytest.approx(diff)
        assert row.flag == ("高" if diff >= 20 else "低" if diff <= -20 else "")
    assert (got.loc[got["parent"] == "合計", "flag"] == "").all()  # a 400-point total is shown, never flagged


def test_recover_items_from_peers(data, codes):
    got = recover_items(data, codes, fiscal_year=2026)
    leaves = data.scores_of(2026)
    at = data.attributes_of(2026).set_index("entity_code")
    for code in codes:
        me = at.loc[code]
        peers = at[(at["size_class"] == me["size_class"]) & (at["depopulated"] == me["depopulated"])].index
        others = leaves[leaves["entity_code"].isin(peers) & (leaves["entity_code"] != code)]
        share = (others["score"] >= others["max_score"]).groupby([others["grant"], others["indicator"]]).mean()
        mine = leaves[leaves["entity_code"] == code].set_index(["grant", "indicator"])
        lost = mine[mine["score"] < mine["max_score"]]
        want = {
            (("共通" if row.parent == "目標Ⅳ" else g), i)
            for (g, i), row in lost.iterrows()
            if share[(g, i)] >= 0.3 and not (g == "支援" and row.parent == "目標Ⅳ")
        }
        rows = got[(got["entity_code"] == code) & got["rule"].str.startswith("取り戻す指標")]
        assert set(zip(rows["grant"], rows["indicator"])) == want
        zero = got[(got["entity_code"] == code) & got["rule"].str.startswith("0点の項目")]
        assert (zero["score"] == 0).all() and (zero["share"] >= 0.5).all()
    assert len(got.attrs["rules"]) == 2
