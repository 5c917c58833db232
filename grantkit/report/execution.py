"""The report folder (the model's files and the report's notebook, moved into place at the end) and the settings
of the kernels the kit starts itself (``tools/execute_notebooks.py``, the tests that rerun a report's notebook).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .model import Report


def kernel_config() -> object:
    """Settings for the kernels the kit starts itself (report runs, ``tools/execute_notebooks.py``).

    Returns
    -------
    traitlets Config
        To pass as papermill's ``config``.

    The kernel traffic is CurveZMQ-encrypted when pyzmq supports it, so ipykernel does not warn "Kernel is
    running over TCP without encryption" on every run (and nothing is sent in plain text on localhost).

    >>> kernel_config()["KernelManager"]["transport_encryption"] in ("auto", "disabled")
    True
    """
    import zmq
    from traitlets.config import Config

    return Config({"KernelManager": {"transport_encryption": "auto" if zmq.has("curve") else "disabled"}})


INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


@contextmanager
def inline_figures() -> Iterator[None]:
    """Kernels started inside this block draw figures into the notebook, as in JupyterLab.

    Returns
    -------
    context manager
        Sets ``MPLBACKEND`` to the inline backend inside the block and restores it after.

    ipykernel only chooses its inline backend when ``MPLBACKEND`` is unset; an inherited ``MPLBACKEND=Agg``
    (common on servers and CI) would silently leave every chart out of the notebook and the report.

    >>> with inline_figures():
    ...     os.environ["MPLBACKEND"] == INLINE_BACKEND
    True
    """
    before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = INLINE_BACKEND
    try:
        yield
    finally:
        if before is None:
            del os.environ["MPLBACKEND"]
        else:
            os.environ["MPLBACKEND"] = before


def write_report_notebook(template: Path, params: Mapping[str, object], path: Path) -> Path:
    """Write the report's notebook: ``template`` without outputs and with ``params`` set in a cell after its
    ``parameters`` cell (tagged ``injected-parameters`` as papermill does, so papermill can run it again), ready to
    rerun and explore in JupyterLab; return ``path``. The notebook JSON is edited as it is (no nbformat: no
    validation of the template at every report, which is tested by nbval).

    >>> import tempfile, json
    >>> from grantkit.examples import template_path
    >>> with tempfile.TemporaryDirectory() as d:
    ...     nb = json.loads(write_report_notebook(template_path("report.ipynb"), {"ENTITY": "山口県"},
    ...                                           Path(d) / "報告書.ipynb").read_text(encoding="utf-8"))
    >>> [c["source"] for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    [['# Parameters\\n', "ENTITY = '山口県'\\n"]]
    """
    import json

    from ..io.files import atomic_write

    nb = json.loads(Path(template).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    at = next(i for i, c in enumerate(nb["cells"]) if "parameters" in c["metadata"].get("tags", []))
    lines = ["# Parameters\n", *(f"{k} = {v!r}\n" for k, v in params.items())]
    injected = {
        "cell_type": "code",
        "execution_count": None,
        "id": "injected-parameters",
        "metadata": {"tags": ["injected-parameters"]},
        "outputs": [],
        "source": lines,
    }
    nb["cells"].insert(at + 1, injected)
    nb["metadata"]["papermill"] = {"parameters": dict(params)}
    with atomic_write(path) as tmp:
        Path(tmp).write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return Path(path)


def build_and_write(
    build: Callable[[], Report], folder: Path, template: Path, params: Mapping[str, object], say: Callable[[str], None]
) -> Path:
    """Build a report model (``build()``) and write its folder (``write_report_folder``), saying each stage; while
    they run, a second core draws the charts' SVGs (``plot.drawing``: started now, so that it is ready by the
    first chart, and stopped when the folder is written).

    >>> import tempfile
    >>> from grantkit.examples import template_path
    >>> from grantkit.report.model import Report, Section, Text
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = build_and_write(lambda: Report("題", "", [Section("1. 節", [Text("文。")])]), Path(d) / "r",
    ...                         template_path("report.ipynb"), {"ENTITY": "山口県"}, print)
    ...     sorted(p.name for p in f.iterdir())  # doctest: +ELLIPSIS
    [2/4] 報告書の表と図を作成中
    [3/4] HTML・Excel・図を書き出し中
    [4/4] 仕上げ中
    完了: ...
    ['報告書.html', '報告書.ipynb']
    """
    from ..plot.drawing import drawing_aside

    say("[2/4] 報告書の表と図を作成中")
    with drawing_aside():
        return write_report_folder(build(), folder, template, params, say)


def write_report_folder(
    report: Report, folder: Path, template: Path, params: Mapping[str, object], say: Callable[[str], None]
) -> Path:
    """Write a report folder: the model's files (``render.write_report``) and the report's notebook
    (``write_report_notebook``), built in a temporary folder and moved into place; return ``folder``.

    >>> import tempfile
    >>> from grantkit.examples import template_path
    >>> from grantkit.report.model import Report, Section, Text
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = write_report_folder(Report("題", "", [Section("1. 節", [Text("文。")])]), Path(d) / "r",
    ...                             template_path("report.ipynb"), {"ENTITY": "山口県"}, lambda msg: None)
    ...     sorted(p.name for p in f.iterdir())
    ['報告書.html', '報告書.ipynb']
    """
    from .render import atomic_directory, write_report

    with atomic_directory(folder) as tmp:
        say("[3/4] HTML・Excel・図を書き出し中")
        write_report(report, tmp)
        say("[4/4] 仕上げ中")
        write_report_notebook(template, params, tmp / "報告書.ipynb")
    say(f"完了: {folder}")
    return folder
