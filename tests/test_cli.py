"""The ``grantkit report`` command line: arguments, defaults, exit codes and the errors a person can act on.

The notebook itself is not run here (tests/test_report.py does that); ``run_report`` is replaced where only
the argument handling is under test.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from grantkit.cli import build_parser, main
from grantkit.examples import example_path
from grantkit.report import prefecture as report


@pytest.fixture
def calls(monkeypatch, tmp_path):
    """Record what ``main`` asks ``run_report`` for, without running a kernel."""
    seen: list[dict] = []

    def fake(**kwargs):
        seen.append(kwargs)
        return tmp_path / "done"

    monkeypatch.setattr(report, "run_report", fake)
    return seen


def test_bundled_defaults(calls, capsys):
    assert main(["report", "--entity", "山口県", "--base", "H30", "--target", "R1"]) == 0
    (kw,) = calls
    assert (kw["entity"], kw["base"], kw["target"]) == ("山口県", "H30", "R1")
    assert str(kw["out"]) == "reports"
    for key, name in [
        ("data", "yamaguchi_scores.csv"),
        ("utilization", "utilization_yamaguchi.csv"),
        ("projects", "projects_yamaguchi.csv"),
        ("budgets", "budgets.csv"),
    ]:
        assert kw[key] == str(example_path(name)), key
    assert capsys.readouterr().out.strip().endswith("done")  # the folder is printed on stdout


def test_own_data_does_not_borrow_the_bundled_utilisation(calls, tmp_path):
    """With --data, the bundled 山口県 utilisation and projects would describe another entity: leave them out."""
    assert (
        main(
            [
                "report",
                "--entity",
                "広島県",
                "--base",
                "R1",
                "--target",
                "R2",
                "--data",
                "x.csv",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    (kw,) = calls
    assert kw["data"] == "x.csv" and kw["utilization"] is None and kw["projects"] is None
    assert kw["budgets"] == str(example_path("budgets.csv"))  # the national budgets still apply


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["report", "--entity", "山口県"], "--base と --target"),
        (["report", "--entity", "山口県", "--base", "H30", "--target", "R1", "--year", "R1"], "--base と --target"),
        (["report", "--level", "市町村", "--entity", "つばきの森市"], "--year を指定"),
        (["report", "--level", "市町村", "--entity", "つばきの森市", "--year", "R7", "--base", "R6"], "--year を指定"),
        (
            ["report", "--level", "市町村", "--entity", "つばきの森市", "--year", "R7", "--projects", "p.csv"],
            "都道府県の報告書の指定",
        ),
        (
            ["report", "--entity", "山口県", "--base", "H30", "--target", "R1", "--data", "a.csv", "--data", "b.csv"],
            "--data は1つ",
        ),
        (["report", "--level", "県", "--entity", "山口県"], "--level"),
        (["report"], "--entity"),
    ],
)
def test_argument_combinations_refused_with_an_example(argv, expected, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "エラー: コマンドの指定が正しくありません" in err and expected in err, err
    assert "例: grantkit report --entity 山口県 --base H30 --target R1" in err
    assert "grantkit report --level 市町村" in err
    with pytest.raises(SystemExit):
        build_parser().parse_args([])


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--entity", "広島県", "--base", "H30", "--target", "R1"], "ある団体: 山口県"),
        (["--entity", "山口県", "--base", "H30", "--target", "R3"], "ある年度: 平成30年度、令和元年度"),
        (["--entity", "山口県", "--base", "X1", "--target", "R1"], "年度として読めません"),
        (["--entity", "山口県", "--base", "R1", "--target", "令和元年度"], "基準年度と比較年度が同じです"),
        (
            ["--entity", "山口県", "--base", "R1", "--target", "H30"],
            "--base H30 --target R1 のように前の年度を基準年度に",
        ),
        (["--entity", "山口県", "--base", "H30", "--target", "R1", "--data", "missing.csv"], "missing.csv"),
    ],
)
def test_errors_say_what_exists_and_write_nothing(argv, expected, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "reports"
    assert main(["report", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "エラー: " in err and expected in err, err
    assert "Traceback" not in err
    assert not out.exists() or list(out.iterdir()) == []


def _make_command(target: str, *variables: str) -> list[str]:
    """The ``grantkit`` command ``make`` would run for ``target`` (expanded by make itself; the venv is not rebuilt).

    The report targets make a stamp file (so nothing is redone when nothing changed); FORCE=1 makes make print the
    stamp's recipe, whose grantkit line (continued with backslashes) writes the report folder into the stamp."""
    stamp_var = {"report-prefecture": "PREFECTURE_STAMP", "report-municipal": "MUNICIPAL_STAMP"}[target]
    stamp = subprocess.run(
        ["make", "-s", "--eval", f"print-stamp: ; @echo '$({stamp_var})'", "print-stamp", *variables],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    ).stdout.strip()
    dry = subprocess.run(
        ["make", "-s", "-n", "-o", ".venv/.installed-stamp", "FORCE=1", stamp, *variables],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    line = next(x for x in dry.stdout.replace("\\\n", " ").splitlines() if "/grantkit report" in x)
    words = shlex.split(line)
    return words[1 : words.index(">")]  # the arguments, without the program and the redirection into the stamp


def test_makefile_report_lines_are_valid_commands(calls, monkeypatch, tmp_path):
    """`make report` builds both bundled examples; each line must be a command the CLI accepts."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^report: report-prefecture report-municipal$", makefile, flags=re.M)
    args = build_parser().parse_args(_make_command("report-prefecture"))
    assert (args.level, args.entity, args.base, args.target) == ("都道府県", "山口県", "H30", "R1")
    assert (args.data, args.utilization, args.grant) == (None, None, None)  # the bundled example
    own = build_parser().parse_args(
        _make_command(
            "report-prefecture", "DATA=自分の 得点.csv", "UTILIZATION=u.csv", "GRANT=支援", "BASE=R1", "TARGET=R2"
        )
    )
    assert (own.data, own.utilization, own.projects, own.grant, own.base) == (
        ["自分の 得点.csv"],
        "u.csv",
        None,
        "支援",
        "R1",
    )
    seen = []
    monkeypatch.setattr("grantkit.report.municipal.run_municipal_report", lambda **kw: seen.append(kw) or tmp_path)
    assert main(_make_command("report-municipal")) == 0
    (kw,) = seen
    assert (kw["entity"], kw["year"]) == ("つばきの森市", "R7")
    assert [p.rsplit("/", 1)[-1] for p in kw["data"]] == ["mhlw_sample_R6.xlsx", "mhlw_sample_R7.xlsx"]
    assert kw["budgets"].endswith("budgets_synthetic.csv")


def test_console_script_help_is_japanese():
    result = subprocess.run(
        [sys.executable, "-m", "grantkit.cli", "report", "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    assert "基準年度" in result.stdout and "--out" in result.stdout


def test_the_command_ends_with_main_s_status_and_all_its_output(tmp_path):
    """``grantkit`` (``cli.command``) leaves without tearing down its tables: the folder printed, the files in
    place, status 0; an input problem still gives its one line and status 2."""
    run = [sys.executable, "-m", "grantkit.cli", "report", "--level", "市町村", "--year", "R7", "--out", str(tmp_path)]
    ok = subprocess.run([*run, "--entity", "つばきの森市"], capture_output=True, text=True, encoding="utf-8")
    assert ok.returncode == 0, ok.stderr
    folder = Path(ok.stdout.strip())
    assert folder.parent == tmp_path and "完了: " in ok.stderr
    assert {"報告書.html", "報告書.ipynb", "表.xlsx"} <= {p.name for p in folder.iterdir()}
    assert len(list(folder.glob("*.svg"))) == len(list(folder.glob("*.png"))) >= 5
    bad = subprocess.run([*run, "--entity", "架空町"], capture_output=True, text=True, encoding="utf-8")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().splitlines()[-1].startswith("エラー: 団体「架空町」はデータにありません")


def test_an_output_that_cannot_be_a_folder_is_a_clear_error(tmp_path, capsys):
    a_file = tmp_path / "report.txt"
    a_file.write_text("mine", encoding="utf-8")
    assert main(["report", "--entity", "山口県", "--base", "H30", "--target", "R1", "--out", str(a_file)]) == 2
    assert "はファイルです。報告書を書き出すフォルダを --out に指定してください" in capsys.readouterr().err
    assert a_file.read_text(encoding="utf-8") == "mine"
    blocked = a_file / "below"  # a folder under a file: the OS refuses, the user reads why
    assert main(["report", "--entity", "山口県", "--base", "H30", "--target", "R1", "--out", str(blocked)]) == 2
    err = capsys.readouterr().err
    assert "書き込めません" in err and "Traceback" not in err
