"""The small sweep, run once, and one local Dask cluster, shared by the sweep tests.

Tests that use :func:`small_out` or :func:`local_cluster` carry ``@pytest.mark.xdist_group("sweep")``: with
pytest-xdist's ``--dist loadgroup`` they run in one worker, so each is made once per test run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.experiments.executors import DaskCluster
from tests.helpers.sweeps import SMALL, call_sweep


@pytest.fixture(scope="session")
def small_sweep(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sweep") / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_out(small_sweep) -> Path:
    """The small sweep run once on two local workers, shared by the tests that only read it."""
    out = small_sweep.parent / "two"
    assert call_sweep(small_sweep, out, "--workers", "2") == 0
    return out


@pytest.fixture(scope="session")
def local_cluster():
    """A local Dask cluster of two workers, started as ``--dask local --workers 2`` starts it; wrap it in
    :class:`tests.helpers.sweeps.AlreadyStarted` to hand it to a sweep."""
    with DaskCluster("local", 2) as cluster:
        yield cluster
