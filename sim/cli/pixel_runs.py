"""``tune --pixel-runs``: its options, their checks, and the command (statistical mode calibrated from
pixel-mode runs of the scenario, the models chosen on held-out seeds: :mod:`sim.calibration.model_choice`)."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from sim.cli.common import EXIT_INTERNAL, EXIT_OK, at_least, comma_list, duration_override
from sim.errors import BadInputError
from sim.loading import load_scenario

RUNS = "runs"
"""Where a ``--pixel-runs`` folder keeps its runs' logs: ``fit/``, ``held_out/`` (read by ``--runs-from``)."""
RENDERING = "rendering"
"""Where, under :data:`RUNS`, each run is kept as it finishes until all are (``--resume`` reads them)."""


def add_pixel_run_options(tune: argparse.ArgumentParser) -> None:
    """The options only ``tune --pixel-runs`` reads."""
    tune.add_argument(
        "--start",
        action="append",
        help="--pixel-runs: run start, ISO local date-time (repeatable: a variant per start)",
    )
    tune.add_argument("--camera", action="append", help="--pixel-runs: only these cameras (repeatable)")
    tune.add_argument(
        "--model",
        action="append",
        metavar="NAME",
        help="--pixel-runs: ordinal, acquisition (repeatable: the likeliest on held-out frames kept), auto "
        "(both), or hazard (alone: alarm rates by the time in view); default: ordinal",
    )
    tune.add_argument(
        "--hazard-roughness",
        metavar="R1,R2,...",
        help="--pixel-runs --model hazard: threshold offsets per age bin (a baseline per threshold) tied by "
        "this roughness penalty (>= 0); several values, or 'shared' (one offset for every age) among "
        "them: the candidate likeliest on the held-out seeds' alarms kept; default: shared",
    )
    tune.add_argument(
        "--hazard-smoothing",
        metavar="S1,S2,...",
        help="--pixel-runs --model hazard: weights (> 0) of the difference penalty tying neighbouring age "
        "bins' alarm rates, each a candidate with every roughness; the likeliest on the held-out seeds' "
        "alarms kept; default: 1",
    )
    tune.add_argument(
        "--hazard-crowd",
        action="store_true",
        help="--pixel-runs --model hazard: fit every candidate also with a crowd term (the alarm rate by "
        "the others of its kind in view), the likelier on the held-out seeds' alarms kept",
    )
    tune.add_argument(
        "--hazard-size-by-age",
        action="store_true",
        help="--pixel-runs --model hazard: fit every candidate also with a size slope per age bin (larger "
        "offenders may alarm at other ages than smaller ones), the likelier on the held-out seeds' alarms "
        "kept",
    )
    tune.add_argument(
        "--hazard-frailty",
        action="store_true",
        help="--pixel-runs --model hazard: fit every candidate also with a frailty (each offender's own "
        "log-rate offset in a camera's view: some found at once, others late or never), the likelier on the "
        "held-out seeds' alarms kept",
    )
    tune.add_argument(
        "--hazard-never",
        action="store_true",
        help="--pixel-runs --model hazard: fit every candidate also with a share of offenders never found in "
        "a camera's views (the rest at their rates), the likelier on the held-out seeds' alarms kept",
    )
    tune.add_argument(
        "--runs-from",
        type=Path,
        metavar="DIR",
        help="--pixel-runs: fit on the pixel runs a previous --pixel-runs wrote to DIR/runs/ (the same "
        "scenario, overrides, starts, cameras and seeds) instead of rendering them again",
    )
    tune.add_argument(
        "--resume",
        action="store_true",
        help="--pixel-runs: continue the --out folder of one that stopped (the same options): the runs it "
        "kept are read, only the others rendered",
    )
    tune.add_argument(
        "--held-out-seeds",
        metavar="S1,S2,...",
        help="--pixel-runs: seeds the fit does not see (not among 0 .. --seeds − 1): the model choice and "
        "the agreement table are computed on them",
    )


def pixel_run_models(
    names: list[str] | None,
    held_out: list[int],
    roughness: str | None = None,
    crowd: bool = False,
    smoothing: str | None = None,
    size_by_age: bool = False,
    frailty: bool = False,
    never: bool = False,
) -> list[str]:
    """The candidate models of ``--model`` (default: ordinal; ``auto``: every model of the frames' scores)
    and, for ``hazard``, of ``--hazard-roughness`` (:func:`hazard_candidates`) at each weight of
    ``--hazard-smoothing`` (:func:`smoothed_candidates`), each also with the crowd
    term if ``crowd`` (``--hazard-crowd``), each of those also with a size slope by age if
    ``size_by_age`` (``--hazard-size-by-age``), each of those also with a frailty if ``frailty``
    (``--hazard-frailty``), and each of those also with a share never found if ``never`` (``--hazard-never``),
    checked: known names, the
    hazard model alone (it describes alarms, not frames: no likelihood of the frames compares it with the
    others), and held-out seeds when there is a choice to make."""
    from sim.calibration.detection_models import (
        AUTO,
        CROWD,
        FRAILTY,
        FRAME_MODELS,
        MODELS,
        NEVER,
        SIZE_BY_AGE,
    )

    names = names or [MODELS[0]]
    unknown = [name for name in names if name not in (*MODELS, AUTO)]
    if unknown:
        raise BadInputError(f"--model {unknown[0]}: no such model (known: {', '.join(MODELS)}, or {AUTO})")
    models = list(FRAME_MODELS) if AUTO in names else list(dict.fromkeys(names))
    if "hazard" in names and len(set(names)) > 1:
        raise BadInputError(
            f"--model {' '.join(names)}: hazard is chosen by name, alone (it describes alarms, not the "
            f"frames whose likelihood compares {', '.join(FRAME_MODELS)})"
        )
    hazard_options = {
        f"--hazard-roughness {roughness}": roughness is not None,
        f"--hazard-smoothing {smoothing}": smoothing is not None,
        "--hazard-crowd": crowd,
        "--hazard-size-by-age": size_by_age,
        "--hazard-frailty": frailty,
        "--hazard-never": never,
    }
    for option, given in hazard_options.items():
        if given and models != ["hazard"]:
            raise BadInputError(f"{option}: only with --model hazard (got --model {' '.join(names)})")
    if roughness is not None:
        models = hazard_candidates(roughness)
    if smoothing is not None:
        models = smoothed_candidates(models, smoothing)
    if crowd:
        models = [*models, *(name + CROWD for name in models)]
    if size_by_age:
        models = [*models, *(name + SIZE_BY_AGE for name in models)]
    if frailty:
        models = [*models, *(name + FRAILTY for name in models)]
    if never:
        models = [*models, *(name + NEVER for name in models)]
    if len(models) > 1 and not held_out:
        given = [option for option, on in hazard_options.items() if on]
        asked = given[0] if given else f"--model {' '.join(names)}"
        raise BadInputError(
            f"{asked}: choosing among {', '.join(models)} needs --held-out-seeds "
            "(the choice is made on seeds the fit does not see)"
        )
    return models


def hazard_candidates(text: str) -> list[str]:
    """``--hazard-roughness 1,10,shared``: the hazard candidates' labels (``hazard`` for the shared
    offsets, :func:`sim.calibration.detection_models.by_age_label` for each roughness, each >= 0)."""
    import math

    from sim.calibration.detection_models import by_age_label

    def label(part: str) -> str:
        if part.strip() == "shared":
            return "hazard"
        value = float(part)
        if not (math.isfinite(value) and value >= 0):
            raise BadInputError(
                f"--hazard-roughness {text}: each must be 'shared' or a number >= 0, got {part}"
            )
        return by_age_label(value)

    return comma_list("--hazard-roughness", text, label, ("value", "value"), "shared,1,10")


def smoothed_candidates(models: list[str], text: str) -> list[str]:
    """``--hazard-smoothing 0.3,1,3``: each of ``models`` (hazard labels) at each weight (> 0:
    :func:`sim.calibration.detection_models.smooth_label`)."""
    import math

    from sim.calibration.detection_models import smooth_label

    def weight(part: str) -> float:
        value = float(part)
        if not (math.isfinite(value) and value > 0):
            raise BadInputError(
                f"--hazard-smoothing {text}: each must be a number > 0 (0 leaves an age bin without alarms "
                f"at no rate at all), got {part}"
            )
        return value

    weights = comma_list("--hazard-smoothing", text, weight, ("number", "weight"), "0.3,1,3")
    return [smooth_label(name, value) for name in models for value in weights]


def parse_held_out_seeds(text: str | None, seeds: int) -> list[int]:
    """``--held-out-seeds 4,5,6``: seeds >= 0, each once, none among the fitting seeds 0 .. ``seeds`` − 1."""
    if text is None:
        return []
    values = comma_list("--held-out-seeds", text, int, ("seed", "seed"), "4,5")
    if min(values) < 0:
        raise BadInputError(f"--held-out-seeds {text}: each must be >= 0")
    overlap = sorted(v for v in values if v < seeds)
    if overlap:
        raise BadInputError(
            f"--held-out-seeds {text}: seed {', '.join(map(str, overlap))} is also a fitting seed "
            f"(--seeds {seeds}: 0 to {seeds - 1}); held-out seeds must be ones the fit does not see"
        )
    return values


def run_pixel_runs(args: argparse.Namespace) -> int:
    """``tune --pixel-runs``: fit the candidates on pixel-mode runs, keep the likeliest, write the folder."""
    from sim.calibration.agreement import with_cameras
    from sim.calibration.model_choice import choose_models

    at_least("--seeds", args.seeds, 1)
    held_out = parse_held_out_seeds(args.held_out_seeds, args.seeds)
    models = pixel_run_models(
        args.model,
        held_out,
        args.hazard_roughness,
        args.hazard_crowd,
        args.hazard_smoothing,
        args.hazard_size_by_age,
        args.hazard_frailty,
        args.hazard_never,
    )
    overrides = [*args.overrides, *duration_override(args.duration)]
    starts = [[f"run.start={start}"] for start in args.start] if args.start else [[]]
    variants = [load_scenario(args.scenario, [*overrides, *start]) for start in starts]
    if args.camera:
        known = {c.id for c in variants[0].cameras}
        unknown = sorted(set(args.camera) - known)
        if unknown:
            raise BadInputError(
                f"--camera: no camera {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        variants = [with_cameras(v, args.camera) for v in variants]
    seeds = list(range(args.seeds))
    at_least("--workers", args.workers, 1)
    runs = pixel_runs_of(args, variants, seeds, held_out)
    if runs is None:
        return EXIT_INTERNAL
    table, choice, calibration = choose_models(
        variants, seeds, held_out, models, runs, args.command_line, progress=True, workers=args.workers
    )
    args.out.mkdir(exist_ok=True)  # with --runs-from nothing was written to it yet
    table.to_csv(args.out / "agreement.csv", index=False, na_rep="")
    choice.to_csv(args.out / "model_choice.csv", index=False, na_rep="")
    (args.out / "calibration.json").write_text(
        json.dumps(calibration.model_dump(mode="json", exclude_none=True), indent=2) + "\n", encoding="utf-8"
    )
    where = (
        f"held-out seeds {', '.join(map(str, held_out))}" if held_out else f"fitting seeds 0-{args.seeds - 1}"
    )
    print(f"models fitted on seeds 0-{args.seeds - 1}; log-likelihood of the frames:")
    print(choice.to_string(index=False))
    print(f"agreement on the {where}:")
    print(table.to_string(index=False))
    runs_note = (
        f"the pixel runs read from {args.runs_from / RUNS}/" if args.runs_from else f"{RUNS}/: the pixel runs"
    )
    print(f"written: {args.out}/ (agreement.csv, model_choice.csv, calibration.json; {runs_note})")
    return EXIT_OK


def pixel_runs_of(args: argparse.Namespace, variants: list, seeds: list[int], held_out: list[int]):
    """The fitting and held-out runs of ``tune --pixel-runs``: read from ``--runs-from``, or rendered into
    ``--out``/:data:`RUNS`, each run kept as it finishes (``--resume``: the runs kept there read, the others
    rendered), then written as ``fit/`` and ``held_out/`` before any fit (a fit that fails loses no run).
    None, after one line on standard error naming ``--resume``, if Ctrl-C or a lost worker stopped the
    rendering."""
    from concurrent.futures.process import BrokenProcessPool

    from sim.calibration.model_choice import read_runs, render_runs

    folder = args.out / RUNS
    if args.resume and args.runs_from is not None:
        raise BadInputError("--resume: not with --runs-from (those runs are read, none is rendered)")
    if args.resume and not folder.is_dir():
        raise BadInputError(f"--resume: {args.out} holds no runs of an earlier --pixel-runs ({RUNS}/)")
    if args.runs_from is not None or (folder.is_dir() and not (folder / RENDERING).is_dir()):
        return read_runs((args.runs_from or args.out) / RUNS, variants, seeds, held_out)
    try:
        runs = render_runs(
            variants, seeds, held_out, progress=True, workers=args.workers, keep=folder / RENDERING
        )
    except (KeyboardInterrupt, BrokenProcessPool) as error:
        why = "interrupted" if isinstance(error, KeyboardInterrupt) else f"a worker was lost ({error})"
        print(
            f"error: {why}; finished runs are kept in {folder / RENDERING}; add --resume to the same "
            "command to render only the others",
            file=sys.stderr,
        )
        return None
    for part, log in zip(("fit", "held_out"), runs, strict=True):
        if log is not None:
            log.write(folder / part)
    shutil.rmtree(folder / RENDERING)
    return runs
