"""scripts/weather_effect.py pairs each incident's detection in clear weather with the same incident's in
another weather (the same seeds meet the same offenders)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.helpers.scripts import script


def _script():
    """scripts/weather_effect.py as a module."""
    return script("weather_effect")


def _detections(detected: list[bool], incidents: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"run": 0, "incident_id": incidents, "detected": detected})


def test_the_paired_change_counts_only_incidents_seen_in_both_weathers():
    """Four incidents in both (two found in clear weather, one of them lost in fog and one gained), one
    only in clear weather (left out): the change is 0 over 4, its bootstrap interval around 0 and inside
    the ±1 a mean of changes of −1, 0 and +1 can reach."""
    clear = _detections([True, True, False, False, True], [1, 2, 3, 4, 5])
    fog = _detections([True, False, True, False], [1, 2, 3, 4])
    change, low, high, matched = _script().paired_change(clear, fog, np.random.default_rng(0))
    assert (change, matched) == (0.0, 4)
    assert -1.0 <= low < 0.0 < high <= 1.0


def test_a_weather_that_loses_every_incident_changes_the_rate_by_minus_one():
    clear = _detections([True] * 6, list(range(6)))
    fog = _detections([False] * 6, list(range(6)))
    assert _script().paired_change(clear, fog, np.random.default_rng(0)) == pytest.approx(
        (-1.0, -1.0, -1.0, 6)
    )


def test_a_weather_that_hides_everyone_prints_no_median():
    """Pixel mode detecting nobody (a far camera in fog) has no median time to detect: printed as "-"."""
    script = _script()
    assert script._seconds(None) == "-" and script._seconds(float("nan")) == "-"
    assert script._seconds(4.304) == "4.30 s"
    assert script._change(11.86, None) == "-" and script._change(11.0, 10.0) == "+10 %"


def test_both_modes_gives_pixel_then_statistical_rows_of_one_kind():
    """``sim.calibration.agreement.both_modes``: the agreement table's rows of one kind, pixel mode's first;
    statistical mode's rate over its replications (here 2 draws of 2 swimmers, 3 detected)."""
    from sim.calibration.agreement import both_modes
    from sim.scenario.models import Kind

    def rows(detected, ttd):
        return pd.DataFrame(
            {
                "kind": "swimming",
                "detected": detected,
                "ttd_s": ttd,
                "run": 0,
                "incident_id": [1, 2] * (len(detected) // 2),
            }
        ).assign(t_first_visible=0.0)

    pixel = rows([True, False], [4.0, np.nan])
    drawn = rows([True, True, True, False], [3.0, 5.0, 4.0, np.nan])
    p, s = both_modes(pixel, drawn, Kind.SWIMMING, 2)
    assert (p.detection_rate, s.detection_rate) == (0.5, 0.75)
    assert p.ttd_p50_s == 4.0 and s.ttd_p50_s == 4.0
