"""What a dataset holds before anything is rendered: its views, its clips, their frames and the split.

A *condition* (stratum) is a light × weather × sensor: 3 × 4 × :data:`SENSORS`. A *view* is one camera
under one condition: it is what a renderer's backdrop is built for (about 0.5 s at 640 x 360), so a view
serves :data:`FRAMES_PER_VIEW` frames. A *clip* is a fresh scene in a view (:mod:`sim.dataset.scenes`):
up to :data:`FRAMES_PER_CLIP` frames :data:`FRAME_SPACING_S` apart, from :data:`FIRST_FRAME_S` on.

Sampling (:func:`plan_dataset`), deterministic for a scenario and a frame count:

* views: ``ceil(frames / (S × FRAMES_PER_VIEW))`` per condition (``S`` conditions), at most one per
  camera, and at most ``frames`` in all. View ``j`` has condition ``j mod S`` (weather outermost, light,
  then sensor innermost, so a short dataset still spans light and sensors) and camera
  ``(j mod S + j div S) mod C`` of the ``C`` cameras that see a no-go area, interleaved by the kinds they
  see (:func:`dataset_cameras`): every condition gets its share of views, each condition's views go to
  different cameras, and the cameras turn over from one condition to the next;
* frames: spread evenly over the views (the first ``frames mod views`` get one more), and a view's
  frames evenly over its clips;
* split: by clip, so no scene is in both. Of the ``K`` clips in plan order, ``round(K × VAL_SHARE)``
  spread evenly (every fifth clip) are ``val`` (at least one when there are two clips or more): the
  val clips fall in every view that has five clips or more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from sim.calibration.clip_scenes import LIGHTS, WEATHERS, relevant_cameras
from sim.errors import DatasetError
from sim.scenario.models import Kind, Light, Scenario, SensorType, Weather
from sim.world.geometry import ZoneGeometry

SENSORS = tuple(sensor.value for sensor in SensorType)
"""Sensors the dataset can render (``--sensor``): the scenario's camera sensors (``cameras[].sensor``). A
view of a sensor renders its camera as that sensor (:meth:`sim.scenario.models.Camera.as_sensor`)."""


class LabelFormat(StrEnum):
    """What ``dataset --format`` writes."""

    YOLO = "yolo"
    COCO = "coco"


class Split(StrEnum):
    TRAIN = "train"
    VAL = "val"


FORMATS = tuple(f.value for f in LabelFormat)

FRAMES_PER_VIEW = 100
"""Frames per view when there are frames enough: the backdrop's setup (about 0.5 s, measured by
``benchmarks/bench_dataset.py``) costs about 5 ms per frame, as much as rendering and writing one."""
FRAMES_PER_CLIP = 10
"""Frames of one scene (the same people, placed anew in each clip)."""
FRAME_SPACING_S = 1.0
"""Time between a clip's frames, s: a swimmer drifts and strokes, a walker takes a step or two."""
FIRST_FRAME_S = 12.0
"""A clip's first frame, s: :mod:`sim.calibration.clip_scenes` lets its offenders arrive between 6 and
11 s (after its 5 s warm-up), so every frame of a clip has them."""
VAL_SHARE = 0.2
"""Share of clips in the validation split."""


@dataclass(frozen=True)
class View:
    """One camera under one condition."""

    index: int
    camera_id: str
    kinds: tuple[Kind, ...]
    """The offenders whose no-go areas this camera sees (its clips hold both kinds' scenes)."""
    light: Light
    weather: Weather
    sensor: SensorType


@dataclass(frozen=True)
class ClipPlan:
    """One scene in a view: its frames' times and its split."""

    index: int
    view: View
    frames: int
    first_image: int
    """Index of its first frame among all the dataset's frames (plan order, from 0)."""
    split: Split

    @property
    def name(self) -> str:
        return f"clip{self.index:05d}"

    @property
    def seconds(self) -> float:
        """Length of the clip's scene, s: its last frame is before this."""
        return FIRST_FRAME_S + self.frames * FRAME_SPACING_S

    def time(self, number: int) -> float:
        """Time of frame ``number`` (from 0) in the clip's scene, s."""
        return FIRST_FRAME_S + number * FRAME_SPACING_S

    def image_name(self, number: int) -> str:
        """The image's path in the dataset folder: ``images/<split>/clip00042_03.jpg``."""
        return f"images/{self.split}/{self.name}_{number:02d}.jpg"


@dataclass(frozen=True)
class DatasetPlan:
    """Every view and clip of a dataset, in plan order."""

    views: tuple[View, ...]
    clips: tuple[ClipPlan, ...]
    sensors: tuple[str, ...]

    @property
    def frames(self) -> int:
        """Frames in all."""
        return sum(clip.frames for clip in self.clips)


def check_request(frames: int, sensors: tuple[str, ...], label_format: str) -> LabelFormat:
    """The label format asked for, or a one-line error naming the option: no frames, an unknown sensor or
    format."""
    if frames < 1:
        raise DatasetError(f"--frames: must be >= 1, got {frames}")
    for sensor in sensors:
        if sensor not in SENSORS:
            raise DatasetError(f"--sensor: unknown sensor {sensor!r} (valid: {', '.join(SENSORS)})")
    if not sensors:
        raise DatasetError(f"--sensor: no sensor given (valid: {', '.join(SENSORS)})")
    if label_format not in FORMATS:
        raise DatasetError(f"--format: unknown format {label_format!r} (valid: {', '.join(FORMATS)})")
    return LabelFormat(label_format)


def dataset_cameras(scenario: Scenario, geometry: ZoneGeometry) -> list[tuple[str, tuple[Kind, ...]]]:
    """The cameras that see a no-swimming or no-fishing area (``tune``'s rule, 200 m²), each with the kinds
    it sees, interleaved by those kinds (one seeing swimming only, one fishing only, one both, the next
    swimming only, ...; scenario order within each): consecutive views, and so each weather's, hold both
    kinds' scenes."""
    seen = {kind: set(relevant_cameras(scenario, geometry, kind)) for kind in Kind}
    groups: dict[tuple[Kind, ...], list[str]] = {}
    for camera in scenario.cameras:
        kinds = tuple(k for k in Kind if camera.id in seen[k])
        if kinds:
            groups.setdefault(kinds, []).append(camera.id)
    if not groups:
        raise DatasetError("cameras: no camera sees a no-swimming or no-fishing area (zone.no_swimming, ...)")
    interleaved = []
    for rank in range(max(len(ids) for ids in groups.values())):
        interleaved += [(ids[rank], kinds) for kinds, ids in groups.items() if rank < len(ids)]
    return interleaved


def plan_dataset(
    scenario: Scenario, geometry: ZoneGeometry, frames: int, sensors: tuple[str, ...] = SENSORS
) -> DatasetPlan:
    """The views and clips of a dataset of ``frames`` frames (module docstring)."""
    cameras = dataset_cameras(scenario, geometry)
    conditions = [
        (light, weather, SensorType(sensor)) for weather in WEATHERS for light in LIGHTS for sensor in sensors
    ]
    n_conditions = len(conditions)
    per_condition = min(math.ceil(frames / (n_conditions * FRAMES_PER_VIEW)), len(cameras))
    n_views = min(n_conditions * per_condition, frames)
    views = []
    for j in range(n_views):
        rounds, stratum = divmod(j, n_conditions)
        camera, kinds = cameras[(stratum + rounds) % len(cameras)]
        views.append(View(j, camera, kinds, *conditions[stratum]))
    sizes = []  # (view, frames of each clip)
    base, extra = divmod(frames, n_views)
    for view in views:
        view_frames = base + (view.index < extra)
        n_clips = math.ceil(view_frames / FRAMES_PER_CLIP)
        clip_base, clip_extra = divmod(view_frames, n_clips)
        sizes += [(view, clip_base + (i < clip_extra)) for i in range(n_clips)]
    n_val = val_count(len(sizes))
    clips, first = [], 0
    for index, (view, count) in enumerate(sizes):
        # Even spread (Bresenham): clip i is val when floor((i + 1) n_val / K) steps up.
        is_val = (index + 1) * n_val // len(sizes) > index * n_val // len(sizes)
        clips.append(ClipPlan(index, view, count, first, Split.VAL if is_val else Split.TRAIN))
        first += count
    return DatasetPlan(tuple(views), tuple(clips), tuple(sensors))


def val_count(clips: int) -> int:
    """Clips in the validation split: ``round(clips × VAL_SHARE)`` (halves up), at least one of two or
    more."""
    if clips < 2:
        return 0
    return max(1, math.floor(clips * VAL_SHARE + 0.5))
