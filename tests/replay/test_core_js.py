"""The page's pure JavaScript functions, tested with Node's built-in test runner (tests/replay/js/)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.helpers.paths import ROOT

JS_TESTS = ROOT / "tests" / "replay" / "js"


@pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed: the page's JS unit tests need it"
)
def test_the_pages_pure_functions_pass_their_node_tests():
    done = subprocess.run(
        ["node", "--test", str(JS_TESTS)], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout and "# pass 0" not in done.stdout
