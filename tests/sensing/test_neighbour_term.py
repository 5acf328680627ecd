"""The ``hazard`` model's neighbour term in statistical mode: the nearest other offender in a camera's view
measured by hand, an offender who comes into view beside another lost and alarmed as the term says (by hand),
one alone untouched, and the term's bad input named by its key path."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import box

from sim.core.maths import sigmoid
from sim.core.rng import RandomStreams
from sim.scenario.models import Calibration, Kind, NeighbourTerm, Weather
from sim.sensing.alarm_hazard import closeness, neighbour_offset
from sim.sensing.detection_model import DetectionModel
from sim.sensing.sensors import Sensor
from sim.sensing.statistical import StatisticalSensing
from tests.helpers.builders import assert_calibration_refused
from tests.sensing.test_alarm_hazard import NOON, rates
from tests.sensing.test_view_crowds import standing

TERM = NeighbourTerm(
    scale_heights=2.0,
    log_rate=1.0,
    late_log_rate=-3.0,
    late_after_s=8.0,
    never_log_odds=-4.0,
    never_slope=3.0,
)


def camera(kinds=frozenset({Kind.SWIMMING})) -> Sensor:
    """One camera at 5 frames/s seeing a 10 x 10 m box, every offender at the reference size (10 px), the
    image 10 px a metre across the ground: one metre apart is one height apart."""
    height = lambda xy, h: np.full(len(np.atleast_2d(xy)), 10.0)  # noqa: E731
    return Sensor("cam", box(0, 0, 10, 10), 0.2, 3, 5, kinds, height, image_point=lambda xy: 10.0 * xy)


def test_the_closeness_and_the_offset_by_hand():
    assert closeness(5.0, 20.0) == pytest.approx(math.exp(-0.25)) and closeness(math.inf, 20.0) == 0.0
    ages = np.array([1.0, 7.99, 8.0, 30.0])
    assert list(neighbour_offset(TERM, 0.5, ages)) == pytest.approx([0.5, 0.5, -1.5, -1.5])


def test_an_offender_beside_another_is_lost_and_alarmed_as_the_term_says(calibration):
    """Offenders one height from one who stays all along in the image (closeness e^−0.5 at scale 2): never
    found with probability σ(−4 + 3 e^−0.5) = 0.102, the others alarmed at e^(e^−0.5) times the class's
    rate before 8 s in view (after its 4-s dead time: 0.1/s · e^−0.5 at τ 0.5) and e^(−3 e^−0.5) times it
    after. In a 12-s view the share alarmed is (1 − 0.102)(1 − exp(−λ_early · 4 − λ_late · 4)). Offenders who
    come one after another, never in view together, are untouched: 1 − exp(−λ · 8), with the term's share at
    closeness 0, σ(−4), lost."""
    swimming = calibration.classes[Kind.SWIMMING].model_copy(update={"alarm_hazard": rates(neighbour=TERM)})
    with_term: Calibration = calibration.model_copy(
        update={"classes": {**calibration.classes, Kind.SWIMMING: swimming}}
    )
    model = DetectionModel(with_term, 0.5, Weather.CLEAR)
    trials, rate, near = 2000, 0.1 * math.exp(-0.5), math.exp(-0.5)
    lost = float(sigmoid(-4.0 + 3.0 * near))
    assert lost == pytest.approx(0.102, abs=0.001)
    offenders = [standing(i, (5.0, 5.0), 100.0 + 12.5 * i, 112.0 + 12.5 * i) for i in range(trials)]
    beside = standing(trials, (5.0, 6.0), 0.0, 40_000.0)
    alone = 1 - math.exp(-rate * 8.0)
    crowded = -math.expm1(-rate * 4.0 * (math.exp(near) + math.exp(-3.0 * near)))
    for incidents, expected in (
        (offenders, (1 - sigmoid(-4.0)) * alone),
        ([*offenders, beside], (1 - lost) * crowded),
    ):
        run = StatisticalSensing([camera()], model, NOON, 40_000.0, incidents)
        streams = RandomStreams(5)
        alarmed = [bool(run.observe(incident, streams.stream)[1]) for incident in offenders]
        spread = 4 * math.sqrt(expected * (1 - expected) / trials)
        assert np.mean(alarmed) == pytest.approx(expected, abs=spread)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("scale_heights", 0.0, "greater than 0"),
        ("never_slope", math.nan, "finite number"),
        ("late_after_s", -1.0, "greater than 0"),
    ],
)
def test_a_bad_neighbour_term_is_named(tmp_path, capsys, key, value, message):
    term = TERM.model_dump(mode="json") | {key: value}
    path = ("classes", "fishing", "alarm_hazard", "neighbour")
    assert_calibration_refused(tmp_path, capsys, path, term, f"neighbour.{key}: ", named=False)
