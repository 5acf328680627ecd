"""Held-out confirmation: the best candidates re-run on fresh seeds and compared with the scenario as given.

The search picks the trials that did best on the search seeds, so their search means are biased in their
favour (the optimizer's curse: Smith & Winkler, *Management Science* 52(3), 2006). Each best candidate
and the given scenario run again on seeds never used in the search (:attr:`StudyFile.confirm_seeds`:
above every search seed); seed by seed the two meet the same incidents, and the difference of each
objective and constraint column gets the paired-t interval ``compare`` uses
(:func:`sim.experiments.paired.paired_differences`). An improvement *holds* when its whole 95 %
interval lies on the better side of zero.
"""

from __future__ import annotations

from pathlib import Path

import optuna
import pandas as pd

from sim.experiments import objectives as obj
from sim.experiments.optimizer import Plan, trial_overrides
from sim.experiments.paired import SweptKeys, paired_differences
from sim.experiments.sweep_table import write_text

GIVEN = "given"
"""The label of the scenario as given (the baseline) in confirm.csv."""


def confirm(plan: Plan, best: list[optuna.trial.FrozenTrial], executor, out: Path) -> pd.DataFrame:
    """Run the given scenario and ``best`` on the fresh seeds; write and return ``confirm.csv``."""
    candidates = {GIVEN: plan.given}
    candidates |= {f"trial {t.number}": plan.scenario(trial_overrides(t)) for t in best}
    costs = {label: obj.cost(plan.study, scenario) for label, scenario in candidates.items()}
    items = [
        (scenario, seed, label) for label, scenario in candidates.items() for seed in plan.study.confirm_seeds
    ]
    rows = []
    for item, outcome in executor.results(obj.run_metrics, items):
        if isinstance(outcome, BaseException):
            raise outcome
        rows.append(
            {"candidate": item[2], "variant": item[2], "seed": item[1], **outcome, "cost": costs[item[2]]}
        )
    order = {label: i for i, label in enumerate(candidates)}
    table = pd.DataFrame(sorted(rows, key=lambda row: (order[row["candidate"]], row["seed"])))
    columns = list(dict.fromkeys(o.column for o in (*plan.study.objectives, *plan.study.constraints)))
    differences = paired_differences(table, SweptKeys(("candidate",)), "candidate", GIVEN, tuple(columns))
    better = {o.column: o.direction for o in plan.study.objectives}
    differences["holds"] = [
        _holds(better.get(row.metric), row.ci_low, row.ci_high) for row in differences.itertuples()
    ]
    differences.insert(0, "seeds", " ".join(str(s) for s in plan.study.confirm_seeds))
    write_text(Path(out) / "confirm.csv", differences.to_csv(index=False, lineterminator="\n"))
    return differences


def _holds(direction: str | None, low: float, high: float) -> str:
    """``yes``: the interval is wholly on the better side of zero; ``no`` otherwise; ``""``: a constraint."""
    if direction is None:
        return ""
    if direction == "minimize":
        return "yes" if high < 0 else "no"
    return "yes" if low > 0 else "no"


def format_confirmation(plan: Plan, table: pd.DataFrame) -> str:
    """The held-out comparison as a few lines: each candidate's difference from the given scenario."""
    seeds = plan.study.confirm_seeds
    lines = [
        f"held-out confirmation on seeds {seeds[0]}..{seeds[-1]} (never searched), vs the given scenario:"
    ]
    for row in table.itertuples():
        verdict = {"yes": " holds", "no": " does not hold", "": ""}[row.holds]
        lines.append(
            f"  {row.variant}: {row.metric} {row.baseline_mean:.4g} -> {row.variant_mean:.4g} "
            f"(difference {row.difference:+.4g}, 95% CI {row.ci_low:+.4g} .. {row.ci_high:+.4g}){verdict}"
        )
    return "\n".join(lines)
