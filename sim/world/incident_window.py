"""A stretch of a run's incidents as a run of its own (``run --around-incident``).

The incidents of a seed depend on the run's start and duration (arrivals are thinned against the hour
and month of the run's clock, and their count is drawn for the whole duration). To keep them while
simulating only a short window, they are drawn for the whole scenario first, and those on the water
during the window are moved to a run that starts at the window: times shift by ``-t0``, ids and paths
stay. An offender already there when the window opens keeps its true arrival, a negative ``t_start``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sim.core.rng import RandomStreams
from sim.scenario.models import Scenario
from sim.world.geometry import ZoneGeometry
from sim.world.incidents import Incident, IncidentGenerator, Track

WINDOW_KEY = "around_incident"
"""The key of ``summary.json`` that records a window (:func:`window_record`)."""


def window_incidents(incidents: list[Incident], t0: float, seconds: float) -> list[Incident]:
    """The incidents on the water at some time in [t0, t0 + seconds) (s), with times shifted by ``-t0``."""
    return [
        replace(
            incident,
            t_start=incident.t_start - t0,
            t_end=incident.t_end - t0,
            track=Track(incident.track.t - t0, incident.track.xy),
        )
        for incident in incidents
        if incident.t_start < t0 + seconds and incident.t_end > t0
    ]


def window_scenario(scenario: Scenario, t0: float, seconds: float) -> Scenario:
    """``scenario`` with its run starting ``t0`` s later (same clock: daylight, season) for ``seconds`` s."""
    run = scenario.run.model_copy(
        update={"start": scenario.run.start + timedelta(seconds=t0), "duration": seconds}
    )
    return scenario.model_copy(update={"run": run})


def window_record(t0: float, whole_s: float) -> dict[str, float]:
    """What ``summary.json`` records of a window, so that the run can be repeated from its folder: where the
    window opens in the seed's whole run (``t0_s``) and that run's length (``whole_duration_s``), s."""
    return {"t0_s": float(t0), "whole_duration_s": float(whole_s)}


def incidents_of_window(window: Scenario, record: dict) -> list[Incident]:
    """The incidents of a window's run, drawn again: the whole run's (``window`` moved back by ``t0_s``,
    ``whole_duration_s`` long), then :func:`window_incidents`, as ``run --around-incident`` drew them."""
    t0, whole_s = float(record["t0_s"]), float(record["whole_duration_s"])
    whole = window_scenario(window, -t0, whole_s)
    incidents = IncidentGenerator(whole, ZoneGeometry(whole), RandomStreams(whole.run.seed)).generate(whole_s)
    return window_incidents(incidents, t0, window.run.duration)
