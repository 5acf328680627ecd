"""What the weather does to detection on one camera, measured on paired pixel-mode runs: the same seeds (so
the same offenders, arriving and standing where they did) in clear weather and in ``--weather``; and how
statistical mode with the installed calibration follows it.

Run from the repository root:

    PYTHONPATH=. python scripts/weather_effect.py --camera cam-east-n --kind fishing --rate 200 \\
        --duration 600 --seeds 300-307 --weather fog --keep out/weather-effect --workers 2

renders (or reads, from ``--keep``, the folders ``<camera>-<kind>-<duration>`` and ``...-<weather>``, the
names ``scripts/installed_agreement.py --keep`` uses) the one-camera scene of ``scripts/
installed_agreement.py`` in each weather, then prints for each weather pixel mode's detection rate and
median time to detect beside statistical mode's (20 draws on the same incidents), the paired change in
pixel mode's detection rate with its 95 % bootstrap interval over the incidents, and the alarm rates'
weather offset fitted to both weathers' runs (:func:`sim.calibration.hazard_weather.hazard_weather`, a
frailty per offender and weather: the pairing is not used, so its interval is conservative). The clip runs'
estimate of that offset compares offenders that differ from weather to weather; this one does not.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from scripts.held_out_agreement import seed_range
from scripts.installed_agreement import kept_runs, one_camera_scene
from sim.calibration.agreement import REPLICATIONS, agreement_of, calibrated_detections
from sim.calibration.hazard_weather import hazard_weather
from sim.calibration.pixel_run_log import PixelRunLog
from sim.scenario.models import Kind, Weather


def paired_change(clear: pd.DataFrame, other: pd.DataFrame, rng: np.random.Generator) -> tuple[float, ...]:
    """Pixel mode's detection rate in the other weather minus in clear weather, over the incidents in view
    in both (matched by run and incident), with its 95 % percentile-bootstrap interval over them; and how
    many were matched."""
    key = ["run", "incident_id"]
    both = clear[[*key, "detected"]].merge(other[[*key, "detected"]], on=key, suffixes=("_clear", "_other"))
    change = both["detected_other"].to_numpy(float) - both["detected_clear"].to_numpy(float)
    draws = [change[rng.integers(0, len(change), len(change))].mean() for _ in range(2000)]
    low, high = np.quantile(draws, [0.025, 0.975])
    return float(change.mean()), float(low), float(high), len(change)


def weather_offset(
    logs: dict[str, PixelRunLog], kind: Kind, threshold: float, k: int, n: int
) -> pd.DataFrame:
    """:func:`sim.calibration.hazard_weather.hazard_weather` on both weathers' runs, each offender's frames
    and credited alarm keyed by its weather too (the same incident in two weathers: two offenders)."""
    frames, credited = [], []
    for weather, log in logs.items():
        mine = log.frames[log.frames["kind"] == kind.value].drop(columns="kind")
        frames.append(mine.assign(group=weather + "/" + mine["group"].astype(str)))
        alarms = log.credited
        credited.append(pd.Series(alarms.to_numpy(), index=weather + "/" + alarms.index))
    reference = 10.0  # the size the fit is referred to; the weather offset does not depend on it
    return hazard_weather(
        pd.concat(frames, ignore_index=True), pd.concat(credited), reference, threshold, k, n
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--camera", required=True)
    parser.add_argument("--kind", choices=[k.value for k in Kind], required=True)
    parser.add_argument("--rate", type=float, required=True, help="offenders of --kind an hour")
    parser.add_argument("--duration", type=float, default=600.0, help="length of each run, s")
    parser.add_argument("--start", default="2026-07-18T10:00:00")
    parser.add_argument("--seeds", default="300-307")
    parser.add_argument(
        "--weather", choices=[w.value for w in Weather if w is not Weather.CLEAR], required=True
    )
    parser.add_argument("--keep", type=Path, default=Path("out/weather-effect"), help="folder of kept runs")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    kind, seeds = Kind(args.kind), seed_range(args.seeds)
    name = f"{args.camera}-{kind.value}-{args.duration:g}"
    logs, scenes = {}, {}
    for weather in (Weather.CLEAR.value, args.weather):
        scene = one_camera_scene(args.camera, kind, args.rate, args.duration, args.start, weather)
        folder = args.keep / (name if weather == Weather.CLEAR.value else f"{name}-{weather}")
        logs[weather], scenes[weather] = kept_runs(scene, seeds, folder, args.workers), scene
    print(f"{args.camera}, {kind.value}: {len(seeds)} runs of {args.duration:g} s in each weather")
    for weather, log in logs.items():
        pixel = log.detections[log.detections["kind"] == kind.value]
        drawn = calibrated_detections([scenes[weather]], scenes[weather].calibration, seeds, REPLICATIONS)
        table = agreement_of(pixel, drawn[drawn["kind"] == kind.value], REPLICATIONS)
        table = table[table["kind"] == kind.value].set_index("mode")
        p, s = table.loc["pixel"], table.loc["statistical"]
        print(
            f"  {weather:6s} pixel detected {p.detection_rate:.3f}, median {p.ttd_p50_s:.2f} s; statistical "
            f"{s.detection_rate:.3f} ({100 * (s.detection_rate - p.detection_rate):+.1f} points), median "
            f"{s.ttd_p50_s:.2f} s ({100 * (s.ttd_p50_s / p.ttd_p50_s - 1):+.0f} %); {len(pixel)} in view"
        )
    clear, other = (log.detections[log.detections["kind"] == kind.value] for log in logs.values())
    change, low, high, matched = paired_change(clear, other, np.random.default_rng(0))
    print(
        f"  pixel mode's detection rate, {args.weather} against clear: {100 * change:+.1f} points "
        f"[{100 * low:+.1f}, {100 * high:+.1f}] over {matched} incidents in view in both"
    )
    scene = scenes[args.weather]
    threshold, persistence = scene.detection.threshold_for(kind), scene.detection.persistence
    offsets = weather_offset(logs, kind, threshold, persistence.k, persistence.n)
    print("  the alarm rates' weather offset on these runs (95 % profile-likelihood interval):")
    print(offsets.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
