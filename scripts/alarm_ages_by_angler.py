"""Pixel mode's first alarm on each angler of one camera's kept runs, beside what the camera sees of the
angler: its analysed height, distance, pose, the projected length of its rod and line in the analysed
frame, and how end-on the camera sees its gear. Which of these tells the fishing detector's two alarm ages
apart (5.7 s when it resolves rod and line, 7.4 s with one of them; docs/detectors.md, "Fishing on one
camera at a time"), and which anglers it finds late?

Run from the repository root on the runs ``scripts/installed_agreement.py --keep`` kept, with the same
scene options:

    PYTHONPATH=. python scripts/alarm_ages_by_angler.py --camera cam-east-n --rate 67 --duration 1800 \\
        --keep out/installed-agreement/cam-east-n-1800

The angler is the renderer's own (:func:`sim.render.actors.offender_thing`, drawn by
:func:`sim.render.sprites.draw_fisher` into a painter that only records its strokes), at the first instant
it is in view; the rod and line are its ``Surface.ROD`` strokes (the thicker one the rod). ``end_on`` is
:func:`sim.world.angler_view.end_on` of its heading: 1 when the gear points at the lens (or away), 0 when the
camera sees it broadside. A second table gives pixel mode's shares by that angle, and ``--figure PNG``
draws the share of each band's anglers alarmed by each time in view.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

from scripts.installed_agreement import (
    kept_runs_parser,
    one_camera_scene,
    read_kept,
    save_share_figure,
    share_figure,
)
from sim.core.rng import RandomStreams
from sim.render.actors import Actor, offender_thing
from sim.render.sprites import draw_fisher
from sim.render.surfaces import Surface
from sim.scenario.models import Kind
from sim.sensing.analysed_size import AnalysedScale
from sim.world.angler_view import end_on
from sim.world.geometry import ZoneGeometry
from sim.world.incidents import IncidentGenerator

END_ON_BANDS = (0.0, 0.5, 0.8, 0.95, 1.0)
"""Edges of the ``end_on`` bands of the second table (|cos|: 0.95 is within 18° of the line of sight)."""
AGES = ((0.0, "before 5.5 s"), (5.5, "5.7 s"), (6.5, "7.4 s"), (8.0, "8-10 s"), (10.0, "later"))
"""Pixel mode's alarm ages, grouped (s from the angler's first frame in view)."""


class _Strokes:
    """A painter that records the lines drawn in the actor's frame (forward, right, up; m)."""

    def __init__(self):
        self.lines: list[tuple[np.ndarray, np.ndarray, float, Surface]] = []

    def line(self, a, b, colour, width_m: float, surface: Surface) -> None:
        self.lines.append((np.asarray(a, float), np.asarray(b, float), width_m, surface))

    def disc(self, *args) -> None:
        pass

    def polygon(self, *args) -> None:
        pass

    def ring(self, *args, **kwargs) -> None:
        pass


def gear_ends(actor: Actor) -> dict[str, np.ndarray]:
    """World ends (2 x 3, m) of the angler's rod and line as the renderer draws them (the line absent while
    casting)."""
    strokes = _Strokes()
    draw_fisher(strokes, actor)
    sin, cos = np.sin(actor.heading), np.cos(actor.heading)
    to_world = np.array([(sin, cos, 0.0), (cos, -sin, 0.0), (0.0, 0.0, 1.0)])  # the painter's frame
    gear = sorted((s for s in strokes.lines if s[3] is Surface.ROD), key=lambda s: -s[2])
    names = ("rod", "line")[: len(gear)]
    at = np.array([actor.x, actor.y, actor.z])
    return {name: np.vstack([a, b]) @ to_world + at for name, (a, b, _, _) in zip(names, gear, strict=True)}


def angler_rows(args) -> pd.DataFrame:
    """One row per angler in view in the kept runs: pixel mode's alarm age and what the camera sees."""
    scene = one_camera_scene(args.camera, Kind.FISHING, args.rate, args.duration, args.start, args.weather)
    spec = next(c for c in scene.cameras if c.id == args.camera)
    scale = AnalysedScale.of(spec, scene.detection.analysis_width)
    geometry = ZoneGeometry(scene)
    log = read_kept(args.keep, scene)
    detections = log.detections[log.detections["kind"] == Kind.FISHING.value]
    rows = []
    for run, seed in enumerate(log.note["seeds"]):
        seeded = scene.model_copy(update={"run": scene.run.model_copy(update={"seed": seed})})
        incidents = {
            i.id: i for i in IncidentGenerator(seeded, geometry, RandomStreams(seed)).generate(args.duration)
        }
        for seen in detections[detections["run"] == run].itertuples():
            incident = incidents[int(seen.incident_id)]
            first = max(seen.t_first_visible, incident.t_start)  # the log's time is rounded to the ms
            actor = offender_thing(incident, incident.t_end, geometry).at(first)
            xy = np.array([[actor.x, actor.y]])
            k = float(scale.at(xy, Kind.FISHING)[0])
            length = {
                f"{name}_px": float(np.linalg.norm(np.diff(scale.camera.project(ends), axis=0))) * k
                for name, ends in gear_ends(actor).items()
            }
            rows.append(
                {
                    "age_s": seen.ttd_s,
                    "pixels": float(scale.pixel_height(xy, incident.visible_height, Kind.FISHING)[0]),
                    "distance_m": float(scale.camera.distance(xy)[0]),
                    "sitting": actor.variant % 2 == 1,
                    "end_on": end_on(actor.heading, (actor.x, actor.y), spec.position),
                }
                | {"rod_px": np.nan, "line_px": np.nan}
                | length
            )
    return pd.DataFrame(rows)


def draw(table: pd.DataFrame, title: str, path: Path) -> None:
    """``path``: per ``end_on`` band of :data:`END_ON_BANDS`, the share of its anglers pixel mode alarmed on
    within each time in view (s, log scale), with the band's count."""
    times = np.geomspace(1.0, max(60.0, float(np.nanmax(table["age_s"], initial=60.0))), 400)
    band = pd.cut(table["end_on"], END_ON_BANDS, include_lowest=True)
    fig, ax = share_figure()
    palette = matplotlib.colormaps["viridis"](np.linspace(0.0, 0.9, len(band.cat.categories)))  # one a band
    for interval, colour in zip(band.cat.categories, palette, strict=True):
        age = table.loc[band == interval, "age_s"].to_numpy(float)
        if len(age):
            share = [(age <= t).mean() for t in times]  # NaN (never alarmed) counts as not yet
            label = f"end_on {max(interval.left, 0.0):.2g}-{interval.right:.2g} ({len(age)} anglers)"
            ax.step(times, share, where="post", color=colour, label=label)
    ax.axvline(10.0, color="grey", lw=0.8, ls=":")
    save_share_figure(fig, ax, ("time in view, s", "share of the band's anglers alarmed"), title, path)


def main() -> None:
    parser = kept_runs_parser(__doc__.splitlines()[0], Kind.FISHING)
    parser.add_argument("--figure", type=Path, metavar="PNG", help="draw the shares by time and end_on band")
    args = parser.parse_args()
    table = angler_rows(args)
    edges = [edge for edge, _ in AGES] + [np.inf]
    group = pd.cut(table["age_s"], edges, right=False, labels=[name for _, name in AGES])
    group = group.cat.add_categories("never").fillna("never")
    summary = table.groupby(group, observed=True).agg(
        anglers=("age_s", "size"),
        sitting=("sitting", "mean"),
        pixels=("pixels", "median"),
        distance_m=("distance_m", "median"),
        rod_px=("rod_px", "median"),
        line_px=("line_px", "median"),
        end_on=("end_on", "median"),
    )
    print(f"{args.keep}: {len(table)} anglers in view; medians by pixel mode's alarm age")
    print(summary.round(2).to_string())
    band = pd.cut(table["end_on"], END_ON_BANDS, include_lowest=True)
    age = table["age_s"]
    shares = table.assign(found=age.notna(), within_10_s=age <= 10.0).groupby(band, observed=True)
    by_angle = shares.agg(
        anglers=("found", "size"),
        within_10_s=("within_10_s", "mean"),
        found=("found", "mean"),
        pixels=("pixels", "median"),
        rod_px=("rod_px", "median"),
    )
    print("pixel mode's shares by how end-on the camera sees the gear (end_on band)")
    print(by_angle.round(2).to_string())
    if args.figure:
        title = f"{args.camera}, {args.duration:g}-s runs: pixel mode's alarms by the gear's angle"
        draw(table, title, args.figure)


if __name__ == "__main__":
    main()
