"""The drone relay: when it flies, how long, and what it offers a boat in a hole."""

from __future__ import annotations

import math

import pytest

from sim.engine import Simulation
from sim.loading import load_scenario
from sim.network import PROFILES, Direction

from .conftest import SCENARIOS

HOLE_TARGET = (780.0, 420.0)
"""In the east-bay radio shadow of scenarios/coverage_hole.yaml."""


@pytest.fixture()
def hole():
    return Simulation(load_scenario(SCENARIOS / "coverage_hole.yaml"))


def test_a_mission_into_the_hole_sends_the_drone(hole):
    relay, drone = hole.relay, hole.scenario.drones[0]
    start = hole.boats[0].position
    relay.mission_started(1, start, HOLE_TARGET, 2.5, 100.0)
    fly = math.hypot(math.dist(drone.position, HOLE_TARGET), drone.altitude) / drone.speed
    route = relay.route(HOLE_TARGET, 100.0, PROFILES["nr_embb"], Direction.UPLINK)
    assert route.via.startswith(drone.id + ">")
    assert route.wait_s == pytest.approx(fly)  # on station after the flight
    assert relay.route(HOLE_TARGET, 100.0 + fly + 1, PROFILES["nr_embb"], Direction.UPLINK).wait_s == 0.0
    # busy: a second mission gets no drone and its transfers wait for the boat's way back
    relay.mission_started(2, start, (790.0, 600.0), 2.5, 110.0)
    relay.mission_ended(1, 400.0)
    (sortie,) = relay.sorties
    assert (sortie.t_depart, sortie.t_leave) == (100.0, 400.0)
    assert sortie.t_back == pytest.approx(400.0 + fly)


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
    plan = relay._plan(state, HOLE_TARGET, 0.0)
    fly = math.hypot(math.dist(spec.position, HOLE_TARGET), spec.altitude) / spec.speed
    depart, arrive, leave_by, flight_left = plan
    # charges at endurance / charge_time per second until the round trip fits
    assert depart == pytest.approx((2 * fly - 30.0) * spec.charge_time / spec.endurance)
    assert arrive == pytest.approx(depart + fly)
    assert leave_by == pytest.approx(depart + flight_left - fly)


def test_a_target_beyond_reach_gets_no_drone(hole):
    relay = hole.relay
    state = relay.drones[0]
    far = (state.spec.position[0] + state.spec.speed * state.spec.endurance, state.spec.position[1])
    assert relay._plan(state, far, 0.0) is None


def test_a_mission_starting_inside_the_hole_waits_for_the_nearest_coverage(hole):
    """A boat re-tasked on the water inside the hole: its path holds no covered point; the transfer waits
    for the straight run to the nearest covered cell instead of failing."""
    relay = hole.relay
    relay.drones.clear()
    start = (783.0, 424.0)  # a few metres away, in the shadow too
    relay.mission_started(1, start, HOLE_TARGET, 2.5, 0.0)
    assert not relay._covered_at(relay._trips[1].samples).any()
    route = relay.route(HOLE_TARGET, 0.0, PROFILES["nr_embb"], Direction.UPLINK)
    rows, cols = relay._covered.nonzero()
    nearest = min(
        math.dist(HOLE_TARGET, (relay.map.x[c], relay.map.y[r])) for r, c in zip(rows, cols, strict=True)
    )
    assert route.wait_s == pytest.approx(nearest / 2.5)
    assert route.rate_bps > 0
