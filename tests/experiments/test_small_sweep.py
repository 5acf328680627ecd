"""The small sweep (tests/helpers/sweeps.py), run once on two local workers, and one local Dask cluster: the
same rows on every executor (a process pool of one or two workers, a local cluster, a scheduler and workers
on loopback), failed and killed runs on the cluster, the figures and paired comparisons of the result.

Every test that reads the sweep's folder or uses the cluster is in this module, so that they are made once:
pytest-xdist sends a module to one worker (``--dist loadfile``)."""

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

from sim.experiments.executors import MMAP_THRESHOLD_BYTES, DaskCluster, ProcessPool
from sim.experiments.runner import execute
from sim.experiments.sweep_file import load_sweep
from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.sweep_runners import dying_once_runner, worker_settings
from tests.helpers.sweeps import AlreadyStarted, assert_failures_recorded_then_resumed, call_sweep, sweep_csv


@pytest.fixture(scope="module")
def small_out(small_sweep) -> Path:
    """The small sweep run once on two local workers, shared by the tests that only read it."""
    out = small_sweep.parent / "two"
    assert call_sweep(small_sweep, out, "--workers", "2") == 0
    return out


@pytest.fixture(scope="module")
def local_cluster():
    """A local Dask cluster of two workers, started as ``--dask local --workers 2`` starts it; wrap it in
    :class:`tests.helpers.sweeps.AlreadyStarted` to hand it to a sweep."""
    with DaskCluster("local", 2) as cluster:
        yield cluster


# ---------------------------------------------------------------- same results everywhere


def test_same_rows_on_one_worker_two_workers_and_a_local_dask_cluster(
    small_sweep, small_out, tmp_path, local_cluster, monkeypatch
):
    """``--dask local --workers 2`` asks for a local cluster of two workers: the one the sweep tests share
    (started by ``DaskCluster("local", 2)`` as the command would), so that one cluster serves them all."""
    asked = []

    def shared_cluster(address, workers):
        asked.append((address, workers))
        return AlreadyStarted(local_cluster)

    assert call_sweep(small_sweep, tmp_path / "one", "--workers", "1") == 0
    monkeypatch.setattr("sim.experiments.executors.DaskCluster", shared_cluster)  # what the command builds
    assert call_sweep(small_sweep, tmp_path / "dask", "--dask", "local", "--workers", "2") == 0
    assert asked == [("local", 2)] and local_cluster.address == "local"
    one = sweep_csv(tmp_path / "one")
    assert sweep_csv(small_out) == one
    assert sweep_csv(tmp_path / "dask") == one
    table = pd.read_csv(tmp_path / "one" / "sweep.csv")
    assert len(table) == 12 and (table["status"] == "ok").all()
    assert list(table.columns[:6]) == [
        "run_id",
        "seed",
        "detection.threshold",
        "network.profile",
        "network.traffic.command",
        "status",
    ]
    assert {"response_time_s.p50", "detection_rate", "counts.outcomes.deterred"} <= set(table.columns)
    assert "wall_time_s" not in table.columns  # machine-dependent: kept in each run's summary.json
    for run in table["run_id"]:
        assert (tmp_path / "one" / "runs" / run / "summary.json").is_file()


def test_common_random_numbers_same_incidents_in_every_variant(small_out):
    table = pd.read_csv(small_out / "sweep.csv")
    for _, runs in table.groupby("seed"):
        starts = {
            tuple(pd.read_csv(small_out / "runs" / r / "incidents.csv")["t_start"]) for r in runs["run_id"]
        }
        assert len(starts) == 1


def test_parquet_table_matches_csv(small_out):
    pytest.importorskip("pyarrow")
    csv = pd.read_csv(small_out / "sweep.csv")
    parquet = pd.read_parquet(small_out / "sweep.parquet")
    assert list(parquet.columns) == list(csv.columns)
    assert list(parquet["run_id"]) == list(csv["run_id"])
    pd.testing.assert_series_equal(parquet["response_time_s.mean"], csv["response_time_s.mean"])


# ---------------------------------------------------------------- nothing lost on the cluster


def test_a_failing_run_on_a_dask_cluster_is_recorded_and_the_others_complete(
    small_sweep, tmp_path, local_cluster
):
    cluster = AlreadyStarted(local_cluster)
    assert_failures_recorded_then_resumed(small_sweep, tmp_path / "out", cluster, cluster)


SWEEP_WORKER_SETTINGS = {"MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD_BYTES), "profile": False, "tick": "1s"}
"""What :func:`sweep_helpers.worker_settings` reports on a worker started as the sweep wants it."""


def test_local_dask_workers_run_with_the_sweep_settings(local_cluster):
    """Tasks on the shared local cluster (a nanny may have restarted its workers) see the sweep's settings."""
    settings = [found for _, found in local_cluster.results(worker_settings, range(4))]
    assert settings == [SWEEP_WORKER_SETTINGS] * 4


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


def test_two_sweeps_never_write_one_folder_at_once(small_sweep, small_out):
    from sim.experiments.runner import SweepError, folder_lock

    with folder_lock(small_out), pytest.raises(SweepError, match="another sweep is writing"):
        execute(load_sweep(small_sweep), small_out, ProcessPool(1), resume=True, progress=False)
    report = execute(load_sweep(small_sweep), small_out, ProcessPool(1), resume=True, progress=False)
    assert (report.skipped, report.done) == (12, 0)  # lock released; everything was already there


# ---------------------------------------------------------------- a real cluster on loopback


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
    # Each in a session of its own, so that teardown kills a worker's nanny and the worker it started at
    # once (a graceful shutdown took 8 s of the suite).
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
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
            os.killpg(process.pid, signal.SIGKILL)
        for process in processes:
            process.wait(timeout=30)


def test_sweep_on_a_scheduler_and_two_workers_on_loopback(small_sweep, small_out, tmp_path, loopback_cluster):
    assert loopback_cluster.startswith("tcp://127.0.0.1:")
    assert call_sweep(small_sweep, tmp_path / "cluster", "--dask", loopback_cluster) == 0
    assert sweep_csv(tmp_path / "cluster") == sweep_csv(small_out)
    with DaskCluster(loopback_cluster, 2) as cluster:  # the documented settings reach the workers
        [(_, settings)] = list(cluster.results(worker_settings, [0]))
    assert settings == SWEEP_WORKER_SETTINGS


# ---------------------------------------------------------------- plot and compare


def test_plot_draws_the_sweep_figures(small_out, tmp_path, capsys):
    assert call_main(["plot", str(small_out), "--out", str(tmp_path / "figs")]) == 0
    names = sorted(p.name for p in (tmp_path / "figs").iterdir())
    assert names == ["latency_breakdown.png", "paired_differences.png", "rates.png", "response_time_cdf.png"]
    assert all((tmp_path / "figs" / n).stat().st_size > 10_000 for n in names)


def test_paired_differences_show_evidence_uploads_and_still_draw_older_tables(small_out, tmp_path):
    from sim.experiments.paired import load_sweep_table
    from sim.experiments.sweep_figures import DIFFERENCE_METRICS, difference_figure, difference_intervals

    def size(png: Path) -> tuple[int, int]:  # the IHDR chunk: 8-byte signature, length, type, width, height
        data = png.read_bytes()
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")

    table, swept = load_sweep_table(small_out)
    args = (swept, "network.profile", "nr_embb")
    new = difference_figure(table, *args)
    old = difference_figure(table.drop(columns="network.evidence_upload_s.mean"), *args)
    assert "network.evidence_upload_s.mean" in DIFFERENCE_METRICS
    assert len(new.axes) == len(DIFFERENCE_METRICS) and len(old.axes) == len(DIFFERENCE_METRICS) - 1
    assert "evidence upload (mean)" in [ax.get_title() for ax in new.axes]
    assert (
        "baseline network.profile=nr_embb" in new.texts[0].get_text()
        if new.texts
        else new._suptitle.get_text()
    )
    # A grid that fits a page: at most about 10 inches wide at 130 dpi, taller than wide is fine.
    width, height = size(difference_intervals(table, *args, tmp_path / "new.png"))
    assert width <= 1300 and height <= 1300


def test_plot_redraws_a_run_folder_from_its_tables(small_out, tmp_path):
    run = sorted((small_out / "runs").iterdir())[0]
    assert call_main(["plot", str(run), "--out", str(tmp_path / "figs")]) == 0
    names = {p.name for p in (tmp_path / "figs").iterdir()}
    # The contract's figures, and whatever else sim.results.figures.draw_run_figures draws after a run.
    assert {"latency_breakdown.png", "response_time_cdf.png", "zone_map.png"} <= names


def test_plot_several_folders_into_one(small_out, tmp_path):
    run = sorted((small_out / "runs").iterdir())[0]
    assert call_main(["plot", str(small_out), str(run), "--out", str(tmp_path / "figs")]) == 0
    assert (tmp_path / "figs" / small_out.name / "paired_differences.png").is_file()
    assert (tmp_path / "figs" / run.name / "zone_map.png").is_file()


def test_compare_prints_paired_differences(small_out, capsys, tmp_path):
    csv = tmp_path / "differences.csv"
    assert (
        call_main(["compare", str(small_out), "--baseline", "network.profile=nr_embb", "--csv", str(csv)])
        == 0
    )
    table = pd.read_csv(csv)
    assert set(table["variant"]) == {
        "threshold=0.6, profile=lte, command=lte",
        "threshold=0.8, profile=lte, command=lte",
    }
    assert (table["pairs"] == 3).all()
    assert (table["ci_low"] <= table["difference"]).all() and (table["difference"] <= table["ci_high"]).all()
    out = capsys.readouterr().out
    assert out.startswith("baseline network.profile=nr_embb (--baseline)\n")
    # The header reads as the columns do: baseline first, then the variant.
    assert (
        "threshold=0.6, profile=nr_embb, command=nr_urllc  →  threshold=0.6, profile=lte, command=lte" in out
    )
    assert "(3 paired seeds)" in out and "mean response time" in out
    rate = next(line for line in out.splitlines() if line.strip().startswith("detection rate"))
    assert rate.count(" %") == 2 and " pp" in rate  # shares in percent, their differences in points
    response = next(line for line in out.splitlines() if line.strip().startswith("mean response time"))
    assert response.count(" s") >= 3


def test_compare_any_numeric_column(small_out, capsys):
    argv = ["compare", str(small_out), "--baseline", "detection.threshold=0.6", "--metric", "counts.alarms"]
    assert call_main(argv) == 0
    assert "counts.alarms" in capsys.readouterr().out


def test_compare_lists_a_metric_asked_for_twice_once(small_out, capsys, tmp_path):
    csv = tmp_path / "differences.csv"
    argv = ["compare", str(small_out), "--baseline", "detection.threshold=0.6", "--csv", str(csv)]
    extra = ["--metric", "response_time_s.p50", "--metric", "counts.alarms", "--metric", "counts.alarms"]
    assert call_main([*argv, *extra]) == 0
    out = capsys.readouterr().out
    rows = pd.read_csv(csv)
    assert (rows.groupby("variant")["metric"].value_counts() == 1).all()
    assert out.count("median response time") == out.count("counts.alarms") == rows["variant"].nunique()
    # Labels longer than the built-in ones still leave the numbers in one column.
    lines = [line for line in out.splitlines() if line.startswith("  ") and "→" in line]
    assert len(lines) == rows.shape[0]
    assert len({line.index("→") for line in lines}) == 1


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--baseline", "network.profile=nr_urllc"], ("--baseline", "not among the swept values")),
        (["--baseline", "dispatch.policy=nearest_idle"], ("--baseline", "not swept here")),
        (
            ["--baseline", "detection.threshold=0.6", "--metric", "counts.alarm"],
            ("--metric counts.alarm", "not a numeric column", "counts.alarms"),
        ),
        (["--baseline", "detection.threshold=0.6", "--metric", "scenario"], ("--metric scenario", "numeric")),
    ],
)
def test_compare_rejects_what_the_sweep_does_not_have(small_out, capsys, extra, expected):
    rc = call_main(["compare", str(small_out), *extra])
    assert_one_error_line(capsys, rc, expected)


"""Running a sweep: nothing lost when a run fails, a worker dies or the user presses Ctrl-C; resume; remote
workers; one sweep per folder at a time."""


def test_sweep_figures_clip_rates_and_name_scenario_seeds_and_duration(small_out):
    from sim.experiments.paired import load_sweep_table
    from sim.experiments.sweep_figures import describe, rates_figure, response_cdf_figure

    table, _ = load_sweep_table(small_out)
    assert describe(table, "small") == "small: xuchang_lake, 3 seeds × 2 h"
    rates = rates_figure(table, "t").axes[0]
    assert rates.get_xlim()[0] >= 0 and rates.get_xlim()[1] <= 100  # all variants detect 100 %: not 106
    incidents = {r: pd.read_csv(small_out / "runs" / r / "incidents.csv") for r in table["run_id"]}
    cdf = response_cdf_figure(table, incidents, "t").axes[0]
    styles = [(line.get_linestyle(), line.get_linewidth()) for line in cdf.get_lines()]
    assert len(styles) == 4 and len(set(styles)) == 4  # coinciding curves still each show
    assert all(0.0 < band.get_alpha() <= 0.1 for band in cdf.collections)  # light bands, not one block
    assert len(cdf.get_legend().get_texts()) == 4
    # A variant without incidents in any run draws nothing and is not in the legend.
    empty = {r: frame.iloc[0:0] for r, frame in incidents.items()}
    assert cdf.get_ylim() == (0.0, 100.0)
    nothing = response_cdf_figure(table, empty, "t").axes[0]
    assert nothing.get_legend() is None and not nothing.get_lines()


def test_plot_and_compare_use_the_same_baseline_by_default(small_out, capsys, tmp_path):
    """Without --baseline both take the first swept key's first value, and say so."""
    from sim.experiments.paired import default_baseline, load_sweep_table

    assert default_baseline(*load_sweep_table(small_out)) == ("detection.threshold", "0.6")
    assert call_main(["compare", str(small_out), "--csv", str(tmp_path / "default.csv")]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("baseline detection.threshold=0.6 (default: ")
    argv = [
        "compare",
        str(small_out),
        "--baseline",
        "detection.threshold=0.6",
        "--csv",
        str(tmp_path / "given.csv"),
    ]
    assert call_main(argv) == 0
    assert (tmp_path / "default.csv").read_bytes() == (tmp_path / "given.csv").read_bytes()
    assert call_main(["plot", str(small_out), "--out", str(tmp_path / "figs")]) == 0
    assert "baseline detection.threshold=0.6" in capsys.readouterr().out


def test_plot_rejects_a_baseline_the_sweep_does_not_have(small_out, capsys, tmp_path):
    from tests.helpers.cli import assert_one_error_line

    argv = ["plot", str(small_out), "--baseline", "dispatch.policy=nearest_idle", "--out", str(tmp_path)]
    rc = call_main(argv)
    line = assert_one_error_line(capsys, rc, ("not swept here",))
    assert line.startswith("error: --baseline: dispatch.policy ")
    assert not any(tmp_path.iterdir())  # refused before any figure was drawn
