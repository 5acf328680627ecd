"""A contact sheet of rendered frames: every condition and every kind of actor, for people to look at.

``python -m sim.render.contact_sheet docs/contact_sheet.png`` draws it from the default scenario.
Top rows: one scene under day, dusk, night (street lamps), night (infrared
camera), fog and rain. Then thermal cameras (``sensor: thermal``, white hot): the same scene by day,
by night and in fog at night, and narrow views of swimmers, ducks and boats near (25 m) and far (150 m).
Bottom rows: close-ups of each actor class in daylight, cropped around its ground-truth box (drawn in red).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import cv2
import numpy as np
import shapely

from sim.loading import load_scenario
from sim.render.actors import Actor, ActorClass, lamp_positions
from sim.render.conditions import Conditions
from sim.render.frame import Frame
from sim.render.renderer import Renderer
from sim.render.thermal_scene import typical_scene
from sim.scenario.models import Light, Scenario, SensorType, Weather
from sim.world.cameras import CameraModel
from sim.world.geometry import ZoneGeometry

TILE = (400, 225)
CONDITIONS = (
    ("day", Conditions(Light.DAY)),
    ("dusk", Conditions(Light.DUSK)),
    ("night, street lamps", Conditions(Light.NIGHT)),
    ("night, infrared camera", Conditions(Light.NIGHT, infrared=True)),
    ("fog", Conditions(Light.DAY, Weather.FOG)),
    ("rain, strong wind", Conditions(Light.DAY, Weather.RAIN, wind_speed=9.0)),
)


def _along(camera: CameraModel, distance: float, side: float = 0.0) -> tuple[float, float]:
    yaw = math.radians(camera.spec.yaw)
    x0, y0 = camera.spec.position
    return x0 + distance * math.sin(yaw) + side * math.cos(yaw), y0 + distance * math.cos(
        yaw
    ) - side * math.sin(yaw)


def _water_edge(camera: CameraModel, water, side: float = 0.0) -> float:
    """Distance along the view (m) where the water starts."""
    for distance in np.arange(2.0, camera.spec.max_range, 0.5):
        if shapely.contains_xy(water, *_along(camera, distance, side)):
            return float(distance)
    raise ValueError(f"camera {camera.spec.id} does not look at water")


def _label(image: np.ndarray, text: str) -> np.ndarray:
    image = image.copy()
    cv2.rectangle(image, (0, 0), (image.shape[1], 20), (0, 0, 0), -1)
    cv2.putText(image, text, (6, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
    return image


def _with_boxes(frame: Frame) -> np.ndarray:
    image = frame.image.copy()
    for box in frame.truth:
        cv2.rectangle(image, (box.x0, box.y0), (box.x1 - 1, box.y1 - 1), (40, 40, 255), 1)
    return image


def _scene(camera: CameraModel, water) -> list[Actor]:
    edge = _water_edge(camera, water)
    heading = math.radians(camera.spec.yaw)
    return [
        Actor("swimmer", ActorClass.SWIMMER, *_along(camera, edge + 14, -3), heading + 1.2, 0.4, 0.3, 2),
        Actor("fisher", ActorClass.FISHER, *_along(camera, edge - 2.5, 9), heading, 0.0, 0.5, 4),
        Actor("walker", ActorClass.WALKER, *_along(camera, edge - 9, -6), heading + 1.57, 1.3, 0.2, 5),
        Actor("duck", ActorClass.BIRD, *_along(camera, edge + 9, 5), heading - 1.0, 0.1, 0.4, 1),
        Actor("usv", ActorClass.BOAT, *_along(camera, edge + 45, 12), heading - 1.9, 2.5, 0.2, 0, True),
        Actor("pedalo", ActorClass.BOAT, *_along(camera, edge + 70, -25), heading + 2.5, 1.0, 0.6, 1),
    ]


def condition_tiles(
    scenario: Scenario, geometry: ZoneGeometry, camera_id: str = "cam-beach-w"
) -> list[np.ndarray]:
    spec = next(c for c in scenario.cameras if c.id == camera_id)
    camera = CameraModel(spec.model_copy(update={"resolution": (960, 540), "hfov": 45.0}))
    renderer = Renderer(
        camera, geometry, scenario.render.path_offset, lamp_positions(scenario, geometry), seed=1
    )
    actors = _scene(camera, geometry.water)
    return [
        _label(
            cv2.resize(
                _with_boxes(renderer.render(2.0, actors, conditions, 3)), TILE, interpolation=cv2.INTER_AREA
            ),
            name,
        )
        for name, conditions in CONDITIONS
    ]


NARROW_CAMERA = "cam-beach-e"
"""The pole of the narrow thermal views: its water begins 15 m out."""
THERMAL_CONDITIONS = (
    ("day", Conditions(Light.DAY)),
    ("night", Conditions(Light.NIGHT)),
    ("night, fog", Conditions(Light.NIGHT, Weather.FOG)),
)


def _temperatures(light: Light) -> str:
    scene = typical_scene(light)
    return f"air {scene.air_k - 273.15:.0f} C, water {scene.water_k - 273.15:.0f} C"


def thermal_tiles(
    scenario: Scenario, geometry: ZoneGeometry, camera_id: str = "cam-beach-w"
) -> list[np.ndarray]:
    """The condition tiles' scene through a thermal camera, then narrow thermal views near and far."""
    spec = next(c for c in scenario.cameras if c.id == camera_id)
    lamps = lamp_positions(scenario, geometry)
    wide = CameraModel(
        spec.model_copy(update={"resolution": (960, 540), "hfov": 45.0, "sensor": SensorType.THERMAL})
    )
    renderer = Renderer(wide, geometry, scenario.render.path_offset, lamps, seed=1)
    actors = _scene(wide, geometry.water)
    tiles = []
    for name, conditions in THERMAL_CONDITIONS:
        frame = renderer.render(2.0, actors, conditions, 3)
        label = f"thermal, {name} ({_temperatures(conditions.light)})"
        tiles.append(_label(cv2.resize(_with_boxes(frame), TILE, interpolation=cv2.INTER_AREA), label))
    narrow = next(c for c in scenario.cameras if c.id == NARROW_CAMERA)
    for name, distance, light in (
        ("near", 25.0, Light.NIGHT),
        ("far", 150.0, Light.DAY),
        ("far", 150.0, Light.NIGHT),
    ):
        tiles.append(_thermal_view(scenario, geometry, narrow, distance, light, f"thermal, {name}, {light}"))
    return tiles


def _thermal_view(scenario, geometry, spec, distance: float, light: Light, name: str) -> np.ndarray:
    """A narrow thermal camera on the pole of ``spec`` aimed ``distance`` m out: a swimmer, ducks, the USV."""
    wide = CameraModel(spec)
    pitch = math.degrees(math.atan2(spec.height, distance))
    hfov = 2.0 * math.degrees(math.atan2(9.0, distance))  # about 18 m across at that distance
    update = {"resolution": (640, 360), "hfov": hfov, "pitch": pitch, "sensor": SensorType.THERMAL}
    camera = CameraModel(spec.model_copy(update=update))
    heading = math.radians(spec.yaw)
    actors = [
        Actor("swimmer", ActorClass.SWIMMER, *_along(wide, distance, -2.0), heading + 1.2, 0.4, 0.22, 2),
        Actor("duck-1", ActorClass.BIRD, *_along(wide, distance - 4.0, 3.0), heading - 1.0, 0.1, 0.4, 1),
        Actor("duck-2", ActorClass.BIRD, *_along(wide, distance + 3.0, 5.0), heading + 2.0, 0.1, 0.7, 3),
        Actor(
            "usv",
            ActorClass.BOAT,
            *_along(wide, 1.1 * distance + 2.0, -5.0),
            heading - 1.9,
            2.5,
            0.2,
            0,
            True,
        ),
    ]
    renderer = Renderer(
        camera, geometry, scenario.render.path_offset, lamp_positions(scenario, geometry), seed=1
    )
    frame = renderer.render(2.0, actors, Conditions(light), 1)
    return _label(
        cv2.resize(_with_boxes(frame), TILE, interpolation=cv2.INTER_AREA), f"{name}, {distance:.0f} m"
    )


def actor_tiles(
    scenario: Scenario, geometry: ZoneGeometry, camera_id: str = "cam-beach-w"
) -> list[np.ndarray]:
    """Close-ups: for each actor a narrow camera on the same pole, aimed at the actor."""
    spec = next(c for c in scenario.cameras if c.id == camera_id)
    wide = CameraModel(spec)
    edge = _water_edge(wide, geometry.water)
    heading = math.radians(spec.yaw)
    across = heading + math.pi / 2
    cases = [
        ("swimmer, arm up", ActorClass.SWIMMER, edge + 12, across, 0.4, 0.22, 2, False),
        ("swimmer, stroke", ActorClass.SWIMMER, edge + 12, heading + 0.6, 0.4, 0.02, 7, False),
        ("fisher, standing", ActorClass.FISHER, edge - 2.5, heading, 0.0, 0.5, 4, False),
        ("fisher, sitting, casting", ActorClass.FISHER, edge - 2.5, heading, 0.0, 0.03, 3, False),
        ("walker on the path", ActorClass.WALKER, edge - 9, across, 1.3, 0.25, 5, False),
        ("duck", ActorClass.BIRD, edge + 8, across, 0.1, 0.4, 1, False),
        ("floating debris", ActorClass.DEBRIS, edge + 8, 0.0, 0.05, 0.0, 1, False),
        ("project USV with wake", ActorClass.BOAT, edge + 40, across, 2.5, 0.2, 0, True),
        ("leisure boat (legal)", ActorClass.BOAT, edge + 40, across, 0.0, 0.6, 1, False),
        ("person wading", ActorClass.WADER, edge + 4, heading + 2.0, 0.3, 0.3, 2, False),
        ("reeds at the edge, swaying", ActorClass.REEDS, edge + 1, heading, 0.0, 0.4, 5, False),
        ("duck taking off", ActorClass.BIRD, edge + 10, across, 3.0, 0.05, 1, False),
        ("sun glint", ActorClass.GLINT, edge + 12, heading, 0.0, 0.1, 0, False),
    ]
    tiles = []
    for name, cls, distance, facing, speed, phase, variant, own in cases:
        pitch = math.degrees(math.atan2(spec.height - 0.5, distance))
        camera = CameraModel(spec.model_copy(update={"resolution": (640, 360), "hfov": 9.0, "pitch": pitch}))
        renderer = Renderer(camera, geometry, scenario.render.path_offset, seed=1)
        one = Actor("a", cls, *_along(wide, distance), facing, speed, phase, variant, own)
        frame = renderer.render(2.0, [one], Conditions(Light.DAY), 1)
        (box,) = frame.truth
        cx, cy = (box.x0 + box.x1) // 2, (box.y0 + box.y1) // 2
        half_w = max(box.x1 - box.x0, 1.6 * (box.y1 - box.y0)) * 0.75 + 10
        half_h = half_w * TILE[1] / TILE[0]
        x0, y0 = int(max(0, cx - half_w)), int(max(0, cy - half_h))
        crop = _with_boxes(frame)[y0 : int(cy + half_h), x0 : int(cx + half_w)]
        label = f"{name}, {box.distance_m:.0f} m"
        tiles.append(_label(cv2.resize(crop, TILE, interpolation=cv2.INTER_CUBIC), label))
    return tiles


def contact_sheet(scenario: Scenario, out: Path) -> Path:
    geometry = ZoneGeometry(scenario)
    tiles = (
        condition_tiles(scenario, geometry)
        + thermal_tiles(scenario, geometry)
        + actor_tiles(scenario, geometry)
    )
    blank = np.zeros_like(tiles[0])
    while len(tiles) % 3:
        tiles.append(blank)
    rows = [np.hstack(tiles[i : i + 3]) for i in range(0, len(tiles), 3)]
    sheet = np.vstack(rows)
    cv2.imwrite(str(out), sheet)
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/contact_sheet.png")
    print(
        contact_sheet(
            load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "xuchang_lake.yaml"), target
        )
    )
