"""The size cliff fitted to offenders alarmed at a rate that falls faster below one pixel than the class's
size slope says: the slope comes back, a held-out set gains by it and one without a cliff does not; and the
script's sentence of source replaces an earlier one."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from sim.calibration.alarm_hazard_fit import alarm_log_likelihood
from sim.calibration.pixel_run_log import ALARM_LOG_COLUMNS, DETECTION_COLUMNS, PixelRunLog
from sim.calibration.size_cliff_fit import cliff_gain, fit_size_cliff
from sim.scenario.models import AlarmHazard, Calibration, Kind, SizeCliff
from sim.sensing.alarm_hazard import size_cliff_offset
from tests.helpers.paths import SCENARIOS
from tests.helpers.scripts import script

STEP, RATE, VIEW_S = 0.5, 0.05, 60.0
"""Frame step (s), the class's rate at the reference size 1 px (1/s), each offender's time in view (s)."""
TRUE = SizeCliff(below_pixels=1.0, slope=2.0)


def block() -> AlarmHazard:
    """A class with one age bin at :data:`RATE` at 1 px, no size slope, one threshold, k = n = 1."""
    values = {"age_edges_s": (0.0,), "age_log_rates": (math.log(RATE),), "size_slope": 0.0}
    return AlarmHazard(**values, thresholds=(0.5,), threshold_offsets=(0.0,), k=1, n=1)


def offenders(count: int, seed: int, cliff: SizeCliff | None) -> tuple[pd.DataFrame, pd.Series]:
    """``count`` offenders 0.5-2 px tall (log-uniform), alarmed at :data:`RATE` times the cliff's factor (its
    ``late_slope`` from ``late_after_s`` in view on, if it has one): each offender's first alarm in the frame
    where its cumulative hazard reaches a unit exponential draw."""
    rng = np.random.default_rng(seed)
    t = np.round(np.arange(0.0, VIEW_S, STEP), 6)
    rows, credited = [], {}
    for g in range(count):
        pixels = 2.0 ** rng.uniform(-1.0, 1.0)
        offset = size_cliff_offset(cliff, np.full(len(t), pixels), t) if cliff else np.zeros(len(t))
        reached = np.cumsum(RATE * np.exp(offset) * STEP) >= rng.exponential()
        score, group = np.zeros(len(t)), f"0/cam/incident-{g}"
        if reached.any():
            frame = int(np.argmax(reached))
            score[frame], credited[group] = 0.95, float(t[frame])
        columns = {"pixels": pixels, "light": 2, "weather": "clear", "score": score, "track": 1}
        rows.append(pd.DataFrame({"group": group, "t": t, **columns}))
    return pd.concat(rows, ignore_index=True), pd.Series(credited, dtype=float)


def test_the_cliff_comes_back_and_foretells_fresh_offenders():
    frames, credited = offenders(1500, seed=1, cliff=TRUE)
    fit = fit_size_cliff(frames, credited, block(), 1.0, 0.5)
    assert fit.cliff.below_pixels == 1.0 and fit.cliff.slope == pytest.approx(2.0, abs=0.3)
    assert fit.offenders == 1500 and 600 < fit.below < 900 and fit.gain > 10.0
    fresh, alarms = offenders(600, seed=2, cliff=TRUE)
    assert cliff_gain(fresh, alarms, block(), 1.0, 0.5, fit.cliff) > 2.0
    without, alarms = offenders(600, seed=3, cliff=None)
    assert cliff_gain(without, alarms, block(), 1.0, 0.5, fit.cliff) < 0.0


def test_a_class_of_its_own_cliff_is_fitted_without_it():
    """The class's own cliff is not held: refitting it gives the same slope whatever it was."""
    frames, credited = offenders(400, seed=4, cliff=TRUE)
    plain = fit_size_cliff(frames, credited, block(), 1.0, 0.5)
    with_own = block().model_copy(update={"size_cliff": SizeCliff(below_pixels=1.0, slope=9.0)})
    assert fit_size_cliff(frames, credited, with_own, 1.0, 0.5).cliff == plain.cliff


def test_a_cliff_by_age_comes_back_and_beats_one_slope_on_fresh_offenders():
    """Offenders below a pixel slow at first (slope 3) and found later at nearly a resolved one's rate
    (slope 0.3 after 20 s): two slopes recover both; one slope sits between them, and fresh offenders'
    alarms are likelier under the two."""
    truth = SizeCliff(below_pixels=1.0, slope=3.0, late_slope=0.3, late_after_s=20.0)
    frames, credited = offenders(2000, seed=6, cliff=truth)
    two = fit_size_cliff(frames, credited, block(), 1.0, 0.5, late_after_s=20.0).cliff
    assert two.late_after_s == 20.0
    assert two.slope == pytest.approx(3.0, abs=0.6) and two.late_slope == pytest.approx(0.3, abs=0.25)
    one = fit_size_cliff(frames, credited, block(), 1.0, 0.5).cliff
    assert one.late_slope is None and two.late_slope < one.slope < two.slope
    fresh, alarms = offenders(800, seed=7, cliff=truth)
    assert cliff_gain(fresh, alarms, block(), 1.0, 0.5, two) > cliff_gain(
        fresh, alarms, block(), 1.0, 0.5, one
    )


def _script():
    """scripts/size_cliff_terms.py as a module."""
    return script("size_cliff_terms")


def test_install_writes_the_cliff_and_replaces_its_earlier_sentence(tmp_path):
    data = json.loads((SCENARIOS / "calibration" / "default.json").read_text(encoding="utf-8"))
    data["source"] = (
        "Installed by `x`. The swimming class's size cliff (old) was fitted by `y`, the class held."
    )
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    _script().install(path, Kind.SWIMMING, TRUE.model_dump(mode="json"), (3.6, 1.49), tmp_path / "runs")
    installed = Calibration.model_validate_json(path.read_text(encoding="utf-8"))
    assert installed.classes[Kind.SWIMMING].alarm_hazard.size_cliff == TRUE
    source = installed.source
    assert source.count("class's size cliff") == 1 and "(old)" not in source
    assert "(below 1 px, 2 more per halving)" in source and "held-out seeds +1.49" in source
    assert _script().cliff_account(source).startswith(" The swimming class's size cliff (below 1 px")
    late = TRUE.model_copy(update={"late_slope": 0.5, "late_after_s": 30.0})
    _script().install(
        path, Kind.SWIMMING, late.model_dump(mode="json"), (4.0, 2.0), tmp_path / "runs", " --late-after 30"
    )
    again = Calibration.model_validate_json(path.read_text(encoding="utf-8"))
    assert again.classes[Kind.SWIMMING].alarm_hazard.size_cliff == late
    assert again.source.count("class's size cliff") == 1
    assert "(below 1 px, 2 more per halving for 30 s in view, 0.5 after)" in again.source
    assert "--late-after 30 --install" in again.source


def _log(seeds: list[int]) -> PixelRunLog:
    """A log of one offender frame per run of ``seeds``, no alarms."""
    frames = pd.DataFrame(
        {"kind": "swimming", "group": [f"{run}/cam-river/incident-1" for run in range(len(seeds))], "t": 0.0}
    ).assign(pixels=0.8, light=2, weather="clear", score=0.1, track=1)
    alarms = pd.DataFrame(columns=list(ALARM_LOG_COLUMNS))
    detections = pd.DataFrame(columns=list(DETECTION_COLUMNS))
    return PixelRunLog(frames, alarms, detections, (0.1,) * len(seeds), {"seeds": seeds})


def test_more_fitting_runs_are_stacked_after_the_regenerations_and_must_not_share_seeds(tmp_path):
    logs = {"fit": _log([0, 1]), "held_out": _log([6, 7])}
    _log([500, 501, 502]).write(tmp_path / "far-600")
    _log([540]).write(tmp_path / "far-1800")
    fit = _script().fitting_runs(logs, [tmp_path / "far-600", tmp_path / "far-1800"])
    assert fit.run_count == 6 and fit.note == {"seeds": [0, 1]}
    assert list(fit.frames["group"].str.split("/").str[0]) == ["0", "1", "2", "3", "4", "5"]
    assert _script().fitting_runs(logs, []) is logs["fit"]
    _log([7, 8]).write(tmp_path / "held")
    with pytest.raises(SystemExit, match=r"held: seeds \[7\] are held-out or another folder's seeds"):
        _script().fitting_runs(logs, [tmp_path / "held"])
    with pytest.raises(SystemExit, match=r"seeds \[500, 501, 502\]"):
        _script().fitting_runs(logs, [tmp_path / "far-600", tmp_path / "far-600"])
    with pytest.raises(SystemExit, match="no kept pixel runs there"):
        _script().fitting_runs(logs, [tmp_path / "nowhere"])


def test_the_class_fits_likelihood_refuses_a_block_with_terms_fitted_after_it():
    """:func:`sim.calibration.alarm_hazard_fit.alarm_log_likelihood` knows nothing of the cliff: a block
    with one is refused rather than scored as if it had none."""
    frames, credited = offenders(10, seed=5, cliff=TRUE)
    with_cliff = block().model_copy(update={"size_cliff": TRUE})
    with pytest.raises(ValueError, match="held_class_fit"):
        alarm_log_likelihood(with_cliff, frames, 1.0, credited, 0.5)
    assert math.isfinite(alarm_log_likelihood(block(), frames, 1.0, credited, 0.5))
