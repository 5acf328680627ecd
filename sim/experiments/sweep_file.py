"""Sweep files: a scenario, keys to vary and seeds, expanded into runs with stable ids.

A sweep file (``scenarios/sweeps/*.yaml``) names a base scenario and the
scenario keys to vary::

    scenario: ../xuchang_lake.yaml  # relative to the sweep file's folder, not the working folder
    duration: 6h                   # optional: run.duration of every run (mode: likewise)
    seeds: 8                       # a count (seeds 0..7) or a list of seeds
    set:                           # optional: keys fixed for every run
      dispatch.decision_time: 10
    grid:                          # every combination
      network.profile: [lte, nr_embb]
      dispatch.policy: [nearest_idle, fastest_eta]
    zip:                           # varied together, entry by entry
      network.inference: [edge, cloud]
      network.backhaul.cloud: [0.015, 0.030]

Keys are the dotted scenario keys of ``--set``; values are any YAML (a list of
boats, ``[]`` for no drones). A swept key may lie inside a key of ``set:``
(``detection.threshold: 0.6`` fixed, ``detection.threshold.swimming`` swept);
any other key inside another is an error, since one would undo the other.
Every variant is validated like a scenario, with the same one-line errors. A
run's id is a hash of its overrides and seed, so it stays the same however the
sweep is executed or resumed.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.errors import ScenarioError
from sim.loading import validate
from sim.scenario.loading import first_error, read_with_extends, read_yaml, set_key
from sim.scenario.models import Duration, Mode, Scenario, Strict

RUN_ID_LENGTH = 12
"""Hex digits of a run id (48 bits: a collision in a sweep of a million runs has odds below 2e-3)."""


class SweepFile(Strict):
    """A sweep file as written; see the module docstring."""

    name: str | None = Field(None, description="name of the study (default: the file name)")
    description: str = ""
    scenario: str = Field(description="base scenario file, relative to the sweep file")
    duration: Duration | None = Field(None, gt=0, description="simulated time of every run, s")
    mode: Mode | None = Field(None, description="sensing fidelity of every run")
    seeds: int | tuple[int, ...] = Field(description="a count n (seeds 0..n-1) or a list of root seeds")
    set: dict[str, Any] = Field(default_factory=dict, description="scenario keys fixed for every run")
    grid: dict[str, tuple[Any, ...]] | None = Field(None, description="keys whose values are all combined")
    zip: dict[str, tuple[Any, ...]] | None = Field(None, description="keys varied together, entry by entry")
    figures: bool = Field(False, description="draw each run's figures (run_sim.py plot can do it later)")
    replay: bool = Field(False, description="write each run's replay.html (run_sim.py replay: later)")

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, seeds: int | tuple[int, ...]) -> int | tuple[int, ...]:
        if isinstance(seeds, int):
            if seeds <= 0:
                raise ValueError(f"a count of seeds must be >= 1, got {seeds}")
            return seeds
        if not seeds:
            raise ValueError("the list of seeds is empty")
        if min(seeds) < 0:
            raise ValueError(f"seeds must be >= 0, got {min(seeds)}")
        if len(set(seeds)) < len(seeds):
            raise ValueError("a seed is listed twice")
        return seeds

    @field_validator("grid")
    @classmethod
    def _grid(cls, grid: dict[str, tuple[Any, ...]] | None) -> dict[str, tuple[Any, ...]] | None:
        if grid is None:
            return grid
        if not grid:
            raise ValueError("the grid is empty: give at least one key with a list of values")
        for key, values in grid.items():
            if not values:
                raise ValueError(f"{key}: the list of values is empty")
        return grid

    @model_validator(mode="after")
    def _zip_lengths(self) -> SweepFile:
        if self.zip is not None:
            lengths = {key: len(values) for key, values in self.zip.items()}
            if not lengths or min(lengths.values()) == 0:
                raise ValueError("zip: needs at least one key with a non-empty list of values")
            if len(set(lengths.values())) > 1:
                raise ValueError(f"zip: lists must have the same length, got {lengths}")
        swept = [*(self.grid or {}), *(self.zip or {})]
        if len(set(swept)) < len(swept):
            raise ValueError("a key is both in grid and zip")
        if fixed := set(self.set) & set(swept):
            raise ValueError(f"set: {sorted(fixed)[0]} is also swept")
        for outer in (*self.set, *swept):
            for inner in (*self.set, *swept):
                # Only a key set whole with a part of it swept is applied in an order that keeps both.
                if inner.startswith(f"{outer}.") and not (outer in self.set and inner in swept):
                    raise ValueError(f"{inner} lies inside {outer}: give one of them")
        return self

    @property
    def seed_list(self) -> tuple[int, ...]:
        return tuple(range(self.seeds)) if isinstance(self.seeds, int) else self.seeds

    @property
    def swept_keys(self) -> tuple[str, ...]:
        return (*(self.grid or {}), *(self.zip or {}))

    def variants(self) -> list[dict[str, Any]]:
        """Every combination of swept values, in file order (grid first, then zip entries)."""
        grid = self.grid or {}
        combos = [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]
        if self.zip:
            rows = [
                dict(zip(self.zip, values, strict=True)) for values in zip(*self.zip.values(), strict=True)
            ]
            combos = [{**combo, **row} for combo in combos for row in rows]
        return combos


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: what a worker needs, and nothing that depends on where it runs."""

    run_id: str
    seed: int
    swept: dict[str, Any]
    """The swept keys and their values for this run (file order)."""
    scenario: Scenario
    """The validated scenario with every override applied."""


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file and its runs in a fixed order (variant by variant, then seed)."""

    name: str
    path: Path
    spec: SweepFile
    runs: tuple[RunSpec, ...]

    @property
    def swept_keys(self) -> tuple[str, ...]:
        return self.spec.swept_keys


def run_id(overrides: dict[str, Any], seed: int) -> str:
    """Stable id of a run: BLAKE2b of its overrides (sorted, canonical JSON) and seed."""
    canonical = json.dumps({"overrides": overrides, "seed": seed}, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode("utf-8"), digest_size=RUN_ID_LENGTH // 2).hexdigest()


def load_sweep(
    path: str | Path,
    seeds: int | None = None,
    duration: float | None = None,
    overrides: dict[str, Any] | None = None,
) -> Sweep:
    """Read and validate a sweep file and every variant of its scenario; ScenarioError names the problem.

    ``seeds`` (a count), ``duration`` (s) and ``overrides`` (scenario key -> value, added to ``set:``)
    replace the file's own, as ``sweep --seeds --duration --set`` do.
    """
    path = Path(path)
    raw = read_yaml(path)
    if isinstance(raw, dict):
        raw = with_options(raw, seeds, duration, overrides)
    spec = parse_spec(raw, str(path))
    scenario_path = (path.parent / spec.scenario).resolve()
    if not scenario_path.is_file():
        raise ScenarioError(
            f"{path}: scenario: no such file {spec.scenario} (relative to the sweep file: {scenario_path})"
        )
    runs = expand(
        spec, read_with_extends(scenario_path), scenario_path.parent, str(path), set(overrides or {})
    )
    return Sweep(spec.name or path.stem, path.resolve(), spec, runs)


def parse_spec(raw: Any, where: str) -> SweepFile:
    """A validated :class:`SweepFile` from its mapping; ScenarioError starting with ``where`` if not."""
    try:
        return SweepFile.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(f"{where}: {first_error(error, SweepFile)}") from None


def expand(
    spec: SweepFile, base: dict, base_dir: Path, where: str, given: set[str] = frozenset()
) -> tuple[RunSpec, ...]:
    """Every run of ``spec`` over the scenario mapping ``base`` (paths in it resolve from ``base_dir``).

    Errors start with ``where`` (the sweep file), or with ``--set KEY`` for the keys in ``given``.
    """
    fixed = fixed_keys(spec.set, spec.duration, spec.mode)
    for key, value in fixed.items():
        set_key(base, key, value, f"--set {key}" if key in given else f"{where}: set: {key}")
    runs = []
    for swept in spec.variants():
        data = copy.deepcopy(base)
        for key, value in swept.items():
            block = "grid" if key in (spec.grid or {}) else "zip"
            set_key(data, key, copy.deepcopy(value), f"{where}: {block}: {key}")
        try:
            scenario = validate(data, base_dir)
        except ScenarioError as error:
            variant = ", ".join(f"{key}={_short(value)}" for key, value in swept.items())
            raise ScenarioError(f"{where}: variant {variant}: {error}") from None
        overrides = {**fixed, **swept}
        runs += [RunSpec(run_id(overrides, seed), seed, swept, scenario) for seed in spec.seed_list]
    return tuple(runs)


def fixed_keys(set_keys: dict[str, Any], duration: float | None, mode: Mode | None) -> dict[str, Any]:
    """The scenario keys every run of a sweep or a study fixes: its ``set:`` keys, then its ``duration:``
    (s) and ``mode:`` as ``run.duration`` and ``run.mode`` where given."""
    fixed = dict(set_keys)
    if duration is not None:
        fixed["run.duration"] = duration
    if mode is not None:
        fixed["run.mode"] = mode.value
    return fixed


def with_seeds_and_duration(raw: dict, seeds: int | None, duration: float | None) -> dict:
    """A copy of a sweep or study file's mapping with the command line's ``--seeds`` (a count) and
    ``--duration`` (s) in place of its own ``seeds:`` and ``duration:`` where given."""
    raw = dict(raw)
    if seeds is not None:
        raw["seeds"] = seeds
    if duration is not None:
        raw["duration"] = duration
    return raw


def with_options(
    raw: dict, seeds: int | None, duration: float | None, overrides: dict[str, Any] | None
) -> dict:
    """The sweep file's mapping with the command line's seeds, duration and ``--set`` keys in place."""
    raw = with_seeds_and_duration(raw, seeds, duration)
    if overrides:
        swept = {*(raw.get("grid") or {}), *(raw.get("zip") or {})}
        if clash := sorted(swept & set(overrides)):
            raise ScenarioError(f"--set {clash[0]}: the sweep file varies this key")
        for key, option in (("run.duration", "--duration"), ("run.mode", "the sweep file's mode:")):
            if key in overrides:  # the file's duration: and mode: would silently win over them
                raise ScenarioError(f"--set {key}: give {option} instead")
        raw["set"] = {**(raw.get("set") or {}), **overrides}
    return raw


def _short(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, separators=(",", ":")) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cell(value: Any) -> Any:
    """A swept value as a table cell: scalars as they are, lists and mappings as compact JSON."""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, separators=(",", ":"), default=str)
    return value
