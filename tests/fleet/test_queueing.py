"""Dispatch against queueing theory: M/G/1 (Pollaczek-Khinchine), M/M/c (Erlang C), Little's law.

The real dispatch centre and boats run with detection and the network made
instantaneous (a link of 1e12 bit/s and no access time), Poisson alarms,
and offenders who heed the first warning after an exponential delay: a
boat's service time is then the warning set-up plus that delay. Offenders
stand on a 3 m grid around the dock, so a boat (loudspeaker range 1 m) warns
only its own offender, and boats are fast enough (1000 m/s, 1e6 m/s²) that
moving between grid points takes about 10 ms against a mean service of a minute.

Each check runs independent replications (seeded 0, 1, ...), drops a
warm-up of customers from each, and asks that the theoretical value lie in
the 95 % confidence interval of the replication means (Student t), as Ciw's
tests do (../shared/REFERENCES.md, "Queueing theory"). The interval must also
be narrow enough to mean something: its half-width below a quarter of the value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
import simpy
from shapely.geometry import box

from sim.fleet.boats import Boat
from sim.fleet.dispatch import DispatchCenter
from sim.network import radio
from sim.network.links import Direction, FixedAccess, Link, LinkProfile, Scheduling, Service
from sim.scenario.models import Boat as BoatSpec
from sim.scenario.models import Kind
from sim.world.geometry import WaterNavigator
from sim.world.ground_truth import World
from sim.world.incidents import Incident, Track
from sim.world.recorder import Recorder
from sim.world.records import Alarm

INSTANT = Scheduling(period_ttis=0, fixed_ttis=0)
INSTANT_LINK = LinkProfile(
    "instant",
    Service.EMBB,
    INSTANT,
    INSTANT,
    0.0,
    0,
    radio.CQI_NR_64QAM,
    source="test: instantaneous network",
)
INSTANT_ACCESS = FixedAccess(rate_bps=1e15, tti_s=1e-9)
"""Any message in one 1 ns transmission interval: the network takes no time that matters."""
POND = WaterNavigator(box(0, 0, 400, 400), margin=1.0)
DOCK = (200.0, 200.0)
GRID = [(DOCK[0] + 3.0 * i, DOCK[1] + 3.0 * j) for i in range(-10, 11) for j in range(-10, 11)]
"""Offender places: 441 points 3 m apart around the dock."""
T_975 = {9: 2.262, 14: 2.145, 19: 2.093, 24: 2.064}
"""Student t 97.5 % quantiles by degrees of freedom (two-sided 95 % interval)."""


@dataclass(frozen=True)
class Replication:
    waits: np.ndarray
    """Queue wait of each case after the warm-up, s."""
    arrivals: int
    horizon: float
    """Time of the last arrival, s."""
    mean_queue_length: float
    """Time average of the queue length over [0, horizon], sampled every ``sample_every`` s (NaN: not
    sampled)."""
    mean_wait_all: float
    """Mean queue wait over every case that arrived in [0, horizon], s."""


def simulate(
    scenario,
    boats: int,
    rate: float,
    setup: float,
    mean: float,
    customers: int,
    seed: int,
    warm_up: int = 50,
    sample_every: float | None = None,
) -> Replication:
    """Run ``customers`` Poisson arrivals (``rate`` 1/s) through the dispatch centre and ``boats`` boats;
    sample the queue length every ``sample_every`` s (None: never; each sample is an event of its own)."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    recorder = Recorder()
    swimming = scenario.incidents.swimming
    compliance = swimming.compliance.model_copy(update={"p_leave": 1.0, "max_warnings": 1})
    model = scenario.incidents.model_copy(
        update={"swimming": swimming.model_copy(update={"compliance": compliance})}
    )
    world = World(model, recorder)
    spec = BoatSpec(
        id="b",
        dock="d",
        cruise_speed=1000.0,
        max_speed=1000.0,
        acceleration=1e6,
        deceleration=1e6,
        lateral_acceleration=1e9,
        battery_wh=1e12,
        loudspeaker_range=1.0,
    )
    fleet = [
        Boat(spec.model_copy(update={"id": f"b{i}"}), DOCK, POND, env, recorder.legs) for i in range(boats)
    ]
    on_scene = scenario.dispatch.on_scene.model_copy(
        update={
            "warning_setup": setup,
            "give_up_after": 1e9,
            "evidence_photos": 0,
            "clip_bytes": 0,
            "message_length": 1.0,
        }
    )
    config = scenario.dispatch.model_copy(
        update={"decision_time": 0.0, "association_window": 1e-9, "on_scene": on_scene, "operator": None}
    )
    links = [Link(INSTANT_LINK, d, 0.0, np.random.default_rng(0), INSTANT_ACCESS) for d in Direction]
    dispatch = DispatchCenter(env, config, fleet, links[1], links[0], world, recorder)

    times = np.cumsum(rng.exponential(1.0 / rate, customers))
    delays = rng.exponential(mean, customers)
    for k, (t, delay) in enumerate(zip(times, delays, strict=True)):
        xy = GRID[k % len(GRID)]
        track = Track(np.array([t, 1e9]), np.array([xy, xy]))
        incident = Incident(k + 1, Kind.SWIMMING, "a", float(t), 1e9, track, 0.35, (True,), (float(delay),))
        alarm = Alarm(k + 1, float(t), "cam", Kind.SWIMMING, *xy, 0.9, k + 1)

        def arrive(_, incident=incident, alarm=alarm):
            world.forget_departed(env.now)
            world.appear(incident)
            dispatch.receive(alarm)

        env.timeout(float(t)).callbacks.append(arrive)

    samples = []

    def monitor(every: float):
        while True:
            samples.append(len(dispatch.queue))
            yield env.timeout(every)

    if sample_every is not None:
        env.process(monitor(sample_every))
    env.run(until=float(times[-1]))
    assigned = {}
    for mission in dispatch.mission_records():
        assigned.setdefault(mission.case_id, mission.t_assigned)
    horizon = float(times[-1])
    waits_all = np.array(
        [
            assigned.get(case.id, horizon) - case.t_queued
            for case in dispatch.cases
            if case.t_queued is not None
        ]
    )
    queue_length = float(np.mean(samples)) if samples else math.nan
    waits = waits_all[warm_up:]
    return Replication(waits, len(dispatch.cases), horizon, queue_length, float(waits_all.mean()))


def confidence_interval(values: np.ndarray) -> tuple[float, float]:
    """Two-sided 95 % Student t interval of the mean of ``values``."""
    half = T_975[len(values) - 1] * values.std(ddof=1) / math.sqrt(len(values))
    return values.mean() - half, values.mean() + half


def erlang_c(servers: int, load: float) -> float:
    """Probability of waiting in M/M/c, the formula of ../shared/REFERENCES.md, ``load`` a = λ/μ."""
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


def erlang_c_from_erlang_b(servers: int, load: float) -> float:
    """The same probability computed differently: Erlang B by its recursion, then C = cB / (c − a(1 − B))."""
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return servers * blocking / (servers - load * (1 - blocking))


@pytest.mark.parametrize(("servers", "load"), [(1, 0.5), (2, 1.2), (3, 2.1), (5, 3.9), (10, 8.0)])
def test_erlang_c_agrees_with_an_independent_computation(servers, load):
    assert erlang_c(servers, load) == pytest.approx(erlang_c_from_erlang_b(servers, load), rel=1e-12)


def test_erlang_c_known_value():
    # One server: waiting probability = utilisation.
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    # Two servers, a = 1: C = (1/2 * 2) / (1 + 1 + 1) = 1/3.
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


MG1_REPLICATIONS = 10
MMC_REPLICATIONS = 20
CUSTOMERS = 600
WARM_UP = 50
"""Replications of 600 customers, the first 50 of each dropped: ten for M/G/1, twenty for M/M/c.

An interval's half-width is t(n − 1)·s/√n, and a replication's mean over m customers after the warm-up has
variance about σ²/m (σ² the wait process's time-average variance constant), so the half-width is about
t(n − 1)·σ/√(n·m): the width is bought with the customers n·m, however they are shared out, and fewer,
longer replications cost more, not less (ten as narrow as twenty need n·m = 20 · 550 · (t(9)/t(19))²
≈ 12,850 customers, against 11,000). So the count is what each check's width needs. M/G/1 on seeds
0-9: [88.6, 111.5] s around 97.5 s, a width of 0.24 of the value, half the limit (0.5): ten replications
suffice. M/M/c's waiting probability on twenty: a width of 0.47 of the value, at the limit already (ten
would give about 0.72): it keeps twenty. The time is also saved on sampling the queue
(:data:`SAMPLE_EVERY`)."""
SAMPLE_EVERY = 5.0
"""Queue-length sampling interval for Little's law, s (M/M/c's checks do not read the queue: not sampled).

A sample is an event of its own: at 0.5 s the M/G/1 replications (90,000 s each) spent a third of their
time on 180,000 samples. Grid sampling of the queue's step function errs, at each of its J jumps of ±1,
by the distance to the next sample, uniform on [0, Δ): the errors of up- and down-jumps cancel on average
and their spread is Δ·√(J/12). With J ≈ 720 (60 % of 600 customers wait, one jump in, one out) and
Δ = 5 s that is 39 queue-seconds against ∫Q dt = λW·T ≈ 600 × 97.5 s = 58,500: 0.07 %, against the 1 %
tolerance of the check."""


@pytest.fixture(scope="module")
def mg1(default_scenario):
    """One boat, service = 30 s set-up + Exp(60 s), utilisation 0.6."""
    setup, mean = 30.0, 60.0
    rate = 0.6 / (setup + mean)
    runs = [
        simulate(default_scenario, 1, rate, setup, mean, CUSTOMERS, seed, WARM_UP, SAMPLE_EVERY)
        for seed in range(MG1_REPLICATIONS)
    ]
    return runs, rate, setup, mean


def test_mg1_mean_wait_matches_pollaczek_khinchine(mg1):
    runs, rate, setup, mean = mg1
    service_mean = setup + mean
    service_second_moment = mean**2 + service_mean**2  # variance of the exponential part + mean^2
    rho = rate * service_mean
    theory = rate * service_second_moment / (2 * (1 - rho))  # 97.5 s
    low, high = confidence_interval(np.array([run.waits.mean() for run in runs]))
    assert low <= theory <= high, (low, theory, high)
    assert high - low < 0.5 * theory


def test_littles_law_on_the_mission_queue(mg1):
    """L = λ W: the sampled queue length against arrivals per second times the mean wait, run by run."""
    runs = mg1[0]
    assert len(runs) == MG1_REPLICATIONS
    for run in runs:
        assert run.mean_queue_length == pytest.approx(
            run.arrivals / run.horizon * run.mean_wait_all, rel=0.01
        )


@pytest.fixture(scope="module")
def mmc(default_scenario):
    """Three boats, service Exp(60 s), utilisation 0.6."""
    servers, mean = 3, 60.0
    rate = 0.6 * servers / mean
    runs = [
        simulate(default_scenario, servers, rate, 0.0, mean, CUSTOMERS, 100 + seed, WARM_UP)
        for seed in range(MMC_REPLICATIONS)
    ]
    return runs, servers, rate, mean


def test_mmc_waiting_probability_matches_erlang_c(mmc):
    runs, servers, rate, mean = mmc
    theory = erlang_c(servers, rate * mean)  # 0.3547
    low, high = confidence_interval(np.array([np.mean(run.waits > 1e-6) for run in runs]))
    assert low <= theory <= high, (low, theory, high)
    assert high - low < 0.5 * theory


def test_mmc_mean_wait_matches_erlang_c(mmc):
    runs, servers, rate, mean = mmc
    theory = erlang_c(servers, rate * mean) / (servers / mean - rate)  # 17.7 s
    low, high = confidence_interval(np.array([run.waits.mean() for run in runs]))
    assert low <= theory <= high, (low, theory, high)
    assert high - low < 0.5 * theory
