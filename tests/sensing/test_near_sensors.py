"""The sensors an incident is checked against: those whose region's bounding box meets its track's, found
for all sensors at once, are every sensor that can see it, in the scenario's order."""

from __future__ import annotations

import dataclasses

from shapely.geometry import Polygon

from sim.engine import Simulation
from sim.loading import load_scenario
from sim.sensing.sensors import visible_intervals
from sim.sensing.statistical import StatisticalSensing
from sim.world.daylight import Daylight
from tests.helpers.paths import DEFAULT


def test_the_sensors_left_out_see_nothing_and_an_empty_region_is_left_out():
    scenario = load_scenario(DEFAULT, ["run.duration=12h", "run.seed=4"])
    simulation, zone = Simulation(scenario), scenario.zone
    sensing = simulation.sensing
    empty = dataclasses.replace(sensing.sensors[0], id="blind", region=Polygon())
    sensors = [empty, *sensing.sensors]
    daylight = Daylight(scenario.run.start, zone.latitude_deg, zone.longitude_deg, zone.utc_offset_h)
    near_all = StatisticalSensing(sensors, sensing.model, daylight, sensing.horizon_s)._near
    left_out = 0
    for incident in simulation.incidents:
        near = near_all(incident)
        assert empty not in near
        assert near == [s for s in sensors if s in near]  # the scenario's order
        for sensor in sensors:
            seen = visible_intervals(incident.track, sensor.region, incident.t_start, incident.t_end)
            assert sensor in near or not seen
        left_out += len(sensors) - len(near)
    assert len(simulation.incidents) > 5 and left_out > len(simulation.incidents)  # one empty each, and more
