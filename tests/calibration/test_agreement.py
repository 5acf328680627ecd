"""Statistical mode calibrated from pixel mode reproduces pixel mode: issue 4's goals for the median time to
detect and the detection rate.

The comparison (six pixel-mode runs and the fit, the suite's longest piece of work) is this module's alone,
so pytest-xdist, which sends a module to one worker (``--dist loadfile``), starts it first while the other
worker runs the rest (the other calibration-from-pixel-mode tests: test_calibrate_from_pixel.py)."""

from __future__ import annotations

import pytest

from sim.calibration.agreement import compare_modes
from sim.scenario.models import Kind
from tests.helpers.pixel import BEACH_OVERRIDES, one_beach_camera

AGREEMENT_SEEDS = [0, 1, 2, 3, 4, 5]


@pytest.fixture(scope="module")
def agreement():
    """Issue 4's protocol on a short scenario: one beach camera at 5 frames/s, 320 px, the stroke cue, 300
    swimmers per hour, 300 s, seeds 0-5 (about 86 swimmers in view); statistical mode fitted to these very
    pixel runs, whatever the detectors do. One spell candidate, 10 s, keeps the fit short: it is what the
    likelihood picks among all of :data:`sim.calibration.detectability.SPELLS_S` on these runs.

    The tolerances are issue 4's goals for the calibration, not sampling intervals: statistical mode's side
    is its expectation over 20 detection draws on the very incidents pixel mode saw, fitted to these runs,
    so what is measured is how well the fitted model reproduces pixel mode, not the luck of the draw.
    (Measured: 0.814 against 0.814 and a median of 9.5 s against 8.6 s, +11 %.) The six seeds stay: the
    fit is thinned to 20,000 frames whatever the seeds (its cost does not fall with fewer), and on three
    or four of these seeds (40-57 swimmers) the median misses the goal by 32-78 %: fewer seeds would test
    another, noisier comparison."""
    overrides = [
        *BEACH_OVERRIDES,
        "incidents.swimming.rate_per_hour=300",
        "detection.pixel_detectors.swimming.cue=stroke",
    ]
    scenario = one_beach_camera(overrides)
    table, calibration = compare_modes([scenario], AGREEMENT_SEEDS, spells=(10.0,))
    swimming = table[table["kind"] == "swimming"].set_index("mode")
    assert swimming.loc["pixel", "incidents_visible"] >= 60 and swimming.loc["pixel", "detected"] >= 20
    assert calibration.classes[Kind.SWIMMING].offender_spell_s == 10.0
    assert calibration.classes[Kind.SWIMMING].evidence_s == pytest.approx(4.0)  # the stroke cue's window
    return swimming.loc["pixel"], swimming.loc["statistical"]


def test_calibrated_statistical_mode_reproduces_the_median_time_to_detect(agreement):
    """Goal: within 20 % of pixel mode's median time from first sight to the first alarm on target."""
    pixel, statistical = agreement
    assert statistical["ttd_p50_s"] == pytest.approx(pixel["ttd_p50_s"], rel=0.2)


def test_calibrated_statistical_mode_reproduces_the_detection_rate(agreement):
    """Goal: within 5 percentage points of pixel mode's share of swimmers in view that it alarmed on."""
    pixel, statistical = agreement
    assert abs(statistical["detection_rate"] - pixel["detection_rate"]) <= 0.05
