"""Report stage of the municipal report: the selection check before any kernel starts, and the
``grantkit report --level 市町村`` arguments (the report run itself is recorded, not executed).
"""

from __future__ import annotations

import pytest
from municipal_cases import (
    R7,
    attributes_in,
)

from grantkit.cli import main
from grantkit.errors import UnknownSelectionError
from grantkit.examples import example_path
from grantkit.report.municipal import check_municipal_selection


def test_check_municipal_selection(sample, synth):
    assert check_municipal_selection(sample, entity="つばきの森市", year="R7") == "つばきの森市"
    assert check_municipal_selection(sample, entity="020011", year="R6") == "ゆうひさき町"
    assert check_municipal_selection(sample, entity="青森県ゆうひさき町", year="R7") == "ゆうひさき町"
    with pytest.raises(UnknownSelectionError) as exc:
        check_municipal_selection(sample, entity="ゆうひさき町", year="R7")
    assert "ゆうひさき町（北海道、010031）" in str(exc.value) and "ゆうひさき町（青森県、020011）" in str(exc.value)
    with pytest.raises(UnknownSelectionError) as exc:
        check_municipal_selection(sample, entity="つばきの森市", year="R5")
    assert "令和5年度の評価結果がありません" in str(exc.value) and "ある年度: 令和6年度、令和7年度" in str(exc.value)
    with pytest.raises(UnknownSelectionError, match="存在しない町"):
        check_municipal_selection(sample, entity="存在しない町", year="R7")
    _, data = synth  # no budgets file, R7 publishes no amounts: the budget is unknown, which is no error
    code = attributes_in(data, R7).index[0]
    assert check_municipal_selection(data, entity=code, year="R7")
    gap = data.budget_gap("R7", code)  # what the report's 基準額 section says instead
    assert "令和7年度の市町村分の予算額がわかりません（推進・支援）" in gap and "--budgets" in gap
    assert f"--entity {code} --year R7" in gap and "\nR7,推進,市町村,<予算額（円）>,false," in gap


@pytest.fixture
def municipal_calls(monkeypatch, tmp_path):
    """Record what ``main`` asks ``run_municipal_report`` for, without running a kernel."""
    seen: list[dict] = []

    def fake(**kwargs):
        seen.append(kwargs)
        return tmp_path / "done"

    monkeypatch.setattr("grantkit.report.municipal.run_municipal_report", fake)
    return seen


def test_cli_municipal_bundled_defaults(municipal_calls, capsys):
    assert main(["report", "--level", "市町村", "--entity", "青森県ゆうひさき町", "--year", "R7"]) == 0
    (kw,) = municipal_calls
    assert (kw["entity"], kw["year"], str(kw["out"])) == ("青森県ゆうひさき町", "R7", "reports")
    assert kw["data"] == [str(example_path("mhlw_sample_R6.xlsx")), str(example_path("mhlw_sample_R7.xlsx"))]
    assert kw["budgets"] == str(example_path("budgets_synthetic.csv"))
    assert set(kw) == {"entity", "year", "out", "data", "budgets"}
    assert capsys.readouterr().out.strip().endswith("done")


def test_cli_municipal_own_data(municipal_calls, tmp_path):
    assert (
        main(
            [
                "report",
                "--level",
                "市町村",
                "--entity",
                "020011",
                "--year",
                "令和7年度",
                "--data",
                "r6.xlsx",
                "--data",
                "r7.xlsx",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "report",
                "--level",
                "市町村",
                "--entity",
                "020011",
                "--year",
                "R7",
                "--data",
                "r7.xlsx",
                "--budgets",
                "mine.csv",
            ]
        )
        == 0
    )
    assert main(["report", "--level", "市町村", "--entity", "020011", "--year", "R7", "--budgets", "mine.csv"]) == 0
    own, own_budgets, bundled_data = municipal_calls
    assert own["data"] == ["r6.xlsx", "r7.xlsx"] and own["year"] == "令和7年度" and own["out"] == tmp_path
    assert own["budgets"] == str(example_path("budgets.csv"))  # the 架空 budgets belong to the 架空 samples only
    assert own_budgets["data"] == ["r7.xlsx"] and own_budgets["budgets"] == "mine.csv"
    assert bundled_data["budgets"] == "mine.csv" and len(bundled_data["data"]) == 2


def test_cli_municipal_error_exits_2(monkeypatch, capsys):
    def fail(**kwargs):
        raise UnknownSelectionError("団体「どこか町」はデータにありません")

    monkeypatch.setattr("grantkit.report.municipal.run_municipal_report", fail)
    assert main(["report", "--level", "市町村", "--entity", "どこか町", "--year", "R7"]) == 2
    assert "エラー: 団体「どこか町」はデータにありません" in capsys.readouterr().err
