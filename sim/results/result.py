"""The result of one run (:class:`Result`): its data (:class:`~sim.results.run_data.RunData`), `write`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim.results.run_data import SORTIE_COLUMNS, RunData

__all__ = ["SORTIE_COLUMNS", "Result"]


@dataclass(frozen=True)
class Result(RunData):
    """Everything one run produced (scenario, seed, ``incidents``, ``alarms``, ``missions``, ``tracks``,
    ``transfers``, ``sorties`` tables and ``summary``), and :meth:`write` to save it."""

    def write(self, folder: str | Path, figures: bool = True, replay: bool = True) -> Path:
        """Write the folder ``run_sim.py run`` writes (tables, summary.json, scenario.yaml, figures/,
        replay.html, README.md) to ``folder``, replacing it atomically; its parent folders are made.
        Returns the folder."""
        from sim.results.writing import write_outputs  # figures and YAML only when writing

        folder = Path(folder)
        folder.resolve().parent.mkdir(parents=True, exist_ok=True)
        return write_outputs(self, folder, figures=figures, replay=replay)
