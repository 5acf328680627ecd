"""Thermal cameras: radiometry against hand-computed values, temperatures by season and hour, thermal frames
(a person warmer than the water at night, the visible frame's truth boxes, determinism, grey levels)."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pytest

from sim.render import radiometry
from sim.render.actors import Actor, ActorClass
from sim.render.conditions import Conditions, ThermalScene
from sim.render.renderer import Renderer
from sim.render.surfaces import Surface
from sim.render.thermal_scene import air_temperature_k, conditions_at, typical_scene, water_temperature_k
from sim.scenario.models import Climate, Light, SensorType, Weather
from sim.world.cameras import CameraModel
from sim.world.daylight import Daylight
from sim.world.geometry import ZoneGeometry
from tests.helpers.render import ahead

RESOLUTION = (480, 270)
SMALL = (256, 144)
"""Tests that build several renderers use small frames: a renderer's ground map costs most of its time."""

# ---------------------------------------------------------------- radiometry


def planck_band_by_hand(temperature_k: float, samples: int = 200_001) -> float:
    """∫ 2hc²/λ⁵ / (exp(hc/λkT) − 1) dλ over 8-14 µm by the trapezoid rule, W m⁻² sr⁻¹: Planck's law written
    out, independent of the module's series."""
    h, c, k = 6.62607015e-34, 299_792_458.0, 1.380649e-23
    wavelength = np.linspace(8e-6, 14e-6, samples)
    spectral = 2 * h * c**2 / wavelength**5 / np.expm1(h * c / (wavelength * k * temperature_k))
    return float(np.sum((spectral[1:] + spectral[:-1]) / 2 * np.diff(wavelength)))


@pytest.mark.parametrize(
    ("temperature_k", "expected"),
    [
        (273.15, 35.152),  # 0 °C
        (300.0, 54.933),  # 26.85 °C: about 37.6 % of σT⁴/π = 146.2 W m⁻² sr⁻¹ lies in 8-14 µm
    ],
)
def test_band_radiance_matches_planck_integrated_by_hand(temperature_k, expected):
    assert planck_band_by_hand(temperature_k) == pytest.approx(expected, abs=1e-3)
    assert float(radiometry.band_radiance_exact(temperature_k)) == pytest.approx(expected, abs=1e-3)
    assert float(radiometry.band_radiance(temperature_k)) == pytest.approx(expected, abs=2e-3)
    # the band holds a share of the whole blackbody radiance σT⁴/π, as it should
    sigma = 5.670374419e-8
    assert 0.3 < expected / (sigma * temperature_k**4 / math.pi) < 0.4


def test_apparent_temperature_inverts_band_radiance():
    temperatures = np.array([250.0, 288.15, 306.65, 330.0])
    np.testing.assert_allclose(
        radiometry.apparent_temperature(radiometry.band_radiance(temperatures)), temperatures, atol=2e-3
    )


def test_water_emissivity_follows_fresnel():
    n, k = 1.218, 0.0508  # Hale & Querry 1973 at 10 µm
    normal = 1 - ((n - 1) ** 2 + k**2) / ((n + 1) ** 2 + k**2)  # 0.98982
    assert float(radiometry.water_emissivity(0.0)) == pytest.approx(normal, abs=1e-9)
    grazing = radiometry.water_emissivity(np.radians([0.0, 60.0, 75.0, 85.0, 90.0]))
    assert np.all(np.diff(grazing) < 0) and grazing[-1] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("weather", "distance_m", "expected"),
    [
        (Weather.CLEAR, 1000.0, math.exp(-0.2)),  # 0.8187: humid clear air, 0.2 per km
        # Kruse: q = 0.585 · 0.16^(1/3) = 0.3176; 3.912 / 0.16 km · (10 / 0.55)^-0.3176 = 9.733 per km, + 0.2
        (Weather.FOG, 100.0, math.exp(-0.9933)),  # 0.3703
        # rain 5 mm/h: 1.076 · 5^0.67 = 3.163 dB/km = 0.7284 per km, + 0.2
        (Weather.RAIN, 1000.0, math.exp(-0.9284)),  # 0.3952
    ],
)
def test_transmission_over_distance(weather, distance_m, expected):
    assert float(radiometry.transmittance(distance_m, weather)) == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("weather", [Weather.HAZE, Weather.FOG, Weather.RAIN])
def test_haze_fog_and_rain_attenuate_long_wave_infrared_less_than_visible_light(weather):
    from sim.world.visibility import VISIBILITY_M

    visible = math.exp(-3.912 / VISIBILITY_M[weather] * 100.0)  # Koschmieder, over 100 m
    assert float(radiometry.transmittance(100.0, weather)) > visible


def test_sky_is_coldest_overhead_and_as_warm_as_the_air_at_the_horizon():
    air = 296.0
    elevations = np.radians([90.0, 30.0, 5.0, 0.5])
    sky = radiometry.apparent_temperature(radiometry.sky_radiance(elevations, air, Weather.CLEAR))
    assert np.all(np.diff(sky) > 0) and sky[0] < air - 30 and sky[-1] == pytest.approx(air, abs=0.1)
    overcast = radiometry.apparent_temperature(radiometry.sky_radiance(elevations, air, Weather.FOG))
    np.testing.assert_allclose(overcast, air, atol=0.01)


# ---------------------------------------------------------------- temperatures by season and hour


def test_air_is_warmer_by_afternoon_than_before_dawn_and_in_july_than_in_january():
    climate = Climate()
    july_night, july_day = datetime(2026, 7, 18, 3), datetime(2026, 7, 18, 15)
    assert air_temperature_k(climate, july_day) - air_temperature_k(climate, july_night) == pytest.approx(
        climate.air_daily_range * (1 - math.cos(2 * math.pi * 12 / 24)) / 2, abs=0.2
    )
    assert water_temperature_k(climate, datetime(2026, 7, 18, 3)) > water_temperature_k(
        climate, datetime(2026, 1, 18, 3)
    )
    # the lake never drops below its minimum, whatever the air does
    frozen = Climate(air_temperature=(-30.0,) * 12)
    assert water_temperature_k(frozen, datetime(2026, 1, 18, 3)) >= frozen.water_minimum + 273.15 - 0.5


def test_a_summer_night_lake_is_warmer_than_the_air():
    scene = typical_scene(Light.NIGHT)
    assert scene.water_k > scene.air_k and scene.sun_elevation_deg == 0.0  # below the horizon


def test_conditions_of_a_thermal_camera_follow_the_clock(default_scenario):
    spec = default_scenario.cameras[0].model_copy(update={"sensor": SensorType.THERMAL})
    zone = default_scenario.zone
    daylight = Daylight(datetime(2026, 7, 18, 12), zone.latitude_deg, zone.longitude_deg, zone.utc_offset_h)
    noon, midnight = (conditions_at(default_scenario, spec, daylight, hours * 3600.0) for hours in (3, 14))
    assert noon.scene is not None and midnight.scene is not None
    assert (
        noon.scene.air_k > midnight.scene.air_k and noon.light is Light.DAY and midnight.light is Light.NIGHT
    )
    visible = conditions_at(default_scenario, default_scenario.cameras[0], daylight, 3 * 3600.0)
    assert visible.scene is None


# ---------------------------------------------------------------- thermal frames


@pytest.fixture(scope="module")
def geometry(default_scenario):
    return ZoneGeometry(default_scenario)


def camera_of(default_scenario, sensor: SensorType, resolution: tuple[int, int] = RESOLUTION) -> CameraModel:
    spec = next(c for c in default_scenario.cameras if c.id == "cam-beach-w")
    return CameraModel(spec.model_copy(update={"resolution": resolution, "sensor": sensor}))


@pytest.fixture(scope="module")
def thermal(default_scenario, geometry):
    lamps = np.array([[420.0, 300.0]])
    return Renderer(camera_of(default_scenario, SensorType.THERMAL), geometry, 12.0, lamps, seed=0)


def scene(camera: CameraModel) -> list[Actor]:
    """A swimmer, a duck and the project's boat under way on the water, an angler on the bank."""
    return [
        Actor("swimmer", ActorClass.SWIMMER, *ahead(camera, 60.0, -4.0), 1.0, 0.4, 0.22, 2),
        Actor("duck", ActorClass.BIRD, *ahead(camera, 55.0, 6.0), 2.0, 0.1, 0.4, 1),
        Actor("usv", ActorClass.BOAT, *ahead(camera, 90.0, 10.0), 1.0, 2.5, 0.2, 0, True),
        Actor("angler", ActorClass.FISHER, *ahead(camera, 38.0, -10.0), 0.0, 0.0, 0.5, 4),
    ]


def test_thermal_frames_are_grey_and_carry_their_sensor(thermal):
    frame = thermal.render(1.0, scene(thermal.camera), Conditions(Light.NIGHT), 0)
    image = frame.image
    assert (
        frame.sensor is SensorType.THERMAL
        and image.dtype == np.uint8
        and image.shape == (*RESOLUTION[::-1], 3)
    )
    np.testing.assert_array_equal(image[..., 0], image[..., 1])
    np.testing.assert_array_equal(image[..., 0], image[..., 2])


def test_a_swimmer_at_night_is_brighter_than_the_water_around(thermal):
    swimmer = scene(thermal.camera)[0]
    conditions = Conditions(Light.NIGHT)
    frame = thermal.render(1.0, [swimmer], conditions, 0)
    empty = thermal.render(1.0, [], conditions, 0).image[..., 0].astype(int)
    (box,) = frame.truth
    person = frame.image[box.y0 : box.y1, box.x0 : box.x1, 0].astype(int)
    pad = 12  # water around the box
    around = empty[max(0, box.y0 - pad) : box.y1 + pad, max(0, box.x0 - pad) : box.x1 + pad]
    # The warmest tenth of the swimmer's pixels stand well above the warmest water nearby.
    assert np.percentile(person, 95) > np.percentile(around, 99) + 20


def test_apparent_temperature_of_wet_skin_lies_above_the_water_at_night(thermal):
    shading = thermal.look(Conditions(Light.NIGHT)).thermal
    skin = float(radiometry.apparent_temperature(shading.leaving(Surface.WET_SKIN)))
    assert skin > shading.scene.water_k + 1.5


@pytest.mark.parametrize("light", [Light.DAY, Light.NIGHT])
def test_truth_boxes_are_the_visible_frame_boxes(default_scenario, geometry, thermal, light):
    visible = Renderer(camera_of(default_scenario, SensorType.VISIBLE), geometry, 12.0, thermal.lamps, seed=0)
    actors = scene(thermal.camera)
    seen = visible.render(2.0, actors, Conditions(light), 3)
    warm = thermal.render(2.0, actors, Conditions(light), 3)
    assert len(warm.truth) == len(actors)
    assert warm.truth == seen.truth


@pytest.mark.parametrize("cls", list(ActorClass))
def test_truth_box_contains_every_pixel_a_thermal_actor_changed(thermal, cls):
    phase = 0.1 if cls is ActorClass.GLINT else 0.3  # a glint is drawn only while it mirrors the sun
    one = Actor(f"{cls}-1", cls, *ahead(thermal.camera, 45.0), 1.0, 2.0, phase, 3, own=cls is ActorClass.BOAT)
    conditions = Conditions(Light.NIGHT)
    with_actor = thermal.render(5.0, [one], conditions, 2)
    without = thermal.render(5.0, [], conditions, 2)
    changed = np.argwhere(np.abs(with_actor.image.astype(int) - without.image.astype(int)).max(axis=2) > 0)
    (box,) = with_actor.truth
    assert len(changed) > 0
    assert box.x0 <= changed[:, 1].min() and changed[:, 1].max() < box.x1
    assert box.y0 <= changed[:, 0].min() and changed[:, 0].max() < box.y1


def test_same_seed_same_thermal_frame_and_another_seed_differs(default_scenario, geometry):
    camera = camera_of(default_scenario, SensorType.THERMAL, SMALL)
    night = Conditions(Light.NIGHT, scene=ThermalScene(296.0, 301.5, -30.0))
    first, again, other = (
        Renderer(camera, geometry, seed=s).render(3.0, scene(camera), night, 5) for s in (4, 4, 5)
    )
    np.testing.assert_array_equal(first.image, again.image)
    assert first.truth == again.truth
    assert not np.array_equal(first.image, other.image)


def test_thermal_noise_grows_with_netd(default_scenario, geometry):
    camera = camera_of(default_scenario, SensorType.THERMAL, SMALL)
    noisy = camera.spec.model_copy(update={"thermal": camera.spec.thermal.model_copy(update={"netd": 400.0})})
    night = Conditions(Light.NIGHT)

    def flicker(model: CameraModel) -> float:
        renderer = Renderer(model, geometry, seed=0)
        a, b = (renderer.render(0.0, [], night, n).image[..., 0].astype(int) for n in (0, 1))
        return float(np.std(a - b))

    assert flicker(CameraModel(noisy)) > 3 * flicker(camera)


def test_fog_pulls_far_water_towards_the_air_temperature(thermal):
    clear, fog = (thermal.look(Conditions(Light.NIGHT, weather)) for weather in (Weather.CLEAR, Weather.FOG))
    ground = thermal.ground
    far = ground.distance > 150.0
    near = (ground.distance < 60.0) & ~ground.sky
    # with the lake warmer than the air, far water darkens relative to near water in fog
    contrast = [
        float(look.background[near, 0].mean()) - float(look.background[far, 0].mean())
        for look in (clear, fog)
    ]
    assert contrast[1] > contrast[0]


def test_a_tile_of_a_thermal_image_has_the_whole_image_grey_levels(default_scenario, geometry):
    """A far-bank tile is a crop of the camera's frame: the core's gain is set over the whole frame, not
    over the crop (sim.pixel.far_bank_tile renders tiles with a windowed camera)."""
    camera = camera_of(default_scenario, SensorType.THERMAL, SMALL)
    window = (128, 48, 224, 112)
    whole = Renderer(camera, geometry, seed=0).render(0.0, [], Conditions(Light.NIGHT), 0).image[..., 0]
    tile = Renderer(CameraModel(camera.spec, window), geometry, seed=0)
    crop = whole[window[1] : window[3], window[0] : window[2]].astype(int)
    drawn = tile.render(0.0, [], Conditions(Light.NIGHT), 0).image[..., 0].astype(int)
    assert abs(float(crop.mean() - drawn.mean())) < 3 and float(np.abs(crop - drawn).mean()) < 6
