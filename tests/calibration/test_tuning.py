"""Tuning: the calibration fits recover known parameters; a short tune run writes its files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.calibration.clip_observation import Observations
from sim.calibration.detectability import fit_detectability, fit_hit_model
from sim.calibration.end_to_end import end_to_end
from sim.calibration.false_alarm_fits import fit_false_alarms
from sim.calibration.fit_inputs import OFFENDER_FRAME_COLUMNS
from sim.calibration.hit_runs import fit_hit_runs
from sim.calibration.tune import tune
from sim.calibration.tune_tables import distance_table, size_table, threshold_table, tone_table
from sim.cli.main import main
from sim.core.maths import logit, sigmoid
from sim.engine import run
from sim.errors import TuningError
from sim.loading import load_scenario
from sim.scenario.models import Calibration, Kind
from tests.helpers.paths import DEFAULT, ORDINAL_CALIBRATION

RECALL_COLUMNS = ("offenders", "offender_frames", "frame_recall", "alarmed_share")


@pytest.mark.parametrize("offender_sd", [0.0, 1.2])
def test_hit_model_recovers_known_parameters(offender_sd):
    """Scores drawn from logit(s) ~ Logistic(η + σ_o·u, 1) give back η's coefficients and σ_o."""
    rng = np.random.default_rng(0)
    groups, frames = 400, 30
    n = groups * frames
    group = np.repeat(np.arange(groups), frames)
    # Pixels, light and weather vary within and between offenders; u is one draw per offender.
    pixels = np.repeat(10.0 * 2.0 ** rng.uniform(-2, 2, groups), frames) * 2.0 ** rng.uniform(-0.5, 0.5, n)
    light = rng.choice([0, 1, 2], n)  # night, dusk, day
    weather = rng.choice(["clear", "fog"], n)
    eta = (
        0.8
        + 1.5 * np.log2(pixels / 10.0)
        + np.array([-2.0, -0.7, 0.0])[light]
        + np.where(weather == "fog", -1.2, 0)
        + offender_sd * np.repeat(rng.normal(size=groups), frames)
    )
    scores = sigmoid(eta + rng.logistic(size=n))
    frames_table = pd.DataFrame(
        {"group": group, "pixels": pixels, "light": light, "weather": weather, "score": scores}
    )
    fit = fit_hit_model(frames_table, reference_pixels=10.0)
    assert fit["intercept"] == pytest.approx(0.8, abs=0.15)
    assert fit["size_slope"] == pytest.approx(1.5, abs=0.1)
    assert fit["light"]["night"] == pytest.approx(-2.0, abs=0.15)
    assert fit["light"]["dusk"] == pytest.approx(-0.7, abs=0.15)
    assert fit["weather"]["fog"] == pytest.approx(-1.2, abs=0.15)
    assert fit["offender_sd"] == pytest.approx(offender_sd, abs=0.2)
    assert "rain" not in fit["weather"]  # never observed: not invented


def test_false_alarm_fit_recovers_rate_and_shape():
    max_rate, c, hours = 3.0, -1.0, 2000.0
    taus = [0.2, 0.35, 0.5, 0.65, 0.8]
    counts = {t: round(max_rate * hours * float(sigmoid(c - logit(t)))) for t in taus}
    fit = fit_false_alarms(counts, hours)
    assert fit["intercept"] == pytest.approx(c, abs=0.1)
    assert fit["max_rate_per_hour"] == pytest.approx(max_rate, rel=0.1)
    assert fit["slope"] == 1.0
    assert fit_false_alarms({t: 0 for t in taus}, 1.0) == {
        "max_rate_per_hour": 0.0,
        "intercept": 0.0,
        "slope": 1.0,
    }


def test_false_alarm_fit_recovers_a_steeper_slope():
    max_rate, c, slope, hours = 40.0, -1.5, 3.0, 500.0
    taus = [0.2, 0.35, 0.5, 0.65, 0.8]
    counts = {t: round(max_rate * hours * float(sigmoid(c - slope * logit(t)))) for t in taus}
    fit = fit_false_alarms(counts, hours)
    assert fit["slope"] == pytest.approx(slope, abs=0.25)
    for tau in taus:
        model = fit["max_rate_per_hour"] * float(sigmoid(fit["intercept"] - fit["slope"] * logit(tau)))
        assert model == pytest.approx(counts[tau] / hours, rel=0.1)


def test_false_alarm_fit_ignores_the_flicker_cliff_below_the_operating_range():
    """Counts measured on 3 camera-hours of swimming clips (`tune`, seed 7, day, clear): thousands of
    flickers below 0.15 must not drag the fit at the operating thresholds."""
    per_hour = {0.05: 4617.3, 0.1: 1873.0, 0.15: 21.0, 0.2: 18.7, 0.35: 11.7, 0.5: 5.0, 0.65: 2.3, 0.8: 1.7}
    fit = fit_false_alarms({t: round(3.0 * r) for t, r in per_hour.items()}, 3.0)
    for tau in (0.2, 0.5, 0.8):
        model = fit["max_rate_per_hour"] * float(sigmoid(fit["intercept"] - fit["slope"] * logit(tau)))
        assert model == pytest.approx(per_hour[tau], rel=0.45)


def test_threshold_table_arithmetic():
    observations = Observations(
        scores=[np.array([0.9, 0.4]), np.array([0.6])],
        labels=[np.array([True, False]), np.array([True])],
        n_truth=4,
        false_alarms={0.5: 2, 0.3: 5},
        detect_delays={0.5: [1.0, 3.0], 0.3: [1.0]},
        offenders_seen=2,
        camera_hours=0.5,
        not_scored={("day", "clear", 0.5): 1, ("dusk", "clear", 0.5): 2, ("day", "clear", 0.3): 4},
    )
    table = threshold_table(observations, np.array([0.3, 0.5])).set_index("threshold")
    # At 0.3: TP 2 (0.9, 0.6), FP 1 (0.4); recall 2/4.
    assert table.loc[0.3, "precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert table.loc[0.3, "recall"] == 0.5
    assert table.loc[0.3, "f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 2), abs=1e-4)
    assert table.loc[0.5, "false_alarms_per_hour"] == 4.0
    assert table.loc[0.5, "ttd_p50_s"] == 2.0
    assert table.loc[0.5, "incidents_alarmed"] == "2/2"
    assert table.loc[0.5, "not_scored"] == 3 and table.loc[0.3, "not_scored"] == 4  # over conditions


def test_recall_by_size_and_by_skin_tone():
    # Offender a: 4 px tall, light skin, hit in 1 of 2 frames, alarmed; b: 10 px, dark, never hit;
    # c: 8 px, dark, hit in both frames, alarmed.
    rows = [
        ("a", 0.0, 4.0, 2, "clear", 0.9, 1),
        ("a", 0.1, 4.0, 2, "clear", 0.2, 1),
        ("b", 0.0, 10.0, 2, "clear", 0.0, -1),
        ("c", 0.0, 8.0, 2, "clear", 0.6, 2),
        ("c", 0.1, 8.0, 2, "clear", 0.7, 2),
    ]
    observations = Observations(
        offender_rows=rows, alarmed={0.5: {"a", "c"}}, skin_tones={"a": "light", "b": "dark", "c": "dark"}
    )
    by_size = size_table(observations, 0.5).set_index("size_px")
    assert list(by_size.index) == ["0-6", "6-12"]
    assert by_size.loc["6-12", "offenders"] == 2 and by_size.loc["6-12", "frame_recall"] == pytest.approx(
        2 / 3, abs=1e-4
    )
    assert by_size.loc["0-6", "alarmed_share"] == 1.0 and by_size.loc["6-12", "alarmed_share"] == 0.5
    by_tone = tone_table(observations, 0.5).set_index("skin_tone")
    assert list(by_tone.index) == ["light", "dark"]  # the renderer's order; tones without offenders left out
    assert by_tone.loc["dark", "offender_frames"] == 3
    assert by_tone.loc["dark", "frame_recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert by_tone.loc["dark", "alarmed_share"] == 0.5 and by_tone.loc["light", "frame_recall"] == 0.5
    assert tone_table(Observations(), 0.5).empty
    # By distance: each offender in the band of its median distance (a: 40 m; b: 120 m; c: 99 then 101).
    observations.distances.update({"a": [40.0, 42.0], "b": [120.0], "c": [99.0, 101.0, 99.5]})
    by_distance = distance_table(observations, 0.5).set_index("distance_m")
    assert list(by_distance.index) == ["0-50", "50-100", "100-150"]
    assert list(by_distance["offenders"]) == [1, 1, 1]
    assert (
        by_distance.loc["50-100", "alarmed_share"] == 1.0 and by_distance.loc["100-150", "frame_recall"] == 0
    )
    assert distance_table(Observations(), 0.5).empty


def test_tune_command_writes_table_figures_and_a_valid_calibration(tmp_path, capsys):
    out = tmp_path / "tune"
    code = main(
        [
            "tune",
            "--detector",
            "swimming",
            "--out",
            str(out),
            "--seconds",
            "12",
            "--light",
            "day",
            "--weather",
            "clear",
            "--set",
            "detection.analysis_width=480",
            "--set",  # the operating point is swimming's own threshold (not on the 0.05 grid)
            "detection.threshold={swimming: 0.37, fishing: 0.63}",
        ]
    )
    assert code == 0
    table = pd.read_csv(out / "thresholds.csv")
    assert 0.37 in set(table["threshold"]) and 0.63 not in set(table["threshold"])
    assert list(table.columns)[:6] == [
        "threshold",
        "precision",
        "recall",
        "f1",
        "false_alarms_per_hour",
        "ttd_p50_s",
    ]
    assert table["threshold"].is_monotonic_increasing
    assert (table["recall"].dropna().diff().dropna() <= 1e-12).all()  # recall never rises with the threshold
    by_tone = pd.read_csv(out / "by_tone.csv")
    assert list(by_tone.columns) == ["skin_tone", *RECALL_COLUMNS]
    assert set(by_tone["skin_tone"]) <= {"light", "medium", "dark"} and by_tone["offenders"].sum() >= 1
    calibration = Calibration.model_validate(json.loads((out / "calibration.json").read_text()))
    assert "run_sim.py tune --detector swimming" in calibration.source
    # False alarms per condition and threshold: the fit's input, in the threshold table's total.
    false_alarms = pd.read_csv(out / "false_alarms.csv")
    assert set(zip(false_alarms["light"], false_alarms["weather"], strict=True)) == {("day", "clear")}
    per_hour = false_alarms["false_alarms"] / false_alarms["camera_hours"]
    assert per_hour.to_numpy() == pytest.approx(table["false_alarms_per_hour"].to_numpy(), rel=1e-3, abs=1e-3)
    for name in ("precision_recall.png", "roc.png", "threshold_tradeoff.png"):
        assert (out / name).stat().st_size > 1000
    printed = capsys.readouterr().out
    assert "best F1" in printed and "at the scenario's swimming threshold 0.37:" in printed
    # Clear weather alone: the weather table holds the reference only, and says so.
    by_weather = pd.read_csv(out / "hazard_weather.csv")
    assert list(by_weather.columns) == ["weather", "offenders", "alarmed", "offset", "low", "high"]
    assert by_weather[["weather", "offset"]].values.tolist() == [["clear", 0.0]]
    assert by_weather["offenders"].iloc[0] == by_tone["offenders"].sum()
    assert "the weather's offsets on the hazard model's alarm log-rate" in printed
    # The fits' input kept: each offender's frames with its distance, and the credited first alarms; no
    # time stamp in the gzip header (the same clips, the same bytes).
    assert (out / "offender_frames.csv.gz").read_bytes()[4:8] == b"\0\0\0\0"
    frames = pd.read_csv(out / "offender_frames.csv.gz")
    assert list(frames.columns) == [*OFFENDER_FRAME_COLUMNS, "distance_m"]
    assert frames["group"].nunique() == by_tone["offenders"].sum() and (frames["distance_m"] > 0).all()
    credited = pd.read_csv(out / "credited_alarms.csv")
    at_operating = credited[np.isclose(credited["threshold"], 0.37)]
    assert set(at_operating["group"]) <= set(frames["group"])
    assert by_weather["alarmed"].iloc[0] == len(at_operating)
    # The calibration plugs into a scenario.
    scenario = load_scenario(DEFAULT, [f"detection.calibration={out / 'calibration.json'}"])
    assert scenario.calibration.classes["swimming"].light is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seconds", "0"], "--seconds"),
        (["--clips", "0"], "--clips"),
        (["--out", "/nonexistent-folder/x"], "--out"),
        (["--set", "zone.no_swimming=[]"], "no camera of the scenario sees a swimming no-go area"),
        (
            ["--set", "detection.pixel_detectors.swimming.cue=colour"],
            "detection.pixel_detectors.swimming: cue",
        ),
        (  # --sensor thermal: the thermal block's parameters are the detector's
            ["--sensor", "thermal", "--set", "detection.pixel_detectors.thermal.swimming.cue=colour"],
            "detection.pixel_detectors.thermal.swimming: cue",
        ),
        (  # the later --detector wins: the thermal fishing block's dry_feet must be true or false
            [
                "--detector",
                "fishing",
                "--sensor",
                "thermal",
                "--set",
                "detection.pixel_detectors.thermal.fishing.dry_feet=2",
            ],
            "detection.pixel_detectors.thermal.fishing: dry_feet must be true or false, got 2",
        ),
        (["--sensor", "sonar"], "--sensor: invalid choice: 'sonar'"),
    ],
)
def test_tune_bad_arguments(tmp_path, capsys, args, message):
    base = ["tune", "--detector", "swimming", "--out", str(tmp_path / "t")]
    code = main(base + args)
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


def test_tune_with_a_sensor_renders_the_cameras_as_that_sensor_and_hands_its_detector_their_frames(
    monkeypatch,
):
    """``tune --sensor thermal``: clips from thermal copies of the cameras, in the scenario's climate, seen by
    a detector built with the thermal block's parameters; each offender's distance is recorded."""
    from detectors import registry
    from detectors.base import Detections
    from sim.calibration.clip_observation import observe
    from sim.calibration.clip_scenes import cases_for
    from sim.scenario.models import Light, SensorType, Weather

    frames, made = [], []

    class Spy:
        def __init__(self, cue: str = "skin", warmup_s: float = 5.0, warm_only: bool = False):
            made.append({"cue": cue, "warmup_s": warmup_s, "warm_only": warm_only})

        def reset(self):
            pass

        def update(self, frame, t, context):
            frames.append(frame)
            return Detections.empty()

    monkeypatch.setitem(registry.DETECTORS, "swimming", Spy)
    overrides = ["detection.analysis_width=160", "detection.pixel_detectors.thermal.swimming.warmup_s=2"]
    scenario = load_scenario(DEFAULT, overrides)
    cases = cases_for(scenario, Kind.SWIMMING, 1, 0, (Light.NIGHT,), (Weather.CLEAR,), SensorType.THERMAL)
    assert [c.sensor for c in cases] == [SensorType.THERMAL]
    fps = next(c.fps for c in scenario.cameras if c.id == cases[0].camera_id)
    observations = observe(scenario, Kind.SWIMMING, cases, 12.0, np.array([0.5]), progress=False)
    # The kind's parameters, the thermal block's on top (its warm-only rule and the override).
    assert made[-1] == {"cue": "stroke", "warmup_s": 2, "warm_only": True}
    assert len(frames) == round(12.0 * fps)
    assert all((f[..., 0] == f[..., 2]).all() for f in frames) and frames[-1].std() > 1.0  # grey, not blank
    assert set(observations.distances) == set(observations.skin_tones) != set()
    assert all(0 < d < 300 for ds in observations.distances.values() for d in ds)


def test_tune_rejects_clips_that_end_before_an_offender_arrives(tmp_path):
    """Offenders arrive 6 to 11 s into a clip; a 5-s clip is bad input (exit 2), not a crash."""
    scenario = load_scenario(DEFAULT)
    with pytest.raises(TuningError, match=r"^--seconds 5: too short, an offender arrives at \d+\.\d s$"):
        tune(scenario, Kind.SWIMMING, tmp_path / "t", seconds=5.0, progress=False)


def test_end_to_end_trade_off(tmp_path, capsys):
    """Six hours of seed 0 at each of the nine thresholds, with the 2026-11-27 calibration (one seed: on it
    the false dispatches fall from about 1,100 a day to none and the strictest thresholds miss an incident
    the laxest catch, so both checks below compare different numbers)."""
    out = tmp_path / "e2e"
    argv = [
        "tune",
        "--end-to-end",
        "--out",
        str(out),
        "--duration",
        "6h",
        "--seeds",
        "1",
        "--set",
        ORDINAL_CALIBRATION,
    ]
    assert main(argv) == 0
    table = pd.read_csv(out / "end_to_end.csv")
    assert list(table.columns) == [
        "threshold",
        "runs",
        "response_p50_s",
        "response_p50_s_ci95",
        "detection_rate",
        "detection_rate_ci95",
        "preempted_share",
        "preempted_share_ci95",
        "missed_share",
        "missed_share_ci95",
        "false_dispatches_per_day",
        "false_dispatches_per_day_ci95",
    ]
    assert len(table) == 9 and (table["runs"] == 1).all()
    # Same incidents at every threshold: a stricter threshold never dispatches more often for nothing.
    assert table["false_dispatches_per_day"].is_monotonic_decreasing
    assert table["false_dispatches_per_day"].iloc[0] > table["false_dispatches_per_day"].iloc[-1]  # not flat
    assert table["missed_share"].iloc[-1] >= table["missed_share"].iloc[0]
    assert table["missed_share"].iloc[-1] > 0  # not 0 >= 0: the strictest threshold misses someone
    assert (out / "end_to_end.png").stat().st_size > 1000


def test_end_to_end_varies_one_kind_and_keeps_the_other_at_the_scenario_threshold():
    """With a kind, only its threshold takes each value (the other kind keeps the scenario's 0.2); without,
    every kind's does. Each row is the run at those thresholds (one seed)."""
    scenario = load_scenario(
        DEFAULT, ["run.duration=6h", "detection.threshold={swimming: 0.2, fishing: 0.6}"]
    )
    one = end_to_end(scenario, np.array([0.9]), [0], progress=False, kind=Kind.FISHING).iloc[0]
    both = end_to_end(scenario, np.array([0.9]), [0], progress=False).iloc[0]
    days = 6 / 24
    mixed = run(
        load_scenario(DEFAULT, ["run.duration=6h", "detection.threshold={swimming: 0.2, fishing: 0.9}"])
    )
    alone = run(load_scenario(DEFAULT, ["run.duration=6h", "detection.threshold=0.9"]))
    assert one["threshold"] == both["threshold"] == 0.9
    assert one["false_dispatches_per_day"] == round(mixed.summary["false_dispatches"] / days, 3)
    assert both["false_dispatches_per_day"] == round(alone.summary["false_dispatches"] / days, 3)
    assert one["detection_rate"] == mixed.summary["detection_rate"]
    # Swimming's 0.2 lets many more false alarms through than 0.9 does: the two rows differ.
    assert one["false_dispatches_per_day"] > both["false_dispatches_per_day"]


def test_end_to_end_command_with_a_detector_says_what_it_varied(tmp_path, capsys):
    out = tmp_path / "e2e"
    argv = [
        "tune",
        "--end-to-end",
        "--detector",
        "fishing",
        "--out",
        str(out),
        "--duration",
        "1h",
        "--seeds",
        "1",
    ]
    assert main([*argv, "--set", "detection.threshold.swimming=0.7"]) == 0
    assert "threshold: fishing threshold varied (swimming 0.7)" in capsys.readouterr().out
    assert len(pd.read_csv(out / "end_to_end.csv")) == 9


def test_tune_needs_a_detector_or_end_to_end(tmp_path, capsys):
    assert main(["tune", "--out", str(tmp_path / "x")]) == 2
    assert "--detector" in capsys.readouterr().err


def test_hit_runs_by_hand():
    """Runs end at a miss or where the next hit is on another track (the k-of-n rule counts per track)."""
    frames = pd.DataFrame(
        {
            "group": ["a"] * 10 + ["b"] * 2,
            "t": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0.0, 0.5],
            "score": [0, 0.9, 0.9, 0.9, 0, 0.9, 0.9, 0, 0, 0.9, 0.9, 0.9],
            "track": [-1, 1, 1, 2, -1, 3, 3, -1, -1, 4, 7, 7],
        }
    )
    # Group a: hits at 1, 2, 3, 5, 6, 9; held 1→2, 2→3, 3→4, 5→6, 6→7 (5 s); ended at 2→3 (switch),
    # 3→4 and 6→7 (misses); 9 has no successor. Group b: one hit pair held 0.5 s, never ended.
    assert fit_hit_runs(frames, thresholds=(0.5,)) == pytest.approx(5.5 / 3)
    assert fit_hit_runs(frames.assign(score=0.0), thresholds=(0.5,)) == 0.0


def test_detectability_fit_finds_how_long_an_offender_stays_easy_or_hard_to_see():
    """Offsets redrawn every 60 s: of the candidate spells the likelihood prefers 60 s to a whole visit.

    40 offenders seen for 600 s, so 400 spells, as many as before: the spread of their offsets and the
    choice between spells rest on them. Each spell shows 20 frames (one every 3 s); it used to be drawn at
    2 frames/s, but :data:`sim.calibration.detectability.MAX_FIT_FRAMES` thinned the 48,000 frames to every
    third before the fit, so the fit saw 40 a spell and took two and a half times as long. Each frame's
    offender height varies (10·2^U(−1, 1) px, 1.2 logit per doubling), so the size slope is identifiable:
    with one height for all its column is zero, the fitted slope 0 falls below
    :data:`sim.calibration.fit_inputs.MIN_SIZE_SLOPE`, and every candidate was fitted a second time with the
    slope held at that floor, which changed nothing but the time."""
    rng = np.random.default_rng(4)
    groups, seconds, fps = 40, 600, 1 / 3
    t = np.arange(0, seconds, 1 / fps)
    rows = []
    for g in range(groups):
        own = 1.5 * rng.normal(size=int(seconds // 60) + 1)[(t // 60).astype(int)]
        pixels = 10.0 * 2.0 ** rng.uniform(-1, 1, len(t))
        eta = -1.0 + 1.2 * np.log2(pixels / 10.0) + own
        scores = sigmoid(eta + rng.logistic(size=len(t)))
        rows.append(
            pd.DataFrame(
                {"group": g, "t": t, "pixels": pixels, "light": 2, "weather": "clear", "score": scores}
            )
        )
    frames = pd.concat(rows, ignore_index=True)
    best = fit_detectability(frames, 10.0, spells=(0.0, 300.0, 60.0))
    assert best["offender_spell_s"] == 60.0
    assert best["offender_sd"] == pytest.approx(1.5, abs=0.3)
    assert best["intercept"] == pytest.approx(-1.0, abs=0.3)
    assert best["size_slope"] == pytest.approx(1.2, abs=0.1)


def test_end_to_end_figure_labels_each_threshold_once_where_outcomes_coincide(tmp_path):
    """Thresholds with the same false dispatches and misses get one label between them, not a smudge of
    overprinted ones; distinct points are all labelled, the ends of the curve first."""
    from sim.calibration.figures import draw_end_to_end_figure, end_to_end_figure

    table = pd.DataFrame(
        {
            "threshold": [0.1, 0.2, 0.3, 0.8, 0.9],
            "response_p50_s": [300.0, 200.0, 150.0, 100.0, 100.0],
            "missed_share": [0.0, 0.0, 0.0, 0.0, 0.0],
            "false_dispatches_per_day": [2000.0, 500.0, 100.0, 3.0, 3.0],
        }
    )
    left, right = end_to_end_figure(table, "test").axes
    labels = [sorted(t.get_text() for t in ax.texts) for ax in (left, right)]
    assert labels[0] == ["τ=0.10", "τ=0.20", "τ=0.30", "τ=0.90"]  # 0.8 sits on 0.9
    assert "τ=0.80" not in labels[1] and {"τ=0.90", "τ=0.10"} <= set(labels[1])
    assert right.get_ylim()[0] == 0.0  # no negative share of misses
    path = draw_end_to_end_figure(table, tmp_path / "e2e.png", "test")
    assert path.read_bytes().startswith(b"\x89PNG")
