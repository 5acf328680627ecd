"""``tune --false-alarm-hours`` gathers evidence (resumably) and ``tune --report`` tables it; bad input."""

from __future__ import annotations

import json

import pytest

from sim.calibration.clip_observation import CLIPS_VERSION
from sim.render.frames_version import FRAMES_VERSION
from tests.helpers.cli import assert_one_error_line, call_main

# One 11-s clip of cam-beach-w (6 s scored) at a quarter of the analysis width and 5 frames/s: seconds.
TINY = [
    "tune",
    "--false-alarm-hours",
    "0.001,0,0",
    "--held-out-hours",
    "0.001",
    "--detector",
    "swimming",
    "--seconds",
    "11",
    "--set",
    "detection.analysis_width=160",
    "--set",
    "cameras.0.fps=5",
]


def test_evidence_is_gathered_resumed_and_reported(tmp_path, capsys):
    evidence, report = tmp_path / "evidence", tmp_path / "report"
    assert call_main([*TINY, "--out", str(evidence)]) == 0
    chunks = sorted(p.name for p in (evidence / "chunks").iterdir())
    assert chunks == ["swimming-day-fit-00000.json", "swimming-day-held_out-00000.json"]
    first = json.loads((evidence / "chunks" / chunks[0]).read_text(encoding="utf-8"))
    assert first["clips"][0]["hours"] == pytest.approx(6.0 / 3600.0)
    causes = first["clips"][0]["causes_by_threshold"]
    assert all(sum(c.values()) == first["clips"][0]["false_alarms"][t] for t, c in causes.items())
    capsys.readouterr()
    assert call_main([*TINY, "--out", str(evidence)]) == 0  # resumed: nothing left to run
    assert capsys.readouterr().out.startswith("0 chunks run now")
    assert call_main(["tune", "--report", str(evidence), "--out", str(report)]) == 0
    assert {p.name for p in report.iterdir()} == {"false_alarms.md", "false_alarms.csv", "false_alarms.png"}
    table = (report / "false_alarms.md").read_text(encoding="utf-8")
    assert "| swimming | day | visible | 0.8 | 0.00 |" in table
    capsys.readouterr()
    rc = call_main(["tune", "--report", str(evidence), "--out", str(report)])  # never replaced silently
    assert_one_error_line(capsys, rc, ("--out", "--overwrite"))
    assert call_main(["tune", "--report", str(evidence), "--out", str(report), "--overwrite"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence", "report"]  # no staging left


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--false-alarm-hours", "10,5"], ("--false-alarm-hours", "10,5")),
        (["--false-alarm-hours", "10,x,5"], ("--false-alarm-hours", "three numbers")),
        (["--false-alarm-hours", "10,-1,5"], ("--false-alarm-hours", ">= 0")),
        (["--false-alarm-hours", "1,1,1", "--held-out-hours", "-2"], ("--held-out-hours",)),
        (["--false-alarm-hours", "1,1,1", "--seconds", "8"], ("--seconds 8",)),
        (["--false-alarm-hours", "1,1,1", "--weather", "fog", "--weather", "rain"], ("--weather",)),
    ],
)
def test_bad_evidence_options_are_one_line_exit_2(tmp_path, capsys, argv, expected):
    rc = call_main(["tune", *argv, "--out", str(tmp_path / "out")])
    assert_one_error_line(capsys, rc, expected)
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_a_folder_started_with_other_options_is_refused(tmp_path, capsys):
    (tmp_path / "plan.json").write_text(json.dumps({"seed": 99}), encoding="utf-8")
    rc = call_main(["tune", "--false-alarm-hours", "1,1,1", "--out", str(tmp_path)])
    assert_one_error_line(capsys, rc, ("--out", "seed", "new folder"))


@pytest.mark.parametrize(
    ("key", "now"), [("frames_version", FRAMES_VERSION), ("clips_version", CLIPS_VERSION)]
)
def test_evidence_of_an_older_renderer_or_clip_set_up_is_refused(tmp_path, capsys, key, now):
    """Resuming works only with the frames the evidence was gathered on (sim.render.frames_version) and clips
    set up as they were (sim.calibration.clip_observation.CLIPS_VERSION)."""
    evidence = tmp_path / "evidence"
    assert (
        call_main([*TINY, "--false-alarm-hours", "0,0,0", "--held-out-hours", "0", "--out", str(evidence)])
        == 0
    )
    plan = json.loads((evidence / "plan.json").read_text(encoding="utf-8"))
    assert plan[key] == now
    (evidence / "plan.json").write_text(json.dumps(plan | {key: now - 1}), "utf-8")
    capsys.readouterr()
    rc = call_main([*TINY, "--false-alarm-hours", "0,0,0", "--held-out-hours", "0", "--out", str(evidence)])
    assert_one_error_line(capsys, rc, ("--out", key, "new folder"))


def test_a_report_of_a_folder_without_evidence_is_refused(tmp_path, capsys):
    rc = call_main(["tune", "--report", str(tmp_path), "--out", str(tmp_path / "report")])
    assert_one_error_line(capsys, rc, ("--report", "neither false-alarm evidence", "agreement.csv"))
    assert not (tmp_path / "report").exists()


def test_the_evidence_is_keyed_by_what_its_clips_depend_on():
    """Another calibration (statistical mode's terms, which clips never read) keeps the key, so evidence
    resumes after a calibration fitted to it is installed; a camera's frame rate changes it."""
    from sim.calibration.pixel_run_log import pixel_mode_sha256
    from sim.loading import load_scenario
    from tests.helpers.paths import DEFAULT, ORDINAL_CALIBRATION

    default = load_scenario(DEFAULT)
    recalibrated = load_scenario(DEFAULT, [ORDINAL_CALIBRATION])
    assert recalibrated.calibration != default.calibration
    assert pixel_mode_sha256(recalibrated) == pixel_mode_sha256(default)
    assert pixel_mode_sha256(load_scenario(DEFAULT, ["cameras.0.fps=5"])) != pixel_mode_sha256(default)
