"""Matching one frame's detections to its truth boxes (the COCO rule).

Detections are taken by descending confidence, each to the unmatched truth of highest IoU ≥ the threshold
(:func:`match`); a matched detection is a true positive, any other a false positive, and an unmatched truth
a miss. :mod:`detectors.frame_scoring` accumulates the matches over frames. Bad input raises ValueError.
"""

from __future__ import annotations

import numpy as np

from detectors.base import Detections
from detectors.tracking import box_iou


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
    truth = as_truth_boxes(truth_boxes)
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


def as_truth_boxes(truth_boxes: np.ndarray) -> np.ndarray:
    """Truth boxes (m, 4: x0, y0, x1, y1, px) as a float array, checked (finite, x1 > x0, y1 > y0)."""
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
