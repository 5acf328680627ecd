"""The ``hazard`` model in statistical mode: alarms at a rate by the time in view, checked against the
exponential and piecewise-exponential distributions worked out by hand; thresholds between and beyond the
fitted ones; a lower threshold never alarms later; the block's bad input."""

import math
from datetime import datetime

import numpy as np
import pytest
from pydantic import ValidationError
from shapely.geometry import box

from sim.core.maths import logit
from sim.core.rng import RandomStreams
from sim.scenario.models import AlarmHazard, Calibration, ClassCalibration, Kind, SensorType, Weather
from sim.sensing.alarm_hazard import first_reaching, threshold_offset
from sim.sensing.detection_model import DetectionModel
from sim.sensing.sensors import Sensor
from sim.sensing.statistical import StatisticalSensing
from sim.world.daylight import Daylight
from tests.helpers.builders import make_incident

NOON = Daylight(datetime(2026, 7, 1, 12), 34.0, 113.8, 8.0)
"""Daylight all through the tests' incidents (light offset 0)."""
MIDNIGHT = Daylight(datetime(2026, 7, 1, 0), 34.0, 113.8, 8.0)
"""Night all through the tests' incidents (the first 20,000 s from midnight)."""


def rates(**change) -> AlarmHazard:
    """A block of two age bins (0-4 s: none, then 0.1/s at the first threshold) and three thresholds."""
    values = {
        "age_edges_s": (0.0, 4.0),
        "age_log_rates": (-50.0, math.log(0.1)),
        "size_slope": 1.0,
        "thresholds": (0.2, 0.5, 0.8),
        "threshold_offsets": (0.0, -0.5, -2.0),
        "k": 3,
        "n": 5,
    }
    return AlarmHazard(**(values | change))


def sensing(calibration: Calibration, threshold: float, pixels: float | None = None) -> StatisticalSensing:
    """One camera at 5 frames/s seeing a 2 x 2 m box, offenders ``pixels`` tall (the reference size)."""
    size = calibration.reference_pixels if pixels is None else pixels
    camera = Sensor(
        "cam", box(0, 0, 2, 2), 0.2, 3, 5, frozenset({Kind.SWIMMING}), lambda xy, h: np.full(len(xy), size)
    )
    return StatisticalSensing([camera], DetectionModel(calibration, threshold, Weather.CLEAR), NOON, 20_000.0)


def alarm_ages(run: StatisticalSensing, trials: int, view_s: float, seed: int = 3) -> np.ndarray:
    """Seconds from each offender's first frame in view to its alarm (NaN: none), ``trials`` offenders
    in view for ``view_s`` s."""
    streams = RandomStreams(seed)
    ages = []
    for i in range(trials):
        _, found = run.observe(make_incident(i, 100.0, 100.0 + view_s), streams.stream)
        ages.append(found[0].t - 100.0 if found else math.nan)
    return np.array(ages)


def test_threshold_offsets_between_and_beyond_the_fitted_thresholds_by_hand():
    block = rates()
    assert threshold_offset(block, 0.5) == pytest.approx(-0.5)
    # Linear in logit τ: 0.65 lies between logit 0.5 = 0 and logit 0.8 = 1.386.
    assert threshold_offset(block, 0.65) == pytest.approx(-0.5 - 1.5 * logit(0.65) / logit(0.8))
    # Beyond: the end segments' slopes (−1.5 per 1.386 above 0.8; −0.5 per 1.386 below 0.2).
    assert threshold_offset(block, 0.9) == pytest.approx(-2.0 - 1.5 * (logit(0.9) - logit(0.8)) / logit(0.8))
    assert threshold_offset(block, 0.1) == pytest.approx(-0.5 * (logit(0.1) - logit(0.2)) / -logit(0.2))
    assert threshold_offset(rates(thresholds=(0.5,), threshold_offsets=(0.0,)), 0.9) == 0.0


BY_AGE = ((0.0, 0.0), (-3.0, -0.5), (-3.0, -2.0))
"""Offsets per threshold and age bin: a higher threshold cuts the first bin's rate more than the second's."""


def test_offsets_per_age_bin_are_interpolated_bin_by_bin():
    block = rates(threshold_offsets=BY_AGE)
    assert list(threshold_offset(block, 0.5)) == pytest.approx([-3.0, -0.5])
    # Between 0.5 and 0.8 each bin's offset is linear in logit τ: the first stays, the second falls.
    x = logit(0.65) / logit(0.8)
    assert list(threshold_offset(block, 0.65)) == pytest.approx([-3.0, -0.5 - 1.5 * x])
    assert list(threshold_offset(block, 0.2)) == [0.0, 0.0]


def test_a_baseline_per_threshold_sets_each_age_bins_rate(calibration):
    """Offsets per age bin: at τ 0.8 the second bin's rate is 0.1/s · e^−2, as with the shared offsets of
    :func:`rates`, and the first bin's e^−3 changes nothing (its rate is e^−50 anyway): the same alarm
    distribution, whose median after 4 s is ln 2 / λ; a lower threshold never alarms later."""
    by_age = rates(threshold_offsets=BY_AGE)
    swimming = calibration.classes[Kind.SWIMMING].model_copy(update={"alarm_hazard": by_age})
    per_age = calibration.model_copy(update={"classes": {**calibration.classes, Kind.SWIMMING: swimming}})
    model = DetectionModel(per_age, 0.8, Weather.CLEAR).alarm_rates(Kind.SWIMMING)
    reference = per_age.reference_pixels
    assert list(model.rates(np.array([1.0, 5.0]), np.full(2, reference), np.array([2, 2]))) == pytest.approx(
        [math.exp(-50.0 - 3.0), 0.1 * math.exp(-2.0)]
    )
    trials, view = 600, 60.0
    high = alarm_ages(sensing(per_age, 0.8), trials, view)
    np.testing.assert_array_equal(high, alarm_ages(sensing(calibration, 0.8), trials, view))
    low = alarm_ages(sensing(per_age, 0.5), trials, view)
    assert (np.isnan(high) | (low <= high + 1e-9)).all() and np.isnan(low).sum() < np.isnan(high).sum()


def test_a_size_slope_by_age_moves_larger_offenders_alarms_to_other_ages(calibration):
    """Size slopes 1 + 1.5 in the first age bin and 1 − 1.5 in the second (both 0.1/s at the reference
    size, τ 0.2): at twice the reference the first 4 s alarm at 0.1 · e^2.5 /s, the rest at 0.1 · e^−0.5;
    at half of it the other way round. The shares alarmed within 4 s by hand, 1 − exp(−4 λ_1) (20 frames
    of 0.2 s), and the size of the alarm rates in each bin."""
    block = rates(age_log_rates=(math.log(0.1), math.log(0.1)), size_slope_by_age=(1.5, -1.5))
    swimming = calibration.classes[Kind.SWIMMING].model_copy(update={"alarm_hazard": block})
    by_age = calibration.model_copy(update={"classes": {**calibration.classes, Kind.SWIMMING: swimming}})
    model = DetectionModel(by_age, 0.2, Weather.CLEAR).alarm_rates(Kind.SWIMMING)
    reference = by_age.reference_pixels
    ages, pixels = np.array([1.0, 5.0, 1.0, 5.0]), reference * np.array([2.0, 2.0, 0.5, 0.5])
    assert list(model.rates(ages, pixels, np.full(4, 2))) == pytest.approx(
        0.1 * np.exp([2.5, -0.5, -2.5, 0.5])
    )
    trials = 800
    for doublings in (1.0, -1.0):
        found = alarm_ages(sensing(by_age, 0.2, reference * 2**doublings), trials, 30.0)
        expected = -math.expm1(-4.0 * 0.1 * math.exp(2.5 * doublings))  # 0.99 and 0.033
        share = float(np.mean(found < 4.0 - 1e-9))
        assert share == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / trials))


def test_first_reaching_carries_the_budget_over_chunks():
    assert first_reaching(np.array([0.1, 0.2, 0.3]), 0.25) == (1, 0.0)
    assert first_reaching(np.array([0.1, 0.2]), 0.5) == (-1, pytest.approx(0.2))
    assert first_reaching(np.zeros(0), 0.5) == (-1, 0.5)


def test_alarm_times_follow_the_piecewise_exponential_distribution(calibration):
    """No alarm in the first 4 s, then rate 0.1/s · e^−0.5 at τ 0.5: P(alarm within 30 s of view) =
    1 − exp(−λ·(30 − 4)), and the alarms after 4 s are exponential (median 4 + ln 2 / λ), to the frame."""
    trials, view = 1500, 30.0
    ages = alarm_ages(sensing(calibration, 0.5), trials, view)
    rate = 0.1 * math.exp(-0.5)
    expected = 1 - math.exp(-rate * (view - 4.0))
    alarmed = ages[~np.isnan(ages)]
    assert len(alarmed) / trials == pytest.approx(
        expected, abs=4 * math.sqrt(expected * (1 - expected) / trials)
    )
    assert alarmed.min() >= 4.0 - 1e-9
    # The median of the alarms that came, conditioned on coming within the view, by hand:
    conditional = 4.0 - math.log(1 - 0.5 * expected) / rate
    assert float(np.median(alarmed)) == pytest.approx(conditional, abs=0.6)


def test_an_offenders_own_factor_mixes_the_exponentials(calibration):
    """``frailty_sd`` 1.5: each offender's rate after the 4-s dead time is 0.1/s · e^−0.5 (τ 0.5) times its
    own e^(1.5 w), w ~ N(0, 1): P(alarm within 30 s of view) = ∫ (1 − exp(−λ e^(1.5u) · 26)) φ(u) du (0.693
    by quadrature, against 0.793 with every offender at λ; drawn: 0.693 of 1,500), and the alarms that come
    are the fast offenders' (their quartiles 5.5 and 15.1 s by quadrature, 7.6 and 18.9 s without the
    factor; drawn: 5.4 and 14.6 s)."""
    from scipy import integrate, optimize

    swimming = calibration.classes[Kind.SWIMMING]
    frail = swimming.model_copy(update={"alarm_hazard": rates(frailty_sd=1.5)})
    mixed = calibration.model_copy(update={"classes": {**calibration.classes, Kind.SWIMMING: frail}})
    trials, view, rate = 1500, 30.0, 0.1 * math.exp(-0.5)
    ages = alarm_ages(sensing(mixed, 0.5), trials, view)

    def alarmed_by(age: float) -> float:  # P(alarm within ``age`` s of view), by quadrature
        def integrand(u):
            return -math.expm1(-rate * math.exp(1.5 * u) * max(age - 4.0, 0.0)) * math.exp(-u * u / 2)

        return integrate.quad(integrand, -12, 12)[0] / math.sqrt(2 * math.pi)

    expected = alarmed_by(view)
    assert expected == pytest.approx(0.693, abs=0.001)
    alarmed = ages[~np.isnan(ages)]
    assert len(alarmed) / trials == pytest.approx(
        expected, abs=4 * math.sqrt(expected * (1 - expected) / trials)
    )
    quartiles = [
        optimize.brentq(lambda a, q=q: alarmed_by(a) - q * expected, 4.0, view) for q in (0.25, 0.75)
    ]
    assert np.quantile(alarmed, [0.25, 0.75]) == pytest.approx(quartiles, abs=1.0)


def test_a_share_never_found_stays_unfound_in_a_long_view(calibration):
    """A share 0.4 never found (``never_log_odds`` logit 0.4) beside ``frailty_sd`` 1.5: P(alarm within a
    view of ``s`` s) = 0.6 · ∫ (1 − exp(−λ e^(1.5u) · (s − 4))) φ(u) du, 0.6 of the frailty's share (0.416
    within 30 s, 0.593 within 10 minutes, by quadrature), and at τ 0.2 no offender is alarmed later than at
    0.8 (one draw of who is never found serves every threshold)."""
    from scipy import integrate

    swimming = calibration.classes[Kind.SWIMMING]
    never = swimming.model_copy(update={"alarm_hazard": rates(frailty_sd=1.5, never_log_odds=logit(0.4))})
    mixed = calibration.model_copy(update={"classes": {**calibration.classes, Kind.SWIMMING: never}})
    rate, trials = 0.1 * math.exp(-0.5), 1500

    def alarmed_by(age: float) -> float:
        def integrand(u):
            return -math.expm1(-rate * math.exp(1.5 * u) * (age - 4.0)) * math.exp(-u * u / 2)

        return 0.6 * integrate.quad(integrand, -12, 12)[0] / math.sqrt(2 * math.pi)

    for view, by_hand in ((30.0, 0.416), (600.0, 0.593)):
        expected = alarmed_by(view)
        assert expected == pytest.approx(by_hand, abs=0.001)
        ages = alarm_ages(sensing(mixed, 0.5), trials, view)
        share = float(np.mean(~np.isnan(ages)))
        assert share == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / trials))
    low = alarm_ages(sensing(mixed, 0.2), 300, 60.0)
    high = alarm_ages(sensing(mixed, 0.8), 300, 60.0)
    both = ~np.isnan(high)
    assert (low[both] <= high[both] + 1e-9).all() and np.isnan(low).sum() <= np.isnan(high).sum()


def test_the_share_never_found_at_the_offenders_size(calibration):
    """A share 0.4 never found at the reference size (``never_log_odds`` logit 0.4) with
    ``never_size_slope`` −1 per doubling: offenders four
    times as tall are never found with probability σ(logit 0.4 − 2) = 0.083, so in a 10-minute view
    0.917 · (1 − exp(−λ e² · 596)) of them are alarmed (the rate's size slope 1: λ e² = 0.448/s)."""
    swimming = calibration.classes[Kind.SWIMMING]
    never = swimming.model_copy(
        update={"alarm_hazard": rates(never_log_odds=logit(0.4), never_size_slope=-1.0)}
    )
    mixed = calibration.model_copy(update={"classes": {**calibration.classes, Kind.SWIMMING: never}})
    trials, large = 1500, 4 * calibration.reference_pixels
    expected = (1 - 1 / (1 + math.exp(-(logit(0.4) - 2.0)))) * -math.expm1(-0.1 * math.exp(1.5) * 596.0)
    assert expected == pytest.approx(0.917, abs=0.001)
    share = float(np.mean(~np.isnan(alarm_ages(sensing(mixed, 0.5, large), trials, 600.0))))
    assert share == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / trials))


def test_size_scales_the_rate_and_a_lower_threshold_never_alarms_later(calibration):
    """Same seeds: at τ 0.2 each offender is alarmed no later than at 0.8, and four times the reference
    size (size slope 1 per doubling) alarms e² times as fast."""
    low = alarm_ages(sensing(calibration, 0.2), 300, 60.0)
    high = alarm_ages(sensing(calibration, 0.8), 300, 60.0)
    both = ~np.isnan(high)
    assert (low[both] <= high[both] + 1e-9).all() and np.isnan(low).sum() <= np.isnan(high).sum()
    assert (low[both] < high[both]).any()
    reference = calibration.reference_pixels
    near = alarm_ages(sensing(calibration, 0.8, 4 * reference), 600, 1000.0)
    far = alarm_ages(sensing(calibration, 0.8, reference), 600, 1000.0)
    ratio = np.nanmean(far - 4.0) / np.nanmean(near - 4.0)  # mean waits after the 4-s dead time
    assert ratio == pytest.approx(math.exp(2.0), rel=0.2)  # about 3.5 standard errors of the ratio


def test_others_in_view_slow_the_alarm_by_the_crowd_term(calibration):
    """Crowd slope −1 per doubling of 1 + others: with three other swimmers in view all along, the rate
    after the 4-s dead time is 0.1/s · e^−0.5 (τ 0.5) · e^(−1 · log2 4) = e^−2 of it, and the share alarmed
    in 12 s of view is 1 − exp(−λ · 8) in both cases; offenders that come one after another, never in view
    together, see no crowd. The crowd comes from the incidents the sensing is given."""
    crowded = rates(crowd_slope=-1.0)
    swimming = calibration.classes[Kind.SWIMMING].model_copy(update={"alarm_hazard": crowded})
    with_term = calibration.model_copy(update={"classes": {**calibration.classes, Kind.SWIMMING: swimming}})
    model = DetectionModel(with_term, 0.5, Weather.CLEAR).alarm_rates(Kind.SWIMMING)
    day, size = np.array([2, 2]), np.full(2, calibration.reference_pixels)
    assert list(model.rates(np.array([5.0, 5.0]), size, day, np.array([0, 3]))) == pytest.approx(
        [0.1 * math.exp(-0.5), 0.1 * math.exp(-0.5 - 2.0)]
    )
    trials = 1500
    offenders = [make_incident(i, 100.0 + 12.5 * i, 112.0 + 12.5 * i) for i in range(trials)]  # in daylight
    crowd = [make_incident(trials + j, 0.0, 19_999.0) for j in range(3)]
    for others, incidents in ((0, offenders), (3, offenders + crowd)):
        run = sensing(with_term, 0.5)
        run = StatisticalSensing(run.sensors, run.model, NOON, 20_000.0, incidents)
        streams = RandomStreams(3)
        alarmed = [bool(run.observe(incident, streams.stream)[1]) for incident in offenders]
        expected = 1 - math.exp(-0.1 * math.exp(-0.5) * math.exp(-math.log2(1 + others)) * 8.0)
        spread = 4 * math.sqrt(expected * (1 - expected) / trials)
        assert np.mean(alarmed) == pytest.approx(expected, abs=spread)


def test_a_thermal_cameras_anglers_follow_the_thermal_terms_at_fishings_threshold_and_night(calibration):
    """Fishing on the hazard model in ``sensors.thermal`` only: no alarm in the first 7 s (the dwell ramp),
    then 0.25/s at the first threshold, × 2 at night, × e^−0.5 at fishing's threshold 0.5 (swimming's is
    0.8: e^−2). A thermal camera at night alarms 1 − exp(−λ·5) of anglers in view 12 s, none before 7 s; a
    visible camera's anglers follow the top-level (ordinal) terms, whose night offset (−17.7) alarms none."""
    angler = ClassCalibration(
        model="hazard",
        intercept=0.0,
        size_slope=1.0,
        alarm_hazard=rates(
            age_edges_s=(0.0, 7.0), age_log_rates=(-50.0, math.log(0.25)), light={"night": math.log(2.0)}
        ),
    )
    thermal = calibration.sensors[SensorType.THERMAL]
    thermal = thermal.model_copy(update={"classes": {**thermal.classes, Kind.FISHING: angler}})
    both = calibration.model_copy(update={"sensors": {SensorType.THERMAL: thermal}})
    model = DetectionModel(both, {Kind.SWIMMING: 0.8, Kind.FISHING: 0.5}, Weather.CLEAR)
    size = calibration.reference_pixels
    cameras = [
        Sensor(
            name,
            box(0, 0, 2, 2),
            0.2,
            3,
            5,
            frozenset({Kind.FISHING}),
            lambda xy, h: np.full(len(xy), size),
            sensor=sensor,
        )
        for name, sensor in (("thermal", SensorType.THERMAL), ("visible", SensorType.VISIBLE))
    ]
    run, streams = StatisticalSensing(cameras, model, MIDNIGHT, 20_000.0), RandomStreams(5)
    ages = {"thermal": [], "visible": []}
    for i in range(800):
        _, found = run.observe(make_incident(i, 100.0, 112.0, Kind.FISHING), streams.stream)
        for name, alarms in ages.items():
            alarms.append(min((d.t - 100.0 for d in found if d.sensor_id == name), default=math.nan))
    thermal_ages, visible_ages = np.array(ages["thermal"]), np.array(ages["visible"])
    expected = 1 - math.exp(-0.25 * 2.0 * math.exp(-0.5) * 5.0)  # 0.78 (no light offset: 0.53; τ 0.8: 0.29)
    share = float(np.mean(~np.isnan(thermal_ages)))
    assert share == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / 800))
    assert np.nanmin(thermal_ages) >= 7.0 - 1e-9
    assert np.isnan(visible_ages).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"age_edges_s": (1.0, 4.0)}, "start at 0"),
        ({"age_edges_s": (0.0, 4.0, 4.0), "age_log_rates": (0.0, 0.0, 0.0)}, "increase"),
        ({"age_log_rates": (0.0,)}, "1 values for 2 age bins"),
        ({"thresholds": (0.5, 0.2, 0.8)}, "thresholds must increase"),
        ({"threshold_offsets": (0.0, -1.0, -0.5)}, "never rise"),
        ({"threshold_offsets": (0.0, -1.0)}, "2 values for 3 thresholds"),
        ({"threshold_offsets": ((0.0, 0.0), (-1.0, -1.0), (-0.5, -2.0))}, "never rise.*in any age bin"),
        ({"threshold_offsets": ((0.0, 0.0), (-1.0,), (-2.0, -2.0))}, "one value per age bin"),
        ({"threshold_offsets": ((0.0, 0.1), (-1.0, -1.0), (-2.0, -2.0))}, "start at 0"),
        ({"k": 6}, "k 6 > n 5"),
        ({"crowd_slope": math.inf}, "finite number"),
        ({"crowd_slope": 25.0}, "less than or equal to 20"),
        ({"size_slope_by_age": (0.0,)}, "size_slope_by_age has 1 values for 2 age bins"),
        ({"size_slope_by_age": (0.0, math.nan)}, "finite number"),
        ({"frailty_sd": -0.5}, "greater than or equal to 0"),
        ({"frailty_sd": math.inf}, "finite number"),
        ({"never_log_odds": math.inf}, "finite number"),
        ({"never_log_odds": -150.0}, "greater than or equal to -100"),
    ],
)
def test_a_bad_alarm_hazard_block_is_refused(change, message):
    with pytest.raises(ValidationError, match=message):
        rates(**change)


def test_only_the_hazard_model_has_alarm_rates():
    with pytest.raises(ValidationError, match="the ordinal model has no alarm_hazard"):
        ClassCalibration(model="ordinal", intercept=0.0, size_slope=1.0, alarm_hazard=rates(), **ORDINAL_REST)
    with pytest.raises(ValidationError, match="the hazard model needs alarm_hazard"):
        ClassCalibration(model="hazard", intercept=0.0, size_slope=1.0)


ORDINAL_REST = {
    "offender_sd": 0.0,
    "offender_spell_s": 0.0,
    "offender_lasting_sd": 0.0,
    "never_share": 0.0,
    "never_size_slope": 0.0,
    "hit_run_s": 0.0,
    "hit_run_odds_exponent": 0.0,
    "evidence_s": 0.0,
}
"""The ordinal model's terms but intercept and size slope."""
