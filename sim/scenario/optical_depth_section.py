"""Scenario model of the ``hazard`` model's weather covariate (``alarm_hazard.optical_depth``): how the
alarm rate falls with the optical depth of the air between the lens and the offender
(:func:`sim.sensing.alarm_hazard.optical_depth_offset` applies it,
:func:`sim.calibration.optical_depth_fit.fit_optical_depth` fits it). See :mod:`sim.scenario.models` for the
whole scenario.
"""

from __future__ import annotations

import itertools
from typing import Annotated

from pydantic import Field, model_validator

from sim.scenario.fields import Strict


class OpticalDepthTerm(Strict):
    """A falling, concave, piecewise-linear offset on the alarm log-rate in the optical depth τ = d / L of
    visible light over the offender's distance d in the run's weather (L: its extinction length,
    :data:`sim.world.visibility.EXTINCTION_LENGTH_M`): −Σ_k slopes[k] · max(0, τ − knots[k]). The slopes are
    not negative, so each knot steepens the fall: the detectors lose an offender once the haze leaves too
    little of its contrast, a cliff one offset per weather cannot draw (docs/detectors.md, "The optical
    depth: the alarm rates' weather covariate"). Visible cameras' classes only: long-wave infrared's depth
    is another (:class:`sim.scenario.calibration_section.Calibration` refuses it in a sensors block)."""

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
