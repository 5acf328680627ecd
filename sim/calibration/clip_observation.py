"""A pixel-mode detector watching rendered clips: what it scored, on whom, and which alarms it raised.

Each clip (:class:`sim.calibration.clip_scenes.ClipCase`) is rendered as pixel mode analyses it (the
analysis-width frame and, for fishing, the camera's far-bank tile at full resolution,
:mod:`sim.pixel.far_bank_tile`; the shore path's street lamps, lit at night); the scenario's detector runs
on every frame. :func:`observe` records
per frame the detections' scores and which matched an offender, per offender per frame its best score
and projected size (the fits' input, :data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS`), and
the k-of-n alarms of ``detection.persistence`` at every threshold, on offenders, false, or not scored.

An alarm on an offender drawn just beyond the camera's analysed range (``max_range``: such an offender has no
truth box, though the part of it nearest the lens may be analysed) is **not scored**: neither a hit nor a
false alarm, counted apart (:attr:`Observations.not_scored`). Detection benchmarks treat unlabelled objects
so: KITTI's "DontCare" regions hold objects left unlabelled because they were too far away, and detections
in them are not counted as false positives (Geiger, Lenz & Urtasun 2012, *CVPR*, the object benchmark's
development kit); COCO's ``iscrowd`` regions likewise (Lin et al. 2014, *ECCV*).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry
from tqdm import tqdm

from detectors.alarm_filter import AlarmFilter
from detectors.base import Detections, Detector, FrameContext
from sim.calibration.clip_scenes import WARMUP_S, ClipCase, clip_things, skin_tone
from sim.calibration.fit_inputs import OFFENDER_FRAME_COLUMNS
from sim.core.rng import RandomStreams
from sim.pixel.far_bank_tile import FarBankTile
from sim.pixel.pixel_camera import (
    DETECTED_CLASS,
    OFFENDER_CLASS,
    analysis_view,
    create_pixel_detector,
    inside_areas,
    offender_at,
    score_offenders,
)
from sim.render.actors import ActorClass, MovingThing, lamp_positions
from sim.render.conditions import Conditions
from sim.render.renderer import Renderer
from sim.render.thermal_scene import typical_conditions
from sim.scenario.models import Kind, Scenario
from sim.sensing.analysed_size import AnalysedScale
from sim.world.daylight import LIGHT_ORDER
from sim.world.geometry import ZoneGeometry

CLIPS_VERSION = 2
"""Raised whenever tune clips are set up or watched differently while the renderer draws the same frames
(:data:`sim.render.frames_version.FRAMES_VERSION` covers the renderer): evidence folders record both, so
chunks of two versions never mix. 2 (2026-12-06): the street lamps pixel mode draws are in the clips (lit
at night only: day and dusk clips are unchanged); 1: without them."""


@dataclass
class Observations:
    """Everything measured over the clips of one tuning run."""

    scores: list[np.ndarray] = field(default_factory=list)
    """Per frame: confidences of the detector's reported detections."""
    labels: list[np.ndarray] = field(default_factory=list)
    """Per frame: which of them matched an offender."""
    n_truth: int = 0
    offender_rows: list[tuple[str, float, float, int, str, float, int]] = field(default_factory=list)
    """Per offender per frame, :data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS`: the fits' input."""
    offender_distances: list[float] = field(default_factory=list)
    """Per row of :attr:`offender_rows` (when recorded by :func:`observe`): the offender's slant distance
    from the lens, m, what haze and fog dim it by (:func:`sim.render.conditions.fog_alpha`)."""
    false_alarms: dict[float, int] = field(default_factory=dict)
    false_alarms_by_condition: dict[tuple[str, str, float], int] = field(default_factory=dict)
    """Per (light, weather, threshold): k-of-n alarms on anything but an offender."""
    false_alarm_causes: dict[tuple[str, str, float, str], int] = field(default_factory=dict)
    """Per (light, weather, threshold, cause): the false alarms whose box centre lies in a truth box of that
    class (:class:`sim.render.actors.ActorClass` value; the first such box, nearest first), on an actor drawn
    beyond the analysed range, which has no truth box (``"swimmer beyond range"``), on an actor not drawn in
    that frame (a glint between flashes: its class), or on no actor (``"background"``: waves, shore,
    noise)."""
    not_scored: dict[tuple[str, str, float], int] = field(default_factory=dict)
    """Per (light, weather, threshold): k-of-n alarms on an offender drawn just beyond the analysed range
    (no truth box there): a real offender, so not a false alarm, and not a hit either (module docstring)."""
    camera_hours_by_condition: dict[tuple[str, str], float] = field(default_factory=dict)
    """Per (light, weather): scored camera-hours, the false alarms' exposure."""
    alarmed: dict[float, dict[str, float]] = field(default_factory=dict)
    """Per threshold: the offenders (``group`` of :attr:`offender_rows`) that raised a k-of-n alarm, each with
    the clip time of its first (s; :attr:`offender_rows`' ``t``)."""
    detect_delays: dict[float, list[float]] = field(default_factory=dict)
    """Per threshold: time from first visibility to alarm of each offender that got one, s."""
    offenders_seen: int = 0
    camera_hours: float = 0.0
    skin_tones: dict[str, str] = field(default_factory=dict)
    """Per offender (``group`` of :attr:`offender_rows`): the skin tone its sprite is drawn with."""
    distances: dict[str, list[float]] = field(default_factory=dict)
    """Per offender (``group`` of :attr:`offender_rows`): its slant distance from the lens in each frame it
    was in view, m."""

    def offender_frames(self) -> pd.DataFrame:
        """:attr:`offender_rows` as a table with :data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS`,
        and ``distance_m`` (:attr:`offender_distances`) where each row has one."""
        frames = pd.DataFrame(self.offender_rows, columns=list(OFFENDER_FRAME_COLUMNS))
        if self.offender_distances and len(self.offender_distances) == len(frames):
            frames["distance_m"] = self.offender_distances
        return frames


@dataclass
class _ClipRig:
    """What watching one clip needs: the renderer and detector as pixel mode runs them, and the clip's
    things, alarm filters (by threshold) and first sightings (s by actor id)."""

    renderer: Renderer
    context: FrameContext
    tile: FarBankTile | None
    size: AnalysedScale
    """The offenders' heights as the detector analyses them (:mod:`sim.sensing.analysed_size`)."""
    fps: float
    things: list[MovingThing]
    detector: Detector
    filters: dict[float, AlarmFilter]
    conditions: Conditions
    offender: ActorClass
    """The class of the detector's offenders (swimmer or angler)."""
    no_go: BaseGeometry
    """The kind's no-go areas: the offender rows hold an offender only while it stands inside them."""
    first_seen: dict[str, float] = field(default_factory=dict)


def observe(
    scenario: Scenario,
    kind: Kind,
    cases: list[ClipCase],
    seconds: float,
    thresholds: np.ndarray,
    progress: bool = True,
) -> Observations:
    """Render every case, run the scenario's detector (``detection.pixel_detectors``) on what pixel mode
    analyses, and collect what is needed for the table and the calibration."""
    geometry = ZoneGeometry(scenario)
    lamps = lamp_positions(scenario, geometry)
    observations = Observations(
        false_alarms={float(t): 0 for t in thresholds},
        alarmed={float(t): {} for t in thresholds},
        detect_delays={float(t): [] for t in thresholds},
    )
    bar = tqdm(total=len(cases), unit="clip", disable=not progress, leave=False, desc=f"tune {kind}")
    for case in cases:
        rig = _clip_rig(scenario, geometry, lamps, kind, case, seconds, thresholds)
        _watch_clip(observations, scenario, kind, case, rig, seconds)
        observations.offenders_seen += len(rig.first_seen)
        hours = max(0.0, seconds - WARMUP_S) / 3600.0
        observations.camera_hours += hours
        exposure = observations.camera_hours_by_condition
        condition = (case.light.value, case.weather.value)
        exposure[condition] = exposure.get(condition, 0.0) + hours
        bar.update()
    bar.close()
    return observations


def _clip_rig(
    scenario: Scenario,
    geometry: ZoneGeometry,
    lamps: np.ndarray,
    kind: Kind,
    case: ClipCase,
    seconds: float,
    thresholds: np.ndarray,
) -> _ClipRig:
    """The renderer, detector, things and alarm filters of one clip; ``lamps`` (n, 2), m: the street lamps."""
    spec = next(c for c in scenario.cameras if c.id == case.camera_id)
    spec = spec if case.sensor is None else spec.as_sensor(case.sensor)
    size, fps = AnalysedScale.of(spec, scenario.detection.analysis_width), spec.fps
    # What pixel mode analyses: the analysis-width frame and, for fishing, the camera's far-bank tile.
    renderer, context, tile = analysis_view(spec, scenario, geometry, lamps, case.seed, case.light)
    tile = tile if kind is Kind.FISHING else None
    rng = RandomStreams(case.seed).stream(f"tune/{kind}/{case.camera_id}/{case.light}/{case.weather}")
    things = clip_things(
        scenario, geometry, kind, renderer.camera, seconds, rng, case.seed, case.light, case.weather
    )
    detector = create_pixel_detector(kind, scenario.detection.pixel_detectors, spec.sensor, case.light)
    persistence = scenario.detection.persistence
    filters = {float(t): AlarmFilter(float(t), persistence.k, persistence.n) for t in thresholds}
    # As pixel mode sees them: the camera's infrared mode, uncompressed (sim.pixel.pixel_camera's
    # docstring); a thermal camera in the scenario's climate at a typical hour of the light.
    conditions = typical_conditions(scenario, spec, case.light, case.weather)
    offender, areas = OFFENDER_CLASS[kind], geometry.no_go(kind.value)
    return _ClipRig(
        renderer, context, tile, size, fps, things, detector, filters, conditions, offender, areas
    )


def _watch_clip(
    observations: Observations, scenario: Scenario, kind: Kind, case: ClipCase, rig: _ClipRig, seconds: float
) -> None:
    """Render the clip frame by frame, run the detector (and the far-bank tile) on each frame, and record
    every frame after :data:`sim.calibration.clip_scenes.WARMUP_S`."""
    offender = OFFENDER_CLASS[kind]
    height_m = getattr(scenario.incidents, kind.value).visible_height
    for number in range(int(seconds * rig.fps)):
        t = number / rig.fps
        actors = [a for thing in rig.things if (a := thing.at(t)) is not None]
        frame = rig.renderer.render(t, actors, rig.conditions, number)
        detections = rig.detector.update(frame.image, t, rig.context)
        if rig.tile is not None:
            detections = Detections.merge([detections, rig.tile.detect(t, number, actors, rig.conditions)])
        if t < WARMUP_S:
            continue
        truth = [b for b in frame.truth if b.cls is offender]
        mine = detections[detections.class_id == DETECTED_CLASS[kind]]
        positive, offenders = score_offenders(mine, frame, kind)
        observations.scores.append(mine.confidence)
        observations.labels.append(positive)
        observations.n_truth += len(truth)
        distances = {box.actor_id: box.distance_m for box in truth}
        _record_offenders(observations, case, rig, t, actors, offenders, kind, height_m, distances)
        for box in truth:
            observations.distances.setdefault(f"{case.seed}/{box.actor_id}", []).append(box.distance_m)
        _record_alarms(observations, case, rig, t, mine, truth, frame.truth, actors)


def _record_offenders(
    observations: Observations,
    case: ClipCase,
    rig: _ClipRig,
    t: float,
    actors: list,
    offenders: list,
    kind: Kind,
    height_m: float,
    distances: dict[str, float],
) -> None:
    """One row of :attr:`Observations.offender_rows` per offender in view at ``t`` (s) standing inside its
    kind's no-go areas, as pixel mode's score log keeps them (:func:`sim.pixel.pixel_camera.inside_areas`):
    its best score, the track of that detection and its height as the detector analyses it; and its
    distance (``distances``, m, by actor id: its truth box's). Every offender in view counts for its first
    sighting."""
    actors_by_id = {a.id: a for a in actors}
    for actor_id, _, _ in offenders:
        rig.first_seen.setdefault(actor_id, t)
    offenders, xy = inside_areas(offenders, actors, rig.no_go)
    pixels = rig.size.pixel_height(xy, height_m, kind)
    for (actor_id, best, track), size in zip(offenders, pixels, strict=True):
        observations.skin_tones.setdefault(f"{case.seed}/{actor_id}", skin_tone(actors_by_id[actor_id]))
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
        observations.offender_distances.append(distances[actor_id])


def _record_alarms(
    observations: Observations,
    case: ClipCase,
    rig: _ClipRig,
    t: float,
    mine: Detections,
    truth: list,
    everything: tuple,
    actors: list,
) -> None:
    """Feed the frame's detections ``mine`` to each threshold's alarm filter; count its alarms on no
    offender (``truth``: the offenders' boxes) as false, with what they lay on among ``everything`` (all the
    frame's truth boxes) or, failing that, among the drawn ``actors`` without a truth box (beyond the
    analysed range), except those on an offender beyond the analysed range (not scored); and the first alarm
    on each offender with the time since it was first seen."""
    labelled, offenders = {b.actor_id for b in everything}, {o.actor_id for o in truth}
    others = sorted((b for b in everything if b.actor_id not in offenders), key=_nearest)
    offender_beyond = f"{rig.offender.value} beyond range"
    for threshold, alarm_filter in rig.filters.items():
        for alarm in alarm_filter.update(mine, t):
            hit = offender_at(alarm.xyxy, truth)
            if hit is not None:
                if f"{case.seed}/{hit}" not in observations.alarmed[threshold]:
                    observations.alarmed[threshold][f"{case.seed}/{hit}"] = t
                    observations.detect_delays[threshold].append(t - rig.first_seen[hit])
                continue
            on = offender_at(alarm.xyxy, others)
            if on is None:
                cause = _unlabelled_under(alarm.xyxy, rig, actors, labelled)
            else:
                cause = next(b.cls.value for b in others if b.actor_id == on)
            key = (case.light.value, case.weather.value, threshold)
            if cause == offender_beyond:
                observations.not_scored[key] = observations.not_scored.get(key, 0) + 1
                continue
            observations.false_alarms[threshold] += 1
            by_condition = observations.false_alarms_by_condition
            by_condition[key] = by_condition.get(key, 0) + 1
            causes = observations.false_alarm_causes
            causes[(*key, cause)] = causes.get((*key, cause), 0) + 1


def _nearest(box) -> float:
    return box.distance_m


def _unlabelled_under(box, rig: _ClipRig, actors: list, labelled: set[str]) -> str:
    """What an alarm box lies on that has no truth box in this frame: an actor whose ground point projects
    within 4 px of the box's centre column and rows, ``"<class> beyond range"`` if it stands beyond the
    camera's analysed range (outside :meth:`sim.render.renderer.Renderer.analysed`: drawn, never labelled),
    else its class (not drawn in this frame: a glint between flashes); ``"background"`` (waves, shore,
    noise) if none."""
    rest = [a for a in actors if a.id not in labelled]
    if rest:
        cx = 0.5 * (box[0] + box[2])
        xy = np.array([(a.x, a.y) for a in rest])
        feet = rig.renderer.camera.ground_to_image(xy)
        # The renderer's own test: its footprint polygon lies inside the max_range circle, so an actor a
        # hair inside max_range may still stand beyond what gets a truth box.
        outside = ~rig.renderer.analysed(xy)
        for actor, (u, v), beyond in zip(rest, feet, outside, strict=True):
            if abs(u - cx) <= 4.0 and box[1] - 4.0 <= v <= box[3] + 4.0:
                return f"{actor.cls.value} beyond range" if beyond else actor.cls.value
    return "background"
