"""Running a sweep: nothing lost when a run fails, a worker dies or the user presses Ctrl-C; resume; remote
workers; one sweep per folder at a time."""

from __future__ import annotations

import functools
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
from sim.experiments.executors import MMAP_THRESHOLD_BYTES, DaskCluster, ProcessPool
from sim.experiments.runner import execute
from sim.experiments.sweep_file import load_sweep
from sim.results.writing import write_outputs
from tests.helpers.paths import DEFAULT, ROOT
from tests.helpers.sweep_runners import FAILING_SEED, dying_once_runner, failing_runner, worker_settings
from tests.helpers.sweeps import SMALL, AlreadyStarted, call_sweep, sweep_csv


@pytest.mark.parametrize(
    "executor",
    ["pool", pytest.param("dask", marks=pytest.mark.xdist_group("sweep"))],
)
def test_a_failing_run_is_recorded_and_the_others_complete(small_sweep, tmp_path, executor, request):
    sweep = load_sweep(small_sweep)
    out = tmp_path / "out"
    if executor == "pool":
        chosen = ProcessPool(2)
    else:
        chosen = AlreadyStarted(request.getfixturevalue("local_cluster"))
    report = execute(sweep, out, chosen, runner=failing_runner, progress=False)
    assert (report.done, report.failed, report.missing) == (8, 4, 0)
    table = pd.read_csv(out / "sweep.csv")
    failed = table[table["seed"] == FAILING_SEED]
    assert (failed["status"] == "failed").all()
    assert failed["error"].str.contains("injected failure for seed 1").all()
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
    report = execute(sweep, out, ProcessPool(2), resume=True, progress=False)
    assert (report.skipped, report.done, report.failed) == (8, 4, 0)
    assert (pd.read_csv(out / "sweep.csv")["status"] == "ok").all()
    assert {r: (out / "runs" / r / "summary.json").stat().st_mtime_ns for r in finished} == finished


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
    import psutil  # a dependency of dask distributed

    return [
        child.pid
        for child in psutil.Process(parent).children()
        if "spawn_main" in " ".join(child.cmdline())  # pool workers, not the resource tracker
    ]


def _finished(out: Path) -> dict[str, int]:
    """Run id -> modification time of summary.json, over finished runs (not the hidden staging folders)."""
    return {
        p.parent.name: p.stat().st_mtime_ns
        for p in (out / "runs").glob("*/summary.json")
        if not p.parent.name.startswith(".")
    }


def test_killed_worker_then_resume_completes_every_run_exactly_once(tmp_path):
    """Eight runs of a simulated day on two workers (each run about a second of work); a worker is killed
    as soon as the first run has finished, so six or seven runs are still to do: the kill always lands in
    the middle of the sweep, and resume has runs to skip and runs to do."""
    runs = 8
    path = tmp_path / "long.yaml"
    path.write_text(
        SMALL.replace("duration: 2h", "duration: 1d").replace("seeds: 3", "seeds: 2"), encoding="utf-8"
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


SWEEP_WORKER_SETTINGS = {"MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD_BYTES), "profile": False, "tick": "1s"}
"""What :func:`sweep_helpers.worker_settings` reports on a worker started as the sweep wants it."""


@pytest.mark.xdist_group("sweep")
def test_a_killed_dask_worker_is_replaced_and_its_run_completes(
    small_sweep, small_out, tmp_path, local_cluster
):
    marker = tmp_path / "killed"
    runner = functools.partial(dying_once_runner, marker)
    cluster = AlreadyStarted(local_cluster)
    report = execute(load_sweep(small_sweep), tmp_path / "out", cluster, runner=runner, progress=False)
    assert marker.exists()  # a worker did die
    assert (report.done, report.failed, report.missing) == (12, 0, 0)
    assert sweep_csv(tmp_path / "out") == sweep_csv(small_out)
    assert not list((tmp_path / "out" / "runs").glob(".*"))  # no half-written folder left behind


@pytest.mark.xdist_group("sweep")
def test_local_dask_workers_run_with_the_sweep_settings(local_cluster):
    """Tasks on the shared local cluster (a nanny may have restarted its workers) see the sweep's settings."""
    settings = [found for _, found in local_cluster.results(worker_settings, range(4))]
    assert settings == [SWEEP_WORKER_SETTINGS] * 4


REMOTE_WORKER_ENVIRONMENT = {
    "MALLOC_MMAP_THRESHOLD_": "33554432",
    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
    "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s",
}
"""What docs/cluster.md tells to set for `dask worker` (the settings of a local cluster's workers)."""


def _scheduler_address(scheduler_file, timeout_s: float) -> str:
    """The address in the scheduler's file, once it is complete: the scheduler creates the file before it
    writes it, so an empty or half-written file is read again."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def loopback_cluster(tmp_path):
    """A Dask scheduler and two single-threaded workers started as docs/cluster.md says, on 127.0.0.1."""
    scheduler_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [
            *dask,
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(scheduler_file),
        ],
        **quiet,
    )
    processes = [scheduler]
    try:
        address = _scheduler_address(scheduler_file, timeout_s=60)
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [*dask, "worker", address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                    env={**os.environ, **REMOTE_WORKER_ENVIRONMENT},
                    **quiet,
                )
            )
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


@pytest.mark.xdist_group("sweep")
def test_sweep_on_a_scheduler_and_two_workers_on_loopback(small_sweep, small_out, tmp_path, loopback_cluster):
    assert loopback_cluster.startswith("tcp://127.0.0.1:")
    assert call_sweep(small_sweep, tmp_path / "cluster", "--dask", loopback_cluster) == 0
    assert sweep_csv(tmp_path / "cluster") == sweep_csv(small_out)
    with DaskCluster(loopback_cluster, 2) as cluster:  # the documented settings reach the workers
        [(_, settings)] = list(cluster.results(worker_settings, [0]))
    assert settings == SWEEP_WORKER_SETTINGS


def test_dask_cluster_name():
    assert DaskCluster("local", 2).name == "local Dask cluster"
    assert DaskCluster("tcp://10.0.0.1:8786", 2).name == "Dask scheduler tcp://10.0.0.1:8786"


@pytest.mark.xdist_group("sweep")
def test_two_sweeps_never_write_one_folder_at_once(small_sweep, small_out):
    from sim.experiments.runner import SweepFolderError, folder_lock

    with folder_lock(small_out), pytest.raises(SweepFolderError, match="another sweep is writing"):
        execute(load_sweep(small_sweep), small_out, ProcessPool(1), resume=True, progress=False)
    report = execute(load_sweep(small_sweep), small_out, ProcessPool(1), resume=True, progress=False)
    assert (report.skipped, report.done) == (12, 0)  # lock released; everything was already there


def test_a_run_folder_reads_back_into_the_same_tables(tmp_path):
    from sim.engine import run
    from sim.results.reading import read_run
    from sim.results.writing import write_outputs
    from sim.scenario.loading import load_scenario

    result = run(load_scenario(DEFAULT, ["run.duration=2h"]), seed=4)
    write_outputs(result, tmp_path / "run", figures=False)
    again = read_run(tmp_path / "run")
    assert again.seed == 4 and again.summary == result.summary
    assert again.scenario.run.duration == 7200.0
    assert len(again.incidents) == len(result.incidents)
    pd.testing.assert_series_equal(again.incidents["t_start"], result.incidents["t_start"])
    assert list(again.alarms.columns) == list(result.alarms.columns)
