"""False alarms by threshold, light and weather: the log-linear fit against closed-form solutions, the rate
and its clock against hand computations, a run across dusk, and the new calibration keys' bad values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.calibration.false_alarm_fits import (
    fit_false_alarm_model,
    fit_pooled_false_alarms,
    poisson_log_linear,
)
from sim.engine import run
from sim.scenario.models import Calibration, FalseAlarmCalibration, Kind, Light, Weather
from sim.sensing.detection_model import DetectionModel
from sim.sensing.false_alarms import FalseAlarmClock, false_alarm_rate, false_alarm_share
from sim.world.daylight import Daylight
from tests.helpers.builders import assert_calibration_refused
from tests.helpers.paths import DEFAULT


def counts_table(counts: dict[tuple[str, str], int], hours: dict[tuple[str, str], float], tau=0.5):
    """A ``false_alarms.csv`` with one threshold: ``counts`` and ``hours`` per (light, weather)."""
    rows = [(light, weather, tau, n, hours[light, weather]) for (light, weather), n in counts.items()]
    return pd.DataFrame(rows, columns=["light", "weather", "threshold", "false_alarms", "camera_hours"])


def test_one_factor_offsets_are_the_log_rate_ratios():
    """Light only: the maximum-likelihood rate of each level is its count over its exposure, so
    a = ln((N / E) / (N_day / E_day)) exactly, and the day rate at τ is N_day / E_day."""
    counts = {("day", "clear"): 40, ("dusk", "clear"): 9, ("night", "clear"): 3}
    hours = {("day", "clear"): 2.0, ("dusk", "clear"): 0.5, ("night", "clear"): 1.5}
    fit = fit_false_alarm_model(counts_table(counts, hours), prior_sd=math.inf)
    assert fit["light"]["day"] == 0.0
    assert fit["light"]["dusk"] == pytest.approx(math.log((9 / 0.5) / (40 / 2.0)), abs=1e-4)
    assert fit["light"]["night"] == pytest.approx(math.log((3 / 1.5) / (40 / 2.0)), abs=1e-4)
    assert fit["weather"] == {}  # one weather: nothing to contrast
    day_rate = fit["max_rate_per_hour"] * false_alarm_share(fit["intercept"], fit["slope"], 0.5)
    assert day_rate == pytest.approx(40 / 2.0, rel=1e-4)


def test_every_light_and_weather_measured_gives_each_its_own_rate():
    """Light × weather with the interaction: the model is saturated, so the maximum-likelihood rate of each
    condition is its count over its exposure (Agresti, Categorical Data Analysis, 3rd ed., 2013, 9.2),
    whatever the main effects alone would say (here rain is busy at night only)."""
    n = {
        ("day", "clear"): 30,
        ("day", "rain"): 12,
        ("day", "fog"): 7,
        ("night", "clear"): 5,
        ("night", "rain"): 90,
        ("night", "fog"): 2,
    }
    hours = {cell: 0.5 + 0.25 * i for i, cell in enumerate(n)}
    fit = fit_false_alarm_model(counts_table(n, hours), prior_sd=math.inf)
    day_clear = fit["max_rate_per_hour"] * false_alarm_share(fit["intercept"], fit["slope"], 0.5)
    for (light, weather), count in n.items():
        offset = fit["light"][light] + fit["weather"][weather]
        offset += fit["light_weather"].get(light, {}).get(weather, 0.0)
        assert day_clear * math.exp(offset) == pytest.approx(count / hours[light, weather], rel=1e-4)
    assert fit["light_weather"]["night"]["rain"] == pytest.approx(
        math.log((90 / hours["night", "rain"]) * (30 / hours["day", "clear"]))
        - math.log((12 / hours["day", "rain"]) * (5 / hours["night", "clear"])),
        abs=1e-3,
    )


def test_the_prior_keeps_a_level_without_false_alarms_finite_and_barely_moves_the_others():
    counts = {("day", "clear"): 200, ("dusk", "clear"): 80, ("night", "clear"): 0}
    hours = dict.fromkeys(counts, 1.0)
    fit = fit_false_alarm_model(counts_table(counts, hours))
    assert -12.0 < fit["light"]["night"] < -3.0  # at most a few percent of the day rate, but not −∞
    assert fit["light"]["dusk"] == pytest.approx(math.log(80 / 200), rel=0.01)


def test_pooled_sources_add_alarms_and_hours_at_the_thresholds_every_source_counts():
    """A tune run (every 0.05 and a dusk condition) and evidence clips (the five fit thresholds, day only):
    the pooled fit is the fit of their sums at the five thresholds, and a tune-only threshold (0.25, with
    its many alarms) changes nothing. Day is saturated, so its fitted total over the five thresholds is the
    pooled count: (50 + 20 + 8 + 3 + 1) + (12 + 6 + 2 + 1 + 0) = 103 alarms in 1.0 + 3.0 hours."""
    tune_rows = [
        ("day", "clear", t, n, 1.0)
        for t, n in zip((0.2, 0.25, 0.35, 0.5, 0.65, 0.8), (50, 400, 20, 8, 3, 1), strict=True)
    ]
    tune_rows += [
        ("dusk", "clear", t, n, 0.5)
        for t, n in zip((0.2, 0.35, 0.5, 0.65, 0.8), (30, 9, 4, 1, 0), strict=True)
    ]
    evidence_rows = [
        ("day", "clear", t, n, 3.0)
        for t, n in zip((0.2, 0.35, 0.5, 0.65, 0.8), (12, 6, 2, 1, 0), strict=True)
    ]
    columns = ["light", "weather", "threshold", "false_alarms", "camera_hours"]
    tune, evidence = pd.DataFrame(tune_rows, columns=columns), pd.DataFrame(evidence_rows, columns=columns)
    pooled = fit_pooled_false_alarms([tune, evidence], prior_sd=math.inf)
    by_hand = pd.DataFrame(
        [
            ("day", "clear", t, a + b, 4.0)
            for t, a, b in zip((0.2, 0.35, 0.5, 0.65, 0.8), (50, 20, 8, 3, 1), (12, 6, 2, 1, 0), strict=True)
        ]
        + [row for row in tune_rows if row[0] == "dusk"],
        columns=columns,
    )
    assert pooled == fit_false_alarm_model(by_hand, prior_sd=math.inf)
    spec = FalseAlarmCalibration.model_validate(pooled)
    day = sum(false_alarm_rate(spec, t, Light.DAY, Weather.CLEAR) for t in (0.2, 0.35, 0.5, 0.65, 0.8))
    assert day * 4.0 == pytest.approx(103, rel=1e-3)


def test_newton_recovers_a_simulated_poisson_regression():
    """Large simulated counts: the fit lands within a few standard errors of the true coefficients."""
    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(400), rng.integers(0, 2, 400), rng.normal(size=400)])
    beta = np.array([1.5, -0.7, 0.3])
    exposure = rng.uniform(0.5, 2.0, 400)
    counts = rng.poisson(exposure * np.exp(x @ beta))
    fitted = poisson_log_linear(x, counts.astype(float), np.log(exposure), np.full(3, np.inf))
    assert fitted == pytest.approx(beta, abs=0.06)


def test_the_threshold_curve_is_shared_and_conditions_scale_it():
    """Counts made from the model itself (expected values, no noise): c, s, max_rate and offsets come back."""
    rows = []
    for light, a in (("day", 0.0), ("dusk", 0.5), ("night", -1.0)):
        for weather, b in (("clear", 0.0), ("rain", -0.7)):
            for tau in (0.2, 0.35, 0.5, 0.65, 0.8):
                expected = 2.0 * 300.0 * math.exp(a + b) * float(false_alarm_share(-1.0, 2.0, tau))
                rows.append((light, weather, tau, expected, 2.0))
    table = pd.DataFrame(rows, columns=["light", "weather", "threshold", "false_alarms", "camera_hours"])
    fit = fit_false_alarm_model(table, prior_sd=math.inf)
    assert (fit["intercept"], fit["slope"]) == pytest.approx((-1.0, 2.0))
    assert fit["max_rate_per_hour"] == pytest.approx(300.0, rel=1e-3)
    assert fit["light"] == pytest.approx({"day": 0.0, "dusk": 0.5, "night": -1.0}, abs=1e-3)
    assert fit["weather"] == pytest.approx({"clear": 0.0, "rain": -0.7}, abs=1e-3)
    assert fit["light_weather"] == {
        light: pytest.approx({"rain": 0.0}, abs=1e-3) for light in ("dusk", "night")
    }


def test_no_false_alarm_at_all_gives_a_zero_rate():
    fit = fit_false_alarm_model(
        counts_table(
            {("day", "clear"): 0, ("night", "rain"): 0}, {("day", "clear"): 1.0, ("night", "rain"): 1.0}
        )
    )
    assert fit["max_rate_per_hour"] == 0.0


def test_the_rate_by_hand():
    """r = max_rate · exp(a + b + ab) · σ(c − s · logit τ), by hand at τ 0.6."""
    spec = FalseAlarmCalibration(
        max_rate_per_hour=12.0,
        intercept=0.4,
        slope=2.0,
        light={Light.NIGHT: -1.0},
        weather={Weather.RAIN: 0.5},
    )
    expected = 12.0 * math.exp(-0.5) / (1.0 + math.exp(2.0 * math.log(0.6 / 0.4) - 0.4))
    assert false_alarm_rate(spec, 0.6, Light.NIGHT, Weather.RAIN) == pytest.approx(expected)
    assert false_alarm_rate(spec, 0.6, Light.DAY, Weather.CLEAR) == pytest.approx(expected / math.exp(-0.5))


def test_the_clock_by_hand():
    """m = 1 on [0, 100), 0.5 on [100, 200), 0 on [200, 300), 2 after."""
    clock = FalseAlarmClock(np.array([0.0, 100.0, 200.0, 300.0]), np.array([1.0, 0.5, 0.0, 2.0]))
    assert clock.delay(10.0, 30.0) == 30.0
    assert clock.delay(90.0, 30.0) == pytest.approx(10.0 + 40.0)  # 10 at m 1, then 20 at m 0.5
    assert clock.delay(150.0, 40.0) == pytest.approx(50.0 + 100.0 + 7.5)  # 25, nothing, then 15 at m 2
    assert clock.delay(250.0, 4.0) == pytest.approx(52.0)
    assert FalseAlarmClock(np.array([0.0, 50.0]), np.array([1.0, 0.0])).delay(40.0, 20.0) == math.inf


def test_a_clock_at_one_is_the_homogeneous_process_draw_for_draw():
    clock = FalseAlarmClock.from_levels(np.arange(5) * 10.0, np.array([2, 2, 1, 0, 0]), np.ones(3))
    draws = np.random.default_rng(0).exponential(37.0, 100)
    assert [clock.delay(t, x) for t, x in zip(np.cumsum(draws), draws, strict=True)] == list(draws)


def test_counts_per_piece_follow_the_rates():
    """Waiting times through the clock: events per piece are Poisson with mean rate × m × length."""
    clock = FalseAlarmClock(np.array([0.0, 3600.0, 7200.0]), np.array([1.0, 0.1, 3.0]))
    rng, t, times = np.random.default_rng(5), 0.0, []
    while t < 10_800.0:
        t += clock.delay(t, rng.exponential(3600.0 / 400.0))  # 400 per hour at m = 1
        times.append(t)
    counts = np.histogram(times, bins=[0.0, 3600.0, 7200.0, 10_800.0])[0]
    for count, mean in zip(counts, (400.0, 40.0, 1200.0), strict=True):
        assert abs(count - mean) < 4 * math.sqrt(mean)


def test_a_run_across_dusk_has_no_false_alarm_where_the_light_forbids_it(default_scenario):
    """Start at 17:00 in July for 4 h: day, dusk, night. With night and dusk offsets of −20 every false alarm
    falls in day light; without them some fall after sunset (20 per camera-hour at τ 0.5)."""
    calibration = default_scenario.calibration
    run_spec = default_scenario.run.model_copy(
        update={"start": default_scenario.run.start.replace(hour=17), "duration": 4 * 3600.0}
    )
    zone = default_scenario.zone
    daylight = Daylight(run_spec.start, zone.latitude_deg, zone.longitude_deg, zone.utc_offset_h)
    for light, after_dark in (({Light.DUSK: -20.0, Light.NIGHT: -20.0}, False), ({}, True)):
        spec = FalseAlarmCalibration(max_rate_per_hour=40.0, intercept=0.0, light=light)
        with_offsets = calibration.model_copy(update={"false_alarms": dict.fromkeys(Kind, spec)})
        detection = default_scenario.detection.model_copy(update={"calibration": with_offsets})
        scenario = default_scenario.model_copy(update={"run": run_spec, "detection": detection})
        alarms = run(scenario, seed=3).alarms
        false = alarms[alarms["incident_id"].isna()]
        assert len(false) > 0
        assert (daylight.light_index(false["t"].to_numpy(float)) < 2).any() == after_dark


def test_detection_model_rate_defaults_to_day_light(default_scenario):
    spec = FalseAlarmCalibration(max_rate_per_hour=10.0, intercept=0.0, light={Light.DAY: 1.0})
    calibration = default_scenario.calibration
    calibration = calibration.model_copy(
        update={"false_alarms": {**calibration.false_alarms, Kind.SWIMMING: spec}}
    )
    model = DetectionModel(calibration, 0.5, Weather.CLEAR)
    assert model.false_alarm_rate(Kind.SWIMMING) == pytest.approx(5.0 * math.e)
    assert model.false_alarm_rate(Kind.SWIMMING, Light.NIGHT) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("light", {"night": 25.0}, "less than or equal to 20"),
        ("weather", {"fog": -21.0}, "greater than or equal to -20"),
        ("light", {"noon": 0.0}, "noon"),
        ("weather", {"rain": "wet"}, "number"),
        ("light", [0.0, 1.0], "dictionary"),
        ("light_weather", {"night": {"snow": 1.0}}, "snow"),
        ("light_weather", {"night": {"rain": 30.0}}, "less than or equal to 20"),
    ],
)
def test_bad_false_alarm_offsets_name_their_key(tmp_path, capsys, key, value, message):
    assert_calibration_refused(tmp_path, capsys, ("false_alarms", "swimming", key), value, message)


BUNDLED = sorted((DEFAULT.parent / "calibration").glob("*.json"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_bundled_calibration_loads(path):
    calibration = Calibration.model_validate_json(path.read_text(encoding="utf-8"))
    assert calibration.false_alarms.keys() == set(Kind)
