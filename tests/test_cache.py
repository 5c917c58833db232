"""The cache of parsed files: a hit gives what a fresh read gives, a damaged entry is never trusted, any change to
the file or the options is a fresh read, and the switches turn it off."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pandas as pd
import pytest

from grantkit import example_path
from grantkit.io import cache, read_scores
from grantkit.io.mhlw import load_mhlw
from grantkit.testing.synthetic import national_workbook


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_DIR, str(folder))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    return folder


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    return national_workbook(tmp_path_factory.mktemp("wb") / "r6.xlsx", "R6", "市町村", n_municipalities=40)


def assert_same(fresh: object, hit: object) -> None:
    """Field by field: tables with the same values, dtypes (string storage too), index and attrs; the rest equal."""
    assert type(fresh) is type(hit)
    for f in dataclasses.fields(fresh):
        a, b = getattr(fresh, f.name), getattr(hit, f.name)
        if isinstance(a, dict) and any(isinstance(v, pd.DataFrame) for v in a.values()):  # a loader's tables
            assert list(a) == list(b), f.name
            for name in a:
                assert_same_frame(a[name], b[name], name)
        elif isinstance(a, pd.DataFrame):
            assert_same_frame(a, b, f.name)
        else:
            assert a == b, f.name


def assert_same_frame(a: pd.DataFrame, b: pd.DataFrame, name: str) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert [repr(t) for t in a.dtypes] == [repr(t) for t in b.dtypes], name
    assert [getattr(t, "storage", None) for t in a.dtypes] == [getattr(t, "storage", None) for t in b.dtypes]
    assert a.attrs == b.attrs


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")) if folder.exists() else []


def test_a_hit_equals_a_fresh_read_of_a_national_workbook(store, workbook):
    fresh = load_mhlw(workbook, cache=False)
    assert entries(store) == []
    first = load_mhlw(workbook)  # parsed and stored
    assert len(entries(store)) == 1
    hit = load_mhlw(workbook)
    assert_same(fresh, first)
    assert_same(fresh, hit)
    assert hit.report.exclusions and hit.report.exclusions == fresh.report.exclusions  # nested Problems come back
    assert hit.amounts is not None and hit.fictitious


@pytest.mark.parametrize("name", ["yamaguchi_scores.csv", "yamaguchi_scores.xlsx"])
def test_a_hit_equals_a_fresh_read_of_a_score_table(store, name):
    fresh = read_scores(example_path(name), cache=False)
    read_scores(example_path(name))
    hit = read_scores(example_path(name))
    assert len(entries(store)) == 1
    assert_same(fresh, hit)
    assert_same(fresh.report, hit.report)


def test_the_tables_of_a_hit_take_writes_as_fresh_ones_do(store, workbook):
    load_mhlw(workbook)
    hit = load_mhlw(workbook)
    for name in ("scores", "attributes", "statistics"):
        table = getattr(hit, name)
        numbers = [c for c in table.columns if table[c].dtype == "float64"]
        table.loc[table.index[0], numbers[0]] = 1.5
        table.loc[table.index[0], "level"] = "都道府県"
        assert table[numbers[0]].iloc[0] == 1.5 and table["level"].iloc[0] == "都道府県"


def test_a_hit_does_not_parse(store, workbook, monkeypatch):
    load_mhlw(workbook)
    from grantkit.io import mhlw

    monkeypatch.setattr(mhlw, "read_mhlw", lambda *a, **k: pytest.fail("parsed although cached"))
    assert load_mhlw(workbook).report.rows_kept == 40


@pytest.mark.parametrize("damage", ["truncate", "flip", "manifest", "missing"])
def test_a_damaged_entry_is_ignored_and_rewritten(store, workbook, damage):
    fresh = load_mhlw(workbook, cache=False)
    load_mhlw(workbook)
    (entry,) = entries(store)
    table = entry / "0.parquet"
    data = table.read_bytes()
    if damage == "truncate":
        table.write_bytes(data[: len(data) // 2])
    elif damage == "flip":  # same size, one byte changed inside the data pages
        i = len(data) // 3
        table.write_bytes(data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1 :])
    elif damage == "manifest":
        (entry / "manifest.json").write_text("{", encoding="utf-8")
    else:
        table.unlink()
    assert_same(fresh, load_mhlw(workbook))
    assert (entry / "0.parquet").read_bytes() != b"" and (entry / "manifest.json").exists()  # written again
    assert_same(fresh, load_mhlw(workbook))


def test_another_file_option_or_code_is_a_fresh_read(store, workbook, tmp_path, monkeypatch):
    load_mhlw(workbook)
    load_mhlw(workbook, strict=False)
    assert len(entries(store)) == 2
    copy = tmp_path / "copy.xlsx"  # same bytes, another name: the load report names the file
    copy.write_bytes(workbook.read_bytes())
    assert load_mhlw(copy).report.source == "copy.xlsx"
    assert len(entries(store)) == 3
    other = national_workbook(tmp_path / "r6b.xlsx", "R6", "市町村", n_municipalities=41)
    assert load_mhlw(other).report.rows_kept == 41
    monkeypatch.setattr(cache, "code_digest", lambda: "another grantkit or layout")
    load_mhlw(workbook)
    assert len(entries(store)) == 5


def test_every_layout_file_is_in_the_key(tmp_path, monkeypatch):
    """A layout file added or changed (by hand or by a new year) changes the key."""
    package = tmp_path / "grantkit"
    (package / "io" / "layouts").mkdir(parents=True)
    (package / "x.py").write_text("pass\n", encoding="utf-8")
    (package / "io" / "layouts" / "a.csv").write_text("k,v\n", encoding="utf-8")
    monkeypatch.setattr(cache, "_PACKAGE", package)
    digests = []
    for step in ("start", "new file", "edit"):
        if step == "new file":
            (package / "io" / "layouts" / "b.csv").write_text("k,v\n", encoding="utf-8")
        if step == "edit":
            (package / "io" / "layouts" / "a.csv").write_text("k,w\n", encoding="utf-8")
        cache.code_digest.cache_clear()
        digests.append(cache.code_digest())
    cache.code_digest.cache_clear()
    assert len(set(digests)) == 3


def test_switched_off_by_the_environment(store, workbook, monkeypatch):
    monkeypatch.setenv(cache.ENV_OFF, "1")
    load_mhlw(workbook)
    assert entries(store) == []


def test_a_run_without_the_cache_shares_a_temporary_one_and_keeps_nothing(store, workbook, monkeypatch):
    monkeypatch.setenv(cache.ENV_OFF, "1")
    with cache.run_cache() as folder:
        assert folder is not None and os.environ[cache.ENV_DIR] == str(folder) and cache.cache_enabled()
        load_mhlw(workbook)
        assert len(entries(folder)) == 1  # what the report's kernel (same environment) reads again
    assert not folder.exists()
    assert os.environ[cache.ENV_OFF] == "1" and os.environ[cache.ENV_DIR] == str(store)
    monkeypatch.delenv(cache.ENV_OFF)
    with cache.run_cache(disabled=False) as none:  # the user's cache is on: nothing to set up
        assert none is None and os.environ[cache.ENV_DIR] == str(store)
    with cache.run_cache(disabled=True) as folder:  # --no-cache
        assert folder is not None and os.environ[cache.ENV_DIR] == str(folder)


def test_an_unwritable_cache_never_fails_the_load(tmp_path, monkeypatch, workbook):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(cache.ENV_DIR, str(blocker / "cache"))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    assert load_mhlw(workbook).report.rows_kept == 40


def test_clear_cache(store, workbook):
    load_mhlw(workbook)
    assert cache.clear_cache() == 1 and entries(store) == []


def test_cli_has_no_cache_flag():
    from grantkit.cli import build_parser

    args = build_parser().parse_args(["report", "--entity", "x", "--year", "R7", "--level", "市町村", "--no-cache"])
    assert args.no_cache is True


def test_entries_unused_for_long_are_removed_when_another_is_written(store, workbook, tmp_path):
    load_mhlw(workbook)
    (old,) = entries(store)
    long_ago = old.stat().st_mtime - (cache.KEEP_DAYS + 1) * 86_400
    os.utime(old, (long_ago, long_ago))
    load_mhlw(workbook, strict=False)  # another entry is written
    assert old not in entries(store) and len(entries(store)) == 1
    load_mhlw(workbook, strict=False)
    os.utime(entries(store)[0], (long_ago, long_ago))
    load_mhlw(workbook, strict=False)  # a hit marks the entry as used
    assert entries(store)[0].stat().st_mtime > long_ago


def test_the_report_kernel_reads_what_the_command_parsed(store, workbook, monkeypatch):
    """The command validates with load_municipal_data / load_scores; the notebook's own calls (same functions, same
    arguments, same environment) then come from the cache: each file is parsed once per report."""
    from grantkit import example_path
    from grantkit.io import mhlw
    from grantkit.report.municipal import load_municipal_data
    from grantkit.report.prefecture import load_report_data

    load_municipal_data([workbook])  # run_municipal_report, before the kernel starts
    read_scores(example_path("yamaguchi_scores.csv"))  # run_report: load_scores
    import grantkit.io as gio

    monkeypatch.setattr(mhlw, "read_mhlw", lambda *a, **k: pytest.fail("the workbook was parsed again"))
    monkeypatch.setattr(gio, "_read_scores", lambda *a, **k: pytest.fail("the score table was parsed again"))
    assert load_municipal_data([workbook]).years == [2024]  # notebook 05
    assert len(load_report_data(example_path("yamaguchi_scores.csv")).scores)  # report.ipynb
