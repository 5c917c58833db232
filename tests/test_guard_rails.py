"""The guard rails of ``make test``: the import-linter stage contract, and ruff's lint and format check.

The stage contract (``[tool.importlinter]`` in pyproject.toml) must hold, and ruff (``[tool.ruff]``: line length
120, rules E F W I UP B) must find nothing to report or reformat; ``make test`` runs them through these tests and
``make lint`` runs the same tools directly. The public
names (``grantkit.__all__`` and the ``__all__`` of the subpackages plot, present, report, testing) are checked
against the README's API section.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

BIN = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which(tool, path=str(BIN)) or shutil.which(tool)
    if exe is None:
        pytest.fail(f"{tool} is not installed: pip install -e '.[test]'")
    env = os.environ | {"PYTHONPATH": str(REPO)}
    return subprocess.run([exe, *args], cwd=REPO, env=env, capture_output=True, text=True)


def test_no_module_imports_from_a_later_stage():
    run = _run("lint-imports")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout


@pytest.mark.parametrize("command", [("check", "."), ("format", "--check", ".")], ids=["check", "format"])
def test_ruff(command):
    run = _run("ruff", *command)
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr


MAX_PUBLIC_NAMES = 40


def _readme_api_names() -> set[str]:
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 公開 API", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`(?:grantkit\.)?([A-Za-z_][\w.]*)", section))


def test_public_names_are_few_and_each_is_in_the_readme():
    import grantkit

    assert len(grantkit.__all__) <= MAX_PUBLIC_NAMES
    assert sorted(set(grantkit.__all__) - _readme_api_names()) == []


@pytest.mark.parametrize("subpackage", ["plot", "present", "report", "testing"])
def test_each_subpackage_name_resolves_and_is_in_the_readme(subpackage):
    import grantkit

    module = getattr(grantkit, subpackage)  # an attribute of grantkit, imported on first use
    names = set(module.__all__)
    assert all(getattr(module, name, None) is not None for name in names)
    assert sorted(f"{subpackage}.{name}" for name in names if f"{subpackage}.{name}" not in _readme_api_names()) == []


def test_every_public_name_resolves():
    import grantkit

    assert [name for name in grantkit.__all__ if getattr(grantkit, name, None) is None] == []


def test_readme_api_section_is_found():
    assert {"load_scores", "score_rates", "run_report"} <= _readme_api_names()
