"""Statistical mode calibrated from pixel mode: the fit's inputs and its false-alarm rate, and whether it
reproduces pixel mode (issue 4's goals for the median time to detect and the detection rate).

The fits read six pixel-mode runs stored as a pixel-run log (tests/calibration/held_out_beach/fit/, the first
six of test_held_out_agreement.py's fitting runs, checked there against a fresh rendering); what pixel mode
logs is checked on two short runs rendered here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from sim.calibration.agreement import (
    agreement_table,
    calibrate_from_pixel_runs,
    compare_modes,
    ignoring_warnings,
    pixel_runs,
)
from sim.calibration.fit_inputs import OFFENDER_FRAME_COLUMNS
from sim.calibration.pixel_run_log import PixelRunLog
from sim.results.result import Result
from sim.scenario.models import Kind, Scenario
from sim.sensing.detection_model import DetectionModel
from tests.helpers.paths import HELD_OUT_BEACH
from tests.helpers.pixel import BEACH_OVERRIDES, agreement_beach, one_beach_camera

AGREEMENT_SEEDS = [0, 1, 2, 3, 4, 5]


@dataclass(frozen=True)
class BeachRuns:
    """Pixel-mode runs of one beach camera, offenders ignoring warnings (as the comparison runs them)."""

    scenario: Scenario
    """The scenario of the runs (warnings ignored)."""
    log: PixelRunLog
    """What a fit and an agreement check read of the runs."""


@pytest.fixture(scope="module")
def beach() -> BeachRuns:
    """Issue 4's protocol on a short scenario: one beach camera at 5 frames/s, 320 px, the stroke cue, 600
    swimmers per hour, 150 s, seeds 0-5 (85 swimmers in view). Until 2026-12-06 the runs were 300 s at 300
    an hour: the same arrivals per run and swimmers in view (86) from half the frames. Since 2026-12-06 they
    are not rendered here: they are the first six of the stored fitting runs of test_held_out_agreement.py,
    which renders seed 0 again and requires its stored rows to the last bit."""
    log = PixelRunLog.read(HELD_OUT_BEACH / "fit").first(len(AGREEMENT_SEEDS))
    assert log.note["seeds"] == AGREEMENT_SEEDS
    return BeachRuns(agreement_beach(150.0, 600.0), log)


# ---------------------------------------------------------------- the fit's inputs and false alarms


@pytest.fixture(scope="module")
def crowded() -> tuple[Scenario, list[Result], pd.DataFrame]:
    """Two 12-s pixel runs of a crowded beach (18 swimmers in view, alarms in both), rendered here."""
    scenario = ignoring_warnings(
        one_beach_camera([*BEACH_OVERRIDES, "run.duration=12", "incidents.swimming.rate_per_hour=4000"])
    )
    return scenario, *pixel_runs([scenario], [0, 1])


def test_pixel_runs_log_every_offender_in_view_in_every_frame(crowded):
    _, results, frames = crowded
    swimmers = frames[frames["kind"] == Kind.SWIMMING]
    assert list(frames.columns) == ["kind", *OFFENDER_FRAME_COLUMNS]
    assert len(swimmers) > 300
    assert swimmers["score"].between(0.0, 1.0).all() and (swimmers["pixels"] > 0).all()
    # Frames are on the camera's 5 frames/s grid; one group per offender per run.
    assert ((swimmers["t"] * 5.0).round(6) % 1 == 0).all()
    in_view = sum(int(r.incidents["t_first_visible"].notna().sum()) for r in results)
    assert swimmers["group"].nunique() == in_view
    # Each offender is logged from the frame it entered the view (the geometry's first visibility).
    first = swimmers.groupby("group")["t"].min()
    visible = {
        f"{j}/cam-beach-w/incident-{row.incident_id}": row.t_first_visible
        for j, r in enumerate(results)
        for row in r.incidents.dropna(subset=["t_first_visible"]).itertuples()
    }
    first = first[list(visible)]
    assert (first - pd.Series(visible)).abs().max() <= 0.2 + 1e-9


def test_pixel_runs_on_a_pool_give_the_same_runs_in_the_same_order(crowded):
    """The two runs again on two worker processes."""
    scenario, here, here_frames = crowded
    pooled, pooled_frames = pixel_runs([scenario], [0, 1], workers=2)
    assert here_frames["group"].nunique() >= 10  # swimmers in view in both runs (18)
    assert all(len(result.alarms) for result in here)  # and alarms to compare
    pd.testing.assert_frame_equal(pooled_frames, here_frames)
    for a, b in zip(pooled, here, strict=True):
        pd.testing.assert_frame_equal(a.alarms, b.alarms)
        pd.testing.assert_frame_equal(a.incidents, b.incidents)


def test_a_log_of_runs_reads_back_as_it_was(crowded, tmp_path):
    """The runs' log written and read: the same tables to the last bit, the same credited alarms."""
    _, results, frames = crowded
    log = PixelRunLog.of_runs(results, frames, seeds=[0, 1])
    again = PixelRunLog.read(log.write(tmp_path))
    for name in ("frames", "alarms", "detections"):
        pd.testing.assert_frame_equal(
            getattr(again, name), getattr(log, name), check_exact=True, check_dtype=False
        )
    pd.testing.assert_series_equal(again.credited, log.credited, check_exact=True)
    assert again.camera_hours == pytest.approx(2 * 12.0 / 3600.0)


def _false_alarms(beach: BeachRuns, kind: Kind) -> int:
    alarms = beach.log.alarms
    return int(((alarms["kind"] == kind) & alarms["incident_id"].isna()).sum())


def test_calibration_reproduces_pixel_false_alarm_rate_at_the_threshold(beach):
    scenario = beach.scenario
    calibration = calibrate_from_pixel_runs(scenario, beach.log, spells=(0.0,))  # one fit
    model = DetectionModel(calibration, scenario.detection.threshold, scenario.run.weather)
    for kind in Kind:
        expected = _false_alarms(beach, kind) / beach.log.camera_hours
        assert model.false_alarm_rate(kind) == pytest.approx(expected, rel=1e-3, abs=1e-3)
    swimming = calibration.classes[Kind.SWIMMING]
    assert swimming.offender_sd >= 0 and swimming.hit_run_s >= 0
    assert calibration.classes[Kind.FISHING] == scenario.calibration.classes[Kind.FISHING]  # never in view
    assert "Fitted to pixel mode" in calibration.source


def test_calibration_fits_each_kind_at_its_own_threshold(beach):
    """With {swimming: 0.6, fishing: 0.3}, swimming's hit model and false-alarm rate are those of a fit at
    0.6 for every kind; the model at those thresholds reproduces pixel mode's swimming false alarms."""

    def fitted(threshold):
        scenario = beach.scenario.model_copy(
            update={"detection": beach.scenario.detection.model_copy(update={"threshold": threshold})}
        )
        return calibrate_from_pixel_runs(scenario, beach.log, spells=(0.0,))

    own = {Kind.SWIMMING: 0.6, Kind.FISHING: 0.3}
    per_kind, alone, shared = fitted(own), fitted(0.6), fitted(0.3)
    assert per_kind.classes[Kind.SWIMMING] == alone.classes[Kind.SWIMMING]
    assert per_kind.classes[Kind.SWIMMING] != shared.classes[Kind.SWIMMING]  # 0.6 is not 0.3: hit runs differ
    assert per_kind.false_alarms[Kind.SWIMMING] == alone.false_alarms[Kind.SWIMMING]
    assert per_kind.false_alarms[Kind.FISHING] == shared.false_alarms[Kind.FISHING]
    rate = DetectionModel(per_kind, own, beach.scenario.run.weather).false_alarm_rate(Kind.SWIMMING)
    expected = _false_alarms(beach, Kind.SWIMMING) / beach.log.camera_hours
    assert rate == pytest.approx(expected, rel=1e-3, abs=1e-3)


# ---------------------------------------------------------------- issue 4's goals


@pytest.fixture(scope="module")
def agreement(beach):
    """Statistical mode fitted to these very pixel runs, whatever the detectors do. One spell candidate,
    10 s, keeps the fit short: it is what the likelihood picks among all of
    :data:`sim.calibration.detectability.SPELLS_S` on these runs (and on the 300-s runs before them).

    The tolerances are issue 4's goals for the calibration, not sampling intervals: statistical mode's side
    is its expectation over 20 detection draws on the very incidents pixel mode saw, fitted to these runs,
    so what is measured is how well the fitted model reproduces pixel mode, not the luck of the draw.
    Measured (2026-12-07, the score log holding the swimmers inside their no-go area only): 0.756 detected
    against 0.729 (+2.7 points, goal met) and a median of 9.11 s against 6.00 s (+52 %, missed); with every
    frame in view logged (2026-12-06) 0.772 (+4.3) and 9.72 s (+62 %), the same on the analysed heights as
    on the full image's. On the 300-s runs at 300 an hour used until then it was the other way round:
    0.897 against 0.826 (+7.1 points, missed), 10.8 s against 9.27 s (+17 %, met). The ordinal model's
    median does not carry from one run length to another, as its held-out table says (+39 % to +63 % on
    300-s and 600-s runs, docs/detectors.md); the hazard model meets both goals on both sets of runs
    (below). The six seeds stay: on fewer the comparison is noisier (on three or four 300-s seeds, 40
    to 57 swimmers, the median missed by 32-78 %)."""
    table, calibration = compare_modes([beach.scenario], AGREEMENT_SEEDS, spells=(10.0,), runs=beach.log)
    swimming = table[table["kind"] == "swimming"].set_index("mode")
    assert swimming.loc["pixel", "incidents_visible"] >= 60 and swimming.loc["pixel", "detected"] >= 20
    assert calibration.classes[Kind.SWIMMING].offender_spell_s == 10.0
    assert calibration.classes[Kind.SWIMMING].evidence_s == pytest.approx(4.0)  # the stroke cue's window
    return swimming.loc["pixel"], swimming.loc["statistical"]


@pytest.mark.xfail(
    strict=True,
    reason="measured miss: the ordinal model with the likelihood's spell has a median time to detect of "
    "9.11 s against pixel mode's 6.00 s on these runs (+52 %; docs/detectors.md); the hazard model meets "
    "the goal (below)",
)
def test_calibrated_statistical_mode_reproduces_the_median_time_to_detect(agreement):
    """Goal: within 20 % of pixel mode's median time from first sight to the first alarm on target. The
    ordinal model misses it in sample on these runs (the fixture's docstring); strict: the suite fails if it
    is met, so this mark is taken off then."""
    pixel, statistical = agreement
    assert statistical["ttd_p50_s"] == pytest.approx(pixel["ttd_p50_s"], rel=0.2)


def test_calibrated_statistical_mode_reproduces_the_detection_rate(agreement):
    """Goal: within 5 percentage points of pixel mode's share of swimmers in view that it alarmed on."""
    pixel, statistical = agreement
    assert abs(statistical["detection_rate"] - pixel["detection_rate"]) <= 0.05


def test_the_hazard_model_fitted_to_these_runs_reproduces_them(beach):
    """The ``hazard`` model (alarm rates by the time in view) fitted to the same six runs meets both goals
    on them. Measured (2026-12-07, the score log inside the no-go area): 0.723 against 0.729 detected, median
    7.07 s against 6.00 s (+18 %: pixel mode's median sits on a cliff between 4.5 s and 19.7 s, its
    quartiles); with every frame in view logged (2026-12-06) 0.732 and 6.04 s (+1 %); on the 300-s runs
    before, 0.857 against 0.826, 9.27 s against 9.27 s."""
    calibration = calibrate_from_pixel_runs(beach.scenario, beach.log, model="hazard")
    swimming = calibration.classes[Kind.SWIMMING]
    assert swimming.model == "hazard" and swimming.alarm_hazard is not None
    # At the swimmers' median size nothing alarms in the stroke cue's first 4.2 s.
    hazard, median = swimming.alarm_hazard, float(np.median(beach.log.frames["pixels"]))
    assert hazard.age_log_rates[0] + hazard.size_slope * np.log2(median / calibration.reference_pixels) < -5
    table = agreement_table([beach.scenario], beach.log.detections, calibration, AGREEMENT_SEEDS, 20)
    rows = table[table["kind"] == "swimming"].set_index("mode")
    pixel, statistical = rows.loc["pixel"], rows.loc["statistical"]
    assert abs(statistical["detection_rate"] - pixel["detection_rate"]) <= 0.05
    assert statistical["ttd_p50_s"] == pytest.approx(pixel["ttd_p50_s"], rel=0.2)
