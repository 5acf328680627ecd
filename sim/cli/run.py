"""``run_sim.py run``: run one scenario and write its outputs (also what ``run_sim.py`` alone does)."""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

from sim.cli.common import (
    EXIT_OK,
    Commands,
    add_scenario_option,
    add_seed_option,
    add_set_option,
    check_out_parent,
    duration_override,
    seed_override,
)
from sim.loading import load_scenario
from sim.scenario.models import Mode

OUTPUT_FILES = (
    "incidents.csv, alarms.csv, missions.csv, tracks.csv, transfers.csv, sorties.csv, "
    "summary.json, scenario.yaml"
)
"""The files of a run folder, as the closing line lists them."""


def add_parser(commands: Commands) -> None:
    """Register ``run`` on the main parser's ``commands``."""
    run = commands.add_parser("run", help="run one scenario and write its outputs")
    add_scenario_option(run)
    add_seed_option(run)
    run.add_argument("--duration", help="simulated time: seconds or 30s, 15m, 6h, 2d")
    run.add_argument("--mode", choices=[m.value for m in Mode], help="sensing fidelity")
    add_set_option(run, "override a scenario key, e.g. cameras.2.fps=10 (repeatable)")
    run.add_argument("--out", type=Path, help="output folder (default: out/<scenario>_seed<seed>)")
    run.add_argument("--no-figures", action="store_true", help="skip drawing figures")
    run.add_argument("--no-replay", action="store_true", help="skip writing replay.html")
    run.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Run the scenario with the options as ``--set`` overrides, write the run folder, print the summary."""
    from sim.engine import Simulation
    from sim.replay.page import write_run_replay
    from sim.results.writing import write_outputs

    overrides = [*args.overrides, *duration_override(args.duration), *seed_override(args.seed)]
    if args.mode is not None:
        overrides.append(f"run.mode={args.mode}")
    scenario = load_scenario(args.scenario, overrides)
    out = args.out
    if out is None:
        out = Path("out") / f"{scenario.name}_seed{scenario.run.seed}"
        out.parent.mkdir(exist_ok=True)
    check_out_parent(out)
    simulation = Simulation(scenario)
    result = simulation.run(progress=True)
    replay = None if args.no_replay else partial(write_run_replay, label=out.resolve().name)
    write_outputs(result, out, figures=not args.no_figures, also=replay)
    print(format_summary(result.summary))
    extras = ("" if args.no_figures else ", figures/") + ("" if args.no_replay else ", replay.html")
    print(f"\noutputs: {out}/  ({OUTPUT_FILES}{extras})")
    return EXIT_OK


def _fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}{unit}"


def format_summary(summary: dict) -> str:
    """The short table printed at the end of a run."""
    counts = summary["counts"]
    response = summary["response_time_s"]
    outcomes = counts["outcomes"]
    hours = summary["duration_s"] / 3600.0
    rows = [
        ("scenario", f"{summary['scenario']} (seed {summary['seed']}, {summary['mode']}, {hours:g} h)"),
        ("incidents", f"{counts['incidents']} ({counts['swimming']} swimming, {counts['fishing']} fishing)"),
        (
            "detection rate",
            _fmt(None if summary["detection_rate"] is None else 100 * summary["detection_rate"], " %"),
        ),
        ("outcomes", ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in outcomes.items())),
        (
            "response time",
            f"median {_fmt(response['p50'], ' s')}, p90 {_fmt(response['p90'], ' s')} (n = {response['n']})",
        ),
        (
            "stages (mean)",
            ", ".join(f"{name} {_fmt(stats['mean'], ' s')}" for name, stats in summary["stages_s"].items()),
        ),
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
