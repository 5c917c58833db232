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
# The text of the 山口県 report the bundled data were read from (tests/data/SOURCES.md): kept in the tests' own
# data, so a clone on its own runs every test that checks the printed figures.
SEED_REPORT = REPO / "tests" / "data" / "yamaguchi_report_H30-R1.txt"


@pytest.fixture(scope="session")
def seed000_text() -> str:
    """The text of the 山口県 report (H30・R1) as extracted from the published PDF."""
    return SEED_REPORT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def example():
    from grantkit import example_scores

    return example_scores()


@pytest.fixture(scope="session")
def sample():
    """The bundled 架空 municipal samples R6 + R7 with the bundled 架空 budgets."""
    from grantkit.examples import example_path
    from grantkit.report.municipal import load_municipal_data

    return load_municipal_data(
        [example_path("mhlw_sample_R6.xlsx"), example_path("mhlw_sample_R7.xlsx")],
        example_path("budgets_synthetic.csv"),
    )


@pytest.fixture(scope="session")
def synth(tmp_path_factory):
    """Small synthetic municipal workbooks of R5 (old categories), R6 (amounts) and R7 (規模区分), one series."""
    from municipal_cases import N_SYNTH

    from grantkit.report.municipal import load_municipal_data
    from grantkit.testing.synthetic import national_workbook

    root = tmp_path_factory.mktemp("municipal_unit")
    paths = {
        y: national_workbook(root / f"{y}.xlsx", y, "市町村", n_municipalities=N_SYNTH, seed=11)
        for y in ("R5", "R6", "R7")
    }
    return paths, load_municipal_data(list(paths.values()))


def rerun_report_notebook(folder: Path, copy: Path) -> tuple[dict, Path]:
    """Run a report folder's 報告書.ipynb with papermill in a copy of the folder (its OUTPUT_DIR is "." = the copy),
    after removing the copy's HTML page and workbook; return the executed notebook and the copy."""
    import json

    import papermill

    from grantkit.report.execution import inline_figures, kernel_config

    shutil.copytree(folder, copy)
    for name in ("報告書.html", "表.xlsx"):
        (copy / name).unlink()
    with inline_figures():
        papermill.execute_notebook(
            str(copy / "報告書.ipynb"),
            str(copy / "実行済み.ipynb"),
            cwd=str(copy),
            progress_bar=False,
            kernel_name="python3",
            config=kernel_config(),
        )
    return json.loads((copy / "実行済み.ipynb").read_text(encoding="utf-8")), copy


def notebook_problems(nb: dict) -> list[dict]:
    """The error and stderr outputs of an executed notebook."""
    return [
        out
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if out["output_type"] == "error" or out.get("name") == "stderr"
    ]


def notebook_html(nb: dict) -> str:
    """Every HTML output of an executed notebook, joined."""
    return "".join(
        "".join(out.get("data", {}).get("text/html", "")) for c in nb["cells"] for out in c.get("outputs", [])
    )
