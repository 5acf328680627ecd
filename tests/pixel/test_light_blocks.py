"""Detector parameters per light level: ``detection.pixel_detectors.<sensor>.<light>.<kind>``.

The default scenario's dusk block for visible cameras, how the blocks stack, the errors that name the block,
and pixel mode following the light (detectors rebuilt only when the light's parameters differ)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.loading import load_scenario
from sim.pixel.pixel_camera import PixelCamera, create_pixel_detector
from sim.render.conditions import Conditions
from sim.scenario.models import Kind, Light, PixelDetectors, SensorType
from sim.world.geometry import ZoneGeometry
from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.paths import DEFAULT
from tests.helpers.pixel import one_beach_camera

DUSK = {"swimming": {"cue": "stroke"}, "visible": {"dusk": {"swimming": {"var_threshold": 9.0}}}}


def test_the_default_scenario_changes_only_visible_swimming_at_dusk():
    detectors = load_scenario(DEFAULT).detection.pixel_detectors
    for sensor in SensorType:
        for kind in Kind:
            plain = detectors.parameters(kind, sensor)
            for light in Light:
                changed = sensor is SensorType.VISIBLE and light is Light.DUSK and kind is Kind.SWIMMING
                assert (detectors.parameters(kind, sensor, light) != plain) == changed, (sensor, light, kind)
    swimming = create_pixel_detector(Kind.SWIMMING, detectors, SensorType.VISIBLE, Light.DUSK)
    assert swimming.background_settings.var_threshold == 9.0
    assert swimming.cue == "stroke"  # the kind's own parameters stay under the light's


def test_the_default_scenario_stops_waders_on_thermal_cameras_only():
    """``dry_feet`` (a body standing in the water is no angler) is on for thermal fishing at every light and
    off for visible fishing, whose parameters are the kind's own (none)."""
    detectors = load_scenario(DEFAULT).detection.pixel_detectors
    for light in (None, *Light):
        assert create_pixel_detector(Kind.FISHING, detectors, SensorType.THERMAL, light).dry_feet
        assert not create_pixel_detector(Kind.FISHING, detectors, SensorType.VISIBLE, light).dry_feet
    assert detectors.parameters(Kind.FISHING, SensorType.VISIBLE) == {}


@pytest.mark.parametrize(
    ("sensor", "light", "var_threshold"),
    [
        (SensorType.VISIBLE, Light.DUSK, 9.0),
        (SensorType.VISIBLE, Light.DAY, 16.0),
        (SensorType.VISIBLE, None, 16.0),
        (SensorType.THERMAL, Light.DUSK, 16.0),
    ],
)
def test_a_light_block_goes_on_top_on_its_sensor_at_its_light_only(sensor, light, var_threshold):
    detector = create_pixel_detector(Kind.SWIMMING, PixelDetectors(**DUSK), sensor, light)
    assert detector.background_settings.var_threshold == var_threshold
    assert detector.cue == "stroke"


def test_a_bad_parameter_in_a_light_block_names_that_block(beach):
    blocks = {"visible": {"dusk": {"swimming": {"var_threshold": -1.0}}}}
    detectors = PixelDetectors(**blocks)
    with pytest.raises(ScenarioError) as error:
        create_pixel_detector(Kind.SWIMMING, detectors, SensorType.VISIBLE, Light.DUSK)
    message = str(error.value)
    assert message.startswith("detection.pixel_detectors.visible.dusk.swimming: var_threshold")
    assert "\n" not in message
    # Harmless in daylight and on thermal cameras (never built there) ...
    create_pixel_detector(Kind.SWIMMING, detectors, SensorType.VISIBLE, Light.DAY)
    create_pixel_detector(Kind.SWIMMING, detectors, SensorType.THERMAL, Light.DUSK)
    # ... but a pixel camera refuses it when it is built, not when dusk comes.
    with pytest.raises(ScenarioError, match=r"^detection\.pixel_detectors\.visible\.dusk\.swimming: "):
        _camera(beach, blocks)


def test_an_unknown_light_block_is_one_error_line_exit_2(capsys):
    rc = call_main(
        ["run", "--set", "detection.pixel_detectors.visible.evening.swimming.var_threshold=9", "--out", "x"]
    )
    assert_one_error_line(capsys, rc, ("no key 'evening' in detection.pixel_detectors.visible", "dusk"))


@pytest.fixture(scope="module")
def beach():
    """The cheapest pixel camera: one beach camera at 160 px."""
    return one_beach_camera(["run.mode=pixel", "detection.analysis_width=160"])


def _camera(scenario, blocks: dict) -> PixelCamera:
    detection = scenario.detection.model_copy(update={"pixel_detectors": PixelDetectors(**blocks)})
    scenario = scenario.model_copy(update={"detection": detection})
    return PixelCamera(scenario.cameras[0], scenario, ZoneGeometry(scenario), np.zeros((0, 2)), seed=1)


def test_pixel_mode_rebuilds_the_detectors_when_the_light_s_parameters_differ(beach):
    camera = _camera(beach, DUSK)
    built = camera.detectors[Kind.SWIMMING]
    camera.analyse(0.0, 0, [], Conditions(Light.DAY))
    assert camera.detectors[Kind.SWIMMING] is built  # daylight: the parameters it was built with
    camera.analyse(0.2, 1, [], Conditions(Light.DUSK))
    at_dusk = camera.detectors[Kind.SWIMMING]
    assert at_dusk is not built and at_dusk.background_settings.var_threshold == 9.0
    assert camera.detectors[Kind.FISHING].background_settings.var_threshold == 16.0
    camera.analyse(0.4, 2, [], Conditions(Light.NIGHT))
    assert camera.detectors[Kind.SWIMMING].background_settings.var_threshold == 16.0


def test_without_light_blocks_pixel_mode_keeps_its_detectors_through_the_day(beach):
    camera = _camera(beach, {"swimming": {"cue": "stroke"}})
    built = dict(camera.detectors)
    for number, light in enumerate((Light.DAY, Light.DUSK, Light.NIGHT)):
        camera.analyse(0.2 * number, number, [], Conditions(light))
        assert camera.detectors == built


def test_tune_refuses_a_bad_light_block_before_rendering(capsys, tmp_path):
    out = tmp_path / "tune"
    argv = ["tune", "--detector", "swimming", "--light", "dusk", "--weather", "clear", "--clips", "1"]
    argv += ["--seconds", "10", "--out", str(out)]
    rc = call_main([*argv, "--set", "detection.pixel_detectors.visible.dusk.swimming.average_frames=0"])
    assert_one_error_line(capsys, rc, ("detection.pixel_detectors.visible.dusk.swimming: average_frames",))
    assert not out.exists()


def test_warm_only_is_on_for_thermal_swimming_only_and_a_bad_value_is_refused(capsys, tmp_path):
    detectors = load_scenario(DEFAULT).detection.pixel_detectors
    for sensor in SensorType:
        for light in Light:
            swimming = create_pixel_detector(Kind.SWIMMING, detectors, sensor, light)
            assert swimming.warm_only == (sensor is SensorType.THERMAL), (sensor, light)
    out = tmp_path / "tune"
    argv = ["tune", "--detector", "swimming", "--sensor", "thermal", "--light", "night", "--weather", "clear"]
    argv += ["--clips", "1", "--seconds", "10", "--out", str(out)]
    rc = call_main([*argv, "--set", "detection.pixel_detectors.thermal.swimming.warm_only=maybe"])
    assert_one_error_line(capsys, rc, ("detection.pixel_detectors.thermal.swimming: warm_only",))
    assert not out.exists()
