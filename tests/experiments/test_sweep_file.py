"""Sweep files: expansion of grid, zip and seeds into runs, and run ids."""

from __future__ import annotations

import pytest

from sim.experiments.sweep_file import load_sweep, run_id
from tests.helpers.paths import DEFAULT, ROOT
from tests.helpers.sweeps import SMALL


def test_grid_times_zip_times_seeds(small_sweep):
    sweep = load_sweep(small_sweep)
    assert len(sweep.runs) == 12
    assert sweep.swept_keys == ("detection.threshold", "network.profile", "network.traffic.command")
    first = sweep.runs[0]
    assert first.swept == {
        "detection.threshold": 0.6,
        "network.profile": "lte",
        "network.traffic.command": "lte",
    }
    assert first.scenario.detection.threshold == 0.6
    assert first.scenario.network.traffic.command == "lte"
    assert first.scenario.run.duration == 7200.0
    assert [r.seed for r in sweep.runs[:3]] == [0, 1, 2]
    zipped = {(r.swept["network.profile"], r.swept["network.traffic.command"]) for r in sweep.runs}
    assert zipped == {("lte", "lte"), ("nr_embb", "nr_urllc")}  # varied together, never crossed
    assert len({r.run_id for r in sweep.runs}) == 12


def test_one_kind_threshold_swept_over_a_fixed_threshold_for_all(tmp_path):
    """`set:` one number for every kind, the grid one kind's: the other kind keeps the fixed number."""
    path = tmp_path / "kinds.yaml"
    path.write_text(
        f"scenario: {DEFAULT}\nseeds: 1\nset:\n  detection.threshold: 0.6\n"
        "grid:\n  detection.threshold.swimming: [0.7, 0.9]\n",
        encoding="utf-8",
    )
    sweep = load_sweep(path)
    assert [r.swept for r in sweep.runs] == [
        {"detection.threshold.swimming": 0.7},
        {"detection.threshold.swimming": 0.9},
    ]
    assert [dict(r.scenario.detection.thresholds) for r in sweep.runs] == [
        {"swimming": 0.7, "fishing": 0.6},
        {"swimming": 0.9, "fishing": 0.6},
    ]


def test_run_ids_are_stable_and_depend_only_on_overrides_and_seed(small_sweep, tmp_path):
    ids = [r.run_id for r in load_sweep(small_sweep).runs]
    assert ids == [r.run_id for r in load_sweep(small_sweep).runs]
    assert run_id({"a": 1, "b": [1, 2]}, 3) == run_id({"b": [1, 2], "a": 1}, 3)  # key order does not matter
    assert run_id({"a": 1}, 3) != run_id({"a": 1}, 4)
    assert run_id({"a": 1}, 3) != run_id({"a": 2}, 3)
    # Another duration is another run: its id changes.
    longer = tmp_path / "longer.yaml"
    longer.write_text(SMALL.replace("duration: 2h", "duration: 3h"), encoding="utf-8")
    assert not set(ids) & {r.run_id for r in load_sweep(longer).runs}


def test_list_values_and_merge_keys_from_the_bundled_boats_study():
    sweep = load_sweep(ROOT / "scenarios" / "sweeps" / "boats.yaml")
    fleets = [r.scenario.boats for r in sweep.runs if r.seed == 0]
    assert [len(f) for f in fleets] == [2, 3, 4, 6]
    six = fleets[-1]
    assert [b.id for b in six] == [f"usv-{i}" for i in range(1, 7)]
    assert {b.reserve_wh for b in six} == {400.0}  # `<<: *usv-1` carried the template's keys


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_studies_validate(path):
    sweep = load_sweep(path)
    assert len(sweep.runs) >= 2 * 30  # at least two variants, enough seeds for tight intervals
