"""Which sensor type's terms a fit writes: ``tune`` (:func:`sim.calibration.tune.fitted_sensor`) and
``tune --pixel-runs`` (:func:`sim.calibration.agreement.sensor_terms`); cameras of two types are refused."""

from __future__ import annotations

import json

import pytest

from sim.calibration.agreement import sensor_block, sensor_terms
from sim.calibration.clip_scenes import ClipCase
from sim.calibration.tune import fitted_sensor
from sim.errors import TuningError
from sim.loading import load_scenario
from sim.scenario.models import Calibration, Light, SensorType, Weather
from tests.helpers.paths import DEFAULT, SCENARIOS


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


def test_recall_by_light_is_tabled_per_light_with_its_sensor_and_drawn(tmp_path):
    """``by_light.csv``: night, dusk, day in that order (levels without offenders left out), the sensor named;
    the figure draws several tune runs' tables side by side."""
    import pandas as pd

    from sim.calibration.clip_observation import Observations
    from sim.calibration.figures import draw_recall_by_light
    from sim.calibration.tune_tables import light_table

    rows = [  # group, t, pixels, light (0 night, 2 day), weather, score, track
        ("a", 0.0, 8.0, 2, "clear", 0.9, 1),
        ("a", 0.1, 8.0, 2, "clear", 0.2, 1),
        ("b", 0.0, 8.0, 0, "clear", 0.6, 2),
        ("c", 0.0, 8.0, 0, "clear", 0.0, -1),
    ]
    observations = Observations(offender_rows=rows, alarmed={0.5: {"a", "b"}})
    table = light_table(observations, 0.5, "thermal")
    assert list(table["light"]) == ["night", "day"] and set(table["sensor"]) == {"thermal"}
    night = table.set_index("light").loc["night"]
    assert night["offenders"] == 2 and night["frame_recall"] == 0.5 and night["alarmed_share"] == 0.5
    assert light_table(Observations(), 0.5, "visible").empty
    both = pd.concat([table, table.assign(sensor="visible")])
    path = draw_recall_by_light(both, tmp_path / "recall_by_light.png", "two camera types")
    assert path.stat().st_size > 10_000


def test_a_new_sensor_block_takes_the_visible_classes_without_their_optical_depth_terms():
    """A thermal fit on a file without thermal terms starts from the visible entries, but visible light's
    optical depth is no thermal camera's: the copies drop the term, the visible classes keep it."""
    data = json.loads((SCENARIOS / "calibration" / "default.json").read_text(encoding="utf-8"))
    data["sensors"] = {}
    block = sensor_block(data, SensorType.THERMAL)
    assert block is data["sensors"]["thermal"] and set(block) == {"classes", "false_alarms"}
    assert all("optical_depth" not in spec["alarm_hazard"] for spec in block["classes"].values())
    assert all("optical_depth" in spec["alarm_hazard"] for spec in data["classes"].values())
    Calibration.model_validate(data)
    assert sensor_block(data, SensorType.THERMAL) is block and sensor_block(data, SensorType.VISIBLE) is data
