"""``optimize``: an Optuna study over a scenario's layout, kept in a journal file in the output folder.

The study object, the sampler and the storage are Optuna's (TPE for one objective or several, NSGA-II
for several with ``sampler: nsga2``, constraints through ``Trial.set_constraint``, or
``constraints_func`` before Optuna 5); this module only builds each trial's scenario
from its ``suggest_*`` calls (:mod:`sim.experiments.search_space`), runs it on the study's seeds
with the sweep executors (:mod:`sim.experiments.executors`) and tells Optuna the means
(:mod:`sim.experiments.objectives`). Trials are asked ``batch`` at a time (a study setting, not the
worker count, so the same study file and sampler seed give the same trials on any number of workers)
and their runs spread over the workers. A layout the scenario checks refuse is told as a failed trial
with ``state=infeasible`` and the check's message; Ctrl-C keeps every trial already told.

``DIR/`` holds ``study.json`` (what is optimised: ``--resume`` refuses a different one) and
``study.journal`` (Optuna's JournalStorage: resumable, shareable by several processes).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna

from sim.errors import OptimizeError, ScenarioError
from sim.experiments import objectives as obj
from sim.experiments.optimize_study import StudyFile, read_study
from sim.experiments.search_space import SearchSpace
from sim.experiments.sweep_file import fixed_keys
from sim.experiments.sweep_table import write_text
from sim.loading import validate
from sim.scenario.loading import read_with_extends, set_key
from sim.scenario.models import Scenario

PROBE_DURATION_S = 60.0
"""A probe run of the given scenario this long (s) lists the summary's columns before the study starts."""

INFEASIBLE = "infeasible"
INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class Plan:
    """A study ready to run: the study file, the scenario as given (``set:`` applied), and the space."""

    name: str
    study: StudyFile
    where: str
    base_dir: Path
    given: Scenario
    space: SearchSpace

    def scenario(self, overrides: dict[str, Any]) -> Scenario:
        """The checked scenario of a trial's overrides (ScenarioError if the checks refuse it)."""
        return validate(self.space.apply(overrides, f"{self.where}: space"), self.base_dir)

    def fingerprint(self) -> dict[str, Any]:
        """What makes two studies the same study (everything but the number of trials)."""
        return {"name": self.name, **self.study.model_dump(mode="json", exclude={"trials"})}


def plan_study(path: Path, seeds: int | None = None, duration: float | None = None, overrides=None) -> Plan:
    """Read a study file and check all of it (space keys, columns, costs) before anything runs."""
    path = Path(path)
    study = read_study(path, seeds, duration, overrides or {})
    where = str(path)
    scenario_path = (path.parent / study.scenario).resolve()
    if not scenario_path.is_file():
        raise OptimizeError(f"{where}: scenario: no such file {study.scenario} (relative to the study file)")
    base = read_with_extends(scenario_path)
    fixed = fixed_keys(study.set, study.duration, study.mode)
    for key, value in fixed.items():
        set_key(base, key, value, f"{where}: set: {key}")
    given = validate(base, scenario_path.parent)
    space = SearchSpace(study, base, given, where)
    probe = given.model_copy(update={"run": given.run.model_copy(update={"duration": PROBE_DURATION_S})})
    obj.check_columns(study, list(obj.run_metrics((probe, study.seed_list[0]))), where)
    return Plan(study.name or path.stem, study, where, scenario_path.parent, given, space)


def storage(out: Path) -> optuna.storages.JournalStorage:
    """Optuna's journal file storage in ``out`` (JournalFileBackend, or JournalFileStorage before 4)."""
    journal = getattr(optuna.storages, "journal", None)
    backend = getattr(journal, "JournalFileBackend", None) if journal is not None else None
    if backend is None:
        backend = optuna.storages.JournalFileStorage
    return optuna.storages.JournalStorage(backend(str(out / "study.journal")))


def _constraints(trial: optuna.trial.FrozenTrial) -> list[float]:
    return trial.user_attrs.get("constraints", [])


def open_study(plan: Plan, out: Path, resume: bool) -> optuna.Study:
    """Create the study in ``out`` (new or empty), or with ``resume`` load the one there if it is the same."""
    out = Path(out)
    meta = out / "study.json"
    if resume and meta.is_file():
        before = json.loads(meta.read_text(encoding="utf-8"))
        now = plan.fingerprint()
        for key in dict.fromkeys([*before, *now]):
            if before.get(key) != now.get(key):
                raise OptimizeError(
                    f"--resume: {out} holds a different study: {key} was {before.get(key)!r}, "
                    f"now {now.get(key)!r}"
                )
    elif out.exists() and any(out.iterdir()):
        hint = "add --resume to continue it" if meta.is_file() else "give an empty or new folder"
        raise OptimizeError(f"--out: {out} is not empty ({hint})")
    out.mkdir(parents=True, exist_ok=True)
    write_text(meta, json.dumps(plan.fingerprint(), indent=2) + "\n")
    directions = [o.direction for o in plan.study.objectives]
    # Optuna >= 5 reads constraints set on the trial (Trial.set_constraint); before, a constraints_func.
    old = plan.study.constraints and not hasattr(optuna.trial.Trial, "set_constraint")
    seed, constraints = plan.study.sampler_seed, _constraints if old else None
    if len(directions) > 1 and plan.study.sampler == "nsga2":
        sampler = optuna.samplers.NSGAIISampler(
            population_size=plan.study.population, seed=seed, constraints_func=constraints
        )
    else:  # TPE: one objective, or several (Optuna's multi-objective TPE)
        sampler = optuna.samplers.TPESampler(seed=seed, constraints_func=constraints)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(
        study_name=plan.name,
        storage=storage(out),
        sampler=sampler,
        directions=directions,
        load_if_exists=True,
    )


def counted(trial: optuna.trial.FrozenTrial) -> bool:
    """A trial that counts towards ``--trials``: finished, or refused as infeasible (not interrupted)."""
    return trial.state == optuna.trial.TrialState.COMPLETE or trial.user_attrs.get("state") == INFEASIBLE


def run_trials(
    plan: Plan, study: optuna.Study, executor, trials: int, progress: Callable[[str], None] | None = None
) -> int:
    """Run trials until ``trials`` count (finished or infeasible); returns how many ran now.

    Trials left running by an interrupted run are closed as failed (``state=interrupted``) first.
    """
    for frozen in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        _fail(
            study, optuna.trial.Trial(study, frozen._trial_id), INTERRUPTED, "interrupted before it finished"
        )
    ran = 0
    with executor:
        while (done := sum(counted(t) for t in study.get_trials(deepcopy=False))) < trials:
            asked = [study.ask() for _ in range(min(plan.study.batch, trials - done))]
            try:
                _run_batch(plan, study, executor, asked)
            except BaseException:
                for trial in asked:
                    if not study.get_trials(deepcopy=False)[trial.number].state.is_finished():
                        _fail(study, trial, INTERRUPTED, "interrupted before it finished")
                raise
            ran += len(asked)
            if progress is not None:
                progress(f"{done + len(asked)}/{trials} trials")
    return ran


def _fail(study: optuna.Study, trial: optuna.trial.Trial, state: str, error: str) -> None:
    """Tell ``trial`` as failed, with why (``state``: infeasible, failed, interrupted) and the message."""
    trial.set_user_attr("state", state)
    trial.set_user_attr("error", error)
    study.tell(trial, state=optuna.trial.TrialState.FAIL)


def _run_batch(plan: Plan, study: optuna.Study, executor, asked: list[optuna.trial.Trial]) -> None:
    """Build, run and tell one batch of asked trials."""
    scenarios: dict[int, Scenario] = {}
    for trial in asked:
        overrides = plan.space.suggest(trial)
        trial.set_user_attr("overrides", overrides)
        try:
            scenarios[trial.number] = plan.scenario(overrides)
        except ScenarioError as error:
            _fail(study, trial, INFEASIBLE, str(error))
    items = [(scenarios[n], seed, n) for n in scenarios for seed in plan.study.seed_list]
    runs: dict[int, list] = {n: [] for n in scenarios}
    for item, outcome in executor.results(obj.run_metrics, items):
        runs[item[2]].append((item[1], outcome))
    for number, by_seed in sorted(runs.items()):
        # In seed order, not completion order: the means (float sums) must not depend on the workers.
        outcomes = [outcome for _, outcome in sorted(by_seed, key=lambda pair: pair[0])]
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        trial = next(t for t in asked if t.number == number)
        if errors:
            _fail(study, trial, "failed", f"{type(errors[0]).__name__}: {errors[0]}")
            continue
        means = obj.mean_metrics(outcomes)
        means["cost"] = obj.cost(plan.study, scenarios[number])
        columns = [o.column for o in (*plan.study.objectives, *plan.study.constraints)]
        trial.set_user_attr("means", {c: means.get(c) for c in dict.fromkeys(columns)})
        constraints = obj.constraint_values(plan.study, means)
        trial.set_user_attr("constraints", constraints)
        if hasattr(trial, "set_constraint"):
            for name, value in zip(obj.constraint_names(plan.study), constraints, strict=True):
                trial.set_constraint(name, value)
        trial.set_user_attr("state", "complete")
        study.tell(trial, obj.objective_values(plan.study, means))


def trial_overrides(trial: optuna.trial.FrozenTrial) -> dict[str, Any]:
    """The scenario overrides a trial ran with."""
    return copy.deepcopy(trial.user_attrs.get("overrides", {}))
