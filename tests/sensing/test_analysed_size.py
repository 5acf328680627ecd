"""The size the detectors analyse (sim.sensing.analysed_size); statistical mode and the fits reading it."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.calibration.agreement import calibrate_from_pixel_runs, calibrated_detections
from sim.calibration.detection_models import at_reference, data_reference, fit_model
from sim.calibration.pixel_run_log import ALARM_LOG_COLUMNS, DETECTION_COLUMNS, PixelRunLog
from sim.errors import TuningError
from sim.loading import load_scenario
from sim.scenario.models import Kind
from sim.sensing.analysed_size import AnalysedScale
from sim.world.cameras import CameraModel
from tests.calibration.test_alarm_hazard_fit import _shifting_alarms
from tests.helpers.paths import DEFAULT
from tests.helpers.pixel import agreement_beach


def _camera(scenario, camera_id):
    return next(c for c in scenario.cameras if c.id == camera_id)


def test_the_analysed_frame_and_the_far_bank_tile_by_hand():
    """cam-east-n: 2560 px analysed at 640, a quarter everywhere. cam-peninsula (at (450, 690), lens 15 m up,
    1920 px, tile from 250 m): anglers at 300 m on the ground (slant √(300² + 15²) = 300.4 m) are analysed
    on the tile at full size, anglers at 200 m and swimmers anywhere at a third."""
    scenario = load_scenario(DEFAULT)
    east = AnalysedScale.of(_camera(scenario, "cam-east-n"), 640)
    points = np.array([[800.0, 600.0], [790.0, 520.0]])
    assert east.frame_scale == 0.25
    assert list(east.at(points, Kind.FISHING)) == [0.25, 0.25]
    peninsula = AnalysedScale.of(_camera(scenario, "cam-peninsula"), 640)
    far, near = [750.0, 690.0], [650.0, 690.0]
    assert math.hypot(300.0, 15.0) >= 250.0
    assert list(peninsula.at(np.array([far, near]), Kind.FISHING)) == [1.0, 1.0 / 3.0]
    assert list(peninsula.at(np.array([far, near]), Kind.SWIMMING)) == [1.0 / 3.0, 1.0 / 3.0]
    full = CameraModel(_camera(scenario, "cam-peninsula")).pixel_height(np.array([far, near]), 1.7)
    analysed = peninsula.pixel_height(np.array([far, near]), 1.7, Kind.FISHING)
    assert list(analysed) == pytest.approx([full[0], full[1] / 3.0], rel=1e-15)
    never_up = AnalysedScale.of(_camera(scenario, "cam-east-n"), 4000)  # never upscaled
    assert never_up.frame_scale == 1.0


def test_statistical_mode_gives_each_class_the_heights_it_was_fitted_to():
    """A class fitted to analysed heights with a reference of 10 px × the frame's scale (and a size cliff
    below 1 px × that scale) is the class fitted to full heights at 10 px (a cliff below 1 px): one camera, no
    tile, one scale, the same detections on the same incidents."""
    scene = agreement_beach(60.0, 600.0)
    scale = 320 / 1920  # the agreement beach analyses cam-beach-w's 1920 px at 320
    installed = scene.calibration

    def on(basis: str, reference: float, cliff_below: float):
        classes = {}
        for kind, spec in installed.classes.items():
            rates = spec.alarm_hazard
            if rates.size_cliff is not None:
                cliff = rates.size_cliff.model_copy(update={"below_pixels": cliff_below})
                rates = rates.model_copy(update={"size_cliff": cliff})
            classes[kind] = spec.model_copy(update={"size_basis": basis, "alarm_hazard": rates})
        return installed.model_copy(update={"classes": classes, "reference_pixels": reference})

    assert installed.classes[Kind.SWIMMING].alarm_hazard.size_cliff is not None  # the cliff is checked too
    full = on("full", installed.reference_pixels, 1.0)
    analysed = on("analysed", installed.reference_pixels * scale, scale)
    rows = [calibrated_detections([scene], c, [0, 1], 3) for c in (full, analysed)]
    assert len(rows[0]) > 5 and rows[0]["detected"].any()
    pd.testing.assert_frame_equal(rows[0], rows[1], check_exact=False, rtol=1e-9)
    # and the basis matters: the analysed class given full heights would see swimmers six times as tall
    wrong = full.model_copy(update={"reference_pixels": full.reference_pixels * scale})
    assert not calibrated_detections([scene], wrong, [0, 1], 3).equals(rows[0])


def test_a_log_of_full_image_heights_is_read_but_not_fitted(tmp_path):
    frames, _ = _shifting_alarms(3, 4.0, np.random.default_rng(0))
    log = PixelRunLog(
        frames.assign(kind=Kind.SWIMMING.value),
        pd.DataFrame(columns=list(ALARM_LOG_COLUMNS)),
        pd.DataFrame(columns=list(DETECTION_COLUMNS)),
        (0.1,),
        {"seeds": [0]},
    )
    log.write(tmp_path / "log")
    assert PixelRunLog.read(tmp_path / "log").note == {"seeds": [0]}
    meta = tmp_path / "log" / "log.json"
    meta.write_text(meta.read_text().replace('"pixels": "analysed",', ""), encoding="utf-8")
    old = PixelRunLog.read(tmp_path / "log")  # an agreement check reads only its detections
    assert old.pixels == "full" and old.first(1).pixels == "full"
    with pytest.raises(TuningError, match="full image"):
        calibrate_from_pixel_runs(agreement_beach(), old, model="hazard")


def test_terms_move_to_another_reference_by_hand():
    """η = a + b·log2(px / ref): moving the reference from 2 px to 8 px adds b·log2(4) = 2b to every
    intercept at the reference (the score's, the alarm rates' per age bin, the never-scored share's logit)."""
    fit = {
        "intercept": 1.0,
        "size_slope": 0.5,
        "never_share": 0.2,
        "never_size_slope": -1.0,
        "alarm_hazard": {"age_log_rates": [-3.0, -1.0], "size_slope": 2.0},
    }
    moved = at_reference(fit, 2.0, 8.0)
    assert moved["intercept"] == pytest.approx(2.0)
    assert moved["alarm_hazard"]["age_log_rates"] == pytest.approx([1.0, 3.0])
    logit = math.log(0.2 / 0.8) - 2.0
    assert moved["never_share"] == pytest.approx(1.0 / (1.0 + math.exp(-logit)))
    assert fit["intercept"] == 1.0  # the fit itself is left as it was
    sizes = pd.DataFrame({"pixels": [3.0, 5.0, 6.0, 40.0]})
    assert data_reference(sizes) == 4.0  # the median of the log2 sizes, 2.45, rounds to 2: 2² px


def test_a_fit_is_the_same_model_whatever_the_reference():
    """Fitted at any reference, the terms give the same rates at any size: the fits work at a reference
    inside the data and move the terms to the file's."""
    frames, credited = _shifting_alarms(200, 8.0, np.random.default_rng(7))
    frames = frames.assign(pixels=frames["pixels"] * (1.0 + (frames.index % 3)))  # 10, 20 and 30 px
    fits = [fit_model("hazard", frames, ref, 0.5, alarms=(credited, 1, 1)) for ref in (1.0, 10.0, 100.0)]
    for fit, ref in zip(fits, (1.0, 10.0, 100.0), strict=True):
        rates = fit["alarm_hazard"]
        at_20px = np.array(rates["age_log_rates"]) + rates["size_slope"] * math.log2(20.0 / ref)
        first = np.array(fits[0]["alarm_hazard"]["age_log_rates"]) + fits[0]["alarm_hazard"][
            "size_slope"
        ] * math.log2(20.0)
        assert at_20px == pytest.approx(first, abs=1e-9)
