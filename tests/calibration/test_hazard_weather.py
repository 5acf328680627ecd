"""The weather's offsets on the hazard model's alarm rates, fitted on clips, with profile-likelihood
intervals (:mod:`sim.calibration.hazard_weather`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from sim.calibration.hazard_weather import CHI2_95, hazard_weather
from tests.helpers.hazard_design import RATE, STEP, seen_in_views


def offenders_in(
    *weathers: tuple[str, float], per_weather: int = 60, sigma: float = 0.0
) -> list[tuple[pd.DataFrame, pd.Series]]:
    """:func:`tests.helpers.hazard_design.seen_in_views`' offenders, ``per_weather`` in each (weather, alarm
    rate in 1/s) of ``weathers``, each weather's with a seed and incident numbers of its own, each
    offender's rate times exp(``sigma`` · u), u ~ N(0, 1)."""
    return [
        seen_in_views(per_weather, seed, sigma, first=100 * seed, rate=rate, weather=weather)
        for seed, (weather, rate) in enumerate(weathers)
    ]


def pooled(parts) -> tuple[pd.DataFrame, pd.Series]:
    return pd.concat([p[0] for p in parts], ignore_index=True), pd.concat([p[1] for p in parts])


def at_risk_by_hand(frames: pd.DataFrame, credited: pd.Series) -> tuple[float, int]:
    """Seconds at risk (every frame up to and with each offender's first alarm) and first alarms."""
    until = frames["group"].map(credited).fillna(np.inf).to_numpy()
    return float((frames["t"].to_numpy() <= until + 1e-9).sum() * STEP), len(credited)


def test_the_offset_and_its_interval_are_the_poisson_rate_ratios():
    """A constant rate in each weather: the hazard fit is then (nearly) two Poisson rates, d alarms in T
    s at risk, and the profile likelihood of their log ratio ψ is by hand d₁ψ − (d₀ + d₁) log(T₀ + T₁e^ψ)
    (the conditional binomial; Cox & Hinkley 1974, *Theoretical Statistics*, §5.2)."""
    parts = offenders_in(("clear", RATE), ("rain", RATE * math.exp(-1.0)))
    table = hazard_weather(*pooled(parts), 10.0, 0.5, 1, 1, frailty=False)
    (t0, d0), (t1, d1) = (at_risk_by_hand(*part) for part in parts)

    def profile(psi: float) -> float:
        return d1 * psi - (d0 + d1) * math.log(t0 + t1 * math.exp(psi))

    psi = math.log((d1 / t1) / (d0 / t0))

    def excess(w):
        return 2 * (profile(psi) - profile(w)) - CHI2_95

    rain = table.set_index("weather").loc["rain"]
    assert rain["offset"] == pytest.approx(psi, abs=0.02)
    assert rain["low"] == pytest.approx(brentq(excess, psi - 5, psi), abs=0.02)
    assert rain["high"] == pytest.approx(brentq(excess, psi, psi + 5), abs=0.02)
    assert rain["low"] < -1.0 < rain["high"]  # the truth inside


def test_counts_per_weather_and_clear_the_reference():
    parts = offenders_in(("clear", RATE), ("haze", RATE / 2), per_weather=30)
    frames, credited = pooled(parts)
    table = hazard_weather(frames, credited, 10.0, 0.5, 1, 1, frailty=False)
    assert list(table["weather"]) == ["clear", "haze"]
    assert list(table["offenders"]) == [30, 30]
    assert list(table["alarmed"]) == [len(parts[0][1]), len(parts[1][1])]
    assert table.iloc[0][["offset", "low", "high"]].tolist() == [0.0, 0.0, 0.0]


def test_a_weather_without_alarms_has_no_lower_end():
    """No alarm in fog: its likelihood keeps rising as the offset falls (the ridge aside), so the interval
    has no lower end; its upper end is where a few alarms would have been seen, by hand where the Poisson
    profile −d₀ log(T₀ + T₁e^ψ) has fallen 3.84 / 2 below its supremum −d₀ log T₀."""
    parts = offenders_in(("clear", RATE), ("fog", 0.0), per_weather=30)
    fog = hazard_weather(*pooled(parts), 10.0, 0.5, 1, 1, frailty=False).set_index("weather").loc["fog"]
    (t0, d0), (t1, _) = (at_risk_by_hand(*part) for part in parts)
    high = brentq(lambda w: 2 * d0 * (math.log(t0 + t1 * math.exp(w)) - math.log(t0)) - CHI2_95, -20, 5)
    assert fog["alarmed"] == 0
    assert fog["low"] == -math.inf
    assert fog["high"] == pytest.approx(high, abs=0.05)
    assert fog["offset"] < fog["high"] - 1.0


def test_with_offenders_unlike_each_other_the_frailty_widens_the_interval():
    """Offenders whose rates spread by a factor e^±1.5 (one standard deviation), other offenders in each
    weather: the plain model reads the spread as information about the weather; the default (a frailty)
    widens the interval, and it still covers the true offset −1."""
    frames, credited = pooled(offenders_in(("clear", RATE), ("rain", RATE * math.exp(-1.0)), sigma=1.5))
    plain, frail = (
        hazard_weather(frames, credited, 10.0, 0.5, 1, 1, frailty=frailty).set_index("weather").loc["rain"]
        for frailty in (False, True)
    )
    assert frail["high"] - frail["low"] > 1.2 * (plain["high"] - plain["low"])
    assert frail["low"] < -1.0 < frail["high"]
