"""Where a sweep's runs execute: a local process pool, or a Dask distributed cluster.

Both hand each task to a worker process and give back results as they
complete. Tasks carry everything a run needs (the validated scenario and the
seed), and results come back to the process that started the sweep, which
alone writes files: workers need the project installed, but neither the
scenario files nor a shared file system.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.core.workers import (
    LOCAL_CLUSTER_CONFIG,
    MMAP_THRESHOLD_BYTES,
    DaskConnection,
    default_workers,
    spawned_pool,
    stop_pool,
)
from sim.errors import WorkerLostError

__all__ = [
    "LOCAL_CLUSTER_CONFIG",
    "MMAP_THRESHOLD_BYTES",
    "DaskCluster",
    "ProcessPool",
    "default_workers",
]
"""The connection settings and ``default_workers`` live in :mod:`sim.core.workers` (pixel mode uses them
too); they are named here as well, where sweeps have always found them."""


IN_FLIGHT_PER_WORKER = 2
"""Tasks a :class:`ProcessPool` keeps submitted per worker."""


class ProcessPool:
    """A pool of ``workers`` local processes that inherit no state from the parent
    (:func:`sim.core.workers.spawned_pool`: forked from a fork server with the libraries loaded)."""

    name = "process pool"
    shares_files = True
    """Workers see this machine's files: they write their run folders themselves."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ProcessPool:
        self._pool = spawned_pool(self.workers)
        return self

    def __exit__(self, kind, error, traceback) -> None:
        assert self._pool is not None
        if error is None:
            self._pool.shutdown(wait=True)
            return
        # Interrupted or broken: drop queued tasks and stop the workers now rather than let them finish,
        # gone before the caller reads the folder: no late writes.
        stop_pool(self._pool)

    def results(self, task: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """``(item, task(item))`` for every item as each completes (the exception if it raised).

        ``items`` is read as workers free up, keeping :data:`IN_FLIGHT_PER_WORKER` tasks per worker
        submitted (one running, one waiting, so no worker idles while results are handed over): a generator
        of items may decide late what to run next, or stop (a time budget), and a long sweep's tasks are not
        all held at once. Raises WorkerLostError if a worker process dies: the pool cannot go on without it.
        """
        assert self._pool is not None
        pool, items = self._pool, iter(items)
        submitted: dict[Future, Any] = {}

        def submit_next() -> None:
            for item in items:
                try:
                    submitted[pool.submit(task, item)] = item
                except BrokenProcessPool:
                    raise _lost() from None
                return

        for _ in range(IN_FLIGHT_PER_WORKER * self.workers):
            submit_next()
        while submitted:
            done, _ = wait(submitted, return_when=FIRST_COMPLETED)
            for future in done:
                item, outcome = submitted.pop(future), _outcome(future)
                submit_next()
                yield item, outcome


def _lost() -> WorkerLostError:
    return WorkerLostError("a worker process died (killed, or out of memory)")


def _outcome(future) -> Any:
    try:
        return future.result()
    except BrokenProcessPool:
        raise _lost() from None
    except Exception as error:
        return error


class DaskCluster:
    """A Dask distributed cluster: an existing scheduler (``tcp://host:8786``) or ``local`` (a LocalCluster).

    A worker that dies is replaced by the scheduler, which runs its tasks again elsewhere; a task that
    kills several workers in turn comes back as an error (``KilledWorker``), recorded like any failed run.
    """

    def __init__(self, address: str, workers: int):
        self.address = address
        self.workers = workers
        self.name = "local Dask cluster" if address == "local" else f"Dask scheduler {address}"
        self.shares_files = address == "local"
        """Local workers write their run folders; remote ones send results back to be written here."""
        self._client = None
        self._connection: DaskConnection | None = None

    def __enter__(self) -> DaskCluster:
        self._connection = DaskConnection(self.address, self.workers)
        self._client = self._connection.__enter__()
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if self._connection is not None:
            self._connection.__exit__(kind, error, traceback)

    def results(self, task: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """``(item, task(item))`` for every item as each completes (the exception if it raised)."""
        from distributed import as_completed

        items = list(items)
        futures = self._client.map(task, items, pure=False)  # one message to the scheduler, not one per task
        pending = dict(zip(futures, items, strict=True))
        del futures  # a future is held only until its result is taken: then the worker may free the result
        try:
            for future in as_completed(list(pending)):
                item = pending.pop(future)
                yield item, _outcome(future)
        finally:
            if pending:
                self._client.cancel(list(pending))
