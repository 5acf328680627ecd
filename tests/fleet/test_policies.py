"""Dispatch policies, the operator, refusals for lack of charge and patrols: small exact scenes.

The rig is the 200 m pond of ``test_dispatch.py``: boats cruise at 2 m/s, speed
up at 0.5 m/s² and slow at 1 m/s², hear-range 30 m, commands take 1.256 ms.
"""

from __future__ import annotations

import pytest
from shapely.geometry import box

from sim.fleet.boats import Boat, BoatState, Task
from sim.fleet.policies import POLICIES, AfterCurrent, FastestEta
from sim.scenario.models import ConstantSpec, Kind, Operator
from sim.world.geometry import WaterNavigator
from sim.world.records import Alarm
from tests.helpers.dispatch_rig import COMMAND_S, TRANSIT, Rig


def test_all_policies_registered():
    assert {"nearest_idle", "fastest_eta", "priority", "zone_patrol"} <= set(POLICIES)


@pytest.mark.parametrize(("busy_for", "expected"), [(10.0, "b1"), (500.0, "b0")])
def test_fastest_eta_counts_a_busy_boat_finishing_nearby(default_scenario, busy_for, expected):
    rig = Rig(default_scenario, boats=2, docks=[(1.0, 100.0), (150.0, 100.0)], policy="fastest_eta")
    _b0, b1 = rig.boats
    # b1 is busy at (150, 100) until busy_for; b0 is idle 132 m (about 69 s) away from the case's range.
    b1.task = Task(7, "swimming", (150.0, 100.0), (150.0, 100.0), t_free=busy_for)
    rig.swimmer(1, (160.0, 100.0))
    rig.alarm_at(0.0, 1, (160.0, 100.0), 1)
    rig.env.run(until=0.001)
    case = rig.dispatch.cases[0]
    choice = FastestEta().choose(case, rig.boats)
    boat = choice.boat if isinstance(choice, AfterCurrent) else choice
    assert boat.id == expected
    assert isinstance(choice, AfterCurrent) == (expected == "b1")


def test_fastest_eta_boat_takes_its_waiting_case_when_done(default_scenario):
    rig = Rig(default_scenario, boats=2, docks=[(1.0, 100.0), (199.0, 100.0)], policy="fastest_eta")
    rig.swimmer(1, (150.0, 100.0), heeds=(False, False, True))  # b1 is on scene until about 200 s
    rig.swimmer(2, (150.0, 160.0), heeds=(True, True, True))
    rig.alarm_at(0.0, 1, (150.0, 100.0), 1)
    # At 135 s b1 is expected free at about 143 s (mean time on scene) and 66 m away: ETA about
    # 30 s against about 70 s for b0, idle at the west end.
    rig.alarm_at(130.0, 2, (150.0, 160.0), 2)
    first, second = rig.run(until=2000.0)[0]
    assert first.boat_id == second.boat_id == "b1"
    assert first.t_done > 190.0
    assert second.t_assigned == pytest.approx(first.t_done)  # straight from the first scene


def test_priority_serves_swimmers_before_fishers(default_scenario):
    for policy, order in (("nearest_idle", [1, 2, 3]), ("priority", [1, 3, 2])):
        rig = Rig(default_scenario, policy=policy)
        rig.swimmer(1, (101.0, 100.0))  # keeps the only boat busy for a while
        rig.swimmer(2, (101.0, 190.0), kind=Kind.FISHING, heeds=(True, True, True))
        rig.swimmer(3, (190.0, 20.0), heeds=(True, True, True))
        rig.alarm_at(0.0, 1, (101.0, 100.0), 1)
        rig.alarm_at(1.0, 2, (101.0, 190.0), 2, kind=Kind.FISHING)
        rig.alarm_at(2.0, 3, (190.0, 20.0), 3)
        missions, _ = rig.run(until=3000.0)
        assert [m.incident_id for m in missions] == order, policy


def test_priority_retargets_a_boat_under_way_to_a_fisher(default_scenario):
    rig = Rig(default_scenario, policy="priority")
    rig.swimmer(1, (190.0, 190.0), kind=Kind.FISHING, heeds=(True, True, True))
    rig.swimmer(2, (40.0, 160.0), heeds=(True, True, True))
    rig.alarm_at(0.0, 1, (190.0, 190.0), 1, kind=Kind.FISHING)
    rig.alarm_at(40.0, 2, (40.0, 160.0), 2)  # the boat is about 60 m out, nearer the swimmer
    first, second, third = rig.run(until=3000.0)[0]
    assert (first.incident_id, first.status, first.t_arrive) == (1, "preempted", None)
    assert first.t_done == second.t_assigned == pytest.approx(45.0)  # after the 5 s decision time
    assert (second.incident_id, second.status) == (2, "completed")
    assert (third.incident_id, third.status) == (1, "completed")  # the fisher is served afterwards
    assert third.t_assigned == pytest.approx(second.t_done)


def test_nearest_idle_does_not_retarget(default_scenario):
    rig = Rig(default_scenario)
    rig.swimmer(1, (190.0, 190.0), kind=Kind.FISHING, heeds=(True, True, True))
    rig.swimmer(2, (40.0, 160.0), heeds=(True, True, True))
    rig.alarm_at(0.0, 1, (190.0, 190.0), 1, kind=Kind.FISHING)
    rig.alarm_at(40.0, 2, (40.0, 160.0), 2)
    missions, _ = rig.run(until=3000.0)
    assert [(m.incident_id, m.status) for m in missions] == [(1, "completed"), (2, "completed")]


OPERATOR = Operator(delay=ConstantSpec(dist="constant", value=10.0), reject_false_share=1.0)


def test_operator_rejects_a_false_alarm_and_the_mission_aborts(default_scenario):
    rig = Rig(default_scenario, operator=OPERATOR)
    rig.alarm_at(0.0, 1, (101.0, 100.0), None)
    (mission,), _ = rig.run()
    assert mission.status == "rejected"
    assert mission.t_done == pytest.approx(10.0)  # 5 s after departure, on the way out
    assert mission.t_arrive is None
    assert mission.t_back is not None and 0 < mission.distance_m < 2 * 74.0
    assert rig.boats[0].state is BoatState.DOCKED
    assert rig.dispatch.cases[0].rejected


def test_operator_never_rejects_a_true_alarm(default_scenario):
    rig = Rig(default_scenario, operator=OPERATOR)
    rig.swimmer(1, (101.0, 100.0))
    rig.alarm_at(0.0, 1, (101.0, 100.0), 1)
    (mission,), marks = rig.run()
    assert mission.status == "completed"
    assert marks[1]["t_boat_arrived"] == pytest.approx(5.0 + COMMAND_S + TRANSIT)


def test_a_boat_that_could_not_come_back_waits_for_charge(default_scenario):
    rig = Rig(default_scenario, boat_updates={"battery_wh": 200.0, "reserve_wh": 100.0})
    boat = rig.boats[0]
    boat.battery.stop_charging(0.0)
    boat.battery.draw(95.0)  # 105 Wh left, charging at 1000 W from t = 0
    boat.battery.start_charging(0.0)
    budget = rig.dispatch.budgets[Kind.SWIMMING]
    needed = 100.0 + boat.mission_energy_wh((101.0, 100.0), budget)
    rig.swimmer(1, (101.0, 100.0))
    rig.alarm_at(0.0, 1, (101.0, 100.0), 1)
    (mission,), _ = rig.run()
    assert needed > 105.0 + 5.0 / 3.6  # more than it holds when the case is queued at 5 s
    assert mission.t_assigned == pytest.approx((needed - 105.0) * 3.6)  # 1 Wh takes 3.6 s at 1000 W
    assert min(leg.battery1_wh for leg in rig.recorder.legs) >= 100.0


def test_a_charge_short_by_rounding_does_not_stall_the_clock(default_scenario):
    """A boat short of a case's charge by less than the clock can resolve (here 1e-13 Wh, 3.6e-13 s of
    charging, at t = 13931.3 s where one step of the clock is 1.8e-12 s) must still be sent: the wake-up
    once came back at the same instant for ever (a 6-h run with the tuned calibration never ended)."""
    rig = Rig(default_scenario, decision_time=0.0, boat_updates={"battery_wh": 200.0, "reserve_wh": 100.0})
    boat, t = rig.boats[0], 13931.3
    rig.env.run(until=t)
    budget = rig.dispatch.budgets[Kind.SWIMMING]
    needed = 100.0 + boat.mission_energy_wh((101.0, 100.0), budget)
    boat.battery.stop_charging(t)
    boat.battery.draw(boat.battery.level(t) - (needed - 1e-13))
    boat.battery.start_charging(t)
    wait = boat.battery.time_to_reach(needed, t)
    assert wait > 0 and t + wait == t  # the rounding case itself
    rig.swimmer(1, (101.0, 100.0))
    rig.dispatch.receive(Alarm(1, t, "cam", Kind.SWIMMING, 101.0, 100.0, 0.9, 1))
    for _ in range(1000):
        if rig.dispatch.mission_records():
            break
        rig.env.step()
    (mission,) = rig.dispatch.mission_records()
    assert mission.t_assigned == pytest.approx(t, abs=1e-9)


def test_a_mission_beyond_the_battery_is_never_sent(default_scenario):
    rig = Rig(default_scenario, boat_updates={"battery_wh": 105.0, "reserve_wh": 100.0})
    rig.swimmer(1, (101.0, 100.0))
    rig.alarm_at(0.0, 1, (101.0, 100.0), 1)
    missions, _marks = rig.run()
    assert missions == []
    assert rig.dispatch.queue == rig.dispatch.cases


def test_zone_patrol_boats_wait_on_the_water(default_scenario):
    rig = Rig(default_scenario, policy="zone_patrol", patrol_points=((100.0, 100.0),))
    rig.swimmer(1, (150.0, 100.0), heeds=(True, True, True))
    rig.alarm_at(300.0, 1, (150.0, 100.0), 1)
    (mission,), marks = rig.run(until=1000.0)
    boat = rig.boats[0]
    assert boat.state is BoatState.PATROLLING
    assert boat.position == pytest.approx((100.0, 100.0))
    # From the patrol point 23 m of the 50 m remain to be in range: far quicker than from the dock.
    assert marks[1]["t_boat_arrived"] - 305.0 < 20.0
    assert mission.t_back is not None  # back on station


def test_patrol_boat_goes_home_to_charge_and_comes_back(default_scenario):
    rig = Rig(
        default_scenario,
        policy="zone_patrol",
        patrol_points=((100.0, 100.0),),
        boat_updates={"battery_wh": 120.0, "reserve_wh": 100.0},
    )
    rig.run(until=3000.0)
    states = [leg.state for leg in rig.recorder.legs if leg.state != "docked" or leg.t1 > leg.t0]
    compact = [s for i, s in enumerate(states) if i == 0 or s != states[i - 1]]
    assert compact[:6] == ["returning", "patrolling", "returning", "docked", "returning", "patrolling"]
    assert min(leg.battery1_wh for leg in rig.recorder.legs) >= 100.0 - 1e-9


def test_a_moving_boat_reports_where_it_is_and_its_charge(default_scenario):
    rig = Rig(default_scenario)
    boat = rig.boats[0]
    route = boat.route(boat.position, (150.0, 100.0))
    rig.env.process(boat.travel(route, BoatState.OUTBOUND))
    rig.env.run(until=20.0)
    # 4 s speeding up (4 m), then 16 s at 2 m/s: 36 m east of the dock at (1, 100).
    assert boat.position == pytest.approx((37.0, 100.0))
    spent_j = 50.0 * 20.0 + 20.0 * (2.0**4 / (4 * 0.5) + 2.0**3 * 16.0)
    assert boat.battery_wh() == pytest.approx(1000.0 - spent_j / 3600.0)


def test_boats_are_never_sent_to_other_water(default_scenario):
    ponds = box(0, 0, 100, 100).union(box(200, 0, 300, 100))
    navigator = WaterNavigator(ponds, 1.0)
    rig = Rig(default_scenario)
    boat = Boat(rig.boats[0].spec, (50.0, 50.0), navigator, rig.env, [])
    assert boat.reachable((60.0, 60.0))
    assert not boat.reachable((250.0, 50.0))
    assert boat.route_home((60.0, 60.0)).end == pytest.approx((50.0, 50.0))
