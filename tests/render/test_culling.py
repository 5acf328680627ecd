"""View culling: actors whose sprite cannot reach the image are skipped, and frames stay identical."""

from __future__ import annotations

import numpy as np
import pytest

import sim.render.renderer
from sim.render.actor_reach import may_touch
from sim.render.actors import Actor, ActorClass
from sim.render.conditions import Conditions
from sim.render.renderer import Renderer
from sim.render.sprites import DRAW, REACH, STROKE_M, Painter
from sim.scenario.models import Light
from sim.world.cameras import CameraModel
from sim.world.geometry import ZoneGeometry

RESOLUTION = (320, 180)


def random_actor(rng: np.random.Generator, cls: ActorClass, x: float, y: float, name: str = "a") -> Actor:
    return Actor(
        name,
        cls,
        x,
        y,
        rng.uniform(0, 2 * np.pi),
        float(rng.choice([0.0, 0.2, 1.0, 6.0])),
        rng.uniform(0, 1),
        int(rng.integers(0, 200)),
        bool(rng.integers(0, 2)),
    )


@pytest.mark.parametrize("cls", list(ActorClass))
def test_reach_holds_every_point_and_stroke_of_the_sprite(default_scenario, cls):
    painter = Painter(np.zeros((4, 4, 3), np.uint8), CameraModel(default_scenario.cameras[0]))
    rng = np.random.default_rng(3)
    for _ in range(500):
        actor = random_actor(rng, cls, 400.0, 300.0)
        painter.begin(actor, lambda colour, warm: colour)
        DRAW[cls](painter, actor)
        radius, lowest, highest, stroke = painter.reach()
        assert radius <= REACH[cls].radius and highest <= REACH[cls].top
        assert lowest >= 0.0 and stroke <= STROKE_M


def recording(decisions: list[np.ndarray]):
    """``may_touch``, appending each of its answers (one bool per actor) to ``decisions``."""

    def recorded(*args):
        decisions.append(may_touch(*args))
        return decisions[-1]

    return recorded


def scene_near_the_border(camera: CameraModel, rng: np.random.Generator, count: int) -> list[Actor]:
    """Actors on the ground just inside and just outside the image border, and anywhere around the pole."""
    width, height = camera.spec.resolution
    border = np.concatenate(
        [
            np.column_stack([rng.uniform(-60, 0, count), rng.uniform(height / 2, height, count)]),
            np.column_stack([rng.uniform(width, width + 60, count), rng.uniform(height / 2, height, count)]),
            np.column_stack([rng.uniform(0, width, count), rng.uniform(height - 5, height + 60, count)]),
        ]
    )
    ground = camera.image_to_ground(border)
    x0, y0 = camera.spec.position
    angle, distance = rng.uniform(0, 2 * np.pi, count), rng.uniform(0, 300, count)
    around = np.column_stack([x0 + distance * np.sin(angle), y0 + distance * np.cos(angle)])
    classes = list(ActorClass)
    return [
        random_actor(rng, classes[i % len(classes)], float(x), float(y), f"a{i}")
        for i, (x, y) in enumerate(np.concatenate([ground, around]))
    ]


@pytest.mark.parametrize("camera_id", ["cam-beach-w", "cam-east-n", "cam-peninsula"])
@pytest.mark.parametrize("light", [Light.DAY, Light.DUSK, Light.NIGHT])
def test_culled_frames_equal_frames_with_every_actor_drawn(default_scenario, monkeypatch, camera_id, light):
    spec = next(c for c in default_scenario.cameras if c.id == camera_id)
    camera = CameraModel(spec.model_copy(update={"resolution": RESOLUTION}))
    renderer = Renderer(camera, ZoneGeometry(default_scenario), seed=0)
    rng = np.random.default_rng(11)
    conditions = Conditions(light, jpeg_quality=None)
    decisions: list[np.ndarray] = []  # the renderer's own culling: may each actor touch the image?
    clipped = 0
    for frame_number in range(6):
        actors = scene_near_the_border(camera, rng, 12)
        with monkeypatch.context() as patch:
            patch.setattr(sim.render.renderer, "may_touch", recording(decisions))
            fast = renderer.render(2.0, actors, conditions, frame_number)
        with monkeypatch.context() as patch:
            patch.setattr(sim.render.renderer, "may_touch", lambda c, a, d, b: np.ones(len(a), bool))
            full = renderer.render(2.0, actors, conditions, frame_number)
        np.testing.assert_array_equal(fast.image, full.image)
        assert fast.truth == full.truth
        clipped += sum(box.visible_fraction < 1.0 for box in full.truth)
    culled = sum(int((~touching).sum()) for touching in decisions)
    assert culled > 0 and clipped > 0  # both sides of the bound were exercised


def test_behind_the_lens_is_culled_and_a_distorted_lens_keeps_everyone(default_scenario):
    spec = next(c for c in default_scenario.cameras if c.id == "cam-beach-w")
    camera = CameraModel(spec.model_copy(update={"resolution": RESOLUTION}))
    yaw = np.radians(spec.yaw)
    behind = [
        Actor(
            f"b{k}",
            ActorClass.SWIMMER,
            spec.position[0] - d * np.sin(yaw),
            spec.position[1] - d * np.cos(yaw),
            0.0,
            0.0,
            0.3,
            1,
        )
        for k, d in enumerate((30.0, 80.0))
    ]
    distance = camera.distance(np.array([(a.x, a.y) for a in behind]))
    assert not may_touch(camera, behind, distance, np.zeros(2)).any()
    distorted = CameraModel(spec.model_copy(update={"resolution": RESOLUTION, "distortion": (-0.2, 0.05)}))
    assert may_touch(distorted, behind, distance, np.zeros(2)).all()
