"""The replay page in a real browser: Debian's chromium driven by Playwright (no browser download).

One browser and two short runs per module; the page is checked against the run's own CSV files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.replay.run_folder import read_run_folder
from sim.results.replay_page.page import write_replay
from tests.helpers.browser import ARGS, CHROMIUM, open_page
from tests.helpers.replay_runs import write_run

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e .[test])"
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
)
INCIDENT_EVENTS = {
    "t_start": "offender appeared",
    "t_alarm_received": "alarm received",
    "t_dispatched": "dispatched",
    "t_boat_arrived": "arrived",
    "t_warning": "warning",
    "t_offender_left": "offender left",
    "t_evidence_uploaded": "evidence uploaded",
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("browser")
    a = write_run(base / "three_boats", hours=2.0)
    b = write_run(base / "slow_boats", ("boats.0.cruise_speed=1.0", "boats.1.cruise_speed=1.0"), hours=2.0)
    (run_a, tracks_a), (run_b, tracks_b) = read_run_folder(a), read_run_folder(b)
    write_replay([run_a], ["three_boats"], a / "replay.html", tracks=[tracks_a])
    pair = ([run_a, run_b], ["three_boats", "slow_boats"])
    write_replay(*pair, base / "pair.html", tracks=[tracks_a, tracks_b])
    return a, b


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def expected_position(tracks: pd.DataFrame, boat_id: str, t: float) -> tuple[float, float]:
    boat = tracks[tracks["boat_id"] == boat_id].sort_values("t")
    return float(np.interp(t, boat["t"], boat["x"])), float(np.interp(t, boat["t"], boat["y"]))


def test_one_run_matches_its_tables(browser, runs):
    folder = runs[0]
    page, problems = open_page(browser, folder / "replay.html")
    tracks = pd.read_csv(folder / "tracks.csv")
    incidents = pd.read_csv(folder / "incidents.csv")
    busy = tracks[tracks["state"] != "docked"]["t"]
    moments = [0.0, 1234.5, float(busy.iloc[len(busy) // 2]) + 2.5, float(busy.iloc[-1]) - 1.0, 7199.0]
    for t in moments:
        page.evaluate(f"replay.seek({t})")
        state = page.evaluate("replay.state()")
        assert state["t"] == pytest.approx(t)
        assert [b["id"] for b in state["boats"]] == sorted(tracks["boat_id"].unique())
        for boat in state["boats"]:
            x, y = expected_position(tracks, boat["id"], t)
            assert np.hypot(boat["x"] - x, boat["y"] - y) <= 0.5, (t, boat, x, y)
        close = incidents["t_offender_left"].fillna(incidents["t_end"])
        open_ = incidents[(incidents["t_start"] <= t) & (t < close)]["incident_id"].tolist()
        assert state["open_incidents"] == sorted(open_), t
    # Hover over a boat at sea explains it; a click follows it.
    t_out = float(tracks[tracks["state"] == "outbound"]["t"].iloc[3])
    page.evaluate(f"replay.seek({t_out})")
    boat = next(b for b in page.evaluate("replay.state().boats") if b["state"] == "outbound")
    point = page.evaluate(f"replay.toScreen({boat['x']}, {boat['y']})")
    page.mouse.move(point["x"], point["y"])
    assert page.locator("#tooltip").is_visible()
    assert f"{boat['id']} — outbound" in page.locator("#tooltip").inner_text()
    page.mouse.click(point["x"], point["y"])
    assert page.evaluate("replay.following") == boat["id"]
    # The controls a user touches: follow a boat, zoom, pan, hover, type a time, switch a layer.
    page.keyboard.press("f")
    box = page.locator("canvas.map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2 + 30)
    page.mouse.up()
    page.locator("#goto").fill("1h20m")
    page.locator("#goto").press("Enter")
    assert page.evaluate("replay.state().t") == 4800
    page.locator("details.layers-panel summary").click()
    page.locator("[data-layer=radio]").click()
    page.keyboard.press("Escape")
    assert "--camera-frames" in page.locator(".camera-caption").inner_text()  # none in this page: says how
    assert not problems


def test_every_event_has_its_row_and_a_click_seeks(browser, runs):
    folder = runs[0]
    page, problems = open_page(browser, folder / "replay.html")
    rows = page.evaluate("replay.logRows()")
    have = {(round(r["t"], 3), r["kind"], r["incident"]) for r in rows}
    incidents = pd.read_csv(folder / "incidents.csv")
    alarms = pd.read_csv(folder / "alarms.csv")
    expected = set()
    for column, kind in INCIDENT_EVENTS.items():
        for i, t in zip(incidents["incident_id"], incidents[column], strict=True):
            if pd.notna(t):
                expected.add((round(t, 3), kind, int(i)))
    for t, incident in zip(alarms["t"], alarms["incident_id"], strict=True):
        kind = "false alarm" if pd.isna(incident) else "alarm raised"
        expected.add((round(t, 3), kind, -1 if pd.isna(incident) else int(incident)))
    assert expected and expected <= have, sorted(expected - have)
    assert len(rows) >= len(alarms) + incidents[list(INCIDENT_EVENTS)].notna().sum().sum()
    page.evaluate("replay.seek(0)")
    row = page.locator(".log-row").nth(5)
    text = row.get_attribute("data-t")
    row.click()
    target = float(text)
    assert page.evaluate("replay.state().t") == pytest.approx(target)
    assert page.locator(".log-row.current").first.get_attribute("data-t") == text
    page.keyboard.press("ArrowRight")
    assert page.evaluate("replay.state().t") > target
    assert not problems


def test_side_by_side_shows_both_runs_boats(browser, runs):
    page, problems = open_page(browser, runs[0].parent / "pair.html")
    assert page.locator("canvas.map").count() == 2
    page.evaluate("replay.seek(1500)")
    state = page.evaluate("replay.state()")
    assert len(state["runs"]) == 2
    for folder, run_state in zip(runs, state["runs"], strict=True):
        tracks = pd.read_csv(folder / "tracks.csv")
        for boat in run_state["boats"]:
            x, y = expected_position(tracks, boat["id"], 1500)
            assert np.hypot(boat["x"] - x, boat["y"] - y) <= 0.5
    assert state["runs"][0]["boats"] != state["runs"][1]["boats"]  # the slow boats are elsewhere
    page.evaluate("replay.play()")
    page.wait_for_timeout(300)
    assert page.evaluate("replay.state().t") > 1500
    assert not problems
