"""Fit the ``hazard`` classes' optical-depth term (what the weather costs, by the depth of air between the
lens and the offender) to the paired runs of ``scripts/weather_effect.py``, check it run by run, install it.

Run from the repository root:

    PYTHONPATH=. python scripts/optical_depth_terms.py out/weather-effect [--calibration FILE] [--install]

reads the rows of ``KEEP/weather_effect.csv`` drawn on today's frames and the runs in haze, fog or rain they
name (the clear runs carry no optical depth to speak of; each scene is rebuilt from the row, and the seeds'
incidents must give the logged pixel heights back: :mod:`sim.calibration.frame_distances`); fits each kind's
term to all of its runs, the calibration's class held as it is (:mod:`sim.calibration.optical_depth_fit`);
and checks it on each run twice, statistical mode (20 draws of the same incidents) against pixel mode: with
the term fitted on every run of the kind, and with the term fitted on the kind's other runs alone (the run
left out: a camera and weather the fit did not see), and without a term (as before). Prints the terms and
the checks, writes ``KEEP/optical_depth.csv`` (a row per run) and ``KEEP/optical_depth.png`` (the terms'
curves, the runs' detection rates) and, with ``--install``, writes each kind's term into the
calibration file's visible classes (``alarm_hazard.optical_depth``) and a sentence into its source.

    PYTHONPATH=. python scripts/optical_depth_terms.py --clips out/calibration [--calibration FILE]

checks the file on a regeneration's ``tune`` clip runs instead (``tune-swimming/``, ``tune-fishing/``: every
light and weather, other cameras and offenders): per kind and weather, the offenders alarmed at the kind's
threshold against how many the class expects with its term and without it
(:func:`sim.calibration.optical_depth_fit.alarm_shares`); writes ``DIR/optical_depth_clips.csv``.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from scripts.installed_agreement import one_camera_scene
from scripts.weather_effect import TABLE
from sim.calibration.agreement import REPLICATIONS, both_modes, calibrated_detections
from sim.calibration.frame_distances import frame_distances
from sim.calibration.optical_depth_fit import OpticalDepthFit, alarm_shares, fit_optical_depth
from sim.calibration.pixel_run_log import PIXELS, PixelRunLog
from sim.render.frames_version import FRAMES_VERSION
from sim.scenario.models import Calibration, Kind, OpticalDepthTerm, Scenario, SensorType
from sim.sensing.alarm_hazard import optical_depth_offset

DEPTHS = (1.0, 2.0, 3.0, 4.0, 6.0)
"""Optical depths at which the printout gives each term's offset."""


class WeatherRun:
    """One row of ``weather_effect.csv``: its scene, its runs in bad weather and their offenders' frames."""

    def __init__(self, keep: Path, row: pd.Series):
        self.row, self.kind, self.sensor = row, Kind(row["kind"]), SensorType(row["sensor"])
        self.scene: Scenario = one_camera_scene(
            row["camera"],
            self.kind,
            row["rate_per_hour"],
            row["duration_s"],
            row["start"],
            row["weather"],
            self.sensor.value,
        )
        band = "" if self.sensor is SensorType.VISIBLE else f"-{self.sensor.value}"
        self.log = PixelRunLog.read(
            keep / f"{row['camera']}-{row['kind']}-{row['duration_s']:g}{band}-{row['weather']}"
        )
        frames = self.log.frames[self.log.frames["kind"] == self.kind.value].drop(columns="kind")
        frames = frames.reset_index(drop=True)
        analysed = self.log.pixels == PIXELS
        frames["distance_m"] = frame_distances(frames, self.scene, self.log.note["seeds"], analysed)
        key = f"{row['weather']}/{row['camera']}/{row['sensor']}:"  # an offender per run, camera, weather
        self.frames = frames.assign(group=key + frames["group"])
        credited = self.log.credited
        self.credited = pd.Series(credited.to_numpy(), index=key + credited.index)

    @property
    def name(self) -> str:
        return f"{self.row['camera']} ({self.sensor.value}) {self.kind.value}, {self.row['weather']}"


def fitted(runs: list[WeatherRun], calibration: Calibration) -> OpticalDepthFit:
    """The term fitted to ``runs`` (of one kind and sensor type) with ``calibration``'s class of that kind
    on that sensor type held."""
    kind, sensor, scene = runs[0].kind, runs[0].sensor, runs[0].scene
    frames = pd.concat([run.frames for run in runs], ignore_index=True)
    credited = pd.concat([run.credited for run in runs])
    block = calibration.for_sensor(sensor).classes[kind].alarm_hazard
    threshold = scene.detection.threshold_for(kind)
    reference = calibration.reference_pixels
    return fit_optical_depth(frames, credited, block, reference, threshold, sensor=sensor)


def with_term(
    calibration: Calibration, sensor: SensorType, kind: Kind, term: OpticalDepthTerm | None
) -> Calibration:
    """``calibration`` with ``term`` in its class of ``kind`` on ``sensor`` cameras (None: without one)."""
    terms = calibration if sensor is SensorType.VISIBLE else calibration.sensors[sensor]
    spec = terms.classes[kind]
    rates = spec.alarm_hazard.model_copy(update={"optical_depth": term})
    changed = terms.model_copy(
        update={"classes": terms.classes | {kind: spec.model_copy(update={"alarm_hazard": rates})}}
    )
    if sensor is SensorType.VISIBLE:
        return changed
    return calibration.model_copy(update={"sensors": calibration.sensors | {sensor: changed}})


def checked(run: WeatherRun, calibration: Calibration) -> tuple[pd.Series, pd.Series]:
    """Pixel mode's and statistical mode's agreement rows of ``run`` under ``calibration``."""
    pixel = run.log.detections[run.log.detections["kind"] == run.kind.value]
    drawn = calibrated_detections([run.scene], calibration, run.log.note["seeds"], REPLICATIONS)
    return both_modes(pixel, drawn, run.kind, REPLICATIONS)


def offsets(term: OpticalDepthTerm) -> str:
    """The term's log-rate offset at :data:`DEPTHS`, printed."""
    values = optical_depth_offset(term, np.array(DEPTHS))
    return ", ".join(f"τ {d:g}: {v:+.2f}" for d, v in zip(DEPTHS, values, strict=True))


def kind_checked(runs: list[WeatherRun], base: Calibration) -> tuple[OpticalDepthFit, list[dict]]:
    """One kind's term fitted to all of ``runs`` with ``base``'s class held, and a row per run: pixel mode's
    detection rate and median time to detect, statistical mode's with the term, with the term fitted on the
    other runs alone (left out) and without a term."""
    kind, sensor = runs[0].kind, runs[0].sensor
    fit = fitted(runs, base)
    print(f"{kind.value} ({sensor.value}): slopes {fit.term.slopes} at knots {fit.term.knots}")
    print(f"  offset {offsets(fit.term)}")
    alarmed = f"{fit.offenders} offenders ({fit.alarmed} alarmed)"
    print(f"  fitted on {alarmed}, log-likelihood {fit.log_likelihood:.1f}")
    rows = []
    for i, run in enumerate(runs):
        others = [r for j, r in enumerate(runs) if j != i]
        pixel, statistical = checked(run, with_term(base, sensor, kind, fit.term))
        row = {
            "camera": run.row["camera"],
            "sensor": sensor.value,
            "kind": kind.value,
            "weather": run.row["weather"],
            "optical_depth": run.row["optical_depth"],
            "incidents": int(pixel["incidents_visible"]),
            "pixel_rate": pixel["detection_rate"],
            "pixel_median_s": pixel["ttd_p50_s"],
            "fitted_rate": statistical["detection_rate"],
            "fitted_median_s": statistical["ttd_p50_s"],
        }
        cases = {"left_out": fitted(others, base).term} if others else {}
        for case, term in (cases | {"without": None}).items():
            _, drawn = checked(run, with_term(base, sensor, kind, term))
            row |= {f"{case}_rate": drawn["detection_rate"], f"{case}_median_s": drawn["ttd_p50_s"]}
        rows.append(row)
        print(f"  {run.name}: " + ", ".join(f"{k} {v}" for k, v in list(row.items())[3:]))
    return fit, rows


def draw(keep: Path, table: pd.DataFrame, terms: dict[tuple[SensorType, Kind], OpticalDepthFit]) -> Path:
    """``keep/optical_depth.png``: each kind's fitted offset against the optical depth (left), and each run's
    detection rate in pixel mode beside statistical mode's with the term, left out and without (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {Kind.SWIMMING: "tab:blue", Kind.FISHING: "tab:orange"}
    fig, (curve, rates) = plt.subplots(
        1, 2, figsize=(15, 5.6), layout="constrained", gridspec_kw={"width_ratios": [1, 2]}
    )
    depth = np.linspace(0.0, 6.0, 301)
    for (sensor, kind), fit in terms.items():
        factor = np.exp(optical_depth_offset(fit.term, depth))
        style = "-" if sensor is SensorType.VISIBLE else "--"
        curve.plot(depth, factor, style, color=colours[kind], label=f"{_band(sensor)}{kind.value}")
    curve.set_xlabel("optical depth between lens and offender, in the camera's band")
    curve.set_ylabel("alarm rate relative to clear air")
    curve.set_title("The fitted optical-depth terms", fontsize=10)
    curve.set_yscale("log")
    curve.set_ylim(1e-4, 2.0)
    curve.legend(fontsize=8)
    labels = [
        f"{r.camera}\n{_band(SensorType(r.sensor))}{r.kind}\n{r.weather}\nτ {r.optical_depth:.2g}"
        for r in table.itertuples()
    ]
    x = np.arange(len(table))
    marks = {
        "pixel_rate": ("pixel mode", "k", "s"),
        "fitted_rate": ("with the term (fitted on every run)", "tab:green", "o"),
    }
    marks |= {"left_out_rate": ("term fitted without this run", "tab:purple", "D")}
    marks |= {"without_rate": ("no term (before)", "tab:red", "x")}
    shifts = (-0.24, -0.08, 0.08, 0.24)
    for shift, (column, (label, colour, marker)) in zip(shifts, marks.items(), strict=True):
        if column in table:
            rates.scatter(x + shift, table[column], color=colour, marker=marker, label=label, zorder=3)
    rates.set_xticks(x, labels, fontsize=7.5)
    rates.set_ylabel("share of offenders in view detected")
    rates.set_ylim(-0.03, 1.03)
    rates.set_title("Each paired run in bad weather: pixel mode against statistical mode", fontsize=10)
    rates.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2)
    rates.grid(axis="y", alpha=0.3)
    path = keep / "optical_depth.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def clip_check(clips: Path, calibration: Calibration, threshold: dict[Kind, float]) -> pd.DataFrame:
    """Per kind and weather of the ``tune`` clip runs in ``clips`` (``tune-<kind>/``: every light and weather,
    other cameras and offenders than the paired runs'), the offenders alarmed at the kind's threshold against
    how many ``calibration``'s class expects to be, with its optical-depth term and without it."""
    rows = []
    for kind in Kind:
        folder = clips / f"tune-{kind.value}"
        frames = pd.read_csv(folder / "offender_frames.csv.gz")
        alarms = pd.read_csv(folder / "credited_alarms.csv")
        credited = alarms[np.isclose(alarms["threshold"], threshold[kind])]
        weathers = frames.drop_duplicates("group").set_index("group")["weather"]
        observed = weathers[weathers.index.isin(credited["group"])].value_counts()
        spec, reference = calibration.classes[kind], calibration.reference_pixels
        block = spec.alarm_hazard
        cases = {"with_term": block, "without_term": block.model_copy(update={"optical_depth": None})}
        shares = {case: alarm_shares(frames, b, reference, threshold[kind]) for case, b in cases.items()}
        for weather, counts in shares["with_term"].iterrows():
            rows.append(
                {
                    "kind": kind.value,
                    "weather": weather,
                    "offenders": int(counts["offenders"]),
                    "alarmed": int(observed.get(weather, 0)),
                    "expected_with_term": round(float(counts["expected"]), 1),
                    "expected_without_term": round(float(shares["without_term"].loc[weather, "expected"]), 1),
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("keep", type=Path, nargs="?", help="folder of scripts/weather_effect.py's kept runs")
    parser.add_argument("--calibration", type=Path, default=Path("scenarios/calibration/default.json"))
    parser.add_argument("--install", action="store_true", help="write the terms into --calibration")
    parser.add_argument("--clips", type=Path, help="instead: check --calibration on these tune clip runs")
    args = parser.parse_args()
    if (args.keep is None) == (args.clips is None):
        parser.error("give either KEEP (fit, check and install) or --clips DIR (check on clip runs)")
    if args.clips is not None:
        calibration = Calibration.model_validate_json(args.calibration.read_text(encoding="utf-8"))
        scene = one_camera_scene("cam-east-n", Kind.FISHING, 1.0, 60.0, "2026-07-18T10:00:00")
        thresholds = {kind: scene.detection.threshold_for(kind) for kind in Kind}
        table = clip_check(args.clips, calibration, thresholds)
        print(table.to_string(index=False))
        table.to_csv(args.clips / "optical_depth_clips.csv", index=False)
        print(f"written: {args.clips / 'optical_depth_clips.csv'}")
        return
    table = pd.read_csv(args.keep / TABLE)
    table = table[table["frames_version"] == FRAMES_VERSION]
    if "sensor" not in table:  # rows written before thermal cameras were measured
        table = table.assign(sensor=SensorType.VISIBLE.value)
    if table.empty:
        raise SystemExit(f"{args.keep / TABLE}: no run drawn on frames version {FRAMES_VERSION}")
    base = Calibration.model_validate_json(args.calibration.read_text(encoding="utf-8"))
    rows, terms = [], {}
    for (sensor, kind), mine in table.groupby(["sensor", "kind"]):
        fit, checks = kind_checked([WeatherRun(args.keep, row) for _, row in mine.iterrows()], base)
        terms[SensorType(sensor), Kind(kind)] = fit
        rows += checks
    checks = pd.DataFrame(rows)
    checks.to_csv(args.keep / "optical_depth.csv", index=False)
    print(f"written: {args.keep / 'optical_depth.csv'}, {draw(args.keep, checks, terms)}")
    if args.install:
        install(args.calibration, terms, args.keep)


def shown(folder: Path) -> str:
    """``folder`` as the source names it: relative to the working directory (the repository's root) if it
    lies inside it, else as given."""
    try:
        return folder.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return folder.as_posix()


DEPTH_SENTENCE = re.compile(
    r" The alarm rates' optical-depth terms(?:, | of ).*?(?:each class held\.|fits them again\)\.)"
)
"""A calibration source's sentences on its optical-depth terms: :func:`install`'s, and ``scripts/
visible_terms.py``'s for a refitted class that kept the replaced file's terms."""


def depth_account(source: str) -> str:
    """The sentence of ``source`` saying how its optical-depth terms were fitted (:func:`install` writes it),
    with its leading space; empty if it has none."""
    found = [m.group(0) for m in DEPTH_SENTENCE.finditer(source) if m.group(0).endswith("each class held.")]
    return found[-1] if found else ""


def _band(sensor: SensorType) -> str:
    """How the source names a sensor type's classes: nothing for visible cameras' (the top level)."""
    return "" if sensor is SensorType.VISIBLE else f"{sensor.value} "


def install(path: Path, terms: dict[tuple[SensorType, Kind], OpticalDepthFit], keep: Path) -> None:
    """Write ``terms`` (by sensor type and kind) into the calibration file at ``path`` (the top-level classes
    for visible cameras, ``sensors.<type>.classes`` for others), with a sentence of source."""
    calibration = json.loads(path.read_text(encoding="utf-8"))
    for (sensor, kind), fit in terms.items():
        block = calibration if sensor is SensorType.VISIBLE else calibration["sensors"][sensor.value]
        rates = block["classes"][kind.value]["alarm_hazard"]
        rates.pop("weather", None)
        rates["optical_depth"] = fit.term.model_dump(mode="json")
    kinds = " and ".join(
        f"{_band(sensor)}{kind.value}'s ({fit.offenders} offenders)" for (sensor, kind), fit in terms.items()
    )
    calibration["source"] = DEPTH_SENTENCE.sub("", calibration["source"]) + (
        f" The alarm rates' optical-depth terms, {kinds}, were fitted by `PYTHONPATH=. python "
        f"scripts/optical_depth_terms.py {shown(keep)} --install` to paired pixel runs in haze and fog "
        "(scripts/weather_effect.py; docs/detectors.md, \"The optical depth: the alarm rates' weather "
        'covariate"), each class held.'
    )
    Calibration.model_validate(calibration)
    path.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    names = ", ".join(f"{kind.value} ({sensor.value})" for sensor, kind in terms)
    print(f"written: {path} (alarm_hazard.optical_depth of {names})")


if __name__ == "__main__":
    main()
