"""Pixel mode's cameras in worker processes: a short run with its cameras in two local worker processes writes
the same files, byte for byte, as the run with its cameras in its own process (and on Dask workers), and so
does the run made one frame instant at a time; how cameras are shared out; a window longer than the
lookahead is caught.

The run the identity tests compare against is made once (the module's fixture): pytest-xdist sends a module
to one worker (``--dist loadfile``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.engine import Simulation
from sim.loading import load_scenario
from sim.pixel.camera_loop import LookaheadError
from sim.pixel.camera_workers import CameraWorkers, share_out
from sim.results.writing import write_outputs
from sim.scenario.models import Scenario
from tests.helpers.paths import DEFAULT

SHORT_BEACH = [
    "run.mode=pixel",
    "run.duration=40",
    "run.start=2026-07-18T15:00:00",  # a summer afternoon: daylight, swimmers
    "incidents.swimming.rate_per_hour=300",
    "detection.analysis_width=320",
    "detection.threshold=0.2",
    "render.jpeg_quality=100",
    "dispatch.decision_time=2",
]
"""40 s of a busy beach seen by both beach cameras at 5 frames/s (320 px analysed), dispatch deciding in 2 s:
seed 0's cameras raise four alarms (both cameras), two boats leave the dock (at 12 and 23 s), so windows end
at the run's own events and boats move in the frames of later windows. About 3 s of wall time in-process."""


def two_beaches(overrides: list[str]) -> Scenario:
    """The default scenario with ``overrides`` and only its two beach cameras, at 5 frames/s."""
    scenario = load_scenario(DEFAULT, overrides)
    beach = [c.model_copy(update={"fps": 5.0}) for c in scenario.cameras if c.id.startswith("cam-beach")]
    return scenario.model_copy(update={"cameras": tuple(beach)})


def written(folder: Path, workers: CameraWorkers) -> tuple[Path, list[tuple], Simulation]:
    """:data:`SHORT_BEACH` run with its cameras where ``workers`` says, written to ``folder`` (no figures);
    also its score log and the simulation."""
    log: list[tuple] = []
    simulation = Simulation(two_beaches(SHORT_BEACH), score_log=log, camera_workers=workers)
    return write_outputs(simulation.run(), folder, figures=False), log, simulation


def assert_same_files(one: Path, two: Path) -> None:
    """The two run folders' files are the same byte for byte (``summary.json`` but for its wall time)."""
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir())
    assert {"incidents.csv", "alarms.csv", "missions.csv", "tracks.csv", "transfers.csv"} <= set(names)
    for name in names:
        if name == "summary.json":
            a, b = (json.loads((folder / name).read_text(encoding="utf-8")) for folder in (one, two))
            assert a.pop("wall_time_s") >= 0 and b.pop("wall_time_s") >= 0
            assert a == b
        else:
            assert (one / name).read_bytes() == (two / name).read_bytes(), name


@pytest.fixture(scope="module")
def in_process(tmp_path_factory) -> tuple[Path, list[tuple], Simulation]:
    """The short run with its cameras in the test's own process (one frame thread per core)."""
    return written(tmp_path_factory.mktemp("pixel") / "one", CameraWorkers(1))


def test_the_run_exercises_both_cameras_boats_and_windows(in_process):
    folder, log, simulation = in_process
    alarms = (folder / "alarms.csv").read_text(encoding="utf-8")
    assert ",cam-beach-w," in alarms and ",cam-beach-e," in alarms
    assert len((folder / "missions.csv").read_text(encoding="utf-8").splitlines()) >= 3  # two boats left
    assert log  # offenders were scored
    # Windows end at the run's events: more of them than 40 s / the 2-s lookahead.
    assert simulation.cameras.windows > 40 / simulation.cameras.lookahead


def test_windows_do_not_change_the_run(in_process, tmp_path, monkeypatch):
    """With no lookahead every window is one frame instant: each instant's frames are made once the run has
    reached it, as a clock without windows would. The same files come out."""
    monkeypatch.setattr("sim.pixel.camera_loop.earliest_response_s", lambda config: 0.0)
    one, one_log, windowed = in_process
    stepwise, log, simulation = written(tmp_path / "stepwise", CameraWorkers(1))
    assert simulation.cameras.windows == 200 > windowed.cameras.windows  # 40 s at 5 frames/s
    assert_same_files(one, stepwise)
    assert log == one_log


def test_cameras_in_two_worker_processes_write_the_same_files(in_process, tmp_path):
    one, one_log, _ = in_process
    two, two_log, simulation = written(tmp_path / "two", CameraWorkers(2))
    assert simulation.cameras.by_id == {}  # the cameras were elsewhere
    assert_same_files(one, two)
    assert two_log == one_log


def test_cameras_on_dask_workers_write_the_same_files(in_process, tmp_path):
    """Each group a Dask actor pinned to its worker. The cluster's workers are threads of this process, which
    start in a fraction of the seconds worker processes take (``bench_pixel_workers.py`` runs the cameras on
    a LocalCluster of processes, as ``--dask local`` starts it)."""
    distributed = pytest.importorskip("distributed")
    one, one_log, _ = in_process
    threads = {"processes": False, "threads_per_worker": 1, "dashboard_address": ":0"}
    with distributed.LocalCluster(n_workers=2, **threads) as cluster, distributed.Client(cluster) as client:
        dask, dask_log, simulation = written(tmp_path / "dask", CameraWorkers(2, client))
        assert simulation.cameras.by_id == {}
    assert_same_files(one, dask)
    assert dask_log == one_log


def test_a_window_longer_than_the_response_is_caught(monkeypatch):
    """With an instant decision and windows allowed to run a minute, a boat sent on an alarm moves inside the
    window that raised it: the check stops the run instead of letting frames show a stale world."""
    monkeypatch.setattr("sim.pixel.camera_loop.earliest_response_s", lambda config: 60.0)
    scenario = two_beaches([*SHORT_BEACH, "dispatch.decision_time=0", "run.duration=14"])
    simulation = Simulation(scenario, frame_threads=1)
    with pytest.raises(LookaheadError, match="changed after its frames were made"):
        simulation.run()


@pytest.mark.parametrize("groups", [2, 3, 8, 20])
def test_cameras_are_shared_out_once_each_in_even_groups(default_scenario, groups):
    shares = share_out(default_scenario, groups)
    ids = [c.id for c in default_scenario.cameras]
    assert len(shares) == min(groups, len(ids))
    assert sorted(c for share in shares for c in share) == sorted(ids)
    assert all(share == sorted(share, key=ids.index) for share in shares)  # scenario order within a group
    assert max(map(len, shares)) - min(map(len, shares)) <= 1  # cameras of equal work: counts within one


def test_camera_workers_must_be_at_least_one():
    with pytest.raises(ValueError, match="must be >= 1"):
        CameraWorkers(0)
