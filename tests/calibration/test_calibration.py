"""Fitting statistical mode to pixel mode: the two-level offender offsets, offenders never seen, runs of hits
growing with the hit odds, alarms that miss their offender; the new calibration keys in sensing and their bad
values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.calibration.alarm_landing import fit_alarm_landing, track_alarms
from sim.calibration.detectability import fit_hit_model
from sim.calibration.evidence_window import fit_evidence_window
from sim.calibration.hit_runs import fit_hit_run_scaling
from sim.core.maths import sigmoid
from sim.core.rng import RandomStreams
from sim.scenario.models import ClassCalibration, Kind, Weather
from sim.sensing.detection_model import DetectionModel
from sim.sensing.hit_chains import chained_hits
from tests.helpers.builders import assert_calibration_refused, camera_sensing, make_incident

SIZE_SLOPE = 1.2
"""Logit gain per doubling of an offender's height in the simulated frames (the default calibration's order).

Offenders of several sizes make the size slope identifiable: with one size for all, its column in the fit is
zero, the fit finds a slope of 0, below :data:`sim.calibration.fit_inputs.MIN_SIZE_SLOPE`, and fits
everything a second time with the slope held at that floor (which, the column being zero, changes nothing
but the time)."""


def offender_frames(
    rng, offenders, seconds, fps, eta, lasting_sd, spell_sd, spell_s, never=0.0, pixels=None
) -> pd.DataFrame:
    """Scores σ(η + b·log2(px/10) + σ_l·u + σ_s·v + ε) per frame, u per offender, v per spell, b
    :data:`SIZE_SLOPE`; a share ``never`` scores 0. ``pixels``: every offender's height (px); None: the height
    of each frame 10·2^U(−1, 1) (the slope then shows within each offender, apart from its offsets)."""
    t = np.arange(0, seconds, 1 / fps)
    spell = (t // spell_s).astype(int)
    rows = []
    for g in range(offenders):
        size = 10.0 * 2.0 ** rng.uniform(-1, 1, len(t)) if pixels is None else np.full(len(t), pixels)
        own = lasting_sd * rng.normal() + spell_sd * rng.normal(size=spell.max() + 1)[spell]
        scores = sigmoid(eta + SIZE_SLOPE * np.log2(size / 10.0) + own + rng.logistic(size=len(t)))
        if rng.random() < never:
            scores = np.zeros(len(t))
        rows.append(pd.DataFrame({"group": g, "t": t, "pixels": size, "light": 2, "weather": "clear"}))
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
    # Credited at the second of two alarms: one miss, one landing, nobody shadowed.
    assert fit_alarm_landing(frames, pd.Series({"a": 1.6}), 0.5, 3, 5) == pytest.approx(
        (1 / 2, 0.0), abs=1e-6
    )
    assert fit_alarm_landing(frames, pd.Series({"a": 0.6}), 0.5, 3, 5) == pytest.approx((1.0, 0.0), abs=1e-6)
    assert fit_alarm_landing(frames.assign(score=0.0), pd.Series(dtype=float), 0.5, 3, 5) == (1.0, 0.0)


def test_alarm_landing_separates_shadowed_offenders_from_missed_alarms():
    """Mixture by EM: a share q never credited whatever the alarms, the rest credited per alarm with p."""
    rng = np.random.default_rng(3)
    q, p, rows, credited = 0.2, 0.6, [], {}
    for g in range(2000):
        alarms = 4  # tracks 0-3, each three hits in a row: four alarms an offender
        rows += [(str(g), 2.0 * a + 0.2 * i, 0.9, a) for a in range(alarms) for i in range(3)]
        if rng.random() >= q:
            tries = min(int(rng.geometric(p)), alarms + 1)
            if tries <= alarms:
                credited[str(g)] = 2.0 * (tries - 1) + 0.4
    frames = pd.DataFrame(rows, columns=["group", "t", "score", "track"])
    on_target, shadowed = fit_alarm_landing(frames, pd.Series(credited), 0.5, 3, 5)
    assert on_target == pytest.approx(p, abs=0.03)
    assert shadowed == pytest.approx(q, abs=0.03)


def test_evidence_window_is_a_low_quantile_of_the_first_score_on_the_frame_grid():
    """Ten visits at 5 frames/s, first scored 4.0, 4.2, ..., 5.8 s into the visit; one visit seen twice
    (a gap of 2 s starts a second visit, first scored at once)."""
    rows = []
    for g in range(10):
        first = 4.0 + 0.2 * g
        rows += [(f"o{g}", round(0.2 * i, 6), 0.9 if 0.2 * i >= first - 1e-9 else 0.0) for i in range(40)]
    rows += [("o9", 10.0 + 0.2 * i, 0.9) for i in range(5)]  # back in view after 2 s: scored at once
    frames = pd.DataFrame(rows, columns=["group", "t", "score"])
    # First-score ages 0 (the second visit), 4.0, 4.2, ..., 5.8: their 10 % quantile (linear, position
    # 0.1 · 10 = 1 of the sorted 11) is 4.0; the one offender scored at once does not pull it to 0.
    assert fit_evidence_window(frames) == pytest.approx(4.0)
    assert fit_evidence_window(frames, quantile=0.5) == pytest.approx(4.8)
    assert fit_evidence_window(frames.assign(score=0.0)) == 0.0


def test_never_scored_share_falls_with_size():
    """Structural zeros only among the small offenders: the share's size slope is negative."""
    rng = np.random.default_rng(11)
    parts = []
    for pixels in (4.0, 8.0, 16.0, 32.0):
        never = 0.5 if pixels < 8 else 0.0
        part = offender_frames(rng, 60, 60, 1.0, 1.0, 0.5, 0.0, 60.0, never=never, pixels=pixels)
        parts.append(part.assign(group=part["group"].astype(str) + f"/{pixels:g}"))
    frames = pd.concat(parts, ignore_index=True)
    fit = fit_hit_model(frames, 10.0, never=True)
    assert fit["never_size_slope"] < -1.0
    at_4px = math.log(fit["never_share"] / (1 - fit["never_share"])) + fit["never_size_slope"] * math.log2(
        0.4
    )
    assert 1 / (1 + math.exp(-at_4px)) == pytest.approx(0.5, abs=0.15)


def test_spells_without_a_lasting_level_cannot_have_offenders_never_scored():
    frames = offender_frames(np.random.default_rng(1), 10, 60, 1.0, 0.0, 0.5, 0.5, 30.0)
    with pytest.raises(ValueError, match="lasting level"):
        fit_hit_model(frames, 10.0, spell_s=30.0, never=True, lasting=False)


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


def test_alarms_off_target_wait_for_the_run_of_hits_to_end(default_scenario):
    """Independent frames with p = 1/2, k = n = 1: an alarm lands with probability q; one that went astray
    leaves its track held, so the next alarm needs a miss and then a hit. Expected delay, frames of 1 s:
    (1/p − 1) + (1 − q)/q · (1/(1 − p) + 1/p) = 1 + 1.5 · 4 = 7 at q = 0.4."""
    q, trials = 0.4, 3000
    sensing = camera_sensing(default_scenario, alarm_on_target=q)
    streams = RandomStreams(8)
    delays = np.array(
        [
            sensing.observe(make_incident(i, 100.0, 10_000.0), streams.stream)[1][0].t - 100.0
            for i in range(trials)
        ]
    )
    assert delays.mean() == pytest.approx(7.0, abs=4 * delays.std() / math.sqrt(trials))


def test_shadowed_offenders_are_never_detected_but_counted_in_view(default_scenario):
    share, trials = 0.3, 2000
    sensing = camera_sensing(default_scenario, intercept=30.0, shadowed_share=share)
    streams = RandomStreams(10)
    seen = [sensing.observe(make_incident(i, 0.0, 100.0), streams.stream) for i in range(trials)]
    assert all(first == 0.0 for first, _ in seen)
    detected = np.mean([bool(found) for _, found in seen])
    assert detected == pytest.approx(1 - share, abs=4 * math.sqrt(share * (1 - share) / trials))


def test_nobody_is_scored_in_the_evidence_window_and_hits_then_start_steady(default_scenario):
    """k = n = 1, 1 frame/s, p = 1/2 every frame after a 4-s window: the first alarm comes 4 s into the view
    with probability 1/2 (the steady state; from a miss it would be a·1 = 1/2 as well for independent frames,
    so held runs of 5 s are used: from a miss the chain would start a run with a = b·p/(1 − p) = 0.2)."""
    trials = 3000
    sensing = camera_sensing(default_scenario, evidence_s=4.0, hit_run_s=5.0)
    streams = RandomStreams(12)
    delays = np.array(
        [
            sensing.observe(make_incident(i, 100.0, 1000.0), streams.stream)[1][0].t - 100.0
            for i in range(trials)
        ]
    )
    assert delays.min() == 4.0
    assert np.mean(delays == 4.0) == pytest.approx(0.5, abs=4 * math.sqrt(0.25 / trials))


def test_never_probability_by_size_by_hand(default_scenario):
    spec = ClassCalibration(intercept=0.0, size_slope=1.0, never_share=0.2, never_size_slope=-2.0)
    calibration = default_scenario.calibration
    calibration = calibration.model_copy(update={"classes": {**calibration.classes, Kind.SWIMMING: spec}})
    model = DetectionModel(calibration, 0.5, Weather.CLEAR)
    # 5 px is one halving below the reference 10 px: logit 0.2 + 2 = -1.386 + 2.
    assert model.never_probability(Kind.SWIMMING, 5.0) == pytest.approx(1 / (1 + math.exp(1.386294 - 2.0)))
    assert model.never_probability(Kind.SWIMMING, 10.0) == pytest.approx(0.2)


def test_offenders_never_seen_are_never_detected(default_scenario):
    share, trials = 0.3, 3000
    sensing = camera_sensing(default_scenario, intercept=30.0, never_share=share)
    streams = RandomStreams(9)
    detected = sum(
        bool(sensing.observe(make_incident(i, 0.0, 100.0), streams.stream)[1]) for i in range(trials)
    )
    expected = 1 - share
    assert detected / trials == pytest.approx(expected, abs=4 * math.sqrt(expected * share / trials))


def test_calibrations_without_the_new_terms_keep_their_draws(default_scenario):
    """New terms at their neutral values draw nothing extra: the same detections as before them."""
    plain = camera_sensing(default_scenario, intercept=-1.0, offender_sd=1.0)
    neutral = camera_sensing(
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
    assert_calibration_refused(tmp_path, capsys, ("classes", "swimming", key), value, message)


def test_a_false_alarm_slope_must_be_positive(tmp_path, capsys):
    assert_calibration_refused(tmp_path, capsys, ("false_alarms", "swimming", "slope"), 0.0, "greater than 0")


def test_the_false_alarm_rate_follows_the_slope(default_scenario):
    """r(τ) = max_rate · σ(c − s · logit τ): at τ 0.8 with c 0, s 2: 10 / (1 + 16) per hour."""
    from sim.scenario.models import FalseAlarmCalibration, Weather
    from sim.sensing.detection_model import DetectionModel

    false_alarms = dict(default_scenario.calibration.false_alarms)
    false_alarms[Kind.SWIMMING] = FalseAlarmCalibration(max_rate_per_hour=10.0, intercept=0.0, slope=2.0)
    calibration = default_scenario.calibration.model_copy(update={"false_alarms": false_alarms})
    model = DetectionModel(calibration, 0.8, Weather.CLEAR)
    assert model.false_alarm_rate(Kind.SWIMMING) == pytest.approx(10.0 / 17.0)
