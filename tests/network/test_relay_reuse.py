"""What the relay and the radio map keep to answer again: each kept answer is the one computed afresh,
and nothing is kept where it would differ (another altitude, another seed, a drone out of reach)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.core.rng import RandomStreams
from sim.engine import Simulation
from sim.loading import load_scenario
from sim.network.links import PROFILES
from sim.network.radio_map import RadioMap
from sim.network.relay_station import RELAY_REACH_M, RelayHops
from sim.network.run_network import MAPS_KEPT, radio_map_of
from tests.helpers.paths import DEFAULT, SCENARIOS

HOLE_TARGET = (780.0, 420.0)
"""In the east-bay radio shadow of scenarios/coverage_hole.yaml."""
EMBB = PROFILES["nr_embb"]


@pytest.fixture(scope="module")
def hole():
    return Simulation(load_scenario(SCENARIOS / "coverage_hole.yaml"))


def test_a_kept_single_rate_is_the_rate_computed_afresh(hole):
    hops, drone = hole.relay.hops, hole.scenario.drones[0]
    station, sender = (760.0, 450.0), HOLE_TARGET
    rates, best = RelayHops(hole.relay.map).rates(drone, np.array([station]), sender, EMBB)
    first = hops.rate(drone, station, sender, EMBB)
    assert first == (float(rates[0]), int(best[0])) and first[0] > 0
    assert hops.rate(drone, station, sender, EMBB) is first  # kept
    moved = hops.rate(drone, (station[0] + 150.0, station[1]), sender, EMBB)
    afresh = RelayHops(hole.relay.map).rates(drone, np.array([[910.0, 450.0]]), sender, EMBB)
    assert moved[0] == float(afresh[0][0])


def test_drones_at_one_altitude_share_the_hover_search_and_get_their_own_answers(hole):
    """Free drones asked about one target share the grid's worst rates; each answer is what a search of
    its own gives, and a drone at another altitude is searched afresh."""
    drone = hole.scenario.drones[0]
    other_base = drone.model_copy(update={"position": (drone.position[0] + 300.0, drone.position[1])})
    higher = drone.model_copy(update={"altitude": drone.altitude + 40.0})
    shared = RelayHops(hole.relay.map)
    for spec in (drone, other_base, higher):
        assert shared.best_station(spec, [HOLE_TARGET], EMBB) == RelayHops(hole.relay.map).best_station(
            spec, [HOLE_TARGET], EMBB
        )
    # One coarse and one fine grid for the two drones at one altitude (one best point), two for the other.
    assert len(shared._worst) == 4


def test_a_drone_out_of_reach_on_station_leaves_transfers_to_the_batch():
    hole = Simulation(load_scenario(SCENARIOS / "coverage_hole.yaml"))
    relay, drone = hole.relay, hole.scenario.drones[0]
    relay.mission_started(1, hole.boats[0].position, HOLE_TARGET, 2.5, 0.0)
    trip = relay._flights[drone.id][-1]
    station = trip.station_at(trip.t_arrive)
    on = trip.t_arrive + 10.0
    near = (station[0] + RELAY_REACH_M - 1.0, station[1])
    far = (station[0], station[1] + RELAY_REACH_M + 5.0)
    xy = np.array([near, far, near])
    t = np.array([on, on, trip.t_arrive - 1.0])  # the last before the drone is on station
    assert relay.may_relay(xy, t).tolist() == [True, False, False]
    assert math.dist(station, far) > RELAY_REACH_M  # better_route would not look at the far one
    assert relay.better_route(far, on, EMBB, 0.0) is None


def test_runs_and_figures_share_the_radio_map_of_equal_radio_inputs_and_seed():
    """A map is a pure function of the seed and what it reads (zone size, network.radio, gNBs): a run's
    figures and a variant that changes anything else get the very map; another seed or gNB its own, equal
    to one drawn afresh; the arrays are read-only; at most MAPS_KEPT are kept."""
    scenario = load_scenario(DEFAULT, ["run.duration=1h"])
    run = Simulation(scenario, 4)
    assert radio_map_of(scenario, 4) is run.network.radio_map
    variant = load_scenario(DEFAULT, ["run.duration=1h", "detection.threshold=0.6", "boats.0.cruise_speed=3"])
    assert Simulation(variant, 4).network.radio_map is run.network.radio_map
    other = radio_map_of(scenario, 5)
    fresh = RadioMap(scenario, RandomStreams(5).stream("network/radio"))
    assert other is not run.network.radio_map
    np.testing.assert_array_equal(other.gnbs[0].loss_db, fresh.gnbs[0].loss_db)
    np.testing.assert_array_equal(other.serving, fresh.serving)
    moved = load_scenario(DEFAULT, ["run.duration=1h", "gnbs.0.tx_power_dbm=40"])
    assert radio_map_of(moved, 4) is not run.network.radio_map
    with pytest.raises(ValueError, match="read-only"):
        other.gnbs[0].loss_db[0, 0] = 0.0
    for seed in range(6, 6 + MAPS_KEPT):
        radio_map_of(scenario, seed)
    assert radio_map_of(scenario, 5) is not other  # dropped, least recently used: drawn again, the same
    np.testing.assert_array_equal(radio_map_of(scenario, 5).gnbs[0].loss_db, fresh.gnbs[0].loss_db)


def test_prefetched_relay_rates_are_those_of_one_call_each():
    hole = Simulation(load_scenario(SCENARIOS / "coverage_hole.yaml"))
    relay, drone = hole.relay, hole.scenario.drones[0]
    relay.mission_started(1, hole.boats[0].position, HOLE_TARGET, 2.5, 0.0)
    trip = relay._flights[drone.id][-1]
    station, on = trip.station_at(trip.t_arrive), trip.t_arrive + 5.0
    rng = np.random.default_rng(3)
    xy = np.asarray(station) + rng.uniform(-RELAY_REACH_M, RELAY_REACH_M, (40, 2))
    t = np.where(np.arange(40) < 30, on, trip.t_arrive - 1.0)  # the last ten before it is on station
    relay.prefetch(xy, t, EMBB)
    kept = dict(relay.hops._one)
    near = [i for i in range(30) if math.dist(station, xy[i]) <= RELAY_REACH_M]
    assert len(kept) == len(near) > 5  # the reachable ones on station, no others
    fresh = RelayHops(relay.map)
    for i in near:
        sender = (float(xy[i, 0]), float(xy[i, 1]))
        assert relay.hops.rate(drone, station, sender, EMBB) == fresh.rate(drone, station, sender, EMBB)
    assert relay.hops._one == kept  # every one was there already
