"""The dataset's frames: each clip's scene rendered by the project's renderer, with exact truth boxes.

A clip's scene is what ``tune`` renders (:func:`sim.calibration.clip_scenes.clip_things`) for each kind
whose no-go areas its camera sees: two offenders (swimmers in no-swimming water, or anglers on a
no-fishing bank), and their distractors (two ducks, floating debris and the project's boat; or up to three
walkers on the promenade), plus a leisure boat drifting on the water in view. Every thing's name is
prefixed with its clip's, so the sprites' looks (clothes, skin tone, boat colour: they follow the name)
change from clip to clip. Each clip draws from its own named random stream (``dataset/clip/<index>``).

Frames are what the detectors analyse: the camera at ``detection.analysis_width`` (640 px by default,
:func:`sim.pixel.pixel_camera.analysis_camera`), uncompressed, with the street lamps of the scenario and
the camera's infrared mode at night. A view's sensor decides what the camera senses
(:meth:`Camera.as_sensor <sim.scenario.models.Camera.as_sensor>`): a thermal view renders a thermal copy
of the camera (same pose, frame size and field of view, the scenario's thermal core or the default one) in
the thermal scene of a typical instant of its light in the scenario's climate
(:func:`sim.render.thermal_scene.typical_conditions`). One :class:`~sim.render.renderer.Renderer` per
camera and sensor (its ground map is traced once) renders all of that camera's views of that sensor; the
frames come camera by camera, sensor by sensor (:func:`render_frames`), and a renderer, with its backdrops
(about 35 MB each at 640 x 360), is let go once its views are done.

Which boxes are labels. Every truth box comes with the signal-to-noise ratio of its actor in the frame,
``snr = ‖d‖ / σ``: ``d`` is what the actor changed in the box (the frame minus the same frame rendered
without actors: same waves, rain and noise tile), over its pixels and colour channels (one channel for an
infrared or a thermal frame, whose channels are copies), and σ the standard deviation of the frame's
sensor noise, measured on the renderer's noise tile of that view. For a known shape in white noise this is
the matched filter's SNR; the Rose criterion (A. Rose, "The sensitivity performance of the human eye on an
absolute scale", J. Opt. Soc. Am. 38 (1948) 196-208) puts what can be seen at an SNR of about 5
(:data:`MIN_SNR`). A box below it (a far swimmer in the dark, a duck deep in fog) is kept in ``truth.csv``
but is not a label: a detector cannot learn to find what the frame does not show. Clutter (waves, texture)
is not in σ, so the rule keeps some boxes a detector would still miss.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from sim.calibration.clip_scenes import clip_things, drifting
from sim.core.rng import RandomStreams
from sim.dataset.plan import ClipPlan, DatasetPlan, View
from sim.pixel.pixel_camera import analysis_camera
from sim.render.actors import Actor, ActorClass, MovingThing, lamp_positions
from sim.render.conditions import Conditions
from sim.render.frame import Frame
from sim.render.renderer import Renderer
from sim.render.thermal_scene import typical_conditions
from sim.scenario.models import Camera, Scenario, SensorType
from sim.world.cameras import CameraModel, visible_region
from sim.world.geometry import ZoneGeometry

LEISURE_BOAT_SPEED = 1.2
"""m/s: a pedal or rowing boat, as :class:`sim.render.actors.Distractors` moves its leisure boats."""
MIN_SNR = 5.0
"""A truth box is a label when its actor's SNR in the frame is at least this (Rose criterion)."""


@dataclass(frozen=True)
class RenderedFrame:
    """Frame ``number`` (from 0) of ``clip``, and which truth boxes are the project's own boat."""

    clip: ClipPlan
    number: int
    frame: Frame
    own: tuple[bool, ...]
    """Per truth box: the project's unmanned boat (its sprite differs from a leisure boat's)."""
    snr: tuple[float, ...]
    """Per truth box: its actor's signal-to-noise ratio in the frame (module docstring)."""

    @property
    def image_index(self) -> int:
        """Index among all the dataset's frames, in plan order (from 0)."""
        return self.clip.first_image + self.number


def frame_conditions(view: View, spec: Camera, scenario: Scenario) -> Conditions:
    """How a view's frames look (camera ``spec``, already of the view's sensor): its light and weather as
    :func:`sim.render.thermal_scene.typical_conditions` renders them, uncompressed as pixel mode's detectors
    see them (the infrared mode of a visible camera at night, the thermal scene of a thermal one)."""
    return typical_conditions(scenario, spec, view.light, view.weather)


def clip_scene(
    scenario: Scenario, geometry: ZoneGeometry, camera: CameraModel, clip: ClipPlan, streams: RandomStreams
) -> list[MovingThing]:
    """The things of one clip (module docstring), named ``<clip>/<thing>``."""
    rng = streams.stream(f"dataset/clip/{clip.index}")
    things = []
    for n, kind in enumerate(clip.view.kinds):
        # Offenders' names carry the number given: each kind of the clip gets its own.
        number = clip.index * len(clip.view.kinds) + n
        things += clip_things(scenario, geometry, kind, camera, clip.seconds, rng, number)
    water = geometry.water.intersection(visible_region(camera, geometry.islands))
    if not water.is_empty:
        things.append(
            drifting("leisure-boat", ActorClass.BOAT, water, LEISURE_BOAT_SPEED, clip.seconds, rng, cycle=2.0)
        )
    return [dataclasses.replace(thing, id=f"{clip.name}/{thing.id}") for thing in things]


def render_frames(
    scenario: Scenario, geometry: ZoneGeometry, plan: DatasetPlan, seed: int
) -> Iterator[RenderedFrame]:
    """Every frame of ``plan``, camera by camera and sensor by sensor (in the order of the plan's views; each
    one's clips in plan order). Deterministic for ``seed``: the order only changes when things are computed,
    not what."""
    lamps = lamp_positions(scenario, geometry)
    streams = RandomStreams(seed)
    specs = {c.id: c for c in scenario.cameras}
    cameras = dict.fromkeys(view.camera_id for view in plan.views)
    for camera_id, sensor in [(c, s) for c in cameras for s in dict.fromkeys(v.sensor for v in plan.views)]:
        spec = specs[camera_id].as_sensor(sensor)
        clips = [c for c in plan.clips if c.view.camera_id == camera_id and c.view.sensor is sensor]
        if not clips:
            continue
        camera = analysis_camera(spec, scenario.detection.analysis_width)
        renderer = Renderer(camera, geometry, scenario.render.path_offset, lamps, seed=seed)
        for clip in clips:
            things = clip_scene(scenario, geometry, renderer.camera, clip, streams)
            conditions = frame_conditions(clip.view, spec, scenario)
            sigma = noise_sd(renderer, conditions)
            for number in range(clip.frames):
                t = clip.time(number)
                actors = [a for thing in things if (a := thing.at(t)) is not None]
                frame = renderer.render(t, actors, conditions, number)
                empty = renderer.render(t, [], conditions, number)
                snr = box_snr(frame, empty.image, sigma)
                yield RenderedFrame(clip, number, frame, _own(frame, actors), snr)


def noise_sd(renderer: Renderer, conditions: Conditions) -> float:
    """Standard deviation of the sensor noise in ``renderer``'s frames under ``conditions``, 8-bit levels:
    measured on one channel of its first noise tile (what it adds minus what it subtracts)."""
    look = renderer.look(conditions)
    noise = look.noise_up[0][..., 0].astype(np.float32) - look.noise_down[0][..., 0]
    return float(noise.std())


def box_snr(frame: Frame, empty: np.ndarray, sigma: float) -> tuple[float, ...]:
    """Per truth box of ``frame``: ‖frame − empty‖ over the box / ``sigma`` (module docstring), over one
    channel of a grey frame (infrared at night, thermal), else three; ``empty`` is the same frame without
    actors."""
    grey = frame.conditions.infrared_active or frame.sensor is SensorType.THERMAL
    channels = 1 if grey else 3
    change = cv2.absdiff(frame.image, empty)
    snr = []
    for box in frame.truth:
        d = change[box.y0 : box.y1, box.x0 : box.x1, :channels].astype(np.float32)
        snr.append(round(float(np.sqrt((d * d).sum())) / sigma, 2))
    return tuple(snr)


def _own(frame: Frame, actors: list[Actor]) -> tuple[bool, ...]:
    own = {actor.id for actor in actors if actor.own}
    return tuple(box.actor_id in own for box in frame.truth)
