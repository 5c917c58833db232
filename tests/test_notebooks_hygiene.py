"""Committed notebooks are executed in order, clean, deterministic, thin (house rules for notebooks/)."""

from __future__ import annotations

import ast
import json
import re

import pytest

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
VOLATILE = [
    (re.compile(r"(?:^|[\s\"'(=])/(?:[\w.-]+/){2,}"), "an absolute path"),
    (re.compile(r"\b0x[0-9a-f]{6,}\b"), "a memory address"),
    (re.compile(r"\b20\d\d-\d\d-\d\d[ T]\d\d:\d\d"), "a timestamp"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "a random id"),
]


def _code_cells(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    return doc, [c for c in doc["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_there_are_notebooks():
    names = {p.stem for p in NOTEBOOKS}
    assert {"01_年度比較", "02_全国平均との比較", "03_交付額と活用状況", "report"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_in_order_without_errors_or_stderr(path):
    _, cells = _code_cells(path)
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), "restart and run all before committing"
    for cell in cells:
        for out in cell["outputs"]:
            assert out["output_type"] != "error", "".join(cell["source"])
            assert out.get("name") != "stderr", "".join(out.get("text", ""))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_deterministic(path):
    _, cells = _code_cells(path)
    for cell in cells:
        for out in cell["outputs"]:
            text = json.dumps({k: v for k, v in out.get("data", {}).items() if not k.startswith("image/")} | {
                "text": out.get("text", "")}, ensure_ascii=False)
            for pattern, what in VOLATILE:
                assert not pattern.search(text), f"{path.name}: output shows {what}: {pattern.search(text).group(0)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_parameters_cell_and_thin_code(path):
    doc, cells = _code_cells(path)
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert doc["cells"][0]["cell_type"] == "markdown" and doc["cells"][0]["source"][0].startswith("# ")
    for cell in cells:
        tree = ast.parse("".join(cell["source"]))
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), \
                f"{path.name}: logic belongs in grantkit/, not in notebooks"
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] == "grantkit" for a in node.names)
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] == "grantkit"
    for node in ast.parse("".join(tagged[0]["source"])).body:
        assert isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Constant), "typed literals only"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_small_enough(path):
    assert path.stat().st_size < 1_000_000
