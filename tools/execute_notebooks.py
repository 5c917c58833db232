"""Re-execute notebooks in place, deterministically, so they can be committed with their outputs.

Usage: python tools/execute_notebooks.py [notebooks/NAME.ipynb ...]
(default: every notebook in ``notebooks/`` and the report templates in ``grantkit/report/templates/``)
Runs each with the ``python3`` kernel from its own folder, records no timings, and drops volatile metadata.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from grantkit.report.execution import inline_figures, kernel_config

REPO = Path(__file__).resolve().parents[1]
FOLDERS = (REPO / "notebooks", REPO / "grantkit" / "report" / "templates")


def execute(path: Path) -> float:
    """Execute one notebook in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        record_timing=False,
        config=kernel_config(),
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    elapsed = time.perf_counter() - start
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    return elapsed


def main(paths: list[str]) -> None:
    targets = [Path(p).resolve() for p in paths] or [p for d in FOLDERS for p in sorted(d.glob("*.ipynb"))]
    with inline_figures():
        for path in targets:
            print(f"{path.name}: {execute(path):.1f} 秒")


if __name__ == "__main__":
    main(sys.argv[1:])
