"""One boat on scene: closing in, warnings by loudspeaker, the offenders' answers, evidence.

The boat stops in warning range of its target, closes in on an offender who
drifted out of earshot, warns everyone of the case's kind within earshot up
to ``max_warnings`` times, waits for those who heed to leave (at most
``give_up_after`` after its last warning), and uploads the evidence from
where it is. Offenders' answers were drawn when the incidents were generated
(:mod:`sim.world.incidents`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import simpy

from sim.fleet.boats import Boat, BoatState, Route
from sim.scenario.models import OnScene

if TYPE_CHECKING:
    from sim.world.ground_truth import World
    from sim.world.incidents import Incident


@dataclass(frozen=True)
class MissionOutcome:
    """What a boat did at one case; times in s."""

    t_arrive: float
    t_done: float
    incident_id: int | None
    """Offender found and warned on scene (ground truth), None if nobody was found."""


def mission(
    boat: Boat,
    route: Route,
    target: tuple[float, float],
    kind: str,
    world: World,
    on_scene: OnScene,
    evidence_upload: Callable[[tuple[float, float], float], float],
) -> Generator[simpy.Event, None, MissionOutcome]:
    """Fly ``route`` towards ``target``, warn the offenders found there, upload evidence.

    ``evidence_upload(position, t)`` returns the upload delay (s).
    """
    speaker = boat.spec.loudspeaker_range
    yield from boat.travel(route, BoatState.OUTBOUND)
    offender = world.offender_near(kind, boat.position, boat.env.now, search_radius=2 * speaker)
    if offender is not None:
        # The offender drifted out of earshot: close in on where they are now.
        where = offender.position(boat.env.now)
        if math.dist(where, boat.position) > speaker:
            yield from boat.travel(boat.approach(where), BoatState.OUTBOUND)
    t_arrive = boat.env.now
    boat.state = BoatState.ON_SCENE
    # Everyone of this kind within earshot hears the warnings, not only the offender sought.
    audience = world.offenders_within(kind, boat.position, t_arrive, speaker)
    if not audience:
        return MissionOutcome(t_arrive, t_arrive, None)
    found = audience[0].id
    for offender in audience:
        world.mark(offender.id, "t_boat_arrived", t_arrive)
        world.attended_by(offender.id, boat.id)
    yield from boat.hold(on_scene.warning_setup, BoatState.ON_SCENE, camera=True)
    audience = [o for o in audience if world.present(o.id, boat.env.now)]
    if not audience:  # they left on their own while the boat got ready
        return MissionOutcome(t_arrive, boat.env.now, found)
    leaving = yield from warn(boat, audience, world, on_scene)
    yield from boat.hold(evidence_upload(boat.position, boat.env.now), BoatState.ON_SCENE, camera=True)
    for offender in audience:
        # The evidence shows who has gone and who stayed; one still on the way out (after this boat's
        # warnings or an earlier boat's) is not yet shown gone.
        on_the_way_out = max(leaving.get(offender.id, -math.inf), world.recorded_leaving(offender.id))
        if on_the_way_out <= boat.env.now:
            world.mark(offender.id, "t_evidence_uploaded", boat.env.now)
    return MissionOutcome(t_arrive, boat.env.now, found)


def warn(
    boat: Boat, audience: list[Incident], world: World, on_scene: OnScene
) -> Generator[simpy.Event, None, dict[int, float]]:
    """Warn up to ``max_warnings`` times; returns when each offender who agreed to go leaves, s.

    An offender who heeds a warning leaves after their own delay; one who
    would have left anyway within the wait leaves then. The boat waits for
    everyone to go, or ``give_up_after`` s after its last warning at most;
    whoever is undecided then is recorded as given up on.
    """
    compliance = world.compliance(audience[0].kind)
    leaving: dict[int, float] = {}
    for number in range(1, compliance.max_warnings + 1):
        t_warning = boat.env.now
        last = number == compliance.max_warnings
        patience = on_scene.give_up_after if last else compliance.warning_interval
        for offender in audience:
            if offender.id in leaving:
                continue
            world.mark(offender.id, "t_warning", t_warning)
            heeded = offender.leave_time_after(number, t_warning)
            if heeded is None and offender.t_end <= t_warning + patience:
                heeded = offender.t_end
            if heeded is not None:
                leaving[offender.id] = heeded
                world.offender_left(offender.id, heeded)
        everyone = len(leaving) == len(audience)
        if everyone:
            patience = min(max(leaving.values()), t_warning + on_scene.give_up_after) - t_warning
        message = min(on_scene.message_length, patience)
        yield from boat.hold(message, BoatState.ON_SCENE, camera=True, loudspeaker=True)
        yield from boat.hold(patience - message, BoatState.ON_SCENE, camera=True)
        if everyone:
            return leaving
    for offender in audience:
        if offender.id not in leaving:
            world.mark(offender.id, "t_gave_up", boat.env.now)
    return leaving
