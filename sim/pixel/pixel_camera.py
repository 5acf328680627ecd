"""What a pixel-mode detector may know about its camera: masks and expected sizes, from the camera model.

This is the bridge from ``sim`` (zone geometry, camera geometry) to ``detectors``
(pixels only): :func:`camera_context` computes a
:class:`detectors.base.FrameContext` from the renderer's ground map, so the
detector's notion of "water", "bank", "no-swimming area" and "how big is a
person on this row" comes from the same camera model that draws the frames.

What the detectors see. A camera encodes its video at its own resolution
(1920 x 1080 by default); the edge decodes it and the detectors analyse it
downscaled to ``detection.analysis_width`` (640 px). Pixel mode renders the
analysis frame directly, and hands it to the detectors *uncompressed*: coding
artefacts at the camera's resolution are averaged away by the downscale.
Measured on the default scenario's cameras (day, clear; ``docs/detectors.md``):
JPEG q85 at 1920 px, decoded and downscaled to 640 px, differs from the
uncompressed downscale by 0.56-0.66 grey levels RMS in luma (0.75-1.0 in
chroma); encoding the 640-px frame itself at q85 gives 1.75-2.2 (2.1-2.7), three
times more, and its 4:2:0 chroma wipes out the colour of a 5-px swimmer. The
model holds while the camera's width is at least twice the analysis width
(the renderer adds sensor noise of several grey levels per pixel, which is what
the detectors must cope with). The alarm's snapshot is the analysed frame as a
JPEG at ``render.jpeg_quality``: its size is the alarm's payload.

Far banks. A camera with ``fishing_tile_beyond`` also has a crop of its
full-resolution frame, around the no-fishing banks it sees beyond that distance,
analysed by a fishing detector of its own (:mod:`sim.pixel.far_bank_tile`; the frame's
fishing detector leaves those banks to it). :func:`analysis_view` builds both, for
pixel mode and for ``tune`` alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import shapely

from detectors.alarm_filter import AlarmFilter, TrackAlarm
from detectors.background import share_background
from detectors.base import ClassId, Detections, FrameContext
from detectors.matching import match
from detectors.registry import create_detector
from sim.errors import ScenarioError
from sim.pixel.alarm_frames import alarm_frame_png
from sim.pixel.far_bank_tile import FarBankTile, far_pixels, split_no_fishing, tile_window
from sim.render.actors import Actor, ActorClass
from sim.render.conditions import Conditions
from sim.render.frame import Frame
from sim.render.ground_map import WATER
from sim.render.renderer import Renderer
from sim.scenario.models import Camera, Kind, Light, PixelDetectors, Scenario, SensorType
from sim.sensing.analysed_size import AnalysedScale
from sim.world.cameras import CameraModel
from sim.world.daylight import LIGHT_ORDER
from sim.world.geometry import ZoneGeometry

MATCH_IOU = 0.1
"""A detection overlapping an offender's truth box by this IoU counts as seeing it (small targets)."""
BANK_WIDTH_M = 6.0
"""Land within this distance of the water counts as the bank where anglers stand."""


def camera_context(renderer: Renderer, scenario: Scenario, fps: float) -> FrameContext:
    """Masks and pixels-per-metre of one camera, in its image. The no-go masks hold only ground within the
    camera's ``max_range`` (:meth:`sim.render.ground_map.GroundMap.in_range`): the detectors analyse what
    the camera's footprint holds, where actors get truth boxes, and alarm on nothing beyond it (in pixel
    runs and ``tune`` clips alike)."""
    geometry = renderer.geometry
    ground = renderer.ground
    height, width = ground.shape
    on_ground = ~ground.sky
    gx, gy = ground.gx[on_ground], ground.gy[on_ground]

    def mask_of(region) -> np.ndarray:
        mask = np.zeros((height, width), bool)
        if not region.is_empty:
            mask[on_ground] = shapely.contains_xy(region, gx, gy)
        return mask

    water = ground.labels == WATER
    bank = mask_of(geometry.water.buffer(BANK_WIDTH_M).difference(geometry.water))
    analysed = ground.in_range()
    no_swimming = mask_of(shapely.union_all([a.region for a in geometry.no_swimming])) & analysed
    # The whole no-fishing area, bank and water: the rod and line reach over the water.
    no_fishing = analysed & mask_of(
        shapely.union_all([shapely.Polygon(a.polygon) for a in scenario.zone.no_fishing])
    )
    # One metre at the distance seen on each row (centre column): f / slant distance.
    focal = renderer.camera.intrinsics[0, 0]
    centre = ground.distance[:, width // 2]
    pixels_per_metre = np.where(np.isfinite(centre), focal / np.where(np.isfinite(centre), centre, 1.0), 0.0)
    return FrameContext(water, bank, no_swimming, no_fishing, pixels_per_metre, fps)


def analysis_view(
    spec: Camera,
    scenario: Scenario,
    geometry: ZoneGeometry,
    lamps: np.ndarray | None,
    seed: int,
    light: Light | None = None,
) -> tuple[Renderer, FrameContext, FarBankTile | None]:
    """What the detectors of a camera analyse: the renderer of the analysis-width frame, its context, and
    the far-bank tile (None without ``fishing_tile_beyond``), whose banks the frame's context leaves out; the
    tile's detector has the parameters of ``light`` (None: without the light blocks)."""
    camera = analysis_camera(spec, scenario.detection.analysis_width)
    renderer = Renderer(camera, geometry, scenario.render.path_offset, lamps, seed=seed)
    context = camera_context(renderer, scenario, spec.fps)
    beyond = spec.fishing_tile_beyond
    if beyond is None:
        return renderer, context, None
    detector = create_pixel_detector(Kind.FISHING, scenario.detection.pixel_detectors, spec.sensor, light)
    full = CameraModel(spec)
    window = tile_window(full, geometry, beyond, detector.reach_m)
    # sim.scenario.checks rejects such a scenario; a tile that silently vanished would mislead
    if window is None:
        raise ScenarioError(
            f"camera {spec.id!r}: fishing_tile_beyond {beyond:g} m: it sees no no-fishing bank"
        )
    tile_renderer = Renderer(
        CameraModel(spec, window), geometry, scenario.render.path_offset, lamps, seed=seed
    )
    tile_context = split_no_fishing(
        camera_context(tile_renderer, scenario, spec.fps),
        far_pixels(tile_renderer.ground, beyond),
    )
    tile = FarBankTile(tile_renderer, tile_context, detector, camera.spec.resolution[0] / spec.resolution[0])
    return renderer, split_no_fishing(context, renderer.ground.distance < beyond), tile


def create_pixel_detector(
    kind: Kind,
    pixel_detectors: PixelDetectors,
    sensor: SensorType = SensorType.VISIBLE,
    light: Light | None = None,
):
    """The scenario's detector of ``kind`` on a camera of ``sensor`` (``detection.pixel_detectors``: the
    kind's parameters, the sensor block's on top and, at ``light``, the sensor's block of that light on top
    of those); bad parameters are scenario errors naming the key that holds them
    (``detection.pixel_detectors.swimming``, ``detection.pixel_detectors.thermal.swimming`` when the kind's
    own are fine, ``detection.pixel_detectors.visible.dusk.swimming`` when both are)."""
    block = getattr(pixel_detectors, sensor.value)
    layers = [
        (f"detection.pixel_detectors.{kind.value}", pixel_detectors.of(kind)),
        (f"detection.pixel_detectors.{sensor.value}.{kind.value}", block.of(kind)),
    ]
    if light is not None:
        layers.append(
            (f"detection.pixel_detectors.{sensor.value}.{light.value}.{kind.value}", block.at(light).of(kind))
        )
    parameters: dict = {}
    detector = None
    for key, on_top in layers:
        parameters.update(on_top)
        if detector is not None and not on_top:
            continue
        try:
            detector = create_detector(kind.value, **parameters)
        except ValueError as error:
            raise ScenarioError(f"{key}: {error}") from None
    return detector


def analysis_camera(spec: Camera, width: int) -> CameraModel:
    """The camera as the detectors see it: its frames downscaled to ``width`` pixels (never upscaled)."""
    full_width, full_height = spec.resolution
    target = min(width, full_width)
    return CameraModel(
        spec.model_copy(update={"resolution": (target, max(1, round(full_height * target / full_width)))})
    )


FrameObserver = Callable[[str, int, Frame, "dict[Kind, Detections]", "list[tuple[Kind, TrackAlarm]]"], None]
"""``observer(camera_id, frame_number, frame, detections by kind, completed)``: sees each analysed frame, the
detections of each kind its alarm filter was given (those of the offender class) and the alarms completed in
it (kind, the filter's alarm: track, box, score)."""


@dataclass(frozen=True)
class PixelAlarm:
    """A k-of-n alarm of one camera's detector, located on the ground."""

    kind: Kind
    x: float
    y: float
    score: float
    incident_id: int | None
    """Ground truth: the offender inside the alarm's box, None for a false alarm."""
    payload_bytes: int
    """Size of the snapshot sent with the alarm (the analysed frame as a JPEG), bytes."""
    frame_png: bytes | None = None
    """With ``PixelCamera.save_frames``: the frame with its truth boxes and the alarm's box, PNG."""


def score_offenders(
    detections: Detections, frame: Frame, kind: Kind
) -> tuple[np.ndarray, list[tuple[str, float, int]]]:
    """Which detections match an offender of ``kind`` (IoU >= :data:`MATCH_IOU`), and for each offender in
    the frame its actor id, the best score of a detection matching it (0 if none) and that detection's
    track id (-1 if none)."""
    truth = [b for b in frame.truth if b.cls is OFFENDER_CLASS[kind]]
    boxes = np.array([[b.x0, b.y0, b.x1, b.y1] for b in truth], dtype=float).reshape(-1, 4)
    positive, which = match(detections, boxes, MATCH_IOU)
    scores = []
    for j, box in enumerate(truth):
        mine = np.flatnonzero(which == j)
        if len(mine) == 0:
            scores.append((box.actor_id, 0.0, -1))
            continue
        best = mine[np.argmax(detections.confidence[mine])]
        scores.append((box.actor_id, float(detections.confidence[best]), int(detections.tracker_id[best])))
    return positive, scores


def inside_areas(offenders: list[tuple], actors: list[Actor], areas) -> tuple[list[tuple], np.ndarray]:
    """Those of ``offenders`` (:func:`score_offenders`' rows) whose actor stands inside ``areas`` (a shapely
    geometry: the kind's no-go areas, where a detector may alarm on them), and their ground points (n, 2), m.
    The score logs and the tune clips' offender rows keep only these frames."""
    where = {a.id: (a.x, a.y) for a in actors}
    xy = np.array([where[actor_id] for actor_id, _, _ in offenders], dtype=float).reshape(-1, 2)
    inside = shapely.intersects_xy(areas, xy[:, 0], xy[:, 1])
    return [o for o, keep in zip(offenders, inside, strict=True) if keep], xy[inside]


class PixelCamera:
    """One camera in pixel mode: renders its frames, runs the detectors, applies the k-of-n rule."""

    def __init__(
        self, spec: Camera, scenario: Scenario, geometry: ZoneGeometry, lamps: np.ndarray, seed: int
    ):
        self.id = spec.id
        self.fps = spec.fps
        self.renderer, self.context, self.tile = analysis_view(spec, scenario, geometry, lamps, seed)
        self.camera = self.renderer.camera
        detection = scenario.detection
        self.sensor, self.pixel_detectors = spec.sensor, detection.pixel_detectors
        for light in Light:  # a bad parameter of any light's block fails now, not when that light comes
            for kind in Kind:
                create_pixel_detector(kind, self.pixel_detectors, spec.sensor, light)
        self.parameters = {kind: self.pixel_detectors.parameters(kind, spec.sensor) for kind in Kind}
        """The parameters the detectors were built with (the light blocks' change them with the light)."""
        self.detectors = {
            kind: create_pixel_detector(kind, detection.pixel_detectors, spec.sensor) for kind in Kind
        }
        # One background model for both detectors when their settings agree (the defaults do).
        share_background(list(self.detectors.values()), self.context)
        # A camera that sees no no-go area can raise no alarm: its frames are neither rendered nor analysed.
        self.idle = self.tile is None and not any(
            _may_report(d, self.context) for d in self.detectors.values()
        )
        persistence = detection.persistence
        self.filters = {
            kind: AlarmFilter(detection.threshold_for(kind), persistence.k, persistence.n) for kind in Kind
        }
        self.analysed = AnalysedScale.of(spec, detection.analysis_width)
        """The offenders' analysed heights, the score log's ``pixels`` (:mod:`sim.sensing.analysed_size`)."""
        self.snapshot_quality = scenario.render.jpeg_quality
        self.heights = {kind: getattr(scenario.incidents, kind.value).visible_height for kind in Kind}
        self.no_go = {kind: geometry.no_go(kind.value) for kind in Kind}
        """Where each kind is forbidden, m: the score log holds the offenders inside (the only place the
        detectors alarm on them, and statistical mode's :meth:`sim.sensing.sensors.Sensor.alarm_region`)."""
        self.save_frames = False
        """Keep each alarm's annotated frame (``PixelAlarm.frame_png``)."""
        self.score_log: list[tuple] | None = None
        """A list to log every offender inside its kind's no-go areas in every frame: kind +
        ``sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS``."""
        self.observer: FrameObserver | None = None
        """Called with each analysed frame, what the detectors reported in it and the alarms it completed
        (``replay --camera-frames`` draws the detector's boxes of a pixel run with it); may be called from a
        frame thread (:mod:`sim.pixel.camera_group`), and must not change what it is given."""

    def analyse(
        self, t: float, number: int, actors: list[Actor], conditions: Conditions
    ) -> tuple[list[PixelAlarm], list[tuple]]:
        """Render and analyse the frame at ``t``: the alarms it completes, and the offenders' scores to log
        (empty unless ``score_log`` is set). Touches no state but this camera's own."""
        if self.idle:
            return [], []
        self._follow_light(conditions.light)
        frame = self.renderer.render(t, actors, conditions, number)
        alarms, scores, payload, reported, completed = [], [], None, {}, []
        for kind, detector in self.detectors.items():
            detections = detector.update(frame.image, t, self.context)
            if kind is Kind.FISHING and self.tile is not None:
                detections = Detections.merge([detections, self.tile.detect(t, number, actors, conditions)])
            detections = reported[kind] = detections[detections.class_id == DETECTED_CLASS[kind]]
            if self.score_log is not None:
                scores += self._scores(kind, detections, frame, actors)
            for alarm in self.filters[kind].update(detections, t):
                completed.append((kind, alarm))
                x0, _, x1, y1 = alarm.xyxy
                ground = self.camera.image_to_ground(np.array([[0.5 * (x0 + x1), y1]]))[0]
                payload = payload or snapshot_bytes(frame.image, self.snapshot_quality)
                label = f"alarm: {kind.value} {alarm.score:.2f}"
                png = alarm_frame_png(frame, alarm.xyxy, label) if self.save_frames else None
                alarms.append(
                    PixelAlarm(
                        kind,
                        float(ground[0]),
                        float(ground[1]),
                        alarm.score,
                        _incident_in(alarm.xyxy, frame, OFFENDER_CLASS[kind]),
                        payload,
                        png,
                    )
                )
        if self.observer is not None:
            self.observer(self.id, number, frame, reported, completed)
        return alarms, scores

    def _follow_light(self, light: Light) -> None:
        """Rebuild the detectors (and the far-bank tile's) when the parameters at ``light`` differ from those
        they were built with: they start afresh, a new background model learning the new light during its
        warm-up (the frame changes as a whole when the light does). Without light blocks nothing changes."""
        wanted = {kind: self.pixel_detectors.parameters(kind, self.sensor, light) for kind in Kind}
        if wanted == self.parameters:
            return
        self.parameters = wanted
        self.detectors = {
            kind: create_pixel_detector(kind, self.pixel_detectors, self.sensor, light) for kind in Kind
        }
        share_background(list(self.detectors.values()), self.context)
        if self.tile is not None:
            self.tile.detector = create_pixel_detector(Kind.FISHING, self.pixel_detectors, self.sensor, light)

    def _scores(self, kind: Kind, detections: Detections, frame: Frame, actors: list[Actor]) -> list[tuple]:
        """The score log's rows of the offenders of ``kind`` in ``frame`` standing inside the kind's no-go
        areas (a swimmer who drifted out of its area is in view, and no detector may alarm on it there)."""
        _, offenders = score_offenders(detections, frame, kind)
        offenders, xy = inside_areas(offenders, actors, self.no_go[kind])
        if not offenders:
            return []
        pixels = self.analysed.pixel_height(xy, self.heights[kind], kind)
        light, weather = LIGHT_ORDER.index(frame.conditions.light), frame.conditions.weather.value
        return [
            (kind, f"{self.id}/{actor_id}", frame.t, float(size), light, weather, score, track)
            for (actor_id, score, track), size in zip(offenders, pixels, strict=True)
        ]


def snapshot_bytes(image: np.ndarray, quality: int) -> int:
    """Size of ``image`` (BGR uint8) as a JPEG at ``quality`` (1-100), bytes: an alarm's snapshot."""
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError("JPEG encoding of an alarm snapshot failed")
    return int(data.size)


def _may_report(detector, context: FrameContext) -> bool:
    """Can ``detector`` report anything in this camera (False: it watches no pixel of it)?"""
    watched = getattr(detector, "watched_region", None)
    return watched is None or bool(watched(context).any())


DETECTED_CLASS = {Kind.SWIMMING: ClassId.SWIMMER, Kind.FISHING: ClassId.FISHER}
OFFENDER_CLASS = {Kind.SWIMMING: ActorClass.SWIMMER, Kind.FISHING: ActorClass.FISHER}


def offender_at(box, truth: list) -> str | None:
    """The actor whose truth box holds the alarm box's centre, 2 px of slack (ground truth for scoring)."""
    cx, cy = 0.5 * (box[0] + box[2]), 0.5 * (box[1] + box[3])
    for b in truth:
        if b.x0 - 2 <= cx <= b.x1 + 2 and b.y0 - 2 <= cy <= b.y1 + 2:
            return b.actor_id
    return None


def _incident_in(box, frame: Frame, cls: ActorClass) -> int | None:
    """The incident an alarm box belongs to (:func:`offender_at` among the offenders of class ``cls``)."""
    actor = offender_at(box, [b for b in frame.truth if b.cls is cls])
    return None if actor is None else int(actor.removeprefix("incident-"))
