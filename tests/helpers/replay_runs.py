"""Short runs written to folders, for the replay tests (built once per test module)."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np

from sim.engine import Simulation, run
from sim.loading import load_scenario
from sim.results.writing import write_outputs
from tests.helpers.paths import DEFAULT
from tests.helpers.pixel import one_beach_camera


def write_run(folder: Path, overrides: tuple[str, ...] = (), hours: float = 2.0) -> Path:
    """A run of the default scenario (seed 0, ``hours`` long, ``overrides`` applied) written to ``folder``."""
    scenario = load_scenario(DEFAULT, [f"run.duration={hours * 3600}", *overrides])
    return write_outputs(run(scenario), folder, figures=False)


PIXEL_BEACH = [
    "run.mode=pixel",
    "run.seed=3",
    "run.duration=25",
    "run.start=2026-07-18T15:00:00",  # a summer afternoon: daylight, swimmers
    "incidents.swimming.rate_per_hour=300",
    "detection.analysis_width=320",
    "detection.threshold=0.3",
]
"""25 s of a busy beach seen by cam-beach-w alone at 5 frames/s, 320 px analysed: seed 3's camera raises two
alarms (incidents 3 and 2, at 16.4 and 19.8 s); about 2 s of wall time."""


def write_pixel_run(folder: Path, observer=None) -> Path:
    """The :data:`PIXEL_BEACH` run written to ``folder``; ``observer`` (if given) watches its camera's
    analysed frames (``PixelCamera.observer``)."""
    simulation = Simulation(one_beach_camera(PIXEL_BEACH))
    if observer is not None:
        simulation.cameras.by_id["cam-beach-w"].observer = observer
    return write_outputs(simulation.run(), folder, figures=False)


def detector_pixels(jpeg: str) -> int:
    """Pixels of a page frame (base64 JPEG; its legend band left out) in the detector boxes' magenta."""
    import cv2

    from sim.replay.frame_boxes import LEGEND_PX

    image = cv2.imdecode(np.frombuffer(base64.b64decode(jpeg), np.uint8), cv2.IMREAD_COLOR)[:-LEGEND_PX]
    b, g, r = (image[..., i].astype(int) for i in range(3))
    return int(((b > 180) & (r > 180) & (g < 90)).sum())
