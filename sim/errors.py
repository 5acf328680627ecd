"""The simulator's exceptions: one base, and a branch for bad input.

The command line maps them to exit codes by type (``sim.cli.common``): a :class:`BadInputError`
is the user's to fix and exits 2 with its one-line message; any other :class:`SimError`, like
any other exception, is a bug and exits 1. Library code raises the most specific class here,
so that a notebook can catch ``SimError`` or just the bad-input branch.
"""

from __future__ import annotations


class SimError(Exception):
    """Base of every exception the simulator raises on purpose."""


class BadInputError(SimError):
    """Bad input (scenario, arguments, files): ``str(error)`` is one line naming where and what. Exit 2."""


class ScenarioError(BadInputError):
    """A scenario key is wrong; the message starts with its key path, e.g. ``cameras.3.position: ...``."""


class TraceError(BadInputError):
    """A latency trace file cannot be used (``network.trace``)."""


class ClipError(BadInputError):
    """Bad ``render`` arguments (camera id, output path, start time)."""


class SweepError(BadInputError):
    """A sweep, its output folder or a comparison of its runs cannot go ahead as asked."""


class ExecutorError(BadInputError):
    """The executor cannot start: a bad or unreachable Dask address, dask not installed."""


class TuningError(BadInputError):
    """``tune`` cannot score a detector on this scenario (no camera sees the kind's no-go areas)."""


class WorkerLostError(SimError):
    """A worker process died (killed, out of memory) and took the pool down with it. Exit 1."""


class FlatBatteryError(SimError):
    """A boat's battery would go below zero: a planning bug, never hidden. Exit 1."""


class ReplayError(BadInputError):
    """``replay`` cannot build its page: not a run folder, an old column layout, an unknown camera, two runs
    that are not of the same scenario and seed, an output path in a missing folder."""


class OptimizeError(BadInputError):
    """``optimize`` cannot go ahead: a bad study file (space, objectives, costs) or an output folder
    that holds a different study."""


class DatasetError(BadInputError):
    """``dataset`` cannot go ahead as asked: no frames, an unknown format or sensor, no camera that sees a
    no-go area."""
