"""The small sweep's file, shared by the sweep tests (the sweep itself runs in test_small_sweep.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.sweeps import SMALL


@pytest.fixture(scope="session")
def small_sweep(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sweep") / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path
