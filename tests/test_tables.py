"""The table contract: every declared table's check names what breaks it; every loader's tables pass their check;
compute functions refuse to return a table whose key repeats; checks never change the frame."""

from __future__ import annotations

import pathlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grantkit import example_path, example_scores, prefecture_allocation, read_scores
from grantkit.errors import GrantkitError, TableError
from grantkit.funding import read_budgets, read_projects, read_utilization
from grantkit.io.mhlw import read_mhlw
from grantkit.provenance import LoadReport
from grantkit.schema import Loaded, LoadResult, check_result, loaded
from grantkit.tables import (
    BUDGETS,
    DERIVED_TABLES,
    INPUT_TABLES,
    SCORES,
    check_budgets,
    check_scores,
    check_table,
    check_utilization,
    duplicated_keys,
    value_codes,
)
from grantkit.testing import national_workbook

SPECS = {**INPUT_TABLES, **DERIVED_TABLES}
VALUES = {  # two rows of each kind, different from each other so that any key is unique
    "int": [2018, 2019],
    "float": [1.5, 2.5],
    "number": [1.0, 2.0],
    "text": ["甲", "乙"],
    "bool": [True, False],
}
WRONG = {"int": ["1", "2"], "float": ["1.5", "x"], "number": ["1", "2"], "text": [1.5, 2.5], "bool": ["はい", "いいえ"]}


def valid(spec) -> pd.DataFrame:
    """Two rows holding every declared column (required and optional) in its declared kind."""
    columns = spec.columns | spec.optional
    return pd.DataFrame({c: pd.array(VALUES[k], dtype="str") if k == "text" else VALUES[k] for c, k in columns.items()})


def messages(err: TableError) -> str:
    return "\n".join(p.message for p in err.problems)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_a_table_in_its_declared_shape_passes_unchanged(name):
    table = valid(SPECS[name])
    assert check_table(table, SPECS[name]) is table


@pytest.mark.parametrize("name", sorted(SPECS))
def test_a_repeated_key_is_named_with_the_table_and_the_first_repeat(name):
    spec = SPECS[name]
    table = valid(spec)
    table = pd.concat([table, table.iloc[[1]]], ignore_index=True)  # row 2 repeats row 1
    with pytest.raises(TableError) as caught:
        check_table(table, spec, source="in.csv")
    err = caught.value
    assert (err.table, err.key, err.file) == (spec.name, spec.key, "in.csv")
    assert f"キー ({', '.join(spec.key)}) が重複しています" in messages(err)
    repeated = "(" + ", ".join(str(table.at[1, c]) for c in spec.key) + ")"
    assert repeated in messages(err)
    assert str(err).startswith(f"in.csv（{spec.title}）")


@pytest.mark.parametrize("name", sorted(SPECS))
def test_each_missing_required_column_is_named(name):
    spec = SPECS[name]
    for column in spec.columns:
        with pytest.raises(TableError) as caught:
            check_table(valid(spec).drop(columns=column), spec)
        assert [p.column for p in caught.value.problems] == [column]
        assert f"必須の列「{column}」がありません" in messages(caught.value)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_each_column_of_another_kind_is_named(name):
    spec = SPECS[name]
    for column, kind in (spec.columns | spec.optional).items():
        table = valid(spec).assign(**{column: WRONG[kind]})
        with pytest.raises(TableError) as caught:
            check_table(table, spec)
        assert [p.column for p in caught.value.problems] == [column], column
        assert f"列「{column}」は" in messages(caught.value)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_a_missing_key_value_is_named(name):
    spec = SPECS[name]
    column = spec.key[-1]
    table = valid(spec)
    table[column] = table[column].astype("float64" if spec.columns[column] != "text" else "str")
    table.loc[0, column] = np.nan
    if spec.columns[column] in ("int", "bool"):  # these kinds hold no missing value: a nullable column does
        table[column] = pd.array([pd.NA, VALUES[spec.columns[column]][1]], dtype="Int64")
        if spec.columns[column] == "bool":
            table[column] = pd.array([pd.NA, True], dtype="boolean")
    with pytest.raises(TableError) as caught:
        check_table(table, spec)
    assert f"キーの列「{column}」に値のない行が 1 行あります（最初は 1 行目）" in messages(caught.value)


def test_a_budget_table_with_a_repeated_year_grant_level_names_the_file_and_the_key():
    table = pd.DataFrame(
        {
            "fiscal_year": [2019, 2019, 2020],
            "grant": ["推進", "推進", "推進"],
            "level": ["都道府県", "都道府県", "都道府県"],
            "budget_yen": [1_000_000_000, 1_000_000_000, 1_000_000_000],
            "verified": [True, True, False],
            "source": "",
            "note": "",
        }
    )
    with pytest.raises(TableError) as caught:
        check_budgets(table, source="budgets.csv")
    text = str(caught.value)
    assert text.splitlines()[0] == "budgets.csv（予算額） に 1 件の問題があります"
    assert "キー (fiscal_year, grant, level) が重複しています: (2019, 推進, 都道府県) ほか計 2 行" in text
    assert isinstance(caught.value, GrantkitError)


def test_scores_read_as_text_are_a_wrong_kind_not_a_pandas_error():
    table = example_scores().astype({"score": "str"})
    with pytest.raises(TableError) as caught:
        check_scores(table, source="scores.csv")
    assert messages(caught.value) == "列「score」は小数の列のはずですが、str です"


def test_a_utilization_table_without_spent_amounts_names_the_column():
    table = pd.DataFrame(
        {
            "fiscal_year": [2018],
            "level": "都道府県",
            "grant": "推進",
            "entity_code": "35",
            "entity": "山口県",
            "allocation_thousand_yen": pd.array([15680], dtype="Int64"),
            "planned_thousand_yen": pd.array([14875], dtype="Int64"),
        }
    )
    with pytest.raises(TableError) as caught:
        check_utilization(table)
    assert [p.column for p in caught.value.problems] == ["spent_thousand_yen"]
    assert str(caught.value).startswith("交付金の活用状況（utilization）")


def test_a_loader_result_with_a_repeated_key_names_file_and_sheet():
    scores = example_scores()
    twice = pd.concat([scores, scores.iloc[[0]]], ignore_index=True)
    with pytest.raises(TableError) as caught:
        loaded(LoadReport("scores.xlsx", sheet="得点"), scores=twice)
    assert caught.value.file == "scores.xlsx シート「得点」"
    assert "(2018, 都道府県, 推進, 35, Ⅰ)" in messages(caught.value)


# ---- every loader returns its tables checked, with one report ---------------------------------------------------


def assert_checked(result: LoadResult, names: list[str]) -> None:
    assert isinstance(result, LoadResult)
    assert list(result.tables) == names
    assert result.table is result.tables[names[0]]
    assert check_result(result) is result
    for name in names:
        assert result[name] is result.tables[name]
        assert not duplicated_keys(result[name], INPUT_TABLES[name].key).any()
    assert result.report.rows_read == result.report.rows_kept + len(result.report.exclusions)


@pytest.mark.parametrize("name", ["yamaguchi_scores.csv", "yamaguchi_scores.xlsx"])
def test_score_files_give_a_checked_score_table(name):
    assert_checked(read_scores(example_path(name), cache=False), ["scores"])


def test_a_tidy_workbook_gives_a_checked_score_table(tmp_path):
    import xlsxwriter

    scores = example_scores()
    path = tmp_path / "tidy.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("scores")
    columns = [c for c in scores.columns]
    sheet.write_row(0, 0, columns)
    for i, row in enumerate(scores.astype(str).itertuples(index=False), start=1):
        sheet.write_row(i, 0, list(row))
    book.close()
    result = read_scores(path, cache=False)
    assert_checked(result, ["scores"])
    assert len(result.table) == len(scores)


@pytest.mark.parametrize("level", ["市町村", None])
def test_a_national_workbook_gives_checked_tables(tmp_path, level):
    path = national_workbook(pathlib.Path(tmp_path) / "r6.xlsx", "R6", level, n_municipalities=20)
    result = read_mhlw(path)
    assert_checked(result, ["scores", "attributes", "statistics", "amounts"])


def test_a_national_workbook_without_amounts_has_three_tables(tmp_path):
    path = national_workbook(pathlib.Path(tmp_path) / "r7.xlsx", "R7", "市町村", n_municipalities=20)
    assert_checked(read_mhlw(path), ["scores", "attributes", "statistics"])


@pytest.mark.parametrize(
    "read, file, name",
    [
        (read_utilization, "utilization_yamaguchi.csv", "utilization"),
        (read_projects, "projects_yamaguchi.csv", "projects"),
        (read_budgets, "budgets.csv", "budgets"),
    ],
)
def test_funding_files_give_a_checked_table_and_its_report(read, file, name):
    result = read(example_path(file))
    assert isinstance(result, Loaded)
    assert_checked(result, [name])
    assert result.report.source == file
    assert "report" not in result.table.attrs


# ---- compute functions check the key of what they return ---------------------------------------------------------


def test_an_allocation_over_a_repeated_entity_is_refused_not_paid_twice():
    twice = pd.DataFrame({"entity_code": ["35", "35", "01"], "entity": ["山口県", "山口県", "北海道"], "score": 600.0})
    with pytest.raises(TableError) as caught:
        prefecture_allocation(twice, 1_000_000_000)
    assert caught.value.table == "allocation"
    assert "キー (entity_code) が重複しています: (35)" in messages(caught.value)


def test_score_rates_of_a_table_that_repeats_a_leaf_is_refused():
    from grantkit import score_rates

    scores = example_scores()
    with pytest.raises(TableError) as caught:
        score_rates(pd.concat([scores, scores.iloc[[3]]], ignore_index=True))
    assert caught.value.table == "score_rates"
    leaf = scores.iloc[3]
    assert f"({leaf.fiscal_year}, {leaf.level}, {leaf.grant}, {leaf.entity_code}, {leaf.indicator}, leaf)" in messages(
        caught.value
    )


# ---- properties ---------------------------------------------------------------------------------------------------

TEXTS = st.sampled_from(["推進", "支援", "35", "035", "", "Ⅰ", "全国平均"])


@st.composite
def keyed_frames(draw):
    n = draw(st.integers(0, 12))
    years = draw(st.lists(st.sampled_from([2018, 2019]), min_size=n, max_size=n))
    grants = draw(st.lists(TEXTS, min_size=n, max_size=n))
    levels = draw(st.lists(st.sampled_from(["都道府県", "市町村", "合計"]), min_size=n, max_size=n))
    # new string objects, so equal values are often distinct objects (as in a hand-built frame)
    grants = ["".join(list(g)) for g in grants]
    return pd.DataFrame(
        {
            "fiscal_year": np.array(years, dtype="int64"),
            "grant": pd.array(grants, dtype=draw(st.sampled_from(["str", "object"]))),
            "level": pd.array(levels, dtype="str"),
            "budget_yen": np.arange(n, dtype="int64"),
            "verified": np.ones(n, dtype=bool),
            "source": pd.array([""] * n, dtype="str"),
            "note": pd.array([""] * n, dtype="str"),
        }
    )


@settings(max_examples=80, deadline=None)
@given(keyed_frames())
def test_the_check_refuses_exactly_the_tables_pandas_finds_repeated_keys_in_and_never_changes_them(table):
    before = table.copy(deep=True)
    repeats = table.duplicated(list(BUDGETS.key)).any()
    try:
        assert check_budgets(table) is table
        refused = False
    except TableError:
        refused = True
    assert refused == repeats
    pd.testing.assert_frame_equal(table, before, check_exact=True)
    assert list(table.dtypes) == list(before.dtypes)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(TEXTS, st.none()), max_size=15), st.sampled_from(["str", "object"]))
def test_value_codes_are_equal_exactly_where_values_are(values, dtype):
    column = pd.Series(["".join(list(v)) if v is not None else None for v in values], dtype=dtype)
    codes = value_codes(column)
    expected, _ = pd.factorize(column)
    assert (codes < 0).tolist() == column.isna().tolist()
    same = codes[:, None] == codes[None, :]
    assert (same == (expected[:, None] == expected[None, :])).all()


def test_the_scores_declaration_is_the_score_loaders_columns():
    from grantkit import schema

    assert schema.REQUIRED == SCORES.required
    assert set(SCORES.key) <= set(schema.REQUIRED)
