"""tune --end-to-end's table: how runs are pooled across seeds, and the three shares of judged incidents."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import sim.calibration.end_to_end as e2e
import sim.engine
from sim.cli.main import main
from sim.loading import load_scenario
from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.paths import DEFAULT

NAN = math.nan


def _incidents(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    """Incidents from (outcome, t_detected, t_warning); every one starts at t = 0."""
    frame = pd.DataFrame(rows, columns=["outcome", "t_detected", "t_warning"])
    frame["t_start"] = 0.0
    return frame


def _summary(incidents: pd.DataFrame) -> dict:
    """The run summary's detection rate (open and undetected incidents are not judged) and counts."""
    judged = incidents[~((incidents["outcome"] == "unresolved") & incidents["t_detected"].isna())]
    return {
        "detection_rate": round(judged["t_detected"].notna().sum() / len(judged), 4),
        "false_dispatches": 0,
        "counts": {"incidents": len(incidents)},
    }


# Seed 0: five incidents still open and undetected (not judged) and five detected; seed 1: two missed.
RUNS = {
    0: _incidents([("unresolved", NAN, NAN)] * 5 + [("deterred", 10.0, 20.0)] * 5),
    1: _incidents([("missed", NAN, NAN)] * 2),
}


def test_detection_rate_is_the_mean_of_the_runs_rates_each_over_its_own_judged_incidents(monkeypatch):
    """Before the fix, each run's rate was weighted by all its incidents (open ones too) while the rate
    itself counts only judged ones: (1.0 · 10 + 0 · 2) / 12 = 0.83 for runs whose rates are 1 and 0."""

    def fake_run(scenario, seed=None):
        return SimpleNamespace(incidents=RUNS[seed], summary=_summary(RUNS[seed]))

    monkeypatch.setattr(sim.engine, "run", fake_run)
    scenario = load_scenario(DEFAULT, ["run.duration=1h"])
    row = e2e.end_to_end(scenario, np.array([0.5]), [0, 1], progress=False).iloc[0]
    assert row["detection_rate"] == pytest.approx(0.5)
    assert row["missed_share"] == pytest.approx(0.5)


def test_detected_preempted_and_missed_shares_add_up_to_one():
    """A boat on another errand warns an offender no sensor alarmed on: not detected, yet not missed."""
    incidents = _incidents(
        [
            ("deterred", 5.0, 50.0),  # detected
            ("deterred", NAN, 40.0),  # pre-empted: warned by a boat sent elsewhere
            ("non_compliant", NAN, 30.0),  # pre-empted too
            ("missed", NAN, NAN),
            ("unresolved", NAN, NAN),  # open and undetected: not judged
        ]
    )
    metrics = e2e.seed_metrics(incidents, _summary(incidents), 86400.0)
    assert metrics["detection_rate"] == pytest.approx(0.25)
    assert metrics["preempted_share"] == pytest.approx(0.5)
    assert metrics["missed_share"] == pytest.approx(0.25)
    assert metrics["response_p50_s"] == pytest.approx(40.0)


def test_end_to_end_with_thresholds_and_workers(tmp_path, capsys):
    out = tmp_path / "e2e"
    argv = ["tune", "--end-to-end", "--thresholds", "0.5,0.9", "--seeds", "2", "--workers", "2"]
    assert call_main([*argv, "--duration", "1h", "--out", str(out)]) == 0
    table = pd.read_csv(out / "end_to_end.csv")
    assert list(table["threshold"]) == [0.5, 0.9]
    shares = table["detection_rate"] + table["preempted_share"] + table["missed_share"]
    assert shares.to_numpy() == pytest.approx(1.0, abs=2e-4)
    assert {"detection_rate_ci95", "missed_share_ci95", "response_p50_s_ci95"} <= set(table.columns)
    printed = capsys.readouterr().out
    assert "95 % t interval" in printed and " %" in printed and " s" in printed


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--thresholds", "0.3,1.2"], ("--thresholds", "(0, 1)")),
        (["--thresholds", "0"], ("--thresholds", "(0, 1)")),
        (["--thresholds", "0.3,x"], ("--thresholds",)),
        (["--seeds", "0"], ("--seeds", ">= 1")),
        (["--workers", "0"], ("--workers", ">= 1")),
    ],
)
def test_end_to_end_bad_options(tmp_path, capsys, extra, message):
    out = tmp_path / "e2e"
    rc = main(["tune", "--end-to-end", "--duration", "1h", "--out", str(out), *extra])
    assert_one_error_line(capsys, rc, message)
    assert not out.exists()


def test_end_to_end_refuses_a_used_folder_unless_overwrite(tmp_path, capsys):
    out = tmp_path / "e2e"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    argv = [
        "tune",
        "--end-to-end",
        "--thresholds",
        "0.5",
        "--seeds",
        "1",
        "--duration",
        "20m",
        "--out",
        str(out),
    ]
    assert_one_error_line(capsys, main(argv), ("--out", str(out), "not empty", "--overwrite"))
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert call_main([*argv, "--overwrite"]) == 0
    assert (out / "end_to_end.csv").is_file() and (out / "notes.txt").is_file()
