"""Scenario models of the ``hazard`` model's terms fitted with a class held (:mod:`sim.calibration.
held_class_fit`): the weather's covariate (``alarm_hazard.optical_depth``: how the alarm rate falls with the
optical depth of the air between the lens and the offender; :func:`sim.sensing.alarm_hazard.
optical_depth_offset` applies it, :func:`sim.calibration.optical_depth_fit.fit_optical_depth` fits it) and
the size cliff (``alarm_hazard.size_cliff``: how it falls below a size the detector barely resolves;
:mod:`sim.calibration.size_cliff_fit`) and the neighbour (``alarm_hazard.neighbour``: how an offender fares
who comes into view beside another of its kind; :mod:`sim.calibration.neighbour_fit`). See
:mod:`sim.scenario.models` for the whole scenario.
"""

from __future__ import annotations

import itertools
from typing import Annotated

from pydantic import Field, model_validator

from sim.scenario.fields import Strict


class OpticalDepthTerm(Strict):
    """A falling, concave, piecewise-linear offset on the alarm log-rate in the optical depth τ of the air
    over the offender's distance d in the run's weather, in the camera's band (visible light's d / L, L the
    extinction length V / 3.912; a thermal camera's long-wave infrared β d:
    :func:`sim.world.visibility.optical_depth`): −Σ_k slopes[k] · max(0, τ − knots[k]). The slopes are not
    negative, so each knot steepens the fall: the detectors lose an offender once the haze leaves too little
    of its contrast, a cliff one offset per weather cannot draw (docs/detectors.md, "The optical depth: the
    alarm rates' weather covariate")."""

    knots: tuple[Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)], ...] = Field(
        min_length=1, description="optical depths at which the fall steepens, increasing, 1"
    )
    slopes: tuple[Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)], ...] = Field(
        description="how much steeper the log-rate falls beyond each knot, per unit of optical depth"
    )

    @model_validator(mode="after")
    def _consistent(self) -> OpticalDepthTerm:
        if any(b <= a for a, b in itertools.pairwise(self.knots)):
            raise ValueError("knots must increase")
        if len(self.slopes) != len(self.knots):
            raise ValueError(f"slopes has {len(self.slopes)} values for {len(self.knots)} knots")
        return self


class SizeCliff(Strict):
    """A steeper fall of the alarm log-rate below an offender height the detector barely resolves:
    −slope · max(0, log2(below_pixels / pixels)), on top of the class's size slope (pixels as the class's
    size term reads them). A straight line in log size, fitted over the near beach's swimmers (0.9-2.5 px as
    analysed), carries the far river mouth's (0.7-0.9 px) too high (docs/detectors.md, "A size cliff below one
    analysed pixel"). With ``late_slope`` the fall is ``slope`` while the offender has been in view for less
    than ``late_after_s`` and ``late_slope`` after: a sub-pixel swimmer is slow to be found at first and
    found, late, at nearly a resolved one's rate (docs/detectors.md, "The far river mouth's swimmers on
    1800-s runs")."""

    below_pixels: float = Field(gt=0, le=1000, allow_inf_nan=False, description="where the cliff starts, px")
    slope: float = Field(
        ge=0, le=50, allow_inf_nan=False, description="extra fall of the log-rate per halving below it"
    )
    late_slope: float | None = Field(
        default=None,
        ge=0,
        le=50,
        allow_inf_nan=False,
        description="the fall per halving from late_after_s in view on (none: slope at every age)",
    )
    late_after_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        allow_inf_nan=False,
        description="time in view from which late_slope holds, s",
    )


class NeighbourTerm(Strict):
    """How an offender fares who comes into a camera's view near another of its kind already there: its
    closeness c = exp(−s / scale_heights), s how far apart the two look in the camera's image when it came
    into view (between their feet, in the offender's own heights there; the nearest such offender; c = 0
    with none), adds c · log_rate to its alarm log-rate while it has been in view for less than
    late_after_s and c · late_log_rate after, and makes it one the camera never finds with probability
    σ(never_log_odds + never_slope · c), drawn once per offender and camera beside the class's own share.
    Pixel mode's fishing detector merges two anglers who look close in the image into one body and credits
    their one alarm to the first: on held-out runs of three fishing banks an angler who came into view within
    10 m of another was found 0.47 of the time, one with nobody within 20 m 0.93 (docs/detectors.md, "An
    angler beside another")."""

    scale_heights: float = Field(
        gt=0,
        le=1000,
        allow_inf_nan=False,
        description="separation in the image over which the closeness falls by e, in the offender's heights",
    )
    log_rate: float = Field(
        ge=-20, le=20, allow_inf_nan=False, description="log-rate change at closeness 1 before late_after_s"
    )
    late_log_rate: float = Field(
        ge=-20, le=20, allow_inf_nan=False, description="log-rate change at closeness 1 from late_after_s on"
    )
    late_after_s: float = Field(
        gt=0, le=3600, allow_inf_nan=False, description="time in view from which late_log_rate holds, s"
    )
    never_log_odds: float = Field(
        ge=-100,
        le=100,
        allow_inf_nan=False,
        description="log odds that an offender with nobody near (closeness 0) is never found for this reason",
    )
    never_slope: float = Field(
        ge=-100, le=100, allow_inf_nan=False, description="change of never_log_odds at closeness 1"
    )
    crowd_change: float = Field(
        0.0,
        ge=-20,
        le=20,
        allow_inf_nan=False,
        description="change of the class's crowd slope fitted with the term (per doubling of 1 + others)",
    )
