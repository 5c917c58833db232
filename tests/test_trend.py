"""grantkit.trend: a municipality over every year given (R6, R7, R8 synthetic workbooks; R5 for the break).

Expected figures are recomputed here with plain pandas: grant totals from the workbook's published columns
(score_推進 / score_支援 in ``attributes``), 目標 sums from the tidy leaves, ranks as 1 + the number of
municipalities with a higher score — never copied from what the code printed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grantkit.present.narrative import trend_sentence
from grantkit.report.municipal import load_municipal_data
from grantkit.testing.synthetic import national_workbook
from grantkit.trend import scale_breaks, trend_table

N = 90
YEARS = {"R5": 2023, "R6": 2024, "R7": 2025, "R8": 2026}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trend")
    return {
        y: national_workbook(folder / f"{y}.xlsx", y, "市町村", n_municipalities=N, items_per_group=2) for y in YEARS
    }


@pytest.fixture(scope="module")
def three(files):
    return load_municipal_data([files["R6"], files["R7"], files["R8"]])


def _entity(data, k: int = 5) -> str:
    return str(data.attributes_of(data.years[-1])["entity_code"].iloc[k])


def _expected_totals(data, code: str, grant: str) -> pd.DataFrame:
    """Per year: rate, rank, n, national and prefecture mean rate of the grant total, from the published totals."""
    rows = []
    for year in data.years:
        at = data.attributes_of(year)
        leaves = data.scores_of(year)
        max_score = leaves[(leaves["entity_code"] == code) & (leaves["grant"] == grant)]["max_score"].sum()
        rates = at[f"score_{grant}"] / max_score
        mine = at[at["entity_code"] == code].iloc[0]
        same_pref = at["prefecture"] == mine["prefecture"]
        rows.append(
            {
                "fiscal_year": year,
                "rate": mine[f"score_{grant}"] / max_score,
                "rank": 1 + int((at[f"score_{grant}"] > mine[f"score_{grant}"]).sum()),
                "n": len(at),
                "national_mean_rate": rates.mean(),
                "prefecture_mean_rate": rates[same_pref].mean(),
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("grant", ["推進", "支援"])
def test_grant_total_trend_equals_published_totals(three, grant):
    code = _entity(three)
    trend = trend_table(three.scores, three.attributes, entity_code=code)
    got = trend[(trend["grant"] == grant) & (trend["parent"] == "合計")].reset_index(drop=True)
    want = _expected_totals(three, code, grant)
    assert got["fiscal_year"].tolist() == [2024, 2025, 2026]
    for col in ("rate", "national_mean_rate", "prefecture_mean_rate"):
        np.testing.assert_allclose(got[col].to_numpy(dtype=float), want[col].to_numpy(dtype=float), rtol=1e-12)
    assert got["rank"].astype(int).tolist() == want["rank"].tolist()
    assert got["n"].tolist() == want["n"].tolist() == [N, N, N]


def test_goal_rates_and_ranks_from_the_leaves(three):
    code = _entity(three, 17)
    trend = trend_table(three.scores, three.attributes, entity_code=code)
    for year in three.years:
        leaves = three.scores_of(year)
        sums = leaves.groupby(["entity_code", "grant", "parent"])[["score", "max_score"]].sum().reset_index()
        sums["rate"] = sums["score"] / sums["max_score"]
        for (grant, parent), part in sums.groupby(["grant", "parent"]):
            mine = part[part["entity_code"] == code].iloc[0]
            row = trend[(trend["fiscal_year"] == year) & (trend["grant"] == grant) & (trend["parent"] == parent)]
            assert len(row) == 1
            assert row["rate"].iloc[0] == pytest.approx(mine["rate"])
            assert row["national_mean_rate"].iloc[0] == pytest.approx(part["rate"].mean())
            assert int(row["rank"].iloc[0]) == 1 + int((part["score"] > mine["score"]).sum())


def test_changes_follow_the_previous_year(three):
    code = _entity(three, 30)
    trend = trend_table(three.scores, three.attributes, entity_code=code)
    total = trend[(trend["grant"] == "推進") & (trend["parent"] == "合計")].reset_index(drop=True)
    at = {y: three.attributes_of(y).set_index("entity_code").loc[code, "score_推進"] for y in three.years}
    assert np.isnan(total["score_change"].iloc[0])
    assert total["score_change"].iloc[1] == pytest.approx(at[2025] - at[2024])
    assert total["score_change"].iloc[2] == pytest.approx(at[2026] - at[2025])
    assert total["rate_change_pt"].iloc[2] == pytest.approx((at[2026] - at[2025]) / 400 * 100)
    assert not trend["scale_break"].any()  # R6 → R7 → R8: one scoring system
    assert "体系" not in trend_sentence(trend, entity="X")


def test_r5_to_r6_break_is_marked_rates_only(files):
    data = load_municipal_data([files["R5"], files["R6"], files["R7"]])
    assert scale_breaks(data.scores) == {2023: False, 2024: True, 2025: False}
    code = _entity(data, 3)
    trend = trend_table(data.scores, data.attributes, entity_code=code)
    total = trend[(trend["grant"] == "推進") & (trend["parent"] == "合計")].set_index("fiscal_year")
    assert total["scale_break"].tolist() == [False, True, False]
    assert np.isnan(total.loc[2024, "score_change"])  # points across the break are not compared
    r5 = data.attributes_of(2023).set_index("entity_code").loc[code, "score_推進"] / 1355
    r6 = data.attributes_of(2024).set_index("entity_code").loc[code, "score_推進"] / 400
    assert total.loc[2024, "rate_change_pt"] == pytest.approx((r6 - r5) * 100)  # rates are
    assert trend.attrs["breaks"] == [2024]
    assert "令和6年度は配点（評価指標の体系）が前年度と異なる" in trend_sentence(trend, entity="X")


def test_sentence_names_first_and_last_year(three):
    code = _entity(three)
    trend = trend_table(three.scores, three.attributes, entity_code=code)
    want = _expected_totals(three, code, "推進")
    text = trend_sentence(trend, entity="甲町")
    first, last = want.iloc[0], want.iloc[-1]
    assert f"順位は{int(first['rank'])}位/{N}から{int(last['rank'])}位/{N}" in text.splitlines()[0]
    assert text.splitlines()[0].startswith("推進: 甲町の合計得点率はR6の")


@pytest.fixture
def three_year_csv(tmp_path):
    """The bundled 山口県 table (H30, R1) with an R2 copy of R1 whose scores are 10 lower where possible."""
    from grantkit.examples import example_path

    text = example_path("yamaguchi_scores.csv").read_text(encoding="utf-8-sig")
    table = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
    r2 = table[table["fiscal_year"] == "R1"].copy()
    r2["fiscal_year"] = "R2"
    r2["score"] = [str(max(0.0, float(s) - 10)) for s in r2["score"]]
    path = tmp_path / "three.csv"
    pd.concat([table, r2]).to_csv(path, index=False, encoding="utf-8")
    return path, pd.concat([table, r2])


def test_prefecture_score_table_over_three_years(three_year_csv):
    from grantkit.io import load_scores
    from grantkit.trend import prefecture_trend

    path, raw = three_year_csv
    trend = prefecture_trend(load_scores(path), entity="山口県")
    total = trend[trend["parent"] == "合計"].set_index("era")
    raw = raw.assign(score=raw["score"].astype(float), max_score=raw["max_score"].astype(float))
    for era in ("H30", "R1", "R2"):
        rows = raw[raw["fiscal_year"] == era]
        mine, nat = rows[rows["entity"] == "山口県"], rows[rows["entity"] == "全国平均"]
        assert total.loc[era, "rate"] == pytest.approx(mine["score"].sum() / mine["max_score"].sum())
        assert total.loc[era, "national_mean_rate"] == pytest.approx(nat["score"].sum() / nat["max_score"].sum())
    assert total["scale_break"].tolist() == [False, True, False]  # 配点 730 → 741 → 741
    assert np.isnan(total.loc["R1", "score_change"])
    assert total.loc["R2", "score_change"] == pytest.approx(
        raw.loc[(raw["fiscal_year"] == "R2") & (raw["entity"] == "山口県"), "score"].sum() - 611
    )
    assert total["rank"].isna().all()  # one prefecture in the table: no rank
    assert "順位" not in trend_sentence(trend, entity="山口県")
