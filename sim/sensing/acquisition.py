"""Statistical mode's acquired / not-acquired chain: when a camera's detector holds a track on an offender.

The model fitted by :mod:`sim.calibration.hmm` (docs/detectors.md, "Calibrating statistical mode from pixel
mode"): an offender comes into view not acquired; in the j-th step of ``acquisition_step_s`` after
that the detector acquires it with probability ``entry_acquisition[j]`` (given not before), later at
``acquisition_rate_per_s``; a held track is lost at ``loss_rate_per_s`` and has to be acquired again.
An offender's lasting offset u (``offender_lasting_sd`` · u on the score) multiplies both
acquisition hazards by exp(``acquisition_sd`` · u): one who is hard to see is also slow to pick up.
While held, a track's score is offset by ``track_age_offsets[k]`` in its k-th step of age (a young
track scores low: the detector's persistence factor), 0 after them.

The chain is drawn a sojourn at a time (one uniform per entry frame while not acquired, one per
later wait and one per held spell), so a visit of hours costs a few draws, and the chain does not
depend on the threshold (common random numbers across thresholds).
"""

from __future__ import annotations

import math

import numpy as np

from sim.scenario.models import ClassCalibration


def _per_frame(step_probabilities: np.ndarray, step: float, frame_interval: float) -> np.ndarray:
    """Per-frame probabilities of an event whose probability in the i-th ``step`` (s) is given.

    Frame j covers [j·Δ, (j+1)·Δ) of the visit; the cumulative hazard −Σ log(1 − h_i) is spread
    evenly over each step, so at Δ = step the frames get exactly the steps' probabilities."""
    edges = np.arange(len(step_probabilities) + 1) * step
    hazard = np.r_[0.0, np.cumsum(-np.log1p(-np.minimum(step_probabilities, 1.0 - 1e-15)))]
    frames = np.arange(math.ceil(edges[-1] / frame_interval - 1e-9) + 1) * frame_interval
    cumulative = np.interp(np.minimum(frames, edges[-1]), edges, hazard)
    return -np.expm1(-np.diff(cumulative))


class AcquisitionChain:
    """One offender's acquisition chain in one camera's view, drawn frame block by frame block."""

    def __init__(
        self, spec: ClassCalibration, frame_interval: float, rng: np.random.Generator, lasting: float = 0.0
    ):
        """Per-frame probabilities at ``frame_interval`` (s) from the per-step ones of ``spec``, for an
        offender whose lasting offset is ``lasting`` (u ~ N(0, 1)): its acquisition hazards are
        multiplied by exp(``acquisition_sd`` · u)."""
        step, scale = spec.acquisition_step_s, math.exp(spec.acquisition_sd * lasting)
        entry = 1.0 - (1.0 - np.asarray(spec.entry_acquisition or (), dtype=float)) ** scale
        self.entry = _per_frame(entry, step, frame_interval)
        self.acquire = -math.expm1(-spec.acquisition_rate_per_s * scale * frame_interval)
        self.lose = -math.expm1(-spec.loss_rate_per_s * frame_interval)
        ages = np.asarray(spec.track_age_offsets, dtype=float)
        at = np.arange(math.ceil(len(ages) * step / frame_interval - 1e-9)) * frame_interval / step
        # Index 0: not held; age k frames: the step the track's k-th frame falls in; beyond the table: 0.
        self.age_offsets = np.r_[0.0, ages[np.floor(at + 1e-9).astype(np.int64)], 0.0]
        self.rng = rng
        self.frame = 0
        """Frames of this visit drawn so far."""
        self.held = (-1, -1)
        """Frames [first, end) of the latest held spell (end may be inf)."""

    def _next_acquisition(self, after: int) -> float:
        """Frame of the next acquisition after frame ``after`` (not held), inf if never."""
        j = after + 1
        while j < len(self.entry):
            if self.rng.random() < self.entry[j]:
                return j
            j += 1
        if self.acquire <= 0.0:
            return math.inf
        return j + math.floor(math.log1p(-self.rng.random()) / math.log1p(-self.acquire))

    def _spell_end(self, first: int) -> float:
        """End (exclusive) of a held spell starting at frame ``first``."""
        if self.lose <= 0.0:
            return math.inf
        return first + 1 + math.floor(math.log1p(-self.rng.random()) / math.log1p(-self.lose))

    def ages(self, count: int) -> np.ndarray:
        """Age of the held track (frames, 1 in the frame it is acquired; 0: not held) in the next ``count``
        frames of the visit."""
        start, stop = self.frame, self.frame + count
        ages = np.zeros(count, dtype=np.int64)
        first, end = self.held
        while True:
            if end > start and first < stop:  # the held spell overlaps this block
                lo, hi = max(first, start), min(end, stop)
                ages[lo - start : hi - start] = np.arange(lo, hi) - first + 1
            if end >= stop:
                break
            # The frame ``end`` is the first not held (or frame −1 at the visit's start).
            first = self._next_acquisition(end if first >= 0 else -1)
            if math.isinf(first):
                end = math.inf
                first = math.inf
                break
            end = self._spell_end(first)
        self.held = (first, end)
        self.frame = stop
        return ages

    def offsets(self, ages: np.ndarray) -> np.ndarray:
        """The score's logit offset of a held track of these ages (frames; 0 where not held)."""
        return self.age_offsets[np.minimum(ages, len(self.age_offsets) - 1)]
