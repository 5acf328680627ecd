"""The optical-depth term fitted to offenders alarmed at a known rate that falls with the depth of air: the
slopes come back, the likelihood's gradient is its derivative, and bad input is refused."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime

from sim.calibration.held_class_fit import held_class_offenders, log_likelihood
from sim.calibration.optical_depth_fit import KNOTS, alarm_shares, depth_design, fit_optical_depth
from sim.scenario.models import AlarmHazard, OpticalDepthTerm, Weather
from sim.sensing.alarm_hazard import optical_depth_offset
from sim.world.visibility import EXTINCTION_LENGTH_M

STEP = 0.5
"""Frame step, s."""
RATE = 0.05
"""The class's alarm rate in clear air, 1/s (one age bin, the reference size)."""
TRUE = OpticalDepthTerm(knots=KNOTS, slopes=(0.2, 0.0, 3.0, 0.0, 0.0, 0.0))
"""A gentle fall to an optical depth of 2, then a cliff: what the paired runs showed."""


def block(frailty_sd: float = 0.0, never_log_odds: float | None = None) -> AlarmHazard:
    """A class with one age bin at :data:`RATE`, one threshold, k = n = 1."""
    return AlarmHazard(
        age_edges_s=(0.0,),
        age_log_rates=(math.log(RATE),),
        size_slope=0.0,
        thresholds=(0.5,),
        threshold_offsets=(0.0,),
        k=1,
        n=1,
        frailty_sd=frailty_sd,
        never_log_odds=never_log_odds,
    )


def offenders(count: int, seed: int, frailty_sd: float = 0.0, view_s: float = 60.0):
    """``count`` offenders in fog, each still at its own distance (20-250 m, optical depth 0.5-6.1), in view
    for ``view_s``, alarmed at :data:`RATE` · exp(:data:`TRUE`'s offset + ``frailty_sd`` · u): their frames
    (with ``distance_m``) and credited first alarms."""
    rng = np.random.default_rng(seed)
    rows, credited = [], {}
    t = np.round(np.arange(0.0, view_s, STEP), 6)
    for g in range(count):
        distance = rng.uniform(20.0, 250.0)
        depth = distance / EXTINCTION_LENGTH_M[Weather.FOG]
        rate = RATE * math.exp(float(optical_depth_offset(TRUE, np.array([depth]))[0]))
        per_frame = rate * math.exp(frailty_sd * rng.standard_normal()) * STEP
        budget = rng.exponential()
        score = np.zeros(len(t))
        group = f"0/cam/incident-{g}"
        if per_frame * len(t) >= budget:
            frame = math.ceil(budget / per_frame) - 1
            score[frame], credited[group] = 0.95, float(t[frame])
        columns = {"pixels": 10.0, "light": 2, "weather": "fog", "score": score, "track": 1}
        rows.append(pd.DataFrame({"group": group, "t": t, **columns, "distance_m": distance}))
    return pd.concat(rows, ignore_index=True), pd.Series(credited, dtype=float)


def offsets_at(term: OpticalDepthTerm, depths) -> np.ndarray:
    return optical_depth_offset(term, np.asarray(depths, dtype=float))


def test_the_cliff_comes_back():
    frames, credited = offenders(1500, seed=1)
    fit = fit_optical_depth(frames, credited, block(), 10.0, 0.5)
    assert fit.offenders == 1500 and fit.alarmed == len(credited)
    depths = [1.0, 2.0, 2.5, 3.0]
    # the truth: −0.1, −0.3, −1.9, −3.5 (fitted on this seed: −0.11, −0.33, −1.95, −3.58); beyond 3.5 the
    # offenders are almost never found, and the fall there is set by the absence of alarms and the ridge
    assert offsets_at(fit.term, depths) == pytest.approx(offsets_at(TRUE, depths), abs=0.2)
    assert all(s >= 0 for s in fit.term.slopes)


def test_a_frailty_is_integrated_out():
    """Offenders whose rates spread by e^±1: fitted with the class's frailty, the cliff comes back."""
    frames, credited = offenders(1500, seed=2, frailty_sd=1.0)
    fit = fit_optical_depth(frames, credited, block(frailty_sd=1.0), 10.0, 0.5)
    assert offsets_at(fit.term, [1.0, 2.0, 3.0]) == pytest.approx(offsets_at(TRUE, [1.0, 2.0, 3.0]), abs=0.2)


@pytest.mark.parametrize("frailty_sd, never", [(0.0, None), (0.9, None), (0.9, -1.0)])
def test_the_gradient_is_the_likelihoods_derivative(frailty_sd, never):
    """The held-class likelihood (:mod:`sim.calibration.held_class_fit`) of the term's design."""
    frames, credited = offenders(120, seed=3, frailty_sd=frailty_sd)
    data = held_class_offenders(frames, credited, block(frailty_sd, never), 10.0, 0.5, depth_design(KNOTS))
    slopes = np.array([0.3, 0.1, 1.5, 0.2, 0.05, 0.0])
    gradient = log_likelihood(data, slopes)[1]
    numeric = approx_fprime(slopes, lambda x: log_likelihood(data, x)[0], 1e-6)
    assert gradient == pytest.approx(numeric, rel=1e-3, abs=1e-3)
    assert np.abs(gradient).max() > 1.0  # a gradient that is there to compare


def test_bad_input_is_refused():
    frames, credited = offenders(10, seed=4)
    with pytest.raises(ValueError, match="distance_m"):
        fit_optical_depth(frames.drop(columns="distance_m"), credited, block(), 10.0, 0.5)
    with_offsets = block().model_copy(update={"weather": {Weather.FOG: -1.0}})
    with pytest.raises(ValueError, match="count twice"):
        fit_optical_depth(frames, credited, with_offsets, 10.0, 0.5)


def test_the_expected_alarms_by_weather():
    """Without the term every offender's chance is 1 − exp(−0.05/s · 60 s), by hand; with the true term
    the expected count is within three standard deviations of the alarms drawn."""
    frames, credited = offenders(1500, seed=5)
    plain = alarm_shares(frames, block(), 10.0, 0.5)
    assert list(plain.index) == ["fog"] and int(plain.loc["fog", "offenders"]) == 1500
    assert plain.loc["fog", "expected"] == pytest.approx(1500 * (1 - math.exp(-RATE * 60.0)))
    with_term = alarm_shares(frames, block().model_copy(update={"optical_depth": TRUE}), 10.0, 0.5)
    expected = float(with_term.loc["fog", "expected"])
    assert abs(expected - len(credited)) < 3 * math.sqrt(expected * (1 - expected / 1500))
    assert expected < 0.5 * plain.loc["fog", "expected"]
