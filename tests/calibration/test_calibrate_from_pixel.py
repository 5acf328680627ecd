"""Statistical mode calibrated from pixel mode: the comparison's table, held-out seeds, ``tune --pixel-runs``.
(The fit's inputs, its false-alarm rate and whether the calibrated mode meets issue 4's goals, all on the
same six pixel-mode runs: test_agreement.py.)"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.calibration.agreement import (
    AGREEMENT_COLUMNS,
    compare_modes,
    ignoring_warnings,
    pixel_run_log,
    statistical_detections,
)
from sim.calibration.pixel_run_log import pixel_detections
from sim.engine import run
from sim.loading import load_scenario
from sim.scenario.models import Calibration, Kind, Mode
from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.paths import DEFAULT
from tests.helpers.pixel import BEACH_OVERRIDES, one_beach_camera


@pytest.fixture(scope="module")
def beach():
    """One beach camera at 5 frames/s: the cheapest pixel mode that still sees many swimmers."""
    return one_beach_camera(BEACH_OVERRIDES)


@pytest.fixture(scope="module")
def short(beach):
    """Two minutes of the beach, and its pixel-mode run on seed 0 as the comparison makes it (offenders
    ignoring warnings): made once for the tests that fit on it."""
    scenario = beach.model_copy(update={"run": beach.run.model_copy(update={"duration": 120.0})})
    return scenario, pixel_run_log([ignoring_warnings(scenario)], [0])


def test_compare_modes_tables_the_same_incidents_in_both_modes(short):
    short, runs = short
    table, calibration = compare_modes([short], [0], spells=(0.0,), runs=runs)
    assert list(table.columns) == list(AGREEMENT_COLUMNS)
    swimming = table[table["kind"] == "swimming"].set_index("mode")
    # Incidents come from their own random stream: both modes see the same ones.
    assert swimming.loc["pixel", "incidents_visible"] == swimming.loc["statistical", "incidents_visible"] > 2
    assert isinstance(calibration, Calibration)


def test_compare_modes_on_held_out_seeds_with_the_acquisition_model(short):
    """Fitted on seed 0, compared on seed 1: both modes on seed 1's incidents; the class gets the chain."""
    short, runs = short
    table, calibration = compare_modes([short], [0], acquisition=True, check_seeds=[1], runs=runs)
    swimming = table[table["kind"] == "swimming"].set_index("mode")
    seed_one = statistical_detections(ignoring_warnings(short), [1], replications=1)
    in_view = int((seed_one["kind"] == "swimming").sum())
    assert (
        swimming.loc["pixel", "incidents_visible"]
        == swimming.loc["statistical", "incidents_visible"]
        == in_view
    )
    entry = calibration.classes[Kind.SWIMMING].entry_acquisition
    assert entry is not None and len(entry) == 5 and calibration.classes[Kind.SWIMMING].hit_run_s == 0.0


def test_offenders_ignore_warnings_in_the_comparison(beach):
    """A warning to one swimmer must not cut other visits short in the mode that detects sooner."""

    short = beach.model_copy(update={"run": beach.run.model_copy(update={"duration": 1800.0})})
    normal, deaf = run(short), run(ignoring_warnings(short))

    def cut_short(incidents: pd.DataFrame) -> pd.Series:
        return incidents["t_offender_left"] < incidents["t_end"] - 1e-6

    assert cut_short(normal.incidents).any()
    assert not cut_short(deaf.incidents).any()
    columns = ["kind", "x", "y", "t_start", "t_end"]
    pd.testing.assert_frame_equal(normal.incidents[columns], deaf.incidents[columns])


def test_tune_pixel_runs_writes_agreement_and_a_usable_calibration(tmp_path, capsys, monkeypatch):
    out = tmp_path / "pixel"
    # The hazard model: the command's plumbing is what this test checks, and the default ordinal model's
    # thirteen spell candidates cost 8 s more (its fit: tests/calibration/test_agreement.py).
    argv = ["tune", "--pixel-runs", "--seeds", "1", "--duration", "60", "--camera", "cam-beach-w"]
    argv += ["--model", "hazard"]
    overrides = [*BEACH_OVERRIDES[1:], "cameras.0.fps=5"]  # cam-beach-w at 5 frames/s, as the other tests
    argv += [f"--set={o}" for o in overrides] + ["--out", str(out)]
    assert call_main(argv) == 0
    table = pd.read_csv(out / "agreement.csv")
    assert list(table.columns) == list(AGREEMENT_COLUMNS) and set(table["mode"]) == {"pixel", "statistical"}
    calibration = Calibration.model_validate(json.loads((out / "calibration.json").read_text()))
    assert "tune --pixel-runs" in calibration.source
    scenario = load_scenario(DEFAULT, [f"detection.calibration={out / 'calibration.json'}"])
    assert scenario.calibration == calibration
    assert "agreement.csv" in capsys.readouterr().out
    # The validity report reads the folder: a row per kind in view, its numbers those of agreement.csv.
    assert call_main(["tune", "--report", str(out), "--out", str(tmp_path / "report")]) == 0
    report = pd.read_csv(tmp_path / "report" / "agreement.csv")
    swimming = table[table["kind"] == "swimming"].set_index("mode")
    row = report.set_index("kind").loc["swimming"]
    assert row["fit"] == "pixel" and row["checked_on"] == "fitting seeds"
    assert row["pixel_rate"] == swimming.loc["pixel", "detection_rate"]
    assert row["statistical_ttd_p50_s"] == swimming.loc["statistical", "ttd_p50_s"]
    assert "tune --pixel-runs" in (tmp_path / "report" / "agreement.md").read_text(encoding="utf-8")
    # The runs are kept: fitted again from them, nothing is rendered and the same calibration is written.
    assert (out / "runs" / "fit" / "frames.csv.gz").is_file() and not (out / "runs" / "held_out").exists()
    again = tmp_path / "again"
    with monkeypatch.context() as patch:
        patch.setattr("sim.calibration.model_choice.render_runs", _no_rendering)
        assert call_main([*argv[:-2], "--runs-from", str(out), "--out", str(again)]) == 0
    refit, first = (json.loads((folder / "calibration.json").read_text()) for folder in (again, out))
    assert refit.pop("source").endswith(first.pop("source").split("`")[-1])  # the command differs
    assert refit == first
    assert (again / "agreement.csv").read_bytes() == (out / "agreement.csv").read_bytes()
    capsys.readouterr()
    # Runs of other options are refused, naming the folder; so is a folder without runs.
    other = [
        *argv[:-2],
        "--set=run.start=2026-07-18T21:00:00",
        "--runs-from",
        str(out),
        "--out",
        str(tmp_path / "x"),
    ]
    assert_one_error_line(capsys, call_main(other), ("runs/fit", "another scenario"))
    seeds = [*argv[:-2], "--seeds", "2", "--runs-from", str(out), "--out", str(tmp_path / "y")]
    assert_one_error_line(capsys, call_main(seeds), ("runs/fit", "seeds [0], not [0, 1]"))
    empty = [*argv[:-2], "--runs-from", str(tmp_path / "report"), "--out", str(tmp_path / "z")]
    assert_one_error_line(capsys, call_main(empty), ("not a pixel-run log", "frames.csv.gz"))


def _no_rendering(*args, **kwargs):
    raise AssertionError("--runs-from rendered pixel runs")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--seeds", "0"], ("--seeds", ">= 1")),
        (["--camera", "cam-nowhere"], ("--camera", "cam-nowhere", "cam-beach-w")),
        (["--start", "yesterday"], ("run.start",)),
        (["--duration", "-5m"], ("--duration",)),
    ],
)
def test_tune_pixel_runs_bad_arguments(tmp_path, capsys, args, expected):
    rc = call_main(["tune", "--pixel-runs", "--out", str(tmp_path / "x"), *args])
    assert_one_error_line(capsys, rc, expected)


def test_statistical_replica_zero_is_the_run_itself_and_replicas_vary(beach):
    """Replication 0 draws what ``run`` draws; further replications redraw detection on the same incidents."""

    scenario = ignoring_warnings(
        beach.model_copy(update={"run": beach.run.model_copy(update={"mode": Mode.STATISTICAL})})
    )
    replicas = statistical_detections(scenario, [0], replications=3)
    realised = pixel_detections([run(scenario, seed=0)])  # any run's incidents table reads the same way
    per_replica = len(replicas) // 3
    assert per_replica == len(realised) > 5
    first = replicas.iloc[:per_replica].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, realised, check_exact=False, atol=1e-3)  # tables keep ms
    # Every further replication redraws detection on the same incidents: the same rows, other times to
    # detect. (ttd_s is NaN where undetected, so a redrawn ``detected`` shows in it too.)
    for replica in (1, 2):
        later = replicas.iloc[replica * per_replica : (replica + 1) * per_replica].reset_index(drop=True)
        assert list(later["kind"]) == list(first["kind"])
        assert not np.allclose(later["ttd_s"], first["ttd_s"], equal_nan=True)
