"""Columns of repeated string objects (grantkit.repeats): stacking year tables a block at a time gives exactly
what ``pd.concat`` gives (the same values, dtypes and even the same objects in every cell), for columns that
tile a block, repeat each value over runs, or neither."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grantkit.examples import example_path
from grantkit.io.mhlw import load_mhlw
from grantkit.provenance import text_array, text_values
from grantkit.repeats import repeated_block, stack_tables

WORDS = text_values(["推進", "支援", "目標Ⅰ", "目標Ⅱ", "甲町", "乙村", None])  # index -1: a missing cell


def _column(pattern: str, rows: int, k: int, draw_codes: list[int]) -> pd.api.extensions.ExtensionArray:
    """A text column of ``rows`` cells made from a few string objects, as a loader makes them."""
    block = np.array(draw_codes[:k] or [0])
    if pattern == "tile":
        codes = np.tile(block, -(-rows // len(block)))[:rows]
    elif pattern == "repeat":
        codes = np.repeat(block, max(1, -(-rows // len(block))))[:rows]
    else:
        codes = np.resize(np.array(draw_codes or [0]), rows)
    return text_array(WORDS[codes])


@st.composite
def tables(draw):
    rows = draw(st.integers(0, 40))
    columns = {}
    for name in ("a", "b", "c"):
        pattern = draw(st.sampled_from(["tile", "repeat", "mixed"]))
        k = draw(st.integers(1, 6))
        codes = draw(st.lists(st.integers(-1, len(WORDS) - 2), min_size=1, max_size=12))
        columns[name] = _column(pattern, rows, k, codes)
    columns["score"] = np.arange(rows, dtype=float)
    return pd.DataFrame(columns)


def _same_objects(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return all(all(x is y for x, y in zip(a[c].array._ndarray, b[c].array._ndarray)) for c in a.columns if c != "score")


@settings(max_examples=200, deadline=None)
@given(st.lists(tables(), min_size=1, max_size=3))
def test_stacking_is_pandas_concat(frames):
    stacked, concat = stack_tables(frames), pd.concat(frames, ignore_index=True)
    pd.testing.assert_frame_equal(stacked, concat, check_exact=True)
    assert _same_objects(stacked, concat)


def test_a_column_described_by_its_block_is_rebuilt_from_it():
    column = pd.Series(text_array(WORDS[np.array([4, 4, 5, 5, 4, 4])]))
    kind, k, block = repeated_block(column)
    assert (kind, k, block.tolist()) == ("repeat", 2, ["甲町", "乙村", "甲町"])
    tiled = pd.Series(text_array(WORDS[np.array([0, 1, 2] * 3)]))
    assert repeated_block(tiled)[:2] == ("tile", 3)
    merged = pd.Series(text_array(WORDS[np.array([4, 4, 4, 4, 5, 5])]))  # two entities of one name, then another
    assert repeated_block(merged) is None
    assert repeated_block(pd.Series([1, 1, 2])) is None  # not Python strings
    frames = [pd.DataFrame({"e": merged}), pd.DataFrame({"e": column})]
    pd.testing.assert_frame_equal(stack_tables(frames), pd.concat(frames, ignore_index=True), check_exact=True)


def test_tables_that_differ_are_left_to_pandas():
    a = pd.DataFrame({"x": text_array(WORDS[np.array([0, 0])]), "n": [1, 2]})
    b = pd.DataFrame({"n": [3], "x": text_array(WORDS[np.array([1])])})
    c = a.astype({"n": "float64"})
    for frames in ([a, b], [a, c], []):
        if not frames:
            with pytest.raises(ValueError):  # as pd.concat: nothing to stack
                stack_tables(frames)
            continue
        pd.testing.assert_frame_equal(stack_tables(frames), pd.concat(frames, ignore_index=True), check_exact=True)


def test_two_years_of_the_sample_workbooks_stack_as_pandas_does():
    years = [load_mhlw(example_path(f"mhlw_sample_{y}.xlsx"), level="市町村", cache=False).scores for y in ("R6", "R7")]
    shapes = {c: repeated_block(years[1][c]) for c in years[1].columns}
    assert shapes["entity_code"][0] == "repeat" and shapes["indicator"][0] == "tile"  # the fast path is taken
    stacked, concat = stack_tables(years), pd.concat(years, ignore_index=True)
    pd.testing.assert_frame_equal(stacked, concat, check_exact=True)
    assert stacked.dtypes.equals(concat.dtypes) and len(stacked) == sum(map(len, years))


def test_another_string_storage_is_left_to_pandas():
    """Tables of Python strings stacked while pandas' option asks for Arrow strings keep their own storage."""
    frames = [pd.DataFrame({"x": text_array(WORDS[np.array([0, 0, 1, 1])]), "n": range(4)}) for _ in range(2)]
    with pd.option_context("mode.string_storage", "pyarrow"):
        stacked, concat = stack_tables(frames), pd.concat(frames, ignore_index=True)
    assert stacked["x"].dtype.storage == "python"
    pd.testing.assert_frame_equal(stacked, concat, check_exact=True)
