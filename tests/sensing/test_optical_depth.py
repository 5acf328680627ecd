"""The ``hazard`` model's terms fitted with a class held, in statistical mode: the optical-depth term's offset
by hand, the rates it gives near and far in fog and in clear air, the alarms of an offender far in fog as the
exponential distribution says; the size cliff by hand; and both terms' bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError
from shapely.geometry import box

from sim.core.rng import RandomStreams
from sim.scenario.models import Kind, OpticalDepthTerm, SensorType, SizeCliff, Weather
from sim.sensing.alarm_hazard import optical_depth_offset, size_cliff_offset
from sim.sensing.detection_model import DetectionModel
from sim.sensing.sensors import Sensor
from sim.sensing.statistical import StatisticalSensing
from sim.world.visibility import (
    EXTINCTION_LENGTH_M,
    KOSCHMIEDER,
    LWIR_EXTINCTION_PER_KM,
    VISIBILITY_M,
    optical_depth,
)
from tests.helpers.builders import make_incident
from tests.sensing.test_alarm_hazard import NOON, rates

TERM = OpticalDepthTerm(knots=(0.5, 2.0), slopes=(0.2, 3.0))


def with_term(calibration, term: OpticalDepthTerm | None = TERM):
    """``calibration`` with swimming's alarm rates (:func:`tests.sensing.test_alarm_hazard.rates`) given
    ``term``."""
    swimming = calibration.classes[Kind.SWIMMING]
    block = swimming.alarm_hazard.model_copy(update={"optical_depth": term})
    classes = {**calibration.classes, Kind.SWIMMING: swimming.model_copy(update={"alarm_hazard": block})}
    return calibration.model_copy(update={"classes": classes})


def test_the_offset_by_hand():
    assert optical_depth_offset(TERM, np.array([0.0, 0.5, 1.0, 2.0, 3.0])) == pytest.approx(
        [0.0, 0.0, -0.1, -0.3, -0.5 - 3.0]
    )


def test_the_extinction_length_is_koschmieders():
    """What lies at the visibility keeps 2 % of its contrast: its optical depth is ln 50 = 3.912."""
    for weather in (Weather.HAZE, Weather.FOG, Weather.RAIN):
        assert float(optical_depth(VISIBILITY_M[weather], weather)) == pytest.approx(KOSCHMIEDER)
        assert math.exp(-KOSCHMIEDER) == pytest.approx(0.02, rel=1e-3)


def test_rates_fall_with_the_depth_of_air_and_clear_air_costs_nothing(calibration):
    fitted = with_term(calibration)
    ages, pixels, light = np.full(3, 10.0), np.full(3, fitted.reference_pixels), np.full(3, 2)
    length = EXTINCTION_LENGTH_M[Weather.FOG]
    near_far = np.array([10.0, 1.5 * length, 3.0 * length])  # optical depths 0.24 (before the knots), 1.5, 3
    fog = DetectionModel(fitted, 0.2, Weather.FOG).alarm_rates(Kind.SWIMMING)
    clear_rate = 0.1  # the block's second age bin at τ 0.2
    expected = clear_rate * np.exp([0.0, -0.2, -0.5 - 3.0])
    assert fog.rates(ages, pixels, light, None, near_far) == pytest.approx(expected)
    clear = DetectionModel(fitted, 0.2, Weather.CLEAR).alarm_rates(Kind.SWIMMING)
    kilometre = np.full(3, 1000.0)  # depth 0.05 in clear air: exactly the class's own rate
    own = DetectionModel(calibration, 0.2, Weather.CLEAR).alarm_rates(Kind.SWIMMING)  # without the term
    np.testing.assert_array_equal(
        clear.rates(ages, pixels, light, None, kilometre), own.rates(ages, pixels, light)
    )
    with pytest.raises(ValueError, match="distances"):
        fog.rates(ages, pixels, light)


def camera_at(distance_m: float, size: float) -> Sensor:
    """A camera at 5 frames/s seeing a 2 x 2 m box whose offenders stand ``distance_m`` from its lens."""
    return Sensor(
        "cam",
        box(0, 0, 2, 2),
        0.2,
        3,
        5,
        frozenset({Kind.SWIMMING}),
        lambda xy, h: np.full(len(xy), size),
        distance=lambda xy: np.full(len(xy), distance_m),
    )


def test_an_offender_far_in_fog_alarms_at_the_lowered_rate(calibration):
    """At an optical depth of 1.5 (−0.2 on the log-rate) and τ 0.5 the rate after the first 4 s is 0.1 ·
    e^−0.5 · e^−0.2 /s: the share alarmed within 30 s of view by hand, 1 − exp(−λ · 26); the same offenders
    near the lens alarm as the class says, and never later than far."""
    fitted, trials, view = with_term(calibration), 1500, 30.0
    size = fitted.reference_pixels
    shares, ages_at = {}, {}
    for distance in (10.0, 1.5 * EXTINCTION_LENGTH_M[Weather.FOG]):
        run = StatisticalSensing(
            [camera_at(distance, size)], DetectionModel(fitted, 0.5, Weather.FOG), NOON, 20_000.0
        )
        streams = RandomStreams(3)
        ages = []
        for i in range(trials):
            _, found = run.observe(make_incident(i, 100.0, 100.0 + view), streams.stream)
            ages.append(found[0].t - 100.0 if found else math.nan)
        ages_at[distance] = np.array(ages)
        shares[distance] = float(np.mean(~np.isnan(ages_at[distance])))
    near, far = ages_at.values()
    for (_distance, share), offset in zip(shares.items(), (0.0, -0.2), strict=True):
        expected = 1 - math.exp(-0.1 * math.exp(-0.5 + offset) * (view - 4.0))
        assert share == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / trials))
    assert (np.isnan(far) | (near <= far + 1e-9)).all()  # one draw per offender: the lower rate, later


@pytest.mark.parametrize(
    "change, message",
    [
        ({"knots": (1.0, 0.5), "slopes": (1.0, 1.0)}, "knots must increase"),
        ({"knots": (0.5,), "slopes": (1.0, 1.0)}, "slopes has 2 values for 1 knots"),
        ({"knots": (0.5,), "slopes": (-1.0,)}, "greater than or equal to 0"),
        ({"knots": (), "slopes": ()}, "at least 1 item"),
        ({"knots": (math.nan,), "slopes": (1.0,)}, "finite number"),
    ],
)
def test_a_bad_term_is_refused(change, message):
    with pytest.raises(ValidationError, match=message):
        OpticalDepthTerm(**change)


def test_a_term_beside_weather_offsets_is_refused():
    with pytest.raises(ValidationError, match="optical_depth and weather offsets"):
        rates(optical_depth=TERM, weather={Weather.FOG: -1.0})


def test_the_size_cliff_by_hand(calibration):
    """Below one pixel the rate falls by e^−slope per halving more than the size slope (1 per doubling)
    says; above it nothing changes."""
    cliff = SizeCliff(below_pixels=1.0, slope=2.0)
    assert size_cliff_offset(cliff, np.array([0.25, 0.5, 1.0, 4.0])) == pytest.approx([-4.0, -2.0, 0.0, 0.0])
    swimming = calibration.classes[Kind.SWIMMING]
    block = swimming.alarm_hazard.model_copy(update={"size_cliff": cliff})
    classes = {**calibration.classes, Kind.SWIMMING: swimming.model_copy(update={"alarm_hazard": block})}
    with_cliff = calibration.model_copy(update={"classes": classes})
    rates = DetectionModel(with_cliff, 0.2, Weather.CLEAR).alarm_rates(Kind.SWIMMING)
    own = DetectionModel(calibration, 0.2, Weather.CLEAR).alarm_rates(Kind.SWIMMING)
    pixels, ages, light = np.array([0.5, 2.0]), np.full(2, 10.0), np.full(2, 2)
    ratio = rates.rates(ages, pixels, light) / own.rates(ages, pixels, light)
    assert ratio == pytest.approx(np.exp([-2.0, 0.0]))


def test_a_cliff_with_a_late_slope_by_hand(calibration):
    """Slope 2 for the first 30 s in view, 0.5 from then on: at half a pixel e^−2 and then e^−0.5 of the rate
    without a cliff; an age is needed to tell which."""
    cliff = SizeCliff(below_pixels=1.0, slope=2.0, late_slope=0.5, late_after_s=30.0)
    pixels, ages = np.array([0.5, 0.5, 0.25, 2.0]), np.array([10.0, 30.0, 45.0, 45.0])
    assert size_cliff_offset(cliff, pixels, ages) == pytest.approx([-2.0, -0.5, -1.0, 0.0])
    with pytest.raises(ValueError, match="needs the frames' ages"):
        size_cliff_offset(cliff, pixels)
    swimming = calibration.classes[Kind.SWIMMING]
    models = {}
    for name, own in (("late", cliff), ("none", None)):
        block = swimming.alarm_hazard.model_copy(update={"size_cliff": own})
        classes = {**calibration.classes, Kind.SWIMMING: swimming.model_copy(update={"alarm_hazard": block})}
        changed = calibration.model_copy(update={"classes": classes})
        models[name] = DetectionModel(changed, 0.2, Weather.CLEAR).alarm_rates(Kind.SWIMMING)
    light = np.full(2, 2)
    ages, half = np.array([10.0, 40.0]), np.full(2, 0.5)
    ratio = models["late"].rates(ages, half, light) / models["none"].rates(ages, half, light)
    assert ratio == pytest.approx(np.exp([-2.0, -0.5]))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"below_pixels": 0.0, "slope": 1.0}, "greater than 0"),
        ({"below_pixels": 1.0, "slope": -1.0}, "greater than or equal to 0"),
        ({"below_pixels": math.inf, "slope": 1.0}, "finite number"),
        ({"below_pixels": 1.0, "slope": 1.0, "late_slope": -0.5}, "greater than or equal to 0"),
        ({"below_pixels": 1.0, "slope": 1.0, "late_slope": 0.5, "late_after_s": 0.0}, "greater than 0"),
        ({"below_pixels": 1.0, "slope": 1.0, "early_slope": 0.5}, "Extra inputs are not permitted"),
    ],
)
def test_a_bad_size_cliff_is_refused(change, message):
    with pytest.raises(ValidationError, match=message):
        SizeCliff(**change)


def test_a_thermal_cameras_term_reads_long_wave_infrareds_depth(calibration):
    """The same term on a thermal camera: fog's depth over 200 m is β d in the 8-14 µm band (9.9 per km, far
    less than visible light's 24.5), so the offset is smaller there."""
    fitted = with_term(calibration)
    distance = np.array([200.0])
    thermal = optical_depth(distance, Weather.FOG, SensorType.THERMAL)
    assert float(thermal[0]) == pytest.approx(0.2 * LWIR_EXTINCTION_PER_KM[Weather.FOG])
    assert float(thermal[0]) < float(optical_depth(distance, Weather.FOG)[0]) / 2
    args = (np.full(1, 10.0), np.full(1, fitted.reference_pixels), np.full(1, 2), None, distance)
    rates = {
        sensor: DetectionModel(fitted, 0.2, Weather.FOG, sensor).alarm_rates(Kind.SWIMMING).rates(*args)
        for sensor in SensorType
    }
    visible_depth = float(optical_depth(distance, Weather.FOG)[0])
    expected = {SensorType.VISIBLE: visible_depth, SensorType.THERMAL: float(thermal[0])}
    for sensor, depth in expected.items():
        offset = float(optical_depth_offset(TERM, np.array([depth]))[0])
        assert rates[sensor][0] == pytest.approx(0.1 * math.exp(offset))
