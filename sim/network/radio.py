"""Radio formulas: 3GPP path loss, LOS probability, CQI tables, numerology.

Pure, vectorised functions of numpy arrays; no simulation state. Units:
distances and heights in m, carrier frequency ``fc_ghz`` in GHz, losses and
powers in dB / dBm, log = log10 (as in the 3GPP tables).

Sources
- TR 38.901 v16.1.0 Table 7.4.1-1 (path loss, shadow-fading σ), Table 7.4.2-1
  (LOS probability), Table 7.5-6 Part-1 (shadow-fading decorrelation distance)
  and §7.6.3.1 / Table 7.6.3.1-2 (LOS-state correlation distance).
- TS 38.214 Tables 5.2.2.1-2 and 5.2.2.1-3 (NR CQI: modulation, code rate × 1024,
  efficiency); TS 36.213 Table 7.2.3-1 (LTE CQI; the same 15 entries as NR's
  Table 5.2.2.1-2).
- TR 36.942 Annex A.2: link-level throughput ≈ α · Shannon bound, α = 0.6; used
  here only to choose the CQI a given SINR supports.
- TS 38.211 §4.2 (numerology), TS 38.104 §5.2 / TS 38.101-1 Table 5.3.5-1 and
  TS 38.101-2 Table 5.3.5-1 (frequency ranges and channel bandwidths).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

SPEED_OF_LIGHT = 299_792_458.0
"""m/s."""
THERMAL_NOISE_DBM_PER_HZ = -174.0
"""kT at 290 K, dBm/Hz."""
MIN_DISTANCE_2D = 10.0
"""TR 38.901 Table 7.4.1-1 holds from d_2D = 10 m; it gives no formula closer, and points nearer a
mast are evaluated at 10 m (our choice: the table's own lower bound; ns-3 evaluates the formula
anyway and warns)."""


class PathLossModel(StrEnum):
    UMA = "uma"
    UMI = "umi"
    RMA = "rma"


@dataclass(frozen=True)
class ShadowParameters:
    """Shadow-fading σ (dB) and decorrelation distances (m) of one scenario, TR 38.901.

    ``sigma_los_far_db``: the LOS σ beyond the breakpoint distance where the table gives
    another value (RMa: 6 dB beyond d_BP); equal to ``sigma_los_db`` elsewhere.
    """

    sigma_los_db: float
    sigma_nlos_db: float
    decorrelation_los_m: float
    decorrelation_nlos_m: float
    los_state_decorrelation_m: float
    sigma_los_far_db: float


SHADOWING = {
    # σ: Table 7.4.1-1; SF decorrelation: Table 7.5-6 Part-1; LOS state: Table 7.6.3.1-2.
    PathLossModel.UMA: ShadowParameters(4.0, 6.0, 37.0, 50.0, 50.0, 4.0),
    PathLossModel.UMI: ShadowParameters(4.0, 7.82, 10.0, 13.0, 50.0, 4.0),
    # RMa LOS σ is 4 dB up to d_BP and 6 dB beyond (Table 7.4.1-1; see sigma_los).
    PathLossModel.RMA: ShadowParameters(4.0, 8.0, 37.0, 120.0, 60.0, 6.0),
}


@dataclass(frozen=True)
class Validity:
    """Where a TR 38.901 Table 7.4.1-1 model holds: d_2D, h_BS, h_UT (m) and f_c (GHz), bounds included."""

    name: str
    d_2d_m: tuple[float, float]
    h_bs_m: tuple[float, float]
    h_ut_m: tuple[float, float]
    fc_ghz: tuple[float, float]

    @staticmethod
    def span(bounds: tuple[float, float], unit: str) -> str:
        """'25 m' for a fixed value, '1.5-22.5 m' for a range."""
        low, high = bounds
        return f"{low:g} {unit}" if low == high else f"{low:g}-{high:g} {unit}"


VALIDITY = {
    # TR 38.901 Table 7.4.1-1 and §7.4.1 (0.5-100 GHz; RMa 0.5-30 GHz). The NLOS formulas hold to
    # 5 km (RMa LOS to 10 km, but any cell may be NLOS). UMa and UMi fix h_BS; RMa gives a range.
    PathLossModel.UMA: Validity("UMa", (10.0, 5000.0), (25.0, 25.0), (1.5, 22.5), (0.5, 100.0)),
    PathLossModel.UMI: Validity("UMi-Street Canyon", (10.0, 5000.0), (10.0, 10.0), (1.5, 22.5), (0.5, 100.0)),
    PathLossModel.RMA: Validity("RMa", (10.0, 5000.0), (10.0, 150.0), (1.0, 10.0), (0.5, 30.0)),
}


def _log(x: np.ndarray | float) -> np.ndarray:
    return np.log10(np.asarray(x, dtype=float))


def distance_3d(d_2d: np.ndarray, h_bs: float, h_ut: float) -> np.ndarray:
    """Straight-line antenna distance, m (d_2D below 10 m taken as 10 m, see ``MIN_DISTANCE_2D``)."""
    return np.hypot(np.maximum(d_2d, MIN_DISTANCE_2D), h_bs - h_ut)


def _near(d_2d: np.ndarray) -> np.ndarray:
    return np.maximum(np.asarray(d_2d, dtype=float), MIN_DISTANCE_2D)


# ---------------------------------------------------------------- UMi-Street Canyon and UMa


def umi_breakpoint(fc_ghz: float, h_bs: float, h_ut: float) -> float:
    """d'_BP = 4 h'_BS h'_UT f_c / c with effective heights h − h_E, h_E = 1 m (Table 7.4.1-1 note 1), m.

    The same formula serves UMa (note 1): there h_E is 1 m for h_UT ≤ 13 m and drawn at random
    above with probability 1 − 1/(1 + C(d_2D, h_UT)); this model keeps h_E = 1 m (the longest
    breakpoint, so the lower loss, for a UT above 13 m: cameras on tall poles).
    """
    return 4 * (h_bs - 1.0) * (h_ut - 1.0) * fc_ghz * 1e9 / SPEED_OF_LIGHT


def umi_los(d_2d: np.ndarray, fc_ghz: float, h_bs: float, h_ut: float) -> np.ndarray:
    """UMi-Street Canyon LOS path loss PL_UMi-LOS, TR 38.901 Table 7.4.1-1, dB."""
    d_2d = _near(d_2d)
    d3 = distance_3d(d_2d, h_bs, h_ut)
    bp = umi_breakpoint(fc_ghz, h_bs, h_ut)
    pl1 = 32.4 + 21 * _log(d3) + 20 * math.log10(fc_ghz)
    pl2 = 32.4 + 40 * _log(d3) + 20 * math.log10(fc_ghz) - 9.5 * math.log10(bp**2 + (h_bs - h_ut) ** 2)
    return np.where(d_2d <= bp, pl1, pl2)


def umi_nlos(d_2d: np.ndarray, fc_ghz: float, h_bs: float, h_ut: float) -> np.ndarray:
    """UMi-Street Canyon NLOS: max(PL_LOS, PL'_NLOS), TR 38.901 Table 7.4.1-1, dB."""
    d3 = distance_3d(d_2d, h_bs, h_ut)
    nlos = 22.4 + 35.3 * _log(d3) + 21.3 * math.log10(fc_ghz) - 0.3 * (h_ut - 1.5)
    return np.maximum(umi_los(d_2d, fc_ghz, h_bs, h_ut), nlos)


def umi_los_probability(d_2d: np.ndarray) -> np.ndarray:
    """Pr_LOS = 1 for d_2D ≤ 18 m, else 18/d + exp(−d/36)(1 − 18/d), TR 38.901 Table 7.4.2-1."""
    d = np.maximum(np.asarray(d_2d, dtype=float), 1e-9)
    return np.where(d <= 18.0, 1.0, 18.0 / d + np.exp(-d / 36.0) * (1.0 - 18.0 / d))


def uma_los(d_2d: np.ndarray, fc_ghz: float, h_bs: float, h_ut: float) -> np.ndarray:
    """UMa LOS path loss PL_UMa-LOS, TR 38.901 Table 7.4.1-1, dB.

    PL1 = 28 + 22 log d_3D + 20 log f_c up to d'_BP (:func:`umi_breakpoint`, h_E = 1 m), then
    PL2 = 28 + 40 log d_3D + 20 log f_c − 9 log(d'_BP² + (h_BS − h_UT)²).
    """
    d_2d = _near(d_2d)
    d3 = distance_3d(d_2d, h_bs, h_ut)
    bp = umi_breakpoint(fc_ghz, h_bs, h_ut)
    pl1 = 28.0 + 22 * _log(d3) + 20 * math.log10(fc_ghz)
    pl2 = 28.0 + 40 * _log(d3) + 20 * math.log10(fc_ghz) - 9 * math.log10(bp**2 + (h_bs - h_ut) ** 2)
    return np.where(d_2d <= bp, pl1, pl2)


def uma_nlos(d_2d: np.ndarray, fc_ghz: float, h_bs: float, h_ut: float) -> np.ndarray:
    """UMa NLOS: max(PL_LOS, 13.54 + 39.08 log d_3D + 20 log f_c − 0.6 (h_UT − 1.5)), Table 7.4.1-1, dB."""
    d3 = distance_3d(d_2d, h_bs, h_ut)
    nlos = 13.54 + 39.08 * _log(d3) + 20 * math.log10(fc_ghz) - 0.6 * (h_ut - 1.5)
    return np.maximum(uma_los(d_2d, fc_ghz, h_bs, h_ut), nlos)


def uma_los_probability(d_2d: np.ndarray, h_ut: float) -> np.ndarray:
    """UMa outdoor Pr_LOS, TR 38.901 Table 7.4.2-1.

    1 for d_2D ≤ 18 m, else [18/d + exp(−d/63)(1 − 18/d)] · (1 + C'(h_UT) · 5/4 (d/100)³ exp(−d/150)),
    C'(h_UT) = 0 for h_UT ≤ 13 m, ((h_UT − 13)/10)^1.5 for 13 m < h_UT ≤ 23 m.
    """
    d = np.maximum(np.asarray(d_2d, dtype=float), 1e-9)
    c = 0.0 if h_ut <= 13.0 else ((h_ut - 13.0) / 10.0) ** 1.5
    far = (18.0 / d + np.exp(-d / 63.0) * (1.0 - 18.0 / d)) * (
        1.0 + c * 1.25 * (d / 100.0) ** 3 * np.exp(-d / 150.0)
    )
    return np.where(d <= 18.0, 1.0, far)


# ---------------------------------------------------------------- RMa


@dataclass(frozen=True)
class RuralLayout:
    """RMa environment: average building height and street width, m (Table 7.4.1-1 defaults)."""

    building_height: float = 5.0
    street_width: float = 20.0


def rma_breakpoint(fc_ghz: float, h_bs: float, h_ut: float) -> float:
    """d_BP = 2π h_BS h_UT f_c / c, m."""
    return 2 * math.pi * h_bs * h_ut * fc_ghz * 1e9 / SPEED_OF_LIGHT


def _rma_pl1(d3: np.ndarray, fc_ghz: float, h: float) -> np.ndarray:
    return (
        20 * _log(40 * math.pi * d3 * fc_ghz / 3)
        + min(0.03 * h**1.72, 10) * _log(d3)
        - min(0.044 * h**1.72, 14.77)
        + 0.002 * math.log10(h) * d3
    )


def rma_los(
    d_2d: np.ndarray, fc_ghz: float, h_bs: float, h_ut: float, layout: RuralLayout = RuralLayout()
) -> np.ndarray:
    """RMa LOS path loss (PL1 up to d_BP, PL2 beyond), TR 38.901 Table 7.4.1-1, dB."""
    d_2d = _near(d_2d)
    d3 = distance_3d(d_2d, h_bs, h_ut)
    bp = rma_breakpoint(fc_ghz, h_bs, h_ut)
    h = layout.building_height
    pl1 = _rma_pl1(d3, fc_ghz, h)
    pl2 = _rma_pl1(np.asarray(bp), fc_ghz, h) + 40 * _log(d3 / bp)
    return np.where(d_2d <= bp, pl1, pl2)


def rma_nlos(
    d_2d: np.ndarray, fc_ghz: float, h_bs: float, h_ut: float, layout: RuralLayout = RuralLayout()
) -> np.ndarray:
    """RMa NLOS: max(PL_LOS, PL'_NLOS), TR 38.901 Table 7.4.1-1, dB."""
    d3 = distance_3d(d_2d, h_bs, h_ut)
    h, w = layout.building_height, layout.street_width
    nlos = (
        161.04
        - 7.1 * math.log10(w)
        + 7.5 * math.log10(h)
        - (24.37 - 3.7 * (h / h_bs) ** 2) * math.log10(h_bs)
        + (43.42 - 3.1 * math.log10(h_bs)) * (_log(d3) - 3)
        + 20 * math.log10(fc_ghz)
        - (3.2 * math.log10(11.75 * h_ut) ** 2 - 4.97)
    )
    return np.maximum(rma_los(d_2d, fc_ghz, h_bs, h_ut, layout), nlos)


def rma_los_probability(d_2d: np.ndarray) -> np.ndarray:
    """Pr_LOS = 1 for d_2D ≤ 10 m, else exp(−(d − 10)/1000), TR 38.901 Table 7.4.2-1."""
    d = np.asarray(d_2d, dtype=float)
    return np.where(d <= 10.0, 1.0, np.exp(-(d - 10.0) / 1000.0))


# ---------------------------------------------------------------- by model


_LOSS = {
    PathLossModel.UMA: (uma_los, uma_nlos),
    PathLossModel.UMI: (umi_los, umi_nlos),
    PathLossModel.RMA: (rma_los, rma_nlos),
}


def path_loss(
    model: PathLossModel, d_2d: np.ndarray, fc_ghz: float, h_bs: float, h_ut: float, los: np.ndarray
) -> np.ndarray:
    """Path loss of ``model`` with LOS where ``los`` is True, NLOS elsewhere, dB."""
    los_loss, nlos_loss = _LOSS[model]
    return np.where(los, los_loss(d_2d, fc_ghz, h_bs, h_ut), nlos_loss(d_2d, fc_ghz, h_bs, h_ut))


def los_probability(model: PathLossModel, d_2d: np.ndarray, h_ut: float) -> np.ndarray:
    """Pr_LOS of ``model`` at ``d_2d`` for a UT ``h_ut`` m up, TR 38.901 Table 7.4.2-1."""
    if model is PathLossModel.UMA:
        return uma_los_probability(d_2d, h_ut)
    return umi_los_probability(d_2d) if model is PathLossModel.UMI else rma_los_probability(d_2d)


def sigma_los(model: PathLossModel, d_2d: np.ndarray, fc_ghz: float, h_bs: float, h_ut: float) -> np.ndarray:
    """LOS shadow-fading σ at ``d_2d``, TR 38.901 Table 7.4.1-1 (RMa: 4 dB up to d_BP, 6 dB beyond), dB."""
    shadow = SHADOWING[model]
    if model is not PathLossModel.RMA:
        return np.full(np.shape(d_2d), shadow.sigma_los_db)
    far = np.asarray(d_2d) > rma_breakpoint(fc_ghz, h_bs, h_ut)
    return np.where(far, shadow.sigma_los_far_db, shadow.sigma_los_db)


def free_space(d_3d: np.ndarray, fc_ghz: float) -> np.ndarray:
    """Free-space loss 20 log(40π d_3D f_c / 3) = 32.44 + 20 log d_3D + 20 log f_c (ITU-R P.525), dB."""
    return 20 * _log(40 * math.pi * np.maximum(d_3d, 1.0) * fc_ghz / 3)


# ---------------------------------------------------------------- CQI tables


@dataclass(frozen=True)
class CqiTable:
    """CQI index 1..15: modulation order Q_m and code rate × 1024; efficiency in bit/s/Hz."""

    name: str
    modulation_order: tuple[int, ...]
    code_rate_x1024: tuple[int, ...]
    efficiency: tuple[float, ...]
    source: str

    def lookup(self, capacity_bits_per_hz: np.ndarray) -> np.ndarray:
        """Efficiency of the highest CQI strictly below ``capacity``; 0 at or below CQI 1 (out of range).

        Strictly below, as ns-3's ``LteAmc::GetCqiFromSpectralEfficiency`` (and 5G-LENA's NR AMC)
        choose: a CQI whose efficiency only equals the estimated capacity has no margin left.
        """
        table = np.asarray(self.efficiency)
        index = np.searchsorted(table, capacity_bits_per_hz, side="left")
        return np.where(index > 0, table[np.maximum(index - 1, 0)], 0.0)


def _numbers(text: str, kind: type = float) -> tuple:
    return tuple(kind(v) for v in text.split())


CQI_NR_64QAM = CqiTable(
    "nr_64qam",
    _numbers("2 2 2 2 2 2 4 4 4 6 6 6 6 6 6", int),
    _numbers("78 120 193 308 449 602 378 490 616 466 567 666 772 873 948", int),
    _numbers(
        "0.1523 0.2344 0.3770 0.6016 0.8770 1.1758 1.4766 1.9141 "
        "2.4063 2.7305 3.3223 3.9023 4.5234 5.1152 5.5547"
    ),
    "TS 38.214 Table 5.2.2.1-2",
)
CQI_NR_256QAM = CqiTable(
    "nr_256qam",
    _numbers("2 2 2 4 4 4 6 6 6 6 6 8 8 8 8", int),
    _numbers("78 193 449 378 490 616 466 567 666 772 873 711 797 885 948", int),
    _numbers(
        "0.1523 0.3770 0.8770 1.4766 1.9141 2.4063 2.7305 3.3223 "
        "3.9023 4.5234 5.1152 5.5547 6.2266 6.9141 7.4063"
    ),
    "TS 38.214 Table 5.2.2.1-3",
)
CQI_LTE = CqiTable(
    "lte",
    CQI_NR_64QAM.modulation_order,
    CQI_NR_64QAM.code_rate_x1024,
    CQI_NR_64QAM.efficiency,
    "TS 36.213 Table 7.2.3-1",
)
CQI_TABLES = {t.name: t for t in (CQI_NR_64QAM, CQI_NR_256QAM, CQI_LTE)}

SHANNON_FRACTION = 0.6
"""α of the attenuated Shannon bound, TR 36.942 Annex A.2 (used to pick the CQI)."""


def spectral_efficiency(sinr_db: np.ndarray, table: CqiTable, alpha: float = SHANNON_FRACTION) -> np.ndarray:
    """bit/s/Hz the CQI table offers at ``sinr_db``: highest entry < α log2(1 + SINR); 0 = no coverage."""
    capacity = alpha * np.log2(1.0 + 10.0 ** (np.asarray(sinr_db, dtype=float) / 10.0))
    return table.lookup(capacity)


def min_sinr_db(table: CqiTable, alpha: float = SHANNON_FRACTION) -> float:
    """SINR at which α log2(1 + SINR) equals CQI 1's efficiency: CQI 1 is usable above it, dB."""
    return 10 * math.log10(2 ** (table.efficiency[0] / alpha) - 1)


# ---------------------------------------------------------------- numerology and bands


def slot_seconds(numerology: int) -> float:
    """Slot length 1 ms / 2^μ (14 OFDM symbols), TS 38.211 §4.2, s."""
    if numerology not in (0, 1, 2, 3):
        raise ValueError(f"numerology must be 0..3 for data channels, got {numerology}")
    return 1e-3 / 2**numerology


FR1_GHZ = (0.41, 7.125)
"""Frequency range 1, TS 38.104 Table 5.1-1, GHz."""
FR2_GHZ = (24.25, 52.6)
"""Frequency range 2, TS 38.104 Table 5.1-1, GHz."""
CHANNEL_BANDWIDTHS_MHZ = {
    # FR1, TS 38.101-1 Table 5.3.5-1 (union over bands), by subcarrier spacing index μ.
    ("FR1", 0): (5, 10, 15, 20, 25, 30, 40, 50),
    ("FR1", 1): (5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100),
    ("FR1", 2): (10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100),
    # FR2, TS 38.101-2 Table 5.3.5-1.
    ("FR2", 2): (50, 100, 200),
    ("FR2", 3): (50, 100, 200, 400),
}


def frequency_range(fc_ghz: float) -> str | None:
    """'FR1', 'FR2' or None when the carrier is in neither range."""
    if FR1_GHZ[0] <= fc_ghz <= FR1_GHZ[1]:
        return "FR1"
    if FR2_GHZ[0] <= fc_ghz <= FR2_GHZ[1]:
        return "FR2"
    return None


def noise_dbm(bandwidth_hz: float, noise_figure_db: float) -> float:
    """Thermal noise plus receiver noise figure over ``bandwidth_hz``, dBm."""
    return THERMAL_NOISE_DBM_PER_HZ + 10 * math.log10(bandwidth_hz) + noise_figure_db
