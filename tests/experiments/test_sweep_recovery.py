"""Nothing lost when a sweep's run fails, its worker process is killed or the user presses Ctrl-C, and resume;
a worker without our files; the folder of one run read back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.engine import run as run_simulation
from sim.experiments.executors import DaskCluster, ProcessPool
from sim.experiments.runner import execute
from sim.experiments.sweep_file import load_sweep
from sim.results.writing import write_outputs
from tests.helpers.paths import DEFAULT, ROOT
from tests.helpers.sweeps import SMALL, assert_failures_recorded_then_resumed


def test_a_failing_run_on_a_process_pool_is_recorded_and_the_others_complete(small_sweep, tmp_path):
    assert_failures_recorded_then_resumed(small_sweep, tmp_path / "out", ProcessPool(2), ProcessPool(2))


class _InProcessExecutor:
    """Runs tasks in this process, as a remote worker would (no shared files); raises KeyboardInterrupt
    (Ctrl-C) after ``after`` results if given."""

    name = "in process"
    shares_files = False

    def __init__(self, after: int | None = None):
        self.after = after

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def results(self, task, items):
        for count, item in enumerate(items):
            if count == self.after:
                raise KeyboardInterrupt
            yield item, task(item)


def test_ctrl_c_keeps_finished_runs_and_resume_completes(small_sweep, tmp_path):
    sweep = load_sweep(small_sweep)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        execute(sweep, out, _InProcessExecutor(after=5), progress=False)
    table = pd.read_csv(out / "sweep.csv")  # written on the way out
    assert list(table["status"]).count("ok") == 5
    assert list(table["status"]).count("missing") == 7
    report = execute(sweep, out, ProcessPool(2), resume=True, progress=False)
    assert (report.skipped, report.done) == (5, 7)
    assert (pd.read_csv(out / "sweep.csv")["status"] == "ok").all()


def test_a_worker_without_our_files_sends_the_whole_run_folder_back(tmp_path):
    path = tmp_path / "one.yaml"
    path.write_text(f"scenario: {DEFAULT}\nduration: 30m\nseeds: 1\nfigures: true\n", encoding="utf-8")
    sweep = load_sweep(path)
    execute(sweep, tmp_path / "out", _InProcessExecutor(), progress=False)
    [spec] = sweep.runs
    sent = tmp_path / "out" / "runs" / spec.run_id
    written = write_outputs(run_simulation(spec.scenario, spec.seed), tmp_path / "direct", figures=True)
    files = sorted(p.relative_to(written).as_posix() for p in written.rglob("*") if p.is_file())
    assert sorted(p.relative_to(sent).as_posix() for p in sent.rglob("*") if p.is_file()) == files
    assert any(name.startswith("figures/") for name in files)
    for name in files:
        if name == "summary.json":  # the same but for the wall time
            summaries = [
                json.loads((folder / name).read_text(encoding="utf-8")) for folder in (sent, written)
            ]
            for summary in summaries:
                del summary["wall_time_s"]
            assert summaries[0] == summaries[1]
        elif not name.endswith(".png"):
            assert (sent / name).read_bytes() == (written / name).read_bytes(), name


def _worker_pids(parent: int) -> list[int]:
    """The sweep's pool workers: forked by multiprocessing's fork server (its children), or spawned (the
    sweep's children running ``spawn_main``); not the fork server or the resource tracker themselves."""
    import psutil  # a dependency of dask distributed

    workers = []
    for child in psutil.Process(parent).children():
        command = " ".join(child.cmdline())
        if "forkserver" in command:
            workers += [grandchild.pid for grandchild in child.children()]
        elif "spawn_main" in command:
            workers.append(child.pid)
    return workers


def _finished(out: Path) -> dict[str, int]:
    """Run id -> modification time of summary.json, over finished runs (not the hidden staging folders)."""
    return {
        p.parent.name: p.stat().st_mtime_ns
        for p in (out / "runs").glob("*/summary.json")
        if not p.parent.name.startswith(".")
    }


def test_killed_worker_then_resume_completes_every_run_exactly_once(tmp_path):
    """Eight runs of four simulated hours on two workers (each run about half a second with its folder);
    a worker is killed as soon as the first run has finished, so six or seven runs are still to do: the kill
    always lands in the middle of the sweep, and resume has runs to skip and runs to do. (Twelve hours, used
    until 2026-12-07, cost twice the time for the same check.)"""
    runs = 8
    path = tmp_path / "long.yaml"
    path.write_text(
        SMALL.replace("duration: 2h", "duration: 4h").replace("seeds: 3", "seeds: 2"), encoding="utf-8"
    )
    out = tmp_path / "out"
    command = [
        sys.executable,
        str(ROOT / "run_sim.py"),
        "sweep",
        str(path),
        "--out",
        str(out),
        "--workers",
        "2",
    ]
    sweep = subprocess.Popen([*command, "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not _finished(out) and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = _worker_pids(sweep.pid)
    assert workers, "no pool worker found"
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = sweep.communicate(timeout=120)
    assert sweep.returncode == 1, stderr
    assert "worker process died" in stderr and "--resume" in stderr
    before = _finished(out)
    assert 0 < len(before) < runs
    resumed = subprocess.run([*command, "--quiet", "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"{len(before)} done before" in resumed.stdout
    assert f"{runs - len(before)} done" in resumed.stdout
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == runs and (table["status"] == "ok").all() and table["run_id"].is_unique
    after = _finished(out)
    assert set(after) == set(table["run_id"])
    assert {run: after[run] for run in before} == before  # runs finished before the kill were not redone
    assert not list((out / "runs").glob(".*"))  # no half-written folder left behind


def test_dask_cluster_name():
    assert DaskCluster("local", 2).name == "local Dask cluster"
    assert DaskCluster("tcp://10.0.0.1:8786", 2).name == "Dask scheduler tcp://10.0.0.1:8786"


def test_a_run_folder_reads_back_into_the_same_tables(tmp_path):
    from sim.engine import run
    from sim.loading import load_scenario
    from sim.results.reading import read_run
    from sim.results.writing import write_outputs

    result = run(load_scenario(DEFAULT, ["run.duration=2h"]), seed=4)
    write_outputs(result, tmp_path / "run", figures=False)
    again = read_run(tmp_path / "run")
    assert again.seed == 4 and again.summary == result.summary
    assert again.scenario.run.duration == 7200.0
    assert len(again.incidents) == len(result.incidents)
    pd.testing.assert_series_equal(again.incidents["t_start"], result.incidents["t_start"])
    assert list(again.alarms.columns) == list(result.alarms.columns)
