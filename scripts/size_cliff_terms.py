"""Fit the swimming class's size cliff (how much faster its alarm rate falls below one analysed pixel than
its size slope says) to a regeneration's pixel runs, check it on their held-out seeds, and install it.

Run from the repository root:

    PYTHONPATH=. python scripts/size_cliff_terms.py out/calibration/pixel-visible [--calibration FILE] \\
        [--kind swimming] [--late-after S] [--fit-runs DIR ...] [--install]

reads the folder's kept runs (``runs/fit`` and ``runs/held_out``: ``tune --pixel-runs``), fits the cliff to
the fitting seeds with the calibration's class held (:mod:`sim.calibration.size_cliff_fit`), prints its slope
and the log-likelihood it gains on the fitting seeds and on the held-out ones (positive: the cliff foretells
their alarms better than the class alone), and with ``--install`` writes it into the calibration file's
visible class (``alarm_hazard.size_cliff``) with a sentence of source. Only a cliff that gains on the
held-out seeds is installed. ``--late-after S`` fits two slopes, one while an offender has been in view for
less than S seconds and one after (``late_slope``, ``late_after_s``). ``--fit-runs DIR`` (repeatable) adds
the pixel runs kept in DIR (``scripts/installed_agreement.py --keep DIR``: one camera, fresh seeds) to the
fitting seeds: the regeneration's runs hold a dozen of the far river mouth's swimmers by day, too few to
fit a slope before and after 30 s on (``docs/detectors.md``, "The far river mouth's swimmers on 1800-s
runs, and swimming's crowd slope").
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from sim.calibration.pixel_run_log import PixelRunLog
from sim.calibration.size_cliff_fit import cliff_gain, fit_size_cliff
from sim.loading import load_scenario
from sim.scenario.models import Calibration, Kind, SizeCliff

DEFAULT_SCENARIO = Path("scenarios/xuchang_lake.yaml")
CLIFF_SENTENCE = re.compile(r" The \w+ class's size cliff .*?, the class held\.")
"""A calibration source's sentences on its classes' size cliffs (:func:`install` writes them)."""


def cliff_account(source: str) -> str:
    """The sentences of ``source`` on its size cliffs, each with its leading space; empty if none."""
    return "".join(match.group(0) for match in CLIFF_SENTENCE.finditer(source))


def cliff_words(mapping: dict) -> str:
    """The slopes of a :class:`sim.scenario.models.SizeCliff` ``mapping`` in words."""
    cliff = SizeCliff.model_validate(mapping)
    words = f"below {cliff.below_pixels:g} px, {cliff.slope:g} more per halving"
    if cliff.late_slope is None:
        return words
    return f"{words} for {cliff.late_after_s:g} s in view, {cliff.late_slope:g} after"


def install(
    path: Path, kind: Kind, cliff: dict, gains: tuple[float, float], runs: Path, options: str = ""
) -> None:
    """Write ``cliff`` (a :class:`sim.scenario.models.SizeCliff` mapping) into the visible class of ``kind``
    of the calibration file at ``path``, replacing the source's sentence on an earlier cliff of the kind;
    ``options`` are the command's ``--late-after`` and ``--fit-runs`` options as its sentence should give
    them."""
    calibration = json.loads(path.read_text(encoding="utf-8"))
    calibration["classes"][kind.value]["alarm_hazard"]["size_cliff"] = cliff
    earlier = re.compile(rf" The {kind.value} class's size cliff .*?, the class held\.")
    calibration["source"] = earlier.sub("", calibration["source"]) + (
        f" The {kind.value} class's size cliff ({cliff_words(cliff)}) was fitted by `PYTHONPATH=. python "
        f"scripts/size_cliff_terms.py {runs.as_posix()}{options} --install` to its fitting seeds "
        f"(log-likelihood +{gains[0]:.2f}; held-out seeds +{gains[1]:.2f}; "
        'docs/detectors.md, "A size cliff below one analysed pixel"), the class held.'
    )
    Calibration.model_validate(calibration)
    path.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    print(f"written: {path} (classes.{kind.value}.alarm_hazard.size_cliff)")


def fitting_runs(logs: dict[str, PixelRunLog], more: list[Path]) -> PixelRunLog:
    """The regeneration's fitting runs (``logs["fit"]``) with the runs kept in each folder of ``more``; exits
    naming a folder whose seeds are among the held-out ones (``logs["held_out"]``) or another's."""
    fit, seen = [logs["fit"]], set(logs["held_out"].note["seeds"])
    for folder in more:
        if not (folder / "log.json").exists():
            raise SystemExit(f"--fit-runs {folder}: no kept pixel runs there (log.json)")
        log = PixelRunLog.read(folder)
        shared = sorted(seen & set(log.note["seeds"]))
        if shared:
            raise SystemExit(f"--fit-runs {folder}: seeds {shared} are held-out or another folder's seeds")
        seen |= set(log.note["seeds"])
        fit.append(log)
    return PixelRunLog.stacked(fit, **logs["fit"].note) if more else logs["fit"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, help="a tune --pixel-runs folder with runs/fit and runs/held_out")
    parser.add_argument("--calibration", type=Path, default=Path("scenarios/calibration/default.json"))
    parser.add_argument("--kind", choices=[k.value for k in Kind], default=Kind.SWIMMING.value)
    parser.add_argument(
        "--late-after", type=float, metavar="S", help="fit a slope before S s in view and one after (s > 0)"
    )
    parser.add_argument(
        "--fit-runs", type=Path, action="append", default=[], metavar="DIR", help="more fitting runs (kept)"
    )
    parser.add_argument("--install", action="store_true", help="write the cliff into --calibration")
    args = parser.parse_args()
    if args.late_after is not None and not 0 < args.late_after <= 3600:
        parser.error(f"--late-after must be a time in view in (0, 3600] s, not {args.late_after:g}")
    kind = Kind(args.kind)
    calibration = Calibration.model_validate_json(args.calibration.read_text(encoding="utf-8"))
    block, reference = calibration.classes[kind].alarm_hazard, calibration.reference_pixels
    threshold = load_scenario(DEFAULT_SCENARIO, []).detection.threshold_for(kind)
    logs = {part: PixelRunLog.read(args.runs / "runs" / part) for part in ("fit", "held_out")}
    logs["fit"] = fitting_runs(logs, args.fit_runs)
    frames = {
        part: log.frames[log.frames["kind"] == kind.value].drop(columns="kind").reset_index(drop=True)
        for part, log in logs.items()
    }
    fit = fit_size_cliff(
        frames["fit"], logs["fit"].credited, block, reference, threshold, late_after_s=args.late_after
    )
    held = cliff_gain(frames["held_out"], logs["held_out"].credited, block, reference, threshold, fit.cliff)
    print(
        f"{kind.value}: size cliff {cliff_words(fit.cliff.model_dump(mode='json'))}; {fit.below} of "
        f"{fit.offenders} offenders first seen below it; log-likelihood "
        f"+{fit.gain:.2f} on the fitting seeds, {held:+.2f} on the held-out seeds"
    )
    if args.install:
        if held <= 0.0:  # a regeneration goes on without one
            print("not installed: the cliff does not foretell the held-out seeds' alarms better")
            return
        options = "" if args.late_after is None else f" --late-after {args.late_after:g}"
        options += "".join(f" --fit-runs {folder.as_posix()}" for folder in args.fit_runs)
        cliff = fit.cliff.model_dump(mode="json", exclude_defaults=True)  # a one-slope cliff as before
        install(args.calibration, kind, cliff, (fit.gain, held), args.runs, options)


if __name__ == "__main__":
    main()
