"""The dataset card, ``README.md`` in the dataset's folder: how it was made and what is inside.

It states the command, seed and scenario, how frames were sampled, and counts images and boxes per split,
class and condition (light, weather, sensor, camera), the boxes' sizes in COCO's area bands, and how
boxes were drawn. Everything in it follows from the records, so the same command and seed give the
same card, byte for byte (no dates, no timings).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.dataset.labels import CLASS_NAMES, YOLO_DECIMALS
from sim.dataset.plan import (
    FIRST_FRAME_S,
    FRAME_SPACING_S,
    FRAMES_PER_CLIP,
    FRAMES_PER_VIEW,
    DatasetPlan,
    LabelFormat,
    Split,
)
from sim.dataset.records import ImageRecord, box_table, image_table
from sim.dataset.scenes import MIN_SNR

SMALL_AREA, LARGE_AREA = 32**2, 96**2
"""COCO's area bands (its evaluation's ``areaRng``): small below 32² px, large from 96² px."""
CONDITIONS = (("light", "Light"), ("weather", "Weather"), ("sensor", "Sensor"), ("camera", "Camera"))


@dataclass(frozen=True)
class CardFacts:
    """What the card says besides the counts."""

    scenario_name: str
    seed: int
    label_format: LabelFormat
    command: str | None
    width: int
    """``detection.analysis_width``, px."""


def markdown_table(header: list[str], rows: list[list]) -> str:
    """A Markdown table; numbers right-aligned."""
    align = ["---:" if rows and isinstance(rows[0][i], int | float) else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def dataset_card(facts: CardFacts, plan: DatasetPlan, images: list[ImageRecord]) -> str:
    """The card's Markdown text."""
    truth, frames = box_table(images), image_table(images)
    boxes = truth[truth["labelled"]]
    parts = [
        _header(facts, plan, frames, boxes),
        _sampling(plan),
        "## Classes\n\n" + _class_table(boxes),
        "## Images and labelled boxes per condition\n\nBoxes per class, all splits.",
        *(f"### {title}\n\n" + _condition_table(column, frames, boxes) for column, title in CONDITIONS),
        "## Box sizes\n\nLabelled boxes.\n\n" + _size_table(boxes),
        _box_rules(),
        "## Too faint to label\n\nTruth boxes whose actor's SNR is below "
        f"{MIN_SNR:g}, per light (in `truth.csv` with `labelled` False).\n\n"
        + _condition_table("light", frames.assign(boxes=0), truth[~truth["labelled"]], count_images=False),
        _files(facts.label_format),
    ]
    return "\n\n".join(parts) + "\n"


def _header(facts: CardFacts, plan: DatasetPlan, frames: pd.DataFrame, boxes: pd.DataFrame) -> str:
    command = f"`{facts.command}`" if facts.command else "the Python API (`sim.dataset.export.write_dataset`)"
    splits = frames["split"].value_counts()
    box_splits = boxes["split"].value_counts()
    return (
        f"# Labelled frames: {facts.scenario_name}\n\n"
        f"Made by {command}, seed {facts.seed}, from the scenario `{facts.scenario_name}` (resolved copy: "
        f"`scenario.yaml`). Labels: {facts.label_format.upper()}.\n\n"
        f"{len(frames)} images ({splits.get('train', 0)} train, {splits.get('val', 0)} val), "
        f"{len(boxes)} boxes ({box_splits.get('train', 0)} train, {box_splits.get('val', 0)} val); "
        f"frames {facts.width} px wide (`detection.analysis_width`), JPEG quality 95 without chroma "
        f"subsampling; sensors: {', '.join(plan.sensors)}."
    )


def _sampling(plan: DatasetPlan) -> str:
    cameras = ", ".join(f"`{c}`" for c in dict.fromkeys(v.camera_id for v in plan.views))
    val = sum(clip.split is Split.VAL for clip in plan.clips)
    return (
        "## Sampling\n\n"
        f"- Conditions: light (day, dusk, night) × weather (clear, haze, fog, rain) × sensor; each "
        f"condition gets an equal share of views and frames.\n"
        f"- {len(plan.views)} views (one camera under one condition, about {FRAMES_PER_VIEW} frames each "
        "when there are frames enough), each condition's views on different cameras, turning over the "
        f"cameras that see a no-go area: {cameras}.\n"
        f"- {len(plan.clips)} clips: a fresh scene each (from its own random stream), of up to "
        f"{FRAMES_PER_CLIP} frames {FRAME_SPACING_S:g} s apart from t = {FIRST_FRAME_S:g} s. A scene is what "
        "`tune` renders for each kind whose no-go areas the camera sees (two swimmers, two ducks, debris and "
        "the project's boat; two anglers and up to three walkers), plus a leisure boat.\n"
        f"- Split by clip, so no scene is in both: {val} val clips, every fifth in plan order; the rest "
        "train."
    )


def _class_table(boxes: pd.DataFrame) -> str:
    counts = pd.crosstab(boxes["class"], boxes["split"]) if len(boxes) else pd.DataFrame()
    rows = []
    for index, name in enumerate(CLASS_NAMES):
        train = int(counts.at[name, "train"]) if name in counts.index and "train" in counts else 0
        val = int(counts.at[name, "val"]) if name in counts.index and "val" in counts else 0
        rows.append([index, index + 1, name, train, val])
    return markdown_table(["YOLO class", "COCO id", "class", "train boxes", "val boxes"], rows)


def _condition_table(
    column: str, frames: pd.DataFrame, boxes: pd.DataFrame, count_images: bool = True
) -> str:
    """Per value of ``column`` (in the images' order): images and labels (``count_images``), ``boxes`` per
    class."""
    counts = pd.crosstab(boxes[column], boxes["class"]) if len(boxes) else pd.DataFrame()
    rows = []
    for value, group in frames.groupby(column, sort=False):
        per_class = [
            int(counts.at[value, c]) if value in counts.index and c in counts else 0 for c in CLASS_NAMES
        ]
        images = [len(group), int(group["boxes"].sum())] if count_images else [sum(per_class)]
        rows.append([str(value), *images, *per_class])
    header = [column, "images", "boxes"] if count_images else [column, "boxes"]
    return markdown_table([*header, *CLASS_NAMES], rows)


def _size_table(boxes: pd.DataFrame) -> str:
    rows = []
    for name in CLASS_NAMES:
        group = boxes[boxes["class"] == name]
        small = int((group["area"] < SMALL_AREA).sum())
        large = int((group["area"] >= LARGE_AREA).sum())
        cut = int((group["visible_fraction"] < 1.0).sum())
        median = f"{group['width'].median():g} × {group['height'].median():g}" if len(group) else "-"
        rows.append([name, len(group), small, len(group) - small - large, large, median, cut])
    header = [
        "class",
        "boxes",
        "small (< 32² px)",
        "medium",
        "large (≥ 96² px)",
        "median w × h, px",
        "cut by edge",
    ]
    return markdown_table(header, rows)


def _box_rules() -> str:
    return (
        "## What is labelled\n\n"
        "- Every actor the renderer drew in the image that the frame shows: its exact box comes from the "
        "same projection that placed its sprite (the whole sprite: rod and line, wake included). An actor "
        f"is shown when its signal-to-noise ratio is at least {MIN_SNR:g} (the Rose criterion): `snr` = the "
        "root sum of squares of what it changed in its box (the frame minus the frame without actors), over "
        "the sensor noise's standard deviation. Fainter ones (far in the dark, deep in fog) stay in "
        "`truth.csv` with `labelled` False and are not labels.\n"
        "- Small boxes are kept however small (a few pixels, far away: `distance_m` in `truth.csv`; drop "
        "what your training should not see, e.g. by area). COCO's evaluation counts them in its small "
        "band.\n"
        "- Boxes are clipped to the image; an actor wholly outside it has no box. `visible_fraction` in "
        '`truth.csv` is the share of its box inside the image ("cut by edge" above counts those below 1).\n'
        "- Actors hidden by an island are not drawn and not labelled; actors beyond the camera's "
        "`max_range` are not labelled (at 640 px a person there is about a pixel).\n"
        "- Occlusion by a nearer actor is not subtracted: the farther box stays whole, and the nearer "
        "actor's pixels count in its SNR (scenes are sparse, actors rarely overlap).\n"
        "- Box corners are integer pixels: `x0, y0` the first column and row inside, `x1, y1` one past the "
        f"last (COCO `bbox` = `[x0, y0, x1 - x0, y1 - y0]`). YOLO lines are normalised with {YOLO_DECIMALS} "
        "decimals: back in pixels they round to these corners exactly."
    )


def _files(label_format: LabelFormat) -> str:
    labels = (
        "| `labels/train/`, `labels/val/` | one `.txt` per image: `class cx cy w h`, normalised "
        "(empty: no box) |\n"
        "| `data.yaml` | the YOLO dataset file: splits and class names |"
        if label_format is LabelFormat.YOLO
        else "| `annotations.json` | COCO instances of every image (`split` in each image entry), "
        "categories = classes |"
    )
    return (
        "## Files\n\n"
        "| file | what |\n| --- | --- |\n"
        "| `images/train/`, `images/val/` | the frames, `<clip>_<frame>.jpg` |\n"
        f"{labels}\n"
        "| `truth.csv` | every truth box: image, conditions, class, corners in pixels, visible fraction, "
        "distance, SNR, labelled |\n"
        "| `images.csv` | every image, with or without labels: conditions, size, label count |\n"
        "| `scenario.yaml` | the resolved scenario the frames were rendered from |\n"
        "| `README.md` | this card |"
    )
