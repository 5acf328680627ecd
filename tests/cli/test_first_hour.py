"""A researcher's first hour (issue 15): no silent overwrite, unique default folders, ``run --start``,
``--around-incident``, ``--save-alarm-frames``, ``--trace``, empty runs, durations in their unit, and the
reason ``render`` gives for where its clip starts."""

from __future__ import annotations

import filecmp
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.cli.around_incident import LEAD_S, around_incident
from sim.cli.common import default_run_folder
from sim.core.durations import format_duration
from sim.engine import Simulation
from sim.loading import load_scenario
from sim.scenario.loading import scenario_to_yaml
from sim.scenario.models import Mode
from sim.world.incident_window import incidents_of_window
from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.paths import DEFAULT

TABLES = ("incidents.csv", "alarms.csv", "missions.csv", "tracks.csv", "transfers.csv", "sorties.csv")


def _run(capsys, *args: str) -> tuple[int, str, str]:
    rc = call_main(["run", "--scenario", str(DEFAULT), *args])
    out, err = capsys.readouterr()
    return rc, out, err


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


# ---------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(45, "45 s"), (90, "1.5 min"), (120, "2 min"), (1800, "30 min"), (21600, "6 h"), (129600, "1.5 d")],
)
def test_durations_print_in_their_unit(seconds, text):
    assert format_duration(seconds) == text
    assert format_duration(seconds, compact=True) == text.replace(" ", "")


# ---------------------------------------------------------------- output folders


def test_default_run_folder_differs_for_different_runs():
    plain = default_run_folder("lake", 3, 7200, [])
    assert plain == Path("out/lake_seed3_2h")
    lte = default_run_folder("lake", 3, 7200, ["network.profile=lte"])
    assert lte.name.startswith("lake_seed3_2h_") and lte != plain
    assert lte == default_run_folder("lake", 3, 7200, ["network.profile=lte"])
    assert lte != default_run_folder("lake", 3, 7200, ["network.profile=nr_embb"])
    assert default_run_folder("lake", 3, 21600, []) != plain


def test_run_default_folder_is_never_reused_silently(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, out, err = _run(capsys, "--duration", "10m", "--seed", "2", "--no-figures")
    assert rc == 0, err
    first = tmp_path / "out" / "xuchang_lake_seed2_10min"
    assert f"outputs: {Path('out') / first.name}/" in out
    before = (first / "incidents.csv").read_bytes()
    rc = call_main(["run", "--scenario", str(DEFAULT), "--duration", "10m", "--seed", "2", "--no-figures"])
    line = assert_one_error_line(capsys, rc, ("--out", first.name, "exists", "--overwrite"))
    assert "not empty" in line
    assert (first / "incidents.csv").read_bytes() == before
    rc, _, err = _run(
        capsys, "--duration", "10m", "--seed", "2", "--no-figures", "--set", "boats.0.cruise_speed=4"
    )
    assert rc == 0, err
    assert len(_listing(tmp_path / "out")) == 2, "a --set variant must get a folder of its own"
    rc, _, err = _run(capsys, "--duration", "10m", "--seed", "2", "--no-figures", "--overwrite")
    assert rc == 0, err


def test_run_into_an_empty_folder_needs_no_overwrite(tmp_path, capsys):
    out = tmp_path / "empty"
    out.mkdir()
    rc, _, err = _run(capsys, "--duration", "10m", "--no-figures", "--out", str(out))
    assert rc == 0, err
    assert (out / "incidents.csv").is_file()


def test_render_video_refuses_an_existing_file(tmp_path, capsys):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"mine")
    rc = call_main(["render", "--camera", "cam-dam", "--seconds", "1", "--out", str(clip)])
    assert_one_error_line(capsys, rc, ("--out", str(clip), "--overwrite"))
    assert clip.read_bytes() == b"mine"
    assert _listing(tmp_path) == {"clip.mp4"}


@pytest.mark.parametrize("way", ["--end-to-end", "--pixel-runs", "--detector=swimming"])
def test_tune_refuses_an_existing_out_folder(tmp_path, capsys, way):
    out = tmp_path / "tune"
    out.mkdir()
    (out / "thresholds.csv").write_text("earlier work")
    rc = call_main(["tune", way, "--out", str(out)])
    assert_one_error_line(capsys, rc, ("--out", str(out), "--overwrite"))
    assert _listing(out) == {"thresholds.csv"}


# ---------------------------------------------------------------- --start


def test_run_start_sets_the_run_clock(tmp_path, capsys):
    out = tmp_path / "out"
    rc, _, err = _run(
        capsys, "--duration", "10m", "--start", "2026-08-01T21:30", "--no-figures", "--out", str(out)
    )
    assert rc == 0, err
    resolved = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))
    assert str(resolved["run"]["start"]).startswith("2026-08-01")


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01T10:00", "2026-07-18T10:00+02:00"])
def test_run_start_bad(tmp_path, capsys, bad):
    out = tmp_path / "out"
    rc = call_main(["run", "--start", bad, "--out", str(out)])
    assert_one_error_line(capsys, rc, ("--start", bad))
    assert not out.exists()


# ---------------------------------------------------------------- pixel-mode options


@pytest.mark.parametrize("option", ["--around-incident", "--save-alarm-frames"])
def test_pixel_options_need_pixel_mode(tmp_path, capsys, option):
    out = tmp_path / "out"
    rc = call_main(["run", option, "--out", str(out)])
    assert_one_error_line(capsys, rc, (option, "pixel"))
    assert not out.exists()


def test_around_incident_without_an_offender_in_view(tmp_path, capsys):
    out = tmp_path / "out"
    rc = call_main(
        [
            "run",
            "--mode",
            "pixel",
            "--around-incident",
            "--seed",
            "0",
            "--set",
            "run.duration=2m",
            "--out",
            str(out),
        ]
    )
    assert_one_error_line(capsys, rc, ("--around-incident", "no offender", "seed 0"))
    assert not out.exists()


def test_around_incident_keeps_the_seeds_incidents(tmp_path):
    """The window's incidents are the full run's, same ids and paths, times shifted to the window; they
    are drawn again from the window's scenario.yaml and the record summary.json keeps."""
    scenario = load_scenario(DEFAULT, ["run.seed=3", "run.mode=pixel"])
    full = {i.id: i for i in Simulation(scenario).incidents}
    window, incidents, note, record = around_incident(scenario, 120.0)
    t0 = (window.run.start - scenario.run.start).total_seconds()
    assert record == {"t0_s": pytest.approx(t0), "whole_duration_s": scenario.run.duration}
    (tmp_path / "scenario.yaml").write_text(scenario_to_yaml(window), encoding="utf-8")
    again = incidents_of_window(load_scenario(tmp_path / "scenario.yaml"), json.loads(json.dumps(record)))
    assert [(i.id, i.t_start, i.t_end) for i in again] == [(i.id, i.t_start, i.t_end) for i in incidents]
    assert all(np.array_equal(a.track.xy, b.track.xy) for a, b in zip(again, incidents, strict=True))
    assert incidents, note
    first = min(incidents, key=lambda i: i.t_start)
    assert f"incident {first.id}" in note
    assert window.run.duration == 120.0
    for incident in incidents:
        original = full[incident.id]
        assert incident.t_start + t0 == pytest.approx(original.t_start)
        assert incident.start_xy == original.start_xy
        assert incident.kind == original.kind
    assert any(0 <= i.t_start <= LEAD_S + 1e-6 for i in incidents) or any(i.t_start < 0 for i in incidents)
    # Run in statistical mode on the window (fast): the same incidents reach the tables with their ids.
    statistical = window.run.model_copy(update={"mode": Mode.STATISTICAL})
    result = Simulation(window.model_copy(update={"run": statistical}), incidents=incidents).run()
    assert sorted(result.incidents["incident_id"]) == sorted(i.id for i in incidents)


# ---------------------------------------------------------------- --trace and byte-identical tables


def test_trace_prints_timelines_and_changes_no_table(tmp_path, capsys):
    plain, traced = tmp_path / "plain", tmp_path / "traced"
    rc, _, err = _run(capsys, "--duration", "2h", "--seed", "3", "--no-figures", "--out", str(plain))
    assert rc == 0, err
    rc, out, err = _run(
        capsys, "--duration", "2h", "--seed", "3", "--no-figures", "--trace", "--out", str(traced)
    )
    assert rc == 0, err
    for what in (
        "appeared",
        "first in a camera's view",
        "detected",
        "alarm received",
        "boat dispatched",
        "boat arrived",
        "warned",
        "left",
        "evidence uploaded",
    ):
        assert f"incident 1 (swimming): {what}" in out, what
    times = [
        float(line.split()[2]) for line in out.splitlines() if line.startswith("t = ") and "appeared" in line
    ]
    assert times == sorted(times)
    for name in TABLES:
        assert filecmp.cmp(plain / name, traced / name, shallow=False), name


# ---------------------------------------------------------------- an empty run


def test_empty_run_says_so_without_warnings(tmp_path, capsys):
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rc, stdout, err = _run(capsys, "--duration", "2m", "--seed", "0", "--out", str(out))
    assert rc == 0, err
    assert "no incidents in this run" in stdout
    assert "(seed 0, statistical, 2 min)" in stdout
    assert "detection rate" not in stdout
    assert (out / "figures" / "response_time_cdf.png").is_file()


# ---------------------------------------------------------------- render's reason


@pytest.mark.parametrize("camera", ["cam-beach-w", "cam-dam"])
def test_render_says_why_the_clip_starts_there(tmp_path, capsys, camera):
    scenario = load_scenario(DEFAULT, [])
    index = next(n for n, c in enumerate(scenario.cameras) if c.id == camera)
    argv = [
        "render",
        "--camera",
        camera,
        "--seconds",
        "0.2",
        "--set",
        f"cameras.{index}.resolution=[320,180]",
    ]
    rc = call_main([*argv, "--set", "run.duration=1h", "--frames", str(tmp_path / "f")])
    out, err = capsys.readouterr()
    assert rc == 0, err
    reason = out.splitlines()[0]
    assert reason.startswith("starting at") or reason.startswith(f"no offender enters {camera}'s view")
    assert camera in reason


# ---------------------------------------------------------------- messages


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("name: x\nrun:\n\tseed: 1\n", "use spaces, not tabs"),
        ("name: x\nrun:\n  seed: 1\n duration: 5\n", "check the indentation of line 4"),
        ("name: x\nrun:\n  seed: 1\n    duration: 5\n", "check the indentation of line 4"),
    ],
)
def test_yaml_layout_errors_carry_a_hint(tmp_path, capsys, text, hint):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    rc = call_main(["validate", str(path)])
    assert_one_error_line(capsys, rc, ("YAML syntax error", hint))


def test_a_position_in_parentheses_is_told_to_be_a_list(tmp_path, capsys):
    rc = call_main(["run", "--set", "cameras.0.position=(1200, 50)", "--out", str(tmp_path / "out")])
    assert_one_error_line(capsys, rc, ("cameras.0.position", "write it as a list, [1200, 50]"))
    assert not (tmp_path / "out").exists()


def test_a_missing_scenario_lists_the_bundled_ones(tmp_path, capsys):
    rc = call_main(["run", "--scenario", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "out")])
    assert_one_error_line(capsys, rc, ("nope.yaml", "no such file", "scenarios/xuchang_lake.yaml"))
    assert _listing(tmp_path) == set()


def test_params_prints_keys_defaults_and_units(capsys):
    assert call_main(["params"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["key", "default", "description"]
    row = next(line for line in lines if line.startswith("run.wind_speed "))
    assert row.split()[1] == "3" and row.endswith("m/s")
    assert any(line.startswith("cameras.<i>.fps ") for line in lines)
    assert call_main(["params", "cameras.2.fps"]) == 0
    only = capsys.readouterr().out.splitlines()
    assert len(only) == 2 and only[1].startswith("cameras.<i>.fps")
    assert call_main(["params", "run"]) == 0
    section = capsys.readouterr().out.splitlines()[1:]
    assert section and all(line.startswith("run.") for line in section)


def test_params_unknown_key(capsys):
    rc = call_main(["params", "runn"])
    assert_one_error_line(capsys, rc, ("params runn", "no such key", "did you mean run"))


def test_pixel_run_around_an_incident_saves_its_alarm_frames(tmp_path, capsys):
    """Seed 3's first offender enters cam-dam's view at 7974 s of the 6-h run; a 16-s pixel window opening
    10 s before it sees the swimmer detected, and the alarm's frame is saved. The seven other cameras, which
    do not see the swimmer, analyse one frame a second (half the run's work otherwise; same alarm)."""
    out = tmp_path / "out"
    args = ("--mode", "pixel", "--around-incident", "--seed", "3", "--duration", "16s", "--save-alarm-frames")
    others = [f"--set=cameras.{i}.fps=1" for i in (0, 1, 3, 4, 5, 6, 7)]  # cam-dam is camera 2
    rc, stdout, err = _run(capsys, *args, *others, "--no-figures", "--out", str(out))
    assert rc == 0, err
    assert stdout.startswith("around incident 1 (swimming): it enters cam-dam's view at 7974.0 s")
    assert "(seed 3, pixel, 16 s)" in stdout
    frames = sorted((out / "alarm_frames").iterdir())
    assert frames, "no alarm frame saved"
    alarms = (out / "alarms.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(frames) == sum(",cam-" in line for line in alarms)
    t, camera = frames[0].name.split("_")[:2]
    raised = [(float(line.split(",")[1]), line.split(",")[2]) for line in alarms]
    assert any(abs(float(t.removesuffix("s")) - when) < 0.05 and source == camera for when, source in raised)
    assert frames[0].read_bytes()[:4] == b"\x89PNG"
    assert "`alarm_frames/`" in (out / "README.md").read_text(encoding="utf-8")
    window = json.loads((out / "summary.json").read_text(encoding="utf-8"))["around_incident"]
    assert window == {"t0_s": pytest.approx(7964.0, abs=0.1), "whole_duration_s": 6 * 3600.0}


def test_refused_default_run_writes_nothing(tmp_path, capsys, monkeypatch):
    """Bad input with the default folder: not even out/ is made."""
    monkeypatch.chdir(tmp_path)
    rc = call_main(["run", "--mode", "pixel", "--around-incident", "--seed", "0", "--set", "run.duration=2m"])
    assert_one_error_line(capsys, rc, ("--around-incident",))
    rc = call_main(["run", "--start", "yesterday"])
    assert_one_error_line(capsys, rc, ("--start",))
    assert _listing(tmp_path) == set()
