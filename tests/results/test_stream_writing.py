"""A run folder written as its tables are made (``run``: tracks.csv and transfers.csv in chunks, figures and
the replay page from digests) holds the bytes of the folder written from whole tables (``Result.write``,
pandas); chunk boundaries and the second process that writes tracks.csv change nothing; a failure leaves
no folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import sim.engine
import sim.network.service_traffic
import sim.results.track_rows
from sim.engine import Simulation
from sim.loading import load_scenario
from sim.results import track_writer
from sim.results.track_rows import track_chunks
from sim.results.writing import write_outputs
from tests.helpers.cli import call_main
from tests.helpers.paths import DEFAULT

OVERRIDES = ["run.duration=10h", "run.seed=3"]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(DEFAULT, OVERRIDES)


@pytest.fixture(scope="module")
def whole(scenario, tmp_path_factory):
    """The folder written from whole tables, by pandas."""
    result = Simulation(scenario).run()
    assert len(result.tracks) > 5_000 and len(result.transfers) > 2_000 and len(result.missions) > 0
    return write_outputs(result, tmp_path_factory.mktemp("whole") / "run", figures=True, replay=True)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _same_folders(a: Path, b: Path) -> None:
    files_a, files_b = _files(a), _files(b)
    assert sorted(files_a) == sorted(files_b)
    summary_a, summary_b = (json.loads(files.pop("summary.json")) for files in (files_a, files_b))
    summary_a.pop("wall_time_s"), summary_b.pop("wall_time_s")
    assert summary_a == summary_b
    different = [name for name in files_a if files_a[name] != files_b[name]]
    assert not different, f"files that differ: {different}"


def test_streamed_folder_is_the_whole_table_folder(scenario, whole, tmp_path):
    out = tmp_path / "run"
    Simulation(scenario).run_into(out)
    _same_folders(whole, out)


def test_chunk_boundaries_change_nothing(scenario, whole, tmp_path, monkeypatch):
    monkeypatch.setattr(sim.results.track_rows, "CHUNK_ROWS", 37)  # rows cut inside legs and between them
    monkeypatch.setattr(sim.results.track_rows, "_LEGS_PER_BATCH", 3)
    monkeypatch.setattr(sim.network.service_traffic, "CHUNK_ROWS", 101)
    simulation = Simulation(scenario)
    simulation.run_into(tmp_path / "run", figures=False, replay=False)
    assert len(list(track_chunks(simulation.recorder.legs))) > 100
    for name in ("tracks.csv", "transfers.csv", "incidents.csv"):
        assert (tmp_path / "run" / name).read_bytes() == (whole / name).read_bytes(), name


def test_the_second_process_writes_the_same_tracks(scenario, whole, tmp_path, monkeypatch):
    monkeypatch.setattr(sim.engine, "TRACKS_PROCESS_FROM_S", 0.0)
    sent = []
    monkeypatch.setattr(track_writer.TrackWriter, "close", _spy(track_writer.TrackWriter.close, sent))
    Simulation(scenario).run_into(tmp_path / "run", figures=False)  # the page shows the digest it sent back
    assert sent, "the writer process was not used"
    for name in ("tracks.csv", "transfers.csv", "replay.html"):
        assert (tmp_path / "run" / name).read_bytes() == (whole / name).read_bytes(), name
    summaries = [json.loads((folder / "summary.json").read_text()) for folder in (whole, tmp_path / "run")]
    assert [s.pop("wall_time_s") > 0 for s in summaries] == [True, True]
    assert summaries[0] == summaries[1]


def _spy(method, calls: list):
    def wrapped(self, *args, **kwargs):
        calls.append(self)
        return method(self, *args, **kwargs)

    return wrapped


def _nothing_left(parent: Path) -> None:
    assert list(parent.iterdir()) == [], "a failed run leaves no folder, whole or partial"


def test_a_failure_while_drawing_leaves_no_folder(scenario, tmp_path, monkeypatch):
    import sim.results.figures

    def broken(*args, **kwargs):
        raise RuntimeError("figure failed")

    monkeypatch.setattr(sim.results.figures, "draw_run_figures", broken)
    with pytest.raises(RuntimeError, match="figure failed"):
        Simulation(scenario).run_into(tmp_path / "run")
    _nothing_left(tmp_path)


def test_a_failure_in_the_writer_process_leaves_no_folder(scenario, tmp_path, monkeypatch):
    monkeypatch.setattr(sim.engine, "TRACKS_PROCESS_FROM_S", 0.0)
    monkeypatch.setattr(track_writer, "_fields", lambda leg: ("not", "a", "leg"))
    with pytest.raises(RuntimeError, match=r"writing tracks\.csv failed"):
        Simulation(scenario).run_into(tmp_path / "run")
    _nothing_left(tmp_path)


def test_batches_sent_after_the_writer_failed_report_its_error(tmp_path):
    """The writer fails on its first batch and ends; batches still being sent meet a broken pipe, and what
    the caller hears is the writer's own error, not the broken pipe (a race that CI lost once)."""
    writer = track_writer.TrackWriter(tmp_path, 3600.0)
    batch = [("not", "a", "leg")] * 10_000
    with pytest.raises(RuntimeError, match=r"writing tracks\.csv failed:\n(.|\n)*TypeError"):
        for _ in range(1_000):  # far more than a pipe holds: the writer is gone before the last
            writer._put(batch)
        writer.close()
    assert writer._process.poll() is not None


def test_plot_redraws_the_figures_from_tracks_csv_read_in_pieces(scenario, whole, tmp_path):
    from sim.results.reading import read_track_digest

    assert call_main(["plot", str(whole), "--out", str(tmp_path / "plot")]) == 0
    drawn = _files(whole / "figures")
    assert drawn and _files(tmp_path / "plot") == drawn
    at_once, in_pieces = (read_track_digest(whole, scenario.run.duration, rows=r) for r in (10**9, 777))
    for boat_id, boat in at_once.boats.items():
        other = in_pieces.boats[boat_id]
        assert boat.spans.equals(other.spans) and boat.samples == other.samples
        for name in ("charge", "away", "keys"):
            assert np.array_equal(getattr(boat, name), getattr(other, name)), name


def test_many_trips_are_drawn_as_one_collection_that_looks_the_same(scenario, whole, tmp_path, monkeypatch):
    from matplotlib.image import imread

    import sim.results.figures as figures
    from sim.results.reading import read_run, read_track_digest

    run = read_run(whole, big_tables=False)
    tracks = read_track_digest(whole, scenario.run.duration)
    monkeypatch.setattr(figures, "TRIPS_AS_LINES", 0)
    drawn = figures.zone_map(run.scenario, tmp_path / "zone_map.png", run.incidents, tracks, run.label)
    lines, collection = imread(whole / "figures" / "zone_map.png"), imread(drawn)
    assert lines.shape == collection.shape
    difference = np.abs(lines - collection).max(axis=2)
    # Pixels along the lines differ by some levels of grey, more where many trips overlap (ten hours from
    # noon, 224 missions, most of them false errands at dusk and night: 1.1 % of the pixels differ), the
    # picture not: 99.9 % of the pixels within 0.05 (measured 0.027), under 0.1 % beyond it (0.02 %), a
    # handful beyond 0.15 (5 of 1.2 million, at most 0.216: one line where dozens of trips overlap, blended
    # in another order; looked at side by side on 2026-12-06).
    assert (difference > 0).any() and np.quantile(difference, 0.999) < 0.05
    assert (difference > 0.05).mean() < 0.001 and (difference > 0.15).sum() < 50 and difference.max() < 0.3


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        ["dispatch.policy=fastest_eta"],
        ["dispatch.policy=zone_patrol", "dispatch.patrol_points=[[470, 330], [700, 560]]"],
        ["network.profile=lte", "run.start=2026-04-12T04:00"],
    ],
)
def test_each_boat_records_its_legs_in_order_of_start(overrides):
    """What the writer process relies on (it raises otherwise): a boat's legs arrive in order of start, over
    four simulated hours (165-682 legs a boat; twelve hours until 2026-12-07, four times the time)."""
    simulation = Simulation(load_scenario(DEFAULT, ["run.duration=4h", "run.seed=1", *overrides]))
    simulation.advance()
    simulation.dispatch.close()
    starts: dict[str, list[float]] = {}
    for leg in simulation.recorder.legs:
        starts.setdefault(leg.boat_id, []).append(leg.t0)
    assert starts and all(t == sorted(t) for t in starts.values())
    assert sum(len(t) for t in starts.values()) > 3 * len(starts)
