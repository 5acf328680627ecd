"""Statistical against pixel mode with the installed calibration, on fresh runs of one camera: of any length,
and where offenders are mostly alone in view (the check of the hazard model's crowd term, which the default's
regeneration fits on crowded 300-s runs, about 5 others in view; docs/detectors.md, "The fitted calibration
and the default").

Run from the repository root after ``scripts/regenerate_calibration.sh`` (it reads the pixel runs and the
model choice that kept in ``out/calibration/pixel-visible/``):

    PYTHONPATH=. python scripts/installed_agreement.py --camera cam-east-n --kind fishing --rate 30 \\
        --start 2026-07-18T21:00:00 --seeds 100-115 --workers 2
    PYTHONPATH=. python scripts/installed_agreement.py --camera cam-peninsula --kind fishing --rate 200 \\
        --start 2026-07-18T10:00:00 --duration 600 --seeds 300-307 --workers 2

renders pixel mode on ``--seeds`` (``--duration``-s runs of the default scenario with only ``--camera``,
``--rate`` offenders of ``--kind`` an hour all day in ``--weather``, offenders ignoring warnings) and draws
statistical mode 20 times on the same incidents with the installed calibration and with that kind's class
refitted without the crowd term (the same runs, the same candidate otherwise); prints how many others were in
view, and each model's detection rate and time to detect quantiles against pixel mode's (the differences in
points and per cent: issue 17's goals are 5 points and 20 %), and the shares detected within 5 s ... 10 min
against pixel mode's 95 % bootstrap band, and whether pixel mode's count of detected offenders could have
come from statistical mode's rate (:func:`rate_check`). ``--rate`` × ``--duration`` / 3600 offenders arrive
in a run; as offenders ignoring warnings stay, the crowd in view grows with it (the regeneration's runs: 400
an hour for 300 s, about 33 a run). ``--class-from FILE`` (repeatable) checks that kind's class of each file
in place of the two above, each named by its file's stem; ``--figure PNG`` draws each check's share
detected by time since first sight against pixel mode's and its band (``docs/swimming_river_1800.png``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from scipy.stats import binomtest

from scripts.held_out_agreement import seed_range
from sim.calibration.agreement import (
    REPLICATIONS,
    WITHIN_S,
    bootstrap_band,
    both_modes,
    calibrate_from_pixel_runs,
    calibrated_detections,
    detected_within,
    ignoring_warnings,
    median_band,
    pixel_run_log,
    with_cameras,
)
from sim.calibration.detection_models import without_crowd as crowdless
from sim.calibration.fit_inputs import others_in_view
from sim.calibration.model_choice import runs_key
from sim.calibration.pixel_run_log import PixelRunLog
from sim.cli.pixel_runs import RUNS
from sim.loading import load_scenario
from sim.scenario.models import Calibration, Kind, Scenario, SensorType, Weather
from tests.helpers.paths import DEFAULT

FLAT = json.dumps([1.0] * 24)
REGENERATION = {  # the regeneration's scene (scripts/regenerate_calibration.sh), for the refit
    "incidents.swimming.rate_per_hour": "150",
    "incidents.swimming.hourly_profile": FLAT,
    "incidents.fishing.rate_per_hour": "400",
    "incidents.fishing.hourly_profile": FLAT,
}
REGENERATION_CAMERAS = ("cam-beach-w", "cam-river", "cam-east-n", "cam-peninsula")


def without_crowd(installed: Calibration, kind: Kind, fit: Path) -> Calibration:
    """The installed calibration with ``kind``'s class refitted on the regeneration's kept pixel runs (the
    ``tune --pixel-runs`` folder ``fit``) as the candidate its ``model_choice.csv`` kept, without the crowd
    term (its weather offsets kept: the runs were in clear weather)."""
    choice = pd.read_csv(fit / "model_choice.csv")
    chosen = choice[(choice["kind"] == kind.value) & choice["chosen"]]["model"].item()
    candidate = crowdless(chosen)
    scene = with_cameras(
        load_scenario(DEFAULT, [f"{k}={v}" for k, v in REGENERATION.items()] + ["run.duration=300"]),
        REGENERATION_CAMERAS,
    )
    runs = PixelRunLog.read(fit / RUNS / "fit")
    refit = calibrate_from_pixel_runs(ignoring_warnings(scene), runs, model=candidate)
    entry = refit.classes[kind].model_copy(update={"weather": installed.classes[kind].weather})
    print(f"{kind.value}: installed {chosen}, refitted without the crowd term as {candidate}")
    return installed.model_copy(update={"classes": {**installed.classes, kind: entry}})


def one_camera_scene(
    camera: str,
    kind: Kind,
    rate: float,
    duration_s: float,
    start: str,
    weather: str = "clear",
    sensor: str = SensorType.VISIBLE.value,
) -> Scenario:
    """The default scenario with only ``camera``, ``rate`` offenders of ``kind`` an hour all day (almost
    none of the other kind), runs of ``duration_s`` from ``start`` in ``weather``, offenders ignoring
    warnings: the scene of this script's checks (and of the scripts that read the runs it keeps). With
    ``sensor`` thermal the camera is a thermal one at 5 frames/s (``scripts/thermal_agreement.py``'s)."""
    other = Kind.SWIMMING if kind is Kind.FISHING else Kind.FISHING
    overrides = [
        f"incidents.{kind.value}.rate_per_hour={rate:g}",
        f"incidents.{kind.value}.hourly_profile={FLAT}",
        f"incidents.{other.value}.rate_per_hour=0.001",
        f"run.duration={duration_s:g}",
        f"run.start={start}",
        f"run.weather={weather}",
    ]
    if sensor != SensorType.VISIBLE.value:
        index = [c.id for c in load_scenario(DEFAULT, []).cameras].index(camera)
        overrides += [f"cameras.{index}.sensor={sensor}", f"cameras.{index}.fps=5"]
    return ignoring_warnings(with_cameras(load_scenario(DEFAULT, overrides), {camera}))


def kept_runs_parser(description: str, kind: Kind | None) -> argparse.ArgumentParser:
    """The options of a script that reads the runs this script keeps: the scene (``--kind`` only if
    ``kind`` is None, else that kind) and ``--keep``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--camera", required=True)
    if kind is None:
        parser.add_argument("--kind", choices=[k.value for k in Kind], default="swimming")
    else:
        parser.set_defaults(kind=kind.value)
    parser.add_argument("--rate", type=float, required=True, help="offenders an hour, as the runs had")
    parser.add_argument("--duration", type=float, required=True, help="length of each run, s")
    parser.add_argument("--start", default="2026-07-18T10:00:00")
    parser.add_argument("--weather", choices=[w.value for w in Weather], default="clear")
    parser.add_argument("--keep", type=Path, required=True, help="the kept runs (installed_agreement --keep)")
    return parser


def kept_runs(scene, seeds: list[int], keep: Path | None, workers: int) -> PixelRunLog:
    """Pixel mode's runs of ``scene`` on ``seeds``: those ``keep`` holds already read from it, the others
    rendered (and, with ``keep``, added to it), so a check grows by more seeds without rendering the first
    ones again. Exits naming the seeds when ``keep`` holds runs of seeds not asked for.

    A log records the scene its runs are of (``variants_sha256``, the key of
    :func:`sim.calibration.model_choice.runs_key`: camera, kind, rate, length, start, weather, sensor), and
    one of another scene is refused: statistical mode of one scene drawn against pixel runs of another (a
    forgotten ``--start``, say) would compare nothing. A log kept before the scene was recorded is read,
    unchecked, with a warning."""
    kept = read_kept(keep, scene) if keep and (keep / "log.json").exists() else None
    have = kept.note["seeds"] if kept else []
    if extra := sorted(set(have) - set(seeds)):
        raise SystemExit(f"{keep} holds runs of seeds {extra} too: ask for them in --seeds or keep elsewhere")
    if missing := [seed for seed in seeds if seed not in have]:
        if have:
            print(f"{keep}: {len(have)} runs kept, rendering {len(missing)} more (seeds {missing})")
        stamp = {} if kept else {"variants_sha256": runs_key([scene])}  # a kept log keeps its own (or none)
        fresh = pixel_run_log([scene], missing, progress=True, workers=workers, **stamp)
        kept = kept.joined(fresh) if kept else fresh
        if keep:
            kept.write(keep)
    return kept


def read_kept(keep: Path, scene) -> PixelRunLog:
    """The runs kept in ``keep``, if they are of ``scene`` (:func:`kept_runs`: exits naming what to give
    when they are of another; a log kept before its scene was recorded is read with a warning)."""
    kept = PixelRunLog.read(keep)
    recorded = kept.note.get("variants_sha256")
    if recorded is None:
        print(f"{keep}: kept before its runs' scene was recorded; not checked against these options")
    elif recorded != runs_key([scene]):
        raise SystemExit(
            f"{keep} holds runs of another scene than these options give (camera, kind, rate, duration, "
            "start, weather or sensor): give that scene's options or keep elsewhere"
        )
    return kept


def rate_check(detections: pd.DataFrame, rate: float) -> str:
    """Whether pixel mode's count of detected offenders (``detections``' rows) is what statistical mode's
    expected ``rate`` would give: its exact 95 % interval (Clopper & Pearson 1934, *Biometrika* 26(4):404) and
    the exact binomial test of the count at ``rate`` (two-sided). A difference of a few points on a few dozen
    offenders is pixel mode's own sampling noise: the test tells a miss of the goal from it."""
    found, total = int(detections["detected"].sum()), len(detections)
    test = binomtest(found, total, min(max(rate, 0.0), 1.0))
    interval = test.proportion_ci(0.95, method="exact")
    inside = interval.low <= rate <= interval.high
    return (
        f"pixel mode {found} of {total}, 95 % interval {interval.low:.3f}-{interval.high:.3f} "
        f"(statistical mode's rate inside: {inside}; binomial test p = {test.pvalue:.3f})"
    )


def check_label(path: Path) -> str:
    """A checked calibration file's name in the tables: its stem, or its folder's name for a ``tune
    --pixel-runs`` folder's ``calibration.json``."""
    return path.parent.name if path.name == "calibration.json" else path.stem


def with_class_of(installed: Calibration, kind: Kind, path: Path) -> Calibration:
    """``installed`` with ``kind``'s class of the calibration file at ``path``."""
    candidate = Calibration.model_validate_json(path.read_text(encoding="utf-8"))
    return installed.model_copy(update={"classes": {**installed.classes, kind: candidate.classes[kind]}})


def draw_shares(pixel: pd.DataFrame, drawn: dict[str, pd.DataFrame], title: str, path: Path) -> None:
    """``path``: the share of the offenders in view detected by each time since first sight (s, log scale),
    pixel mode's (``pixel``: :func:`sim.calibration.pixel_run_log.pixel_detections` rows) with its 95 %
    bootstrap band, and statistical mode's expectation under each checked calibration (``drawn``, by name)."""
    longest = max(60.0, float(np.nanmax(pixel["ttd_s"], initial=60.0)))
    times = tuple(np.geomspace(1.0, longest, 80))
    low, high = bootstrap_band(pixel, times, np.random.default_rng(0))
    fig, ax = share_figure()
    ax.fill_between(times, low, high, step="post", color="0.85", label="pixel mode's 95 % band")
    ax.step(
        times, detected_within(pixel, times), where="post", color="black", label=f"pixel mode ({len(pixel)})"
    )
    for (name, table), colour in zip(drawn.items(), matplotlib.colormaps["tab10"].colors, strict=False):
        ax.step(
            times, detected_within(table, times), where="post", color=colour, label=f"statistical: {name}"
        )
    save_share_figure(
        fig, ax, ("time since first sight, s", "share of the offenders in view detected"), title, path
    )


def share_figure():
    """A new figure and axes for shares by time, drawn off screen (matplotlib's Agg backend)."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(7.5, 4.2), layout="constrained")


def save_share_figure(fig, ax, labels: tuple[str, str], title: str, path: Path) -> None:
    """Finish a figure of shares (0-1) by time (log scale) on ``ax``: its axes' ``labels`` (x, y), ``title``,
    legend and grid; write ``fig`` to ``path`` and close it."""
    import matplotlib.pyplot as plt

    ax.set_xscale("log")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_ylim(0.0, 1.0)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"written: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--camera", required=True)
    parser.add_argument("--kind", choices=[k.value for k in Kind], default="fishing")
    parser.add_argument("--rate", type=float, default=30.0, help="offenders of --kind an hour")
    parser.add_argument("--start", default="2026-07-18T10:00:00", help="the runs' start (default: by day)")
    parser.add_argument(
        "--weather",
        choices=[w.value for w in Weather],
        default="clear",
        help="the runs' weather (the fit's pixel runs are clear: a check of the clip runs' weather offsets)",
    )
    parser.add_argument("--duration", type=float, default=300.0, help="length of each run, s")
    parser.add_argument("--seeds", default="100-115")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--fit",
        type=Path,
        default=Path("out/calibration/pixel-visible"),
        help="the regeneration's pixel runs",
    )
    parser.add_argument("--keep", type=Path, help="keep the pixel runs here (read them if already there)")
    parser.add_argument(
        "--class-from",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="check --kind's class of this calibration file (a tune --pixel-runs folder's calibration.json) "
        "in place of the installed one's, the rest installed; no refit without the crowd term (repeatable)",
    )
    parser.add_argument(
        "--figure", type=Path, metavar="PNG", help="draw the shares detected by time since first sight"
    )
    args = parser.parse_args()
    if not args.class_from and not (args.fit / "model_choice.csv").is_file():
        parser.error(f"--fit {args.fit}: no model_choice.csv (a tune --pixel-runs folder), for the refit")
    kind = Kind(args.kind)
    scene = one_camera_scene(args.camera, kind, args.rate, args.duration, args.start, args.weather)
    pixel = kept_runs(scene, seed_range(args.seeds), args.keep, args.workers)
    seeds = pixel.note["seeds"]
    frames = pixel.frames[pixel.frames["kind"] == kind]
    crowd = others_in_view(frames)
    print(f"others in view, frames of {kind.value}: {np.bincount(crowd)} (0, 1, 2, ...)")
    detections = pixel.detections[pixel.detections["kind"] == kind.value]
    low, high = bootstrap_band(detections, WITHIN_S, np.random.default_rng(0))
    print(f"{len(detections)} in view; within {', '.join(f'{t:g}' for t in WITHIN_S)} s:")
    print(f"  pixel       {np.round(detected_within(detections, WITHIN_S), 3)}")
    print(f"  band        {np.round(low, 3)} - {np.round(high, 3)}")
    median_low, median_high = median_band(detections, np.random.default_rng(0))
    print(f"  pixel mode's median's 95 % band: {median_low:.2f} - {median_high:.2f} s")
    installed = scene.calibration
    if args.class_from:
        checks = [(check_label(path), with_class_of(installed, kind, path)) for path in args.class_from]
    else:
        checks = [("installed", installed), ("no crowd", without_crowd(installed, kind, args.fit))]
    curves = {}
    for name, calibration in checks:
        drawn = calibrated_detections([scene], calibration, seeds, REPLICATIONS)
        drawn = drawn[drawn["kind"] == kind.value]
        p, s = both_modes(detections, drawn, kind, REPLICATIONS)
        shares = detected_within(drawn, WITHIN_S)
        points = 100 * (s.detection_rate - p.detection_rate)
        print(
            f"  {name:11s} {np.round(shares, 3)} inside: {bool(((low <= shares) & (shares <= high)).all())}; "
            f"detected {s.detection_rate:.3f} against {p.detection_rate:.3f} ({points:+.1f} points), "
            f"TTD 10/25/50 % {s.ttd_p10_s:.2f} {s.ttd_p25_s:.2f} {s.ttd_p50_s:.2f} s against "
            f"{p.ttd_p10_s:.2f} {p.ttd_p25_s:.2f} {p.ttd_p50_s:.2f} s "
            f"(median {100 * (s.ttd_p50_s / p.ttd_p50_s - 1):+.0f} %, inside its band: "
            f"{median_low <= s.ttd_p50_s <= median_high})"
        )
        print(f"  {'':11s} {rate_check(detections, s.detection_rate)}")
        curves[name] = drawn
    if args.figure:
        title = f"{args.camera}, {kind.value}: {args.duration:g}-s runs, seeds {args.seeds}"
        draw_shares(detections, curves, title, args.figure)


if __name__ == "__main__":
    main()
