"""Sweep runners for the tests: module-level functions, so worker processes can unpickle them."""

from __future__ import annotations

from sim.engine import Result
from sim.engine import run as run_simulation
from sim.scenario import Scenario

FAILING_SEED = 1
"""Seed on which :func:`failing_runner` raises."""


def failing_runner(scenario: Scenario, seed: int) -> Result:
    """The usual run, except that seed ``FAILING_SEED`` raises (as a bug in a component would)."""
    if seed == FAILING_SEED:
        raise RuntimeError(f"injected failure for seed {seed}")
    return run_simulation(scenario, seed)
