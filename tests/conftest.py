"""Shared fixtures: where the seed documents are, and the bundled example."""

from __future__ import annotations

from pathlib import Path

import pytest

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
