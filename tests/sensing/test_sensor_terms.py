"""Statistical mode knows the sensor: a camera's detections and false alarms follow its sensor type's terms
of the calibration (``sensors.thermal``), the visible ones stay the top level, and a statistical scenario
whose cameras lack their terms is refused."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pytest
from shapely.geometry import box

from sim.calibration.calibration_file import write_calibration
from sim.loading import load_scenario
from sim.scenario.models import Calibration, Kind, Light, SensorType, Weather
from sim.sensing.detection_model import DetectionModel
from sim.sensing.sensors import Sensor
from sim.sensing.statistical import StatisticalSensing
from sim.world.daylight import LIGHT_ORDER, Daylight
from tests.helpers.builders import make_incident
from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.paths import DEFAULT

BUNDLED = DEFAULT.parent / "calibration" / "default.json"
ORDINAL = DEFAULT.parent / "calibration" / "fitted_2026-11-27.json"
"""The default of 2026-11-27 to 2026-12-06: visible classes on the ordinal hit model fitted to tune clips,
which render no street lamps, so visible cameras are blind at night (the regenerated default's visible
fishing class, fitted to pixel runs with the lamps, sees anglers on the lit bank: docs/studies.md)."""
NIGHT = LIGHT_ORDER.index(Light.NIGHT)


def _bundled(path=BUNDLED) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _thermal_sees_at_night(calibration: dict) -> dict:
    """``calibration`` with thermal terms that are the visible ones but for the night: as good as the day."""
    classes = json.loads(json.dumps(calibration["classes"]))
    for spec in classes.values():
        spec["light"]["night"] = 0.0
    false_alarms = {kind: {"max_rate_per_hour": 2.0, "intercept": 0.0} for kind in calibration["classes"]}
    return calibration | {"sensors": {"thermal": {"classes": classes, "false_alarms": false_alarms}}}


def _camera(name: str, sensor: SensorType) -> Sensor:
    return Sensor(
        name, box(0, 0, 2, 2), 0.2, 3, 5, frozenset(Kind), lambda xy, h: np.full(len(xy), 20.0), 1.0, sensor
    )


def test_the_same_incidents_at_night_are_found_by_the_thermal_camera_as_its_terms_say_not_the_visible():
    """Two cameras seeing the same place at night, one visible, one thermal whose night offset is the day's
    (the ordinal classes of :data:`ORDINAL`): the thermal one alarms on nearly every swimmer, the visible one
    (night offset −18.6) on none."""
    calibration = Calibration.model_validate(_thermal_sees_at_night(_bundled(ORDINAL)))
    model = DetectionModel(calibration, 0.8, Weather.CLEAR)
    cameras = [_camera("visible", SensorType.VISIBLE), _camera("thermal", SensorType.THERMAL)]
    night = Daylight(datetime(2026, 7, 1, 1), 34.0, 113.8, 8.0)
    sensing = StatisticalSensing(cameras, model, night, 20_000.0)
    streams = {}

    def stream(name: str) -> np.random.Generator:
        return streams.setdefault(name, np.random.default_rng(len(streams)))

    found = {"visible": 0, "thermal": 0}
    for i in range(60):
        for detection in sensing.observe(make_incident(i, 10.0 * i, 10.0 * i + 120.0), stream)[1]:
            found[detection.sensor_id] += 1
    assert found["visible"] == 0 and found["thermal"] >= 50
    pixels = np.array([20.0])
    assert sensing.model_of("thermal").hit_probability(Kind.SWIMMING, pixels, np.array([NIGHT]))[
        0
    ] == pytest.approx(
        model.hit_probability(Kind.SWIMMING, pixels, np.array([LIGHT_ORDER.index(Light.DAY)]))[0]
    )
    assert sensing.model_of("thermal").false_alarm_rate(Kind.FISHING) == pytest.approx(
        2.0 * 0.2
    )  # σ(0 − logit 0.8)
    assert sensing.model_of("visible") is model


def test_the_bundled_thermal_terms_see_more_at_night_than_the_clip_fitted_visible_ones():
    """The bundled thermal block against the visible classes fitted to tune clips (:data:`ORDINAL`, whose
    thermal block is the bundled one): per frame, a 20-px offender at night is more often hit by a thermal
    camera's detector than by a visible one's, for both kinds (what ``tune --sensor thermal`` measured)."""
    calibration = Calibration.model_validate(_bundled(ORDINAL))
    assert _bundled(ORDINAL)["sensors"] == _bundled()["sensors"]
    assert SensorType.THERMAL in calibration.sensors and not calibration.missing_terms(SensorType.THERMAL)
    visible = DetectionModel(calibration, {Kind.SWIMMING: 0.8, Kind.FISHING: 0.5}, Weather.CLEAR)
    thermal = visible.for_sensor(SensorType.THERMAL)
    for kind in Kind:
        night = (np.array([20.0]), np.array([NIGHT]))
        assert thermal.hit_probability(kind, *night)[0] > 10 * visible.hit_probability(kind, *night)[0]


def test_the_bundled_thermal_terms_say_what_they_rest_on_and_cover_every_light_and_weather():
    """The installed block (scripts/thermal_terms.py): swimming's detection terms fitted to pixel-mode runs
    by day, at dusk and at night (each light level its own offset, none left to the top-level fallback),
    fishing's on the hazard model to pixel-mode runs of the same starts (its alarm rates with a night and a
    dusk offset, counted with the scenario's 3-of-5 rule at fishing's threshold 0.5 among others), both
    with the clip tunes' weather offsets; both false-alarm entries from the clip tunes, and the source
    naming the commands."""
    block = _bundled()["sensors"]["thermal"]
    source = block["source"]
    assert "tune --pixel-runs" in source and "tune --detector fishing --sensor thermal" in source
    assert "--model hazard" in source and "--only fishing" in source
    for start in ("10:00", "19:05", "21:00"):  # day, dusk, night: the light offsets rest on all three
        assert f"--start 2026-07-18T{start}:00" in source
    weathers = {weather.value for weather in Weather}
    for kind, spec in block["classes"].items():
        assert set(spec["light"]) == {light.value for light in Light}, kind
        assert set(spec["weather"]) == weathers, kind  # clear-weather pixel runs: the clips' weather offsets
    assert block["classes"]["swimming"]["model"] == "ordinal"
    fishing = block["classes"]["fishing"]
    rates = fishing["alarm_hazard"]
    assert fishing["model"] == "hazard" and set(rates["light"]) == {"night", "dusk"}
    assert (rates["k"], rates["n"]) == (3, 5) and 0.5 in rates["thresholds"]


def test_a_thermal_tune_writes_its_terms_under_sensors_and_leaves_the_visible_ones(tmp_path):
    base = _bundled()
    fit = base["classes"]["swimming"] | {"intercept": 1.5}
    false_alarms = {"max_rate_per_hour": 0.5, "intercept": 0.0, "slope": 1.0}
    path = tmp_path / "calibration.json"
    written = write_calibration(
        base, Kind.SWIMMING, fit, false_alarms, "thermal fit", path, SensorType.THERMAL
    )
    assert written == json.loads(path.read_text(encoding="utf-8"))
    assert {k: v for k, v in written.items() if k != "sensors"} == {
        k: v for k, v in base.items() if k != "sensors"
    }
    thermal = written["sensors"]["thermal"]
    assert thermal["classes"]["swimming"]["intercept"] == 1.5 and thermal["source"] == "thermal fit"
    assert thermal["false_alarms"]["swimming"] == false_alarms


def _refused(tmp_path, capsys, calibration: dict, expected: tuple[str, ...], *sets: str) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(calibration), encoding="utf-8")
    changes = [arg for key in ("cameras.0.sensor=thermal", *sets) for arg in ("--set", key)]
    rc = call_main(["validate", str(DEFAULT), "--set", f"detection.calibration={path}", *changes])
    assert_one_error_line(capsys, rc, expected)


def test_a_thermal_camera_with_a_calibration_without_thermal_terms_is_refused_naming_the_file(
    tmp_path, capsys
):
    old = {k: v for k, v in _bundled().items() if k != "sensors"}  # a calibration from before sensors
    _refused(tmp_path, capsys, old, ("detection.calibration (old.json)", "no sensors.thermal", "cameras.0"))


def test_a_thermal_block_lacking_a_kind_is_refused_naming_the_missing_term(tmp_path, capsys):
    calibration = _thermal_sees_at_night(_bundled())
    del calibration["sensors"]["thermal"]["classes"]["fishing"]
    _refused(tmp_path, capsys, calibration, ("old.json", "sensors.thermal.classes.fishing"))


def test_a_visible_block_is_refused_the_top_level_is_the_visible_terms(tmp_path, capsys):
    calibration = _bundled() | {"sensors": {"visible": {}}}
    _refused(tmp_path, capsys, calibration, ("detection.calibration (old.json)", "sensors.visible"))


def test_pixel_mode_needs_no_thermal_terms(tmp_path):
    """Pixel mode runs the detectors themselves: the same scenario loads, its thermal camera without terms."""
    path = tmp_path / "old.json"
    path.write_text(json.dumps({k: v for k, v in _bundled().items() if k != "sensors"}), encoding="utf-8")
    sets = [f"detection.calibration={path}", "cameras.0.sensor=thermal", "run.mode=pixel"]
    scenario = load_scenario(DEFAULT, sets)
    assert scenario.cameras[0].sensor is SensorType.THERMAL and not scenario.calibration.sensors


def test_a_run_raises_a_thermal_cameras_false_alarms_at_the_thermal_rate(tmp_path):
    """The engine's false alarms of a camera follow its sensor type's terms: thermal false alarms at a high
    rate, visible ones at none, so every false alarm of a two-hour night run comes from the thermal camera."""
    from sim.engine import Simulation

    calibration = _thermal_sees_at_night(_bundled())
    for kind in ("swimming", "fishing"):
        calibration["false_alarms"][kind] = {"max_rate_per_hour": 0.0, "intercept": 0.0}
        calibration["sensors"]["thermal"]["false_alarms"][kind] = {
            "max_rate_per_hour": 50.0,
            "intercept": 5.0,
        }
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(calibration), encoding="utf-8")
    sets = [f"detection.calibration={path}", "run.start=2026-07-18T22:00:00", "run.duration=2h"]
    scenario = load_scenario(DEFAULT, [*sets, "cameras.2.sensor=thermal"])
    alarms = Simulation(scenario).run().alarms
    false = alarms[alarms["incident_id"].isna()]
    assert len(false) > 10 and set(false["source"]) == {scenario.cameras[2].id}


@pytest.mark.parametrize(
    "term, value, expected",
    [
        ("optical_depth", {"knots": [2.0, 1.0], "slopes": [1.0, 1.0]}, "knots must increase"),
        ("size_cliff", {"below_pixels": 1.0, "slope": -2.0}, "greater than or equal to 0"),
    ],
)
def test_a_bad_term_fitted_with_the_class_held_is_one_line_naming_its_key(
    tmp_path, capsys, term, value, expected
):
    calibration = _bundled()
    calibration["classes"]["swimming"]["alarm_hazard"][term] = value
    _refused(tmp_path, capsys, calibration, ("classes.swimming.alarm_hazard", term, expected))
