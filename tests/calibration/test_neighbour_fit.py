"""The neighbour term fitted to offenders of whom those that came into view near another are lost more often
and alarmed at another rate, and whose crowd counts for more than the class says: its five coefficients come
back, its gradient is the likelihood's, a held-out set
gains by it and one without a neighbour effect does not; and each offender's distance to its neighbour is read
off a score log as it was laid out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from sim.calibration import neighbour_fit
from sim.calibration.neighbour_fit import fit_neighbour, neighbour_gain
from sim.scenario.models import AlarmHazard, NeighbourTerm
from sim.sensing.alarm_hazard import neighbour_offset

STEP, RATE, VIEW_S = 0.5, 0.2, 60.0
"""Frame step (s), the class's alarm rate (1/s), each offender's time in view (s)."""
TRUE = NeighbourTerm(
    scale_heights=2.0,
    log_rate=-1.0,
    late_log_rate=0.5,
    late_after_s=10.0,
    never_log_odds=-3.0,
    never_slope=4.0,
    crowd_change=0.5,
)


def block() -> AlarmHazard:
    """A class with one age bin at :data:`RATE`, no size slope, one threshold, k = n = 1."""
    values = {"age_edges_s": (0.0,), "age_log_rates": (math.log(RATE),), "size_slope": 0.0}
    return AlarmHazard(**values, thresholds=(0.5,), threshold_offsets=(0.0,), k=1, n=1)


def offenders(count: int, seed: int, term: NeighbourTerm | None) -> tuple[pd.DataFrame, pd.Series]:
    """``count`` offenders, half alone (closeness 0) and half at closeness uniform in (0, 1), in runs of one,
    two or three offenders in view together (runs 0, 1, 2, 0, ...: 0, 1 or 2 others); each lost with the
    term's share, else alarmed in the frame where its cumulative hazard (:data:`RATE` times the term's
    factors) reaches a unit exponential draw."""
    rng = np.random.default_rng(seed)
    t = np.round(np.arange(0.0, VIEW_S, STEP), 6)
    rows, credited, g, run = [], {}, 0, 0
    while g < count:
        for _ in range(min(run % 3 + 1, count - g)):
            rows.append(_offender(rng, t, term, g, run, run % 3, credited))
            g += 1
        run += 1
    return pd.concat(rows, ignore_index=True), pd.Series(credited, dtype=float)


def _offender(
    rng, t, term: NeighbourTerm | None, g: int, run: int, others: int, credited: dict
) -> pd.DataFrame:
    """One offender of :func:`offenders`: its frames, its credited alarm into ``credited``."""
    nearness = 0.0 if g % 2 == 0 else float(rng.uniform())
    offset = np.zeros(len(t))
    if term is not None:
        offset = neighbour_offset(term, nearness, t) + term.crowd_change * np.log2(1 + others)
    lost = term is not None and rng.uniform() < expit(term.never_log_odds + term.never_slope * nearness)
    reached = np.cumsum(RATE * np.exp(offset) * STEP) >= rng.exponential()
    score, group = np.zeros(len(t)), f"{run}/cam/incident-{g}"
    if reached.any() and not lost:
        frame = int(np.argmax(reached))
        score[frame], credited[group] = 0.95, float(t[frame])
    columns = {"pixels": 1.0, "light": 2, "weather": "clear", "score": score, "track": 1}
    return pd.DataFrame({"group": group, "t": t, **columns, "nearness": nearness})


def test_the_term_comes_back_and_foretells_fresh_offenders():
    frames, credited = offenders(3000, seed=1, term=TRUE)
    fit = fit_neighbour(frames, credited, block(), 1.0, 0.5)
    term = fit.term
    assert term.scale_heights == 2.0 and term.late_after_s == 10.0
    assert term.log_rate == pytest.approx(-1.0, abs=0.35) and term.late_log_rate == pytest.approx(
        0.5, abs=0.35
    )
    assert term.never_log_odds == pytest.approx(-3.0, abs=0.6) and term.never_slope == pytest.approx(
        4.0, abs=0.9
    )
    assert fit.offenders == 3000 and 800 < fit.near < 1000 and fit.gain > 50.0
    fresh, alarms = offenders(800, seed=2, term=TRUE)
    assert neighbour_gain(fresh, alarms, block(), 1.0, 0.5, term) > 5.0
    without, alarms = offenders(800, seed=3, term=None)
    assert neighbour_gain(without, alarms, block(), 1.0, 0.5, term) < 0.0


def test_the_gradient_is_the_likelihoods():
    """The analytic gradient in all five coefficients against central differences of the likelihood."""
    frames, credited = offenders(200, seed=4, term=TRUE)
    data = neighbour_fit._held(frames, credited, block(), 1.0, 0.5, 10.0)
    nearness = neighbour_fit._first_nearness(data)
    theta = np.array([-0.7, 0.3, 0.2, -2.0, 2.5])
    _, gradient = neighbour_fit._log_likelihood(data, nearness, theta)
    for i in range(5):
        step = np.zeros(5)
        step[i] = 1e-5
        up = neighbour_fit._log_likelihood(data, nearness, theta + step)[0]
        down = neighbour_fit._log_likelihood(data, nearness, theta - step)[0]
        assert gradient[i] == pytest.approx((up - down) / 2e-5, rel=1e-4, abs=1e-4)


def test_the_class_own_term_is_not_held():
    """A class that already has a neighbour term is fitted without it: the same term whatever it was."""
    frames, credited = offenders(300, seed=5, term=TRUE)
    plain = fit_neighbour(frames, credited, block(), 1.0, 0.5)
    with_own = block().model_copy(update={"neighbour": TRUE.model_copy(update={"never_slope": 50.0})})
    assert fit_neighbour(frames, credited, with_own, 1.0, 0.5).term == plain.term
