"""The ``hazard`` model's size cliff fitted to pixel mode: how much faster the alarm rate falls below a size
the detector barely resolves than the class's size slope says (:class:`sim.scenario.models.SizeCliff`), the
class's other terms held as they are.

A class's size term is a straight line in log2(pixels), and its fit is dominated by the sizes most of its
offenders have: the swimming class's by the near beach's swimmers (0.9-2.5 px as analysed), which carries
the far river mouth's (0.7-0.9 px) about 14 points too high on held-out runs (docs/detectors.md, "Swimming on
one camera at a time"). Each frame's alarm hazard here is Δ · λ₀ · exp(−s · max(0, log2(below / pixels))),
λ₀ the class's own rate in that frame; s ≥ 0 is fitted by maximum likelihood with the class held
(:mod:`sim.calibration.held_class_fit`: its frailty and share never found integrated out), the cliff's start
``below`` given (:data:`BELOW_PIXELS`). The size is the class's: analysed heights for classes fitted to
them (``size_basis``), as the pixel runs' score logs hold them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calibration.held_class_fit import fitted_coefficients, held_class_offenders, log_likelihood
from sim.scenario.models import AlarmHazard, SizeCliff
from sim.sensing.alarm_hazard import size_cliff_offset

BELOW_PIXELS = 1.0
"""Where the cliff starts, px: one analysed pixel, below which a swimmer's head is a part of a pixel."""
MAX_SLOPE = 50.0
"""Upper bound of the slope (the schema's)."""


@dataclass(frozen=True)
class SizeCliffFit:
    """A fitted size cliff and the likelihood it gained."""

    cliff: SizeCliff
    gain: float
    """Log-likelihood of the offenders' first alarms with the cliff less without it."""
    offenders: int
    below: int
    """Offenders first seen below the cliff's start."""


def fit_size_cliff(
    frames: pd.DataFrame,
    detected: pd.Series,
    block: AlarmHazard,
    reference_pixels: float,
    threshold: float,
    below_pixels: float = BELOW_PIXELS,
) -> SizeCliffFit:
    """The size cliff of ``block``'s kind starting at ``below_pixels``, fitted to ``frames`` (the score log's
    :data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS`) and pixel mode's credited first alarms
    ``detected`` (s per group) at the run's ``threshold``, the class's other terms (``block`` without a cliff
    of its own, at ``reference_pixels``) held."""
    data = _held(frames, detected, block, reference_pixels, threshold, below_pixels)
    slope = float(np.round(fitted_coefficients(data, [(0.0, MAX_SLOPE)], 0.0)[0], 4))
    first = frames.groupby("group")["pixels"].first()
    cliff = SizeCliff(below_pixels=below_pixels, slope=slope)
    return SizeCliffFit(cliff, _gain(data, slope), len(first), int((first < below_pixels).sum()))


def cliff_gain(
    frames: pd.DataFrame,
    detected: pd.Series,
    block: AlarmHazard,
    reference_pixels: float,
    threshold: float,
    cliff: SizeCliff,
) -> float:
    """How much more likely ``frames``' first alarms are with ``cliff`` than without it, ``block`` held: on
    runs the fit did not see, whether the cliff foretells them."""
    data = _held(frames, detected, block, reference_pixels, threshold, cliff.below_pixels)
    return _gain(data, cliff.slope)


def _held(frames, detected, block: AlarmHazard, reference_pixels, threshold, below_pixels: float):
    """The offenders at risk with ``block``'s rates but its own cliff's, and the cliff's design."""
    held = block.model_copy(update={"size_cliff": None})
    design = cliff_design(below_pixels)
    return held_class_offenders(frames, detected, held, reference_pixels, threshold, design)


def _gain(data, slope: float) -> float:
    """Log-likelihood with the cliff's ``slope`` less without a cliff."""
    return log_likelihood(data, np.array([slope]))[0] - log_likelihood(data, np.zeros(1))[0]


def cliff_design(below_pixels: float):
    """The cliff's design: its offset at a slope of 1, −max(0, log2(below / pixels)), of each frame at risk
    (:func:`sim.sensing.alarm_hazard.size_cliff_offset`), times the slope the offset."""
    unit = SizeCliff(below_pixels=below_pixels, slope=1.0)

    def design(rows: pd.DataFrame) -> np.ndarray:
        return size_cliff_offset(unit, rows["pixels"].to_numpy(float))

    return design
