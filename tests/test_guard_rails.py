"""The guard rails of ``make test``: the import-linter stage contract, and ruff's lint and format check.

The stage contract (``[tool.importlinter]`` in pyproject.toml) holds now and is enforced. ruff is configured
(``[tool.ruff]``: line length 120, rules E F W I UP B) but the tree is formatted once, after the branches are
merged; set ``RUFF_ENFORCED = True`` then (and add ``lint`` to the Makefile's ``test`` target).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

RUFF_ENFORCED = False  # flip after `ruff format .` and `ruff check --fix .` on the merged tree
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


@pytest.mark.skipif(not RUFF_ENFORCED, reason="enabled once the merged tree is formatted (RUFF_ENFORCED)")
@pytest.mark.parametrize("command", [("check", "."), ("format", "--check", ".")], ids=["check", "format"])
def test_ruff(command):
    run = _run("ruff", *command)
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr
