"""The replay page built from run folders: self-contained, its columns faithful, bad input refused."""

from __future__ import annotations

import base64
import functools
import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from sim.results import reading
from sim.results.reading import read_track_digest
from sim.results.replay_page.columns import column, decode, keyframes
from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.paths import ROOT
from tests.helpers.replay_runs import detector_pixels, write_run


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    return write_run(tmp_path_factory.mktemp("replay") / "run", hours=1.0)


def page_data(path) -> dict:
    text = path.read_text(encoding="utf-8")
    payload = re.search(r'<script type="application/json" id="replay-data">(.*?)</script>', text, re.S).group(
        1
    )
    return json.loads(payload.replace("<\\/", "</"))


def test_columns_round_trip():
    for dtype, values in (
        ("f64", [0.5, np.nan, 2.6e6]),
        ("f32", [1.25, -3.0]),
        ("i32", [-1, 7]),
        ("u8", [0, 255]),
    ):
        np.testing.assert_array_equal(decode(column(values, dtype)), np.asarray(values))


def test_keyframes_keep_every_sample_within_tolerance():
    rng = np.random.default_rng(1)
    t = np.arange(0.0, 2000.0, 5.0)
    x = np.where(t < 800, 0.0, np.minimum(t - 800, 600)) + np.where(t > 1500, rng.normal(0, 1, t.size), 0)
    y = np.where(t < 1000, 0.0, (t - 1000) * 0.5)
    state = (t >= 800).astype(int)
    kept = keyframes(t, x, y, state, 0.05)
    assert len(kept) < len(t) / 3
    assert set(np.flatnonzero(np.diff(state)) + 1) <= set(kept)
    miss = np.hypot(np.interp(t, t[kept], x[kept]) - x, np.interp(t, t[kept], y[kept]) - y)
    assert miss.max() <= 0.05


def test_a_run_writes_a_self_contained_page(run_folder, tmp_path, capsys):
    out = tmp_path / "page.html"
    assert call_main(["replay", str(run_folder), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)\s*=\s*[\"'](?!data:|#)", text), "the page refers to another file"
    assert "http://" not in text and "https://" not in text
    data = page_data(out)
    tracks = pd.read_csv(run_folder / "tracks.csv")
    boat = data["runs"][0]["boats"][0]
    assert boat["id"] == tracks["boat_id"].iloc[0]
    assert len(decode(boat["t"])) < boat["samples"] == (tracks["boat_id"] == boat["id"]).sum()
    incidents = pd.read_csv(run_folder / "incidents.csv")
    np.testing.assert_allclose(decode(data["runs"][0]["incidents"]["t_start"]), incidents["t_start"])
    assert not list(tmp_path.glob(".*partial"))


def test_replay_html_is_written_by_run_and_skipped_with_no_replay(tmp_path):
    assert call_main(["run", "--duration", "20m", "--no-figures", "--out", str(tmp_path / "a")]) == 0
    assert (tmp_path / "a" / "replay.html").is_file()
    assert (
        call_main(["run", "--duration", "20m", "--no-figures", "--no-replay", "--out", str(tmp_path / "b")])
        == 0
    )
    assert not (tmp_path / "b" / "replay.html").exists()


def test_replay_of_a_folder_is_the_page_run_wrote_and_reads_tracks_in_pieces(tmp_path, monkeypatch):
    """``replay RUN_DIR`` rebuilds the very page ``run`` wrote, from the track digest read a piece at a time
    (``run`` too draws it from the digest): never the whole tracks.csv, which a year's run makes 20 million
    rows long. One-row pieces here, so that the rows cross every piece boundary."""
    from sim.replay import run_folder

    out = tmp_path / "run"
    assert call_main(["run", "--duration", "1h", "--seed", "3", "--no-figures", "--out", str(out)]) == 0
    written = (out / "replay.html").read_bytes()
    read_whole = []
    monkeypatch.setattr(run_folder, "read_track_digest", functools.partial(read_track_digest, rows=1))
    monkeypatch.setattr(reading, "read_table", _refusing_big_tables(reading.read_table, read_whole))
    assert call_main(["replay", str(out), "--out", str(tmp_path / "again.html")]) == 0
    assert read_whole == []
    assert (tmp_path / "again.html").read_bytes() == written


def _refusing_big_tables(read_table, asked):
    def read(folder, name):
        if name in ("tracks", "transfers"):
            asked.append(name)
        return read_table(folder, name)

    return read


def test_a_run_in_which_nothing_happened_still_has_a_page(tmp_path):
    """Seed 0's first two minutes hold no incident, alarm, mission or sortie: an empty log, not a crash."""
    out = tmp_path / "quiet"
    assert call_main(["run", "--duration", "2m", "--seed", "0", "--no-figures", "--out", str(out)]) == 0
    assert pd.read_csv(out / "incidents.csv").empty and pd.read_csv(out / "alarms.csv").empty
    data = page_data(out / "replay.html")
    assert data["runs"][0]["events"]["count"] == 0


def _without(run_folder, tmp_path, name):
    folder = tmp_path / "broken"
    shutil.copytree(run_folder, folder)
    (folder / name).unlink()
    return folder


def _old_columns(run_folder, tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(run_folder, folder)
    tracks = pd.read_csv(folder / "tracks.csv").drop(columns=["state"])
    tracks.to_csv(folder / "tracks.csv", index=False)
    return folder


@pytest.mark.parametrize(
    "case, expected",
    [
        ("missing file", ("tracks.csv", "missing")),
        ("old columns", ("column 'state'", "older version")),
        ("unknown camera", ("--camera", "cam-nowhere", "cam-beach-w")),
        ("other seed", ("different seeds", "0", "1")),
        ("missing out folder", ("--out", "does not exist")),
        ("no folder", ("no such folder",)),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(run_folder, tmp_path, capsys, case, expected):
    out = tmp_path / "page.html"
    argv = {
        "missing file": lambda: [str(_without(run_folder, tmp_path, "tracks.csv"))],
        "old columns": lambda: [str(_old_columns(run_folder, tmp_path))],
        "unknown camera": lambda: [str(run_folder), "--camera", "cam-nowhere"],
        "other seed": lambda: [
            str(run_folder),
            str(write_run(tmp_path / "seed1", ("run.seed=1",), hours=0.25)),
        ],
        "missing out folder": lambda: [str(run_folder)],
        "no folder": lambda: [str(tmp_path / "nothing")],
    }[case]()
    if case == "missing out folder":
        out = tmp_path / "absent" / "page.html"
    capsys.readouterr()
    rc = call_main(["replay", *argv, "--out", str(out)])
    assert_one_error_line(capsys, rc, expected)
    assert not out.exists()
    assert not [p for p in tmp_path.rglob(".*partial")]


def test_camera_frames_run_from_first_sight_to_the_alarm(tmp_path, monkeypatch):
    from sim.render import clips
    from sim.replay.frames import camera_frames
    from sim.replay.run_folder import read_run_folder
    from sim.replay.sightings import seen_incidents

    # A busy quarter hour, so that one camera sees several incidents whatever the calibration draws.
    run_folder = write_run(tmp_path / "run", ("incidents.swimming.rate_per_hour=40",), hours=0.25)
    result, _ = read_run_folder(run_folder)
    seen = seen_incidents(result, [])
    alarms = pd.read_csv(run_folder / "alarms.csv").dropna(subset=["incident_id"])
    assert len(seen) == alarms["incident_id"].nunique() > 0
    busiest = seen["camera"].value_counts().idxmax()  # one renderer for all of a camera's clips
    first = seen[seen["camera"] == busiest].iloc[0]
    built, renderer = [], clips.Renderer
    monkeypatch.setattr(clips, "Renderer", lambda *a, **k: built.append(a[0].spec.id) or renderer(*a, **k))
    frames = camera_frames(result, [first["camera"]], max_frames=2)
    assert (seen["camera"] == first["camera"]).sum() > 1 and built == [
        first["camera"]
    ]  # one renderer, all clips
    mine = [f for f in frames if f["incident"] == first["incident_id"]]
    assert len(mine) == 2
    assert mine[0]["t"] == pytest.approx(first["t0"], abs=1e-3)
    assert mine[-1]["t"] == pytest.approx(first["t1"])
    assert mine[-1]["label"].startswith("alarm")
    assert all(base64.b64decode(f["jpeg"])[:2] == b"\xff\xd8" for f in frames)  # JPEG
    # A statistical run ran no detector: truth boxes only, and the page says so.
    assert all("detections" not in f and "truth boxes only (statistical run" in f["label"] for f in frames)
    assert not any(detector_pixels(f["jpeg"]) for f in frames)


def test_a_sweep_writes_replays_only_when_its_file_asks(tmp_path):
    for asks in (True, False):
        sweep = tmp_path / f"sweep_{asks}.yaml"
        scenario = ROOT / "scenarios" / "xuchang_lake.yaml"
        sweep.write_text(
            f"scenario: {scenario}\nseeds: 1\nduration: 600\nreplay: {str(asks).lower()}\n"
            "grid:\n  dispatch.policy: [nearest_idle]\n",
            encoding="utf-8",
        )
        out = tmp_path / f"out_{asks}"
        assert call_main(["sweep", str(sweep), "--workers", "1", "--out", str(out)]) == 0
        (run,) = (out / "runs").iterdir()
        assert (run / "replay.html").is_file() == asks
        if asks:
            assert page_data(run / "replay.html")["runs"][0]["label"] == run.name
