"""The drone relay: when it flies, how long, and what it offers a boat in a hole."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sim.engine import Simulation
from sim.loading import load_scenario
from sim.network.links import PROFILES, Direction
from sim.network.relay_station import REFINE_STEP_M, RELAY_REACH_M
from tests.helpers.paths import DEFAULT, SCENARIOS

HOLE_TARGET = (780.0, 420.0)
"""In the east-bay radio shadow of scenarios/coverage_hole.yaml."""
NEAR_TARGET = (740.0, 520.0)
"""In the shadow too, 108 m from HOLE_TARGET: within a drone's reach
(sim.network.relay_station.RELAY_REACH_M)."""
COVERED_NEAR = (670.0, 420.0)
"""Covered, 110 m west of HOLE_TARGET: a drone hovering there beats the direct uplink."""
EMBB = PROFILES["nr_embb"]
HOLE = SCENARIOS / "coverage_hole.yaml"


def flight_s(drone, target, relay=None) -> float:
    """Straight 3-D flight time from the drone's base to hover at its station for ``target`` (the best
    hover point ``relay`` finds for it; above ``target`` without a relay), s."""
    if relay is not None:
        target = relay.hops.best_station(drone, [target], relay.profile)
    return math.hypot(math.dist(drone.position, target), drone.altitude) / drone.speed


def covered_at(relay, points) -> np.ndarray:
    """Which ``points`` ((n, 2), m) lie in a cell the relay counts as covered (both directions above
    CQI 1 with its profile, the evidence uploads')."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    row, col = relay.map.index(points[:, 0], points[:, 1])
    return relay.map.covered(relay.profile)[row, col]


def points_along(way, per_leg: int = 200) -> np.ndarray:
    """Points along a polyline ``way`` ((n, 2), m), ``per_leg`` on each leg."""
    return np.concatenate([np.linspace(a, b, per_leg) for a, b in itertools.pairwise(way)])


@pytest.fixture()
def hole():
    return Simulation(load_scenario(HOLE))


def test_a_mission_into_the_hole_sends_the_drone(hole):
    relay, drone = hole.relay, hole.scenario.drones[0]
    start = hole.boats[0].position
    relay.mission_started(1, start, HOLE_TARGET, 2.5, 100.0)
    fly = flight_s(drone, HOLE_TARGET, relay)
    route = relay.route(HOLE_TARGET, 100.0, PROFILES["nr_embb"], Direction.UPLINK)
    assert route.via.startswith(drone.id + ">")
    assert route.wait_s == pytest.approx(fly)  # on station after the flight
    assert relay.route(HOLE_TARGET, 100.0 + fly + 1, PROFILES["nr_embb"], Direction.UPLINK).wait_s == 0.0
    # busy: a second mission into the hole within its reach is taken on; the drone moves to the point
    # best for both boats and flies home from there
    second = (790.0, 600.0)
    relay.mission_started(2, start, second, 2.5, 110.0)
    both = relay.hops.best_station(drone, [HOLE_TARGET, second], relay.profile)
    moved = 100.0 + fly + math.dist(relay.hops.best_station(drone, [HOLE_TARGET], relay.profile), both) / 12
    assert relay.route(second, moved + 1, EMBB, Direction.UPLINK).via.startswith(drone.id + ">")
    relay.mission_ended(1, 400.0)
    (sortie,) = relay.sorties
    assert (sortie.t_depart, sortie.t_leave) == (100.0, 400.0)
    assert sortie.t_back == pytest.approx(400.0 + math.hypot(math.dist(drone.position, both), 80) / 12)


def test_without_a_drone_a_transfer_waits_for_the_way_back(hole):
    relay = hole.relay
    relay.drones.clear()
    relay.mission_started(1, hole.boats[0].position, HOLE_TARGET, 2.5, 0.0)
    route = relay.route(HOLE_TARGET, 50.0, PROFILES["nr_embb"], Direction.UPLINK)
    assert route.wait_s > 0
    assert route.rate_bps > 0
    assert not route.via.startswith("drone")


def test_drone_recharges_before_a_sortie_it_could_not_finish(hole):
    relay = hole.relay
    state = relay.drones[0]
    spec = state.spec
    state.flight_left_s, state.ready_at = 30.0, 0.0  # almost empty, just landed
    fly = flight_s(spec, HOLE_TARGET, relay)
    relay.mission_started(1, hole.boats[0].position, HOLE_TARGET, 2.5, 0.0)
    relay.mission_ended(1, 10_000.0)  # long after the drone had to leave
    (sortie,) = relay.sorties
    # charges at endurance / charge_time per second until the round trip fits, and no more
    depart = (2 * fly - 30.0) * spec.charge_time / spec.endurance
    assert sortie.t_depart == pytest.approx(depart)
    assert sortie.t_arrive == pytest.approx(depart + fly)
    assert sortie.t_leave == pytest.approx(depart + fly)  # charge for the round trip only: no time there
    assert sortie.t_back == pytest.approx(depart + 2 * fly)


@pytest.mark.parametrize(("spare_s", "flown"), [(-1.0, False), (60.0, True)])
def test_a_target_beyond_reach_gets_no_drone(spare_s, flown):
    """A drone whose endurance is a second short of the round trip to the nearest point that serves the
    target (RELAY_REACH_M short of it, towards the base) stays at its base (the boat's transfers wait for
    its way back); one with a minute to spare flies."""
    drone = load_scenario(HOLE).drones[0]
    nearest = math.dist(drone.position, HOLE_TARGET) - RELAY_REACH_M
    fly = math.hypot(nearest, drone.altitude) / drone.speed
    endurance = 2 * fly + spare_s
    simulation = Simulation(load_scenario(HOLE, [f"drones.0.endurance={endurance!r}"]))
    relay = simulation.relay
    relay.mission_started(1, simulation.boats[0].position, HOLE_TARGET, 2.5, 0.0)
    route = relay.route(HOLE_TARGET, endurance / 2, EMBB, Direction.UPLINK)  # on station, if it flew
    relay.mission_ended(1, 1000.0)
    assert len(relay.sorties) == int(flown)
    assert route.via.startswith(drone.id + ">") == flown


def test_a_mission_starting_inside_the_hole_waits_for_the_nearest_coverage(hole):
    """A boat re-tasked on the water inside the hole: its path holds no covered point; the transfer waits
    for the straight run to the nearest covered cell instead of failing."""
    relay = hole.relay
    relay.drones.clear()
    start = (783.0, 424.0)  # a few metres away, in the shadow too
    relay.mission_started(1, start, HOLE_TARGET, 2.5, 0.0)
    assert not covered_at(relay, points_along(relay.navigator.path(start, HOLE_TARGET))).any()
    route = relay.route(HOLE_TARGET, 0.0, PROFILES["nr_embb"], Direction.UPLINK)
    rows, cols = relay.map.covered(relay.profile).nonzero()
    nearest = min(
        math.dist(HOLE_TARGET, (relay.map.x[c], relay.map.y[r])) for r, c in zip(rows, cols, strict=True)
    )
    assert route.wait_s == pytest.approx(nearest / 2.5)
    assert route.rate_bps > 0


def test_a_later_sortie_to_the_same_spot_does_not_capture_earlier_transfers(hole):
    """The seed-4 bug: a transfer evaluated after the run took the trip nearest in space among all trips,
    here a later one to the same spot, and waited hours for its drone though one was overhead then."""
    relay, drone = hole.relay, hole.scenario.drones[0]
    start, fly = hole.boats[0].position, flight_s(drone, HOLE_TARGET, relay)
    relay.mission_started(1, start, HOLE_TARGET, 2.5, 100.0)
    relay.mission_ended(1, 400.0)
    relay.mission_started(2, start, HOLE_TARGET, 2.5, 5000.0)
    relay.mission_ended(2, 5300.0)
    assert [s.t_arrive for s in relay.sorties] == pytest.approx([100.0 + fly, 5000.0 + fly])
    during_first = relay.route(HOLE_TARGET, 300.0, EMBB, Direction.UPLINK)
    assert during_first.wait_s == 0.0 and during_first.via.startswith(drone.id + ">")
    assert relay.route(HOLE_TARGET, 100.0, EMBB, Direction.UPLINK).wait_s == pytest.approx(fly)
    # between the sorties the boat is on its way home: no drone, it waits to regain coverage
    between = relay.route(HOLE_TARGET, 450.0, EMBB, Direction.UPLINK)
    assert 0.0 < between.wait_s < 600.0 and not between.via.startswith(drone.id)


def test_a_drone_on_station_serves_a_boat_of_another_mission_nearby(hole):
    """One drone, two missions into the hole: the second boat's transfers go through the first
    mission's drone while it hovers within reach, during the run and when evaluated afterwards."""
    relay, drone = hole.relay, hole.scenario.drones[0]
    start, fly = hole.boats[0].position, flight_s(drone, HOLE_TARGET, relay)
    assert not covered_at(relay, NEAR_TARGET).any()
    relay.mission_started(1, start, HOLE_TARGET, 2.5, 0.0)
    relay.mission_started(2, start, NEAR_TARGET, 2.5, 10.0)  # the drone is busy: none for this one
    on_station = fly + 50.0
    during = relay.route(NEAR_TARGET, on_station, EMBB, Direction.UPLINK)
    assert during.wait_s == 0.0 and during.via.startswith(drone.id + ">")
    relay.mission_ended(1, 400.0)
    relay.mission_ended(2, 500.0)
    assert relay.route(NEAR_TARGET, on_station, EMBB, Direction.UPLINK) == during
    gone = relay.route(NEAR_TARGET, 450.0, EMBB, Direction.UPLINK)  # the drone left at 400 s
    assert gone.wait_s > 0 and not gone.via.startswith(drone.id)


def test_a_better_route_is_offered_while_the_drone_hovers_even_after_the_run(hole):
    relay, drone = hole.relay, hole.scenario.drones[0]
    row, col = relay.map.cell(*COVERED_NEAR)
    direct = float(relay.map.rate_map(EMBB, Direction.UPLINK)[row, col])
    assert direct > 0
    relay.mission_started(1, hole.boats[0].position, HOLE_TARGET, 2.5, 0.0)
    on_station = flight_s(drone, HOLE_TARGET, relay) + 50.0
    during = relay.better_route(COVERED_NEAR, on_station, EMBB, direct)
    assert during is not None and during.rate_bps > direct
    relay.mission_ended(1, 400.0)
    assert relay.better_route(COVERED_NEAR, on_station, EMBB, direct) == during
    assert relay.better_route(COVERED_NEAR, 401.0, EMBB, direct) is None
    assert relay.better_route(COVERED_NEAR, on_station - 60.0, EMBB, direct) is None  # still flying


def test_a_boat_home_from_its_mission_waits_for_its_way_to_the_nearest_dock(hole):
    """After the mission, the boat heads for the nearest dock (here not the one it came from, which is
    farther): the wait is the way there into coverage, at the slowest boat's cruise speed."""
    relay = hole.relay
    relay.drones.clear()
    north = hole.boats[2].position  # usv-3 berths at dock-north; dock-south is nearer the target
    relay.mission_started(1, north, HOLE_TARGET, 2.5, 0.0)
    relay.mission_ended(1, 300.0)
    position = (760.0, 450.0)  # in the shadow, on the trip's path 2 m from its last leg
    assert not covered_at(relay, position).any()
    home = relay.route(position, 310.0, EMBB, Direction.UPLINK)
    slowest = min(boat.cruise_speed for boat in hole.scenario.boats)
    dock = min(hole.scenario.docks, key=lambda d: relay.navigator.distance(position, d.position))
    assert dock.id == "dock-south"
    points = points_along(relay.navigator.path(position, dock.position))
    first = int(np.argmax(covered_at(relay, points)))
    along = np.hypot(*np.diff(points[: first + 1], axis=0).T).sum()
    assert home.wait_s == pytest.approx(along / slowest, abs=relay.map.resolution / slowest)


def test_the_hover_point_is_where_both_hops_first_reach_the_top_cqi_by_hand():
    """One gNB (UMa, 25 m mast) and a drone at 25 m, a boat 300 m east of the mast. The relayed rate is
    highest (both hops on CQI 15 over the whole band) where both SNRs exceed the CQI-15 threshold
    T = 10 log(2^(7.4063/0.6) − 1) = 37.16 dB, and among those points the search keeps the one nearest
    the boat. By hand, with 26 dBm from the boat and the drone and −174 + 80 + 5 + 3 = −86 dBm of noise:
    - drone → gNB (UMa-AV LOS at h = 25 m, Pr_LOS 0.89 at 280 m): 28 + 22 log d + 20 log 3.5
      ≤ 26 + 18 + 86 − T, so d ≤ 10^((26 + 18 + 86 − T − 28 − 20 log 3.5) / 22) = 283.6 m;
    - boat → drone (free space, 23.5 m up): 20 log(40π d_3D 3.5/3) ≤ 26 + 86 − T, d_2D ≤ 29.4 m.
    The nearest such point lies on the line to the mast, 300 − 283.6 = 16.4 m from the boat."""
    gnb = '{"id": "g", "position": [500, 500], "height": 25, "antenna_gain_dbi": 18, "uplink_share": 0.6}'
    scenario = load_scenario(
        DEFAULT, [f"gnbs=[{gnb}]", "drones.0.altitude=25", "network.radio.shadowing=false"]
    )
    relay = Simulation(scenario).relay
    top = 10 * math.log10(2 ** (7.4063 / 0.6) - 1)
    reach = 10 ** ((26 + 18 + 86 - top - 28 - 20 * math.log10(3.5)) / 22)
    free_space_3d = 10 ** ((26 + 86 - top - 20 * math.log10(40 * math.pi * 3.5 / 3)) / 20)
    access = math.sqrt(free_space_3d**2 - 23.5**2)
    assert (round(reach, 1), round(access, 1)) == (283.6, 29.4)
    boat = (800.0, 500.0)
    x, y = relay.hops.best_station(scenario.drones[0], [boat], relay.profile)
    assert (x, y) == pytest.approx((500.0 + reach, 500.0), abs=REFINE_STEP_M)
    # a boat within the backhaul's reach: the drone hovers right above it
    assert relay.hops.best_station(scenario.drones[0], [(700.0, 500.0)], relay.profile) == (700.0, 500.0)


def test_the_hover_point_is_chosen_again_when_the_served_boats_change():
    """The geometry of the test above, the mast 300 m west of boat A, both boats in a 60 dB shadow. A drone
    out for A's mission takes on boat B (40 m north of A): it moves to where both hops of both boats are
    on CQI 15 (within 283.6 m of the mast and 29.4 m of each boat), and back to A's point when B's
    mission ends. Each move takes distance / speed, during which the old point serves."""
    gnb = '{"id": "g", "position": [480, 420], "height": 25, "antenna_gain_dbi": 18, "uplink_share": 0.6}'
    shadow = "[{id: s, polygon: [[740, 390], [830, 390], [830, 490], [740, 490]], loss_db: 60}]"
    overrides = [f"gnbs=[{gnb}]", "drones.0.altitude=25", "network.radio.shadowing=false"]
    simulation = Simulation(load_scenario(DEFAULT, [*overrides, f"network.radio.obstructions={shadow}"]))
    relay, drone, start = simulation.relay, simulation.scenario.drones[0], simulation.boats[0].position
    a, b = (780.0, 420.0), (780.0, 460.0)
    alone = relay.hops.best_station(drone, [a], relay.profile)
    both = relay.hops.best_station(drone, [a, b], relay.profile)
    assert alone == pytest.approx((763.6, 420.0), abs=REFINE_STEP_M)
    assert math.hypot(both[0] - 480, both[1] - 420) <= 283.65 and math.dist(both, b) <= 29.45
    top = relay.relay_rate(drone, both, b, EMBB)[0]
    assert relay.relay_rate(drone, both, a, EMBB)[0] == top
    assert relay.relay_rate(drone, alone, b, EMBB)[0] < top  # B is 40 m off A's point
    relay.mission_started(1, start, a, 2.5, 0.0)
    relay.mission_started(2, start, b, 2.5, 10.0)  # the drone is busy: it takes B on
    on_station = flight_s(drone, a, relay)
    moved = on_station + math.dist(alone, both) / drone.speed
    assert relay.route(b, on_station + 1.0, EMBB, Direction.UPLINK).rate_bps < top
    assert relay.route(b, moved + 1.0, EMBB, Direction.UPLINK).rate_bps == top
    relay.mission_ended(2, 600.0)
    back = 600.0 + math.dist(both, alone) / drone.speed
    assert relay.better_route(b, 601.0, EMBB, 0.0).rate_bps == top
    assert relay.better_route(b, back + 1.0, EMBB, 0.0).rate_bps == relay.relay_rate(drone, alone, b, EMBB)[0]
