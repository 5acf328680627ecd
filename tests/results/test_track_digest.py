"""The digest of tracks.csv gathered chunk by chunk is what the figures and the replay page would compute from
the whole table: state spans, the trips away from the dock, the page's keyframes; long runs' charge lines keep
each stretch's extremes, and a very long state run cut for its keyframes still replays within tolerance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim.results.track_digest as digest_module
from sim.results.boat_timeline import state_spans
from sim.results.keyframes import KEYFRAME_TOLERANCE_M, keyframes
from sim.results.track_digest import TrackDigest, Tracks

STATES = ("docked", "outbound", "on_scene", "returning")


def _tracks(rng: np.random.Generator, boats=("usv-1", "usv-2"), rows=6000) -> pd.DataFrame:
    """Boats wandering (random walks, some still stretches) through runs of states, a row every 5 s."""
    parts = []
    for boat in boats:
        runs = rng.integers(20, 400, rows // 100)
        state = np.repeat(rng.integers(0, len(STATES), len(runs)), runs)[:rows]
        steps = rng.normal(0, 1.5, (len(state), 2)) * (rng.random((len(state), 1)) < 0.7)
        xy = 500 + np.cumsum(steps, axis=0).round(2)
        parts.append(
            pd.DataFrame(
                {
                    "boat_id": boat,
                    "t": np.arange(len(state)) * 5.0,
                    "x": xy[:, 0].round(2),
                    "y": xy[:, 1].round(2),
                    "speed": 1.0,
                    "battery_wh": (2000 - np.arange(len(state)) * 0.01).round(2),
                    "state": np.asarray(STATES)[state],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _in_pieces(tracks: pd.DataFrame, rng: np.random.Generator, duration: float) -> Tracks:
    digest = TrackDigest(duration)
    cuts = np.sort(rng.choice(np.arange(1, len(tracks)), 25, replace=False))
    for piece in np.split(np.arange(len(tracks)), cuts):
        digest.add_table(tracks.iloc[piece])
    return digest.finish()


def test_pieces_give_the_whole_tables_spans_trips_and_keyframes():
    rng = np.random.default_rng(4)
    tracks = _tracks(rng)
    digest = _in_pieces(tracks, rng, 30_000.0)
    spans = pd.concat([b.spans.assign(boat_id=i) for i, b in digest.boats.items()], ignore_index=True)
    expected = state_spans(tracks)
    assert spans[["boat_id", "state", "t0", "t1"]].values.tolist() == expected.values.tolist()
    for boat_id, rows in tracks.groupby("boat_id"):
        boat = digest.boats[boat_id]
        code = np.array([STATES.index(s) for s in rows["state"]])
        t, x, y = (rows[c].to_numpy() for c in ("t", "x", "y"))
        kept = keyframes(t, x, y, code, KEYFRAME_TOLERANCE_M)
        assert boat.keys[:, 0].tolist() == t[kept].tolist()
        assert [boat.state_names[int(c)] for c in boat.keys[:, 3]] == rows["state"].to_numpy()[kept].tolist()
        away = rows[rows["state"] != "docked"]
        trips = (rows["state"] == "docked").cumsum()[away.index].to_numpy()
        assert boat.away.tolist() == np.column_stack([away["x"], away["y"], trips]).tolist()
        assert boat.charge[:, 1].tolist() == rows["battery_wh"].tolist() and boat.samples == len(rows)


def test_a_long_run_of_one_state_is_cut_but_replays_within_tolerance(monkeypatch):
    monkeypatch.setattr(digest_module, "KEYFRAME_RUN_ROWS", 50)
    rng = np.random.default_rng(5)
    tracks = _tracks(rng, boats=("usv-1",), rows=3000)
    boat = _in_pieces(tracks, rng, 15_000.0).boats["usv-1"]
    t, x, y = (tracks[c].to_numpy() for c in ("t", "x", "y"))
    keys = boat.keys
    assert np.all(np.diff(keys[:, 0]) > 0), "each keyframe once, in time"
    miss = np.hypot(np.interp(t, keys[:, 0], keys[:, 1]) - x, np.interp(t, keys[:, 0], keys[:, 2]) - y)
    assert miss.max() <= KEYFRAME_TOLERANCE_M
    changes = np.flatnonzero(tracks["state"].to_numpy()[1:] != tracks["state"].to_numpy()[:-1])
    assert set(t[changes]) <= set(keys[:, 0]) and set(t[changes + 1]) <= set(keys[:, 0])


@pytest.mark.parametrize("seed", [6, 7])
def test_a_long_runs_charge_keeps_each_stretchs_extremes(monkeypatch, seed):
    monkeypatch.setattr(digest_module, "FULL_CHARGE_ROWS", 100)
    monkeypatch.setattr(digest_module, "CHARGE_BUCKETS", 40)
    rng = np.random.default_rng(seed)
    tracks = _tracks(rng, boats=("usv-1",), rows=4000)
    tracks["battery_wh"] = (1000 + np.cumsum(rng.normal(0, 3, len(tracks)))).round(2)
    duration = 20_000.0
    charge = _in_pieces(tracks, rng, duration).boats["usv-1"].charge
    assert len(charge) <= 4 * 40 and np.all(np.diff(charge[:, 0]) > 0)
    bucket = tracks["t"] // (duration / 40)
    for _, rows in tracks.groupby(bucket):
        inside = charge[(charge[:, 0] >= rows["t"].min()) & (charge[:, 0] <= rows["t"].max())]
        assert (
            inside[:, 1].min() == rows["battery_wh"].min() and inside[:, 1].max() == rows["battery_wh"].max()
        )
        assert inside[0, 0] == rows["t"].iloc[0] and inside[-1, 0] == rows["t"].iloc[-1]
