"""Scenario models of the ``hazard`` model's terms fitted with a class held (:mod:`sim.calibration.
held_class_fit`): the weather's covariate (``alarm_hazard.optical_depth``: how the alarm rate falls with the
optical depth of the air between the lens and the offender; :func:`sim.sensing.alarm_hazard.
optical_depth_offset` applies it, :func:`sim.calibration.optical_depth_fit.fit_optical_depth` fits it) and
the size cliff (``alarm_hazard.size_cliff``: how it falls below a size the detector barely resolves;
:mod:`sim.calibration.size_cliff_fit`). See :mod:`sim.scenario.models` for the whole scenario.
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
