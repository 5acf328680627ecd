"""False-alarm evidence: exact intervals, the plan of chunks, and the table from chunk files."""

from __future__ import annotations

import math

import pytest

from sim.calibration.end_to_end import InProcess
from sim.calibration.false_alarm_evidence import (
    CHUNK_CLIPS,
    clips_for,
    evidence_table,
    gather,
    markdown_table,
    plan_chunks,
    poisson_interval,
    read_chunks,
    same_rate_p,
)
from sim.scenario.models import Kind, Light
from tests.helpers.evidence import write_chunk


@pytest.mark.parametrize(
    ("count", "hours", "low", "high"),
    [
        (0, 1.0, 0.0, 3.6889),  # Garwood's table: 0 events, upper 95 % limit 3.689
        (2, 1.0, 0.2422, 7.2247),
        (2, 3.0, 0.2422 / 3, 7.2247 / 3),  # per hour: the count's limits over the exposure
        (19, 3.0, 11.439 / 3, 29.671 / 3),
    ],
)
def test_the_exact_poisson_interval_matches_garwood(count, hours, low, high):
    got = poisson_interval(count, hours)
    assert got == pytest.approx((low, high), rel=1e-3, abs=1e-4)


def test_the_plan_covers_the_hours_in_disjoint_interleaved_chunks(default_scenario):
    hours = {Light.DAY: 0.25, Light.DUSK: 0.1, Light.NIGHT: 0.0}
    chunks = plan_chunks(default_scenario, (Kind.SWIMMING, Kind.FISHING), hours, 0.1, 125.0, 20)
    clips = {(c.kind, c.light, c.part): 0 for c in chunks}
    for chunk in chunks:
        clips[(chunk.kind, chunk.light, chunk.part)] += len(chunk.cases)
        assert len(chunk.cases) <= CHUNK_CLIPS
    assert clips[(Kind.SWIMMING, Light.DAY, "fit")] == clips_for(0.25, 125.0) == 8  # 8 × 120 s ≥ 0.25 h
    assert clips[(Kind.FISHING, Light.DUSK, "held_out")] == clips_for(0.1, 125.0) == 3
    assert not any(c.light is Light.NIGHT and c.part == "fit" for c in chunks)
    seeds = {
        part: {case.seed for c in chunks if c.part == part for case in c.cases}
        for part in ("fit", "held_out")
    }
    assert not seeds["fit"] & seeds["held_out"]
    assert len({c.name for c in chunks}) == len(chunks)
    # Interleaved: the first round holds one chunk of every condition.
    assert {(c.kind, c.light, c.part) for c in chunks[: len(clips)]} == set(clips)


def test_the_table_counts_hours_alarms_and_checks_the_held_out_rate(tmp_path):
    folder = tmp_path / "chunks"
    folder.mkdir()
    curve = {"0.2": 40, "0.35": 20, "0.5": 10, "0.65": 6, "0.8": 4}
    write_chunk(folder, "fit", 0, 2.0, curve, {"glint": 3, "reeds": 1})
    halved = {t: n // 2 for t, n in curve.items()}
    write_chunk(folder, "held_out", 0, 1.0, halved, {"background": 2}, {"0.5": 4, "0.8": 3})
    (row,) = evidence_table(read_chunks(tmp_path)).itertuples()
    assert row.not_scored == 3  # at the operating threshold, and apart from the alarms
    assert (row.fit_hours, row.fit_alarms, row.held_out_hours, row.held_out_alarms) == (2.0, 4, 1.0, 2)
    assert row.fit_rate == 2.0 and row.held_out_rate == 2.0
    assert (row.fit_low, row.fit_high) == pytest.approx(poisson_interval(4, 2.0), abs=1e-4)
    assert row.inside and row.causes == "glint 3, background 2, reeds 1"
    assert row.fitted_rate == pytest.approx(2.0, rel=0.3)  # the model through every threshold's counts
    assert not row.goal_met  # 2 and 1 hours: short of 10 and 3
    text = markdown_table(evidence_table(read_chunks(tmp_path)))
    assert "| swimming | day | visible | 0.8 | 2.00 | 4 |" in text and "| yes | 1 |" in text
    assert "reeds 1; not scored: 3 on offenders beyond range |" in text


def test_a_held_out_rate_outside_the_fit_interval_is_flagged(tmp_path):
    folder = tmp_path / "chunks"
    folder.mkdir()
    write_chunk(folder, "fit", 0, 3.0, {"0.8": 0}, {})
    write_chunk(folder, "held_out", 0, 3.0, {"0.8": 9}, {"glint": 9})
    (row,) = evidence_table(read_chunks(tmp_path)).itertuples()
    assert row.fit_high == pytest.approx(3.6889 / 3, rel=1e-3) and row.held_out_rate == 3.0
    assert row.inside is False or row.inside == False  # noqa: E712 (numpy bool)
    assert math.isfinite(row.fitted_rate)
    # One rate? All 9 alarms fell in the held-out half of the hours: 2 · 0.5^9 by hand.
    assert row.same_rate_p == pytest.approx(2 * 0.5**9, abs=1e-4)


def test_one_rate_by_the_exact_conditional_test_by_hand():
    """21 fit alarms in 10 h and 3 held out in 3 h: under one rate the held-out alarms are Binomial(24,
    3/13); two-sided (the outcomes no likelier than 3), p = 0.33 by hand; the held-out rate 1.0 an hour is
    outside the fit's interval (1.30-3.21) all the same."""
    share = 3 / 13
    pmf = [math.comb(24, k) * share**k * (1 - share) ** (24 - k) for k in range(25)]
    by_hand = sum(p for p in pmf if p <= pmf[3] * (1 + 1e-7))
    row = {"fit_alarms": 21, "fit_hours": 10.0, "held_out_alarms": 3, "held_out_hours": 3.0}
    assert same_rate_p(row) == pytest.approx(by_hand, abs=1e-4)
    assert same_rate_p(row | {"fit_alarms": 0, "held_out_alarms": 0}) == 1.0


def test_a_spent_budget_submits_no_chunk(default_scenario, tmp_path):
    hours = {Light.DAY: 0.1, Light.DUSK: 0.0, Light.NIGHT: 0.0}
    chunks = plan_chunks(default_scenario, (Kind.SWIMMING,), hours, 0.0, 125.0, 20)
    ran = gather(default_scenario, chunks, 125.0, tmp_path, InProcess(), budget_s=-1.0, progress=None)
    assert ran == 0
    assert not list((tmp_path / "chunks").iterdir())
