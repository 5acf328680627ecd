"""Pixel runs kept one by one as they finish (sim/calibration/pixel_rendering.py, ``tune --pixel-runs
--resume``): a rendering stopped part way loses only the run in flight, a resumed one renders only the runs
not kept and gives the files of one never stopped, to the bit; kept runs of other options are refused."""

from __future__ import annotations

import filecmp

import pytest

from sim.calibration import pixel_rendering
from sim.calibration.agreement import ignoring_warnings
from sim.calibration.pixel_rendering import kept_run_log
from sim.calibration.pixel_run_log import FILES
from sim.cli.pixel_runs import RENDERING, RUNS
from sim.errors import TuningError
from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.paths import DEFAULT
from tests.helpers.pixel import BEACH_OVERRIDES, one_beach_camera

SEEDS = [0, 1]
RENDER = pixel_rendering._pixel_run


@pytest.fixture(scope="module")
def beach():
    """25 s of the busy beach: swimmers scored past the background model's warm-up."""
    return ignoring_warnings(one_beach_camera([*BEACH_OVERRIDES, "run.duration=25"]))


@pytest.fixture(scope="module")
def never_stopped(beach, tmp_path_factory):
    """The two runs rendered at once, kept, and their log written."""
    folder = tmp_path_factory.mktemp("never-stopped")
    log = kept_run_log([beach], SEEDS, folder / "kept", note="the same")
    return log, log.write(folder / "log")


def _counting(monkeypatch, stop_at: int | None = None) -> list[int]:
    """Count the runs rendered from now on; with ``stop_at``, Ctrl-C as that run (0, 1, ...) begins."""
    started = []

    def counted(variant, seed):
        if len(started) == stop_at:
            raise KeyboardInterrupt
        started.append(seed)
        return RENDER(variant, seed)

    monkeypatch.setattr(pixel_rendering, "_pixel_run", counted)
    return started


def test_a_stopped_rendering_resumes_with_the_runs_not_kept_alone(
    beach, never_stopped, tmp_path, monkeypatch
):
    kept = tmp_path / "kept"
    started = _counting(monkeypatch, stop_at=1)
    with pytest.raises(KeyboardInterrupt):
        kept_run_log([beach], SEEDS, kept, note="the same")
    assert sorted(p.name for p in kept.iterdir()) == ["0000"]  # the first run, whole; nothing of the second
    assert started == [0]

    started = _counting(monkeypatch)
    resumed = kept_run_log([beach], SEEDS, kept, note="the same").write(tmp_path / "log")
    assert started == [1]
    _, whole = never_stopped
    assert all(filecmp.cmp(resumed / name, whole / name, shallow=False) for name in FILES)


def test_a_run_kept_for_other_options_is_refused(beach, never_stopped, tmp_path):
    log, _ = never_stopped
    kept = tmp_path / "kept"
    log.first(1).write(kept / "0000")  # seed 0's run where seed 1's belongs
    with pytest.raises(TuningError, match=r"0000: a run of another scenario, start, camera or seed"):
        kept_run_log([beach], [1], kept)


def test_ctrl_c_in_tune_pixel_runs_names_resume_and_keeps_the_folder(tmp_path, capsys, monkeypatch):
    _counting(monkeypatch, stop_at=0)
    out = tmp_path / "tune"
    rc = call_main(["tune", "--pixel-runs", "--seeds", "1", "--duration", "20", "--out", str(out)])
    assert rc == 1
    error = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert len(error) == 1 and "interrupted" in error[0] and "--resume" in error[0]
    assert str(out / RUNS / RENDERING) in error[0] and (out / RUNS / RENDERING).is_dir()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--detector", "swimming", "--resume"], ("--resume", "only with --pixel-runs")),
        (["--pixel-runs", "--resume", "--runs-from", "elsewhere"], ("--resume", "not with --runs-from")),
        (["--pixel-runs", "--resume"], ("--resume", "holds no runs", RUNS)),
    ],
)
def test_bad_resume_options_exit_2_in_one_line(tmp_path, capsys, args, expected):
    out = tmp_path / "tune"
    out.mkdir()
    rc = call_main(["tune", *args, "--out", str(out), "--scenario", str(DEFAULT)])
    assert_one_error_line(capsys, rc, expected)
    assert list(out.iterdir()) == []
