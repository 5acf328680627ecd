"""The boat timeline's charge legend: a row of up to six boats, so a city's twelve stay inside the figure."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import sim.results.boat_timeline as timeline
from sim.results.track_digest import Tracks


def _tracks(boats: int) -> Tracks:
    rows = [
        {"boat_id": f"usv-{b:02d}", "t": t, "x": 0.0, "y": 0.0, "speed": 0.0, "battery_wh": 2000.0 - t / 60,
         "state": state}
        for b in range(boats)
        for t, state in ((0.0, "docked"), (60.0, "outbound"), (120.0, "on_scene"))
    ]  # fmt: skip
    return Tracks.of(pd.DataFrame(rows), 120.0)


@pytest.mark.parametrize(("boats", "columns"), [(2, 2), (6, 6), (12, 6)])
def test_the_charge_legend_wraps_past_six_boats(tmp_path, monkeypatch, boats, columns):
    figures = []
    monkeypatch.setattr(timeline, "save", lambda fig, path: figures.append(fig) or path)
    timeline.boat_timeline(_tracks(boats), tmp_path / "boat_timeline.png", "probe")
    legend = figures[0].axes[1].get_legend()
    assert legend._ncols == columns
    assert len(legend.get_texts()) == boats
    renderer = FigureCanvasAgg(figures[0]).get_renderer()
    inside = legend.get_window_extent(renderer).x1 <= figures[0].axes[1].get_window_extent(renderer).x1
    assert inside  # twelve in one row ran off the figure's right edge
