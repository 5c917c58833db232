"""Running a report notebook with papermill and turning the executed notebook into an HTML page, and the helpers its
cells call (figures and tables written into the report folder). The prefecture-municipalities and group reports
are made this way; the prefecture and municipal reports are written from their model (``render.write_report``) and
their templates are run this way only by a user or a test.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ..errors import GrantkitError
from ..examples import template_path
from ..present.format import ENTITY_RATE_DIGITS
from .model import Report, figure_title
from .render import EXCEL_NAME, offline_page, write_excel_tables


def save_report_figure(fig: object, output_dir: str, name: str) -> Path | None:
    """Save a figure into a report folder from a notebook cell, and show the saved PNG.

    Parameters
    ----------
    fig : matplotlib Figure
        The chart (from ``grantkit.plot``).
    output_dir : str
        The report folder; "" writes nothing (exploring).
    name : str
        The file stem (``01_年度比較`` → ``01_年度比較.png`` and ``.svg``).

    Returns
    -------
    Path or None
        The PNG written (None when ``output_dir`` is ""). The notebook shows that PNG, with the chart's title as
        its alt text; the figure is then closed.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); save_report_figure(fig, "", "01_図") is None
    True
    """
    if not output_dir:
        return None
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    from ..plot import save_figure

    path = save_figure(fig, Path(output_dir) / f"{name}.png")
    display(Image(data=path.read_bytes(), format="png", metadata={"alt": figure_title(fig)}))
    plt.close(fig)
    return path


def write_report_tables(
    output_dir: str, tables: Mapping[str, pd.DataFrame | None], *, entity_rate_digits: int = ENTITY_RATE_DIGITS
) -> Path | None:
    """Write a notebook report's tables as 表.xlsx in the report folder.

    Parameters
    ----------
    output_dir : str
        The report folder; "" writes nothing (exploring).
    tables : mapping of str to DataFrame or None
        Sheet name → table; None tables are left out.
    entity_rate_digits : int
        Decimals of the entity's own rates (0 in the prefecture report, 1 in the municipal ones).

    Returns
    -------
    Path or None
        The workbook written (``render.write_excel_tables``: each cell shows the figure as the HTML does).

    >>> write_report_tables("", {"表": None}) is None
    True
    """
    if not output_dir:
        return None
    present = {k: v for k, v in tables.items() if v is not None}
    return write_excel_tables(present, Path(output_dir) / EXCEL_NAME, entity_rate_digits=entity_rate_digits)


def execute_report(
    template: Path,
    params: dict[str, object],
    out: Path,
    folder_name: str,
    title: str,
    say: Callable[[str], None],
    bar: bool = True,
) -> Path:
    """Execute a report notebook with papermill into ``out/folder_name`` (built in a temporary folder and
    moved into place), add the HTML page without code; return the folder. ``bar``: papermill's progress
    bar when stderr is a terminal."""
    import papermill

    from .render import atomic_directory, report_folder

    if not template.exists():
        raise GrantkitError(
            f"報告書のひな形 {template.name} が見つかりません。grantkit をリポジトリから "
            "pip install -e . で入れてください"
        )
    folder = report_folder(out, folder_name)
    with atomic_directory(folder) as tmp:
        # The kernel runs inside the (temporary) report folder and writes to "."; the saved notebook thus
        # keeps OUTPUT_DIR = "." = its own folder, valid after the move and when reopened in JupyterLab.
        params["OUTPUT_DIR"] = "."
        notebook = tmp / "報告書.ipynb"
        say("[2/4] 報告書ノートブックを実行中")
        try:
            with inline_figures():
                papermill.execute_notebook(
                    str(template),
                    str(notebook),
                    parameters=params,
                    kernel_name="python3",
                    cwd=str(tmp),
                    progress_bar=bar and sys.stderr.isatty(),
                    log_output=False,
                    config=kernel_config(),
                )
        except papermill.PapermillExecutionError as exc:
            raise GrantkitError(f"報告書の作成に失敗しました（{exc.ename}: {exc.evalue}）") from None
        say("[3/4] HTML を作成中")
        (tmp / "報告書.html").write_text(report_html(notebook, title), encoding="utf-8")
        say("[4/4] 仕上げ中")
    say(f"完了: {folder}")
    return folder


NOTEBOOK_ONLY = "notebook-only"


def report_html(notebook: Path, title: str) -> str:
    """The executed notebook as one self-contained HTML page without code or prompts, with the report styles
    (``grantkit/report/templates/report.css``: amounts on one line, row headings to the left, prose paragraphs).

    The page opens with ``title`` as its heading (who and which years); cells of the template tagged
    ``notebook-only`` (the notebook's own heading, how to run it in JupyterLab, notes on the bundled data) are
    left out, so the page reads as a report, not as instructions. It loads nothing from the network (no
    MathJax, require.js or other script or style by URL: municipal PCs often have no internet), images are
    embedded with their chart title as alt text, and tables have one header row (index names moved up).
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = title
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"# {title}"))
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, embed_images=True, language_code="ja"
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY}), enabled=True)
    page, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    alts = [
        out.get("metadata", {}).get("image/png", {}).get("alt", "")
        for cell in nb.cells
        if cell.cell_type == "code" and NOTEBOOK_ONLY not in cell.metadata.get("tags", [])
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]
    css = template_path("report.css").read_text(encoding="utf-8")
    return offline_page(page.replace("</head>", f"<style>\n{css}</style>\n</head>", 1), alts)


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


def write_report_folder(
    report: Report, folder: Path, template: Path, params: Mapping[str, object], say: Callable[[str], None]
) -> Path:
    """Write a report folder: the model's files (``render.write_report``) and the report's notebook
    (``write_report_notebook``), built in a temporary folder and moved into place; return ``folder``.

    >>> import tempfile
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
