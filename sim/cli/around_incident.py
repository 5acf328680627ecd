"""``run --around-incident``: a short pixel-mode run that opens just before the seed's first offender
enters a camera's view, with the seed's own incidents.

How the incidents stay the same: they depend on ``run.start`` and ``run.duration`` (the hour and month
thin the arrivals; the count is drawn for the whole duration), so they are drawn for the scenario's
whole run first, exactly as ``run`` would draw them; then the run is moved to the window (its start
``t0`` later, its duration the window's) and given the incidents on the water in the window, their
times shifted by ``-t0`` (``sim.world.incident_window``). Daylight follows the moved start, so the
frames show the true time of day. The alternative, a full-length run whose cameras begin late, would
simulate and report hours nobody looks at.
"""

from __future__ import annotations

from sim.core.durations import format_duration
from sim.core.rng import RandomStreams
from sim.errors import BadInputError
from sim.scenario.models import Scenario
from sim.sensing.first_sighting import first_sighting
from sim.sensing.sensors import build_sensors
from sim.world.geometry import ZoneGeometry
from sim.world.incident_window import window_incidents, window_record, window_scenario
from sim.world.incidents import Incident, IncidentGenerator

LEAD_S = 10.0
"""The window opens this long before the offender enters the view (the detectors' background settles), s."""
DEFAULT_WINDOW_S = 120.0
"""The window's length when ``--duration`` is not given, s."""


def around_incident(scenario: Scenario, window_s: float) -> tuple[Scenario, list[Incident], str, dict]:
    """The window's scenario, its incidents, a line saying where the window lies and why, and the window's
    record for ``summary.json`` (:func:`~sim.world.incident_window.window_record`: the run can be repeated
    from its folder).

    A one-line error if no offender enters a camera's view during the scenario's run.
    """
    geometry = ZoneGeometry(scenario)
    streams = RandomStreams(scenario.run.seed)
    incidents = IncidentGenerator(scenario, geometry, streams).generate(scenario.run.duration)
    cameras = [c.id for c in scenario.cameras]
    sighting = first_sighting(incidents, build_sensors(scenario, geometry), cameras)
    whole = format_duration(scenario.run.duration)
    if sighting is None:
        raise BadInputError(
            f"--around-incident: no offender enters a camera's view in the {whole} of seed "
            f"{scenario.run.seed} (from {scenario.run.start.isoformat()}): try another --seed or --start"
        )
    t0 = max(0.0, sighting.t - LEAD_S)
    window = window_scenario(scenario, t0, window_s)
    kind = next(i.kind for i in incidents if i.id == sighting.incident_id)
    local = window.run.start.isoformat(timespec="seconds")
    note = (
        f"around incident {sighting.incident_id} ({kind}): it enters {sighting.camera_id}'s view at "
        f"{sighting.t:.1f} s of seed {scenario.run.seed}'s {whole} run; pixel run of "
        f"{format_duration(window_s)} from {t0:.1f} s (local {local}); "
        "times below count from there"
    )
    record = window_record(t0, scenario.run.duration)
    return window, window_incidents(incidents, t0, window_s), note, record
