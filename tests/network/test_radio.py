"""Radio formulas against hand-computed 3GPP values and the spec tables."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.network import aerial, radio

# ---------------------------------------------------------------- TR 38.901 Table 7.4.1-1
#
# (d_2D m, f_c GHz, h_BS m, h_UT m, expected dB). Worked by hand from the table's formulas,
# d_3D = sqrt(d_2D² + (h_BS − h_UT)²), log = log10.
UMI_LOS = [
    # below d'_BP = 4·9·0.5·3.5e9/c = 210.15 m: PL1 = 32.4 + 21 log 100.36 + 20 log 3.5
    #                                              = 32.4 + 42.033 + 10.881
    (100, 3.5, 10, 1.5, 85.31),
    # beyond d'_BP: PL2 = 32.4 + 40 log 500.07 + 20 log 3.5 − 9.5 log(210.15² + 8.5²)
    (500, 3.5, 10, 1.5, 107.11),
    # 28 GHz: d'_BP = 1681 m, so PL1 = 32.4 + 42.033 + 28.943
    (100, 28, 10, 1.5, 103.38),
    # a 25 m mast: d'_BP = 4·24·0.5·3.5e9/c = 560.4 m; PL1 at d_3D = 300.92 m
    (300, 3.5, 25, 1.5, 95.33),
]
UMI_NLOS = [
    # PL' = 22.4 + 35.3 log 500.07 + 21.3 log 3.5 − 0.3·0 = 22.4 + 95.276 + 11.589 > PL_LOS 107.11
    (500, 3.5, 10, 1.5, 129.26),
    (200, 28, 10, 1.5, 134.46),
    # at 50 m and 0.9 GHz the NLOS formula (81.62) still exceeds LOS (PL1 = 68.31)
    (50, 0.9, 10, 1.5, 81.62),
]
RMA = [
    # (d_2D, f_c, h_BS, h_UT, LOS?, expected); h = 5 m, W = 20 m. d_BP = 2π·35·1.5·f_c/c.
    (1000, 3.5, 35, 1.5, True, 105.46),  # PL1, d_BP = 3851 m
    (5000, 0.7, 35, 1.5, True, 121.33),  # PL2 = PL1(770.2 m) + 40 log(d_3D / 770.2)
    (2000, 0.7, 35, 1.5, False, 128.07),
    (1000, 3.5, 35, 1.5, False, 130.42),
]


# UMa at the distances, heights and carrier of ns-3's three-gpp-propagation-loss-model-test-suite.cc
# (h_BS 25 m, h_UT 1.5 m, 5 GHz): (d_2D, hand value from Table 7.4.1-1, ns-3's expected loss).
# d_3D = sqrt(d² + 23.5²); 20 log 5 = 13.9794; d'_BP = 4·24·0.5·5e9/c = 800.55 m.
UMA_LOS = [
    (10, 72.94, 72.9380),  # PL1 = 28 + 22 log 25.539 + 13.9794 = 28 + 30.9587 + 13.9794
    (100, 86.24, 86.2362),  # PL1 = 28 + 22 log 102.72 + 13.9794 = 28 + 44.2568 + 13.9794
    # PL2 = 28 + 40 log 1000.28 + 13.9794 − 9 log(800.55² + 23.5²) = 28 + 120.0048 + 13.9794 − 52.2644
    (1000, 109.72, 109.7252),
    (5000, 137.67, 137.6794),  # PL2 = 28 + 40 log 5000.06 + 13.9794 − 52.2644 = 28 + 147.9590 + …
]
UMA_NLOS = [
    (10, 82.51, 82.5131),  # PL' = 13.54 + 39.08 log 25.539 + 13.9794 = 13.54 + 54.9938 + 13.9794
    (100, 106.13, 106.1356),  # 13.54 + 39.08·2.01167 + 13.9794
    (1000, 144.76, 144.7641),  # 13.54 + 39.08·3.00012 + 13.9794
    (5000, 172.08, 172.0753),  # 13.54 + 39.08·3.69898 + 13.9794
]


@pytest.mark.parametrize(("d", "hand", "ns3"), UMA_LOS)
def test_uma_los_matches_hand_values_and_ns3(d, hand, ns3):
    loss = radio.uma_los(np.array([d]), 5.0, 25, 1.5)[0]
    assert loss == pytest.approx(hand, abs=0.01)
    assert loss == pytest.approx(ns3, abs=0.05)  # ns-3 takes c = 3e8 m/s: d'_BP = 800 m


@pytest.mark.parametrize(("d", "hand", "ns3"), UMA_NLOS)
def test_uma_nlos_matches_hand_values_and_ns3(d, hand, ns3):
    loss = radio.uma_nlos(np.array([d]), 5.0, 25, 1.5)[0]
    assert loss == pytest.approx(hand, abs=0.01)
    assert loss == pytest.approx(ns3, abs=0.05)


def test_uma_breakpoint_and_reference_hand_check():
    assert radio.umi_breakpoint(5.0, 25, 1.5) == pytest.approx(800.55, abs=0.01)
    # ../shared/REFERENCES.md: h_BS 25 m, h_UT 1.5 m, 5 GHz, d_2D 10 m: LOS 72.94 dB, NLOS 82.51 dB
    assert radio.path_loss(radio.PathLossModel.UMA, np.array([10.0]), 5.0, 25, 1.5, np.array([True]))[0] == (
        pytest.approx(72.94, abs=0.005)
    )


@pytest.mark.parametrize(
    ("d", "h_ut", "hand"),
    [
        # ns-3 channel-condition-model-test-suite.cc, UMa (h_BS 25 m): (d_2D, h_UT) and Table 7.4.2-1 by hand.
        (18, 1.5, 1.0),
        (50, 1.5, 0.64940),  # 18/50 + exp(−50/63)(1 − 18/50) = 0.36 + 0.452191·0.64
        (50, 15.0, 0.65591),  # × (1 + (2/10)^1.5 · 5/4 · 0.5³ · exp(−1/3)) = × 1.0100138
        (100, 1.5, 0.34767),  # 0.18 + exp(−100/63)·0.82 = 0.18 + 0.204477·0.82
        (100, 15.0, 0.36763),  # × (1 + (2/10)^1.5 · 5/4 · 1 · exp(−2/3)) = × 1.0574017
    ],
)
def test_uma_los_probability_at_ns3_points(d, h_ut, hand):
    p = radio.uma_los_probability(np.array([d]), h_ut)[0]
    assert p == pytest.approx(hand, abs=1e-5)
    c = 0.0 if h_ut <= 13 else ((h_ut - 13) / 10) ** 1.5  # ns-3's own expression of the expected value
    ns3 = (
        1.0
        if d <= 18
        else (18 / d + math.exp(-d / 63) * (1 - 18 / d))
        * (1 + c * 5 / 4 * (d / 100) ** 3 * math.exp(-d / 150))
    )
    assert p == pytest.approx(ns3, abs=1e-12)


def test_uma_shadowing_and_decorrelation_from_the_tables():
    uma = radio.SHADOWING[radio.PathLossModel.UMA]
    assert (uma.sigma_los_db, uma.sigma_nlos_db) == (4.0, 6.0)  # Table 7.4.1-1
    assert (uma.decorrelation_los_m, uma.decorrelation_nlos_m) == (37.0, 50.0)  # Table 7.5-6 Part-1
    assert uma.los_state_decorrelation_m == 50.0  # Table 7.6.3.1-2


def test_rma_los_sigma_is_4_db_up_to_the_breakpoint_and_6_beyond():
    bp = radio.rma_breakpoint(3.5, 35, 1.5)  # 3851 m
    d = np.array([10.0, bp - 1, bp, bp + 1, 9000.0])
    sigma = radio.sigma_los(radio.PathLossModel.RMA, d, 3.5, 35, 1.5)
    assert sigma.tolist() == [4.0, 4.0, 4.0, 6.0, 6.0]
    assert radio.sigma_los(radio.PathLossModel.UMA, d, 3.5, 25, 1.5).tolist() == [4.0] * 5


@pytest.mark.parametrize(("d", "fc", "h_bs", "h_ut", "expected"), UMI_LOS)
def test_umi_los_matches_hand_values(d, fc, h_bs, h_ut, expected):
    assert radio.umi_los(np.array([d]), fc, h_bs, h_ut)[0] == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(("d", "fc", "h_bs", "h_ut", "expected"), UMI_NLOS)
def test_umi_nlos_matches_hand_values(d, fc, h_bs, h_ut, expected):
    assert radio.umi_nlos(np.array([d]), fc, h_bs, h_ut)[0] == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(("d", "fc", "h_bs", "h_ut", "los", "expected"), RMA)
def test_rma_matches_hand_values(d, fc, h_bs, h_ut, los, expected):
    function = radio.rma_los if los else radio.rma_nlos
    assert function(np.array([d]), fc, h_bs, h_ut)[0] == pytest.approx(expected, abs=0.01)


def test_breakpoints_by_hand():
    assert radio.umi_breakpoint(3.5, 10, 1.5) == pytest.approx(4 * 9 * 0.5 * 3.5e9 / 299_792_458)
    assert radio.rma_breakpoint(0.7, 35, 1.5) == pytest.approx(770.22, abs=0.01)


def test_nlos_is_never_below_los():
    d = np.geomspace(10, 5000, 200)
    for fc in (0.9, 3.5, 28.0):
        assert (radio.umi_nlos(d, fc, 10, 1.5) >= radio.umi_los(d, fc, 10, 1.5)).all()
        assert (radio.rma_nlos(d, fc, 35, 1.5) >= radio.rma_los(d, fc, 35, 1.5)).all()


def test_path_loss_grows_with_distance_and_frequency():
    d = np.geomspace(10, 2000, 100)
    assert (np.diff(radio.umi_nlos(d, 3.5, 10, 1.5)) > 0).all()
    assert (radio.umi_los(d, 28, 10, 1.5) > radio.umi_los(d, 3.5, 10, 1.5)).all()


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (10, 1.0),
        (18, 1.0),  # Table 7.4.2-1: certain LOS up to 18 m
        (50, 18 / 50 + math.exp(-50 / 36) * (1 - 18 / 50)),  # 0.5196
        (200, 0.0935),
    ],
)
def test_umi_los_probability(d, expected):
    assert radio.umi_los_probability(np.array([d]))[0] == pytest.approx(expected, abs=1e-4)


def test_rma_los_probability():
    assert radio.rma_los_probability(np.array([10, 500]))[0] == 1.0
    assert radio.rma_los_probability(np.array([500]))[0] == pytest.approx(0.6126, abs=1e-4)


def test_aerial_los_is_the_larger_of_free_space_and_the_fit():
    # TR 36.777 Table B-2 UMi-AV LOS at h_UT = 80 m, d_3D = 100 m, 3.5 GHz:
    # fit 30.9 + (22.25 − 0.5 log 80)·2 + 20 log 3.5 = 84.38 dB; free space 83.32 dB.
    los = aerial.aerial_los(radio.PathLossModel.UMI, np.array(100.0), 3.5, 80)
    assert float(los) == pytest.approx(84.38, abs=0.01)
    assert float(radio.free_space(np.array(100.0), 3.5)) == pytest.approx(83.32, abs=0.01)


# ---------------------------------------------------------------- TS 38.214 / TS 36.213 CQI tables


@pytest.mark.parametrize("table", [radio.CQI_NR_64QAM, radio.CQI_NR_256QAM, radio.CQI_LTE])
def test_cqi_efficiency_is_modulation_times_code_rate(table):
    # The spec's efficiency column is Q_m × (code rate × 1024) / 1024, to four decimals.
    assert len(table.efficiency) == len(table.modulation_order) == len(table.code_rate_x1024) == 15
    for q, rate, efficiency in zip(
        table.modulation_order, table.code_rate_x1024, table.efficiency, strict=True
    ):
        assert q * rate / 1024 == pytest.approx(efficiency, abs=6e-5)
    assert list(table.efficiency) == sorted(table.efficiency)


@pytest.mark.parametrize(
    ("table", "cqi", "modulation", "rate", "efficiency"),
    [
        (radio.CQI_NR_64QAM, 1, 2, 78, 0.1523),  # Table 5.2.2.1-2
        (radio.CQI_NR_64QAM, 7, 4, 378, 1.4766),
        (radio.CQI_NR_64QAM, 15, 6, 948, 5.5547),
        (radio.CQI_NR_256QAM, 12, 8, 711, 5.5547),  # Table 5.2.2.1-3
        (radio.CQI_NR_256QAM, 15, 8, 948, 7.4063),
        (radio.CQI_LTE, 10, 6, 466, 2.7305),  # TS 36.213 Table 7.2.3-1
    ],
)
def test_cqi_entries_match_the_spec(table, cqi, modulation, rate, efficiency):
    assert table.modulation_order[cqi - 1] == modulation
    assert table.code_rate_x1024[cqi - 1] == rate
    assert table.efficiency[cqi - 1] == efficiency


def test_spectral_efficiency_steps_through_the_table():
    table = radio.CQI_NR_64QAM
    edge = radio.min_sinr_db(table)
    assert edge == pytest.approx(10 * math.log10(2 ** (0.1523 / 0.6) - 1))
    values = radio.spectral_efficiency(np.array([edge - 0.01, edge + 0.01, 60.0]), table)
    assert values.tolist() == [0.0, 0.1523, 5.5547]
    sweep = radio.spectral_efficiency(np.linspace(-20, 40, 500), table)
    assert (np.diff(sweep) >= 0).all()
    assert set(np.unique(sweep)) <= {0.0, *table.efficiency}


def test_slot_lengths_per_numerology():
    assert [radio.slot_seconds(mu) for mu in range(4)] == [1e-3, 0.5e-3, 0.25e-3, 0.125e-3]
    with pytest.raises(ValueError, match="numerology"):
        radio.slot_seconds(4)


@pytest.mark.parametrize(
    ("fc", "band"), [(0.7, "FR1"), (3.5, "FR1"), (7.2, None), (28.0, "FR2"), (60.0, None)]
)
def test_frequency_ranges(fc, band):
    assert radio.frequency_range(fc) == band


def test_thermal_noise_over_100_mhz():
    # −174 dBm/Hz + 80 dB + 9 dB noise figure
    assert radio.noise_dbm(100e6, 9.0) == pytest.approx(-85.0)


@pytest.mark.parametrize("table", [radio.CQI_NR_64QAM, radio.CQI_NR_256QAM])
def test_cqi_is_the_highest_entry_strictly_below_the_capacity(table):
    # ns-3 LteAmc::GetCqiFromSpectralEfficiency: while (SpectralEfficiencyForCqi[cqi + 1] < s) ++cqi.
    # A capacity equal to entry k gives entry k − 1 (0, out of range, at CQI 1); just above it, entry k.
    entries = np.asarray(table.efficiency)
    assert table.lookup(entries).tolist() == [0.0, *entries[:-1]]
    assert table.lookup(np.nextafter(entries, np.inf)).tolist() == entries.tolist()
    assert table.lookup(np.array([100.0]))[0] == entries[-1]
