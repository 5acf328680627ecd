"""Camera views for the replay (``replay --camera-frames``): for each incident a camera raised an alarm on,
that camera's frames from its first sight of the offender to the alarm (:mod:`sim.replay.sightings`),
rendered by the project's renderer with the ground-truth boxes drawn (:func:`sim.render.clips.annotate`), as
JPEG in base64; a pixel-mode run's frames also with the detector's boxes and scores
(:mod:`sim.replay.pixel_frames`).

A statistical run ran no detector: its frames are rendered again from its resolved scenario and seed (one
:class:`~sim.engine.Simulation` per clip, since a clip draws its own named random streams; one renderer per
camera), so the offenders, boats and light are those of the run, with the truth boxes only.
"""

from __future__ import annotations

import numpy as np

from sim.replay.frame_boxes import page_jpeg, with_inset
from sim.replay.sightings import frame_label, seen_incidents
from sim.results.result import Result


def camera_frames(result: Result, cameras: list[str], max_frames: int) -> list[dict]:
    """The page's frames of ``result``: ``{t, camera, incident, label, jpeg}`` sorted by ``t``; at most
    ``max_frames`` per incident, evenly spread from first sight to the alarm (which is always one). A
    pixel-mode run's frames also carry the detector's boxes (:mod:`sim.replay.pixel_frames`)."""
    from sim.scenario.models import Mode

    if result.scenario.run.mode is Mode.PIXEL:
        from sim.replay.pixel_frames import pixel_camera_frames

        return pixel_camera_frames(result, cameras, max_frames)
    return truth_frames(result, cameras, max_frames)


def truth_frames(result: Result, cameras: list[str], max_frames: int) -> list[dict]:
    """A statistical run's frames: rendered again with the truth boxes (no detector ran in the run)."""
    from sim.engine import Simulation  # the renderer and the engine only when frames are asked for
    from sim.render.clips import Clip, annotate

    frames, renderers = [], {}
    for seen in seen_incidents(result, cameras).itertuples():
        simulation = Simulation(result.scenario)  # a clip draws its own named streams: one run per clip
        seconds = max(seen.t1 - seen.t0, 0.1) + 1e-3
        # A camera's renderer (its ground map and looks, seconds to build) serves all its clips.
        clip = Clip(simulation, seen.camera, seconds, start=seen.t0, renderer=renderers.get(seen.camera))
        renderers[seen.camera] = clip.renderer
        interval = 1.0 / clip.camera.spec.fps
        count = max(1, round((seen.t1 - seen.t0) / interval) + 1)
        for number in np.unique(np.linspace(0, count - 1, min(count, max_frames)).round().astype(int)):
            t = seen.t1 if number == count - 1 else min(seen.t0 + number * interval, seen.t1)
            frame = clip.renderer.render(t, clip.actors(t), clip.conditions(t), int(number))
            label = frame_label(t, seen.t0, seen.t1, seen.score)
            image, _ = with_inset(annotate(frame), frame, f"incident-{seen.incident_id}")
            frames.append(
                {
                    "t": round(t, 3),
                    "camera": seen.camera,
                    "incident": seen.incident_id,
                    "label": f"{label} · truth boxes only (statistical run: no detector ran)",
                    "jpeg": page_jpeg(image, None),
                }
            )
    return sorted(frames, key=lambda f: f["t"])
