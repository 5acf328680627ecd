"""Where pixel mode's misses were: each offender of one camera's kept runs beside where it was while in view
(its distance, its analysed height, the share of its frames in view spent inside its kind's no-go areas,
the only place the detectors alarm, how many others of its kind shared the view as it came in), and when
pixel mode first alarmed on it. Written for the far swimming view (`cam-river`, docs/detectors.md, "Swimming
on one camera at a time" and "The far river mouth's swimmers on 1800-s runs").

Run from the repository root on the runs ``scripts/installed_agreement.py --keep`` kept, with the same scene
options:

    PYTHONPATH=. python scripts/offenders_in_view.py --camera cam-river --kind swimming --rate 150 \\
        --duration 600 --keep out/installed-agreement/cam-river-swimming-600

An offender drifts (swimmers do; anglers stay put) and may leave its no-go area while still in view; pixel
mode's detectors cannot alarm on it there (they report only boxes whose water line lies in a no-go area),
and its frames are in the score log all the same. The track is the incident's own
(:class:`sim.world.incidents.IncidentGenerator` on the run's seed), at the times of its logged frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from scripts.installed_agreement import kept_runs_parser, one_camera_scene, read_kept
from sim.calibration.fit_inputs import others_in_view
from sim.core.rng import RandomStreams
from sim.scenario.models import Kind
from sim.world.cameras import CameraModel
from sim.world.geometry import ZoneGeometry
from sim.world.incidents import IncidentGenerator

DISTANCES_M = (0.0, 150.0, 200.0, 225.0, 250.0, np.inf)
"""Bands of the distance at first sight, m."""
CROWDS = (-np.inf, 0.5, 1.5, np.inf)
"""Bands of the others in view as the offender came in: alone, about one other, two or more."""
ARRIVAL_SHARE = 0.1
"""The share of an offender's first frames over which the others in view are averaged."""


def offender_rows(args) -> pd.DataFrame:
    """One row per offender of ``--kind`` in view in the kept runs."""
    kind = Kind(args.kind)
    scene = one_camera_scene(args.camera, kind, args.rate, args.duration, args.start, args.weather)
    camera = CameraModel(next(c for c in scene.cameras if c.id == args.camera))
    geometry = ZoneGeometry(scene)
    area = geometry.no_go(kind.value)
    log = read_kept(args.keep, scene)
    frames = log.frames[log.frames["kind"] == kind.value]
    frames = frames.assign(others=others_in_view(frames))  # the hazard model's crowd (its fit's count)
    found = log.credited
    rows = []
    for run, seed in enumerate(log.note["seeds"]):
        seeded = scene.model_copy(update={"run": scene.run.model_copy(update={"seed": seed})})
        incidents = {
            i.id: i for i in IncidentGenerator(seeded, geometry, RandomStreams(seed)).generate(args.duration)
        }
        for group, seen in frames[frames["group"].str.startswith(f"{run}/")].groupby("group"):
            incident = incidents[int(group.rsplit("-", 1)[1])]
            xy = incident.track.position(seen["t"].to_numpy())
            first = seen["t"].min()
            arriving = seen.sort_values("t")["others"].to_numpy()
            rows.append(
                {
                    "group": group,
                    "distance_m": float(camera.distance(xy[:1])[0]),
                    "pixels": float(seen["pixels"].median()),
                    "inside": float(shapely.contains_xy(area, xy[:, 0], xy[:, 1]).mean()),
                    "in_view_s": float(seen["t"].max() - first),
                    "others": float(arriving[: max(1, int(ARRIVAL_SHARE * len(arriving)))].mean()),
                    "age_s": found.get(group, np.nan) - first,
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    args = kept_runs_parser(__doc__.splitlines()[0], None).parse_args()
    table = offender_rows(args)
    table["found"] = np.where(table["age_s"].notna(), "found", "missed")
    columns = {
        "offenders": ("group", "size"),
        "inside_all_along": ("inside", lambda share: float((share == 1).mean())),
        "inside_mean": ("inside", "mean"),
        "pixels": ("pixels", "median"),
        "distance_m": ("distance_m", "median"),
        "in_view_s": ("in_view_s", "median"),
    }
    print(f"{args.keep}: {len(table)} offenders in view; medians, and shares of their frames inside the area")
    print(table.groupby("found").agg(**columns).round(2).to_string())
    band = pd.cut(table["distance_m"], DISTANCES_M, right=False)
    by_distance = table.groupby(band, observed=True).agg(
        offenders=("group", "size"),
        found=("age_s", lambda age: float(age.notna().mean())),
        within_10_s=("age_s", lambda age: float((age <= 10).mean())),
        pixels=("pixels", "median"),
    )
    print("by the distance at first sight (m):")
    print(by_distance.round(2).to_string())
    crowd = pd.cut(table["others"], CROWDS, labels=["alone", "about one other", "two or more"])
    by_crowd = table.groupby(crowd, observed=True).agg(
        offenders=("group", "size"),
        found=("age_s", lambda age: float(age.notna().mean())),
        within_30_s=("age_s", lambda age: float((age <= 30).mean())),
        pixels=("pixels", "median"),
    )
    print(f"by the others in view over the first {ARRIVAL_SHARE:.0%} of an offender's frames:")
    print(by_crowd.round(3).to_string())


if __name__ == "__main__":
    main()
