"""sweep FILE --seeds --duration --set: small studies without editing the file; --out's parents are made."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.experiments.sweep_file import load_sweep
from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.paths import DEFAULT

FILE = f"""\
scenario: {DEFAULT}
duration: 6h
seeds: 5
grid:
  detection.threshold: [0.4, 0.6]
"""


@pytest.fixture
def sweep_file(tmp_path) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def test_seeds_duration_and_set_replace_the_files_own(sweep_file, tmp_path, capsys):
    out = tmp_path / "new" / "deeper" / "out"  # missing parents are made
    argv = [
        "sweep",
        str(sweep_file),
        "--seeds",
        "2",
        "--duration",
        "30m",
        "--set",
        "dispatch.decision_time=12",
    ]
    assert call_main([*argv, "--out", str(out), "--quiet", "--workers", "1"]) == 0
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 4 and sorted(table["seed"].unique()) == [0, 1]
    assert (table["duration_s"] == 1800).all() and (table["status"] == "ok").all()
    for run_id in table["run_id"]:
        assert "decision_time: 12" in (out / "runs" / run_id / "scenario.yaml").read_text(encoding="utf-8")
    printed = capsys.readouterr().out.splitlines()
    header = next(i for i, line in enumerate(printed) if line.startswith("variant "))
    rows = printed[header + 1 : header + 3]
    assert [row.split()[0] for row in rows] == ["threshold=0.4", "threshold=0.6"]
    assert all(row.count(" %") == 2 and row.endswith("%") and " s " in row for row in rows), rows


def test_options_change_the_run_ids_as_the_same_keys_in_the_file_would(sweep_file, tmp_path):
    by_options = load_sweep(sweep_file, 2, 600.0, {"dispatch.decision_time": 12})
    written = tmp_path / "written.yaml"
    written.write_text(
        FILE.replace("duration: 6h", "duration: 600").replace("seeds: 5", "seeds: 2")
        + "set:\n  dispatch.decision_time: 12\n",
        encoding="utf-8",
    )
    assert [r.run_id for r in by_options.runs] == [r.run_id for r in load_sweep(written).runs]


def test_a_missing_scenario_names_the_path_resolved_from_the_sweep_file(tmp_path, capsys):
    (tmp_path / "studies").mkdir()
    path = tmp_path / "studies" / "study.yaml"
    path.write_text("scenario: ../nowhere.yaml\nseeds: 1\n", encoding="utf-8")
    rc = call_main(["sweep", str(path), "--out", str(tmp_path / "out")])
    assert_one_error_line(
        capsys, rc, ("../nowhere.yaml", "relative to the sweep file", str(tmp_path / "nowhere.yaml"))
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["--seeds", "0"], ("--seeds", ">= 1"), id="seeds-zero"),
        pytest.param(["--duration", "0"], ("--duration", "positive"), id="duration-zero"),
        pytest.param(["--duration", "soon"], ("--duration",), id="duration-text"),
        pytest.param(["--set", "nokey"], ("--set nokey", "key.path=value"), id="set-without-value"),
        pytest.param(["--set", "bogus.key=1"], ("--set bogus.key", "no key 'bogus'"), id="set-unknown-key"),
        pytest.param(
            ["--set", "detection.threshold=0.3"], ("--set detection.threshold", "varies"), id="set-swept"
        ),
        pytest.param(["--set", "run.duration=60"], ("--set run.duration", "--duration"), id="set-duration"),
        pytest.param(["--set", "detection.threshold.swimming=2"], ("detection.threshold",), id="set-invalid"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(sweep_file, tmp_path, capsys, args, expected):
    out = tmp_path / "parent" / "out"
    rc = call_main(["sweep", str(sweep_file), "--out", str(out), "--quiet", *args])
    assert_one_error_line(capsys, rc, expected)
    assert not (tmp_path / "parent").exists()


def test_out_under_a_file_is_refused(sweep_file, tmp_path, capsys):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    rc = call_main(["sweep", str(sweep_file), "--out", str(tmp_path / "afile" / "out"), "--seeds", "1"])
    assert_one_error_line(capsys, rc, ("--out", "is a file"))


def test_compare_without_baseline_on_a_sweep_that_varies_nothing(tmp_path, capsys):
    path = tmp_path / "flat.yaml"
    path.write_text(f"scenario: {DEFAULT}\nduration: 10m\nseeds: 1\n", encoding="utf-8")
    assert call_main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet", "--workers", "1"]) == 0
    capsys.readouterr()
    rc = call_main(["compare", str(tmp_path / "out")])
    assert_one_error_line(capsys, rc, ("--baseline", "varies no key"))
