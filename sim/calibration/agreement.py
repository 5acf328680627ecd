"""Statistical mode calibrated from pixel mode, and how closely the two modes agree.

Pixel mode is the reference: its cameras render frames and run the detectors.
:func:`pixel_runs` runs it with every offender's per-frame detector score
logged; :func:`calibrate_from_pixel_runs` fits statistical mode's detection
model to those scores (:mod:`sim.calibration.detectability`: per-frame hit probability by
pixel size, light and weather, the spread between offenders, the mean run of
hits) and its false-alarm rate to the false alarms pixel mode raised; then
:func:`compare_modes` runs statistical mode with that calibration on the same
scenario and seeds (so on the same incidents) and tabulates, per kind and mode,
the detection rate among incidents that came into view and the quantiles of the
time to detect (first alarm minus first visibility).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd

from sim.calibration.alarm_landing import fit_alarm_landing
from sim.calibration.calibration_file import class_entry
from sim.calibration.detectability import SPELLS_S
from sim.calibration.detection_models import fit_model
from sim.calibration.pixel_rendering import SCORE_LOG_COLUMNS, numbered, rendered, with_mode
from sim.calibration.pixel_run_log import MIXED, PIXELS, PixelRunLog
from sim.engine import Simulation
from sim.errors import TuningError
from sim.results.result import Result
from sim.scenario.models import Calibration, Kind, Mode, Scenario, SensorType
from sim.sensing.false_alarms import false_alarm_share

REPLICATIONS = 20
"""Draws of statistical detection per incident when comparing the modes."""
WITHIN_S = (5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
"""Times since first sight at which held-out comparisons read the shares detected (:func:`detected_within`),
s: the time to detect's distribution where a median alone sits on a cliff (docs/detectors.md)."""
TTD_QUANTILES = (10, 25, 50, 75, 90)
"""Quantiles of the time to detect in the agreement table, %: the whole distribution, not only its median."""
AGREEMENT_COLUMNS = (
    "kind",
    "mode",
    "incidents_visible",
    "detected",
    "detection_rate",
    *(f"ttd_p{q}_s" for q in TTD_QUANTILES),
)


def ignoring_warnings(scenario: Scenario) -> Scenario:
    """The scenario with offenders that never leave when warned."""
    kinds = {}
    for kind in Kind:
        spec = getattr(scenario.incidents, kind.value)
        deaf = spec.compliance.model_copy(update={"p_leave": 0.0})
        kinds[kind.value] = spec.model_copy(update={"compliance": deaf})
    return scenario.model_copy(update={"incidents": scenario.incidents.model_copy(update=kinds)})


def with_cameras(scenario: Scenario, camera_ids) -> Scenario:
    """The scenario with only the cameras of ``camera_ids`` (the others dropped, in their order)."""
    kept = set(camera_ids)
    return scenario.model_copy(update={"cameras": tuple(c for c in scenario.cameras if c.id in kept)})


def pixel_runs(
    variants: list[Scenario], seeds: list[int], progress: bool = False, workers: int = 1
) -> tuple[list[Result], pd.DataFrame]:
    """Pixel-mode runs of every variant on every seed, and every offender's score in every frame; with
    ``workers`` > 1 the runs share a pool of that many processes (each run is independent and seeded, so
    the results are the same, in the same order).

    Variants are the same scenario under other conditions (a night start, fog); the frames table
    has ``kind`` and :data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS`.
    """
    runs = [(variant, seed) for variant in variants for seed in seeds]
    outcomes = sorted(rendered(runs, progress, workers), key=lambda outcome: outcome[0])
    results, log = [], []
    for j, result, rows in outcomes:
        results.append(result)  # run j is results[j]: its score log's groups begin "<j>/"
        log += numbered(rows, j)
    return results, pd.DataFrame(log, columns=list(SCORE_LOG_COLUMNS))


def pixel_run_log(
    variants: list[Scenario], seeds: list[int], progress: bool = False, workers: int = 1, **note
) -> PixelRunLog:
    """:func:`pixel_runs` reduced to what a fit and an agreement check read (:class:`PixelRunLog`), its
    note the seeds and ``note``."""
    results, frames = pixel_runs(variants, seeds, progress, workers)
    return PixelRunLog.of_runs(results, frames, seeds=list(seeds), **note)


def calibrate_from_pixel_runs(
    scenario: Scenario,
    runs: PixelRunLog,
    command: str = "",
    spells: tuple[float, ...] = SPELLS_S,
    acquisition: bool = False,
    model: str | None = None,
) -> Calibration:
    """The scenario's calibration with each kind's hit model and false-alarm rate fitted to pixel mode's
    ``runs`` of it (:func:`pixel_run_log`, or a log written before: :meth:`PixelRunLog.read`).

    A kind no offender of which was ever in view keeps its current hit model. False alarms keep
    their threshold dependence (the clutter intercept c) and are scaled so that the rate at the
    scenario's threshold of the kind equals pixel mode's false alarms per camera-hour.

    ``model`` (:data:`sim.calibration.detection_models.MODELS`; ``acquisition`` True: ``"acquisition"``):
    the acquired / not-acquired chain (no hit runs: the chain holds them), or (the default) the ordinal
    model with offender offsets at the likeliest of ``spells`` and hit runs growing with the odds
    (:func:`sim.calibration.detection_models.fit_model`).
    """
    if runs.pixels != PIXELS:
        held = "in part " if runs.pixels == MIXED else ""
        raise TuningError(
            f"the pixel runs' frames hold {held}heights in the full image (a log written before 2026-12-06); "
            "the fits read heights as the detectors analyse them: render the runs again"
        )
    model = model or ("acquisition" if acquisition else "ordinal")
    base = scenario.calibration.model_dump(mode="json")
    terms = sensor_terms(base, scenario)  # the cameras' sensor type's classes and false alarms
    frames, alarms, camera_hours = runs.frames, runs.alarms, runs.camera_hours
    detected, persistence = runs.credited, scenario.detection.persistence
    for kind in Kind:
        threshold = scenario.detection.threshold_for(kind)  # pixel mode's alarm filter of this kind
        mine = frames[frames["kind"] == kind]
        if len(mine):
            rule = (detected, persistence.k, persistence.n)
            fit = fit_model(model, mine, scenario.calibration.reference_pixels, threshold, spells, rule)
            if fit["model"] != "hazard":  # the hazard model's alarms are those that landed
                fit["alarm_on_target"], fit["shadowed_share"] = fit_alarm_landing(
                    mine, detected, threshold, persistence.k, persistence.n
                )
            terms["classes"][kind.value] = class_entry(fit)
        cameras = {c.id for c in scenario.cameras}
        false = alarms[
            (alarms["kind"] == kind) & alarms["incident_id"].isna() & alarms["source"].isin(cameras)
        ]
        clutter = terms["false_alarms"][kind.value]["intercept"]
        slope = terms["false_alarms"][kind.value].get("slope", 1.0)
        rate = len(false) / camera_hours if camera_hours else 0.0
        terms["false_alarms"][kind.value] = {
            "max_rate_per_hour": round(rate / float(false_alarm_share(clutter, slope, threshold)), 4),
            "intercept": clutter,
            "slope": slope,
        }
    command = command or "sim.calibration.agreement.calibrate_from_pixel_runs"
    terms["source"] = (
        f"Fitted to pixel mode by `{command}`: scenario "
        f"{scenario.name}, {runs.run_count} runs, {camera_hours:.2f} camera-hours, "
        f"{len(frames)} offender-frames."
    )
    return Calibration.model_validate(base)


def sensor_terms(calibration: dict, scenario: Scenario) -> dict:
    """The part of ``calibration`` (a calibration file's mapping) that the scenario's cameras use: the
    top level for visible cameras, ``sensors.<type>`` for others (made from the top level's entries when
    missing). Their detections are pooled in one fit, so the cameras must be of one type."""
    types = sorted({camera.sensor.value for camera in scenario.cameras})
    if len(types) > 1:
        raise TuningError(
            f"--pixel-runs: the cameras are {' and '.join(types)} ones; pass --camera to fit one type's terms"
        )
    return sensor_block(calibration, SensorType(types[0]) if types else SensorType.VISIBLE)


def sensor_block(calibration: dict, sensor: SensorType) -> dict:
    """The part of ``calibration`` (a calibration file's mapping) that cameras of ``sensor`` read: the top
    level for visible cameras, ``sensors.<type>`` for others (made from the top level's entries when
    missing, without their optical-depth terms)."""
    if sensor is SensorType.VISIBLE:
        return calibration
    if sensor.value not in calibration["sensors"]:
        block = copy.deepcopy({k: calibration[k] for k in ("classes", "false_alarms")})
        for spec in block["classes"].values():  # visible light's optical depth is no other sensor's
            (spec.get("alarm_hazard") or {}).pop("optical_depth", None)
        calibration["sensors"][sensor.value] = block
    return calibration["sensors"][sensor.value]


def statistical_detections(scenario: Scenario, seeds: list[int], replications: int) -> pd.DataFrame:
    """Statistical mode's detections of the same incidents, drawn ``replications`` times per seed.

    The same columns as :func:`pixel_detections` (``run``: the seed's index in ``seeds``), one row per
    incident in view per replication. Replication 0
    uses the run's own streams (it is what ``run`` would give); the others draw from streams named
    ``replica/<r>/...``, so the incidents stay and only the detection draws change: the expected
    detection rate and time to detect of these very incidents, not one draw of them.
    """
    rows = []
    end = scenario.run.duration  # a detection drawn at or after the run's end is not in the run
    for j, seed in enumerate(seeds):
        simulation = Simulation(with_mode(scenario, Mode.STATISTICAL), seed)
        sensing = simulation.sensing
        sightings = [sensing.sightings(incident) for incident in simulation.incidents]  # once: geometry
        for replica in range(replications):

            def stream(name: str, replica=replica, streams=simulation.streams):
                return streams.stream(name if replica == 0 else f"replica/{replica}/{name}")

            for incident, seen in zip(simulation.incidents, sightings, strict=True):
                first, detections = sensing.draw(incident, seen, stream)
                if first is None:
                    continue
                t = min((d.t for d in detections if d.t < end), default=np.nan)
                rows.append((incident.kind.value, bool(np.isfinite(t)), t - first, j, incident.id, first))
    return pd.DataFrame(rows, columns=["kind", "detected", "ttd_s", "run", "incident_id", "t_first_visible"])


def detection_table(detections: pd.DataFrame, runs: int = 1) -> pd.DataFrame:
    """Per kind: incidents in view (per replication), how many detected, their rate, delay quantiles."""
    rows = []
    for kind in Kind:
        mine = detections[detections["kind"] == kind.value]
        delay = mine.loc[mine["detected"], "ttd_s"]
        rows.append(
            {
                "kind": kind.value,
                "incidents_visible": round(len(mine) / runs, 2),
                "detected": round(int(mine["detected"].sum()) / runs, 2),
                "detection_rate": round(float(mine["detected"].mean()), 4) if len(mine) else None,
            }
            | {
                f"ttd_p{q}_s": round(float(delay.quantile(q / 100)), 3) if len(delay) else None
                for q in TTD_QUANTILES
            }
        )
    return pd.DataFrame(rows)


def compare_modes(
    variants: list[Scenario],
    seeds: list[int],
    progress: bool = False,
    command: str = "",
    replications: int = REPLICATIONS,
    spells: tuple[float, ...] = SPELLS_S,
    acquisition: bool = False,
    check_seeds: list[int] | None = None,
    runs: PixelRunLog | None = None,
) -> tuple[pd.DataFrame, Calibration]:
    """Pixel mode, then statistical mode calibrated from it, on the same variants and seeds.

    ``check_seeds``: compare on these seeds instead (both modes; held out from the fit when they differ
    from ``seeds``). ``runs``: the pixel-mode runs of the fit, if already made: what :func:`pixel_run_log`
    returns for the variants as ignoring warnings (:func:`ignoring_warnings`) on ``seeds``.

    Offenders ignore warnings in both modes (``p_leave`` 0; the incidents' draws are unchanged): a
    boat warning one swimmer also sends away the undetected ones within earshot, so otherwise the
    mode that detects sooner would also cut other offenders' visits short, and the comparison would
    measure the response as well as the detectors. Statistical mode's side is its expectation over
    ``replications`` draws of detection on the same incidents (:func:`statistical_detections`);
    pixel mode's is the one realisation it has. Returns the agreement table (a row per kind and mode,
    :data:`AGREEMENT_COLUMNS`; statistical counts are per replication) and the fitted calibration.
    """
    variants = [ignoring_warnings(variant) for variant in variants]
    log = runs if runs is not None else pixel_run_log(variants, seeds, progress)
    calibration = calibrate_from_pixel_runs(variants[0], log, command, spells, acquisition)
    if check_seeds is not None and list(check_seeds) != list(seeds):
        seeds = list(check_seeds)
        log = pixel_run_log(variants, seeds, progress)
    return agreement_table(variants, log.detections, calibration, seeds, replications), calibration


def agreement_table(
    variants: list[Scenario],
    pixel: pd.DataFrame,
    calibration: Calibration,
    seeds: list[int],
    replications: int,
) -> pd.DataFrame:
    """:data:`AGREEMENT_COLUMNS` of pixel mode's detections ``pixel`` (:func:`pixel_detections`' rows of its
    runs of ``variants`` on ``seeds``, offenders ignoring warnings) and of statistical mode with
    ``calibration`` on the same incidents, its expectation over ``replications`` draws."""
    drawn = calibrated_detections(variants, calibration, seeds, replications)
    return agreement_of(pixel, drawn, replications)


def calibrated_detections(
    variants: list[Scenario], calibration: Calibration, seeds: list[int], replications: int
) -> pd.DataFrame:
    """:func:`statistical_detections` of every variant on ``seeds`` with ``calibration`` in place of its
    own, the variants' rows one after the other."""
    drawn = []
    for variant in variants:
        detection = variant.detection.model_copy(update={"calibration": calibration})
        drawn.append(
            statistical_detections(variant.model_copy(update={"detection": detection}), seeds, replications)
        )
    return pd.concat(drawn, ignore_index=True)


def agreement_of(pixel: pd.DataFrame, statistical: pd.DataFrame, replications: int) -> pd.DataFrame:
    """:data:`AGREEMENT_COLUMNS` from detection rows already drawn: :func:`pixel_detections`'s ``pixel`` and
    :func:`statistical_detections`'s ``statistical`` (``replications`` draws of each incident)."""
    table = pd.concat(
        [
            detection_table(pixel).assign(mode="pixel"),
            detection_table(statistical, replications).assign(mode="statistical"),
        ],
        ignore_index=True,
    )
    return table[list(AGREEMENT_COLUMNS)].sort_values(["kind", "mode"], ignore_index=True)


def both_modes(
    pixel: pd.DataFrame, statistical: pd.DataFrame, kind: Kind, replications: int
) -> tuple[pd.Series, pd.Series]:
    """:func:`agreement_of`'s rows of ``kind``: pixel mode's and statistical mode's, in that order."""
    table = agreement_of(pixel, statistical, replications)
    rows = table[table["kind"] == kind.value].set_index("mode")
    return rows.loc["pixel"], rows.loc["statistical"]


def detected_within(detections: pd.DataFrame, times: tuple[float, ...]) -> np.ndarray:
    """Share of the incidents in view of ``detections`` (:func:`pixel_detections`'s rows) detected within
    each of ``times`` (s since first sight): the time to detect's distribution on the probability scale."""
    ttd = detections["ttd_s"].to_numpy(float)
    found = detections["detected"].to_numpy(bool)
    return np.array([float(np.mean(found & (ttd <= t))) for t in times])


def bootstrap_band(
    detections: pd.DataFrame, times: tuple[float, ...], rng: np.random.Generator, resamples: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    """The 95 % percentile-bootstrap band of :func:`detected_within` over the incidents (resampled with
    replacement): how far pixel mode's own shares could fall from another draw of as many incidents."""
    draws = [
        detected_within(detections.iloc[rng.integers(0, len(detections), len(detections))], times)
        for _ in range(resamples)
    ]
    low, high = np.quantile(np.array(draws), [0.025, 0.975], axis=0)
    return low, high


def median_band(
    detections: pd.DataFrame, rng: np.random.Generator, resamples: int = 1000
) -> tuple[float, float]:
    """The 95 % percentile-bootstrap interval of the median time to detect (s; of the detected incidents
    of ``detections``, resampled with replacement among all of them, as :func:`detection_table`'s
    ``ttd_p50_s``): how far pixel mode's own median could fall on another draw of as many incidents, the
    yardstick of a "within 20 %" claim (a median on a steep stretch of the distribution is sharp, one on a
    flat stretch is not). NaN when no resample has a detection."""
    ttd = detections["ttd_s"].to_numpy(float)
    found = detections["detected"].to_numpy(bool)
    medians = []
    for _ in range(resamples):
        pick = rng.integers(0, len(ttd), len(ttd))
        chosen = ttd[pick][found[pick]]
        if len(chosen):
            medians.append(np.quantile(chosen, 0.5))  # pandas' quantile: linear interpolation, the same
    if not medians:
        return math.nan, math.nan
    low, high = np.quantile(medians, [0.025, 0.975])
    return float(low), float(high)
