"""A rendered frame and its ground truth: the image and one :class:`TruthBox` per visible actor."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.render.actors import ActorClass
from sim.render.conditions import Conditions
from sim.scenario.models import SensorType


@dataclass(frozen=True)
class TruthBox:
    """One visible actor in one frame: pixel box (x0, y0) inclusive to (x1, y1) exclusive."""

    actor_id: str
    cls: ActorClass
    x0: int
    y0: int
    x1: int
    y1: int
    visible_fraction: float
    """Share of the actor's box inside the image."""
    distance_m: float


@dataclass(frozen=True)
class Frame:
    """One rendered frame at time ``t`` (s), its ground truth and the conditions it was drawn in."""

    t: float
    image: np.ndarray
    """H x W x 3 uint8, BGR."""
    truth: tuple[TruthBox, ...]
    conditions: Conditions
    encoded_bytes: int | None = None
    """Size of the JPEG the camera would send, bytes (None when not encoded)."""
    sensor: SensorType = SensorType.VISIBLE
    """What the camera senses: a thermal frame's three channels are equal (grey, white hot)."""
