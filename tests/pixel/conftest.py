"""A pixel-mode run of two beach cameras, built once for the pixel tests that only read it.

Tests that use :func:`beaches` carry ``@pytest.mark.xdist_group("pixel-beaches")``: with
pytest-xdist's ``--dist loadgroup`` they run in one worker, so the runs are made once, not once per worker.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sim.engine import Result, Simulation
from sim.scenario.loading import load_scenario
from sim.scenario.models import Buoy, Scenario
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
    """The same scenario and seed run twice in pixel mode, on one frame thread and on two."""

    scenario: Scenario
    one: Result
    one_log: list[tuple]
    """Every offender's detector score in every frame of :attr:`one`."""
    two: Result
    two_log: list[tuple]


@pytest.fixture(scope="session")
def beaches() -> BeachRuns:
    """150 s of a summer afternoon, both beach cameras at 5 frames/s (320 px analysed), 300 swimmers per hour,
    threshold 0.2 and the beach buoy; run on one frame thread and again on two."""
    scenario = load_scenario(DEFAULT, MANY_ALARMS)
    beach = [
        c.model_copy(update={"fps": 5.0}) for c in scenario.cameras if c.id in ("cam-beach-w", "cam-beach-e")
    ]
    scenario = scenario.model_copy(update={"cameras": tuple(beach), "buoys": (BEACH_BUOY,)})
    runs = {}
    for threads in (1, 2):
        log: list[tuple] = []
        runs[threads] = (Simulation(scenario, score_log=log, frame_threads=threads).run(), log)
    return BeachRuns(scenario, *runs[1], *runs[2])
