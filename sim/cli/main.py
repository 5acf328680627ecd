"""Command line: ``python run_sim.py [run|validate|render|tune|sweep|plot|compare|schema] ...``.

Exit codes: 0 ok, 2 bad input (scenario, arguments, missing file), 1 internal error.
Bad input is reported on one line, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from sim.errors import ScenarioError
from sim.loading import load_scenario
from sim.scenario.models import Kind, Mode, Scenario, parse_duration
from sim.scenario.schema import json_schema

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIO = PROJECT_ROOT / "scenarios" / "xuchang_lake.yaml"

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class BadInputError(Exception):
    """Raised for bad arguments; main() prints it on one line and exits 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print usage and exit 2 itself
        raise BadInputError(f"{message} (see {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="run_sim.py",
        description="5G smart-city event-detection simulator. Without a command: run the default scenario.",
    )
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    run = commands.add_parser("run", help="run one scenario and write its outputs")
    run.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario YAML file")
    run.add_argument("--seed", type=int, help="root seed (default: run.seed of the scenario)")
    run.add_argument("--duration", help="simulated time: seconds or 30s, 15m, 6h, 2d")
    run.add_argument("--mode", choices=[m.value for m in Mode], help="sensing fidelity")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key, e.g. cameras.2.fps=10 (repeatable)",
    )
    run.add_argument("--out", type=Path, help="output folder (default: out/<scenario>_seed<seed>)")
    run.add_argument("--no-figures", action="store_true", help="skip drawing figures")

    validate = commands.add_parser("validate", help="check a scenario file and summarise it")
    validate.add_argument("scenario", type=Path)
    validate.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")

    render = commands.add_parser("render", help="render one camera's view with ground truth")
    render.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario YAML file")
    render.add_argument("--camera", required=True, help="camera id")
    render.add_argument("--seconds", type=float, default=30.0, help="clip length, s")
    render.add_argument(
        "--start",
        help="clip start in the run: seconds or 30s, 15m, 6h "
        "(default: just before an offender first enters the view)",
    )
    render.add_argument("--seed", type=int, help="root seed (default: run.seed of the scenario)")
    render.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    target = render.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="video file (.mp4 or .avi) with the truth boxes drawn")
    target.add_argument("--frames", type=Path, help="folder for frame_000001.png, ..., truth.csv, frames.csv")

    tune = commands.add_parser(
        "tune", help="score a detector on rendered clips and calibrate statistical mode"
    )
    tune.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario YAML file")
    tune.add_argument(
        "--detector",
        choices=["swimming", "fishing"],
        help="score this detector on rendered clips (at its own detection.threshold); with --end-to-end: "
        "vary only this kind's threshold",
    )
    tune.add_argument(
        "--end-to-end",
        action="store_true",
        help="instead: statistical runs at each threshold on the same incidents (every kind's threshold "
        "together, or only --detector's with the other kinds' kept at the scenario's)",
    )
    tune.add_argument(
        "--pixel-runs",
        action="store_true",
        help="instead: calibrate statistical mode from pixel-mode runs of the scenario and compare the modes",
    )
    tune.add_argument("--seeds", type=int, default=4, help="--end-to-end, --pixel-runs: seeds per variant")
    tune.add_argument(
        "--duration", help="--end-to-end, --pixel-runs: simulated time per run (default: the scenario's)"
    )
    tune.add_argument(
        "--start",
        action="append",
        help="--pixel-runs: run start, ISO local date-time (repeatable: a variant per start)",
    )
    tune.add_argument("--camera", action="append", help="--pixel-runs: only these cameras (repeatable)")
    tune.add_argument("--out", type=Path, required=True, help="output folder")
    tune.add_argument("--seconds", type=float, default=40.0, help="length of each rendered clip, s")
    tune.add_argument("--clips", type=int, default=1, help="clips per light and weather condition")
    tune.add_argument("--seed", type=int, default=0, help="seed of the clips")
    tune.add_argument(
        "--light",
        action="append",
        choices=["day", "dusk", "night"],
        help="only these light levels (repeatable; default all)",
    )
    tune.add_argument(
        "--weather",
        action="append",
        choices=["clear", "haze", "fog", "rain"],
        help="only these weathers (repeatable; default all)",
    )
    tune.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")

    commands.add_parser("schema", help="print the JSON schema of scenario files")
    from sim.cli.sweep import add_commands

    add_commands(commands)
    return parser


def _attach_negative_values(argv: list[str]) -> list[str]:
    """``--duration -5m`` -> ``--duration=-5m``: argparse would take ``-5m`` for an option."""
    joined: list[str] = []
    for arg in argv:
        if joined and joined[-1] in ("--duration", "--seed", "--seconds", "--start") and arg.startswith("-"):
            joined[-1] = f"{joined[-1]}={arg}"
        else:
            joined.append(arg)
    return joined


def main(argv: Sequence[str] | None = None) -> int:
    argv = _attach_negative_values(list(sys.argv[1:] if argv is None else argv))
    try:
        args = _parser().parse_args(argv or ["run"])
        if args.command == "schema":
            print(json.dumps(json_schema(), indent=2))
            return EXIT_OK
        if args.command == "validate":
            return _validate(args)
        if args.command == "render":
            return _render(args)
        if args.command == "tune":
            return _tune(args, argv)
        if args.command in ("sweep", "plot", "compare"):
            from sim.cli.sweep import run_command

            return run_command(args)
        return _run(args)
    except (BadInputError, ScenarioError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERNAL
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        return EXIT_OK


def _duration(text: str) -> float:
    """``--duration`` in seconds: positive and finite, or a one-line error."""
    try:
        seconds = parse_duration(text)
    except ValueError as error:
        raise BadInputError(f"--duration: {error}") from None
    if not 0 < seconds < math.inf:
        raise BadInputError(f"--duration: must be positive and finite, got {text!r}")
    return seconds


def _run_overrides(args: argparse.Namespace) -> list[str]:
    overrides = list(args.overrides)
    if args.duration is not None:
        seconds = _duration(args.duration)
        overrides.append(f"run.duration={seconds}")
    if args.seed is not None:
        if args.seed < 0:
            raise BadInputError(f"--seed: must be >= 0, got {args.seed}")
        overrides.append(f"run.seed={args.seed}")
    if args.mode is not None:
        overrides.append(f"run.mode={args.mode}")
    return overrides


def _run(args: argparse.Namespace) -> int:
    from sim.engine import Simulation
    from sim.results.writing import write_outputs

    scenario = load_scenario(args.scenario, _run_overrides(args))
    out = args.out
    if out is None:
        out = Path("out") / f"{scenario.name}_seed{scenario.run.seed}"
        out.parent.mkdir(exist_ok=True)
    if not out.resolve().parent.is_dir():
        raise BadInputError(f"--out: folder {out.resolve().parent} does not exist")
    simulation = Simulation(scenario)
    result = simulation.run(progress=True)
    write_outputs(result, out, figures=not args.no_figures)
    print(format_summary(result.summary))
    files = "incidents.csv, alarms.csv, missions.csv, tracks.csv, transfers.csv, sorties.csv, "
    files += "summary.json, scenario.yaml"
    print(f"\noutputs: {out}/  ({files}{'' if args.no_figures else ', figures/'})")
    return EXIT_OK


def _render(args: argparse.Namespace) -> int:
    from sim.engine import Simulation
    from sim.errors import ClipError
    from sim.render.clips import (
        Clip,
        check_frames_folder,
        check_video_path,
        write_frames,
        write_video,
    )

    overrides = list(args.overrides)
    if args.seed is not None:
        if args.seed < 0:
            raise BadInputError(f"--seed: must be >= 0, got {args.seed}")
        overrides.append(f"run.seed={args.seed}")
    start = None
    if args.start is not None:
        try:
            start = parse_duration(args.start)
        except ValueError as error:
            raise BadInputError(f"--start: {error}") from None
    try:
        if args.out is not None:
            check_video_path(args.out)  # before the (slower) scene is built
        else:
            check_frames_folder(args.frames)
        scenario = load_scenario(args.scenario, overrides)
        clip = Clip(Simulation(scenario), args.camera, args.seconds, start)
        summary = write_video(clip, args.out) if args.out is not None else write_frames(clip, args.frames)
    except ClipError as error:
        raise BadInputError(str(error)) from None
    jpeg = (
        "" if summary.mean_jpeg_bytes is None else f", JPEG {summary.mean_jpeg_bytes / 1000:.0f} kB per frame"
    )
    print(
        f"{summary.camera_id}: {summary.frames} frames from t = {summary.start_s:.1f} s; "
        f"{summary.offender_boxes} offender and {summary.other_boxes} other truth boxes{jpeg}\n"
        f"written: {summary.output}"
    )
    return EXIT_OK


def _tune(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.calibration.clip_scenes import LIGHTS, WEATHERS
    from sim.calibration.tune import tune
    from sim.scenario.models import Light, Weather

    if not 0 < args.seconds < math.inf:
        raise BadInputError(f"--seconds: must be positive and finite, got {args.seconds:g}")
    if args.clips < 1:
        raise BadInputError(f"--clips: must be >= 1, got {args.clips}")
    if args.seed < 0:
        raise BadInputError(f"--seed: must be >= 0, got {args.seed}")
    if not args.out.resolve().parent.is_dir():
        raise BadInputError(f"--out: folder {args.out.resolve().parent} does not exist")
    if args.end_to_end:
        return _end_to_end(args)
    if args.pixel_runs:
        return _pixel_runs(args, argv)
    if args.detector is None:
        raise BadInputError("--detector: required unless --end-to-end or --pixel-runs is given")
    scenario = load_scenario(args.scenario, args.overrides)
    command = "python run_sim.py " + " ".join(argv)
    try:
        summary = tune(
            scenario,
            Kind(args.detector),
            args.out,
            seconds=args.seconds,
            clips_per_condition=args.clips,
            seed=args.seed,
            command=command,
            lights=tuple(Light(v) for v in args.light) if args.light else LIGHTS,
            weathers=tuple(Weather(v) for v in args.weather) if args.weather else WEATHERS,
        )
    except ValueError as error:
        raise BadInputError(str(error)) from None
    hit, point = summary["hit_model"], summary["operating_point"]
    print(
        f"{summary['kind']}: {summary['clips']} clips, {summary['offender_frames']} offender-frames, "
        f"{summary['camera_hours']} camera-hours\n"
        f"best F1 {summary['best_f1']} at threshold {summary['best_f1_threshold']}\n"
        f"at the scenario's {summary['kind']} threshold {point['threshold']:g}: "
        f"per-frame precision {point['precision']}, "
        f"recall {point['recall']}; offenders alarmed {point['incidents_alarmed']}, "
        f"false alarms per camera-hour {point['false_alarms_per_hour']}, median time to detect "
        f"{point['ttd_p50_s']} s\n"
        f"by the offender's height at the camera's resolution:\n{summary['by_size'].to_string(index=False)}\n"
        f"by the offender's skin tone:\n{summary['by_tone'].to_string(index=False)}\n"
        f"per-frame hit model: intercept {hit['intercept']:.2f}, slope {hit['size_slope']:.2f} per doubling, "
        f"offender spread {hit['offender_sd']:.2f} ({_spell(hit['offender_spell_s'])}), "
        f"mean run of hits {hit['hit_run_s']:.2f} s, "
        f"light {hit['light']}, weather {hit['weather']}\n"
        f"false alarms: {summary['false_alarms']}\n"
        f"written: {args.out}/ (thresholds.csv, by_size.csv, by_tone.csv, calibration.json, "
        "precision_recall.png, roc.png, threshold_tradeoff.png)"
    )
    return EXIT_OK


def _spell(seconds: float) -> str:
    return f"redrawn every {seconds:g} s" if seconds else "one draw per visit"


def _end_to_end(args: argparse.Namespace) -> int:
    import numpy as np

    from sim.calibration.end_to_end import end_to_end
    from sim.results.figures import end_to_end_figure

    if args.seeds < 1:
        raise BadInputError(f"--seeds: must be >= 1, got {args.seeds}")
    overrides = list(args.overrides)
    if args.duration is not None:
        overrides.append(f"run.duration={_duration(args.duration)}")
    scenario = load_scenario(args.scenario, overrides)
    args.out.mkdir(exist_ok=True)
    thresholds = np.round(np.arange(0.1, 0.91, 0.1), 2)
    kind = None if args.detector is None else Kind(args.detector)
    table = end_to_end(scenario, thresholds, list(range(args.seeds)), kind=kind)
    table.to_csv(args.out / "end_to_end.csv", index=False, na_rep="")
    varied = varied_thresholds(scenario.detection.thresholds, kind)
    end_to_end_figure(table, args.out / "end_to_end.png", f"{scenario.name}, {varied}")
    print(f"threshold: {varied}")
    print(table.to_string(index=False))
    print(f"written: {args.out}/ (end_to_end.csv, end_to_end.png)")
    return EXIT_OK


def varied_thresholds(thresholds: dict[Kind, float], kind: Kind | None) -> str:
    """What ``tune --end-to-end`` varies: every kind's threshold, or ``kind``'s with the others' values."""
    if kind is None:
        return "every kind's threshold varied"
    kept = ", ".join(f"{other.value} {value:g}" for other, value in thresholds.items() if other is not kind)
    return f"{kind.value} threshold varied ({kept})"


def _pixel_runs(args: argparse.Namespace, argv: list[str]) -> int:
    import json

    from sim.calibration.agreement import compare_modes

    if args.seeds < 1:
        raise BadInputError(f"--seeds: must be >= 1, got {args.seeds}")
    overrides = list(args.overrides)
    if args.duration is not None:
        overrides.append(f"run.duration={_duration(args.duration)}")
    starts = [[f"run.start={start}"] for start in args.start] if args.start else [[]]
    variants = [load_scenario(args.scenario, [*overrides, *start]) for start in starts]
    if args.camera:
        known = {c.id for c in variants[0].cameras}
        unknown = sorted(set(args.camera) - known)
        if unknown:
            raise BadInputError(
                f"--camera: no camera {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        variants = [
            v.model_copy(update={"cameras": tuple(c for c in v.cameras if c.id in args.camera)})
            for v in variants
        ]
    command = "python run_sim.py " + " ".join(argv)
    table, calibration = compare_modes(variants, list(range(args.seeds)), progress=True, command=command)
    args.out.mkdir(exist_ok=True)
    table.to_csv(args.out / "agreement.csv", index=False, na_rep="")
    (args.out / "calibration.json").write_text(
        json.dumps(calibration.model_dump(mode="json", exclude_none=True), indent=2) + "\n", encoding="utf-8"
    )
    print(table.to_string(index=False))
    print(f"written: {args.out}/ (agreement.csv, calibration.json)")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario, args.overrides)
    print(describe_scenario(scenario))
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


def describe_scenario(scenario: Scenario) -> str:
    """A few lines a researcher reads to see what a scenario contains."""
    import shapely

    from sim.engine import expected_incidents
    from sim.fleet.policies import waits_on_water
    from sim.network.radio_map import describe_radio
    from sim.world.cameras import CameraModel, visible_region
    from sim.world.geometry import ZoneGeometry

    zone = scenario.zone
    geometry = ZoneGeometry(scenario)
    views = shapely.union_all([visible_region(CameraModel(c), geometry.islands) for c in scenario.cameras])
    no_go = shapely.union_all([a.region for a in (*geometry.no_swimming, *geometry.no_fishing)])
    covered = no_go.intersection(views).area / no_go.area if no_go.area else 0.0
    expected = expected_incidents(scenario)
    run = scenario.run
    lines = [
        f"{scenario.name}: valid",
        f"  zone       {zone.width:g} x {zone.height:g} m, water {geometry.water.area:,.0f} m² "
        f"({100 * geometry.water.area / geometry.bounds.area:.0f} %), {len(zone.islands)} island(s)",
        f"  no-go      {len(zone.no_swimming)} no-swimming, {len(zone.no_fishing)} no-fishing; "
        f"cameras see {100 * covered:.0f} % of them",
        f"  equipment  {len(scenario.cameras)} cameras, {len(scenario.buoys)} buoys, "
        f"{len(scenario.gnbs)} gNBs, "
        f"{len(scenario.drones)} drones, {len(scenario.boats)} boats at {len(scenario.docks)} docks",
        f"  run        {run.mode.value}, {run.duration / 3600:g} h "
        f"from {run.start.isoformat(' ', 'minutes')}, "
        f"{run.weather.value}, seed {run.seed}",
        f"  expected   {expected['swimming']:.1f} swimming and {expected['fishing']:.1f} fishing incidents",
        f"  network    {scenario.network.profile}, inference at the {scenario.network.inference.value}; "
        f"dispatch policy {scenario.dispatch.policy}",
        describe_radio(scenario, waits_on_water(scenario.dispatch.policy)),
    ]
    return "\n".join(lines)
