"""Overrides for short daylight pixel-mode runs, and the one-camera beach the calibration tests use."""

from __future__ import annotations

from sim.calibration.agreement import ignoring_warnings
from sim.loading import load_scenario
from sim.scenario.models import Scenario
from tests.helpers.paths import DEFAULT

PIXEL_OVERRIDES = [
    "run.mode=pixel",
    "run.duration=150",
    "run.start=2026-07-18T15:00:00",  # a summer afternoon: daylight, swimmers
    "incidents.swimming.rate_per_hour=90",
    "detection.analysis_width=320",
    "detection.threshold=0.3",
]

BEACH_OVERRIDES = [
    "run.duration=300",
    "run.start=2026-07-18T15:00:00",  # a summer afternoon: daylight, many swimmers
    "incidents.swimming.rate_per_hour=200",
    "detection.analysis_width=320",
    "detection.threshold=0.3",
]
"""Five minutes of a busy beach, analysed at 320 px (the mode is left to the caller)."""


def one_beach_camera(overrides: list[str]) -> Scenario:
    """The default scenario with ``overrides`` and only ``cam-beach-w``, at 5 frames/s: the cheapest pixel
    mode that still sees many swimmers."""
    scenario = load_scenario(DEFAULT, overrides)
    camera = next(c for c in scenario.cameras if c.id == "cam-beach-w").model_copy(update={"fps": 5.0})
    return scenario.model_copy(update={"cameras": (camera,)})


def agreement_beach(duration_s: float = 150.0, rate_per_hour: float = 600.0) -> Scenario:
    """The agreement tests' scene: :func:`one_beach_camera` (5 frames/s, 320 px, threshold 0.3) with the
    stroke cue, ``duration_s`` long, ``rate_per_hour`` swimmers arriving, offenders ignoring warnings (as
    the comparison of the modes runs them). The defaults are tests/calibration/test_agreement.py's runs
    (until 2026-12-06 300 s at 300 an hour: the same arrivals per run from twice the frames)."""
    overrides = [
        *BEACH_OVERRIDES,
        f"incidents.swimming.rate_per_hour={rate_per_hour:g}",
        "detection.pixel_detectors.swimming.cue=stroke",
        f"run.duration={duration_s:g}",
    ]
    return ignoring_warnings(one_beach_camera(overrides))
