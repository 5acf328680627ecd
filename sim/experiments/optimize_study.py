"""The study file of ``run_sim.py optimize``: scenario, seeds, search space, objectives, constraints, costs.

A study file (``scenarios/optimize/layout.yaml``)::

    name: layout
    scenario: ../xuchang_lake.yaml       # relative to the study file
    seeds: 3                             # search seeds 0..2, the same for every trial (common random numbers)
    duration: 2h
    mode: statistical
    sampler_seed: 0
    trials: 30
    batch: 4                             # trials asked of the sampler at once (not the worker count)
    sampler: tpe                         # several objectives: tpe (multi-objective TPE) or nsga2
    set: {incidents.swimming.rate_scale: 1.0}
    space:
      detection.threshold.swimming: {low: 0.5, high: 0.95}
      dispatch.decision_time: {low: 1, high: 30, integer: true, log: true}
      cameras.0: {shore: camera, aim: ns-beach}
      docks.1: {shore: dock}
      boats: {boats: [2, 5], template: 0}
    objectives: [{column: response_time_s.p90}, {column: cost}]
    constraints: [{column: false_dispatches_per_day, max: 2}]
    costs: {camera: 8000, boat: 40000, dock: 15000}
    confirm: {seeds: 4, best: 3}

Errors are :class:`~sim.errors.OptimizeError`, one line starting with the study file and the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from sim.errors import OptimizeError
from sim.experiments.sweep_file import with_seeds_and_duration
from sim.scenario.loading import first_error, read_yaml
from sim.scenario.models import Duration, Mode, Strict

COST_ITEMS = ("camera", "boat", "dock", "drone")
"""Items of a study's cost table (currency units each)."""


class Range(Strict):
    """A float (with ``integer``: whole-number) range of one scenario key; ``log`` samples log-uniformly."""

    low: float
    high: float
    log: bool = False
    integer: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low > self.high:
            raise ValueError(f"low {self.low:g} is above high {self.high:g}")
        if self.log and self.low <= 0:
            raise ValueError(f"log: needs low > 0, got {self.low:g}")
        return self


class Choices(Strict):
    """A list of values of one scenario key."""

    choices: list[Any] = Field(min_length=1)


class Shore(Strict):
    """A place along the shore (one number in [0, 1) along the water's outline) for a camera, dock or drone.

    ``aim``: a camera looks at the centroid of this no-go area; ``yaw: free``: its heading is searched too
    (deg clockwise from north); otherwise it looks straight out over the water. ``pitch: [low, high]``:
    its depression is searched in that range, deg. ``setback``: the pole (dock, drone base) stands this
    far inland from the waterline, m.
    """

    shore: Literal["camera", "dock", "drone"]
    aim: str | None = None
    yaw: Literal["free"] | None = None
    pitch: tuple[float, float] | None = None
    setback: float = Field(default=0.5, gt=0, le=1.0)

    @model_validator(mode="after")
    def _camera_only(self) -> Shore:
        if self.shore != "camera" and (self.aim or self.yaw or self.pitch):
            raise ValueError(f"aim, yaw and pitch are a camera's; a {self.shore} has none")
        if self.aim is not None and self.yaw is not None:
            raise ValueError("give aim: or yaw: free, not both")
        if self.pitch is not None and not 0 < self.pitch[0] <= self.pitch[1] < 90:
            raise ValueError(f"pitch: needs 0 < low <= high < 90 deg, got {list(self.pitch)}")
        return self


class Boats(Strict):
    """The number of boats, ``[low, high]``: copies of ``boats.<template>`` spread over the docks in turn."""

    boats: tuple[int, int]
    template: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Boats:
        low, high = self.boats
        if low < 1 or low > high:
            raise ValueError(f"boats: needs 1 <= low <= high, got [{low}, {high}]")
        return self


Dimension = Range | Choices | Shore | Boats


class Objective(Strict):
    """A summary column (or ``cost``), its mean over the seeds minimised or maximised."""

    column: str
    direction: Literal["minimize", "maximize"] = "minimize"


class Constraint(Strict):
    """A summary column (or ``cost``) whose mean over the seeds must stay within ``min`` and/or ``max``."""

    column: str
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bound(self) -> Constraint:
        if self.min is None and self.max is None:
            raise ValueError("give min:, max: or both")
        return self


class Confirm(Strict):
    """Held-out confirmation: the ``best`` candidates re-run on ``seeds`` fresh seeds."""

    seeds: int = Field(default=4, ge=2)
    best: int = Field(default=3, ge=1)


class StudyFile(Strict):
    """A validated study file (see the module's docstring)."""

    name: str | None = None
    description: str = ""
    scenario: str
    seeds: int | list[int] = 3
    duration: Duration | None = None
    mode: Mode | None = Mode.STATISTICAL
    sampler_seed: int = 0
    trials: int = Field(default=20, ge=1)
    batch: int = Field(default=4, ge=1)
    sampler: Literal["tpe", "nsga2"] = "tpe"
    """Several objectives: Optuna's multi-objective TPE, or NSGA-II (a genetic algorithm: its first
    ``population`` trials are random, so it needs several times that many trials)."""
    population: int = Field(default=16, ge=2)
    set: dict[str, Any] = Field(default_factory=dict)
    space: dict[str, dict[str, Any]] = Field(min_length=1)
    """Scenario key (or planner decision) -> range, choices, shore place or boat count (:func:`dimension`)."""
    objectives: list[Objective] = Field(min_length=1)
    constraints: list[Constraint] = Field(default_factory=list)
    costs: dict[Literal["camera", "boat", "dock", "drone"], float] = Field(default_factory=dict)
    confirm: Confirm = Field(default_factory=Confirm)

    @property
    def seed_list(self) -> tuple[int, ...]:
        """The search seeds."""
        return tuple(range(self.seeds)) if isinstance(self.seeds, int) else tuple(self.seeds)

    @property
    def confirm_seeds(self) -> tuple[int, ...]:
        """Fresh seeds for the held-out confirmation: above every search seed, so never one of them."""
        start = max(self.seed_list) + 1
        return tuple(range(start, start + self.confirm.seeds))


def read_study(path: Path, seeds: int | None, duration: float | None, overrides: dict[str, Any]) -> StudyFile:
    """Read and validate a study file; the command line's seeds, duration and ``--set`` keys win."""
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise OptimizeError(f"{path}: expected a mapping of study keys")
    raw = with_seeds_and_duration(raw, seeds, duration)
    if overrides:
        if clash := sorted(set(overrides) & set(raw.get("space") or {})):
            raise OptimizeError(f"--set {clash[0]}: the study's space varies this key")
        raw["set"] = {**(raw.get("set") or {}), **overrides}
    if "space" in raw and raw["space"] == {}:
        raise OptimizeError(f"{path}: space: empty: give at least one key to vary")
    if not raw.get("objectives"):
        raise OptimizeError(f"{path}: objectives: none given: name at least one summary column to optimise")
    try:
        study = StudyFile.model_validate(raw)
    except ValidationError as error:
        raise OptimizeError(f"{path}: {first_error(error, StudyFile)}") from None
    if (isinstance(study.seeds, int) and study.seeds < 1) or study.seed_list == ():
        raise OptimizeError(f"{path}: seeds: must be at least one seed")
    for key, value in study.space.items():
        dimension(value, f"{path}: space: {key}")
    return study


def dimension(raw: dict[str, Any], where: str) -> Dimension:
    """One ``space:`` entry as its model, by its keys (``choices``, ``shore``, ``boats``; else a range)."""
    model: type[Strict] = Range
    for marker, kind in (("choices", Choices), ("shore", Shore), ("boats", Boats)):
        if marker in raw:
            model = kind
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise OptimizeError(f"{where}: {first_error(error, model).removeprefix('the scenario: ')}") from None
