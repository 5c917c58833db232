"""Committed notebooks are executed in order, clean, deterministic and thin (house rules for notebooks/).

``problems`` lists every rule a notebook breaks; the committed notebooks must have none, and each rule is
shown to fire on a small notebook built here that breaks it.
"""

from __future__ import annotations

import ast
import json
import re

import nbformat
import pytest
from conftest import REPO
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

# the notebooks users open and the report templates (package data, run by papermill)
TEMPLATES = REPO / "grantkit" / "report" / "templates"
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb")) + sorted(TEMPLATES.glob("*.ipynb"))
MAX_BYTES = 1_000_000
VOLATILE = [
    (re.compile(r"(?:^|[\s\"'(=])/(?:[\w.-]+/){2,}"), "an absolute path"),
    (re.compile(r"\b[A-Za-z]:\\\\?[\w.-]+"), "an absolute path"),
    (re.compile(r"\b0x[0-9a-f]{6,}\b"), "a memory address"),
    (re.compile(r"\b20\d\d-\d\d-\d\d[ T]\d\d:\d\d"), "a timestamp"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "a random id"),
]
LOGIC = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _volatile(text: str) -> list[str]:
    return [f"{what}: {m.group(0)!r}" for pattern, what in VOLATILE if (m := pattern.search(text))]


def _output_text(out: dict) -> str:
    """What nbval compares of one output (images are skipped by nbval, so they are skipped here too)."""
    data = {k: v for k, v in out.get("data", {}).items() if not k.startswith("image/")}
    return json.dumps(data | {"text": out.get("text", "")}, ensure_ascii=False)


def _code_problems(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, LOGIC):
            found.append("a function or class definition (logic belongs in grantkit/)")
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] != "grantkit" for a in node.names):
            found.append("an import from outside grantkit")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] != "grantkit":
            found.append("an import from outside grantkit")
    return found


def _is_literal(node: ast.expr | None) -> bool:
    """A constant, or a list of constants (papermill passes both as they are)."""
    return isinstance(node, ast.Constant) or (
        isinstance(node, ast.List) and all(isinstance(e, ast.Constant) for e in node.elts)
    )


def problems(doc: dict) -> list[str]:
    """Every house rule the notebook ``doc`` (parsed JSON) breaks, as short English phrases."""
    found = []
    cells = doc["cells"]
    first = cells[0] if cells else {"cell_type": "", "source": ""}
    if first["cell_type"] != "markdown" or not "".join(first["source"]).startswith("# "):
        found.append("the first cell is not a markdown title")
    code = [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    counts = [c.get("execution_count") for c in code]
    if any(n is None for n in counts):
        found.append("not executed")
    elif counts != list(range(1, len(code) + 1)):
        found.append(f"executed out of order: {counts}")
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        found.append(f"{len(tagged)} cells tagged parameters")
    else:
        for node in ast.parse("".join(tagged[0]["source"])).body:
            if not (isinstance(node, ast.AnnAssign) and _is_literal(node.value)):
                found.append("a parameters cell with something other than typed literals")
    for cell in code:
        source = "".join(cell["source"])
        found += _code_problems(source)
        found += [f"source shows {v}" for v in _volatile(source)]
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                found.append(f"an error output ({out.get('ename')})")
            if out.get("name") == "stderr":
                found.append(f"a stderr output: {''.join(out.get('text', ''))[:80]!r}")
            found += [f"output shows {v}" for v in _volatile(_output_text(out))]
    return found


def _doc(nb) -> dict:
    return json.loads(nbformat.writes(nb))


def _good() -> nbformat.NotebookNode:
    params = new_code_cell('ENTITY: str = "山口県"  # 対象', metadata={"tags": ["parameters"]}, execution_count=1)
    call = new_code_cell(
        "import grantkit as gk\ngk.era_label(2019)",
        execution_count=2,
        outputs=[new_output("execute_result", {"text/plain": "'R1'"}, execution_count=2)],
    )
    return new_notebook(cells=[new_markdown_cell("# 題名\n\n一文目。二文目。"), params, call])


def _break(rule: str) -> nbformat.NotebookNode:
    nb = _good()
    params, call = nb.cells[1], nb.cells[2]
    if rule == "not executed":
        params.execution_count = call.execution_count = None
    elif rule == "executed out of order":
        params.execution_count, call.execution_count = 2, 1
    elif rule == "an error output":
        call.outputs.append(new_output("error", ename="KeyError", evalue="x", traceback=[]))
    elif rule == "a stderr output":
        call.outputs.append(new_output("stream", name="stderr", text="UserWarning: glyph missing\n"))
    elif rule == "output shows an absolute path":
        call.outputs.append(new_output("stream", name="stdout", text="読込 /home/user/data/scores.csv\n"))
    elif rule == "output shows a memory address":
        call.outputs[0]["data"]["text/plain"] = "<Styler at 0x7f3a2b1c9d50>"
    elif rule == "output shows a timestamp":
        call.outputs.append(new_output("stream", name="stdout", text="作成 2025-04-01 09:30\n"))
    elif rule == "source shows an absolute path":
        params.source = 'DATA: str = "C:\\\\Users\\\\me\\\\scores.csv"  # 得点表'
    elif rule == "0 cells tagged parameters":
        params.metadata = {}
    elif rule == "2 cells tagged parameters":
        call.metadata = {"tags": ["parameters"]}
    elif rule == "a parameters cell with something other than typed literals":
        params.source = 'ENTITY = "山口県"\nYEARS: list[str] = [BASE]'
    elif rule == "a function or class definition":
        call.source = "import grantkit as gk\nf = lambda x: x"
    elif rule == "an import from outside grantkit":
        call.source = "import pandas as pd"
    elif rule == "the first cell is not a markdown title":
        nb.cells[0] = new_markdown_cell("題名なし")
    return nb


RULES = [
    "not executed",
    "executed out of order",
    "an error output",
    "a stderr output",
    "output shows an absolute path",
    "output shows a memory address",
    "output shows a timestamp",
    "source shows an absolute path",
    "0 cells tagged parameters",
    "2 cells tagged parameters",
    "a parameters cell with something other than typed literals",
    "a function or class definition",
    "an import from outside grantkit",
    "the first cell is not a markdown title",
]


def test_there_are_notebooks():
    names = {p.stem for p in NOTEBOOKS}
    assert {"01_年度比較", "02_全国平均との比較", "03_交付額と活用状況", "report"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_keeps_the_rules(path):
    assert problems(json.loads(path.read_text(encoding="utf-8"))) == [], "run `make notebooks` and fix the causes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_small_enough(path):
    assert path.stat().st_size < MAX_BYTES


def test_the_checker_accepts_a_clean_notebook():
    assert problems(_doc(_good())) == []


@pytest.mark.parametrize("rule", RULES)
def test_the_checker_catches(rule):
    found = problems(_doc(_break(rule)))
    assert any(p.startswith(rule) for p in found), found
