"""Scoring detectors against ground truth: frame-level detection metrics and per-incident delays.

Frame level. Detections are matched to truth boxes (:func:`match`, the
COCO rule: by descending confidence, each to the unmatched truth of highest
IoU ≥ the threshold); a matched detection is a true positive, any other a
false positive, and an unmatched truth a miss. :class:`FrameScorer`
accumulates (score, true positive) per detection and the number of truth
objects over frames, and gives precision, recall and F1 at a score threshold,
the precision-recall curve and average precision (PASCAL VOC: Everingham et
al. 2010, IJCV 88:303; COCO: Lin et al. 2014, cocodataset.org/#detection-eval).

Recall is relative to the number of truth objects, not to the positive
labels among the detections: an object the detector never boxed appears in
no list of detections, yet it must lower recall. The same reason makes
detection-level ROC (:func:`roc_curve`) a statement about ranking candidate
detections only: its true positive rate ignores missed objects, and its
negatives are whatever the detector proposed, not the (uncountable) empty
image regions. Precision-recall is the informative view when negatives
abound (Davis & Goadrich 2006, "The relationship between precision-recall
and ROC curves", ICML).

Incident level. :func:`time_to_detect` turns alarm times per incident into
one row per incident (detected or not, delay from first visibility), and
:func:`time_to_detect_summary` into detection rate and delay percentiles.

Undefined quantities are None, never NaN; bad input raises ValueError.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .base import Detections
from .tracking import box_iou


def match(
    detections: Detections,
    truth_boxes: np.ndarray,
    iou_threshold: float = 0.3,
    *,
    truth_classes: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Match one frame's detections to its truth boxes (m, 4), xyxy px.

    Detections are taken by descending confidence (ties: lower index first);
    each takes the not yet matched truth of highest IoU, if that IoU is ≥
    ``iou_threshold`` (ties: lower truth index). With ``truth_classes`` (m,),
    a detection only matches truths of its own ``class_id``.

    Returns:
        (n,) bool: the detection is a true positive;
        (n,) int: index of its truth box, -1 for false positives.
    """
    if not 0 < iou_threshold <= 1:
        raise ValueError(f"iou_threshold must lie in (0, 1], got {iou_threshold}")
    truth = _truth_boxes(truth_boxes)
    matched = np.full(len(detections), -1, np.int64)
    iou = box_iou(detections.xyxy, truth)
    if truth_classes is not None:
        classes = np.asarray(truth_classes, dtype=np.int64).reshape(-1)
        if len(classes) != len(truth):
            raise ValueError(f"truth_classes has length {len(classes)}, expected {len(truth)} (one per box)")
        iou[detections.class_id[:, None] != classes[None, :]] = -1.0
    taken = np.zeros(len(truth), bool)
    for index in np.argsort(-detections.confidence, kind="stable"):
        candidates = np.where(taken, -1.0, iou[index])
        if len(candidates) and candidates.max() >= iou_threshold:
            best = int(np.argmax(candidates))
            matched[index] = best
            taken[best] = True
    return matched >= 0, matched


def _truth_boxes(truth_boxes: np.ndarray) -> np.ndarray:
    truth = np.asarray(truth_boxes, dtype=np.float64)
    if truth.size == 0:
        return np.zeros((0, 4))
    if truth.ndim != 2 or truth.shape[1] != 4:
        raise ValueError(f"truth_boxes must be an (m, 4) array of x0, y0, x1, y1, got shape {truth.shape}")
    if not np.isfinite(truth).all():
        raise ValueError("truth_boxes contains NaN or infinite coordinates")
    if ((truth[:, 2] <= truth[:, 0]) | (truth[:, 3] <= truth[:, 1])).any():
        raise ValueError("truth_boxes needs x1 > x0 and y1 > y0 for every box")
    return truth


def _scores_and_labels(scores: Sequence[float], labels: Sequence[bool]) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    if scores.ndim != 1 or labels.ndim != 1:
        raise ValueError(f"scores and labels must be 1-D, got shapes {scores.shape} and {labels.shape}")
    if len(scores) != len(labels):
        raise ValueError(f"scores has length {len(scores)} but labels {len(labels)}: one label per score")
    if not np.isfinite(scores).all():
        raise ValueError("scores contains NaN or infinite values")
    if labels.dtype != bool:
        if not np.isin(labels, (0, 1)).all():
            raise ValueError("labels must be booleans or 0/1 (1: the detection is a true positive)")
        labels = labels.astype(bool)
    return scores, labels


def _cumulative_counts(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct thresholds (descending) and true / false positive counts of scores ≥ each."""
    order = np.argsort(-scores, kind="stable")
    scores, labels = scores[order], labels[order]
    last_of_group = np.flatnonzero(np.r_[np.diff(scores) != 0, True]) if len(scores) else np.zeros(0, int)
    true_positives = np.cumsum(labels)[last_of_group]
    false_positives = last_of_group + 1 - true_positives
    return scores[last_of_group], true_positives, false_positives


@dataclass(frozen=True, eq=False)
class PrecisionRecallCurve:
    """Precision and recall of detections scored ≥ each threshold, thresholds descending."""

    thresholds: np.ndarray
    """(k,) distinct detection scores, descending."""
    precision: np.ndarray
    """(k,) true positives / detections kept."""
    recall: np.ndarray
    """(k,) true positives / truth objects (``n_truth``)."""
    n_true_positive: np.ndarray
    """(k,) true positives kept."""
    n_false_positive: np.ndarray
    """(k,) false positives kept."""
    n_truth: int
    """Truth objects, detected or not."""

    def to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "threshold": self.thresholds,
                "precision": self.precision,
                "recall": self.recall,
                "n_true_positive": self.n_true_positive,
                "n_false_positive": self.n_false_positive,
            }
        )


def precision_recall_curve(
    scores: Sequence[float], labels: Sequence[bool], n_truth: int
) -> PrecisionRecallCurve:
    """The precision-recall curve of detections with ``scores`` and true-positive ``labels``.

    Recall divides by ``n_truth``, the number of truth objects, not by the
    number of positive labels: objects the detector missed never appear
    among the detections, yet they are misses. With ``n_truth`` equal to
    ``sum(labels)`` the points are those of ``sklearn.metrics.precision_recall_curve``
    (here in descending threshold order, without its final (recall 0, precision 1) point).
    """
    scores, labels = _scores_and_labels(scores, labels)
    n_positive = int(labels.sum())
    if not isinstance(n_truth, int | np.integer) or n_truth < 1:
        raise ValueError(
            f"n_truth must be an integer >= 1 (recall is undefined without truth), got {n_truth}"
        )
    if n_positive > n_truth:
        raise ValueError(f"{n_positive} true positives but only n_truth={n_truth} truth objects")
    thresholds, true_positives, false_positives = _cumulative_counts(scores, labels)
    return PrecisionRecallCurve(
        thresholds=thresholds,
        precision=true_positives / (true_positives + false_positives),
        recall=true_positives / n_truth,
        n_true_positive=true_positives,
        n_false_positive=false_positives,
        n_truth=int(n_truth),
    )


def average_precision(
    scores: Sequence[float], labels: Sequence[bool], n_truth: int, *, interpolated: bool = False
) -> float:
    """Area under the precision-recall curve, AP = Σₖ (Rₖ − Rₖ₋₁) Pₖ over thresholds descending, R₀ = 0.

    Step-wise, without interpolation, as ``sklearn.metrics.average_precision_score``
    (equal to it when ``n_truth == sum(labels)``). Recall counts against
    ``n_truth``, so missed objects cap the area below 1. ``interpolated=True``
    replaces each precision by the highest precision at equal or higher
    recall, the all-point interpolation of PASCAL VOC 2010-2012 (COCO instead
    samples that envelope at 101 recall points). No detections give 0.
    """
    curve = precision_recall_curve(scores, labels, n_truth)
    precision = curve.precision
    if interpolated:
        precision = np.maximum.accumulate(precision[::-1])[::-1]
    recall_steps = np.diff(curve.recall, prepend=0.0)
    return float(np.sum(recall_steps * precision))


@dataclass(frozen=True, eq=False)
class RocCurve:
    """Detection-level ROC: rates among the scored detections kept at each threshold."""

    thresholds: np.ndarray
    """(k + 1,) inf (nothing kept), then the distinct scores descending."""
    false_positive_rate: np.ndarray
    """(k + 1,) false positives kept / false positives in all."""
    true_positive_rate: np.ndarray
    """(k + 1,) true positives kept / true positives in all (not recall of truth objects)."""

    @property
    def auc(self) -> float:
        """Area under the curve by the trapezoidal rule (as ``sklearn.metrics.roc_auc_score``)."""
        fpr, tpr = self.false_positive_rate, self.true_positive_rate
        return float(np.sum(np.diff(fpr) * 0.5 * (tpr[1:] + tpr[:-1])))

    def to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "threshold": self.thresholds,
                "false_positive_rate": self.false_positive_rate,
                "true_positive_rate": self.true_positive_rate,
            }
        )


def roc_curve(scores: Sequence[float], labels: Sequence[bool]) -> RocCurve:
    """ROC of detections: how well scores rank true above false positives.

    The points are those of ``sklearn.metrics.roc_curve(labels, scores,
    drop_intermediate=False)``. Rates count only the detections given, so
    missed objects do not show here; use :func:`precision_recall_curve` for
    recall of objects. Needs at least one true and one false positive.
    """
    scores, labels = _scores_and_labels(scores, labels)
    n_positive = int(labels.sum())
    n_negative = len(labels) - n_positive
    if n_positive == 0 or n_negative == 0:
        raise ValueError(
            f"roc_curve needs both true and false positives, got {n_positive} true and {n_negative} false"
        )
    thresholds, true_positives, false_positives = _cumulative_counts(scores, labels)
    return RocCurve(
        thresholds=np.r_[np.inf, thresholds],
        false_positive_rate=np.r_[0.0, false_positives / n_negative],
        true_positive_rate=np.r_[0.0, true_positives / n_positive],
    )


def f1(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (both in [0, 1]); 0 when both are 0."""
    for name, value in (("precision", precision), ("recall", recall)):
        if not 0 <= value <= 1:
            raise ValueError(f"{name} must lie in [0, 1], got {value}")
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def false_alarms_per_hour(n_false: int, camera_hours: float) -> float:
    """False alarms per camera-hour: ``n_false`` over ``camera_hours`` (cameras × hours watched)."""
    if not isinstance(n_false, int | np.integer) or n_false < 0:
        raise ValueError(f"n_false must be a count >= 0, got {n_false!r}")
    if not (math.isfinite(camera_hours) and camera_hours > 0):
        raise ValueError(f"camera_hours must be a finite number of hours > 0, got {camera_hours}")
    return n_false / camera_hours


@dataclass(frozen=True, eq=False)
class FrameScores:
    """Detection metrics over the frames given to a :class:`FrameScorer`."""

    score_threshold: float
    """Detections scored ≥ this count as reported."""
    iou_threshold: float
    """IoU a detection needs with a truth box to match it."""
    n_frames: int
    n_truth: int
    """Truth objects over all frames."""
    n_detections: int
    """Detections scored ≥ the threshold."""
    n_true_positive: int
    n_false_positive: int
    n_false_negative: int
    """Truth objects without a true positive scored ≥ the threshold."""
    precision: float | None
    """None when no detection reaches the threshold."""
    recall: float | None
    """None when there is no truth object."""
    f1: float | None
    """2 TP / (2 TP + FP + FN); None when there is neither truth nor detection."""
    average_precision: float | None
    """Over all scores (see :func:`average_precision`); None without truth objects."""
    scores: np.ndarray
    """(d,) scores of all detections, in the order given."""
    labels: np.ndarray
    """(d,) bool: each detection is a true positive."""

    def precision_recall_curve(self) -> PrecisionRecallCurve:
        return precision_recall_curve(self.scores, self.labels, self.n_truth)

    def roc_curve(self) -> RocCurve:
        return roc_curve(self.scores, self.labels)

    def summary(self) -> dict[str, float | int | None]:
        """The scalar results (no arrays)."""
        return {
            name: getattr(self, name)
            for name in (
                "score_threshold",
                "iou_threshold",
                "n_frames",
                "n_truth",
                "n_detections",
                "n_true_positive",
                "n_false_positive",
                "n_false_negative",
                "precision",
                "recall",
                "f1",
                "average_precision",
            )
        }

    def to_pandas(self) -> pd.DataFrame:
        """One row per detection: score, true_positive."""
        return pd.DataFrame({"score": self.scores, "true_positive": self.labels})


class FrameScorer:
    """Accumulates matched detections frame by frame; ``update()`` / ``reset()`` / ``compute()``."""

    def __init__(self, *, iou_threshold: float = 0.3, score_threshold: float = 0.5) -> None:
        """
        Args:
            iou_threshold: IoU in (0, 1] a detection needs with a truth box to match it.
            score_threshold: confidence in [0, 1] from which a detection counts as reported
                (for precision, recall and F1; curves and AP use every score).
        """
        if not 0 < iou_threshold <= 1:
            raise ValueError(f"iou_threshold must lie in (0, 1], got {iou_threshold}")
        _check_score_threshold(score_threshold)
        self.iou_threshold = float(iou_threshold)
        self.score_threshold = float(score_threshold)
        self.reset()

    def reset(self) -> None:
        self._scores: list[np.ndarray] = []
        self._labels: list[np.ndarray] = []
        self._n_truth = 0
        self._n_frames = 0

    def update(
        self, detections: Detections, truth_boxes: np.ndarray, truth_classes: np.ndarray | None = None
    ) -> np.ndarray:
        """Add one frame; returns its (n,) true-positive mask (see :func:`match`)."""
        true_positive, _ = match(detections, truth_boxes, self.iou_threshold, truth_classes=truth_classes)
        self._scores.append(detections.confidence.copy())
        self._labels.append(true_positive)
        self._n_truth += len(_truth_boxes(truth_boxes))
        self._n_frames += 1
        return true_positive

    def compute(self, score_threshold: float | None = None) -> FrameScores:
        """Metrics so far, at ``score_threshold`` (default: the constructor's)."""
        threshold = self.score_threshold if score_threshold is None else float(score_threshold)
        _check_score_threshold(threshold)
        scores = np.concatenate(self._scores) if self._scores else np.zeros(0)
        labels = np.concatenate(self._labels) if self._labels else np.zeros(0, bool)
        kept = scores >= threshold
        true_positive = int((labels & kept).sum())
        false_positive = int((~labels & kept).sum())
        false_negative = self._n_truth - true_positive
        denominator_f1 = 2 * true_positive + false_positive + false_negative
        return FrameScores(
            score_threshold=threshold,
            iou_threshold=self.iou_threshold,
            n_frames=self._n_frames,
            n_truth=self._n_truth,
            n_detections=int(kept.sum()),
            n_true_positive=true_positive,
            n_false_positive=false_positive,
            n_false_negative=false_negative,
            precision=true_positive / (true_positive + false_positive) if kept.any() else None,
            recall=true_positive / self._n_truth if self._n_truth else None,
            f1=2 * true_positive / denominator_f1 if denominator_f1 else None,
            average_precision=average_precision(scores, labels, self._n_truth) if self._n_truth else None,
            scores=scores,
            labels=labels,
        )


def _check_score_threshold(threshold: float) -> None:
    if not 0 <= threshold <= 1:
        raise ValueError(f"score_threshold must lie in [0, 1], got {threshold}")


TIME_TO_DETECT_COLUMNS = ["incident", "first_visible", "first_alarm", "ttd_s", "detected"]


def time_to_detect(
    alarm_times_by_incident: Mapping[str, Sequence[float]], first_visible: Mapping[str, float]
) -> pd.DataFrame:
    """One row per incident of ``first_visible``: when it was first alarmed and how long after it was visible.

    Args:
        alarm_times_by_incident: alarm times (s) attributed to each incident; an incident may be
            absent or have none (missed).
        first_visible: time (s) each incident first became visible to a camera; the incidents scored.

    Returns:
        Columns ``incident``, ``first_visible`` (s), ``first_alarm`` (s, NaN if none),
        ``ttd_s`` (first_alarm − first_visible, s, NaN if none), ``detected`` (bool), in the
        order of ``first_visible``.

    An alarm attributed to an incident never visible, or before it was
    visible, is an attribution error and raises ValueError.
    """
    unknown = sorted(set(alarm_times_by_incident) - set(first_visible))
    if unknown:
        raise ValueError(f"alarms for incidents without a first_visible time: {', '.join(map(str, unknown))}")
    rows = []
    for incident, visible in first_visible.items():
        if not math.isfinite(visible):
            raise ValueError(f"first_visible[{incident!r}] must be a finite time in s, got {visible}")
        alarms = np.asarray(alarm_times_by_incident.get(incident, ()), dtype=np.float64).reshape(-1)
        if not np.isfinite(alarms).all():
            raise ValueError(f"alarm times of incident {incident!r} contain NaN or infinite values")
        if (alarms < visible).any():
            early = alarms.min()
            raise ValueError(
                f"incident {incident!r} has an alarm at {early} s, before it was visible at {visible} s"
            )
        first_alarm = float(alarms.min()) if len(alarms) else math.nan
        rows.append((incident, float(visible), first_alarm, first_alarm - visible, bool(len(alarms))))
    return pd.DataFrame(rows, columns=TIME_TO_DETECT_COLUMNS).astype({"detected": bool})


def time_to_detect_summary(table: pd.DataFrame) -> dict[str, float | int | None]:
    """``detection_rate`` and the 50th / 90th percentiles of ``ttd_s`` over detected incidents, s.

    Percentiles are conditional on detection (read them with the rate) and
    linear-interpolated (``numpy.percentile``); None where undefined.
    """
    missing = sorted(set(TIME_TO_DETECT_COLUMNS) - set(table.columns))
    if missing:
        raise ValueError(f"table lacks columns {', '.join(missing)} (expected the output of time_to_detect)")
    delays = table.loc[table["detected"], "ttd_s"].to_numpy(dtype=np.float64)
    p50, p90 = np.percentile(delays, [50, 90]) if len(delays) else (None, None)
    return {
        "n_incidents": len(table),
        "n_detected": len(delays),
        "detection_rate": len(delays) / len(table) if len(table) else None,
        "ttd_p50_s": None if p50 is None else float(p50),
        "ttd_p90_s": None if p90 is None else float(p90),
    }
