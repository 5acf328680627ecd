"""Pixel mode on two beach cameras: the same tables as statistical mode's, its invariants and buoys.
(Determinism and cameras analysed on threads: tests/pixel/test_far_bank.py runs two cameras on the same
instants twice, on one frame thread and on two, and compares every table, the score log and the summary.)

Every test here reads the same run (the module's fixture), so it is made once: pytest-xdist sends a module
to one worker (``--dist loadfile``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
import shapely

from sim.engine import Simulation, run
from sim.loading import load_scenario
from sim.results.result import Result
from sim.scenario.models import Buoy, Mode, Scenario
from sim.world.geometry import ZoneGeometry
from tests.helpers.invariants import assert_invariants
from tests.helpers.paths import DEFAULT
from tests.helpers.pixel import PIXEL_OVERRIDES

MANY_ALARMS = [
    *PIXEL_OVERRIDES,
    "render.jpeg_quality=100",
    "incidents.swimming.rate_per_hour=300",
    "detection.threshold=0.2",
]
"""Two cameras on the same instants and many swimmers: both raise alarms (JPEG q100, low threshold)."""

BEACH_BUOY = Buoy(
    id="buoy-beach",
    position=(470.0, 290.0),
    detection_radius=80.0,
    report_interval=5.0,
    detection_probability=0.9,
)
"""A buoy off the beach: its reports come from the statistical model in pixel mode too."""


@dataclass(frozen=True)
class BeachRuns:
    """A pixel-mode run of two beach cameras and its score log."""

    scenario: Scenario
    one: Result
    one_log: list[tuple]
    """Every offender's detector score in every frame of :attr:`one`."""


@pytest.fixture(scope="module")
def beaches() -> BeachRuns:
    """90 s of a summer afternoon, both beach cameras at 5 frames/s (320 px analysed), 300 swimmers per hour,
    threshold 0.2 and the beach buoy. (90 s: both cameras alarm, three boats are sent and the buoy reports
    six times, what the tests need; 150 s cost 1.7 times more.)"""
    scenario = load_scenario(DEFAULT, [*MANY_ALARMS, "run.duration=90"])
    beach = [
        c.model_copy(update={"fps": 5.0}) for c in scenario.cameras if c.id in ("cam-beach-w", "cam-beach-e")
    ]
    scenario = scenario.model_copy(update={"cameras": tuple(beach), "buoys": (BEACH_BUOY,)})
    log: list[tuple] = []
    return BeachRuns(scenario, Simulation(scenario, score_log=log).run(), log)


@pytest.fixture(scope="module")
def statistical(beaches) -> Result:
    """The same scenario and seed in statistical mode."""
    return run(_statistical(beaches.scenario))


def _statistical(scenario: Scenario) -> Scenario:
    return scenario.model_copy(update={"run": scenario.run.model_copy(update={"mode": Mode.STATISTICAL})})


def test_pixel_mode_writes_the_same_tables_and_keeps_the_invariants(beaches):
    result = beaches.one
    assert_invariants(result, ZoneGeometry(beaches.scenario))
    assert result.summary["mode"] == "pixel"
    assert set(result.alarms["source"]) == {"cam-beach-w", "cam-beach-e", "buoy-beach"}
    assert len(beaches.one_log) > 0 and len(result.missions) > 0


def test_buoys_report_in_pixel_mode_as_in_statistical_mode(beaches, statistical):
    """Buoys are not pixels: their reports come from the same statistical model in both modes."""
    columns = ["t", "source", "incident_id"]
    first = [
        r.alarms[r.alarms["source"] == "buoy-beach"][columns].head(1).reset_index(drop=True)
        for r in (statistical, beaches.one)
    ]
    assert len(first[0]) == 1
    pd.testing.assert_frame_equal(first[1], first[0])


def test_pixel_mode_incidents_match_statistical_mode(beaches, statistical):
    columns = ["kind", "x", "y", "t_start", "t_end"]
    pd.testing.assert_frame_equal(statistical.incidents[columns], beaches.one.incidents[columns])


def test_the_score_log_holds_offenders_where_statistical_mode_may_alarm_on_them(beaches):
    """Each logged frame's offender stands inside its kind's no-go areas, in an interval in which statistical
    mode may alarm on it (``InView.alarmable``, the view within those areas): the fit and the mode it
    calibrates count the same frames (one outside its area, in view: tests/pixel/test_score_log_areas.py)."""
    simulation = Simulation(_statistical(beaches.scenario))
    incidents = {incident.id: incident for incident in simulation.incidents}
    for kind, group, t, *_ in beaches.one_log:
        camera_id, actor = group.split("/")
        incident = incidents[int(actor.removeprefix("incident-"))]
        x, y = incident.track.position(np.array([t]))[0]
        assert shapely.intersects_xy(simulation.geometry.no_go(kind.value), x, y), (group, t)
        seen = next(s for s in simulation.sensing.sightings(incident) if s.sensor.id == camera_id)
        assert any(a - 1e-6 <= t <= b + 1e-6 for a, b in seen.alarmable), (group, t)


def test_both_modes_alarm_on_offenders_only_inside_their_no_go_areas(beaches, statistical):
    """Statistical mode's alarms are where the offender stood, exactly inside (to rounding); pixel mode's at
    the foot of the alarm's box, in a no-go pixel: inside to within a pixel's ground size."""
    geometry = ZoneGeometry(beaches.scenario)
    for result, slack_m in ((statistical, 1e-6), (beaches.one, 3.0)):
        found = result.alarms.dropna(subset=["incident_id"])
        assert len(found) > 0
        for alarm in found.itertuples():
            assert shapely.dwithin(geometry.no_go(alarm.kind), shapely.Point(alarm.x, alarm.y), slack_m), (
                alarm
            )
