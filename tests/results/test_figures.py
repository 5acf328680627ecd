"""Figure modules draw with matplotlib's object API: importing them or drawing changes no global state."""

import os
import subprocess
import sys

from tests.helpers.paths import ROOT

# Run in a fresh interpreter: another test in this process may have imported pyplot already.
PROBE = """
import sys
from pathlib import Path

import matplotlib
import pandas as pd

import sim.calibration.figures
import sim.experiments.sweep_figures
import sim.results.figures
from sim.results.boat_timeline import boat_timeline
from sim.results.track_digest import Tracks

tracks = pd.DataFrame(
    {"boat_id": ["usv-1"] * 3, "t": [0.0, 60.0, 120.0], "x": [0.0, 0.0, 50.0], "y": [0.0, 10.0, 10.0],
     "speed": [0.0, 1.0, 0.0], "battery_wh": [2000.0, 1990.0, 1980.0],
     "state": ["docked", "outbound", "on_scene"]}
)
path = boat_timeline(Tracks.of(tracks, 120.0), Path(sys.argv[1]) / "boat_timeline.png", "probe")
print(path.read_bytes()[:4] == b"\\x89PNG", "matplotlib.pyplot" in sys.modules,
      matplotlib.get_backend(auto_select=False))
"""


def test_figure_modules_neither_choose_a_backend_nor_load_pyplot(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # a backend chosen by nobody
    argv = [sys.executable, "-c", PROBE, str(tmp_path)]
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    drawn, pyplot_loaded, backend = done.stdout.split()
    assert drawn == "True"
    assert pyplot_loaded == "False"
    assert backend == "None"
