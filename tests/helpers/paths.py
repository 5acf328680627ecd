"""Where the project's scenarios are."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
DEFAULT = SCENARIOS / "xuchang_lake.yaml"
