"""The ``hazard`` model's likelihood: the penalised negative log-likelihood of the frames at risk of an alarm
(:func:`sim.calibration.alarm_hazard_fit.at_risk`) with its gradient that :func:`sim.calibration.
alarm_hazard_fit.fit_alarm_hazard` minimises (:class:`HazardDesign`; the model and its penalties: that
module's docstring).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from sim.calibration.fit_inputs import crowd_covariate
from sim.sensing.alarm_hazard import age_bins
from sim.world.daylight import LIGHT_ORDER

RIDGE = 1e-3
"""L2 penalty on every parameter but the age bins' log-rates."""
SMOOTHING = 1.0
"""Weight of the difference penalty on neighbouring age bins' log-rates (and, with the size term by age,
their size slopes) when a candidate names none."""
FRAILTY_NODES = 40
"""Gauss–Hermite nodes over an offender's own log-rate offset (the frailty): the integrand is a survival
function of the offset times the normal density, smooth at the offsets the fits reach (σ up to 5); 40 nodes
agree with adaptive quadrature to 1e-6 per offender (tests/calibration/test_alarm_hazard_frailty.py)."""
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(FRAILTY_NODES)
_LOG_WEIGHTS = np.log(_WEIGHTS / math.sqrt(2.0 * math.pi))
"""The nodes u and log weights of E[f(u)], u ~ N(0, 1), made once: every likelihood evaluation uses them."""
FRAILTY_START = 0.5
"""The frailty's standard deviation the fit starts from: at 0 its gradient is 0 by symmetry."""
FRAILTY_MAX = 5.0
"""Largest frailty standard deviation the fit may report (a factor of e^10 between offenders 2 σ apart)."""
NEVER_START = -2.0
"""The logit of the never-found share the fit starts from (0.12)."""
NEVER_BOUND = 15.0
"""Largest |logit| of the never-found share the fit may reach (3e-7 to 1 − 3e-7)."""
LOWEST_LOG_RATE = -50.0
"""Floor of an age bin's log-rate (1/s, at the fit's reference size): keeps the rates of a class without
alarms finite (e^−50 per second is never)."""


class Parts(NamedTuple):
    """The parameters of a :class:`HazardDesign`, by name."""

    ages: np.ndarray
    """Log-rate per age bin."""
    size: float
    """Size slope (per doubling)."""
    crowd: float
    """Crowd slope (0 without the term)."""
    size_by_age: np.ndarray
    """Each age bin's departure from the size slope (empty without the term)."""
    light: np.ndarray
    """Offset per light level seen (not day)."""
    weather: np.ndarray
    """Offset per weather seen (not clear)."""
    frailty: float
    """Standard deviation of the offenders' own log-rate offsets (0 without the term)."""
    never: float
    """Logit of the share of offenders never found at the reference size (−inf without the term)."""
    never_size: float
    """Its change per doubling of the offender's size at first sight (0 without the term)."""
    steps: np.ndarray
    """Non-negative steps down from each threshold to the next, a row per threshold after the first, a
    column per group of ages (one, or every age bin)."""


class HazardDesign:
    """The fit's index arrays and its penalised negative log-likelihood with gradient. Parameters, in
    order: a log-rate per age bin, the size slope, the crowd slope (if the rows have ``others``), each age
    bin's departure from the size slope (``size_by_age``), an offset per light level seen (not day), per
    weather seen (not clear), the frailty's standard deviation σ (``frailty``), the logit of the share never
    found and its size slope (``never``), and per threshold after the first a non-negative step down, one
    for every age or (``roughness`` given) one per age bin, threshold by threshold.

    With μ_f the rate times Δ of frame f at the first threshold and e_jg = exp(offset_jg) (g the frame's
    age bin, or the one group of every age), a frame at risk from threshold j_f on adds
    −μ_f · Σ_{j ≥ j_f} e_jg, and an alarm at threshold j in frame f adds log(1 − exp(−μ_f e_jg)) + μ_f e_jg
    (its frame counted as an alarm rather than a frame without one).

    With ``frailty`` each offender's (group's) rates carry a factor z = exp(σu) of its own, u ~ N(0, 1), the
    same in every frame of all its views; its terms are summed at each z and the likelihood integrated over
    u by Gauss–Hermite quadrature (:data:`FRAILTY_NODES`): the log-normal frailty of a grouped-time hazards
    model (Hougaard 2000, *Analysis of Multivariate Survival Data*, ch. 7; a random intercept on the
    complementary log-log scale, cf. lme4's ``glmer``). One u per offender and threshold: the thresholds'
    alarms on one offender come from one score sequence, nearly together, and a u shared by them would
    read that as an offender's rate known almost exactly (σ at its bound, on synthetic runs with σ 1.5); so
    the likelihood is a composite one, each threshold's marginal likelihood summed (Varin, Reid & Firth
    2011, *Statistica Sinica* 21(1):5-42), as the thresholds' terms are summed without a frailty. The
    gradient is the integrand's, weighted by each node's share of the likelihood (its posterior).

    With ``never`` a share π of the offenders is never found in that camera's views, whatever their time
    in view, logit π = logit π_ref + κ · log2(first / reference pixels), first the offender's height at its
    first frame (the logistic mixture cure model of Farewell 1982, *Biometrics* 38(4):1041-1046; with a
    frailty, Price & Manatunga 2001, *Statistics in Medicine* 20(9-10):1515-1527). Pixel mode finds some
    offenders at once and others never, and a frailty spread wide enough to hold the nevers within a 300-s
    view puts rates on them that find them over a longer one. It is the mixing distribution's point mass
    at z = 0: one more node, of weight π (the others' weights times 1 − π), whose likelihood is 1 without an
    alarm and 0 with one; d/d logit π of an offender's log-likelihood is its posterior share of that node − π.
    """

    def __init__(
        self,
        risk,
        edges,
        lights,
        weathers,
        thresholds: int,
        reference_pixels,
        step,
        roughness=None,
        smoothing=SMOOTHING,
        size_by_age: bool = False,
        frailty: bool = False,
        never: bool = False,
        crowd_within: bool = False,
    ):
        rows, self.event_row, self.event_threshold = risk
        self.edges, self.lights, self.weathers = edges, lights, weathers
        self.bins = age_bins(edges, rows["age"].to_numpy())
        self.size = np.log2(np.maximum(rows["pixels"].to_numpy(float), 1e-9) / reference_pixels)
        self.crowd = crowd_covariate(rows, crowd_within) if "others" in rows else None
        # Each row's light and weather among those with an offset of their own, −1: the reference.
        self.light = pd.Index(lights, dtype=object).get_indexer(rows["light"].astype(object))
        self.weather = pd.Index(weathers, dtype=object).get_indexer(rows["weather"].astype(object))
        self.first = rows["first"].to_numpy(int)
        self.offender = rows["offender"].to_numpy(int)
        self.frail = int(frailty)  # parameters of the frailty: its standard deviation, or none
        self.never = 2 * int(never)  # parameters of the never-found share: its logit and size slope, or none
        self.roughness = roughness
        # The threshold steps' groups: every age bin its own, or one for all.
        self.groups = len(edges) if roughness is not None else 1
        self.group = self.bins if roughness is not None else np.zeros(len(self.bins), int)
        self.thresholds = thresholds
        self.offenders = int(self.offender.max()) + 1 if len(self.offender) else 0
        # The never-found share's covariate: each offender's size at its first frame (rows are in time order;
        # its first is at risk everywhere). Only with the share: a sort of every row.
        self.first_size = self.size[np.unique(self.offender, return_index=True)[1]] if never else None
        # Each frame's cell of offender, threshold-step group and first threshold at risk (the frailty sums).
        self.cell = (self.offender * self.groups + self.group) * thresholds + self.first
        ages = len(edges)
        self.sizes = (1 + (self.crowd is not None), ages if size_by_age else 0)  # slopes, departures by age
        self.counts = (ages, len(lights), len(weathers), (thresholds - 1) * self.groups)
        self.log_step = math.log(step)
        self.smoothing = smoothing

    def split(self, theta: np.ndarray) -> Parts:
        """``theta``'s parameters by name."""
        ages, lights, weathers, _ = self.counts
        slopes, by_age = self.sizes
        cut = np.cumsum([ages, slopes, by_age, lights, weathers, self.frail, self.never])
        a, s, d, light, weather, f, nv, steps = np.split(theta, cut)
        crowd = float(s[1]) if slopes > 1 else 0.0
        frailty = float(f[0]) if self.frail else 0.0
        never, never_size = (float(nv[0]), float(nv[1])) if self.never else (-math.inf, 0.0)
        steps = steps.reshape(self.thresholds - 1, self.groups)
        return Parts(a, float(s[0]), crowd, d, light, weather, frailty, never, never_size, steps)

    def start(self) -> np.ndarray:
        """Each age bin's rate as if nothing else mattered (alarms / frame-seconds at risk, half an alarm
        where there was none); the rest 0."""
        theta = np.zeros(self.parameters)
        bins = self.counts[0]
        alarms = np.bincount(self.bins[self.event_row], minlength=bins)
        exposure = np.bincount(self.bins, self.thresholds - self.first, minlength=bins) * math.exp(
            self.log_step
        )
        theta[:bins] = np.log(np.maximum(alarms, 0.5) / np.maximum(exposure, 1e-9))
        mixture = self.parameters - self.counts[3] - self.never  # the frailty's index, the never share's next
        if self.frail:
            theta[mixture - 1] = FRAILTY_START
        if self.never:
            theta[mixture] = NEVER_START
        return theta

    @property
    def parameters(self) -> int:
        """How many parameters the design has."""
        return sum(self.counts) + sum(self.sizes) + self.frail + self.never

    def bounds(self) -> list[tuple[float | None, float | None]]:
        ages, steps = self.counts[0], self.counts[3]
        floor = [(LOWEST_LOG_RATE, None)] * ages
        free = [(None, None)] * (self.parameters - ages - steps - self.frail - self.never)
        never = [(-NEVER_BOUND, NEVER_BOUND), (None, None)][: self.never]
        mixture = [(0.0, FRAILTY_MAX)] * self.frail + never
        return floor + free + mixture + [(0.0, None)] * steps

    def minimise(self, bounds: list | None = None, start: np.ndarray | None = None) -> np.ndarray:
        """The parameters minimising :meth:`penalised` within ``bounds`` (:meth:`bounds` if None), by L-BFGS-B
        from ``start`` (:meth:`start` if None)."""
        from scipy.optimize import minimize  # imported to fit: 0.3 s every importer of the models paid before

        start = self.start() if start is None else start
        return minimize(self.penalised, start, jac=True, method="L-BFGS-B", bounds=bounds or self.bounds()).x

    def weather_index(self, weather: str) -> int:
        """The position in the parameters of ``weather``'s offset (one of :attr:`weathers`)."""
        ages, lights = self.counts[:2]
        return ages + sum(self.sizes) + lights + list(self.weathers).index(weather)

    def penalised(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative log-likelihood plus ``smoothing`` · Σ (a[b + 1] − a[b])² on the age bins' log-rates (and
        as much on their size slopes' departures, if any), :data:`RIDGE` · |θ|² on the other parameters
        and the steps' roughness penalty (if any), and its gradient."""
        log_likelihood, gradient = self.log_likelihood(theta)
        ages = self.counts[0]
        rest = theta[ages:]
        value, slope = -log_likelihood + RIDGE * rest @ rest, -gradient
        slope[ages:] += 2 * RIDGE * rest
        by_age = self.sizes[1]
        tied = [(0, self.smoothing)] + ([(ages + self.sizes[0], self.smoothing)] if by_age else [])
        for start, weight in tied:  # neighbouring age bins' log-rates, and their size slopes
            rises = np.diff(theta[start : start + ages])
            value += weight * float(rises @ rises)
            slope[start + 1 : start + ages] += 2 * weight * rises
            slope[start : start + ages - 1] -= 2 * weight * rises
        if self.roughness is not None and self.groups > 1:
            steps = self.split(theta).steps
            jumps = np.diff(steps, axis=1)  # neighbouring age bins, threshold by threshold
            d_steps = np.zeros_like(steps)
            d_steps[:, 1:] += 2 * self.roughness * jumps
            d_steps[:, :-1] -= 2 * self.roughness * jumps
            value += self.roughness * float((jumps**2).sum())
            slope[len(theta) - steps.size :] += d_steps.ravel()
        return value, slope

    def log_likelihood(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """The events' log-likelihood at ``theta`` and its gradient (the class docstring's sums)."""
        p = self.split(theta)
        cells, groups = self.thresholds * self.groups, self.groups
        scale = np.exp(np.vstack([np.zeros((1, groups)), -np.cumsum(p.steps, axis=0)]))  # e_jg
        size_slope = p.size + (p.size_by_age[self.bins] if len(p.size_by_age) else 0.0)
        eta = p.ages[self.bins] + size_slope * self.size + self.log_step
        if self.crowd is not None:
            eta = eta + p.crowd * self.crowd
        eta = eta + np.where(self.light >= 0, np.r_[p.light, 0.0][self.light], 0.0)
        eta = eta + np.where(self.weather >= 0, np.r_[p.weather, 0.0][self.weather], 0.0)
        mu = np.exp(np.minimum(eta, 30.0))
        event_group = self.group[self.event_row]
        alarm = mu[self.event_row] * scale[self.event_threshold, event_group]
        if self.frail or self.never:  # integrated over each offender's own factor z at each threshold
            integrated = self._integrated(mu, scale, alarm, p.frailty, p.never, p.never_size)
            log_likelihood, exposed_now, exposed, d_alarm, d_frailty, d_never = integrated
        else:
            d_never = []
            later = np.cumsum(scale[::-1], axis=0)[::-1]  # Σ_{j' ≥ j} e_j'g
            exposed_now = mu * later[self.first, self.group]
            occurred = -np.expm1(-alarm)  # P(the alarm in this frame)
            log_likelihood = -exposed_now.sum() + (np.log(np.maximum(occurred, 1e-300)) + alarm).sum()
            d_alarm = _d_alarm_term(alarm, occurred)
            # Σ_{f in g: j_f ≤ j} μ_f, by threshold j and group g
            by_first = np.bincount(self.first * groups + self.group, mu, minlength=cells).reshape(-1, groups)
            exposed = np.cumsum(by_first, axis=0)
        g = -exposed_now + np.bincount(self.event_row, d_alarm, minlength=len(mu))
        # d/d offset_jg: −e_jg Σ_{f in g: j_f ≤ j} μ_f, plus the alarms at j in g; offset_jg = −(steps 1..j).
        alarms = np.bincount(self.event_threshold * groups + event_group, d_alarm, minlength=cells)
        d_offset = -scale * exposed + alarms.reshape(-1, groups)
        gradient = np.concatenate(
            [
                np.bincount(self.bins, g, minlength=len(p.ages)),
                [g @ self.size] + ([g @ self.crowd] if self.crowd is not None else []),
                np.bincount(self.bins, g * self.size, minlength=len(p.ages)) if len(p.size_by_age) else [],
                np.bincount(self.light[self.light >= 0], g[self.light >= 0], minlength=len(p.light)),
                np.bincount(self.weather[self.weather >= 0], g[self.weather >= 0], minlength=len(p.weather)),
                [d_frailty] if self.frail else [],
                d_never,
                -np.cumsum(d_offset[::-1], axis=0)[::-1][1:].ravel(),  # step i lowers thresholds i on
            ]
        )
        return float(log_likelihood), gradient

    def _integrated(
        self, mu: np.ndarray, scale: np.ndarray, alarm: np.ndarray, sigma: float, never: float, slope: float
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, float, list]:
        """The offenders' likelihood integrated over their own factor z (:meth:`_mixture`), one z per
        offender and threshold (the class docstring): the log-likelihood; each row's exposure
        Σ_{j ≥ j_f} μ_f e_jg z̄_ij and, by threshold and group, Σ_{f: j_f ≤ j} μ_f z̄_ij (z̄: the posterior
        mean of z); each alarm's posterior mean of the derivative of its term by its log-rate; and the
        derivatives by σ and by the never-found share's logit ``never`` and size ``slope`` (none without
        the share). ``scale``: e_jg; ``alarm``: each alarm's μ_f e_jg."""
        z, log_weights, u = self._mixture(sigma, never, slope)
        count, groups, offenders = self.thresholds, self.groups, self.offenders
        # μ summed by offender, group and first threshold at risk, then over the thresholds up to each j:
        # Σ_{f of i in g: j_f ≤ j} μ_f. Cells, not frames × thresholds: one pass over the frames.
        cells = offenders * groups * count
        mu_by = np.bincount(self.cell, mu, minlength=cells).reshape(offenders, groups, count)
        up_to = np.cumsum(mu_by, axis=2)
        totals = np.einsum("igj,jg->ij", up_to, scale)  # each offender's exposure at each threshold
        unit = self.offender[self.event_row] * count + self.event_threshold  # the alarm's offender and τ
        at_node = alarm[:, None] * z
        occurred = -np.expm1(-at_node)
        terms = -totals.reshape(-1, 1) * z  # (offenders × thresholds, nodes)
        slopes = terms.copy()  # d/d log z of each one's log-likelihood at each node
        d_alarm = _d_alarm_term(at_node, occurred)
        np.add.at(terms, unit, np.log(np.maximum(occurred, 1e-300)) + at_node)
        np.add.at(slopes, unit, d_alarm)
        terms += log_weights
        top = terms.max(axis=1, keepdims=True)
        share = np.exp(terms - top)
        total = share.sum(axis=1, keepdims=True)
        share /= total  # each node's share of the likelihood
        z_mean = (share @ z).reshape(offenders, count)
        # Σ_{j ≥ k} e_jg z̄_ij by offender, group and first threshold k: each frame's weight of its μ.
        weighted = scale.T[None, :, :] * z_mean[:, None, :]
        from_first = np.cumsum(weighted[:, :, ::-1], axis=2)[:, :, ::-1]
        return (
            float((top + np.log(total)).sum()),
            mu * from_first.reshape(-1)[self.cell],
            np.einsum("ij,igj->jg", z_mean, up_to),
            (share[unit] * d_alarm).sum(axis=1),
            float((share * slopes * u).sum()),  # d log z / dσ = u
            self._d_never(share, log_weights),
        )

    def _d_never(self, share: np.ndarray, log_weights: np.ndarray) -> list:
        """d/d logit π and d/d κ of the log-likelihood: Σ (posterior share of z = 0 − π) (times the first
        size), over offenders and thresholds; none without the share."""
        if not self.never:
            return []
        residual = (share[:, 0] - np.exp(log_weights[:, 0])).reshape(self.offenders, self.thresholds)
        return [float(residual.sum()), float(residual.sum(axis=1) @ self.first_size)]

    def _mixture(self, sigma: float, never: float, slope: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The nodes z of the offenders' own factor, their log weights (a row per offender and threshold
        with the never-found share) and d log z / dσ: exp(σu) at the Gauss–Hermite nodes u (with the
        frailty) or 1 (without), and with the never-found share π = σ(``never`` + ``slope`` · first size)
        first a node z = 0 of weight π, the others' weights times 1 − π."""
        u, log_weights = (_NODES, _LOG_WEIGHTS) if self.frail else (np.zeros(1), np.zeros(1))
        z = np.exp(sigma * u)
        if not self.never:
            return z, log_weights, u
        logits = np.repeat(never + slope * self.first_size, self.thresholds)[:, None]
        # log π and log(1 − π) from the logit without overflow: −log(1 + e^−x), −log(1 + e^x)
        log_never, log_found = -np.logaddexp(0.0, -logits), -np.logaddexp(0.0, logits)
        return np.r_[0.0, z], np.hstack([log_never, log_found + log_weights]), np.r_[0.0, u]

    def offsets(self, steps: np.ndarray) -> list:
        """The threshold offsets of ``steps``: a value per threshold, or a row of one per age bin."""
        offsets = np.vstack([np.zeros((1, self.groups)), -np.cumsum(steps, axis=0)])
        return offsets.tolist() if self.roughness is not None else offsets[:, 0].tolist()

    def block(self, theta: np.ndarray, thresholds, k: int, n: int) -> dict:
        """The fitted ``alarm_hazard`` block of a calibration class."""
        p = self.split(theta)
        crowd = {"crowd_slope": p.crowd} if self.crowd is not None else {}
        by_age = {"size_slope_by_age": [float(v) for v in p.size_by_age]} if len(p.size_by_age) else {}
        frailty = {"frailty_sd": p.frailty} if self.frail else {}
        never = {"never_log_odds": p.never, "never_size_slope": p.never_size} if self.never else {}
        return (
            crowd
            | by_age
            | frailty
            | never
            | {
                "age_edges_s": [float(v) for v in self.edges],
                "age_log_rates": [float(v) for v in p.ages],
                "size_slope": p.size,
                "light": {
                    LIGHT_ORDER[level].value: float(v) for level, v in zip(self.lights, p.light, strict=True)
                },
                "weather": dict(zip(self.weathers, map(float, p.weather), strict=True)),
                "thresholds": list(thresholds),
                "threshold_offsets": self.offsets(p.steps),
                "k": k,
                "n": n,
            }
        )

    @staticmethod
    def theta_of(block) -> np.ndarray:
        """The parameters of a fitted ``alarm_hazard`` ``block`` (:class:`sim.scenario.models.AlarmHazard`)
        in a design of its own terms."""
        offsets = np.asarray(block.threshold_offsets, dtype=float).reshape(len(block.thresholds), -1)
        return np.concatenate(
            [
                block.age_log_rates,
                [block.size_slope],
                [block.crowd_slope] if block.crowd_slope != 0.0 else [],
                block.size_slope_by_age or [],
                list(block.light.values()),
                list(block.weather.values()),
                [block.frailty_sd] if block.frailty_sd > 0.0 else [],
                [block.never_log_odds, block.never_size_slope] if block.never_log_odds is not None else [],
                -np.diff(offsets, axis=0).ravel(),  # the steps down from one threshold to the next
            ]
        )


def _d_alarm_term(alarm: np.ndarray, occurred: np.ndarray) -> np.ndarray:
    """d/d log(alarm) of an alarm's term log(1 − e^−alarm) + alarm (``occurred`` = 1 − e^−alarm): 1 + alarm
    at alarm → 0, where the quotient's parts underflow."""
    quotient = np.divide(alarm * np.exp(-alarm), occurred, out=np.ones_like(alarm), where=occurred > 0)
    return quotient + alarm
