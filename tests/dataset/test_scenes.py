"""sim.dataset.scenes: a clip's scene follows its seed and names, and each box's SNR is what its actor
changed in the frame over the sensor noise."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.rng import RandomStreams
from sim.dataset.plan import plan_dataset
from sim.dataset.scenes import box_snr, clip_scene, frame_conditions, noise_sd
from sim.pixel.pixel_camera import analysis_camera
from sim.render.actors import ActorClass
from sim.render.conditions import NOISE_SD, Conditions
from sim.render.frame import Frame, TruthBox
from sim.render.renderer import Renderer
from sim.render.thermal_scene import typical_scene
from sim.scenario.models import Light, SensorType, Weather
from sim.world.geometry import ZoneGeometry


@pytest.fixture(scope="module")
def geometry(default_scenario):
    return ZoneGeometry(default_scenario)


def first_clip_of(plan, camera_id):
    return next(clip for clip in plan.clips if clip.view.camera_id == camera_id)


def scene(default_scenario, geometry, clip, seed):
    spec = next(c for c in default_scenario.cameras if c.id == clip.view.camera_id)
    camera = analysis_camera(spec, 160)
    return clip_scene(default_scenario, geometry, camera, clip, RandomStreams(seed))


def test_a_scene_has_both_kinds_a_camera_sees_named_after_its_clip(default_scenario, geometry):
    plan = plan_dataset(default_scenario, geometry, 1200)
    clip = first_clip_of(plan, "cam-mouth")  # sees a no-swimming and a no-fishing area
    things = scene(default_scenario, geometry, clip, 0)
    assert all(t.id.startswith(f"{clip.name}/") for t in things)
    assert len({t.id for t in things}) == len(things)
    classes = [t.cls for t in things]
    assert classes.count(ActorClass.SWIMMER) == 2 and classes.count(ActorClass.FISHER) == 2
    boats = {t.id.split("/")[1]: t.own for t in things if t.cls is ActorClass.BOAT}
    assert boats == {"boat-0": True, "leisure-boat": False}
    # Every offender is there from the clip's first frame to its last.
    for thing in things:
        if thing.cls in (ActorClass.SWIMMER, ActorClass.FISHER):
            assert thing.at(clip.time(0)) is not None and thing.at(clip.time(clip.frames - 1)) is not None


def test_a_scene_follows_the_seed(default_scenario, geometry):
    clip = plan_dataset(default_scenario, geometry, 12).clips[0]

    def places(seed):
        return [
            tuple(np.round(t.track.position([clip.time(0)])[0], 6))
            for t in scene(default_scenario, geometry, clip, seed)
        ]

    assert places(0) == places(0)
    assert places(0) != places(1)


def test_box_snr_is_the_actors_change_over_the_noise(default_scenario):
    empty = np.full((20, 30, 3), 50, np.uint8)
    image = empty.copy()
    image[5:8, 10:14] = (60, 50, 44)  # 12 pixels changed by 10, 0 and 6 levels
    box = TruthBox("a", ActorClass.SWIMMER, 9, 4, 15, 9, 1.0, 50.0)
    frame = Frame(0.0, image, (box,), Conditions(Light.DUSK))
    assert box_snr(frame, empty, 2.0) == (round(np.sqrt(12 * (10**2 + 6**2)) / 2.0, 2),)
    # An infrared frame's channels are copies of one: only one counts.
    infrared = Frame(0.0, image, (box,), Conditions(Light.NIGHT, infrared=True))
    assert box_snr(infrared, empty, 2.0) == (round(np.sqrt(12 * 10**2) / 2.0, 2),)
    # So are a thermal frame's, by any light.
    thermal = Frame(0.0, image, (box,), Conditions(Light.DAY), sensor=SensorType.THERMAL)
    assert box_snr(thermal, empty, 2.0) == (round(np.sqrt(12 * 10**2) / 2.0, 2),)


def test_a_thermal_view_renders_a_thermal_copy_of_its_camera_in_its_climate(default_scenario, geometry):
    plan = plan_dataset(default_scenario, geometry, 24)
    view = next(v for v in plan.views if v.sensor is SensorType.THERMAL and v.light is Light.NIGHT)
    spec = next(c for c in default_scenario.cameras if c.id == view.camera_id)
    infrared = spec.model_copy(update={"infrared": True})
    thermal = infrared.as_sensor(SensorType.THERMAL)
    assert thermal.sensor is SensorType.THERMAL and not thermal.infrared
    assert thermal.model_copy(update={"sensor": spec.sensor}) == spec  # the same pose, size and view
    assert infrared.as_sensor(SensorType.VISIBLE) is infrared
    assert thermal.as_sensor(SensorType.VISIBLE) == spec
    # A warm climate: the thermal scene is the scenario's, not the default zone's.
    warm = default_scenario.zone.climate.model_copy(update={"air_temperature": (30.0,) * 12})
    scenario = default_scenario.model_copy(
        update={"zone": default_scenario.zone.model_copy(update={"climate": warm})}
    )
    conditions = frame_conditions(view, thermal, scenario)
    assert conditions.scene == typical_scene(Light.NIGHT, scenario.zone) != typical_scene(Light.NIGHT)
    assert (conditions.light, conditions.weather, conditions.infrared) == (view.light, view.weather, False)
    visible = frame_conditions(view, infrared, scenario)
    assert visible.scene is None and visible.infrared_active
    # The renderer draws grey frames of that scene.
    renderer = Renderer(analysis_camera(thermal, 160), geometry, seed=1)
    frame = renderer.render(12.0, [], frame_conditions(view, thermal, default_scenario), 0)
    assert frame.sensor is SensorType.THERMAL
    assert (frame.image[..., 0] == frame.image[..., 2]).all() and frame.image.std() > 1.0
    assert noise_sd(renderer, Conditions(Light.NIGHT, Weather.CLEAR)) > 0.5


@pytest.mark.parametrize("light", [Light.DAY, Light.NIGHT])
def test_the_measured_noise_is_the_renderers(default_scenario, geometry, light):
    """The renderer draws normal noise of NOISE_SD and truncates it to whole levels (toward zero), which
    leaves less: 2.15 levels by day instead of 2.5. The frames carry the truncated noise."""
    spec = default_scenario.cameras[0]
    renderer = Renderer(analysis_camera(spec, 160), geometry, seed=3)
    sigma = noise_sd(renderer, Conditions(light))
    truncated = np.trunc(np.random.default_rng(0).normal(0.0, NOISE_SD[light], 1_000_000)).std()
    assert sigma == pytest.approx(truncated, rel=0.03)
    assert sigma < NOISE_SD[light]
