"""What the dataset holds, as plain records and tables: one :class:`ImageRecord` per image with its boxes.

``truth.csv`` has a row per truth box (:data:`TRUTH_COLUMNS`), labelled or too faint to be
(``labelled``, ``snr``: :mod:`sim.dataset.scenes`); ``images.csv`` a row per image, labels or not
(:data:`IMAGE_COLUMNS`, ``boxes`` counts its labels); both carry the image's conditions. Box corners are
the renderer's truth boxes in pixels: ``x0, y0`` the first pixel column and row inside, ``x1, y1`` one
past the last (so the width is ``x1 - x0``), already clipped to the image.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.dataset.labels import CLASS_NAMES, class_index
from sim.dataset.plan import ClipPlan
from sim.dataset.scenes import MIN_SNR, RenderedFrame

CONDITION_COLUMNS = ("split", "clip", "camera", "light", "weather", "sensor", "infrared")
TRUTH_COLUMNS = (
    "image",
    *CONDITION_COLUMNS,
    "t",
    "class",
    "class_index",
    "actor_id",
    "x0",
    "y0",
    "x1",
    "y1",
    "visible_fraction",
    "distance_m",
    "snr",
    "labelled",
)
IMAGE_COLUMNS = ("image", *CONDITION_COLUMNS, "t", "width", "height", "boxes")


@dataclass(frozen=True)
class BoxRecord:
    """One truth box of an image: its label class, corners, and how well it is seen."""

    class_index: int
    actor_id: str
    box: tuple[int, int, int, int]
    """x0, y0, x1, y1 in pixels (x1, y1 exclusive)."""
    visible_fraction: float
    """Share of the actor's box inside the image."""
    distance_m: float
    """Slant distance from the lens, m."""
    snr: float
    """Its actor's signal-to-noise ratio in the frame (:mod:`sim.dataset.scenes`)."""

    @property
    def labelled(self) -> bool:
        """Seen well enough to be a label (``snr`` at least :data:`sim.dataset.scenes.MIN_SNR`)."""
        return self.snr >= MIN_SNR

    @property
    def class_name(self) -> str:
        return CLASS_NAMES[self.class_index]


@dataclass(frozen=True)
class ImageRecord:
    """One image of the dataset: where it is, its clip and conditions, its truth boxes."""

    index: int
    """Among all the dataset's images, in plan order (from 0; COCO image id = index + 1)."""
    name: str
    """Path in the dataset folder, ``images/<split>/<clip>_<frame>.jpg``."""
    clip: ClipPlan
    t: float
    """Time in the clip's scene, s."""
    width: int
    height: int
    infrared: bool
    """The frame is an infrared camera's night frame (grey, lit by the camera's illuminator)."""
    boxes: tuple[BoxRecord, ...]
    """Every truth box, labelled or not, in the renderer's order."""

    @property
    def labels(self) -> tuple[BoxRecord, ...]:
        """The boxes that are labels."""
        return tuple(b for b in self.boxes if b.labelled)

    @property
    def conditions(self) -> tuple:
        """The values of :data:`CONDITION_COLUMNS`."""
        view = self.clip.view
        return (
            self.clip.split.value,
            self.clip.name,
            view.camera_id,
            view.light.value,
            view.weather.value,
            view.sensor,
            self.infrared,
        )


def image_record(rendered: RenderedFrame) -> ImageRecord:
    """The record of a rendered frame: its name, conditions and labelled boxes, in the renderer's order."""
    frame = rendered.frame
    height, width = frame.image.shape[:2]
    boxes = tuple(
        BoxRecord(
            class_index(box, own),
            box.actor_id,
            (box.x0, box.y0, box.x1, box.y1),
            box.visible_fraction,
            box.distance_m,
            snr,
        )
        for box, own, snr in zip(frame.truth, rendered.own, rendered.snr, strict=True)
    )
    clip = rendered.clip
    name = clip.image_name(rendered.number)
    return ImageRecord(
        rendered.image_index, name, clip, frame.t, width, height, frame.conditions.infrared_active, boxes
    )


def write_tables(folder: Path, images: list[ImageRecord]) -> None:
    """``truth.csv`` and ``images.csv`` of ``images`` (in their order) into ``folder``."""
    with open(folder / "truth.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(TRUTH_COLUMNS)
        for image in images:
            for b in image.boxes:
                row = (b.class_name, b.class_index, b.actor_id, *b.box, b.visible_fraction, b.distance_m)
                writer.writerow([image.name, *image.conditions, f"{image.t:g}", *row, b.snr, b.labelled])
    with open(folder / "images.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(IMAGE_COLUMNS)
        for image in images:
            writer.writerow(
                [image.name, *image.conditions, f"{image.t:g}", image.width, image.height, len(image.labels)]
            )


def box_table(images: list[ImageRecord]) -> pd.DataFrame:
    """Every truth box with its image's conditions, size (``width``, ``height``, ``area`` in pixels),
    ``visible_fraction`` and ``labelled``."""
    rows = [
        (*image.conditions, b.class_name, b.box[2] - b.box[0], b.box[3] - b.box[1], *_seen(b))
        for image in images
        for b in image.boxes
    ]
    columns = [*CONDITION_COLUMNS, "class", "width", "height", "visible_fraction", "labelled"]
    table = pd.DataFrame(rows, columns=columns)
    table["area"] = table["width"] * table["height"]
    return table


def _seen(box: BoxRecord) -> tuple[float, bool]:
    return box.visible_fraction, box.labelled


def image_table(images: list[ImageRecord]) -> pd.DataFrame:
    """Every image with its conditions and label count (``boxes``)."""
    rows = [(*image.conditions, len(image.labels)) for image in images]
    return pd.DataFrame(rows, columns=[*CONDITION_COLUMNS, "boxes"])
