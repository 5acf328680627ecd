"""Overrides for a short daylight pixel-mode run."""

from __future__ import annotations

PIXEL_OVERRIDES = [
    "run.mode=pixel",
    "run.duration=150",
    "run.start=2026-07-18T15:00:00",  # a summer afternoon: daylight, swimmers
    "incidents.swimming.rate_per_hour=90",
    "detection.analysis_width=320",
    "detection.threshold=0.3",
]
