"""detectors.dnn: a YOLO-style ONNX model run through cv2.dnn.

The models are built here with the ``onnx`` helper API and saved to tmp_path
(no downloads): the graph consumes its input (sum of the image x 0) and adds a
constant table, so its output is a known YOLOv8 or YOLOv5 tensor whatever the
frame. Expected boxes are computed by hand below.

Frame 320 x 180, network input 64 x 64, letterbox: scale 0.2, the frame becomes
64 x 36 and is padded by 14 rows above and below, so a network-input point
(x, y) is the frame point (x / 0.2, (y - 14) / 0.2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detectors.base import ClassId, Detections, FrameContext
from detectors.dnn import OnnxDetector, parse_output, resolve_layout
from detectors.registry import DETECTORS, create_detector
from tests.helpers.onnx_models import write_constant_model


@pytest.fixture(autouse=True)
def _onnx():
    """Skip when the test extra 'onnx' (it builds the tiny models) is missing; imported when a test runs,
    not when the suite is collected (about 0.7 s of every pytest-xdist worker's start)."""
    pytest.importorskip("onnx", reason="the test extra 'onnx' builds the tiny models")


WIDTH, HEIGHT = 320, 180
INPUT = (64, 64)
CLASS_MAP = {0: "swimmer", 1: "fisher"}  # model class 2 is unmapped
N_CLASSES = 3
N_BOXES = 12  # more boxes than attributes, so layout="auto" can tell the layouts apart

# Candidate boxes in network-input pixels: (cx, cy, w, h), model class scores.
BOXES = {
    # A: swimmer 0.9 -> input xyxy (12, 21, 20, 27) -> frame (60, 35, 100, 65).
    "A": ((16, 24, 8, 6), (0.9, 0.0, 0.0)),
    # B: fisher 0.8 -> input (35, 36, 45, 44) -> frame (175, 110, 225, 150).
    "B": ((40, 40, 10, 8), (0.0, 0.8, 0.0)),
    # C: duplicate of A shifted 1 px, IoU 42/54 = 0.78 > 0.45 -> removed by NMS.
    "C": ((17, 24, 8, 6), (0.7, 0.0, 0.0)),
    # D: swimmer 0.2 < 0.25 -> removed by the confidence threshold.
    "D": ((50, 24, 6, 6), (0.2, 0.0, 0.0)),
    # E: best class 2 (unmapped) -> dropped, although its swimmer score 0.4 passes the threshold.
    "E": ((30, 30, 6, 6), (0.4, 0.0, 0.95)),
    # F: fisher 0.6, input (55, 12, 65, 20) -> frame (275, -10, 325, 30), clipped to (275, 0, 320, 30).
    "F": ((60, 16, 10, 8), (0.0, 0.6, 0.0)),
    # G: same box as A but fisher 0.5: another class, so A does not suppress it.
    "G": ((16, 24, 8, 6), (0.0, 0.5, 0.0)),
    # H: swimmer 0.85 inside the top padding, input y 3..7 -> frame y -55..-35: no area left, dropped.
    "H": ((32, 5, 6, 4), (0.85, 0.0, 0.0)),
}

EXPECTED = [  # (frame xyxy, confidence, class), highest confidence first
    ((60, 35, 100, 65), 0.9, ClassId.SWIMMER),
    ((175, 110, 225, 150), 0.8, ClassId.FISHER),
    ((275, 0, 320, 30), 0.6, ClassId.FISHER),
    ((60, 35, 100, 65), 0.5, ClassId.FISHER),
]


def write_model(path: Path, output: np.ndarray, input_size: tuple[int, int] = INPUT) -> Path:
    """An ONNX model (opset 17) whose output is ``output`` for any (1, 3, h, w) input."""
    return write_constant_model(path, output, input_size)


def yolov8_output(boxes: dict = BOXES) -> np.ndarray:
    """(1, 4 + classes, N): rows cx, cy, w, h, class scores; unused columns are zero boxes."""
    table = np.zeros((N_BOXES, 4 + N_CLASSES), np.float32)
    for row, (xywh, scores) in enumerate(boxes.values()):
        table[row] = [*xywh, *scores]
    return table.T[None]


def yolov5_output(boxes: dict) -> np.ndarray:
    """(1, N, 5 + classes): columns cx, cy, w, h, objectness, class scores."""
    table = np.zeros((N_BOXES, 5 + N_CLASSES), np.float32)
    for row, (xywh, objectness, scores) in enumerate(boxes.values()):
        table[row] = [*xywh, objectness, *scores]
    return table[None]


@pytest.fixture
def context() -> FrameContext:
    mask = np.zeros((HEIGHT, WIDTH), bool)
    return FrameContext(mask, mask, mask, mask, np.zeros(HEIGHT), fps=10.0)


@pytest.fixture
def frame() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)


@pytest.fixture
def v8_model(tmp_path: Path) -> Path:
    return write_model(tmp_path / "yolov8.onnx", yolov8_output())


def assert_detections(detections: Detections, expected: list) -> None:
    assert len(detections) == len(expected), detections
    for row, (xyxy, confidence, class_id) in enumerate(expected):
        np.testing.assert_allclose(detections.xyxy[row], xyxy, atol=1e-4)
        assert detections.confidence[row] == pytest.approx(confidence, abs=1e-6)
        assert detections.class_id[row] == class_id
    assert (detections.tracker_id == -1).all()


# Output parsing, in frame coordinates.


def test_yolov8_boxes_in_frame_coordinates(v8_model, frame, context):
    detector = OnnxDetector(v8_model, class_map=CLASS_MAP, input_size=INPUT)
    assert (detector.layout, detector.n_classes) == ("yolov8", 3)
    assert_detections(detector.update(frame, 0.0, context), EXPECTED)


def test_yolov5_objectness_times_class_score(tmp_path, frame, context):
    boxes = {  # (cx, cy, w, h), objectness, class scores
        "A": ((16, 24, 8, 6), 0.96, (0.9375, 0.1, 0.0)),  # swimmer 0.96 x 0.9375 = 0.9
        "B": ((40, 40, 10, 8), 0.8, (0.0, 1.0, 0.2)),  # fisher 0.8
        "C": ((17, 24, 8, 6), 0.875, (0.8, 0.0, 0.0)),  # swimmer 0.7, duplicate of A -> NMS
        "D": ((50, 24, 6, 6), 0.5, (0.4, 0.0, 0.0)),  # 0.5 x 0.4 = 0.2: both parts pass, the product not
        "E": ((30, 30, 6, 6), 1.0, (0.4, 0.0, 0.95)),  # best class unmapped
        "F": ((60, 16, 10, 8), 0.75, (0.0, 0.8, 0.0)),  # fisher 0.6, clipped
        "G": ((16, 24, 8, 6), 0.625, (0.0, 0.8, 0.0)),  # fisher 0.5 over A
        "H": ((32, 5, 6, 4), 0.85, (1.0, 0.0, 0.0)),  # in the padding
    }
    path = write_model(tmp_path / "yolov5.onnx", yolov5_output(boxes))
    detector = OnnxDetector(path, class_map=CLASS_MAP, input_size=INPUT)
    assert (detector.layout, detector.n_classes) == ("yolov5", 3)
    assert_detections(detector.update(frame, 0.0, context), EXPECTED)


def test_stretch_instead_of_letterbox(v8_model, frame, context):
    """letterbox=False: x scales by 320/64 = 5, y by 180/64 = 2.8125, and nothing is padding."""
    detector = OnnxDetector(v8_model, class_map=CLASS_MAP, input_size=INPUT, letterbox=False)
    y = 180 / 64
    assert_detections(
        detector.update(frame, 0.0, context),
        [
            ((60, 21 * y, 100, 27 * y), 0.9, ClassId.SWIMMER),
            ((145, 3 * y, 175, 7 * y), 0.85, ClassId.SWIMMER),  # H is now inside the picture
            ((175, 36 * y, 225, 44 * y), 0.8, ClassId.FISHER),
            ((275, 12 * y, 320, 20 * y), 0.6, ClassId.FISHER),
            ((60, 21 * y, 100, 27 * y), 0.5, ClassId.FISHER),
        ],
    )


def test_thresholds_change_the_result(v8_model, frame, context):
    loose = OnnxDetector(
        v8_model, class_map=CLASS_MAP, input_size=INPUT, confidence_threshold=0.1, nms_threshold=0.9
    )
    result = loose.update(frame, 0.0, context)
    # C (IoU 0.78 < 0.9) survives NMS and D (0.2 > 0.1) the threshold.
    np.testing.assert_allclose(result.confidence, [0.9, 0.8, 0.7, 0.6, 0.5, 0.2], atol=1e-6)
    strict = OnnxDetector(v8_model, class_map=CLASS_MAP, input_size=INPUT, confidence_threshold=0.7)
    np.testing.assert_allclose(strict.update(frame, 0.0, context).confidence, [0.9, 0.8], atol=1e-6)


def test_classes_mapped_together_suppress_each_other(v8_model, frame, context):
    """NMS is per mapped class: with model classes 0 and 1 both swimmers, A removes G."""
    detector = OnnxDetector(v8_model, class_map={0: "swimmer", 1: "SWIMMER"}, input_size=INPUT)
    result = detector.update(frame, 0.0, context)
    np.testing.assert_allclose(result.confidence, [0.9, 0.8, 0.6], atol=1e-6)
    assert (result.class_id == ClassId.SWIMMER).all()


def test_class_map_accepts_class_ids_and_string_keys(v8_model, frame, context):
    detector = OnnxDetector(v8_model, class_map={"0": ClassId.SWIMMER, 1: "fisher"}, input_size=INPUT)
    assert detector.class_map == {0: ClassId.SWIMMER, 1: ClassId.FISHER}
    assert_detections(detector.update(frame, 0.0, context), EXPECTED)


def test_reset_and_repeat_give_the_same_result(v8_model, frame, context):
    detector = OnnxDetector(v8_model, class_map=CLASS_MAP, input_size=INPUT)
    first = detector.update(frame, 0.0, context)
    detector.reset()
    second = detector.update(frame, 0.1, context)
    np.testing.assert_array_equal(first.xyxy, second.xyxy)
    np.testing.assert_array_equal(first.class_id, second.class_id)


def test_explicit_layout_for_a_model_with_few_boxes(tmp_path, frame, context):
    """(1, 7, 3): three boxes, fewer than the 7 attributes, so only an explicit layout reads it."""
    table = np.array([[16, 24, 8, 6, 0.9, 0, 0], [40, 40, 10, 8, 0, 0.8, 0], [0, 0, 0, 0, 0, 0, 0]])
    path = write_model(tmp_path / "few.onnx", table.T[None])
    with pytest.raises(ValueError, match=r"as yolov5 it has 3 columns, needs >= 6"):
        OnnxDetector(path, class_map=CLASS_MAP, input_size=INPUT)
    detector = OnnxDetector(path, class_map=CLASS_MAP, input_size=INPUT, layout="yolov8")
    assert_detections(detector.update(frame, 0.0, context), EXPECTED[:2])


def test_preprocess_letterbox_and_channel_order(v8_model):
    frame = np.empty((185, 320, 3), np.uint8)  # 64 x 37 after scaling: padding 13.5 splits 13 / 14
    frame[:] = (10, 20, 30)  # BGR
    detector = OnnxDetector(v8_model, class_map=CLASS_MAP, input_size=INPUT)
    blob, transform = detector.preprocess(frame)
    assert blob.shape == (1, 3, 64, 64) and blob.dtype == np.float32
    assert transform == pytest.approx((0.2, 0.2, 0.0, 13.0))
    rgb = np.broadcast_to(np.array([30, 20, 10])[:, None, None] / 255, (3, 37, 64))
    np.testing.assert_allclose(blob[0, :, 13:50], rgb, atol=1e-6)
    np.testing.assert_allclose(blob[0, :, :13], 114 / 255, atol=1e-6)
    np.testing.assert_allclose(blob[0, :, 50:], 114 / 255, atol=1e-6)
    bgr = OnnxDetector(v8_model, class_map=CLASS_MAP, input_size=INPUT, swap_rb=False)
    np.testing.assert_allclose(
        bgr.preprocess(frame)[0][0, :, 30, 30], np.array([10, 20, 30]) / 255, atol=1e-6
    )


def test_resolve_layout_rule():
    assert resolve_layout((1, 84, 8400)) == ("yolov8", 80)
    assert resolve_layout((1, 25200, 85)) == ("yolov5", 80)
    assert resolve_layout((1, 5, 100)) == ("yolov8", 1)
    assert resolve_layout((1, 100, 6)) == ("yolov5", 1)
    boxes, scores = parse_output(np.array([[[10, 12, 4, 6, 0.5, 0.8]]]), "yolov5")  # (1, 1, 6)
    np.testing.assert_allclose(boxes, [[10, 12, 4, 6]])
    np.testing.assert_allclose(scores, [[0.4]])


# The registry.


def test_create_detector_by_name(v8_model, frame, context):
    assert DETECTORS["onnx"] is OnnxDetector
    detector = create_detector(
        "onnx", model_path=str(v8_model), class_map=CLASS_MAP, input_size=INPUT, confidence_threshold=0.25
    )
    assert isinstance(detector, OnnxDetector)
    assert_detections(detector.update(frame, 0.0, context), EXPECTED)
    with pytest.raises(
        ValueError, match=r"detector 'onnx' has no parameter 'iou_threshold' \(valid: model_path"
    ):
        create_detector("onnx", model_path=v8_model, class_map=CLASS_MAP, iou_threshold=0.5)


# Bad input: a clear error, never a silent run with zero detections.


def test_missing_model_file(tmp_path):
    path = tmp_path / "nowhere" / "yolo.onnx"
    with pytest.raises(FileNotFoundError, match=r"model file not found: .*nowhere.*yolo\.onnx"):
        OnnxDetector(path, class_map=CLASS_MAP)


@pytest.mark.parametrize(
    "content",
    [b"this is a text file, not a model\n", b"", bytes(range(256)) * 4],
    ids=["text", "empty", "bytes"],
)
def test_file_that_is_not_onnx(tmp_path, content):
    path = tmp_path / "model.onnx"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"not a readable ONNX model: .*model\.onnx"):
        OnnxDetector(path, class_map=CLASS_MAP)


def test_model_path_that_is_a_directory_or_not_a_path(tmp_path):
    with pytest.raises(ValueError, match=r"model_path is not a file"):
        OnnxDetector(tmp_path, class_map=CLASS_MAP)
    with pytest.raises(ValueError, match=r"model_path must be a path"):
        OnnxDetector(None, class_map=CLASS_MAP)


@pytest.mark.parametrize("name", ["confidence_threshold", "nms_threshold"])
@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan"), "0.5", True, None])
def test_thresholds_outside_unit_interval(v8_model, name, value):
    with pytest.raises(ValueError, match=rf"{name} must be (a number )?in \[0, 1\]"):
        OnnxDetector(v8_model, class_map=CLASS_MAP, input_size=INPUT, **{name: value})


# D and C of BOXES in frame coordinates, for thresholds at the bounds of [0, 1].
D_KEPT = ((235, 35, 265, 65), 0.2, ClassId.SWIMMER)
C_KEPT = ((65, 35, 105, 65), 0.7, ClassId.SWIMMER)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        # D's 0.2 passes; the zero-score rows and E's unmapped class still do not (strictly above 0).
        ("confidence_threshold", 0.0, [*EXPECTED, D_KEPT]),
        ("confidence_threshold", 1.0, []),  # no score is strictly above 1
        ("nms_threshold", 0.0, EXPECTED),  # boxes that do not overlap at all survive
        ("nms_threshold", 1.0, [*EXPECTED[:2], C_KEPT, *EXPECTED[2:]]),  # C's IoU 0.78 with A is not > 1
    ],
)
def test_threshold_bounds_are_allowed(v8_model, frame, context, name, value, expected):
    """0 and 1 are accepted, kept and used: a box is kept when its score is strictly above the confidence
    threshold, and suppressed when its IoU with a better box of its class is strictly above the NMS one."""
    detector = OnnxDetector(v8_model, class_map=CLASS_MAP, input_size=INPUT, **{name: value})
    assert getattr(detector, name) == value
    assert_detections(detector.update(frame, 0.0, context), expected)


@pytest.mark.parametrize(
    ("class_map", "message"),
    [
        (
            {0: "swimmmer"},
            r"class_map\[0\] = 'swimmmer' is not a class name \(valid: swimmer, fisher, walker",
        ),
        ({0: 3}, r"class_map\[0\] = 3 is not a class name"),
        ({-1: "swimmer"}, r"class_map keys must be model class indices \(integers >= 0\), got -1"),
        ({"person": "swimmer"}, r"class_map keys must be model class indices"),
        ({}, r"class_map must be a non-empty dict"),
        (["swimmer"], r"class_map must be a non-empty dict"),
        ({0: "swimmer", "0": "fisher"}, r"class_map gives model class 0 twice"),
        ({5: "boat"}, r"class_map index 5 is beyond the model's 3 classes \(0\.\.2"),
    ],
)
def test_bad_class_map(v8_model, class_map, message):
    with pytest.raises(ValueError, match=message):
        OnnxDetector(v8_model, class_map=class_map, input_size=INPUT)


@pytest.mark.parametrize(
    ("keyword", "value", "message"),
    [
        ("input_size", (0, 64), r"input_size must be \(width, height\) of two positive integers"),
        ("input_size", (64,), r"input_size must be \(width, height\)"),
        ("input_size", (64.0, 64.0), r"input_size must be \(width, height\)"),
        ("input_size", "640", r"input_size must be \(width, height\)"),
        ("swap_rb", "yes", r"swap_rb must be True or False, got 'yes'"),
        ("letterbox", 1, r"letterbox must be True or False, got 1"),
        ("layout", "yolov9", r"layout must be one of auto, yolov8, yolov5, got 'yolov9'"),
    ],
)
def test_bad_arguments(v8_model, keyword, value, message):
    arguments = {"class_map": CLASS_MAP, "input_size": INPUT, keyword: value}
    with pytest.raises(ValueError, match=message):
        OnnxDetector(v8_model, **arguments)


@pytest.mark.parametrize(
    ("bad_frame", "message"),
    [
        (np.zeros((0, 0, 3), np.uint8), r"frame is empty"),
        (None, r"frame is empty"),
        (np.zeros((HEIGHT, WIDTH, 3), np.float32), r"frame must be uint8, got float32"),
        (np.zeros((HEIGHT, WIDTH), np.uint8), r"frame must be H x W x 3 \(BGR\)"),
        (np.zeros((HEIGHT, WIDTH, 4), np.uint8), r"frame must be H x W x 3 \(BGR\)"),
        (np.zeros((HEIGHT, 200, 3), np.uint8), r"frame is 200x180, the camera's context 320x180"),
    ],
    ids=["empty", "none", "float", "2-D", "BGRA", "size"],
)
def test_bad_frames(v8_model, context, bad_frame, message):
    detector = OnnxDetector(v8_model, class_map=CLASS_MAP, input_size=INPUT)
    with pytest.raises(ValueError, match=message):
        detector.update(bad_frame, 0.0, context)


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        (
            (1, 7, 7),
            r"model output shape \(1, 7, 7\) is ambiguous .* pass layout='yolov8' or layout='yolov5'",
        ),
        ((1, 3, 100), r"model output shape \(1, 3, 100\) fits neither YOLOv8 .*as yolov8 it has 3 rows"),
        ((1, 100, 5), r"model output shape \(1, 100, 5\) fits neither .*as yolov5 it has 5 columns"),
        ((2, 7, 12), r"model output shape \(2, 7, 12\) fits neither .*expected 3-D with batch 1"),
        ((1, 84), r"model output shape \(1, 84\) fits neither .*expected 3-D with batch 1"),
        ((1, 1, 7, 12), r"model output shape \(1, 1, 7, 12\) fits neither"),
    ],
)
def test_output_shape_that_fits_neither_layout(tmp_path, shape, message):
    path = write_model(tmp_path / "odd.onnx", np.zeros(shape, np.float32))
    with pytest.raises(ValueError, match=message):
        OnnxDetector(path, class_map={0: "swimmer"}, input_size=INPUT)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.nan, r"model output contains NaN or infinite values"),
        (3.5, r"model scores span \[0, 3\.5\], expected \[0, 1\] \(was the model exported without its final"),
    ],
)
def test_model_output_values_that_are_not_yolo_scores(tmp_path, value, message):
    output = yolov8_output()
    output[0, 4, 0] = value
    path = write_model(tmp_path / "raw.onnx", output)
    with pytest.raises(ValueError, match=message):
        OnnxDetector(path, class_map=CLASS_MAP, input_size=INPUT)


def test_input_size_the_model_cannot_run(tmp_path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    """A fixed-shape model (1x1 conv, stride 8, reshape to (1, 7, 64)) only runs at 64 x 64."""
    weights = numpy_helper.from_array(np.full((7, 3, 1, 1), 0.01, np.float32), "weights")
    shape = numpy_helper.from_array(np.array([1, 7, 64], np.int64), "shape")
    nodes = [
        helper.make_node("Conv", ["images", "weights"], ["features"], strides=[8, 8]),
        helper.make_node("Sigmoid", ["features"], ["scores"]),
        helper.make_node("Reshape", ["scores", "shape"], ["output0"]),
    ]
    graph = helper.make_graph(
        nodes,
        "conv_yolo",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 64, 64])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 7, 64])],
        [weights, shape],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = tmp_path / "conv.onnx"
    onnx.save(model, str(path))
    assert OnnxDetector(path, class_map=CLASS_MAP, input_size=INPUT).layout == "yolov8"
    with pytest.raises(
        ValueError, match=r"failed on a 1x3x640x640 input \(does input_size=\(640, 640\) match"
    ):
        OnnxDetector(path, class_map=CLASS_MAP)  # the default input_size
