"""Alarm frames (``run --mode pixel --save-alarm-frames``): the analysed frame of each alarm, with the
ground-truth boxes (red: offenders, yellow: everything else, as ``render`` draws them) and the alarm's
box in magenta with its kind and score, as PNG bytes."""

from __future__ import annotations

import cv2

from sim.render.clips import annotate
from sim.render.frame import Frame

ALARM_COLOUR = (255, 0, 255)
"""BGR magenta: the alarm's box."""


def alarm_frame_png(frame: Frame, box: tuple[float, float, float, float], label: str) -> bytes:
    """``frame`` annotated with its truth boxes and the alarm ``box`` (x0, y0, x1, y1 px), as PNG bytes."""
    image = annotate(frame)
    x0, y0, x1, y1 = (round(v) for v in box)
    cv2.rectangle(image, (x0 - 2, y0 - 2), (x1 + 1, y1 + 1), ALARM_COLOUR, 2)
    cv2.putText(image, label, (x0, y1 + 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, ALARM_COLOUR, 1, cv2.LINE_AA)
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise RuntimeError("PNG encoding of an alarm frame failed")
    return data.tobytes()


def alarm_frame_name(t: float, camera_id: str, kind: str) -> str:
    """``alarm_frames/<t (s, 0.1 s)>s_<camera>_<kind>.png``: sorted by time; alarms.csv's t and source."""
    return f"alarm_frames/{t:08.1f}s_{camera_id}_{kind}.png"
