"""``run_sim.py dataset``: labelled frames written in the YOLO layout or as one COCO JSON, with a card.

Everything is written into a hidden temporary folder beside ``out`` and renamed into place when complete
(:func:`sim.core.files.replace_folder`): a failed or interrupted export leaves nothing behind, and an
older ``out`` (the command's ``--overwrite``) is removed only once the new one is in place.

Images are JPEG at quality :data:`JPEG_QUALITY` without chroma subsampling (4:4:4). PNG would be lossless,
but the renderer's sensor noise makes it compress badly: at 640 x 360 OpenCV's fastest compressing PNG
level took 14 ms and 385 kB a frame, more than rendering one, against 1.1 ms and 84 kB for this JPEG
(``benchmarks/README.md``). Without chroma subsampling a few-pixel swimmer keeps its colours, and the
difference to the rendered frame, 2.4 grey levels RMS on daylight frames, is about the renderer's own
sensor noise (2.5 levels by day, 5 at dusk, 9 at night; :data:`sim.render.conditions.NOISE_SD`). YOLO
and COCO tools read both formats.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
from tqdm import tqdm

from sim.core.files import replace_folder
from sim.dataset.card import CardFacts, dataset_card
from sim.dataset.labels import coco_annotation, coco_categories, yolo_data_yaml, yolo_line
from sim.dataset.plan import SENSORS, DatasetPlan, LabelFormat, Split, check_request, plan_dataset
from sim.dataset.records import ImageRecord, image_record, write_tables
from sim.dataset.scenes import RenderedFrame, render_frames
from sim.errors import DatasetError
from sim.scenario.loading import scenario_to_yaml
from sim.scenario.models import Scenario
from sim.world.geometry import ZoneGeometry

JPEG_QUALITY = 95
JPEG_PARAMETERS = [
    cv2.IMWRITE_JPEG_QUALITY,
    JPEG_QUALITY,
    cv2.IMWRITE_JPEG_SAMPLING_FACTOR,
    cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444,
]
COCO_FILE = "annotations.json"


@dataclass(frozen=True)
class DatasetSummary:
    out: Path
    images: int
    boxes: int
    train_images: int
    val_images: int


def encode_image(rendered: RenderedFrame) -> bytes:
    """The frame as the dataset stores it (module docstring)."""
    ok, data = cv2.imencode(".jpg", rendered.frame.image, JPEG_PARAMETERS)
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return data.tobytes()


def write_dataset(
    scenario: Scenario,
    out: Path,
    label_format: str,
    frames: int,
    sensors: tuple[str, ...] = SENSORS,
    seed: int = 0,
    command: str | None = None,
    progress: bool = False,
) -> DatasetSummary:
    """Render ``frames`` labelled frames of ``scenario`` and write them to ``out`` in ``label_format``
    (``yolo`` or ``coco``), with ``truth.csv``, ``images.csv``, ``scenario.yaml`` and the card; replaces
    ``out`` (the caller decides whether it may). ``command``: the command line the card records."""
    label_format = check_request(frames, sensors, label_format)
    out = Path(out)
    parent = out.resolve().parent
    if not parent.is_dir():
        raise DatasetError(f"--out: folder {parent} does not exist")
    geometry = ZoneGeometry(scenario)
    plan = plan_dataset(scenario, geometry, frames, sensors)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=parent))
    try:
        images = _write_frames(staging, scenario, geometry, plan, seed, label_format, progress)
        if label_format is LabelFormat.YOLO:
            (staging / "data.yaml").write_text(yolo_data_yaml(), encoding="utf-8")
        else:
            document = coco_document(images, scenario.name, seed)
            # Compact, as COCO's own annotation files are.
            (staging / COCO_FILE).write_text(
                json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8"
            )
        write_tables(staging, images)
        (staging / "scenario.yaml").write_text(scenario_to_yaml(scenario), encoding="utf-8")
        facts = CardFacts(scenario.name, seed, label_format, command, scenario.detection.analysis_width)
        (staging / "README.md").write_text(dataset_card(facts, plan, images), encoding="utf-8")
        replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    train = sum(image.clip.split is Split.TRAIN for image in images)
    boxes = sum(len(image.labels) for image in images)
    return DatasetSummary(out, len(images), boxes, train, len(images) - train)


def _write_frames(
    staging: Path,
    scenario: Scenario,
    geometry: ZoneGeometry,
    plan: DatasetPlan,
    seed: int,
    label_format: LabelFormat,
    progress: bool,
) -> list[ImageRecord]:
    """Render and write every image (and, for YOLO, its label file); their records in plan order."""
    folders = ["images"] + (["labels"] if label_format is LabelFormat.YOLO else [])
    for folder in folders:
        for split in Split:
            (staging / folder / split).mkdir(parents=True)
    images = []
    bar = tqdm(total=plan.frames, unit="frame", desc="dataset", disable=not progress, leave=False)
    for rendered in render_frames(scenario, geometry, plan, seed):
        record = image_record(rendered)
        (staging / record.name).write_bytes(encode_image(rendered))
        if label_format is LabelFormat.YOLO:
            lines = [
                yolo_line(b.class_index, b.box, record.width, record.height) + "\n" for b in record.labels
            ]
            label = (staging / "labels" / record.name.removeprefix("images/")).with_suffix(".txt")
            label.write_text("".join(lines), encoding="utf-8")
        images.append(record)
        bar.update()
    bar.close()
    return sorted(images, key=lambda image: image.index)


def coco_document(images: list[ImageRecord], scenario_name: str, seed: int) -> dict:
    """One COCO instances document of every image (ids in plan order from 1); each image entry also names
    its ``split``, ``clip`` and conditions (COCO tools ignore keys they do not know)."""
    entries, annotations = [], []
    for image in images:
        split, clip, camera, light, weather, sensor, infrared = image.conditions
        entries.append(
            {
                "id": image.index + 1,
                "file_name": image.name,
                "width": image.width,
                "height": image.height,
                "split": split,
                "clip": clip,
                "camera": camera,
                "light": light,
                "weather": weather,
                "sensor": sensor,
                "infrared": infrared,
            }
        )
        for b in image.labels:
            annotations.append(coco_annotation(len(annotations) + 1, image.index + 1, b.class_index, b.box))
    info = {"description": f"labelled frames of the scenario {scenario_name}, seed {seed}", "version": "1"}
    return {"info": info, "images": entries, "annotations": annotations, "categories": coco_categories()}
