"""``run_sim.py dataset``: bad input is one line naming the option, exit 2, and nothing is written; an
existing dataset is replaced only with ``--overwrite``, and only once the new one is complete."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim.dataset.export
from sim.cli.main import main
from tests.helpers.cli import assert_one_error_line, call_main

TINY = ["--frames", "2", "--set", "detection.analysis_width=160"]
"""Two frames (two views, two cameras) at 160 px: the least a rendering test can do."""


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--format", "yolo", "--frames", "0"], ("--frames", "must be >= 1", "got 0")),
        (["--format", "coco", "--frames", "-3"], ("--frames", "must be >= 1", "got -3")),
        (["--format", "voc"], ("--format", "invalid choice", "'voc'", "yolo", "coco")),
        ([], ("required", "--format")),
        (["--format", "yolo", "--sensor", "sonar"], ("--sensor", "invalid choice", "'sonar'", "visible")),
        (["--format", "yolo", "--seed", "-1"], ("--seed", "must be >= 0")),
        (["--format", "yolo", "--frames", "two"], ("--frames", "invalid int value")),
        (["--format", "yolo", "--set", "detection.analysis_width=10"], ("detection.analysis_width",)),
    ],
)
def test_bad_input_is_one_line_naming_the_option_and_writes_nothing(tmp_path, capsys, args, expected):
    rc = call_main(["dataset", "--out", str(tmp_path / "ds"), *args])
    assert_one_error_line(capsys, rc, expected)
    assert leftovers(tmp_path) == []


def test_an_output_folder_in_use_is_refused_without_overwrite(tmp_path, capsys):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "mine.txt").write_text("keep me", encoding="utf-8")
    rc = call_main(["dataset", "--out", str(out), "--format", "yolo", *TINY])
    assert_one_error_line(capsys, rc, ("--out", str(out), "not empty", "--overwrite"))
    assert leftovers(tmp_path) == ["ds"] and leftovers(out) == ["mine.txt"]


def test_a_missing_parent_folder_is_refused(tmp_path, capsys):
    rc = call_main(["dataset", "--out", str(tmp_path / "no" / "ds"), "--format", "coco", *TINY])
    assert_one_error_line(capsys, rc, ("--out", "does not exist"))
    assert leftovers(tmp_path) == []


def test_overwrite_replaces_the_folder_only_when_the_new_one_is_complete(tmp_path, capsys, monkeypatch):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "mine.txt").write_text("old", encoding="utf-8")
    frames_written = []

    def failing_encoder(rendered):
        if frames_written:
            raise RuntimeError("disk full")
        frames_written.append(rendered)
        return original(rendered)

    original = sim.dataset.export.encode_image
    monkeypatch.setattr(sim.dataset.export, "encode_image", failing_encoder)
    with pytest.raises(RuntimeError, match="disk full"):
        main(["dataset", "--out", str(out), "--format", "yolo", "--overwrite", *TINY])
    assert leftovers(tmp_path) == ["ds"] and leftovers(out) == ["mine.txt"]  # no staging folder left

    monkeypatch.setattr(sim.dataset.export, "encode_image", original)
    capsys.readouterr()
    assert call_main(["dataset", "--out", str(out), "--format", "yolo", "--overwrite", *TINY]) == 0
    printed = capsys.readouterr().out
    assert "2 images" in printed and f"written: {out}" in printed
    assert leftovers(tmp_path) == ["ds"]
    assert leftovers(out) == [
        "README.md",
        "data.yaml",
        "images",
        "images.csv",
        "labels",
        "scenario.yaml",
        "truth.csv",
    ]
