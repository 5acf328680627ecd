"""Named random streams: common random numbers across scenario variants.

Every component draws from its own stream, keyed by a stable hash of its name
(never by creation order), all derived from one root seed with
:class:`numpy.random.SeedSequence`. The incidents of seed 7 are therefore the
same whether the network is LTE or NR, the threshold 0.4 or 0.6, two boats or
four, and variants can be compared pair by pair.

Names are paths such as ``"incidents/swimming"`` or
``"sensing/cam-3/incident/17"``; each name may be handed out once per run so
that two components cannot share (and silently correlate) one stream.
"""

from __future__ import annotations

import hashlib

import numpy as np


def name_key(name: str) -> tuple[int, ...]:
    """Four 32-bit words from BLAKE2b of ``name``: stable across runs, machines and versions."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=16).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


class RandomStreams:
    """Factory of independent, reproducible generators for one run."""

    def __init__(self, seed: int):
        if seed < 0:
            raise ValueError(f"seed must be >= 0, got {seed}")
        self.seed = seed
        self._issued: set[str] = set()

    def stream(self, name: str) -> np.random.Generator:
        """The generator for ``name``; asking twice for one name is a bug and raises."""
        if name in self._issued:
            raise ValueError(f"random stream {name!r} was already handed out in this run")
        self._issued.add(name)
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=name_key(name)))

    @property
    def issued(self) -> frozenset[str]:
        """Names handed out so far (for diagnostics and tests)."""
        return frozenset(self._issued)
