"""``sim.batch``: a sweep from Python, a grid of scenario keys × seeds into one DataFrame like ``sweep.csv``.

The notebook form of ``run_sim.py sweep`` (and of Mesa's ``batch_run``): the same expansion into runs
(:mod:`sim.experiments.sweep_file`, the same run ids), the same executors
(:mod:`sim.experiments.executors`) and the same table (:mod:`sim.experiments.sweep_table`)::

    import sim
    table = sim.batch("scenarios/xuchang_lake.yaml", grid={"network.profile": ["lte", "nr_embb"]},
                      seeds=4, duration="2h", workers=2)
    table.groupby("network.profile")["response_time_s.mean"].mean()
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import BadInputError
from sim.experiments.executors import DaskCluster, ProcessPool, default_workers
from sim.experiments.runner import execute
from sim.experiments.sweep_file import Sweep, expand, parse_spec
from sim.loading import scenario_path
from sim.scenario.loading import read_with_extends
from sim.scenario.models import Scenario


def batch(
    scenario: str | Path | Scenario,
    grid: Mapping[str, Sequence[Any]] | None = None,
    seeds: int | Sequence[int] = 1,
    workers: int | None = None,
    *,
    duration: str | float | None = None,
    fixed: Mapping[str, Any] | None = None,
    zipped: Mapping[str, Sequence[Any]] | None = None,
    out: str | Path | None = None,
    dask: str | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run every combination of ``grid`` (scenario key -> values) for each seed; one row per run.

    ``scenario``: a scenario file (its paths resolve from its own folder) or a loaded :class:`Scenario`.
    ``seeds``: a count n (seeds 0..n-1) or a list. ``workers``: processes (default: one per core, at
    most one per run). ``duration`` (``"2h"`` or seconds), ``fixed`` (keys set for every run) and
    ``zipped`` (keys varied together) are a sweep file's ``duration``, ``set`` and ``zip``. ``out``: keep
    the run folders there (it must be empty or new); by default they go to a temporary folder.
    ``dask``: a scheduler address or ``"local"`` instead of the process pool.

    Returns the table ``sweep.csv`` holds, read back as ``pandas.read_csv`` would read that file.
    Bad input (an unknown key, a bad value, ``seeds=0``, ``workers=0``) raises a
    :class:`~sim.errors.BadInputError` whose one-line message names it.
    """
    sweep = batch_sweep(scenario, grid, seeds, duration=duration, fixed=fixed, zipped=zipped)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise BadInputError(f"batch: workers: must be a whole number >= 1, got {workers!r}")
    count = workers or min(default_workers(), len(sweep.runs))
    executor = ProcessPool(count) if dask is None else DaskCluster(dask, count)
    if out is not None:
        execute(sweep, Path(out), executor, progress=progress)
        return pd.read_csv(Path(out) / "sweep.csv")
    with tempfile.TemporaryDirectory(prefix="sim-batch.") as folder:
        execute(sweep, Path(folder) / sweep.name, executor, progress=progress)
        return pd.read_csv(Path(folder) / sweep.name / "sweep.csv")


def batch_sweep(
    scenario: str | Path | Scenario,
    grid: Mapping[str, Sequence[Any]] | None,
    seeds: int | Sequence[int],
    *,
    duration: str | float | None = None,
    fixed: Mapping[str, Any] | None = None,
    zipped: Mapping[str, Sequence[Any]] | None = None,
) -> Sweep:
    """The :class:`Sweep` :func:`batch` runs, validated like a sweep file (errors start with ``batch:``)."""
    raw: dict[str, Any] = {"scenario": "<batch>", "seeds": seeds if isinstance(seeds, int) else list(seeds)}
    for key, value in (("grid", grid), ("zip", zipped), ("set", fixed), ("duration", duration)):
        if value is not None:
            raw[key] = _values(key, value) if key in ("grid", "zip") else value
    spec = parse_spec(raw, "batch")
    if isinstance(scenario, Scenario):
        base, base_dir, name = scenario.model_dump(mode="json"), Path.cwd(), scenario.name
    else:
        path = scenario_path(scenario)
        if not path.is_file():
            raise BadInputError(f"batch: scenario: no such file {path} (looked in {path.resolve().parent})")
        base, base_dir, name = read_with_extends(path.resolve()), path.resolve().parent, path.stem
    runs = expand(spec, base, base_dir, "batch")
    return Sweep(f"{name}-batch", Path(f"{name}-batch.yaml").resolve(), spec, runs)


def _values(block: str, mapping: Mapping[str, Any]) -> dict[str, list]:
    """``grid`` or ``zip`` as a sweep file's mapping of key -> list of values, or a one-line error."""
    if not isinstance(mapping, Mapping):
        raise BadInputError(f"batch: {block}: expected a mapping of scenario key -> list of values")
    lists = {}
    for key, values in mapping.items():
        if isinstance(values, str | bytes | Mapping) or not isinstance(values, Sequence):
            raise BadInputError(f"batch: {block}: {key}: expected a list of values, got {values!r}")
        lists[key] = list(values)
    return lists
