"""A user's ONNX object detector (YOLO-style output) run through ``cv2.dnn``.

:class:`OnnxDetector` (registered as ``"onnx"``) loads a detection model
exported to ONNX, feeds it each frame and turns its raw output into
:class:`~detectors.base.Detections` of this project's classes.

Pipeline, per frame
-------------------
1. :func:`~detectors.base.check_frame` (H x W x 3 uint8 BGR, the camera's size).
2. Preprocessing, as Ultralytics does it: *letterbox* (scale the frame by one
   factor so it fits ``input_size``, centre it and pad with grey 114) or a plain
   stretch to ``input_size``; BGR -> RGB when ``swap_rb``; values / 255; NCHW
   float32 blob of shape (1, 3, input height, input width).
3. One forward pass; the first output of the network is parsed (below).
4. Per candidate box: the best class (argmax over *all* the model's classes)
   and its score; kept when the score is strictly above
   ``confidence_threshold`` and the class is in ``class_map`` (a box whose best
   class is unmapped is dropped, it does not fall back to its second best).
5. Class-aware non-maximum suppression (``cv2.dnn.NMSBoxesBatched``), per
   *mapped* class: two model classes mapped to the same :class:`ClassId`
   suppress each other. A box is removed when its IoU with a higher-scoring box
   of its class is above ``nms_threshold``.
6. Boxes mapped from network-input pixels back to frame pixels (inverse of the
   letterbox or stretch), clipped to the frame ``[0, W] x [0, H]``; boxes left
   with no area (entirely in the padding) are dropped. Output is sorted by
   confidence, highest first; ``tracker_id`` is -1.

Units: boxes are ``x0, y0, x1, y1`` in frame pixels (continuous coordinates,
pixel ``i`` spans ``[i, i + 1)``); scores are in [0, 1].

YOLO output conventions
-----------------------
Ultralytics' ONNX exports (https://docs.ultralytics.com/modes/export/ ,
https://docs.ultralytics.com/integrations/onnx/) produce one detection tensor
whose boxes are ``cx, cy, w, h`` in *pixels of the network input* and whose
scores are already passed through a sigmoid (in [0, 1]):

* **YOLOv8 / YOLO11** ("yolov8"): shape ``(1, 4 + n_classes, N)``, e.g.
  ``(1, 84, 8400)`` for COCO at 640: rows ``cx, cy, w, h`` then one score row per
  class; no objectness. Box score = its best class score.
* **YOLOv5** ("yolov5"): shape ``(1, N, 5 + n_classes)``, e.g.
  ``(1, 25200, 85)``: columns ``cx, cy, w, h, objectness`` then one score per
  class. Box score = objectness x class score.

Layout rule (``layout="auto"``): the output must be 3-D with batch 1; the
*attribute* axis is the shorter of the last two (a model has far more candidate
boxes than classes - the rule Ultralytics' own OpenCV C++ example uses):
``shape[1] < shape[2]`` -> yolov8, ``shape[1] > shape[2]`` -> yolov5, equal ->
ambiguous, an error asking for an explicit ``layout``. The attribute count must
leave at least one class (>= 5 for yolov8, >= 6 for yolov5). Any other shape is
refused with an error naming it. ``layout="yolov8"`` / ``"yolov5"`` skips the
guess (for toy models with fewer boxes than attributes) but still checks the
shape.

Not supported (they have other outputs): segmentation / pose exports (extra
mask or keypoint columns would be read as classes), NMS-free end-to-end
exports such as YOLOv10 or ``nms=True`` (``(1, 300, 6)`` of ``x0, y0, x1, y1,
score, class``).

The constructor loads the model and runs it once on a grey frame, so a model
that does not run at ``input_size``, an output shape that fits neither layout
or a ``class_map`` index beyond the model's classes fail at construction, not
silently at the first frame. A ``cv2.dnn`` net is not thread-safe: use one
detector per thread.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path

import cv2
import numpy as np

from detectors.base import ClassId, Detections, FrameContext, check_frame

LAYOUTS = ("auto", "yolov8", "yolov5")
"""Valid values of ``OnnxDetector(layout=...)``."""

PAD_VALUE = 114
"""Grey level of the letterbox padding (Ultralytics' default)."""

_SCORE_TOLERANCE = 1e-4
"""Scores this far outside [0, 1] are float rounding and clipped; further out is an error."""


def _check_unit_interval(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be in [0, 1], got {value}")
    return value


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _check_input_size(value: object) -> tuple[int, int]:
    message = f"input_size must be (width, height) of two positive integers (pixels), got {value!r}"
    if isinstance(value, str | bytes) or not hasattr(value, "__len__") or len(value) != 2:
        raise ValueError(message)
    size = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | np.integer) or item <= 0:
            raise ValueError(message)
        size.append(int(item))
    return size[0], size[1]


def _check_class_map(value: object) -> dict[int, ClassId]:
    valid = ", ".join(c.label for c in ClassId)
    if not isinstance(value, Mapping) or not value:
        raise ValueError(
            "class_map must be a non-empty dict {model class index: class name} "
            f"(names: {valid}), got {value!r}"
        )
    by_label = {c.label: c for c in ClassId}
    mapping: dict[int, ClassId] = {}
    for key, name in value.items():
        index = key
        if isinstance(key, str) and key.strip().isdigit():  # JSON object keys are strings
            index = int(key)
        if isinstance(index, bool) or not isinstance(index, int | np.integer) or index < 0:
            raise ValueError(f"class_map keys must be model class indices (integers >= 0), got {key!r}")
        if isinstance(name, ClassId):
            mapped = name
        elif isinstance(name, str) and name.strip().lower() in by_label:
            mapped = by_label[name.strip().lower()]
        else:
            raise ValueError(f"class_map[{key!r}] = {name!r} is not a class name (valid: {valid})")
        if int(index) in mapping:
            raise ValueError(f"class_map gives model class {int(index)} twice")
        mapping[int(index)] = mapped
    return mapping


def _load_net(model_path: object) -> tuple[Path, cv2.dnn.Net]:
    if isinstance(model_path, bytes) or not isinstance(model_path, str | os.PathLike):
        raise ValueError(f"model_path must be a path (str or Path) to an .onnx file, got {model_path!r}")
    path = Path(model_path)
    if not path.exists():
        raise FileNotFoundError(f"model file not found: {path}")
    if not path.is_file():
        raise ValueError(f"model_path is not a file: {path}")
    # Read the bytes in Python (any path Python can open works, whatever its characters) and let
    # cv2.dnn parse the buffer; every parse failure is a cv2.error.
    data = np.frombuffer(path.read_bytes(), dtype=np.uint8)
    if data.size == 0:
        raise ValueError(f"not a readable ONNX model: {path} (the file is empty)")
    try:
        net = cv2.dnn.readNetFromONNX(data)
    except cv2.error as error:
        raise ValueError(f"not a readable ONNX model: {path} ({_cv_message(error)})") from None
    if net.empty():
        raise ValueError(f"not a readable ONNX model: {path} (cv2.dnn returned an empty network)")
    return path, net


def _cv_message(error: cv2.error) -> str:
    """The useful part of a cv2.error: ``... error: (-210:...) Failed to parse ... in function 'x'``."""
    text = str(error).strip()
    return text.split(" error: ", 1)[-1] if " error: " in text else text


def resolve_layout(shape: tuple[int, ...], layout: str = "auto") -> tuple[str, int]:
    """The layout (``"yolov8"`` or ``"yolov5"``) and class count of a model output of ``shape``.

    Raises ValueError, naming the shape, when it fits neither layout (see the module docstring).
    """
    shape = tuple(int(s) for s in shape)
    expected = "YOLOv8 (1, 4 + classes, boxes) or YOLOv5 (1, boxes, 5 + classes)"
    if len(shape) != 3 or shape[0] != 1:
        raise ValueError(f"model output shape {shape} fits neither {expected}: expected 3-D with batch 1")
    rows, cols = shape[1], shape[2]
    if layout == "auto":
        if rows == cols:
            raise ValueError(
                f"model output shape {shape} is ambiguous (as many boxes as attributes); "
                "pass layout='yolov8' or layout='yolov5'"
            )
        layout = "yolov8" if rows < cols else "yolov5"
    if layout == "yolov8":
        if rows < 5:
            raise ValueError(
                f"model output shape {shape} fits neither {expected}: as yolov8 it has {rows} rows, "
                "needs >= 5 (cx, cy, w, h and at least one class)"
            )
        return layout, rows - 4
    if layout == "yolov5":
        if cols < 6:
            raise ValueError(
                f"model output shape {shape} fits neither {expected}: as yolov5 it has {cols} columns, "
                "needs >= 6 (cx, cy, w, h, objectness and at least one class)"
            )
        return layout, cols - 5
    raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")


def parse_output(output: np.ndarray, layout: str = "auto") -> tuple[np.ndarray, np.ndarray]:
    """Boxes ``(N, 4)`` ``cx, cy, w, h`` (network-input pixels) and scores ``(N, n_classes)`` in [0, 1].

    YOLOv5 scores are objectness x class score. Raises ValueError for an unknown shape, non-finite
    values or scores outside [0, 1] (a model without its final sigmoid).
    """
    output = np.asarray(output)
    layout, _ = resolve_layout(output.shape, layout)
    table = output[0].T if layout == "yolov8" else output[0]
    table = table.astype(np.float32, copy=False)
    if not np.isfinite(table).all():
        raise ValueError("model output contains NaN or infinite values")
    boxes = table[:, :4]
    if layout == "yolov8":
        scores = table[:, 4:]
        raw = scores
    else:
        raw = table[:, 4:]
        scores = table[:, 4:5] * table[:, 5:]
    if raw.size and (raw.min() < -_SCORE_TOLERANCE or raw.max() > 1 + _SCORE_TOLERANCE):
        raise ValueError(
            f"model scores span [{raw.min():.3g}, {raw.max():.3g}], expected [0, 1] "
            "(was the model exported without its final sigmoid?)"
        )
    return boxes, np.clip(scores, 0.0, 1.0)


class OnnxDetector:
    """A YOLO-style ONNX detection model run through ``cv2.dnn`` (see the module docstring).

    Parameters
    ----------
    model_path:
        The ``.onnx`` file. Missing -> FileNotFoundError; not loadable by ``cv2.dnn`` -> ValueError.
    class_map:
        ``{model class index: class name}`` with names of :class:`ClassId` (``"swimmer"``,
        ``"fisher"``, ...; case-insensitive; ClassId members accepted). Boxes whose best class is
        not in the map are dropped. E.g. a COCO model: ``{0: "swimmer", 14: "bird", 8: "boat"}``.
    input_size:
        ``(width, height)`` of the network input, pixels (the export's ``imgsz``).
    confidence_threshold:
        Keep boxes whose score is strictly above this, in [0, 1].
    nms_threshold:
        IoU in [0, 1] above which the lower-scoring of two same-class boxes is removed.
    swap_rb:
        Convert the BGR frame to RGB (Ultralytics models are trained on RGB).
    letterbox:
        Keep the aspect ratio and pad (Ultralytics' preprocessing); False stretches the frame.
    layout:
        ``"auto"`` (guess from the output shape), ``"yolov8"`` or ``"yolov5"``.
    """

    def __init__(
        self,
        model_path: str | os.PathLike,
        *,
        class_map: Mapping[int, str | ClassId],
        input_size: tuple[int, int] = (640, 640),
        confidence_threshold: float = 0.25,
        nms_threshold: float = 0.45,
        swap_rb: bool = True,
        letterbox: bool = True,
        layout: str = "auto",
    ) -> None:
        self.input_size = _check_input_size(input_size)
        self.class_map = _check_class_map(class_map)
        self.confidence_threshold = _check_unit_interval("confidence_threshold", confidence_threshold)
        self.nms_threshold = _check_unit_interval("nms_threshold", nms_threshold)
        self.swap_rb = _check_bool("swap_rb", swap_rb)
        self.letterbox = _check_bool("letterbox", letterbox)
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
        self.model_path, self._net = _load_net(model_path)
        self._output_names = list(self._net.getUnconnectedOutLayersNames())

        # One dry run: the model must run at input_size and produce a YOLO output covering class_map.
        width, height = self.input_size
        grey = np.full((height, width, 3), PAD_VALUE, np.uint8)
        output = self._forward(self._blob(grey))
        self.layout, self.n_classes = resolve_layout(output.shape, layout)
        parse_output(output, self.layout)  # NaN or scores outside [0, 1] on a grey frame: not a YOLO export
        beyond = sorted(i for i in self.class_map if i >= self.n_classes)
        if beyond:
            raise ValueError(
                f"class_map index {beyond[0]} is beyond the model's {self.n_classes} classes "
                f"(0..{self.n_classes - 1}; output shape {tuple(output.shape)}, layout {self.layout})"
            )
        # Lookup model class -> ClassId value, -1 for unmapped classes.
        self._class_lookup = np.full(self.n_classes, -1, np.int64)
        for index, class_id in self.class_map.items():
            self._class_lookup[index] = int(class_id)

    def __repr__(self) -> str:
        names = {i: c.label for i, c in sorted(self.class_map.items())}
        return (
            f"OnnxDetector({str(self.model_path)!r}, class_map={names}, input_size={self.input_size}, "
            f"confidence_threshold={self.confidence_threshold}, nms_threshold={self.nms_threshold}, "
            f"swap_rb={self.swap_rb}, letterbox={self.letterbox}, layout={self.layout!r})"
        )

    def reset(self) -> None:
        """Nothing to forget: each frame is detected on its own."""

    def update(self, frame: np.ndarray, t: float, context: FrameContext) -> Detections:
        """Detections in ``frame`` (H x W x 3 uint8, BGR); ``t`` (s) is not used."""
        check_frame(frame, context)
        blob, transform = self.preprocess(frame)
        boxes, scores = parse_output(self._forward(blob), self.layout)
        return self._postprocess(boxes, scores, transform, frame.shape[:2])

    # Steps, public for tests and debugging.

    def preprocess(self, frame: np.ndarray) -> tuple[np.ndarray, tuple[float, float, float, float]]:
        """The network input blob ``(1, 3, h, w)`` float32 in [0, 1], and the transform
        ``(scale_x, scale_y, offset_x, offset_y)`` with ``input = frame * scale + offset`` (pixels)."""
        frame_h, frame_w = frame.shape[:2]
        width, height = self.input_size
        if not self.letterbox:
            image = frame if (frame_w, frame_h) == (width, height) else cv2.resize(frame, (width, height))
            return self._blob(image), (width / frame_w, height / frame_h, 0.0, 0.0)
        gain = min(width / frame_w, height / frame_h)
        new_w = max(1, round(frame_w * gain))
        new_h = max(1, round(frame_h * gain))
        image = frame if (new_w, new_h) == (frame_w, frame_h) else cv2.resize(frame, (new_w, new_h))
        dw, dh = (width - new_w) / 2, (height - new_h) / 2
        # Ultralytics' split of an odd padding: round(d - 0.1) before, round(d + 0.1) after.
        top, left = round(dh - 0.1), round(dw - 0.1)
        bottom, right = height - new_h - top, width - new_w - left
        if top or bottom or left or right:
            image = cv2.copyMakeBorder(
                image, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(PAD_VALUE,) * 3
            )
        return self._blob(image), (new_w / frame_w, new_h / frame_h, float(left), float(top))

    def _blob(self, image: np.ndarray) -> np.ndarray:
        """``image`` already at input_size -> (1, 3, h, w) float32 in [0, 1], RGB when swap_rb."""
        return cv2.dnn.blobFromImage(image, 1.0 / 255.0, self.input_size, swapRB=self.swap_rb, crop=False)

    def _forward(self, blob: np.ndarray) -> np.ndarray:
        try:
            self._net.setInput(blob)
            outputs = self._net.forward(self._output_names)
        except cv2.error as error:
            width, height = self.input_size
            raise ValueError(
                f"model {self.model_path} failed on a 1x3x{height}x{width} input "
                f"(does input_size={self.input_size} match the model?): {_cv_message(error)}"
            ) from None
        return np.asarray(outputs[0])

    def _postprocess(
        self,
        boxes: np.ndarray,
        scores: np.ndarray,
        transform: tuple[float, float, float, float],
        frame_shape: tuple[int, int],
    ) -> Detections:
        if not len(boxes):
            return Detections.empty()
        best = scores.argmax(axis=1)
        confidence = scores[np.arange(len(scores)), best]
        class_id = self._class_lookup[best]
        keep = (confidence > self.confidence_threshold) & (class_id >= 0)
        if not keep.any():
            return Detections.empty()
        boxes, confidence, class_id = boxes[keep].astype(np.float64), confidence[keep], class_id[keep]

        # NMS in network-input pixels (IoU does not change under the per-axis scale and shift back).
        xywh = np.column_stack([boxes[:, :2] - boxes[:, 2:] / 2, boxes[:, 2:]])
        kept = cv2.dnn.NMSBoxesBatched(
            xywh,
            confidence.astype(np.float32),
            class_id.astype(np.int32),
            self.confidence_threshold,
            self.nms_threshold,
        )
        kept = np.asarray(kept, dtype=np.int64).reshape(-1)  # an empty result is a tuple ()
        if not kept.size:
            return Detections.empty()
        kept = kept[np.argsort(-confidence[kept], kind="stable")]
        xyxy = np.column_stack([xywh[kept, :2], xywh[kept, :2] + xywh[kept, 2:]])

        scale_x, scale_y, offset_x, offset_y = transform
        frame_h, frame_w = frame_shape
        xyxy[:, [0, 2]] = np.clip((xyxy[:, [0, 2]] - offset_x) / scale_x, 0.0, frame_w)
        xyxy[:, [1, 3]] = np.clip((xyxy[:, [1, 3]] - offset_y) / scale_y, 0.0, frame_h)
        area = (xyxy[:, 2] > xyxy[:, 0]) & (xyxy[:, 3] > xyxy[:, 1])
        return Detections(xyxy[area], confidence[kept][area], class_id[kept][area])
