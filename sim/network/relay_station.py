"""The relay drone's two hops and where it hovers: the point that maximises the relayed rate.

A sender (a boat, ``network.radio.ue_height`` up) reaches the drone over open water
(:func:`sim.network.aerial.boat_to_drone`); the drone reaches a gNB as an aerial UE of that gNB's
TR 36.777 model (:func:`sim.network.aerial.drone_to_gnb`, minus the gNB's antenna gain). Both hops
run on the gNB's carrier with the UE-class power budget; decode-and-forward on one carrier, so their
transmission times add and the relayed rate is 1 / (1/r_access + 1/r_backhaul), through the gNB that
gives the most.

The hover point (:meth:`RelayHops.best_station`) maximises the worst relayed rate over the boats the
drone serves (one mission's target, or several when it serves boats of other missions): a grid
search every ``SEARCH_STEP_M`` over the points within ``RELAY_REACH_M`` of every served boat (and
within the drone's round-trip range from its base), refined every ``REFINE_STEP_M`` around the best.
Among points with the same rate (the CQI table is a staircase: near a gNB both hops sit on its top
step) the one nearest the served boats' centroid wins, so a drone hovers above a lone boat whenever
the best rate is reached there.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from sim.network import aerial, radio
from sim.network.links import LinkProfile
from sim.network.radio_map import RadioMap, uplink_efficiency, uplink_factor
from sim.scenario.models import Drone, Gnb

RELAY_REACH_M = 200.0
"""A drone on station serves senders within this horizontal distance of its station, m."""
SEARCH_STEP_M = 5.0
"""Grid step of the hover-point search, m."""
REFINE_STEP_M = 0.5
"""Grid step of the refinement around the best grid point, m."""
WORST_CACHE_SIZE = 8
"""Grids of worst rates kept (those of one dispatch decision); emptied when full."""


class RelayHops:
    """Rates of the two relay hops over the radio map's gNBs, for any number of hover points at once."""

    def __init__(self, radio_map: RadioMap):
        self.map = radio_map
        self.ue_height = radio_map.config.ue_height
        self.models = [g.model for g in radio_map.gnbs]
        self._one: dict[tuple, tuple[float, int]] = {}
        """Rates of single hover points already evaluated, by (drone id, station, sender, profile)."""
        self._worst: dict[tuple, np.ndarray] = {}
        """Worst rates over grids of hover points, by (altitude, grid, served points, profile)."""

    def rate(
        self, drone: Drone, station: tuple[float, float], sender: tuple[float, float], profile: LinkProfile
    ) -> tuple[float, int]:
        """:meth:`rates` of one hover point: the relayed rate (bit/s) and the gNB's index in the radio map,
        each (drone, station, sender, profile) evaluated once (a boat on scene sends from one place)."""
        key = (drone.id, station[0], station[1], sender[0], sender[1], profile)
        if (known := self._one.get(key)) is None:
            rates, best = self.rates(drone, np.array([station]), sender, profile)
            known = self._one[key] = float(rates[0]), int(best[0])
        return known

    def prefetch(self, drone: Drone, stations: np.ndarray, senders: np.ndarray, profile: LinkProfile) -> None:
        """Work out at once :meth:`rate` of each pair of ``stations`` and ``senders`` ((n, 2) each, m) not
        yet known (heartbeats and telemetry near a hovering drone): element by element the values one
        call each gives."""
        todo: dict[tuple, int] = {}
        for i, (station, sender) in enumerate(zip(stations.tolist(), senders.tolist(), strict=True)):
            key = (drone.id, station[0], station[1], sender[0], sender[1], profile)
            if key not in self._one:
                todo.setdefault(key, i)
        if todo:
            rows = list(todo.values())
            rates, best = self.rates(drone, stations[rows], senders[rows], profile)
            self._one.update(zip(todo, zip(rates.tolist(), best.tolist(), strict=True), strict=True))

    def rates(
        self, drone: Drone, stations: np.ndarray, sender: tuple[float, float], profile: LinkProfile
    ) -> tuple[np.ndarray, np.ndarray]:
        """Relayed rate (bit/s) sender → drone at each of ``stations`` ((n, 2), m) → best gNB, and that
        gNB's index in the radio map (0 where no gNB is reached: rate 0). ``sender``: (x, y), m, or one
        sender per station ((n, 2))."""
        stations = np.asarray(stations, dtype=float).reshape(-1, 2)
        senders = np.asarray(sender, dtype=float)  # one (x, y), or one per station ((n, 2))
        access_d = np.hypot(stations[:, 0] - senders[..., 0], stations[:, 1] - senders[..., 1])
        losses, gnbs = [], [g.gnb for g in self.map.gnbs]
        for gnb, model in zip(gnbs, self.models, strict=True):
            fc = gnb.frequency_ghz
            backhaul_d = np.hypot(stations[:, 0] - gnb.position[0], stations[:, 1] - gnb.position[1])
            losses.append(aerial.boat_to_drone(access_d, fc, self.ue_height, drone.altitude))
            losses.append(
                aerial.drone_to_gnb(model, backhaul_d, fc, gnb.height, drone.altitude) - gnb.antenna_gain_dbi
            )
        # One vectorised rate evaluation for both hops of every gNB: rows access 0, backhaul 0, access 1, ...
        hops = self.air_rates(np.stack(losses), [gnb for gnb in gnbs for _ in range(2)], profile)
        access, backhaul = hops[0::2], hops[1::2]
        with np.errstate(divide="ignore"):
            stacked = np.where((access > 0) & (backhaul > 0), 1.0 / (1.0 / access + 1.0 / backhaul), 0.0)
        best = stacked.argmax(axis=0)
        return stacked[best, np.arange(len(stations))], best

    def air_rates(self, loss_db: np.ndarray, gnbs: list[Gnb], profile: LinkProfile) -> np.ndarray:
        """Rate of a power-limited UE-class transmitter over each row of ``loss_db`` ((k, n), dB) on the
        carrier of ``gnbs[k]``, bit/s."""
        bandwidth = np.array([self.map.bandwidth_hz(gnb, profile) for gnb in gnbs])[:, None]
        noise = (
            np.array(
                [radio.noise_dbm(self.map.bandwidth_hz(gnb, profile), gnb.noise_figure_db) for gnb in gnbs]
            )[:, None]
            + self.map.config.uplink_interference_db
        )
        factor = np.array([uplink_factor(gnb, profile) for gnb in gnbs])[:, None]
        snr = self.map.ue_power_dbm(profile) - np.asarray(loss_db, dtype=float) - noise
        return bandwidth * uplink_efficiency(snr, profile.cqi_table) * factor

    def worst_rate(
        self, drone: Drone, stations: np.ndarray, senders: list[tuple[float, float]], profile: LinkProfile
    ) -> np.ndarray:
        """The lowest relayed rate over ``senders`` at each station, bit/s."""
        return np.min([self.rates(drone, stations, sender, profile)[0] for sender in senders], axis=0)

    def best_station(
        self, drone: Drone, senders: list[tuple[float, float]], profile: LinkProfile
    ) -> tuple[float, float] | None:
        """The hover point that maximises the worst relayed rate of ``senders``; None if no point is
        within ``RELAY_REACH_M`` of all of them and within the drone's round-trip range."""
        points = np.asarray(senders, dtype=float).reshape(-1, 2)
        centre = points.mean(axis=0)
        low, high = points.min(axis=0) - RELAY_REACH_M, points.max(axis=0) + RELAY_REACH_M
        coarse = _grid(low, high, SEARCH_STEP_M)
        best = self._best_of(drone, coarse, points, centre, profile)
        if best is None:
            return None
        fine = _grid(best - SEARCH_STEP_M, best + SEARCH_STEP_M, REFINE_STEP_M)
        refined = self._best_of(drone, fine, points, centre, profile)
        point = best if refined is None else refined
        return float(point[0]), float(point[1])

    def _best_of(
        self,
        drone: Drone,
        grid: np.ndarray,
        points: np.ndarray,
        centre: np.ndarray,
        profile: LinkProfile,
    ) -> np.ndarray | None:
        """The point of ``grid`` within reach of every served point and whose round trip from the drone's
        base fits its endurance that maximises the worst rate (the nearest ``centre`` among ties)."""
        within = grid[
            np.hypot(*(grid[:, None, :] - points[None, :, :]).transpose(2, 0, 1)).max(axis=1)
            <= RELAY_REACH_M + 1e-9
        ]
        base = np.asarray(drone.position, dtype=float)
        flight = np.hypot(np.hypot(*(within - base).T), drone.altitude) / drone.speed
        feasible = 2 * flight < drone.endurance
        if not feasible.any():
            return None
        worst = self._worst_within(drone, within, points, profile)[feasible]
        top = np.isclose(worst, worst.max(), rtol=1e-9, atol=0.0)
        tied = within[feasible][top]
        return tied[int(np.argmin(np.hypot(*(tied - centre).T)))]

    def _worst_within(
        self, drone: Drone, within: np.ndarray, points: np.ndarray, profile: LinkProfile
    ) -> np.ndarray:
        """:meth:`worst_rate` at the points ``within`` reach, kept for the other drones asked about the
        same served points (the rates depend on a drone's altitude only: free drones at the same
        altitude share them, element by element the same values)."""
        key = (drone.altitude, within.tobytes(), points.tobytes(), profile)
        if (known := self._worst.get(key)) is None:
            if len(self._worst) >= WORST_CACHE_SIZE:
                self._worst.clear()
            known = self._worst[key] = self.worst_rate(drone, within, [tuple(p) for p in points], profile)
        return known


def _grid(low: np.ndarray, high: np.ndarray, step: float) -> np.ndarray:
    """Points every ``step`` m over the box [low, high] ((n, 2), m), anchored on whole multiples of step."""
    xs = np.arange(math.floor(low[0] / step), math.ceil(high[0] / step) + 1) * step
    ys = np.arange(math.floor(low[1] / step), math.ceil(high[1] / step) + 1) * step
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def stations_in_reach(
    flights: list, xy: np.ndarray, t: np.ndarray
) -> Iterator[tuple[Drone, np.ndarray, np.ndarray]]:
    """For each trip of a drone's ``flights`` (in order, their on-station windows apart) on station at some
    of the times ``t`` (s): its drone, the indices of the transfers from ``xy`` ((n, 2), m) within reach of
    where it hovers then (a metre's margin on ``RELAY_REACH_M``: never a false no), and those hover
    points ((k, 2), m)."""
    arrive, leave = np.array([(f.t_arrive, f.leave_by) for f in flights]).T
    i = np.searchsorted(arrive, t, side="right") - 1
    on = (i >= 0) & (t <= leave[np.maximum(i, 0)])
    for k in np.unique(i[on]):
        mine = np.flatnonzero(on & (i == k))
        since, x, y = np.array(flights[k].stations, dtype=float).T
        j = np.maximum(np.searchsorted(since, t[mine], side="right") - 1, 0)  # as _Trip.station_at
        close = np.hypot(x[j] - xy[mine, 0], y[j] - xy[mine, 1]) <= RELAY_REACH_M + 1.0
        yield flights[k].drone.spec, mine[close], np.column_stack([x[j][close], y[j][close]])
