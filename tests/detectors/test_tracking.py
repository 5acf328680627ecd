"""Tracker: exact small timelines, id rules, track state; box_iou by hand and by property."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from detectors.base import ClassId, Detections
from detectors.tracking import Tracker, box_iou, greedy_assignment
from tests.helpers.paths import ROOT


def boxes(*centres: tuple[float, float], size: float = 20.0) -> Detections:
    """Square detections of side ``size`` px around the given centres, confidence 0.9, swimmers."""
    xy = np.array(centres, dtype=float).reshape(-1, 2)
    half = size / 2
    return Detections(
        np.hstack([xy - half, xy + half]), np.full(len(xy), 0.9), np.full(len(xy), ClassId.SWIMMER)
    )


def run(tracker: Tracker, frames: list[Detections], dt: float = 1.0) -> list[list[int]]:
    """The tracker ids of every frame, frames dt s apart from t = 0."""
    return [tracker.update(frame, k * dt).tracker_id.tolist() for k, frame in enumerate(frames)]


def test_two_objects_moving_apart_keep_their_ids():
    frames = [boxes((100 - 8 * k, 100), (125 + 8 * k, 100)) for k in range(10)]
    assert run(Tracker(), frames) == [[1, 2]] * 10


def test_new_ids_follow_detection_order_and_start_at_1():
    tracker = Tracker()
    assert tracker.update(boxes((10, 10), (200, 10), (10, 200)), 0.0).tracker_id.tolist() == [1, 2, 3]
    # a far-away newcomer gets the next id; the others keep theirs whatever their order
    later = tracker.update(boxes((400, 400), (10, 200), (10, 10), (200, 10)), 1.0)
    assert later.tracker_id.tolist() == [4, 3, 1, 2]


@pytest.mark.parametrize(
    ("gap_frames", "id_after_gap"),
    [
        (0, 1),  # never missed
        (1, 1),  # one miss
        (2, 1),  # missed exactly max_missed frames: survives
        (3, 2),  # one miss too many: dropped, the object returns as a new track
    ],
)
def test_a_track_survives_max_missed_frames(gap_frames, id_after_gap):
    tracker = Tracker(max_missed=2)
    frames = [boxes((50, 50))] * 3 + [Detections.empty()] * gap_frames + [boxes((50, 50))]
    ids = run(tracker, frames)
    assert ids[:3] == [[1]] * 3
    assert ids[3 : 3 + gap_frames] == [[]] * gap_frames
    assert ids[-1] == [id_after_gap]


def test_missed_and_dropped_tracks_in_state():
    tracker = Tracker(max_missed=1)
    tracker.update(boxes((50, 50)), 0.0)
    tracker.update(Detections.empty(), 1.0)
    assert tracker.tracks[1].missed == 1
    assert tracker.tracks[1].age_frames == 2
    tracker.update(Detections.empty(), 2.0)
    assert tracker.tracks == {}


def test_crossing_paths_keep_ids_thanks_to_prediction():
    # A goes right, B left, 30 px per frame on the same row; they pass each other between frames 4 and 5
    frames = [boxes((20 + 30 * k, 100), (280 - 30 * k, 100)) for k in range(9)]
    assert run(Tracker(), frames) == [[1, 2]] * 9
    # without prediction each detection is nearer the other track's last box after the crossing
    without_prediction = run(Tracker(velocity_window=1), frames)
    assert without_prediction[4] == [1, 2]
    assert without_prediction[5] == [2, 1]


def test_detection_beyond_the_gate_starts_a_new_track():
    tracker = Tracker(max_distance_px=30.0, gate_box_scale=0.0, velocity_window=1)  # fixed gate, no motion
    tracker.update(boxes((50, 50)), 0.0)
    assert tracker.update(boxes((79, 50)), 1.0).tracker_id.tolist() == [1]  # 29 px: inside
    assert tracker.update(boxes((110, 50)), 2.0).tracker_id.tolist() == [2]  # 31 px: outside


def test_gate_grows_with_box_size():
    far = [boxes((50, 50), size=100), boxes((110, 50), size=100)]  # 60 px jump, diagonal 141 px
    assert run(Tracker(max_distance_px=30.0, gate_box_scale=0.0), far) == [[1], [2]]
    assert run(Tracker(max_distance_px=30.0, gate_box_scale=1.0), far) == [[1], [1]]


def test_ids_are_deterministic_and_reset_restarts_them():
    rng = np.random.default_rng(7)
    frames = [boxes(*rng.uniform(0, 500, (rng.integers(0, 6), 2))) for _ in range(40)]
    tracker = Tracker()
    first = run(tracker, frames)
    assert run(Tracker(), frames) == first
    tracker.reset()
    assert tracker.tracks == {}
    assert run(tracker, frames) == first


def test_track_state_timeline():
    tracker = Tracker(min_hits=3, history_length=4)
    confirmed = []
    for k in range(6):  # 5 px right every 0.5 s: 10 px/s
        tracker.update(boxes((100 + 5 * k, 40)), 10.0 + 0.5 * k)
        confirmed.append(tracker.tracks[1].confirmed)
    state = tracker.tracks[1]
    assert confirmed == [False, False, True, True, True, True]
    assert (state.track_id, state.first_t, state.last_t) == (1, 10.0, 12.5)
    assert (state.hits, state.missed, state.age_frames) == (6, 0, 6)
    assert state.xyxy == (115.0, 30.0, 135.0, 50.0)
    assert state.centre == (125.0, 40.0)
    assert state.history == (
        (11.0, 110.0, 40.0),
        (11.5, 115.0, 40.0),
        (12.0, 120.0, 40.0),
        (12.5, 125.0, 40.0),
    )
    assert state.speed_px_per_s == pytest.approx(10.0)
    assert state.class_id == ClassId.SWIMMER


def test_speed_is_none_for_a_single_sighting_and_snapshots_are_frozen():
    tracker = Tracker()
    tracker.update(boxes((10, 10)), 0.0)
    state = tracker.tracks[1]
    assert state.speed_px_per_s is None
    with pytest.raises(AttributeError):
        state.hits = 5  # type: ignore[misc]
    tracker.update(boxes((12, 10)), 1.0)
    assert state.hits == 1  # the old snapshot does not change


def test_update_keeps_the_detections_and_overwrites_tracker_ids():
    detections = Detections(
        np.array([[0, 0, 10, 10], [50, 50, 60, 70]]), np.array([0.3, 0.8]), np.array([1, 4]), np.array([9, 9])
    )
    out = Tracker().update(detections, 0.0)
    np.testing.assert_array_equal(out.xyxy, detections.xyxy)
    np.testing.assert_array_equal(out.confidence, detections.confidence)
    np.testing.assert_array_equal(out.class_id, detections.class_id)
    assert out.tracker_id.tolist() == [1, 2]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_distance_px": 0.0}, "max_distance_px"),  # no gate at all
        ({"gate_box_scale": -1.0}, "gate_box_scale"),
        ({"iou_weight": 1.5}, "iou_weight"),  # a weight, not a factor
        ({"max_missed": -1}, "max_missed"),
        ({"min_hits": 0}, "min_hits"),  # a track is born with one hit
        ({"min_hits": 2.5}, "min_hits"),  # frames are counted
        ({"velocity_window": 0}, "velocity_window"),
        ({"history_length": 1}, "history_length"),  # speed needs two centres
    ],
)
def test_bad_parameters_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Tracker(**kwargs)


@pytest.mark.parametrize(
    "times",
    [
        (1.0, 1.0),  # repeated time
        (2.0, 1.0),  # time going back
        (float("nan"),),  # not a time
    ],
)
def test_time_must_increase(times):
    tracker = Tracker()
    with pytest.raises(ValueError, match="t must"):
        for t in times:
            tracker.update(boxes((5, 5)), t)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([0, 0, 10, 10], [0, 0, 10, 10], 1.0),  # identical
        ([0, 0, 10, 10], [20, 20, 30, 30], 0.0),  # disjoint
        ([0, 0, 10, 10], [10, 0, 20, 10], 0.0),  # sharing an edge only
        ([0, 0, 10, 10], [2, 2, 4, 4], 4 / 100),  # contained: small area over big area
        ([0, 0, 10, 10], [5, 0, 15, 10], 50 / 150),  # half overlap
        ([0, 0, 2, 2], [1, 1, 3, 3], 1 / 7),  # corner overlap
        ([0, 0, 10, 10], [5, 5, 5, 5], 0.0),  # degenerate point box: 0, not NaN
    ],
)
def test_box_iou_by_hand(a, b, expected):
    assert box_iou(np.array([a]), np.array([b]))[0, 0] == pytest.approx(expected)
    assert box_iou(np.array([b]), np.array([a]))[0, 0] == pytest.approx(expected)


def test_box_iou_shapes():
    a = np.array([[0, 0, 10, 10], [5, 5, 15, 15], [100, 100, 110, 110]])
    assert box_iou(a, a[:2]).shape == (3, 2)
    assert box_iou(a, np.zeros((0, 4))).shape == (3, 0)
    assert box_iou([], a).shape == (0, 3)
    with pytest.raises(ValueError, match=r"\(n, 4\)"):
        box_iou(np.zeros((2, 3)), a)


corner = st.floats(-1000, 1000)
side = st.floats(0.01, 500)
valid_boxes = st.lists(
    st.tuples(corner, corner, side, side).map(lambda b: (b[0], b[1], b[0] + b[2], b[1] + b[3])),
    min_size=1,
    max_size=8,
)


@given(valid_boxes, valid_boxes)
def test_box_iou_properties(a, b):
    a, b = np.array(a), np.array(b)
    iou = box_iou(a, b)
    assert iou.shape == (len(a), len(b))
    assert np.all((iou >= 0) & (iou <= 1 + 1e-12))
    np.testing.assert_allclose(iou, box_iou(b, a).T)
    np.testing.assert_allclose(np.diag(box_iou(a, a)), 1.0)


@pytest.mark.parametrize(
    ("cost", "pairs"),
    [
        ([[1.0, 2.0], [0.5, 3.0]], [(1, 0), (0, 1)]),  # the cheapest pair first, not row order
        ([[1.0, np.inf], [np.inf, np.inf]], [(0, 0)]),  # infinite: forbidden
        ([[1.0, 1.0], [1.0, 1.0]], [(0, 0), (1, 1)]),  # ties: lower row, then lower column
        (np.zeros((0, 3)), []),  # no tracks
    ],
)
def test_greedy_assignment(cost, pairs):
    rows, cols = greedy_assignment(np.array(cost))
    assert list(zip(rows.tolist(), cols.tolist(), strict=True)) == pairs


def test_detectors_never_import_sim():
    """Every module of ``detectors`` (found by pkgutil, so a new one is checked too) imports without ``sim``,
    in a fresh interpreter: the package must run in a detector-only install."""
    code = (
        "import importlib, pkgutil, sys, detectors\n"
        "names = sorted(m.name for m in pkgutil.walk_packages(detectors.__path__, 'detectors.'))\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'sim' or m.startswith('sim.'))\n"
        "assert not leaked, leaked\n"
        "print(' '.join(names))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    files = sorted(f"detectors.{p.stem}" for p in (ROOT / "detectors").glob("*.py") if p.stem != "__init__")
    assert done.stdout.split() == files  # each module of the folder was imported
