"""Writing a run's output folder atomically (DESIGN.md, "A run's outputs").

Everything goes to a hidden temporary folder beside the target, which is
renamed into place only when complete; a failed run leaves no folder behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from sim.results.result import Result
from sim.scenario.loading import scenario_to_yaml


def write_outputs(result: Result, out: Path, figures: bool = True) -> Path:
    """Write tables, summary, resolved scenario and figures to ``out`` (replacing it); returns ``out``."""
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
        if figures:
            from sim.results.figures import draw_run_figures  # matplotlib only when drawing

            draw_run_figures(result, staging / "figures")
        replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def publish(path: Path) -> None:
    """Give a finished output the usual permissions (mkstemp and mkdtemp create 0600 and 0700)."""
    umask = os.umask(0)
    os.umask(umask)
    base = 0o777 if path.is_dir() else 0o666
    path.chmod(base & ~umask)
    if path.is_dir():
        for child in path.rglob("*"):
            child.chmod((0o777 if child.is_dir() else 0o666) & ~umask)


def replace_folder(staging: Path, out: Path) -> None:
    """Move ``staging`` to ``out``; an older ``out`` is removed only after the new one is in place."""
    publish(staging)
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)
