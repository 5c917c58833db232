"""The package installed from a wheel (not from the clone) carries its templates and data and writes a report.

The wheel is built once (``pip wheel --no-deps``, ~5 s) and unpacked into a folder, which is what a non-editable
``pip install .`` puts in site-packages. The report then runs with only that folder on ``PYTHONPATH`` (the
dependencies come from the test environment), from an empty working folder. A full fresh virtual environment
(``python -m venv`` + ``pip install '.[report]'``) took 39 s here and needs every dependency from the package
index; it checks nothing more about grantkit, so it is left to the release check in the README.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

SHIPPED = ("data", "report/templates")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("grantkit-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    return site


@pytest.mark.parametrize("folder", SHIPPED)
def test_wheel_ships_every_template_and_data_file(wheel, folder):
    in_repo = {p.name for p in (REPO / "grantkit" / folder).iterdir() if p.is_file() and p.name != "__init__.py"}
    with zipfile.ZipFile(wheel) as z:
        shipped = {Path(n).name for n in z.namelist() if n.startswith(f"grantkit/{folder}/")}
    assert in_repo and in_repo <= shipped
    if folder == "report/templates":
        assert {"report.ipynb", "municipal_report.ipynb", "report.css"} <= shipped
    else:
        assert {"yamaguchi_scores.csv", "yamaguchi_scores.xlsx", "budgets.csv", "SOURCES.md"} <= shipped


def test_installed_package_writes_the_report_from_an_empty_folder(installed, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    env = os.environ | {"PYTHONPATH": str(installed)}
    where = subprocess.run(
        [sys.executable, "-c", "import grantkit; print(grantkit.__file__)"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(where.strip()).is_relative_to(installed)  # not the clone's grantkit
    run = subprocess.run(
        [sys.executable, "-m", "grantkit.cli", "report", "--entity", "山口県", "--base", "H30", "--target", "R1"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    folder = empty / "reports" / "山口県_H30-R1"
    assert {"報告書.html", "報告書.ipynb", "表.xlsx"} <= {p.name for p in folder.iterdir()}
    assert len(list(folder.glob("*.png"))) == 5
    assert "山口県" in (folder / "報告書.html").read_text(encoding="utf-8")
