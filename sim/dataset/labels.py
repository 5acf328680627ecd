"""The dataset's classes and its labels in each format: YOLO text lines and one COCO instances document.

Classes are the renderer's actor classes (:class:`sim.render.actors.ActorClass`, in its order: swimmer,
fisher, walker, bird, debris, boat) and ``usv``, the project's own unmanned boat (a boat actor with
``own``; its sprite is the orange USV, not a leisure boat). YOLO class ``i`` is :data:`CLASS_NAMES`
``[i]``; COCO category ``i + 1`` (COCO ids start at 1). The first six indices equal
``detectors.base.ClassId``'s values, so a model trained on the dataset maps back with
``class_map={0: "swimmer", ..., 5: "boat"}`` (``docs/dataset.md``).

Boxes. A :class:`~sim.render.frame.TruthBox` covers pixels ``x0 .. x1 - 1`` and ``y0 .. y1 - 1``: in
continuous image coordinates (pixel ``i`` spans ``[i, i + 1)``, the convention of COCO and YOLO) the box
is ``[x0, x1) × [y0, y1)``, so COCO's ``bbox`` is ``[x0, y0, x1 - x0, y1 - y0]`` and its ``area`` the
box's, w × h (there are no masks). YOLO's line is ``class cx cy w h`` normalised by the image's width and
height, written with :data:`YOLO_DECIMALS` decimals: back to pixels each value is within
``0.5e-10 × size`` of the exact one, so rounding to the nearest integer gives the truth box exactly.
"""

from __future__ import annotations

from sim.render.actors import ActorClass
from sim.render.frame import TruthBox

NOT_IN_DATASET = (ActorClass.WADER, ActorClass.REEDS, ActorClass.GLINT)
"""Actor classes the dataset's scenes do not draw (yet): ``tune``'s lake distractors."""
CLASS_NAMES = (*(c.value for c in ActorClass if c not in NOT_IN_DATASET), "usv")
"""Label classes, by YOLO index (COCO category id = index + 1)."""
USV = CLASS_NAMES.index("usv")
SUPERCATEGORIES = {
    "swimmer": "person",
    "fisher": "person",
    "walker": "person",
    "bird": "animal",
    "debris": "object",
    "boat": "vessel",
    "usv": "vessel",
}
YOLO_DECIMALS = 10


def class_index(box: TruthBox, own: bool) -> int:
    """The label class of a truth box; ``own``: the box is the project's boat."""
    if box.cls is ActorClass.BOAT and own:
        return USV
    return CLASS_NAMES.index(box.cls.value)


def yolo_line(index: int, box: tuple[int, int, int, int], width: int, height: int) -> str:
    """``class cx cy w h`` of a pixel box ``(x0, y0, x1, y1)`` in a ``width`` × ``height`` image."""
    x0, y0, x1, y1 = box
    values = ((x0 + x1) / 2 / width, (y0 + y1) / 2 / height, (x1 - x0) / width, (y1 - y0) / height)
    return " ".join([str(index), *(f"{v:.{YOLO_DECIMALS}f}" for v in values)])


def coco_categories() -> list[dict]:
    return [
        {"id": i + 1, "name": name, "supercategory": SUPERCATEGORIES[name]}
        for i, name in enumerate(CLASS_NAMES)
    ]


def coco_annotation(annotation_id: int, image_id: int, index: int, box: tuple[int, int, int, int]) -> dict:
    """One COCO instance: ``bbox`` ``[x, y, w, h]`` in pixels, ``area`` w × h, ``iscrowd`` 0."""
    x0, y0, x1, y1 = box
    return {
        "id": annotation_id,
        "image_id": image_id,
        "category_id": index + 1,
        "bbox": [x0, y0, x1 - x0, y1 - y0],
        "area": (x1 - x0) * (y1 - y0),
        "iscrowd": 0,
    }


def yolo_data_yaml() -> str:
    """``data.yaml`` of the YOLO layout. No ``path``: Ultralytics then takes the folder of ``data.yaml``,
    so the dataset can be moved."""
    names = "\n".join(f"  {i}: {name}" for i, name in enumerate(CLASS_NAMES))
    return f"train: images/train\nval: images/val\nnc: {len(CLASS_NAMES)}\nnames:\n{names}\n"
