"""Camera views of a pixel-mode run with what its detectors saw (``replay --camera-frames``).

What a detector reports in a frame depends on every frame its camera analysed before (the background model
learns the scene, tracks carry over from frame to frame), and the frames depend on where the boats were,
which depends on every camera's alarms. None of that is in the run folder, so the run is simulated again,
in pixel mode, from the folder's ``scenario.yaml`` and seed (an ``--around-incident`` run also from the
window ``summary.json`` records, :mod:`sim.world.incident_window`), from t = 0 up to the last alarm shown.
A run is repeatable (same scenario and seed, identical outputs, whatever the number of frame threads), so
each camera renders the run's frames again and its detectors report the boxes they reported in the run.
This is checked, not assumed: the incidents drawn again must be those of ``incidents.csv`` and the alarms
raised again up to that time exactly those of ``alarms.csv`` (time, source, kind, place, score, incident);
otherwise a one-line error and no page.

The frames shown are the analysed frames themselves (``detection.analysis_width`` wide, scaled to the
page's width) with their truth boxes and, in magenta with their scores, the detections of the offender
classes that the alarm filter was given in that frame (:mod:`sim.replay.frame_boxes`). Cost: one pixel-mode
run up to the last alarm shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.errors import ReplayError
from sim.replay.frame_boxes import (
    DetectorBox,
    draw_detector_boxes,
    draw_score_tags,
    page_jpeg,
    to_width,
    truth_areas,
    with_inset,
)
from sim.replay.sightings import frame_label, seen_incidents
from sim.results.result import Result
from sim.scenario.models import Kind

COMPARED = ("t", "source", "kind", "x", "y", "score", "incident_id")
"""The columns of ``alarms.csv`` a repeated run must reproduce exactly."""


@dataclass(frozen=True)
class Shot:
    """One frame the page shows: an incident's frame seen by the camera that alarmed on it."""

    incident: int
    camera: str
    t0: float
    """The offender's first sight, s."""
    t1: float
    """The camera's alarm, s."""
    score: float
    """The alarm's score."""


def planned_shots(seen: pd.DataFrame, fps: dict[str, float], max_frames: int) -> dict[tuple[str, int], list]:
    """The frames to keep, by (camera, frame number): for each row of ``seen`` (:func:`seen_incidents`) at
    most ``max_frames`` of the camera's frames, evenly spread from the first at or after first sight to the
    alarm's (a camera analyses frame n at n / fps s)."""
    wanted: dict[tuple[str, int], list[Shot]] = {}
    for row in seen.itertuples():
        rate = fps[row.camera]
        first, alarm = math.ceil(row.t0 * rate - 1e-6), round(row.t1 * rate)
        first = min(first, alarm)
        count = min(alarm - first + 1, max_frames)
        for number in np.unique(np.linspace(first, alarm, count).round().astype(int)):
            shot = Shot(int(row.incident_id), row.camera, float(row.t0), float(row.t1), float(row.score))
            wanted.setdefault((row.camera, int(number)), []).append(shot)
    return wanted


def detector_boxes(reported: dict, completed: list, thresholds: dict[Kind, float]) -> list[DetectorBox]:
    """The boxes the alarm filter of each kind was given (``reported``: Detections by kind), marking hits
    (score at or above the kind's threshold) and the boxes of the alarms ``completed`` in the frame."""
    alarmed = {(kind, alarm.track_id) for kind, alarm in completed}
    return [
        DetectorBox(
            kind.value,
            tuple(float(v) for v in detections.xyxy[i]),
            float(detections.confidence[i]),
            int(detections.tracker_id[i]),
            bool(detections.confidence[i] >= thresholds[kind]),
            (kind, int(detections.tracker_id[i])) in alarmed,
        )
        for kind, detections in reported.items()
        for i in range(len(detections))
    ]


def detector_legend(thresholds: dict[Kind, float]) -> str:
    """The legend's words for the detector's boxes, with the alarm threshold of each kind."""
    values = {f"{t:.2f}" for t in thresholds.values()}
    if len(values) == 1:
        return f"detector: box + score (thick: >= {values.pop()})"
    return (
        "detector: box + score (thick: >= " + ", ".join(f"{t:.2f} {k}" for k, t in thresholds.items()) + ")"
    )


def shot_frame(shot: Shot, frame, boxes: list[DetectorBox], legend: str) -> dict:
    """The page's frame of ``shot``: the analysed ``frame`` with its truth and detector ``boxes``."""
    from sim.render.clips import annotate

    scaled, scale = to_width(frame)
    image = annotate(scaled)
    drawn = draw_detector_boxes(image, boxes, scale)
    image, covered = with_inset(image, scaled, f"incident-{shot.incident}", tuple(boxes), scale)
    draw_score_tags(image, boxes, drawn, covered + truth_areas(scaled.truth), covered[:1])
    label = frame_label(frame.t, shot.t0, shot.t1, shot.score)
    best = max((b.score for b in boxes), default=None)
    seen = "no box" if best is None else f"{len(boxes)} box{'es' * (len(boxes) > 1)}, best {best:.2f}"
    height, width = frame.image.shape[:2]
    return {
        "t": round(frame.t, 3),
        "camera": shot.camera,
        "incident": shot.incident,
        "label": f"{label} · detector: {seen} (magenta) · truth boxes (red, yellow)",
        "jpeg": page_jpeg(image, legend),
        "size": [width, height],
        "detections": [b.as_data() for b in boxes],
    }


def pixel_camera_frames(result: Result, cameras: list[str], max_frames: int) -> list[dict]:
    """The page's frames of the pixel-mode run ``result``, as :func:`sim.replay.frames.camera_frames`,
    each also with ``size`` (the analysed frame's width and height, px) and ``detections`` (the detector's
    boxes in it, :meth:`DetectorBox.as_data`); the run is repeated up to its last alarm shown (see above)."""
    from sim.engine import Simulation
    from sim.world.incident_window import WINDOW_KEY, incidents_of_window

    seen = seen_incidents(result, cameras)
    if seen.empty:
        return []
    scenario = result.scenario
    window = result.summary.get(WINDOW_KEY)
    incidents = incidents_of_window(scenario, window) if window else None
    simulation = Simulation(scenario, seed=result.seed, incidents=incidents)
    check_incidents(simulation, result.incidents)
    fps = {c.id: c.fps for c in scenario.cameras}
    wanted = planned_shots(seen, fps, max_frames)
    thresholds = scenario.detection.thresholds
    legend = detector_legend(thresholds)
    frames: list[dict] = []

    def observe(camera_id: str, number: int, frame, reported: dict, completed: list) -> None:
        shots = wanted.get((camera_id, number))
        if shots:  # frame threads may call this at once: list.extend keeps the list whole
            boxes = detector_boxes(reported, completed, thresholds)
            frames.extend(shot_frame(shot, frame, boxes, legend) for shot in shots)

    for camera_id in seen["camera"].unique():
        simulation.cameras.by_id[camera_id].observer = observe
    last = float(seen["t1"].max())
    try:
        simulation.advance(until=last + 0.5 / max(fps.values()))
    finally:
        simulation.cameras.close()
    check_alarms(simulation, result.alarms, last)
    return sorted(frames, key=lambda f: (f["t"], f["camera"], f["incident"]))


def check_incidents(simulation, table: pd.DataFrame) -> None:
    """The incidents the repeated run draws must be those of ``incidents.csv`` (ids and start times)."""
    drawn = {i.id: round(i.t_start, 3) for i in simulation.incidents}
    recorded = dict(zip(table["incident_id"].astype(int), table["t_start"], strict=True))
    for incident_id in sorted(set(drawn) | set(recorded)):
        here, there = drawn.get(incident_id), recorded.get(incident_id)
        if here is None or there is None or abs(here - there) > 1e-3:
            raise ReplayError(
                f"incidents.csv: incident {incident_id} starts at {_when(there)} in the run, at "
                f"{_when(here)} when drawn again from its scenario.yaml and seed: the run cannot be repeated "
                "for its detector boxes (written by another version of the program?)"
            )


def check_alarms(simulation, recorded: pd.DataFrame, until: float) -> None:
    """The alarms raised again up to ``until`` (s) must be exactly those of ``alarms.csv``."""
    from sim.results.tables import alarms_table

    again = alarms_table(simulation.recorder)
    again = again[again["t"] <= until + 1e-9].reset_index(drop=True)
    before = recorded[recorded["t"] <= until + 1e-9].reset_index(drop=True)
    for row in range(max(len(again), len(before))):
        here = again.iloc[row] if row < len(again) else None
        there = before.iloc[row] if row < len(before) else None
        if here is None or there is None or not _same_alarm(here, there):
            raise ReplayError(
                f"alarms.csv: {_alarm(there)} in the run, {_alarm(here)} when the run is repeated: its "
                "detector boxes would not be the run's (written by another version of the program?)"
            )


def _same_alarm(a: pd.Series, b: pd.Series) -> bool:
    for column in COMPARED:
        x, y = a[column], b[column]
        if pd.isna(x) or pd.isna(y):
            if pd.isna(x) != pd.isna(y):
                return False
        elif isinstance(x, str) or isinstance(y, str):
            if str(x) != str(y):
                return False
        elif abs(float(x) - float(y)) > 1e-9:
            return False
    return True


def _alarm(row: pd.Series | None) -> str:
    if row is None:
        return "no such alarm"
    incident = "false alarm" if pd.isna(row["incident_id"]) else f"incident {int(row['incident_id'])}"
    what = f"{row['kind']}, score {row['score']:.4f}, {incident}"
    return f"alarm at {row['t']:.3f} s from {row['source']} ({what})"


def _when(t: float | None) -> str:
    return "(none)" if t is None or pd.isna(t) else f"{t:.3f} s"
