"""``run_sim.py tune``: score a pixel-mode detector on rendered clips and calibrate statistical mode.

For each case of a grid of conditions (light × weather, each with its own
seed), a labelled clip is rendered from a camera that sees the detector's
no-go areas: two offenders of the detector's kind placed at random in those
areas (so distances vary) and distractors (ducks, debris and boats on the water
for swimming; walkers on the promenade for fishing). The detector runs on every
frame, at ``detection.analysis_width`` pixels wide, and for fishing also on the
camera's far-bank tile at full resolution (``cameras.N.fishing_tile_beyond``,
:mod:`sim.pixel.far_bank_tile`), as pixel mode does; per threshold the module
measures per-frame precision, recall and F1, false alarms per camera-hour and
the time to detect (the k-of-n rule of ``detection.persistence`` on tracks).
The clips are :mod:`sim.calibration.clip_scenes`, the detector's watch over them
:mod:`sim.calibration.clip_observation`, the tables :mod:`sim.calibration.tune_tables`;
this module runs them and the fits and writes the output folder (:func:`tune`).

Calibration. Statistical mode models a frame's hit as score > τ with
logit(score) ~ Logistic(η, 1), η = intercept + slope · log2(pixels / reference)
+ light + weather (:mod:`sim.sensing.statistical`). For every truth offender in every frame
its best matched score s is recorded (0 if unmatched) with its projected pixel
height (the same function statistical mode uses, at the camera's full
resolution), light and weather; then P(s > τ) = σ(η − logit τ) is fitted by
maximum likelihood (Newton's method) over several thresholds at once, the
−logit τ entering as a known offset. False alarms: the rate of k-of-n alarms on
anything but an offender, counted per light, weather and τ with each
condition's camera-hours (``false_alarms.csv``), fitted as
max_rate · exp(a[light] + b[weather]) · σ(c − s · logit τ)
(:func:`sim.calibration.false_alarm_fits.fit_false_alarm_model`). The weather's offsets on the ``hazard``
model's alarm rates, with their intervals (``hazard_weather.csv``): :mod:`sim.calibration.hazard_weather`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.calibration_file import write_calibration
from sim.calibration.clip_observation import observe
from sim.calibration.clip_scenes import LIGHTS, WEATHERS, cases_for
from sim.calibration.detectability import fit_detectability
from sim.calibration.false_alarm_fits import fit_false_alarm_model
from sim.calibration.fit_inputs import FIT_THRESHOLDS
from sim.calibration.hazard_weather import hazard_weather
from sim.calibration.hit_runs import fit_hit_runs
from sim.calibration.tune_tables import (
    cause_table,
    distance_table,
    false_alarm_table,
    light_table,
    size_table,
    threshold_table,
    tone_table,
)
from sim.errors import TuningError
from sim.pixel.pixel_camera import create_pixel_detector
from sim.scenario.models import Kind, Scenario, SensorType


def tune(
    scenario: Scenario,
    kind: Kind,
    out: Path,
    *,
    seconds: float = 40.0,
    clips_per_condition: int = 1,
    thresholds: np.ndarray | None = None,
    seed: int = 0,
    calibration_in: Path | None = None,
    lights=LIGHTS,
    weathers=WEATHERS,
    sensor: SensorType | None = None,
    progress: bool = True,
    command: str = "",
) -> dict:
    """Run the tuning of one detector into the folder ``out``; returns a short summary. ``sensor``: render
    the cameras as cameras of this sensor, with its detector parameters (None: as the scenario has
    them)."""
    thresholds = np.round(np.arange(0.05, 0.96, 0.05), 4) if thresholds is None else np.asarray(thresholds)
    operating = scenario.detection.threshold_for(kind)  # the alarm filter of this kind in pixel mode
    thresholds = np.unique(np.concatenate([thresholds, FIT_THRESHOLDS, [operating]]))
    cases = cases_for(scenario, kind, clips_per_condition, seed, lights, weathers, sensor)
    fitted = fitted_sensor(scenario, cases, sensor)
    for camera_sensor in {sensor} if sensor else {c.sensor for c in scenario.cameras}:
        for light in sorted({case.light for case in cases}):  # bad parameters fail before anything is written
            create_pixel_detector(kind, scenario.detection.pixel_detectors, camera_sensor, light)
    out.mkdir(parents=True, exist_ok=True)
    observations = observe(scenario, kind, cases, seconds, thresholds, progress=progress)
    table = threshold_table(observations, thresholds)
    tables = _write_tables(observations, table, thresholds, operating, fitted, out)
    with_f1 = table.dropna(subset=["f1"])
    best = with_f1.loc[with_f1["f1"].idxmax()] if len(with_f1) else None
    frames = observations.offender_frames()
    if frames.empty:  # bad input (too short clips, cameras that see no offender), not a bug of the fit
        raise TuningError("no offender was ever in view: nothing to calibrate")
    hit_model = fit_detectability(frames, scenario.calibration.reference_pixels)
    hit_model["hit_run_s"] = fit_hit_runs(frames)
    false_alarm_fit = fit_false_alarm_model(false_alarm_table(observations, thresholds))
    by_weather = _hazard_weather(scenario, observations, frames, operating)
    by_weather.to_csv(out / "hazard_weather.csv", index=False)
    # The fits' input kept, so that other fits (or clip runs pooled) need not render the clips again.
    frames.to_csv(out / "offender_frames.csv.gz", index=False, compression={"method": "gzip", "mtime": 0})
    credited_table(observations).to_csv(out / "credited_alarms.csv", index=False)
    base = scenario.calibration.model_dump(mode="json")
    if calibration_in is not None and calibration_in.is_file():
        base = json.loads(calibration_in.read_text(encoding="utf-8"))
    terms = base if fitted is SensorType.VISIBLE else base.get("sensors", {}).get(fitted.value, {})
    source = (
        f"Fitted for {kind.value} by `{command or 'run_sim.py tune'}`: {len(cases)} rendered clips of "
        f"{seconds:g} s ({fitted.value} cameras; {', '.join(sorted({c.light.value for c in cases}))}; "
        f"{', '.join(sorted({c.weather.value for c in cases}))}), {observations.n_truth} offender-frames, "
        f"{observations.camera_hours:.2f} camera-hours. " + terms.get("source", "")
    )
    write_calibration(base, kind, hit_model, false_alarm_fit, source[:2000], out / "calibration.json", fitted)
    from sim.calibration.figures import draw_recall_by_light, tuning_figures  # matplotlib only when drawing

    tuning_figures(table, observations, out, kind.value)
    title = f"{kind.value} detector at threshold {operating:g}: {len(cases)} clips of {seconds:g} s"
    draw_recall_by_light(tables["by_light"], out / "recall_by_light.png", title)
    return {
        "kind": kind.value,
        "clips": len(cases),
        "camera_hours": round(observations.camera_hours, 3),
        "offender_frames": observations.n_truth,
        "best_f1_threshold": None if best is None else float(best["threshold"]),
        "best_f1": None if best is None else float(best["f1"]),
        "operating_point": table.loc[np.isclose(table["threshold"], operating)].iloc[0].to_dict(),
        **tables,
        "hazard_weather": by_weather,
        "hit_model": hit_model,
        "false_alarms": false_alarm_fit,
    }


def _write_tables(
    observations, table: pd.DataFrame, thresholds: np.ndarray, operating: float, fitted: SensorType, out: Path
) -> dict[str, pd.DataFrame]:
    """Write the threshold ``table`` and the tables of false alarms, their causes and recall by size, skin
    tone, distance and light (at the ``operating`` threshold) into ``out``; returns the recall tables by
    name (``by_size``, ``by_tone``, ``by_distance``, ``by_light``)."""
    table.to_csv(out / "thresholds.csv", index=False, na_rep="")
    false_alarm_table(observations, thresholds).to_csv(out / "false_alarms.csv", index=False)
    cause_table(observations).to_csv(out / "false_alarm_causes.csv", index=False)
    tables = {
        "by_size": size_table(observations, operating),
        "by_tone": tone_table(observations, operating),
        "by_distance": distance_table(observations, operating),
        "by_light": light_table(observations, operating, fitted.value),
    }
    for name, recall in tables.items():
        recall.to_csv(out / f"{name}.csv", index=False)
    return tables


def credited_table(observations) -> pd.DataFrame:
    """Each offender's first alarm per threshold (columns ``threshold``, ``group``, ``t`` in s): the alarms
    :attr:`sim.calibration.clip_observation.Observations.alarmed` credits."""
    rows = [
        (t, group, when) for t, alarmed in observations.alarmed.items() for group, when in alarmed.items()
    ]
    return pd.DataFrame(sorted(rows), columns=["threshold", "group", "t"])


def _hazard_weather(scenario: Scenario, observations, frames: pd.DataFrame, operating: float) -> pd.DataFrame:
    """The weather's offsets on the alarm rates (:func:`sim.calibration.hazard_weather.hazard_weather`),
    counted with pixel mode's credited alarms at the kind's threshold ``operating``."""
    at = next(t for t in observations.alarmed if np.isclose(t, operating))
    credited = pd.Series(observations.alarmed[at], dtype=float)
    persistence = scenario.detection.persistence
    reference = scenario.calibration.reference_pixels
    return hazard_weather(frames, credited, reference, operating, persistence.k, persistence.n)


def fitted_sensor(scenario: Scenario, cases: list, sensor: SensorType | None) -> SensorType:
    """The sensor type whose calibration terms a tune fits: ``sensor`` (``--sensor``), else that of the
    clips' cameras, which must all be of one type (their detections are pooled in one fit)."""
    if sensor is not None:
        return sensor
    types = {camera.id: camera.sensor for camera in scenario.cameras}
    found = sorted({types[case.camera_id] for case in cases}, key=lambda t: t.value)
    if len(found) > 1:
        raise TuningError(
            "the clips' cameras are visible and thermal ones: pass --sensor visible or --sensor thermal to "
            "fit one camera type's terms"
        )
    return found[0]
