"""Dispatch and boats: exact small timelines with deterministic links."""

from __future__ import annotations

import numpy as np
import pytest

from sim.fleet.boats import BoatState
from sim.fleet.policies import POLICIES, register_policy
from sim.scenario.models import Kind
from tests.helpers.dispatch_rig import COMMAND_S, POND, TRANSIT, TRANSIT_J, Rig

# Fixed 1 ms access, 8 Mbit/s, no retransmissions: a 256-byte command takes 1.256 ms.
# The dock snaps to (1, 100); the boat stops 0.9 x 30 m short of a swimmer at (101, 100): 73 m at
# 2 m/s, speeding up at 0.5 m/s^2 (4 s over 4 m) and slowing at 1 m/s^2 (2 s over 2 m), 67 m cruising.


def test_single_incident_timeline(default_scenario):
    rig = Rig(default_scenario)
    rig.swimmer(1, (101.0, 100.0))
    rig.alarm_at(0.0, 1, (101.0, 100.0), 1)
    (mission,), marks = rig.run()
    depart = 5.0 + COMMAND_S
    arrive = depart + TRANSIT
    first_warning = arrive + 10.0
    second_warning = first_warning + 60.0  # the first warning is ignored
    left = second_warning + 40.0  # the second is heeded after 40 s
    uploaded = left + 0.001 + 1000 * 8 / 8e6
    assert marks[1] == pytest.approx(
        {
            "t_alarm_received": 0.0,
            "t_dispatched": 5.0,
            "t_boat_arrived": arrive,
            "t_warning": first_warning,
            "t_offender_left": left,
            "t_evidence_uploaded": uploaded,
        }
    )
    assert mission.t_assigned == 5.0
    assert mission.t_depart == pytest.approx(depart)
    assert mission.t_arrive == pytest.approx(arrive)
    assert mission.t_done == pytest.approx(uploaded)
    assert mission.t_back == pytest.approx(uploaded + TRANSIT)
    assert mission.distance_m == pytest.approx(146.0)
    # On scene: hotel and camera throughout, the loudspeaker for two 15 s messages.
    on_scene_j = (uploaded - arrive) * (50.0 + 15.0) + 2 * 15.0 * 60.0
    assert mission.energy_wh == pytest.approx((2 * TRANSIT_J + on_scene_j) / 3600.0)
    assert mission.incident_id == 1
    assert rig.boats[0].state is BoatState.DOCKED


def test_offender_who_never_heeds_is_non_compliant(default_scenario):
    rig = Rig(default_scenario)
    rig.swimmer(1, (101.0, 100.0), heeds=(False, False, False))
    rig.alarm_at(0.0, 1, (101.0, 100.0), 1)
    _, marks = rig.run()
    arrive = 5.0 + COMMAND_S + TRANSIT
    gave_up = arrive + 10.0 + 60.0 + 60.0 + 100.0  # three warnings, then the give-up time
    assert marks[1]["t_gave_up"] == pytest.approx(gave_up)
    assert "t_offender_left" not in marks[1]


def test_false_alarm_mission_finds_nobody(default_scenario):
    rig = Rig(default_scenario)
    rig.alarm_at(0.0, 1, (101.0, 100.0), None)
    (mission,), marks = rig.run()
    assert mission.incident_id is None
    assert mission.t_done == mission.t_arrive == pytest.approx(5.0 + COMMAND_S + TRANSIT)
    assert dict(marks) == {}


def test_alarms_near_an_open_case_join_it(default_scenario):
    rig = Rig(default_scenario)
    rig.swimmer(1, (101.0, 100.0))
    rig.alarm_at(0.0, 1, (101.0, 100.0), 1)
    rig.alarm_at(2.0, 2, (110.0, 100.0), 1)  # another camera, 9 m away
    missions, _ = rig.run()
    assert len(missions) == 1
    assert rig.recorder.dispatched_alarms == {1, 2}


def test_second_case_waits_for_the_only_boat(default_scenario):
    rig = Rig(default_scenario)
    rig.swimmer(1, (101.0, 100.0), heeds=(True, True, True))
    rig.swimmer(2, (101.0, 190.0), heeds=(True, True, True))
    rig.alarm_at(0.0, 1, (101.0, 100.0), 1)
    rig.alarm_at(1.0, 2, (101.0, 190.0), 2)  # 90 m away: a separate case
    first, second = rig.run()[0]
    # The boat is re-tasked as soon as it finishes the first mission (while it would start home).
    assert second.t_assigned == pytest.approx(first.t_done)
    assert first.t_back is None
    assert second.t_back is not None


def test_two_boats_serve_two_cases_at_once(default_scenario):
    rig = Rig(default_scenario, boats=2)
    rig.swimmer(1, (101.0, 100.0))
    rig.swimmer(2, (101.0, 190.0))
    rig.alarm_at(0.0, 1, (101.0, 100.0), 1)
    rig.alarm_at(1.0, 2, (101.0, 190.0), 2)
    first, second = rig.run()[0]
    assert {first.boat_id, second.boat_id} == {"b0", "b1"}
    assert second.t_assigned == pytest.approx(6.0)


def test_policy_registry():
    assert "nearest_idle" in POLICIES
    with pytest.raises(ValueError, match="already registered"):
        register_policy("nearest_idle", object)


def test_boat_returns_to_the_nearest_dock(default_scenario):
    rig = Rig(default_scenario)
    boat = rig.boats[0]
    boat.docks = (*boat.docks, POND.snap(199.0, 190.0))  # a second dock on the far side
    rig.swimmer(1, (180.0, 190.0), heeds=(True, True, True))
    rig.alarm_at(0.0, 1, (180.0, 190.0), 1)
    (mission,), _ = rig.run()
    assert mission.t_back is not None
    np.testing.assert_allclose(boat.position, POND.snap(199.0, 190.0))


def test_everyone_in_earshot_hears_the_warning(default_scenario):
    rig = Rig(default_scenario)
    rig.swimmer(1, (101.0, 100.0), heeds=(True, True, True))
    # The boat stops at (74, 100): swimmer 2 is 22 m away (in the 30 m range), swimmer 3 is 86 m away.
    rig.swimmer(2, (90.0, 115.0), heeds=(False, False, True))
    rig.swimmer(3, (160.0, 100.0), heeds=(True, True, True))
    rig.alarm_at(0.0, 1, (101.0, 100.0), 1)
    (mission,), marks = rig.run(until=1000.0)
    arrive = 5.0 + COMMAND_S + TRANSIT
    first_warning = arrive + 10.0
    assert marks[1]["t_warning"] == marks[2]["t_warning"] == pytest.approx(first_warning)
    assert marks[1]["t_offender_left"] == pytest.approx(first_warning + 30.0)
    # Swimmer 2 ignores two warnings and heeds the third.
    assert marks[2]["t_offender_left"] == pytest.approx(first_warning + 120.0 + 50.0)
    assert mission.t_done == pytest.approx(first_warning + 170.0 + 0.002)
    assert 3 not in marks


def test_an_overloaded_queue_is_served_first_come_first_served_to_the_end(short_scenario):
    """Two hours flooded with false alarms (about 20 per camera-hour of each kind, far more than three boats
    can serve): the run ends, cases are served in the order they were queued, each at most once, and no
    boat is on two missions at a time."""
    from sim.engine import run
    from sim.scenario.models import FalseAlarmCalibration

    flood = FalseAlarmCalibration(max_rate_per_hour=40.0, intercept=0.0)
    calibration = short_scenario.calibration.model_copy(update={"false_alarms": dict.fromkeys(Kind, flood)})
    detection = short_scenario.detection.model_copy(update={"calibration": calibration, "threshold": 0.5})
    result = run(short_scenario.model_copy(update={"detection": detection}), seed=2)
    missions = result.missions.sort_values("t_assigned", kind="stable")
    false_alarms = result.alarms["incident_id"].isna().sum()
    assert len(missions) < false_alarms / 2  # overloaded: most false alarms never get a boat
    assert missions["case_id"].is_monotonic_increasing
    assert missions["case_id"].is_unique
    for _boat, own in missions.groupby("boat_id"):
        assert (own["t_assigned"].to_numpy()[1:] >= own["t_done"].to_numpy()[:-1]).all()


def test_evidence_never_shows_gone_an_offender_still_on_the_way_out(default_scenario):
    """An earlier boat's warning made the offender promise to leave at t = 1000 s; this boat
    warns, gives up and uploads its evidence long before that: the evidence cannot show them gone."""
    rig = Rig(default_scenario)
    rig.swimmer(1, (101.0, 100.0), heeds=(False, False, False))
    rig.world.mark(1, "t_warning", 0.0)
    rig.world.offender_left(1, 1000.0)
    rig.alarm_at(0.0, 1, (101.0, 100.0), 1)
    (mission,), marks = rig.run()
    assert mission.t_done < 1000.0
    assert marks[1]["t_offender_left"] == 1000.0
    assert "t_evidence_uploaded" not in marks[1]
