"""Synthetic offenders and checks shared by the hazard model's fit tests."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

STEP = 0.5
"""Frame step of the synthetic offenders, s (2 frames/s)."""
RATE = 0.05
"""Alarm rate of a synthetic offender with u = 0, 1/s."""
VIEWS = ((0.0, 30.0), (60.0, 90.0))
"""Each synthetic offender's two views, s: in view, out of view for 30 s, in view again."""
THRESHOLDS = (0.3, 0.5, 0.8)


def seen_in_views(
    offenders: int,
    seed: int,
    sigma: float,
    never: float = 0.0,
    views=VIEWS,
    pixels: float = 10.0,
    first: int = 0,
    rate: float = RATE,
    weather: str = "clear",
) -> tuple[pd.DataFrame, pd.Series]:
    """Offenders of one camera (incidents ``first`` on), each in view during ``views`` (s) at ``pixels``
    tall in ``weather``, k = n = 1, alarmed at ``rate`` · exp(``sigma`` · u) (1/s), u ~ N(0, 1), from the
    first frame of each view until the first alarm (scored 0.95 there, 0 elsewhere), except a share
    ``never`` of them, never alarmed: their frames and credited first alarms."""
    rng = np.random.default_rng(seed)
    rows, credited = [], {}
    for g, u in enumerate(rng.standard_normal(offenders)):
        per_frame = rate * math.exp(sigma * u) * STEP
        found_ever = never == 0.0 or rng.random() >= never  # drawn only with a share never found
        group = f"0/cam/incident-{first + g}"
        for start, end in views:
            t = np.round(np.arange(start, end, STEP), 6)
            score = np.zeros(len(t))
            budget = rng.exponential()
            if found_ever and group not in credited and per_frame * len(t) >= budget:
                frame = math.ceil(budget / per_frame) - 1  # the first whose cumulative hazard reaches it
                score[frame], credited[group] = 0.95, float(t[frame])
            conditions = {"pixels": pixels, "light": 2, "weather": weather}
            rows.append(pd.DataFrame({"group": group, "t": t} | conditions).assign(score=score, track=1))
    return pd.concat(rows, ignore_index=True), pd.Series(credited, dtype=float)


def design_of(
    frames: pd.DataFrame,
    credited: pd.Series,
    frailty: bool,
    thresholds: tuple[float, ...] = THRESHOLDS,
    roughness: float | None = None,
    never: bool = False,
):
    """The :class:`sim.calibration.alarm_hazard_design.HazardDesign` of :func:`seen_in_views`' offenders
    (the run's threshold 0.5, k = n = 1)."""
    from sim.calibration.alarm_hazard_design import HazardDesign
    from sim.calibration.alarm_hazard_fit import age_edges, at_risk, first_alarms
    from sim.calibration.fit_inputs import split_visits

    events = first_alarms(frames, credited, 0.5, thresholds, 1, 1)
    data, _, age, step = split_visits(frames)
    edges = age_edges(step, float(age.max()))
    risk = at_risk(data, age, thresholds, events)
    terms = {"frailty": frailty, "never": never}
    return HazardDesign(risk, edges, [], [], len(thresholds), 10.0, step, roughness, **terms)


def assert_penalised_gradient(design, theta: np.ndarray) -> None:
    """A :class:`sim.calibration.alarm_hazard_design.HazardDesign`'s penalised likelihood's analytic
    gradient at ``theta`` against central differences (relative to the gradient's size)."""
    from scipy.optimize import check_grad

    def value(x):
        return design.penalised(x)[0]

    def gradient(x):
        return design.penalised(x)[1]

    scale = np.linalg.norm(gradient(theta))
    assert check_grad(value, gradient, theta, epsilon=1e-6) <= 1e-5 * max(scale, 1.0)


def log_likelihood_by_hand(frames: pd.DataFrame, credited: pd.Series, parts, frailty: bool) -> float:
    """The likelihood of :func:`design_of`'s offenders at parameters ``parts`` (a design's ``split``), one
    offender and threshold at a time: π · [no alarm at that threshold] + (1 − π) · L, π the share never
    found at the offender's size in its first frame (0 without one) and L the likelihood at that threshold
    alone of a design without a frailty with every age bin's log-rate raised by the threshold's offset and
    σu, integrated over u ~ N(0, 1) by scipy's adaptive quadrature (with ``frailty``; u = 0 without)."""
    from scipy import integrate

    offsets = np.r_[0.0, -np.cumsum(parts.steps[:, 0])]
    total = 0.0
    for group, mine in frames.groupby("group"):
        first = math.log2(float(mine.sort_values("t")["pixels"].iloc[0]) / 10.0)  # at the reference 10 px
        share = (
            0.0
            if parts.never == -math.inf
            else 1.0 / (1.0 + math.exp(-parts.never - parts.never_size * first))
        )
        for threshold, offset in zip(THRESHOLDS, offsets, strict=True):
            plain = design_of(mine, credited[credited.index == group], False, (threshold,))

            def likelihood(u, plain=plain, offset=offset):
                shifted = np.r_[parts.ages + offset + parts.frailty * u, parts.size]  # one size slope
                return math.exp(plain.log_likelihood(shifted)[0] - u * u / 2) / math.sqrt(2 * math.pi)

            rated = (
                integrate.quad(likelihood, -12.0, 12.0, epsabs=1e-14, epsrel=1e-10, limit=200)[0]
                if frailty
                else likelihood(0.0) * math.sqrt(2 * math.pi)
            )
            total += math.log(share * (group not in credited.index) + (1 - share) * rated)
    return total
