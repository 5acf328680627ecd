"""Bad input of ``tune --pixel-runs --model/--held-out-seeds`` and of a calibration file's declared model:
one line naming the option (or the file and the term), exit 2, nothing written."""

from __future__ import annotations

import json

import pytest

from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.paths import DEFAULT, SCENARIOS


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--model", "kalman"], ("--model kalman", "no such model", "ordinal", "acquisition", "auto")),
        (["--model", "ordinal", "--model", "nope"], ("--model nope", "known: ordinal, acquisition")),
        (["--seeds", "3", "--held-out-seeds", "2,5"], ("--held-out-seeds 2,5", "seed 2", "fitting seed")),
        (["--held-out-seeds", "0"], ("--held-out-seeds 0", "seed 0", "fitting seed")),
        (["--held-out-seeds", "5,5"], ("--held-out-seeds 5,5", "listed twice")),
        (["--held-out-seeds", "five"], ("--held-out-seeds five", "commas")),
        (["--held-out-seeds", "7,-1"], ("--held-out-seeds 7,-1", ">= 0")),
        (["--model", "auto"], ("--model auto", "needs --held-out-seeds")),
        (["--model", "ordinal", "--model", "acquisition"], ("--model", "needs --held-out-seeds")),
        (
            ["--model", "hazard", "--model", "ordinal", "--held-out-seeds", "5"],
            ("--model hazard ordinal", "hazard is chosen by name, alone", "ordinal, acquisition"),
        ),
        (["--model", "kalman"], ("--model kalman", "hazard")),
        (["--hazard-roughness", "10"], ("--hazard-roughness 10", "only with --model hazard")),
        (["--hazard-crowd", "--held-out-seeds", "5"], ("--hazard-crowd", "only with --model hazard")),
        (
            ["--model", "hazard", "--hazard-crowd"],
            ("--hazard-crowd", "hazard, hazard+crowd", "--held-out-seeds"),
        ),
        (["--model", "hazard", "--hazard-roughness", "1,x"], ("--hazard-roughness 1,x", "commas")),
        (["--model", "hazard", "--hazard-roughness", "-1"], ("--hazard-roughness -1", ">= 0", "shared")),
        (["--model", "hazard", "--hazard-roughness", "1,1"], ("--hazard-roughness 1,1", "listed twice")),
        (
            ["--model", "hazard", "--hazard-roughness", "shared,10"],
            ("--hazard-roughness shared,10", "hazard, hazard-by-age-10", "needs --held-out-seeds"),
        ),
        (["--hazard-smoothing", "1"], ("--hazard-smoothing 1", "only with --model hazard")),
        (["--model", "hazard", "--hazard-smoothing", "0"], ("--hazard-smoothing 0", "> 0", "got 0")),
        (["--model", "hazard", "--hazard-smoothing", "1,inf"], ("--hazard-smoothing 1,inf", "> 0")),
        (["--model", "hazard", "--hazard-smoothing", "1,one"], ("--hazard-smoothing 1,one", "commas")),
        (["--model", "hazard", "--hazard-smoothing", "3,3"], ("--hazard-smoothing 3,3", "listed twice")),
        (
            ["--model", "hazard", "--hazard-roughness", "shared,10", "--hazard-smoothing", "0.3,3"],
            (
                "--hazard-roughness shared,10",
                "hazard-smooth-0.3, hazard-smooth-3, hazard-by-age-10-smooth-0.3, hazard-by-age-10-smooth-3",
                "needs --held-out-seeds",
            ),
        ),
        (
            ["--model", "hazard", "--hazard-smoothing", "0.3,3", "--hazard-crowd"],
            ("--hazard-smoothing 0.3,3", "hazard-smooth-3+crowd", "needs --held-out-seeds"),
        ),
        (["--hazard-size-by-age", "--held-out-seeds", "5"], ("--hazard-size-by-age", "only with --model")),
        (
            ["--model", "hazard", "--hazard-crowd", "--hazard-size-by-age"],
            ("--hazard-crowd", "hazard+crowd, hazard+size-by-age, hazard+crowd+size-by-age", "--held-out"),
        ),
        (["--hazard-frailty", "--held-out-seeds", "5"], ("--hazard-frailty", "only with --model")),
        (["--hazard-never", "--held-out-seeds", "5"], ("--hazard-never", "only with --model")),
        (
            ["--model", "hazard", "--hazard-never"],
            ("--hazard-never", "hazard, hazard+never", "--held-out"),
        ),
        (
            ["--model", "hazard", "--hazard-size-by-age", "--hazard-frailty"],
            (
                "--hazard-size-by-age",
                "hazard, hazard+size-by-age, hazard+frailty, hazard+size-by-age+frailty",
                "--held-out",
            ),
        ),
    ],
)
def test_tune_pixel_runs_refuses_bad_models_and_seeds(tmp_path, capsys, args, expected):
    out = tmp_path / "x"
    rc = call_main(["tune", "--pixel-runs", "--out", str(out), *args])
    assert_one_error_line(capsys, rc, expected)
    assert not out.exists()


def _calibration_declaring(tmp_path, model: str, drop: str | None, **terms) -> str:
    """The default calibration with swimming's entry declaring ``model``, without the term ``drop`` and with
    ``terms``; every class first made a plain ordinal entry (no ``model``, no ``alarm_hazard``: the
    default's classes hold the hazard model since 2026-12-06, and the ordinal model's terms besides)."""
    data = json.loads((SCENARIOS / "calibration" / "default.json").read_text())
    for spec in data["classes"].values():
        spec.pop("model", None)
        spec.pop("alarm_hazard", None)
    entry = data["classes"]["swimming"]
    entry["model"] = model
    entry.pop(drop, None)
    entry.update(terms)
    path = tmp_path / "declared.json"
    path.write_text(json.dumps(data))
    return str(path)


@pytest.mark.parametrize(
    ("model", "drop", "expected"),
    [
        ("acquisition", "entry_acquisition", ("acquisition model needs entry_acquisition",)),
        ("acquisition", "loss_rate_per_s", ("acquisition model needs", "loss_rate_per_s")),
        ("ordinal", "offender_spell_s", ("ordinal model needs offender_spell_s",)),
        ("hmm", None, ("model 'hmm'", "no such model", "ordinal, acquisition, hazard")),
        ("hazard", None, ("hazard model needs alarm_hazard",)),
    ],
)
@pytest.mark.parametrize("command", ["run", "tune"])
def test_a_calibration_file_missing_a_term_of_its_model_is_refused(
    tmp_path, capsys, command, model, drop, expected
):
    """Where a statistical run reads the calibration (the scenario's loading) and in ``tune --pixel-runs``:
    the line names the file, the class and the term."""
    calibration = _calibration_declaring(tmp_path, model, drop)
    out = tmp_path / "out"
    argv = [command, "--scenario", str(DEFAULT), "--set", f"detection.calibration={calibration}"]
    argv += ["--out", str(out)] + (["--pixel-runs", "--held-out-seeds", "5"] if command == "tune" else [])
    rc = call_main(argv)
    assert_one_error_line(
        capsys, rc, ("detection.calibration (declared.json)", "classes.swimming", *expected)
    )
    assert not out.exists()


def test_a_calibration_file_with_every_term_of_its_model_loads(tmp_path):
    from sim.loading import load_scenario

    calibration = _calibration_declaring(tmp_path, "ordinal", None)
    scenario = load_scenario(DEFAULT, [f"detection.calibration={calibration}"])
    assert scenario.calibration.classes["swimming"].model == "ordinal"


def test_an_ordinal_entry_with_an_acquisition_chain_is_refused(tmp_path, capsys):
    calibration = _calibration_declaring(tmp_path, "ordinal", None, entry_acquisition=[0.5])
    rc = call_main(["run", "--scenario", str(DEFAULT), "--set", f"detection.calibration={calibration}"])
    assert_one_error_line(
        capsys, rc, ("declared.json", "classes.swimming", "ordinal model has no entry_acquisition")
    )


HAZARD = {
    "age_edges_s": [0.0, 4.0],
    "age_log_rates": [-50.0, -2.3],
    "size_slope": 1.0,
    "thresholds": [0.2, 0.8],
    "threshold_offsets": [0.0, -1.0],
    "k": 2,
    "n": 4,
}
"""A hazard model's alarm rates counted with the 2-of-4 rule."""


def test_a_hazard_entry_counted_with_another_alarm_rule_is_refused(tmp_path, capsys):
    """The default scenario alarms on 3 of 5 frames: rates counted on 2 of 4 do not describe its alarms."""
    calibration = _calibration_declaring(tmp_path, "hazard", None, alarm_hazard=HAZARD)
    out = tmp_path / "out"
    argv = [
        "run",
        "--scenario",
        str(DEFAULT),
        "--set",
        f"detection.calibration={calibration}",
        "--out",
        str(out),
    ]
    rc = call_main(argv)
    assert_one_error_line(
        capsys,
        rc,
        ("detection.persistence: 3 of 5", "declared.json", "classes.swimming.alarm_hazard", "2 of 4"),
    )
    assert not out.exists()
    from sim.loading import load_scenario

    rule = ["detection.persistence.k=2", "detection.persistence.n=4"]
    scenario = load_scenario(DEFAULT, [f"detection.calibration={calibration}", *rule])
    assert scenario.calibration.classes["swimming"].alarm_hazard.k == 2


def test_a_thermal_hazard_entry_counted_with_another_alarm_rule_is_refused_where_thermal_cameras_read_it(
    tmp_path, capsys
):
    """The rule is checked in a sensor's terms too (``sensors.thermal``), for fishing as for swimming, when
    a camera is of that sensor type; a run without thermal cameras never reads the block and loads."""
    data = json.loads((SCENARIOS / "calibration" / "default.json").read_text())
    entry = data["sensors"]["thermal"]["classes"]["fishing"]
    data["sensors"]["thermal"]["classes"]["fishing"] = {
        "model": "hazard",
        "intercept": entry["intercept"],
        "size_slope": entry["size_slope"],
        "alarm_hazard": HAZARD,
    }
    calibration = tmp_path / "thermal.json"
    calibration.write_text(json.dumps(data))
    out = tmp_path / "out"
    sets = ["--set", f"detection.calibration={calibration}", "--set", "cameras.3.sensor=thermal"]
    rc = call_main(["run", "--scenario", str(DEFAULT), *sets, "--out", str(out)])
    assert_one_error_line(
        capsys, rc, ("3 of 5", "thermal.json", "sensors.thermal.classes.fishing.alarm_hazard", "2 of 4")
    )
    assert not out.exists()
    from sim.loading import load_scenario

    visible = load_scenario(DEFAULT, [f"detection.calibration={calibration}"])  # 3 of 5, no thermal camera
    assert visible.calibration.sensors["thermal"].classes["fishing"].alarm_hazard.k == 2
