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
them (``size_basis``), as the pixel runs' score logs hold them. With ``late_after_s`` two slopes are fitted,
one for the frames in view for less than that and one after (``SizeCliff.late_slope``): on the far river
mouth's 600-s runs 1.51 and 0.32 per halving, a sub-pixel swimmer slow at first and not much slower than a
resolved one later (docs/detectors.md, "The far river mouth's swimmers on 1800-s runs").
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
    late_after_s: float | None = None,
) -> SizeCliffFit:
    """The size cliff of ``block``'s kind starting at ``below_pixels``, fitted to ``frames`` (the score log's
    :data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS`) and pixel mode's credited first alarms
    ``detected`` (s per group) at the run's ``threshold``, the class's other terms (``block`` without a cliff
    of its own, at ``reference_pixels``) held; with ``late_after_s`` (s in view) a slope before it and one
    from it on."""
    shape = SizeCliff(below_pixels=below_pixels, slope=1.0)
    if late_after_s is not None:
        shape = shape.model_copy(update={"late_slope": 1.0, "late_after_s": late_after_s})
    data = _held(frames, detected, block, reference_pixels, threshold, shape)
    slopes = np.round(fitted_coefficients(data, [(0.0, MAX_SLOPE)] * len(_slopes(shape)), 0.0), 4)
    cliff = _with_slopes(shape, slopes)
    first = frames.groupby("group")["pixels"].first()
    return SizeCliffFit(cliff, _gain(data, cliff), len(first), int((first < below_pixels).sum()))


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
    data = _held(frames, detected, block, reference_pixels, threshold, cliff)
    return _gain(data, cliff)


def _held(frames, detected, block: AlarmHazard, reference_pixels, threshold, shape: SizeCliff):
    """The offenders at risk with ``block``'s rates but its own cliff's, and the design of a cliff shaped as
    ``shape`` (its start, and whether it has a late slope)."""
    held = block.model_copy(update={"size_cliff": None})
    design = cliff_design(shape.below_pixels, shape.late_after_s if shape.late_slope is not None else None)
    return held_class_offenders(frames, detected, held, reference_pixels, threshold, design)


def _slopes(cliff: SizeCliff) -> np.ndarray:
    """The cliff's slopes as the design's coefficients: its slope, and its late slope if it has one."""
    return np.array([cliff.slope] if cliff.late_slope is None else [cliff.slope, cliff.late_slope])


def _with_slopes(shape: SizeCliff, slopes: np.ndarray) -> SizeCliff:
    """``shape`` with fitted ``slopes`` (as :func:`_slopes` orders them)."""
    update = {"slope": float(slopes[0])}
    if shape.late_slope is not None:
        update["late_slope"] = float(slopes[1])
    return shape.model_copy(update=update)


def _gain(data, cliff: SizeCliff) -> float:
    """Log-likelihood with ``cliff``'s slopes less without a cliff."""
    slopes = _slopes(cliff)
    return log_likelihood(data, slopes)[0] - log_likelihood(data, np.zeros(len(slopes)))[0]


def cliff_design(below_pixels: float, late_after_s: float | None = None):
    """The cliff's design: its offset at unit slopes (:func:`sim.sensing.alarm_hazard.size_cliff_offset`,
    −max(0, log2(below / pixels))) of each frame at risk, times the slope the offset; with ``late_after_s``
    two columns, the offset of a cliff with only an early slope of 1 and of one with only a late slope of 1,
    so that the early and the late slope split the frames as statistical mode does."""
    if late_after_s is None:
        units = [SizeCliff(below_pixels=below_pixels, slope=1.0)]
    else:
        units = [
            SizeCliff(
                below_pixels=below_pixels, slope=early, late_slope=1.0 - early, late_after_s=late_after_s
            )
            for early in (1.0, 0.0)
        ]

    def design(rows: pd.DataFrame) -> np.ndarray:
        pixels, ages = rows["pixels"].to_numpy(float), rows["age"].to_numpy(float)
        return np.column_stack([size_cliff_offset(unit, pixels, ages) for unit in units])

    return design
