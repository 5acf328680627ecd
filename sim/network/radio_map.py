"""Coverage: the radio map of the zone and what it offers each transfer.

One :class:`RadioMap` per run, drawn once from the network's own random
stream: for every gNB and every cell of a grid over the zone,

- LOS or NLOS: LOS where Φ(z) < Pr_LOS(d_2D), z a spatially correlated standard
  normal field (TR 38.901 §7.6.3.1, LOS-state correlation distance of Table 7.6.3.1-2);
- shadow fading σ·z' with z' correlated over the decorrelation distance of
  Table 7.5-6 Part-1 (separate fields for LOS and NLOS);
- path loss from :mod:`sim.network.radio` (each gNB's UMa, UMi-Street Canyon or RMa), plus the extra loss
  of any ``network.radio.obstructions`` area the grid cell lies in.

Correlated fields: :mod:`sim.network.correlated_fields`.

From the received powers: the serving gNB (strongest), downlink SINR with
every other gNB on the same carrier as interference at full load, and uplink
SNR of a power-limited UE that concentrates its power on a share of the band
(the scheduler picks the share that maximises the rate). Rates follow
throughput = B · efficiency(SINR) · (1 − overhead) · TDD share; a cell whose
efficiency is 0 (below CQI 1) is a coverage hole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon

from sim.errors import ScenarioError
from sim.network import radio
from sim.network.correlated_fields import correlated_field, normal_cdf
from sim.network.links import AirPath, Direction, LinkProfile
from sim.scenario.models import Gnb, Scenario

UPLINK_SHARES = 2.0 ** -np.arange(0, 9)
"""Shares of the band a power-limited UE may concentrate on: 1 down to 1/256 (about one PRB)."""


def uplink_efficiency(snr_db: np.ndarray | float, table: radio.CqiTable) -> np.ndarray:
    """bit/s/Hz over the whole band of a power-limited UE: max over shares s of s · eff(SNR − 10 log s).

    On a share s of the band the same power gives an SNR higher by −10 log s; the
    scheduler gives the UE the share that carries most.
    """
    snr = np.asarray(snr_db, dtype=float)
    shares = UPLINK_SHARES.reshape((-1,) + (1,) * snr.ndim)
    return (shares * radio.spectral_efficiency(snr - 10 * np.log10(shares), table)).max(axis=0)


def uplink_factor(gnb: Gnb, profile: LinkProfile) -> float:
    """(1 − overhead) · uplink share of slots (TS 38.306 overhead: FR1 0.08, FR2 0.10; FDD: all slots)."""
    overhead = 0.10 if radio.frequency_range(gnb.frequency_ghz) == "FR2" else profile.overhead_ul
    return (1.0 - overhead) * (1.0 if profile.fdd else gnb.uplink_share)


def _read_only(values: np.ndarray) -> np.ndarray:
    """``values``, no longer writeable (a map may be shared by runs)."""
    values.flags.writeable = False
    return values


@dataclass(frozen=True)
class GnbMap:
    """One gNB over the grid: LOS state and total loss (path loss + shadowing − antenna gain), dB."""

    gnb: Gnb
    model: radio.PathLossModel
    los: np.ndarray
    loss_db: np.ndarray


def path_loss_model(gnb: Gnb, scenario: Scenario) -> radio.PathLossModel:
    """The TR 38.901 scenario of ``gnb``: its own ``path_loss``, else ``network.radio.path_loss``."""
    return radio.PathLossModel((gnb.path_loss or scenario.network.radio.path_loss).value)


class RadioMap:
    """Received powers of every gNB on a grid over the zone (cell centres every ``resolution`` m)."""

    def __init__(self, scenario: Scenario, rng: np.random.Generator | None):
        """Drawn from ``rng`` (None: the expected LOS state, no shadowing). Reads only the zone's size,
        ``network.radio`` and the gNBs; its arrays are read-only, so runs may share one map
        (:func:`sim.network.run_network.radio_map_of`)."""
        self.config = scenario.network.radio
        zone = scenario.zone
        self.resolution = self.config.resolution
        self.x = np.arange(self.resolution / 2, zone.width, self.resolution)
        self.y = np.arange(self.resolution / 2, zone.height, self.resolution)
        gx, gy = np.meshgrid(self.x, self.y)
        blocked = np.zeros(gx.shape)
        for obstruction in self.config.obstructions:
            blocked += np.where(
                shapely.contains_xy(Polygon(obstruction.polygon), gx, gy), obstruction.loss_db, 0.0
            )
        self.gnbs = [self._gnb_map(gnb, scenario, gx, gy, blocked, rng) for gnb in scenario.gnbs]
        rx = np.stack([g.gnb.tx_power_dbm - g.loss_db for g in self.gnbs])
        self.serving = _read_only(rx.argmax(axis=0))
        """Index of the strongest gNB per grid cell."""
        self._rx_dbm = _read_only(rx)
        self._rates: dict[tuple[str, Direction], np.ndarray] = {}

    @property
    def cells(self) -> int:
        """Grid cells times gNBs: the size of the map's arrays, in values per array."""
        return len(self.x) * len(self.y) * len(self.gnbs)

    def _gnb_map(
        self,
        gnb: Gnb,
        scenario: Scenario,
        gx: np.ndarray,
        gy: np.ndarray,
        blocked: np.ndarray,
        rng: np.random.Generator | None,
    ) -> GnbMap:
        """LOS state and total loss of one gNB over the grid (its own path-loss model)."""
        model = path_loss_model(gnb, scenario)
        shadow = radio.SHADOWING[model]
        h_ut, fc = self.config.ue_height, gnb.frequency_ghz
        d_2d = np.hypot(gx - gnb.position[0], gy - gnb.position[1])
        p_los = radio.los_probability(model, d_2d, h_ut)
        if rng is None or not self.config.shadowing:  # expected LOS state, no shadowing
            los, fading = p_los >= 0.5, 0.0
        else:
            state, _ = correlated_field(gx.shape, self.resolution, shadow.los_state_decorrelation_m, rng)
            los = normal_cdf(state) < p_los
            z_los, _ = correlated_field(gx.shape, self.resolution, shadow.decorrelation_los_m, rng)
            z_nlos, _ = correlated_field(gx.shape, self.resolution, shadow.decorrelation_nlos_m, rng)
            sigma_los = radio.sigma_los(model, d_2d, fc, gnb.height, h_ut)
            fading = np.where(los, sigma_los * z_los, shadow.sigma_nlos_db * z_nlos)
        loss = radio.path_loss(model, d_2d, fc, gnb.height, h_ut, los) + fading + blocked
        return GnbMap(gnb, model, _read_only(np.asarray(los)), _read_only(loss - gnb.antenna_gain_dbi))

    # ------------------------------------------------------------ grid lookups

    def index(self, x: float | np.ndarray, y: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Grid row and column of points (clipped to the zone)."""
        col = np.clip((np.asarray(x) / self.resolution).astype(int), 0, len(self.x) - 1)
        row = np.clip((np.asarray(y) / self.resolution).astype(int), 0, len(self.y) - 1)
        return row, col

    def cell(self, x: float, y: float) -> tuple[int, int]:
        """Grid row and column of one point (clipped to the zone); the per-transfer fast path."""
        col = min(max(int(x / self.resolution), 0), len(self.x) - 1)
        row = min(max(int(y / self.resolution), 0), len(self.y) - 1)
        return row, col

    def bandwidth_hz(self, gnb: Gnb, profile: LinkProfile) -> float:
        cap = profile.bandwidth_cap_mhz
        return 1e6 * (gnb.bandwidth_mhz if cap is None else min(gnb.bandwidth_mhz, cap))

    def downlink_sinr_db(self, profile: LinkProfile) -> np.ndarray:
        """SINR at each grid cell from its serving gNB, all others on its carrier interfering, dB."""
        linear = 10.0 ** (self._rx_dbm / 10.0)
        sinr = np.empty(self.serving.shape)
        for index, gnb_map in enumerate(self.gnbs):
            gnb = gnb_map.gnb
            same = [
                i for i, g in enumerate(self.gnbs) if i != index and g.gnb.frequency_ghz == gnb.frequency_ghz
            ]
            noise = 10 ** (
                radio.noise_dbm(self.bandwidth_hz(gnb, profile), self.config.ue_noise_figure_db) / 10
            )
            interference = linear[same].sum(axis=0) if same else 0.0
            mine = self.serving == index
            sinr[mine] = (10 * np.log10(linear[index] / (noise + interference)))[mine]
        return sinr

    def uplink_snr_db(self, profile: LinkProfile) -> np.ndarray:
        """SNR over the full band at the serving gNB, with the interference margin, dB."""
        loss = np.choose(self.serving, [g.loss_db for g in self.gnbs])
        noise = np.choose(
            self.serving,
            [
                radio.noise_dbm(self.bandwidth_hz(g.gnb, profile), g.gnb.noise_figure_db)
                + self.config.uplink_interference_db
                for g in self.gnbs
            ],
        )
        return self.ue_power_dbm(profile) - loss - noise

    def ue_power_dbm(self, profile: LinkProfile) -> float:
        """The UE's power, capped by the generation's highest power class, dBm."""
        cap = profile.max_ue_power_dbm
        return self.config.ue_power_dbm if cap is None else min(cap, self.config.ue_power_dbm)

    def rate_map(self, profile: LinkProfile, direction: Direction) -> np.ndarray:
        """Throughput available to one transfer at each grid cell (no cell load), bit/s; 0 = hole."""
        key = (profile.name, direction)  # a name is one profile: the fixed PROFILES of sim.network.links
        if key not in self._rates:
            self._rates[key] = _read_only(self._rate_map(profile, direction))
        return self._rates[key]

    def _rate_map(self, profile: LinkProfile, direction: Direction) -> np.ndarray:
        gnbs = [g.gnb for g in self.gnbs]
        bandwidth = np.choose(self.serving, [self.bandwidth_hz(g, profile) for g in gnbs])
        if direction is Direction.DOWNLINK:
            fr2 = np.choose(self.serving, [radio.frequency_range(g.frequency_ghz) == "FR2" for g in gnbs])
            efficiency = radio.spectral_efficiency(self.downlink_sinr_db(profile), profile.cqi_table)
            overhead = np.where(fr2, 0.18, profile.overhead_dl)
            share = 1.0 if profile.fdd else 1.0 - np.choose(self.serving, [g.uplink_share for g in gnbs])
            return bandwidth * efficiency * (1.0 - overhead) * share
        factor = np.choose(self.serving, [uplink_factor(g, profile) for g in gnbs])
        return bandwidth * uplink_efficiency(self.uplink_snr_db(profile), profile.cqi_table) * factor

    def covered(self, profile: LinkProfile) -> np.ndarray:
        """Grid cells where both directions reach at least CQI 1."""
        return (self.rate_map(profile, Direction.UPLINK) > 0) & (
            self.rate_map(profile, Direction.DOWNLINK) > 0
        )

    def serving_gnb(self, x: float, y: float) -> Gnb:
        row, col = self.cell(x, y)
        return self.gnbs[self.serving[row, col]].gnb

    def rate_at(self, profile: LinkProfile, direction: Direction, x: float, y: float) -> float:
        row, col = self.cell(x, y)
        return float(self.rate_map(profile, direction)[row, col])

    def fixed_uplink(self, profile: LinkProfile, x: float, y: float, height: float) -> tuple[float, Gnb]:
        """Uplink rate (bit/s) and serving gNB of a fixed radio ``height`` m up (a camera on its pole).

        The grid's LOS state, shadowing and obstructions at (x, y) are kept; only the
        path loss is re-evaluated at this height, which :func:`sim.network.checks.check_radio` has
        kept within every gNB model's UT range (TR 38.901 Table 7.4.1-1).
        """
        row, col = self.cell(x, y)
        losses = []
        for gnb_map in self.gnbs:
            gnb = gnb_map.gnb
            d_2d = np.array([math.dist((x, y), gnb.position)])
            los = np.array([gnb_map.los[row, col]])
            at = [
                radio.path_loss(gnb_map.model, d_2d, gnb.frequency_ghz, gnb.height, u, los)[0]
                for u in (height, self.config.ue_height)
            ]
            losses.append(gnb_map.loss_db[row, col] + at[0] - at[1])
        best = int(np.argmax([g.gnb.tx_power_dbm - loss for g, loss in zip(self.gnbs, losses, strict=True)]))
        gnb = self.gnbs[best].gnb
        noise = (
            radio.noise_dbm(self.bandwidth_hz(gnb, profile), gnb.noise_figure_db)
            + self.config.uplink_interference_db
        )
        snr = self.ue_power_dbm(profile) - losses[best] - noise
        rate = (
            self.bandwidth_hz(gnb, profile)
            * float(uplink_efficiency(snr, profile.cqi_table))
            * uplink_factor(gnb, profile)
        )
        return rate, gnb


def video_bitrate_bps(resolution: tuple[int, int], fps: float, bits_per_pixel: float) -> float:
    """Encoded video rate w · h · fps · bits per pixel (Kush gauge at motion rank 1), bit/s."""
    return resolution[0] * resolution[1] * fps * bits_per_pixel


class CellLoad:
    """Camera video streams on each cell's uplink: the share of air time they take.

    A camera at a place offering rate r (bit/s) streaming R bit/s uses R / r of
    its cell's uplink time. Other uplink transfers in the cell share the
    rest: under processor sharing with background load ρ a transfer takes
    1 / (1 − ρ) times as long (M/G/1-PS, Kleinrock 1976 §4.4).
    """

    def __init__(self, scenario: Scenario, radio_map: RadioMap, profile: LinkProfile):
        bits_per_pixel = scenario.network.video_bits_per_pixel
        self.load: dict[str, float] = {g.gnb.id: 0.0 for g in radio_map.gnbs}
        for i, camera in enumerate(scenario.cameras):
            rate, gnb = radio_map.fixed_uplink(profile, *camera.position, camera.height)
            if rate <= 0:
                raise ScenarioError(
                    f"cameras.{i}.position: {camera.id!r} has no uplink coverage from any gNB "
                    "(a fixed sensor cannot wait for coverage)"
                )
            stream = video_bitrate_bps(camera.resolution, camera.fps, bits_per_pixel[camera.codec])
            self.load[gnb.id] += stream / rate
        for gnb_id, load in self.load.items():
            if load >= 1.0:
                raise ScenarioError(
                    f"cameras: the video streams need {load:.0%} of the uplink of {gnb_id!r} (at most 100 %)"
                )


class RadioAccess:
    """The :class:`~sim.network.links.Access` of one profile and direction: rate, TTI and route at a
    position."""

    def __init__(
        self,
        radio_map: RadioMap,
        profile: LinkProfile,
        direction: Direction,
        load: CellLoad | None = None,
        router=None,
        fixed: dict[tuple[float, float], float] | None = None,
    ):
        """``fixed``: positions of fixed uplink senders (cameras, buoys) and their antenna heights, m."""
        self.map = radio_map
        self.profile = profile
        self.direction = direction
        self.load = load
        self.router = router
        self.rates = radio_map.rate_map(profile, direction)
        self.fixed = {}
        """Uplink rate and serving gNB of each fixed sender's position (their own antenna heights)."""
        if direction is Direction.UPLINK:
            self.fixed = {xy: radio_map.fixed_uplink(profile, *xy, h) for xy, h in (fixed or {}).items()}

    def path(self, position: tuple[float, float] | None, t: float) -> AirPath:
        if position is None:
            raise ValueError("a radio link needs the sender's position")
        if (xy := (position[0], position[1])) in self.fixed:
            rate, gnb = self.fixed[xy]
        else:
            row, col = self.map.cell(position[0], position[1])
            gnb = self.map.gnbs[self.map.serving[row, col]].gnb
            rate = float(self.rates[row, col])
        wait, via = 0.0, gnb.id
        if rate <= 0:
            if self.router is None:
                raise ValueError(f"no coverage at ({position[0]:.0f}, {position[1]:.0f}) and no router")
            route = self.router.route(position, t, self.profile, self.direction)
            rate, wait, via, gnb = route.rate_bps, route.wait_s, route.via, route.gnb
        elif self.router is not None and (relay := self.router.better_route(position, t, self.profile, rate)):
            rate, via, gnb = relay.rate_bps, relay.via, relay.gnb  # the drone overhead does better
        load = self.load.load[gnb.id] if self.load is not None and self.direction is Direction.UPLINK else 0.0
        return AirPath(rate * (1.0 - load), self.profile.tti_s(gnb.numerology), wait, via, load)


def check_docks(
    scenario: Scenario, radio_map: RadioMap, profile: LinkProfile, patrol_points_used: bool
) -> None:
    """A dock or a used patrol point in a hole is bad input: boats waiting there could never be reached.

    ``patrol_points_used``: the dispatch policy sends boats to wait at ``dispatch.patrol_points``.
    """
    covered = radio_map.covered(profile)
    for i, dock in enumerate(scenario.docks):
        if not covered[radio_map.cell(*dock.position)]:
            raise ScenarioError(
                f"docks.{i}.position: {dock.id!r} has no gNB coverage (below CQI 1): "
                "boats there could not be reached"
            )
    if not patrol_points_used:
        return  # patrol points are used only by policies whose boats wait on the water
    for i, (x, y) in enumerate(scenario.dispatch.patrol_points):
        if not covered[radio_map.cell(x, y)]:
            raise ScenarioError(
                f"dispatch.patrol_points.{i}: ({x:g}, {y:g}) has no gNB coverage (below CQI 1): "
                "a boat waiting there could not be reached"
            )


def describe_radio(scenario: Scenario, patrol_points_used: bool) -> str:
    """One line for ``run_sim.py validate``: holes and camera load at the scenario's seed.

    Raises ScenarioError where a run would (overloaded cell, camera or dock without coverage);
    ``patrol_points_used`` as for :func:`check_docks`.
    """
    from sim.core.rng import RandomStreams
    from sim.network.links import PROFILES, profile_name

    network = scenario.network
    profile = PROFILES.get(profile_name("alarm", network.traffic.alarm, network.profile), PROFILES["nr_embb"])
    radio_map = RadioMap(scenario, RandomStreams(scenario.run.seed).stream("network/radio"))
    load = CellLoad(scenario, radio_map, profile)
    check_docks(scenario, radio_map, profile, patrol_points_used)
    holes = 1.0 - radio_map.covered(profile).mean()
    loads = ", ".join(f"{gnb_id} {100 * share:.0f} %" for gnb_id, share in load.load.items())
    return (
        f"  radio      {100 * holes:.1f} % of the zone below CQI 1 "
        f"({profile.name}, seed {scenario.run.seed}); video load {loads}"
    )
