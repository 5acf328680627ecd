"""``optimize``: the study loop on Optuna (same inputs, same trials), resume, infeasible trials, Ctrl-C,
a toy optimum, the outputs and the held-out confirmation."""

from __future__ import annotations

import json

import optuna
import pandas as pd
import pytest
import yaml

from sim.experiments.confirm import confirm
from sim.experiments.optimize_figures import write_figures
from sim.experiments.optimize_outputs import trials_table, write_outputs
from sim.experiments.optimizer import open_study, plan_study, run_trials
from sim.loading import load_scenario
from tests.helpers.optimize_rig import InlineExecutor, write_study


def _run(tmp_path, name, trials, executor=None, resume=False, **changes):
    plan = plan_study(write_study(tmp_path, **changes))
    study = open_study(plan, tmp_path / name, resume)
    run_trials(plan, study, executor or InlineExecutor(), trials)
    return plan, study


def test_identical_inputs_give_identical_trials(tmp_path):
    # Results handed back in another order (as from more workers) must give the same trials.
    same = {"seeds": 3, "objectives": [{"column": "stages_s.uplink.mean"}]}
    _, first = _run(tmp_path, "a", 4, **same)
    _, second = _run(tmp_path, "b", 4, executor=InlineExecutor(reverse=True), **same)  # another order
    assert [t.params for t in first.trials] == [t.params for t in second.trials]
    assert [t.values for t in first.trials] == [t.values for t in second.trials]
    _, other = _run(tmp_path, "c", 4, sampler_seed=99, **same)
    assert [t.params for t in other.trials] != [t.params for t in first.trials]


def test_resume_adds_trials_without_rerunning(tmp_path):
    _, study = _run(tmp_path, "out", 2)
    before = [(t.params, t.values) for t in study.trials]
    executor = InlineExecutor()
    _, resumed = _run(tmp_path, "out", 4, executor=executor, resume=True)
    assert len(resumed.trials) == 4
    assert [(t.params, t.values) for t in resumed.trials[:2]] == before
    assert executor.tasks == 2 * 2  # two new trials x two seeds: nothing finished ran again


def test_infeasible_trial_is_recorded_and_the_study_goes_on(tmp_path):
    space = {"dispatch.on_scene.message_length": {"low": 5, "high": 5000, "log": True}}
    plan, study = _run(tmp_path, "out", 6, space=space)
    table = trials_table(plan, study)
    infeasible = table[table["state"] == "infeasible"]
    assert len(infeasible) >= 1
    assert infeasible["error"].str.contains("message_length").all()
    assert (table["state"] == "complete").sum() >= 1
    assert ((table["state"] == "complete") | (table["state"] == "infeasible")).sum() == 6


def test_interrupt_keeps_finished_trials_and_resume_completes(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, "out", 4, executor=InlineExecutor(interrupt_after=5))
    plan = plan_study(write_study(tmp_path))
    study = open_study(plan, tmp_path / "out", resume=True)
    states = [t.user_attrs.get("state") for t in study.trials]
    assert states[:2] == ["complete", "complete"]
    assert "interrupted" in states[2:]
    run_trials(plan, study, InlineExecutor(), 4)
    assert sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials) == 4


def test_toy_objective_finds_the_known_optimum(tmp_path):
    # Cost alone: the cheapest layout has one boat (the camera moves at no cost).
    _, study = _run(tmp_path, "out", 10, batch=1)
    assert study.best_trial.params["boats"] == 1
    assert study.best_value == pytest.approx(8 * 8000 + 1 * 40000 + 2 * 15000 + 20000)


def test_outputs_run_as_they_are_and_confirmation_uses_fresh_seeds(tmp_path):
    plan, study = _run(tmp_path, "out", 4)
    best = write_outputs(plan, study, tmp_path / "out")
    table = pd.read_csv(tmp_path / "out" / "trials.csv")
    assert list(table["trial"]) == [0, 1, 2, 3]
    scenario = load_scenario(tmp_path / "out" / "best" / "1" / "scenario.yaml")
    assert len(scenario.boats) == best[0].params["boats"]
    differences = confirm(plan, best[:1], InlineExecutor(), tmp_path / "out")
    seeds = {int(s) for s in differences["seeds"].iloc[0].split()}
    assert seeds and not seeds & set(plan.study.seed_list)
    assert set(differences["metric"]) == {"cost", "false_dispatches_per_day"}
    saved = json.loads((tmp_path / "out" / "study.json").read_text())
    assert saved["name"] == "toy" and "trials" not in saved
    assert yaml.safe_load((tmp_path / "out" / "best" / "1" / "scenario.yaml").read_text())["run"]["duration"]


@pytest.mark.parametrize("sampler", ["tpe", "nsga2"])
def test_two_objectives_give_a_pareto_front_and_every_figure(tmp_path, sampler):
    objectives = [{"column": "response_time_s.mean"}, {"column": "cost"}]
    plan, study = _run(tmp_path, "out", 4, objectives=objectives, sampler=sampler, population=2)
    best = write_outputs(plan, study, tmp_path / "out")
    front = pd.read_csv(tmp_path / "out" / "pareto.csv")
    assert set(front["trial"]) == {t.number for t in best}
    values = {t.number: t.values for t in study.trials}
    for a in front["trial"]:  # no trial of the front dominates another
        for b in front["trial"]:
            assert (
                not all(x <= y for x, y in zip(values[a], values[b], strict=True)) or values[a] == values[b]
            )
    paths = write_figures(plan, study, tmp_path / "out", best)
    names = {p.name for p in paths}
    assert names == {"history.png", "importances.png", "pareto.png", "layout.png"}
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)
