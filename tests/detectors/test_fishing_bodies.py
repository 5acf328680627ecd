"""detectors.fishing_bodies: a far angler whose rod and line show as strongly as the body (a thermal camera
at night) is cut to its body with ``grounded``; without it the box spans the gear."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from detectors.fishing import FishingDetector
from detectors.fishing_bodies import find_bodies, grounded_runs
from detectors.fishing_masks import CameraMasks

SIZE = 60
PPM = 5.0
"""Pixels per metre everywhere: a 1.7-m person is 8.5 px tall, a 3-m rod 15 px long."""
FEET = 40
"""The feet row, on the bank."""


def masks_of(ppm: float) -> CameraMasks:
    """A bank on the feet row (dilated by a pixel), water below it, pixels per metre ``ppm`` everywhere."""
    feet = np.zeros((SIZE, SIZE), bool)
    feet[FEET - 1 : FEET + 2] = True
    water = np.zeros((SIZE, SIZE), bool)
    water[FEET + 1 :] = True
    region = np.ones((SIZE, SIZE), bool)
    return CameraMasks(np.full(SIZE, ppm), feet, feet, region, water, np.full(SIZE, 3), (0, 0, SIZE, SIZE))


def far_angler() -> tuple[np.ndarray, CameraMasks]:
    """Foreground of a far angler as a thermal camera's background model sees it at night: a body 5 px wide
    and 10 px tall with its feet on the bank, a rod rising from its shoulder to a tip above its head, and the
    line falling from the tip to the water on the feet row, both 2 px wide (an inverted V)."""
    foreground = np.zeros((SIZE, SIZE), np.uint8)
    foreground[FEET - 9 : FEET + 1, 20:25] = 255  # the body
    cv2.line(foreground, (24, FEET - 8), (28, FEET - 17), 255, 2)  # the rod, up to its tip
    cv2.line(foreground, (28, FEET - 17), (36, FEET), 255, 2)  # the line, down to the water
    masks = masks_of(PPM)
    return foreground, masks


def test_grounded_runs_count_the_run_that_reaches_the_last_row():
    mask = np.array(
        [
            [1, 1, 0, 1],
            [1, 1, 0, 0],
            [0, 1, 1, 0],
            [0, 1, 1, 1],
            [1, 1, 1, 0],
        ],
        bool,
    )
    assert grounded_runs(mask, slack=0).tolist() == [1, 5, 3, 0]
    assert grounded_runs(mask, slack=1).tolist() == [1, 5, 3, 1]
    # A one-pixel hole does not break a run (column 0), two do (column 2).
    holes = np.array([[1, 0, 1], [0, 0, 0], [1, 0, 0], [1, 1, 1]], bool)
    assert grounded_runs(holes, slack=0).tolist() == [4, 1, 1]


@pytest.mark.parametrize(("grounded", "x_span"), [(False, (20, 36)), (True, (20, 25))])
def test_a_wide_piece_is_cut_to_its_body_when_grounded(grounded, x_span):
    foreground, masks = far_angler()
    bodies, feet = find_bodies(
        foreground, masks, person_height_m=1.7, rod_length_m=3.0, reach_m=9.0, grounded=grounded
    )
    assert len(bodies) == 1
    x0, _, x1, y1 = bodies[0]
    assert (x0, x1) == x_span
    assert y1 == FEET + 1 and feet[0][1] == FEET + 1


def test_a_near_angler_s_two_legs_stay_one_body_when_grounded():
    """At 12 px/m (a person 20 px tall) the legs are two blocks of columns 2 px apart: one body."""
    foreground = np.zeros((SIZE, SIZE), np.uint8)
    foreground[FEET - 19 : FEET - 9, 30:38] = 255  # the torso
    foreground[FEET - 9 : FEET + 1, 30:33] = 255  # the legs
    foreground[FEET - 9 : FEET + 1, 35:38] = 255
    cv2.line(foreground, (37, FEET - 15), (46, FEET - 34), 255, 2)  # the rod
    cv2.line(foreground, (46, FEET - 34), (56, FEET), 255, 2)  # the line
    bodies, _ = find_bodies(
        foreground, masks_of(12.0), person_height_m=1.7, rod_length_m=3.0, reach_m=9.0, grounded=True
    )
    assert [(b[0], b[2]) for b in bodies] == [(30, 38)]


def test_grounded_bodies_is_a_parameter_of_the_detector():
    assert FishingDetector(grounded_bodies=True).grounded_bodies
    assert not FishingDetector().grounded_bodies
    with pytest.raises(ValueError, match="grounded_bodies must be true or false"):
        FishingDetector(grounded_bodies="yes")
