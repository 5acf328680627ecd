"""Fixtures shared by the sensing tests."""

import pytest

from sim.loading import load_scenario
from sim.scenario.models import Calibration, ClassCalibration, Kind
from tests.helpers.paths import DEFAULT, ORDINAL_CALIBRATION
from tests.sensing.test_alarm_hazard import rates


@pytest.fixture(scope="module")
def calibration() -> Calibration:
    """The 2026-11-27 default calibration (every class ordinal, visible cameras blind at night) with swimming
    on the hazard model of :func:`rates`."""
    base = load_scenario(DEFAULT, [ORDINAL_CALIBRATION]).calibration
    swimming = ClassCalibration(model="hazard", intercept=0.0, size_slope=1.0, alarm_hazard=rates())
    return base.model_copy(update={"classes": {**base.classes, Kind.SWIMMING: swimming}})
