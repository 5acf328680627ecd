#!/usr/bin/env bash
# Regenerate scenarios/calibration/default.json from the current pixel-mode detectors, then measure it.
#
# Run from the repository root:  bash scripts/regenerate_calibration.sh [python [target]]
# (python: the interpreter to use, default `python`; target: the file to write, default
# scenarios/calibration/default.json). Takes tens of minutes on two cores: two tune runs
# of 60 clips x 60 s (every light x weather, seed 11) with the default scenario's detectors (the stroke
# cue for swimming) and 36 clips x 125 s of swimming in clear daylight (seed 12) for its false alarms, then the 6-h default run with the old and the new file, the same with one threshold
# 0.5 for both kinds, and the end-to-end trade-off of the swimming threshold with the new file. Then the
# thermal cameras' terms (sensors.thermal): one `tune --sensor thermal` run per kind, 36 clips x 60 s (day,
# dusk, night x the four weathers, 3 clips each, seed 11), for the false alarms, the weather offsets and
# fishing's detection terms
# (on 2026-12-05 these two runs took 7.8 and 10.4 CPU-minutes, 17 and 20 min of wall time on a shared
# 2-core machine), and one `tune --pixel-runs` of thermal copies of cam-beach-w and cam-east-n (the scene of
# scripts/thermal_agreement.py: 12 pixel-mode runs of 300 s, day, dusk and night x seeds 0-3; 15.4
# CPU-minutes on 2026-12-05) for swimming's detection terms, and one `tune --pixel-runs --model hazard` of
# cam-east-n alone on the same scene (the same starts and seeds; every angler of the scene is in its view)
# for fishing's; scripts/thermal_terms.py installs them and draws recall by light and camera type
# (out/calibration/recall_by_light_<kind>.png), and scripts/thermal_agreement.py check compares the
# installed terms with pixel mode on held-out seeds 4-7 at night, by day and at dusk, and anglers on seeds
# 12-27 with cam-east-n alone (out/calibration/thermal_agreement.txt; 3 x 4 more pixel runs, about 9
# CPU-minutes, and 3 x 16 runs of one camera, 8-9 CPU-minutes a start on 2026-12-06).
# Writes everything under out/calibration/; installs the fitted
# file as scenarios/calibration/default.json with these commands in its "source" field. Look at
# out/calibration/default-run/summary.json and out/calibration/end-to-end/end_to_end.csv before committing
# it (docs/detectors.md, "The default calibration").
set -euo pipefail
PY=${1:-python}
TARGET=${2:-scenarios/calibration/default.json}
OUT=out/calibration
mkdir -p "$OUT"
"$PY" run_sim.py tune --detector swimming --out "$OUT/tune-swimming" --seconds 60 --clips 5 --seed 11
"$PY" run_sim.py tune --detector fishing --out "$OUT/tune-fishing" --seconds 60 --clips 5 --seed 11 \
    --set "detection.calibration=../$OUT/tune-swimming/calibration.json"
# False alarms in clear daylight, the conditions of most runs, are rare enough that the 5 clips per
# condition above see none at a city's threshold: 36 more clips of 125 s there (1.25 camera-hours).
"$PY" run_sim.py tune --detector swimming --out "$OUT/tune-swimming-day" --seconds 125 --clips 36 --seed 12 \
    --light day --weather clear
"$PY" run_sim.py run --out "$OUT/previous-run"  # the default scenario with the calibration being replaced
"$PY" - "$OUT" "$TARGET" <<'PYTHON'
import json, sys
from datetime import date
from pathlib import Path

out, target = Path(sys.argv[1]), Path(sys.argv[2])
import pandas as pd

from sim.calibration.false_alarm_fits import fit_false_alarm_model

calibration = json.loads((out / "tune-fishing" / "calibration.json").read_text(encoding="utf-8"))
# Swimming's false alarms: the counts and exposures of both swimming tunes, pooled per condition and threshold.
counts = pd.concat([pd.read_csv(out / name / "false_alarms.csv") for name in ("tune-swimming", "tune-swimming-day")])
pooled = counts.groupby(["light", "weather", "threshold"], as_index=False)[["false_alarms", "camera_hours"]].sum()
calibration["false_alarms"]["swimming"] = fit_false_alarm_model(pooled)
calibration["source"] = (
    f"Fitted on {date.today().isoformat()} by `bash scripts/regenerate_calibration.sh`, i.e. "
    "`python run_sim.py tune --detector swimming --out out/calibration/tune-swimming --seconds 60 --clips 5 "
    "--seed 11`, then `python run_sim.py tune --detector fishing --out out/calibration/tune-fishing "
    "--seconds 60 --clips 5 --seed 11 --set detection.calibration=../out/calibration/tune-swimming/"
    "calibration.json`, each 60 rendered clips of 60 s (uncompressed 640-px frames, as pixel mode "
    "analyses them; the default scenario's detectors: swimming with the stroke cue) over day, dusk, night "
    "x clear, haze, fog, rain; hits after each detector's evidence window, offenders never scored by "
    "size; false alarms fitted per light and "
    "weather (a Poisson log-linear model, sim/sensing/false_alarms.py), swimming's on those clips and 36 more of "
    "125 s in clear daylight (`python run_sim.py tune --detector swimming --out out/calibration/"
    "tune-swimming-day --seconds 125 --clips 36 --seed 12 --light day --weather clear`). The top-level light and weather offsets "
    "are the earlier hand-set ones, used only by classes without their own. Limits of the detectors "
    "behind these numbers: docs/detectors.md."
)
target.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
print(f"written: {target}")
PYTHON
CAL="detection.calibration=../$TARGET"
"$PY" run_sim.py run --out "$OUT/default-run" --set "$CAL"
"$PY" run_sim.py run --out "$OUT/default-run-0.5" --set "$CAL" --set detection.threshold=0.5
"$PY" run_sim.py tune --end-to-end --detector swimming --seeds 4 --out "$OUT/end-to-end" --set "$CAL"
# Thermal cameras: their own terms, fitted on thermal copies of the cameras (the top-level terms stay).
for KIND in swimming fishing; do
    "$PY" run_sim.py tune --detector "$KIND" --sensor thermal --light day --light dusk --light night \
        --out "$OUT/tune-$KIND-thermal" --seconds 60 --clips 3 --seed 11
done
# Their detection terms from pixel mode, by day, at dusk and at night (the scene's --set options are
# scripts/thermal_agreement.py's, so the check below runs on the same scene).
read -ra SCENE <<< "$(PYTHONPATH=. "$PY" scripts/thermal_agreement.py sets)"
"$PY" run_sim.py tune --pixel-runs --camera cam-beach-w --camera cam-east-n "${SCENE[@]}" \
    --start 2026-07-18T10:00:00 --start 2026-07-18T19:05:00 --start 2026-07-18T21:00:00 \
    --seeds 4 --duration 300 --out "$OUT/pixel-thermal"
"$PY" run_sim.py tune --pixel-runs --camera cam-east-n "${SCENE[@]}" --model hazard \
    --start 2026-07-18T10:00:00 --start 2026-07-18T19:05:00 --start 2026-07-18T21:00:00 \
    --seeds 4 --duration 300 --out "$OUT/pixel-thermal-fishing"
PYTHONPATH=. "$PY" scripts/thermal_terms.py "$OUT" "$TARGET"
# Checked on held-out seeds: both kinds on seeds 4-7, and anglers on 16 more seeds with cam-east-n alone, as
# their fit sees them (187 anglers a start on 2026-12-06: 27-47 are too few to tell 5 points from 15).
for START in 2026-07-18T21:00:00 2026-07-18T10:00:00 2026-07-18T19:05:00; do  # night, day, dusk
    PYTHONPATH=. "$PY" scripts/thermal_agreement.py check 4 4 "$START"
    PYTHONPATH=. "$PY" scripts/thermal_agreement.py check 12 16 "$START" cam-east-n
done | tee "$OUT/thermal_agreement.txt"
