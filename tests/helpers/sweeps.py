"""The small sweep the sweep tests share, and a way to run several sweeps on one already started cluster."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.cli import call_main
from tests.helpers.paths import DEFAULT

SMALL = f"""\
scenario: {DEFAULT}
duration: 2h
seeds: 3
grid:
  detection.threshold: [0.4, 0.6]
zip:
  network.profile: [lte, nr_embb]
  network.traffic.command: [lte, nr_urllc]
"""
"""2 x 2 variants x 3 seeds = 12 runs of two simulated hours (about a second of work in all)."""


def sweep_csv(out: Path) -> str:
    """The text of a sweep folder's ``sweep.csv``."""
    return (out / "sweep.csv").read_text(encoding="utf-8")


def call_sweep(path: Path, out: Path, *args: str) -> int:
    """``run_sim.py sweep path --out out --quiet *args`` in this process; its exit code."""
    return call_main(["sweep", str(path), "--out", str(out), "--quiet", *args])


class AlreadyStarted:
    """An executor that is already running (a started :class:`sim.experiments.executors.DaskCluster`), handed
    to a sweep that enters and leaves it: entering and leaving do nothing, so one cluster serves several
    sweeps. Everything else is the cluster's own."""

    def __init__(self, executor):
        self.executor = executor
        self.name = executor.name
        self.shares_files = executor.shares_files

    def __enter__(self) -> AlreadyStarted:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def results(self, task, items):
        return self.executor.results(task, items)
