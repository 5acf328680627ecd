"""Many transfers over a link at once (heartbeats and telemetry after a run) are exactly the transfers one
``delay`` call each would log, with the same draws; a fork starts where the link would be after skipping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.engine import Simulation
from sim.loading import load_scenario
from sim.network.link_batches import transfers
from sim.network.links import PROFILES, Direction, FixedAccess, Link, LinkProfile
from sim.network.transfer_columns import TransferColumns
from tests.helpers.paths import DEFAULT, SCENARIOS

HEARTBEAT = ("heartbeat", Direction.DOWNLINK, 32)
TELEMETRY = ("telemetry", Direction.UPLINK, 200)


def _messages(n: int, duration: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return np.sort(rng.uniform(0, duration, n)), rng.uniform(0, 1000, (n, 2))


def _one_by_one(link, size: int, t: np.ndarray, xy: np.ndarray, logged: list) -> pd.DataFrame:
    before = len(logged)
    for i in range(len(t)):
        link.delay(size, (float(xy[i, 0]), float(xy[i, 1])), float(t[i]))
    return TransferColumns.of(logged[before:]).frame()


def _twin_links(scenario, traffic: str, direction: Direction, advance: bool = False):
    """The same link of two identical runs (advanced to the end, for the relay's flights)."""
    runs = [Simulation(scenario), Simulation(scenario)]
    for run in runs if advance else ():
        run.advance()
    return [(run.network.link(traffic, direction), run.network.transfers) for run in runs]


@pytest.mark.parametrize(
    ("path", "overrides", "advance"),
    [
        (DEFAULT, [], False),
        (DEFAULT, ["network.profile=lte"], False),
        (SCENARIOS / "coverage_hole.yaml", [], True),  # holes: routes that wait, and a drone relaying
    ],
)
@pytest.mark.parametrize("plan", [HEARTBEAT, TELEMETRY], ids=["heartbeat", "telemetry"])
def test_a_batch_is_the_calls_one_by_one(path, overrides, advance, plan):
    scenario = load_scenario(path, ["run.duration=6h", *overrides])
    traffic, direction, size = plan
    (a, logged), (b, _) = _twin_links(scenario, traffic, direction, advance)
    t, xy = _messages(4000, scenario.run.duration)
    expected = _one_by_one(a, size, t, xy, logged)
    got = transfers(b, size, t, xy).frame()
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    if advance:
        assert expected["via"].str.contains(">").any() and (expected["route_wait_s"] > 0).any()


def test_a_fork_skips_draws_and_leaves_its_link_alone():
    scenario = load_scenario(DEFAULT, ["run.duration=1h"])
    (a, logged), (b, _) = _twin_links(scenario, *TELEMETRY[:2])
    t, xy = _messages(900, scenario.run.duration)
    expected = _one_by_one(a, 200, t, xy, logged)
    _fork_gives_the_rest(b, 200, t, xy, expected, 300)
    pd.testing.assert_frame_equal(transfers(b, 200, t[:300], xy[:300]).frame(), expected.iloc[:300])


@pytest.mark.parametrize("mode", ["loop", "bootstrap"])
def test_a_trace_link_in_batches(tmp_path, mode):
    trace = tmp_path / "trace.csv"
    trace.write_text("latency_s\n" + "\n".join(f"{0.01 + i / 1000:.4f}" for i in range(37)) + "\n")
    scenario = load_scenario(DEFAULT, ["run.duration=1h", "network.profile=trace", f"network.trace={trace}",
                                       f"network.trace_mode={mode}"])  # fmt: skip
    (a, logged), (b, _) = _twin_links(scenario, *HEARTBEAT[:2])
    t, xy = _messages(500, scenario.run.duration)
    _fork_gives_the_rest(b, 32, t, xy, _one_by_one(a, 32, t, xy, logged), 123)


def test_a_link_whose_draws_vary_goes_one_at_a_time():
    """BLER above 2/3: numpy's geometric inverts an exponential draw (no fixed number of uniforms)."""
    lossy = LinkProfile(**{**PROFILES["nr_embb"].__dict__, "name": "lossy", "bler": 0.8})
    logged: list = []
    links = [
        Link(lossy, Direction.DOWNLINK, 0.002, np.random.default_rng(5), FixedAccess(5e6, 5e-4), log=log)
        for log in (logged.append, None)
    ]
    assert links[0].draws_per_transfer is None
    t, xy = _messages(300, 3600.0)
    _fork_gives_the_rest(links[1], 500, t, xy, _one_by_one(links[0], 500, t, xy, logged), 100)


def _fork_gives_the_rest(
    link, size: int, t: np.ndarray, xy: np.ndarray, expected: pd.DataFrame, skip: int
) -> None:
    """A fork of ``link`` past ``skip`` transfers gives the transfers after them, as one call each did."""
    rest = transfers(link.fork(skip), size, t[skip:], xy[skip:]).frame()
    pd.testing.assert_frame_equal(rest, expected.iloc[skip:].reset_index(drop=True), check_exact=True)
