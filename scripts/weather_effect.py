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

Each measurement is also a row of ``KEEP/weather_effect.csv`` (one per camera, kind, weather, length and
seeds, sensor type and frames version; measured again, replaced; with the offenders' rate and the start,
which ``scripts/optical_depth_terms.py`` rebuilds the scene from), with the median distance from the lens
of the camera's alarm region for the kind and its optical depth in the camera's band as the renderer draws
the weather (:func:`sim.world.visibility.optical_depth`); ``--figure`` draws every row into
``KEEP/weather_effect.png``: the paired change against the optical depth, rows of older frames hollow.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from scripts.held_out_agreement import seed_range
from scripts.installed_agreement import kept_runs, one_camera_scene
from sim.calibration.agreement import REPLICATIONS, both_modes, calibrated_detections
from sim.calibration.hazard_weather import hazard_weather
from sim.calibration.pixel_run_log import PixelRunLog
from sim.render.frames_version import FRAMES_VERSION
from sim.scenario.models import Kind, Scenario, SensorType, Weather
from sim.sensing.sensors import build_sensors
from sim.world.geometry import ZoneGeometry
from sim.world.visibility import optical_depth

TABLE = "weather_effect.csv"
KEY = ["camera", "sensor", "kind", "weather", "duration_s", "seeds", "frames_version"]


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


def median_distance(scene: Scenario, camera: str, kind: Kind, points: int = 20_000) -> float:
    """Median distance (m) from ``camera`` of points drawn evenly over its alarm region for ``kind`` (the
    kind's no-go areas it sees): where its offenders stand, roughly (on the ground; the lens is a few
    metres up)."""
    sensor = next(s for s in build_sensors(scene, ZoneGeometry(scene)) if s.id == camera)
    region = sensor.alarm_region(kind)
    x0, y0, x1, y1 = region.bounds
    rng = np.random.default_rng(0)
    xy = np.column_stack([rng.uniform(x0, x1, points), rng.uniform(y0, y1, points)])
    xy = xy[shapely.intersects_xy(region, xy[:, 0], xy[:, 1])]
    position = next(c for c in scene.cameras if c.id == camera).position
    return float(np.median(np.hypot(xy[:, 0] - position[0], xy[:, 1] - position[1])))


def record(folder: Path, row: dict) -> pd.DataFrame:
    """``folder/weather_effect.csv`` with ``row`` in it (replacing an earlier row of its key)."""
    path = folder / TABLE
    table = pd.read_csv(path) if path.is_file() else pd.DataFrame(columns=list(row))
    if "sensor" not in table:  # rows written before thermal cameras were measured: visible ones
        table.insert(1, "sensor", "visible")
    if len(table):
        same = (table[KEY].astype(str) == pd.Series(row)[KEY].astype(str)).all(axis=1)
        table = table[~same]
    table = pd.concat([table, pd.DataFrame([row])], ignore_index=True) if len(table) else pd.DataFrame([row])
    table.sort_values(["kind", "optical_depth"]).to_csv(path, index=False)
    return table


def draw(folder: Path) -> Path:
    """``folder/weather_effect.png``: each row's paired change in pixel mode's detection rate (points, its
    95 % interval) against the optical depth of its camera's median distance in its band, a colour per kind
    (thermal cameras' rows as diamonds)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = pd.read_csv(folder / TABLE)
    if "sensor" not in table:
        table["sensor"] = "visible"
    fig, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
    for kind, colour, above in (("swimming", "tab:blue", -14), ("fishing", "tab:orange", 6)):
        for (version, sensor), mine in table[table["kind"] == kind].groupby(["frames_version", "sensor"]):
            change = 100 * mine["change"]
            error = [change - 100 * mine["low"], 100 * mine["high"] - change]
            face = colour if version == FRAMES_VERSION else "white"
            label = kind if sensor == "visible" else f"{kind}, {sensor} (its band's depth)"
            label = label if version == FRAMES_VERSION else f"{label}, frames version {version}"
            ax.errorbar(
                mine["optical_depth"],
                change,
                yerr=error,
                fmt="o" if sensor == "visible" else "D",
                color=colour,
                mfc=face,
                capsize=3,
                label=label,
            )
        current = table[(table["kind"] == kind) & (table["frames_version"] == FRAMES_VERSION)]
        for row in current.itertuples():  # older frames' rows unlabelled: the figure stays legible
            ax.annotate(
                f"{row.camera}, {row.weather}",
                (row.optical_depth, 100 * row.change),
                fontsize=8,
                xytext=(6, above),  # swimming's labels below their points, fishing's above: apart
                textcoords="offset points",
            )
    ax.axhline(0.0, color="grey", lw=0.8)
    ax.set_xlabel("optical depth as drawn at the camera's median distance, in the camera's band")
    ax.set_ylabel("pixel mode: detection rate, weather − clear (points)")
    ax.set_title("The weather on paired pixel-mode runs (the same offenders), 95 % intervals", fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    path = folder / "weather_effect.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _seconds(value) -> str:
    """A median time to detect, s; "-" when nothing was detected (the table's None)."""
    return "-" if pd.isna(value) else f"{value:.2f} s"


def _change(value, reference) -> str:
    """``value`` against ``reference`` in per cent; "-" when either is missing."""
    return "-" if pd.isna(value) or pd.isna(reference) else f"{100 * (value / reference - 1):+.0f} %"


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
    parser.add_argument(
        "--sensor", choices=[t.value for t in SensorType], default="visible", help="the camera's sensor type"
    )
    parser.add_argument("--figure", action="store_true", help="then draw KEEP/weather_effect.png")
    args = parser.parse_args()
    kind, seeds = Kind(args.kind), seed_range(args.seeds)
    thermal = "" if args.sensor == SensorType.VISIBLE.value else f"-{args.sensor}"
    name = f"{args.camera}-{kind.value}-{args.duration:g}{thermal}"
    logs, scenes = {}, {}
    for weather in (Weather.CLEAR.value, args.weather):
        scene = one_camera_scene(
            args.camera, kind, args.rate, args.duration, args.start, weather, args.sensor
        )
        folder = args.keep / (name if weather == Weather.CLEAR.value else f"{name}-{weather}")
        logs[weather], scenes[weather] = kept_runs(scene, seeds, folder, args.workers), scene
    print(f"{args.camera}, {kind.value}: {len(seeds)} runs of {args.duration:g} s in each weather")
    for weather, log in logs.items():
        pixel = log.detections[log.detections["kind"] == kind.value]
        drawn = calibrated_detections([scenes[weather]], scenes[weather].calibration, seeds, REPLICATIONS)
        p, s = both_modes(pixel, drawn, kind, REPLICATIONS)
        points = 100 * (s.detection_rate - p.detection_rate)
        print(
            f"  {weather:6s} pixel detected {p.detection_rate:.3f}, median {_seconds(p.ttd_p50_s)}; "
            f"statistical {s.detection_rate:.3f} ({points:+.1f} points), "
            f"median {_seconds(s.ttd_p50_s)} ({_change(s.ttd_p50_s, p.ttd_p50_s)}); {len(pixel)} in view"
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
    distance = median_distance(scene, args.camera, kind)
    sensor = SensorType(args.sensor)
    clear_rate, other_rate = (frame["detected"].mean() for frame in (clear, other))
    row = {
        "camera": args.camera,
        "sensor": args.sensor,
        "kind": kind.value,
        "weather": args.weather,
        "duration_s": args.duration,
        "seeds": args.seeds,
        "rate_per_hour": args.rate,
        "start": args.start,
        "median_distance_m": round(distance, 1),
        "optical_depth": round(float(optical_depth(distance, Weather(args.weather), sensor)), 3),
        "frames_version": FRAMES_VERSION,
        "pixel_clear": round(float(clear_rate), 4),
        "pixel_weather": round(float(other_rate), 4),
        "change": round(change, 4),
        "low": round(low, 4),
        "high": round(high, 4),
        "incidents": matched,
        "offset": round(float(offsets["offset"].iloc[-1]), 3),
    }
    record(args.keep, row)
    print(f"  written: {args.keep / TABLE}")
    if args.figure:
        print(f"  written: {draw(args.keep)}")


if __name__ == "__main__":
    main()
