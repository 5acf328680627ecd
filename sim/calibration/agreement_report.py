"""The agreement half of the validity report (``run_sim.py tune --report``): statistical mode against pixel
mode in the folders ``run_sim.py tune --pixel-runs`` wrote, held against the calibration's goals.

The goals (issue 4's, kept by issue 17): statistical mode's detection rate within
:data:`RATE_GOAL_POINTS` percentage points of pixel mode's, its median time to detect within
:data:`MEDIAN_GOAL` of pixel mode's, on the seeds the agreement table was made on (held-out seeds when the
fit had them: ``model_choice.csv`` says so). Each folder gives one row per kind that had offenders in view.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.calibration.agreement import AGREEMENT_COLUMNS

RATE_GOAL_POINTS = 5.0
"""Statistical mode's detection rate within this many percentage points of pixel mode's."""
MEDIAN_GOAL = 0.20
"""Statistical mode's median time to detect within this share of pixel mode's."""
AGREEMENT_FILE = "agreement.csv"

REPORT_COLUMNS = (
    "fit",
    "kind",
    "model",
    "checked_on",
    "incidents_visible",
    "pixel_rate",
    "statistical_rate",
    "rate_points",
    "rate_goal_met",
    "pixel_ttd_p50_s",
    "statistical_ttd_p50_s",
    "ttd_p50_change",
    "ttd_goal_met",
)
"""A row per fit folder and kind: the model kept, where it was checked (held-out or fitting seeds), pixel
mode's incidents in view, both detection rates and their difference (percentage points), both median times
to detect (s) and statistical mode's relative change, and whether each goal is met."""


def is_agreement_folder(folder: Path) -> bool:
    """Whether ``folder`` holds what ``tune --pixel-runs`` writes."""
    return (folder / AGREEMENT_FILE).is_file()


def read_agreement(folder: Path) -> pd.DataFrame:
    """:data:`REPORT_COLUMNS` of one ``tune --pixel-runs`` folder; ValueError naming the file and what it
    lacks when it is not such a folder's."""
    table = pd.read_csv(folder / AGREEMENT_FILE)
    missing = [c for c in AGREEMENT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(
            f"{folder / AGREEMENT_FILE}: no column {', '.join(missing)} (not tune --pixel-runs')"
        )
    chosen, held_out = _model_choice(folder)
    rows = []
    for kind, both in table.groupby("kind", sort=True):
        modes = both.set_index("mode")
        if (
            not {"pixel", "statistical"} <= set(modes.index)
            or not modes.loc["pixel", "incidents_visible"] > 0
        ):
            continue  # no offender of this kind in view: nothing to compare
        pixel, statistical = modes.loc["pixel"], modes.loc["statistical"]
        points = 100.0 * (statistical["detection_rate"] - pixel["detection_rate"])
        change = (
            statistical["ttd_p50_s"] / pixel["ttd_p50_s"] - 1.0 if pixel["ttd_p50_s"] > 0 else float("nan")
        )
        rows.append(
            {
                "fit": folder.name,
                "kind": kind,
                "model": chosen.get(kind, "ordinal"),
                "checked_on": "held-out seeds" if held_out.get(kind, False) else "fitting seeds",
                "incidents_visible": float(pixel["incidents_visible"]),
                "pixel_rate": float(pixel["detection_rate"]),
                "statistical_rate": float(statistical["detection_rate"]),
                "rate_points": round(float(points), 2),
                "rate_goal_met": bool(abs(points) <= RATE_GOAL_POINTS),
                "pixel_ttd_p50_s": float(pixel["ttd_p50_s"]),
                "statistical_ttd_p50_s": float(statistical["ttd_p50_s"]),
                "ttd_p50_change": round(float(change), 4),
                "ttd_goal_met": bool(abs(change) <= MEDIAN_GOAL),
            }
        )
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))


def _model_choice(folder: Path) -> tuple[dict[str, str], dict[str, bool]]:
    """Per kind the model kept and whether held-out frames were scored (``model_choice.csv``; without
    it the default model, on the fitting seeds)."""
    path = folder / "model_choice.csv"
    if not path.is_file():
        return {}, {}
    choice = pd.read_csv(path)
    kept = choice[choice["chosen"].astype(bool)]
    return (
        dict(zip(kept["kind"], kept["model"], strict=True)),
        dict(zip(kept["kind"], kept["held_out_frames"] > 0, strict=True)),
    )


def how_made(folder: Path) -> str:
    """The fit's provenance: the ``source`` line of its ``calibration.json`` (the command and the runs)."""
    path = folder / "calibration.json"
    if not path.is_file():
        return "(no calibration.json)"
    return str(json.loads(path.read_text(encoding="utf-8")).get("source", "(no source)"))


def markdown_agreement(table: pd.DataFrame, sources: dict[str, str]) -> str:
    """The agreement table and, below it, how each fit was made."""
    lines = [
        f"Goals: detection rate within {RATE_GOAL_POINTS:g} points, median time to detect within "
        f"{MEDIAN_GOAL:.0%} of pixel mode's.",
        "",
        "| fit | kind | model | checked on | in view | detected: pixel | statistical | Δ points | goal "
        "| median TTD: pixel | statistical | change | goal |",
        "|---|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| {r.fit} | {r.kind} | {r.model} | {r.checked_on} | {r.incidents_visible:g} | "
            f"{r.pixel_rate:.3f} | {r.statistical_rate:.3f} | {r.rate_points:+.1f} | "
            f"{_met(r.rate_goal_met)} | {r.pixel_ttd_p50_s:.2f} s | {r.statistical_ttd_p50_s:.2f} s | "
            f"{r.ttd_p50_change:+.0%} | {_met(r.ttd_goal_met)} |"
        )
    lines += ["", *(f"- {name}: {source}" for name, source in sources.items())]
    return "\n".join(lines) + "\n"


def _met(value: bool) -> str:
    return "met" if value else "**missed**"
