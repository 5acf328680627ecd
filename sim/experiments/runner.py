"""Executing a sweep into a folder, run by run, so that nothing completed is ever lost.

``OUT/`` holds ``sweep.json`` (what was swept, every run id in order),
``runs/<id>/`` per run (the usual run outputs, written atomically by
:mod:`sim.results.writing` as each run completes; ``error.txt`` instead for a run that
raised) and ``sweep.csv`` (``sweep.parquet`` too when pyarrow is installed),
one row per run, rebuilt from ``runs/`` at the end, also after Ctrl-C or a
lost worker. ``resume`` runs only the runs without a ``summary.json``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from tqdm import tqdm

from sim.core.files import replace_folder
from sim.engine import run as run_simulation
from sim.errors import SweepError
from sim.experiments.sweep_file import RunSpec, Sweep, cell
from sim.experiments.sweep_table import write_table, write_text
from sim.results.result import Result
from sim.results.writing import write_outputs
from sim.scenario.models import Scenario

Runner = Callable[[Scenario, int], Result]
"""Runs one simulation: ``(scenario, seed) -> Result`` (a module-level function, so it can be pickled)."""


@dataclass(frozen=True)
class RunFailure:
    """A run that raised: its id and the traceback text."""

    run_id: str
    error: str


@dataclass(frozen=True)
class SweepReport:
    """How a sweep (or one resumption of it) went."""

    total: int
    skipped: int
    done: int
    failed: int
    missing: int
    table: Path


@dataclass(frozen=True)
class RunFiles:
    """A run's output folder as a remote worker sends it back: path in the folder -> content."""

    files: dict[str, bytes]


@dataclass(frozen=True)
class RunTask:
    """What a worker gets: the runner, the run, and where to write it (None: send the files back)."""

    runner: Runner
    spec: RunSpec
    folder: Path | None
    figures: bool
    replay: bool = False
    """Write the run's replay.html too (``replay: true`` in the sweep file)."""


def attempt(task: RunTask) -> Path | RunFiles | RunFailure:
    """Run one sweep run in a worker: its folder (written there) or its files, or a RunFailure if it raised.

    Workers that share the file system with the sweep (a local pool, a LocalCluster) write their
    own run folder, atomically: the main process then has nothing to do but count, and parallel
    runs scale with the workers. Remote workers format the files (CSV, YAML, figures) themselves
    and send them back, so that the main process only writes bytes: formatting a run's tables
    takes about a quarter of the time of the run, and would cap a cluster at a few workers' pace.
    """
    try:
        result = task.runner(task.spec.scenario, task.spec.seed)
        written = {"figures": task.figures, "replay": task.replay, "replay_label": task.spec.run_id}
        if task.folder is None:
            return _as_files(result, written)
        return write_outputs(result, task.folder, **written)
    except Exception:
        return RunFailure(task.spec.run_id, traceback.format_exc())


def _as_files(result: Result, written: dict) -> RunFiles:
    """``written``: write_outputs' options (figures, replay, replay_label)."""
    with tempfile.TemporaryDirectory(prefix="sweep-run.") as temporary:
        folder = write_outputs(result, Path(temporary) / "run", **written)
        return RunFiles(
            {
                path.relative_to(folder).as_posix(): path.read_bytes()
                for path in folder.rglob("*")
                if path.is_file()
            }
        )


def check_folder(out: Path, resume: bool) -> None:
    """Refuse an output folder that cannot take the sweep: checked before anything starts."""
    out = Path(out)
    blocking = next((p for p in out.resolve().parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:  # missing parent folders are made; a file in the way cannot be
        raise SweepError(f"--out: {blocking} is a file, not a folder")
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out: {out} is a file")
    if out.is_dir() and any(out.iterdir()) and not resume:
        raise SweepError(f"--out: {out} is not empty (add --resume to complete the sweep in it)")


def prepare_folder(sweep: Sweep, out: Path) -> None:
    """Create ``out/runs`` and write ``out/sweep.json`` (what was swept, every run in order).

    Half-written run folders of a worker killed while writing are removed.
    """
    out = Path(out)
    (out / "runs").mkdir(parents=True, exist_ok=True)  # and any missing parent of ``out``
    for partial in (out / "runs").glob(".*.partial"):
        shutil.rmtree(partial, ignore_errors=True)
    meta = {
        "name": sweep.name,
        "file": sweep.path.name,
        "swept_keys": list(sweep.swept_keys),
        "zip_keys": list(sweep.spec.zip or {}),
        "seeds": list(sweep.spec.seed_list),
        "runs": [{"run_id": r.run_id, "seed": r.seed, "swept": r.swept} for r in sweep.runs],
    }
    write_text(out / "sweep.json", json.dumps(meta, indent=1, default=cell) + "\n")


def is_complete(out: Path, run_id: str) -> bool:
    return (Path(out) / "runs" / run_id / "summary.json").is_file()


def execute(
    sweep: Sweep,
    out: Path,
    executor,
    resume: bool = False,
    runner: Runner = run_simulation,
    progress: bool = True,
) -> SweepReport:
    """Run every run of ``sweep`` not yet complete in ``out`` on ``executor``; write ``sweep.csv``.

    Runs are written as they complete; Ctrl-C (KeyboardInterrupt) and a lost worker
    (:class:`sim.experiments.executors.WorkerLostError`) propagate after the workers have stopped and the
    table of what is done has been written.
    """
    out = Path(out)
    check_folder(out, resume)
    counts = Counter()
    try:
        with executor:  # may fail to start (an unreachable scheduler): before the folder is touched
            prepare_folder(sweep, out)
            with folder_lock(out):
                todo = [spec for spec in sweep.runs if not is_complete(out, spec.run_id)]
                counts["skipped"] = len(sweep.runs) - len(todo)
                _run_all(sweep, out, executor, runner, todo, counts, progress)
    finally:
        if (out / "sweep.json").is_file():  # the workers have stopped: no run lands after the table
            table = write_table(out)
    missing = len(sweep.runs) - counts["skipped"] - counts["done"] - counts["failed"]
    return SweepReport(len(sweep.runs), counts["skipped"], counts["done"], counts["failed"], missing, table)


def _run_all(
    sweep: Sweep, out: Path, executor, runner: Runner, todo: list[RunSpec], counts, progress
) -> None:
    """Hand ``todo`` to the executor and record each outcome as it arrives, counting in ``counts``."""
    shared = executor.shares_files
    runs = out.resolve() / "runs"  # absolute: a worker's working folder may differ from ours
    tasks = [
        RunTask(runner, spec, runs / spec.run_id if shared else None, sweep.spec.figures, sweep.spec.replay)
        for spec in todo
    ]
    with tqdm(total=len(todo), unit="run", desc=sweep.name, disable=not progress, dynamic_ncols=True) as bar:
        bar.set_postfix(done=0, failed=0, skipped=counts["skipped"])
        for task, outcome in executor.results(attempt, tasks):
            folder = out / "runs" / task.spec.run_id
            if isinstance(outcome, RunFiles):
                write_folder(folder, outcome.files)
            elif not isinstance(outcome, Path):  # a Path: the worker wrote the folder itself
                write_failure(
                    folder, outcome.error if isinstance(outcome, RunFailure) else _describe(outcome)
                )
                counts["failed"] += 1
                bar.update()
                continue
            counts["done"] += 1
            bar.set_postfix(
                done=counts["done"], failed=counts["failed"], skipped=counts["skipped"], refresh=False
            )
            bar.update()


@contextmanager
def folder_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out`` (``out/.lock``): two sweeps never write one folder at once."""
    if fcntl is None:  # not on a POSIX system: no lock
        yield
        return
    with open(out / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SweepError(f"--out: another sweep is writing to {out} right now") from None
        yield


def _describe(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(error))


def write_failure(folder: Path, error: str) -> None:
    """``folder/error.txt`` with the traceback, written atomically like a run's outputs."""
    write_folder(folder, {"error.txt": error.encode("utf-8")})


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """``folder`` holding ``files`` (path in the folder -> content), written atomically like a run."""
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    try:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        replace_folder(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
