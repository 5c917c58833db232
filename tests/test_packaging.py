"""The package installed from a wheel (not from the clone) carries its templates and data and writes a report.

The wheel is built once (``pip wheel --no-deps``, ~5 s) and unpacked into a folder, which is what a non-editable
``pip install .`` puts in site-packages. The report then runs with only that folder on ``PYTHONPATH``, from an empty
working folder, and may import only what a plain ``pip install .`` brings: the wheel's core ``Requires-Dist`` (no
extra) and their own dependencies, found from the installed distributions' metadata; any other third-party import
fails as if the package were not installed. (A fresh virtual environment with ``pip install .`` checks the same
with the package index; it took 16 s here.)
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
    env = os.environ | {"PYTHONPATH": str(installed), "GRANTKIT_ALLOWED_DISTS": ",".join(_core_closure(installed))}
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
        [sys.executable, "-c", _ONLY_CORE, "report", "--entity", "山口県", "--base", "H30", "--target", "R1"],
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


# Runs grantkit's command with every third-party import outside GRANTKIT_ALLOWED_DISTS refused.
_ONLY_CORE = """
import importlib.abc, importlib.metadata as md, os, re, sys
allowed = set(os.environ["GRANTKIT_ALLOWED_DISTS"].split(","))
owners = md.packages_distributions()
def norm(name): return re.sub(r"[-_.]+", "-", name).lower()
class OnlyCore(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        dists = {norm(d) for d in owners.get(top, ())}
        if top != "grantkit" and dists and not dists & allowed:
            raise ModuleNotFoundError(f"{top} is not a dependency of a plain pip install ({sorted(dists)})", name=top)
        return None
sys.meta_path.insert(0, OnlyCore())
from grantkit.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _core_closure(site: Path) -> set[str]:
    """The distributions a plain ``pip install`` of the unpacked wheel brings: its ``Requires-Dist`` without an
    extra, then theirs, transitively (markers evaluated for this interpreter, extras of dependencies ignored)."""
    import importlib.metadata as md
    import re

    from packaging.requirements import Requirement

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    (meta,) = md.distributions(path=[str(site)])
    todo = [r for r in meta.requires or [] if not Requirement(r).marker or Requirement(r).marker.evaluate()]
    found: set[str] = set()
    while todo:
        req = Requirement(todo.pop())
        name = norm(req.name)
        if name in found:
            continue
        found.add(name)
        try:
            requires = md.requires(req.name) or []
        except md.PackageNotFoundError:
            continue  # not installed here: the report cannot import it either
        todo += [r for r in requires if not Requirement(r).marker or Requirement(r).marker.evaluate({"extra": ""})]
    return found
