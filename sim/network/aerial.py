"""Air links of the relay drone: drone → gNB (TR 36.777 Annex B) and boat → drone (free space over water).

Pure, vectorised functions; distances and heights in m, ``fc_ghz`` in GHz, losses in dB, log = log10.

Drone → gNB: the drone is an aerial UE. TR 36.777 Annex B extends the TR 38.901 scenario of its gNB
(Table B-1 LOS probability, Table B-2 path loss; the same masts: UMa 25 m, UMi 10 m, RMa 35 m)
to UEs 22.5 m < h_UT ≤ 300 m up (RMa-AV: 10 m < h_UT ≤ 300 m) and d_2D ≤ 4 km (RMa-AV: 10 km):

- UMa-AV: LOS 28 + 22 log d_3D + 20 log f_c; NLOS −17.5 + (46 − 7 log h_UT) log d_3D
  + 20 log(40π f_c / 3); Pr_LOS of the form d1/d + exp(−d/p1)(1 − d1/d) with
  d1 = max(460 log h_UT − 700, 18), p1 = 4300 log h_UT − 3800 up to 100 m, certain above.
- UMi-AV: LOS max(free space, 30.9 + (22.25 − 0.5 log h_UT) log d_3D + 20 log f_c); NLOS
  max(PL_LOS, 32.4 + (43.2 − 7.6 log h_UT) log d_3D + 20 log f_c);
  d1 = max(294.05 log h_UT − 432.94, 18), p1 = 233.98 log h_UT − 0.95.
- RMa-AV: LOS max(23.9 − 1.8 log h_UT, 20) log d_3D + 20 log(40π f_c / 3); NLOS
  max(PL_LOS, −12 + (35 − 5.3 log h_UT) log d_3D + 20 log(40π f_c / 3)); LOS certain above 40 m,
  below d1 = max(1350.8 log h_UT − 1602, 18), p1 = max(15021 log h_UT − 16053, 1000).

The relay draws no random state for its links: a hop is LOS where Pr_LOS ≥ 0.5 (the expected
state, as the radio map does without a random stream) and NLOS elsewhere; no shadow fading.

Boat → drone: both ends are UEs (a boat 1.5 m above the water, the drone overhead), a link
TR 36.777 does not model (its aerial models are gNB ↔ aerial UE). Over open water with the drone
above the boat the path is line of sight, and the flat-earth two-ray model applies: free space
(ITU-R P.525) up to the breakpoint d_BP = 2π h_drone h_boat f_c / c, 40 dB/decade beyond
(Rappaport, *Wireless Communications*, 2nd ed., §4.6; the same form and breakpoint as the
TR 38.901 RMa LOS PL2). At 80 m, 1.5 m and 3.5 GHz d_BP is 8.8 km, so the relay's hops stay
in the free-space part. The water's reflection is not added coherently (its ripple
averages out over a hover point's wobble).
"""

from __future__ import annotations

import math

import numpy as np

from sim.network import radio
from sim.network.radio import PathLossModel

AERIAL_NAMES = {PathLossModel.UMA: "UMa-AV", PathLossModel.UMI: "UMi-AV", PathLossModel.RMA: "RMa-AV"}
AERIAL_HEIGHT_M = {
    # TR 36.777 Table B-2: lowest height (excluded) and highest (included) of an aerial UE, m.
    PathLossModel.UMA: (22.5, 300.0),
    PathLossModel.UMI: (22.5, 300.0),
    PathLossModel.RMA: (10.0, 300.0),
}
AERIAL_MAX_D2D_M = {PathLossModel.UMA: 4000.0, PathLossModel.UMI: 4000.0, PathLossModel.RMA: 10_000.0}
"""TR 36.777 Table B-2: the aerial models hold up to this horizontal distance from the gNB, m."""


def _log(x: np.ndarray | float) -> np.ndarray:
    return np.log10(np.maximum(np.asarray(x, dtype=float), 1.0))


def _fs_term(fc_ghz: float) -> float:
    return 20 * math.log10(40 * math.pi * fc_ghz / 3)


def _los_probability(d1: float, p1: float, d_2d: np.ndarray) -> np.ndarray:
    d = np.maximum(np.asarray(d_2d, dtype=float), 1e-9)
    return np.where(d <= d1, 1.0, d1 / d + np.exp(-d / p1) * (1.0 - d1 / d))


def aerial_los_probability(model: PathLossModel, d_2d: np.ndarray, h_ut: float) -> np.ndarray:
    """Pr_LOS of an aerial UE ``h_ut`` m up, ``d_2d`` m from a gNB, TR 36.777 Table B-1."""
    h = math.log10(h_ut)
    if model is PathLossModel.UMA:
        if h_ut > 100.0:
            return np.ones(np.shape(d_2d))
        return _los_probability(max(460 * h - 700, 18.0), 4300 * h - 3800, d_2d)
    if model is PathLossModel.UMI:
        return _los_probability(max(294.05 * h - 432.94, 18.0), 233.98 * h - 0.95, d_2d)
    if h_ut > 40.0:
        return np.ones(np.shape(d_2d))
    return _los_probability(max(1350.8 * h - 1602, 18.0), max(15021 * h - 16053, 1000.0), d_2d)


def aerial_los(model: PathLossModel, d_3d: np.ndarray, fc_ghz: float, h_ut: float) -> np.ndarray:
    """LOS path loss of an aerial UE, TR 36.777 Table B-2, dB."""
    h = math.log10(h_ut)
    if model is PathLossModel.UMA:
        return 28.0 + 22 * _log(d_3d) + 20 * math.log10(fc_ghz)
    if model is PathLossModel.UMI:
        fitted = 30.9 + (22.25 - 0.5 * h) * _log(d_3d) + 20 * math.log10(fc_ghz)
        return np.maximum(radio.free_space(d_3d, fc_ghz), fitted)
    return max(23.9 - 1.8 * h, 20.0) * _log(d_3d) + _fs_term(fc_ghz)


def aerial_nlos(model: PathLossModel, d_3d: np.ndarray, fc_ghz: float, h_ut: float) -> np.ndarray:
    """NLOS path loss of an aerial UE, TR 36.777 Table B-2 (UMi-AV and RMa-AV: at least the LOS loss), dB."""
    h = math.log10(h_ut)
    if model is PathLossModel.UMA:
        return -17.5 + (46 - 7 * h) * _log(d_3d) + _fs_term(fc_ghz)
    if model is PathLossModel.UMI:
        nlos = 32.4 + (43.2 - 7.6 * h) * _log(d_3d) + 20 * math.log10(fc_ghz)
    else:
        nlos = -12.0 + (35 - 5.3 * h) * _log(d_3d) + _fs_term(fc_ghz)
    return np.maximum(aerial_los(model, d_3d, fc_ghz, h_ut), nlos)


def drone_to_gnb(
    model: PathLossModel, d_2d: np.ndarray, fc_ghz: float, h_bs: float, h_drone: float
) -> np.ndarray:
    """Path loss drone → gNB in the expected LOS state (LOS where Pr_LOS ≥ 0.5), TR 36.777 Annex B, dB."""
    d_2d = np.asarray(d_2d, dtype=float)
    d_3d = np.hypot(d_2d, h_drone - h_bs)
    los = aerial_los_probability(model, d_2d, h_drone) >= 0.5
    return np.where(los, aerial_los(model, d_3d, fc_ghz, h_drone), aerial_nlos(model, d_3d, fc_ghz, h_drone))


def two_ray_breakpoint(fc_ghz: float, h_a: float, h_b: float) -> float:
    """d_BP = 2π h_a h_b f_c / c of the flat-earth two-ray model, m."""
    return 2 * math.pi * h_a * h_b * fc_ghz * 1e9 / radio.SPEED_OF_LIGHT


def boat_to_drone(d_2d: np.ndarray, fc_ghz: float, h_boat: float, h_drone: float) -> np.ndarray:
    """Boat → drone over open water: free space up to d_BP, + 40 dB/decade beyond (two-ray, LOS), dB."""
    d_2d = np.asarray(d_2d, dtype=float)
    bp = two_ray_breakpoint(fc_ghz, h_boat, h_drone)
    d_3d = np.hypot(d_2d, h_drone - h_boat)
    near = radio.free_space(d_3d, fc_ghz)
    d_3d_bp = math.hypot(bp, h_drone - h_boat)
    beyond = radio.free_space(np.asarray(d_3d_bp), fc_ghz) + 40 * np.log10(np.maximum(d_3d / d_3d_bp, 1.0))
    return np.where(d_2d <= bp, near, beyond)
