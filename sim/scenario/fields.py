"""Building blocks of the scenario models: units, the strict base model, enums, distributions.

See :mod:`sim.scenario.models` for the scenario itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from sim.core import distributions

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


class SensorType(StrEnum):
    """What a camera senses: visible light (colour frames) or long-wave infrared, 8-14 µm (thermal, grey)."""

    VISIBLE = "visible"
    THERMAL = "thermal"


ABSOLUTE_ZERO_C = -273.15
"""0 K in degrees Celsius (SI Brochure, 9th ed., BIPM 2019, §2.3.1)."""


def _not_below_absolute_zero(value: float) -> float:
    if value < ABSOLUTE_ZERO_C:
        raise ValueError(f"{value:g} °C is below absolute zero ({ABSOLUTE_ZERO_C} °C)")
    return value


Celsius = Annotated[
    float, AfterValidator(_not_below_absolute_zero), Field(json_schema_extra={"minimum": ABSOLUTE_ZERO_C})
]
"""A temperature, °C: never below absolute zero."""


# ---------------------------------------------------------------- one value for every kind, or one each

UNION_TAGS = ("all_kinds", "per_kind")
"""Tags of :data:`KindThreshold`'s two forms; pydantic puts them in error paths, which leave them out."""


def _form(value: object) -> str:
    return "per_kind" if isinstance(value, Mapping) else "all_kinds"


def _every_kind(values: dict[Kind, float]) -> dict[Kind, float]:
    missing = [kind.value for kind in Kind if kind not in values]
    if missing:
        every = ", ".join(kind.value for kind in Kind)
        raise ValueError(f"no value for {', '.join(missing)}: give one for each of {every}, or one number")
    return values


Score = Annotated[float, Field(gt=0, lt=1)]
"""A detector score in (0, 1)."""

KindThreshold = Annotated[
    Annotated[Score, Tag("all_kinds")]
    | Annotated[dict[Kind, Score], AfterValidator(_every_kind), Tag("per_kind")],
    Discriminator(_form),
]
"""A score threshold: one number for every kind, or a mapping of every kind to its own."""


def per_kind(value: float | Mapping[Kind, float]) -> dict[Kind, float]:
    """Every kind's value of a :data:`KindThreshold` (or a plain number, the same for all kinds)."""
    if isinstance(value, Mapping):
        return {Kind(kind): float(v) for kind, v in value.items()}
    return dict.fromkeys(Kind, float(value))


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
