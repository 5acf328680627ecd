"""``run_sim.py render``: bad input is refused cleanly, good input gives a correct clip.

Bad input follows the project's rule (see test_bad_input.py): exit code 2, one
stderr line starting ``error: `` that names the flag or key and the problem, no
traceback, and nothing left behind (no output, no hidden temporary file).
Happy-path renders use a 320 x 180 camera and one-second clips to stay fast.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import math
import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

import sim
from sim.cli.main import main
from sim.loading import load_scenario
from tests.helpers.cli import assert_one_error_line, call_main

ROOT = Path(sim.__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "xuchang_lake.yaml"
CAMERA = "cam-beach-w"
SMALL = (320, 180)
TRUTH_HEADER = ["frame", "t", "actor_id", "class", "x0", "y0", "x1", "y1", "visible_fraction", "distance_m"]
CLASSES = {"swimmer", "fisher", "walker", "bird", "debris", "boat"}
ONE_SECOND = ["--camera", CAMERA, "--seconds", "1"]
"""Render arguments: a one-second clip of CAMERA at its own resolution."""


def _camera_index(camera_id: str) -> int:
    cameras = [c.id for c in load_scenario(DEFAULT).cameras]
    return cameras.index(camera_id)


def _small(camera_id: str = CAMERA) -> list[str]:
    """--set arguments that shrink the rendered camera to SMALL."""
    width, height = SMALL
    return ["--set", f"cameras.{_camera_index(camera_id)}.resolution=[{width},{height}]"]


def _camera_spec(overrides: list[str], camera_id: str = CAMERA):
    """The camera as the render command sees it: the default scenario with the --set overrides applied."""
    sets = [value for flag, value in itertools.pairwise(overrides) if flag == "--set"]
    return next(c for c in load_scenario(DEFAULT, sets).cameras if c.id == camera_id)


def _render(capsys: pytest.CaptureFixture[str], args: list[str], camera: str = CAMERA) -> str:
    """Run a small render that must succeed; returns its stdout."""
    rc = call_main(["render", "--camera", camera, *_small(camera), *args])
    out, err = capsys.readouterr()
    assert rc == 0, f"exit code {rc}, stderr {err!r}"
    assert "Traceback" not in out + err
    return out


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def _assert_nothing_left(target: Path, before: set[str]) -> None:
    """No output at ``target`` and nothing new (in particular no hidden temporary) beside it."""
    parent = target.parent
    assert not target.exists(), f"{target} was left behind"
    hidden = sorted(p.name for p in parent.iterdir() if p.name.startswith(".")) if parent.is_dir() else []
    assert hidden == [], f"hidden temporary files left in {parent}: {hidden}"
    after = _listing(parent)
    assert after == before, f"new entries left in {parent}: {sorted(after - before)}"


def _target(folder: Path, kind: str) -> tuple[list[str], Path]:
    """The ``--out`` (a video) or ``--frames`` (a folder) arguments naming a target in ``folder``."""
    path = folder / ("clip.mp4" if kind == "out" else "frames")
    return [f"--{kind}", str(path)], path


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="") as file:
        return list(csv.reader(file))


def _pngs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("frame_*.png"))


# ---------------------------------------------------------------- bad input, either target
#
# (arguments after `render`, fragments the error line must contain). Each case
# runs once with --out tmp/clip.mp4 and once with --frames tmp/frames.

BAD_CASES = [
    # the message lists the valid ids
    pytest.param(
        ["--camera", "nope", "--seconds", "1"],
        ("--camera", "nope", "cam-beach-w", "cam-beach-e", "cam-dam", "cam-northwest"),
        id="unknown-camera",
    ),
    pytest.param(["--camera", CAMERA, "--seconds", "0"], ("--seconds", "positive"), id="seconds-zero"),
    # argparse would take -3 for an option; main joins it into --seconds=-3
    pytest.param(["--camera", CAMERA, "--seconds", "-3"], ("--seconds", "positive"), id="seconds-negative"),
    pytest.param(["--camera", CAMERA, "--seconds=-3"], ("--seconds", "positive"), id="seconds-negative-eq"),
    pytest.param(["--camera", CAMERA, "--seconds", "nan"], ("--seconds", "positive"), id="seconds-nan"),
    pytest.param(["--camera", CAMERA, "--seconds", "soon"], ("--seconds", "soon"), id="seconds-not-number"),
    pytest.param([*ONE_SECOND, "--start", "100d"], ("--start", "within the run"), id="start-after-run"),
    pytest.param([*ONE_SECOND, "--start", "-5"], ("--start", "within the run"), id="start-negative"),
    pytest.param([*ONE_SECOND, "--start", "banana"], ("--start", "banana"), id="start-banana"),
    pytest.param(
        [*ONE_SECOND, "--set", "cameras.0.nonsense=1"], ("cameras.0.nonsense", "no key"), id="set-unknown-key"
    ),
    pytest.param([*ONE_SECOND, "--set", "nothere.x=1"], ("nothere", "no key"), id="set-unknown-top"),
    pytest.param(
        [*ONE_SECOND, "--set", "cameras.0.fps=0"], ("cameras.0.fps", "greater than 0"), id="set-bad-value"
    ),
    pytest.param([*ONE_SECOND, "--seed", "-1"], ("--seed", ">= 0"), id="seed-neg"),
]


@pytest.mark.parametrize("kind", ["out", "frames"])
@pytest.mark.parametrize(("args", "expected"), BAD_CASES)
def test_render_rejects_bad_argument(tmp_path, capsys, kind, args, expected):
    target_args, target = _target(tmp_path, kind)
    before = _listing(tmp_path)
    rc = call_main(["render", *args, *target_args])
    assert_one_error_line(capsys, rc, expected)
    _assert_nothing_left(target, before)


@pytest.mark.parametrize("name", ["clip.gif", "clip"])
def test_render_rejects_unsupported_video_type(tmp_path, capsys, name):
    out = tmp_path / name
    before = _listing(tmp_path)
    rc = call_main(["render", *ONE_SECOND, "--out", str(out)])
    line = assert_one_error_line(capsys, rc, ("--out", "unsupported video type", ".mp4"))
    assert (out.suffix or "(none)") in line
    _assert_nothing_left(out, before)


@pytest.mark.parametrize("kind", ["out", "frames"])
def test_render_rejects_target_in_missing_folder(tmp_path, capsys, kind):
    target_args, target = _target(tmp_path / "missing", kind)
    rc = call_main(["render", *ONE_SECOND, *target_args])
    assert_one_error_line(capsys, rc, (f"--{kind}", "does not exist", str(target.parent)))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["out", "frames"])
def test_render_rejects_target_in_read_only_folder(tmp_path, capsys, kind):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("the folder stays writable (running as root)")
        target_args, target = _target(folder, kind)
        rc = call_main(["render", "--camera", CAMERA, *_small(), "--seconds", "1", *target_args])
        assert_one_error_line(capsys, rc, (f"--{kind}", "not writable"))
        _assert_nothing_left(target, set())
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        pytest.param([], ("--out", "--frames", "required"), id="neither"),
        pytest.param(["--out", "clip.mp4", "--frames", "frames"], ("--out", "--frames"), id="both"),
    ],
)
def test_render_needs_exactly_one_target(tmp_path, capsys, monkeypatch, targets, expected):
    monkeypatch.chdir(tmp_path)
    rc = call_main(["render", *ONE_SECOND, *targets])
    assert_one_error_line(capsys, rc, expected)
    assert list(tmp_path.iterdir()) == []


def test_render_bad_camera_in_subprocess(tmp_path):
    out = tmp_path / "c.mp4"
    args = ["render", "--camera", "nope", "--seconds", "1", "--out", str(out)]
    command = [sys.executable, "run_sim.py", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: --camera")
    assert "cam-beach-w" in lines[0]
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- targets that already exist


def test_render_out_is_an_existing_folder(tmp_path, capsys):
    """--out names a folder: refused on one line, the folder untouched, no temporary left."""
    out = tmp_path / "clip.mp4"
    out.mkdir()
    (out / "keep.txt").write_text("keep")
    rc = call_main(["render", "--camera", CAMERA, *_small(), "--seconds", "1", "--out", str(out)])
    assert_one_error_line(capsys, rc, ("--out",))
    assert (out / "keep.txt").read_text() == "keep"
    assert _listing(tmp_path) == {"clip.mp4"}


def test_render_frames_is_an_existing_file(tmp_path, capsys):
    """--frames names a file: refused on one line, the file untouched, no temporary left."""
    frames = tmp_path / "frames"
    frames.write_text("keep")
    rc = call_main(["render", "--camera", CAMERA, *_small(), "--seconds", "1", "--frames", str(frames)])
    assert_one_error_line(capsys, rc, ("--frames",))
    assert frames.read_text() == "keep"
    assert _listing(tmp_path) == {"frames"}


def test_render_frames_dot_does_not_wipe_the_working_folder(tmp_path, capsys, monkeypatch):
    """``--frames .`` in a folder of the user's (not empty, no truth.csv from an earlier render): refused
    on one line before anything is rendered (sim.render.clips.check_frames_folder), the user's file kept,
    nothing written in it or beside it."""
    work = tmp_path / "work"
    work.mkdir()
    precious = work / "precious.txt"
    precious.write_text("keep")
    monkeypatch.chdir(work)
    rc = call_main(["render", "--camera", CAMERA, *_small(), "--seconds", "1", "--frames", "."])
    assert_one_error_line(capsys, rc, ("--frames", "not empty", "truth.csv"))
    assert precious.read_text() == "keep"
    assert _listing(work) == {"precious.txt"}
    assert _listing(tmp_path) == {"work"}, "temporary folders left beside the working folder"


# ---------------------------------------------------------------- happy path: video


def test_render_video(tmp_path, capsys):
    out = tmp_path / "clip.mp4"
    seconds = 1
    overrides = _small()
    spec = _camera_spec(overrides)
    assert tuple(spec.resolution) == SMALL
    stdout = _render(capsys, ["--seconds", str(seconds), "--out", str(out)])
    assert str(out) in stdout
    count = round(seconds * spec.fps)
    assert f"{count} frames" in stdout
    assert _listing(tmp_path) == {"clip.mp4"}, "temporary files left beside the video"

    capture = cv2.VideoCapture(str(out))
    try:
        assert capture.isOpened(), f"OpenCV cannot open {out}"
        assert capture.get(cv2.CAP_PROP_FPS) == pytest.approx(spec.fps)
        shapes = []
        while True:
            ok, image = capture.read()
            if not ok:
                break
            shapes.append(image.shape)
    finally:
        capture.release()
    assert len(shapes) == count
    width, height = SMALL
    assert set(shapes) == {(height, width, 3)}


def test_render_video_avi(tmp_path, capsys):
    out = tmp_path / "clip.avi"
    _render(capsys, ["--seconds", "1", "--start", "40m", "--out", str(out)])
    capture = cv2.VideoCapture(str(out))
    try:
        assert capture.isOpened()
        ok, image = capture.read()
    finally:
        capture.release()
    assert ok
    assert image.shape[:2] == (SMALL[1], SMALL[0])


# ---------------------------------------------------------------- happy path: frames and truth


@pytest.fixture(scope="module")
def default_frames(tmp_path_factory) -> tuple[Path, str]:
    """Four seconds of cam-beach-w from the default start, as frames; (folder, stdout)."""
    folder = tmp_path_factory.mktemp("render") / "f"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = main(["render", "--camera", CAMERA, *_small(), "--seconds", "4", "--frames", str(folder)])
    assert rc == 0, stderr.getvalue()
    return folder, stdout.getvalue()


def test_render_frames_files(default_frames):
    folder, stdout = default_frames
    spec = _camera_spec(_small())
    count = round(4 * spec.fps)
    assert str(folder) in stdout
    names = {f"frame_{n:06d}.png" for n in range(1, count + 1)}
    assert _listing(folder) == names | {"truth.csv", "frames.csv"}
    assert [p.name for p in folder.parent.iterdir()] == ["f"], "temporary folder left beside the frames"
    width, height = SMALL
    for name in ("frame_000001.png", f"frame_{count:06d}.png"):
        image = cv2.imread(str(folder / name))
        assert image is not None, name
        assert image.shape == (height, width, 3)


def test_render_frames_csv(default_frames):
    folder, _ = default_frames
    spec = _camera_spec(_small())
    rows = _read_csv(folder / "frames.csv")
    header, rows = rows[0], rows[1:]
    assert header[:2] == ["frame", "t"]
    assert [int(r[0]) for r in rows] == list(range(1, round(4 * spec.fps) + 1))
    times = [float(r[1]) for r in rows]
    for earlier, later in itertools.pairwise(times):
        assert later - earlier == pytest.approx(1 / spec.fps, abs=2e-3)


def test_render_truth_csv(default_frames):
    folder, _ = default_frames
    spec = _camera_spec(_small())
    width, height = spec.resolution
    rows = _read_csv(folder / "truth.csv")
    assert rows[0] == TRUTH_HEADER
    assert len(rows) > 1, "no truth boxes at all"
    frame_t = {r[0]: r[1] for r in _read_csv(folder / "frames.csv")[1:]}
    for row in rows[1:]:
        assert len(row) == len(TRUTH_HEADER), row
        record = dict(zip(TRUTH_HEADER, row, strict=True))
        assert record["t"] == frame_t[record["frame"]], row
        assert record["actor_id"], row
        assert record["class"] in CLASSES, row
        x0, y0, x1, y1 = (int(record[k]) for k in ("x0", "y0", "x1", "y1"))
        assert 0 <= x0 < x1 <= width, row
        assert 0 <= y0 < y1 <= height, row
        fraction = float(record["visible_fraction"])
        assert 0 < fraction <= 1, row
        distance = float(record["distance_m"])
        assert math.isfinite(distance), row
        assert distance > 0, row


def test_render_default_start_shows_an_offender(default_frames):
    """By default the clip starts a few seconds before an offender first enters the view."""
    folder, _ = default_frames
    classes = {r[3] for r in _read_csv(folder / "truth.csv")[1:]}
    assert classes & {"swimmer", "fisher"}, f"no offender in the first 4 s: {classes}"


def _frames_digest(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in [*_pngs(folder), "truth.csv", "frames.csv"]}


def test_render_is_deterministic(tmp_path, capsys):
    args = ["--seconds", "1", "--start", "40m"]
    _render(capsys, [*args, "--seed", "7", "--frames", str(tmp_path / "a")])
    _render(capsys, [*args, "--seed", "7", "--frames", str(tmp_path / "b")])
    _render(capsys, [*args, "--seed", "8", "--frames", str(tmp_path / "c")])
    a, b, c = (_frames_digest(tmp_path / name) for name in "abc")
    assert len(a) == 15 + 2
    assert a == b, "the same seed gave different files"
    assert a.keys() == c.keys()
    changed = sorted(name for name in a if a[name] != c[name])
    assert any(name.endswith(".png") for name in changed), "another seed left every frame unchanged"


@pytest.mark.parametrize(("start", "seconds"), [("40m", 2400.0), ("1234.5", 1234.5)])
def test_render_honours_start(tmp_path, capsys, start, seconds):
    folder = tmp_path / "f"
    stdout = _render(capsys, ["--seconds", "1", "--start", start, "--frames", str(folder)])
    assert f"from t = {seconds:.1f} s" in stdout
    rows = _read_csv(folder / "frames.csv")
    assert float(rows[1][1]) == pytest.approx(seconds, abs=1e-3)
    truth_times = {float(r[1]) for r in _read_csv(folder / "truth.csv")[1:]}
    assert all(t >= seconds - 1e-3 for t in truth_times)


def test_render_replaces_existing_frames_folder(tmp_path, capsys):
    folder = tmp_path / "f"
    fps = round(_camera_spec(_small()).fps)
    _render(capsys, ["--seconds", "2", "--start", "40m", "--frames", str(folder)])
    assert len(_pngs(folder)) == 2 * fps
    (folder / "notes.txt").write_text("left from before")
    argv = ["render", "--camera", CAMERA, *_small(), "--seconds", "1", "--start", "40m"]
    rc = call_main([*argv, "--frames", str(folder)])
    assert_one_error_line(capsys, rc, ("--frames", str(folder), "--overwrite"))
    assert len(_pngs(folder)) == 2 * fps, "refused, yet the frames changed"
    _render(capsys, ["--seconds", "1", "--start", "40m", "--frames", str(folder), "--overwrite"])
    assert _pngs(folder) == [f"frame_{n:06d}.png" for n in range(1, fps + 1)]
    assert _listing(folder) == {*_pngs(folder), "truth.csv", "frames.csv"}
    assert len(_read_csv(folder / "frames.csv")) == 1 + fps
    assert _listing(tmp_path) == {"f"}, "old or temporary folders left beside the frames"


def test_render_other_camera(tmp_path, capsys):
    """The --set index follows the camera: cam-dam renders at the small size too."""
    folder = tmp_path / "f"
    _render(capsys, ["--seconds", "1", "--start", "40m", "--frames", str(folder)], camera="cam-dam")
    spec = _camera_spec(_small("cam-dam"), "cam-dam")
    assert len(_pngs(folder)) == round(spec.fps)
    image = cv2.imread(str(folder / "frame_000001.png"))
    assert image.shape == (SMALL[1], SMALL[0], 3)


def test_render_thermal_camera_frames_are_grey_and_say_so(tmp_path, capsys):
    """A thermal camera at night: grey frames, 'thermal' in frames.csv, the same truth as a visible one."""
    # A minute into the night: statistical mode, which runs the time before the clip, knows the sensor, so
    # later on a thermal camera would have sent the boats on other trips and the scenes would differ.
    night = ["--set", "run.start=2026-07-18T02:00:00", "--start", "1m", "--seconds", "0.2"]
    thermal = ["--set", f"cameras.{_camera_index(CAMERA)}.sensor=thermal"]
    _render(capsys, [*night, *thermal, "--frames", str(tmp_path / "thermal")])
    _render(capsys, [*night, "--frames", str(tmp_path / "visible")])
    rows = _read_csv(tmp_path / "thermal" / "frames.csv")
    sensor = rows[0].index("sensor")
    assert {r[sensor] for r in rows[1:]} == {"thermal"}
    assert {r[sensor] for r in _read_csv(tmp_path / "visible" / "frames.csv")[1:]} == {"visible"}
    image = cv2.imread(str(tmp_path / "thermal" / "frame_000001.png"))
    assert (image[..., 0] == image[..., 1]).all() and (image[..., 0] == image[..., 2]).all()
    assert _read_csv(tmp_path / "thermal" / "truth.csv") == _read_csv(tmp_path / "visible" / "truth.csv")
    assert len(_read_csv(tmp_path / "visible" / "truth.csv")) > 1
