"""The fast paths of the loaders give what the plain ones give: text normalised character by character, text
columns built once per distinct value, cached tables rebuilt by broadcasting, key codes combined without overflow,
and line numbers of CSVs whose lines end in CR."""

from __future__ import annotations

import json
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grantkit.errors import ValidationError
from grantkit.io import cache
from grantkit.io.csv import read_scores_csv
from grantkit.provenance import LoadReport, text_array, text_values
from grantkit.schema import Loaded
from grantkit.tables import combined_codes
from grantkit.text import _PROTECTED, normalize_text


def per_character(value: str) -> str:
    """The rule as written: NFKC of each character by itself, Roman numerals and circled numbers kept, white space
    folded."""
    s = "".join(ch if ch in _PROTECTED else unicodedata.normalize("NFKC", ch) for ch in value)
    return " ".join(s.split())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=20))
def test_normalize_text_is_nfkc_character_by_character(value):
    assert normalize_text(value) == per_character(value)


@pytest.mark.parametrize("value", ["ｶﾞｽ", "e\u0301", "Ⅱ（２）①", "　Ｒ１　（推進）　", "ＩＶ"])
def test_normalize_text_does_not_compose_across_characters(value):
    assert normalize_text(value) == per_character(value)


def test_text_array_equals_the_checked_constructor():
    values = text_values(["県", "市", None])
    codes = np.array([0, 1, 1, -1, 2, 0])
    built = pd.Series(text_array(values[codes]))
    plain = pd.Series(["県", "市", "市", None, None, "県"], dtype="str")
    pd.testing.assert_series_equal(built, plain)
    assert built.dtype == plain.dtype


def test_text_values_refuse_what_is_not_text():
    with pytest.raises(TypeError, match="int"):
        text_values(["a", 3])


def _grid(n_entities: int, n_items: int) -> pd.DataFrame:
    """A long table as a loader makes it: per-entity columns repeated, per-item columns tiled, one irregular."""
    entity = np.repeat([f"団体{i}" for i in range(n_entities)], n_items)
    item = np.tile([f"指標{k % 3}" for k in range(n_items)], n_entities)
    rng = np.random.default_rng(0)
    odd = rng.choice(np.array(["甲", "乙", None], dtype=object), n_entities * n_items)
    return pd.DataFrame(
        {
            "level": pd.array(["市町村"] * (n_entities * n_items), dtype="str"),
            "entity": pd.array(entity, dtype="str"),
            "indicator": pd.array(item, dtype="str"),
            "note": pd.array(odd, dtype="str"),
            "score": rng.random(n_entities * n_items),
            "max_score": np.tile([[10.0, np.nan, -0.0, 5.5, 1e-300][k % 5] for k in range(n_items)], n_entities),
            "year": np.full(n_entities * n_items, 2025),
        }
    )


def test_a_stored_table_comes_back_identical_with_its_repeats_noted(tmp_path):
    df = _grid(7, 5)
    info = cache._write_frame(df, tmp_path / "0.parquet")
    shapes = info["shapes"]
    assert shapes["level"] == ["repeat", 35, ["市町村"]]
    assert shapes["entity"] == ["repeat", 5, [f"団体{i}" for i in range(7)]]
    assert shapes["indicator"] == ["tile", 5, ["指標0", "指標1", "指標2", "指標0", "指標1"]]
    assert shapes["max_score"][:2] == ["tile", 5] and shapes["year"] == ["repeat", 35, [2025]]
    assert "note" not in shapes and "score" not in shapes
    back = cache._read_frame(tmp_path / "0.parquet", info)
    pd.testing.assert_frame_equal(back, df, check_exact=True)
    assert back["max_score"].to_numpy().tobytes() == df["max_score"].to_numpy().tobytes()  # NaN and -0.0 too
    assert [repr(t) for t in back.dtypes] == [repr(t) for t in df.dtypes]


def test_a_repeated_block_that_does_not_fit_the_table_is_not_trusted(tmp_path):
    df = _grid(4, 6)
    info = cache._write_frame(df, tmp_path / "0.parquet")
    wrong = json.loads(json.dumps(info))
    wrong["shapes"]["entity"][:2] = ["tile", 6]
    with pytest.raises(ValueError, match="does not fit"):
        cache._read_frame(tmp_path / "0.parquet", wrong)


def test_an_edited_manifest_is_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    source = tmp_path / "a.txt"
    source.write_text("a")
    first = cache.cached(lambda: Loaded({"scores": _grid(3, 4)}, LoadReport("a.txt")), source, "test", {})
    (manifest,) = (tmp_path / "cache").glob("*/manifest.json")
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("団体1", "団体9"), encoding="utf-8")  # still valid JSON, one cell changed
    again = cache.cached(lambda: Loaded({"scores": _grid(3, 4)}, LoadReport("a.txt")), source, "test", {})
    pd.testing.assert_frame_equal(again.table, first.table)
    assert "団体9" not in manifest.read_text(encoding="utf-8")  # read afresh and written again


def test_key_codes_combine_without_overflow():
    rng = np.random.default_rng(1)
    columns = [rng.integers(0, 2**20, 5_000) for _ in range(5)]  # the product of widths is far beyond int64
    columns[3][:2500] = columns[3][2500:]  # some combinations repeat
    for c in columns[:3] + columns[4:]:
        c[:2500] = c[2500:]
    joint = combined_codes(columns)
    expected = (
        pd.DataFrame({str(k): c for k, c in enumerate(columns)})
        .groupby([str(k) for k in range(5)], sort=False)
        .ngroup()
    )
    assert joint.tolist() == expected.tolist()


def test_line_numbers_of_a_csv_with_lone_cr_line_ends(tmp_path):
    header = "fiscal_year,level,grant,entity_code,entity,indicator,indicator_name,parent,score,max_score"
    rows = ["R1,都道府県,推進,35,山口県,Ⅱ(1),a,Ⅱ,7,10", "R1,都道府県,推進,35,山口県,Ⅱ(2),b,Ⅱ,x,10"]
    path = tmp_path / "cr.csv"
    path.write_bytes("\r".join([header, *rows]).encode())
    with pytest.raises(ValidationError) as err:
        read_scores_csv(path)
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "score")]
