"""Statistical against pixel mode at night on a thermal camera, on held-out seeds (issue 18, point 3).

Run from the repository root: ``python scripts/thermal_agreement.py fit|own [FIT_SEEDS [CHECK_SEEDS]]``
(counts, default 4 and 4: seeds 0..FIT-1 fit statistical mode to pixel mode, the next CHECK_SEEDS compare).

The scenario is issue 4's agreement protocol (tests/calibration/test_agreement.py) moved to the night: the
default scenario's ``cam-beach-w`` alone, at 5 frames/s, as a thermal camera (same pose, frame size and
field of view), five minutes from 21:00 on 18 July (full darkness: the sun is below -6 degrees from about
20:30), the swimming rate raised so that about 300 swimmers an hour arrive (2000/h times the 21 h profile
0.15), the scenario's detectors and thresholds at the default analysis width (640 px), as ``tune`` measured
them. Two statistical sides on the held-out seeds, each the expectation over 20 detection draws on the very
incidents pixel mode saw: statistical mode fitted to the fit seeds' pixel runs
(:func:`sim.calibration.agreement.compare_modes`), and statistical mode with the scenario's own calibration
(``scenarios/calibration/default.json``'s ``sensors.thermal`` terms, fitted by ``tune --sensor thermal``).
``fit`` runs pixel mode and prints its rows and the fitted statistical rows; ``own`` prints the second side
only (no pixel run: compare it with ``fit``'s pixel rows). Writes nothing.
"""

from __future__ import annotations

import sys

import pandas as pd

from sim.calibration.agreement import (
    REPLICATIONS,
    compare_modes,
    detection_table,
    ignoring_warnings,
    statistical_detections,
)
from sim.loading import load_scenario
from sim.scenario.models import SensorType

OVERRIDES = [
    "run.duration=300",
    "run.start=2026-07-18T21:00:00",
    "incidents.swimming.rate_per_hour=2000",
]


def night_beach():
    """The default scenario at night with only ``cam-beach-w``, as a thermal camera at 5 frames/s."""
    scenario = load_scenario("scenarios/xuchang_lake.yaml", OVERRIDES)
    camera = next(c for c in scenario.cameras if c.id == "cam-beach-w")
    camera = camera.as_sensor(SensorType.THERMAL).model_copy(update={"fps": 5.0})
    return scenario.model_copy(update={"cameras": (camera,)})


def main(part: str, fit: int, check: int) -> None:
    scenario = night_beach()
    fit_seeds, check_seeds = list(range(fit)), list(range(fit, fit + check))
    if part == "fit":
        table, _ = compare_modes([scenario], fit_seeds, progress=True, check_seeds=check_seeds)
        print(f"fitted to pixel mode on seeds {fit_seeds}, compared on seeds {check_seeds}:")
        print(table.to_string(index=False))
        return
    own = statistical_detections(ignoring_warnings(scenario), check_seeds, REPLICATIONS)
    print("statistical mode with the scenario's calibration (sensors.thermal), the same held-out seeds:")
    print(detection_table(own, REPLICATIONS).to_string(index=False))


if __name__ == "__main__":
    pd.set_option("display.width", 160)
    counts = [int(a) for a in sys.argv[2:4]]
    main(sys.argv[1], *(counts + [4, 4][len(counts) :]))
