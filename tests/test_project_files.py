"""The set-up files agree with each other: pyproject is the one source of dependencies."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_is_thin_and_agrees_with_pyproject():
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert sorted(_name(d) for d in conda) == ["pip", "python"], "environment.yml must only pin python and pip"
    python = next(d for d in conda if d.startswith("python"))
    minimum = PYPROJECT["project"]["requires-python"].removeprefix(">=")
    assert python.split("=")[-1] >= minimum
    (entries,) = [p["pip"] for p in pip]
    extras = PYPROJECT["project"]["optional-dependencies"]
    for entry in entries:
        m = re.fullmatch(r"-e \.\[([\w,]+)\]", entry)
        assert m, f"environment.yml pip entry {entry!r} must install this project from pyproject"
        for extra in m.group(1).split(","):
            assert extra in extras


def test_core_dependencies_named_by_the_mission_are_declared():
    declared = {_name(d) for d in PYPROJECT["project"]["dependencies"]}
    for extra in PYPROJECT["project"]["optional-dependencies"].values():
        declared |= {_name(d) for d in extra}
    for pkg in [
        "pandas",
        "matplotlib",
        "matplotlib-fontja",
        "openpyxl",
        "defusedxml",
        "python-calamine",
        "pandera",
        "jupyterlab",
        "nbval",
        "papermill",
        "nbconvert",
        "pytest",
        "hypothesis",
    ]:
        assert pkg in declared, pkg
    core = {_name(d) for d in PYPROJECT["project"]["dependencies"]}
    assert "defusedxml" in core, "defusedxml is a hard dependency"


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make report", "make test"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for target in ("report", "test", "lab", "bench"):
        assert re.search(rf"^{target}:", makefile, re.M), target


def test_license_is_an_spdx_string_with_a_setuptools_that_reads_it():
    # a TOML table (license = { text = ... }) makes setuptools warn on every install; SPDX strings need >= 77
    assert PYPROJECT["project"]["license"] == "MIT"
    requires = " ".join(PYPROJECT["build-system"]["requires"])
    assert int(re.search(r"setuptools>=(\d+)", requires).group(1)) >= 77


def test_first_run_says_what_it_does_and_lab_takes_options():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    install = makefile[makefile.index("$(STAMP): pyproject.toml") : makefile.index("setup: $(STAMP)")]
    assert "初回のみ環境を準備しています" in install.splitlines()[1]  # said before the silent install
    assert re.search(r"^\t\$\(BIN\)/jupyter lab \$\(LAB_ARGS\)$", makefile, re.M)
