"""Where a pixel-mode run's cameras render and analyse their frames: in the run's own process (on frame
threads), in worker processes spawned on this machine, or on the workers of a Dask cluster.

``run --mode pixel --workers N`` (N >= 2) splits the cameras into N groups, each a
:class:`~sim.pixel.camera_group.CameraGroup` held by one process for the whole run (its detectors keep
their background models and tracks); ``--dask ADDRESS`` puts one group on each worker of a Dask cluster
(``local``: a LocalCluster of ``--workers`` processes). The run's own process keeps the clock, the world
and dispatch, and sends each group the actors of a window of simulated time (:mod:`sim.pixel.camera_loop`).
The split changes where frames are made, never what they are: the run is identical on any number of
workers (``tests/pixel/test_camera_workers.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sim.core.workers import DaskConnection, DaskWorker, LocalWorker, dask_workers, default_workers
from sim.errors import ExecutorError
from sim.pixel.camera_group import CameraGroup, FrameResult, Frames, Seen
from sim.pixel.pixel_camera import PixelCamera, analysis_camera
from sim.scenario.models import Scenario
from sim.world.daylight import Daylight
from sim.world.geometry import ZoneGeometry

DASK_CONNECT_TIMEOUT_S = 3.0
"""How long pixel mode waits for a Dask scheduler, s: with the program's start-up, an unreachable
scheduler fails the command within 5 s (issue 20)."""


@dataclass(frozen=True)
class CameraWorkers:
    """Where the cameras run: ``count`` 1 and no ``client``: in the run's process; ``count`` >= 2: in as many
    processes spawned on this machine; a Dask ``client``: one group per worker of its cluster."""

    count: int = 1
    client: Any = None

    def __post_init__(self):
        if self.count < 1:
            raise ValueError(f"camera workers must be >= 1, got {self.count}")

    @property
    def in_process(self) -> bool:
        return self.client is None and self.count == 1


@contextlib.contextmanager
def camera_workers(workers: int | None, dask: str | None) -> Iterator[CameraWorkers]:
    """The :class:`CameraWorkers` of ``--workers`` and ``--dask`` (a Dask connection is open inside the
    ``with``; an address that does not answer is an ExecutorError within :data:`DASK_CONNECT_TIMEOUT_S`)."""
    if dask is None:
        yield CameraWorkers(workers or 1)
        return
    count = workers or default_workers()
    with DaskConnection(dask, count, DASK_CONNECT_TIMEOUT_S) as client:
        if dask == "local":
            client.wait_for_workers(count)
        places = len(dask_workers(client))
        if places == 0:
            raise ExecutorError(f"--dask {dask}: the scheduler has no workers to run the cameras on")
        yield CameraWorkers(places, client)


def share_out(scenario: Scenario, groups: int) -> list[list[str]]:
    """The cameras' ids in ``groups`` groups (fewer if there are fewer cameras) of about equal work: by the
    pixels each analyses per second, largest first, each to the group with the least so far (ties: scenario
    order). Only where frames are made depends on it."""
    width = scenario.detection.analysis_width
    work = {}
    for spec in scenario.cameras:
        columns, rows = analysis_camera(spec, width).spec.resolution
        work[spec.id] = spec.fps * columns * rows
    shares: list[list[str]] = [[] for _ in range(min(groups, len(work)))]
    loads = [0.0] * len(shares)
    for camera_id in sorted(work, key=lambda c: -work[c]):  # stable: scenario order among equals
        k = loads.index(min(loads))
        shares[k].append(camera_id)
        loads[k] += work[camera_id]
    order = [spec.id for spec in scenario.cameras]
    return [sorted(share, key=order.index) for share in shares]


class _InProcess:
    """A group held by the run's own process, called as the workers are."""

    def __init__(self, group: CameraGroup):
        self.group = group

    def call(self, method: str, *args: Any) -> Future:
        done: Future = Future()
        done.set_result(getattr(self.group, method)(*args))
        return done

    def result(self, future: Future) -> Any:
        return future.result()

    def close(self, failed: bool = False) -> None:
        self.group.close()


class CameraGroups:
    """A run's cameras in groups, each held where :class:`CameraWorkers` says for the whole run."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        daylight: Daylight,
        geometry: ZoneGeometry,
        workers: CameraWorkers,
        threads: int,
        log_scores: bool = False,
        save_frames: bool = False,
    ):
        """``threads``: frame threads of a group in the run's process (each worker process uses one)."""
        self.local_cameras: dict[str, PixelCamera] = {}
        """The cameras by id when they run in this process (``replay`` watches their frames), else empty."""
        if workers.in_process:
            ids = [spec.id for spec in scenario.cameras]
            group = CameraGroup(scenario, seed, ids, daylight, geometry, threads, log_scores, save_frames)
            self.local_cameras = group.cameras
            self.members, self._holders = [ids], [_InProcess(group)]
            return
        self.members = share_out(scenario, workers.count)

        def group_of(ids: list[str]) -> tuple:  # the factory and its arguments; one thread per worker
            return (CameraGroup, scenario, seed, ids, daylight, None, 1, log_scores, save_frames, True)

        if workers.client is None:
            self._holders = [LocalWorker(*group_of(ids)) for ids in self.members]
        else:
            places = dask_workers(workers.client)  # at least as many as groups (share_out's count)
            self._holders = [
                DaskWorker(workers.client, place, *group_of(ids))
                for place, ids in zip(places, self.members, strict=False)
            ]

    def _each(self, method: str, *args: Any) -> list:
        """``method(*args)`` on every group at once; the results in group order."""
        calls = [holder.call(method, *args) for holder in self._holders]
        return [holder.result(call) for holder, call in zip(self._holders, calls, strict=True)]

    def busy(self) -> set[str]:
        """The cameras that can raise alarms (the others have no frames to analyse)."""
        return {camera_id for busy in self._each("busy") for camera_id in busy}

    def cpu_times(self) -> list[dict[str, float]]:
        """Per group, the CPU time each camera's frames took so far, s."""
        return self._each("cpu_times")

    def analyse(self, frames: Frames, seen: Seen) -> dict[str, list[FrameResult]]:
        """The window's ``frames`` analysed by the groups that hold their cameras, side by side."""
        calls = []
        for holder, members in zip(self._holders, self.members, strict=True):
            mine = {camera_id: frames[camera_id] for camera_id in members if camera_id in frames}
            if mine:
                instants = {t for taken in mine.values() for t, _ in taken}
                calls.append((holder, holder.call("analyse", mine, {t: seen[t] for t in sorted(instants)})))
        results: dict[str, list[FrameResult]] = {}
        for holder, call in calls:
            results.update(holder.result(call))
        return results

    def close(self, failed: bool = False) -> None:
        """Let the groups go (``failed``: stop worker processes at once); once is enough."""
        holders, self._holders = self._holders, []
        for holder in holders:
            holder.close(failed)
