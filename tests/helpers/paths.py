"""Where the project's scenarios are."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
DEFAULT = SCENARIOS / "xuchang_lake.yaml"
ORDINAL_CALIBRATION = "detection.calibration=calibration/fitted_2026-11-27.json"
"""A ``--set`` pinning the default calibration of 2026-11-27 to 2026-12-06 (visible classes on the ordinal hit
model fitted to tune clips, almost no false alarms, visible cameras blind at night), relative to the
scenarios folder: for tests of mechanisms built on the ordinal model or on those properties, which the
regenerated default (the hazard model, the lake's false alarms) does not have."""
HELD_OUT_BEACH = ROOT / "tests" / "calibration" / "held_out_beach"
"""Stored pixel-run logs of the agreement tests' beach, ``fit/`` (seeds 0-23) and ``held_out/`` (seeds
100-123), rendered by scripts/held_out_beach.py."""
