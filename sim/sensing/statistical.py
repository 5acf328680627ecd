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
:mod:`sim.calibration.hmm`). With ``alarm_hazard`` set (the ``hazard`` model) there are no per-frame hits:
its alarm comes at a rate by the time since the offender came into view (:mod:`sim.sensing.alarm_hazard`;
with a neighbour term, also by how close the nearest other of its kind in the camera's view was when it came
into view: :mod:`sim.sensing.view_crowds`).
Pixel mode showed the need for each term (docs/detectors.md).
False alarms per camera and kind are a Poisson process with rate
r(τ, light, weather) = max_rate · exp(a_light + b_weather + ab_light,weather) · σ(c − s · logit τ) (s: the
calibration's ``slope``, 1 unless given; a, b, ab: log-rate offsets, 0 unless given; :mod:`sim.sensing.
false_alarms`), non-homogeneous as the light changes over the day (:class:`FalseAlarmClock`). Parameters
come from the calibration file: a camera's from its sensor type's terms (``sensors.thermal``; the top level
for visible cameras, :meth:`StatisticalSensing.model_of`).

Event-driven: an actor's track is piecewise linear, so the intervals it spends inside a sensor's visible
region (and, where alarms may come, within its kind's no-go areas: :func:`sim.sensing.sensors.
build_sensors`) are computed once, geometrically; the frames inside are drawn in vectorised chunks and the
first frame completing k hits within n consecutive frames gives the alarm time. No process wakes per frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from sim.core.maths import logit, sigmoid
from sim.scenario.models import Kind, Light
from sim.sensing.alarm_hazard import AlarmRates, closeness, first_reaching
from sim.sensing.detection_model import DetectionModel, OwnOffset
from sim.sensing.false_alarms import FalseAlarmClock
from sim.sensing.hit_chains import chained_hits, chunks, first_k_of_n, next_true
from sim.sensing.sensors import InView, Sensor, visible_intervals
from sim.sensing.view_crowds import ViewCrowds
from sim.world.daylight import LIGHT_ORDER, Daylight
from sim.world.incidents import Incident

LIGHT_GRID_S = 10.0
"""Resolution of the light-level lookup, s."""
_LIGHT_PIECE = 100_000
"""Grid points whose light is computed at once."""


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

    def __init__(
        self,
        sensors: list[Sensor],
        model: DetectionModel,
        daylight: Daylight,
        horizon_s: float,
        incidents: Iterable[Incident] = (),
    ):
        """``incidents``: every incident of the run, for the hazard model's crowd and neighbour terms (the
        others in a camera's view, :mod:`sim.sensing.view_crowds`); counted only when a camera's terms have
        one."""
        self.sensors = sensors
        self.model = model
        # Each camera's detections follow its sensor type's terms of the calibration (visible: the base); a
        # statistical run has them all (sim.scenario.loading refuses it otherwise), a pixel run needs none.
        self._models = {
            s.id: model.for_sensor(s.sensor)
            for s in sensors
            if model is not None and not model.calibration.missing_terms(s.sensor)
        }
        self.horizon_s = horizon_s
        crowded = [s for s in sensors if s.id in self._models and self._sees_others(s)]
        self._crowds = ViewCrowds.of(crowded, incidents, horizon_s) if crowded else None
        boxes = [s.region.bounds if not s.region.is_empty else (np.nan,) * 4 for s in sensors]
        self._bounds = np.array(boxes, dtype=float).reshape(-1, 4)
        """Each sensor's region's bounding box (min x, min y, max x, max y), m; NaN where it is empty."""
        # Light changes a few times a day: look it up on a 10 s grid instead of
        # computing the sun's position for every frame (piece by piece: a year's grid at once takes
        # hundreds of MB of temporaries).
        grid = np.arange(0.0, horizon_s + 2 * LIGHT_GRID_S, LIGHT_GRID_S)
        pieces = range(0, len(grid), _LIGHT_PIECE)
        self._light = np.concatenate([daylight.light_index(grid[i : i + _LIGHT_PIECE]) for i in pieces])

    def _sees_others(self, sensor: Sensor) -> bool:
        """Whether some kind ``sensor`` watches has alarm rates with a crowd or a neighbour term."""
        rates = (self._models[sensor.id].alarm_rates(kind) for kind in sensor.kinds)
        return any(r is not None and (r.crowded or r.neighbour is not None) for r in rates)

    def _nearness(self, sensor: Sensor, incident: Incident, t: float) -> float:
        """``incident``'s closeness at ``t`` (s) to the nearest other of its kind in ``sensor``'s view, as its
        class's neighbour term reads it (:func:`sim.sensing.alarm_hazard.closeness`); 0 without one."""
        rates = self.model_of(sensor.id).calibration.classes[incident.kind].alarm_hazard
        if rates is None or rates.neighbour is None:
            return 0.0
        return closeness(self._crowds.nearest(sensor, incident, t), rates.neighbour.scale_heights)

    def _pixels(self, sensor: Sensor, incident: Incident, xy: np.ndarray) -> np.ndarray:
        """``incident``'s height (px) at ground points ``xy`` (n, 2) on camera ``sensor``, as its class's size
        term was fitted: analysed (:mod:`sim.sensing.analysed_size`) or in the full image (``size_basis``)."""
        basis = self.model_of(sensor.id).calibration.classes[incident.kind].size_basis
        return sensor.target_pixels(xy, incident.visible_height, incident.kind, basis == "analysed")

    def light_index(self, t: np.ndarray) -> np.ndarray:
        """Light level (0 night, 1 dusk, 2 day) at simulation times ``t`` within the run, s."""
        return self._light[(np.asarray(t) / LIGHT_GRID_S).astype(np.int64)]

    def model_of(self, sensor_id: str) -> DetectionModel:
        """The detection model of sensor ``sensor_id``'s detections: its sensor type's terms."""
        return self._models[sensor_id]

    def false_alarm_clock(self, kind: Kind, sensor_id: str | None = None) -> FalseAlarmClock:
        """The false-alarm rate of ``kind`` over the run relative to its day rate (this run's weather), as
        the light changes (on the light grid, :data:`LIGHT_GRID_S`), on sensor ``sensor_id`` (None: the
        visible terms). Calibrations without light offsets give 1 throughout."""
        model = self.model if sensor_id is None else self.model_of(sensor_id)
        rates = np.array([model.false_alarm_rate(kind, light) for light in LIGHT_ORDER])
        day = rates[LIGHT_ORDER.index(Light.DAY)]
        grid = np.arange(len(self._light)) * LIGHT_GRID_S
        return FalseAlarmClock.from_levels(grid, self._light, rates / day if day > 0 else rates * 0.0)

    def observe(
        self, incident: Incident, stream: Callable[[str], np.random.Generator]
    ) -> tuple[float | None, list[Detection]]:
        """When the incident first becomes visible (s, None if never), and every alarm it triggers.

        One detection per sensor and visibility interval in which the alarm
        rule fires; each sensor draws from its own stream for this incident. A camera whose sensor type
        has no terms in the calibration (only in pixel mode) gives its first sight and no alarm.
        """
        return self.draw(incident, self.sightings(incident), stream)

    def sightings(self, incident: Incident) -> list[InView]:
        """Each sensor that can see the incident's kind, in order, with the intervals (s) in which the
        incident is in its view before the run's end (none: left out) and those in which it may alarm on it
        (:meth:`sim.sensing.sensors.Sensor.alarm_region`). Geometry only, no draw: what :meth:`draw` needs,
        computed once for many draws of the same incident."""
        until = self._last_moment(incident)
        seen = []
        for sensor in self._near(incident):
            if incident.kind in sensor.kinds:
                intervals = visible_intervals(incident.track, sensor.region, incident.t_start, until)
                if intervals:
                    region = sensor.alarm_region(incident.kind)
                    alarmable = visible_intervals(incident.track, region, incident.t_start, until)
                    seen.append(InView(sensor, intervals, alarmable))
        return seen

    def draw(
        self, incident: Incident, sightings: list[InView], stream: Callable[[str], np.random.Generator]
    ) -> tuple[float | None, list[Detection]]:
        """:meth:`observe` of the incident from its :meth:`sightings`."""
        until = self._last_moment(incident)
        first_visible = None
        found = []
        for sensor, in_view, intervals in sightings:
            first_visible = in_view[0][0] if first_visible is None else min(first_visible, in_view[0][0])
            if not intervals:
                continue  # in view only where its kind is allowed: nothing to alarm on, nothing drawn
            if sensor.pixel_height is not None and sensor.id not in self._models:
                continue  # no terms for its sensor type: a pixel run, whose cameras' detectors decide
            start = intervals[0][0]
            rng = stream(f"sensing/{sensor.id}/incident/{incident.id}")
            own = None
            if sensor.pixel_height is not None:
                first_sight = incident.track.position(np.array([start]))
                pixels = float(self._pixels(sensor, incident, first_sight)[0])
                nearness = self._nearness(sensor, incident, start)
                own = self.model_of(sensor.id).own_offset(incident.kind, start, until, rng, pixels, nearness)
                if own.shadowed:
                    continue
            for t0, t1 in intervals:
                detection = self._first_alarm(sensor, incident, t0, t1, own, rng)
                if detection is not None:
                    found.append(detection)
        return first_visible, found

    def _last_moment(self, incident: Incident) -> float:
        """The end of the incident or of the run, whichever comes first, s: nothing after it can matter."""
        return min(incident.t_end, self.horizon_s)

    def _near(self, incident: Incident) -> list[Sensor]:
        """The sensors, in order, whose region's bounding box meets the incident track's (the test
        :func:`visible_intervals` rejects the others with, for all at once; no empty regions)."""
        x0, y0, x1, y1 = incident.track.bounds
        rx0, ry0, rx1, ry1 = self._bounds.T
        near = ~((x1 < rx0) | (x0 > rx1) | (y1 < ry0) | (y0 > ry1) | np.isnan(rx0))
        return [self.sensors[i] for i in np.flatnonzero(near)]

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
        model = self.model_of(sensor.id) if camera else None  # a buoy's reports need no model
        if camera and (rates := model.alarm_rates(incident.kind)) is not None:
            return self._rated_alarm(sensor, incident, times, model, rates, own, rng)
        spec = model.calibration.classes[incident.kind] if camera else None
        on_target = spec.alarm_on_target if camera else 1.0
        # A new view starts without a hit: the detector has to find the offender first. A detector with an
        # evidence window scores nobody in it, and has been looking at the offender all along: its hits
        # start in their steady state at the window's end (a hit there with probability p).
        steady = camera and spec.evidence_s > 0
        if steady and len(times):
            times = times[times >= times[0] + spec.evidence_s - 1e-9]
        holding = False
        chain = model.acquisition(incident.kind, sensor.frame_interval, rng, own.lasting) if camera else None
        astray = False  # the held track's alarm went astray (acquisition model only)
        bound = self._hit_bound(sensor, incident, own) if chain is None else None
        for number, frames in enumerate(chunks(times)):
            uniforms = rng.random(len(frames))
            if bound is not None and not holding and not tail.any() and uniforms.min() >= bound(frames):
                # No frame can start a run of hits (u < a <= p): none of these frames is a hit, as the full
                # computation below would find; only the draws were needed.
                tail, astray = np.zeros(min(len(tail) + len(frames), sensor.n - 1), bool), False
                continue
            eta, p = self.frame_probabilities(sensor, incident, frames, own)
            new_track = np.zeros(len(tail) + len(frames), dtype=bool)
            if chain is not None:  # hits only while the detector holds a track; young tracks score low
                ages = chain.ages(len(frames))
                eta = eta + chain.offsets(ages)
                p = np.where(ages > 0, sigmoid(eta - logit(model.threshold(incident.kind))), 0.0)
                new_track[len(tail) :] = ages == 1
            if steady and number == 0:  # frame 0 is a hit iff u < p: a < p ≤ 1 − b (chained_hits)
                holding = bool(uniforms[0] < p[0])
            run = model.hit_run_frames(incident.kind, sensor.frame_interval, p) if camera else 1.0
            fresh = chained_hits(uniforms, p, run, holding)
            holding = bool(fresh[-1])
            hits = np.concatenate([tail, fresh])
            # A held track alarms once: after its alarm went astray, only hits after the detector lost it
            # count (a newly acquired track in the acquisition model; else the run of hits ending).
            lost = new_track if chain is not None else ~hits
            since = 0  # outcomes before ``since`` belong to a track whose alarm went astray
            if astray:  # that track is still held
                since = next_true(lost, 0)
                astray = since == len(hits)
            while (index := first_k_of_n(hits[since:], sensor.k, sensor.n)) >= 0:
                index += since
                # Drawn only when alarms can miss their offender, so other calibrations keep their draws.
                if on_target >= 1.0 or rng.random() < on_target:
                    j = index - len(tail)
                    x, y = incident.position(float(frames[j]))
                    score = (
                        model.score_given_hit(incident.kind, float(eta[j]), float(rng.random()))
                        if eta is not None
                        else sensor.fixed_probability
                    )
                    return Detection(float(frames[j]), sensor.id, x, y, score)
                since = next_true(lost, index + 1)  # a new track has to collect k hits of its own
                astray = since == len(hits)
            tail = hits[max(since, len(hits) - (sensor.n - 1)) :]
        return None

    def _rated_alarm(
        self,
        sensor: Sensor,
        incident: Incident,
        times: np.ndarray,
        model: DetectionModel,
        rates: AlarmRates,
        own: OwnOffset,
        rng: np.random.Generator,
    ) -> Detection | None:
        """The ``hazard`` model's alarm in the view whose frames are at ``times`` (s): in the first frame
        whose cumulative hazard, scaled by the offender's own factor (``own.log_rate``), reaches one
        unit-exponential draw (:mod:`sim.sensing.alarm_hazard`), None if none does; its score drawn as a
        hit's at the class's per-frame location η."""
        if own.log_rate == -math.inf:
            return None  # one this camera never finds (``never_log_odds``)
        budget = float(rng.exponential()) * math.exp(-own.log_rate)  # Σ zΔλ reaches E: Σ Δλ reaches E/z
        for frames in chunks(times):
            xy = incident.track.position(frames)
            pixels, light = self._pixels(sensor, incident, xy), self.light_index(frames)
            others = self._crowds.others(sensor.id, incident.kind, frames) if self._crowds else None
            far = sensor.distance(xy) if rates.optical_depth else None  # the weather's depth of air
            ages = frames - times[0]
            hazards = sensor.frame_interval * rates.rates(ages, pixels, light, others, far, own.nearness)
            index, budget = first_reaching(hazards, budget)
            if index >= 0:
                t = float(frames[index])
                eta = float(model.eta(incident.kind, pixels[index : index + 1], light[index : index + 1])[0])
                x, y = incident.position(t)
                return Detection(
                    t, sensor.id, x, y, model.score_given_hit(incident.kind, eta, float(rng.random()))
                )
        return None

    def _hit_bound(
        self, sensor: Sensor, incident: Incident, own: OwnOffset | None
    ) -> Callable[[np.ndarray], float] | None:
        """Frames (s) -> an upper bound of their hit probability p (:meth:`frame_probabilities`), where one
        is cheap: 0 while the offender is one the detector never scores (offset −∞); for an offender who
        stays put the size is the same in every frame, and the light and the offender's own offset are
        bounded over the frames (margins far above rounding); else 1. None for sensors without sizes."""
        if sensor.pixel_height is None or own is None:
            return None
        stays = incident.track.stationary
        pixels = float(self._pixels(sensor, incident, incident.track.xy[:1])[0]) if stays else 1.0
        sizes = np.array([pixels * (1.0 - 1e-6), pixels * (1.0 + 1e-6)])
        kind, model = incident.kind, self.model_of(sensor.id)
        cut = logit(model.threshold(kind))

        def bound(frames: np.ndarray) -> float:
            offset = own.most(float(frames[0]), float(frames[-1]))
            if offset == -np.inf or not stays:
                return 0.0 if offset == -np.inf else 1.0
            levels = np.flatnonzero(np.bincount(self.light_index(frames), minlength=len(LIGHT_ORDER)))
            eta = model.eta(kind, np.repeat(sizes, len(levels)), np.tile(levels, len(sizes)))
            return float(sigmoid(float(eta.max()) + offset + 1e-6 - cut)) * (1.0 + 1e-9)

        return bound

    def frame_probabilities(
        self, sensor: Sensor, incident: Incident, frames: np.ndarray, own: OwnOffset | None
    ) -> tuple[np.ndarray | None, np.ndarray]:
        """The location η (logit) and hit probability of ``incident`` in each of ``sensor``'s frames at times
        ``frames`` (s), at its kind's threshold, ``own`` its offender offset; η None for a sensor with a
        fixed probability (a buoy)."""
        if sensor.pixel_height is None:
            return None, np.full(len(frames), sensor.fixed_probability)
        pixels = self._pixels(sensor, incident, incident.track.position(frames))
        model = self.model_of(sensor.id)
        eta = model.eta(incident.kind, pixels, self.light_index(frames)) + own.at(frames)
        return eta, sigmoid(eta - logit(model.threshold(incident.kind)))
