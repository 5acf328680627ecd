"""Installing fitted terms into a calibration file (``scripts/visible_terms.py`` and
``scripts/thermal_terms.py``): a kind's detection class from a ``tune --pixel-runs`` folder, and its false
alarms pooled over ``tune`` clip runs and the fit clips of a false-alarm evidence folder."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.calibration.false_alarm_evidence import count_table, read_chunks
from sim.calibration.false_alarm_fits import fit_pooled_false_alarms
from sim.errors import TuningError


def terms_of(folder: Path, sensor: str | None = None) -> dict:
    """The terms of ``folder/calibration.json`` (a tune output folder): its top level (the scenario's visible
    cameras), or its ``sensors.<sensor>`` block."""
    calibration = json.loads((folder / "calibration.json").read_text(encoding="utf-8"))
    return calibration if sensor is None else calibration["sensors"][sensor]


def fitted_kinds(pixel: Path) -> set[str]:
    """Kinds the pixel runs of ``pixel`` saw in some frame (``model_choice.csv``'s ``fit_frames``): a kind
    they never saw keeps the base file's class, which must not pass for a fit."""
    choice = pd.read_csv(pixel / "model_choice.csv")
    return set(choice.loc[choice["fit_frames"] > 0, "kind"])


def pixel_class(pixel: Path, kind: str, sensor: str | None = None) -> tuple[dict, str]:
    """``kind``'s class fitted by the pixel runs of folder ``pixel`` (for ``sensor``'s cameras, or the
    visible ones) and that fit's source. Raises TuningError if no offender of that kind was in view."""
    if kind not in fitted_kinds(pixel):
        raise TuningError(f"{pixel}: no {kind} offender in view of the pixel runs")
    terms = terms_of(pixel, sensor)
    return terms["classes"][kind], terms["source"]


def model_of(spec: dict) -> str:
    """The detection model a class entry holds (``ordinal`` when it names none)."""
    return spec.get("model", "ordinal")


def with_clip_weather(spec: dict, clips: Path, kind: str, sensor: str | None = None) -> dict:
    """``spec`` (a class entry fitted to pixel runs in clear weather, which cannot tell the weather) with the
    per-frame score's weather offsets of ``kind``'s class in the ``tune`` clip run ``clips`` (for
    ``sensor``'s cameras, or the visible ones). A hazard class's alarm rates keep the pixel fit's weather
    offsets (``alarm_hazard.weather``, none from clear-weather runs): the clip run's own estimate
    (``hazard_weather.csv``) compares offenders that differ from weather to weather, and pixel runs of the
    same offenders in clear weather and in fog or haze disagree with it (docs/detectors.md, "Weather and the
    alarm rates")."""
    return spec | {"weather": terms_of(clips, sensor)["classes"][kind]["weather"]}


def pooled_false_alarms(kind: str, clip_runs: list[Path], evidence: Path) -> tuple[dict, float]:
    """``kind``'s false-alarm entry fitted to the ``false_alarms.csv`` counts of the ``tune`` output folders
    ``clip_runs`` together with the fit clips of the evidence folder ``evidence`` (its held-out clips stay
    out, for the check), and the evidence's fit camera-hours of that kind."""
    clips = read_chunks(evidence)
    fit = clips[(clips["kind"] == kind) & (clips["part"] == "fit")]
    if fit.empty:
        raise TuningError(f"{evidence}: no fit clips of {kind}")
    tables = [pd.read_csv(folder / "false_alarms.csv") for folder in clip_runs]
    return fit_pooled_false_alarms([*tables, count_table(fit)]), float(fit["hours"].sum())
