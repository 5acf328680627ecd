"""Sweeps: expansion and ids, identical results on every executor, nothing lost, resume."""

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
from sim.experiments.sweep_file import load_sweep, run_id
from sim.results.writing import write_outputs
from tests.helpers.cli import call_main
from tests.helpers.paths import DEFAULT, ROOT
from tests.helpers.sweep_runners import FAILING_SEED, dying_once_runner, failing_runner, worker_settings

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


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sweep") / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small_out(small_sweep) -> Path:
    """The small sweep run once on two local workers, shared by the tests that only read it."""
    out = small_sweep.parent / "two"
    assert _sweep(small_sweep, out, "--workers", "2") == 0
    return out


def _table(out: Path) -> str:
    return (out / "sweep.csv").read_text(encoding="utf-8")


def _sweep(path: Path, out: Path, *args: str) -> int:
    return call_main(["sweep", str(path), "--out", str(out), "--quiet", *args])


# ---------------------------------------------------------------- expansion and ids


def test_grid_times_zip_times_seeds(small_sweep):
    sweep = load_sweep(small_sweep)
    assert len(sweep.runs) == 12
    assert sweep.swept_keys == ("detection.threshold", "network.profile", "network.traffic.command")
    first = sweep.runs[0]
    assert first.swept == {
        "detection.threshold": 0.4,
        "network.profile": "lte",
        "network.traffic.command": "lte",
    }
    assert first.scenario.detection.threshold == 0.4
    assert first.scenario.network.traffic.command == "lte"
    assert first.scenario.run.duration == 7200.0
    assert [r.seed for r in sweep.runs[:3]] == [0, 1, 2]
    zipped = {(r.swept["network.profile"], r.swept["network.traffic.command"]) for r in sweep.runs}
    assert zipped == {("lte", "lte"), ("nr_embb", "nr_urllc")}  # varied together, never crossed
    assert len({r.run_id for r in sweep.runs}) == 12


def test_one_kind_threshold_swept_over_a_fixed_threshold_for_all(tmp_path):
    """`set:` one number for every kind, the grid one kind's: the other kind keeps the fixed number."""
    path = tmp_path / "kinds.yaml"
    path.write_text(
        f"scenario: {DEFAULT}\nseeds: 1\nset:\n  detection.threshold: 0.6\n"
        "grid:\n  detection.threshold.swimming: [0.7, 0.9]\n",
        encoding="utf-8",
    )
    sweep = load_sweep(path)
    assert [r.swept for r in sweep.runs] == [
        {"detection.threshold.swimming": 0.7},
        {"detection.threshold.swimming": 0.9},
    ]
    assert [dict(r.scenario.detection.thresholds) for r in sweep.runs] == [
        {"swimming": 0.7, "fishing": 0.6},
        {"swimming": 0.9, "fishing": 0.6},
    ]


def test_run_ids_are_stable_and_depend_only_on_overrides_and_seed(small_sweep, tmp_path):
    ids = [r.run_id for r in load_sweep(small_sweep).runs]
    assert ids == [r.run_id for r in load_sweep(small_sweep).runs]
    assert run_id({"a": 1, "b": [1, 2]}, 3) == run_id({"b": [1, 2], "a": 1}, 3)  # key order does not matter
    assert run_id({"a": 1}, 3) != run_id({"a": 1}, 4)
    assert run_id({"a": 1}, 3) != run_id({"a": 2}, 3)
    # Another duration is another run: its id changes.
    longer = tmp_path / "longer.yaml"
    longer.write_text(SMALL.replace("duration: 2h", "duration: 3h"), encoding="utf-8")
    assert not set(ids) & {r.run_id for r in load_sweep(longer).runs}


def test_list_values_and_merge_keys_from_the_bundled_boats_study():
    sweep = load_sweep(ROOT / "scenarios" / "sweeps" / "boats.yaml")
    fleets = [r.scenario.boats for r in sweep.runs if r.seed == 0]
    assert [len(f) for f in fleets] == [2, 3, 4, 6]
    six = fleets[-1]
    assert [b.id for b in six] == [f"usv-{i}" for i in range(1, 7)]
    assert {b.reserve_wh for b in six} == {400.0}  # `<<: *usv-1` carried the template's keys


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_studies_validate(path):
    sweep = load_sweep(path)
    assert len(sweep.runs) >= 2 * 30  # at least two variants, enough seeds for tight intervals


# ---------------------------------------------------------------- same results everywhere


def test_same_rows_on_one_worker_two_workers_and_a_local_dask_cluster(small_sweep, small_out, tmp_path):
    assert _sweep(small_sweep, tmp_path / "one", "--workers", "1") == 0
    assert _sweep(small_sweep, tmp_path / "dask", "--dask", "local", "--workers", "2") == 0
    one = _table(tmp_path / "one")
    assert _table(small_out) == one
    assert _table(tmp_path / "dask") == one
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


# ---------------------------------------------------------------- nothing lost


@pytest.mark.parametrize(
    "executor", [lambda: ProcessPool(2), lambda: DaskCluster("local", 2)], ids=["pool", "dask"]
)
def test_a_failing_run_is_recorded_and_the_others_complete(small_sweep, tmp_path, executor):
    sweep = load_sweep(small_sweep)
    out = tmp_path / "out"
    report = execute(sweep, out, executor(), runner=failing_runner, progress=False)
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
    path = tmp_path / "long.yaml"
    path.write_text(
        SMALL.replace("duration: 2h", "duration: 2d").replace("seeds: 3", "seeds: 4"), encoding="utf-8"
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
    assert 0 < len(before) < 16
    resumed = subprocess.run([*command, "--quiet", "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"{len(before)} done before" in resumed.stdout
    assert f"{16 - len(before)} done" in resumed.stdout
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 16 and (table["status"] == "ok").all() and table["run_id"].is_unique
    after = _finished(out)
    assert set(after) == set(table["run_id"])
    assert {run: after[run] for run in before} == before  # runs finished before the kill were not redone
    assert not list((out / "runs").glob(".*"))  # no half-written folder left behind


SWEEP_WORKER_SETTINGS = {"MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD_BYTES), "profile": False, "tick": "1s"}
"""What :func:`sweep_helpers.worker_settings` reports on a worker started as the sweep wants it."""


def test_a_killed_dask_worker_is_replaced_and_its_run_completes(small_sweep, small_out, tmp_path):
    marker = tmp_path / "killed"
    runner = functools.partial(dying_once_runner, marker)
    report = execute(
        load_sweep(small_sweep), tmp_path / "out", DaskCluster("local", 2), runner=runner, progress=False
    )
    assert marker.exists()  # a worker did die
    assert (report.done, report.failed, report.missing) == (12, 0, 0)
    assert _table(tmp_path / "out") == _table(small_out)
    assert not list((tmp_path / "out" / "runs").glob(".*"))  # no half-written folder left behind


def test_local_dask_workers_run_with_the_sweep_settings():
    with DaskCluster("local", 1) as cluster:
        [(_, settings)] = list(cluster.results(worker_settings, [0]))
    assert settings == SWEEP_WORKER_SETTINGS


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


def test_sweep_on_a_scheduler_and_two_workers_on_loopback(small_sweep, small_out, tmp_path, loopback_cluster):
    assert loopback_cluster.startswith("tcp://127.0.0.1:")
    assert _sweep(small_sweep, tmp_path / "cluster", "--dask", loopback_cluster) == 0
    assert _table(tmp_path / "cluster") == _table(small_out)
    with DaskCluster(loopback_cluster, 2) as cluster:  # the documented settings reach the workers
        [(_, settings)] = list(cluster.results(worker_settings, [0]))
    assert settings == SWEEP_WORKER_SETTINGS


def test_dask_cluster_name():
    assert DaskCluster("local", 2).name == "local Dask cluster"
    assert DaskCluster("tcp://10.0.0.1:8786", 2).name == "Dask scheduler tcp://10.0.0.1:8786"


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
        "threshold=0.4, profile=lte, command=lte",
        "threshold=0.6, profile=lte, command=lte",
    }
    assert (table["pairs"] == 3).all()
    assert (table["ci_low"] <= table["difference"]).all() and (table["difference"] <= table["ci_high"]).all()
    out = capsys.readouterr().out
    assert out.startswith("baseline network.profile=nr_embb (--baseline)\n")
    # The header reads as the columns do: baseline first, then the variant.
    assert (
        "threshold=0.4, profile=nr_embb, command=nr_urllc  →  threshold=0.4, profile=lte, command=lte" in out
    )
    assert "(3 paired seeds)" in out and "mean response time" in out
    rate = next(line for line in out.splitlines() if line.strip().startswith("detection rate"))
    assert rate.count(" %") == 2 and " pp" in rate  # shares in percent, their differences in points
    response = next(line for line in out.splitlines() if line.strip().startswith("mean response time"))
    assert response.count(" s") >= 3


def test_compare_any_numeric_column(small_out, capsys):
    argv = ["compare", str(small_out), "--baseline", "detection.threshold=0.4", "--metric", "counts.alarms"]
    assert call_main(argv) == 0
    assert "counts.alarms" in capsys.readouterr().out


def test_compare_lists_a_metric_asked_for_twice_once(small_out, capsys, tmp_path):
    csv = tmp_path / "differences.csv"
    argv = ["compare", str(small_out), "--baseline", "detection.threshold=0.4", "--csv", str(csv)]
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
            ["--baseline", "detection.threshold=0.4", "--metric", "counts.alarm"],
            ("--metric counts.alarm", "not a numeric column", "counts.alarms"),
        ),
        (["--baseline", "detection.threshold=0.4", "--metric", "scenario"], ("--metric scenario", "numeric")),
    ],
)
def test_compare_rejects_what_the_sweep_does_not_have(small_out, capsys, extra, expected):
    from tests.helpers.cli import assert_one_error_line

    rc = call_main(["compare", str(small_out), *extra])
    assert_one_error_line(capsys, rc, expected)


def test_plot_and_compare_use_the_same_baseline_by_default(small_out, capsys, tmp_path):
    """Without --baseline both take the first swept key's first value, and say so."""
    from sim.experiments.paired import default_baseline, load_sweep_table

    assert default_baseline(*load_sweep_table(small_out)) == ("detection.threshold", "0.4")
    assert call_main(["compare", str(small_out), "--csv", str(tmp_path / "default.csv")]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("baseline detection.threshold=0.4 (default: ")
    argv = [
        "compare",
        str(small_out),
        "--baseline",
        "detection.threshold=0.4",
        "--csv",
        str(tmp_path / "given.csv"),
    ]
    assert call_main(argv) == 0
    assert (tmp_path / "default.csv").read_bytes() == (tmp_path / "given.csv").read_bytes()
    assert call_main(["plot", str(small_out), "--out", str(tmp_path / "figs")]) == 0
    assert "baseline detection.threshold=0.4" in capsys.readouterr().out


def test_plot_rejects_a_baseline_the_sweep_does_not_have(small_out, capsys, tmp_path):
    from tests.helpers.cli import assert_one_error_line

    argv = ["plot", str(small_out), "--baseline", "dispatch.policy=nearest_idle", "--out", str(tmp_path)]
    rc = call_main(argv)
    line = assert_one_error_line(capsys, rc, ("not swept here",))
    assert line.startswith("error: --baseline: dispatch.policy ")


def test_two_sweeps_never_write_one_folder_at_once(small_sweep, small_out):
    from sim.experiments.runner import SweepError, folder_lock

    with folder_lock(small_out), pytest.raises(SweepError, match="another sweep is writing"):
        execute(load_sweep(small_sweep), small_out, ProcessPool(1), resume=True, progress=False)
    report = execute(load_sweep(small_sweep), small_out, ProcessPool(1), resume=True, progress=False)
    assert (report.skipped, report.done) == (12, 0)  # lock released; everything was already there


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
