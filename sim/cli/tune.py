"""``run_sim.py tune``: score a detector on rendered clips, or calibrate statistical mode.

Three ways, one per flag: ``--detector KIND`` scores the detector on clips rendered in every light
and weather and fits statistical mode's hit model; ``--end-to-end`` runs statistical mode at each
threshold on the same incidents; ``--pixel-runs`` fits statistical mode from pixel-mode runs and
compares the two modes. And the false-alarm evidence: ``--false-alarm-hours DAY,DUSK,NIGHT`` gathers it
(resumable), ``--report DIR [DIR ...]`` writes the validity report: false-alarm and agreement tables and
figures (:mod:`sim.cli.validity_report`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import (
    EXIT_OK,
    Commands,
    add_overwrite_option,
    add_scenario_option,
    add_set_option,
    at_least,
    check_output_folder,
    comma_list,
    duration_override,
    positive_seconds,
)
from sim.cli.false_alarm_report import add_evidence_options, gather_evidence
from sim.cli.pixel_runs import add_pixel_run_options, run_pixel_runs
from sim.cli.validity_report import report
from sim.errors import BadInputError
from sim.loading import load_scenario
from sim.scenario.models import Kind


def add_parser(commands: Commands) -> None:
    """Register ``tune`` on the main parser's ``commands``."""
    tune = commands.add_parser(
        "tune", help="score a detector on rendered clips and calibrate statistical mode"
    )
    add_scenario_option(tune)
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
        "--thresholds",
        metavar="T1,T2,...",
        help="--end-to-end: thresholds to run, each in (0, 1) (default: 0.1,0.2,...,0.9)",
    )
    tune.add_argument(
        "--workers",
        type=int,
        default=1,
        help="--end-to-end, --pixel-runs: worker processes running the seeds (and --pixel-runs: fitting the "
        "candidates; default: 1)",
    )
    tune.add_argument(
        "--duration", help="--end-to-end, --pixel-runs: simulated time per run (default: the scenario's)"
    )
    add_pixel_run_options(tune)
    add_evidence_options(tune)
    tune.add_argument("--out", type=Path, required=True, help="output folder (new or empty)")
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
    tune.add_argument(
        "--sensor",
        choices=["visible", "thermal"],
        help="--detector: render the cameras as cameras of this sensor, with its detector parameters "
        "(detection.pixel_detectors.<sensor>; default: each camera as the scenario has it)",
    )
    add_set_option(tune)
    add_overwrite_option(tune)
    tune.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Check the options every way shares, then tune one of the three ways."""
    positive_seconds("--seconds", args.seconds)
    at_least("--clips", args.clips, 1)
    at_least("--seed", args.seed, 0)
    if args.report is not None:
        return report(args)
    if args.false_alarm_hours is not None:
        return gather_evidence(args)
    if args.resume and not args.pixel_runs:
        raise BadInputError("--resume: only with --pixel-runs (it continues the runs of one that stopped)")
    if not args.resume:  # --resume continues --out: its kept runs are the point
        check_output_folder(args.out, args.overwrite)
    if args.end_to_end:
        return _end_to_end(args)
    if args.pixel_runs:
        return run_pixel_runs(args)
    if args.detector is None:
        raise BadInputError("--detector: required unless --end-to-end or --pixel-runs is given")
    return _detector(args)


def _detector(args: argparse.Namespace) -> int:
    from sim.calibration.clip_scenes import LIGHTS, WEATHERS
    from sim.calibration.tune import tune
    from sim.scenario.models import Light, SensorType, Weather

    scenario = load_scenario(args.scenario, args.overrides)
    summary = tune(
        scenario,
        Kind(args.detector),
        args.out,
        seconds=args.seconds,
        clips_per_condition=args.clips,
        seed=args.seed,
        command=args.command_line,
        lights=tuple(Light(v) for v in args.light) if args.light else LIGHTS,
        weathers=tuple(Weather(v) for v in args.weather) if args.weather else WEATHERS,
        sensor=None if args.sensor is None else SensorType(args.sensor),
    )
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
        f"by the offender's distance from the lens:\n{summary['by_distance'].to_string(index=False)}\n"
        f"by light:\n{summary['by_light'].to_string(index=False)}\n"
        f"per-frame hit model: intercept {hit['intercept']:.2f}, slope {hit['size_slope']:.2f} per doubling, "
        f"offender spread {hit['offender_sd']:.2f} ({_spell(hit['offender_spell_s'])}), "
        f"mean run of hits {hit['hit_run_s']:.2f} s, "
        f"light {hit['light']}, weather {hit['weather']}\n"
        f"false alarms: {summary['false_alarms']}\n"
        "the weather's offsets on the hazard model's alarm log-rate (95 % profile-likelihood interval):\n"
        f"{summary['hazard_weather'].round(3).to_string(index=False)}\n"
        f"written: {args.out}/ (thresholds.csv, by_size.csv, by_tone.csv, by_distance.csv, by_light.csv, "
        "hazard_weather.csv, offender_frames.csv.gz, credited_alarms.csv, calibration.json, "
        "precision_recall.png, roc.png, threshold_tradeoff.png, recall_by_light.png)"
    )
    return EXIT_OK


def _spell(seconds: float) -> str:
    return f"redrawn every {seconds:g} s" if seconds else "one draw per visit"


def _end_to_end(args: argparse.Namespace) -> int:
    from sim.calibration.end_to_end import end_to_end
    from sim.calibration.figures import draw_end_to_end_figure
    from sim.experiments.executors import ProcessPool

    at_least("--seeds", args.seeds, 1)
    at_least("--workers", args.workers, 1)
    thresholds = parse_thresholds(args.thresholds)
    scenario = load_scenario(args.scenario, [*args.overrides, *duration_override(args.duration)])
    kind = None if args.detector is None else Kind(args.detector)
    executor = ProcessPool(args.workers) if args.workers > 1 else None
    table = end_to_end(scenario, thresholds, list(range(args.seeds)), kind=kind, executor=executor)
    args.out.mkdir(exist_ok=True)
    table.to_csv(args.out / "end_to_end.csv", index=False, na_rep="")
    varied = varied_thresholds(scenario.detection.thresholds, kind)
    title = f"{scenario.name}, {varied}; {args.seeds} seeds × {format_hours(scenario.run.duration)}"
    draw_end_to_end_figure(table, args.out / "end_to_end.png", title)
    print(f"threshold: {varied}; mean over {args.seeds} seeds, ± half-width of the 95 % t interval")
    print(format_end_to_end(table))
    print(f"written: {args.out}/ (end_to_end.csv, end_to_end.png)")
    return EXIT_OK


def parse_thresholds(text: str | None):
    """``--thresholds 0.3,0.5,0.7`` as an array, each in (0, 1); 0.1 ... 0.9 when not given."""
    import numpy as np

    if text is None:
        return np.round(np.arange(0.1, 0.91, 0.1), 2)
    values = comma_list("--thresholds", text, float, ("number", "threshold"), "0.3,0.5,0.7")
    outside = [v for v in values if not 0 < v < 1]
    if outside:
        raise BadInputError(f"--thresholds {text}: each must lie in (0, 1), got {outside[0]:g}")
    return np.array(values)


def format_hours(seconds: float) -> str:
    """A duration in its own unit: ``6 h``, ``30 min``, ``45 s``."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def format_end_to_end(table) -> str:
    """The printed table: shares as percent, times in s, each mean ± its 95 % half-width."""
    columns = (
        ("median response", "response_p50_s", " s", 1.0, 1),
        ("detected", "detection_rate", " %", 100.0, 1),
        ("pre-empted", "preempted_share", " %", 100.0, 1),
        ("missed", "missed_share", " %", 100.0, 1),
        ("false dispatches/day", "false_dispatches_per_day", "", 1.0, 1),
    )
    header = f"{'threshold':>9}  {'runs':>4}" + "".join(f"  {name:>20}" for name, *_ in columns)
    lines = [header]
    for _, row in table.iterrows():
        cells = [f"{row['threshold']:>9g}  {int(row['runs']):>4}"]
        for _, column, unit, scale, digits in columns:
            cells.append(f"  {_pm(row[column], row[f'{column}_ci95'], scale, digits, unit):>20}")
        lines.append("".join(cells))
    return "\n".join(lines)


def _pm(mean, half, scale: float, digits: int, unit: str) -> str:
    import math

    if mean is None or not math.isfinite(mean):
        return "–"
    text = f"{mean * scale:.{digits}f}"
    if half is not None and math.isfinite(half):
        text += f" ± {half * scale:.{digits}f}"
    return text + unit


def varied_thresholds(thresholds: dict[Kind, float], kind: Kind | None) -> str:
    """What ``tune --end-to-end`` varies: every kind's threshold, or ``kind``'s with the others' values."""
    if kind is None:
        return "every kind's threshold varied"
    kept = ", ".join(f"{other.value} {value:g}" for other, value in thresholds.items() if other is not kind)
    return f"{kind.value} threshold varied ({kept})"
