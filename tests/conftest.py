"""Shared fixtures: the bundled scenarios, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.loading import load_scenario
from sim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
DEFAULT = SCENARIOS / "xuchang_lake.yaml"


@pytest.fixture(scope="session")
def default_scenario() -> Scenario:
    return load_scenario(DEFAULT)


@pytest.fixture(scope="session")
def short_scenario() -> Scenario:
    """The default scenario cut to two simulated hours."""
    return load_scenario(DEFAULT, ["run.duration=2h"])
