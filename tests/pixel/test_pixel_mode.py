"""Pixel mode: detector parameters, what the detectors see, each kind's alarm filter, JPEG at the camera.

Runs of pixel mode on the beach cameras: test_beach_runs.py."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.engine import Simulation
from sim.errors import ScenarioError
from sim.loading import load_scenario
from sim.pixel.pixel_camera import PixelCamera, create_pixel_detector
from sim.scenario.models import Kind, PixelDetectors, SensorType
from sim.world.geometry import ZoneGeometry
from tests.helpers.paths import DEFAULT
from tests.helpers.pixel import PIXEL_OVERRIDES as OVERRIDES


@pytest.fixture(scope="module")
def pixel_scenario():
    scenario = load_scenario(DEFAULT, OVERRIDES)
    beach = [
        c.model_copy(update={"fps": 5.0}) for c in scenario.cameras if c.id in ("cam-beach-w", "cam-beach-e")
    ]
    return scenario.model_copy(update={"cameras": tuple(beach)})


def with_detectors(scenario, **blocks):
    detection = scenario.detection.model_copy(update={"pixel_detectors": PixelDetectors(**blocks)})
    return scenario.model_copy(update={"detection": detection})


def test_bad_detector_parameter_names_the_key(pixel_scenario):
    scenario = with_detectors(pixel_scenario, swimming={"speed": 1.0})
    with pytest.raises(ScenarioError, match=r"detection.pixel_detectors.swimming: .*no parameter .speed."):
        Simulation(scenario)


@pytest.mark.parametrize(
    ("blocks", "sensor", "key"),
    [
        # The kind's own parameters are checked on every camera, and named as the kind's.
        ({"swimming": {"cue": "colour"}}, SensorType.THERMAL, "detection.pixel_detectors.swimming: cue"),
        # A sensor block's are named as that block's, on that sensor's cameras ...
        (
            {"thermal": {"swimming": {"cue": "colour"}}},
            SensorType.THERMAL,
            "detection.pixel_detectors.thermal.swimming: cue",
        ),
        (
            {"swimming": {"cue": "stroke"}, "thermal": {"swimming": {"max_speed_mps": -1.0}}},
            SensorType.THERMAL,
            "detection.pixel_detectors.thermal.swimming: max_speed_mps must be > 0",
        ),
        (
            {"thermal": {"fishing": {"grounded_bodies": True, "dry_feet": "no"}}},
            SensorType.THERMAL,
            "detection.pixel_detectors.thermal.fishing: dry_feet must be true or false, got 'no'",
        ),
        (
            {"visible": {"fishing": {"dwell": 3.0}}},
            SensorType.VISIBLE,
            "detection.pixel_detectors.visible.fishing: detector 'fishing' has no parameter 'dwell'",
        ),
    ],
)
def test_a_bad_parameter_names_the_block_that_holds_it(blocks, sensor, key):
    kind = Kind.FISHING if "fishing" in key else Kind.SWIMMING
    with pytest.raises(ScenarioError) as error:
        create_pixel_detector(kind, PixelDetectors(**blocks), sensor)
    assert str(error.value).startswith(key)
    assert "\n" not in str(error.value)


def test_a_sensor_block_goes_on_top_of_the_kind_s_parameters_on_that_sensor_s_cameras_only(pixel_scenario):
    scenario = with_detectors(
        pixel_scenario,
        swimming={"cue": "stroke", "max_speed_mps": 1.2},
        thermal={"swimming": {"max_speed_mps": 2.0}, "fishing": {"dwell_s": 6.0}},
    )
    # A sensor's bad parameters are harmless on the other sensor's cameras (never built there).
    assert create_pixel_detector(Kind.SWIMMING, PixelDetectors(thermal={"swimming": {"x": 1}})).cue == "skin"
    spec = next(c for c in scenario.cameras if c.id == "cam-beach-w")
    geometry = ZoneGeometry(scenario)
    visible = PixelCamera(spec, scenario, geometry, np.zeros((0, 2)), seed=3).detectors
    thermal_spec = spec.as_sensor(SensorType.THERMAL)
    thermal = PixelCamera(thermal_spec, scenario, geometry, np.zeros((0, 2)), seed=3).detectors
    assert (visible[Kind.SWIMMING].cue, visible[Kind.SWIMMING].max_speed_mps) == ("stroke", 1.2)
    assert (thermal[Kind.SWIMMING].cue, thermal[Kind.SWIMMING].max_speed_mps) == ("stroke", 2.0)
    assert (visible[Kind.FISHING].dwell_s, thermal[Kind.FISHING].dwell_s) == (10.0, 6.0)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "detection.pixel_detectors.infrared.swimming.cue=stroke",
            "no key 'infrared' in detection.pixel_detectors (valid: swimming, fishing, visible, thermal)",
        ),
        (
            "detection.pixel_detectors.thermal.diving.cue=stroke",
            "no key 'diving' in detection.pixel_detectors.thermal",
        ),
    ],
)
def test_an_unknown_sensor_or_kind_under_pixel_detectors_is_refused_on_load(override, message):
    with pytest.raises(ScenarioError, match=re.escape(message)):
        load_scenario(DEFAULT, [override])


def test_detectors_see_the_uncompressed_frame_and_alarms_carry_its_jpeg_size(pixel_scenario):
    """The analysed frame is the decoded video downscaled (no JPEG artefacts at the analysis width); the
    alarm's payload is that frame as a JPEG at render.jpeg_quality."""
    import numpy as np

    from detectors.base import ClassId, Detections
    from sim.pixel.pixel_camera import PixelCamera, snapshot_bytes
    from sim.render.conditions import Conditions
    from sim.scenario.models import Kind, Light

    spec = next(c for c in pixel_scenario.cameras if c.id == "cam-beach-w")
    camera = PixelCamera(spec, pixel_scenario, ZoneGeometry(pixel_scenario), np.zeros((0, 2)), seed=3)
    seen = []

    class Always:
        """Reports one swimmer box, score 1, on every frame."""

        def update(self, frame, t, context):
            seen.append(frame)
            return Detections(np.array([[100.0, 80.0, 104.0, 84.0]]), [1.0], [ClassId.SWIMMER], [7])

    camera.detectors = {Kind.SWIMMING: Always()}
    conditions = Conditions(Light.DAY)
    alarms = {n: camera.analyse(n / 5.0, n, [], conditions)[0] for n in range(5)}
    (n, (alarm,)), *_ = [(n, found) for n, found in alarms.items() if found]  # the k-th frame's alarm
    rendered = camera.renderer.render(n / 5.0, [], conditions, n).image
    assert np.array_equal(seen[n], rendered)
    quality = pixel_scenario.render.jpeg_quality
    assert alarm.payload_bytes == snapshot_bytes(rendered, quality)
    assert snapshot_bytes(rendered, 30) < alarm.payload_bytes < snapshot_bytes(rendered, 98)


@pytest.mark.parametrize(
    ("thresholds", "alarmed"),
    [({"swimming": 0.8, "fishing": 0.3}, {"fishing"}), ({"swimming": 0.3, "fishing": 0.8}, {"swimming"})],
)
def test_each_kind_alarm_filter_has_its_kind_threshold(pixel_scenario, thresholds, alarmed):
    """Both detectors score 0.6 on every frame: only the kind whose threshold lies below 0.6 alarms."""
    import numpy as np

    from detectors.base import Detections
    from sim.pixel.pixel_camera import DETECTED_CLASS, PixelCamera
    from sim.render.conditions import Conditions
    from sim.scenario.models import Kind, Light

    detection = pixel_scenario.detection.model_copy(update={"threshold": thresholds})
    scenario = pixel_scenario.model_copy(update={"detection": detection})
    spec = next(c for c in scenario.cameras if c.id == "cam-beach-w")
    camera = PixelCamera(spec, scenario, ZoneGeometry(scenario), np.zeros((0, 2)), seed=3)
    assert {kind.value: camera.filters[kind].threshold for kind in Kind} == thresholds

    class Steady:
        """Reports one box of its kind, score 0.6, on every frame."""

        def __init__(self, kind: Kind):
            self.kind = kind

        def update(self, frame, t, context):
            return Detections(np.array([[100.0, 80.0, 104.0, 84.0]]), [0.6], [DETECTED_CLASS[self.kind]], [7])

    camera.detectors = {kind: Steady(kind) for kind in Kind}
    camera.tile = None
    found = [alarm for n in range(5) for alarm in camera.analyse(n / 5.0, n, [], Conditions(Light.DAY))[0]]
    assert {alarm.kind.value for alarm in found} == alarmed


def test_jpeg_at_the_camera_resolution_barely_changes_the_downscaled_frame(pixel_scenario):
    """Why pixel mode analyses uncompressed frames: JPEG q85 at 1920 px, decoded and downscaled to 640 px,
    differs from the uncompressed downscale by far less than JPEG q85 of the 640-px frame itself, and by
    less than half the frame-to-frame change of the still scene."""
    import cv2
    import numpy as np

    from sim.pixel.pixel_camera import analysis_camera
    from sim.render.conditions import Conditions
    from sim.render.renderer import Renderer
    from sim.scenario.models import Light
    from sim.world.cameras import CameraModel

    geometry = ZoneGeometry(pixel_scenario)
    spec = next(c for c in pixel_scenario.cameras if c.id == "cam-beach-e")
    assert spec.resolution[0] == 1920
    native = Renderer(CameraModel(spec), geometry, pixel_scenario.render.path_offset, seed=1)
    small = Renderer(analysis_camera(spec, 640), geometry, pixel_scenario.render.path_offset, seed=1)
    height, width = small.ground.shape

    def jpeg(image):
        _, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
        return cv2.imdecode(data, cv2.IMREAD_COLOR)

    def luma_rms(a, b):
        difference = cv2.cvtColor(a, cv2.COLOR_BGR2YCrCb)[..., 0].astype(float) - cv2.cvtColor(
            b, cv2.COLOR_BGR2YCrCb
        )[..., 0].astype(float)
        return float(np.sqrt(np.mean(difference**2)))

    def down(image):
        return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)

    full = native.render(4.0, [], Conditions(Light.DAY), 100).image
    at_camera = luma_rms(down(jpeg(full)), down(full))
    analysed = small.render(4.0, [], Conditions(Light.DAY), 100).image
    at_analysis = luma_rms(jpeg(analysed), analysed)
    flicker = luma_rms(analysed, small.render(4.0, [], Conditions(Light.DAY), 101).image)  # noise, waves
    assert at_camera < 0.5 * at_analysis
    assert at_camera < 0.5 * flicker  # measured: 0.65, 1.76 and 2.07 grey levels


def test_a_thermal_camera_hands_its_detectors_grey_thermal_frames(pixel_scenario):
    """``cameras[].sensor: thermal`` reaches the pixel camera: its detectors analyse thermal frames drawn at
    the run's temperatures (sim.render.thermal_scene.conditions_at), at the analysis width."""
    from datetime import datetime

    import numpy as np

    from detectors.base import Detections
    from sim.pixel.pixel_camera import PixelCamera
    from sim.render.thermal_scene import conditions_at
    from sim.scenario.models import Kind, SensorType
    from sim.world.daylight import Daylight

    spec = next(c for c in pixel_scenario.cameras if c.id == "cam-beach-w")
    spec = spec.model_copy(update={"sensor": SensorType.THERMAL})
    camera = PixelCamera(spec, pixel_scenario, ZoneGeometry(pixel_scenario), np.zeros((0, 2)), seed=3)
    assert camera.renderer.sensor is SensorType.THERMAL and camera.camera.spec.sensor is SensorType.THERMAL
    seen = []

    class Watch:
        """Keeps what it is shown; detects nothing."""

        def update(self, frame, t, context):
            seen.append(frame)
            return Detections.empty()

    camera.detectors = {Kind.SWIMMING: Watch()}
    zone = pixel_scenario.zone
    daylight = Daylight(datetime(2026, 7, 18, 2), zone.latitude_deg, zone.longitude_deg, zone.utc_offset_h)
    conditions = conditions_at(pixel_scenario, camera.camera.spec, daylight, 0.0)
    camera.analyse(0.0, 0, [], conditions)
    (frame,) = seen
    assert frame.shape[1] == pixel_scenario.detection.analysis_width
    assert (frame[..., 0] == frame[..., 1]).all() and (frame[..., 1] == frame[..., 2]).all()
