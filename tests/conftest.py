"""Shared fixtures: where the seed documents are, and the bundled example."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The kernels nbval starts inherit this process's environment. ipykernel picks Jupyter's inline backend
# (figures shown in the notebook, as committed) only when MPLBACKEND is unset, so an inherited
# MPLBACKEND=Agg would make every chart cell differ from its committed output. Tests that draw in this
# process still get a non-interactive backend: matplotlib falls back to Agg without a display.
os.environ.pop("MPLBACKEND", None)
# The cache of parsed files lives in a folder of this test session (the kernels nbval starts inherit it), never in
# the user's cache folder; GRANTKIT_NO_CACHE set by whoever runs the tests is left as it is.
os.environ["GRANTKIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="grantkit-test-cache-")
atexit.register(shutil.rmtree, os.environ["GRANTKIT_CACHE_DIR"], True)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def seed000_text() -> str:
    """The text of seed 000 (the 山口県 report); CI always has ../shared beside the clone."""
    found = sorted((SHARED / "seeds").glob("000_*.txt"))
    if not found:
        pytest.skip("../shared/seeds/000_*.txt is not beside this checkout")
    return found[0].read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def example():
    from grantkit import example_scores

    return example_scores()
