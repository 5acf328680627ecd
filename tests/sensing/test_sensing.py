"""Statistical sensing: the detection model, visibility intervals, k-of-n persistence."""

import math
from datetime import datetime

import numpy as np
import pytest
from shapely.geometry import box

from sim.core.maths import logit, sigmoid
from sim.core.rng import RandomStreams
from sim.engine import run
from sim.loading import load_scenario
from sim.scenario.models import Kind, Scenario, Weather
from sim.sensing.detection_model import DetectionModel, OwnOffset
from sim.sensing.hit_chains import chained_hits, first_k_of_n
from sim.sensing.sensors import Sensor, visible_intervals
from sim.sensing.statistical import StatisticalSensing
from sim.world.daylight import Daylight
from sim.world.incidents import Incident, Track
from tests.helpers.builders import make_incident
from tests.helpers.paths import DEFAULT

HANDSET = "handset_provisional.json"


@pytest.fixture(scope="module")
def default_scenario() -> Scenario:
    """The default scenario with the hand-set calibration and the one threshold 0.5 these formulas were worked
    out on by hand (the shipped calibration is refitted whenever the detectors change)."""
    return load_scenario(DEFAULT, [f"detection.calibration=calibration/{HANDSET}", "detection.threshold=0.5"])


@pytest.fixture(scope="module")
def model(default_scenario):
    return DetectionModel(default_scenario.calibration, thresholds=0.5, weather=Weather.CLEAR)


def test_hit_probability_by_hand(model, default_scenario):
    calibration = default_scenario.calibration
    swim = calibration.classes[Kind.SWIMMING]
    # At the reference size, in daylight, at threshold 0.5 (logit 0): p = sigmoid(intercept).
    p = model.hit_probability(Kind.SWIMMING, np.array([calibration.reference_pixels]), np.array([2]))
    assert p[0] == pytest.approx(1 / (1 + math.exp(-swim.intercept)))
    # Twice the size adds size_slope to the logit; night adds its offset.
    p2 = model.hit_probability(Kind.SWIMMING, np.array([2 * calibration.reference_pixels]), np.array([0]))
    expected = swim.intercept + swim.size_slope + calibration.light["night"]
    assert p2[0] == pytest.approx(1 / (1 + math.exp(-expected)))


@pytest.mark.parametrize("kind", list(Kind))
def test_hit_probability_falls_with_threshold_distance_and_darkness(default_scenario, kind):
    pixels = np.array([40.0, 20.0, 10.0, 5.0, 2.0])
    day = np.full(5, 2)
    previous = None
    for threshold in (0.2, 0.5, 0.8):
        p = DetectionModel(default_scenario.calibration, threshold, Weather.CLEAR).hit_probability(
            kind, pixels, day
        )
        assert np.all(np.diff(p) < 0)  # smaller targets are harder
        if previous is not None:
            assert np.all(p < previous)
        previous = p
    m = DetectionModel(default_scenario.calibration, 0.5, Weather.CLEAR)
    by_light = [m.hit_probability(kind, np.array([10.0]), np.array([light]))[0] for light in (0, 1, 2)]
    assert by_light == sorted(by_light)


def test_scores_of_hits_exceed_the_threshold_and_follow_the_logistic_model(model):
    eta = 0.7
    rng = np.random.default_rng(0)
    scores = np.array([model.score_given_hit(Kind.SWIMMING, eta, u) for u in rng.random(50_000)])
    assert (scores > 0.5).all() and (scores < 1).all()
    # Independent check: draw z = sigmoid(eta + logistic noise) and keep those above the threshold.
    direct = sigmoid(eta + rng.logistic(size=200_000))
    direct = direct[direct > 0.5]
    assert np.median(scores) == pytest.approx(np.median(direct), abs=0.005)


# Each kind at its own threshold, by hand from the default calibration (reference 10 px; swimming
# intercept 1.5, 1.2 per doubling; fishing 0, 1.0; day and clear weather add 0; false alarms
# max_rate 0.4 / 0.2 per hour, clutter intercept -2, slope 1): a target 20 px tall, one doubling,
# swimming at τ 0.99 (logit ln 99 = 4.5951): σ(1.5 + 1.2 − 4.5951) = σ(−1.8951) = 0.130662,
# fishing at τ 0.01: σ(0 + 1.0 + 4.5951) = σ(5.5951) = 0.996298; false alarms per camera-hour
# 0.4 · σ(−2 − 4.5951) = 0.000546 and 0.2 · σ(−2 + 4.5951) = 0.186109.
OWN_THRESHOLDS = {Kind.SWIMMING: 0.99, Kind.FISHING: 0.01}
BY_HAND_P = {Kind.SWIMMING: 0.130662, Kind.FISHING: 0.996298}
BY_HAND_FALSE = {Kind.SWIMMING: 0.000546, Kind.FISHING: 0.186109}


@pytest.mark.parametrize("kind", list(Kind))
def test_each_kind_is_detected_at_its_own_threshold(default_scenario, kind):
    own = DetectionModel(default_scenario.calibration, OWN_THRESHOLDS, Weather.CLEAR)
    assert own.threshold(kind) == OWN_THRESHOLDS[kind]
    day = np.array([2])
    assert own.hit_probability(kind, np.array([20.0]), day)[0] == pytest.approx(BY_HAND_P[kind], abs=1e-6)
    assert own.false_alarm_rate(kind) == pytest.approx(BY_HAND_FALSE[kind], abs=1e-6)
    # One number for every kind gives that kind the same as its own entry does.
    alone = DetectionModel(default_scenario.calibration, OWN_THRESHOLDS[kind], Weather.CLEAR)
    assert alone.hit_probability(kind, np.array([20.0]), day) == own.hit_probability(
        kind, np.array([20.0]), day
    )
    # Scores of hits lie above the kind's own threshold (fishing's 0.01 lets scores below 0.5 through).
    scores = [own.score_given_hit(kind, 0.0, u) for u in np.random.default_rng(0).random(2000)]
    assert min(scores) > OWN_THRESHOLDS[kind]
    assert (min(scores) < 0.5) == (kind is Kind.FISHING)


def test_statistical_sensing_draws_each_kind_at_its_own_threshold(default_scenario):
    model = DetectionModel(default_scenario.calibration, OWN_THRESHOLDS, Weather.CLEAR)
    camera = Sensor("cam", box(0, 0, 2, 2), 1.0, 1, 1, frozenset(Kind), lambda xy, h: np.full(len(xy), 20.0))
    daylight = Daylight(datetime(2026, 7, 1, 12), 34.0, 113.8, 8.0)  # noon: daylight, offset 0
    sensing = StatisticalSensing([camera], model, daylight, 20_000.0)
    frames = np.arange(100.0, 110.0)
    for kind in Kind:
        incident = make_incident(1, 100.0, 200.0, kind)
        _, p = sensing.frame_probabilities(camera, incident, frames, OwnOffset(np.zeros(1), 100.0, math.inf))
        assert p == pytest.approx(np.full(10, BY_HAND_P[kind]), abs=1e-6)


def test_a_run_with_one_threshold_per_kind_alarms_as_each_kind_alone(default_scenario):
    """Common random numbers: with {swimming: 0.99, fishing: 0.01}, swimming's alarms are those of a run at
    0.99 for every kind and fishing's those of a run at 0.01 (first alarm on each offender; false alarms)."""

    def alarms(threshold: str) -> tuple:
        overrides = [
            "run.duration=24h",
            f"detection.threshold={threshold}",
            f"detection.calibration=calibration/{HANDSET}",
        ]
        result = run(load_scenario(DEFAULT, overrides), 1)
        kinds = result.incidents.set_index("incident_id")["kind"]
        first = result.alarms.dropna(subset=["incident_id"]).groupby("incident_id")["t"].min()
        false = result.alarms[result.alarms["incident_id"].isna()]
        return kinds, first, false

    kinds, first, false = alarms("{swimming: 0.99, fishing: 0.01}")
    for kind, alone in ((Kind.SWIMMING, "0.99"), (Kind.FISHING, "0.01")):
        _, first_alone, false_alone = alarms(alone)
        mine = kinds.index[kinds == kind]
        assert first.reindex(mine).equals(first_alone.reindex(mine))
        columns = ["t", "source", "x", "y", "score"]
        own = false[false["kind"] == kind][columns].reset_index(drop=True)
        assert own.equals(false_alone[false_alone["kind"] == kind][columns].reset_index(drop=True))
    # The two thresholds are far apart, so the kinds really were treated differently.
    assert first.reindex(kinds.index[kinds == Kind.FISHING]).notna().all()
    assert (false["kind"] == Kind.SWIMMING).sum() == 0 < (false["kind"] == Kind.FISHING).sum()


def test_false_alarm_rate_by_hand(default_scenario):
    spec = default_scenario.calibration.false_alarms[Kind.FISHING]
    for threshold in (0.3, 0.5, 0.9):
        rate = DetectionModel(default_scenario.calibration, threshold, Weather.CLEAR).false_alarm_rate(
            Kind.FISHING
        )
        assert rate == pytest.approx(
            spec.max_rate_per_hour / (1 + math.exp(-(spec.intercept - logit(threshold))))
        )


@pytest.mark.parametrize(
    ("hits", "k", "n", "expected"),
    [
        ([0, 1, 0, 1, 1], 3, 5, 4),
        ([1, 1, 1], 3, 3, 2),
        ([1, 0, 0, 1, 0, 0, 1], 2, 3, -1),  # never two within three
        ([1, 0, 1], 2, 3, 2),
        ([0, 0, 0, 1], 1, 1, 3),
        ([], 1, 1, -1),
    ],
)
def test_first_k_of_n(hits, k, n, expected):
    assert first_k_of_n(np.array(hits, dtype=bool), k, n) == expected


def test_visible_intervals_of_a_straight_crossing():
    # Moves east at 1 m/s from x = 0 (t = 0) to x = 100 (t = 100); region spans x in [20, 50].
    track = Track(np.array([0.0, 100.0]), np.array([[0.0, 5.0], [100.0, 5.0]]))
    np.testing.assert_allclose(visible_intervals(track, box(20, 0, 50, 10), 0.0, 100.0), [(20.0, 50.0)])
    # Clipped to the window asked for.
    np.testing.assert_allclose(visible_intervals(track, box(20, 0, 50, 10), 30.0, 40.0), [(30.0, 40.0)])


def test_visible_intervals_of_a_segment_that_crosses_the_region_twice_or_touches_a_corner():
    # East at 1 m/s past a region with a pier cut out of it (x 40..60): the segment's piece has two parts.
    region = box(20, 0, 80, 10).difference(box(40, 0, 60, 8))
    track = Track(np.array([0.0, 100.0]), np.array([[0.0, 5.0], [100.0, 5.0]]))
    np.testing.assert_allclose(visible_intervals(track, region, 0.0, 100.0), [(20.0, 40.0), (60.0, 80.0)])
    # South-east through (10, 10), the corner of a box: the piece is a point, seen for an instant.
    corner = Track(np.array([0.0, 20.0]), np.array([[0.0, 20.0], [20.0, 0.0]]))
    np.testing.assert_allclose(visible_intervals(corner, box(10, 10, 30, 30), 0.0, 20.0), [(10.0, 10.0)])


def test_visible_intervals_merge_across_waypoints_and_split_on_exit():
    t = np.array([0.0, 10.0, 20.0, 30.0])
    xy = np.array([[0.0, 5.0], [10.0, 5.0], [30.0, 5.0], [0.0, 5.0]])  # out, in across a waypoint, back
    intervals = visible_intervals(Track(t, xy), box(5, 0, 20, 10), 0.0, 30.0)
    # Enters at t=5, x=20 at t=15; comes back into x<=20 at t=20+10/3 and leaves x>=5 at t=20+25/3.
    np.testing.assert_allclose(intervals, [(5.0, 15.0), (20 + 10 / 3, 20 + 25 / 3)])


def test_stationary_track_inside_or_outside():
    still = Track(np.array([0.0, 50.0]), np.array([[1.0, 1.0], [1.0, 1.0]]))
    assert visible_intervals(still, box(0, 0, 2, 2), 0.0, 50.0) == [(0.0, 50.0)]
    assert visible_intervals(still, box(5, 5, 6, 6), 0.0, 50.0) == []


def sensing_with(p: float, k: int, n: int, interval: float) -> StatisticalSensing:
    sensor = Sensor("buoy", box(0, 0, 2, 2), interval, k, n, frozenset({Kind.SWIMMING}), None, p)
    daylight = Daylight(datetime(2026, 7, 1, 12), 34.0, 113.8, 8.0)
    return StatisticalSensing([sensor], None, daylight, 20_000.0)  # fixed-probability sensors need no model


def test_single_hit_rule_gives_geometric_delay():
    """k = n = 1 with per-observation probability p: observations until the first hit ~ Geometric(p)."""
    p, interval = 0.2, 2.0
    sensing = sensing_with(p, 1, 1, interval)
    streams = RandomStreams(0)
    delays = []
    for i in range(4000):
        _, detections = sensing.observe(make_incident(i, 100.0, 10_000.0), streams.stream)
        delays.append(detections[0].t - 100.0)
    # First observation at t = 100 (on the 2 s grid); then (Geometric(p) - 1) more intervals.
    expected = interval * (1 / p - 1)
    sd = interval * math.sqrt(1 - p) / p
    assert np.mean(delays) == pytest.approx(expected, abs=4 * sd / math.sqrt(4000))


def test_two_of_three_rule_matches_binomial_probability():
    """P(alarm within the first three observations) for 2-of-3 is p^2 (3 - 2p)."""
    p, interval = 0.4, 1.0
    sensing = sensing_with(p, 2, 3, interval)
    streams = RandomStreams(1)
    quick = 0
    trials = 6000
    for i in range(trials):
        _, detections = sensing.observe(make_incident(i, 0.0, 1000.0), streams.stream)
        quick += detections[0].t <= 2.0
    expected = p**2 * (3 - 2 * p)
    assert quick / trials == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / trials))


def test_no_detection_when_never_visible():
    sensing = sensing_with(0.9, 1, 1, 1.0)
    incident = Incident(
        1,
        Kind.SWIMMING,
        "a",
        0.0,
        100.0,
        Track(np.array([0.0, 100.0]), np.array([[50.0, 50.0], [50.0, 50.0]])),
        0.35,
        (True,),
        (1.0,),
    )
    assert sensing.observe(incident, RandomStreams(0).stream) == (None, [])


def test_class_specific_light_and_weather_offsets_override_the_shared_ones(default_scenario):
    calibration = default_scenario.calibration
    swim = calibration.classes[Kind.SWIMMING].model_copy(
        update={"light": {"day": 0.0, "dusk": -3.0, "night": -9.0}, "weather": {"clear": 0.0, "fog": -5.0}}
    )
    tuned = calibration.model_copy(update={"classes": {**calibration.classes, Kind.SWIMMING: swim}})
    pixels, dusk = np.array([calibration.reference_pixels]), np.array([1])
    fog = DetectionModel(tuned, 0.5, Weather.FOG).eta(Kind.SWIMMING, pixels, dusk)[0]
    assert fog == pytest.approx(swim.intercept - 3.0 - 5.0)
    # Fishing keeps the shared offsets.
    shared = DetectionModel(tuned, 0.5, Weather.FOG).eta(Kind.FISHING, pixels, dusk)[0]
    fishing = calibration.classes[Kind.FISHING]
    assert shared == pytest.approx(fishing.intercept + calibration.light["dusk"] + calibration.weather["fog"])


@pytest.mark.parametrize("offender_sd", [0.0, 2.0])
def test_offender_spread_gives_the_mixed_detection_probability(default_scenario, offender_sd):
    """k = n = 1 over T frames at p(u) = σ(η + σ_o·u): P(detected) = E_u[1 − (1 − p(u))^T], u ~ N(0, 1)."""
    eta, frames, trials = -2.0, 10, 4000
    calibration = default_scenario.calibration
    swim = calibration.classes[Kind.SWIMMING].model_copy(
        update={"intercept": eta, "offender_sd": offender_sd}
    )
    calibration = calibration.model_copy(update={"classes": {**calibration.classes, Kind.SWIMMING: swim}})
    reference = calibration.reference_pixels
    camera = Sensor(
        "cam",
        box(0, 0, 2, 2),
        1.0,
        1,
        1,
        frozenset({Kind.SWIMMING}),
        lambda xy, h: np.full(len(xy), reference),
    )
    daylight = Daylight(datetime(2026, 7, 1, 12), 34.0, 113.8, 8.0)  # noon: daylight, offset 0
    sensing = StatisticalSensing(
        [camera], DetectionModel(calibration, 0.5, Weather.CLEAR), daylight, 20_000.0
    )
    streams = RandomStreams(3)
    detected = sum(
        bool(sensing.observe(make_incident(i, 100.0, 100.0 + frames - 1), streams.stream)[1])
        for i in range(trials)
    )
    nodes, weights = np.polynomial.hermite.hermgauss(40)
    p = sigmoid(eta + offender_sd * math.sqrt(2) * nodes)
    expected = float(weights @ (1 - (1 - p) ** frames) / math.sqrt(math.pi))
    assert detected / trials == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / trials))


def test_chained_hits_with_unit_runs_are_independent_draws():
    rng = np.random.default_rng(0)
    u, p = rng.random(1000), rng.uniform(0, 1, 1000)
    assert np.array_equal(chained_hits(u, p, 1.0, False), u < p)


@pytest.mark.parametrize(("p", "run"), [(0.05, 10.0), (0.3, 4.0), (0.9, 5.0)])
def test_chained_hits_keep_the_hit_probability_and_the_mean_run(p, run):
    """Stationary share of hits is p; runs of hits last 1/b frames, b = min(1/run, 1 - p)."""
    n = 2_000_000
    hits = chained_hits(np.random.default_rng(1).random(n), np.full(n, p), run, False)
    assert hits.mean() == pytest.approx(p, rel=0.05)
    starts = np.count_nonzero(hits[1:] & ~hits[:-1])
    assert hits.sum() / starts == pytest.approx(1 / min(1 / run, 1 - p), rel=0.05)


def test_chained_hits_are_monotone_in_p_and_continue_across_chunks():
    rng = np.random.default_rng(2)
    u = rng.random(5000)
    low = rng.uniform(0, 0.6, 5000)
    high = np.minimum(1.0, low + rng.uniform(0, 0.4, 5000))
    # A lower threshold (higher p) never loses a hit: common random numbers across thresholds.
    assert not np.any(chained_hits(u, low, 8.0, False) & ~chained_hits(u, high, 8.0, False))
    whole = chained_hits(u, low, 8.0, False)
    first = chained_hits(u[:1234], low[:1234], 8.0, False)
    second = chained_hits(u[1234:], low[1234:], 8.0, bool(first[-1]))
    assert np.array_equal(np.concatenate([first, second]), whole)


def test_own_offset_is_redrawn_every_spell(default_scenario):
    calibration = default_scenario.calibration
    swim = calibration.classes[Kind.SWIMMING].model_copy(
        update={"offender_sd": 2.0, "offender_spell_s": 60.0}
    )
    calibration = calibration.model_copy(update={"classes": {**calibration.classes, Kind.SWIMMING: swim}})
    model = DetectionModel(calibration, 0.5, Weather.CLEAR)
    own = model.own_offset(Kind.SWIMMING, 100.0, 400.0, np.random.default_rng(0))
    assert len(own.values) == 6  # spells starting at 100, 160, ..., 400 s
    offsets = own.at(np.array([100.0, 159.9, 160.0, 399.0, 400.0, 1e6]))
    assert offsets[0] == offsets[1] != offsets[2]
    assert offsets[3] == own.values[4] and offsets[4] == offsets[5] == own.values[5]
    whole = DetectionModel(default_scenario.calibration, 0.5, Weather.CLEAR)
    assert len(whole.own_offset(Kind.SWIMMING, 100.0, 4000.0, np.random.default_rng(0)).values) == 1
