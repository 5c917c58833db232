"""Broken Excel from email: random cells, types, merged ranges and shifted headers in the seed-layout workbook
and in a national workbook (hypothesis). The only exceptions are grantkit's own, with a message; what loads
accounts for every row; and a value whose cells no edit touched comes out exactly as before.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import MergedCell

from grantkit import GrantkitError, example_path, load_mhlw, read_scores
from grantkit.testing.synthetic import national_workbook

# 60 examples in CI; GRANTKIT_FUZZ_EXAMPLES=2000 for a deeper run on a workstation
FUZZ = settings(
    max_examples=int(os.environ.get("GRANTKIT_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8)
values = st.one_of(
    st.none(),
    text,
    st.integers(-50, 1000),
    st.floats(-1e4, 1e4, allow_nan=False),
    st.booleans(),
    st.sampled_from(
        [
            "=1+1",
            "－",
            "-",
            "1,234",
            "合計",
            "Ⅱ計",
            "（83%）",
            "10 ／ 30",
            "R1",
            "\u3000",
            "#N/A",
            "配点",
            "平均点",
            "通し番号",
            "山口県評点",
            "全国平均",
            "目標Ⅰ",
            "ア",
            "1",
        ]
    ),
)


def edits(max_row: int, max_col: int):
    """Cell writes and merged ranges, in the coordinates of the unshifted sheet."""
    cell = st.tuples(st.integers(1, max_row), st.integers(1, max_col))
    write = st.tuples(st.just("set"), cell, values)
    merge = st.tuples(st.just("merge"), cell, st.tuples(st.integers(0, 2), st.integers(0, 2)))
    return st.lists(st.one_of(write, merge), max_size=4)


def _apply(source: bytes, changes, down: int, right: int, path: Path) -> set[int]:
    """Write the edited workbook; return the rows (unshifted numbering) whose cells an edit changed."""
    wb = openpyxl.load_workbook(io.BytesIO(source))
    ws = wb.active
    if down:
        ws.insert_rows(1, down)  # a title line or two added above the table
    if right:
        ws.insert_cols(1, right)  # a margin column or two on the left
    touched = set()
    for kind, (r, c), arg in changes:
        if kind == "set":
            target = ws.cell(r + down, c + right)
            if isinstance(target, MergedCell):
                continue  # a merged cell takes no value (as in Excel)
            target.value = arg
            touched.add(r)
        else:
            h, w = arg
            ws.merge_cells(start_row=r + down, start_column=c + right, end_row=r + down + h, end_column=c + right + w)
            touched |= set(range(r, r + h + 1))  # Excel keeps only the top-left value of a merged range
    wb.save(path)
    return touched


def _load(fn, path: Path):
    try:
        return fn(path)
    except GrantkitError as exc:
        assert path.name in str(exc), f"the message must name the file: {exc}"
        return None


# --- the seed-layout workbook (data/yamaguchi_scores.xlsx) -------------------------------------------------------

SEED = example_path("yamaguchi_scores.xlsx")
SEED_HEADER = set(range(1, 5))  # title, year and 評点 / 全国平均 headings
SEED_GROUP_II = 7  # the 「Ⅱ」 row that gives Ⅱ(1)…Ⅱ(9) their code and parent
SEED_LEAF_ROWS = {"Ⅰ": 5, "Ⅱ(1)": 8, "Ⅱ(2)①": 9, "Ⅱ(2)②": 10, **{f"Ⅱ({k})": 8 + k for k in range(3, 10)}, "Ⅲ": 20}


@pytest.fixture(scope="module")
def seed():
    return SEED.read_bytes(), read_scores(SEED).table.set_index(["fiscal_year", "entity", "indicator"])


def _seed_rows_that_matter(indicator: str) -> set[int]:
    row = SEED_LEAF_ROWS[indicator]
    if indicator.startswith("Ⅱ"):  # the group row and everything down to the leaf (a new group could start there)
        return SEED_HEADER | set(range(SEED_GROUP_II, row + 1))
    return SEED_HEADER | {row}


def test_seed_leaf_rows_are_where_the_test_thinks():
    ws = openpyxl.load_workbook(SEED).active
    labels = {ind: str(ws.cell(row, 1).value).strip() for ind, row in SEED_LEAF_ROWS.items()}
    assert labels["Ⅰ"] == "Ⅰ" and labels["Ⅱ(2)①"] == "(2)①" and labels["Ⅱ(9)"] == "(9)" and labels["Ⅲ"] == "Ⅲ"
    assert ws.cell(SEED_GROUP_II, 1).value == "Ⅱ"


@FUZZ
@given(changes=edits(26, 8), down=st.integers(0, 2), right=st.integers(0, 2))
def test_fuzzed_seed_workbook(tmp_path, seed, changes, down, right):
    source, base = seed
    path = tmp_path / "fuzz.xlsx"
    touched = _apply(source, changes, down, right, path)
    loaded = _load(read_scores, path)
    if loaded is None:
        return
    table, report = loaded.table, loaded.report
    assert report.rows_read == report.rows_kept + len(report.exclusions) == len(table)
    got = table.set_index(["fiscal_year", "entity", "indicator"])
    for key, want in base.iterrows():
        if touched & _seed_rows_that_matter(key[2]):
            continue
        assert key in got.index, f"{key} lost although no edit touched its rows"
        assert got.loc[key, ["score", "max_score"]].tolist() == want[["score", "max_score"]].tolist(), key


@pytest.mark.parametrize(("down", "right"), [(0, 1), (2, 0), (1, 2), (3, 3)])
def test_seed_workbook_with_a_shifted_table_reads_the_same(tmp_path, seed, down, right):
    source, base = seed
    path = tmp_path / "shifted.xlsx"
    _apply(source, [], down, right, path)
    assert read_scores(path).table.set_index(["fiscal_year", "entity", "indicator"]).equals(base)


# --- a national workbook (grantkit.testing, 8 municipalities and 2 広域連合, R7 layout) ---------------------------


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    path = national_workbook(
        tmp_path_factory.mktemp("national") / "r7.xlsx",
        "R7",
        "市町村",
        n_municipalities=8,
        n_unions=2,
        items_per_group=1,
    )
    ws = openpyxl.load_workbook(path).active
    rows = {
        str(ws.cell(r, 3).value).zfill(6): r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value).isdigit()
    }  # 通し番号 → the row of each 保険者番号
    base = load_mhlw(path)
    first_data = min(rows.values())
    return path.read_bytes(), base, rows, first_data, ws.max_row, ws.max_column


@FUZZ
@given(data=st.data(), down=st.integers(0, 2), right=st.integers(0, 2))
def test_fuzzed_national_workbook(tmp_path, national, data, down, right):
    source, base, rows, first_data, max_row, max_col = national
    changes = data.draw(edits(max_row + 1, max_col + 1))
    path = tmp_path / "fuzz.xlsx"
    touched = _apply(source, changes, down, right, path)
    loaded = _load(load_mhlw, path)
    if loaded is None:
        return
    report = loaded.report
    assert report.rows_read == report.rows_kept + len(report.exclusions)
    assert report.rows_kept == loaded.attributes["entity_code"].nunique()
    if any(r < first_data for r in touched):
        return  # a heading, 配点 or statistics row changed: every value may legitimately mean something else now
    got = loaded.scores.set_index(["entity_code", "grant", "indicator"])["score"]
    want = base.scores.set_index(["entity_code", "grant", "indicator"])["score"]
    for code, row in rows.items():
        if row in touched or code not in set(base.attributes["entity_code"]):
            continue
        mine = want.xs(code, level="entity_code", drop_level=False)
        assert got.reindex(mine.index).equals(mine), f"{code}: values changed although no edit touched row {row}"


def test_national_workbook_with_a_shifted_table_reads_the_same(tmp_path, national):
    source, base, *_ = national
    path = tmp_path / "shifted.xlsx"
    _apply(source, [], 2, 3, path)
    shifted = load_mhlw(path)
    assert shifted.scores.equals(base.scores)
    assert shifted.attributes.equals(base.attributes)
