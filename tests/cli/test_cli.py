"""The command line on good input: schema, validate, run and its output folder."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import sim
from sim.cli.main import main
from tests.helpers.run_contract import contract_problems

ROOT = Path(sim.__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "xuchang_lake.yaml"
TABLES = ("incidents.csv", "alarms.csv", "missions.csv", "transfers.csv", "sorties.csv")
FIGURES = (
    "response_time_cdf.png",
    "latency_breakdown.png",
    "zone_map.png",
    "boat_timeline.png",
    "coverage.png",
)
CONTRACT_KEYS = {
    "name", "run", "zone", "docks", "cameras", "buoys", "gnbs", "drones", "boats",
    "incidents", "detection", "network", "dispatch",
}  # fmt: skip


def _run(out: Path, *args: str, figures: bool = False) -> tuple[int, str, str]:
    """``run_sim.py run`` of the default scenario in-process; (exit code, stdout, stderr)."""
    argv = ["run", "--scenario", str(DEFAULT), "--out", str(out), *args]
    if not figures:
        argv.append("--no-figures")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = main(argv)
    return rc, stdout.getvalue(), stderr.getvalue()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def figure_run(tmp_path_factory) -> Path:
    """One 30-minute run of the default scenario with figures (shared: drawing is the slow part)."""
    out = tmp_path_factory.mktemp("figures") / "out"
    rc, _, err = _run(out, "--duration", "30m", figures=True)
    assert rc == 0, err
    return out


# ---------------------------------------------------------------- schema and validate


def test_schema_is_json_with_contract_keys(capsys):
    assert main(["schema"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    schema = json.loads(out)
    assert set(schema["properties"]) >= CONTRACT_KEYS
    assert {"zone", "docks", "gnbs", "boats", "incidents", "dispatch"} <= set(schema["required"])


def test_validate_default_summarises_it(capsys):
    assert main(["validate", str(DEFAULT)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines()[0] == "xuchang_lake: valid"
    assert "8 cameras" in out
    assert "3 boats at 2 docks" in out


def test_validate_applies_set(capsys):
    argv = ["validate", str(DEFAULT), "--set", "network.profile=lte", "--set", "dispatch.decision_time=1m"]
    assert main(argv) == 0
    out, _ = capsys.readouterr()
    assert "network    lte" in out
    assert "below CQI 1 (lte, seed 0); video load gnb-south" in out  # the radio map at the scenario's seed


def test_extends_from_another_folder_keeps_the_calibration(tmp_path, capsys):
    """A relative path in a parent scenario (detection.calibration) is relative to the parent file."""
    child = tmp_path / "variant.yaml"
    child.write_text(f"extends: {DEFAULT}\nname: variant\n", encoding="utf-8")
    rc = main(["validate", str(child)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert out.splitlines()[0] == "variant: valid"


# ---------------------------------------------------------------- run


def test_run_prints_summary_and_writes_outputs(tmp_path):
    out = tmp_path / "out"
    rc, stdout, stderr = _run(out, "--duration", "30m")
    assert rc == 0, stderr
    assert "Traceback" not in stderr
    assert "response time" in stdout
    assert "xuchang_lake (seed 0, statistical, 30 min)" in stdout
    assert str(out) in stdout
    for name in (*TABLES, "tracks.csv", "summary.json", "scenario.yaml"):
        assert (out / name).is_file(), name
    assert not (out / "figures").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["duration_s"] == 1800.0
    assert summary["seed"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "temporary folders left behind"


def test_run_without_figures_meets_contract_except_figures(tmp_path):
    out = tmp_path / "out"
    rc, _, stderr = _run(out, "--duration", "30m")
    assert rc == 0, stderr
    # The contract asks for figures/, which --no-figures skips on purpose: that must be the only gap.
    assert contract_problems(out) == ["no figures/"]


def test_run_with_figures_meets_contract(figure_run):
    assert contract_problems(figure_run) == []


def _edit_table(path: Path, edit) -> None:
    """Rewrite a CSV file with ``edit(rows, columns)`` applied (in place)."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows, columns = list(reader), list(reader.fieldnames or [])
    edit(rows, columns)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _edit_summary(out: Path, edit) -> None:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    edit(summary)
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")


def _edit_scenario(out: Path, edit) -> None:
    scenario = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))
    edit(scenario)
    (out / "scenario.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")


def _first_incident(out: Path, **values: str) -> None:
    _edit_table(out / "incidents.csv", lambda rows, _: rows[0].update(values))


BREAKAGES = {  # what is broken in a copy of a good run folder: the problem the check must name
    "no missions.csv": (lambda out: (out / "missions.csv").unlink(), "missing missions.csv"),
    "alarms without score": (
        lambda out: _edit_table(out / "alarms.csv", lambda _, columns: columns.remove("score")),
        "alarms.csv lacks column score",
    ),
    "unknown kind": (lambda out: _first_incident(out, kind="boating"), "incident 1: kind 'boating'"),
    "unknown outcome": (lambda out: _first_incident(out, outcome="escaped"), "incident 1: outcome 'escaped'"),
    "dispatched before detected": (
        lambda out: _first_incident(out, t_dispatched="1.0"),
        "incident 1: times out of order",
    ),
    "evidence before the offender left": (
        lambda out: _first_incident(out, t_evidence_uploaded="900.0"),
        "incident 1: times out of order",
    ),
    "deterred without leaving": (
        lambda out: _first_incident(out, t_offender_left=""),
        "incident 1: outcome deterred does not fit its times",
    ),
    "summary without p90": (
        lambda out: _edit_summary(out, lambda s: s["response_time_s"].pop("p90")),
        "summary.json response_time_s lacks p90",
    ),
    "summary without the transit stage": (
        lambda out: _edit_summary(out, lambda s: s["stages_s"].pop("transit")),
        "summary.json stages_s.transit lacks mean",
    ),
    "summary without versions": (
        lambda out: _edit_summary(out, lambda s: s.pop("versions")),
        "summary.json lacks versions",
    ),
    "response n off by one": (
        lambda out: _edit_summary(out, lambda s: s["response_time_s"].update(n=3)),
        "summary.json response_time_s n 3, but 2 incidents warned",
    ),
    "another seed in scenario.yaml": (
        lambda out: _edit_scenario(out, lambda s: s["run"].update(seed=9)),
        "scenario.yaml run.seed 9 is not the run's 0",
    ),
    "no zone map": (lambda out: (out / "figures" / "zone_map.png").unlink(), "figures/ lacks zone_map.png"),
    "a CDF that is no PNG": (
        lambda out: (out / "figures" / "response_time_cdf.png").write_bytes(b"GIF89a"),
        "figures/response_time_cdf.png is not a PNG",
    ),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_contract_check_names_what_is_broken(figure_run, tmp_path, breakage):
    """The contract check fails on a broken folder: each breakage of a good run's folder is named."""
    rows = _rows(figure_run / "incidents.csv")  # what the breakages rely on: two warned incidents,
    assert [r["outcome"] for r in rows] == ["deterred", "deterred"]  # the first dispatched after 800 s
    assert float(rows[0]["t_dispatched"]) > 800.0 and float(rows[0]["t_offender_left"]) > 900.0
    out = tmp_path / "out"
    shutil.copytree(figure_run, out)
    assert contract_problems(out) == []
    breaking, problem = BREAKAGES[breakage]
    breaking(out)
    assert problem in contract_problems(out)


def test_run_with_figures_draws_every_png(figure_run):
    figures = figure_run / "figures"
    for name in FIGURES:
        data = (figures / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n"), name
        assert len(data) > 5_000, f"{name} is suspiciously small ({len(data)} bytes)"


def test_same_seed_gives_identical_tables(tmp_path):
    first, second, other = tmp_path / "first", tmp_path / "second", tmp_path / "other"
    for out, seed in ((first, "7"), (second, "7"), (other, "8")):
        rc, _, stderr = _run(out, "--duration", "2h", "--seed", seed)
        assert rc == 0, stderr
    assert _rows(first / "incidents.csv"), "no incidents: the comparison would prove nothing"
    for name in TABLES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "incidents.csv").read_bytes() != (other / "incidents.csv").read_bytes()
    resolved = yaml.safe_load((first / "scenario.yaml").read_text(encoding="utf-8"))
    assert resolved["run"]["seed"] == 7
    assert resolved["run"]["duration"] == 7200.0


def test_set_network_profile_lte(tmp_path):
    nr, lte = tmp_path / "nr", tmp_path / "lte"
    rc, _, stderr = _run(nr, "--duration", "2h", "--seed", "7")
    assert rc == 0, stderr
    rc, _, stderr = _run(lte, "--duration", "2h", "--seed", "7", "--set", "network.profile=lte")
    assert rc == 0, stderr
    resolved = yaml.safe_load((lte / "scenario.yaml").read_text(encoding="utf-8"))
    assert resolved["network"]["profile"] == "lte"
    # Common random numbers: the same incidents arrive whatever the network.
    arrivals = ("incident_id", "kind", "x", "y", "t_start")
    nr_rows, lte_rows = _rows(nr / "incidents.csv"), _rows(lte / "incidents.csv")
    assert nr_rows
    assert [[r[c] for c in arrivals] for r in lte_rows] == [[r[c] for c in arrivals] for r in nr_rows]
    uplink = [json.loads((d / "summary.json").read_text())["stages_s"]["uplink"]["mean"] for d in (nr, lte)]
    assert uplink[1] > uplink[0], f"LTE uplink {uplink[1]} s is not slower than NR {uplink[0]} s"


def test_set_list_index_reaches_one_camera(tmp_path):
    out = tmp_path / "out"
    rc, _, stderr = _run(out, "--duration", "30m", "--set", "cameras.2.fps=10")
    assert rc == 0, stderr
    cameras = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))["cameras"]
    assert cameras[2]["id"] == "cam-dam"
    assert cameras[2]["fps"] == 10.0
    assert [c["fps"] for i, c in enumerate(cameras) if i != 2] == [15.0, 15.0, 10.0, 15.0, 15.0, 15.0, 25.0]


def test_run_replaces_an_existing_out_folder_with_overwrite(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("old", encoding="utf-8")
    rc, _, stderr = _run(out, "--duration", "30m")
    assert rc == 2 and "--overwrite" in stderr
    assert (out / "stale.txt").is_file(), "refused, yet the folder changed"
    rc, _, stderr = _run(out, "--duration", "30m", "--overwrite")
    assert rc == 0, stderr
    assert not (out / "stale.txt").exists()
    assert (out / "incidents.csv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# ---------------------------------------------------------------- the real entry point


def test_entry_point_validate():
    result = subprocess.run(
        [sys.executable, "run_sim.py", "validate", "scenarios/xuchang_lake.yaml"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout
    assert result.stderr == ""


def test_entry_point_bad_duration_exits_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "run_sim.py", "run", "--duration", "-5m", "--out", str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "--duration" in lines[0]
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []
