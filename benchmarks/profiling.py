"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def function_name(func: tuple[str, int, str]) -> str:
    """A pstats key as ``sim/render.py:409(render)``: paths shortened to the repo or the installed package."""
    filename, line, name = func
    if filename == "~":  # built-in
        return name
    path = Path(filename)
    try:
        short = path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        parts = path.parts
        cut = max((i for i, p in enumerate(parts) if p in ("site-packages", "dist-packages")), default=-1)
        short = "/".join(parts[cut + 1 :]) if cut >= 0 else path.name
    return f"{short}:{line}({name})"
