"""The public API: paths from anywhere, Result.write as `run` writes, sim.batch like a sweep's table."""

from __future__ import annotations

import os

import pandas as pd
import pytest

import sim
from sim.experiments.batch import batch_sweep
from sim.experiments.sweep_file import load_sweep
from tests.helpers.cli import call_main
from tests.helpers.paths import DEFAULT

GRID = {"detection.threshold": [0.4, 0.6]}


def test_a_bundled_scenario_by_its_project_path_from_another_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scenario = sim.load_scenario("scenarios/night_fishing.yaml", ["run.duration=10m"])
    assert scenario.name == sim.load_scenario(DEFAULT.parent / "night_fishing.yaml").name
    with pytest.raises(sim.ScenarioError, match="no such file"):
        sim.load_scenario("scenarios/nowhere.yaml")


def test_paths_inside_a_scenario_resolve_from_its_folder(tmp_path, monkeypatch):
    (tmp_path / "mine").mkdir()
    child = tmp_path / "mine" / "child.yaml"
    child.write_text(f"extends: {os.path.relpath(DEFAULT, child.parent)}\nrun:\n  duration: 600\n")
    monkeypatch.chdir(tmp_path)  # neither the child's folder nor the project's
    assert sim.load_scenario("mine/child.yaml").run.duration == 600


def test_result_write_writes_the_folder_run_writes(tmp_path):
    argv = ["run", "--duration", "20m", "--seed", "2", "--out", str(tmp_path / "cli")]
    assert call_main(argv) == 0
    result = sim.run(sim.load_scenario(DEFAULT, ["run.duration=20m"]), seed=2)
    folder = result.write(tmp_path / "made" / "by" / "api")  # missing parents are made
    cli_files = sorted(p.relative_to(tmp_path / "cli").as_posix() for p in (tmp_path / "cli").rglob("*"))
    api_files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
    assert api_files == cli_files
    for name in ("incidents.csv", "alarms.csv", "missions.csv", "tracks.csv", "scenario.yaml"):
        assert (folder / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name


def test_batch_returns_the_rows_a_sweep_writes(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(
        f"scenario: {DEFAULT}\nduration: 20m\nseeds: 2\ngrid:\n  detection.threshold: [0.4, 0.6]\n"
    )
    assert call_main(["sweep", str(path), "--out", str(tmp_path / "swept"), "--quiet", "--workers", "2"]) == 0
    table = sim.batch(DEFAULT, grid=GRID, seeds=2, duration="20m", workers=2)
    pd.testing.assert_frame_equal(table, pd.read_csv(tmp_path / "swept" / "sweep.csv"))
    assert [r.run_id for r in batch_sweep(DEFAULT, GRID, 2, duration="20m").runs] == [
        r.run_id for r in load_sweep(path).runs
    ]


def test_batch_of_a_loaded_scenario_keeps_its_run_ids(tmp_path):
    scenario = sim.load_scenario(DEFAULT)
    by_path = batch_sweep(DEFAULT, GRID, 3, duration=600)
    by_scenario = batch_sweep(scenario, GRID, 3, duration=600)
    assert [r.run_id for r in by_path.runs] == [r.run_id for r in by_scenario.runs]
    assert [r.scenario for r in by_path.runs] == [r.scenario for r in by_scenario.runs]


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"grid": {"bogus.key": [1]}}, ("batch: grid: bogus.key", "no key 'bogus'")),
        ({"grid": {"network.profile": "lte"}}, ("batch: grid: network.profile", "list of values")),
        ({"seeds": 0}, ("batch: seeds", ">= 1")),
        ({"workers": 0}, ("batch: workers", ">= 1")),
        ({"fixed": {"dispatch.decision_tme": 3}}, ("batch: set: dispatch.decision_tme",)),
        ({"grid": {"detection.threshold": [1.5]}}, ("batch: variant detection.threshold=1.5",)),
    ],
)
def test_batch_bad_input_is_one_line_and_writes_nothing(tmp_path, monkeypatch, kwargs, fragments):
    monkeypatch.chdir(tmp_path)
    arguments = {"grid": GRID, "duration": "10m", **kwargs}
    with pytest.raises(sim.BadInputError) as caught:
        sim.batch(DEFAULT, out=tmp_path / "out", **arguments)
    message = str(caught.value)
    assert "\n" not in message and all(fragment in message for fragment in fragments), message
    assert not (tmp_path / "out").exists()
