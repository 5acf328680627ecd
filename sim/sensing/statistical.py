"""Statistical sensing: when would the detectors have raised an alarm?

Detection model (latent-score form). A detector's per-frame score for a real
offender is z = σ(η + ε), ε ~ Logistic(0, 1), with

    η = intercept[kind] + size_slope[kind] · log2(pixels / reference_pixels)
        + light[level] + weather[condition] + offender_sd[kind] · v + offender_lasting_sd[kind] · u,

where v ~ N(0, 1) is drawn per offender and camera, and again every
``offender_spell_s``, and u ~ N(0, 1) once per offender and camera (:class:`OwnOffset`),

so at the kind's threshold τ (``detection.threshold``: one for every kind, or one each) the
per-frame hit probability is p = σ(η − logit τ): higher
thresholds, smaller targets, darkness and bad weather all lower it, and the
same uniform draws decide hits at every threshold (common random numbers).
A share ``never_share`` of offenders is never scored at all (p = 0). Hits come
in runs (:func:`chained_hits`) of mean hit_run_s · (p / (1 − p))^γ, γ =
``hit_run_odds_exponent``, and a k-of-n alarm lands on its offender with
probability ``alarm_on_target`` (else it is lost, and only a new track, after the
run of hits ends, can alarm), except that a share ``shadowed_share`` of offenders
never gets an alarm of a camera (another offender's track holds them). A
detector that judges a track by its recent history scores nobody in the first
``evidence_s`` of each view (its evidence window), and its hits then start in
their steady state. With ``entry_acquisition`` set, hits come only while the detector holds a track on the
offender, a hidden acquired / not-acquired chain (:mod:`sim.sensing.acquisition`, fitted by
:mod:`sim.calibration.hmm`).
Pixel mode showed the need for each term (docs/detectors.md).
False alarms per camera and kind are a Poisson process with rate
r(τ, light, weather) = max_rate · exp(a_light + b_weather + ab_light,weather) · σ(c − s · logit τ) (s: the
calibration's ``slope``, 1 unless given; a, b, ab: log-rate offsets, 0 unless given;
:mod:`sim.sensing.false_alarms`),
non-homogeneous as the light changes over the day (:class:`FalseAlarmClock`). Parameters come from the
calibration file.

Event-driven: an actor's track is piecewise linear, so the intervals it spends
inside a sensor's visible region are computed once, geometrically; the frames
inside are drawn in vectorised chunks and the first frame completing k hits
within n consecutive frames gives the alarm time. No process wakes per frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from sim.scenario.models import Calibration, Kind, Light, Scenario, Weather, per_kind
from sim.sensing.acquisition import AcquisitionChain
from sim.sensing.false_alarms import (  # noqa: F401  (false_alarm_share, false_alarm_regions: re-exported)
    FalseAlarmClock,
    false_alarm_rate,
    false_alarm_regions,
    false_alarm_share,
)
from sim.world.cameras import CameraModel, visible_region
from sim.world.daylight import LIGHT_ORDER, Daylight
from sim.world.geometry import ZoneGeometry
from sim.world.incidents import Incident, Track

LIGHT_GRID_S = 10.0
"""Resolution of the light-level lookup, s."""
_FIRST_CHUNK_FRAMES = 64
_MAX_CHUNK_FRAMES = 65_536


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


@dataclass(frozen=True)
class OwnOffset:
    """One offender's own logit offset in one camera's view, redrawn every ``spell_s`` (inf: never).

    Some people are easier to see than others, and the same person is easier to see in some
    minutes than in others (closer, facing the camera, calmer water): σ_o·u with u ~ N(0, 1),
    one draw per spell since the offender came into view.
    """

    values: np.ndarray
    """σ_o·u of each spell, logit."""
    start: float
    """When the offender came into this camera's view, s."""
    spell_s: float
    lasting: float = 0.0
    """u ~ N(0, 1) of the lasting part (0 without one): it also scales the acquisition hazards."""
    shadowed: bool = False
    """No alarm of this camera lands on the offender (``shadowed_share``): another's track holds them."""

    def at(self, t: np.ndarray) -> np.ndarray:
        """Offsets at times ``t`` (s)."""
        if len(self.values) == 1:
            return np.full(len(t), self.values[0])
        index = np.clip(
            ((np.asarray(t) - self.start) // self.spell_s).astype(np.int64), 0, len(self.values) - 1
        )
        return self.values[index]


@dataclass(frozen=True)
class DetectionModel:
    """Per-frame hit probability and false-alarm rates at each kind's threshold and one weather."""

    calibration: Calibration
    thresholds: Mapping[Kind, float]
    """Each kind's score threshold τ in (0, 1) (``detection.threshold``); a number is every kind's."""
    weather: Weather

    def __post_init__(self) -> None:
        object.__setattr__(self, "thresholds", per_kind(self.thresholds))  # frozen: set once, here

    def threshold(self, kind: Kind) -> float:
        """The score threshold τ of ``kind``'s detector."""
        return self.thresholds[kind]

    @property
    def weather_offset(self) -> float:
        """The shared logit offset of this run's weather."""
        return self.calibration.weather[self.weather]

    def hit_run_frames(self, kind: Kind, frame_interval: float, p: np.ndarray | float = 0.5) -> np.ndarray:
        """Mean number of consecutive hits on one offender at this frame interval and per-frame hit
        probability ``p``: ``hit_run_s`` · (p / (1 − p))^``hit_run_odds_exponent`` (1: independent frames)."""
        spec = self.calibration.classes[kind]
        run = spec.hit_run_s / frame_interval
        if spec.hit_run_odds_exponent > 0:
            odds = np.asarray(p) / np.maximum(1.0 - np.asarray(p), 1e-12)
            run = run * odds**spec.hit_run_odds_exponent
        return np.maximum(run, 1.0)

    def never_probability(self, kind: Kind, pixels: float) -> float:
        """P(this camera's detector never scores an offender ``pixels`` tall at first sight):
        σ(logit ``never_share`` + ``never_size_slope`` · log2(pixels / reference_pixels))."""
        spec = self.calibration.classes[kind]
        if spec.never_share <= 0 or spec.never_share >= 1 or spec.never_size_slope == 0:
            return spec.never_share
        size = math.log2(max(pixels, 1e-9) / self.calibration.reference_pixels)
        return float(sigmoid(logit(spec.never_share) + spec.never_size_slope * size))

    def own_offset(
        self, kind: Kind, start: float, until: float, rng: np.random.Generator, pixels: float = math.nan
    ) -> OwnOffset:
        """An offender's own logit offsets in one camera's view from ``start`` to ``until`` (s), ``pixels``
        tall there at first sight (only needed with ``never_size_slope``).

        σ_o·v per spell (``offender_sd``, redrawn every ``offender_spell_s``) plus σ_l·u for the
        whole visit (``offender_lasting_sd``), v, u ~ N(0, 1); with probability ``never_share`` the
        offender is one this camera's detector never scores (offset −∞; :meth:`never_probability` with
        ``never_size_slope``), and with probability
        ``shadowed_share`` one none of whose alarms lands on them. u and those draws come after the v's,
        each only when its parameter is > 0, so calibrations without them keep their draws.
        """
        spec = self.calibration.classes[kind]
        spell = spec.offender_spell_s or math.inf
        spells = 1 if math.isinf(spell) else int((until - start) // spell) + 1
        values = spec.offender_sd * rng.standard_normal(spells)
        lasting = 0.0
        if spec.offender_lasting_sd > 0:
            lasting = float(rng.standard_normal())
            values = values + spec.offender_lasting_sd * lasting
        if spec.never_share > 0 and rng.random() < self.never_probability(kind, pixels):
            values = np.full(len(values), -np.inf)  # one the detector never scores: no hit at any τ
        shadowed = spec.shadowed_share > 0 and rng.random() < spec.shadowed_share
        return OwnOffset(values, start, spell, lasting, shadowed)

    def acquisition(
        self, kind: Kind, frame_interval: float, rng: np.random.Generator, lasting: float = 0.0
    ) -> AcquisitionChain | None:
        """A new view's acquisition chain (:mod:`sim.sensing.acquisition`), None when the class has no
        acquisition
        model (hits follow the per-frame model from the first frame)."""
        spec = self.calibration.classes[kind]
        return (
            None if spec.entry_acquisition is None else AcquisitionChain(spec, frame_interval, rng, lasting)
        )

    def eta(self, kind: Kind, pixels: np.ndarray, light_index: np.ndarray) -> np.ndarray:
        """Latent score location η for targets ``pixels`` tall under light levels 0/1/2 (night/dusk/day)."""
        spec = self.calibration.classes[kind]
        offsets = spec.light or self.calibration.light
        light = np.array(
            [offsets.get(level, self.calibration.light[level]) for level in ("night", "dusk", "day")]
        )
        size = np.log2(np.maximum(pixels, 1e-9) / self.calibration.reference_pixels)
        weather = (spec.weather or {}).get(self.weather, self.weather_offset)
        return spec.intercept + spec.size_slope * size + light[light_index] + weather

    def hit_probability(self, kind: Kind, pixels: np.ndarray, light_index: np.ndarray) -> np.ndarray:
        """P(score > ``kind``'s threshold) for each frame."""
        return sigmoid(self.eta(kind, pixels, light_index) - logit(self.threshold(kind)))

    def score_given_hit(self, kind: Kind, eta: float, u: float) -> float:
        """Score of a hit: inverse-CDF draw of σ(η + ε) conditioned on exceeding ``kind``'s threshold."""
        floor = float(sigmoid(logit(self.threshold(kind)) - eta))  # P(ε <= logit τ − η)
        quantile = min(max(floor + u * (1.0 - floor), 1e-12), 1.0 - 1e-12)
        return float(sigmoid(eta + logit(quantile)))

    def false_alarm_rate(self, kind: Kind, light: Light = Light.DAY) -> float:
        """False alarms per camera-hour of ``kind`` at its threshold in ``light`` (day, the reference level,
        unless given) and this run's weather, 1/h (:func:`sim.sensing.false_alarms.false_alarm_rate`)."""
        spec = self.calibration.false_alarms[kind]
        return false_alarm_rate(spec, self.threshold(kind), light, self.weather)


@dataclass(frozen=True)
class Sensor:
    """A camera or buoy reduced to what statistical sensing needs."""

    id: str
    region: BaseGeometry
    """Where a target can be sensed, m."""
    frame_interval: float
    """Time between observations (frames or reports), s."""
    k: int
    n: int
    kinds: frozenset[Kind]
    pixel_height: Callable[[np.ndarray, float], np.ndarray] | None
    """Cameras: target height in pixels at ground points; None for buoys (fixed probability)."""
    fixed_probability: float = 1.0

    def observation_times(self, t0: float, t1: float) -> np.ndarray:
        """Observation instants in [t0, t1], on the sensor's grid of multiples of the interval."""
        first = np.ceil(t0 / self.frame_interval - 1e-9)
        last = np.floor(t1 / self.frame_interval + 1e-9)
        return np.arange(first, last + 1) * self.frame_interval


def build_sensors(scenario: Scenario, geometry: ZoneGeometry) -> list[Sensor]:
    """Cameras (k-of-n persistence, size-dependent probability) and buoys (one report suffices)."""
    persistence = scenario.detection.persistence
    sensors = []
    for camera in scenario.cameras:
        model = CameraModel(camera)
        region = visible_region(model, geometry.islands)
        shapely.prepare(region)
        sensors.append(
            Sensor(
                camera.id,
                region,
                1.0 / camera.fps,
                persistence.k,
                persistence.n,
                frozenset(Kind),
                model.pixel_height,
            )
        )
    for buoy in scenario.buoys:
        region = Point(buoy.position).buffer(buoy.detection_radius).intersection(geometry.water)
        shapely.prepare(region)
        sensors.append(
            Sensor(
                buoy.id,
                region,
                buoy.report_interval,
                1,
                1,
                frozenset({Kind.SWIMMING}),
                None,
                buoy.detection_probability,
            )
        )
    return sensors


def visible_intervals(track: Track, region: BaseGeometry, t0: float, t1: float) -> list[tuple[float, float]]:
    """Maximal time intervals within [t0, t1] during which the track is inside ``region``."""
    if region.is_empty:
        return []
    if track.stationary:
        return [(t0, t1)] if region.covers(Point(track.xy[0])) else []
    a, b = track.xy[:-1], track.xy[1:]
    segments = shapely.linestrings(np.stack([a, b], axis=1))
    pieces = shapely.intersection(segments, region)
    intervals: list[tuple[float, float]] = []
    for i in np.flatnonzero(~shapely.is_empty(pieces)):
        d = b[i] - a[i]
        length2 = float(d @ d)
        ta, tb = track.t[i], track.t[i + 1]
        for part in getattr(pieces[i], "geoms", [pieces[i]]):
            coords = np.asarray(part.coords)
            if length2 == 0.0:
                s0, s1 = 0.0, 1.0
            else:
                s = (coords - a[i]) @ d / length2
                s0, s1 = float(s.min()), float(s.max())
            intervals.append((ta + s0 * (tb - ta), ta + s1 * (tb - ta)))
    intervals.sort()
    merged: list[list[float]] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1] + 1e-9:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    clipped = [(max(s, t0), min(e, t1)) for s, e in merged]
    return [(s, e) for s, e in clipped if e >= s]


def first_k_of_n(hits: np.ndarray, k: int, n: int) -> int:
    """Index of the first observation at which ``k`` of the last ``n`` are hits, or -1."""
    counts = np.cumsum(hits, dtype=np.int64)
    window = counts.copy()
    window[n:] -= counts[:-n]
    found = np.flatnonzero(window >= k)
    return int(found[0]) if len(found) else -1


def chained_hits(
    uniforms: np.ndarray, p: np.ndarray, run_frames: np.ndarray | float, holding: bool
) -> np.ndarray:
    """Hits of a two-state (Gilbert–Elliott) chain with per-frame hit probability ``p`` in steady state.

    A hit ends with probability b = 1 / ``run_frames`` per frame (mean run of hits: a detector
    holding its track; a number, or one per frame) and starts with a = b·p / (1 − p), so the
    chain's stationary hit probability is a / (a + b) = p. Where p > 1 − b the chain would need
    a > 1 − b; there b = 1 − p and a = p instead, i.e. independent frames (``run_frames`` = 1 is
    the independent case everywhere). One uniform per frame decides both moves (hit iff u < a after a miss,
    u < 1 − b after a hit) and both bounds grow with p, so a lower threshold never loses a hit
    (common random numbers across thresholds). ``holding``: the frame before was a hit.

    Vectorised: the chain is in a hit at frame t iff its last start (u < a) came after its last
    break (u >= 1 − b); a start implies no break, as a <= 1 − b.
    """
    b = np.minimum(1.0 / np.maximum(run_frames, 1.0), 1.0 - p)
    start = uniforms < np.where(p < 1.0, b * p / np.maximum(1.0 - p, 1e-300), 1.0)
    broken = uniforms >= 1.0 - b
    index = np.arange(len(uniforms))
    last_start = np.maximum.accumulate(np.where(start, index, -1 if holding else -3))
    last_break = np.maximum.accumulate(np.where(broken, index, -2))
    return last_start > last_break


def _next_true(flags: np.ndarray, start: int) -> int:
    """Index of the first true flag at or after ``start``, or len(flags)."""
    found = np.flatnonzero(flags[start:])
    return start + int(found[0]) if len(found) else len(flags)


@dataclass(frozen=True)
class Detection:
    """The moment a sensor's alarm rule fires for one incident."""

    t: float
    sensor_id: str
    x: float
    y: float
    score: float


class StatisticalSensing:
    """Computes, when an incident starts, every alarm its sensors will raise."""

    def __init__(self, sensors: list[Sensor], model: DetectionModel, daylight: Daylight, horizon_s: float):
        self.sensors = sensors
        self.model = model
        self.horizon_s = horizon_s
        # Light changes a few times a day: look it up on a 10 s grid instead of
        # computing the sun's position for every frame.
        grid = np.arange(0.0, horizon_s + 2 * LIGHT_GRID_S, LIGHT_GRID_S)
        self._light = daylight.light_index(grid)

    def light_index(self, t: np.ndarray) -> np.ndarray:
        """Light level (0 night, 1 dusk, 2 day) at simulation times ``t`` within the run, s."""
        return self._light[(np.asarray(t) / LIGHT_GRID_S).astype(np.int64)]

    def false_alarm_clock(self, kind: Kind) -> FalseAlarmClock:
        """The false-alarm rate of ``kind`` over the run relative to its day rate (this run's weather), as
        the light changes (on the light grid, :data:`LIGHT_GRID_S`). Calibrations without light offsets
        give 1 throughout."""
        rates = np.array([self.model.false_alarm_rate(kind, light) for light in LIGHT_ORDER])
        day = rates[LIGHT_ORDER.index(Light.DAY)]
        grid = np.arange(len(self._light)) * LIGHT_GRID_S
        return FalseAlarmClock.from_levels(grid, self._light, rates / day if day > 0 else rates * 0.0)

    def observe(
        self, incident: Incident, stream: Callable[[str], np.random.Generator]
    ) -> tuple[float | None, list[Detection]]:
        """When the incident first becomes visible (s, None if never), and every alarm it triggers.

        One detection per sensor and visibility interval in which the alarm
        rule fires; each sensor draws from its own stream for this incident.
        """
        first_visible = None
        found = []
        for sensor in self.sensors:
            if incident.kind not in sensor.kinds:
                continue
            # Nothing after the end of the run can matter.
            until = min(incident.t_end, self.horizon_s)
            intervals = visible_intervals(incident.track, sensor.region, incident.t_start, until)
            if not intervals:
                continue
            start = intervals[0][0]
            first_visible = start if first_visible is None else min(first_visible, start)
            rng = stream(f"sensing/{sensor.id}/incident/{incident.id}")
            own = None
            if sensor.pixel_height is not None:
                first_sight = incident.track.position(np.array([start]))
                pixels = float(sensor.pixel_height(first_sight, incident.visible_height)[0])
                own = self.model.own_offset(incident.kind, start, until, rng, pixels)
                if own.shadowed:
                    continue
            for t0, t1 in intervals:
                detection = self._first_alarm(sensor, incident, t0, t1, own, rng)
                if detection is not None:
                    found.append(detection)
        return first_visible, found

    def _first_alarm(
        self,
        sensor: Sensor,
        incident: Incident,
        t0: float,
        t1: float,
        own: OwnOffset | None,
        rng: np.random.Generator,
    ) -> Detection | None:
        times = sensor.observation_times(t0, t1)
        tail = np.zeros(0, dtype=bool)  # last n-1 outcomes of the previous chunk
        camera = sensor.pixel_height is not None
        spec = self.model.calibration.classes[incident.kind] if camera else None
        on_target = spec.alarm_on_target if camera else 1.0
        # A new view starts without a hit: the detector has to find the offender first. A detector with an
        # evidence window scores nobody in it, and has been looking at the offender all along: its hits
        # start in their steady state at the window's end (a hit there with probability p).
        steady = camera and spec.evidence_s > 0
        if steady and len(times):
            times = times[times >= times[0] + spec.evidence_s - 1e-9]
        holding = False
        chain = (
            self.model.acquisition(incident.kind, sensor.frame_interval, rng, own.lasting) if camera else None
        )
        astray = False  # the held track's alarm went astray (acquisition model only)
        chunk = _FIRST_CHUNK_FRAMES
        start = 0
        while start < len(times):
            frames = times[start : start + chunk]
            uniforms = rng.random(len(frames))
            eta, p = self.frame_probabilities(sensor, incident, frames, own)
            new_track = np.zeros(len(tail) + len(frames), dtype=bool)
            if chain is not None:  # hits only while the detector holds a track; young tracks score low
                ages = chain.ages(len(frames))
                eta = eta + chain.offsets(ages)
                p = np.where(ages > 0, sigmoid(eta - logit(self.model.threshold(incident.kind))), 0.0)
                new_track[len(tail) :] = ages == 1
            if steady and start == 0:  # frame 0 is a hit iff u < p: a < p ≤ 1 − b (chained_hits)
                holding = bool(uniforms[0] < p[0])
            run = self.model.hit_run_frames(incident.kind, sensor.frame_interval, p) if camera else 1.0
            fresh = chained_hits(uniforms, p, run, holding)
            holding = bool(fresh[-1])
            hits = np.concatenate([tail, fresh])
            # A held track alarms once: after its alarm went astray, only hits after the detector lost it
            # count (a newly acquired track in the acquisition model; else the run of hits ending).
            lost = new_track if chain is not None else ~hits
            since = 0  # outcomes before ``since`` belong to a track whose alarm went astray
            if astray:  # that track is still held
                since = _next_true(lost, 0)
                astray = since == len(hits)
            while (index := first_k_of_n(hits[since:], sensor.k, sensor.n)) >= 0:
                index += since
                # Drawn only when alarms can miss their offender, so other calibrations keep their draws.
                if on_target >= 1.0 or rng.random() < on_target:
                    j = index - len(tail)
                    x, y = incident.position(float(frames[j]))
                    score = (
                        self.model.score_given_hit(incident.kind, float(eta[j]), float(rng.random()))
                        if eta is not None
                        else sensor.fixed_probability
                    )
                    return Detection(float(frames[j]), sensor.id, x, y, score)
                since = _next_true(lost, index + 1)  # a new track has to collect k hits of its own
                astray = since == len(hits)
            tail = hits[max(since, len(hits) - (sensor.n - 1)) :]
            start += len(frames)
            chunk = min(2 * chunk, _MAX_CHUNK_FRAMES)
        return None

    def frame_probabilities(
        self, sensor: Sensor, incident: Incident, frames: np.ndarray, own: OwnOffset | None
    ) -> tuple[np.ndarray | None, np.ndarray]:
        """The location η (logit) and hit probability of ``incident`` in each of ``sensor``'s frames at times
        ``frames`` (s), at its kind's threshold, ``own`` its offender offset; η None for a sensor with a
        fixed probability (a buoy)."""
        if sensor.pixel_height is None:
            return None, np.full(len(frames), sensor.fixed_probability)
        xy = incident.track.position(frames)
        pixels = sensor.pixel_height(xy, incident.visible_height)
        eta = self.model.eta(incident.kind, pixels, self.light_index(frames)) + own.at(frames)
        return eta, sigmoid(eta - logit(self.model.threshold(incident.kind)))
