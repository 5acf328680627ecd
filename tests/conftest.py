"""Shared fixtures: the bundled scenarios, loaded once per test session; one thread per library in each
pytest-xdist worker.

pytest-xdist runs a worker process per core (``-n auto`` in pyproject.toml), so each worker has one core to
itself. OpenBLAS (numpy's linear algebra) and OpenCV start a thread per core of their own: in a worker they
would put two threads on a core another worker is using, and busy-waiting BLAS threads then burn CPU time
that worker needs. Measured: the acquisition HMM fit (tests/calibration/test_glmm_acquisition.py) took
15.2 s of CPU time with two BLAS threads and 8.1 s with one, a pixel-mode run 11.7 s with two OpenCV threads
and 9.5 s with one, with the same results. Without xdist (``-n 0``) the libraries keep their defaults.
"""

from __future__ import annotations

import os

IN_WORKER = "PYTEST_XDIST_WORKER" in os.environ
if IN_WORKER:  # before numpy is first imported: OpenBLAS reads it as it loads
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import cv2  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from sim.loading import load_scenario  # noqa: E402
from sim.scenario.models import Scenario  # noqa: E402
from tests.helpers.paths import DEFAULT, SCENARIOS  # noqa: E402

if IN_WORKER:
    cv2.setNumThreads(1)

# The same examples on every run: a red CI is a change's fault, not the draw's.
# ``--hypothesis-profile=explore`` draws fresh ones to hunt for counterexamples (docs/architecture.md).
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile("repeatable")


LONGEST_FIRST = (
    "experiments/test_small_sweep.py",
    "calibration/test_agreement.py",
    "calibration/test_held_out_agreement.py",
    "experiments/test_sweep_recovery.py",
    "fleet/test_queueing.py",
    "results/test_stream_writing.py",
    "pixel/test_far_bank.py",
    "calibration/test_tuning.py",
    "cli/test_first_hour.py",
    "detectors/test_fishing.py",
    "pixel/test_camera_workers.py",
    "detectors/test_swimming.py",
    "calibration/test_calibration.py",
    "experiments/test_optimize.py",
)
"""The modules that take longest (CPU s, 2026-12-06: 42; the agreement modules about 30 and 25 since the
agreement module fits stored runs and the held-out test came; then 18, 17, 16, 15, 14, 14, 12, 12, 12, 12,
11), run first, longest first; the rest keep their order. pytest-xdist hands whole modules to the workers in
this order (``--dist loadfile --no-loadscope-reorder``, pyproject.toml): with the long ones given out first,
the many short ones fill in around them and the two workers finish together, instead of one waiting while
the other runs a long module it was given last."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}

    def module_rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::")[0].removeprefix("tests/")
        return rank.get(module, len(rank))

    items.sort(key=module_rank)  # stable: the other modules keep the collection's order


@pytest.fixture(scope="session")
def default_scenario() -> Scenario:
    return load_scenario(DEFAULT)


@pytest.fixture(scope="session")
def city_scenario() -> Scenario:
    """The bundled 5 km x 4 km city waterways scenario."""
    return load_scenario(SCENARIOS / "city_waterways.yaml")


@pytest.fixture(scope="session")
def short_scenario() -> Scenario:
    """The default scenario cut to two simulated hours."""
    return load_scenario(DEFAULT, ["run.duration=2h"])
