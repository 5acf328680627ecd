#!/usr/bin/env bash
# Regenerate scenarios/calibration/default.json from the current pixel-mode detectors, then measure it.
#
# Run from the repository root:
#   bash scripts/regenerate_calibration.sh [--keep-thermal] [--keep-class KIND] [--reuse-runs DIR | --reuse-clips DIR]
#       [--weather-runs DIR] [python [target]]
# (python: the interpreter to use, default `python`; target: the file to write, default
# scenarios/calibration/default.json; --keep-thermal: keep the target's thermal block instead of refitting it,
# which is about two thirds of the work; --reuse-runs DIR: DIR is an earlier regeneration's out/calibration,
# moved aside: its two tune clip runs are copied and the visible cameras' detection terms are fitted to the
# pixel runs it kept in DIR/pixel-visible/runs/ instead of rendering them again (10 minutes in all on
# 2026-12-06 against 56);
# for a change to the hazard model's fits alone: the runs must be of today's detectors and renderer, which
# the folder's key of scenario, starts, cameras and seeds does not check; --reuse-clips DIR: copy DIR's two
# tune clip runs alone and render the pixel runs, for a change to the pixel runs' cameras or seeds: the clip
# runs are about 45 minutes of one core; --keep-class KIND, repeatable: keep the target's detection class of
# KIND, swimming or fishing, as it is, for a choice that failed a check the held-out seeds do not cover, as
# fishing's did on 2026-12-07: docs/detectors.md, "The fitted calibration and the default"; --weather-runs DIR: the
# folder of paired clear and bad-weather pixel runs the optical-depth terms are fitted to, default
# out/calibration/weather-effect: runs kept there are read, the missing ones rendered). Every command refuses an
# existing output folder: move out/calibration aside first. Writes everything under out/calibration/; look at
# out/calibration/default-run/summary.json, out/calibration/end-to-end/end_to_end.csv and
# out/calibration/validity/ before committing the file (docs/detectors.md, "The default calibration").
#
# Visible cameras (the top level of the file; scripts/visible_terms.py installs it):
# - two tune runs of 60 clips x 60 s (every light x weather, seed 11) with the default scenario's detectors,
#   for each kind's weather offsets and their false alarms in every weather;
# - one `tune --pixel-runs --model hazard` of cam-beach-w and cam-river (a near beach and the far river
#   mouth, whose swimmers are under 1 px), cam-east-n and cam-peninsula (the east bank near and, across the
#   lake, far: its full-resolution tile) at 15 frames/s and 640 px as the scenario has them, by day, at dusk
#   and at night, fitting seeds 0-5 and held-out seeds 6-7 of 300 s, with 150 swimmers and 400 anglers an
#   hour all day (offenders ignore warnings in these runs), for the detection classes (24 runs: 42 minutes
#   on two workers on the afternoon of 2026-12-07, then 22 minutes fitting and scoring the candidates on
#   two, numpy's BLAS on one thread each; 59, 45 and 19 minutes choosing on one core that morning, beside
#   other work), each kind's threshold offsets shared by every age or per age bin at roughness
#   1, 10 or 100, its baseline smoothed at weight 1, 3 or 10 (0.3 was never competitive on 2026-12-06/07),
#   each with and without a crowd term (the others of the kind in the camera's view), each of those with
#   one size slope or one per age bin, each of those with and without a frailty (each offender's own rate):
#   96 candidates a kind, whichever the held-out seeds' alarms favour (its run of 2026-12-07 was not
#   installed: fishing chose a frailty that finds long-run anglers too often; docs/detectors.md, "The fitted
#   calibration and the default");
#   the runs are kept in out/calibration/pixel-visible/runs/, and `tune --pixel-runs ... --runs-from
#   out/calibration/pixel-visible` with the same options fits other candidates from them in seconds;
# - the false alarms: the clip runs' counts pooled with the fit clips of the false-alarm evidence
#   (scenarios/calibration/false_alarm_evidence, gathered with `run_sim.py tune --false-alarm-hours`; its
#   held-out clips are the check of `tune --report`, written to out/calibration/validity/ with the agreement
#   of the pixel runs' held-out seeds);
# - swimming's size cliff (its alarm rate's steeper fall below one analysed pixel, one slope for the first
#   30 s in view and one after) fitted with the new class held to the pixel runs' fitting seeds and to
#   one-camera runs of the far river mouth by day (scripts/installed_agreement.py: 24 runs of 600 s,
#   150 swimmers an hour, seeds 500-523, and 16 of 1800 s, 50 an hour, seeds 540-555: 14 and 25 minutes
#   on two workers), installed if it gains on their held-out seeds (scripts/size_cliff_terms.py);
# - fishing's neighbour term (an angler who comes into view near another is found less often, at another
#   rate), fitted with the class held to one-camera runs of the three fishing banks by day and checked on
#   held-out ones (scripts/neighbour_terms.py; docs/detectors.md, "An angler beside another");
# - the alarm rates' weather, after the thermal block below: each hazard class's optical-depth term (the
#   rate's fall with the depth of air to the offender, in the camera's band) fitted with the classes held to
#   paired pixel runs of scripts/weather_effect.py in clear weather and in haze or fog, 7 visible pairs by
#   day and 3 thermal ones at night (the three fishing banks), of 8 runs of 600 s each
#   (scripts/optical_depth_terms.py; about 10-25 CPU-minutes a visible pair, 5 a thermal one, read from
#   --weather-runs DIR where kept), then checked on
#   the clip runs;
# then the 6-h default run with the old and the new file, the same with one threshold 0.5 for both kinds, and
# the end-to-end trade-off of the swimming threshold with the new file.
#
# Thermal cameras (sensors.thermal; skipped with --keep-thermal): one `tune --sensor thermal` run per kind,
# 36 clips x 60 s (day, dusk, night x the four weathers, 3 clips each, seed 11), for the false alarms, the
# weather offsets and fishing's detection terms (on 2026-12-05 these two runs took 7.8 and 10.4 CPU-minutes,
# 17 and 20 min of wall time on a shared 2-core machine), and one `tune --pixel-runs` of thermal copies of
# cam-beach-w and cam-east-n (the scene of scripts/thermal_agreement.py: 12 pixel-mode runs of 300 s, day,
# dusk and night x seeds 0-3; 15.4 CPU-minutes on 2026-12-05) for swimming's detection terms, and one
# `tune --pixel-runs --model hazard` of thermal copies of cam-east-n, cam-river and cam-peninsula (the near
# and two far fishing banks, 400 anglers an hour, the same starts and seeds; 12 runs, 6 minutes on two
# workers on 2026-12-07) for fishing's; scripts/thermal_terms.py installs them and draws recall
# by light and camera type (out/calibration/recall_by_light_<kind>.png), and scripts/thermal_agreement.py
# check compares the installed terms with pixel mode on held-out seeds 4-7 at night, by day and at dusk, and
# anglers on seeds 12-27 with cam-east-n alone (out/calibration/thermal_agreement.txt; 3 x 4 more pixel runs,
# about 9 CPU-minutes, and 3 x 16 runs of one camera, 8-9 CPU-minutes a start on 2026-12-06).
set -euo pipefail
KEEP_THERMAL=0
KEEP_CLASSES=()
REUSED=
REUSE_RUNS=()
VISIBLE_RUNS=out/calibration/pixel-visible  # where the visible pixel runs' folder with runs/ is
WEATHER_RUNS=out/calibration/weather-effect
while [ "${1:-}" = "--keep-thermal" ] || [ "${1:-}" = "--keep-class" ] || [ "${1:-}" = "--reuse-runs" ] \
    || [ "${1:-}" = "--reuse-clips" ] || [ "${1:-}" = "--weather-runs" ]; do
    if [ "$1" = "--keep-thermal" ]; then
        KEEP_THERMAL=1
    elif [ "$1" = "--weather-runs" ]; then
        WEATHER_RUNS=$2
        shift
    elif [ "$1" = "--keep-class" ]; then
        KEEP_CLASSES+=(--keep-class "$2")
        shift
    else
        REUSED=$2
        if [ "$1" = "--reuse-runs" ]; then
            REUSE_RUNS=(--runs-from "$REUSED/pixel-visible")
            VISIBLE_RUNS=$REUSED/pixel-visible  # tune --runs-from reads them there and writes none
        fi
        shift
    fi
    shift
done
PY=${1:-python}
TARGET=${2:-scenarios/calibration/default.json}
OUT=out/calibration
EVIDENCE=scenarios/calibration/false_alarm_evidence
mkdir -p "$OUT"
if [ -n "$REUSED" ]; then
    cp -r "$REUSED/tune-swimming" "$REUSED/tune-fishing" "$OUT/"
else
    "$PY" run_sim.py tune --detector swimming --out "$OUT/tune-swimming" --seconds 60 --clips 5 --seed 11
    "$PY" run_sim.py tune --detector fishing --out "$OUT/tune-fishing" --seconds 60 --clips 5 --seed 11 \
        --set "detection.calibration=../$OUT/tune-swimming/calibration.json"
fi
# Detection from pixel mode of the scenario's own cameras. The offenders come all day at a steady rate (a
# flat hourly profile), many more than the scenario's, so that 300-s runs hold tens of them.
FLAT="[$(printf '1.0,%.0s' {1..23})1.0]"
"$PY" run_sim.py tune --pixel-runs --model hazard --hazard-roughness shared,1,10,100 \
    --hazard-smoothing 1,3,10 "${REUSE_RUNS[@]}" --camera cam-beach-w --camera cam-river --camera cam-east-n \
    --camera cam-peninsula --set incidents.swimming.rate_per_hour=150 \
    --set "incidents.swimming.hourly_profile=$FLAT" --set incidents.fishing.rate_per_hour=400 \
    --set "incidents.fishing.hourly_profile=$FLAT" \
    --start 2026-07-18T10:00:00 --start 2026-07-18T19:05:00 --start 2026-07-18T21:00:00 \
    --hazard-crowd --hazard-size-by-age --hazard-frailty --seeds 6 --held-out-seeds 6,7 --duration 300 \
    --workers 2 \
    --out "$OUT/pixel-visible"
"$PY" run_sim.py run --out "$OUT/previous-run"  # the default scenario with the calibration being replaced
PYTHONPATH=. "$PY" scripts/visible_terms.py "$OUT" "$EVIDENCE" "$TARGET" "${KEEP_CLASSES[@]}"
# Swimming's size cliff below one analysed pixel, steeper for the first 30 s in view than after, fitted with
# the new class held to the pixel runs' fitting seeds and to one-camera runs of the far river mouth (its
# sub-pixel swimmers: the runs above hold a dozen by day), installed if the held-out seeds gain. The far
# river's runs are rendered here, or read where kept (--reuse-runs copies them), and checked with the new
# class before its cliff.
for FAR in "600 150 500-523" "1800 50 540-555"; do
    read -r LENGTH RATE SEEDS <<< "$FAR"
    if [ -n "$REUSED" ] && [ -d "$REUSED/far-river-$LENGTH" ]; then
        cp -r "$REUSED/far-river-$LENGTH" "$OUT/"
    fi
    PYTHONPATH=. "$PY" scripts/installed_agreement.py --camera cam-river --kind swimming --rate "$RATE" \
        --duration "$LENGTH" --seeds "$SEEDS" --workers 2 --keep "$OUT/far-river-$LENGTH" \
        --class-from "$TARGET"
done
PYTHONPATH=. "$PY" scripts/size_cliff_terms.py "$VISIBLE_RUNS" --calibration "$TARGET" --late-after 30 \
    --fit-runs "$OUT/far-river-600" --fit-runs "$OUT/far-river-1800" --install
# Fishing's neighbour term (an angler who comes into view near another is lost or found at another rate)
# fitted with the class held to one-camera runs of the three fishing banks by day, 600 s at 200 anglers an
# hour and the near bank's 1800 s at 67, on seeds no check uses, and checked on the held-out sets of
# docs/detectors.md (seeds 300-307, the near bank's long runs 310-317); installed if they gain. Runs are
# rendered here, or read where kept (--reuse-runs copies them): about 25 minutes a 600-s set and 40 a
# 1800-s one on two workers.
NEIGHBOUR=()
for SET in "fit cam-east-n 200 600 600-607" "fit cam-river 200 600 610-617" \
    "fit cam-peninsula 200 600 620-627" "fit cam-east-n 67 1800 630-637" \
    "held cam-east-n 200 600 300-307" "held cam-east-n 67 1800 310-317" "held cam-river 200 600 300-307" \
    "held cam-peninsula 200 600 300-307" "held cam-peninsula 67 1800 300-307"; do
    read -r PART CAMERA RATE LENGTH SEEDS <<< "$SET"
    KEEP="$OUT/anglers/$PART-$CAMERA-$LENGTH"
    if [ -n "$REUSED" ] && [ -d "$REUSED/anglers/$PART-$CAMERA-$LENGTH" ]; then
        mkdir -p "$OUT/anglers" && cp -r "$REUSED/anglers/$PART-$CAMERA-$LENGTH" "$OUT/anglers/"
    fi
    PYTHONPATH=. "$PY" scripts/installed_agreement.py --camera "$CAMERA" --kind fishing --rate "$RATE" \
        --duration "$LENGTH" --seeds "$SEEDS" --workers 2 --keep "$KEEP" --fit "$VISIBLE_RUNS"
    if [ "$PART" = fit ]; then
        NEIGHBOUR+=(--fit-runs "$CAMERA" "$RATE" "$LENGTH" "$KEEP")
    else
        NEIGHBOUR+=(--held-out "$CAMERA" "$RATE" "$LENGTH" "$KEEP")
    fi
done
PYTHONPATH=. "$PY" scripts/neighbour_terms.py "${NEIGHBOUR[@]}" --calibration "$TARGET" --out "$OUT/anglers" \
    --install
if [ "$KEEP_THERMAL" != 1 ]; then
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
    # Fishing's from thermal copies of three fishing-bank cameras, near and far (cam-east-n alone, until
    # 2026-12-07, left the far banks' anglers 34-55 points too rare at night).
    FLAT="[$(printf '1.0,%.0s' {1..23})1.0]"
    "$PY" run_sim.py tune --pixel-runs --camera cam-east-n --camera cam-river --camera cam-peninsula \
        --set cameras.3.sensor=thermal --set cameras.3.fps=5 --set cameras.4.sensor=thermal \
        --set cameras.4.fps=5 --set cameras.6.sensor=thermal --set cameras.6.fps=5 \
        --set incidents.swimming.rate_per_hour=0.001 --set incidents.fishing.rate_per_hour=400 \
        --set "incidents.fishing.hourly_profile=$FLAT" --model hazard \
        --start 2026-07-18T10:00:00 --start 2026-07-18T19:05:00 --start 2026-07-18T21:00:00 \
        --seeds 4 --duration 300 --workers 2 --out "$OUT/pixel-thermal-fishing"
    PYTHONPATH=. "$PY" scripts/thermal_terms.py "$OUT" "$TARGET"
fi
# The alarm rates' weather: each hazard class's optical-depth term fitted again, the classes held, to paired
# pixel runs in clear weather and in haze or fog (600 s, seeds 300-307; visible cameras by day, thermal ones
# at night; runs kept in WEATHER_RUNS are read, the others rendered: about 2 CPU-hours for all), then
# checked on the clip runs.
for PAIR in "cam-beach-w swimming 150 haze visible" "cam-beach-w swimming 150 fog visible" \
    "cam-river swimming 150 fog visible" "cam-peninsula fishing 200 haze visible" \
    "cam-east-n fishing 200 fog visible" "cam-river fishing 200 fog visible" \
    "cam-peninsula fishing 200 fog visible" "cam-east-n fishing 200 fog thermal" \
    "cam-river fishing 200 fog thermal" "cam-peninsula fishing 200 fog thermal"; do
    read -r CAMERA KIND RATE WEATHER SENSOR <<< "$PAIR"
    START=2026-07-18T10:00:00
    if [ "$SENSOR" = thermal ]; then
        START=2026-07-18T21:00:00  # thermal cameras are for the night
    fi
    PYTHONPATH=. "$PY" scripts/weather_effect.py --camera "$CAMERA" --kind "$KIND" --rate "$RATE" \
        --weather "$WEATHER" --duration 600 --seeds 300-307 --start "$START" --sensor "$SENSOR" \
        --keep "$WEATHER_RUNS" --workers 2
done
PYTHONPATH=. "$PY" scripts/optical_depth_terms.py "$WEATHER_RUNS" --calibration "$TARGET" --install
PYTHONPATH=. "$PY" scripts/optical_depth_terms.py --clips "$OUT" --calibration "$TARGET"
"$PY" run_sim.py tune --report "$EVIDENCE" "$OUT/pixel-visible" --out "$OUT/validity" --overwrite
CAL="detection.calibration=../$TARGET"
"$PY" run_sim.py run --out "$OUT/default-run" --set "$CAL"
"$PY" run_sim.py run --out "$OUT/default-run-0.5" --set "$CAL" --set detection.threshold=0.5
"$PY" run_sim.py tune --end-to-end --detector swimming --seeds 4 --out "$OUT/end-to-end" --set "$CAL"
if [ "$KEEP_THERMAL" = 1 ]; then
    exit 0
fi
# The thermal terms checked on held-out seeds: both kinds on seeds 4-7, and anglers on 16 more seeds with
# cam-east-n alone, as their fit sees them (187 anglers a start on 2026-12-06: 27-47 are too few to tell 5
# points from 15).
for START in 2026-07-18T21:00:00 2026-07-18T10:00:00 2026-07-18T19:05:00; do  # night, day, dusk
    PYTHONPATH=. "$PY" scripts/thermal_agreement.py check 4 4 "$START"
    PYTHONPATH=. "$PY" scripts/thermal_agreement.py check 12 16 "$START" cam-east-n
done | tee "$OUT/thermal_agreement.txt"
