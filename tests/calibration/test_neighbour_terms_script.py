"""scripts/neighbour_terms.py: its bad input refused in one line (no held-out set, a folder without runs, two
sets of one camera sharing seeds), and the term installed with a sentence that replaces an earlier one."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest

from sim.calibration.pixel_run_log import ALARM_LOG_COLUMNS, DETECTION_COLUMNS, PixelRunLog
from sim.scenario.models import Calibration, Kind, NeighbourTerm
from tests.helpers.paths import SCENARIOS

TERM = NeighbourTerm(
    scale_heights=2.0,
    log_rate=-0.5,
    late_log_rate=-1.0,
    late_after_s=10.0,
    never_log_odds=-4.0,
    never_slope=5.0,
)


@pytest.fixture(scope="module")
def module():
    import scripts.neighbour_terms

    return scripts.neighbour_terms


def kept(module, camera: str, seeds: list[int]):
    """A set of ``camera`` whose runs had ``seeds`` (no frames: only its seeds and scene are read)."""
    log = PixelRunLog(
        pd.DataFrame(columns=["kind", "group", "t", "pixels", "light", "weather", "score", "track"]),
        pd.DataFrame(columns=list(ALARM_LOG_COLUMNS)),
        pd.DataFrame(columns=list(DETECTION_COLUMNS)),
        (0.1,) * len(seeds),
        {"seeds": seeds},
    )
    scene = module.one_camera_scene(camera, Kind.FISHING, 200.0, 600.0, "2026-07-18T10:00:00")
    return module.KeptSet(f"{camera} {seeds[0]}", scene, log, pd.DataFrame(), pd.Series(dtype=float))


def test_sets_of_one_camera_must_not_share_seeds(module):
    module.disjoint([kept(module, "cam-east-n", [1, 2]), kept(module, "cam-river", [1, 2])])  # two cameras
    with pytest.raises(SystemExit, match=r"cam-east-n 2 and cam-east-n 1 share seeds \[2\]"):
        module.disjoint([kept(module, "cam-east-n", [2, 3]), kept(module, "cam-east-n", [1, 2])])


def test_bad_options_are_refused_in_one_line(module, monkeypatch, tmp_path, capsys):
    run = ["neighbour_terms.py", "--fit-runs", "cam-east-n", "200", "600", str(tmp_path / "none")]
    monkeypatch.setattr(sys, "argv", run)
    with pytest.raises(SystemExit) as exit_code:
        module.main()
    assert exit_code.value.code == 2 and "give at least one --fit-runs set and one --held-out set" in (
        capsys.readouterr().err
    )
    monkeypatch.setattr(sys, "argv", [*run, "--held-out", "cam-east-n", "67", "1800", str(tmp_path)])
    with pytest.raises(SystemExit, match="none: no kept pixel runs there"):
        module.main()
    monkeypatch.setattr(sys, "argv", [*run, "--held-out", "cam-east-n", "67", "1800", "x", "--scale", "0"])
    with pytest.raises(SystemExit) as exit_code:
        module.main()
    assert exit_code.value.code == 2 and "--scale must be in (0, 1000] heights" in capsys.readouterr().err


def test_install_writes_the_term_and_replaces_its_earlier_sentence(module, tmp_path):
    data = json.loads((SCENARIOS / "calibration" / "default.json").read_text(encoding="utf-8"))
    data["source"] += " The fishing class's neighbour term (old) was fitted by `x`, the class held."
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    module.install(path, Kind.FISHING, TERM, (12.5, 3.25), "PYTHONPATH=. python scripts/neighbour_terms.py")
    installed = Calibration.model_validate_json(path.read_text(encoding="utf-8"))
    assert installed.classes[Kind.FISHING].alarm_hazard.neighbour == TERM
    assert installed.source.count("class's neighbour term") == 1 and "(old)" not in installed.source
    assert "log-rate -0.5 before 10 s in view, -1 after" in installed.source
    assert "log-likelihood +12.50; held-out sets +3.25" in installed.source
