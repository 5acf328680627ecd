"""The pixel-run log on disk (sim/calibration/pixel_run_log.py): read back exactly, the same bytes for the
same runs, the credited alarms by group, and a folder that is not a log refused by name. (A real run's log
round-trips in test_agreement.py.)"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from sim.calibration.pixel_run_log import PixelRunLog
from sim.errors import TuningError


@pytest.fixture
def log() -> PixelRunLog:
    """Two runs: three offenders in view, floats that a short decimal would not carry, a false alarm."""
    rng = np.random.default_rng(3)
    frames = pd.DataFrame(
        {
            "kind": ["swimming"] * 4 + ["fishing"] * 2,
            "group": ["0/cam-a/incident-1"] * 2 + ["1/cam-a/incident-1"] * 2 + ["1/cam-b/incident-4"] * 2,
            "t": [0.2, 0.4, 10.0, 10.2, 3.0, 3.2],
            "pixels": rng.uniform(5.0, 40.0, 6),
            "light": [2, 2, 2, 2, 0, 0],
            "weather": ["clear"] * 4 + ["fog"] * 2,
            "score": rng.uniform(0.0, 1.0, 6) / 3.0,
            "track": [1, 1, -1, 4, 2, 2],
        }
    )
    alarms = pd.DataFrame(
        {
            "run": [0, 0, 1, 1],
            "source": ["cam-a", "cam-a", "cam-a", "cam-b"],
            "kind": ["swimming", "swimming", "swimming", "fishing"],
            "t": [0.4, 0.8, 12.0, 30.25],
            "incident_id": [1.0, 1.0, math.nan, 4.0],
        }
    )
    detections = pd.DataFrame(
        {
            "kind": ["swimming", "swimming", "fishing"],
            "detected": [True, False, True],
            "ttd_s": [0.2, math.nan, 27.25],
            "run": [0, 1, 1],
            "incident_id": [1, 1, 4],
            "t_first_visible": [0.2, 10.0, 3.0],
        }
    )
    return PixelRunLog(frames, alarms, detections, (150.0 / 3600.0, 300.0 / 3600.0), {"seeds": [7, 9]})


def test_a_log_reads_back_exactly_and_writes_the_same_bytes(log, tmp_path):
    again = PixelRunLog.read(log.write(tmp_path / "a"))
    for name in ("frames", "alarms", "detections"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(log, name), check_exact=True)
    assert (again.hours_by_run, again.note) == (log.hours_by_run, {"seeds": [7, 9]})
    assert (again.run_count, again.camera_hours) == (2, pytest.approx(450.0 / 3600.0))
    again.write(tmp_path / "b")
    for name in ("frames.csv.gz", "alarms.csv", "detections.csv", "log.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_credited_alarms_are_each_camera_s_first_on_each_incident(log):
    """The false alarm (no incident) is not credited; incident 1 of run 0 is credited its first alarm."""
    assert log.credited.to_dict() == {"0/cam-a/incident-1": 0.4, "1/cam-b/incident-4": 30.25}


def test_a_folder_that_is_not_a_log_is_refused_by_name(log, tmp_path):
    folder = log.write(tmp_path / "a")
    (folder / "alarms.csv").unlink()
    with pytest.raises(TuningError, match=r"not a pixel-run log \(no alarms.csv\)"):
        PixelRunLog.read(folder)
    log.write(folder)
    log.detections.drop(columns="ttd_s").to_csv(folder / "detections.csv", index=False)
    with pytest.raises(TuningError, match=r"detections.csv: no column ttd_s"):
        PixelRunLog.read(folder)


def test_the_first_runs_are_a_log_of_their_own(log):
    first = log.first(1)
    assert first.frames["group"].tolist() == ["0/cam-a/incident-1"] * 2
    assert first.alarms["t"].tolist() == [0.4, 0.8] and first.detections["run"].tolist() == [0]
    assert (first.run_count, first.camera_hours, first.note) == (1, 150.0 / 3600.0, {"seeds": [7]})
    assert first.credited.to_dict() == {"0/cam-a/incident-1": 0.4}


def test_joined_logs_renumber_the_second_s_runs_after_the_first_s(log):
    """Joined with itself: the second copy's runs are 2 and 3 everywhere, its credited alarms follow, and
    the seeds follow each other; the log's first two runs are the log again."""
    twice = log.joined(log)
    assert (
        twice.frames["group"].tolist()[6:]
        == ["2/cam-a/incident-1"] * 2 + ["3/cam-a/incident-1"] * 2 + ["3/cam-b/incident-4"] * 2
    )
    assert twice.alarms["run"].tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert twice.detections["run"].tolist() == [0, 1, 1, 2, 3, 3]
    assert (twice.run_count, twice.note, twice.pixels) == (4, {"seeds": [7, 9, 7, 9]}, "analysed")
    assert twice.credited.to_dict() == {
        "0/cam-a/incident-1": 0.4,
        "1/cam-b/incident-4": 30.25,
        "2/cam-a/incident-1": 0.4,
        "3/cam-b/incident-4": 30.25,
    }
    first = twice.first(2)
    for name in ("frames", "alarms", "detections"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(log, name), check_exact=True)


def test_stacked_logs_keep_their_column_types_past_a_run_with_nothing_in_view(log, tmp_path):
    """A run with no offender in view and no alarm, read back from disk (its tables have no column types),
    stacked between two runs: the columns keep their types, the runs are numbered in order, the note is
    the one given."""
    empty = log.first(1)
    empty = dataclasses.replace(
        empty,
        frames=empty.frames.iloc[:0],
        alarms=empty.alarms.iloc[:0],
        detections=empty.detections.iloc[:0],
    )
    empty = PixelRunLog.read(empty.write(tmp_path / "empty"))
    assert empty.alarms["run"].dtype == object  # what stacking must not spread
    stacked = PixelRunLog.stacked([log.first(1), empty, log], seeds=[1, 2, 3, 4])
    for name in ("frames", "alarms", "detections"):
        assert dict(getattr(stacked, name).dtypes) == dict(getattr(log, name).dtypes), name
    assert stacked.frames["group"].str[0].tolist() == ["0", "0", "2", "2", "3", "3", "3", "3"]
    assert stacked.alarms["run"].tolist() == [0, 0, 2, 2, 3, 3]
    assert (stacked.run_count, stacked.note) == (4, {"seeds": [1, 2, 3, 4]})


def test_a_log_joined_from_two_size_bases_is_refused_by_the_fits(log, default_scenario):
    from sim.calibration.agreement import calibrate_from_pixel_runs

    old = dataclasses.replace(log, pixels="full")
    assert old.joined(log).pixels == log.joined(old).pixels == "mixed"
    with pytest.raises(TuningError, match="hold in part heights in the full image"):
        calibrate_from_pixel_runs(default_scenario, log.joined(old))
