"""Pixel mode's frames of one simulated instant, rendered and analysed together, on threads if asked.

Most cameras of a scenario share a frame rate, so their frames fall on the same
simulated instants (six of the default scenario's eight cameras at 15 frames/s).
A camera's SimPy process hands its frame to :meth:`FrameBatch.submit` (the actor
list is taken at that moment, as before) and waits; once every ordinary event of
the instant has run, the batch renders and analyses all the frames submitted,
then wakes the cameras in the order they submitted, so their alarms are raised in
the same order, at the same simulated time, whatever the number of threads.

Each camera's renderer, detectors and alarm filters are touched by one thread
at a time (one frame per camera per instant), and the scores a camera logs are
appended to the shared log in submission order, so a run with threads is
bit-identical to one without (``tests/test_frame_batch.py``). The simulation's
own thread takes frames too, with ``threads - 1`` helpers, each claiming the next
unclaimed frame, so an instant with one frame costs no hand-over. OpenCV, numpy
and shapely release the GIL in their heavy calls (background model, connected
components, JPEG, array arithmetic), which is most of a frame's time; the pure
Python parts (sprites, tracking, scoring) take turns.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import simpy

from sim.pixel.pixel_camera import PixelCamera
from sim.render.actors import Actor
from sim.render.conditions import Conditions

AFTER_INSTANT = 2
"""SimPy priority of the batch's flush: after NORMAL (1), so the instant's ordinary events all come first."""


def default_threads() -> int:
    """Threads for pixel mode: one per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class _AfterInstant(simpy.Event):
    """An event that fires at the current simulated time after every NORMAL-priority event of it."""

    def __init__(self, env: simpy.Environment):
        super().__init__(env)
        self._ok, self._value = True, None  # triggered already, as simpy's own Timeout sets itself up
        env.schedule(self, AFTER_INSTANT)


class FrameBatch:
    """Collects the frames due at one instant and processes them together (``threads`` > 1: in parallel)."""

    def __init__(self, env: simpy.Environment, threads: int):
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        self.env = env
        self._helpers = threads - 1
        """Threads besides the simulation's own, which processes frames too."""
        self._pool = (
            ThreadPoolExecutor(self._helpers, thread_name_prefix="pixel-frame") if threads > 1 else None
        )
        self._pending: list[tuple[PixelCamera, tuple, simpy.Event]] = []

    def submit(
        self, camera: PixelCamera, t: float, number: int, actors: list[Actor], conditions: Conditions
    ) -> simpy.Event:
        """Queue the camera's frame at ``t`` (s); the event fires at ``t`` with its alarms (a list)."""
        if not self._pending:
            _AfterInstant(self.env).callbacks.append(self._flush)
        done = self.env.event()
        self._pending.append((camera, (t, number, actors, conditions), done))
        return done

    def _flush(self, _event: simpy.Event) -> None:
        pending, self._pending = self._pending, []
        jobs = [(camera, frame) for camera, frame, _ in pending]
        results: list = [None] * len(jobs)
        claims = itertools.count()  # next() on it is atomic under the GIL: each job is claimed once

        def drain() -> None:
            while (k := next(claims)) < len(jobs):
                camera, (t, number, actors, conditions) = jobs[k]
                results[k] = camera.analyse(t, number, actors, conditions)

        helpers = (
            []
            if self._pool is None
            else [self._pool.submit(drain) for _ in range(min(self._helpers, len(jobs) - 1))]
        )
        drain()  # this thread takes jobs too, so a lone frame costs no hand-over
        for helper in helpers:
            helper.result()
        for (camera, _, done), (alarms, scores) in zip(pending, results, strict=True):
            if camera.score_log is not None:
                camera.score_log.extend(scores)
            done.succeed(alarms)

    def close(self) -> None:
        """Stop the threads (pending frames, if any, are dropped with the run)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
