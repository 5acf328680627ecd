"""The replay page: its assets (HTML template, CSS, JavaScript modules kept as package data) and one or
two runs' data inlined into one self-contained ``replay.html``, written atomically.

The modules are ES modules (``core.mjs`` is also what the Node unit tests import); inlining drops their
``import`` lines and ``export`` keywords and joins them, in dependency order, into one
``<script type="module">``. The data travel as JSON whose bulk is typed-array columns in base64
(:mod:`sim.results.replay_page.columns`). Nothing on the page refers to anything outside the file.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from importlib.resources import files
from pathlib import Path

from sim.core.files import publish
from sim.errors import ReplayError
from sim.results.replay_page.run_columns import run_data
from sim.results.run_data import RunData
from sim.results.track_digest import Tracks

MODULES = ("core.mjs", "draw.mjs", "panels.mjs", "app.mjs")
"""The page's JavaScript modules in the order they are inlined (each uses only those before it)."""

FORMAT_VERSION = 1
"""Version of the page's data layout (docs/replay.md, "Data format")."""

_IMPORT = re.compile(r"^import\s.*?;\s*$", re.M | re.S)
_EXPORT = re.compile(r"^export\s+(?=(async\s+)?(function|const|let|class)\b)", re.M)


def asset(name: str) -> str:
    """The text of one of the page's asset files."""
    return (files("sim.results.replay_page") / "assets" / name).read_text(encoding="utf-8")


def inline_modules(names: tuple[str, ...] = MODULES) -> str:
    """The modules joined into one script: ``import`` lines dropped, ``export`` keywords removed."""
    parts = []
    for name in names:
        text = _EXPORT.sub("", _IMPORT.sub("", asset(name)))
        parts.append(f"// ---- {name}\n{text.strip()}\n")
    return "\n".join(parts)


def run_differences(a: RunData, b: RunData) -> list[dict]:
    """Incidents (matched by id: the same seed gives the same incidents) whose outcomes differ."""
    outcome_a = dict(zip(a.incidents["incident_id"], a.incidents["outcome"], strict=True))
    outcome_b = dict(zip(b.incidents["incident_id"], b.incidents["outcome"], strict=True))
    return [
        {"incident": int(i), "a": outcome_a.get(i, "absent"), "b": outcome_b.get(i, "absent")}
        for i in sorted(set(outcome_a) | set(outcome_b))
        if outcome_a.get(i) != outcome_b.get(i)
    ]


def check_pair(a: RunData, b: RunData) -> None:
    """Two runs can be shown side by side only if they are of the same scenario and seed."""
    name_a, name_b = a.summary.get("scenario", a.scenario.name), b.summary.get("scenario", b.scenario.name)
    if name_a != name_b:
        raise ReplayError(f"RUN_DIR_B: the runs are of different scenarios ({name_a!r} and {name_b!r})")
    if int(a.seed) != int(b.seed):
        raise ReplayError(
            f"RUN_DIR_B: the runs have different seeds ({a.seed} and {b.seed}); compare one seed"
        )


def page_data(
    results: list[RunData],
    labels: list[str],
    frames: list[list[dict]] | None = None,
    tracks: list[Tracks] | None = None,
) -> dict:
    """The page's data for one run, or two of the same scenario and seed (side by side); ``tracks``: the
    digests of their tracks.csv (default: computed from each result's ``tracks``)."""
    if len(results) == 2:
        check_pair(*results)
    digests = tracks or [None] * len(results)
    runs = [run_data(*args) for args in zip(results, labels, digests, strict=True)]
    for run, run_frames in zip(runs, frames or [[] for _ in runs], strict=True):
        run["frames"] = run_frames
    differences = run_differences(*results) if len(results) == 2 else []
    return {"version": FORMAT_VERSION, "runs": runs, "differences": differences}


def build_page(data: dict) -> str:
    """The whole page as one string: template, style, data and script inlined."""
    runs = data["runs"]
    title = " vs ".join(r["label"] for r in runs) + f" — {runs[0]['scenario']} seed {runs[0]['seed']}"
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    template = asset("page.html")
    before_data, after_data = template.split("{{DATA}}")
    before_data = before_data.replace("{{TITLE}}", html.escape(title)).replace(
        "/*{{STYLE}}*/", asset("replay.css")
    )
    after_data = after_data.replace("/*{{SCRIPT}}*/", inline_modules())
    return before_data + payload + after_data


def check_out(out: Path) -> None:
    """``--out`` must be a file name in an existing folder."""
    out = Path(out)
    if not out.resolve().parent.is_dir():
        raise ReplayError(f"--out: folder {out.resolve().parent} does not exist")
    if out.is_dir():
        raise ReplayError(f"--out: {out} is a folder; give a file name such as replay.html")


def write_page(text: str, out: Path) -> Path:
    """Write ``text`` to ``out`` under a temporary name and rename it into place when complete."""
    check_out(out)
    out = Path(out)
    fd, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.resolve().parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        publish(Path(temporary))
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return out


def write_replay(
    results: list[RunData],
    labels: list[str],
    out: Path,
    frames: list[list[dict]] | None = None,
    tracks: list[Tracks] | None = None,
) -> Path:
    """Build the page of ``results`` and write it to ``out`` atomically; returns ``out``."""
    check_out(out)
    return write_page(build_page(page_data(results, labels, frames, tracks)), out)


def write_run_replay(
    result: RunData, folder: Path, label: str | None = None, tracks: Tracks | None = None
) -> Path:
    """``folder/replay.html`` of one run, titled ``label`` (default: the folder's name): what ``run`` and
    sweeps call on the run folder while it is still being written. ``tracks``: as for :func:`page_data`."""
    folder = Path(folder)
    digests = None if tracks is None else [tracks]
    return write_replay([result], [label or folder.name], folder / "replay.html", tracks=digests)
