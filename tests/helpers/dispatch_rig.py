"""A dispatch centre with its boats on a 200 m square pond, with deterministic links."""

from __future__ import annotations

import numpy as np
import simpy
from shapely.geometry import box

from sim.fleet.boats import Boat
from sim.fleet.dispatch import DispatchCenter
from sim.network import radio
from sim.network.links import Direction, FixedAccess, Link, LinkProfile, Scheduling, Service
from sim.scenario.models import Boat as BoatSpec
from sim.scenario.models import Kind
from sim.world.geometry import WaterNavigator
from sim.world.ground_truth import World
from sim.world.incidents import Incident, Track
from sim.world.recorder import Recorder
from sim.world.records import Alarm

TIMING = Scheduling(period_ttis=0, fixed_ttis=1000)  # 1 ms in TTIs of 1 µs


FIXED = LinkProfile("fixed", Service.EMBB, TIMING, TIMING, 0.0, 0, radio.CQI_NR_64QAM, source="test")


ACCESS = FixedAccess(rate_bps=8e6, tti_s=1e-6)


COMMAND_S = 0.001 + 256 * 8 / 8e6


TRANSIT = 4.0 + 67.0 / 2.0 + 2.0


TRANSIT_J = 50.0 * TRANSIT + 20.0 * (2.0**3 * 67.0 / 2.0 + 2.0**4 / (4 * 0.5) + 2.0**4 / (4 * 1.0))
"""Hotel load over the trip plus k * integral of v^3: v^4 / (4a) speeding up, v^4 / (4b) slowing down."""


POND = WaterNavigator(box(0, 0, 200, 200), margin=1.0)


class Rig:
    """One dispatch centre, its boats and a world, on a 200 m square pond."""

    def __init__(
        self,
        scenario,
        boats: int = 1,
        decision_time: float = 5.0,
        docks=None,
        boat_updates: dict | None = None,
        **dispatch_updates,
    ):
        """``docks``: each boat's dock (default all at (1, 100)); ``dispatch_updates``: e.g. policy."""
        self.env = simpy.Environment()
        self.recorder = Recorder()
        incidents = scenario.incidents.model_copy(
            update={
                "swimming": scenario.incidents.swimming.model_copy(
                    update={
                        "compliance": scenario.incidents.swimming.compliance.model_copy(
                            update={"max_warnings": 3, "warning_interval": 60.0}
                        )
                    }
                )
            }
        )
        self.world = World(incidents, self.recorder)
        spec = BoatSpec(
            id="b",
            dock="d",
            cruise_speed=2.0,
            max_speed=4.0,
            battery_wh=1000.0,
            reserve_wh=100.0,
            hotel_power_w=50.0,
            drag_coefficient=20.0,
            loudspeaker_range=30.0,
            acceleration=0.5,
            deceleration=1.0,
            camera_power_w=15.0,
            loudspeaker_power_w=60.0,
        ).model_copy(update=boat_updates or {})
        docks = docks or [(1.0, 100.0)] * boats
        self.boats = [
            Boat(spec.model_copy(update={"id": f"b{i}"}), dock, POND, self.env, self.recorder.legs)
            for i, dock in enumerate(docks)
        ]
        on_scene = scenario.dispatch.on_scene.model_copy(
            update={
                "warning_setup": 10.0,
                "give_up_after": 100.0,
                "evidence_photos": 1,
                "photo_bytes": 1000,
                "clip_bytes": 0,
            }
        )
        config = scenario.dispatch.model_copy(
            update={"decision_time": decision_time, "on_scene": on_scene} | dispatch_updates
        )
        rng = np.random.default_rng(0)
        self.dispatch = DispatchCenter(
            self.env,
            config,
            self.boats,
            Link(FIXED, Direction.DOWNLINK, 0.0, rng, ACCESS),
            Link(FIXED, Direction.UPLINK, 0.0, rng, ACCESS),
            self.world,
            self.recorder,
            operator_rng=np.random.default_rng(1),
        )

    def swimmer(
        self, incident_id: int, xy, heeds=(False, True, True), t_end=10_000.0, kind=Kind.SWIMMING
    ) -> Incident:
        track = Track(np.array([0.0, t_end]), np.array([xy, xy], dtype=float))
        incident = Incident(incident_id, kind, "a", 0.0, t_end, track, 0.35, heeds, (30.0, 40.0, 50.0))
        self.world.appear(incident)
        return incident

    def alarm_at(self, t: float, alarm_id: int, xy, incident_id: int | None, kind=Kind.SWIMMING) -> None:
        alarm = Alarm(alarm_id, t, "cam", kind, *xy, 0.9, incident_id)
        self.env.timeout(t).callbacks.append(lambda _: self.dispatch.receive(alarm))

    def run(self, until: float = 5000.0):
        self.env.run(until=until)
        return self.dispatch.mission_records(), self.recorder.marks
