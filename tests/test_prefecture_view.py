"""grantkit.prefecture_view: a prefecture's municipalities in the national workbook.

Expected figures are recomputed here from the workbook's published cells (the grant totals score_推進 /
score_支援, the statistics rows 平均得点率 and 標準偏差) and from the tidy leaves with plain pandas. The synthetic
workbooks print the sample standard deviation (``numpy.std(ddof=1)``, see grantkit.testing.synthetic), so that is the
SD the threshold must say it uses.
"""

from __future__ import annotations

import math

import pytest

from grantkit.errors import UnknownSelectionError
from grantkit.io.mhlw import load_mhlw
from grantkit.prefecture_view import (
    below_threshold,
    low_score_thresholds,
    municipality_change,
    municipality_table,
    peer_context,
    support_items,
)
from grantkit.report.municipal import load_municipal_data
from grantkit.testing.synthetic import national_workbook

N = 400
R8 = 2026


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prefview")
    return {
        "R7": national_workbook(folder / "R7.xlsx", "R7", "市町村", n_municipalities=N - 9, items_per_group=2),
        "R8": national_workbook(folder / "R8.xlsx", "R8", "市町村", n_municipalities=N, items_per_group=2),
    }


@pytest.fixture(scope="module")
def r8(files):
    return load_mhlw(files["R8"])


def _thresholds_by_hand(r8, grant: str) -> dict[str, float]:
    stat = r8.statistics[(r8.statistics["grant"] == grant) & (r8.statistics["row_kind"] == "total")].iloc[0]
    n = len(r8.attributes)
    sample = stat["std"]  # printed with ddof=1
    population = sample * math.sqrt((n - 1) / n)
    return {"sample": stat["mean_rate"] - 2 * sample / 400, "population": stat["mean_rate"] - 2 * population / 400}


@pytest.mark.parametrize("grant", ["推進", "支援"])
def test_threshold_from_the_statistics_rows(r8, grant):
    got = low_score_thresholds(r8.scores, r8.statistics, fiscal_year=R8)
    row = got[(got["grant"] == grant) & (got["parent"] == "合計")].iloc[0]
    want = _thresholds_by_hand(r8, grant)
    assert row["printed_kind"] == "標本標準偏差"
    assert "標本標準偏差" in row["sd_used"]
    assert row["threshold_sample"] == pytest.approx(want["sample"], rel=1e-12)
    assert row["threshold_population"] == pytest.approx(want["population"], rel=1e-12)
    assert row["threshold"] == row["threshold_sample"]
    assert row["threshold_population"] > row["threshold_sample"]  # the smaller SD gives the higher bar


def test_below_threshold_list_equals_the_published_totals(r8):
    thresholds = low_score_thresholds(r8.scores, r8.statistics, fiscal_year=R8)
    found = 0
    for pref in r8.attributes["prefecture"].unique():
        table = municipality_table(r8.scores, r8.attributes, prefecture=pref, fiscal_year=R8)
        got = below_threshold(table, thresholds)
        at = r8.attributes[r8.attributes["prefecture"] == pref]
        for grant in ("推進", "支援"):
            limit = _thresholds_by_hand(r8, grant)["sample"]
            rates = at.set_index("entity_code")[f"score_{grant}"] / 400
            want = sorted(rates[rates < limit].index)
            mine = got[got["grant"] == grant]
            assert sorted(mine["entity_code"]) == want
            for code, gap in zip(mine["entity_code"], mine["gap_pt"]):
                assert gap == pytest.approx((rates[code] - limit) * 100)
            found += len(want)
    assert found > 0  # the case is exercised


def test_municipality_table_ranks(r8):
    table = municipality_table(r8.scores, r8.attributes, prefecture="北海道", fiscal_year=R8)
    at = r8.attributes
    mine = at[at["prefecture"] == "北海道"].set_index("entity_code")
    assert sorted(table["entity_code"]) == sorted(mine.index)
    assert table.attrs["n"] == N
    for row in table.itertuples():
        score = mine.loc[row.entity_code, "score_推進"]
        assert row.score_推進 == pytest.approx(score)
        assert row.rank_推進 == 1 + int((at["score_推進"] > score).sum())
        assert row.prefecture_rank_推進 == 1 + int((mine["score_推進"] > score).sum())
    leaves = r8.scores[(r8.scores["grant"] == "支援") & (r8.scores["parent"] == "目標Ⅱ")]
    sums = leaves.groupby("entity_code")[["score", "max_score"]].sum()
    first = table.iloc[0]
    assert first["rate_支援_目標Ⅱ"] == pytest.approx(sums.loc[first["entity_code"], "score"] / 100)


def test_support_items_from_the_leaves(r8):
    pref = "北海道"
    got = support_items(r8.scores, r8.attributes, prefecture=pref, fiscal_year=R8)
    members = set(r8.attributes.loc[r8.attributes["prefecture"] == pref, "entity_code"])
    leaves = r8.scores[~((r8.scores["grant"] == "支援") & (r8.scores["parent"] == "目標Ⅳ"))]
    expected = {}
    for (grant, indicator), part in leaves.groupby(["grant", "indicator"]):
        national = (part["score"] > 0).mean()
        mine = part[part["entity_code"].isin(members)]
        local = (mine["score"] > 0).mean()
        if national >= 0.5 and local < national:
            key = ("共通" if part["parent"].iloc[0] == "目標Ⅳ" else grant, indicator)
            expected[key] = (local, national, int((mine["score"] == 0).sum()) * part["max_score"].iloc[0])
    assert set(zip(got["grant"], got["indicator"])) == set(expected)
    for row in got.itertuples():
        local, national, stake = expected[(row.grant, row.indicator)]
        got_row = (row.prefecture_applicable_rate, row.national_applicable_rate, row.points_at_stake)
        assert got_row == pytest.approx((local, national, stake))
    assert got["points_at_stake"].is_monotonic_decreasing
    assert "該当率" in got.attrs["rule"]


def test_change_lists_rows_not_in_both_years(files):
    data = load_municipal_data([files["R7"], files["R8"]])
    got = municipality_change(data.scores, data.attributes, prefecture="北海道", fiscal_year=R8, previous=2025)
    at7, at8 = data.attributes_of(2025), data.attributes_of(R8)
    c7 = set(at7.loc[at7["prefecture"] == "北海道", "entity_code"])
    c8 = set(at8.loc[at8["prefecture"] == "北海道", "entity_code"])
    assert c7 != c8  # the two files differ in their 北海道 rows
    one = got[got["grant"] == "推進"]
    assert set(one.loc[one["present"] == "両年度", "entity_code"]) == c7 & c8
    assert set(one.loc[one["present"] == "今年度のみ", "entity_code"]) == c8 - c7
    assert set(one.loc[one["present"] == "前年度のみ", "entity_code"]) == c7 - c8
    both = one[one["present"] == "両年度"].iloc[0]
    s7 = at7.set_index("entity_code").loc[both["entity_code"], "score_推進"]
    s8 = at8.set_index("entity_code").loc[both["entity_code"], "score_推進"]
    assert both["rate_change_pt"] == pytest.approx((s8 - s7) / 400 * 100)


def test_peer_context_means(r8):
    got = peer_context(r8.scores, r8.attributes, prefecture="北海道", fiscal_year=R8)
    at = r8.attributes.assign(rate=r8.attributes["score_推進"] / 400)
    mine = at[at["prefecture"] == "北海道"]
    for row in got[got["grant"] == "推進"].itertuples():
        same = (at["size_class"] == row.size_class) & (at["depopulated"] == row.depopulated)
        local = same & (at["prefecture"] == "北海道")
        assert row.n_prefecture == int(local.sum())
        assert row.mean_rate_prefecture == pytest.approx(at.loc[local, "rate"].mean())
        assert row.mean_rate_national == pytest.approx(at.loc[same, "rate"].mean())
    assert got.loc[got["grant"] == "推進", "n_prefecture"].sum() == len(mine)


def test_unknown_prefecture_lists_the_present_ones(r8):
    with pytest.raises(UnknownSelectionError, match="北海道"):
        municipality_table(r8.scores, r8.attributes, prefecture="ほげ県", fiscal_year=R8)


def test_a_workbook_read_whole_keeps_the_prefecture_rows_out(tmp_path):
    """Both sheets in one file: the prefecture's own row (level 都道府県) is not one of its municipalities."""
    path = national_workbook(tmp_path / "both.xlsx", "R8", None, n_municipalities=120, items_per_group=2)
    whole = load_mhlw(path)
    assert set(whole.attributes["level"]) == {"市町村", "都道府県"}
    municipal = whole.attributes[whole.attributes["level"] == "市町村"]
    table = municipality_table(whole.scores, whole.attributes, prefecture="北海道", fiscal_year=R8)
    assert sorted(table["entity_code"]) == sorted(municipal.loc[municipal["prefecture"] == "北海道", "entity_code"])
    assert table.attrs["n"] == len(municipal)
    thresholds = low_score_thresholds(whole.scores, whole.statistics, fiscal_year=R8)
    assert (thresholds["n"] == len(municipal)).all()
    items = support_items(whole.scores, whole.attributes, prefecture="北海道", fiscal_year=R8)
    assert (items["n_prefecture"] == len(table)).all()


def test_group_rates_from_the_leaves(r8):
    from grantkit.prefecture_view import group_rates

    got = group_rates(r8.scores, r8.attributes, prefecture="北海道", fiscal_year=R8)
    leaves = r8.scores[~((r8.scores["grant"] == "支援") & (r8.scores["parent"] == "目標Ⅳ"))]
    sums = leaves.groupby(["entity_code", "grant", "parent", "group"])[["score", "max_score"]].sum().reset_index()
    sums["rate"] = sums["score"] / sums["max_score"]
    members = set(r8.attributes.loc[r8.attributes["prefecture"] == "北海道", "entity_code"])
    assert len(got) == sums.groupby(["grant", "parent", "group"]).ngroups
    for row in got.itertuples():
        grant = "推進" if row.grant == "共通" else row.grant
        part = sums[(sums["grant"] == grant) & (sums["parent"] == row.parent) & (sums["group"] == row.group)]
        mine = part[part["entity_code"].isin(members)]
        assert (row.n_prefecture, row.n_national) == (len(mine), N)
        assert row.mean_rate_prefecture == pytest.approx(mine["rate"].mean())
        assert row.median_rate_national == pytest.approx(part["rate"].median())


def test_below_goal_threshold_from_the_leaves_and_the_statistics_rows(r8):
    """Every (目標, municipality) below that 目標's own threshold — recomputed here from the leaves and the printed
    subtotal statistics rows — is listed, and nothing else; 目標Ⅳ once, as 共通."""
    from grantkit.prefecture_view import below_goal_threshold

    thresholds = low_score_thresholds(r8.scores, r8.statistics, fiscal_year=R8)
    stats = r8.statistics[r8.statistics["row_kind"] == "subtotal"]
    n = len(r8.attributes)
    sums = r8.scores.groupby(["grant", "parent", "entity_code"])[["score", "max_score"]].sum()
    rates = sums["score"] / sums["max_score"]
    found = 0
    for pref in ("北海道", "青森県", "沖縄県"):
        table = municipality_table(r8.scores, r8.attributes, prefecture=pref, fiscal_year=R8)
        got = below_goal_threshold(table, thresholds)
        members = set(r8.attributes.loc[r8.attributes["prefecture"] == pref, "entity_code"])
        want = set()
        for stat in stats.itertuples():
            if stat.grant == "支援" and stat.parent == "目標Ⅳ":
                continue  # the same items and scores as 推進's 目標Ⅳ
            limit = stat.mean_rate - 2 * stat.std / stat.max_score  # printed SD is the sample SD
            mine = rates.loc[(stat.grant, stat.parent)]
            grant = "共通" if stat.parent == "目標Ⅳ" else stat.grant
            want |= {(grant, stat.parent, c) for c, r in mine.items() if c in members and r < limit}
        assert set(zip(got["grant"], got["parent"], got["entity_code"])) == want
        assert (got["gap_pt"] < 0).all() and (got["rate"] < got["threshold"]).all()
        found += len(want)
    assert n == N and found > 0  # the case is exercised
