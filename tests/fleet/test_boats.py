"""Boat kinematics and energy against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from sim.errors import FlatBatteryError
from sim.fleet.energy import Battery, PowerModel
from sim.fleet.kinematics import GridCurrent, Limits, UniformCurrent, corner_speed, plan_motion, turn_angles
from sim.world.geometry import WaterNavigator, ZoneGeometry

LIMITS = Limits(
    cruise_speed=2.0,
    max_speed=4.0,
    acceleration=0.5,
    deceleration=1.0,
    lateral_acceleration=0.5,
    corner_cut=2.0,
)
POWER = PowerModel(hotel_w=50.0, drag_coefficient=20.0, loudspeaker_w=60.0, camera_w=15.0)
STRAIGHT = np.array([[0.0, 0.0], [100.0, 0.0]])


def test_straight_run_is_a_trapezoid():
    motion = plan_motion(STRAIGHT, LIMITS)
    # 4 s speeding up over 4 m, 94 m at 2 m/s, 2 s slowing over 2 m.
    assert motion.duration == pytest.approx(4.0 + 47.0 + 2.0)
    assert motion.distance == pytest.approx(100.0)
    assert motion.v.max() == pytest.approx(2.0)
    assert motion.v[0] == motion.v[-1] == 0.0
    x, _, heading, speed = motion.at(2.0)  # half-way through speeding up
    assert (x, speed) == pytest.approx((0.5 * 0.5 * 2.0**2, 1.0))
    assert heading == pytest.approx(math.pi / 2)  # east


def test_short_hop_never_reaches_cruise():
    motion = plan_motion(np.array([[0.0, 0.0], [3.0, 0.0]]), LIMITS)
    # Triangle: peak^2 = 2ab L / (a + b) = 2 m^2/s^2.
    peak = math.sqrt(2.0)
    assert motion.v.max() == pytest.approx(peak)
    assert motion.duration == pytest.approx(peak / 0.5 + peak / 1.0)


def test_constant_speed_energy_is_hotel_plus_cube_law():
    """With (almost) instant acceleration a trip of L m at v costs (hotel + k v^3) L / v."""
    quick = Limits(2.0, 4.0, 1e9, 1e9, 1.0, 2.0)
    motion = plan_motion(STRAIGHT, quick)
    energy_wh = POWER.motion_energy_wh(motion).sum()
    assert energy_wh == pytest.approx((50.0 + 20.0 * 2.0**3) * 100.0 / 2.0 / 3600.0, rel=1e-6)


def test_energy_of_speeding_up_and_slowing_down_is_exact():
    """Hotel load plus k * integral of v^3 dt: v^4 / (4a) speeding up, v^4 / (4b) slowing down."""
    motion = plan_motion(STRAIGHT, LIMITS)
    expected_j = 50.0 * 53.0 + 20.0 * (2.0**3 * 47.0 + 2.0**4 / 2.0 + 2.0**4 / 4.0)
    assert POWER.motion_energy_wh(motion).sum() == pytest.approx(expected_j / 3600.0, rel=1e-12)


@pytest.mark.parametrize(
    ("turn_deg", "expected"),
    [
        (0.0, 4.0),  # straight on: only the top speed limits
        (180.0, 0.0),  # U-turn: stop
        # 90 deg: R = 2 cos 45 / (1 - cos 45) = 4.828 m, v = sqrt(0.5 R) = 1.554 m/s
        (90.0, math.sqrt(0.5 * 2.0 * math.cos(math.pi / 4) / (1 - math.cos(math.pi / 4)))),
        # 30 deg: R = 2 cos 15 / (1 - cos 15) = 56.7 m, v = 5.3 m/s, capped at 4
        (30.0, 4.0),
    ],
)
def test_corner_speed_by_turn_angle(turn_deg, expected):
    assert corner_speed(np.radians(turn_deg), LIMITS) == pytest.approx(expected, abs=1e-6)


def test_boat_slows_for_a_right_angle_corner():
    path = np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 100.0]])
    assert turn_angles(path) == pytest.approx([math.pi / 2])
    motion = plan_motion(path, LIMITS)
    at_corner = motion.v[np.flatnonzero(np.all(np.isclose(motion.xy, [100.0, 0.0]), axis=1))[0]]
    assert at_corner == pytest.approx(1.554, abs=1e-3)
    straight = plan_motion(np.array([[0.0, 0.0], [200.0, 0.0]]), LIMITS)
    # Slowing from 2 to 1.554 m/s at 1 m/s^2 and speeding up again at 0.5 m/s^2 costs time.
    assert motion.duration > straight.duration + 0.1


@pytest.mark.parametrize(
    ("current", "ground"),
    [
        ((0.5, 0.0), 2.5),  # following current
        ((-0.5, 0.0), 1.5),  # head current
        ((0.0, 0.6), math.sqrt(2.0**2 - 0.6**2)),  # cross current: crab angle
        ((3.0, 0.0), 4.0),  # following current beyond the top speed: capped over ground
    ],
)
def test_current_changes_speed_over_ground(current, ground):
    limits = Limits(2.0, 4.0, 1e9, 1e9, 1.0, 2.0)
    motion = plan_motion(STRAIGHT, limits, UniformCurrent(*current))
    assert motion.duration == pytest.approx(100.0 / ground, rel=1e-6)


def test_energy_in_a_head_current_is_at_the_water_speed():
    limits = Limits(2.0, 4.0, 1e9, 1e9, 1.0, 2.0)
    motion = plan_motion(STRAIGHT, limits, UniformCurrent(-0.5, 0.0))
    # Through the water at 2 m/s for 100 / 1.5 s.
    expected = (50.0 + 20.0 * 2.0**3) * (100.0 / 1.5) / 3600.0
    assert POWER.motion_energy_wh(motion).sum() == pytest.approx(expected, rel=1e-6)


def test_grid_current_is_bilinear_and_held_beyond_the_grid():
    grid = GridCurrent((0.0, 0.0), 100.0, np.array([[0.0, 1.0], [2.0, 3.0]]), np.zeros((2, 2)))
    points = np.array([[0.0, 0.0], [100.0, 0.0], [50.0, 50.0], [25.0, 100.0], [-50.0, 500.0]])
    assert grid.at(points)[:, 0] == pytest.approx([0.0, 1.0, 1.5, 2.25, 2.0])
    assert grid.max_speed() == 3.0


def test_battery_charges_to_capacity_and_refuses_to_go_flat():
    battery = Battery(capacity_wh=100.0, charge_power_w=360.0, t=0.0)
    battery.stop_charging(0.0)
    battery.draw(90.0)
    battery.start_charging(10.0)
    assert battery.level(110.0) == pytest.approx(20.0)
    assert battery.time_to_reach(50.0, 110.0) == pytest.approx(300.0)
    assert battery.time_to_reach(150.0, 110.0) == math.inf
    spans = battery.stop_charging(2000.0)  # full after 900 s of charging, at t = 910
    assert spans == [(10.0, 910.0, 10.0, 100.0), (910.0, 2000.0, 100.0, 100.0)]
    with pytest.raises(FlatBatteryError):
        battery.draw(100.1)


@settings(max_examples=60, deadline=None)
@given(
    xs=st.lists(st.floats(0, 300), min_size=2, max_size=6),
    ys=st.lists(st.floats(0, 300), min_size=2, max_size=6),
    cruise=st.floats(0.5, 5.0),
    spare=st.floats(0.0, 3.0),
    # sim/scenario/checks.py refuses a current whose speed is not below every boat's cruise speed: draw up
    # to 99 %
    flow_share=st.floats(0.0, 0.99),
    flow_heading=st.floats(0.0, 2 * math.pi),
    acceleration=st.floats(0.05, 5.0),
    lateral=st.floats(0.1, 5.0),
)
def test_speed_never_above_max(xs, ys, cruise, spare, flow_share, flow_heading, acceleration, lateral):
    """Any path, limits and current a scenario allows: the ground speed stays within the top speed."""
    n = min(len(xs), len(ys))
    path = np.column_stack([xs[:n], ys[:n]])
    limits = Limits(cruise, cruise + spare, acceleration, 2 * acceleration, lateral, 1.0)
    flow = flow_share * cruise
    motion = plan_motion(
        path, limits, UniformCurrent(flow * math.cos(flow_heading), flow * math.sin(flow_heading))
    )
    assert (motion.v <= limits.max_speed + 1e-9).all()
    assert (motion.v >= 0).all()
    steps = np.hypot(*np.diff(motion.xy, axis=0).T)
    assert (steps <= np.diff(motion.t) * limits.max_speed + 1e-6).all()


@pytest.mark.parametrize(
    "current",
    [
        (-0.5, 0.0),  # head current as fast as the boat: no headway at all
        (-0.375, 0.375),  # 0.53 m/s: the old failing draw (0.375, -0.375), turned against the path
        (0.0, 0.6),  # cross current stronger than the boat: it cannot hold its line
    ],
)
def test_a_current_the_checks_refuse_cannot_be_planned(current):
    """plan_motion refuses a current that leaves no headway, the case sim/scenario/checks.py keeps out of
    scenarios."""
    limits = Limits(0.5, 1.0, 0.5, 1.0, 0.5, 1.0)
    with pytest.raises(ValueError, match="headway"):
        plan_motion(STRAIGHT, limits, UniformCurrent(*current))


@pytest.fixture(scope="module")
def lake(default_scenario):
    geometry = ZoneGeometry(default_scenario)
    return geometry, WaterNavigator(geometry.water, default_scenario.zone.shore_margin)


@settings(max_examples=40, deadline=None)
@given(start=st.integers(0, 10_000), goal=st.integers(0, 10_000))
def test_paths_never_on_land(lake, start, goal):
    """Shortest paths between any two water points keep the shore margin (5 m) from land."""
    geometry, navigator = lake
    coords = np.array(geometry.water.exterior.coords)
    water_points = [navigator.snap(*xy) for xy in coords[:: max(1, len(coords) // 40)]]
    a = water_points[start % len(water_points)]
    b = water_points[goal % len(water_points)]
    path = navigator.path(a, b)
    if len(path) >= 2:
        assert (
            geometry.land.distance(LineString(path)) >= 5.0 - 0.5
        )  # simplify() moves vertices 0.5 m at most


def test_state_spans_of_the_timeline():
    import pandas as pd

    from sim.results.boat_timeline import state_spans

    tracks = pd.DataFrame(
        {
            "boat_id": ["a"] * 5,
            "t": [0.0, 5.0, 10.0, 15.0, 20.0],
            "state": ["docked", "docked", "outbound", "outbound", "on_scene"],
        }
    )
    spans = state_spans(tracks)
    assert spans.values.tolist() == [["a", "docked", 0.0, 10.0], ["a", "outbound", 10.0, 20.0]]


def test_the_way_home_is_the_quickest_of_all_docks(city_scenario):
    """Planning only the docks whose straight-line bound can win finds the dock planning all of them finds."""
    import simpy

    from sim.fleet.boats import Boat

    geometry = ZoneGeometry(city_scenario)
    navigator = WaterNavigator(geometry.water, city_scenario.zone.shore_margin)
    docks = [d.position for d in city_scenario.docks]
    boat = Boat(
        city_scenario.boats[0], docks[0], navigator, simpy.Environment(), [], other_docks=tuple(docks[1:])
    )
    rng = np.random.default_rng(5)
    x0, y0, x1, y1 = navigator.navigable.bounds
    tried = 0
    while tried < 12:
        start = navigator.snap(rng.uniform(x0, x1), rng.uniform(y0, y1))
        same_body = [d for d in boat.docks if navigator.body_of(d) == navigator.body_of(start)]
        if len(same_body) < 2:
            continue
        every = [boat.route(start, dock) for dock in same_body]
        quickest = min(every, key=lambda r: r.duration)  # the first dock listed wins a tie, as before
        home = boat.route_home(start)
        assert home.duration == quickest.duration
        np.testing.assert_array_equal(home.path, quickest.path)
        tried += 1
