"""A link that replays measured latencies (a researcher's own trace).

The trace is a CSV file with one delay per row in seconds: either a single
column, or a column named ``latency_s`` (other columns are ignored). With
``network.trace_mode: loop`` transfers take the trace's values in order,
starting again at the top; with ``bootstrap`` each transfer draws one value
at random (with replacement) from the link's own stream. Payload size and
position do not change a replayed delay: the trace already contains them.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import TraceError
from sim.network.links import Direction, Service, Transfer
from sim.scenario.models import TraceMode

_SKIP_BATCH = 1 << 20
"""Delays drawn and dropped at a time by :meth:`TraceLink.fork`."""
COLUMN = "latency_s"
TRACE_PROFILE = "trace"
"""The ``network.profile`` (or ``network.traffic.*``) value that selects a trace link."""
_NO_PARTS = dict.fromkeys(
    ("route_wait_s", "scheduling_s", "transmission_s", "harq_s", "core_s", "processing_s"), 0.0
)
"""A trace's delay is measured whole: none of it is put down to the parts of a :class:`Transfer`."""


def read_trace(path: Path) -> np.ndarray:
    """Delays from ``path``, s; raises TraceError naming the file and the problem."""
    if not path.is_file():
        raise TraceError(f"{path}: no such file")
    try:
        table = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise TraceError(f"{path}: the file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise TraceError(f"{path}: not a CSV table ({str(error).splitlines()[0]})") from None
    if COLUMN in table.columns:
        column = table[COLUMN]
    elif len(table.columns) == 1:
        column = table.iloc[:, 0]
    else:
        raise TraceError(f"{path}: expected one column or a column named {COLUMN!r}")
    values = pd.to_numeric(column, errors="coerce")
    if len(values) == 0:
        raise TraceError(f"{path}: the trace holds no values")
    bad = values.isna() | ~np.isfinite(values)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise TraceError(f"{path}: row {row + 2}: {column.iloc[row]!r} is not a number of seconds")
    if (values < 0).any():
        row = int(np.flatnonzero((values < 0).to_numpy())[0])
        raise TraceError(f"{path}: row {row + 2}: negative latency {values.iloc[row]:g} s")
    return values.to_numpy(dtype=float)


class TraceLink:
    """Same interface as :class:`sim.network.links.Link`: ``delay(payload_bytes, position, t)``."""

    def __init__(
        self,
        delays_s: np.ndarray,
        mode: TraceMode,
        rng: np.random.Generator,
        direction: Direction,
        traffic: str = "",
        service: Service = Service.EMBB,
        log=None,
    ):
        if len(delays_s) == 0 or (np.asarray(delays_s) < 0).any():
            raise ValueError("a trace needs at least one delay, all >= 0")
        self.delays_s = np.asarray(delays_s, dtype=float)
        self.mode = mode
        self.direction = direction
        self.traffic = traffic
        self.service = service
        self._rng = rng
        self._next = 0
        self._log = log

    def delay(self, payload_bytes: int, position: tuple[float, float] | None = None, t: float = 0.0) -> float:
        if payload_bytes <= 0:
            raise ValueError(f"payload must be > 0 bytes, got {payload_bytes}")
        if self.mode is TraceMode.LOOP:
            value = self.delays_s[self._next % len(self.delays_s)]
            self._next += 1
        else:
            value = self.delays_s[self._rng.integers(len(self.delays_s))]
        value = float(value)
        if self._log is not None:  # a measured delay, not split into parts
            self._log(Transfer.over(self, t, position, payload_bytes, _NO_PARTS, value, "trace"))
        return value

    def next_delays(self, transfers: int) -> np.ndarray:
        """The delays of the next ``transfers`` transfers, s, as that many :meth:`delay` calls give them."""
        if self.mode is TraceMode.LOOP:
            index = (self._next + np.arange(transfers)) % len(self.delays_s)
            self._next += transfers
        else:  # one bounded integer a draw, in a batch the same as one at a time
            index = self._rng.integers(len(self.delays_s), size=transfers)
        return self.delays_s[index]

    def fork(self, skip: int = 0) -> TraceLink:
        """A copy of this link (logging nowhere) whose delays are this one's after ``skip`` more transfers."""
        twin = copy.copy(self)
        twin._rng, twin._log = copy.deepcopy(self._rng), None
        for start in range(0, skip, _SKIP_BATCH):
            twin.next_delays(min(_SKIP_BATCH, skip - start))
        return twin

    def mean_delay(self, payload_bytes: int, position=None, t: float = 0.0) -> float:
        return float(self.delays_s.mean())
