"""Writing a run's output folder atomically (DESIGN.md, "A run's outputs").

Everything goes to a hidden temporary folder beside the target, which is
renamed into place only when complete; a failed run leaves no folder behind.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.core.files import replace_folder
from sim.results.output_files import write_index
from sim.results.run_data import RunData
from sim.results.track_digest import Tracks
from sim.scenario.loading import scenario_to_yaml

SMALL_TABLES = ("incidents", "alarms", "missions", "sorties")
"""Tables of a run small enough to hold whole (thousands of rows in a simulated year)."""


def write_outputs(
    result: RunData, out: Path, figures: bool = True, replay: bool = False, replay_label: str | None = None
) -> Path:
    """Write tables, summary, resolved scenario, figures and the replay page to ``out`` (replacing it);
    returns ``out``. ``replay_label``: the page's title (default: the folder's name)."""
    out = Path(out)
    with staged(out) as staging:
        for name in (*SMALL_TABLES, "tracks", "transfers"):
            getattr(result, name).to_csv(staging / f"{name}.csv", index=False, na_rep="")
        write_rest(result, staging, out, figures, replay, replay_label)
    return out


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A hidden temporary folder beside ``out`` to write into; renamed to ``out`` (replacing it) when the
    block ends normally, removed when it raises."""
    parent = out.resolve().parent
    if not parent.is_dir():
        raise FileNotFoundError(f"--out: folder {parent} does not exist")
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=parent))
    try:
        yield staging
        replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_rest(
    result: RunData,
    staging: Path,
    out: Path,
    figures: bool,
    replay: bool,
    replay_label: str | None,
    tracks: Tracks | None = None,
) -> None:
    """Everything but the tables: summary, resolved scenario, alarm frames, figures, replay page, index.
    ``tracks``: the digest of tracks.csv (default: computed from ``result.tracks``)."""
    (staging / "summary.json").write_text(json.dumps(result.summary, indent=2) + "\n", encoding="utf-8")
    resolved = result.scenario.model_copy(
        update={"run": result.scenario.run.model_copy(update={"seed": result.seed})}
    )
    (staging / "scenario.yaml").write_text(scenario_to_yaml(resolved), encoding="utf-8")
    for name, png in result.alarm_frames:
        (staging / name).parent.mkdir(exist_ok=True)
        (staging / name).write_bytes(png)
    if (figures or replay) and tracks is None:
        tracks = Tracks.of(result.tracks, result.scenario.run.duration)
    if figures:
        from sim.results.figures import draw_run_figures  # matplotlib only when drawing

        draw_run_figures(result, staging / "figures", tracks)
    if replay:
        from sim.results.replay_page.page import write_run_replay

        write_run_replay(result, staging, label=replay_label or out.resolve().name, tracks=tracks)
    write_index(staging, f"Run of {result.label}, {result.scenario.run.mode.value} mode")
