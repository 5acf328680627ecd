"""``run_sim.py tune --false-alarm-hours DAY,DUSK,NIGHT --out DIR`` gathers false-alarm evidence on tune
clips (:mod:`sim.calibration.false_alarm_evidence`; a second call with the same options resumes it);
``run_sim.py tune --report DIR --out REPORT`` writes its table and figure from what ``DIR`` holds so far
(:mod:`sim.cli.validity_report`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sim.calibration.pixel_run_log import pixel_mode_sha256
from sim.cli.common import EXIT_OK, at_least
from sim.errors import BadInputError
from sim.loading import load_scenario
from sim.render.frames_version import FRAMES_VERSION
from sim.scenario.models import Kind, Light, Weather

PLAN_FILE = "plan.json"
"""What an evidence folder was started with (the scenario's name and the hash of its resolved keys but the
calibration, :func:`sim.calibration.pixel_run_log.pixel_mode_sha256`; the overrides, clip length, seed and
weather, the renderer's frames version and the clips' version): a later call must give the same, so chunks
never mix clips of two scenarios, two renderers or two ways of setting clips up."""


def add_evidence_options(tune: argparse.ArgumentParser) -> None:
    tune.add_argument(
        "--false-alarm-hours",
        metavar="DAY,DUSK,NIGHT",
        help="instead: gather false-alarm evidence, this many camera-hours of fit clips per light level "
        "(both detectors, or --detector's), resumable: chunks already in --out are kept",
    )
    tune.add_argument(
        "--held-out-hours",
        type=float,
        default=3.0,
        help="--false-alarm-hours: held-out camera-hours per light",
    )
    tune.add_argument(
        "--budget-minutes",
        type=float,
        help="--false-alarm-hours: submit no new chunk after this much wall time (default: no limit)",
    )
    tune.add_argument(
        "--report",
        metavar="DIR",
        type=Path,
        nargs="+",
        help="instead: the validity report, written to --out: the false-alarm table and figure of the "
        "evidence in a --false-alarm-hours folder, and the agreement table and figure of --pixel-runs "
        "folders (any number)",
    )


def _hours(text: str) -> dict[Light, float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise BadInputError(f"--false-alarm-hours {text}: expected three numbers, e.g. 10,5,5") from None
    if len(values) != 3 or any(v < 0 or v != v for v in values):
        raise BadInputError(
            f"--false-alarm-hours {text}: expected three hours >= 0 (day, dusk, night), e.g. 10,5,5"
        )
    return dict(zip((Light.DAY, Light.DUSK, Light.NIGHT), values, strict=True))


def gather_evidence(args: argparse.Namespace) -> int:
    """Plan the chunks, check the folder's plan, run what is missing, print the table so far."""
    from sim.calibration.clip_observation import CLIPS_VERSION
    from sim.calibration.end_to_end import InProcess
    from sim.calibration.false_alarm_evidence import gather, plan_chunks
    from sim.experiments.executors import ProcessPool

    hours = _hours(args.false_alarm_hours)
    if not args.held_out_hours >= 0:
        raise BadInputError(f"--held-out-hours: must be >= 0, got {args.held_out_hours:g}")
    at_least("--workers", args.workers, 1)
    if args.seconds <= 10.0:
        raise BadInputError(
            f"--seconds {args.seconds:g}: clips for false-alarm evidence must be longer than 10 s"
        )
    weathers = args.weather or ["clear"]
    if len(weathers) != 1:
        raise BadInputError(
            "--weather: give at most one with --false-alarm-hours (the evidence is per light)"
        )
    scenario = load_scenario(args.scenario, args.overrides)
    kinds = (Kind(args.detector),) if args.detector else (Kind.SWIMMING, Kind.FISHING)
    plan = {
        "scenario": scenario.name,
        "scenario_sha256": pixel_mode_sha256(scenario),
        "overrides": list(args.overrides),
        "seconds": args.seconds,
        "seed": args.seed,
        "weather": weathers[0],
        "frames_version": FRAMES_VERSION,
        "clips_version": CLIPS_VERSION,
    }
    _check_plan(args.out, plan)
    chunks = plan_chunks(
        scenario, kinds, hours, args.held_out_hours, args.seconds, args.seed, Weather(weathers[0])
    )
    executor = ProcessPool(args.workers) if args.workers > 1 else InProcess()
    budget = None if args.budget_minutes is None else 60.0 * args.budget_minutes
    ran = gather(scenario, chunks, args.seconds, args.out, executor, budget)
    print(f"{ran} chunks run now; the table so far: run_sim.py tune --report {args.out} --out REPORT_DIR")
    return EXIT_OK


def _check_plan(out: Path, plan: dict) -> None:
    """A new folder records ``plan``; an existing one must have been started with the same."""
    path = out / PLAN_FILE
    if path.exists():
        before = json.loads(path.read_text(encoding="utf-8"))
        if before != plan:
            changed = sorted(k for k in plan if before.get(k) != plan[k])
            raise BadInputError(
                f"--out {out}: holds evidence gathered with other {', '.join(changed)}; use a new folder"
            )
        return
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan, indent=1) + "\n", encoding="utf-8")
