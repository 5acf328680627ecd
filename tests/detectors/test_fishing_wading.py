"""detectors.fishing with ``dry_feet``: someone standing in the shallows in front of the bank (a wader, the
body continuing below the bank onto the water) scores 0; an angler whose feet are on the bank scores as
without it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from detectors.base import FrameContext
from detectors.fishing import FishingDetector
from detectors.fishing_bodies import stands_in_water
from detectors.fishing_masks import CameraMasks

HEIGHT, WIDTH = 120, 160
BANK = 70
"""The first row of water; the bank is the 4 rows above it (no-fishing everywhere)."""
PPM = 8.0
"""Pixels per metre on every row: a 1.7-m person is 14 px tall."""
FPS = 10.0
ARRIVAL_S = 6.0
"""The figure appears after the detector's warm-up (5 s), s."""


def context() -> FrameContext:
    water = np.zeros((HEIGHT, WIDTH), bool)
    water[BANK:] = True
    shore = np.zeros((HEIGHT, WIDTH), bool)
    shore[BANK - 4 : BANK] = True
    no_fishing = np.ones((HEIGHT, WIDTH), bool)
    no_swimming = np.zeros((HEIGHT, WIDTH), bool)
    return FrameContext(water, shore, no_swimming, no_fishing, np.full(HEIGHT, PPM), FPS)


def frame(t: float, bottom: int) -> np.ndarray:
    """A thermal-like frame at ``t`` (s): cold bank above ``BANK``, warmer water below, and after
    ``ARRIVAL_S`` a warm body 12 px tall whose lowest row is ``bottom - 1``, a rod rising from its shoulder
    and a line from the rod's tip to the water; sensor noise of 2 grey levels."""
    image = np.full((HEIGHT, WIDTH), 60.0)
    image[BANK:] = 110.0
    if t >= ARRIVAL_S:
        top = bottom - 12
        image[top:bottom, 70:75] = 200.0
        cv2.line(image, (74, top + 2), (90, top - 14), 170.0, 1)
        cv2.line(image, (90, top - 14), (104, BANK + 12), 170.0, 1)
    image += np.random.default_rng(round(t * FPS)).normal(0.0, 2.0, image.shape)
    return cv2.cvtColor(np.clip(image, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)


def best_score(detector: FishingDetector, bottom: int, seconds: float = 25.0) -> float:
    """The highest score ``detector`` gives the figure over ``seconds`` (s) of frames."""
    scene, best = context(), 0.0
    for number in range(int(seconds * FPS)):
        t = number / FPS
        found = detector.update(frame(t, bottom), t, scene)
        if len(found):
            best = max(best, float(found.confidence.max()))
    return best


@pytest.mark.parametrize(
    ("bottom", "dry_feet", "scored"),
    [
        (BANK, False, True),  # an angler, feet on the bank
        (BANK, True, True),
        (BANK + 3, False, True),  # the body continues 3 px below the bank: standing in the water
        (BANK + 3, True, False),
    ],
)
def test_someone_standing_in_the_water_scores_0_with_dry_feet(bottom, dry_feet, scored):
    best = best_score(FishingDetector(dry_feet=dry_feet), bottom)
    assert (best > 0.8) if scored else best == 0.0


def test_stands_in_water_when_the_feet_are_off_the_bank_or_the_body_goes_on_onto_the_water():
    bank = np.zeros((20, 20), bool)
    bank[7:10] = True
    water = np.zeros((20, 20), bool)
    water[10:] = True
    masks = CameraMasks(np.full(20, 5.0), bank, bank, bank, water, np.full(20, 3), (0, 0, 20, 20))
    foreground = np.zeros((20, 20), np.uint8)
    foreground[2:10, 5:10] = 255  # a body whose feet row (9) is the last on the bank
    box = (5, 2, 10, 10)
    assert not stands_in_water(foreground, masks, box)
    foreground[10, 8] = 255  # a line crossing below the feet: one pixel
    assert not stands_in_water(foreground, masks, box)
    foreground[10:12, 5:10] = 255  # the body goes on below the feet, onto the water
    assert stands_in_water(foreground, masks, box)
    dry = CameraMasks(masks.ppm, bank, bank, bank, np.zeros((20, 20), bool), masks.run, masks.window)
    assert not stands_in_water(foreground, dry, box)  # ... onto more bank: not in the water
    assert not stands_in_water(foreground, masks, (5, 2, 10, 20))  # feet on the frame's last row
    # Beside the end of a bank: the feet row touches it with one pixel of five.
    beside = np.zeros((20, 20), bool)
    beside[7:10, :6] = True
    masks = CameraMasks(masks.ppm, beside, beside, beside, ~beside, masks.run, masks.window)
    foreground[10:] = 0
    assert stands_in_water(foreground, masks, box)


def test_dry_feet_is_a_parameter_of_the_detector():
    assert FishingDetector(dry_feet=True).dry_feet
    assert not FishingDetector().dry_feet
    with pytest.raises(ValueError, match="dry_feet must be true or false"):
        FishingDetector(dry_feet="yes")
