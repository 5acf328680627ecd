"""Which sensor type's terms a fit writes: ``tune`` (:func:`sim.calibration.tune.fitted_sensor`) and
``tune --pixel-runs`` (:func:`sim.calibration.agreement.sensor_terms`); cameras of two types are refused."""

from __future__ import annotations

import pytest

from sim.calibration.agreement import sensor_terms
from sim.calibration.clip_scenes import ClipCase
from sim.calibration.tune import fitted_sensor
from sim.errors import TuningError
from sim.loading import load_scenario
from sim.scenario.models import Light, SensorType, Weather
from tests.helpers.paths import DEFAULT


@pytest.fixture(scope="module")
def mixed():
    """The default scenario (pixel mode) with its first camera thermal, the others visible."""
    return load_scenario(DEFAULT, ["run.mode=pixel", "cameras.0.sensor=thermal"])


def _cases(scenario, *indices, sensor=None):
    return [ClipCase(Light.NIGHT, Weather.CLEAR, scenario.cameras[i].id, i, sensor) for i in indices]


def test_a_tune_fits_the_terms_of_its_clips_cameras(mixed):
    assert fitted_sensor(mixed, _cases(mixed, 0), None) is SensorType.THERMAL
    assert fitted_sensor(mixed, _cases(mixed, 1, 2), None) is SensorType.VISIBLE
    both = _cases(mixed, 0, 1, sensor=SensorType.THERMAL)
    assert fitted_sensor(mixed, both, SensorType.THERMAL) is SensorType.THERMAL  # --sensor: all rendered so


def test_a_tune_over_cameras_of_both_types_is_refused(mixed):
    with pytest.raises(TuningError, match="--sensor visible or --sensor thermal"):
        fitted_sensor(mixed, _cases(mixed, 0, 1), None)


def test_pixel_runs_fit_the_thermal_block_of_thermal_cameras_and_refuse_a_mix(mixed):
    base = mixed.calibration.model_dump(mode="json")
    with pytest.raises(TuningError, match="--pixel-runs: the cameras are thermal and visible"):
        sensor_terms(base, mixed)
    thermal = mixed.model_copy(update={"cameras": mixed.cameras[:1]})
    visible = mixed.model_copy(update={"cameras": mixed.cameras[1:]})
    assert sensor_terms(base, visible) is base
    terms = sensor_terms(base, thermal)
    assert terms is base["sensors"]["thermal"] and set(terms) >= {"classes", "false_alarms"}
