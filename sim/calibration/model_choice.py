"""``tune --pixel-runs --model``: fit each candidate detection model on some seeds, keep per kind the one
likeliest on seeds the fit did not see, and compare the modes there.

:func:`render_runs` runs pixel mode on the fitting seeds and on the held-out seeds (or :func:`read_runs`
reads such runs written before, so that other candidates are fitted without rendering a frame);
:func:`choose_models` fits the scenario's calibration once per candidate
(:func:`sim.calibration.agreement.calibrate_from_pixel_runs`), scores each fit by the log-likelihood of the
held-out seeds' per-frame observations, or for ``hazard`` candidates of
their alarms (:func:`sim.calibration.detection_models.candidate_log_likelihood`), and keeps, per kind, the
class entry of the likeliest; the agreement table is then computed on the held-out seeds only (both modes
on their incidents).
Without held-out seeds there is one candidate and the table is on the fitting seeds (the issue's first
protocol).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import NamedTuple

import pandas as pd
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from sim.calibration.agreement import (
    REPLICATIONS,
    agreement_table,
    calibrate_from_pixel_runs,
    ignoring_warnings,
    pixel_run_log,
    sensor_block,
)
from sim.calibration.detectability import SPELLS_S
from sim.calibration.detection_models import candidate_log_likelihood, is_hazard
from sim.calibration.pixel_rendering import kept_run_log
from sim.calibration.pixel_run_log import PixelRunLog, pixel_mode_sha256
from sim.core.workers import spawned_pool
from sim.errors import TuningError
from sim.scenario.models import Calibration, Kind, Scenario, SensorType

CHOICE_COLUMNS = (
    "kind",
    "model",
    "fit_frames",
    "fit_log_likelihood",
    "held_out_frames",
    "held_out_log_likelihood",
    "chosen",
)
"""``model_choice.csv``: per kind and candidate, the log-likelihood of the fitting seeds' frames and of the
held-out seeds' frames under the fitted calibration (of their alarms for ``hazard`` candidates), and
whether it was kept."""


def render_runs(
    variants: list[Scenario],
    seeds: list[int],
    held_out: list[int],
    progress: bool = False,
    workers: int = 1,
    keep: Path | None = None,
) -> tuple[PixelRunLog, PixelRunLog | None]:
    """Pixel mode's runs of ``variants`` (offenders ignoring warnings) on the fitting ``seeds`` and on the
    ``held_out`` seeds (None without), each log's note holding its seeds and :func:`runs_key`.
    ``workers``: processes for the runs; ``keep``: a folder where each run is kept as it finishes
    (``fit/``, ``held_out/``; :func:`sim.calibration.pixel_rendering.kept_run_log`) and whose kept runs
    are not rendered again."""
    variants = [ignoring_warnings(variant) for variant in variants]
    key = runs_key(variants)
    logs = {
        part: (
            kept_run_log(variants, wanted, keep / part, progress, workers, variants_sha256=key)
            if keep is not None
            else pixel_run_log(variants, wanted, progress, workers, variants_sha256=key)
        )
        for part, wanted in _parts(seeds, held_out).items()
    }
    return logs["fit"], logs.get("held_out")


def _parts(seeds: list[int], held_out: list[int]) -> dict[str, list[int]]:
    """The seeds of each folder of a ``--pixel-runs`` folder's runs: ``fit``, and ``held_out`` if any."""
    return {"fit": seeds, **({"held_out": held_out} if held_out else {})}


def runs_key(variants: list[Scenario]) -> list[str]:
    """What runs are of: each variant's :func:`pixel_mode_sha256` as the runs see it (warnings ignored)."""
    return [pixel_mode_sha256(ignoring_warnings(variant)) for variant in variants]


def read_runs(
    folder: Path, variants: list[Scenario], seeds: list[int], held_out: list[int]
) -> tuple[PixelRunLog, PixelRunLog | None]:
    """The logs :func:`render_runs` made, from ``folder`` (``fit/``, and ``held_out/`` with held-out seeds),
    if they are runs of these variants on these seeds (:class:`TuningError` naming what differs)."""
    key, logs = runs_key(variants), {}
    for part, wanted in _parts(seeds, held_out).items():
        log = logs[part] = PixelRunLog.read(folder / part)
        if log.note.get("variants_sha256") != key:
            raise TuningError(
                f"{folder / part}: runs of another scenario, start or camera than these options give"
            )
        if log.note.get("seeds") != list(wanted):
            raise TuningError(f"{folder / part}: runs of seeds {log.note.get('seeds')}, not {list(wanted)}")
    return logs["fit"], logs.get("held_out")


def choose_models(
    variants: list[Scenario],
    seeds: list[int],
    held_out: list[int],
    models: list[str],
    runs: tuple[PixelRunLog, PixelRunLog | None],
    command: str = "",
    replications: int = REPLICATIONS,
    spells: tuple[float, ...] = SPELLS_S,
    progress: bool = False,
    workers: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame, Calibration]:
    """The agreement table (on ``held_out`` seeds; on ``seeds`` when there are none), the model choice
    table (:data:`CHOICE_COLUMNS`) and the calibration written: each kind's class from the candidate of
    ``models`` with the highest held-out log-likelihood (ties: the first listed). ``runs``: pixel mode's
    runs of the variants on the fitting and the held-out seeds (:func:`render_runs`, :func:`read_runs`);
    ``progress``, ``workers``: as :func:`fit_candidates` takes them."""
    if set(seeds) & set(held_out):
        raise ValueError(f"held-out seeds {sorted(set(seeds) & set(held_out))} are also fitting seeds")
    if len(models) > 1 and not held_out:
        raise ValueError("choosing among models needs held-out seeds")
    if len({is_hazard(name) for name in models}) > 1:
        raise ValueError(
            "hazard candidates compare by their alarms, the others by their frames: not together"
        )
    variants = [ignoring_warnings(variant) for variant in variants]
    fitting, checked = runs
    checked = checked if held_out else fitting
    candidates = fit_candidates(
        variants[0], fitting, models, command, spells, progress, workers, checked if held_out else None
    )
    fits = {name: candidate.calibration for name, candidate in candidates.items()}
    sensor = scenario_sensor(variants[0])
    rows = [
        row for kind in Kind for name in models for row in candidates[name].rows if row["kind"] == kind.value
    ]
    choice = _mark_chosen(pd.DataFrame(rows))
    calibration = merge_chosen(fits, choice, held_out, sensor)
    table = agreement_table(variants, checked.detections, calibration, held_out or seeds, replications)
    return table, choice[list(CHOICE_COLUMNS)], calibration


class Candidate(NamedTuple):
    """One candidate model fitted, and scored for the choice."""

    calibration: Calibration
    rows: list[dict]
    """Its rows of the choice table, one per kind (:data:`CHOICE_COLUMNS` but ``chosen``)."""


def fit_candidates(
    scenario: Scenario,
    fitting: PixelRunLog,
    models: list[str],
    command: str = "",
    spells: tuple[float, ...] = SPELLS_S,
    progress: bool = False,
    workers: int = 1,
    held_out: PixelRunLog | None = None,
) -> dict[str, Candidate]:
    """Each of ``models`` fitted to ``fitting`` (:func:`sim.calibration.agreement.calibrate_from_pixel_runs`
    with ``command`` and ``spells``) and scored on it and on ``held_out`` (None: no held-out runs), by name;
    with ``workers`` > 1 on a pool of that many processes (a fit is deterministic: the same on any number),
    with a progress bar if ``progress`` (the default regeneration fits 96 hazard candidates a kind, 10-40
    CPU-s each, and scores each on both sets of runs, 5-15 CPU-s)."""
    bar = {"total": len(models), "unit": "fit", "disable": not progress, "leave": False, "desc": "fits"}
    task = (scenario, fitting, held_out, command, spells)
    if workers > 1 and len(models) > 1:
        with spawned_pool(min(workers, len(models))) as pool:
            futures = [pool.submit(_candidate, *task, name) for name in models]
            return dict(zip(models, (future.result() for future in tqdm(futures, **bar)), strict=True))
    return {name: _candidate(*task, name) for name in tqdm(models, **bar)}


def _candidate(
    scenario: Scenario,
    fitting: PixelRunLog,
    held_out: PixelRunLog | None,
    command: str,
    spells: tuple[float, ...],
    name: str,
) -> Candidate:
    """Candidate ``name`` fitted to ``fitting`` and scored (:func:`fit_candidates`), numpy's BLAS on one
    thread: its products are of a few dozen parameters over many rows, where a second BLAS thread costs more
    than it gives (the hazard fit of benchmarks/bench_hazard_fit.py), and two candidates fitted at once
    would share the cores."""
    with threadpool_limits(limits=1, user_api="blas"):
        fit = calibrate_from_pixel_runs(scenario, fitting, command, spells, model=name)
        # Scored on the terms the cameras' frames were fitted to.
        calibration = fit.for_sensor(scenario_sensor(scenario))
        rows = {kind: {"kind": kind.value, "model": name} for kind in Kind}
        for part, log in (("fit", fitting), ("held_out", held_out)):
            credited = log.credited if log is not None else None  # every offender's first alarm, once
            for kind, row in rows.items():
                if log is None:
                    row |= {f"{part}_frames": 0, f"{part}_log_likelihood": math.nan}
                    continue
                frames = log.frames[log.frames["kind"] == kind]
                alarms = (credited, scenario.detection.threshold_for(kind))
                row[f"{part}_frames"] = len(frames)
                row[f"{part}_log_likelihood"] = round(
                    candidate_log_likelihood(calibration, kind, frames, alarms), 3
                )
    return Candidate(fit, list(rows.values()))


def scenario_sensor(scenario: Scenario) -> SensorType:
    """The type of the scenario's cameras (one type: :func:`sim.calibration.agreement.sensor_terms`)."""
    return next((camera.sensor for camera in scenario.cameras), SensorType.VISIBLE)


def _mark_chosen(choice: pd.DataFrame) -> pd.DataFrame:
    """Per kind, ``chosen`` on the row with the highest held-out log-likelihood (the first candidate when
    none is finite: no frames of that kind, or no held-out seeds)."""
    chosen = []
    for _, rows in choice.groupby("kind", sort=False):
        scores = rows["held_out_log_likelihood"].fillna(-math.inf)
        best = scores.idxmax() if (scores > -math.inf).any() else rows.index[0]
        chosen += [index == best for index in rows.index]
    return choice.assign(chosen=chosen)


def merge_chosen(
    fits: dict[str, Calibration], choice: pd.DataFrame, held_out: list[int], sensor: SensorType
) -> Calibration:
    """The first fit with each kind's class of ``sensor``'s terms (the top level for visible cameras,
    ``sensors.<type>`` for others) taken from that kind's chosen model, the choice in its source."""
    first = next(iter(fits.values()))
    data = first.model_dump(mode="json")
    scored = choice["chosen"] & choice["held_out_log_likelihood"].notna()
    kept = choice[scored if len(fits) > 1 else choice["chosen"]].set_index("kind")["model"]
    for kind, name in kept.items():
        chosen = sensor_block(fits[name].model_dump(mode="json"), sensor)
        sensor_block(data, sensor)["classes"][kind] = chosen["classes"][kind]
    if len(fits) > 1:
        picked = ", ".join(f"{kind} {name}" for kind, name in kept.items())
        of = "alarms" if all(is_hazard(name) for name in fits) else "frames"
        data["source"] += (
            f" Model per kind by held-out log-likelihood of the {of} of seeds "
            f"{', '.join(map(str, held_out))} among {', '.join(fits)}: {picked}."
        )
    return Calibration.model_validate(data)
