"""The files that ship inside the package: the bundled example data and the report templates.

Both are package data (``grantkit/data/``, ``grantkit/report/templates/``) found with :mod:`importlib.resources`, so
the same code finds them in a clone, an editable install and a ``pip install .`` run from any folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pandas as pd

from .errors import GrantkitError

DATA = "data"
TEMPLATES = "report/templates"


class MissingPackageFileError(GrantkitError):
    """A file that ships with grantkit is missing: the installation is broken (not the user's input or output)."""


def package_file(folder: str, name: str) -> Path:
    """Path of one file shipped inside the package, e.g. ``package_file("report/templates", "report.ipynb")``.

    Takes the package folder (``"data"`` or ``"report/templates"``) and the file name; returns a path on disk.
    Raises :class:`MissingPackageFileError`, which names the file and says to reinstall, when it is absent.

    >>> package_file(TEMPLATES, "report.css").name
    'report.css'
    """
    resource = files("grantkit").joinpath(*folder.split("/"), name)
    if not resource.is_file():
        raise MissingPackageFileError(
            f"grantkit に同梱のファイル {folder}/{name} が見つかりません。grantkit のインストールが不完全です"
            "（pip install --force-reinstall で入れ直してください）"
        )
    return Path(str(resource))


def data_dir() -> Path:
    """The folder of the bundled example data (``grantkit/data/``).

    >>> (data_dir() / "yamaguchi_scores.csv").is_file()
    True
    """
    return package_file(DATA, "yamaguchi_scores.csv").parent


def example_path(name: str) -> Path:
    """Path of one bundled data file (``grantkit/data/``), found in a clone or an installed package alike.

    Parameters
    ----------
    name
        The file name, e.g. ``"yamaguchi_scores.csv"`` or ``"budgets.csv"``.

    Returns
    -------
    pathlib.Path
        A path to an existing file.

    Raises
    ------
    MissingPackageFileError
        When the file is not shipped (a broken installation); the message says to reinstall.

    Examples
    --------
    >>> example_path("budgets.csv").name
    'budgets.csv'
    """
    return package_file(DATA, name)


def template_path(name: str) -> Path:
    """Path of one report template (notebook or stylesheet) shipped in ``grantkit/report/templates/``.

    >>> template_path("report.ipynb").suffix
    '.ipynb'
    """
    return package_file(TEMPLATES, name)


def example_scores() -> pd.DataFrame:
    """The bundled 山口県 score table: H30 and R1, with the national averages, as a tidy score table.

    Returns
    -------
    pandas.DataFrame
        The tidy score table (columns of ``schema.REQUIRED`` and more), read with :func:`load_scores`: one
        row per fiscal year, entity, grant and indicator, for 山口県 and 全国平均.

    Examples
    --------
    >>> from grantkit import example_scores
    >>> s = example_scores()
    >>> s.loc[(s.entity == "山口県") & (s.fiscal_year == 2019), "score"].sum()
    np.float64(611.0)
    """
    from .io import load_scores

    return load_scores(example_path("yamaguchi_scores.csv"))
