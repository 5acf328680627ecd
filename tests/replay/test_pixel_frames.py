"""Camera frames of a pixel-mode run: the detector's boxes and scores the run itself saw, drawn beside the
truth boxes; a run that does not repeat is refused.

One short pixel run per module (about 2 s), watched while it runs: the boxes its detector reported in every
frame are kept, and the replay, which repeats the run from its folder, must show exactly those."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from sim.replay.frames import camera_frames
from sim.replay.pixel_frames import detector_boxes
from sim.replay.run_folder import read_run_folder
from sim.results.replay_page.page import page_data
from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.pixel import one_beach_camera
from tests.helpers.replay_runs import PIXEL_BEACH, detector_pixels, write_pixel_run

MAX_FRAMES = 6


@pytest.fixture(scope="module")
def pixel_run(tmp_path_factory):
    """The run folder, the boxes its detector reported in each frame (by frame time, as the page data
    holds them) and the replay's frames of it."""
    seen: dict[float, list[dict]] = {}
    thresholds = one_beach_camera(PIXEL_BEACH).detection.thresholds

    def watch(camera_id, number, frame, reported, completed):
        boxes = detector_boxes(reported, completed, thresholds)
        seen[round(frame.t, 3)] = [b.as_data() for b in boxes]

    folder = write_pixel_run(tmp_path_factory.mktemp("pixel") / "run", watch)
    frames = camera_frames(read_run_folder(folder), [], MAX_FRAMES)
    return folder, seen, frames


def test_the_frames_show_the_boxes_the_run_saw(pixel_run):
    folder, seen, frames = pixel_run
    alarms = pd.read_csv(folder / "alarms.csv")
    assert len(alarms) == 2 and set(alarms["source"]) == {"cam-beach-w"}
    for incident, alarm in zip(alarms["incident_id"], alarms.itertuples(), strict=True):
        mine = [f for f in frames if f["incident"] == incident]
        assert 2 <= len(mine) <= MAX_FRAMES
        assert mine[-1]["t"] == pytest.approx(alarm.t) and mine[-1]["label"].startswith("alarm")
        (raised,) = [d for d in mine[-1]["detections"] if d["alarm"]]
        assert raised["score"] == pytest.approx(alarm.score, abs=1e-4) and raised["hit"]
    for frame in frames:
        assert frame["detections"] == seen[frame["t"]], f"frame at {frame['t']} s"
        assert frame["size"] == [320, 180]
        assert "detector:" in frame["label"]
        assert (detector_pixels(frame["jpeg"]) > 0) == bool(frame["detections"])
    assert any(not d["hit"] for f in frames for d in f["detections"]), "no box below the threshold"


def test_the_page_carries_them(pixel_run):
    folder, _, frames = pixel_run
    run = page_data([read_run_folder(folder)], ["pixel"], [frames])["runs"][0]
    assert run["mode"] == "pixel"
    assert [f["detections"] for f in run["frames"]] == [f["detections"] for f in frames]


@pytest.mark.parametrize(
    "table, column, expected",
    [
        ("incidents.csv", "t_start", ("incidents.csv", "incident 1", "cannot be repeated")),
        ("alarms.csv", "score", ("alarms.csv", "alarm at 16.400 s", "would not be the run's")),
    ],
)
def test_a_run_that_does_not_repeat_is_refused(pixel_run, tmp_path, capsys, table, column, expected):
    """An edited table (here: a time or a score moved) cannot be the run's: no page rather than boxes
    that are not what the run saw."""
    folder = tmp_path / "edited"
    shutil.copytree(pixel_run[0], folder)
    rows = pd.read_csv(folder / table)
    rows.loc[0, column] += 0.5 if column == "t_start" else -0.01
    rows.to_csv(folder / table, index=False)
    out = tmp_path / "page.html"
    capsys.readouterr()
    rc = call_main(["replay", str(folder), "--camera-frames", "--out", str(out)])
    assert_one_error_line(capsys, rc, expected)
    assert not out.exists() and not list(tmp_path.glob(".*partial"))
