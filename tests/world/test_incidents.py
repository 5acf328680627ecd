"""Incident arrivals (thinning), actor motion, compliance."""

import numpy as np
import pytest
import shapely

from sim.core.rng import RandomStreams
from sim.world.daylight import local_hour_and_month
from sim.world.geometry import ZoneGeometry
from sim.world.incidents import IncidentGenerator, Track, arrival_times, drift_track


def kind_with(scenario, **changes):
    return scenario.incidents.swimming.model_copy(update=changes)


def test_constant_rate_gives_poisson_counts(default_scenario):
    kind = kind_with(
        default_scenario, rate_per_hour=3.0, hourly_profile=(1.0,) * 24, monthly_profile=(1.0,) * 12
    )
    rng = np.random.default_rng(0)
    counts = np.array([len(arrival_times(kind, default_scenario, 10 * 3600.0, rng)) for _ in range(2000)])
    # Poisson(30): mean 30, variance 30.
    assert counts.mean() == pytest.approx(30.0, abs=4 * np.sqrt(30 / 2000))
    assert counts.var() == pytest.approx(30.0, rel=0.1)


def test_thinning_follows_the_hourly_profile(default_scenario):
    profile = np.zeros(24)
    profile[[6, 14, 15]] = [0.5, 1.0, 2.0]
    kind = kind_with(
        default_scenario, rate_per_hour=10.0, hourly_profile=tuple(profile), monthly_profile=(1.0,) * 12
    )
    rng = np.random.default_rng(1)
    # The default run starts at 12:00: simulate 24 h, 400 times, and count per local hour.
    hours = np.concatenate(
        [
            local_hour_and_month(
                default_scenario.run.start, arrival_times(kind, default_scenario, 86400.0, rng)
            )[0]
            for _ in range(400)
        ]
    )
    per_hour = np.bincount(hours, minlength=24) / 400
    expected = 10.0 * profile
    assert set(np.flatnonzero(per_hour)) == {6, 14, 15}
    np.testing.assert_allclose(per_hour[[6, 14, 15]], expected[[6, 14, 15]], rtol=0.1)


def test_monthly_profile_zero_means_no_incidents(default_scenario):
    months = [1.0] * 12
    months[6] = 0.0  # July, when the default run happens
    kind = kind_with(default_scenario, monthly_profile=tuple(months))
    assert len(arrival_times(kind, default_scenario, 86400.0, np.random.default_rng(2))) == 0


def test_drift_track_stays_on_water(default_scenario):
    water = ZoneGeometry(default_scenario).water
    assert shapely.contains_xy(water, 500.0, 400.0)
    rng = np.random.default_rng(3)
    for _ in range(50):
        track = drift_track((500.0, 400.0), 0.0, 3600.0, 0.3, water, rng)
        assert shapely.contains_xy(water, track.xy[:, 0], track.xy[:, 1]).all()
        assert np.all(np.diff(track.t) > 0)
        assert track.t[0] == 0.0 and track.t[-1] == 3600.0
        legs = np.hypot(*np.diff(track.xy, axis=0).T) / np.diff(track.t)
        assert legs.max() <= 0.3 * 1.5 + 1e-9


def test_track_interpolates_and_holds_at_the_ends():
    track = Track(np.array([0.0, 10.0]), np.array([[0.0, 0.0], [10.0, 0.0]]))
    np.testing.assert_allclose(track.position([-5.0, 5.0, 20.0]), [[0, 0], [5, 0], [10, 0]])
    with pytest.raises(ValueError):
        Track(np.array([0.0, 0.0]), np.zeros((2, 2)))


@pytest.fixture(scope="module")
def day_of_incidents(default_scenario):
    generator = IncidentGenerator(default_scenario, ZoneGeometry(default_scenario), RandomStreams(0))
    return generator.generate(86400.0)


def test_incidents_are_numbered_in_order_of_start(day_of_incidents):
    assert [i.id for i in day_of_incidents] == list(range(1, len(day_of_incidents) + 1))
    starts = [i.t_start for i in day_of_incidents]
    assert starts == sorted(starts)
    assert {i.kind for i in day_of_incidents} == {"swimming", "fishing"}


def test_incidents_are_placed_in_their_areas(default_scenario, day_of_incidents):
    geometry = ZoneGeometry(default_scenario)
    regions = {a.id: a.region for a in (*geometry.no_swimming, *geometry.no_fishing)}
    for incident in day_of_incidents:
        assert regions[incident.area_id].buffer(1e-6).contains(shapely.Point(incident.start_xy))
        if incident.kind == "fishing":
            assert incident.track.stationary
            assert geometry.land.buffer(1e-6).contains(shapely.Point(incident.start_xy))


def test_compliance_draws(day_of_incidents, default_scenario):
    incident = next(i for i in day_of_incidents if i.kind == "swimming")
    spec = default_scenario.incidents.swimming.compliance
    assert len(incident.heeds) == len(incident.leave_delays) == spec.max_warnings
    for number, heeds in enumerate(incident.heeds, start=1):
        t = incident.t_start + 10.0
        leave = incident.leave_time_after(number, t)
        if heeds:
            assert leave == pytest.approx(min(t + incident.leave_delays[number - 1], incident.t_end))
        else:
            assert leave is None
    assert incident.leave_time_after(spec.max_warnings + 1, incident.t_start) is None


def test_share_heeding_the_first_warning(day_of_incidents, default_scenario):
    swimmers = [i for i in day_of_incidents if i.kind == "swimming"]
    p = default_scenario.incidents.swimming.compliance.p_leave
    share = np.mean([i.heeds[0] for i in swimmers])
    assert share == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / len(swimmers)))


def test_hotspot_profiles_move_incidents_between_areas_by_hour(default_scenario):
    """ns-beach takes the swimmers of the afternoon, ns-dam those of the morning, ns-river-mouth none."""
    morning = tuple(1.0 if hour < 12 else 0.0 for hour in range(24))
    afternoon = tuple(1.0 - m for m in morning)
    areas = default_scenario.zone.no_swimming
    zone = default_scenario.zone.model_copy(
        update={
            "no_swimming": (
                areas[0].model_copy(update={"hourly_profile": afternoon}),
                areas[1].model_copy(update={"hourly_profile": morning}),
                areas[2].model_copy(update={"monthly_profile": (0.0,) * 6 + (1.0,) + (0.0,) * 5}),
            )
        }
    )
    # ns-river-mouth's profile allows July only: the run is in July, so it still takes a share.
    scenario = default_scenario.model_copy(update={"zone": zone})
    incidents = IncidentGenerator(scenario, ZoneGeometry(scenario), RandomStreams(4)).generate(3 * 86400.0)
    swimmers = [i for i in incidents if i.kind == "swimming"]
    hours, _ = local_hour_and_month(scenario.run.start, np.array([i.t_start for i in swimmers]))
    by_area = {area: {int(h) for h, i in zip(hours, swimmers, strict=True) if i.area_id == area} for area in
               ("ns-beach", "ns-dam", "ns-river-mouth")}  # fmt: skip
    assert by_area["ns-beach"] and max(by_area["ns-beach"]) >= 12 and min(by_area["ns-beach"]) >= 12
    assert by_area["ns-dam"] and max(by_area["ns-dam"]) < 12
    assert by_area["ns-river-mouth"]
