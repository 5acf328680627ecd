"""The far-bank tile (sim/pixel/far_bank_tile.py): a crop camera that is the full camera, masks split by
distance,
far anglers found through the tile (not the analysis-width frame), identical results on any thread count."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

from sim.engine import Simulation
from sim.loading import load_scenario
from sim.pixel.far_bank_tile import TILE_TRACKS, to_analysis
from sim.pixel.pixel_camera import PixelCamera, analysis_view
from sim.render.actors import ActorClass, MovingThing
from sim.render.conditions import Conditions
from sim.scenario.models import Kind, Light
from sim.world.cameras import CameraModel, far_banks
from sim.world.geometry import ZoneGeometry, sample_in
from sim.world.incidents import Track
from tests.helpers.paths import DEFAULT

PENINSULA = 4
"""Index of ``cam-peninsula`` in the default scenario: its only no-fishing bank lies 330-350 m away."""


@pytest.fixture(scope="module")
def geometry(default_scenario):
    return ZoneGeometry(default_scenario)


@pytest.fixture(scope="module")
def peninsula(default_scenario):
    return default_scenario.cameras[PENINSULA]


@pytest.fixture(scope="module")
def view(default_scenario, geometry, peninsula):
    return analysis_view(peninsula, default_scenario, geometry, None, 3)


@pytest.mark.parametrize("distortion", [(0.0, 0.0), (-0.12, 0.03)])
def test_a_tile_camera_is_the_full_camera_shifted(peninsula, distortion):
    spec = peninsula.model_copy(update={"distortion": distortion})
    full, tile = CameraModel(spec), CameraModel(spec, (669, 272, 1293, 375))
    assert tile.size == (624, 103) and full.size == spec.resolution
    assert tile.intrinsics[0, 0] == full.intrinsics[0, 0]  # the same focal length: full resolution
    assert tile.horizon_row == pytest.approx(full.horizon_row - 272)
    rng = np.random.default_rng(1)
    ground = np.column_stack([rng.uniform(500, 900, 50), rng.uniform(550, 800, 50)])
    np.testing.assert_allclose(tile.ground_to_image(ground), full.ground_to_image(ground) - [669, 272])
    uv = tile.ground_to_image(ground)
    np.testing.assert_allclose(
        tile.image_to_ground(uv), full.image_to_ground(uv + np.array([669, 272])), atol=1e-9
    )
    np.testing.assert_allclose(tile.image_to_ground(uv), ground, atol=1e-2)  # OpenCV undistorts iteratively


@pytest.mark.parametrize("window", [(0, 0, 0, 10), (10, 5, 5, 20), (0, 0, 1921, 10), (-1, 0, 10, 10)])
def test_a_window_outside_the_image_is_refused(peninsula, window):
    with pytest.raises(ValueError, match="is not a crop"):
        CameraModel(peninsula, window)


def test_the_tile_holds_the_far_bank_at_full_resolution(view, peninsula, geometry):
    renderer, _, tile = view
    assert tile is not None and renderer.camera.size == (640, 360)
    full = CameraModel(peninsula)
    tile_camera = tile.renderer.camera
    assert tile_camera.intrinsics[0, 0] == pytest.approx(full.intrinsics[0, 0])  # not the 640-px focal
    assert tile.scale == pytest.approx(640 / 1920)
    # Every far-bank point the camera sees lies inside the tile, with the search reach around it.
    region = far_banks(full, geometry, peninsula.fishing_tile_beyond)
    points = shapely.get_coordinates(shapely.segmentize(region, 2.0))
    uv = tile_camera.ground_to_image(points)
    width, height = tile_camera.size
    reach = 9.0 * full.intrinsics[0, 0] / full.distance(points).max()
    assert (uv >= reach - 1).all() and (uv[:, 0] <= width - reach + 1).all() and (uv[:, 1] <= height).all()
    # The tile's ground map is the full camera's at the same pixels.
    rows, cols = np.array([10, 50, 90]), np.array([5, 300, 600])
    centres = np.column_stack([cols + 0.5, rows + 0.5]) + tile.window[:2]
    expected = full.image_to_ground(centres)
    ground = tile.renderer.ground
    np.testing.assert_allclose(np.column_stack([ground.gx[rows, cols], ground.gy[rows, cols]]), expected)


def test_each_bank_pixel_is_analysed_at_one_scale(view, peninsula):
    renderer, context, tile = view
    beyond = peninsula.fishing_tile_beyond
    assert tile.context.no_fishing.any()
    ground = tile.renderer.ground
    assert (ground.distance[tile.context.no_fishing] >= beyond).all()
    reach = np.hypot(ground.gx - peninsula.position[0], ground.gy - peninsula.position[1])
    assert (reach[tile.context.no_fishing] <= peninsula.max_range).all()  # nothing beyond the analysed range
    assert not (context.no_fishing & (renderer.ground.distance >= beyond)).any()
    # Pixels per metre describe the tile's rows: focal / distance at full resolution, three times the
    # analysis frame's on the same image rows.
    focal = tile.renderer.camera.intrinsics[0, 0]
    x0, y0, x1, y1 = tile.window
    centre = tile.renderer.ground.distance[:, (x1 - x0) // 2]
    np.testing.assert_allclose(tile.context.pixels_per_metre, focal / centre)
    rows = np.arange(20, y1 - y0, 20)
    analysis_rows = ((rows + y0 + 0.5) * tile.scale).astype(int)
    np.testing.assert_allclose(
        tile.context.pixels_per_metre[rows] * tile.scale, context.pixels_per_metre[analysis_rows], rtol=0.06
    )


def test_tile_detections_are_mapped_to_the_analysis_frame():
    from detectors.base import Detections

    found = Detections(np.array([[30.0, 6.0, 36.0, 15.0]]), np.array([0.8]), np.array([1]), np.array([4]))
    mapped = to_analysis(found, (669, 272, 1293, 375), 1 / 3)
    np.testing.assert_allclose(mapped.xyxy, [[233.0, 92.666667, 235.0, 95.666667]], rtol=1e-6)
    assert mapped.tracker_id.tolist() == [TILE_TRACKS + 4]
    assert mapped.confidence.tolist() == [0.8]


def _far_angler(geometry, peninsula, seconds: float) -> MovingThing:
    region = far_banks(CameraModel(peninsula), geometry, peninsula.fishing_tile_beyond)
    xy = np.array(sample_in(region, np.random.default_rng(4)))
    nearest = shapely.ops.nearest_points(geometry.water, Point(*xy))[0]
    facing = math.atan2(nearest.x - xy[0], nearest.y - xy[1])
    track = Track(np.array([0.0, seconds + 1.0]), np.array([xy, xy]))
    return MovingThing("incident-7", ActorClass.FISHER, track, 6.0, seconds + 1.0, 60.0, facing=facing)


def _pixel_camera_run(scenario, geometry, angler: MovingThing, seconds: float) -> tuple[list, list]:
    spec = scenario.cameras[PENINSULA]
    camera = PixelCamera(spec, scenario, geometry, np.zeros((0, 2)), seed=2)
    camera.score_log = []
    conditions = Conditions(Light.DAY)
    alarms, log = [], []
    for number in range(int(seconds * spec.fps)):
        t = number / spec.fps
        actors = [a for a in [angler.at(t)] if a is not None]
        raised, scores = camera.analyse(t, number, actors, conditions)
        alarms += raised
        log += scores
    return alarms, log


def test_a_far_angler_is_alarmed_through_the_tile_and_missed_without_it(default_scenario, geometry):
    """The tile is really used: the alarm comes from tracks of the tile's detector; without the tile
    (``fishing_tile_beyond`` null) the 640-px frame alone does not alarm on the same angler."""
    seconds = 30.0
    angler = _far_angler(geometry, default_scenario.cameras[PENINSULA], seconds)
    alarms, log = _pixel_camera_run(default_scenario, geometry, angler, seconds)
    fishing = [a for a in alarms if a.kind is Kind.FISHING]
    assert [a.incident_id for a in fishing] == [7]
    hits = [
        row
        for row in log
        if row[0] is Kind.FISHING and row[6] >= default_scenario.detection.threshold_for(Kind.FISHING)
    ]
    assert hits and all(row[7] >= TILE_TRACKS for row in hits)
    cameras = list(default_scenario.cameras)
    cameras[PENINSULA] = cameras[PENINSULA].model_copy(update={"fishing_tile_beyond": None})
    without = default_scenario.model_copy(update={"cameras": tuple(cameras)})
    alarms, _ = _pixel_camera_run(without, geometry, angler, seconds)
    assert not [a for a in alarms if a.kind is Kind.FISHING]


def test_pixel_run_with_a_tile_is_identical_on_any_thread_count():
    """The peninsula camera (with its tile) and the river camera on the same instants, 60 s with anglers
    arriving at 1200 an hour: the tile's tracks score above the threshold, both cameras alarm, and the run
    on two frame threads (its own Simulation: pixel mode is deterministic) gives the same tables, score log
    and summary as the run on one (sim.pixel.camera_group.CameraGroup)."""
    overrides = [
        "run.mode=pixel",
        "run.duration=60",
        "run.start=2026-07-18T15:00:00",
        "incidents.fishing.rate_per_hour=1200",
        "incidents.swimming.rate_per_hour=1",
        "cameras.4.fps=5",
        "cameras.4.max_range=420",  # all of nf-east-bank, where half the anglers come, is in view
        "cameras.6.fps=5",
    ]
    scenario = load_scenario(DEFAULT, overrides)
    kept = tuple(c for c in scenario.cameras if c.id in ("cam-peninsula", "cam-river"))
    scenario = scenario.model_copy(update={"cameras": kept})
    results = {}
    for threads in (1, 2):
        log: list[tuple] = []
        results[threads] = (Simulation(scenario, score_log=log, frame_threads=threads).run(), log)
    (one, one_log), (two, two_log) = results[1], results[2]
    # The tile took part: some logged fishing scores come from its tracks, some of them hits.
    threshold = scenario.detection.threshold_for(Kind.FISHING)
    assert any(row[0] is Kind.FISHING and row[7] >= TILE_TRACKS and row[6] >= threshold for row in one_log)
    assert set(one.alarms["source"]) == {"cam-peninsula", "cam-river"}
    for table in ("incidents", "alarms", "missions", "transfers", "tracks"):
        pd.testing.assert_frame_equal(getattr(two, table), getattr(one, table))
    assert two_log == one_log
    assert {k: v for k, v in two.summary.items() if k != "wall_time_s"} == {
        k: v for k, v in one.summary.items() if k != "wall_time_s"
    }
