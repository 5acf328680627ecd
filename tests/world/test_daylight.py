"""Sun elevation and light levels."""

from datetime import datetime

import numpy as np
import pytest

from sim.scenario.models import Light
from sim.world.daylight import Daylight, local_hour_and_month, sun_elevation_deg


def test_solar_noon_elevation_at_the_june_solstice():
    # At solar noon the elevation is 90 - latitude + declination (+23.44 deg at the June solstice).
    # Longitude 120 E with UTC+8: clock noon is solar noon up to the equation of time (-2 min).
    elevations = sun_elevation_deg(
        np.arange("2026-06-21T11:50", "2026-06-21T12:10", dtype="datetime64[m]"), 34.0, 120.0, 8.0
    )
    assert elevations.max() == pytest.approx(90 - 34 + 23.44, abs=0.3)


def test_equinox_noon_elevation():
    assert sun_elevation_deg(datetime(2026, 3, 20, 12, 7), 34.0, 120.0, 8.0)[0] == pytest.approx(
        56.0, abs=0.6
    )


def test_midnight_is_dark_and_sign_changes_around_sunrise():
    site = (34.0, 113.8, 8.0)
    assert sun_elevation_deg(datetime(2026, 7, 18, 0, 0), *site)[0] < -20
    # Sunrise in Xuchang on 18 July 2026 is about 05:33 local time.
    assert (
        sun_elevation_deg(datetime(2026, 7, 18, 5, 15), *site)[0]
        < 0
        < sun_elevation_deg(datetime(2026, 7, 18, 5, 50), *site)[0]
    )


def test_light_levels_over_a_day():
    daylight = Daylight(datetime(2026, 7, 18, 0, 0), 34.0, 113.8, 8.0)
    assert daylight.light(0.0) is Light.NIGHT
    assert daylight.light(12 * 3600.0) is Light.DAY
    levels = daylight.light_index(np.arange(0, 24 * 3600, 60.0))
    assert set(levels) == {0, 1, 2}
    # Morning: night -> dusk -> day, never backwards.
    morning = levels[: 12 * 60]
    assert (np.diff(morning) >= 0).all()


def test_local_hour_and_month_cross_midnight_and_year():
    hour, month = local_hour_and_month(datetime(2026, 12, 31, 23, 30), np.array([0.0, 1800.0, 3600.0]))
    assert list(hour) == [23, 0, 0]
    assert list(month) == [11, 0, 0]


def test_sun_azimuth_east_in_the_morning_south_at_solar_noon_west_in_the_evening():
    from sim.world.daylight import sun_azimuth_deg

    place = (34.0, 113.8, 8.0)  # Xuchang, UTC+8: solar noon about 12:30 local time in July
    morning, noon, evening = (
        sun_azimuth_deg(datetime(2026, 7, 18, h, m), *place)[0] for h, m in ((7, 0), (12, 30), (18, 0))
    )
    assert 60.0 < morning < 100.0
    assert noon == pytest.approx(180.0, abs=8.0)
    assert 260.0 < evening < 300.0
    # In June the sun rises north of east and sets north of west at 34 degrees north.
    rise = sun_azimuth_deg(datetime(2026, 6, 21, 5, 30), *place)[0]
    assert rise < 90.0 and sun_elevation_deg(datetime(2026, 6, 21, 5, 30), *place)[0] == pytest.approx(
        0.0, abs=6.0
    )
