"""Install the thermal cameras' terms of a calibration file from pixel-mode runs of thermal cameras and two
``tune --sensor thermal`` clip runs, and draw recall by light and camera type from every tune run in the
folder.

Run from the repository root (scripts/regenerate_calibration.sh does):
``python scripts/thermal_terms.py OUT TARGET [--only KIND]`` with OUT holding the ``tune --pixel-runs``
output folders of :data:`PIXEL_RUNS` (thermal cameras: day, dusk and night starts), ``tune-swimming-thermal/``
and ``tune-fishing-thermal/`` (each a ``tune --detector KIND --sensor thermal`` output folder) and TARGET the
calibration file to update (``scenarios/calibration/default.json``). Replaces only TARGET's
``sensors.thermal`` block: each kind's class (detection terms) from its pixel runs, but its weather
offsets, which the clear-weather pixel runs cannot tell, from its clip run (those of the per-frame score:
``sim.calibration.installed_terms.with_clip_weather``); each kind's false-alarm entry
from its clip run. The top-level (visible) terms stay byte for byte. Writes
``OUT/recall_by_light_<kind>.png`` from the ``by_light.csv`` of ``tune-<kind>``, ``tune-<kind>-visible``
and ``tune-<kind>-thermal`` where they exist. With ``--only KIND`` it replaces only KIND's class of
TARGET's block, from ``OUT/<PIXEL_RUNS[KIND]>`` alone (its weather offsets and everything else of the
block kept, a sentence added to the block's source): for a pixel-run fit redone without the clip runs.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import pandas as pd

from sim.calibration import installed_terms
from sim.calibration.figures import draw_recall_by_light
from sim.calibration.installed_terms import model_of, terms_of, with_clip_weather
from sim.errors import TuningError
from sim.scenario.models import Calibration, Kind

KINDS = [kind.value for kind in Kind]
THERMAL = "thermal"
PIXEL_RUNS = {"swimming": "pixel-thermal", "fishing": "pixel-thermal-fishing"}
"""The ``tune --pixel-runs`` output folder (under OUT) each kind's class is installed from: swimming's on the
ordinal model (both cameras of scripts/thermal_agreement.py's scene), fishing's on the ``hazard`` model
(``--model hazard``, thermal copies of three fishing-bank cameras since 2026-12-07: fitted to ``cam-east-n``
alone it found 34-55 points too few of the far banks' anglers at night). Fishing's ordinal
pixel-run fit was measured and rejected on 2026-12-05 (docs/detectors.md, "Statistical mode on thermal
cameras": the fishing detector's score ramps up with the dwell of a still person, 10 s to full, which the
ordinal model does not describe); the hazard model's alarm rate by the time in view does."""


def pixel_class(out: Path, kind: str) -> tuple[dict, str]:
    """``kind``'s class fitted by the pixel runs of ``OUT/<PIXEL_RUNS[kind]>`` and that fit's source."""
    try:
        return installed_terms.pixel_class(out / PIXEL_RUNS[kind], kind, THERMAL)
    except TuningError as error:
        raise SystemExit(str(error)) from None


def thermal_block(out: Path) -> dict:
    """The ``sensors.thermal`` block: each kind's class from its pixel runs (:data:`PIXEL_RUNS`) with the
    weather offsets of ``OUT/tune-<kind>-thermal``, every kind's false-alarm entry from that clip run."""
    block = {"source": "", "classes": {}, "false_alarms": {}}
    fits, sources = [], []
    for kind in KINDS:
        clips = terms_of(out / f"tune-{kind}-thermal", THERMAL)
        spec, source = pixel_class(out, kind)
        block["classes"][kind] = with_clip_weather(spec, out / f"tune-{kind}-thermal", kind, THERMAL)
        block["false_alarms"][kind] = clips["false_alarms"][kind]
        fits.append(f"{kind} ({model_of(spec)} model): {source}")
        sources.append(clips["source"].split(" camera-hours.")[0] + " camera-hours")
    block["source"] = (
        f"Installed on {date.today().isoformat()} by `python scripts/thermal_terms.py` (scripts/"
        "regenerate_calibration.sh). Detection terms (classes) from pixel-mode runs of thermal cameras, "
        "their scene that of scripts/thermal_agreement.py, by day, at dusk and at night: "
        + " ".join(fits)
        + " Those runs were in clear weather: the classes' weather offsets (of the per-frame score; the "
        "alarm rates have none) and each kind's false alarms are "
        "from one `tune --sensor thermal` run per kind (thermal copies of the scenario's cameras, the "
        "detectors' thermal parameters, detection.pixel_detectors.thermal): "
        + " ".join(f"{s}." for s in sources)
        + " Held-out measurements of these terms against pixel mode: docs/detectors.md."
    )
    return block


def replace_class(block: dict, out: Path, kind: str) -> dict:
    """``block`` (an installed ``sensors.thermal`` block) with ``kind``'s class from its pixel runs, the
    class's weather offsets kept (a clip run's: the pixel runs are in clear weather), a sentence saying so
    added to its source."""
    spec, source = pixel_class(out, kind)
    replaced = block["classes"][kind]
    classes = block["classes"] | {kind: spec | {"weather": replaced["weather"]}}
    note = (
        f" Then {kind}'s class replaced on {date.today().isoformat()} by `python scripts/thermal_terms.py "
        f"OUT TARGET --only {kind}` with the {model_of(spec)} model's fit to pixel-mode runs (its weather "
        f"offsets kept, the pixel runs being in clear weather): {source}"
    )
    return block | {"classes": classes, "source": block["source"] + note}


def recall_figures(out: Path) -> list[Path]:
    """``recall_by_light_<kind>.png`` from the tune runs of each kind found in ``out``."""
    drawn = []
    for kind in KINDS:
        tables = [
            pd.read_csv(path)
            for name in (f"tune-{kind}", f"tune-{kind}-visible", f"tune-{kind}-thermal")
            if (path := out / name / "by_light.csv").is_file()
        ]
        if tables:
            title = f"{kind} detector at its scenario threshold: recall by light and camera type (tune clips)"
            drawn.append(draw_recall_by_light(pd.concat(tables), out / f"recall_by_light_{kind}.png", title))
    return drawn


def main(out: Path, target: Path, only: str | None = None) -> None:
    calibration = json.loads(target.read_text(encoding="utf-8"))
    if only is None:
        calibration.setdefault("sensors", {})["thermal"] = thermal_block(out)
    else:
        calibration["sensors"]["thermal"] = replace_class(calibration["sensors"]["thermal"], out, only)
    Calibration.model_validate(calibration)  # a file statistical mode will load
    target.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    print(f"written: {target} (sensors.thermal{'' if only is None else f'.classes.{only}'})")
    if only is None:
        for path in recall_figures(out):
            print(f"written: {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder of the tune runs (out/calibration)")
    parser.add_argument("target", type=Path, help="calibration file to update")
    parser.add_argument("--only", choices=KINDS, help="replace only this kind's class, from its pixel runs")
    args = parser.parse_args()
    main(args.out, args.target, args.only)
