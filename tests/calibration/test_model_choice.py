"""``tune --pixel-runs --model``'s machinery (sim/calibration/model_choice.py, detection_models.py): each
candidate fitted on the fitting seeds, the one likeliest on the held-out seeds' frames kept per kind, the
agreement table on the held-out seeds only."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.calibration import model_choice
from sim.calibration.agreement import ignoring_warnings, pixel_run_log
from sim.calibration.detection_models import FRAME_MODELS, frame_log_likelihood
from sim.calibration.model_choice import choose_models
from sim.scenario.models import Kind
from tests.helpers.pixel import BEACH_OVERRIDES, one_beach_camera


@pytest.fixture(scope="module")
def beach():
    return ignoring_warnings(one_beach_camera([*BEACH_OVERRIDES, "run.duration=90"]))


@pytest.fixture(scope="module")
def runs(beach):
    """Pixel runs of seed 0 (fitting) and seed 1 (held out), 90 s each, by seed."""
    return {seed: pixel_run_log([beach], [seed]) for seed in (0, 1)}


def test_held_out_agreement_and_likelihoods_use_the_held_out_seeds_only(beach, runs):
    table, choice, calibration = choose_models(
        [beach], [0], [1], list(FRAME_MODELS), (runs[0], runs[1]), spells=(0.0,), replications=2
    )
    held_frames = runs[1].frames
    swimming = table[table["kind"] == "swimming"].set_index("mode")
    in_view = int((runs[1].detections["kind"] == "swimming").sum())
    assert in_view > 0
    assert (
        swimming.loc["pixel", "incidents_visible"]
        == swimming.loc["statistical", "incidents_visible"]
        == in_view
    )
    rows = choice[choice["kind"] == "swimming"].set_index("model")
    assert (rows["held_out_frames"] == int((held_frames["kind"] == Kind.SWIMMING).sum())).all()
    assert (rows["fit_frames"] == int((runs[0].frames["kind"] == Kind.SWIMMING).sum())).all()
    # The held-out likelihood is the chosen class's, on seed 1's frames.
    best = rows["held_out_log_likelihood"].idxmax()
    assert rows.loc[best, "chosen"] and rows["chosen"].sum() == 1
    assert calibration.classes[Kind.SWIMMING].model == best
    swimmers = held_frames[held_frames["kind"] == Kind.SWIMMING]
    assert frame_log_likelihood(calibration, Kind.SWIMMING, swimmers) == pytest.approx(
        rows.loc[best, "held_out_log_likelihood"], abs=1e-3
    )
    assert f"swimming {best}" in calibration.source
    # No fishing frames: no likelihood, the scenario's fishing entry kept.
    assert choice[choice["kind"] == "fishing"]["held_out_log_likelihood"].isna().all()
    assert calibration.classes[Kind.FISHING] == beach.calibration.classes[Kind.FISHING]


@pytest.mark.parametrize("favoured", FRAME_MODELS)
def test_the_model_with_the_higher_held_out_likelihood_is_kept(monkeypatch, beach, runs, favoured):
    """Whichever candidate the held-out frames favour is written, whatever the fitting frames say."""
    real = model_choice.candidate_log_likelihood

    def rigged(calibration, kind, frames, alarms):
        value = real(calibration, kind, frames, alarms)
        # Seed 1's frames of the kind (seed 0 has another number of them: asserted below).
        if len(frames) and len(frames) == int((runs[1].frames["kind"] == kind).sum()):
            return 0.0 if calibration.classes[kind].model == favoured else -1e6
        return value

    assert (runs[0].frames["kind"] == Kind.SWIMMING).sum() != (runs[1].frames["kind"] == Kind.SWIMMING).sum()
    monkeypatch.setattr(model_choice, "candidate_log_likelihood", rigged)
    _, choice, calibration = choose_models(
        [beach], [0], [1], list(FRAME_MODELS), (runs[0], runs[1]), spells=(0.0,), replications=1
    )
    assert calibration.classes[Kind.SWIMMING].model == favoured
    kept = choice[(choice["kind"] == "swimming") & choice["chosen"]]
    assert kept["model"].tolist() == [favoured]


def test_hazard_candidates_are_chosen_by_the_held_out_alarms(beach, runs):
    """Offsets shared and per age bin, and shared with the crowd term: each candidate's held-out
    log-likelihood is that of seed 1's alarms under its fitted block, and the likeliest one's block is
    written; hazard candidates never compete with the frame models."""
    from sim.calibration.alarm_hazard_fit import alarm_log_likelihood

    candidates = ["hazard", "hazard-by-age-10", "hazard+crowd"]
    _, choice, calibration = choose_models([beach], [0], [1], candidates, (runs[0], runs[1]), replications=1)
    rows = choice[choice["kind"] == "swimming"].set_index("model")
    assert rows["held_out_log_likelihood"].notna().all() and rows["fit_log_likelihood"].notna().all()
    best = rows["held_out_log_likelihood"].idxmax()
    assert rows.loc[best, "chosen"] and rows["chosen"].sum() == 1
    block = calibration.classes[Kind.SWIMMING].alarm_hazard
    assert isinstance(block.threshold_offsets[0], tuple) == (best == "hazard-by-age-10")
    assert (block.crowd_slope != 0.0) == (best == "hazard+crowd")
    assert rows.loc["hazard+crowd", "fit_log_likelihood"] >= rows.loc["hazard", "fit_log_likelihood"]
    held_frames = runs[1].frames
    swimmers = held_frames[held_frames["kind"] == Kind.SWIMMING]
    threshold = beach.detection.threshold_for(Kind.SWIMMING)
    again = alarm_log_likelihood(block, swimmers, calibration.reference_pixels, runs[1].credited, threshold)
    assert again == pytest.approx(rows.loc[best, "held_out_log_likelihood"], abs=1e-3)
    assert "held-out log-likelihood of the alarms" in calibration.source
    with pytest.raises(ValueError, match="not together"):
        choose_models([beach], [0], [1], ["ordinal", "hazard"], (runs[0], runs[1]), replications=1)


def test_hazard_candidates_fitted_on_two_processes_are_those_fitted_on_one(runs, beach):
    """Candidates at two smoothing weights: the same calibrations and the same scores on both sets of runs
    from a pool of two workers as from one process, in the same order; the weight is the label's (0.3 and 3
    give other baselines, and a label without one is fitted at the default weight 1)."""
    from sim.calibration.model_choice import fit_candidates

    models = ["hazard-smooth-0.3", "hazard-smooth-3"]
    serial = fit_candidates(beach, runs[0], [*models, "hazard", "hazard-smooth-1"], held_out=runs[1])
    pooled = fit_candidates(beach, runs[0], models, workers=2, held_out=runs[1])
    assert list(pooled) == models
    for name in models:  # the rows hold NaN (no anglers): compared as tables
        assert pooled[name].calibration == serial[name].calibration
        pd.testing.assert_frame_equal(pd.DataFrame(pooled[name].rows), pd.DataFrame(serial[name].rows))
    swimming = [row for row in pooled["hazard-smooth-3"].rows if row["kind"] == "swimming"]
    assert swimming[0]["held_out_frames"] > 0 and swimming[0]["held_out_log_likelihood"] < 0
    rates = {
        name: serial[name].calibration.classes[Kind.SWIMMING].alarm_hazard.age_log_rates for name in serial
    }
    assert rates["hazard-smooth-0.3"] != rates["hazard-smooth-3"]
    assert rates["hazard"] == rates["hazard-smooth-1"]


def test_the_chain_s_frame_likelihood_is_its_fit_s(beach, runs):
    """At the fitted parameters the forward algorithm gives the fit's own maximised log-likelihood (up to the
    calibration file's rounding to 4 decimals)."""
    from sim.calibration.calibration_file import class_entry
    from sim.calibration.detection_models import fit_model

    frames = runs[0].frames
    swimmers = frames[frames["kind"] == Kind.SWIMMING]
    fit = fit_model("acquisition", swimmers, beach.calibration.reference_pixels, 0.3)
    data = beach.calibration.model_dump(mode="json")
    data["classes"]["swimming"] = class_entry(fit)
    calibration = type(beach.calibration).model_validate(data)
    assert calibration.classes[Kind.SWIMMING].model == "acquisition"
    value = frame_log_likelihood(calibration, Kind.SWIMMING, swimmers)
    assert value == pytest.approx(fit["log_likelihood"], rel=1e-3)


@pytest.mark.parametrize("spell_s", [0.0, 30.0])
def test_the_ordinal_frame_likelihood_is_its_fit_s(beach, runs, spell_s):
    """The ordinal model fitted on every frame (one level, or a lasting and a spell level, never-scored share
    by size): its marginal likelihood at the written terms is the fit's (ridge and rounding aside)."""
    from sim.calibration.calibration_file import class_entry
    from sim.calibration.detectability import fit_hit_model

    frames = runs[0].frames
    swimmers = frames[frames["kind"] == Kind.SWIMMING]
    fit = fit_hit_model(swimmers, beach.calibration.reference_pixels, spell_s=spell_s, never=True)
    data = beach.calibration.model_dump(mode="json")
    data["classes"]["swimming"] = class_entry(fit)
    calibration = type(beach.calibration).model_validate(data)
    value = frame_log_likelihood(calibration, Kind.SWIMMING, swimmers)
    assert value == pytest.approx(fit["log_likelihood"], rel=2e-3)


def test_a_thermal_fit_keeps_the_chosen_model_in_its_own_terms():
    """Fits of thermal cameras hold their classes in ``sensors.thermal``: the kept model's class goes there,
    and the visible (top-level) classes stay the first fit's."""
    import pandas as pd

    from sim.loading import load_scenario
    from sim.scenario.models import SensorType
    from tests.helpers.paths import DEFAULT

    base = load_scenario(DEFAULT).calibration
    thermal = base.sensors[SensorType.THERMAL]

    def fit(intercept: float):
        swimming = thermal.classes[Kind.SWIMMING].model_copy(update={"intercept": intercept})
        terms = thermal.model_copy(update={"classes": {**thermal.classes, Kind.SWIMMING: swimming}})
        return base.model_copy(update={"sensors": {SensorType.THERMAL: terms}})

    fits = {"ordinal": fit(1.0), "acquisition": fit(2.0)}
    choice = pd.DataFrame(
        {
            "kind": ["swimming", "swimming", "fishing", "fishing"],
            "model": ["ordinal", "acquisition"] * 2,
            "held_out_log_likelihood": [-10.0, -5.0, float("nan"), float("nan")],
            "chosen": [False, True, True, False],
        }
    )
    merged = model_choice.merge_chosen(fits, choice, [5], SensorType.THERMAL)
    assert merged.sensors[SensorType.THERMAL].classes[Kind.SWIMMING].intercept == 2.0
    assert merged.classes == base.classes
    assert "swimming acquisition" in merged.source
