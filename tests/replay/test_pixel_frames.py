"""Camera frames of a pixel-mode run: the detector's boxes and scores the run itself saw, drawn beside the
truth boxes; a run that does not repeat is refused.

One short pixel run per module (about 2 s), watched while it runs: the boxes its detector reported in every
frame are kept, and the replay, which repeats the run from its folder, must show exactly those."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.replay.frames import camera_frames
from sim.replay.pixel_frames import detector_boxes
from sim.replay.run_folder import read_run_folder
from sim.results.replay_page.page import page_data, write_replay
from tests.helpers.browser import ARGS, CHROMIUM, FIREFOX, open_page
from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.paths import ROOT
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
    frames = camera_frames(read_run_folder(folder)[0], [], MAX_FRAMES)
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


@pytest.fixture(scope="module")
def pixel_page(pixel_run) -> Path:
    folder, _, frames = pixel_run
    result, tracks = read_run_folder(folder)
    return write_replay([result], ["pixel"], folder / "frames.html", [frames], [tracks])


def test_the_page_carries_them(pixel_run):
    folder, _, frames = pixel_run
    result, tracks = read_run_folder(folder)
    run = page_data([result], ["pixel"], [frames], [tracks])["runs"][0]
    assert run["mode"] == "pixel"
    assert [f["detections"] for f in run["frames"]] == [f["detections"] for f in frames]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_the_camera_panel_shows_the_alarm_frame_in_chromium(pixel_page):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page, problems = open_page(browser, pixel_page)
        page.evaluate("replay.seek(16.4)")
        caption = page.locator(".camera-caption").inner_text()
        assert "cam-beach-w · incident #3 · 00:00:16 · alarm, score 0.89 · detector:" in caption
        assert page.evaluate("document.querySelector('#camera img').naturalWidth") == 640
        assert page.locator("#camera img").is_visible()
        browser.close()
    assert not problems


@pytest.mark.skipif(FIREFOX is None, reason="firefox-esr is not installed (apt-get install firefox-esr)")
def test_the_page_opens_in_firefox(pixel_page):
    """The page in Firefox (WebDriver BiDi, scripts/replay_firefox.py): no JavaScript or console error, no
    request, the state and camera panel at the alarms."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "replay_firefox.py"), str(pixel_page), "16.4", "19.8"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Firefox/" in done.stdout and "no errors, no requests" in done.stdout
    assert "incident #2 · 00:00:20 · alarm, score 0.99 · detector:" in done.stdout


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
