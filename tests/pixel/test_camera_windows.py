"""Pixel mode's windows of frames: frame times as SimPy's clock adds them, instants' frames in the order SimPy
would run the cameras, events at exact instants, and what the camera groups are given (whole pixel-mode runs
in windows: test_camera_workers.py, test_beach_runs.py)."""

from __future__ import annotations

import math

import pytest
import simpy
from hypothesis import given
from hypothesis import strategies as st

from sim.core.rng import RandomStreams
from sim.engine import Simulation
from sim.loading import load_scenario
from sim.pixel.camera_loop import AtInstant, FrameClock, delay_to, raising_order
from sim.render.actors import Distractors
from sim.world.geometry import WaterNavigator, ZoneGeometry
from tests.helpers.paths import DEFAULT
from tests.helpers.pixel import PIXEL_OVERRIDES as OVERRIDES

INTERVALS = {"c0": 0.5, "c1": 0.25, "c2": 0.5, "c3": 1 / 3, "c4": 0.25}
"""Frame intervals (s) that fall on shared instants (0.5 s, 1 s) and some that do not."""


def simpy_frames(intervals: dict[str, float], horizon: float) -> list[tuple[float, str]]:
    """(time, camera) of each frame as SimPy runs processes that each wait their interval: the reference."""
    env = simpy.Environment()
    log = []

    def camera(name, interval):
        while True:
            log.append((env.now, name))
            yield env.timeout(interval)

    for name, interval in intervals.items():
        env.process(camera(name, interval))
    env.run(until=horizon)
    return log


def test_clocks_give_simpy_frame_times_and_order_across_windows():
    """Frames taken in three windows of different lengths, ordered per instant, are SimPy's frames in its
    order: times added as its clock adds them, ties as its processes run."""
    clocks = [FrameClock(name, dt, order=(-math.inf, k)) for k, (name, dt) in enumerate(INTERVALS.items())]
    ours = []
    for first, end in ((0.0, 0.0), (0.25, 1.6), (1.75, 4.0)):
        frames = {c.camera_id: taken for c in clocks if (taken := c.take(first, end, math.inf))}
        ours += [(t, name) for t, due in raising_order(clocks, frames) for name in due]
    assert ours == simpy_frames(INTERVALS, 4.0)
    assert [c.number for c in clocks] == [8, 16, 8, 12, 16]


def test_a_window_ends_at_the_runs_next_event():
    """Frames at the window's first instant always; then those before its end and not after the run's next
    event (a frame at that event's instant sees the world before it)."""
    clock = FrameClock("c", 0.25)
    assert clock.take(0.0, 10.0, 0.6) == [(0.0, 0), (0.25, 1), (0.5, 2)]
    assert clock.take(0.75, 10.0, 0.75) == [(0.75, 3)]  # its first instant, though the event is then too
    assert clock.take(1.0, 1.0, math.inf) == [(1.0, 4)]  # no lookahead: one instant per window
    assert clock.take(1.1, 1.2, math.inf) == []  # another camera's window: none due in it


@given(
    st.floats(min_value=0.0, max_value=1e7, allow_nan=False),
    st.floats(min_value=0.0, max_value=1e7, allow_nan=False),
)
def test_delay_to_lands_on_the_instant_exactly(now, later):
    t = now + later  # any instant at or after now
    d = delay_to(now, t)
    assert d >= 0 and now + d == t


@given(
    st.floats(min_value=0.0, max_value=1e4, allow_nan=False),
    st.floats(min_value=0.0, max_value=1e4, allow_nan=False),
)
def test_delay_to_lands_on_the_instant_or_the_float_after_it(now, t):
    """Any frame instant t >= now (not only sums now + d): the event comes at t, or where no delay lands on
    t, at the next float, never before t (found on a 1800-s pixel run: from 3.941024173140528 no delay lands
    on 23.999999999999947)."""
    t = max(t, now)
    d = delay_to(now, t)
    assert d >= 0 and t <= now + d <= math.nextafter(t, math.inf)
    assert now + d == t or now + math.nextafter(d, 0.0) < t  # the smallest such delay
    now, t = 3.941024173140528, 23.999999999999947
    assert now + delay_to(now, t) == math.nextafter(t, math.inf)


def test_alarm_events_run_after_the_instants_other_events():
    env = simpy.Environment()
    order = []
    env.timeout(0.1).callbacks.append(lambda _: order.append("earlier"))
    t = 0.1 + 0.2  # 0.30000000000000004: an instant a frame clock reaches
    AtInstant(env, t).callbacks.append(lambda _: order.append(("alarms", env.now)))
    env.timeout(0.3).callbacks.append(lambda _: order.append(("other", env.now)))  # 0.3: before t
    env.run()
    assert order == ["earlier", ("other", 0.3), ("alarms", t)]


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
