"""Writing a run's output folder atomically (DESIGN.md, "A run's outputs").

Everything goes to a hidden temporary folder beside the target, which is
renamed into place only when complete; a failed run leaves no folder behind.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from sim.core.files import replace_folder
from sim.results.output_files import write_index
from sim.results.run_data import RunData
from sim.scenario.loading import scenario_to_yaml


def write_outputs(
    result: RunData, out: Path, figures: bool = True, replay: bool = False, replay_label: str | None = None
) -> Path:
    """Write tables, summary, resolved scenario, figures and the replay page to ``out`` (replacing it);
    returns ``out``. ``replay_label``: the page's title (default: the folder's name)."""
    out = Path(out)
    parent = out.resolve().parent
    if not parent.is_dir():
        raise FileNotFoundError(f"--out: folder {parent} does not exist")
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=parent))
    try:
        result.incidents.to_csv(staging / "incidents.csv", index=False, na_rep="")
        result.alarms.to_csv(staging / "alarms.csv", index=False, na_rep="")
        result.missions.to_csv(staging / "missions.csv", index=False, na_rep="")
        result.tracks.to_csv(staging / "tracks.csv", index=False, na_rep="")
        result.transfers.to_csv(staging / "transfers.csv", index=False, na_rep="")
        result.sorties.to_csv(staging / "sorties.csv", index=False, na_rep="")
        (staging / "summary.json").write_text(json.dumps(result.summary, indent=2) + "\n", encoding="utf-8")
        resolved = result.scenario.model_copy(
            update={"run": result.scenario.run.model_copy(update={"seed": result.seed})}
        )
        (staging / "scenario.yaml").write_text(scenario_to_yaml(resolved), encoding="utf-8")
        for name, png in result.alarm_frames:
            (staging / name).parent.mkdir(exist_ok=True)
            (staging / name).write_bytes(png)
        if figures:
            from sim.results.figures import draw_run_figures  # matplotlib only when drawing

            draw_run_figures(result, staging / "figures")
        if replay:
            from sim.results.replay_page.page import write_run_replay

            write_run_replay(result, staging, label=replay_label or out.resolve().name)
        write_index(staging, f"Run of {result.label}, {result.scenario.run.mode.value} mode")
        replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
