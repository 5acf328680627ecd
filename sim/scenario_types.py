"""Building blocks of the scenario models: units, the strict base model, enums, distributions.

See :mod:`sim.scenario` for the scenario itself.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from sim import distributions

_DURATION = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: object) -> float:
    """Seconds from a number or a string such as ``"90"``, ``"30s"``, ``"15m"``, ``"6h"``, ``"2d"``.

    Raises ValueError for anything else; the sign is kept so the caller's
    bound check reports negative durations as such.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 90, '30s', '15m', '6h', '2d', got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    raise ValueError(f"expected a duration such as 90, '30s', '15m', '6h', '2d', got {value!r}")


Duration = Annotated[float, BeforeValidator(parse_duration)]
Point = tuple[float, float]
Ring = Annotated[tuple[Point, ...], Field(min_length=3)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    """Base: unknown keys are errors and instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Mode(StrEnum):
    STATISTICAL = "statistical"
    PIXEL = "pixel"


class Weather(StrEnum):
    CLEAR = "clear"
    HAZE = "haze"
    FOG = "fog"
    RAIN = "rain"


class Light(StrEnum):
    DAY = "day"
    DUSK = "dusk"
    NIGHT = "night"


class Codec(StrEnum):
    H264 = "h264"
    H265 = "h265"


class Kind(StrEnum):
    SWIMMING = "swimming"
    FISHING = "fishing"


# ---------------------------------------------------------------- distributions


class ConstantSpec(Strict):
    dist: Literal["constant"]
    value: float = Field(ge=0, description="the value, in the parameter's unit")

    def build(self) -> distributions.Constant:
        return distributions.Constant(self.value)


class ExponentialSpec(Strict):
    dist: Literal["exponential"]
    mean: float = Field(gt=0, description="mean, in the parameter's unit")

    def build(self) -> distributions.Exponential:
        return distributions.Exponential(self.mean)


class UniformSpec(Strict):
    dist: Literal["uniform"]
    low: float = Field(ge=0, description="lower bound, in the parameter's unit")
    high: float = Field(gt=0, description="upper bound, in the parameter's unit")

    @model_validator(mode="after")
    def _ordered(self) -> UniformSpec:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) is below low ({self.low})")
        return self

    def build(self) -> distributions.Uniform:
        return distributions.Uniform(self.low, self.high)


class LogNormalSpec(Strict):
    dist: Literal["lognormal"]
    mean: float = Field(gt=0, description="mean, in the parameter's unit")
    sd: float = Field(gt=0, description="standard deviation, in the parameter's unit")

    def build(self) -> distributions.LogNormal:
        return distributions.LogNormal(self.mean, self.sd)


DistributionSpec = Annotated[
    ConstantSpec | ExponentialSpec | UniformSpec | LogNormalSpec, Field(discriminator="dist")
]
