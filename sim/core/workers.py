"""Worker processes, shared by sweeps and pixel mode: fresh processes on this machine, or the workers of a
Dask cluster (an existing scheduler, or a ``LocalCluster`` started here).

Sweeps hand independent runs to a pool (:mod:`sim.experiments.executors`). Pixel mode keeps one object in
each worker for a whole run (a group of cameras with their detectors' state) and calls its methods:
:class:`LocalWorker` and :class:`DaskWorker` offer both places the same calls, ``call(method, *args)``, which
returns a future, ``result(future)`` and ``close()``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.errors import ExecutorError, WorkerLostError

CONNECT_TIMEOUT_S = 5.0
"""How long a sweep waits for a Dask scheduler to answer before giving up, s."""

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


def ignore_interrupt() -> None:
    """Ctrl-C reaches the whole process group, only the main process should act."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_worker(one_thread: bool) -> None:
    """A pool worker's initializer: :func:`ignore_interrupt`; with ``one_thread`` (one of several workers,
    each standing for a core) OpenCV keeps to one thread, as pixel mode's camera workers do: its own pool
    would contend with the other workers' for the same cores (about a fifth more CPU per frame; the frames
    are the same)."""
    ignore_interrupt()
    if one_thread:
        import cv2  # imported here: the pool's other users need no OpenCV

        cv2.setNumThreads(1)


PRELOADED = ("numpy", "pandas", "shapely", "cv2", "pydantic", "simpy", "networkx", "yaml")
"""The libraries a run imports, imported once by the fork server so that each worker forked from it starts
with them loaded (the simulator's own modules then take about 0.2 s of CPU; the libraries took 1.6 s)."""


def spawned_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` local processes that inherit no state from this one: forked from
    multiprocessing's fork server (a fresh process started once per process that asks, which has imported
    :data:`PRELOADED`), or spawned where there is no fork server (Windows). A spawned worker imports the
    libraries anew, about a second of CPU each; a forked one has them. With several workers each keeps
    OpenCV to one thread (:func:`_start_worker`)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("spawn")
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOADED))  # read when the server first starts
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(workers > 1,)
    )


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Drop ``pool``'s queued tasks and stop its processes now (after an error or Ctrl-C); waits until they
    are gone, so that nothing they do happens after the caller moves on."""
    processes = list((pool._processes or {}).values())  # no public handle on the workers
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)


class DaskConnection:
    """A Dask client, as a context manager: of a LocalCluster of ``workers`` processes started here
    (``address`` ``local``), or of the scheduler at ``address`` (``tcp://host:8786``), which must answer
    within ``timeout`` s. Bad or unreachable addresses are :class:`~sim.errors.ExecutorError`."""

    def __init__(self, address: str, workers: int, timeout: float = CONNECT_TIMEOUT_S):
        self.address, self.workers, self.timeout = address, workers, timeout
        self.client = None
        self._cluster = None

    def __enter__(self):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError("--dask: needs dask distributed (pip install -e '.[cluster]')") from None
        if self.address == "local":
            import dask

            with dask.config.set(LOCAL_CLUSTER_CONFIG):  # read as the scheduler, nannies and workers start
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,  # our tasks are single-threaded Python: one per process
                    processes=True,
                    dashboard_address=":0",  # any free port: several sweeps may run on one machine
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self._cluster)
            return self.client
        _probe(self.address, self.timeout)
        try:
            self.client = Client(self.address, timeout=self.timeout)
        except (OSError, TimeoutError) as error:
            raise _unanswered(self.address, self.timeout, error) from None
        except (ValueError, TypeError) as error:
            raise ExecutorError(f"--dask {self.address}: not a scheduler address ({error})") from None
        except Exception as error:  # something answered, but not as a Dask scheduler does
            reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            raise ExecutorError(f"--dask {self.address}: not a Dask scheduler ({reason})") from None
        return self.client

    def __exit__(self, kind, error, traceback) -> None:
        if self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def _unanswered(address: str, timeout: float, error: BaseException) -> ExecutorError:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return ExecutorError(f"--dask {address}: no scheduler answered within {timeout:g} s ({reason})")


def _probe(address: str, timeout: float) -> None:
    """Fail at once if nothing listens at a ``tcp://host:port`` (or ``host:port``) address: Dask's own
    client keeps retrying a refused connection until its timeout. Other addresses are left to Dask."""
    scheme, _, rest = address.rpartition("://")
    host, _, port = rest.rpartition(":")
    if scheme not in ("", "tcp") or not host or not port.isdigit():
        return
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as error:
        raise _unanswered(address, timeout, error) from None


def dask_workers(client) -> list[str]:
    """The addresses of the workers of ``client``'s cluster, sorted."""
    return sorted(client.scheduler_info()["workers"])


_held: Any = None
"""In a :class:`LocalWorker`'s process: the object it holds."""


def _hold(factory: Callable[..., Any], args: tuple) -> None:
    global _held
    _held = factory(*args)


def _call(method: str, args: tuple) -> Any:
    return getattr(_held, method)(*args)


def _lost() -> WorkerLostError:
    return WorkerLostError("a worker process died (killed, or out of memory)")


class LocalWorker:
    """One process spawned on this machine holding ``factory(*args)`` until :meth:`close`; :meth:`call` runs
    one of its methods there. Calls run one at a time, in the order made."""

    def __init__(self, factory: Callable[..., Any], *args: Any):
        self._pool = spawned_pool(1)
        self._made = self._pool.submit(_hold, factory, args)

    def call(self, method: str, *args: Any) -> Future:
        """``held.method(*args)`` in the worker; the future's result is its return value."""
        self.result(self._made)  # raises the factory's own error, if it failed
        try:
            return self._pool.submit(_call, method, args)
        except BrokenProcessPool:  # the pool may know already
            raise _lost() from None

    def result(self, future: Future) -> Any:
        """The value of a :meth:`call`; WorkerLostError if the process died (killed, or out of memory)."""
        try:
            return future.result()
        except BrokenProcessPool:
            raise _lost() from None

    def close(self, failed: bool = False) -> None:
        """Let the process go (``failed``: stop it now, dropping whatever it was doing)."""
        if failed:
            stop_pool(self._pool)
        else:
            self._pool.shutdown(wait=True)


class DaskWorker:
    """One Dask worker (``address`` in ``client``'s cluster) holding ``factory(*args)`` as a Dask actor until
    :meth:`close`; :meth:`call` runs one of its methods there, one at a time, in the order made."""

    def __init__(self, client, address: str, factory: Callable[..., Any], *args: Any):
        self._made = client.submit(
            factory, *args, actor=True, workers=[address], allow_other_workers=False, pure=False
        )

    def call(self, method: str, *args: Any):
        """``held.method(*args)`` on the worker; the future's result is its return value."""
        actor = self.result(self._made)
        try:
            bound = getattr(actor, method)
        except RuntimeError as error:  # the proxy's "Worker holding Actor was lost"
            raise WorkerLostError(f"a Dask worker was lost ({error})") from None
        return bound(*args)

    def result(self, future) -> Any:
        """The value of a :meth:`call`; WorkerLostError if the worker is gone."""
        try:
            return future.result()
        except OSError as error:  # "Unable to contact Actor's worker", a closed connection
            raise WorkerLostError(f"a Dask worker was lost ({error})") from None

    def close(self, failed: bool = False) -> None:
        """Release the actor (its worker drops it)."""
        self._made.release()
