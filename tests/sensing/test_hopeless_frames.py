"""Frames in which no hit can start (the offender is never scored, or stays put where even the luckiest
frame's hit probability is below every draw) are skipped with their draws kept: every alarm, its time and
score, is the one the full computation finds, and far fewer frames are computed."""

from __future__ import annotations

from sim.engine import Simulation
from sim.loading import load_scenario
from sim.sensing.statistical import StatisticalSensing
from tests.helpers.paths import DEFAULT, ORDINAL_CALIBRATION


def _observed(monkeypatch, skip: bool) -> tuple[list, int]:
    """Every incident's first sighting and alarms over four spring days (fishers at dawn and dusk), and how
    many frames' hit probabilities were computed."""
    # The skip is the ordinal hit model's (a hazard class draws alarms, not frames).
    overrides = ["run.duration=4d", "run.start=2026-04-12T00:00", "run.seed=2", ORDINAL_CALIBRATION]
    scenario = load_scenario(DEFAULT, overrides)
    frames = [0]
    compute = StatisticalSensing.frame_probabilities

    def counted(self, sensor, incident, times, own):
        frames[0] += len(times)
        return compute(self, sensor, incident, times, own)

    with monkeypatch.context() as patch:
        patch.setattr(StatisticalSensing, "frame_probabilities", counted)
        if not skip:
            patch.setattr(StatisticalSensing, "_hit_bound", lambda *args: None)
        simulation = Simulation(scenario)
        seen = [simulation.sensing.observe(i, simulation.streams.stream) for i in simulation.incidents]
    return seen, frames[0]


def test_skipping_hopeless_frames_changes_no_alarm(monkeypatch):
    skipped, fewer = _observed(monkeypatch, skip=True)
    full, all_frames = _observed(monkeypatch, skip=False)
    assert len(full) > 15 and sum(len(alarms) for _, alarms in full) > 10
    assert skipped == full
    assert fewer < all_frames / 3, (fewer, all_frames)
