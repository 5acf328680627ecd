"""A small study file and an in-process executor for the optimize tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.helpers.paths import DEFAULT

STUDY: dict[str, Any] = {
    "name": "toy",
    "scenario": str(DEFAULT),
    "seeds": 2,
    "duration": "1h",
    "mode": "statistical",
    "sampler_seed": 3,
    "trials": 4,
    "batch": 2,
    "space": {
        "detection.threshold.swimming": {"low": 0.5, "high": 0.95},
        "cameras.0": {"shore": "camera", "aim": "ns-beach"},
        "boats": {"boats": [1, 3], "template": 0},
    },
    "objectives": [{"column": "cost"}],
    # Met by every layout here (the default afternoon's fishing and swimming false alarms give 200-800 a day
    # between these thresholds): the tests of the cost optimum need feasible trials.
    "constraints": [{"column": "false_dispatches_per_day", "max": 2000}],
    "costs": {"camera": 8000, "boat": 40000, "dock": 15000, "drone": 20000},
    "confirm": {"seeds": 2, "best": 2},
}
"""A study that runs in about a second per trial: two 1 h statistical runs each."""


def write_study(folder: Path, **changes: Any) -> Path:
    """``STUDY`` with ``changes`` (a value of None drops the key) written to ``folder/study.yaml``."""
    study = {**STUDY, **changes}
    study = {key: value for key, value in study.items() if value is not None}
    path = Path(folder) / "study.yaml"
    path.write_text(yaml.safe_dump(study, sort_keys=False), encoding="utf-8")
    return path


class InlineExecutor:
    """Runs tasks here, in order, and counts them; raises KeyboardInterrupt after ``interrupt_after``."""

    name = "inline"

    def __init__(self, interrupt_after: int | None = None, reverse: bool = False):
        """``reverse``: hand the results back in the reverse order of the items (as workers finishing
        in another order would)."""
        self.tasks = 0
        self.interrupt_after = interrupt_after
        self.reverse = reverse

    def __enter__(self) -> InlineExecutor:
        return self

    def __exit__(self, *error) -> None:
        return None

    def results(self, task, items):
        for item in list(items)[:: -1 if self.reverse else 1]:
            if self.interrupt_after is not None and self.tasks >= self.interrupt_after:
                raise KeyboardInterrupt
            self.tasks += 1
            try:
                yield item, task(item)
            except Exception as error:
                yield item, error
