"""Shared fixtures: the bundled scenarios, loaded once per test session."""

from __future__ import annotations

import pytest

from sim.loading import load_scenario
from sim.scenario.models import Scenario
from tests.helpers.paths import DEFAULT


@pytest.fixture(scope="session")
def default_scenario() -> Scenario:
    return load_scenario(DEFAULT)


@pytest.fixture(scope="session")
def short_scenario() -> Scenario:
    """The default scenario cut to two simulated hours."""
    return load_scenario(DEFAULT, ["run.duration=2h"])
