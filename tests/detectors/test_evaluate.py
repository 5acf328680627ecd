"""Detection scoring: matching by hand, metrics against scikit-learn, time to detect, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from detectors.base import ClassId, Detections
from detectors.event_metrics import false_alarms_per_hour, time_to_detect, time_to_detect_summary
from detectors.frame_scoring import FrameScorer
from detectors.matching import match
from detectors.score_curves import average_precision, f1, precision_recall_curve, roc_curve


@pytest.fixture(scope="module")
def metrics():
    """scikit-learn's metrics, imported by the tests that use them: the import costs about 1.5 s, which
    every pytest-xdist worker would otherwise pay while collecting."""
    from sklearn import metrics

    return metrics


TRUTH = np.array([[0.0, 0.0, 10.0, 10.0], [100.0, 100.0, 120.0, 120.0]])


def detections(rows: list[tuple[float, float, float, float, float]], classes: list[int] | None = None):
    """Detections from (x0, y0, x1, y1, confidence) rows; swimmers unless ``classes`` says otherwise."""
    array = np.array(rows, dtype=float).reshape(-1, 5)
    class_id = np.zeros(len(array), np.int64) if classes is None else np.array(classes)
    return Detections(array[:, :4], array[:, 4], class_id)


def scored(seed: int, n: int = 60, ties: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Seeded scores and true-positive labels, true positives scoring higher on average."""
    rng = np.random.default_rng(seed)
    labels = rng.random(n) < 0.4
    scores = np.clip(rng.normal(0.4 + 0.25 * labels, 0.2), 0.0, 1.0)
    if ties:
        scores = np.round(scores, 1)  # many equal scores
    labels[:2] = [True, False]  # both classes present
    return scores, labels


def scorer_from(scores: np.ndarray, labels: np.ndarray, n_missed: int, **kwargs) -> FrameScorer:
    """A FrameScorer fed one frame per detection (on its truth box if labelled, far from it if not),
    then ``n_missed`` frames with a truth object and no detection."""
    scorer = FrameScorer(**kwargs)
    for score, label in zip(scores, labels, strict=True):
        box = TRUTH[0] if label else TRUTH[0] + 500
        scorer.update(detections([(*box, score)]), TRUTH[:1] if label else np.zeros((0, 4)))
    for _ in range(n_missed):
        scorer.update(Detections.empty(), TRUTH[:1])
    return scorer


# ---------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("rows", "expected_truth"),
    [
        ([(0, 0, 10, 10, 0.9), (100, 100, 120, 120, 0.8)], [0, 1]),  # both found
        ([(0, 0, 10, 10, 0.6), (1, 0, 11, 10, 0.9)], [-1, 0]),  # duplicate: the more confident one wins
        ([(0, 0, 10, 10, 0.9), (0, 0, 10, 10, 0.9)], [0, -1]),  # exact duplicate, equal confidence: first
        ([(7, 7, 17, 17, 0.9)], [-1]),  # IoU 9/191 < 0.3: false positive
        ([(0, 0, 10, 14, 0.9)], [0]),  # IoU 100/140 ≥ 0.3: true positive
        ([(500, 500, 510, 510, 0.9)], [-1]),  # nowhere near any truth
        ([], []),  # nothing detected: both truths missed
    ],
)
def test_match_by_hand(rows, expected_truth):
    true_positive, truth_index = match(detections(rows), TRUTH, iou_threshold=0.3)
    assert truth_index.tolist() == expected_truth
    assert true_positive.tolist() == [i >= 0 for i in expected_truth]


def test_match_takes_the_best_unmatched_truth():
    truth = np.array([[0, 0, 10, 10], [4, 0, 14, 10]])
    # the confident detection takes truth 1 (IoU 1); the other, best with truth 1 (IoU 0.82), falls
    # back to truth 0 (IoU 0.54) as in COCO, where PASCAL VOC would count it a false positive
    frame = detections([(3, 0, 13, 10, 0.5), (4, 0, 14, 10, 0.9)])
    assert match(frame, truth)[1].tolist() == [0, 1]


def test_match_respects_classes():
    frame = detections([(0, 0, 10, 10, 0.9), (100, 100, 120, 120, 0.8)], classes=[ClassId.FISHER, 0])
    truth_classes = [ClassId.SWIMMER, ClassId.SWIMMER]
    assert match(frame, TRUTH, truth_classes=truth_classes)[1].tolist() == [-1, 1]
    assert match(frame, TRUTH)[1].tolist() == [0, 1]  # class-agnostic without truth classes


def test_match_without_truth():
    true_positive, truth_index = match(detections([(0, 0, 10, 10, 0.9)]), np.zeros((0, 4)))
    assert true_positive.tolist() == [False]
    assert truth_index.tolist() == [-1]


def test_frame_scorer_by_hand():
    scorer = FrameScorer(iou_threshold=0.3, score_threshold=0.5)
    # frame 1: a duplicate pair on truth 0 (one TP, one FP), truth 1 missed
    first = scorer.update(detections([(0, 0, 10, 10, 0.9), (1, 1, 11, 11, 0.7)]), TRUTH)
    assert first.tolist() == [True, False]
    # frame 2: truth 1 found at low confidence, a false alarm, truth 0 found
    scorer.update(detections([(100, 100, 120, 120, 0.4), (300, 0, 320, 20, 0.6), (0, 0, 10, 10, 0.8)]), TRUTH)
    result = scorer.compute()
    assert (result.n_frames, result.n_truth, result.n_detections) == (2, 4, 4)
    assert (result.n_true_positive, result.n_false_positive, result.n_false_negative) == (2, 2, 2)
    assert (result.precision, result.recall, result.f1) == (0.5, 0.5, 0.5)
    assert scorer.compute(score_threshold=0.3).recall == 0.75  # the 0.4 detection now counts
    # scores 0.9 T, 0.8 T, 0.7 F, 0.6 F, 0.4 T over 4 truths: AP = ¼·1 + ¼·1 + ¼·3/5
    assert result.average_precision == pytest.approx(0.25 + 0.25 + 0.25 * 3 / 5)
    assert result.to_pandas().shape == (5, 2)
    assert result.summary()["n_truth"] == 4
    scorer.reset()
    assert scorer.compute().summary() == {
        "score_threshold": 0.5,
        "iou_threshold": 0.3,
        "n_frames": 0,
        "n_truth": 0,
        "n_detections": 0,
        "n_true_positive": 0,
        "n_false_positive": 0,
        "n_false_negative": 0,
        "precision": None,
        "recall": None,
        "f1": None,
        "average_precision": None,
    }


def test_missed_truth_lowers_recall_not_precision():
    found = scorer_from(np.array([0.9, 0.8]), np.array([True, True]), n_missed=0).compute()
    missed = scorer_from(np.array([0.9, 0.8]), np.array([True, True]), n_missed=2).compute()
    assert (found.precision, found.recall) == (1.0, 1.0)
    assert (missed.precision, missed.recall) == (1.0, 0.5)
    assert missed.average_precision == 0.5


def test_nothing_reported_gives_undefined_precision_and_zero_f1():
    result = scorer_from(np.array([0.2]), np.array([True]), n_missed=1).compute(score_threshold=0.5)
    assert (result.precision, result.recall, result.f1) == (None, 0.0, 0.0)


# ---------------------------------------------------------------- against scikit-learn


@pytest.mark.parametrize(
    ("seed", "ties"),
    [
        (0, False),  # distinct scores
        (1, False),
        (2, True),  # scores rounded to 0.1: ties share one threshold
        (3, True),
    ],
)
def test_curves_match_sklearn(metrics, seed, ties):
    scores, labels = scored(seed, ties=ties)
    n_positive = int(labels.sum())
    assert average_precision(scores, labels, n_positive) == pytest.approx(
        metrics.average_precision_score(labels, scores), abs=1e-12
    )
    curve = precision_recall_curve(scores, labels, n_positive)
    precision, recall, thresholds = metrics.precision_recall_curve(labels, scores)
    np.testing.assert_allclose(curve.thresholds, thresholds[::-1])
    np.testing.assert_allclose(curve.precision, precision[:-1][::-1])
    np.testing.assert_allclose(curve.recall, recall[:-1][::-1])
    roc = roc_curve(scores, labels)
    fpr, tpr, roc_thresholds = metrics.roc_curve(labels, scores, drop_intermediate=False)
    np.testing.assert_allclose(roc.false_positive_rate, fpr)
    np.testing.assert_allclose(roc.true_positive_rate, tpr)
    np.testing.assert_array_equal(roc.thresholds, roc_thresholds)
    assert roc.auc == pytest.approx(metrics.roc_auc_score(labels, scores), abs=1e-12)


@pytest.mark.parametrize("n_missed", [1, 5, 40])
def test_missed_objects_scale_average_precision(metrics, n_missed):
    # recall shrinks by n_positive / n_truth at every threshold, precision is unchanged
    scores, labels = scored(4)
    n_positive = int(labels.sum())
    expected = metrics.average_precision_score(labels, scores) * n_positive / (n_positive + n_missed)
    assert average_precision(scores, labels, n_positive + n_missed) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("seed", "n_missed", "threshold"),
    [
        (5, 0, 0.0),  # everything reported, every object detected
        (5, 0, 0.5),
        (6, 7, 0.3),  # objects missed outright
        (6, 7, 0.6),
        (7, 3, 0.95),  # a strict threshold: few or no detections kept
        (7, 3, 1.0),
    ],
)
def test_point_metrics_match_sklearn(metrics, seed, n_missed, threshold):
    scores, labels = scored(seed)
    result = scorer_from(scores, labels, n_missed).compute(score_threshold=threshold)
    # missed objects enter scikit-learn as positives never predicted
    y_true = np.r_[labels, np.ones(n_missed, bool)]
    y_pred = np.r_[scores >= threshold, np.zeros(n_missed, bool)]
    if y_pred.any():
        assert result.precision == pytest.approx(metrics.precision_score(y_true, y_pred))
    else:
        assert result.precision is None
    assert result.recall == pytest.approx(metrics.recall_score(y_true, y_pred))
    assert result.f1 == pytest.approx(metrics.f1_score(y_true, y_pred, zero_division=0.0))
    if n_missed == 0:
        assert result.average_precision == pytest.approx(metrics.average_precision_score(labels, scores))


@pytest.mark.parametrize(
    ("precision", "recall", "expected"),
    [
        (0.5, 0.5, 0.5),
        (1.0, 0.25, 0.4),  # 2 · 0.25 / 1.25
        (0.0, 0.0, 0.0),  # nothing right: 0, not NaN
        (0.3, 0.0, 0.0),  # one of them 0
    ],
)
def test_f1_is_the_harmonic_mean(precision, recall, expected):
    assert f1(precision, recall) == pytest.approx(expected)


def test_interpolated_average_precision_by_hand():
    # descending scores: F, T, T over 2 truths; P = 0, 1/2, 2/3 at R = 0, 1/2, 1
    scores, labels = [0.9, 0.8, 0.7], [0, 1, 1]
    assert average_precision(scores, labels, 2) == pytest.approx(0.5 * 0.5 + 0.5 * 2 / 3)
    # VOC envelope: the best precision at equal or higher recall, 2/3 everywhere
    assert average_precision(scores, labels, 2, interpolated=True) == pytest.approx(2 / 3)
    assert average_precision([], [], 3) == 0.0  # no detections: no area


def test_curves_to_pandas():
    scores, labels = [0.9, 0.8, 0.8, 0.1], [1, 0, 1, 0]
    table = precision_recall_curve(scores, labels, 4).to_pandas()
    assert table.to_dict("list") == {
        "threshold": [0.9, 0.8, 0.1],
        "precision": [1.0, 2 / 3, 0.5],
        "recall": [0.25, 0.5, 0.5],
        "n_true_positive": [1, 2, 2],
        "n_false_positive": [0, 1, 2],
    }
    assert list(roc_curve(scores, labels).to_pandas().columns) == [
        "threshold",
        "false_positive_rate",
        "true_positive_rate",
    ]


# ---------------------------------------------------------------- incidents and rates


def test_time_to_detect_by_hand():
    table = time_to_detect(
        {"swim-1": [130.0, 125.0, 300.0], "fish-2": [], "swim-4": [50.0]},
        {"swim-1": 100.0, "fish-2": 20.0, "fish-3": 0.0, "swim-4": 50.0},
    )
    expected = pd.DataFrame(
        {
            "incident": ["swim-1", "fish-2", "fish-3", "swim-4"],
            "first_visible": [100.0, 20.0, 0.0, 50.0],
            "first_alarm": [125.0, math.nan, math.nan, 50.0],
            "ttd_s": [25.0, math.nan, math.nan, 0.0],
            "detected": [True, False, False, True],
        }
    )
    pd.testing.assert_frame_equal(table, expected)
    assert time_to_detect_summary(table) == {
        "n_incidents": 4,
        "n_detected": 2,
        "detection_rate": 0.5,
        "ttd_p50_s": 12.5,
        "ttd_p90_s": 22.5,
    }


def test_time_to_detect_of_nothing():
    table = time_to_detect({}, {})
    assert list(table.columns) == ["incident", "first_visible", "first_alarm", "ttd_s", "detected"]
    assert time_to_detect_summary(table) == {
        "n_incidents": 0,
        "n_detected": 0,
        "detection_rate": None,
        "ttd_p50_s": None,
        "ttd_p90_s": None,
    }


@pytest.mark.parametrize(
    ("n_false", "camera_hours", "expected"),
    [
        (6, 6.0, 1.0),  # 3 cameras × 2 h
        (0, 0.5, 0.0),
        (3, 0.25, 12.0),  # a quarter hour
    ],
)
def test_false_alarms_per_hour(n_false, camera_hours, expected):
    assert false_alarms_per_hour(n_false, camera_hours) == expected


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: precision_recall_curve([0.5, 0.4], [1], 2), "length 2 but labels 1"),  # mismatched lengths
        (lambda: average_precision([0.5], [1, 0], 2), "one label per score"),
        (lambda: roc_curve([0.5, 0.4, 0.3], [1, 0]), "one label per score"),
        (lambda: precision_recall_curve([0.5], [1], 0), "n_truth must be"),  # recall undefined
        (lambda: precision_recall_curve([0.5, 0.6], [1, 1], 1), "only n_truth=1"),  # more TPs than objects
        (lambda: average_precision([0.5], [2], 1), "0/1"),  # labels are not booleans
        (lambda: average_precision([math.nan], [1], 1), "NaN"),
        (lambda: roc_curve([0.5, 0.6], [1, 1]), "both true and false"),  # no negatives: no FPR
        (lambda: false_alarms_per_hour(3, -1.0), "camera_hours"),  # negative hours
        (lambda: false_alarms_per_hour(3, 0.0), "camera_hours"),  # no observation
        (lambda: false_alarms_per_hour(-1, 1.0), "n_false"),
        (lambda: f1(1.2, 0.5), "precision"),
        (lambda: FrameScorer(iou_threshold=0.0), "iou_threshold"),  # everything would match
        (lambda: FrameScorer(score_threshold=1.5), "score_threshold"),
        (lambda: FrameScorer().compute(score_threshold=-0.1), "score_threshold"),
        (lambda: match(detections([(0, 0, 1, 1, 0.5)]), np.zeros((2, 3))), r"\(m, 4\)"),  # wrong shape
        (lambda: match(detections([(0, 0, 1, 1, 0.5)]), [[0, 0, 0, 1]]), "x1 > x0"),  # empty truth box
        (lambda: match(detections([(0, 0, 1, 1, 0.5)]), TRUTH, truth_classes=[0]), "truth_classes"),
        (lambda: time_to_detect({"a": [5.0]}, {"a": 10.0}), "before it was visible"),
        (lambda: time_to_detect({"ghost": [5.0]}, {}), "without a first_visible"),
        (lambda: time_to_detect({}, {"a": math.nan}), "finite"),
        (lambda: time_to_detect_summary(pd.DataFrame({"ttd_s": [1.0]})), "lacks columns"),
    ],
)
def test_bad_input_raises(call, message):
    with pytest.raises(ValueError, match=message):
        call()
