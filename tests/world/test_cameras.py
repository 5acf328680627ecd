"""Camera geometry: projection, homography, footprint, pixel size, occlusion."""

import math

import numpy as np
import pytest
from shapely.geometry import Point, box

from sim.scenario.models import Camera
from sim.world.cameras import CameraModel, visible_region


def make_camera(**changes) -> CameraModel:
    spec = {
        "id": "c",
        "position": (0.0, 0.0),
        "height": 10.0,
        "yaw": 0.0,
        "pitch": 20.0,
        "hfov": 60.0,
        "resolution": (1920, 1080),
        "fps": 10.0,
        "max_range": 300.0,
    } | changes
    return CameraModel(Camera(**spec))


@pytest.mark.parametrize("yaw", [0.0, 45.0, 137.0, 270.0])
def test_optical_axis_hits_the_image_centre(yaw):
    camera = make_camera(yaw=yaw)
    reach = 10.0 / math.tan(math.radians(20.0))  # where the axis meets the ground
    ground = (reach * math.sin(math.radians(yaw)), reach * math.cos(math.radians(yaw)))
    np.testing.assert_allclose(camera.ground_to_image([ground])[0], [960, 540], atol=1e-6)


def test_focal_length_from_field_of_view():
    camera = make_camera()
    assert camera.intrinsics[0, 0] == pytest.approx(960 / math.tan(math.radians(30)))


def test_projection_agrees_with_homography_and_back_within_half_a_pixel():
    camera = make_camera(yaw=33.0, pitch=12.0)
    rng = np.random.default_rng(4)
    ground = camera.image_to_ground(np.column_stack([rng.uniform(0, 1920, 50), rng.uniform(700, 1080, 50)]))
    via_pinhole = camera.project(np.column_stack([ground, np.zeros(50)]))
    via_homography = camera.ground_to_image(ground)
    np.testing.assert_allclose(via_pinhole, via_homography, atol=1e-6)
    back = camera.ground_to_image(camera.image_to_ground(via_homography))
    assert np.abs(back - via_homography).max() < 0.5


def test_right_of_the_axis_is_right_in_the_image():
    camera = make_camera(yaw=0.0)  # looking north: east is to the right
    left, right = camera.ground_to_image([[-5.0, 30.0], [5.0, 30.0]])
    assert right[0] > 960 > left[0]


def test_horizon_row():
    camera = make_camera(pitch=10.0)
    assert camera.horizon_row == pytest.approx(540 - camera.intrinsics[1, 1] * math.tan(math.radians(10)))
    far = camera.project([[0.0, 1e7, 10.0]])[0]  # a far point at lens height lies on the horizon
    assert far[1] == pytest.approx(camera.horizon_row, abs=1e-3)


def test_points_behind_the_camera_do_not_project():
    assert np.isnan(make_camera().project([[0.0, -50.0, 0.0]])).all()


def test_pixel_height_approaches_pinhole_formula_far_away():
    camera = make_camera(pitch=5.0)
    distance = 200.0
    pixels = camera.pixel_height([[0.0, distance]], 1.7)[0]
    slant = math.hypot(distance, 10.0)
    assert pixels == pytest.approx(camera.intrinsics[0, 0] * 1.7 / slant, rel=0.03)
    nearer = camera.pixel_height([[0.0, 50.0]], 1.7)[0]
    assert nearer > pixels


def test_footprint_contains_what_the_camera_sees_and_nothing_behind():
    camera = make_camera(pitch=8.0, max_range=250.0)
    footprint = camera.footprint
    assert footprint.contains(Point(0, 100))
    assert not footprint.contains(Point(0, -20))
    assert not footprint.contains(Point(0, 260))  # beyond max_range
    # Every footprint vertex projects inside the image.
    uv = camera.ground_to_image(np.asarray(footprint.exterior.coords))
    assert (uv[:, 0] > -1).all() and (uv[:, 0] < 1921).all() and (uv[:, 1] < 1081).all()


def test_camera_looking_above_the_horizon_only_sees_the_bottom_rows():
    camera = make_camera(pitch=1.0, hfov=30.0)
    assert camera.horizon_row > 0
    assert not camera.footprint.is_empty


def test_island_hides_what_is_behind_it():
    camera = make_camera(pitch=8.0)
    island = box(-10, 80, 10, 100)
    view = visible_region(camera, island)
    assert view.contains(Point(0, 60))  # in front of the island
    assert not view.contains(Point(0, 150))  # behind it
    assert view.contains(Point(60, 150))  # beside the shadow


@pytest.mark.parametrize("distortion", [(-0.25, 0.05), (0.1, 0.0)])  # barrel, pincushion
def test_distortion_round_trip_within_half_a_pixel(distortion):
    camera = make_camera(yaw=20.0, pitch=12.0, distortion=distortion)
    rng = np.random.default_rng(2)
    uv = np.column_stack([rng.uniform(20, 1900, 200), rng.uniform(700, 1060, 200)])
    back = camera.ground_to_image(camera.image_to_ground(uv))
    assert np.abs(back - uv).max() < 0.5
    # Distortion leaves the centre alone and moves the corners.
    ideal = make_camera(yaw=20.0, pitch=12.0)
    centre = [[960.0, 540.0]]
    np.testing.assert_allclose(camera.distort(np.array(centre)), centre)
    corner = np.array([[1900.0, 1060.0]])
    assert np.abs(camera.distort(corner) - ideal.distort(corner)).max() > 5


def test_barrel_distortion_pulls_corners_inwards():
    camera = make_camera(distortion=(-0.2, 0.0))
    corner = camera.distort(np.array([[1900.0, 1060.0]]))[0]
    assert corner[0] < 1900.0 and corner[1] < 1060.0
