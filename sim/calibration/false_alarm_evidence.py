"""False-alarm evidence, one command: ``run_sim.py tune --false-alarm-hours DAY,DUSK,NIGHT --out DIR``.

For each detector and light level, tune clips (:mod:`sim.calibration.clip_scenes`, with the lake's
distractors) are rendered and watched in two disjoint sets: the **fit** clips (clip seeds from
``seed`` · 1000, :data:`FIT_SEED_OFFSET`), on which the false-alarm model is fitted, and the **held-out**
clips (from (``seed`` + :data:`HELD_OUT_SEED_OFFSET`) · 1000), measured apart. Clips go in chunks
(:data:`CHUNK_CLIPS` clips, each chunk one task for the executor), and every finished chunk is written at
once as ``DIR/chunks/<kind>-<light>-<part>-<first clip>.json``: a later call with the same options skips
the chunks already there, so the evidence can be gathered over several sessions (``budget_s`` stops
launching chunks after that much wall time).

From the chunks (:func:`evidence_table`), per detector, light and camera type: the fit clips' hours and
false alarms at the detector's operating threshold, the fitted rate there (the model of
:func:`sim.calibration.false_alarm_fits.fit_false_alarm_model` fitted to every threshold's counts of the
fit clips, evaluated at the operating threshold: with one weather per light it matches the condition's
total over the thresholds exactly, and its share at the operating threshold follows the threshold curve
fitted through all of them, so with few alarms there it differs from their count over the hours), the
exact 95 % Poisson interval of the fit clips' rate at the operating threshold, and the
held-out clips' hours, false alarms, rate and exact interval; ``inside`` says whether the held-out rate lies
in the fit's interval (empty until both sets have hours). Exact intervals: Garwood (1936, *Biometrika*
28:437), the χ² quantiles χ²(α/2; 2n) / 2h and χ²(1 − α/2; 2n + 2) / 2h for n alarms in h hours
(``scipy.stats.chi2``).

``inside`` asks more than the held-out clips can tell where alarms are rare: the held-out rate of 3 hours
moves in steps of 1/3 an hour, and 0 alarms in 3 hours is what a rate of 0.5 an hour gives one time in four.
So the table also gives ``same_rate_p``, the two-sided p-value of the exact conditional test that the fit
and the held-out clips share one rate (Przyborowski & Wilenski 1940, *Biometrika* 31:313): given the n
alarms of both, the held-out ones are Binomial(n, h_held / (h_fit + h_held)) under one rate
(``scipy.stats.binomtest``); p ≥ 0.05: the held-out clips do not contradict the fit.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.clip_observation import observe
from sim.calibration.clip_scenes import WARMUP_S, ClipCase, cases_for
from sim.calibration.false_alarm_fits import fit_false_alarm_model
from sim.calibration.fit_inputs import FIT_THRESHOLDS
from sim.scenario.models import FalseAlarmCalibration, Kind, Light, Scenario, SensorType, Weather
from sim.sensing.false_alarms import false_alarm_rate

FIT_SEED_OFFSET, HELD_OUT_SEED_OFFSET = 0, 500
"""Clip seeds: the fit clips' from ``seed`` · 1000, the held-out ones' from (``seed`` + 500) · 1000 (each
set below 500,000 clips, so the two never share a clip)."""
CHUNK_CLIPS = 3
"""Clips per task: a few minutes of work, so a budget is kept to within one round of tasks."""
PARTS = ("fit", "held_out")
GOAL_HOURS = {Light.DAY: 10.0, Light.DUSK: 5.0, Light.NIGHT: 5.0}
"""Issue 17's fit hours per light; held out: :data:`GOAL_HELD_OUT_HOURS` each."""
GOAL_HELD_OUT_HOURS = 3.0


@dataclass(frozen=True)
class Chunk:
    """Clips ``first`` .. ``first + len(cases) - 1`` of one detector, light and part."""

    kind: Kind
    light: Light
    part: str
    first: int
    cases: tuple[ClipCase, ...]

    @property
    def name(self) -> str:
        return f"{self.kind.value}-{self.light.value}-{self.part}-{self.first:05d}"


def clips_for(hours: float, seconds: float) -> int:
    """Clips of ``seconds`` (s; the first :data:`WARMUP_S` unscored) that make ``hours`` camera-hours."""
    return math.ceil(hours * 3600.0 / (seconds - WARMUP_S) - 1e-9)


def plan_chunks(
    scenario: Scenario,
    kinds: tuple[Kind, ...],
    hours: dict[Light, float],
    held_out_hours: float,
    seconds: float,
    seed: int,
    weather: Weather = Weather.CLEAR,
) -> list[Chunk]:
    """Every chunk of the evidence, interleaved (detector, light, part in turn) so that a budget cut short
    leaves every condition with some hours; held-out clips only for the lights with fit hours."""
    queues = []
    for kind in kinds:
        for light, fit_hours in hours.items():
            if fit_hours <= 0:
                continue
            for part, part_hours, offset in (
                ("fit", fit_hours, FIT_SEED_OFFSET),
                ("held_out", held_out_hours, HELD_OUT_SEED_OFFSET),
            ):
                count = clips_for(part_hours, seconds) if part_hours > 0 else 0
                if count == 0:
                    continue
                cases = cases_for(scenario, kind, count, seed + offset, (light,), (weather,))
                queues.append(
                    [
                        Chunk(kind, light, part, i, tuple(cases[i : i + CHUNK_CLIPS]))
                        for i in range(0, count, CHUNK_CLIPS)
                    ]
                )
    ordered = []
    for round_ in range(max((len(q) for q in queues), default=0)):
        ordered += [q[round_] for q in queues if round_ < len(q)]
    return ordered


def camera_type(scenario: Scenario, camera_id: str) -> str:
    """``thermal``, ``visible+nir`` (a visible camera with a near-infrared night mode) or ``visible``."""
    spec = next(c for c in scenario.cameras if c.id == camera_id)
    if spec.sensor is SensorType.THERMAL:
        return "thermal"
    return "visible+nir" if spec.infrared else "visible"


def run_chunk(task: tuple[Scenario, Chunk, float]) -> dict:
    """Watch one chunk's clips (module level: worker processes unpickle it); one row per clip: its camera
    and type, scored hours, false alarms per threshold and what they lay on at the operating threshold
    (``causes``) and at every threshold (``causes_by_threshold``), and per threshold the alarms on
    offenders beyond the analysed range, which are not false alarms (``not_scored``,
    :mod:`sim.calibration.clip_observation`). On a pool of several workers OpenCV keeps to one thread
    (:func:`sim.core.workers.spawned_pool`)."""
    scenario, chunk, seconds = task
    operating = scenario.detection.threshold_for(chunk.kind)
    thresholds = np.unique(np.concatenate([FIT_THRESHOLDS, [operating]]))
    started = time.process_time()
    clips = []
    for case in chunk.cases:
        seen = observe(scenario, chunk.kind, [case], seconds, thresholds, progress=False)
        key = (case.light.value, case.weather.value)
        clips.append(
            {
                "seed": case.seed,
                "camera": case.camera_id,
                "camera_type": camera_type(scenario, case.camera_id),
                "weather": case.weather.value,
                "hours": seen.camera_hours,
                "false_alarms": {
                    f"{t:g}": seen.false_alarms_by_condition.get((*key, float(t)), 0) for t in thresholds
                },
                "causes": {
                    cause: n
                    for (_, _, t, cause), n in seen.false_alarm_causes.items()
                    if math.isclose(t, operating)
                },
                "causes_by_threshold": _causes_by_threshold(seen.false_alarm_causes),
                "not_scored": {f"{t:g}": n for (_, _, t), n in sorted(seen.not_scored.items())},
            }
        )
    return {
        "kind": chunk.kind.value,
        "light": chunk.light.value,
        "part": chunk.part,
        "first": chunk.first,
        "operating_threshold": operating,
        "seconds": seconds,
        "cpu_s": round(time.process_time() - started, 1),
        "clips": clips,
    }


def _causes_by_threshold(causes: dict) -> dict[str, dict[str, int]]:
    """``{τ: {cause: false alarms}}`` from :attr:`Observations.false_alarm_causes` of one clip."""
    table: dict[str, dict[str, int]] = {}
    for (_, _, threshold, cause), n in sorted(causes.items()):
        table.setdefault(f"{threshold:g}", {})[cause] = n
    return table


def gather(
    scenario: Scenario,
    chunks: list[Chunk],
    seconds: float,
    out: Path,
    executor,
    budget_s: float | None = None,
    progress=print,
) -> int:
    """Run the chunks not yet in ``out/chunks`` on ``executor``, writing each as it finishes; no chunk is
    submitted once ``budget_s`` of wall time has passed (those submitted before, up to two per worker of a
    pool, still run). Returns how many ran."""
    folder = out / "chunks"
    folder.mkdir(parents=True, exist_ok=True)
    todo = [c for c in chunks if not (folder / f"{c.name}.json").exists()]
    started, done = time.monotonic(), 0

    def within_budget():
        # Read by the executor as workers free up, so the budget is checked when a chunk would be submitted.
        for chunk in todo:
            if budget_s is not None and time.monotonic() - started > budget_s:
                return
            yield scenario, chunk, seconds

    with executor as pool:
        for (_, chunk, _), result in pool.results(run_chunk, within_budget()):
            if isinstance(result, BaseException):
                raise result
            _write_whole(folder / f"{chunk.name}.json", json.dumps(result, indent=1) + "\n")
            done += 1
            progress(f"{chunk.name}: {len(chunk.cases)} clips, {result['cpu_s']} s CPU")
    return done


def _write_whole(path: Path, text: str) -> None:
    """``text`` into ``path``, which appears whole or not at all (a ``.part`` file renamed into place)."""
    part = path.with_name(path.name + ".part")
    part.write_text(text, encoding="utf-8")
    part.replace(path)


def read_chunks(out: Path) -> pd.DataFrame:
    """Every clip of ``out/chunks`` as a row: kind, light, part, operating_threshold, camera, camera_type,
    weather, hours, ``fa_<τ>`` per threshold, ``cause_<class>`` and ``not_scored`` at the operating
    threshold."""
    rows = []
    for path in sorted((out / "chunks").glob("*.json")):
        chunk = json.loads(path.read_text(encoding="utf-8"))
        for clip in chunk["clips"]:
            row = {k: chunk[k] for k in ("kind", "light", "part", "operating_threshold")}
            row |= {k: clip[k] for k in ("seed", "camera", "camera_type", "weather", "hours")}
            row |= {f"fa_{t}": n for t, n in clip["false_alarms"].items()}
            row |= {f"cause_{c}": n for c, n in clip["causes"].items()}
            row["not_scored"] = clip["not_scored"].get(f"{chunk['operating_threshold']:g}", 0)
            rows.append(row)
    table = pd.DataFrame(rows)
    causes = [c for c in table.columns if c.startswith("cause_")]
    table[causes] = table[causes].fillna(0).astype(int)
    return table


def poisson_interval(count: int, hours: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson rate, per hour, from ``count`` events in ``hours``."""
    from scipy.stats import chi2

    alpha = 1.0 - level
    low = 0.0 if count == 0 else float(chi2.ppf(alpha / 2, 2 * count)) / (2 * hours)
    return low, float(chi2.ppf(1 - alpha / 2, 2 * count + 2)) / (2 * hours)


def same_rate_p(row: dict) -> float:
    """Two-sided p-value of one Poisson rate behind the fit's and the held-out clips' alarms (the exact
    conditional test of the module docstring); 1 without alarms in either."""
    from scipy.stats import binomtest

    alarms = row["fit_alarms"] + row["held_out_alarms"]
    if alarms == 0:
        return 1.0
    share = row["held_out_hours"] / (row["fit_hours"] + row["held_out_hours"])
    return round(float(binomtest(row["held_out_alarms"], alarms, share).pvalue), 4)


def count_table(clips: pd.DataFrame) -> pd.DataFrame:
    """The clips' false alarms by light, weather and threshold with that condition's camera-hours: the
    columns of ``tune``'s ``false_alarms.csv``, the input of :func:`fit_false_alarm_model`."""
    rows = []
    for (light, weather), group in clips.groupby(["light", "weather"]):
        for column in (c for c in clips.columns if c.startswith("fa_")):
            threshold = float(column[3:])
            rows.append((light, weather, threshold, int(group[column].sum()), float(group["hours"].sum())))
    return pd.DataFrame(rows, columns=["light", "weather", "threshold", "false_alarms", "camera_hours"])


def fitted_rate(fit: pd.DataFrame, operating: float) -> float:
    """The false-alarm model (:func:`fit_false_alarm_model`) fitted to every threshold's counts of the fit
    clips ``fit`` (one light), evaluated at ``operating``, per camera-hour."""
    spec = FalseAlarmCalibration.model_validate(fit_false_alarm_model(count_table(fit)))
    light, weather = Light(fit["light"].iloc[0]), Weather(fit["weather"].iloc[0])
    return false_alarm_rate(spec, operating, light, weather)


def evidence_table(clips: pd.DataFrame) -> pd.DataFrame:
    """One row per detector, light and camera type (module docstring)."""
    rows = []
    for (kind, light, kind_of_camera), group in clips.groupby(["kind", "light", "camera_type"], sort=False):
        operating = float(group["operating_threshold"].iloc[0])
        column = f"fa_{operating:g}"
        row = {"detector": kind, "light": light, "camera_type": kind_of_camera, "threshold": operating}
        for part in PARTS:
            part_clips = group[group["part"] == part]
            hours, alarms = float(part_clips["hours"].sum()), int(part_clips[column].sum())
            low, high = poisson_interval(alarms, hours) if hours > 0 else (math.nan, math.nan)
            row |= {
                f"{part}_hours": round(hours, 3),
                f"{part}_alarms": alarms,
                f"{part}_rate": round(alarms / hours, 4) if hours > 0 else math.nan,
                f"{part}_low": round(low, 4),
                f"{part}_high": round(high, 4),
            }
        fit = group[group["part"] == "fit"]
        row["fitted_rate"] = round(fitted_rate(fit, operating), 4) if len(fit) else math.nan
        measured = row["fit_hours"] > 0 and row["held_out_hours"] > 0
        row["inside"] = bool(row["fit_low"] <= row["held_out_rate"] <= row["fit_high"]) if measured else None
        row["same_rate_p"] = same_rate_p(row) if measured else math.nan
        causes = {
            c[6:]: int(group[c].sum()) for c in group.columns if c.startswith("cause_") and group[c].sum()
        }
        row["causes"] = ", ".join(f"{c} {n}" for c, n in sorted(causes.items(), key=lambda kv: -kv[1]))
        row["not_scored"] = int(group["not_scored"].sum())
        goal = GOAL_HOURS[Light(light)]
        row["goal_met"] = bool(
            row["fit_hours"] >= goal - 1e-6 and row["held_out_hours"] >= GOAL_HELD_OUT_HOURS - 1e-6
        )
        rows.append(row)
    return pd.DataFrame(rows)


def markdown_table(table: pd.DataFrame) -> str:
    """The table as docs/detectors.md gives it."""
    lines = [
        "| detector | light | camera | τ | fit hours | fit alarms | fitted rate /h | fit 95 % interval "
        "| held-out hours | held-out alarms | held-out rate /h (95 % interval) | inside | one rate? p "
        "| what the alarms lay on |",
        "|---|---|---|---:|---:|---:|---:|---|---:|---:|---|---|---:|---|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| {r.detector} | {r.light} | {r.camera_type} | {r.threshold:g} | {r.fit_hours:.2f} | "
            f"{r.fit_alarms} | {r.fitted_rate:.3g} | {r.fit_low:.3g}-{r.fit_high:.3g} | "
            f"{r.held_out_hours:.2f} | {r.held_out_alarms} | {r.held_out_rate:.3g} "
            f"({r.held_out_low:.3g}-{r.held_out_high:.3g}) | {_yes_no(r.inside)} | {r.same_rate_p:.2g} "
            f"| {r.causes or '-'}{_not_scored(r.not_scored)} |"
        )
    return "\n".join(lines) + "\n"


def _not_scored(count: int) -> str:
    """The alarms on offenders beyond the analysed range, which are not false alarms (not scored)."""
    return f"; not scored: {count} on offenders beyond range" if count else ""


def _yes_no(value) -> str:
    return "-" if value is None or value != value else ("yes" if value else "no")
