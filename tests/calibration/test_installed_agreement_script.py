"""scripts/installed_agreement.py grows a kept pixel-run log: it renders only the seeds the log lacks, adds
them after the kept runs, and refuses a log that holds seeds not asked for."""

from __future__ import annotations

import pandas as pd
import pytest

import scripts.installed_agreement as script
from sim.calibration.fit_inputs import OFFENDER_FRAME_COLUMNS
from sim.calibration.pixel_run_log import ALARM_LOG_COLUMNS, DETECTION_COLUMNS, PixelRunLog


def _log(seeds: list[int]) -> PixelRunLog:
    """One offender in view per run, alarmed 2 s after it came into view at the run's seed (s)."""
    frames = pd.DataFrame(
        [("fishing", f"{j}/cam/incident-1", float(s), 8.0, 2, "clear", 0.9, 1) for j, s in enumerate(seeds)],
        columns=["kind", *OFFENDER_FRAME_COLUMNS],
    )
    alarms = pd.DataFrame(
        [(j, "cam", "fishing", s + 2.0, 1.0) for j, s in enumerate(seeds)], columns=list(ALARM_LOG_COLUMNS)
    )
    detections = pd.DataFrame(
        [("fishing", True, 2.0, j, 1, float(s)) for j, s in enumerate(seeds)], columns=list(DETECTION_COLUMNS)
    )
    return PixelRunLog(frames, alarms, detections, (0.1,) * len(seeds), {"seeds": list(seeds)})


@pytest.fixture
def rendered(monkeypatch) -> list[list[int]]:
    """The seeds each call of pixel mode rendered (pixel mode replaced by :func:`_log`)."""
    calls: list[list[int]] = []

    def render(variants, seeds, progress=False, workers=1):
        calls.append(list(seeds))
        return _log(seeds)

    monkeypatch.setattr(script, "pixel_run_log", render)
    return calls


def test_a_kept_log_grows_by_the_missing_seeds_only(rendered, tmp_path):
    keep = tmp_path / "kept"
    first = script.kept_runs(None, [3, 4], keep, 1)
    assert rendered == [[3, 4]] and PixelRunLog.read(keep).note["seeds"] == [3, 4] == first.note["seeds"]
    grown = script.kept_runs(None, [3, 4, 5, 6], keep, 1)
    assert rendered == [[3, 4], [5, 6]]
    again = PixelRunLog.read(keep)
    assert again.note["seeds"] == [3, 4, 5, 6] == grown.note["seeds"]
    assert again.detections["run"].tolist() == [0, 1, 2, 3]
    assert again.credited.to_dict() == {f"{j}/cam/incident-1": s + 2.0 for j, s in enumerate([3, 4, 5, 6])}
    assert script.kept_runs(None, [3, 4, 5, 6], keep, 1).note["seeds"] == [3, 4, 5, 6]
    assert len(rendered) == 2  # nothing left to render


def test_a_kept_log_with_seeds_not_asked_for_is_refused(rendered, tmp_path):
    keep = tmp_path / "kept"
    script.kept_runs(None, [3, 4], keep, 1)
    with pytest.raises(SystemExit, match=r"holds runs of seeds \[4\] too"):
        script.kept_runs(None, [3, 5], keep, 1)
    assert rendered == [[3, 4]]
