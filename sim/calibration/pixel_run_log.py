"""Pixel-mode runs reduced to what a fit and an agreement check read of them (:class:`PixelRunLog`), and
that record on disk.

A calibration from pixel mode reads three things of its runs: every offender's score in every frame (the
score log of :func:`sim.calibration.agreement.pixel_runs`), the first alarm pixel mode credited to each
offender, and its false alarms per camera-hour; an agreement check reads, per offender in view, when it came
into view and when pixel mode first alarmed on it. The record keeps these and nothing else, so runs
rendered once can be fitted again by other models, and checked against stored held-out seeds in a test,
without rendering a frame (``tests/calibration/held_out_beach/``).

On disk (:meth:`PixelRunLog.write`): ``frames.csv.gz`` (the score log), ``alarms.csv`` (every alarm,
:data:`ALARM_LOG_COLUMNS`), ``detections.csv`` (:data:`DETECTION_COLUMNS`) and ``log.json`` (the number
camera-hours of each run and what the writer says of the runs). Floats are written at full precision and
read back exactly; the gzip header carries no time stamp, so the same runs give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.fit_inputs import OFFENDER_FRAME_COLUMNS
from sim.errors import TuningError
from sim.results.result import Result
from sim.scenario.models import Scenario

ALARM_LOG_COLUMNS = ("run", "source", "kind", "t", "incident_id")
"""Every alarm of the runs: the run's index, the camera (or sensor), kind, time (s) and the incident it was
credited to (empty: a false alarm)."""
DETECTION_COLUMNS = ("kind", "detected", "ttd_s", "run", "incident_id", "t_first_visible")
"""Per incident in view (:func:`pixel_detections`)."""
FILES = ("frames.csv.gz", "alarms.csv", "detections.csv", "log.json")
_GZIP = {"method": "gzip", "mtime": 0}  # no time stamp in the header: the same runs, the same bytes
_EXACT = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
"""pandas 3 reads floats back exactly and deprecates the option; pandas 2 must be asked."""


def pixel_mode_sha256(scenario: Scenario) -> str:
    """SHA-256 of what pixel mode's frames, scores and alarms depend on: the resolved scenario without
    ``detection.calibration``, statistical mode's terms, which pixel mode never reads. A calibration fitted
    to pixel runs or clips therefore does not orphan them (before 2026-12-06 the false-alarm evidence's hash
    covered the calibration too, and installing one fitted to the evidence refused to resume it)."""
    kept = scenario.model_dump_json(exclude={"detection": {"calibration"}})
    return hashlib.sha256(kept.encode()).hexdigest()


def pixel_detections(results: list[Result]) -> pd.DataFrame:
    """Per incident in view: ``kind``, ``detected``, ``ttd_s`` (first alarm on it − first sight), and which
    it is: ``run`` (its result's index in ``results``), ``incident_id``, ``t_first_visible`` (s).

    The first alarm credited to the incident by any sensor, from the alarms table: the incidents
    table's ``t_detected`` ignores an alarm that comes after a boat happened to warn the offender
    (stages only move forward), which would count the response as a detector's miss.
    """
    rows = []
    for j, r in enumerate(results):
        first = r.alarms.dropna(subset=["incident_id"]).groupby("incident_id")["t"].min()
        seen = r.incidents[r.incidents["t_first_visible"].notna()]
        t = seen["incident_id"].map(first).to_numpy(float)
        sighted = seen["t_first_visible"].to_numpy(float)
        rows.append(
            pd.DataFrame(
                {
                    "kind": seen["kind"].astype(str).to_numpy(),
                    "detected": ~np.isnan(t),
                    "ttd_s": t - sighted,
                    "run": j,
                    "incident_id": seen["incident_id"].to_numpy(int),
                    "t_first_visible": sighted,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)[list(DETECTION_COLUMNS)]


PIXELS = "analysed"
"""What the frames' ``pixels`` are in the logs written now, recorded in ``log.json``: offenders' heights as
the detectors analyse them (:mod:`sim.sensing.analysed_size`; before 2026-12-06 the full image's)."""
MIXED = "mixed"
"""The size basis of a log joined from logs of two bases (:meth:`PixelRunLog.joined`)."""


@dataclass(frozen=True)
class PixelRunLog:
    """What a calibration from pixel mode and an agreement check read of some pixel-mode runs."""

    frames: pd.DataFrame
    """Every offender's score in every frame: ``kind`` and :data:`OFFENDER_FRAME_COLUMNS`, groups
    ``"<run>/<camera>/incident-<id>"``."""
    alarms: pd.DataFrame
    """:data:`ALARM_LOG_COLUMNS`."""
    detections: pd.DataFrame
    """:data:`DETECTION_COLUMNS`: pixel mode's side of an agreement table."""
    hours_by_run: tuple[float, ...]
    """Each run's cameras × its length, h: the false alarms' exposure (``run`` 0, 1, …)."""
    note: dict
    """What the writer says of the runs (seeds, scenario, command); not read by any fit."""
    pixels: str = PIXELS
    """What the frames' ``pixels`` are: ``analysed`` (:data:`PIXELS`), ``full`` (a log written before
    2026-12-06) or ``mixed`` (:data:`MIXED`); the fits refuse the last two, an agreement check, reading only
    detections, can use any."""

    @classmethod
    def of_runs(cls, results: list[Result], frames: pd.DataFrame, **note) -> PixelRunLog:
        """The record of ``results`` and their score log ``frames`` (what ``pixel_runs`` returns)."""
        alarms = [r.alarms.assign(run=j)[list(ALARM_LOG_COLUMNS)] for j, r in enumerate(results)]
        return cls(
            frames.reset_index(drop=True),
            pd.concat(alarms, ignore_index=True),
            pixel_detections(results),
            tuple(len(r.scenario.cameras) * r.summary["duration_s"] / 3600.0 for r in results),
            note,
        )

    @property
    def run_count(self) -> int:
        return len(self.hours_by_run)

    @property
    def camera_hours(self) -> float:
        """Camera-hours of all the runs."""
        return float(sum(self.hours_by_run))

    def first(self, count: int) -> PixelRunLog:
        """The log of the first ``count`` runs (a list in the note, as ``seeds``, is cut to match)."""
        runs, _ = _run_and_rest(self.frames["group"])
        note = {key: value[:count] if isinstance(value, list) else value for key, value in self.note.items()}
        return PixelRunLog(
            self.frames[runs < count].reset_index(drop=True),
            self.alarms[self.alarms["run"] < count].reset_index(drop=True),
            self.detections[self.detections["run"] < count].reset_index(drop=True),
            self.hours_by_run[:count],
            note,
            self.pixels,
        )

    def joined(self, other: PixelRunLog) -> PixelRunLog:
        """This log's runs followed by ``other``'s, renumbered after them (groups and the ``run`` columns);
        a list in both notes, as ``seeds``, is joined too, other values are this log's. Logs whose frames
        have different size bases join as ``mixed``, which the fits refuse like ``full`` (an agreement
        check reads only the detections)."""
        note = {
            key: value + other.note[key]
            if isinstance(value, list) and isinstance(other.note.get(key), list)
            else value
            for key, value in self.note.items()
        }
        return PixelRunLog.stacked([self, other], **note)

    @classmethod
    def stacked(cls, logs: list[PixelRunLog], **note) -> PixelRunLog:
        """One log of the runs of ``logs``, in order, each log's runs renumbered after the previous logs'
        (groups and the ``run`` columns), with ``note``; of mixed size bases if theirs differ (as
        :meth:`joined`)."""
        shifts = np.cumsum([0, *(log.run_count for log in logs[:-1])])
        frames, alarms, detections = [], [], []
        for log, shift in zip(logs, shifts, strict=True):
            run, rest = _run_and_rest(log.frames["group"])
            frames.append(log.frames.assign(group=(run + shift).astype(str) + "/" + rest))
            alarms.append(log.alarms.assign(run=log.alarms["run"] + shift))
            detections.append(log.detections.assign(run=log.detections["run"] + shift))
        bases = {log.pixels for log in logs}
        return cls(
            _stacked(frames),
            _stacked(alarms),
            _stacked(detections),
            sum((log.hours_by_run for log in logs), ()),
            note,
            bases.pop() if len(bases) == 1 else MIXED,
        )

    @property
    def credited(self) -> pd.Series:
        """First alarm each camera raised on each incident, s, by the score log's group key."""
        alarms = self.alarms.dropna(subset=["incident_id"])
        first = alarms.groupby(["run", "source", "incident_id"])["t"].min()
        return pd.Series(
            first.to_numpy(), index=[f"{j}/{c}/incident-{int(i)}" for j, c, i in first.index], dtype=float
        )

    def write(self, folder: str | Path) -> Path:
        """Write the record to ``folder`` (made if missing; its four files replaced). Returns the folder."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.frames.to_csv(folder / "frames.csv.gz", index=False, compression=_GZIP)
        self.alarms.to_csv(folder / "alarms.csv", index=False)
        self.detections.to_csv(folder / "detections.csv", index=False)
        log = {"hours_by_run": list(self.hours_by_run), "pixels": self.pixels, **self.note}
        (folder / "log.json").write_text(json.dumps(log, indent=1) + "\n", encoding="utf-8")
        return folder

    @classmethod
    def read(cls, folder: str | Path) -> PixelRunLog:
        """The record :meth:`write` wrote to ``folder``, exactly (:class:`TuningError` naming a missing file
        or column)."""
        folder = Path(folder)
        missing = [name for name in FILES if not (folder / name).is_file()]
        if missing:
            raise TuningError(f"{folder}: not a pixel-run log (no {', '.join(missing)})")
        read = {"keep_default_na": False, "na_values": [""], **_EXACT}  # only an empty cell is missing
        frames = pd.read_csv(folder / "frames.csv.gz", **read)
        alarms = pd.read_csv(folder / "alarms.csv", **read)
        detections = pd.read_csv(folder / "detections.csv", **read)
        for name, table, columns in (
            ("frames.csv.gz", frames, ("kind", *OFFENDER_FRAME_COLUMNS)),
            ("alarms.csv", alarms, ALARM_LOG_COLUMNS),
            ("detections.csv", detections, DETECTION_COLUMNS),
        ):
            absent = [c for c in columns if c not in table.columns]
            if absent:
                raise TuningError(f"{folder / name}: no column {', '.join(absent)}")
        log = json.loads((folder / "log.json").read_text(encoding="utf-8"))
        pixels = log.pop("pixels", "full")  # logs written before 2026-12-06 say nothing: full heights
        hours = tuple(float(h) for h in log.pop("hours_by_run"))
        return cls(frames, alarms, detections, hours, log, pixels)


def _stacked(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The tables one after the other; empty ones are left out (one read back from a file has no column
    types, and would make every column of the result a column of objects)."""
    return pd.concat([table for table in tables if len(table)] or tables[:1], ignore_index=True)


def _run_and_rest(groups: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The run index (int) of each score-log group ``"<run>/<camera>/incident-<id>"`` and the rest after
    ``"<run>/"``."""
    parts = groups.str.split("/", n=1)
    return parts.str[0].astype(int), parts.str[1]
