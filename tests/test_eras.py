"""Era parsing on every spelling the issue lists, and labels back."""

import pytest

from grantkit import GrantkitError, era_label, era_label_long, fiscal_year
from grantkit.eras import EraError


@pytest.mark.parametrize(
    ("text", "year"),
    [
        (2019, 2019),
        ("2019", 2019),
        ("R1", 2019),
        ("Ｒ１", 2019),
        ("R01", 2019),
        ("令和元年度", 2019),
        ("令和1年度", 2019),
        ("令和１年度", 2019),
        ("H30", 2018),
        ("平成30年度", 2018),
        ("平成３０年度", 2018),
        ("h30", 2018),
        ("H31", 2019),
        ("R7", 2025),
        ("令和8年度", 2026),
        ("2019年度", 2019),
        (2018.0, 2018),
        (" R2 ", 2020),
        ("Ｈ３０", 2018),
    ],
)
def test_fiscal_year_spellings(text, year):
    assert fiscal_year(text) == year


@pytest.mark.parametrize("text", ["R", "令和", "X1", "平成0年度", "20190", "", "R1-2", True, 1800, 19.5])
def test_unknown_era_is_a_grantkit_error(text):
    with pytest.raises(GrantkitError):
        fiscal_year(text)


@pytest.mark.parametrize(
    ("year", "short", "long"),
    [
        (2018, "H30", "平成30年度"),
        (2019, "R1", "令和元年度"),
        (2020, "R2", "令和2年度"),
        (2026, "R8", "令和8年度"),
        (1989, "H1", "平成元年度"),
    ],
)
def test_labels_back(year, short, long):
    assert era_label(year) == short
    assert era_label_long(year) == long
    assert fiscal_year(short) == fiscal_year(long) == year


@pytest.mark.parametrize(("text", "meant"), [("H32", "令和2年度"), ("平成35年度", "令和5年度")])
def test_heisei_after_its_last_year_is_refused_with_the_reiwa_year(text, meant):
    with pytest.raises(EraError, match=f"平成は31年度まで。{meant}のことなら"):
        fiscal_year(text)
    assert fiscal_year("H31") == fiscal_year("平成31年度") == 2019  # printed both ways in 2019
