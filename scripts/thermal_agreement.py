"""Statistical against pixel mode on thermal cameras, on held-out seeds (issue 18, point 3), and the scene the
installed thermal terms are fitted on.

Run from the repository root: ``python scripts/thermal_agreement.py MODE [FIT_SEEDS [CHECK_SEEDS [START]]]``
(counts, default 4 and 4: seeds 0..FIT-1 fit, the next CHECK_SEEDS compare; START the run's ISO local start,
default 2026-07-18T21:00:00, full darkness; after it, camera ids to keep only those of :data:`CAMERAS`:
``cam-east-n`` alone sees every angler, as the fishing fit does). MODE:

* ``fit``: pixel mode on the fit and check seeds, statistical mode fitted to the fit seeds
  (:func:`sim.calibration.agreement.compare_modes`), both modes on the check seeds;
* ``own``: statistical mode with the scenario's own calibration (``scenarios/calibration/default.json``'s
  ``sensors.thermal`` terms) on the check seeds (no pixel run: compare it with ``fit``'s or ``check``'s
  pixel rows);
* ``check``: pixel mode on the check seeds and ``own``'s rows, with the differences (the installed terms
  against pixel mode);
* ``sets``: print the scene's ``--set`` options (one line), which ``scripts/regenerate_calibration.sh``
  passes to ``tune --pixel-runs`` to fit the installed thermal terms on this same scene.

The scene is issue 4's agreement protocol (tests/calibration/test_agreement.py) moved to thermal cameras:
the default scenario's ``cam-beach-w`` (it watches the beach's swimmers) and ``cam-east-n`` (the east bank's
anglers) alone, at 5 frames/s, as thermal cameras (same poses, frame sizes and fields of view), five
minutes from START on 18 July, every hour of the day made alike (flat hourly profiles) so that day, dusk and
night starts see the same arrivals: about 300 swimmers an hour (2000/h times 0.15, the 21 h value of the
default profile) and 240 anglers an hour (400/h times July's 0.6), the scenario's detectors and
thresholds at the default analysis width (640 px). Statistical mode's side is the expectation over 20
detection draws on the very incidents pixel mode saw. Writes nothing.
"""

from __future__ import annotations

import sys

import pandas as pd

from sim.calibration.agreement import (
    REPLICATIONS,
    compare_modes,
    detection_table,
    ignoring_warnings,
    pixel_run_log,
    statistical_detections,
    with_cameras,
)
from sim.loading import load_scenario

CAMERAS = ("cam-beach-w", "cam-east-n")
"""The scene's cameras (``cameras.0`` and ``cameras.3`` of scenarios/xuchang_lake.yaml)."""
NIGHT = "2026-07-18T21:00:00"
"""The default start: full darkness (the sun is below -6 degrees from about 20:05 on this date)."""


def _flat(value: str) -> str:
    return "[" + ",".join([value] * 24) + "]"


SETS = [
    "cameras.0.sensor=thermal",
    "cameras.0.fps=5",
    "cameras.3.sensor=thermal",
    "cameras.3.fps=5",
    "incidents.swimming.rate_per_hour=2000",
    f"incidents.swimming.hourly_profile={_flat('0.15')}",
    "incidents.fishing.rate_per_hour=400",
    f"incidents.fishing.hourly_profile={_flat('1.0')}",
]
"""The scene's overrides of scenarios/xuchang_lake.yaml (with ``--camera`` for each of :data:`CAMERAS`)."""


def thermal_scene(start: str = NIGHT, cameras: tuple[str, ...] = CAMERAS):
    """The default scenario with only ``cameras`` (of :data:`CAMERAS`), thermal at 5 frames/s, five minutes
    from ``start``."""
    scenario = load_scenario("scenarios/xuchang_lake.yaml", [*SETS, "run.duration=300", f"run.start={start}"])
    return with_cameras(scenario, cameras)


def own_rows(scenario, check_seeds: list[int]) -> pd.DataFrame:
    """Statistical mode with the scenario's own calibration on ``check_seeds`` (offenders ignoring
    warnings)."""
    own = statistical_detections(ignoring_warnings(scenario), check_seeds, REPLICATIONS)
    return detection_table(own, REPLICATIONS)


def check(scenario, check_seeds: list[int]) -> pd.DataFrame:
    """Pixel mode's rows and the installed terms' rows on ``check_seeds``, with the statistical side's
    differences: detection rate in points, median time to detect in percent."""
    pixel = pixel_run_log([ignoring_warnings(scenario)], check_seeds, progress=True)
    rows = detection_table(pixel.detections).assign(mode="pixel")
    own = own_rows(scenario, check_seeds).assign(mode="statistical, default.json")
    table = pd.concat([rows, own], ignore_index=True).sort_values(["kind", "mode"], ignore_index=True)
    reference = table[table["mode"] == "pixel"].set_index("kind")
    table["rate_diff_points"] = [
        round(100 * (r.detection_rate - reference.loc[r.kind, "detection_rate"]), 1)
        for r in table.itertuples()
    ]
    table["median_diff_pct"] = [
        round(100 * (r.ttd_p50_s / reference.loc[r.kind, "ttd_p50_s"] - 1), 1) for r in table.itertuples()
    ]
    return table


def main(part: str, fit: int, check_count: int, start: str, cameras: tuple[str, ...] = CAMERAS) -> None:
    if part == "sets":
        print(" ".join(f"--set {assignment}" for assignment in SETS))
        return
    if unknown := set(cameras) - set(CAMERAS):
        raise SystemExit(f"unknown camera {sorted(unknown)[0]!r}: {' or '.join(CAMERAS)}")
    scenario = thermal_scene(start, cameras)
    fit_seeds, check_seeds = list(range(fit)), list(range(fit, fit + check_count))
    print(f"{', '.join(cameras)} as thermal cameras from {start}, held-out seeds {check_seeds}:")
    if part == "fit":
        table, _ = compare_modes([scenario], fit_seeds, progress=True, check_seeds=check_seeds)
        print(f"statistical mode fitted to pixel mode on seeds {fit_seeds}:")
        print(table.to_string(index=False))
    elif part == "own":
        print("statistical mode with the scenario's calibration (sensors.thermal):")
        print(own_rows(scenario, check_seeds).to_string(index=False))
    elif part == "check":
        print(check(scenario, check_seeds).to_string(index=False))
    else:
        raise SystemExit(f"unknown mode {part!r}: fit, own, check or sets")


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    counts = [int(a) for a in sys.argv[2:4]]
    start = sys.argv[4] if len(sys.argv) > 4 else NIGHT
    main(sys.argv[1], *(counts + [4, 4][len(counts) :]), start, tuple(sys.argv[5:]) or CAMERAS)
