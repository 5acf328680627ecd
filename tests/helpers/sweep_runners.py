"""Sweep runners for the tests: module-level functions, so worker processes can unpickle them."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from sim.engine import run as run_simulation
from sim.results.result import Result
from sim.scenario.models import Scenario

FAILING_SEED = 1
"""Seed on which :func:`failing_runner` raises and :func:`dying_once_runner` kills its worker."""


def failing_runner(scenario: Scenario, seed: int) -> Result:
    """The usual run, except that seed ``FAILING_SEED`` raises (as a bug in a component would)."""
    if seed == FAILING_SEED:
        raise RuntimeError(f"injected failure for seed {seed}")
    return run_simulation(scenario, seed)


def dying_once_runner(marker: Path, scenario: Scenario, seed: int) -> Result:
    """The usual run, except that the first run of seed ``FAILING_SEED`` kills its worker process.

    ``marker`` (a file, created on the way) says that the kill has happened: bind it with
    ``functools.partial``. Every later attempt runs normally, as after an out-of-memory kill.
    """
    if seed == FAILING_SEED and not marker.exists():
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return run_simulation(scenario, seed)


def worker_settings(_item) -> dict[str, object]:
    """What a worker process runs with: the settings of
    :data:`sim.experiments.executors.LOCAL_CLUSTER_CONFIG`."""
    import dask  # here: pool workers that unpickle the other runners need not import it

    return {
        "MALLOC_MMAP_THRESHOLD_": os.environ.get("MALLOC_MMAP_THRESHOLD_"),
        "profile": dask.config.get("distributed.worker.profile.enabled"),
        "tick": dask.config.get("distributed.admin.tick.interval"),
    }


def opencv_threads(_item) -> int:
    """The threads OpenCV uses in the process that runs this."""
    import cv2

    return cv2.getNumThreads()
