"""What every figure shares: the stage colours and how a figure is laid out and saved.

Figures are built with matplotlib's object API (``matplotlib.figure.Figure``), never pyplot: no global
backend, no global list of open figures, so drawing is safe from any thread and importing a figure module
changes nothing. ``Figure.savefig`` renders PNG files with the Agg renderer without choosing a backend.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

STAGE_COLOURS = ("#4c72b0", "#55a868", "#c44e52", "#8172b2", "#ccb974")
"""Colours of the response stages (sim.results.tables.STAGES, in order) in run and sweep figures."""

DPI = 130
"""Resolution of saved figures, dots per inch."""


def save(fig: Figure, path: Path, rect: tuple[float, float, float, float] | None = None) -> Path:
    """Lay ``fig`` out tightly (inside ``rect``, figure fractions left, bottom, right, top, when given) and
    write it to ``path`` at :data:`DPI`; returns ``path``."""
    fig.tight_layout(rect=rect)
    fig.savefig(path, dpi=DPI)
    return path
