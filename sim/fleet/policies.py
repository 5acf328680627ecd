"""Dispatch policies: which boat goes to a case, each registered by name for ``dispatch.policy``.

A policy is one class with ``choose(case, boats)``, returning

* an available boat: it leaves now;
* :class:`AfterCurrent` (boat): the boat takes the case as soon as it finishes its mission;
* :class:`Retarget` (boat): the boat drops its lower-priority mission under way for this case
  (that case goes back to the queue);
* None: the case stays queued; the centre asks again when a boat becomes free.

Optional attributes: ``rank(case)`` orders the queue (default first come,
first served), and ``waits_on_water = True`` makes idle boats wait at
``dispatch.patrol_points`` instead of docks. Boats offered by the helpers
here can do the mission and come home with their reserve
(:meth:`~sim.fleet.boats.Boat.can_serve`, checked last because it plans routes).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sim.fleet.boats import Boat, BoatState

if TYPE_CHECKING:
    from sim.fleet.cases import Case


@dataclass(frozen=True)
class AfterCurrent:
    boat: Boat


@dataclass(frozen=True)
class Retarget:
    boat: Boat


Choice = Boat | AfterCurrent | Retarget | None


class DispatchPolicy(Protocol):
    def choose(self, case: Case, boats: Sequence[Boat]) -> Choice:
        """What to do with ``case``, the head of the queue."""


def first_come_first_served(case: Case) -> tuple:
    """The default queue order: by the time the case was queued."""
    return (case.t_queued, case.id)


def able(case: Case) -> Callable[[Boat], bool]:
    """Could a boat do this case and come home with its reserve? (Plans routes: ask it last.)"""
    return lambda boat: boat.can_serve(case.target, case.budget)


def nearest(case: Case, boats: Sequence[Boat]) -> tuple[Boat | None, float]:
    """Of ``boats`` able to serve the case, the nearest by water to warning range, and that distance (m)."""
    by_crow_flies = sorted(
        (math.dist(boat.position, case.target), order, boat) for order, boat in enumerate(boats)
    )
    best, best_length, usable = None, math.inf, able(case)
    for crow_flies, _, boat in by_crow_flies:
        if crow_flies - boat.spec.loudspeaker_range >= best_length:
            break  # a water route is never shorter than the straight line to the range circle
        if not boat.reachable(case.target):
            continue
        length = boat.approach(case.target).distance
        if length < best_length and usable(boat):
            best, best_length = boat, length
    return best, best_length


class NearestIdle:
    """The free boat (docked, returning, patrolling) with the shortest water route."""

    def choose(self, case: Case, boats: Sequence[Boat]) -> Choice:
        return nearest(case, [boat for boat in boats if boat.available])[0]


class FastestEta:
    """The boat that can be in warning range soonest, counting busy boats after their expected finish.

    A busy boat's finish is the estimate made when its mission started
    (transit plus the expected time on scene); it takes at most one case in waiting.
    """

    def choose(self, case: Case, boats: Sequence[Boat]) -> Choice:
        best, best_eta, usable = None, math.inf, able(case)
        for boat in boats:
            if boat.available and boat.reachable(case.target):
                eta = boat.approach(case.target).duration
            elif boat.task is not None and boat.follow_up is None and boat.reachable(case.target):
                now = boat.env.now
                eta = max(0.0, boat.task.t_free - now) + boat.approach(case.target, boat.task.stop).duration
            else:
                continue
            # A busy boat's charge is checked when it takes the case.
            if eta < best_eta and (boat.task is not None or usable(boat)):
                best, best_eta = boat, eta
        if best is None or best.task is None:
            return best
        return AfterCurrent(best)


KIND_PRIORITY = {"swimming": 0, "fishing": 1}
"""Lower goes first: a swimmer's life before a fisher's catch."""


class Priority:
    """Swimming cases before fishing cases; a boat under way to a fisher may be re-targeted to a swimmer.

    Among free boats and boats heading for a fishing case that are nearer to
    the swimmer than to their own target, the nearest goes.
    """

    def rank(self, case: Case) -> tuple:
        return (KIND_PRIORITY[case.kind], *first_come_first_served(case))

    def choose(self, case: Case, boats: Sequence[Boat]) -> Choice:
        candidates = [boat for boat in boats if boat.available]
        if case.kind == "swimming":
            candidates += [
                boat
                for boat in boats
                if boat.task is not None
                and boat.task.kind == "fishing"
                and boat.state is BoatState.OUTBOUND
                and boat.reachable(case.target)
                and boat.approach(case.target).distance < boat.approach(boat.task.target).distance
            ]
        best, _ = nearest(case, candidates)
        if best is None or best.task is None:
            return best
        return Retarget(best)


class ZonePatrol(NearestIdle):
    """Idle boats wait at patrol points on the water (``dispatch.patrol_points``); the nearest goes."""

    waits_on_water = True


POLICIES: dict[str, type[DispatchPolicy]] = {
    "nearest_idle": NearestIdle,
    "fastest_eta": FastestEta,
    "priority": Priority,
    "zone_patrol": ZonePatrol,
}
"""The policies selectable as ``dispatch.policy``, by name; :func:`register_policy` adds one."""


def register_policy(name: str, policy: type[DispatchPolicy]) -> type[DispatchPolicy]:
    """Make ``policy`` selectable as ``dispatch.policy: name`` (call it before loading the scenario)."""
    if name in POLICIES:
        raise ValueError(f"policy {name!r} is already registered")
    POLICIES[name] = policy
    return policy


def waits_on_water(name: str) -> bool:
    """Do idle boats of policy ``name`` wait at ``dispatch.patrol_points`` (instead of docks)?"""
    return bool(getattr(POLICIES[name], "waits_on_water", False))
