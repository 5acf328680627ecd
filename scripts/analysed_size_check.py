"""Hypothesis: the size covariate should be the analysed pixel height, not the full image's.
Refit fishing on the regeneration's kept runs with pixels scaled to what the detector analyses, then compare
with the single-camera 600-s runs."""

import dataclasses
import sys

import numpy as np

sys.path.insert(0, ".")
from scripts.installed_agreement import FLAT, REGENERATION, REGENERATION_CAMERAS
from sim.calibration.agreement import (
    REPLICATIONS,
    agreement_of,
    calibrate_from_pixel_runs,
    calibrated_detections,
    ignoring_warnings,
    with_cameras,
)
from sim.calibration.pixel_run_log import PixelRunLog
from sim.loading import load_scenario
from sim.scenario.models import Kind
from tests.helpers.paths import DEFAULT

SCALE = {"cam-east-n": 640 / 2560, "cam-beach-w": 640 / 1920, "cam-peninsula": 640 / 1920}


def analysed(frames):
    cam = frames["group"].str.split("/").str[1]
    scale = cam.map(SCALE).to_numpy(float)
    tile = (cam == "cam-peninsula").to_numpy() & (frames["kind"] == Kind.FISHING).to_numpy()
    scale = np.where(tile, 1.0, scale)
    return frames.assign(pixels=frames["pixels"] * scale)


scene = with_cameras(
    load_scenario(DEFAULT, [f"{k}={v}" for k, v in REGENERATION.items()] + ["run.duration=300"]),
    REGENERATION_CAMERAS,
)
runs = PixelRunLog.read("out/calibration/pixel-visible/runs/fit")
installed = scene.calibration
fits = {}
for name, log in (("full", runs), ("analysed", dataclasses.replace(runs, frames=analysed(runs.frames)))):
    refit = calibrate_from_pixel_runs(
        ignoring_warnings(scene), log, model=sys.argv[1] if len(sys.argv) > 1 else "hazard-by-age-1+crowd"
    )
    entry = refit.classes[Kind.FISHING].model_copy(
        update={"weather": installed.classes[Kind.FISHING].weather}
    )
    h = entry.alarm_hazard
    print(
        name,
        "size_slope",
        round(h.size_slope, 3),
        "crowd",
        round(h.crowd_slope, 3),
        "ref",
        installed.reference_pixels,
    )
    fits[name] = installed.model_copy(update={"classes": {**installed.classes, Kind.FISHING: entry}})

for cam in ("cam-east-n", "cam-peninsula"):
    overrides = [
        "incidents.fishing.rate_per_hour=200",
        f"incidents.fishing.hourly_profile={FLAT}",
        "incidents.swimming.rate_per_hour=0.001",
        "run.duration=600",
        "run.start=2026-07-18T10:00:00",
    ]
    check = ignoring_warnings(with_cameras(load_scenario(DEFAULT, overrides), {cam}))
    pixel = PixelRunLog.read(f"out/installed-agreement/{cam}-600")
    seeds = pixel.note["seeds"]
    det = pixel.detections[pixel.detections["kind"] == "fishing"]
    for name, cal in (("installed", installed), *fits.items()):
        if name == "analysed":  # statistical mode on the full image's pixels: move the reference instead
            cal = cal.model_copy(
                update={
                    "reference_pixels": cal.reference_pixels / (1.0 if cam == "cam-peninsula" else SCALE[cam])
                }
            )
        drawn = calibrated_detections([check], cal, seeds, REPLICATIONS)
        drawn = drawn[drawn["kind"] == "fishing"]
        t = agreement_of(det, drawn, REPLICATIONS).set_index(["kind", "mode"]).loc["fishing"]
        p, s = t.loc["pixel"], t.loc["statistical"]
        print(
            f"{cam} {name:9s} detected {s.detection_rate:.3f} vs {p.detection_rate:.3f} ({100 * (s.detection_rate - p.detection_rate):+.1f}), "
            f"median {s.ttd_p50_s:.2f} vs {p.ttd_p50_s:.2f} ({100 * (s.ttd_p50_s / p.ttd_p50_s - 1):+.0f} %)"
        )
