"""Chunk files of a false-alarm evidence folder (``run_sim.py tune --false-alarm-hours``), written by hand."""

from __future__ import annotations

import json
from pathlib import Path


def write_chunk(
    folder: Path,
    part: str,
    first: int,
    hours: float,
    alarms: dict,
    causes: dict,
    not_scored: dict | None = None,
    kind: str = "swimming",
    light: str = "day",
) -> None:
    """One chunk file of a false-alarm evidence folder's ``chunks/`` (``folder``) holding one clip of
    ``cam-beach-w`` in clear weather: ``hours`` scored, ``alarms`` per threshold (``{"0.8": 2}``)."""
    clip = {
        "seed": first,
        "camera": "cam-beach-w",
        "camera_type": "visible",
        "weather": "clear",
        "hours": hours,
        "false_alarms": alarms,
        "causes": causes,
        "not_scored": not_scored or {},
    }
    operating = 0.8 if kind == "swimming" else 0.5
    chunk = {"kind": kind, "light": light, "part": part, "first": first, "operating_threshold": operating}
    chunk |= {"seconds": 125.0, "cpu_s": 1.0, "clips": [clip]}
    (folder / f"{kind}-{light}-{part}-{first:05d}.json").write_text(json.dumps(chunk), encoding="utf-8")
