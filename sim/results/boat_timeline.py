"""Figures of the fleet: what each boat did over the run, and its charge.

Drawn from ``tracks.csv`` alone (one row per boat every few seconds), so a
researcher can redraw them from a finished run's folder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.results.figure_style import save

STATE_COLOURS = {
    "docked": "#bdc3c7",
    "patrolling": "#85c1e9",
    "outbound": "#e67e22",
    "on_scene": "#c0392b",
    "returning": "#27ae60",
}
"""Boat states (sim.fleet.boats.BoatState values) and their colours."""


def state_spans(tracks: pd.DataFrame) -> pd.DataFrame:
    """Per boat, maximal spans of one state: ``boat_id, state, t0, t1`` (s), from consecutive track rows."""
    rows = tracks.sort_values(["boat_id", "t"])
    spans = []
    for boat_id, boat in rows.groupby("boat_id", sort=True):
        t = boat["t"].to_numpy()
        states = boat["state"].to_numpy()
        start = 0
        for i in range(1, len(t) + 1):
            if i == len(t) or states[i] != states[start]:
                end = t[min(i, len(t) - 1)]
                if end > t[start]:
                    spans.append((boat_id, states[start], t[start], end))
                start = i
    return pd.DataFrame(spans, columns=["boat_id", "state", "t0", "t1"])


def boat_timeline(tracks: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Boat states over time (one lane per boat) above each boat's battery charge."""
    fig = Figure(figsize=(9.0, 5.2))
    lanes, charge = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1.2, 1.0]})
    boats = sorted(tracks["boat_id"].unique()) if len(tracks) else []
    # Time in hours, or in minutes for runs under two hours.
    scale, unit = (3600.0, "h") if len(tracks) and tracks["t"].max() >= 7200.0 else (60.0, "min")
    spans = state_spans(tracks) if len(tracks) else pd.DataFrame(columns=["boat_id", "state", "t0", "t1"])
    for row, boat_id in enumerate(boats):
        mine = spans[spans["boat_id"] == boat_id]
        for state, colour in STATE_COLOURS.items():
            subset = mine[mine["state"] == state]
            lanes.broken_barh(
                list(zip(subset["t0"] / scale, (subset["t1"] - subset["t0"]) / scale, strict=True)),
                (row - 0.4, 0.8),
                facecolors=colour,
            )
        own = tracks[tracks["boat_id"] == boat_id].sort_values("t")
        charge.plot(own["t"] / scale, own["battery_wh"], linewidth=1.0, label=boat_id)
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
        charge.legend(fontsize=7.5, loc="lower left", ncol=len(boats))
    return save(fig, path)
