"""Figures of the fleet: what each boat did over the run, and its charge.

Drawn from ``tracks.csv`` alone (one row per boat every few seconds), through its digest
(:class:`~sim.results.track_digest.Tracks`: state spans and the charge line, gathered as the rows are
written or read back), so a researcher can redraw them from a finished run's folder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.results.figure_style import save
from sim.results.track_digest import Tracks
from sim.results.track_rows import TRACK_COLUMNS

STATE_COLOURS = {
    "docked": "#bdc3c7",
    "patrolling": "#85c1e9",
    "outbound": "#e67e22",
    "on_scene": "#c0392b",
    "returning": "#27ae60",
}
"""Boat states (sim.fleet.boats.BoatState values) and their colours."""
CHARGE_LEGEND_COLUMNS = 6
"""Most boats in one row of the charge legend (a city's twelve take two rows, inside the figure)."""


def state_spans(tracks: pd.DataFrame) -> pd.DataFrame:
    """Per boat, maximal spans of one state: ``boat_id, state, t0, t1`` (s), from consecutive track rows
    (a span ends at the first row of the next)."""
    rows = tracks.sort_values(["boat_id", "t"]).reindex(columns=list(TRACK_COLUMNS))  # only t and state count
    return _spans(Tracks.of(rows, float(tracks["t"].max())))


def _spans(tracks: Tracks) -> pd.DataFrame:
    parts = [boat.spans.assign(boat_id=boat_id) for boat_id, boat in tracks.boats.items()]
    spans = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["state", "t0", "t1"])
    return spans.reindex(columns=["boat_id", "state", "t0", "t1"])


def boat_timeline(tracks: Tracks, path: Path, title: str = "") -> Path:
    """Boat states over time (one lane per boat) above each boat's battery charge."""
    fig = Figure(figsize=(9.0, 5.2))
    lanes, charge = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1.2, 1.0]})
    boats = sorted(tracks.boats)
    # Time in hours, or in minutes for runs under two hours.
    scale, unit = (3600.0, "h") if boats and tracks.t_max >= 7200.0 else (60.0, "min")
    spans = _spans(tracks)
    for row, boat_id in enumerate(boats):
        mine = tracks.boats[boat_id].spans
        for state, colour in STATE_COLOURS.items():
            subset = mine[mine["state"] == state]
            lanes.broken_barh(
                list(zip(subset["t0"] / scale, (subset["t1"] - subset["t0"]) / scale, strict=True)),
                (row - 0.4, 0.8),
                facecolors=colour,
            )
        own = tracks.boats[boat_id].charge
        charge.plot(own[:, 0] / scale, own[:, 1], linewidth=1.0, label=boat_id)
    lanes.set_yticks(range(len(boats)), boats)
    lanes.invert_yaxis()
    lanes.set_title(f"What the boats did — {title}", fontsize=10)
    lanes.legend(
        handles=[
            Patch(facecolor=c, label=s.replace("_", " "))
            for s, c in STATE_COLOURS.items()
            if (spans["state"] == s).any()
        ],
        ncol=len(STATE_COLOURS),
        fontsize=7.5,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.02),
        frameon=False,
    )
    lanes.grid(axis="x", alpha=0.3)
    charge.set_ylabel("battery (Wh)")
    charge.set_xlabel(f"time since the start of the run ({unit})")
    charge.grid(alpha=0.3)
    if boats:
        charge.legend(fontsize=7.5, loc="lower left", ncol=min(len(boats), CHARGE_LEGEND_COLUMNS))
    return save(fig, path)
