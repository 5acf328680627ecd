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
  detection.threshold: [0.6, 0.8]
zip:
  network.profile: [lte, nr_embb]
  network.traffic.command: [lte, nr_urllc]
"""
"""2 x 2 variants x 3 seeds = 12 runs of two simulated hours (about a second of work in all). Thresholds 0.6
and 0.8, not lower: the default calibration alarms falsely about twice as often at 0.4 as at 0.6, and each
false alarm is a mission to simulate and write, work the sweep machinery under test does not need (the
sweep tests took a quarter less time, 2026-12-06)."""


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


def assert_failures_recorded_then_resumed(sweep_path: Path, out: Path, executor, again) -> None:
    """The small sweep on ``executor`` with seed :data:`tests.helpers.sweep_runners.FAILING_SEED` raising:
    its four runs are recorded as failed (error.txt with the traceback, no summary), the other eight
    complete; ``--resume`` on ``again`` runs only the four, which now succeed, and leaves the others be."""
    import pandas as pd

    from sim.experiments.runner import execute
    from sim.experiments.sweep_file import load_sweep
    from tests.helpers.sweep_runners import FAILING_SEED, failing_runner

    sweep = load_sweep(sweep_path)
    report = execute(sweep, out, executor, runner=failing_runner, progress=False)
    assert (report.done, report.failed, report.missing) == (8, 4, 0)
    table = pd.read_csv(out / "sweep.csv")
    failed = table[table["seed"] == FAILING_SEED]
    assert (failed["status"] == "failed").all()
    assert failed["error"].str.contains(f"injected failure for seed {FAILING_SEED}").all()
    assert (table.loc[table["seed"] != FAILING_SEED, "status"] == "ok").all()
    for run in failed["run_id"]:
        error = (out / "runs" / run / "error.txt").read_text(encoding="utf-8")
        assert "Traceback" in error and "RuntimeError: injected failure" in error
        assert not (out / "runs" / run / "summary.json").exists()
    # --resume runs only the failed ones; now they succeed.
    finished = {
        r: (out / "runs" / r / "summary.json").stat().st_mtime_ns
        for r in table["run_id"]
        if r not in set(failed["run_id"])
    }
    report = execute(sweep, out, again, resume=True, progress=False)
    assert (report.skipped, report.done, report.failed) == (8, 4, 0)
    assert (pd.read_csv(out / "sweep.csv")["status"] == "ok").all()
    assert {r: (out / "runs" / r / "summary.json").stat().st_mtime_ns for r in finished} == finished
