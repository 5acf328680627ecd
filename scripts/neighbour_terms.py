"""Fit a kind's neighbour term (how an offender fares who comes into a camera's view near another of its kind)
to one-camera pixel runs, check it on held-out ones, and install it.

Run from the repository root:

    PYTHONPATH=. python scripts/neighbour_terms.py --fit-runs CAMERA RATE DURATION DIR [...] \\
        --held-out CAMERA RATE DURATION DIR [...] [--kind fishing] [--calibration FILE] [--scale M] \\
        [--late-after S] [--out DIR] [--install]

Each DIR holds runs kept by ``scripts/installed_agreement.py --keep DIR`` of one camera, RATE offenders of the
kind an hour, DURATION-s runs by day (``--start``): the options that made them, which the kept log's record of
its scene must match. How near each offender's nearest neighbour looked in the image when it came into view
is rebuilt from the runs' seeds (:mod:`sim.calibration.neighbour_separations`). The term is fitted to the
``--fit-runs`` sets with the calibration's class held (:mod:`sim.calibration.neighbour_fit`); the script
prints it, the
log-likelihood it gains on the fitting and on the held-out sets, and for every set statistical mode without
and with the term against pixel mode (detection rate, median time to detect). ``--out DIR`` writes that
table (``neighbour.csv``) and its figure (``neighbour.png``). With ``--install`` the term is written into the
calibration file's visible class of the kind (``alarm_hazard.neighbour``) with a sentence of source, only if
the held-out sets gain. Sets of one camera must not share seeds.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from scipy.stats.mstats import hdquantiles

from scripts.installed_agreement import one_camera_scene, read_kept
from sim.calibration.agreement import REPLICATIONS, both_modes, calibrated_detections
from sim.calibration.neighbour_fit import LATE_AFTER_S, SCALE_HEIGHTS, fit_neighbour, neighbour_gain
from sim.calibration.neighbour_separations import neighbour_separations
from sim.calibration.pixel_run_log import PixelRunLog
from sim.scenario.models import Calibration, Kind, NeighbourTerm, Scenario
from sim.sensing.alarm_hazard import closeness

matplotlib.use("Agg")
import matplotlib.pyplot as plt


@dataclass(frozen=True)
class KeptSet:
    """One camera's kept runs: its scene, its log and its offenders' frames with their closeness."""

    label: str
    scene: Scenario
    log: PixelRunLog
    frames: pd.DataFrame
    credited: pd.Series

    @classmethod
    def read(cls, spec: list[str], kind: Kind, start: str, scale: float) -> KeptSet:
        """The set of ``spec`` (camera, rate, duration, folder) of ``kind`` from ``start``."""
        camera, rate, duration, folder = spec
        scene = one_camera_scene(camera, kind, float(rate), float(duration), start)
        if not (Path(folder) / "log.json").exists():
            raise SystemExit(f"{folder}: no kept pixel runs there (log.json)")
        log = read_kept(Path(folder), scene)
        frames = log.frames[log.frames["kind"] == kind.value].drop(columns="kind").reset_index(drop=True)
        apart = neighbour_separations(frames, scene, log.note["seeds"])
        frames["nearness"] = frames["group"].map(apart).map(lambda s: closeness(s, scale))
        label = f"{camera} {float(duration):g} s"
        key = f"{label}:"  # an offender per set, run and camera
        credited = pd.Series(log.credited.to_numpy(), index=key + log.credited.index)
        return cls(label, scene, log, frames.assign(group=key + frames["group"]), credited)

    @property
    def seeds(self) -> list[int]:
        return list(self.log.note["seeds"])

    @property
    def camera(self) -> str:
        return self.scene.cameras[0].id


def disjoint(sets: list[KeptSet]) -> None:
    """Exits naming two sets of one camera that share seeds (a held-out set would be in the fit)."""
    for i, one in enumerate(sets):
        for other in sets[i + 1 :]:
            shared = sorted(set(one.seeds) & set(other.seeds))
            if one.camera == other.camera and shared:
                raise SystemExit(f"{one.label} and {other.label} share seeds {shared}: give each its own")


def pooled(sets: list[KeptSet]) -> tuple[pd.DataFrame, pd.Series]:
    """The frames and credited alarms of ``sets`` together."""
    return pd.concat([s.frames for s in sets], ignore_index=True), pd.concat([s.credited for s in sets])


def with_term(calibration: Calibration, kind: Kind, term: NeighbourTerm | None) -> Calibration:
    """``calibration`` with ``term`` in its visible class of ``kind`` (None: without one)."""
    spec = calibration.classes[kind]
    rates = spec.alarm_hazard.model_copy(update={"neighbour": term})
    classes = {**calibration.classes, kind: spec.model_copy(update={"alarm_hazard": rates})}
    return calibration.model_copy(update={"classes": classes})


def smooth_median(detections: pd.DataFrame) -> float:
    """The Harrell-Davis median of the times to detect of ``detections``' detected rows (s): a weighted mean
    of every order statistic (Harrell & Davis 1982, *Biometrika* 69(3):635-640), which does not jump
    between the fishing detector's two alarm ages (5.7 and 7.4 s) as the sample median does when half its
    finds are at each."""
    times = detections.loc[detections["detected"], "ttd_s"].to_numpy(float)
    return float(hdquantiles(times, prob=[0.5])[0]) if len(times) else np.nan


def checked(one: KeptSet, kind: Kind, calibrations: dict[str, Calibration]) -> dict:
    """Statistical mode under each of ``calibrations`` against pixel mode on ``one``: detection rate, median
    time to detect (s) and its Harrell-Davis estimate (:func:`smooth_median`)."""
    pixel = one.log.detections[one.log.detections["kind"] == kind.value]
    row = {"set": one.label, "offenders": len(pixel), "pixel_hd_median_s": smooth_median(pixel)}
    for name, calibration in calibrations.items():
        drawn = calibrated_detections([one.scene], calibration, one.seeds, REPLICATIONS)
        measured, statistical = both_modes(pixel, drawn, kind, REPLICATIONS)
        row |= {"pixel_rate": measured.detection_rate, "pixel_median_s": measured.ttd_p50_s}
        row |= {f"{name}_rate": statistical.detection_rate, f"{name}_median_s": statistical.ttd_p50_s}
        row[f"{name}_hd_median_s"] = smooth_median(drawn[drawn["kind"] == kind.value])
    return row


MODES = {"pixel": ("o", "black", "pixel mode"), "without": ("x", "tab:red", "statistical, installed")}
MODES["with"] = ("D", "tab:blue", "statistical, with the term")
GOALS = {
    "rate": (lambda v: (v - 0.05, v + 0.05), "detection rate"),
    "median_s": (lambda v: (0.8 * v, 1.2 * v), "median time to detect, s"),
}
"""Each panel's column, the goal's band around pixel mode's value (5 points, 20 %) and its axis label."""


def draw(table: pd.DataFrame, path: Path) -> None:
    """``path``: each set's detection rate and median time to detect, pixel mode beside statistical mode
    without and with the term, the goals' bands around pixel mode's."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.6 * len(table) + 2.0), sharey=True)
    y = np.arange(len(table))
    for ax, (column, (goal, label)) in zip(axes, GOALS.items(), strict=True):
        low, high = goal(table[f"pixel_{column}"].to_numpy(float))
        ax.barh(y, high - low, left=low, height=0.6, color="0.88", label="goal around pixel mode")
        for name, (marker, colour, legend) in MODES.items():
            ax.plot(table[f"{name}_{column}"], y, marker, color=colour, label=legend)
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
    parts = table["part"].map({"fit_runs": "fit", "held_out": "held out"})
    names = [f"{s}, {p} ({n})" for s, p, n in zip(table["set"], parts, table["offenders"], strict=True)]
    axes[0].set_yticks(y, names)
    axes[0].invert_yaxis()
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.suptitle("Anglers beside another: statistical mode against pixel mode, set by set")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def term_words(term: NeighbourTerm) -> str:
    """The term's coefficients in words."""
    return (
        f"closeness e^(-s/{term.scale_heights:g} heights): log-rate {term.log_rate:+g} before "
        f"{term.late_after_s:g} s in view, {term.late_log_rate:+g} after; never found at log odds "
        f"{term.never_log_odds:+g} {term.never_slope:+g} c; crowd slope {term.crowd_change:+g}"
    )


def install(path: Path, kind: Kind, term: NeighbourTerm, gains: tuple[float, float], command: str) -> None:
    """Write ``term`` into the visible class of ``kind`` of the calibration file at ``path``, replacing the
    source's sentence on an earlier term of the kind; ``command`` is the command that fitted it."""
    calibration = json.loads(path.read_text(encoding="utf-8"))
    calibration["classes"][kind.value]["alarm_hazard"]["neighbour"] = term.model_dump(mode="json")
    earlier = re.compile(rf" The {kind.value} class's neighbour term .*?, the class held\.")
    calibration["source"] = earlier.sub("", calibration["source"]) + (
        f" The {kind.value} class's neighbour term ({term_words(term)}) was fitted by `{command}` "
        f'(log-likelihood +{gains[0]:.2f}; held-out sets +{gains[1]:.2f}; docs/detectors.md, "An angler '
        'beside another"), the class held.'
    )
    Calibration.model_validate(calibration)
    path.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    print(f"written: {path} (classes.{kind.value}.alarm_hazard.neighbour)")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    spec = {"nargs": 4, "action": "append", "default": [], "metavar": ("CAMERA", "RATE", "DURATION", "DIR")}
    parser.add_argument("--fit-runs", **spec, help="a set the term is fitted to (repeatable)")
    parser.add_argument("--held-out", **spec, help="a set it is checked on (repeatable)")
    parser.add_argument("--kind", choices=[k.value for k in Kind], default=Kind.FISHING.value)
    parser.add_argument("--start", default="2026-07-18T10:00:00")
    parser.add_argument("--calibration", type=Path, default=Path("scenarios/calibration/default.json"))
    parser.add_argument(
        "--scale", type=float, default=SCALE_HEIGHTS, help="the closeness's scale, in the offender's heights"
    )
    parser.add_argument("--late-after", type=float, default=LATE_AFTER_S, help="s in view")
    parser.add_argument("--out", type=Path, help="write neighbour.csv and neighbour.png here")
    parser.add_argument("--install", action="store_true", help="write the term into --calibration")
    return parser


def main() -> None:
    args = parser().parse_args()
    if not args.fit_runs or not args.held_out:
        parser().error("give at least one --fit-runs set and one --held-out set")
    if not 0 < args.scale <= 1000 or not 0 < args.late_after <= 3600:
        parser().error("--scale must be in (0, 1000] heights and --late-after in (0, 3600] s")
    kind = Kind(args.kind)
    calibration = Calibration.model_validate_json(args.calibration.read_text(encoding="utf-8"))
    block, reference = calibration.classes[kind].alarm_hazard, calibration.reference_pixels
    if block is None:
        raise SystemExit(f"{args.calibration}: the {kind.value} class has no alarm rates (the hazard model)")
    read = {
        part: [KeptSet.read(s, kind, args.start, args.scale) for s in getattr(args, part)]
        for part in ("fit_runs", "held_out")
    }
    disjoint(read["fit_runs"] + read["held_out"])
    threshold = read["fit_runs"][0].scene.detection.threshold_for(kind)
    fit = fit_neighbour(*pooled(read["fit_runs"]), block, reference, threshold, args.scale, args.late_after)
    held = neighbour_gain(*pooled(read["held_out"]), block, reference, threshold, fit.term)
    print(
        f"{kind.value}: neighbour term {term_words(fit.term)}; {fit.near} of {fit.offenders} offenders came "
        f"into view within {args.scale:g} of their heights of another in the image; log-likelihood "
        f"+{fit.gain:.2f} on the fitting sets, {held:+.2f} on the held-out sets"
    )
    variants = {"without": with_term(calibration, kind, None), "with": with_term(calibration, kind, fit.term)}
    rows = [checked(one, kind, variants) | {"part": part} for part, sets in read.items() for one in sets]
    table = pd.DataFrame(rows)
    print(table.round(3).to_string(index=False))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out / "neighbour.csv", index=False)
        draw(table, args.out / "neighbour.png")
        print(f"written: {args.out / 'neighbour.csv'}, {args.out / 'neighbour.png'}")
    if args.install:
        if held <= 0.0:
            print("not installed: the term does not foretell the held-out sets' alarms better")
            return
        sets = "".join(f" --fit-runs {' '.join(s)}" for s in args.fit_runs)
        sets += "".join(f" --held-out {' '.join(s)}" for s in args.held_out)
        command = f"PYTHONPATH=. python scripts/neighbour_terms.py{sets} --install"
        install(args.calibration, kind, fit.term, (fit.gain, held), command)


if __name__ == "__main__":
    main()
