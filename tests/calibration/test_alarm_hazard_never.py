"""The ``hazard`` model's share of offenders never found (a cure fraction, the mixing distribution's point
mass at z = 0): its likelihood against sums and adaptive quadrature by hand, its gradient, and on synthetic
offenders a third of whom are never found a fit that recovers the share and foretells long views, where a
frailty fitted in its place finds the nevers over time."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

from sim.calibration.alarm_hazard_fit import alarm_log_likelihood, fit_alarm_hazard
from sim.calibration.calibration_file import class_entry
from sim.calibration.detection_models import NEVER, at_reference, fit_model, without_crowd
from sim.cli.pixel_runs import pixel_run_models
from sim.core.maths import sigmoid
from sim.loading import load_scenario
from sim.scenario.models import AlarmHazard, Weather
from sim.sensing.detection_model import DetectionModel
from tests.helpers.builders import assert_calibration_refused
from tests.helpers.hazard_design import (
    RATE,
    STEP,
    assert_penalised_gradient,
    design_of,
    log_likelihood_by_hand,
    seen_in_views,
)
from tests.helpers.paths import DEFAULT

NEVER_SHARE = 0.35
"""The synthetic offenders' share never found."""


def _log_mean(values: np.ndarray) -> float:
    top = float(values.max())
    return top + math.log(float(np.mean(np.exp(values - top))))


@pytest.mark.parametrize("frailty", [False, True])
def test_the_likelihood_is_the_mixture_of_never_and_the_rates_by_hand(frailty):
    """Per offender and threshold, π · [no alarm at that threshold] + (1 − π) · L, π at the offender's size
    (5, 10 or 20 px: the size slopes of π and of the rate at work), L the likelihood at that threshold
    alone (integrated over the frailty by scipy's adaptive quadrature, with one), one offender at a time
    (some found at once, some late, some never)."""
    frames, credited = seen_in_views(12, seed=3, sigma=1.0, never=0.3)
    frames["pixels"] = 10.0 * 2.0 ** (frames["group"].str.rsplit("-", n=1).str[1].astype(int) % 3 - 1.0)
    design = design_of(frames, credited, frailty, never=True)
    theta = design.start() + np.random.default_rng(4).uniform(-0.3, 0.3, design.parameters)
    by_hand = log_likelihood_by_hand(frames, credited, design.split(theta), frailty)
    assert design.log_likelihood(theta)[0] == pytest.approx(by_hand, rel=1e-6)
    assert 0 < len(credited) < 12


@pytest.mark.parametrize(("frailty", "roughness"), [(False, None), (True, None), (True, 2.0)])
def test_the_never_shares_gradient_is_the_likelihoods(frailty, roughness):
    """Against central differences, alone and beside the frailty, with threshold offsets shared and per age
    bin."""
    frames, credited = seen_in_views(60, seed=6, sigma=1.0, never=0.3)
    frames["pixels"] = 10.0 * 2.0 ** (frames.index % 3 - 1.0)  # a size slope to fit alongside
    frames.loc[frames["score"] > 0, "score"] = np.resize([0.4, 0.95], int((frames["score"] > 0).sum()))
    design = design_of(frames, credited, frailty, roughness=roughness, never=True)
    theta = design.start() + np.random.default_rng(7).uniform(0.1, 0.5, design.parameters)
    assert_penalised_gradient(design, theta)


@pytest.fixture(scope="module")
def fits():
    """Fitted on 400 offenders seen twice for 30 s (seed 1), a share :data:`NEVER_SHARE` never found and
    the others at one rate: with the never share, with a frailty in its place, and with both (each fit's
    block and in-sample log-likelihood); and 400 held-out offenders (seed 2)."""
    frames, credited = seen_in_views(400, seed=1, sigma=0.0, never=NEVER_SHARE)
    fitted = {
        name: fit_alarm_hazard(frames, 10.0, credited, 0.5, 1, 1, **terms)
        for name, terms in {
            "never": {"never": True},
            "frailty": {"frailty": True},
            "both": {"never": True, "frailty": True},
        }.items()
    }
    blocks = {name: AlarmHazard(**fit["alarm_hazard"]) for name, fit in fitted.items()}
    in_sample = {name: fit["log_likelihood"] for name, fit in fitted.items()}
    return blocks, in_sample, seen_in_views(400, seed=2, sigma=0.0, never=NEVER_SHARE)


def _found_within(block: AlarmHazard, view_s: float) -> float:
    """The share of offenders a ``block`` foretells found within one view of ``view_s`` s (the reference
    size, day, clear, τ 0.5): (1 − π) ∫ (1 − exp(−z Λ)) φ(u) du, z = exp(σu), Λ = Σ Δ·λ over the view's
    frames (the last age bin's rate beyond its edge)."""
    ages = np.arange(0.0, view_s - 1e-9, STEP)
    bins = np.searchsorted(block.age_edges_s, ages + 1e-6, side="right") - 1
    offset = np.asarray(block.threshold_offsets, dtype=float)[list(block.thresholds).index(0.5)]
    cumulative = float(np.sum(STEP * np.exp(np.asarray(block.age_log_rates)[bins] + offset)))

    def found(u):
        return -math.expm1(-math.exp(block.frailty_sd * u) * cumulative) * math.exp(-u * u / 2)

    spread = integrate.quad(found, -12, 12)[0] / math.sqrt(2 * math.pi) if block.frailty_sd else found(0.0)
    return (1.0 - _share(block)) * spread


def _share(block: AlarmHazard) -> float:
    """The share never found at the reference size of a fitted ``block`` (0 without the term)."""
    return 0.0 if block.never_log_odds is None else float(sigmoid(block.never_log_odds))


def test_the_fit_recovers_the_share_never_found_and_the_held_out_alarms_favour_it(fits):
    """π 0.35 recovered (measured 0.337). A frailty in its place fits the 30-s views about as well in
    sample (σ 1.81, measured 4.2 units likelier) but the held-out offenders' alarms favour the never share
    (measured by 34.8 units); with both terms the fit is likelier in sample than either alone (they are
    nested in it: measured −6952.5 against −6958.7 and −6954.6), the two not told apart by views this
    short (π 0.21, σ 1.15)."""
    blocks, in_sample, (frames, credited) = fits
    assert _share(blocks["never"]) == pytest.approx(NEVER_SHARE, abs=0.05)
    assert blocks["never"].frailty_sd == 0.0
    assert blocks["frailty"].never_log_odds is None and blocks["frailty"].frailty_sd > 1.0
    assert in_sample["both"] >= max(in_sample["never"], in_sample["frailty"]) - 1e-6
    assert 0.0 < _share(blocks["both"]) < 1.0 and blocks["both"].frailty_sd > 0.0
    held_out = {
        name: alarm_log_likelihood(block, frames, 10.0, credited, 0.5) for name, block in blocks.items()
    }
    assert held_out["never"] > held_out["frailty"] + 20.0


def test_a_long_view_finds_the_share_ever_found_not_more(fits):
    """Within 30 s (the fit's views) every fit foretells the share found the truth gives (0.50; measured
    0.52, 0.51 and 0.52); in a 10-minute view the never share foretells 1 − π (0.65, measured 0.663), the
    truth, and the frailty fitted in its place keeps finding the slow tail it put the nevers in (measured
    0.94)."""
    blocks, _, _ = fits
    short = (1.0 - NEVER_SHARE) * -math.expm1(-RATE * 30.0)
    for block in blocks.values():
        assert _found_within(block, 30.0) == pytest.approx(short, abs=0.04)
    truth = (1.0 - NEVER_SHARE) * -math.expm1(-RATE * 600.0)
    assert _found_within(blocks["never"], 600.0) == pytest.approx(truth, abs=0.04)
    assert _found_within(blocks["frailty"], 600.0) > truth + 0.2


def test_the_fit_recovers_how_the_share_never_found_falls_with_size():
    """300 offenders 5 px tall half of whom are never found and 300 of 20 px a fifth of whom are: at the
    reference 10 px logit π = (logit 0.5 + logit 0.2) / 2 (π 0.333; measured 0.353), and its slope per
    doubling (logit 0.2 − logit 0.5) / 2 = −0.69 (measured −0.69)."""
    small, small_credited = seen_in_views(300, seed=11, sigma=0.0, never=0.5, pixels=5.0)
    large, large_credited = seen_in_views(300, seed=12, sigma=0.0, never=0.2, pixels=20.0, first=300)
    frames = pd.concat([small, large], ignore_index=True)
    credited = pd.concat([small_credited, large_credited])
    block = fit_alarm_hazard(frames, 10.0, credited, 0.5, 1, 1, never=True)["alarm_hazard"]
    assert sigmoid(block["never_log_odds"]) == pytest.approx(1 / 3, abs=0.06)
    assert block["never_size_slope"] == pytest.approx(0.5 * (math.log(0.25) - 0.0), abs=0.25)


def test_the_never_log_odds_keep_their_digits_at_a_reference_far_from_the_data():
    """Fitted at 1 px with log odds −4.35 and a slope of −9.07 per doubling (swimming's fit on the default's
    runs, 2026-12-07), the file's reference of 10 px puts the share at e^−34: a share rounded for the file
    would be 0 and the term gone; the log odds keep it, and statistical mode's probability at 1 px is the
    fit's σ(−4.35)."""
    block = {"age_log_rates": [-3.0], "size_slope": 0.5, "never_log_odds": -4.35, "never_size_slope": -9.07}
    fit = {"intercept": 0.0, "size_slope": 1.0, "offender_sd": 0.0, "alarm_hazard": block}
    moved = at_reference(fit, 1.0, 10.0)["alarm_hazard"]
    assert moved["never_log_odds"] == pytest.approx(-4.35 - 9.07 * math.log2(10.0))
    written = class_entry({**fit, "model": "hazard", "light": {}, "weather": {}, "alarm_hazard": moved})
    hazard = {"age_edges_s": [0.0], "thresholds": [0.5], "threshold_offsets": [0.0], "k": 3, "n": 5}
    rates = AlarmHazard(**(written["alarm_hazard"] | hazard))
    model = DetectionModel(load_scenario(DEFAULT).calibration, 0.5, Weather.CLEAR)
    assert model.calibration.reference_pixels == 10.0
    assert model.never_found_probability(rates, 1.0) == pytest.approx(float(sigmoid(-4.35)), rel=1e-3)


@pytest.mark.parametrize(
    ("label", "crowdless"),
    [
        ("hazard+never", "hazard+never"),
        (
            "hazard-by-age-10-smooth-3+crowd+size-by-age+frailty+never",
            "hazard-by-age-10-smooth-3+size-by-age+frailty+never",
        ),
        ("hazard-by-age-10+crowd+never", "hazard-by-age-10+never"),
    ],
)
def test_labels_with_the_never_share_without_the_crowd(label, crowdless):
    assert without_crowd(label) == crowdless


def test_a_candidate_named_with_the_never_share_is_fitted_with_it():
    frames, credited = seen_in_views(60, seed=8, sigma=0.0, never=0.3)
    rule = (credited, 1, 1)
    never = fit_model(f"hazard-by-age-10{NEVER}", frames, 10.0, 0.5, alarms=rule)["alarm_hazard"]
    plain = fit_model("hazard-by-age-10", frames, 10.0, 0.5, alarms=rule)["alarm_hazard"]
    assert -15.0 < never["never_log_odds"] < 15.0 and "never_log_odds" not in plain


def test_hazard_never_doubles_the_candidates():
    assert pixel_run_models(["hazard"], [6], "10", frailty=True, never=True) == [
        "hazard-by-age-10",
        "hazard-by-age-10+frailty",
        "hazard-by-age-10+never",
        "hazard-by-age-10+frailty+never",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [(-150.0, "greater than or equal to -100"), (101.0, "less than or equal to 100"), ("most", "number")],
)
def test_bad_never_log_odds_in_a_calibration_file_name_their_key(tmp_path, capsys, value, message):
    assert_calibration_refused(
        tmp_path, capsys, ("classes", "fishing", "alarm_hazard", "never_log_odds"), value, message
    )


def test_a_never_size_slope_without_never_log_odds_is_refused(tmp_path, capsys):
    """A slope of a share the block does not have would have no effect: refused, naming the block."""
    assert_calibration_refused(
        tmp_path,
        capsys,
        ("classes", "fishing", "alarm_hazard", "never_size_slope"),
        -2.0,
        "classes.fishing.alarm_hazard: never_size_slope needs never_log_odds",
        named=False,
    )
