"""What every figure shares: the stage colours and how a figure is laid out and saved.

Figures are built with matplotlib's object API (``matplotlib.figure.Figure``), never pyplot: no global
backend, no global list of open figures, so drawing is safe from any thread and importing a figure module
changes nothing. ``Figure.savefig`` renders PNG files with the Agg renderer without choosing a backend.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure

STAGE_COLOURS = ("#4c72b0", "#55a868", "#c44e52", "#8172b2", "#ccb974")
"""Colours of the response stages (sim.results.tables.STAGES, in order) in run and sweep figures."""

DPI = 130
"""Resolution of saved figures, dots per inch."""


GLYPH_EM = 0.6
"""Mean width of a title's character in DejaVu Sans (matplotlib's default font), ems: a little above the
font's mean (about 0.55 em for mixed text), so that a wrapped line stays inside its width."""

NO_INCIDENTS = "no incidents in this run"
"""What a run's summary and figures say when the run had no incident."""


def centred_note(ax: Axes, text: str) -> None:
    """``text`` in the middle of ``ax``, whose empty frame, ticks and legend are not drawn."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color="#555555", transform=ax.transAxes)


def fitted_title(text: str, width_in: float, fontsize: float = 10.0) -> str:
    """``text`` with each of its lines wrapped at spaces to the characters that fit in ``width_in`` inches at
    ``fontsize`` points (:data:`GLYPH_EM` per character): a long title stays inside its figure."""
    columns = max(20, int(width_in * 72.0 / (GLYPH_EM * fontsize)))
    return "\n".join(textwrap.fill(line, columns) for line in text.split("\n"))


def save(fig: Figure, path: Path, rect: tuple[float, float, float, float] | None = None) -> Path:
    """Lay ``fig`` out tightly (inside ``rect``, figure fractions left, bottom, right, top, when given) and
    write it to ``path`` at :data:`DPI`; returns ``path``."""
    fig.tight_layout(rect=rect)
    fig.savefig(path, dpi=DPI)
    return path
