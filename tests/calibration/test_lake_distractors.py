"""The lake's distractors in tune's clips: each appears, is never an offender, and a clip is repeatable."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

import sim.calibration.clip_observation as clip_observation
from detectors.base import Detections
from sim.calibration.clip_observation import observe
from sim.calibration.clip_scenes import cases_for, clip_things
from sim.calibration.lake_distractors import clip_sun
from sim.core.rng import RandomStreams
from sim.loading import load_scenario
from sim.pixel.pixel_camera import DETECTED_CLASS, OFFENDER_CLASS, analysis_view
from sim.render.actors import ActorClass, MovingThing, lamp_positions
from sim.render.conditions import Conditions
from sim.render.renderer import Renderer
from sim.scenario.models import Kind, Light, Weather
from sim.world.geometry import ZoneGeometry
from sim.world.incidents import Track
from tests.helpers.paths import DEFAULT

SECONDS = 60.0
SMALL = ["detection.analysis_width=160"]
"""Frames a sixteenth of the default's pixels: the same things and truth, drawn faster."""


@pytest.fixture(scope="module")
def small_scenario():
    return load_scenario(DEFAULT, SMALL)


LAKE = {ActorClass.WADER, ActorClass.REEDS, ActorClass.GLINT, ActorClass.BIRD, ActorClass.BOAT}


def clip(scenario, kind: Kind, light: Light, index: int, weather=Weather.CLEAR, seconds=SECONDS):
    """Case ``index`` of the tune grid (seed 0): its renderer, things and conditions, as tune builds them."""
    geometry = ZoneGeometry(scenario)
    case = cases_for(scenario, kind, index + 1, 0, (light,), (weather,))[index]
    spec = next(c for c in scenario.cameras if c.id == case.camera_id)
    renderer, _, _ = analysis_view(spec, scenario, geometry, None, case.seed)
    rng = RandomStreams(case.seed).stream(f"tune/{kind}/{case.camera_id}/{case.light}/{case.weather}")
    things = clip_things(scenario, geometry, kind, renderer.camera, seconds, rng, case.seed, light, weather)
    return renderer, things, Conditions(light, weather, scenario.run.wind_speed, spec.infrared)


def classes_seen(renderer, things, conditions, step: float = 2.0) -> dict[ActorClass, set[str]]:
    seen: dict[ActorClass, set[str]] = {}
    for t in np.arange(0.0, SECONDS, step):
        actors = [a for thing in things if (a := thing.at(float(t))) is not None]
        for box in renderer.render(float(t), actors, conditions).truth:
            seen.setdefault(box.cls, set()).add(box.actor_id)
    return seen


def test_every_distractor_appears_in_the_day_clips_and_none_is_an_offender(small_scenario):
    seen: dict[ActorClass, set[str]] = {}
    for index in range(3):  # cam-beach-w, cam-beach-e (facing the seed's sun: glints), cam-dam
        for cls, ids in classes_seen(*clip(small_scenario, Kind.SWIMMING, Light.DAY, index)).items():
            seen.setdefault(cls, set()).update(ids)
    assert set(seen) >= LAKE
    assert {"leisure-pedal", "leisure-motor", "usv-passing"} <= seen[ActorClass.BOAT]
    assert {"flyer-landing", "flyer-leaving"} <= seen[ActorClass.BIRD]
    offenders = set(OFFENDER_CLASS.values())
    for cls, ids in seen.items():  # offenders are only ever the clip's two offenders
        assert (cls in offenders) == all(i.startswith("offender-") for i in ids)


def test_a_landing_bird_flies_in_floats_and_takes_off(small_scenario):
    _, things, _ = clip(small_scenario, Kind.SWIMMING, Light.DAY, 0)
    bird = next(t for t in things if t.id == "flyer-landing")
    heights = [a.z for t in np.arange(bird.t_start, bird.t_end, 0.25) if (a := bird.at(float(t)))]
    landed = heights.index(0.0)
    assert heights[0] > 3.0 and all(np.diff(heights[: landed + 1]) < 0)  # gliding down to the water
    assert 0.0 in heights and heights[-1] >= heights[landed]


@pytest.mark.parametrize("light", [Light.DAY, Light.DUSK, Light.NIGHT])
def test_glints_need_the_sun_above_the_horizon(small_scenario, light):
    rng = RandomStreams(4).stream("test/sun")
    suns = [clip_sun(small_scenario, light, rng) for _ in range(20)]
    elevations = np.array([e for _, e in suns])
    low, high = {Light.DAY: (6.0, 90.0), Light.DUSK: (-6.0, 6.0), Light.NIGHT: (-90.0, -6.0)}[light]
    assert ((elevations >= low - 1e-9) & (elevations < high)).all()
    if light is Light.NIGHT:
        for index in range(2):
            _, things, _ = clip(small_scenario, Kind.SWIMMING, light, index)
            assert not any(t.cls is ActorClass.GLINT for t in things)


def test_fishing_clips_get_reeds_and_boats_near_the_bank(small_scenario):
    _, things, _ = clip(small_scenario, Kind.FISHING, Light.DUSK, 0)
    ids = {t.id for t in things}
    assert {"reeds-0", "leisure-pedal", "usv-passing", "flyer-landing"} <= ids
    assert sum(t.cls is ActorClass.FISHER for t in things) == 2


def test_the_same_seed_renders_the_same_frame_and_another_seed_another(small_scenario):
    def frame(seed_index: int):
        renderer, things, conditions = clip(small_scenario, Kind.SWIMMING, Light.DAY, seed_index)
        actors = [a for thing in things if (a := thing.at(30.0)) is not None]
        return renderer.render(30.0, actors, conditions, 450)

    first, again = frame(1), frame(1)
    np.testing.assert_array_equal(first.image, again.image)
    assert first.truth == again.truth
    other = frame(2)
    assert first.truth != other.truth


def test_clips_draw_the_street_lamps_pixel_mode_draws(small_scenario):
    """Tune's clips are rendered with the shore path's street lamps, as pixel mode's cameras are
    (sim.pixel.camera_group): lit at night, a frame differs from one without them."""
    geometry = ZoneGeometry(small_scenario)
    lamps = lamp_positions(small_scenario, geometry)
    case = cases_for(small_scenario, Kind.FISHING, 1, 0, (Light.NIGHT,), (Weather.CLEAR,))[0]
    thresholds = np.array([0.5])
    rig = clip_observation._clip_rig(small_scenario, geometry, lamps, Kind.FISHING, case, SECONDS, thresholds)
    assert len(lamps) > 10
    np.testing.assert_array_equal(rig.renderer.lamps, lamps)
    path_offset = small_scenario.render.path_offset
    dark = Renderer(rig.renderer.camera, geometry, path_offset, None, seed=case.seed)
    lit_image = rig.renderer.render(30.0, [], rig.conditions).image
    assert (lit_image != dark.render(30.0, [], rig.conditions).image).any()


class OnThing:
    """A detector that reports, in every frame, a box on the ground point of one thing of the clip: an alarm
    the scoring must count as false and lay on that thing, never on an offender."""

    def __init__(self, clips: list, kind: Kind, thing_id: str):
        self.clips, self.kind, self.thing_id = clips, kind, thing_id

    def update(self, image, t, context) -> Detections:
        camera, things = self.clips[-1]
        actor = next(thing for thing in things if thing.id == self.thing_id).at(t)
        base = camera.ground_to_image(np.array([[actor.x, actor.y]]))[0]
        box = [base[0] - 2.0, base[1] - 6.0, base[0] + 2.0, base[1]]
        return Detections(
            np.array([box]), np.array([0.99]), np.array([DETECTED_CLASS[self.kind]]), np.array([7])
        )


def far_swimmer(camera) -> MovingThing:
    """A swimmer in the image beyond the camera's analysed range (drawn, but without a truth box)."""
    width, height = camera.size
    rows = np.linspace(camera.horizon_row + 1.0, height - 1.0, 200)
    ground = camera.image_to_ground(np.column_stack([np.full(200, 0.3 * width), rows]))
    reach = np.hypot(ground[:, 0] - camera.centre[0], ground[:, 1] - camera.centre[1])
    x, y = ground[np.flatnonzero(reach > 1.2 * camera.spec.max_range)[-1]]  # just beyond it
    track = Track(np.array([0.0, 20.0]), np.array([[x, y], [x, y]]))
    return MovingThing("far-swimmer", ActorClass.SWIMMER, track, 0.0, 20.0, 1.4)


def edge_swimmer(camera, others: list[MovingThing]) -> MovingThing:
    """A swimmer 2 cm inside ``max_range`` yet outside the analysed footprint, whose circle is a polygon of
    chords (up to 7.5 cm inside the circle at 250 m): drawn without a truth box, like ``far_swimmer``; in
    the image column farthest from ``others`` over the clip (so the alarm lies on it alone)."""
    x0, y0 = camera.centre[:2]
    bearings = np.radians(camera.spec.yaw + np.linspace(-30.0, 30.0, 6001))
    radius = camera.spec.max_range - 0.02
    ring = np.column_stack([x0 + radius * np.sin(bearings), y0 + radius * np.cos(bearings)])
    u, v = camera.ground_to_image(ring).T
    width, height = camera.size
    in_image = (u > 10) & (u < width - 10) & (v > camera.horizon_row + 5) & (v < height)
    edge = np.flatnonzero(in_image & ~shapely.contains_xy(camera.footprint, ring[:, 0], ring[:, 1]))
    seen = [a for thing in others for t in np.arange(0.0, 20.0, 0.5) if (a := thing.at(t)) is not None]
    columns = camera.ground_to_image(np.array([(a.x, a.y) for a in seen]))[:, 0]
    clearance = np.abs(u[edge][:, None] - columns[None, :]).min(axis=1)
    x, y = ring[edge[np.argmax(clearance)]]
    track = Track(np.array([0.0, 20.0]), np.array([[x, y], [x, y]]))
    return MovingThing("edge-swimmer", ActorClass.SWIMMER, track, 0.0, 20.0, 1.4)


def near_glint(camera) -> MovingThing:
    """A glint halfway to the camera's range, 20° left of its axis, bright 30 % of its 1-s period and dark
    when the alarm comes (t 5.4 s, phase 0.80): the alarm lies on no truth box, and is laid on the glint all
    the same."""
    x0, y0 = camera.spec.position
    heading = np.radians(camera.spec.yaw - 20.0)  # clear of the clip's other things
    xy = np.array([x0, y0]) + 0.5 * camera.spec.max_range * np.array([np.sin(heading), np.cos(heading)])
    track = Track(np.array([0.0, 20.0]), np.array([xy, xy]))
    return MovingThing("near-glint", ActorClass.GLINT, track, 0.0, 20.0, 1.0, facing=float(heading))


@pytest.mark.parametrize(
    ("target", "cause"),
    [("reeds-0", "reeds"), ("near-glint", "glint"), ("far-swimmer", None), ("edge-swimmer", None)],
)
def test_where_an_alarm_off_the_offenders_is_counted(monkeypatch, target, cause):
    """Alarms on distractors are false and laid on them; one on a swimmer beyond the analysed range (a real
    offender without a truth box) is not scored: neither false nor a hit, also a hair inside ``max_range``
    where the renderer's footprint polygon gives it no truth box."""
    scenario = load_scenario(DEFAULT, [*SMALL, "cameras.0.fps=5"])
    case = cases_for(scenario, Kind.SWIMMING, 1, 0, (Light.DAY,), (Weather.CLEAR,))[0]
    assert case.camera_id == scenario.cameras[0].id
    clips: list = []
    real_clip_things = clip_observation.clip_things

    def recording(scenario, geometry, kind, camera, *args):
        things = [*real_clip_things(scenario, geometry, kind, camera, *args), far_swimmer(camera)]
        things.append(edge_swimmer(camera, things))
        things.append(near_glint(camera))
        clips.append((camera, things))
        return things

    monkeypatch.setattr(clip_observation, "clip_things", recording)
    monkeypatch.setattr(
        clip_observation, "create_pixel_detector", lambda kind, *_: OnThing(clips, kind, target)
    )
    seen = observe(scenario, Kind.SWIMMING, [case], 12.0, np.array([0.5]), progress=False)
    if cause is None:
        assert seen.false_alarms[0.5] == 0, seen.false_alarm_causes
        assert seen.false_alarm_causes == {}
        assert seen.not_scored == {("day", "clear", 0.5): 1}  # one track, one alarm
    else:
        assert seen.false_alarms[0.5] == 1  # one track, one alarm
        assert seen.false_alarm_causes == {("day", "clear", 0.5, cause): 1}
        assert seen.not_scored == {}
    assert seen.alarmed[0.5] == {}  # no offender credited
    assert {group.split("/")[1] for group, *_ in seen.offender_rows} <= {"offender-0-0", "offender-0-1"}
