"""Objectives and constraints of a study: summary columns averaged over the seeds, and the layout's cost.

A run's metrics are its ``summary.json`` flattened with dots (the columns of ``sweep.csv``) plus
``false_dispatches_per_day`` and ``missed_share`` (missed incidents / incidents). A trial's value of a
column is its mean over the study's seeds; ``cost`` is the cost table priced over the layout.
Constraint values follow Optuna's convention: <= 0 is feasible.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

from sim.engine import run as run_simulation
from sim.errors import OptimizeError
from sim.experiments.optimize_study import StudyFile
from sim.experiments.sweep_table import MACHINE_FIELDS, flatten
from sim.scenario.models import Scenario

DERIVED = ("false_dispatches_per_day", "missed_share", "cost")
"""Columns computed here, besides the summary's own."""


def run_metrics(task: tuple) -> dict[str, float]:
    """Run ``(scenario, seed, ...)`` and return its numeric summary columns (a worker's task)."""
    scenario, seed = task[0], task[1]
    summary = run_simulation(scenario, seed).summary
    flat = flatten({k: v for k, v in summary.items() if k not in MACHINE_FIELDS})
    metrics = {
        k: math.nan if v is None else float(v)
        for k, v in flat.items()
        if v is None or (isinstance(v, int | float) and not isinstance(v, bool))
    }
    metrics["false_dispatches_per_day"] = metrics["false_dispatches"] / (metrics["duration_s"] / 86400.0)
    incidents = metrics.get("counts.incidents", 0.0)
    metrics["missed_share"] = (
        metrics.get("counts.outcomes.missed", 0.0) / incidents if incidents else math.nan
    )
    return metrics


def check_columns(study: StudyFile, columns: list[str], where: str) -> None:
    """Every objective and constraint names a known column, or a one-line error listing some."""
    known = set(columns) | set(DERIVED)
    for block, items in (("objectives", study.objectives), ("constraints", study.constraints)):
        for i, item in enumerate(items):
            if item.column not in known:
                close = difflib.get_close_matches(item.column, sorted(known), n=3, cutoff=0.4)
                some = close or ["response_time_s.p90", "detection_rate", "false_dispatches_per_day", "cost"]
                raise OptimizeError(
                    f"{where}: {block}.{i}.column: {item.column!r} is not a summary column "
                    f"(for example: {', '.join(some)})"
                )


def cost(study: StudyFile, scenario: Scenario) -> float:
    """The layout's price from the study's cost table: cameras, boats, docks and drones counted."""
    counts = {
        "camera": len(scenario.cameras),
        "boat": len(scenario.boats),
        "dock": len(scenario.docks),
        "drone": len(scenario.drones),
    }
    return float(sum(study.costs.get(item, 0.0) * n for item, n in counts.items()))


def mean_metrics(runs: list[dict[str, float]]) -> dict[str, float]:
    """The mean of each column over the runs (NaN where a run has none)."""
    columns = dict.fromkeys(k for run in runs for k in run)
    means = {}
    for column in columns:
        values = [run[column] for run in runs if column in run and not math.isnan(run[column])]
        means[column] = sum(values) / len(values) if values else math.nan
    return means


def objective_values(study: StudyFile, means: dict[str, Any]) -> list[float]:
    """The trial's objective values, in the study's order (NaN columns count as the worst value)."""
    values = []
    for objective in study.objectives:
        value = means.get(objective.column, math.nan)
        if value is None or math.isnan(value):
            value = math.inf if objective.direction == "minimize" else -math.inf
        values.append(float(value))
    return values


def constraint_values(study: StudyFile, means: dict[str, Any]) -> list[float]:
    """One value per bound of each constraint: how far past it the trial is (<= 0: within it)."""
    values = []
    for constraint in study.constraints:
        value = means.get(constraint.column, math.nan)
        value = math.inf if value is None or math.isnan(value) else float(value)
        if constraint.max is not None:
            values.append(value - constraint.max)
        if constraint.min is not None:
            values.append(constraint.min - value if value != math.inf else math.inf)
    return values


def constraint_names(study: StudyFile) -> list[str]:
    """Column names of :func:`constraint_values` in trials.csv."""
    names = []
    for constraint in study.constraints:
        if constraint.max is not None:
            names.append(f"constraint.{constraint.column}<={constraint.max:g}")
        if constraint.min is not None:
            names.append(f"constraint.{constraint.column}>={constraint.min:g}")
    return names
