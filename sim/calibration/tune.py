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
(:func:`sim.calibration.fits.fit_false_alarm_model`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from tqdm import tqdm

from detectors.alarm_filter import AlarmFilter
from detectors.base import Detections
from sim.calibration.fits import (
    FIT_THRESHOLDS,
    OFFENDER_FRAME_COLUMNS,
    fit_detectability,
    fit_false_alarm_model,
    fit_hit_runs,
    write_calibration,
)
from sim.core.rng import RandomStreams
from sim.errors import TuningError
from sim.pixel.pixel_camera import (
    DETECTED_CLASS,
    OFFENDER_CLASS,
    analysis_view,
    create_pixel_detector,
    offender_at,
    score_offenders,
)
from sim.render.actors import ActorClass, MovingThing, shore_path
from sim.render.conditions import Conditions
from sim.render.sprites import SKIN, _pick
from sim.scenario.models import Kind, Light, Scenario, Weather
from sim.world.cameras import CameraModel, visible_region
from sim.world.daylight import LIGHT_ORDER
from sim.world.geometry import ZoneGeometry, sample_in
from sim.world.incidents import Track

SKIN_TONES = ("light", "medium", "dark")
"""Names of the renderer's skin tones (:data:`sim.render.sprites.SKIN`, in its order)."""

LIGHTS = (Light.DAY, Light.DUSK, Light.NIGHT)
WEATHERS = (Weather.CLEAR, Weather.HAZE, Weather.FOG, Weather.RAIN)
WARMUP_S = 5.0
"""Frames before this are not scored: background models are still learning."""


@dataclass(frozen=True)
class Case:
    light: Light
    weather: Weather
    camera_id: str
    seed: int


@dataclass
class Observations:
    """Everything measured over the clips of one tuning run."""

    scores: list[np.ndarray] = field(default_factory=list)
    """Per frame: confidences of the detector's reported detections."""
    labels: list[np.ndarray] = field(default_factory=list)
    """Per frame: which of them matched an offender."""
    n_truth: int = 0
    offender_rows: list[tuple[str, float, float, int, str, float, int]] = field(default_factory=list)
    """Per offender per frame, :data:`sim.calibration.fits.OFFENDER_FRAME_COLUMNS`: the fits' input."""

    def offender_frames(self) -> pd.DataFrame:
        columns = list(OFFENDER_FRAME_COLUMNS)
        return pd.DataFrame(self.offender_rows, columns=columns)

    false_alarms: dict[float, int] = field(default_factory=dict)
    false_alarms_by_condition: dict[tuple[str, str, float], int] = field(default_factory=dict)
    """Per (light, weather, threshold): k-of-n alarms on anything but an offender."""
    camera_hours_by_condition: dict[tuple[str, str], float] = field(default_factory=dict)
    """Per (light, weather): scored camera-hours, the false alarms' exposure."""
    alarmed: dict[float, set[str]] = field(default_factory=dict)
    """Per threshold: the offenders (``group`` of :attr:`offender_rows`) that raised a k-of-n alarm."""
    detect_delays: dict[float, list[float]] = field(default_factory=dict)
    """Per threshold: time from first visibility to alarm of each offender that got one, s."""
    offenders_seen: int = 0
    camera_hours: float = 0.0
    skin_tones: dict[str, str] = field(default_factory=dict)
    """Per offender (``group`` of :attr:`offender_rows`): the skin tone its sprite is drawn with."""


def relevant_cameras(scenario: Scenario, geometry: ZoneGeometry, kind: Kind) -> list[str]:
    """Cameras whose view covers at least 200 m² of this kind's no-go areas."""
    areas = shapely.union_all([a.region for a in geometry.areas(kind.value)])
    return [
        c.id
        for c in scenario.cameras
        if visible_region(CameraModel(c), geometry.islands).intersection(areas).area > 200.0
    ]


def _scene(
    scenario: Scenario,
    geometry: ZoneGeometry,
    kind: Kind,
    camera: CameraModel,
    seconds: float,
    rng: np.random.Generator,
    clip: int = 0,
) -> list[MovingThing]:
    """Offenders and distractors of one clip. The offenders' names carry ``clip`` (the clip's seed): a
    sprite's look (skin tone, clothes) follows its name, so the tones cycle over clips."""
    view = visible_region(camera, geometry.islands)
    areas = shapely.union_all([a.region for a in geometry.areas(kind.value)]).intersection(view)
    water = geometry.water.intersection(view)
    spec = getattr(scenario.incidents, kind.value)
    things = []

    def thing(name, cls, region, speed, own=False, facing=None, cycle=1.4, start=0.0):
        p0 = np.array(sample_in(region, rng))
        angle = rng.uniform(0, 2 * math.pi)
        p1 = p0 + speed * (seconds + 1 - start) * np.array([math.sin(angle), math.cos(angle)])
        track = Track(np.array([start, seconds + 1.0]), np.array([p0, p1]))
        return MovingThing(name, cls, track, start, seconds + 1.0, cycle, facing=facing, own=own)

    for i in range(2):
        # Offenders arrive after the background model has warmed up, as incidents do in a run:
        # someone present from the first frame would be learnt as background.
        arrival = WARMUP_S + float(rng.uniform(1.0, 6.0))
        if arrival >= seconds + 1.0:  # the clip (and its last second) ends before the offender arrives
            raise TuningError(f"--seconds {seconds:g}: too short, an offender arrives at {arrival:.1f} s")
        if kind is Kind.SWIMMING:
            things.append(
                thing(f"offender-{clip}-{i}", ActorClass.SWIMMER, areas, spec.drift_speed, start=arrival)
            )
        else:
            p0 = np.array(sample_in(areas, rng))
            nearest = shapely.ops.nearest_points(geometry.water, shapely.Point(p0))[0]
            facing = math.atan2(nearest.x - p0[0], nearest.y - p0[1])
            track = Track(np.array([arrival, seconds + 1.0]), np.array([p0, p0]))
            cycle = float(rng.uniform(20, 90))
            things.append(
                MovingThing(
                    f"offender-{clip}-{i}",
                    ActorClass.FISHER,
                    track,
                    arrival,
                    seconds + 1.0,
                    cycle,
                    facing=facing,
                )
            )
    if kind is Kind.SWIMMING:
        things += [
            thing("duck-0", ActorClass.BIRD, areas, 0.15),
            thing("duck-1", ActorClass.BIRD, water, 0.1),
            thing("debris-0", ActorClass.DEBRIS, areas, 0.05),
            thing("boat-0", ActorClass.BOAT, water, 2.5, own=True, cycle=2.0),
        ]
    else:
        path = shore_path(geometry, scenario.render.path_offset)
        near = path.intersection(view.buffer(5.0))
        for i in range(3):
            if near.is_empty:
                break
            start = path.project(shapely.Point(sample_in(near.buffer(3.0), rng)))
            pace = rng.choice([-1.0, 1.0]) * rng.uniform(1.0, 1.6)
            distances = start + pace * np.arange(0.0, seconds + 2.0)
            xy = shapely.get_coordinates(shapely.line_interpolate_point(path, np.mod(distances, path.length)))
            things.append(
                MovingThing(
                    f"walker-{i}",
                    ActorClass.WALKER,
                    Track(np.arange(0, seconds + 2.0), xy),
                    0.0,
                    seconds + 1.0,
                    1.1,
                )
            )
    return things


def observe(
    scenario: Scenario,
    kind: Kind,
    cases: list[Case],
    seconds: float,
    thresholds: np.ndarray,
    progress: bool = True,
) -> Observations:
    """Render every case, run the scenario's detector (``detection.pixel_detectors``) on what pixel mode
    analyses, and collect what is needed for the table and the calibration."""
    geometry = ZoneGeometry(scenario)
    persistence = scenario.detection.persistence
    observations = Observations(
        false_alarms={float(t): 0 for t in thresholds},
        alarmed={float(t): set() for t in thresholds},
        detect_delays={float(t): [] for t in thresholds},
    )
    bar = tqdm(total=len(cases), unit="clip", disable=not progress, leave=False, desc=f"tune {kind}")
    for case in cases:
        spec = next(c for c in scenario.cameras if c.id == case.camera_id)
        full, fps = CameraModel(spec), spec.fps
        # What pixel mode analyses: the analysis-width frame and, for fishing, the camera's far-bank tile.
        renderer, context, tile = analysis_view(spec, scenario, geometry, None, case.seed)
        tile = tile if kind is Kind.FISHING else None
        rng = RandomStreams(case.seed).stream(f"tune/{kind}/{case.camera_id}/{case.light}/{case.weather}")
        things = _scene(scenario, geometry, kind, renderer.camera, seconds, rng, case.seed)
        detector = create_pixel_detector(kind, scenario.detection.pixel_detectors)
        filters = {float(t): AlarmFilter(float(t), persistence.k, persistence.n) for t in thresholds}
        first_seen: dict[str, float] = {}
        # As pixel mode sees them: the camera's infrared mode, uncompressed (sim.pixel.pixel_camera's
        # docstring).
        conditions = Conditions(case.light, case.weather, scenario.run.wind_speed, full.spec.infrared)
        offender = OFFENDER_CLASS[kind]
        height_m = getattr(scenario.incidents, kind.value).visible_height
        for number in range(int(seconds * fps)):
            t = number / fps
            actors = [a for thing in things if (a := thing.at(t)) is not None]
            frame = renderer.render(t, actors, conditions, number)
            detections = detector.update(frame.image, t, context)
            if tile is not None:
                detections = Detections.merge([detections, tile.detect(t, number, actors, conditions)])
            if t < WARMUP_S:
                continue
            truth = [b for b in frame.truth if b.cls is offender]
            mine = detections[detections.class_id == DETECTED_CLASS[kind]]
            positive, offenders = score_offenders(mine, frame, kind)
            observations.scores.append(mine.confidence)
            observations.labels.append(positive)
            observations.n_truth += len(truth)
            actors_by_id = {a.id: a for a in actors}
            actor_xy = {a.id: (a.x, a.y) for a in actors}
            pixels = full.pixel_height(
                np.array([actor_xy[actor_id] for actor_id, _, _ in offenders]).reshape(-1, 2), height_m
            )
            for (actor_id, best, track), size in zip(offenders, pixels, strict=True):
                first_seen.setdefault(actor_id, t)
                observations.skin_tones.setdefault(
                    f"{case.seed}/{actor_id}", skin_tone(actors_by_id[actor_id])
                )
                observations.offender_rows.append(
                    (
                        f"{case.seed}/{actor_id}",
                        t,
                        float(size),
                        LIGHT_ORDER.index(case.light),
                        case.weather.value,
                        best,
                        track,
                    )
                )
            for threshold, alarm_filter in filters.items():
                for alarm in alarm_filter.update(mine, t):
                    hit = offender_at(alarm.xyxy, truth)
                    if hit is None:
                        observations.false_alarms[threshold] += 1
                        key = (case.light.value, case.weather.value, threshold)
                        by_condition = observations.false_alarms_by_condition
                        by_condition[key] = by_condition.get(key, 0) + 1
                    elif f"{case.seed}/{hit}" not in observations.alarmed[threshold]:
                        observations.alarmed[threshold].add(f"{case.seed}/{hit}")
                        observations.detect_delays[threshold].append(t - first_seen[hit])
        observations.offenders_seen += len(first_seen)
        hours = max(0.0, seconds - WARMUP_S) / 3600.0
        observations.camera_hours += hours
        exposure = observations.camera_hours_by_condition
        condition = (case.light.value, case.weather.value)
        exposure[condition] = exposure.get(condition, 0.0) + hours
        bar.update()
    bar.close()
    return observations


def false_alarm_table(observations: Observations, thresholds: np.ndarray) -> pd.DataFrame:
    """One row per light × weather × threshold: light, weather, threshold, false_alarms (count) and
    camera_hours (that condition's exposure): the input of :func:`sim.calibration.fits.fit_false_alarms`."""
    rows = [
        {
            "light": light,
            "weather": weather,
            "threshold": round(float(threshold), 4),
            "false_alarms": observations.false_alarms_by_condition.get((light, weather, float(threshold)), 0),
            "camera_hours": round(hours, 6),
        }
        for (light, weather), hours in observations.camera_hours_by_condition.items()
        for threshold in thresholds
    ]
    return pd.DataFrame(rows, columns=["light", "weather", "threshold", "false_alarms", "camera_hours"])


def threshold_table(observations: Observations, thresholds: np.ndarray) -> pd.DataFrame:
    """One row per threshold: precision, recall, f1, false_alarms_per_hour, ttd_p50_s (empty: undefined)."""
    scores = np.concatenate(observations.scores) if observations.scores else np.zeros(0)
    labels = np.concatenate(observations.labels) if observations.labels else np.zeros(0, bool)
    rows = []
    for threshold in thresholds:
        kept = scores >= threshold
        tp, fp = int((labels & kept).sum()), int((~labels & kept).sum())
        precision = tp / (tp + fp) if tp + fp else None
        recall = tp / observations.n_truth if observations.n_truth else None
        f1 = 2 * tp / (2 * tp + fp + (observations.n_truth - tp)) if observations.n_truth + fp else None
        delays = observations.detect_delays[float(threshold)]
        rows.append(
            {
                "threshold": round(float(threshold), 4),
                "precision": _round(precision),
                "recall": _round(recall),
                "f1": _round(f1),
                "false_alarms_per_hour": round(
                    observations.false_alarms[float(threshold)] / observations.camera_hours, 3
                ),
                "ttd_p50_s": _round(float(np.median(delays)) if delays else None),
                "incidents_alarmed": f"{len(delays)}/{observations.offenders_seen}",
            }
        )
    return pd.DataFrame(rows)


SIZE_BANDS_PX = (0, 6, 12, 24, 48, 96, math.inf)
"""Bands of an offender's height at the camera's full resolution, px (halve for a 640-px analysis of a
1920-px camera's frames three times over: 6 px is 2 px analysed)."""


def skin_tone(actor) -> str:
    """The skin tone (:data:`SKIN_TONES`) the renderer draws ``actor`` with (it follows the variant)."""
    return SKIN_TONES[SKIN.index(_pick(SKIN, actor.variant))]


def size_table(observations: Observations, threshold: float) -> pd.DataFrame:
    """Recall by the offender's size at ``threshold``: one row per band of :data:`SIZE_BANDS_PX` holding
    offenders (each in the band of its median height): size_px, offenders, offender_frames, frame_recall
    (frames where a detection matching it scored at least the threshold), alarmed_share (offenders with a
    k-of-n alarm)."""
    frames = observations.offender_frames()
    if frames.empty:
        return _recall_by(frames, threshold, observations, "size_px")
    band = pd.cut(frames.groupby("group")["pixels"].median(), SIZE_BANDS_PX, right=False)
    label = {
        interval: f"{interval.left:g}-{'' if math.isinf(interval.right) else f'{interval.right:g}'}"
        for interval in band.cat.categories
    }
    frames["size_px"] = pd.Categorical(frames["group"].map(band).map(label), [*label.values()], ordered=True)
    return _recall_by(frames, threshold, observations, "size_px")


def tone_table(observations: Observations, threshold: float) -> pd.DataFrame:
    """Recall by the offender's skin tone at ``threshold`` (rows: skin_tone of :data:`SKIN_TONES` holding
    offenders; columns as :func:`size_table`): a detector must not depend on skin tone."""
    frames = observations.offender_frames()
    frames["skin_tone"] = pd.Categorical(
        frames["group"].map(observations.skin_tones), SKIN_TONES, ordered=True
    )
    return _recall_by(frames, threshold, observations, "skin_tone")


def _recall_by(frames: pd.DataFrame, threshold: float, observations: Observations, key: str) -> pd.DataFrame:
    columns = [key, "offenders", "offender_frames", "frame_recall", "alarmed_share"]
    if frames.empty:
        return pd.DataFrame(columns=columns)
    alarmed = observations.alarmed[float(threshold)]
    rows = []
    for value, members in frames.groupby(key, observed=True, sort=True):
        offenders = members["group"].unique()
        rows.append(
            {
                key: value,
                "offenders": len(offenders),
                "offender_frames": len(members),
                "frame_recall": round(float((members["score"] >= threshold).mean()), 4),
                "alarmed_share": round(sum(o in alarmed for o in offenders) / len(offenders), 4),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def cases_for(
    scenario: Scenario, kind: Kind, clips_per_condition: int, seed: int, lights=LIGHTS, weathers=WEATHERS
) -> list[Case]:
    cameras = relevant_cameras(scenario, ZoneGeometry(scenario), kind)
    if not cameras:
        raise TuningError(f"no camera of the scenario sees a {kind.value} no-go area")
    cases = []
    for light in lights:
        for weather in weathers:
            for _ in range(clips_per_condition):
                index = len(cases)
                cases.append(Case(light, weather, cameras[index % len(cameras)], seed * 1000 + index))
    return cases


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
    progress: bool = True,
    command: str = "",
) -> dict:
    """Run the tuning of one detector into the folder ``out``; returns a short summary."""
    thresholds = np.round(np.arange(0.05, 0.96, 0.05), 4) if thresholds is None else np.asarray(thresholds)
    operating = scenario.detection.threshold_for(kind)  # the alarm filter of this kind in pixel mode
    thresholds = np.unique(np.concatenate([thresholds, FIT_THRESHOLDS, [operating]]))
    out.mkdir(parents=True, exist_ok=True)
    cases = cases_for(scenario, kind, clips_per_condition, seed, lights, weathers)
    create_pixel_detector(kind, scenario.detection.pixel_detectors)  # bad parameters fail before rendering
    observations = observe(scenario, kind, cases, seconds, thresholds, progress=progress)
    table = threshold_table(observations, thresholds)
    table.to_csv(out / "thresholds.csv", index=False, na_rep="")
    false_alarm_table(observations, thresholds).to_csv(out / "false_alarms.csv", index=False)
    by_size = size_table(observations, operating)
    by_size.to_csv(out / "by_size.csv", index=False)
    by_tone = tone_table(observations, operating)
    by_tone.to_csv(out / "by_tone.csv", index=False)
    with_f1 = table.dropna(subset=["f1"])
    best = with_f1.loc[with_f1["f1"].idxmax()] if len(with_f1) else None
    frames = observations.offender_frames()
    if frames.empty:  # bad input (too short clips, cameras that see no offender), not a bug of the fit
        raise TuningError("no offender was ever in view: nothing to calibrate")
    hit_model = fit_detectability(frames, scenario.calibration.reference_pixels)
    hit_model["hit_run_s"] = fit_hit_runs(frames)
    false_alarm_fit = fit_false_alarm_model(false_alarm_table(observations, thresholds))
    base = scenario.calibration.model_dump(mode="json")
    if calibration_in is not None and calibration_in.is_file():
        base = json.loads(calibration_in.read_text(encoding="utf-8"))
    source = (
        f"Fitted for {kind.value} by `{command or 'run_sim.py tune'}`: {len(cases)} rendered clips of "
        f"{seconds:g} s ({', '.join(sorted({c.light.value for c in cases}))}; "
        f"{', '.join(sorted({c.weather.value for c in cases}))}), {observations.n_truth} offender-frames, "
        f"{observations.camera_hours:.2f} camera-hours. " + base.get("source", "")
    )
    write_calibration(base, kind, hit_model, false_alarm_fit, source[:2000], out / "calibration.json")
    from sim.calibration.figures import tuning_figures  # matplotlib only when drawing

    tuning_figures(table, observations, out, kind.value)
    return {
        "kind": kind.value,
        "clips": len(cases),
        "camera_hours": round(observations.camera_hours, 3),
        "offender_frames": observations.n_truth,
        "best_f1_threshold": None if best is None else float(best["threshold"]),
        "best_f1": None if best is None else float(best["f1"]),
        "operating_point": table.loc[np.isclose(table["threshold"], operating)].iloc[0].to_dict(),
        "by_size": by_size,
        "by_tone": by_tone,
        "hit_model": hit_model,
        "false_alarms": false_alarm_fit,
    }


def end_to_end(
    scenario: Scenario,
    thresholds: np.ndarray,
    seeds: list[int],
    progress: bool = True,
    kind: Kind | None = None,
) -> pd.DataFrame:
    """Statistical runs at each threshold on the same incidents (common random numbers); a row per threshold.

    ``kind``: only that kind's threshold takes each value, the other kinds keep the scenario's; None: every
    kind's threshold takes it. Columns: threshold, runs, response_p50_s (median over all warned incidents
    of all seeds), missed_share (never detected, among incidents that ended), false_dispatches_per_day,
    detection_rate (all kinds' incidents together).
    """
    from sim.engine import run

    rows = []
    days = scenario.run.duration / 86400.0
    bar = tqdm(
        total=len(thresholds) * len(seeds), unit="run", disable=not progress, leave=False, desc="end to end"
    )
    for threshold in thresholds:
        varied: float | dict = float(threshold)
        if kind is not None:  # the other kinds keep the scenario's thresholds
            varied = {**scenario.detection.thresholds, kind: float(threshold)}
        detection = scenario.detection.model_copy(update={"threshold": varied})
        variant = scenario.model_copy(update={"detection": detection})
        responses, missed, ended, false_dispatches, detected, judged = [], 0, 0, 0, 0, 0
        for seed in seeds:
            result = run(variant, seed=seed)
            incidents = result.incidents
            responses += list((incidents["t_warning"] - incidents["t_start"]).dropna())
            finished = incidents[incidents["outcome"] != "unresolved"]
            ended += len(finished)
            missed += int((finished["outcome"] == "missed").sum())
            false_dispatches += result.summary["false_dispatches"]
            rate = result.summary["detection_rate"]
            if rate is not None:
                detected += rate * result.summary["counts"]["incidents"]
                judged += result.summary["counts"]["incidents"]
            bar.update()
        rows.append(
            {
                "threshold": round(float(threshold), 4),
                "runs": len(seeds),
                "response_p50_s": round(float(np.median(responses)), 2) if responses else None,
                "missed_share": round(missed / ended, 4) if ended else None,
                "false_dispatches_per_day": round(false_dispatches / (days * len(seeds)), 3),
                "detection_rate": round(detected / judged, 4) if judged else None,
            }
        )
    bar.close()
    return pd.DataFrame(rows)
