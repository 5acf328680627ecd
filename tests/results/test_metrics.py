"""Recorder rules, outcomes, KPI arithmetic on hand-made tables."""

import numpy as np
import pandas as pd
import pytest

from sim.core.stats import distribution
from sim.results.tables import incidents_table, summarize, tracks_table
from sim.world.recorder import Recorder
from sim.world.records import Leg
from tests.helpers.builders import make_incident


def test_marks_keep_the_first_time():
    recorder = Recorder()
    recorder.mark(1, "t_detected", 10.0)
    recorder.mark(1, "t_detected", 5.0)
    assert recorder.marks[1] == {"t_detected": 10.0}


def test_stage_marks_only_move_forward():
    recorder = Recorder()
    recorder.mark(1, "t_warning", 50.0)  # a boat happened upon an offender no camera had seen
    recorder.mark(1, "t_detected", 60.0)  # a camera sees them afterwards: not a detection of the incident
    assert recorder.marks[1] == {"t_warning": 50.0}
    assert recorder.ignored_marks == 1
    recorder.mark(1, "t_gave_up", 70.0)  # bookkeeping fields are not stage stamps
    assert recorder.marks[1]["t_gave_up"] == 70.0


@pytest.mark.parametrize(
    ("marks", "t_end", "expected"),
    [
        ({"t_detected": 1, "t_warning": 5, "t_offender_left": 9}, 100, "deterred"),
        ({"t_detected": 1, "t_warning": 5, "t_gave_up": 400}, 1000, "non_compliant"),
        ({"t_detected": 1, "t_warning": 5}, 5000, "unresolved"),  # boat still on scene at the end
        ({"t_detected": 1, "t_dispatched": 3}, 100, "left_before_response"),
        ({}, 100, "missed"),
        ({}, 5000, "unresolved"),  # undetected but still there at the end
        ({"t_detected": 1}, 5000, "unresolved"),  # detected, response under way at the end
    ],
)
def test_outcomes(marks, t_end, expected):
    """The outcome column of incidents.csv for an incident from t = 0 to ``t_end`` in a 1-h run."""
    recorder = Recorder()
    for field, t in marks.items():
        recorder.mark(7, field, t)
    assert recorder.marks[7] == marks  # every mark taken: the outcome is decided on these
    table = incidents_table([make_incident(7, 0.0, t_end)], recorder, {}, horizon=3600.0)
    assert table["outcome"].tolist() == [expected]


def test_distribution_matches_numpy_and_handles_empty():
    values = np.random.default_rng(0).exponential(60, 501)
    stats = distribution(values)
    assert stats["n"] == 501
    assert stats["p90"] == pytest.approx(np.percentile(values, 90), abs=1e-3)
    assert stats["mean"] == pytest.approx(values.mean(), abs=1e-3)
    assert distribution(pd.Series([np.nan, np.nan])) == {
        "mean": None,
        "p50": None,
        "p90": None,
        "p99": None,
        "n": 0,
    }


def table(rows, columns):
    return pd.DataFrame(rows, columns=columns)


def test_summary_arithmetic_by_hand():
    stage_columns = ["t_detected", "t_alarm_received", "t_dispatched", "t_boat_arrived", "t_warning"]
    incidents = table(
        [
            ["swimming", 0.0, 10, 11, 12, 50, 60, "deterred"],
            ["swimming", 100.0, 130, 131, 132, 200, 220, "deterred"],
            ["fishing", 0.0, None, None, None, None, None, "missed"],
            ["fishing", 3000.0, None, None, None, None, None, "unresolved"],  # not judged yet
        ],
        ["kind", "t_start", *stage_columns, "outcome"],
    )
    alarms = table([[1, 1.0], [2, None], [3, None]], ["alarm_id", "incident_id"])
    missions = table(
        [[1, "a", 0.0, 100.0], [2, "a", 1000.0, None]], ["incident_id", "boat_id", "t_assigned", "t_back"]
    )
    missions["incident_id"] = missions["incident_id"].astype("Int64")
    missions.loc[1, "incident_id"] = pd.NA
    summary = summarize(incidents, alarms, missions, duration_s=3600.0, boats=2)
    assert summary["detection_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert summary["false_alarms_per_hour"] == 2.0
    assert summary["false_dispatches"] == 1
    assert summary["response_time_s"]["n"] == 2
    assert summary["response_time_s"]["mean"] == pytest.approx((60 + 120) / 2)
    assert summary["stages_s"]["transit"]["mean"] == pytest.approx((38 + 68) / 2)
    # Busy: 100 s, and 2600 s for the mission still out at the end; 2 boats x 3600 s.
    assert summary["boat_utilization"] == pytest.approx(2700 / 7200, abs=1e-4)
    assert summary["counts"]["outcomes"]["missed"] == 1


def test_utilization_of_a_boat_retasked_before_it_was_back():
    """Busy from assignment until back, or until its next mission when re-tasked on the way."""
    missions = pd.DataFrame(
        {
            "incident_id": pd.array([1, 2, 3], dtype="Int64"),
            "boat_id": ["a", "a", "b"],
            "t_assigned": [0.0, 500.0, 100.0],
            "t_back": [None, 900.0, None],
        }
    )
    incidents = pd.DataFrame(
        {
            "kind": ["swimming"],
            "outcome": ["deterred"],
            "t_detected": [1.0],
            "t_warning": [2.0],
            "t_start": [0.0],
        }
        | {f: [None] for f in ("t_alarm_received", "t_dispatched", "t_boat_arrived")}
    )
    alarms = pd.DataFrame({"incident_id": pd.array([1], dtype="Int64")})
    summary = summarize(incidents, alarms, missions, duration_s=1000.0, boats=2)
    # a: 0-500 (re-tasked), 500-900; b: 100 until the end of the run at 1000.
    assert summary["boat_utilization"] == pytest.approx((500 + 400 + 900) / 2000)


def test_tracks_sample_legs_every_few_seconds():
    legs = [Leg("b", 0.0, 12.0, 0.0, 0.0, 24.0, 0.0, "outbound", 100.0, 94.0)]
    tracks = tracks_table(legs, sample_s=5.0)
    assert list(tracks["t"]) == [0.0, 5.0, 10.0, 12.0]
    assert list(tracks["x"]) == [0.0, 10.0, 20.0, 24.0]
    assert list(tracks["battery_wh"]) == [100.0, 97.5, 95.0, 94.0]
    assert (tracks["speed"] == 2.0).all()
