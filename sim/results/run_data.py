"""What one run produced, as data: its resolved scenario, seed, tables (as the output contract lists them)
and summary. :class:`sim.results.result.Result` adds what can be done with it (``write``); the modules
that write and draw a run take this plain form, so that Result may call them without an import cycle."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sim.core.durations import format_duration
from sim.scenario.models import Scenario

SORTIE_COLUMNS = ("drone_id", "x", "y", "t_depart", "t_arrive", "t_leave", "t_back")


@dataclass(frozen=True)
class RunData:
    """Everything one run produced; the tables follow the output contract."""

    scenario: Scenario
    seed: int
    incidents: pd.DataFrame
    alarms: pd.DataFrame
    missions: pd.DataFrame
    tracks: pd.DataFrame
    summary: dict
    transfers: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Every message over the network (sim.network.links.Transfer columns)."""
    sorties: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Relay drone flights (sim.network.drone_relay.Sortie columns)."""
    alarm_frames: tuple[tuple[str, bytes], ...] = ()
    """Pixel mode with ``save_alarm_frames``: (file name, PNG bytes) of each alarm's frame with its boxes."""

    @property
    def label(self) -> str:
        """Scenario, seed and duration, as figure titles and the folder's index name the run."""
        return f"{self.scenario.name}, seed {self.seed}, {format_duration(self.scenario.run.duration)}"
