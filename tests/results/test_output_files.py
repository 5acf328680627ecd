"""The files of a run folder are described once (sim.results.output_files): the folder's README.md index
is generated from that table, and the project README's table lists the same files with the same rows."""

from __future__ import annotations

import re

import pytest

from sim.engine import run
from sim.loading import load_scenario
from sim.results.output_files import INDEX_NAME, OUTPUT_FILES, index_text, present_files
from sim.results.writing import write_outputs
from tests.helpers.paths import DEFAULT, ROOT


def _readme_rows() -> dict[str, str]:
    """The project README's "What a run writes" table: file -> "one row per"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## What a run writes", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `([^`]+)` \| ([^|]+) \|", line)
        if match:
            rows[match.group(1)] = match.group(2).strip()
    return rows


def test_readme_table_lists_exactly_the_output_files():
    readme = _readme_rows()
    code = {f.name: f.row for f in OUTPUT_FILES}
    assert set(readme) == set(code), (
        f"only in README: {set(readme) - set(code)}; only in code: {set(code) - set(readme)}"
    )
    assert readme == code


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    result = run(load_scenario(DEFAULT, ["run.duration=30m", "run.seed=3"]))
    return write_outputs(result, tmp_path_factory.mktemp("run") / "out", figures=True)


def test_every_file_a_run_writes_is_described(run_folder):
    described = {f.name for f in OUTPUT_FILES}
    written = present_files(run_folder)
    assert written, "nothing written"
    assert set(written) <= described, f"undescribed: {set(written) - described}"
    for name in ("transfers.csv", "sorties.csv", "figures/coverage.png", INDEX_NAME):
        assert name in written


def test_index_lists_each_file_of_the_folder_once(run_folder):
    index = (run_folder / INDEX_NAME).read_text(encoding="utf-8")
    assert index.splitlines()[0] == "# Run of xuchang_lake, seed 3, 30 min, statistical mode"
    listed = re.findall(r"^- `([^`]+)`: ", index, flags=re.MULTILINE)
    assert sorted(listed) == sorted(present_files(run_folder))
    assert "alarm_frames/" not in listed, "the index lists only what the folder holds"
    assert index == index_text(run_folder, "Run of xuchang_lake, seed 3, 30 min, statistical mode")
