"""Precision-recall and ROC curves, average precision and F1 of scored detections.

Each detection has a score and a true-positive label (from :func:`detectors.matching.match`).
Precision-recall (:func:`precision_recall_curve`, :func:`average_precision`; PASCAL VOC: Everingham et
al. 2010, IJCV 88:303; COCO: Lin et al. 2014, cocodataset.org/#detection-eval): recall is relative to
the number of truth objects, not to the positive labels among the detections: an object the detector
never boxed appears in no list of detections, yet it must lower recall. The same reason makes
detection-level ROC (:func:`roc_curve`) a statement about ranking candidate detections only: its true
positive rate ignores missed objects, and its negatives are whatever the detector proposed, not the
(uncountable) empty image regions. Precision-recall is the informative view when negatives abound
(Davis & Goadrich 2006, "The relationship between precision-recall and ROC curves", ICML).

Bad input raises ValueError.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


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
