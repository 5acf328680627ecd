"""Frames of one instant processed together: same order, same results, with or without threads (a whole
pixel-mode run on threads: test_beach_runs.py)."""

from __future__ import annotations

import threading
import time

import pytest
import simpy

from sim.core.rng import RandomStreams
from sim.engine import Simulation
from sim.loading import load_scenario
from sim.pixel.simultaneous_frames import FrameBatch
from sim.render.actors import Distractors
from sim.world.geometry import WaterNavigator, ZoneGeometry
from tests.helpers.paths import DEFAULT
from tests.helpers.pixel import PIXEL_OVERRIDES as OVERRIDES


class SlowCamera:
    """Takes ``delay`` s of wall time per frame and reports its name, the time and the thread it ran on."""

    def __init__(self, name: str, delay: float, log: list | None):
        self.name, self.delay, self.score_log = name, delay, log
        self.threads: set[str] = set()

    def analyse(self, t, number, actors, conditions):
        time.sleep(self.delay)
        self.threads.add(threading.current_thread().name)
        return [f"{self.name}@{t:g}#{number}"], [(self.name, t)]


def run_cameras(threads: int, cameras: list[SlowCamera], frames: int) -> tuple[list[tuple], list]:
    env = simpy.Environment()
    batch = FrameBatch(env, threads)
    raised = []

    def camera_process(camera, interval):
        for number in range(frames):
            alarms = yield batch.submit(camera, env.now, number, [], None)
            raised.extend((env.now, alarm) for alarm in alarms)
            yield env.timeout(interval)

    def other_process():  # an ordinary event at an instant with frames: it runs before the frames
        yield env.timeout(1.0)
        raised.append((env.now, "other"))

    for k, camera in enumerate(cameras):
        env.process(camera_process(camera, 0.5 if k < 3 else 0.25))
    env.process(other_process())
    env.run()
    batch.close()
    return raised, cameras[0].score_log


@pytest.mark.parametrize("threads", [2, 3])
def test_frames_come_back_in_submission_order_at_their_instant(threads):
    # The first camera is the slowest, so with threads the others finish first.
    serial_log, threaded_log = [], []
    serial = run_cameras(1, [SlowCamera(f"c{k}", 0.004 - 0.001 * k, serial_log) for k in range(4)], 4)
    cameras = [SlowCamera(f"c{k}", 0.004 - 0.001 * k, threaded_log) for k in range(4)]
    threaded = run_cameras(threads, cameras, 4)
    assert threaded == serial
    raised, log = serial
    assert raised[:4] == [(0.0, "c0@0#0"), (0.0, "c1@0#0"), (0.0, "c2@0#0"), (0.0, "c3@0#0")]
    assert raised[raised.index((1.0, "other")) + 1 : raised.index((1.0, "other")) + 4] == [
        (1.0, "c0@1#2"),
        (1.0, "c1@1#2"),
        (1.0, "c2@1#2"),
    ]
    assert log[:4] == [("c0", 0.0), ("c1", 0.0), ("c2", 0.0), ("c3", 0.0)]
    assert len({name for c in cameras for name in c.threads}) > 1  # the threads were used


def test_threads_must_be_at_least_one():
    with pytest.raises(ValueError, match="threads must be >= 1"):
        FrameBatch(simpy.Environment(), 0)


def test_distractors_keep_the_latest_instant_without_sharing_the_list(default_scenario):
    geometry = ZoneGeometry(default_scenario)
    navigator = WaterNavigator(geometry.water, default_scenario.zone.shore_margin)

    def fresh():
        return Distractors(default_scenario.render, geometry, navigator, RandomStreams(0), 0.0, 60.0)

    distractors = fresh()
    first = distractors.at(10.0)
    first.clear()  # a caller changing its list changes nothing for the next
    assert distractors.at(10.0) == fresh().at(10.0) != []
    assert distractors.at(20.0) == fresh().at(20.0) != distractors.at(10.0)


def test_zero_frame_threads_is_refused_not_replaced():
    with pytest.raises(ValueError, match="threads must be >= 1"):
        Simulation(load_scenario(DEFAULT, OVERRIDES), frame_threads=0)
