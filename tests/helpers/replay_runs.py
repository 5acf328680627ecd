"""Short runs written to folders, for the replay tests (built once per test module)."""

from __future__ import annotations

from pathlib import Path

from sim.engine import run
from sim.loading import load_scenario
from sim.results.writing import write_outputs
from tests.helpers.paths import DEFAULT


def write_run(folder: Path, overrides: tuple[str, ...] = (), hours: float = 2.0) -> Path:
    """A run of the default scenario (seed 0, ``hours`` long, ``overrides`` applied) written to ``folder``."""
    scenario = load_scenario(DEFAULT, [f"run.duration={hours * 3600}", *overrides])
    return write_outputs(run(scenario), folder, figures=False)
