"""Detectors by name: ``create_detector("swimming")``, ``create_detector("onnx", model_path=...)``.

The built-in detectors are listed here explicitly; :func:`register_detector` adds one of yours.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from detectors.base import Detector
from detectors.dnn import OnnxDetector
from detectors.fishing import FishingDetector
from detectors.swimming import SwimmingDetector

DETECTORS: dict[str, Callable[..., Detector]] = {
    "swimming": SwimmingDetector,
    "fishing": FishingDetector,
    "onnx": OnnxDetector,
}
"""Detector factories by name (``detection.pixel_detectors`` selects the swimming and fishing ones)."""


def register_detector(name: str, factory: Callable[..., Detector]) -> Callable[..., Detector]:
    """Make ``factory`` (a detector class) constructible by name with :func:`create_detector`."""
    if name in DETECTORS:
        raise ValueError(f"detector {name!r} is already registered")
    DETECTORS[name] = factory
    return factory


def create_detector(name: str, **params) -> Detector:
    """A registered detector; unknown names and parameters are errors that list the valid ones."""
    if name not in DETECTORS:
        raise ValueError(f"unknown detector {name!r} (valid: {', '.join(sorted(DETECTORS))})")
    factory = DETECTORS[name]
    accepted = [p for p in inspect.signature(factory).parameters if p != "self"]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise ValueError(f"detector {name!r} has no parameter {unknown[0]!r} (valid: {', '.join(accepted)})")
    return factory(**params)
