"""Fitting statistical mode to pixel mode: the two-level offender offsets, offenders never seen, runs of hits
growing with the hit odds, alarms that miss their offender; the new calibration keys in sensing and their bad
values."""

from __future__ import annotations

import json
import math
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from sim.calibration import fit_alarm_on_target, fit_hit_model, fit_hit_run_scaling, track_alarms
from sim.daylight import Daylight
from sim.rng import RandomStreams
from sim.scenario import ClassCalibration, Kind, Weather
from sim.sensing import DetectionModel, Sensor, StatisticalSensing, chained_hits, sigmoid

from .cli_checks import assert_one_error_line, call_main
from .conftest import DEFAULT
from .test_sensing import make_incident


def offender_frames(rng, offenders, seconds, fps, eta, lasting_sd, spell_sd, spell_s, never=0.0):
    """Scores σ(η + σ_l·u + σ_s·v + ε) per frame, u per offender, v per spell; a share ``never`` scores 0."""
    t = np.arange(0, seconds, 1 / fps)
    spell = (t // spell_s).astype(int)
    rows = []
    for g in range(offenders):
        own = lasting_sd * rng.normal() + spell_sd * rng.normal(size=spell.max() + 1)[spell]
        scores = sigmoid(eta + own + rng.logistic(size=len(t)))
        if rng.random() < never:
            scores = np.zeros(len(t))
        rows.append(pd.DataFrame({"group": g, "t": t, "pixels": 10.0, "light": 2, "weather": "clear"}))
        rows[-1]["score"] = scores
    return pd.concat(rows, ignore_index=True)


def test_nested_fit_recovers_a_lasting_and_a_spell_offset():
    """Both spreads at once (nested Gauss–Hermite quadrature), and the intercept."""
    frames = offender_frames(np.random.default_rng(5), 80, 240, 0.5, -0.5, 1.2, 1.0, 60.0)
    fit = fit_hit_model(frames, 10.0, spell_s=60.0)
    assert fit["offender_lasting_sd"] == pytest.approx(1.2, abs=0.3)
    assert fit["offender_sd"] == pytest.approx(1.0, abs=0.25)
    assert fit["intercept"] == pytest.approx(-0.5, abs=0.3)
    # One level only: the spread is a single offset for the whole visit.
    single = fit_hit_model(frames, 10.0)
    assert single["offender_lasting_sd"] == 0.0 and single["log_likelihood"] < fit["log_likelihood"]


def test_zero_inflated_fit_recovers_the_share_never_seen():
    frames = offender_frames(np.random.default_rng(6), 200, 60, 1.0, 0.0, 0.8, 0.0, 60.0, never=0.3)
    fit = fit_hit_model(frames, 10.0, never=True)
    assert fit["never_share"] == pytest.approx(0.3, abs=0.08)
    assert fit["offender_sd"] == pytest.approx(0.8, abs=0.2)
    plain = fit_hit_model(frames, 10.0)
    assert plain["never_share"] == 0.0 and plain["log_likelihood"] < fit["log_likelihood"]


def test_track_alarms_and_the_share_on_target_by_hand():
    """3-of-5 per track; the alarm at pixel mode's time is credited, the ones before it missed."""
    hit, miss = 0.9, 0.0
    scores = [hit, hit, miss, hit, miss, miss, hit, hit, hit, miss]
    frames = pd.DataFrame(
        {
            "group": ["a"] * 10 + ["b"] * 4,
            "t": [0.2 * i for i in range(10)] + [0.0, 0.2, 0.4, 0.6],
            "score": scores + [hit] * 4,
            "track": [1, 1, -1, 1, -1, -1, 2, 2, 2, -1, 5, 5, 6, 6],
        }
    )
    alarms = track_alarms(frames, 0.5, 3, 5)
    # a: track 1 hits frames 0, 1, 3 (3 within 5: alarm at 0.6 s); track 2 frames 6-8 (1.6 s).
    # b: two hits per track, never 3.
    assert list(alarms["group"]) == ["a", "a"]
    assert alarms["t"].to_numpy() == pytest.approx([0.6, 1.6])
    assert fit_alarm_on_target(frames, pd.Series({"a": 1.6}), 0.5, 3, 5) == pytest.approx(1 / 2)
    assert fit_alarm_on_target(frames, pd.Series({"a": 0.6}), 0.5, 3, 5) == 1.0
    assert fit_alarm_on_target(frames, pd.Series(dtype=float), 0.5, 3, 5) == 0.0  # two alarms, none credited
    assert fit_alarm_on_target(frames.assign(score=0.0), pd.Series(dtype=float), 0.5, 3, 5) == 1.0


def test_run_scaling_recovers_runs_growing_with_the_hit_odds():
    """Chains with mean run R·odds^γ frames at hit probability p give back R and γ."""
    rng = np.random.default_rng(7)
    run_s, gamma, fps, n = 2.0, 0.5, 5.0, 20_000
    rows = []
    for g, p in enumerate([0.05, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8]):
        run = run_s * fps * (p / (1 - p)) ** gamma
        hits = chained_hits(rng.random(n), np.full(n, p), run, False)
        rows.append(pd.DataFrame({"group": g, "t": np.arange(n) / fps, "score": hits * 0.9, "track": 1}))
    fitted_run, fitted_gamma = fit_hit_run_scaling(pd.concat(rows, ignore_index=True), 0.5)
    assert fitted_gamma == pytest.approx(gamma, abs=0.08)
    assert fitted_run == pytest.approx(run_s, rel=0.15)


def _camera_sensing(default_scenario, **swimming) -> StatisticalSensing:
    """One camera and a swimming class whose terms are the defaults (independent frames, no offender
    offsets, every alarm on target) except ``swimming``: whatever the bundled calibration holds."""
    calibration = default_scenario.calibration
    plain = {"intercept": 0.0, "size_slope": 1.0}
    spec = ClassCalibration(**plain).model_copy(update=swimming)
    calibration = calibration.model_copy(update={"classes": {**calibration.classes, Kind.SWIMMING: spec}})
    camera = Sensor(
        "cam", box(0, 0, 2, 2), 1.0, 1, 1, frozenset({Kind.SWIMMING}), lambda xy, h: np.full(len(xy), 10.0)
    )
    daylight = Daylight(datetime(2026, 7, 1, 12), 34.0, 113.8, 8.0)  # noon: daylight, offset 0
    return StatisticalSensing([camera], DetectionModel(calibration, 0.5, Weather.CLEAR), daylight, 20_000.0)


def test_alarms_off_target_are_lost_and_the_rule_starts_again(default_scenario):
    """Every frame a hit, k = n = 1: the first alarm on target comes after Geometric(q) − 1 lost ones."""
    q, trials = 0.4, 3000
    sensing = _camera_sensing(default_scenario, intercept=30.0, alarm_on_target=q)
    streams = RandomStreams(8)
    delays = [
        sensing.observe(make_incident(i, 100.0, 10_000.0), streams.stream)[1][0].t - 100.0
        for i in range(trials)
    ]
    sd = math.sqrt(1 - q) / q
    assert np.mean(delays) == pytest.approx(1 / q - 1, abs=4 * sd / math.sqrt(trials))


def test_offenders_never_seen_are_never_detected(default_scenario):
    share, trials = 0.3, 3000
    sensing = _camera_sensing(default_scenario, intercept=30.0, never_share=share)
    streams = RandomStreams(9)
    detected = sum(
        bool(sensing.observe(make_incident(i, 0.0, 100.0), streams.stream)[1]) for i in range(trials)
    )
    expected = 1 - share
    assert detected / trials == pytest.approx(expected, abs=4 * math.sqrt(expected * share / trials))


def test_calibrations_without_the_new_terms_keep_their_draws(default_scenario):
    """New terms at their neutral values draw nothing extra: the same detections as before them."""
    plain = _camera_sensing(default_scenario, intercept=-1.0, offender_sd=1.0)
    neutral = _camera_sensing(
        default_scenario,
        intercept=-1.0,
        offender_sd=1.0,
        offender_lasting_sd=0.0,
        never_share=0.0,
        alarm_on_target=1.0,
        hit_run_odds_exponent=0.0,
    )
    for i in range(50):
        a = plain.observe(make_incident(i, 0.0, 60.0), RandomStreams(1).stream)
        b = neutral.observe(make_incident(i, 0.0, 60.0), RandomStreams(1).stream)
        assert a == b


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("never_share", 1.5, "less than or equal to 1"),
        ("alarm_on_target", 1.5, "less than or equal to 1"),
        ("hit_run_odds_exponent", 1.0, "less than 1"),
        ("offender_lasting_sd", -0.5, "greater than or equal to 0"),
    ],
)
def test_bad_calibration_values_name_their_key(tmp_path, capsys, key, value, message):
    _assert_refused(tmp_path, capsys, ("classes", "swimming", key), value, message)


def _assert_refused(tmp_path, capsys, path_in_file: tuple[str, ...], value, message: str) -> None:
    """The bundled calibration with one value replaced is refused: one error line naming its key path."""
    calibration = json.loads((DEFAULT.parent / "calibration" / "default.json").read_text(encoding="utf-8"))
    *parents, key = path_in_file
    target = calibration
    for parent in parents:
        target = target[parent]
    target[key] = value
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(calibration), encoding="utf-8")
    rc = call_main(["validate", str(DEFAULT), "--set", f"detection.calibration={path}"])
    assert_one_error_line(capsys, rc, (".".join(path_in_file), message))


def test_a_false_alarm_slope_must_be_positive(tmp_path, capsys):
    _assert_refused(tmp_path, capsys, ("false_alarms", "swimming", "slope"), 0.0, "greater than 0")


def test_the_false_alarm_rate_follows_the_slope(default_scenario):
    """r(τ) = max_rate · σ(c − s · logit τ): at τ 0.8 with c 0, s 2: 10 / (1 + 16) per hour."""
    from sim.scenario import FalseAlarmCalibration, Weather
    from sim.sensing import DetectionModel

    false_alarms = dict(default_scenario.calibration.false_alarms)
    false_alarms[Kind.SWIMMING] = FalseAlarmCalibration(max_rate_per_hour=10.0, intercept=0.0, slope=2.0)
    calibration = default_scenario.calibration.model_copy(update={"false_alarms": false_alarms})
    model = DetectionModel(calibration, 0.8, Weather.CLEAR)
    assert model.false_alarm_rate(Kind.SWIMMING) == pytest.approx(10.0 / 17.0)
