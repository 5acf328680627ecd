#!/usr/bin/env bash
# Regenerate scenarios/calibration/default.json from the current pixel-mode detectors, then measure it.
#
# Run from the repository root:  bash scripts/regenerate_calibration.sh [python [target]]
# (python: the interpreter to use, default `python`; target: the file to write, default
# scenarios/calibration/default.json). Takes tens of minutes on two cores: two tune runs
# of 60 clips x 60 s (every light x weather, seed 11), then the 6-h default run with the old and the
# new file and the end-to-end threshold trade-off with the new one. Writes everything under out/calibration/; installs the fitted
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
"$PY" run_sim.py run --out "$OUT/previous-run"  # the default scenario with the calibration being replaced
"$PY" - "$OUT" "$TARGET" <<'PYTHON'
import json, sys
from datetime import date
from pathlib import Path

out, target = Path(sys.argv[1]), Path(sys.argv[2])
calibration = json.loads((out / "tune-fishing" / "calibration.json").read_text(encoding="utf-8"))
calibration["source"] = (
    f"Fitted on {date.today().isoformat()} by `bash scripts/regenerate_calibration.sh`, i.e. "
    "`python run_sim.py tune --detector swimming --out out/calibration/tune-swimming --seconds 60 --clips 5 "
    "--seed 11`, then `python run_sim.py tune --detector fishing --out out/calibration/tune-fishing "
    "--seconds 60 --clips 5 --seed 11 --set detection.calibration=../out/calibration/tune-swimming/"
    "calibration.json`, each 60 rendered clips of 60 s (uncompressed 640-px frames, as pixel mode "
    "analyses them) over day, dusk, night x clear, haze, fog, rain; false alarms fitted per light and "
    "weather (a Poisson log-linear model, sim/false_alarms.py). The top-level light and weather offsets "
    "are the earlier hand-set ones, used only by classes without their own. Limits of the detectors "
    "behind these numbers: docs/detectors.md."
)
target.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
print(f"written: {target}")
PYTHON
CAL="detection.calibration=../$TARGET"
"$PY" run_sim.py run --out "$OUT/default-run" --set "$CAL"
"$PY" run_sim.py run --out "$OUT/default-run-0.8" --set "$CAL" --set detection.threshold=0.8
"$PY" run_sim.py tune --end-to-end --seeds 4 --out "$OUT/end-to-end" --set "$CAL"
