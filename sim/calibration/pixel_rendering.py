"""Pixel-mode runs with every offender's score logged: rendered on a pool (:func:`rendered`), and kept on disk
one by one as they finish (:func:`kept_run_log`), so that a long ``tune --pixel-runs`` that stops (Ctrl-C, a
crash, a lost machine) loses only the runs in flight and ``--resume`` renders the others.

A kept run is a :class:`~sim.calibration.pixel_run_log.PixelRunLog` of one run in ``<folder>/<index>/``, its
note its seed and its variant's :func:`~sim.calibration.pixel_run_log.pixel_mode_sha256`; it is written
beside its place and moved there whole, so a run half written when the process stopped is never read.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import as_completed
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from sim.calibration.fit_inputs import OFFENDER_FRAME_COLUMNS
from sim.calibration.pixel_run_log import PixelRunLog, pixel_mode_sha256
from sim.core.workers import spawned_pool, stop_pool
from sim.engine import Simulation
from sim.errors import TuningError
from sim.results.result import Result
from sim.scenario.models import Mode, Scenario

SCORE_LOG_COLUMNS = ("kind", *OFFENDER_FRAME_COLUMNS)
"""The score log's columns (:func:`numbered`): ``kind``, then what :mod:`sim.calibration.fit_inputs` reads."""


def with_mode(scenario: Scenario, mode: Mode) -> Scenario:
    """The scenario run in ``mode``."""
    return scenario.model_copy(update={"run": scenario.run.model_copy(update={"mode": mode})})


def _pixel_run(variant: Scenario, seed: int) -> tuple[Result, list[tuple]]:
    """One pixel-mode run and its score log (module level: pool workers unpickle it)."""
    rows: list[tuple] = []
    return Simulation(with_mode(variant, Mode.PIXEL), seed, score_log=rows).run(), rows


def rendered(
    runs: list[tuple[Scenario, int]], progress: bool = False, workers: int = 1
) -> Iterator[tuple[int, Result, list[tuple]]]:
    """Pixel mode on each ``(variant, seed)`` of ``runs``: its index in ``runs``, its result and its score
    log, as each run finishes (in order on one process). With ``workers`` > 1 the runs share a pool of that
    many processes; each run is independent and seeded, so its result is the same either way. Stopping early
    (an error, Ctrl-C, the caller closing the iterator) stops the pool's processes at once."""
    bar = tqdm(total=len(runs), unit="run", disable=not progress, leave=False, desc="pixel mode")
    with bar:
        if workers <= 1 or len(runs) <= 1:
            for j, (variant, seed) in enumerate(runs):
                result, rows = _pixel_run(variant, seed)
                bar.update()
                yield j, result, rows
            return
        pool = spawned_pool(min(workers, len(runs)))
        try:
            futures = {pool.submit(_pixel_run, variant, seed): j for j, (variant, seed) in enumerate(runs)}
            for future in as_completed(futures):
                result, rows = future.result()
                bar.update()
                yield futures[future], result, rows
        except BaseException:
            stop_pool(pool)
            raise
        pool.shutdown()


def numbered(rows: list[tuple], run: int) -> list[tuple]:
    """A run's score-log rows ``(kind, "<camera>/incident-<id>", ...)`` with groups
    ``"<run>/<camera>/incident-<id>"``: the same incident number on the same camera in another run is
    another person."""
    return [(kind, f"{run}/{group}", *rest) for kind, group, *rest in rows]


def kept_run_log(
    variants: list[Scenario],
    seeds: list[int],
    folder: Path,
    progress: bool = False,
    workers: int = 1,
    **note,
) -> PixelRunLog:
    """The :class:`PixelRunLog` of pixel mode's runs of every variant on every seed (runs in that order, the
    note ``seeds`` and ``note``), keeping each run in ``folder`` as it finishes and rendering only the runs
    ``folder`` does not hold yet. The log is made of the kept runs as read back, so a run resumed after a
    stop gives the same log, to the bit, as one never stopped. :class:`TuningError` if ``folder`` holds a
    run of another variant or seed at a run's place."""
    Path(folder).mkdir(parents=True, exist_ok=True)  # at once: --resume continues even before a run is kept
    runs = [(variant, seed) for variant in variants for seed in seeds]
    keys = {id(variant): pixel_mode_sha256(variant) for variant in variants}
    places = [_Place(folder, j, keys[id(variant)], seed) for j, (variant, seed) in enumerate(runs)]
    missing = [place for place in places if not place.kept()]
    for i, result, rows in rendered([runs[place.index] for place in missing], progress, workers):
        place = missing[i]
        frames = pd.DataFrame(numbered(rows, 0), columns=list(SCORE_LOG_COLUMNS))
        place.keep(PixelRunLog.of_runs([result], frames, **place.note))
    return PixelRunLog.stacked([place.read() for place in places], seeds=list(seeds), **note)


class _Place:
    """Where run ``index`` of a :func:`kept_run_log` is kept: ``folder/<index>/``."""

    def __init__(self, folder: Path, index: int, key: str, seed: int):
        self.path = Path(folder) / f"{index:04d}"
        self.index = index
        self.note = {"seeds": [seed], "variant_sha256": key}
        self._log: PixelRunLog | None = None  # read once

    def kept(self) -> bool:
        """Whether the run is kept here (:class:`TuningError` if the run kept here is of another variant or
        seed)."""
        if not self.path.is_dir():
            return False
        self.read()
        return True

    def read(self) -> PixelRunLog:
        if self._log is None:
            log = PixelRunLog.read(self.path)
            if {key: log.note.get(key) for key in self.note} != self.note:
                raise TuningError(
                    f"{self.path}: a run of another scenario, start, camera or seed than these options give "
                    "(its log.json says which): continue only with the options that began it"
                )
            self._log = log
        return self._log

    def keep(self, log: PixelRunLog) -> None:
        """Write the run beside its place, then move it there whole."""
        partial = self.path.with_name(self.path.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)  # left by a stop while it was being written
        log.write(partial)
        partial.rename(self.path)
