"""The shared background stage: one MOG2 pass per camera gives the same detections as one per detector.

Also: the window crop changes nothing, blob statistics and the vectorised box merging agree with
straightforward references, and bad settings are refused.
"""

from __future__ import annotations

import itertools
import math

import cv2
import numpy as np
import pytest
import shapely

from detectors.background import Background, BackgroundSettings, blobs, share_background, window_of
from detectors.fishing import FishingDetector
from detectors.swimming import SwimmingDetector, merge_nearby
from sim.pixel.pixel_camera import PixelCamera, camera_context
from sim.render.actors import ActorClass, MovingThing
from sim.render.conditions import Conditions
from sim.render.renderer import Renderer
from sim.scenario.models import Light
from sim.world.cameras import CameraModel
from sim.world.geometry import ZoneGeometry, sample_in
from sim.world.incidents import Track

FPS = 10.0
SECONDS = 16.0


@pytest.fixture(scope="module")
def river_clip(default_scenario):
    """cam-river sees a no-swimming area and a no-fishing bank: a swimmer and an angler arrive after the
    warm-up, a duck paddles; 16 s at 10 fps, 640 x 360."""
    geometry = ZoneGeometry(default_scenario)
    spec = next(c for c in default_scenario.cameras if c.id == "cam-river")
    camera = CameraModel(spec.model_copy(update={"resolution": (640, 360), "fps": FPS}))
    renderer = Renderer(camera, geometry, default_scenario.render.path_offset, seed=11)
    context = camera_context(renderer, default_scenario, FPS)
    view = camera.footprint
    rng = np.random.default_rng(4)
    swim = shapely.union_all([a.region for a in geometry.no_swimming]).intersection(view)
    bank = shapely.union_all([a.region for a in geometry.no_fishing]).intersection(view)
    bank = bank.intersection(geometry.water.buffer(3.0)).difference(geometry.water.buffer(0.5))

    def thing(name, cls, region, speed, start, cycle=1.4):
        p0 = np.array(sample_in(region, rng))
        p1 = p0 + speed * SECONDS * np.array([1.0, 0.3])
        return MovingThing(
            name, cls, Track(np.array([start, SECONDS + 1]), np.array([p0, p1])), start, SECONDS, cycle
        )

    things = [
        thing("swimmer", ActorClass.SWIMMER, swim, 0.3, 6.0),
        thing("angler", ActorClass.FISHER, bank, 0.0, 6.0, cycle=75.0),
        thing("duck", ActorClass.BIRD, swim, 0.1, 0.0, cycle=1.5),
    ]
    frames = []
    for k in range(int(SECONDS * FPS)):
        t = k / FPS
        actors = [a for th in things if (a := th.at(t)) is not None]
        frames.append(renderer.render(t, actors, Conditions(Light.DAY), k))
    return frames, context


def _run(frames, context, shared: bool, absorb_s: float):
    swimming, fishing = SwimmingDetector(absorb_s=absorb_s), FishingDetector(absorb_s=absorb_s)
    if shared:
        assert share_background([swimming, fishing], context) is not None
    out = []
    for frame in frames:
        out.append(
            (swimming.update(frame.image, frame.t, context), fishing.update(frame.image, frame.t, context))
        )
    return out


def _same(a, b) -> bool:
    return (
        np.array_equal(a.xyxy, b.xyxy)
        and np.array_equal(a.confidence, b.confidence)
        and np.array_equal(a.tracker_id, b.tracker_id)
    )


@pytest.mark.parametrize("absorb_s", [60.0, 3.0])
def test_shared_background_gives_the_same_detections(river_clip, absorb_s):
    """Identical detections, frame by frame, with one shared model or one model per detector.

    One exception, by design: a shared model also keeps the windows of protected anglers (their line
    over the water) out of the swimming detector's learning. With the default absorb_s (60 s) that
    changes nothing within the clip; absorbing still things within 3 s, it may shift a swimming box
    near the angler by a pixel, so only the fishing detections are compared there."""
    frames, context = river_clip
    alone, shared = _run(frames, context, False, absorb_s), _run(frames, context, True, absorb_s)
    counts = np.array([[len(s), len(f)] for s, f in alone])
    assert (counts > 0).any(axis=0).all(), (
        "both detectors must report something for the test to mean anything"
    )
    for (s0, f0), (s1, f1) in zip(alone, shared, strict=True):
        assert _same(f0, f1)
        if absorb_s == 60.0:
            assert _same(s0, s1)


def test_window_crop_equals_the_whole_frame(river_clip):
    """MOG2 is per pixel: inside the window, the cropped model's foreground is the whole frame's."""
    frames, _ = river_clip
    settings = BackgroundSettings(warmup_s=1.0)
    window = (60, 40, 500, 300)
    cropped = Background(settings, window)
    whole = Background(settings, (0, 0, 640, 360))
    for frame in frames[:40]:
        a = cropped.foreground(frame.image, frame.t, FPS)
        b = whole.foreground(frame.image, frame.t, FPS)
        np.testing.assert_array_equal(a[40:300, 60:500], b[40:300, 60:500])
        assert not a[:40].any() and not a[:, 500:].any()


def test_a_frame_is_computed_once_and_mask_is_read_only(river_clip):
    frames, _ = river_clip
    background = Background(BackgroundSettings(), (0, 0, 640, 360))
    first = background.foreground(frames[0].image, 0.0, FPS)
    assert background.foreground(frames[0].image, 0.0, FPS) is first
    assert background.foreground(frames[1].image, 0.1, FPS) is not first
    with pytest.raises(ValueError, match="read-only"):
        first[0, 0] = 1


def test_detectors_with_other_settings_keep_their_own_model(river_clip):
    _, context = river_clip
    swimming, fishing = SwimmingDetector(var_threshold=30.0), FishingDetector()
    assert share_background([swimming, fishing], context) is None
    assert share_background([SwimmingDetector()], context) is None


def test_pixel_cameras_share_one_model(default_scenario, monkeypatch):
    """Both detectors of a pixel camera take their foreground from one Background (one MOG2 pass)."""
    geometry = ZoneGeometry(default_scenario)
    spec = next(c for c in default_scenario.cameras if c.id == "cam-river")
    camera = PixelCamera(spec, default_scenario, geometry, np.zeros((0, 2)), seed=1)
    used, foreground = [], Background.foreground
    monkeypatch.setattr(
        Background, "foreground", lambda self, *args: used.append(self) or foreground(self, *args)
    )
    image = np.zeros((*camera.context.shape, 3), np.uint8)
    for detector in camera.detectors.values():
        detector.update(image, 0.0, camera.context)
    assert len(used) == len(camera.detectors) == 2
    assert used[0] is used[1]


def test_blobs_match_opencv_default_components():
    rng = np.random.default_rng(3)
    mask = (rng.random((90, 160)) > 0.97).astype(np.uint8) * 255
    mask = cv2.dilate(mask, np.ones((2, 2), np.uint8))
    found = blobs(mask, 3, offset=(10, 20))
    _, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = stats[1:, cv2.CC_STAT_AREA] >= 3
    expected = stats[1:][keep]
    np.testing.assert_array_equal(found.area, expected[:, 4])
    np.testing.assert_array_equal(found.xyxy[:, 0], expected[:, 0] + 10)
    np.testing.assert_array_equal(found.xyxy[:, 3], expected[:, 1] + expected[:, 3] + 20)
    np.testing.assert_allclose(found.centroid, centroids[1:][keep] + (10, 20))


def _merge_reference(boxes, pixels_per_metre, gap_m):
    """The former pure-Python merging: union the first near pair found, start again, until none is near."""
    boxes = [list(b) for b in boxes]
    rows = len(pixels_per_metre)
    merged = True
    while merged and len(boxes) > 1:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                gap_px = gap_m * pixels_per_metre[min(rows - 1, int(max(a[3], b[3])) - 1)]
                dx = max(0.0, max(a[0], b[0]) - min(a[2], b[2]))
                dy = max(0.0, max(a[1], b[1]) - min(a[3], b[3]))
                if dx <= gap_px and dy <= gap_px:
                    boxes[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return np.array(boxes, dtype=np.float64).reshape(-1, 4)


def _canonical(boxes):
    return boxes[np.lexsort(boxes.T[::-1])]


def test_merge_nearby_agrees_with_the_pairwise_reference():
    rng = np.random.default_rng(8)
    ppm = np.linspace(2.0, 30.0, 360)
    merges = 0
    for _ in range(200):
        n = int(rng.integers(0, 25))
        xy = rng.uniform([0, 50], [600, 340], (n, 2))
        size = rng.uniform(1, 12, (n, 2))
        boxes = np.floor(np.column_stack([xy, xy + size]))
        fast, slow = merge_nearby(boxes, ppm, 0.5), _merge_reference(boxes, ppm, 0.5)
        np.testing.assert_array_equal(_canonical(fast), _canonical(slow))
        merges += len(boxes) - len(fast)
    assert merges > 100


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"history": 1}, "history"),
        ({"history": 2.5}, "history"),
        ({"var_threshold": 0}, "var_threshold"),
        ({"absorb_s": math.inf}, "absorb_s"),
        ({"warmup_s": -1.0}, "warmup_s"),
        ({"average_frames": 0}, "average_frames"),
        ({"average_frames": 9}, "average_frames"),
        ({"average_frames": 1.5}, "average_frames"),
        ({"average_frames": True}, "average_frames"),
    ],
)
def test_bad_settings_are_refused(params, message):
    with pytest.raises(ValueError, match=message):
        BackgroundSettings(**params)


def test_window_of_masks():
    mask = np.zeros((10, 20), bool)
    assert window_of(mask) == (0, 0, 0, 0)
    mask[3:5, 7:12] = True
    assert window_of(mask) == (7, 3, 12, 5)


def test_an_averaging_model_sees_the_mean_of_the_latest_frames():
    """``average_frames: 2`` gives exactly the masks a plain model gives on the running means of two frames
    (rounded), warm-up included; a one-frame flash is then seen at half its contrast."""
    rng = np.random.default_rng(5)
    frames = [np.clip(80 + rng.normal(0, 5, (40, 60, 3)), 0, 255).astype(np.uint8) for _ in range(40)]
    frames[-1][10:20, 10:20] += 30  # a flash in the last frame
    means = [frames[0]] + [
        ((a.astype(np.uint16) + b + 1) // 2).astype(np.uint8) for a, b in itertools.pairwise(frames)
    ]
    window = (0, 0, 60, 40)
    averaging = Background(BackgroundSettings(warmup_s=1.0, var_threshold=9.0, average_frames=2), window)
    plain = Background(BackgroundSettings(warmup_s=1.0, var_threshold=9.0), window)
    for n, (frame, mean) in enumerate(zip(frames, means, strict=True)):
        np.testing.assert_array_equal(
            averaging.foreground(frame, n / 15, 15.0), plain.foreground(mean, n / 15, 15.0)
        )
    unaveraged = Background(BackgroundSettings(warmup_s=1.0, var_threshold=9.0), window)
    for n, frame in enumerate(frames):
        unaveraged.foreground(frame, n / 15, 15.0)
    assert unaveraged._mask[10:20, 10:20].mean() > averaging._mask[10:20, 10:20].mean()


def test_a_swimming_detector_that_averages_frames_keeps_its_own_model():
    swimming, fishing = SwimmingDetector(average_frames=2), FishingDetector()
    assert swimming.background_settings.average_frames == 2
    assert swimming.background_settings != fishing.background_settings  # share_background leaves them apart
