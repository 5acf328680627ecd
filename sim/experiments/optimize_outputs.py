"""What ``optimize`` writes from its study: ``trials.csv``, ``pareto.csv`` and ``best/<rank>/scenario.yaml``.

``trials.csv``: a row per trial: ``trial``, ``state`` (complete, infeasible, failed, interrupted),
``feasible`` (every constraint met), the sampled parameters (``param.<key>``; a shore place is its
fraction of the shoreline, a choice its index), the objective and constraint columns' means over the
seeds, the constraint values (<= 0: met), ``overrides`` (the scenario keys set, as JSON; ``boats`` as
their number) and ``error``.
The best candidates are the feasible complete trials: for one objective the best few by value, for
several the Pareto front (``pareto.csv``), ranked by the first objective.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import optuna
import pandas as pd

from sim.experiments import objectives as obj
from sim.experiments.optimizer import Plan, trial_overrides
from sim.experiments.sweep_table import write_text
from sim.scenario.loading import scenario_to_yaml


def trials_table(plan: Plan, study: optuna.Study) -> pd.DataFrame:
    """The table of ``trials.csv``, trials in number order."""
    names = obj.constraint_names(plan.study)
    columns = list(dict.fromkeys(o.column for o in (*plan.study.objectives, *plan.study.constraints)))
    rows = []
    for trial in study.get_trials(deepcopy=False):
        state = trial.user_attrs.get("state", trial.state.name.lower())
        constraints = trial.user_attrs.get("constraints", [])
        row = {
            "trial": trial.number,
            "state": state,
            "feasible": state == "complete" and feasible(constraints),
        }
        row |= {f"param.{key}": value for key, value in trial.params.items()}
        row |= {column: trial.user_attrs.get("means", {}).get(column, math.nan) for column in columns}
        row |= dict(zip(names, constraints, strict=False))
        shown = {k: len(v) if k == "boats" else v for k, v in trial.user_attrs.get("overrides", {}).items()}
        row["overrides"] = json.dumps(shown, separators=(",", ":"))
        row["error"] = trial.user_attrs.get("error", "")
        rows.append(row)
    return pd.DataFrame(rows)


def feasible(constraints: list[float]) -> bool:
    """Every constraint value <= 0."""
    return all(value <= 0 for value in constraints)


def _dominates(a: list[float], b: list[float]) -> bool:
    return all(x <= y for x, y in zip(a, b, strict=True)) and any(x < y for x, y in zip(a, b, strict=True))


def best_trials(plan: Plan, study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    """Feasible complete trials worth confirming: best few (one objective), or the Pareto front (several)."""
    signs = [1.0 if o.direction == "minimize" else -1.0 for o in plan.study.objectives]
    good = [
        t
        for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
        if feasible(t.user_attrs.get("constraints", []))
    ]
    scored = [(t, [s * v for s, v in zip(signs, t.values, strict=True)]) for t in good]
    if len(signs) > 1:
        scored = [(t, v) for t, v in scored if not any(_dominates(w, v) for _, w in scored)]
    scored.sort(key=lambda pair: (pair[1], pair[0].number))
    return [t for t, _ in scored]


def write_outputs(plan: Plan, study: optuna.Study, out: Path) -> list[optuna.trial.FrozenTrial]:
    """Write trials.csv, pareto.csv (several objectives) and best/<rank>/scenario.yaml; returns the best."""
    out = Path(out)
    table = trials_table(plan, study)
    write_text(out / "trials.csv", table.to_csv(index=False, lineterminator="\n"))
    best = best_trials(plan, study)
    if len(plan.study.objectives) > 1:
        front = table[table["trial"].isin([t.number for t in best])]
        write_text(out / "pareto.csv", front.to_csv(index=False, lineterminator="\n"))
    for rank, trial in enumerate(best[: plan.study.confirm.best], start=1):
        folder = out / "best" / str(rank)
        folder.mkdir(parents=True, exist_ok=True)
        scenario = plan.scenario(trial_overrides(trial))
        header = f"# optimize {plan.name}: trial {trial.number}, rank {rank}; values {trial.values}\n"
        write_text(folder / "scenario.yaml", header + scenario_to_yaml(scenario))
    return best


def summary_text(plan: Plan, study: optuna.Study, best: list[optuna.trial.FrozenTrial]) -> str:
    """A few lines for the terminal: trials by state and the best candidates' objectives."""
    table = trials_table(plan, study)
    states = ", ".join(f"{n} {state}" for state, n in table["state"].value_counts().items())
    lines = [f"{plan.name}: {len(table)} trials ({states}); {int(table['feasible'].sum())} feasible"]
    labels = [o.column for o in plan.study.objectives]
    for rank, trial in enumerate(best[: plan.study.confirm.best], start=1):
        values = ", ".join(f"{label} {value:.4g}" for label, value in zip(labels, trial.values, strict=True))
        lines.append(f"  best {rank}: trial {trial.number}: {values}")
    if not best:
        lines.append("  no feasible trial yet")
    return "\n".join(lines)
