"""Install the thermal cameras' terms of a calibration file from pixel-mode runs of thermal cameras and two
``tune --sensor thermal`` clip runs, and draw recall by light and camera type from every tune run in the
folder.

Run from the repository root (scripts/regenerate_calibration.sh does):
``python scripts/thermal_terms.py OUT TARGET`` with OUT holding ``pixel-thermal/`` (a ``tune --pixel-runs``
output folder of thermal cameras: day, dusk and night starts), ``tune-swimming-thermal/`` and
``tune-fishing-thermal/`` (each a ``tune --detector KIND --sensor thermal`` output folder) and TARGET the
calibration file to update (``scenarios/calibration/default.json``). Replaces only TARGET's
``sensors.thermal`` block: the swimming class (detection terms) from the pixel runs, but its weather
offsets, which the clear-weather pixel runs cannot tell, from its clip run; the fishing class
(:data:`FROM_PIXEL_RUNS`) and each kind's false-alarm entry from the kind's clip run. The top-level
(visible) terms stay byte for byte. Writes ``OUT/recall_by_light_<kind>.png`` from the ``by_light.csv`` of
``tune-<kind>``, ``tune-<kind>-visible`` and ``tune-<kind>-thermal`` where they exist.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from sim.calibration.figures import draw_recall_by_light
from sim.scenario.models import Calibration, Kind

KINDS = [kind.value for kind in Kind]
FROM_PIXEL_RUNS = ("swimming",)
"""Kinds whose class is installed from the pixel runs; the others keep their clip fit's class. Fishing's
pixel-run fit was measured and rejected on 2026-12-05 (docs/detectors.md, "Statistical mode on thermal
cameras"): at night on held-out seeds 4-7 it detected 0.263 of the anglers where pixel mode detected 0.553
(the clip fit 0.825), its median time to detect +36 % (the clip fit's −15 %); the fishing detector's score
ramps up with the dwell of a still person (10 s to full), which the ordinal model's evidence window and
alarm-landing fit do not describe (it fitted a 0.2-s window and 55 % of anglers never credited)."""


def _thermal_terms(folder: Path) -> dict:
    """The ``sensors.thermal`` block of ``folder/calibration.json`` (a tune output folder)."""
    return json.loads((folder / "calibration.json").read_text(encoding="utf-8"))["sensors"]["thermal"]


def _fitted_kinds(pixel: Path) -> set[str]:
    """Kinds the pixel runs saw in some frame (``model_choice.csv``'s ``fit_frames``): a kind they never saw
    would keep the base file's class, which must not pass for a fit."""
    choice = pd.read_csv(pixel / "model_choice.csv")
    return set(choice.loc[choice["fit_frames"] > 0, "kind"])


def thermal_block(out: Path) -> dict:
    """The ``sensors.thermal`` block: the class of each kind of :data:`FROM_PIXEL_RUNS` from
    ``OUT/pixel-thermal`` with the weather offsets of ``OUT/tune-<kind>-thermal``, the other kinds' classes
    and every kind's false-alarm entry from ``OUT/tune-<kind>-thermal``."""
    pixel = _thermal_terms(out / "pixel-thermal")
    unseen = [kind for kind in FROM_PIXEL_RUNS if kind not in _fitted_kinds(out / "pixel-thermal")]
    if unseen:
        missing = ", ".join(unseen)
        raise SystemExit(f"{out / 'pixel-thermal'}: no {missing} offender in view of the pixel runs")
    block = {"source": "", "classes": {}, "false_alarms": {}}
    sources = []
    for kind in KINDS:
        clips = _thermal_terms(out / f"tune-{kind}-thermal")
        block["classes"][kind] = clips["classes"][kind]
        if kind in FROM_PIXEL_RUNS:
            block["classes"][kind] = pixel["classes"][kind] | {"weather": clips["classes"][kind]["weather"]}
        block["false_alarms"][kind] = clips["false_alarms"][kind]
        sources.append(clips["source"].split(" camera-hours.")[0] + " camera-hours")
    block["source"] = (
        f"Installed on {date.today().isoformat()} by `python scripts/thermal_terms.py` (scripts/"
        f"regenerate_calibration.sh). Detection terms (classes) of {', '.join(FROM_PIXEL_RUNS)} from "
        "pixel-mode runs of thermal cameras, their scene that of scripts/thermal_agreement.py, by day, at "
        "dusk and at night: "
        + pixel["source"]
        + " Those runs were in clear weather: that class's weather offsets, the other kinds' classes "
        f"({', '.join(k for k in KINDS if k not in FROM_PIXEL_RUNS)}: the pixel-run fit disagreed with pixel "
        "mode, scripts/thermal_terms.py FROM_PIXEL_RUNS) and each kind's false alarms are from one "
        "`tune --sensor thermal` run per kind (thermal copies of the scenario's cameras, the detectors' "
        "thermal parameters, detection.pixel_detectors.thermal): "
        + " ".join(f"{s}." for s in sources)
        + " Held-out measurements of these terms against pixel mode: docs/detectors.md."
    )
    return block


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


def main(out: Path, target: Path) -> None:
    calibration = json.loads(target.read_text(encoding="utf-8"))
    calibration.setdefault("sensors", {})["thermal"] = thermal_block(out)
    Calibration.model_validate(calibration)  # a file statistical mode will load
    target.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    print(f"written: {target} (sensors.thermal)")
    for path in recall_figures(out):
        print(f"written: {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
