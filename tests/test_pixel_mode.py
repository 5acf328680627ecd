"""Pixel mode: cameras render frames, detectors run, the same downstream tables come out."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.engine import Simulation, run
from sim.geometry import ZoneGeometry
from sim.loading import ScenarioError, load_scenario
from sim.scenario import Buoy, Mode

from .conftest import DEFAULT
from .test_engine import assert_invariants

OVERRIDES = [
    "run.mode=pixel",
    "run.duration=150",
    "run.start=2026-07-18T15:00:00",  # a summer afternoon: daylight, swimmers
    "incidents.swimming.rate_per_hour=90",
    "detection.analysis_width=320",
    "detection.threshold=0.3",
]


@pytest.fixture(scope="module")
def pixel_scenario():
    scenario = load_scenario(DEFAULT, OVERRIDES)
    beach = [
        c.model_copy(update={"fps": 5.0}) for c in scenario.cameras if c.id in ("cam-beach-w", "cam-beach-e")
    ]
    return scenario.model_copy(update={"cameras": tuple(beach)})


@pytest.fixture(scope="module")
def pixel_run(pixel_scenario):
    return run(pixel_scenario)


def test_pixel_mode_writes_the_same_tables_and_keeps_the_invariants(pixel_run, pixel_scenario):
    assert_invariants(pixel_run, ZoneGeometry(pixel_scenario))
    assert pixel_run.summary["mode"] == "pixel"
    buoys = {b.id for b in pixel_scenario.buoys}
    assert set(pixel_run.alarms["source"]) <= {"cam-beach-w", "cam-beach-e"} | buoys


def test_buoys_report_in_pixel_mode_as_in_statistical_mode(pixel_scenario):
    """Buoys are not pixels: their reports come from the same statistical model in both modes."""
    buoy = Buoy(
        id="buoy-beach",
        position=(470.0, 290.0),
        detection_radius=80.0,
        report_interval=5.0,
        detection_probability=0.9,
    )
    with_buoy = pixel_scenario.model_copy(update={"buoys": (buoy,)})
    runs = [
        run(with_buoy.model_copy(update={"run": with_buoy.run.model_copy(update={"mode": mode})}))
        for mode in (Mode.STATISTICAL, Mode.PIXEL)
    ]
    columns = ["t", "source", "incident_id"]
    first = [
        r.alarms[r.alarms["source"] == "buoy-beach"][columns].head(1).reset_index(drop=True) for r in runs
    ]
    assert len(first[0]) == 1
    pd.testing.assert_frame_equal(first[1], first[0])


def test_pixel_mode_is_deterministic(pixel_scenario, pixel_run):
    again = run(pixel_scenario)
    pd.testing.assert_frame_equal(again.alarms, pixel_run.alarms)
    pd.testing.assert_frame_equal(again.incidents, pixel_run.incidents)


def test_pixel_mode_incidents_match_statistical_mode(pixel_scenario, pixel_run):
    statistical = run(
        pixel_scenario.model_copy(
            update={"run": pixel_scenario.run.model_copy(update={"mode": Mode.STATISTICAL})}
        )
    )
    columns = ["kind", "x", "y", "t_start", "t_end"]
    pd.testing.assert_frame_equal(statistical.incidents[columns], pixel_run.incidents[columns])


def test_bad_detector_parameter_names_the_key(pixel_scenario):
    detection = pixel_scenario.detection.model_copy(update={"pixel_detectors": {"swimming": {"speed": 1.0}}})
    with pytest.raises(ScenarioError, match=r"detection.pixel_detectors.swimming: .*no parameter .speed."):
        Simulation(pixel_scenario.model_copy(update={"detection": detection}))
