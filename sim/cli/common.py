"""What the commands of ``run_sim.py`` share: exit codes, the parser, options and their checks.

Exit codes: 0 ok, 2 bad input (a :class:`sim.errors.BadInputError`: scenario, arguments, missing
file), 1 internal error. Bad input is reported on one line, without a traceback (``sim.cli.main``).
Every check here raises :class:`~sim.errors.BadInputError` with a message that starts with the
option it blames.
"""

from __future__ import annotations

import argparse
import hashlib
import math
from collections.abc import Sequence
from pathlib import Path

import yaml

from sim.core.durations import format_duration
from sim.errors import BadInputError
from sim.scenario.models import parse_duration

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIO = PROJECT_ROOT / "scenarios" / "xuchang_lake.yaml"

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2

SWEEP_MARK, RUN_MARK = "sweep.json", "summary.json"
"""Files that tell a sweep folder and a run folder apart."""

Commands = argparse._SubParsersAction
"""The main parser's subcommands, to which each command module adds its own parser."""


class Parser(argparse.ArgumentParser):
    """An argument parser that raises :class:`BadInputError` where argparse would print usage and exit 2."""

    def error(self, message: str) -> None:
        raise BadInputError(f"{message} (see {self.prog} --help)")


# ---------------------------------------------------------------- options


def add_scenario_option(parser: argparse.ArgumentParser) -> None:
    """``--scenario FILE``, the bundled default scenario when not given."""
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario YAML file")


def add_set_option(parser: argparse.ArgumentParser, help_text: str | None = None) -> None:
    """``--set KEY=VALUE`` (repeatable) into ``args.overrides``; ``help_text`` for ``--help``, if any."""
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help=help_text
    )


def add_seed_option(parser: argparse.ArgumentParser) -> None:
    """``--seed N``: the root seed of the run, the scenario's ``run.seed`` when not given."""
    parser.add_argument("--seed", type=int, help="root seed (default: run.seed of the scenario)")


def add_worker_options(parser: argparse.ArgumentParser, dask_help: str) -> None:
    """``--workers N`` (local worker processes) and ``--dask ADDRESS`` (a Dask scheduler, or ``local``);
    :func:`check_workers` checks them together."""
    parser.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    parser.add_argument("--dask", metavar="ADDRESS", help=dask_help)


# ---------------------------------------------------------------- checks


def at_least(option: str, value: int, minimum: int) -> int:
    """``value`` of ``option`` if it is ``minimum`` or more, else a one-line error."""
    if value < minimum:
        raise BadInputError(f"{option}: must be >= {minimum}, got {value}")
    return value


def positive_seconds(option: str, seconds: float) -> float:
    """``seconds`` of ``option`` if positive and finite, else a one-line error."""
    if not 0 < seconds < math.inf:
        raise BadInputError(f"{option}: must be positive and finite, got {seconds:g}")
    return seconds


def offset_seconds(option: str, text: str) -> float:
    """A time given as seconds or ``30s``, ``15m``, ``6h``, ``2d`` (``--start``), s."""
    try:
        return parse_duration(text)
    except ValueError as error:
        raise BadInputError(f"{option}: {error}") from None


def duration_seconds(text: str) -> float:
    """``--duration`` in seconds: positive and finite, or a one-line error."""
    seconds = offset_seconds("--duration", text)
    if not 0 < seconds < math.inf:
        raise BadInputError(f"--duration: must be positive and finite, got {text!r}")
    return seconds


def duration_override(text: str | None) -> list[str]:
    """The ``--set`` of ``--duration`` (``run.duration=<seconds>``); none when not given."""
    return [] if text is None else [f"run.duration={duration_seconds(text)}"]


def seed_override(seed: int | None) -> list[str]:
    """The ``--set`` of ``--seed`` (``run.seed=<seed>``, 0 or more); none when not given."""
    return [] if seed is None else [f"run.seed={at_least('--seed', seed, 0)}"]


def check_workers(workers: int | None, dask: str | None, what: str) -> None:
    """``--workers`` is 1 or more, and not given with a Dask scheduler's address (``--dask``), whose own
    workers run ``what`` (the sweep, the study, the cameras); else a one-line error."""
    if workers is not None:
        at_least("--workers", workers, 1)
    if dask not in (None, "local") and workers is not None:
        raise BadInputError(f"--workers: a Dask scheduler's own workers run the {what}; drop --workers")


def batch_options(args: argparse.Namespace, what: str) -> tuple[int | None, float | None]:
    """The checked options of a batch of runs (``sweep``, ``optimize``): ``--workers`` and ``--dask``
    (:func:`check_workers`, ``what`` runs on them), then (``--seeds``, ``--duration`` in s), each None
    when not given; a one-line error for a bad one."""
    check_workers(args.workers, args.dask, what)
    seeds = None if args.seeds is None else at_least("--seeds", args.seeds, 1)
    duration = None if args.duration is None else duration_seconds(args.duration)
    return seeds, duration


def check_out_parent(out: Path) -> None:
    """``--out``'s parent folder must exist (the output folder itself is made)."""
    if not out.resolve().parent.is_dir():
        raise BadInputError(f"--out: folder {out.resolve().parent} does not exist")


# ---------------------------------------------------------------- output folders


def add_overwrite_option(parser: argparse.ArgumentParser) -> None:
    """``--overwrite``: the command may replace an existing non-empty output (:func:`check_output_folder`)."""
    parser.add_argument(
        "--overwrite", action="store_true", help="replace the output if it exists (default: refuse)"
    )


def check_output_folder(path: Path, overwrite: bool, option: str = "--out", hint: str = "") -> None:
    """Refuse to replace ``path`` silently: every command that writes a folder (or a file) calls this first.

    ``path`` may be missing or an empty folder; an existing file or non-empty folder is accepted only
    with ``overwrite`` (the command's ``--overwrite``), else a one-line error (exit 2) names it, the
    ``option`` it came from and the ways out: ``--overwrite``, another folder, and ``hint`` if given
    (e.g. "or leave out --out: the default folder is named by the overrides"). Commands that can
    continue a folder (``sweep --resume``) skip the check when resuming. Also checks that the parent
    folder exists, as :func:`check_out_parent` does.
    """
    path = Path(path)
    if path.exists() and not overwrite and (not path.is_dir() or any(path.iterdir())):
        what = "folder" if path.is_dir() else "file"
        ways = f"add --overwrite to replace it, or choose another {option} name"
        raise BadInputError(f"{option}: {what} {path} exists and is not empty: {ways}{hint}")
    if not path.resolve().parent.is_dir():
        raise BadInputError(f"{option}: folder {path.resolve().parent} does not exist")


def default_run_folder(name: str, seed: int, duration_s: float, overrides: Sequence[str]) -> Path:
    """``out/<name>_seed<seed>_<duration>`` plus ``_<hash>`` of ``overrides`` (``--set``, ``--mode``, ...)
    when there are any: two runs that differ in anything share no default folder.

    The duration is written compactly (``2h``, ``90s``, ``1.5d``); the hash is 8 hex digits of BLAKE2b
    of the overrides in the order given, so the same command line names the same folder.
    """
    folder = f"{name}_seed{seed}_{format_duration(duration_s, compact=True)}"
    if overrides:
        digest = hashlib.blake2b("\n".join(overrides).encode("utf-8"), digest_size=4).hexdigest()
        folder += f"_{digest}"
    return Path("out") / folder


def folder_kind(folder: Path) -> str:
    """``"sweep"`` or ``"run"``: what kind of output folder ``folder`` is, or a one-line error."""
    if (folder / SWEEP_MARK).is_file():
        return "sweep"
    if (folder / RUN_MARK).is_file() and (folder / "scenario.yaml").is_file():
        return "run"
    if not folder.is_dir():
        raise BadInputError(f"{folder}: no such folder")
    raise BadInputError(f"{folder}: neither a sweep folder ({SWEEP_MARK}) nor a run folder ({RUN_MARK})")


def parse_baseline(text: str | None) -> tuple[str, object] | None:
    """``--baseline key=value`` with the value parsed as YAML, as ``--set`` does; None when not given."""
    if text is None:
        return None
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise BadInputError(f"--baseline {text}: expected key=value, e.g. network.profile=nr_embb")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def comma_list(option: str, text: str, convert, nouns: tuple[str, str], example: str) -> list:
    """``text`` of ``option`` split at commas and each part ``convert``-ed, none listed twice; ``nouns``:
    what a part is and what is listed (``("number", "threshold")``), for the one-line errors."""
    try:
        values = [convert(part) for part in text.split(",")]
    except ValueError:
        raise BadInputError(
            f"{option} {text}: expected {nouns[0]}s separated by commas, e.g. {example}"
        ) from None
    if len(set(values)) < len(values):
        raise BadInputError(f"{option} {text}: a {nouns[1]} is listed twice")
    return values
