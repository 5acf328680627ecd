"""Transfers as columns: many messages over the network held as numpy arrays (one per field of
:class:`~sim.network.links.Transfer`) instead of one object each; texts (traffic class, service,
direction, route) as indices into short lists of names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from sim.network.links import Transfer

TRANSFER_COLUMNS = tuple(f.name for f in fields(Transfer))
TEXT_COLUMNS = ("traffic", "service", "direction", "via")
SECONDS_COLUMNS = tuple(c for c in TRANSFER_COLUMNS if c == "t" or c.endswith("_s"))
"""Columns in seconds: transfers.csv has them to the microsecond."""
NUMBER_COLUMNS = tuple(c for c in TRANSFER_COLUMNS if c not in TEXT_COLUMNS)


@dataclass(frozen=True)
class Text:
    """A column of texts: ``codes`` index ``names``."""

    codes: np.ndarray
    names: tuple[str, ...]

    @classmethod
    def of(cls, values: Sequence[str]) -> Text:
        names, codes = np.unique(np.asarray(values, dtype=str), return_inverse=True)
        return cls(codes.reshape(-1).astype(np.int64), tuple(str(n) for n in names))

    @classmethod
    def constant(cls, value: str, n: int) -> Text:
        return cls(np.zeros(n, np.int64), (value,))

    def strings(self) -> np.ndarray:
        return np.asarray(self.names, dtype=object)[self.codes] if len(self.codes) else np.array([], object)


@dataclass(frozen=True)
class TransferColumns:
    """Transfers as columns; ``columns`` maps each field of :class:`Transfer` to an array (numbers,
    x and y NaN where the position is unknown) or a :class:`Text`."""

    columns: dict[str, np.ndarray | Text]

    def __len__(self) -> int:
        return len(self.columns["t"])

    def __getitem__(self, name: str) -> np.ndarray | Text:
        return self.columns[name]

    @classmethod
    def of(cls, transfers: Sequence[Transfer]) -> TransferColumns:
        """Columns of logged transfers, in their order."""
        values = {name: [getattr(t, name) for t in transfers] for name in TRANSFER_COLUMNS}
        columns: dict[str, np.ndarray | Text] = {}
        for name in TRANSFER_COLUMNS:
            if name in TEXT_COLUMNS:
                columns[name] = Text.of(values[name])
            elif name == "payload_bytes":
                columns[name] = np.asarray(values[name], dtype=np.int64)
            else:
                columns[name] = np.array([np.nan if v is None else v for v in values[name]], dtype=float)
        return cls(columns)

    @classmethod
    def joined(cls, parts: Sequence[TransferColumns]) -> TransferColumns:
        """The rows of ``parts``, one after the other (texts recoded into one list of names)."""
        columns: dict[str, np.ndarray | Text] = {}
        for name in TRANSFER_COLUMNS:
            pieces = [part[name] for part in parts]
            if name not in TEXT_COLUMNS:
                columns[name] = np.concatenate(pieces) if pieces else np.zeros(0)
                continue
            names = tuple(dict.fromkeys(n for piece in pieces for n in piece.names))
            codes = [np.array([names.index(n) for n in p.names] or [0], np.int64)[p.codes] for p in pieces]
            columns[name] = Text(np.concatenate(codes) if codes else np.zeros(0, np.int64), names)
        return cls(columns)

    def take(self, index: np.ndarray) -> TransferColumns:
        """The rows at ``index`` (indices or a mask)."""
        return TransferColumns(
            {
                name: Text(column.codes[index], column.names) if isinstance(column, Text) else column[index]
                for name, column in self.columns.items()
            }
        )

    def rounded(self) -> TransferColumns:
        """Times to the microsecond, as transfers.csv has them."""
        return TransferColumns(
            {name: np.round(c, 6) if name in SECONDS_COLUMNS else c for name, c in self.columns.items()}
        )

    def frame(self) -> pd.DataFrame:
        """The rows as a table with the columns of transfers.csv (texts as strings)."""
        data = {
            name: column.strings() if isinstance(column, Text) else column
            for name, column in self.columns.items()
        }
        return pd.DataFrame(data, columns=list(TRANSFER_COLUMNS))
