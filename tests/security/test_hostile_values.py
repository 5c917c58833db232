"""Hostile or broken values: fuzzed CSV cells never escape as non-grantkit errors or change valid values."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grantkit import GrantkitError, read_scores
from grantkit.schema import REQUIRED

HEADER = list(REQUIRED)  # the tidy format's columns
VALID = ["R1", "都道府県", "推進", "35", "山口県", "Ⅰ", "指標", "", "94", "106"]
cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["=1+1", "－", "1,234", "R1", "令和元年度", "\u3000", "NaN", "-5", "1e309", "０", "@x", "\ufeff"]),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=True).map(str),
)


def _write(path, rows, header=HEADER):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(broken=st.lists(st.lists(cell, min_size=10, max_size=10), max_size=4), shift=st.integers(0, 2))
def test_fuzzed_csv_only_raises_grantkit_errors_and_keeps_valid_rows(tmp_path, broken, shift):
    path = tmp_path / "fuzz.csv"
    header = HEADER if shift == 0 else ([""] * shift + HEADER)[: len(HEADER)]
    _write(path, [VALID, *broken], header)
    try:
        loaded = read_scores(path)
    except GrantkitError:
        return
    table, report = loaded.table, loaded.report
    assert report.rows_read == report.rows_kept + len(report.exclusions) == len(table)
    first = table.iloc[0]
    assert (first.fiscal_year, first.entity_code, first.indicator, first.score, first.max_score) == (
        2019,
        "35",
        "Ⅰ",
        94.0,
        106.0,
    )
