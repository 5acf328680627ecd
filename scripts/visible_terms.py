"""Install the visible cameras' terms of a calibration file (its top level) from pixel-mode runs of the
scenario's cameras, the two ``tune`` clip runs and the false-alarm evidence.

Run from the repository root (scripts/regenerate_calibration.sh does):
``python scripts/visible_terms.py OUT EVIDENCE TARGET`` with OUT holding ``pixel-visible/`` (a ``tune
--pixel-runs --model hazard`` output folder: day, dusk and night starts), ``tune-swimming/`` and
``tune-fishing/`` (each a ``tune --detector KIND`` output folder, every light and weather), EVIDENCE a ``tune
--false-alarm-hours`` folder (``scenarios/calibration/false_alarm_evidence``) and TARGET the file to write.
Starts from ``OUT/tune-fishing/calibration.json`` (which carries the scenario's calibration for everything the
clip runs do not fit: the top-level light and weather offsets) and replaces the following; TARGET's own
``sensors`` block (the thermal terms), if TARGET exists, is kept as it is:

* each kind's class by its ``hazard`` fit to the pixel runs (the alarm rate by the time in view, which
  transfers to held-out seeds where the per-frame models' time to detect did not: docs/detectors.md, "The
  hazard model"), but its per-frame score's weather offsets, which the clear-weather pixel runs cannot tell,
  by the clip run's (the alarm rates keep the pixel fit's: ``sim.calibration.installed_terms.
  with_clip_weather``);
* each kind's false-alarm entry by the false-alarm model fitted to the clip run's counts (every light and
  weather) together with the evidence's fit clips (every light in clear weather, the lake's distractors;
  its held-out clips stay out: they are the check, ``run_sim.py tune --report EVIDENCE``).

``--keep-class KIND`` (repeatable) keeps TARGET's class of KIND but for its weather offsets (the clip
run's, as above), and the source says so with the replaced file's account of its fit: for a regeneration
whose choice for that kind failed a check the pixel runs' held-out seeds do not cover (docs/detectors.md,
"The fitted calibration and the default").

A refitted class takes the alarm rates' optical-depth term of TARGET's class of its kind, if it has one
(the weather's cost by the depth of air, fitted to paired pixel runs in haze and fog, which a regeneration
does not render): the source says so, and ``scripts/optical_depth_terms.py`` fits it again with the new
class held.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import date
from pathlib import Path

from scripts.optical_depth_terms import depth_account
from scripts.size_cliff_terms import cliff_account
from sim.calibration.installed_terms import (
    model_of,
    pixel_class,
    pooled_false_alarms,
    terms_of,
    with_clip_weather,
)
from sim.errors import TuningError
from sim.scenario.models import Calibration, FalseAlarmCalibration, Kind, Light, Weather
from sim.sensing.false_alarms import false_alarm_rate

KINDS = [kind.value for kind in Kind]
PIXEL_RUNS = "pixel-visible"
OPERATING = {"swimming": 0.8, "fishing": 0.5}
"""The default scenario's thresholds, at which the summary prints the installed false-alarm rates."""


def visible_terms(
    out: Path, evidence: Path, kept: dict | None = None, depth_terms: dict | None = None
) -> dict:
    """The calibration: ``OUT/tune-fishing``'s with each kind's class and false-alarm entry replaced, but the
    classes of the kinds of ``kept`` (a calibration file's mapping, the one replaced): those are its, but
    for their weather offsets; a refitted class takes ``depth_terms``' optical-depth term of its kind."""
    kept, depth_terms = kept or {}, depth_terms or {}
    calibration = terms_of(out / "tune-fishing")
    pixel = out / PIXEL_RUNS
    if (fitted := terms_of(pixel)["reference_pixels"]) != calibration["reference_pixels"]:
        raise TuningError(
            f"{pixel}: reference_pixels {fitted}, the clip runs' {calibration['reference_pixels']}"
        )
    fits, alarms, taken = [], [], []
    for kind in KINDS:
        entry, hours = pooled_false_alarms(kind, [out / f"tune-{kind}"], evidence)
        calibration["false_alarms"][kind] = entry
        alarms.append(f"{kind}'s with {hours:.1f} fit camera-hours of the evidence")
        if kind in kept.get("classes", {}):
            calibration["classes"][kind] = with_clip_weather(
                kept["classes"][kind], out / f"tune-{kind}", kind
            )
            continue
        spec, _ = pixel_class(pixel, kind)
        if kind in depth_terms:  # the weather's cost by distance: no regeneration run is in bad weather
            spec["alarm_hazard"]["optical_depth"] = depth_terms[kind]
            taken.append(kind)
        calibration["classes"][kind] = with_clip_weather(spec, out / f"tune-{kind}", kind)
        fits.append(f"{kind} ({model_of(spec)} model)")
    clip_sources = " ".join(
        terms_of(out / f"tune-{kind}")["source"].split(" camera-hours.")[0] + " camera-hours."
        for kind in KINDS
    )
    calibration["source"] = (
        f"Installed on {date.today().isoformat()} by `python scripts/visible_terms.py OUT EVIDENCE TARGET` "
        "(scripts/regenerate_calibration.sh). "
        + (f"Detection classes, {' and '.join(fits)}: {terms_of(pixel)['source']} " if fits else "")
        + "Pixel runs are in clear weather: each class's weather offsets (of the per-frame score, which "
        "gives an alarm's score) are its clip run's; "
        + (alarm_weather if (alarm_weather := _alarm_weather(calibration)) else "the alarm rates have none. ")
        + f"Clip runs: {clip_sources} False alarms fitted to each clip run's counts pooled with the fit "
        f"clips of {evidence.as_posix()} ({'; '.join(alarms)}; clear weather, every light, lake "
        "distractors), "
        "at the thresholds 0.2-0.8; its held-out clips are the check (`python run_sim.py tune --report "
        f"{evidence.as_posix()} --out DIR`). The thermal block and the top-level light and weather offsets "
        "are the replaced file's. Held-out measurements: "
        "docs/detectors.md."
    )
    if taken:
        calibration["source"] += (
            f" The alarm rates' optical-depth terms of {', '.join(taken)} are the replaced file's, fitted "
            "with the class it replaced (`python scripts/optical_depth_terms.py` fits them again)."
        )
    kept_classes = kept.get("classes", {}).values()
    if any((spec.get("alarm_hazard") or {}).get("optical_depth") for spec in kept_classes):
        calibration["source"] += depth_account(kept.get("source", ""))
    if any((spec.get("alarm_hazard") or {}).get("size_cliff") for spec in kept_classes):
        calibration["source"] += cliff_account(kept.get("source", ""))
    for kind in kept.get("classes", {}):
        calibration["source"] += (
            f" The {kind} class is the replaced file's, kept (`--keep-class {kind}`) but for its weather "
            "offsets (the clip run's): "
            f"{replaced_fit(kept['source'], kind)}"
        )
    return calibration


def _alarm_weather(calibration: dict) -> str:
    """What the source says of the alarm rates' weather when some class has an optical-depth term."""
    kinds = [k for k, spec in calibration["classes"].items() if spec["alarm_hazard"].get("optical_depth")]
    if not kinds:
        return ""
    return f"the alarm rates of {', '.join(kinds)} follow the weather by their optical-depth terms (below). "


def replaced_fit(source: str, kind: str) -> str:
    """The account of ``kind``'s pixel-run fit in a source this script wrote: the sentence of its class kept
    from a file before, if the source has one, else the fit the source installed its classes from (the
    whole source if it holds neither)."""
    # The terms fitted with the class held have their own sentences (depth_account, cliff_account).
    source = re.split(r" The alarm rates' optical-depth terms| The \w+ class's size cliff ", source)[0]
    _, kept, after = source.partition(f" The {kind} class is the replaced file's, kept")
    if kept:  # up to the next kept class's sentence
        return re.split(r" The \w+ class is the replaced file's, kept", after.partition(": ")[2])[0]
    _, marker, tail = source.partition("Fitted to pixel mode by ")
    ends = (" Those runs were in clear weather", " Pixel runs are in clear weather")  # older sources, today's
    fit = tail.split(ends[0])[0].split(ends[1])[0]
    return marker + fit if marker else source


def summary(calibration: dict) -> list[str]:
    """Each kind's false-alarm rate per camera-hour at :data:`OPERATING`, clear weather, by light."""
    lines = []
    for kind in KINDS:
        spec = FalseAlarmCalibration.model_validate(calibration["false_alarms"][kind])
        rates = ", ".join(
            f"{light.value} {false_alarm_rate(spec, OPERATING[kind], light, Weather.CLEAR):.3g}"
            for light in Light
        )
        lines.append(
            f"{kind}: {model_of(calibration['classes'][kind])} model; false alarms per camera-hour at "
            f"τ {OPERATING[kind]} in clear weather: {rates}"
        )
    return lines


def main(out: Path, evidence: Path, target: Path, keep_classes: tuple[str, ...] = ()) -> None:
    replaced = json.loads(target.read_text(encoding="utf-8")) if target.is_file() else {}
    if keep_classes and not replaced:
        raise SystemExit(f"--keep-class: {target} does not exist, so it has no class to keep")
    kept = {
        "classes": {k: replaced["classes"][k] for k in keep_classes},
        "source": replaced.get("source", ""),
    }
    depth_terms = {
        kind: spec["alarm_hazard"]["optical_depth"]
        for kind, spec in replaced.get("classes", {}).items()
        if (spec.get("alarm_hazard") or {}).get("optical_depth") is not None
    }
    try:
        calibration = visible_terms(out, evidence, kept, depth_terms)
    except TuningError as error:
        raise SystemExit(str(error)) from None
    # The file being replaced keeps its other sensors' blocks as they are, byte for byte.
    if sensors := replaced.get("sensors"):
        calibration = calibration | {"sensors": sensors}
    Calibration.model_validate(calibration)  # a file statistical mode will load
    target.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    print(f"written: {target} (classes and false_alarms)")
    print("\n".join(summary(calibration)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder of the tune runs (out/calibration)")
    parser.add_argument("evidence", type=Path, help="false-alarm evidence folder (tune --false-alarm-hours)")
    parser.add_argument("target", type=Path, help="calibration file to write")
    parser.add_argument(
        "--keep-class",
        action="append",
        default=[],
        choices=KINDS,
        metavar="KIND",
        help="keep TARGET's class of KIND (swimming or fishing) as it is; repeatable",
    )
    args = parser.parse_args()
    main(args.out, args.evidence, args.target, tuple(args.keep_class))
