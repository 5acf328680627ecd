"""The files of a run folder, described once: the folder's ``README.md`` index is generated from
:data:`OUTPUT_FILES`, and a test checks the project README's table ("What a run writes") against it.

A new output file gets its line here (and in the README's table) or the tests fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

INDEX_NAME = "README.md"
"""The index written into every run folder."""


@dataclass(frozen=True)
class OutputFile:
    """One file of a run folder: its path in the folder, what one row of it is, what it holds."""

    name: str
    row: str
    """What one row stands for (the README table's "one row per" column); "—" for a file without rows."""
    description: str
    """One line for the folder's index."""


OUTPUT_FILES = (
    OutputFile(
        "incidents.csv",
        "offender",
        "every offender: where, when each response stage happened, outcome",
    ),
    OutputFile(
        "alarms.csv",
        "alarm raised by a camera or buoy",
        "every alarm, its score and its incident (empty: false alarm)",
    ),
    OutputFile(
        "missions.csv",
        "boat mission",
        "every boat mission: times, distance, energy, status",
    ),
    OutputFile(
        "tracks.csv",
        "boat sample every 5 s (docked too)",
        "boat positions, speeds, battery and state",
    ),
    OutputFile(
        "transfers.csv",
        "message over the network",
        "every message over the 5G links and where its delay went (s)",
    ),
    OutputFile(
        "sorties.csv",
        "relay drone flight",
        "relay drone flights: where they hovered and when (s)",
    ),
    OutputFile(
        "summary.json",
        "run",
        "counts and KPIs: detection rate, response time, stages, utilisation (an --around-incident run: "
        "also its window, to repeat it)",
    ),
    OutputFile(
        "scenario.yaml",
        "—",
        "the fully resolved scenario with its seed: rerun it with run --scenario",
    ),
    OutputFile(
        INDEX_NAME,
        "—",
        "this index",
    ),
    OutputFile(
        "figures/response_time_cdf.png",
        "—",
        "share of incidents warned within a response time, per kind",
    ),
    OutputFile(
        "figures/latency_breakdown.png",
        "—",
        "mean time in each response stage, per kind",
    ),
    OutputFile(
        "figures/zone_map.png",
        "—",
        "zone, camera views, sites, boat tracks and incidents by outcome",
    ),
    OutputFile(
        "figures/boat_timeline.png",
        "—",
        "what each boat did over time, and its battery",
    ),
    OutputFile(
        "figures/coverage.png",
        "—",
        "radio coverage of the zone, its holes and the relay drones",
    ),
    OutputFile(
        "alarm_frames/",
        "—",
        "pixel mode with --save-alarm-frames: each alarm's frame with its boxes",
    ),
    OutputFile(
        "replay.html",
        "—",
        "the run in a browser: boats, offenders and alarms on the map over time",
    ),
)
"""Every file a run may write, in the order the index lists them."""

DESCRIPTIONS = {f.name: f.description for f in OUTPUT_FILES}


def present_files(folder: Path) -> list[str]:
    """Names (as in :data:`OUTPUT_FILES`, folders with a trailing ``/``) of the files in ``folder``."""
    names = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_dir() and f"{relative}/" in DESCRIPTIONS:
            names.append(f"{relative}/")
        elif path.is_file() and not any(relative.startswith(d) for d in DESCRIPTIONS if d.endswith("/")):
            names.append(relative)
    return names


def index_text(folder: Path, title: str) -> str:
    """The ``README.md`` of a run folder: ``title``, then one line per file present (and the index)."""
    present = set(present_files(folder)) | {INDEX_NAME}
    known = [f for f in OUTPUT_FILES if f.name in present]
    unknown = sorted(present - set(DESCRIPTIONS))
    lines = [f"# {title}", "", "Files of this folder (the project README's table has their columns):", ""]
    lines += [f"- `{f.name}`: {f.description}" for f in known]
    lines += [f"- `{name}`" for name in unknown]
    return "\n".join(lines) + "\n"


def write_index(folder: Path, title: str) -> Path:
    """Write the index of ``folder`` (after its other files) and return its path."""
    path = folder / INDEX_NAME
    path.write_text(index_text(folder, title), encoding="utf-8")
    return path
