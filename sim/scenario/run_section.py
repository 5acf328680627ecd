"""Scenario models of the run and of rendering: seed, duration, start, mode, weather and wind; the
synthetic frames' JPEG quality, distractors, shore path and lamps.

See :mod:`sim.scenario.models` for the whole scenario.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from sim.scenario.fields import Duration, Mode, Strict, Weather


class RunConfig(Strict):
    seed: int = Field(0, ge=0, description="root seed of all random streams")
    duration: Duration = Field(6 * 3600.0, gt=0, description="simulated time, s ('6h' accepted)")
    start: datetime = Field(
        datetime(2026, 7, 18, 6, 0), description="local date-time of t = 0: time of day and season"
    )
    mode: Mode = Field(Mode.STATISTICAL, description="sensing fidelity")
    weather: Weather = Field(Weather.CLEAR, description="weather for the whole run")
    wind_speed: float = Field(3.0, ge=0, le=30, description="wind speed, raises waves in rendered water, m/s")


class RenderConfig(Strict):
    """Synthetic frames (pixel mode and ``run_sim.py render``)."""

    jpeg_quality: int = Field(85, ge=1, le=100, description="JPEG quality of transmitted frames, 1..100")
    walkers: int = Field(6, ge=0, description="people walking on the shore path at any time")
    ducks: int = Field(8, ge=0, description="ducks and water birds on the lake")
    debris: int = Field(5, ge=0, description="pieces of floating debris")
    legal_boats: int = Field(1, ge=0, description="leisure boats (allowed) on the water")
    path_offset: float = Field(12.0, gt=0, description="distance of the shore path from the water, m")
    lamp_spacing: float = Field(35.0, gt=0, description="distance between lamps along the shore path, m")
