"""Rendering: ground truth matches the pixels drawn, conditions behave, frames are deterministic."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.render.actors import Actor, ActorClass
from sim.render.backdrop import NOISE_ORDER_FRAMES, NOISE_TILES, WAVE_PHASES, noise_order
from sim.render.conditions import Conditions, fog_alpha
from sim.render.renderer import Renderer
from sim.render.sprites import GLINT_DUTY
from sim.scenario.models import Light, Weather
from sim.world.cameras import CameraModel
from sim.world.geometry import ZoneGeometry
from sim.world.visibility import VISIBILITY_M
from tests.helpers.render import ahead

RESOLUTION = (480, 270)


@pytest.fixture(scope="module")
def geometry(default_scenario):
    return ZoneGeometry(default_scenario)


@pytest.fixture(scope="module")
def camera(default_scenario):
    spec = next(c for c in default_scenario.cameras if c.id == "cam-beach-w")
    return CameraModel(spec.model_copy(update={"resolution": RESOLUTION}))


@pytest.fixture(scope="module")
def renderer(camera, geometry):
    return Renderer(camera, geometry, path_offset=12.0, lamps=np.array([[420.0, 300.0]]), seed=0)


def actor(
    camera, cls: ActorClass, distance: float, side: float = 0.0, phase: float = 0.3, speed: float = 0.0
):
    return Actor(
        f"{cls}-1", cls, *ahead(camera, distance, side), 1.0, speed, phase, 3, own=cls is ActorClass.BOAT
    )


ALL_CLASSES = list(ActorClass)


@pytest.mark.parametrize("cls", ALL_CLASSES)
@pytest.mark.parametrize(("distance", "phase"), [(25.0, 0.02), (40.0, 0.3), (90.0, 0.7)])
@pytest.mark.parametrize("light", [Light.DAY, Light.NIGHT])
def test_truth_box_contains_every_pixel_the_actor_changed(renderer, camera, cls, distance, phase, light):
    conditions = Conditions(light)
    if cls is ActorClass.GLINT:  # a glint is drawn only while its facets mirror the sun
        phase *= GLINT_DUTY
    one = actor(camera, cls, distance, phase=phase, speed=1.0)
    with_actor = renderer.render(5.0, [one], conditions, frame_number=2)
    without = renderer.render(5.0, [], conditions, frame_number=2)
    changed = np.argwhere(np.abs(with_actor.image.astype(int) - without.image.astype(int)).max(axis=2) > 0)
    (box,) = with_actor.truth
    assert len(changed) > 0
    rows, cols = changed[:, 0], changed[:, 1]
    assert box.x0 <= cols.min() and cols.max() < box.x1
    assert box.y0 <= rows.min() and rows.max() < box.y1
    assert box.cls is cls and box.visible_fraction == 1.0
    assert box.distance_m == pytest.approx(float(camera.distance([[one.x, one.y]])[0]), abs=0.01)


def test_box_is_tight_for_a_near_swimmer(renderer, camera):
    frame = renderer.render(5.0, [actor(camera, ActorClass.SWIMMER, 30.0)], Conditions(Light.DAY))
    (box,) = frame.truth
    # A swimmer is under a metre across: at 30 m that is a few tens of pixels, not more.
    assert 3 <= box.x1 - box.x0 <= 40 and 3 <= box.y1 - box.y0 <= 40


@pytest.mark.parametrize(
    ("distance", "side"),
    [
        (-20.0, 0.0),  # behind the camera
        (60.0, 400.0),  # far to the side, outside the field of view
        (400.0, 0.0),  # in view but beyond max_range: not analysed, so not labelled
    ],
)
def test_actor_outside_the_footprint_has_no_box(renderer, camera, distance, side):
    frame = renderer.render(5.0, [actor(camera, ActorClass.SWIMMER, distance, side)], Conditions(Light.DAY))
    assert frame.truth == ()


def test_actor_hidden_by_the_island_is_not_drawn(default_scenario, geometry):
    spec = next(c for c in default_scenario.cameras if c.id == "cam-peninsula")
    cam = CameraModel(spec.model_copy(update={"resolution": RESOLUTION}))
    renderer = Renderer(cam, geometry, seed=0)
    island_centre = np.asarray(geometry.islands.centroid.coords[0])
    beyond = island_centre + 60.0 * (island_centre - cam.centre[:2]) / np.linalg.norm(
        island_centre - cam.centre[:2]
    )
    hidden = Actor("h", ActorClass.SWIMMER, *beyond, 0.0, 0.0, 0.3, 1)
    with_actor = renderer.render(1.0, [hidden], Conditions(Light.DAY))
    without = renderer.render(1.0, [], Conditions(Light.DAY))
    assert with_actor.truth == ()
    np.testing.assert_array_equal(with_actor.image, without.image)


def test_same_seed_same_frames_and_different_seed_differs(camera, geometry):
    scene = [actor(camera, ActorClass.SWIMMER, 40.0), actor(camera, ActorClass.BOAT, 70.0, 10.0, speed=2.0)]
    first = Renderer(camera, geometry, seed=4).render(3.0, scene, Conditions(Light.DAY, jpeg_quality=80), 5)
    again = Renderer(camera, geometry, seed=4).render(3.0, scene, Conditions(Light.DAY, jpeg_quality=80), 5)
    other = Renderer(camera, geometry, seed=5).render(3.0, scene, Conditions(Light.DAY, jpeg_quality=80), 5)
    np.testing.assert_array_equal(first.image, again.image)
    assert first.truth == again.truth
    assert not np.array_equal(first.image, other.image)


def test_water_moves(renderer):
    a = renderer.render(0.0, [], Conditions(Light.DAY), 0)
    b = renderer.render(0.5, [], Conditions(Light.DAY), 0)
    assert np.abs(a.image.astype(int) - b.image.astype(int)).mean() > 0.5


def test_crest_highlights_only_in_clear_daylight(renderer):
    """The wave tiles' glints on the steepest crests are daylight's (docs/rendering.md): at dusk the sun's
    mirror image is the glint actors' alone, so the tiles are the waves' shading, a few levels at half
    the light. Measured, brightest wave level: 105 in clear daylight, 14 at dusk, 28 in daylight haze."""

    def brightest(conditions):
        return max(int(tile.max()) for tile in renderer.look(conditions).wave_up)

    day, dusk = brightest(Conditions(Light.DAY)), brightest(Conditions(Light.DUSK))
    assert day > 60 and dusk <= 20
    assert brightest(Conditions(Light.DAY, Weather.HAZE)) <= 40  # no sun to mirror in haze either


def test_wave_tiles_made_on_demand_are_the_same_in_any_order(camera, geometry):
    """A look makes each instant's wave tiles when a frame first asks (sim.render.backdrop.WaveLoop): the
    same tiles whichever instant comes first, one per instant of the loop."""
    looks = [Renderer(camera, geometry, seed=4).look(Conditions(Light.DAY)) for _ in range(2)]
    backwards = [looks[0].wave_down[k] for k in reversed(range(WAVE_PHASES))][::-1]
    assert len(looks[1].wave_down) == WAVE_PHASES
    assert all(np.array_equal(a, b) for a, b in zip(backwards, looks[1].wave_down, strict=True))
    with pytest.raises(IndexError):
        looks[1].wave_up[WAVE_PHASES]


def test_night_is_darker_than_dusk_and_dusk_than_day(renderer):
    means = [
        renderer.render(1.0, [], Conditions(light), 0).image.mean()
        for light in (Light.DAY, Light.DUSK, Light.NIGHT)
    ]
    assert means[0] > means[1] > means[2]
    assert means[2] < 0.35 * means[0]


def test_infrared_night_frames_are_grey(renderer):
    image = renderer.render(1.0, [], Conditions(Light.NIGHT, infrared=True), 0).image.astype(int)
    assert np.abs(image[..., 0] - image[..., 2]).max() <= 1  # equal channels, up to noise rounding


def test_fog_lowers_contrast_with_distance(renderer, camera):
    """An actor's contrast against the water, fog relative to clear air, falls as exp(−3.912 d / visibility)
    (Koschmieder's law: 2 % left at the visibility)."""

    def contrast(weather: Weather, distance: float) -> float:
        boat = [actor(camera, ActorClass.BOAT, distance)]
        conditions = Conditions(Light.DAY, weather)
        with_actor = renderer.render(1.0, boat, conditions, 0).image.astype(float)
        without = renderer.render(1.0, [], conditions, 0).image.astype(float)
        return float(np.abs(with_actor - without).sum())

    near, far = 30.0, 120.0
    ratio_near = contrast(Weather.FOG, near) / contrast(Weather.CLEAR, near)
    ratio_far = contrast(Weather.FOG, far) / contrast(Weather.CLEAR, far)
    assert ratio_far < 0.7 * ratio_near < 0.7
    slant = float(camera.distance([ahead(camera, far)])[0]) - float(camera.distance([ahead(camera, near)])[0])
    koschmieder = math.exp(-3.912 * slant / VISIBILITY_M[Weather.FOG])
    assert ratio_far / ratio_near == pytest.approx(koschmieder, rel=0.15)
    # And distant ground moves towards the fog colour.
    fog = renderer.render(1.0, [], Conditions(Light.DAY, Weather.FOG), 0).image.astype(float)
    colour = renderer.look(Conditions(Light.DAY, Weather.FOG)).fog_colour
    distance = renderer.ground.distance
    near_band, far_band = (distance > 15) & (distance < 40), (distance > 120) & (distance < 250)
    assert np.abs(fog[far_band] - colour).mean() < np.abs(fog[near_band] - colour).mean()


def test_rain_adds_streaks(renderer):
    dry = renderer.render(1.0, [], Conditions(Light.DAY, Weather.CLEAR), 0).image.astype(int)
    wet = renderer.render(1.0, [], Conditions(Light.DAY, Weather.RAIN), 0).image.astype(int)
    assert (wet - dry).max() > 30  # bright streaks somewhere


def test_jpeg_size_is_reported_and_grows_with_quality(renderer, camera):
    scene = [actor(camera, ActorClass.SWIMMER, 40.0)]
    low = renderer.render(1.0, scene, Conditions(Light.DAY, jpeg_quality=30), 0)
    high = renderer.render(1.0, scene, Conditions(Light.DAY, jpeg_quality=95), 0)
    raw = renderer.render(1.0, scene, Conditions(Light.DAY), 0)
    assert raw.encoded_bytes is None
    assert 0 < low.encoded_bytes < high.encoded_bytes
    assert low.image.shape == raw.image.shape == (RESOLUTION[1], RESOLUTION[0], 3)


def test_box_is_clipped_at_the_image_border(renderer, camera):
    # Move a boat sideways until it straddles the right edge of the image.
    for side in np.arange(0.0, 80.0, 0.5):
        frame = renderer.render(1.0, [actor(camera, ActorClass.BOAT, 40.0, side)], Conditions(Light.DAY))
        if frame.truth and frame.truth[0].visible_fraction < 1.0:
            box = frame.truth[0]
            assert box.x1 == RESOLUTION[0]
            assert 0.0 < box.visible_fraction < 1.0
            return
    pytest.fail("the boat never straddled the image border")


def test_a_point_grazing_the_camera_plane_is_not_drawn_and_does_not_overflow(default_scenario):
    """Just in front of the lens and off-axis, a point projects millions of pixels away: skipped quietly."""
    import warnings

    from sim.render.sprites import Painter
    from sim.render.surfaces import Surface

    camera = CameraModel(default_scenario.cameras[0])
    right = camera.rotation[0]  # the camera's x axis in world coordinates
    point = camera.centre + 1e-9 * camera.rotation[2] + 1.0 * right
    painter = Painter(np.zeros((camera.spec.resolution[1], camera.spec.resolution[0], 3), np.uint8), camera)
    painter.begin(Actor("a", ActorClass.DEBRIS, point[0], point[1], 0.0, 0.0, 0.0, 0), lambda c, surface: c)
    painter.disc((0.0, 0.0, point[2]), 0.1, (255, 255, 255), Surface.DEBRIS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert painter.finish() is None
    assert not painter.image.any()


def test_sensor_noise_tiles_come_in_an_order_without_repeats_or_a_cycle():
    """No tile twice in a row (wrapping round included), all tiles used, and no lag at which frames share
    their noise more than chance does (1/7): a fixed cycle of the 7 tiles shared it at lag 7, a beat of
    15/7 = 2.14 Hz at 15 frames/s, inside the stroke cue's band."""
    order = noise_order(0)
    assert len(order) == NOISE_ORDER_FRAMES and set(order.tolist()) == set(range(NOISE_TILES))
    assert (order != np.roll(order, 1)).all()
    shared = [float(np.mean(order == np.roll(order, lag))) for lag in range(2, 151)]
    assert max(shared) < 0.25
    assert (noise_order(0) == order).all() and (noise_order(1) != order).any()  # per seed, repeatable


@pytest.mark.parametrize("light", [Light.DUSK, Light.NIGHT])
def test_a_frame_adds_the_noise_tile_its_number_draws(renderer, light):
    conditions = Conditions(light)
    order = renderer.look(conditions).noise_order
    same = next(m for m in range(2, len(order)) if order[m] == order[1])
    other = next(m for m in range(2, len(order)) if order[m] != order[1])
    first, twin, different = (renderer.render(3.0, [], conditions, k).image for k in (1, same, other))
    np.testing.assert_array_equal(first, twin)  # the same instant and tile: the same frame
    assert (first != different).any()


def test_a_smear_that_cannot_reach_the_image_makes_no_kernel():
    """An actor beside or behind a camera's pole projects far outside the image, and where its ground point
    crosses the camera's plane during the exposure its blur path runs to hundreds of thousands of pixels (a
    2026-12-06 pixel run: a walker passing behind cam-peninsula at dusk, its far-bank tile asking numpy for
    28 GiB for the kernel). The box lies farther from the image than the path is long: nothing to blur, and
    no kernel is made (a 10⁶-px kernel would be 4 TB)."""
    image = np.full((270, 480, 3), 90, np.uint8)
    path = np.array([[-200.0, -3.1e6], [-201.0, -2.1e6]])  # 10⁶ px long
    box = (-260.0, -3.2e6, -150.0, -3.1e6)
    Renderer._motion_blur(image, path, box)
    assert (image == 90).all()


def test_an_actor_passing_under_the_pole_is_not_smeared_along_a_path_behind_the_lens(renderer, camera):
    """The lens's plane meets the ground 3.2 m behind cam-beach-w's pole (12 m up, pitched 15° down). At
    night (exposure 1/15 s) a boat 3 m behind the pole going straight back at 30 m/s starts its exposure in
    front of that plane and ends it 2 m further, behind the lens, where the ground homography maps its end
    to the other side of the image: a path of 23,000 px (a 2026-12-07 pixel run of cam-river asked numpy
    for a 5.5-TiB kernel on such a path). A path with an end behind the lens is no blur; the same boat
    going away 20 m in front of the pole still blurs, and the frame with the first renders."""
    conditions = Conditions(Light.NIGHT)
    back = math.radians(camera.spec.yaw) + math.pi
    start = ahead(camera, -3.0)
    end = (start[0] + 2.0 * math.sin(back), start[1] + 2.0 * math.cos(back))
    assert list(camera.in_front(np.array([start, end]))) == [True, False]
    before = camera.ground_to_image(np.array([start, end]))
    assert np.hypot(*(before[1] - before[0])) > 2e4  # the path the blur took before
    under = Actor("boat-1", ActorClass.BOAT, *start, back, 30.0, 0.3, 3, own=True)
    away = Actor("boat-2", ActorClass.BOAT, *ahead(camera, 20.0), back + math.pi, 30.0, 0.3, 3, own=True)
    paths = renderer._blur_paths([under, away], conditions)
    assert paths[0] is None and paths[1] is not None
    renderer.render(5.0, [under], conditions, frame_number=2)
    # Both ends just in front of the lens's plane: a path longer than the image's diagonal, not drawn.
    near_plane = ahead(camera, -3.15)
    forward = Actor("boat-3", ActorClass.BOAT, *near_plane, back + math.pi, 30.0, 0.3, 3, own=True)
    [path] = renderer._blur_paths([forward], conditions)
    assert path is not None and np.hypot(*(path[1] - path[0])) > math.hypot(*RESOLUTION)
    empty = renderer.render(5.0, [], conditions, frame_number=2).image
    np.testing.assert_array_equal(renderer.render(5.0, [forward], conditions, frame_number=2).image, empty)


def test_a_clip_refuses_a_renderer_of_another_camera(default_scenario):
    """Clips of one camera may share its renderer (sim.replay.frames does); another camera's would draw the
    wrong view."""
    from sim.engine import Simulation
    from sim.render.clips import Clip

    scenario = default_scenario.model_copy(
        update={"run": default_scenario.run.model_copy(update={"duration": 60.0})}
    )
    first = Clip(Simulation(scenario), scenario.cameras[0].id, 1.0, start=0.0)
    again = Clip(Simulation(scenario), scenario.cameras[0].id, 1.0, start=0.0, renderer=first.renderer)
    assert again.renderer is first.renderer
    with pytest.raises(ValueError, match="its own camera"):
        Clip(Simulation(scenario), scenario.cameras[1].id, 1.0, start=0.0, renderer=first.renderer)


@pytest.mark.parametrize("weather", [Weather.HAZE, Weather.FOG, Weather.RAIN])
def test_at_the_visibility_two_percent_of_the_contrast_is_left(weather):
    """Koschmieder's law, the definition of the meteorological visibility: at that distance a dark object
    keeps 2 % of its contrast, so the fog colour's share is 0.98."""
    conditions = Conditions(Light.DAY, weather)
    assert float(fog_alpha(VISIBILITY_M[weather], conditions)) == pytest.approx(0.98, abs=1e-4)


def test_clear_air_blends_as_it_always_did():
    """Clear frames stay byte for byte: 1 − exp(−d / 20 km), computed the same way."""
    distance = np.array([0.0, 35.5, 120.25, 340.0, 4000.0])
    expected = 1.0 - np.exp(-distance / 20_000.0)
    assert np.array_equal(fog_alpha(distance, Conditions(Light.DAY, Weather.CLEAR)), expected)
