"""Frame-level detection metrics over many frames: :class:`FrameScorer` and its :class:`FrameScores`.

The scorer matches each frame's detections to its truth boxes (:func:`detectors.matching.match`) and
accumulates (score, true positive) per detection and the number of truth objects, and gives precision,
recall and F1 at a score threshold, the precision-recall and ROC curves and average precision
(:mod:`detectors.score_curves`). Undefined quantities are None, never NaN; bad input raises ValueError.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from detectors.base import Detections
from detectors.matching import as_truth_boxes, match
from detectors.score_curves import (
    PrecisionRecallCurve,
    RocCurve,
    average_precision,
    precision_recall_curve,
    roc_curve,
)


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
        self._n_truth += len(as_truth_boxes(truth_boxes))
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
