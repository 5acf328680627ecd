"""What ``run`` prints: the summary table at the end, and with ``--trace`` each incident's timeline as
the run goes (from the :class:`~sim.world.recorder.Recorder`'s stamps, through its listener).

Units: one per quantity, shown with its value: percentages as ``%``, times in ``s``, rates per hour,
the run's length in its own unit (``2 min``, ``6 h``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from sim.core.durations import format_duration

NO_INCIDENTS = "no incidents in this run"
"""What the summary (and the figures) say of a run without incidents."""

TRACE_WORDS = {
    "t_start": "appeared",
    "t_first_visible": "first in a camera's view",
    "t_detected": "detected",
    "t_alarm_received": "alarm received",
    "t_dispatched": "boat dispatched",
    "t_boat_arrived": "boat arrived",
    "t_warning": "warned",
    "t_gave_up": "boat gave up",
    "t_offender_left": "left",
    "t_evidence_uploaded": "evidence uploaded",
}
"""The words ``--trace`` prints for each recorder field (others print as their field name)."""


def _fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}{unit}"


def format_summary(summary: dict) -> str:
    """The short table printed at the end of a run: one unit per quantity, written with each value."""
    counts = summary["counts"]
    response = summary["response_time_s"]
    outcomes = counts["outcomes"]
    length = format_duration(summary["duration_s"])
    rows = [("scenario", f"{summary['scenario']} (seed {summary['seed']}, {summary['mode']}, {length})")]
    if counts["incidents"] == 0:
        rows.append(("incidents", f"0: {NO_INCIDENTS}"))
    else:
        rows += [
            (
                "incidents",
                f"{counts['incidents']} ({counts['swimming']} swimming, {counts['fishing']} fishing)",
            ),
            (
                "detection rate",
                _fmt(None if summary["detection_rate"] is None else 100 * summary["detection_rate"], " %"),
            ),
            ("outcomes", ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in outcomes.items())),
            (
                "response time",
                f"median {_fmt(response['p50'], ' s')}, p90 {_fmt(response['p90'], ' s')} "
                f"(n = {response['n']})",
            ),
            (
                "stages (mean)",
                ", ".join(
                    f"{name} {_fmt(stats['mean'], ' s')}" for name, stats in summary["stages_s"].items()
                ),
            ),
        ]
    rows += [
        (
            "false alarms",
            f"{summary['false_alarms_per_hour']:.2f} per hour, "
            f"{summary['false_dispatches']} false dispatches",
        ),
        ("boats", f"{counts['missions']} missions, utilisation {100 * summary['boat_utilization']:.1f} %"),
        ("engine", f"{summary['sim_events']} events in {summary['wall_time_s']:.2f} s wall time"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def trace_printer(kinds: dict[int, str], stream: TextIO | None = None) -> Callable[[int, str, float], None]:
    """A recorder listener printing one line per moment of an incident: ``t = 123.4 s  incident 3
    (swimming): detected``; ``kinds`` maps incident ids to their kind. The first sighting is known
    when the offender appears, so its line comes with the arrival (it may lie ahead)."""

    def listen(incident_id: int, field: str, t: float) -> None:
        what = TRACE_WORDS.get(field, field)
        kind = kinds.get(incident_id, "?")
        print(f"t = {t:9.1f} s  incident {incident_id} ({kind}): {what}", file=stream or sys.stdout)

    return listen
