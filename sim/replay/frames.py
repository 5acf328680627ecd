"""Camera views for the replay (``replay --camera-frames``): for each incident a camera raised an alarm on,
that camera's frames from its first sight of the offender to the alarm, rendered by the project's renderer
with the ground-truth boxes drawn (:func:`sim.render.clips.annotate`), as JPEG in base64.

The run is simulated again from its resolved scenario and seed (one :class:`~sim.engine.Simulation` per
clip, since a clip draws its own named random streams), so the offenders, boats and light are those of
the run.
"""

from __future__ import annotations

import base64

import cv2
import numpy as np
import pandas as pd

from sim.errors import ReplayError
from sim.results.result import Result
from sim.scenario.models import Scenario

FRAME_WIDTH_PX = 640
"""Frames are scaled down to this width for the page, px."""
JPEG_QUALITY = 70
LEAD_S = 10.0
"""Frames start this long before the alarm when the run recorded no first sight, s."""


def check_cameras(scenario: Scenario, cameras: list[str]) -> None:
    """Every id in ``cameras`` must be one of the scenario's cameras."""
    valid = [c.id for c in scenario.cameras]
    for camera in cameras:
        if camera not in valid:
            raise ReplayError(f"--camera: no camera {camera!r} (cameras: {', '.join(valid)})")


def seen_incidents(result: Result, cameras: list[str]) -> pd.DataFrame:
    """One row per incident a camera alarmed on: ``incident_id, camera, t0, t1`` (first sight, alarm), s,
    and the alarm's detector ``score``, ordered by ``t1``; only ``cameras`` if any are given."""
    camera_ids = set(cameras) or {c.id for c in result.scenario.cameras}
    alarms = result.alarms[result.alarms["incident_id"].notna() & result.alarms["source"].isin(camera_ids)]
    first = alarms.sort_values("t", kind="stable").groupby("incident_id", sort=False).head(1)
    visible = result.incidents.set_index("incident_id")["t_first_visible"]
    rows = []
    for alarm in first.itertuples():
        seen = visible.get(alarm.incident_id, np.nan)
        t0 = alarm.t - LEAD_S if pd.isna(seen) else min(float(seen), alarm.t)
        rows.append((int(alarm.incident_id), alarm.source, max(0.0, t0), float(alarm.t), float(alarm.score)))
    table = pd.DataFrame(rows, columns=["incident_id", "camera", "t0", "t1", "score"])
    return table.sort_values("t1", kind="stable").reset_index(drop=True)


INSET_SHARE = 0.4
"""Side of the enlarged view of the offender, drawn in the frame's top-right corner, as a share of the
frame's width (at most 55 % of its height)."""
OFFENDER_BGR = (40, 40, 255)


def with_inset(image: np.ndarray, frame) -> np.ndarray:
    """``image`` (the annotated frame, full size) with the offender's box drawn thick enough to survive the
    page's downscaling and its surroundings enlarged in the top-right corner: what the detector had to find
    stays visible when the frame is shown small."""
    from sim.render.actors import ActorClass

    boxes = [b for b in frame.truth if b.cls in (ActorClass.SWIMMER, ActorClass.FISHER)]
    if not boxes:
        return image
    box = boxes[0]
    height, width = image.shape[:2]
    side = max(40, 5 * max(box.x1 - box.x0, box.y1 - box.y0))
    cx, cy = (box.x0 + box.x1) // 2, (box.y0 + box.y1) // 2
    x0 = int(np.clip(cx - side // 2, 0, max(0, width - side)))
    y0 = int(np.clip(cy - side // 2, 0, max(0, height - side)))
    inset = int(min(INSET_SHARE * width, 0.55 * height))
    scale = inset / side
    zoomed = cv2.resize(
        frame.image[y0 : y0 + side, x0 : x0 + side], (inset, inset), interpolation=cv2.INTER_CUBIC
    )
    bx0, by0 = round((box.x0 - x0) * scale), round((box.y0 - y0) * scale)
    bx1, by1 = round((box.x1 - x0) * scale), round((box.y1 - y0) * scale)
    cv2.rectangle(zoomed, (bx0, by0), (bx1, by1), OFFENDER_BGR, max(2, inset // 120))
    out = image.copy()
    thick = max(2, width // 400)
    cv2.rectangle(
        out, (box.x0 - thick, box.y0 - thick), (box.x1 + thick, box.y1 + thick), OFFENDER_BGR, thick
    )
    cv2.rectangle(out, (x0, y0), (x0 + side, y0 + side), (255, 255, 255), thick)
    out[8 : 8 + inset, width - inset - 8 : width - 8] = zoomed
    cv2.rectangle(out, (width - inset - 8, 8), (width - 8, 8 + inset), (255, 255, 255), thick)
    return out


def _jpeg(image: np.ndarray) -> str:
    height, width = image.shape[:2]
    if width > FRAME_WIDTH_PX:
        image = cv2.resize(image, (FRAME_WIDTH_PX, round(height * FRAME_WIDTH_PX / width)), cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise RuntimeError("OpenCV could not encode a JPEG")
    return base64.b64encode(encoded.tobytes()).decode("ascii")


def camera_frames(result: Result, cameras: list[str], max_frames: int) -> list[dict]:
    """The page's frames of ``result``: ``{t, camera, incident, label, jpeg}`` sorted by ``t``; at most
    ``max_frames`` per incident, evenly spread from first sight to the alarm (which is always one)."""
    from sim.engine import Simulation  # the renderer and the engine only when frames are asked for
    from sim.render.clips import Clip, annotate

    frames = []
    for seen in seen_incidents(result, cameras).itertuples():
        simulation = Simulation(result.scenario)  # a clip draws its own named streams: one run per clip
        clip = Clip(simulation, seen.camera, max(seen.t1 - seen.t0, 0.1) + 1e-3, start=seen.t0)
        interval = 1.0 / clip.camera.spec.fps
        count = max(1, round((seen.t1 - seen.t0) / interval) + 1)
        for number in np.unique(np.linspace(0, count - 1, min(count, max_frames)).round().astype(int)):
            t = seen.t1 if number == count - 1 else min(seen.t0 + number * interval, seen.t1)
            frame = clip.renderer.render(t, clip.actors(t), clip.conditions(t), int(number))
            alarm = t >= seen.t1 - 1e-6
            label = f"alarm, score {seen.score:.2f}" if alarm else f"first sight + {t - seen.t0:.1f} s"
            frames.append(
                {
                    "t": round(t, 3),
                    "camera": seen.camera,
                    "incident": seen.incident_id,
                    "label": f"{label} · truth boxes",
                    "jpeg": _jpeg(with_inset(annotate(frame), frame)),
                }
            )
    return sorted(frames, key=lambda f: f["t"])
