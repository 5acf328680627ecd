"""The acquired / not-acquired hidden Markov model: its fit (sim.calibration.hmm) recovers the parameters of
chains drawn by statistical mode's own sampler (sim.sensing.acquisition), and sensing with it by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.calibration.hmm import fit_acquisition_hmm
from sim.core.rng import RandomStreams
from sim.scenario.models import ClassCalibration
from sim.sensing.acquisition import AcquisitionChain
from tests.helpers.builders import assert_calibration_refused, camera_sensing, make_incident

CUTS = np.array([-np.inf, *np.log(np.array([0.2, 0.5, 0.8]) / (1 - np.array([0.2, 0.5, 0.8]))), np.inf])


def acquisition_spec(**terms) -> ClassCalibration:
    """A swimming class with these acquisition terms (intercept and size slope play no part here)."""
    return ClassCalibration(intercept=0.0, size_slope=1.0, **terms)


def simulated_visits(spec: ClassCalibration, eta: float, visits: int, frames: int, seed: int):
    """Score bins of ``visits`` offenders drawn by :class:`AcquisitionChain` at 5 frames/s: while held,
    logit score ~ Logistic(η + the track's age offset, 1), else the lowest bin."""
    rng = np.random.default_rng(seed)
    lower, upper, visit = [], [], []
    for v in range(visits):
        chain = AcquisitionChain(spec, 0.2, rng)
        ages = chain.ages(frames)
        latent = eta + chain.offsets(ages) + rng.logistic(size=frames)
        bins = np.where(ages > 0, np.searchsorted(CUTS[1:-1], latent), 0)
        lower.append(CUTS[bins])
        upper.append(CUTS[bins + 1])
        visit.append(np.full(frames, v))
    lower, upper, visit = map(np.concatenate, (lower, upper, visit))
    return np.ones((len(lower), 1)), lower, upper, visit


def test_fit_recovers_entry_acquisition_rates_and_score():
    """Most offenders picked up in the third frame, the rest slowly; tracks lost now and then."""
    spec = acquisition_spec(
        entry_acquisition=(0.05, 0.0, 0.7, 0.3, 0.1),
        acquisition_rate_per_s=0.1,
        loss_rate_per_s=0.05,
    )
    x, lower, upper, visit = simulated_visits(spec, 2.0, 300, 400, seed=3)
    fit = fit_acquisition_hmm(x, lower, upper, visit)
    assert fit.entry == pytest.approx([0.05, 0.0, 0.7, 0.3, 0.1], abs=0.1)  # 4 standard errors at frame 3
    assert -math.log1p(-fit.acquire) / 0.2 == pytest.approx(0.1, rel=0.25)
    assert -math.log1p(-fit.lose) / 0.2 == pytest.approx(0.05, rel=0.2)
    assert fit.beta[0] == pytest.approx(2.0, abs=0.1)
    # Without the entry frames (one hazard from the first frame) the same frames are far less likely.
    plain = fit_acquisition_hmm(x, lower, upper, visit, entry_frames=0)
    assert plain.log_likelihood < fit.log_likelihood - 50


def test_fit_recovers_the_low_scores_of_young_tracks():
    spec = acquisition_spec(
        entry_acquisition=(0.6,),
        acquisition_rate_per_s=0.2,
        loss_rate_per_s=0.3,
        track_age_offsets=(-3.0, -1.5),
    )
    x, lower, upper, visit = simulated_visits(spec, 2.0, 60, 200, seed=4)
    fit = fit_acquisition_hmm(x, lower, upper, visit, entry_frames=1, age_steps=2)
    assert fit.age_offsets == pytest.approx([-3.0, -1.5], abs=0.5)
    flat = fit_acquisition_hmm(x, lower, upper, visit, entry_frames=1)
    assert flat.log_likelihood < fit.log_likelihood - 20


def test_per_frame_probabilities_keep_each_steps_probability():
    """A chain's per-frame entry probabilities: at a frame per step, the steps' own; at two frames per step,
    two that together give the step's probability."""
    steps = np.array([0.5, 0.2])
    spec = acquisition_spec(entry_acquisition=tuple(steps), acquisition_step_s=0.2)

    def per_frame(frame_interval: float) -> np.ndarray:
        return AcquisitionChain(spec, frame_interval, np.random.default_rng(0)).entry

    assert per_frame(0.2) == pytest.approx(steps)
    half = per_frame(0.1)  # two frames per step: together the step's probability
    assert len(half) == 4
    assert 1 - (1 - half[0]) * (1 - half[1]) == pytest.approx(0.5)
    assert 1 - (1 - half[2]) * (1 - half[3]) == pytest.approx(0.2)


def test_the_chain_continues_across_blocks():
    spec = acquisition_spec(
        entry_acquisition=(0.3,),
        acquisition_rate_per_s=0.5,
        loss_rate_per_s=1.0,
    )
    whole = AcquisitionChain(spec, 0.2, np.random.default_rng(1)).ages(500)
    chain = AcquisitionChain(spec, 0.2, np.random.default_rng(1))
    pieces = np.concatenate([chain.ages(n) for n in (7, 64, 128, 301)])
    np.testing.assert_array_equal(whole, pieces)
    # Ages count up within a held spell and restart after a loss.
    steps = np.diff(whole)
    assert set(steps[whole[1:] > 1]) == {1} and (whole == 1).sum() > 5


def test_sensing_alarms_when_the_track_is_acquired(default_scenario):
    """Sure hits while held, 1-of-1 rule, acquired in the third step of 1 s: the alarm 2 s in (1 frame/s)."""
    steps = {"intercept": 30.0, "entry_acquisition": (0.0, 0.0, 1.0), "acquisition_step_s": 1.0}
    sensing = camera_sensing(default_scenario, **steps)
    for i in range(20):
        detection = sensing.observe(make_incident(i, 100.0, 200.0), RandomStreams(i).stream)[1][0]
        assert detection.t == pytest.approx(102.0)
    # Steps of 0.2 s: all three lie in the first frame (0-1 s), which acquires the offender.
    quick = camera_sensing(default_scenario, **(steps | {"acquisition_step_s": 0.2}))
    assert quick.observe(make_incident(0, 100.0, 200.0), RandomStreams(0).stream)[1][0].t == 100.0


def test_an_astray_alarm_waits_for_the_next_track(default_scenario):
    """A held track alarms once: with its alarm astray, only a track acquired after a loss can alarm."""
    held = camera_sensing(default_scenario, intercept=30.0, entry_acquisition=(1.0,), alarm_on_target=0.5)
    found = [held.observe(make_incident(i, 0.0, 600.0), RandomStreams(i).stream)[1] for i in range(200)]
    assert all(d[0].t == 0.0 for d in found if d)  # never lost: the first alarm or none
    assert sum(bool(d) for d in found) == pytest.approx(100, abs=30)
    losing = camera_sensing(
        default_scenario,
        intercept=30.0,
        entry_acquisition=(1.0,),
        acquisition_rate_per_s=1.0,
        loss_rate_per_s=0.1,
        alarm_on_target=0.5,
    )
    found = [losing.observe(make_incident(i, 0.0, 600.0), RandomStreams(i).stream)[1] for i in range(200)]
    late = [d[0].t for d in found if d and d[0].t > 0]
    assert len(late) > 60 and np.median(late) > 5.0  # a loss (mean 10 s) and a new track first


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("entry_acquisition", [0.5, 1.5], "less than or equal to 1"),
        ("loss_rate_per_s", -1.0, "greater than or equal to 0"),
        ("acquisition_step_s", 0.0, "greater than 0"),
    ],
)
def test_bad_acquisition_values_name_their_key(tmp_path, capsys, key, value, message):
    assert_calibration_refused(tmp_path, capsys, ("classes", "swimming", key), value, message)


def test_fit_recovers_a_lasting_offset_on_score_and_acquisition():
    """Each visit's u ~ N(0, 1) shifts the held score by σ_e·u and scales the acquisition hazards by
    exp(σ_a·u); adaptive Gauss–Hermite quadrature over u recovers both, and without it the frames are
    far less likely."""
    spec = acquisition_spec(
        entry_acquisition=(0.5,), acquisition_rate_per_s=0.2, loss_rate_per_s=0.2, acquisition_sd=1.0
    )
    rng = np.random.default_rng(11)
    parts = []
    for v, u in enumerate(rng.standard_normal(80)):
        chain = AcquisitionChain(spec, 0.2, rng, lasting=u)
        ages = chain.ages(250)
        latent = 1.0 + 1.5 * u + rng.logistic(size=250)
        bins = np.where(ages > 0, np.searchsorted(CUTS[1:-1], latent), 0)
        parts.append((CUTS[bins], CUTS[bins + 1], np.full(250, v)))
    lower, upper, visit = (np.concatenate(p) for p in zip(*parts, strict=True))
    x = np.ones((len(lower), 1))
    fit = fit_acquisition_hmm(x, lower, upper, visit, entry_frames=1, offset_nodes=3, tolerance=1e-4)
    assert fit.offset_sd == pytest.approx(1.5, abs=0.3)
    assert fit.acquisition_sd == pytest.approx(1.0, abs=0.35)
    assert fit.beta[0] == pytest.approx(1.0, abs=0.4)
    plain = fit_acquisition_hmm(x, lower, upper, visit, entry_frames=1)
    assert plain.log_likelihood < fit.log_likelihood - 100


def test_the_lasting_offset_scales_the_acquisition_hazards():
    spec = acquisition_spec(entry_acquisition=(0.5,), acquisition_rate_per_s=0.3, acquisition_sd=math.log(2))
    chain = AcquisitionChain(spec, 0.2, np.random.default_rng(0), lasting=1.0)  # hazards doubled
    assert chain.acquire == pytest.approx(1 - math.exp(-2 * 0.3 * 0.2))
    assert chain.entry[0] == pytest.approx(1 - 0.5**2)
