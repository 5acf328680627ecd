"""Where a sweep's runs execute: a local process pool, or a Dask distributed cluster.

Both hand each task to a worker process and give back results as they
complete. Tasks carry everything a run needs (the validated scenario and the
seed), and results come back to the process that started the sweep, which
alone writes files: workers need the project installed, but neither the
scenario files nor a shared file system.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.errors import ExecutorError, WorkerLostError

CONNECT_TIMEOUT_S = 5.0
"""How long to wait for a Dask scheduler to answer before giving up, s."""

MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
"""glibc's mmap threshold in Dask worker processes, bytes (environment variable ``MALLOC_MMAP_THRESHOLD_``).

Dask's nanny starts each worker with ``MALLOC_TRIM_THRESHOLD_=65536`` (config
``distributed.nanny.pre-spawn-environ``) so that workers hand freed memory back
to the system. Setting any trim or mmap parameter turns off glibc's *dynamic*
mmap threshold (mallopt(3), ``M_MMAP_THRESHOLD``), which then stays at 128 KiB:
every numpy array above that is mapped and unmapped afresh, and a simulation
run in a Dask worker took ten to thirty times the page faults and about a third
more CPU time than in a process-pool worker (benchmarks/README.md,
``bench_sweep.py``). 32 MiB is the ceiling the dynamic threshold would reach on
a 64-bit system (``DEFAULT_MMAP_THRESHOLD_MAX``, mallopt(3)); Dask's trimming stays on.
"""

LOCAL_CLUSTER_CONFIG = {
    # Read by each nanny when it is made; it sets them before starting (or restarting) its worker.
    "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": MMAP_THRESHOLD_BYTES,
    # The statistical profiler samples each worker's stack every 10 ms for the dashboard's profile
    # page (served only with bokeh, not a dependency): about 1.5% of a core per worker, measured.
    "distributed.worker.profile.enabled": False,
    # Every server (scheduler, each nanny and worker) wakes every 20 ms to check that its event loop
    # is not blocked: about 1% of a core each, measured. Once a second still catches a blocked loop.
    "distributed.admin.tick.interval": "1s",
}
"""Dask settings of the LocalCluster that ``--dask local`` starts (see docs/cluster.md for remote workers)."""


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _ignore_interrupt() -> None:
    # Ctrl-C reaches the whole process group: only the sweep's own process should act on it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class ProcessPool:
    """A pool of ``workers`` local processes (started with ``spawn``: no state inherited from the parent)."""

    name = "process pool"
    shares_files = True
    """Workers see this machine's files: they write their run folders themselves."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ProcessPool:
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_ignore_interrupt
        )
        return self

    def __exit__(self, kind, error, traceback) -> None:
        assert self._pool is not None
        if error is None:
            self._pool.shutdown(wait=True)
            return
        # Interrupted or broken: drop queued tasks and stop the workers now rather than let them finish.
        processes = list((self._pool._processes or {}).values())  # no public handle on the workers
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=10)  # gone before the caller reads the folder: no late writes

    def results(self, task: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """``(item, task(item))`` for every item as each completes (the exception if it raised).

        Raises WorkerLostError if a worker process dies: the pool cannot go on without it.
        """
        assert self._pool is not None
        submitted: dict[Future, Any] = {self._pool.submit(task, item): item for item in items}
        pending = set(submitted)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield submitted[future], _outcome(future)


def _outcome(future) -> Any:
    try:
        return future.result()
    except BrokenProcessPool:
        raise WorkerLostError("a worker process died (killed, or out of memory)") from None
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
        self._cluster = None

    def __enter__(self) -> DaskCluster:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError("--dask: needs dask distributed (pip install -e '.[cluster]')") from None
        if self.address == "local":
            import dask

            with dask.config.set(LOCAL_CLUSTER_CONFIG):  # read as the scheduler, nannies and workers start
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,  # a run is single-threaded Python: one per process
                    processes=True,
                    dashboard_address=":0",  # any free port: several sweeps may run on one machine
                    silence_logs=logging.ERROR,
                )
                self._client = Client(self._cluster)
            return self
        try:
            self._client = Client(self.address, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ExecutorError(
                f"--dask {self.address}: no scheduler answered within {CONNECT_TIMEOUT_S:g} s ({reason})"
            ) from None
        except (ValueError, TypeError) as error:
            raise ExecutorError(f"--dask {self.address}: not a scheduler address ({error})") from None
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

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
