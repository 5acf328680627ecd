"""An object for a worker process to hold (tests/core/test_workers.py): importable by a spawned process."""

from __future__ import annotations

import os


class Tally:
    """Adds up what it is given; says which process it lives in; fails on request."""

    def __init__(self, start: int):
        self.total = start

    def add(self, n: int) -> int:
        self.total += n
        return self.total

    def pid(self) -> int:
        return os.getpid()

    def fail(self) -> None:
        raise ValueError("asked to fail")
