"""scripts/installed_agreement.py grows a kept pixel-run log: it renders only the seeds the log lacks, adds
them after the kept runs, and refuses a log that holds seeds not asked for or runs of another scene; and it
tells pixel mode's sampling noise from a miss of the rate goal."""

from __future__ import annotations

import pandas as pd
import pytest

import scripts.installed_agreement as script
from sim.calibration.fit_inputs import OFFENDER_FRAME_COLUMNS
from sim.calibration.pixel_run_log import ALARM_LOG_COLUMNS, DETECTION_COLUMNS, PixelRunLog
from sim.scenario.models import Kind

DAY, NIGHT = "2026-07-18T10:00:00", "2026-07-18T21:00:00"


def scene(start: str = DAY):
    """A one-camera scene of the script's (nothing is rendered: pixel mode is replaced)."""
    return script.one_camera_scene("cam-east-n", Kind.FISHING, 200.0, 600.0, start)


def _log(seeds: list[int], **note) -> PixelRunLog:
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
    return PixelRunLog(frames, alarms, detections, (0.1,) * len(seeds), {"seeds": list(seeds), **note})


@pytest.fixture
def rendered(monkeypatch) -> list[list[int]]:
    """The seeds each call of pixel mode rendered (pixel mode replaced by :func:`_log`)."""
    calls: list[list[int]] = []

    def render(variants, seeds, progress=False, workers=1, **note):
        calls.append(list(seeds))
        return _log(seeds, **note)

    monkeypatch.setattr(script, "pixel_run_log", render)
    return calls


def test_a_kept_log_grows_by_the_missing_seeds_only(rendered, tmp_path):
    keep = tmp_path / "kept"
    first = script.kept_runs(scene(), [3, 4], keep, 1)
    assert rendered == [[3, 4]] and PixelRunLog.read(keep).note["seeds"] == [3, 4] == first.note["seeds"]
    grown = script.kept_runs(scene(), [3, 4, 5, 6], keep, 1)
    assert rendered == [[3, 4], [5, 6]]
    again = PixelRunLog.read(keep)
    assert again.note["seeds"] == [3, 4, 5, 6] == grown.note["seeds"]
    assert again.detections["run"].tolist() == [0, 1, 2, 3]
    assert again.credited.to_dict() == {f"{j}/cam/incident-1": s + 2.0 for j, s in enumerate([3, 4, 5, 6])}
    assert script.kept_runs(scene(), [3, 4, 5, 6], keep, 1).note["seeds"] == [3, 4, 5, 6]
    assert len(rendered) == 2  # nothing left to render


def test_a_kept_log_with_seeds_not_asked_for_is_refused(rendered, tmp_path):
    keep = tmp_path / "kept"
    script.kept_runs(scene(), [3, 4], keep, 1)
    with pytest.raises(SystemExit, match=r"holds runs of seeds \[4\] too"):
        script.kept_runs(scene(), [3, 5], keep, 1)
    assert rendered == [[3, 4]]


def test_a_kept_log_of_another_scene_is_refused(rendered, tmp_path):
    """Runs kept by day are not statistical mode's night: a forgotten ``--start`` exits, nothing rendered."""
    keep = tmp_path / "kept"
    script.kept_runs(scene(DAY), [3, 4], keep, 1)
    grown = script.kept_runs(scene(DAY), [3, 4, 5], keep, 1)
    assert grown.note["variants_sha256"] == script.runs_key([scene(DAY)])  # one key, not one per growth
    with pytest.raises(SystemExit, match="holds runs of another scene"):
        script.kept_runs(scene(NIGHT), [3, 4, 5], keep, 1)
    assert rendered == [[3, 4], [5]]


def test_a_log_kept_before_scenes_were_recorded_is_read_with_a_warning(rendered, tmp_path, capsys):
    keep = tmp_path / "kept"
    _log([3, 4]).write(keep)
    grown = script.kept_runs(scene(NIGHT), [3, 4, 5], keep, 1)
    assert "not checked" in capsys.readouterr().out
    assert "variants_sha256" not in grown.note  # not vouched for by the runs added to it
    assert rendered == [[5]]


def _detections(found: int, total: int) -> pd.DataFrame:
    return pd.DataFrame({"detected": [True] * found + [False] * (total - found)})


def test_the_rate_check_is_the_exact_binomial_interval_and_test():
    """54 of 74 (cam-east-n's 1800-s runs): Clopper-Pearson 0.614-0.826 by the beta quantiles, so a rate of
    0.799 is inside and 0.753 of 120 swimmers against 105 found is not."""
    from scipy.stats import beta

    line = script.rate_check(_detections(54, 74), 0.799)
    low, high = beta.ppf(0.025, 54, 21), beta.ppf(0.975, 55, 20)
    assert f"{low:.3f}-{high:.3f}" in line and "0.614-0.826" in line and "inside: True" in line
    far = script.rate_check(_detections(105, 120), 0.753)
    assert "inside: False" in far and "p = 0.001" in far


def test_a_missing_fit_folder_is_refused_before_anything_is_rendered(rendered, tmp_path, monkeypatch, capsys):
    """The refit without the crowd term reads the regeneration's folder: without it the script stops in one
    line (exit 2) before it renders, not with a traceback after."""
    argv = ["installed_agreement.py", "--camera", "cam-east-n", "--seeds", "1-2", "--fit", str(tmp_path)]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as stop:
        script.main()
    assert stop.value.code == 2 and rendered == []
    assert f"--fit {tmp_path}: no model_choice.csv" in capsys.readouterr().err


def test_checked_files_are_named_by_stem_or_folder_and_drawn_against_pixel_mode(tmp_path):
    from pathlib import Path

    from tests.helpers.paths import SCENARIOS

    assert script.check_label(Path("out/fit/calibration.json")) == "fit"
    assert script.check_label(Path("scenarios/calibration/default.json")) == "default"
    installed = scene().calibration
    same = script.with_class_of(installed, Kind.FISHING, SCENARIOS / "calibration" / "default.json")
    assert same.classes[Kind.FISHING] == installed.classes[Kind.FISHING]
    pixel = _log([1, 2, 3, 40]).detections
    statistical = pixel.assign(ttd_s=[1.5, 3.0, 50.0, float("nan")], detected=[True, True, True, False])
    path = tmp_path / "shares.png"
    script.draw_shares(pixel, {"installed": statistical}, "a title", path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
