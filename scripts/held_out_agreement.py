"""Statistical against pixel mode on seeds the fit did not see: each detection model fitted to pixel runs of
one set of seeds, both modes compared on runs of other seeds (and other lengths).

Run from the repository root (issue 17's protocol on the beach camera; docs/detectors.md, "The hazard
model"):

    PYTHONPATH=. python scripts/held_out_agreement.py --fit-seeds 0-5 --check 300:6-11 --check 1800:12-13
    PYTHONPATH=. python scripts/held_out_agreement.py --fit-seeds 0-5 --check 1800:12-13:50
    PYTHONPATH=. python scripts/held_out_agreement.py --fit-seeds 0-23 --fit-duration 150 --fit-rate 600 \
        --check 150:100-123:600
    PYTHONPATH=. python scripts/held_out_agreement.py --fit-from tests/calibration/held_out_beach/fit \
        --model hazard --model hazard+crowd --check 600:200-207 --keep out/held_out_600

(the third: the comparison tests/calibration/test_held_out_agreement.py makes on its stored runs, rendered
here again; the last fits those stored runs without rendering them, and keeps the check's pixel runs in
``--keep``'s folder, one per check, from which a later call with the same ``--keep`` reads them).

``--by-arrival`` also prints, per check, the swimmers by when they came into view (quarters of the run):
how many, the median number of other swimmers in view in their first 20 s, and the share each mode
detected (statistical mode's over its 20 draws).

A check's third field is the swimmers' arrival rate per hour (default 300, the fitting runs'): offenders
ignore warnings here, so at 300 an hour swimmers pile up over a long run (10-20 in view at once late in a
600-s run against a few in a 300-s one); 300 × 300 / DURATION keeps each run's arrivals, and so the crowd,
as in the fitting runs.

Prints, per check set and model, the detection rate and the time to detect's quantiles of both modes, and
the share of swimmers in view detected within 5 s, 10 s, 30 s, 1, 2, 5 and 10 min, with pixel mode's own
95 % bootstrap band over its incidents (how far another draw of as many swimmers could fall): the
yardstick a held-out comparison of this size can be held to.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.agreement import (
    WITHIN_S,
    bootstrap_band,
    both_modes,
    calibrate_from_pixel_runs,
    calibrated_detections,
    detected_within,
    median_band,
    pixel_run_log,
)
from sim.calibration.detection_models import CROWD, MODELS, SMOOTH, by_age_label, is_hazard
from sim.calibration.fit_inputs import others_in_view
from sim.calibration.pixel_run_log import PixelRunLog
from sim.scenario.models import Kind
from tests.helpers.pixel import agreement_beach


def seed_range(text: str) -> list[int]:
    """``0-5`` or ``6,7,8``: the seeds."""
    if "-" in text:
        first, last = (int(v) for v in text.split("-"))
        return list(range(first, last + 1))
    return [int(v) for v in text.split(",")]


def by_arrival(pixel: pd.DataFrame, frames: pd.DataFrame, drawn: dict[str, pd.DataFrame], duration_s: float):
    """Swimmers in view by the quarter of the run they came into view in: how many, the median of the
    others in view over each one's first 20 s (from the pixel runs' frames), and each mode's share detected
    (``drawn``: each model's :func:`statistical_detections` rows)."""
    logged = frames[frames["kind"] == "swimming"]
    run = logged["group"].str.split("/").str[0].astype(int)
    incident = logged["group"].str.rsplit("incident-", n=1).str[1].astype(int)
    in_view = logged.assign(run=run, incident_id=incident, others=others_in_view(logged))
    keys = ["run", "incident_id"]
    table = pixel.set_index(keys)[["t_first_visible", "detected"]].rename(columns={"detected": "pixel"})
    early = in_view.merge(table["t_first_visible"].reset_index(), on=keys)
    early = early[early["t"] <= early["t_first_visible"] + 20.0]
    table["others"] = early.groupby(keys)["others"].median()
    for name, rows in drawn.items():
        table[name] = rows[rows["kind"] == "swimming"].groupby(keys)["detected"].mean()
    quarter = pd.cut(table["t_first_visible"], np.linspace(0.0, duration_s, 5), include_lowest=True)
    summary = table.groupby(quarter, observed=True).agg(
        swimmers=("pixel", "size"),
        others=("others", "median"),
        pixel=("pixel", "mean"),
        **{name: (name, "mean") for name in drawn},
    )
    print("  by the time they came into view:\n" + summary.round(2).to_string().replace("\n", "\n  "))


def options() -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit-seeds", default="0-5", help="seeds of the 300-s fitting runs (0-5 or 0,1,2)")
    parser.add_argument("--fit-duration", type=float, default=300.0, help="length of the fitting runs, s")
    parser.add_argument("--fit-rate", type=float, default=300.0, help="swimmers an hour in the fitting runs")
    parser.add_argument(
        "--check", action="append", required=True, help="DURATION_S:SEEDS[:RATE_PER_HOUR], repeatable"
    )
    parser.add_argument(
        "--fit-from", type=Path, help="a stored pixel-run log to fit instead of rendering (its note's scene)"
    )

    def model(name: str) -> str:
        if name in MODELS or is_hazard(name):
            return name
        raise argparse.ArgumentTypeError(f"{name}: not {', '.join(MODELS)} or a hazard candidate's label")

    parser.add_argument(
        "--model",
        action="append",
        type=model,
        help=f"models to fit: {', '.join(MODELS)} or any hazard candidate's label ({by_age_label(10)}"
        f"{SMOOTH}3{CROWD}, ...; default: the three models)",
    )
    parser.add_argument("--keep", type=Path, help="keep (or read) the checks' pixel runs in this folder")
    parser.add_argument(
        "--by-arrival", action="store_true", help="also: swimmers by when they came into view"
    )
    return parser.parse_args()


def main() -> None:
    args = options()
    if args.fit_from:
        fitting = PixelRunLog.read(args.fit_from)
        duration, rate = (float(v) for v in fitting.note["scene"].split("(")[1].rstrip(")").split(","))
        scenario = agreement_beach(duration, rate)
    else:
        scenario = agreement_beach(args.fit_duration, args.fit_rate)
        started = time.process_time()
        fitting = pixel_run_log([scenario], seed_range(args.fit_seeds))
        print(f"fitting runs: {time.process_time() - started:.0f} CPU s")
    fits = {
        name: calibrate_from_pixel_runs(scenario, fitting, model=name, spells=(10.0,))
        for name in args.model or MODELS
    }
    for check in args.check:
        duration, seeds, *rate = check.split(":")
        variant = agreement_beach(float(duration), float(rate[0]) if rate else 300.0)
        seeds = seed_range(seeds)
        started = time.process_time()
        kept = args.keep / check.replace(":", "_") if args.keep else None
        if kept and (kept / "log.json").exists():
            checked = PixelRunLog.read(kept)
        else:
            checked = pixel_run_log([variant], seeds)
            if kept:
                checked.write(kept)
        arrivals = variant.incidents.swimming.rate_per_hour
        print(
            f"\n{duration} s, {arrivals:g} swimmers an hour, seeds {seeds}: "
            f"pixel runs {time.process_time() - started:.0f} CPU s"
        )
        every_kind = checked.detections
        pixel = every_kind[every_kind["kind"] == "swimming"]
        low, high = bootstrap_band(pixel, WITHIN_S, np.random.default_rng(0))
        print(f"  detected within {', '.join(f'{t:g}' for t in WITHIN_S)} s:")
        print(f"  {'pixel':12s} {np.round(detected_within(pixel, WITHIN_S), 3)}  ({len(pixel)} in view)")
        print(f"  {'  band 2.5 %':12s} {np.round(low, 3)}\n  {'  band 97.5 %':12s} {np.round(high, 3)}")
        median_low, median_high = median_band(pixel, np.random.default_rng(0))
        print(f"  pixel mode's median's 95 % band: {median_low:.2f} - {median_high:.2f} s")
        drawn_by_model = {}
        for name, calibration in fits.items():
            drawn = drawn_by_model[name] = calibrated_detections([variant], calibration, seeds, 20)
            shares = detected_within(drawn[drawn["kind"] == "swimming"], WITHIN_S)
            inside = bool(((low <= shares) & (shares <= high)).all())
            p, s = both_modes(every_kind, drawn, Kind.SWIMMING, 20)  # the same draws as the shares
            points = 100 * (s.detection_rate - p.detection_rate)
            print(
                f"  {name:12s} {np.round(shares, 3)}  inside the band: {inside}; "
                f"detected {s.detection_rate:.3f} against {p.detection_rate:.3f} ({points:+.1f} points), "
                f"median {s.ttd_p50_s:.2f} s against {p.ttd_p50_s:.2f} s "
                f"({100 * (s.ttd_p50_s / p.ttd_p50_s - 1):+.0f} %, inside its band: "
                f"{median_low <= s.ttd_p50_s <= median_high})"
            )
        if args.by_arrival:
            by_arrival(pixel, checked.frames, drawn_by_model, float(duration))


if __name__ == "__main__":
    main()
