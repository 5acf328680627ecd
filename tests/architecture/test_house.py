"""The house rules that keep the code readable: the documented layers are the enforced ones, and no
module or function outgrows what a reader can hold in mind."""

from __future__ import annotations

import ast
import re
import tomllib

import pytest

from tests.helpers.paths import ROOT

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
SOURCES = sorted([*(ROOT / "sim").rglob("*.py"), *(ROOT / "detectors").rglob("*.py")])


def contract_layers() -> list[str]:
    """sim's layers as the import-linter contract in pyproject.toml lists them, highest first."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers" and c["containers"] == ["sim"]]
    return layers


def documented_layers() -> list[str]:
    """The layer list in docs/architecture.md, read from its ``layers:`` block, highest first."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = re.search(r"```text\nlayers, highest first:\n(.*?)```", text, re.S)
    assert block, "docs/architecture.md has no 'layers, highest first:' block"
    return [
        line.split()[0].removeprefix("sim/").removesuffix("/").removesuffix(".py")
        for line in block.group(1).splitlines()
        if line.strip()
    ]


def test_the_documented_layers_are_the_enforced_ones():
    assert documented_layers() == contract_layers()


def test_every_subpackage_of_sim_is_a_layer():
    packages = {p.parent.name for p in (ROOT / "sim").glob("*/__init__.py")}
    modules = {p.stem for p in (ROOT / "sim").glob("*.py")} - {"__init__"}
    assert packages | modules == set(contract_layers())


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_stay_short(path):
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_MODULE_LINES, f"{path.name}: split it by job"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{path.name}: {', '.join(long)}"
