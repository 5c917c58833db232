"""The bundled example data (山口県, seed 000) and where it lives."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

_CANDIDATES = (Path(__file__).resolve().parent / "_data", Path(__file__).resolve().parents[1] / "data")


def data_dir() -> Path:
    """The folder of the bundled data (``data/`` of the repository, or the copy inside the package)."""
    for d in _CANDIDATES:
        if (d / "yamaguchi_scores.csv").exists():
            return d
    raise FileNotFoundError("同梱データ（yamaguchi_scores.csv）が見つかりません")


def example_path(name: str) -> Path:
    """Path of one bundled file, e.g. ``example_path("budgets.csv")``."""
    return data_dir() / name


def example_scores() -> pd.DataFrame:
    """The bundled 山口県 score table, H30 and R1, with national averages (seed 000).

    >>> from grantkit import example_scores
    >>> s = example_scores()
    >>> s.loc[(s.entity == "山口県") & (s.fiscal_year == 2019), "score"].sum()
    np.float64(611.0)
    """
    from .io import load_scores

    return load_scores(example_path("yamaguchi_scores.csv"))
