"""A worker process that holds one object for its lifetime (pixel mode's camera groups live in them)."""

from __future__ import annotations

import os
import signal

import pytest

from sim.core.workers import LocalWorker, spawned_pool
from sim.errors import WorkerLostError
from tests.helpers.held import Tally
from tests.helpers.sweep_runners import opencv_threads


def test_a_local_worker_keeps_its_object_runs_calls_in_order_and_is_lost_when_killed():
    """One spawned process for the whole test (starting one costs a second or more)."""
    worker = LocalWorker(Tally, 10)
    try:
        calls = [worker.call("add", n) for n in (1, 2, 3)]  # queued at once, run one at a time
        assert [worker.result(call) for call in calls] == [11, 13, 16]
        pid = worker.result(worker.call("pid"))
        assert pid != os.getpid()
        with pytest.raises(ValueError, match="asked to fail"):  # its error, as raised there
            worker.result(worker.call("fail"))
        assert worker.result(worker.call("add", 0)) == 16  # and it goes on, its object as it was
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(WorkerLostError, match="died"):
            worker.result(worker.call("add", 1))
    finally:
        worker.close(failed=True)


def test_several_pool_workers_keep_opencv_to_one_thread_a_single_one_does_not():
    """Each of several workers stands for a core: OpenCV's own thread pool would contend with the others'."""
    with spawned_pool(2) as pool:
        assert pool.submit(opencv_threads, None).result() == 1
    with spawned_pool(1) as pool:
        assert pool.submit(opencv_threads, None).result() > 1 or os.cpu_count() == 1
