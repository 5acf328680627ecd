"""Placing actors in a camera's view for rendering tests."""

from __future__ import annotations

import math

from sim.world.cameras import CameraModel


def ahead(camera: CameraModel, distance: float, side: float = 0.0) -> tuple[float, float]:
    """Ground point ``distance`` m along the camera's heading and ``side`` m to its right."""
    yaw = math.radians(camera.spec.yaw)
    x0, y0 = camera.spec.position
    return (
        x0 + distance * math.sin(yaw) + side * math.cos(yaw),
        y0 + distance * math.cos(yaw) - side * math.sin(yaw),
    )
