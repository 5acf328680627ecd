"""``run_sim.py run``: run one scenario and write its outputs (also what ``run_sim.py`` alone does).

The default output folder is ``out/<scenario>_seed<seed>_<duration>``, plus ``_<hash>`` of the other
options that change the run (``--set``, ``--mode``, ``--start``, ``--around-incident``) when there are
any; an existing, non-empty folder is replaced only with ``--overwrite``.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from sim.cli.common import (
    EXIT_OK,
    Commands,
    add_overwrite_option,
    add_scenario_option,
    add_seed_option,
    add_set_option,
    check_output_folder,
    check_workers,
    default_run_folder,
    duration_override,
    duration_seconds,
    seed_override,
)
from sim.cli.run_report import format_summary, trace_printer
from sim.errors import BadInputError
from sim.loading import load_scenario
from sim.scenario.models import Mode
from sim.sensing.weather_terms import weather_caveat
from sim.world.incident_window import WINDOW_KEY


def add_parser(commands: Commands) -> None:
    """Register ``run`` on the main parser's ``commands``."""
    run = commands.add_parser("run", help="run one scenario and write its outputs")
    add_scenario_option(run)
    add_seed_option(run)
    run.add_argument("--duration", help="simulated time: seconds or 30s, 15m, 6h, 2d")
    run.add_argument("--start", help="local date-time of t = 0, ISO (2026-07-18T14:00): sets run.start")
    run.add_argument("--mode", choices=[m.value for m in Mode], help="sensing fidelity")
    run.add_argument(
        "--around-incident",
        action="store_true",
        help="pixel mode: run only --duration (default 2 min) from just before the seed's first offender "
        "enters a camera's view, keeping the seed's incidents",
    )
    run.add_argument(
        "--save-alarm-frames",
        action="store_true",
        help="pixel mode: save each alarm's frame with its boxes in alarm_frames/",
    )
    run.add_argument(
        "--workers",
        type=int,
        help="pixel mode: render and analyse the cameras in N worker processes (default 1: this process)",
    )
    run.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="pixel mode: run the cameras on a Dask scheduler's workers (tcp://host:8786), or 'local'",
    )
    run.add_argument("--trace", action="store_true", help="print each incident's timeline as the run goes")
    add_set_option(run, "override a scenario key, e.g. cameras.2.fps=10 (repeatable)")
    run.add_argument(
        "--out", type=Path, help="output folder (default: out/<scenario>_seed<seed>_<duration>[_<hash>])"
    )
    add_overwrite_option(run)
    run.add_argument("--no-figures", action="store_true", help="skip drawing figures")
    run.add_argument("--no-replay", action="store_true", help="skip writing replay.html")
    run.set_defaults(execute=execute)


def start_override(text: str | None) -> list[str]:
    """The ``--set`` of ``--start`` (``run.start=<ISO>``); none when not given; a one-line error if bad."""
    if text is None:
        return []
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise BadInputError(
            f"--start: expected a local ISO date-time such as 2026-07-18T14:00, got {text!r}"
        ) from None
    if when.tzinfo is not None:
        raise BadInputError(f"--start: give a local date-time without a time zone, got {text!r}")
    return [f"run.start={when.isoformat()}"]


def execute(args: argparse.Namespace) -> int:
    """Run the scenario with the options as ``--set`` overrides, write the run folder, print the summary."""
    from sim.engine import Simulation
    from sim.pixel.camera_workers import camera_workers

    changes = [*args.overrides, *start_override(args.start)]
    if args.mode is not None:
        changes.append(f"run.mode={args.mode}")
    window_s = None
    if args.around_incident:
        from sim.cli.around_incident import DEFAULT_WINDOW_S

        window_s = DEFAULT_WINDOW_S if args.duration is None else duration_seconds(args.duration)
        scenario = load_scenario(args.scenario, [*changes, *seed_override(args.seed)])
        changes.append(f"around-incident={window_s}")
    else:
        scenario = load_scenario(
            args.scenario, [*changes, *duration_override(args.duration), *seed_override(args.seed)]
        )
    _check_pixel_options(args, scenario.run.mode)
    out = args.out
    hint = ", or leave out --out: the default folder is named by seed, duration and options"
    if out is None:
        duration = scenario.run.duration if window_s is None else window_s
        out, hint = default_run_folder(scenario.name, scenario.run.seed, duration, changes), ""
    if out.parent.is_dir() or args.out is not None:
        check_output_folder(out, args.overwrite, hint=hint)
    incidents, note, window = None, None, None
    if window_s is not None:
        from sim.cli.around_incident import around_incident

        scenario, incidents, note, window = around_incident(scenario, window_s)
    with camera_workers(args.workers, args.dask) as workers:  # an unreachable scheduler is the last check
        out.parent.mkdir(exist_ok=True)  # out/ of the default folder, once every check has passed
        for line in (note, weather_caveat(scenario)):
            if line:
                print(line)
        simulation = Simulation(
            scenario, incidents=incidents, save_alarm_frames=args.save_alarm_frames, camera_workers=workers
        )
        if args.trace:
            simulation.recorder.listener = trace_printer({i.id: str(i.kind) for i in simulation.incidents})
        # An --around-incident run records its window: the replay repeats the run from its folder with it.
        extra = {} if window is None else {WINDOW_KEY: window}
        summary = simulation.run_into(
            out,
            progress=not args.trace,
            figures=not args.no_figures,
            replay=not args.no_replay,
            summary_extra=extra,
        )
    print(format_summary(summary))
    print(f"\noutputs: {out}/  (its README.md lists the files)")
    return EXIT_OK


def _check_pixel_options(args: argparse.Namespace, mode: Mode) -> None:
    """``--around-incident``, ``--save-alarm-frames``, ``--workers`` and ``--dask`` need pixel mode
    (``--mode pixel`` or run.mode); ``--workers`` is at least 1, and not for a Dask scheduler's workers."""
    check_workers(args.workers, args.dask, "cameras")
    if mode is Mode.PIXEL:
        return
    for option, given in (
        ("--around-incident", args.around_incident),
        ("--save-alarm-frames", args.save_alarm_frames),
        ("--workers", args.workers is not None),
        ("--dask", args.dask is not None),
    ):
        if given:
            raise BadInputError(f"{option}: only in pixel mode: add --mode pixel")
