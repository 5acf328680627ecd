"""Install the thermal cameras' terms of a calibration file from two ``tune --sensor thermal`` runs, and draw
recall by light and camera type from every tune run in the folder.

Run from the repository root (scripts/regenerate_calibration.sh does):
``python scripts/thermal_terms.py OUT TARGET`` with OUT holding ``tune-swimming-thermal/`` and
``tune-fishing-thermal/`` (each a ``tune --detector KIND --sensor thermal`` output folder) and TARGET the
calibration file to update (``scenarios/calibration/default.json``). Replaces only TARGET's
``sensors.thermal`` block (each kind's class and false-alarm entries from its own run); the top-level
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


def thermal_block(out: Path) -> dict:
    """The ``sensors.thermal`` block: each kind's terms from ``OUT/tune-<kind>-thermal/calibration.json``."""
    block = {"source": "", "classes": {}, "false_alarms": {}}
    sources = []
    for kind in KINDS:
        fitted = json.loads((out / f"tune-{kind}-thermal" / "calibration.json").read_text(encoding="utf-8"))
        terms = fitted["sensors"]["thermal"]
        block["classes"][kind] = terms["classes"][kind]
        block["false_alarms"][kind] = terms["false_alarms"][kind]
        sources.append(terms["source"].split(" camera-hours.")[0] + " camera-hours")
    block["source"] = (
        f"Installed on {date.today().isoformat()} by `python scripts/thermal_terms.py` (scripts/"
        "regenerate_calibration.sh) from one `tune --sensor thermal` run per kind (thermal copies of the "
        "scenario's cameras, the detectors' thermal parameters, detection.pixel_detectors.thermal): "
        + " ".join(f"{s}." for s in sources)
        + " Day, dusk and night were all rendered: a thermal camera also watches by day, and its day term "
        "is the reference of the fit. Held-out measurements of these detectors: docs/detectors.md."
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
