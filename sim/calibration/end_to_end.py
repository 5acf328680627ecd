"""The end-to-end trade-off of a detection threshold: statistical runs of the whole system at each value.

``run_sim.py tune --end-to-end``: where :mod:`sim.calibration.tune` scores a detector frame by frame,
this runs the scenario at each threshold on the same incidents (common random numbers) and reports
what the city gets: response times, missed incidents, false dispatches and the detection rate, each
the mean over seeds with its 95 % Student-t interval (:func:`sim.core.stats.mean_ci`).

Every incident that is judged (all but those still open and never detected at the end of the run,
as in the run summary's ``detection_rate``) falls in exactly one of three shares, which add up to 1
in each run: **detected** (a sensor alarmed on it before any boat warned it), **pre-empted** (a boat
out on another errand, often a false alarm, happened upon it and warned it before any sensor's
alarm: the incident is answered, but no detector found it) and **missed** (never detected, never
warned). At low thresholds the boats are out on false errands so often that they pre-empt the
cameras: the detection rate falls while nothing is missed. That is the definition of the detection
rate, not a bug (docs/detectors.md, "end-to-end trade-off").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.core.stats import mean_ci
from sim.scenario.models import Kind, Scenario

SEED_METRICS = {
    "response_p50_s": "median response time of the run's warned incidents, s",
    "detection_rate": "share of judged incidents a sensor alarmed on before any warning (the summary's)",
    "preempted_share": "share of judged incidents a boat on another errand warned before any alarm",
    "missed_share": "share of judged incidents never detected and never warned",
    "false_dispatches_per_day": "boats sent to a false alarm, per simulated day",
}
"""Per-run metrics of the trade-off; each column of the table is their mean over seeds, with ``_ci95``
its 95 % t half-width (blank below two seeds). Judged: every incident but those open and undetected at
the end of the run."""


class Executor(Protocol):
    """What :func:`end_to_end` needs of an executor (:mod:`sim.experiments.executors` has two)."""

    def __enter__(self) -> Executor: ...

    def __exit__(self, kind, error, traceback) -> None: ...

    def results(self, task, items: Iterable[Any]) -> Iterator[tuple[Any, Any]]: ...


class InProcess:
    """Runs every task here, one after the other (the default executor)."""

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        return None

    def results(self, task, items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        for item in items:
            yield item, task(item)


def seed_metrics(incidents: pd.DataFrame, summary: dict, duration_s: float) -> dict[str, float]:
    """:data:`SEED_METRICS` of one run from its incidents table and summary (``duration_s``: its length)."""
    open_undetected = (incidents["outcome"] == "unresolved") & incidents["t_detected"].isna()
    judged = incidents[~open_undetected]
    undetected = judged["t_detected"].isna()
    responses = (incidents["t_warning"] - incidents["t_start"]).dropna()
    n = len(judged)
    return {
        "response_p50_s": float(np.median(responses)) if len(responses) else math.nan,
        "detection_rate": float(summary["detection_rate"]) if n else math.nan,
        "preempted_share": float((undetected & judged["t_warning"].notna()).sum() / n) if n else math.nan,
        "missed_share": float((judged["outcome"] == "missed").sum() / n) if n else math.nan,
        "false_dispatches_per_day": summary["false_dispatches"] / (duration_s / 86400.0),
    }


def run_task(task: tuple[float, int, Scenario]) -> dict[str, float]:
    """Run ``(threshold, seed, scenario)`` and return its :func:`seed_metrics` (module level: workers
    unpickle it; the threshold only labels the task)."""
    from sim.engine import run

    _, seed, scenario = task
    result = run(scenario, seed=seed)
    return seed_metrics(result.incidents, result.summary, scenario.run.duration)


def threshold_variant(scenario: Scenario, threshold: float, kind: Kind | None) -> Scenario:
    """``scenario`` with ``kind``'s threshold (every kind's when None) at ``threshold``."""
    varied: float | dict = float(threshold)
    if kind is not None:  # the other kinds keep the scenario's thresholds
        varied = {**scenario.detection.thresholds, kind: float(threshold)}
    detection = scenario.detection.model_copy(update={"threshold": varied})
    return scenario.model_copy(update={"detection": detection})


def end_to_end(
    scenario: Scenario,
    thresholds: np.ndarray,
    seeds: list[int],
    progress: bool = True,
    kind: Kind | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Statistical runs at each threshold on the same incidents (common random numbers); a row per threshold.

    ``kind``: only that kind's threshold takes each value, the other kinds keep the scenario's; None: every
    kind's threshold takes it. ``executor``: where the runs go (default: here, one after the other).
    Columns: ``threshold``, ``runs``, then each of :data:`SEED_METRICS` as its mean over seeds followed
    by ``<metric>_ci95``, the half-width of its 95 % t interval.
    """
    variants = {float(t): threshold_variant(scenario, float(t), kind) for t in thresholds}
    work = [(threshold, seed, variant) for threshold, variant in variants.items() for seed in seeds]
    per_run: dict[tuple[float, int], dict[str, float]] = {}
    with (
        executor or InProcess() as pool,
        tqdm(total=len(work), unit="run", disable=not progress, leave=False, desc="end to end") as bar,
    ):
        for (threshold, seed, _), outcome in pool.results(run_task, work):
            if isinstance(outcome, BaseException):
                raise outcome
            per_run[(threshold, seed)] = outcome
            bar.update()
    return summarize_runs(per_run, list(variants), seeds)


def summarize_runs(
    per_run: dict[tuple[float, int], dict[str, float]], thresholds: list[float], seeds: list[int]
) -> pd.DataFrame:
    """One row per threshold: each metric's mean over ``seeds`` and its 95 % t half-width (``_ci95``)."""
    rows = []
    for threshold in thresholds:
        runs = [per_run[(threshold, seed)] for seed in seeds]
        row: dict[str, Any] = {"threshold": round(threshold, 4), "runs": len(runs)}
        for metric in SEED_METRICS:
            estimate = mean_ci([r[metric] for r in runs])
            digits = 2 if metric.endswith("_s") else 3 if metric.endswith("_per_day") else 4
            row[metric] = _round(estimate.mean, digits)
            row[f"{metric}_ci95"] = _round(estimate.half_width, digits)
        rows.append(row)
    return pd.DataFrame(rows)


def _round(value: float, digits: int) -> float | None:
    return None if not math.isfinite(value) else round(value, digits)
