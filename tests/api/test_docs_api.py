"""docs/api.md's notebook session runs as written, from a folder that is not the project's."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.helpers.paths import ROOT

DOC = ROOT / "docs" / "api.md"


def python_blocks(text: str) -> list[str]:
    """The ```python blocks of a Markdown text, in order."""
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_the_api_page_has_a_notebook_session():
    blocks = python_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 3
    assert any("sim.batch(" in block for block in blocks) and any(".write(" in block for block in blocks)


def test_the_api_pages_python_runs_from_another_folder(tmp_path):
    """Every block in one interpreter, as a notebook runs its cells, in an empty temporary folder."""
    script = "\n".join(python_blocks(DOC.read_text(encoding="utf-8")))
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr and "Warning" not in run.stderr
    assert "batch: grid: network.profil: no key 'profil'" in run.stdout
    assert (tmp_path / "out" / "notebook" / "seed5" / "summary.json").is_file()
