"""Which way an angler's rod and line point, and how a camera sees them: the geometry of the fishing
detector's gear, shared by the renderer, which draws the angler so (:func:`sim.render.actors.offender_thing`),
and the analyses of pixel mode's alarms (``scripts/alarm_ages_by_angler.py``).

An angler faces the nearest water, where its rod and line point. A camera that looks along that heading
(the gear pointing at the lens or away) sees the gear end-on; one that looks across it sees it broadside.
Pixel mode finds end-on anglers late: on the far tile of ``cam-peninsula`` 1 of 15 within 10 s against 21
of 30 seen obliquely (docs/detectors.md, "The fishing misses are of the view").
"""

from __future__ import annotations

import math

import shapely
import shapely.ops


def facing(water, xy: tuple[float, float]) -> float:
    """Compass heading (rad, clockwise from north) from ground point ``xy`` (m) to the nearest point of
    ``water`` (a shapely geometry): where an angler standing there points its rod and line."""
    x, y = xy
    nearest = shapely.ops.nearest_points(water, shapely.Point(x, y))[0]
    return math.atan2(nearest.x - x, nearest.y - y)


def end_on(heading: float, xy: tuple[float, float], camera_xy: tuple[float, float]) -> float:
    """|cos| of the ground angle between ``heading`` (compass, rad) at ``xy`` and the way from there to a
    camera at ``camera_xy`` (m): 1 when the gear points at the lens or straight away from it, 0 when the
    camera sees it broadside."""
    bearing = math.atan2(camera_xy[0] - xy[0], camera_xy[1] - xy[1])  # compass, as the heading
    return abs(math.cos(heading - bearing))
