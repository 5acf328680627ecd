"""Radio map, correlated shadowing and camera cell load."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.core.rng import RandomStreams
from sim.errors import ScenarioError
from sim.loading import load_scenario
from sim.network import radio
from sim.network.correlated_fields import correlated_field
from sim.network.links import PROFILES, Direction
from sim.network.radio_map import CellLoad, RadioAccess, RadioMap, video_bitrate_bps
from tests.helpers.paths import DEFAULT

ONE_GNB = (
    'gnbs=[{"id": "g", "position": [500, 500], "height": 10, "path_loss": "umi", "tx_power_dbm": 30, '
    '"antenna_gain_dbi": 0, "uplink_share": 0.5}]'
)


def test_correlated_field_has_unit_variance_and_exponential_correlation():
    rng = np.random.default_rng(1)
    spacing, d_corr = 5.0, 20.0
    lag_cells = 4  # 20 m: correlation exp(−1)
    a_values, b_values, lagged = [], [], []
    for _ in range(6):
        a, b = correlated_field((120, 120), spacing, d_corr, rng)
        a_values.append(a)
        b_values.append(b)
        lagged.append(np.mean(a[:, :-lag_cells] * a[:, lag_cells:]))
    a_all, b_all = np.concatenate(a_values), np.concatenate(b_values)
    assert abs(a_all.mean()) < 0.1
    assert a_all.var() == pytest.approx(1.0, abs=0.1)
    assert b_all.var() == pytest.approx(1.0, abs=0.1)
    assert np.mean(lagged) == pytest.approx(math.exp(-1), abs=0.06)
    assert abs(np.mean(a_all * b_all)) < 0.05  # real and imaginary parts are independent


def test_one_gnb_without_shadowing_matches_the_link_budget_by_hand():
    scenario = load_scenario(DEFAULT, [ONE_GNB, "network.radio.shadowing=false"])
    radio_map = RadioMap(scenario, None)
    profile = PROFILES["nr_embb"]
    row, col = radio_map.index(800.0, 500.0)
    x, y = radio_map.x[col], radio_map.y[row]
    d = math.hypot(x - 500, y - 500)
    los = radio.umi_los_probability(np.array([d]))[0] >= 0.5
    pl = (radio.umi_los if los else radio.umi_nlos)(np.array([d]), 3.5, 10, 1.5)[0]
    # Downlink: 30 dBm − PL against −174 + 80 + 9 dBm of noise (no interference: one gNB).
    assert radio_map.downlink_sinr_db(profile)[row, col] == pytest.approx(30 - pl - (-174 + 80 + 9))
    # Uplink: 26 dBm (scenario's UE) − PL against −174 + 80 + 5 dBm plus 3 dB interference margin.
    snr = 26 - pl - (-174 + 80 + 5 + 3)
    assert radio_map.uplink_snr_db(profile)[row, col] == pytest.approx(snr)
    shares = 2.0 ** -np.arange(9)
    best = max(s * radio.spectral_efficiency(snr - 10 * np.log10(s), profile.cqi_table) for s in shares)
    expected = 100e6 * best * (1 - 0.08) * 0.5
    assert radio_map.rate_at(profile, Direction.UPLINK, x, y) == pytest.approx(expected)


def test_interference_lowers_the_downlink_sinr():
    alone = RadioMap(load_scenario(DEFAULT, [ONE_GNB, "network.radio.shadowing=false"]), None)
    second = ONE_GNB.replace(
        "}]", '}, {"id": "h", "position": [950, 950], "height": 10, "path_loss": "umi", "tx_power_dbm": 30}]'
    )
    both = RadioMap(load_scenario(DEFAULT, [second, "network.radio.shadowing=false"]), None)
    profile = PROFILES["nr_embb"]
    row, col = alone.index(500.0, 200.0)  # served by g in both maps
    assert both.downlink_sinr_db(profile)[row, col] < alone.downlink_sinr_db(profile)[row, col]
    # a different carrier does not interfere
    other = second.replace('"tx_power_dbm": 30}]', '"tx_power_dbm": 30, "frequency_ghz": 2.6}]')
    apart = RadioMap(load_scenario(DEFAULT, [other, "network.radio.shadowing=false"]), None)
    assert apart.downlink_sinr_db(profile)[row, col] == pytest.approx(
        alone.downlink_sinr_db(profile)[row, col]
    )


def test_same_seed_same_map_and_another_seed_another(default_scenario):
    maps = [RadioMap(default_scenario, RandomStreams(seed).stream("network/radio")) for seed in (3, 3, 4)]
    profile = PROFILES["nr_embb"]
    first, again, other = (m.downlink_sinr_db(profile) for m in maps)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_rates_fall_with_distance_on_average(default_scenario):
    radio_map = RadioMap(default_scenario, RandomStreams(0).stream("network/radio"))
    rates = radio_map.rate_map(PROFILES["nr_embb"], Direction.DOWNLINK)
    gx, gy = np.meshgrid(radio_map.x, radio_map.y)
    d = np.hypot(gx - 300, gy - 150)
    near, far = rates[(d < 150)].mean(), rates[(d > 400) & (radio_map.serving == 0)].mean()
    assert near > 3 * far


def test_lte_profile_caps_bandwidth_and_ue_power(default_scenario):
    radio_map = RadioMap(default_scenario, RandomStreams(0).stream("network/radio"))
    gnb = default_scenario.gnbs[0]
    assert radio_map.bandwidth_hz(gnb, PROFILES["lte"]) == 20e6
    assert radio_map.ue_power_dbm(PROFILES["lte"]) == 23.0
    assert radio_map.ue_power_dbm(PROFILES["nr_embb"]) == 26.0


def test_video_bitrate_kush_gauge():
    # 1920 × 1080 × 15 fps × 0.07 bit per pixel
    assert video_bitrate_bps((1920, 1080), 15, 0.07) == pytest.approx(2_177_280)


def _load(overrides: list[str]) -> tuple[CellLoad, RadioMap]:
    scenario = load_scenario(DEFAULT, overrides)
    radio_map = RadioMap(scenario, RandomStreams(0).stream("network/radio"))
    return CellLoad(scenario, radio_map, PROFILES["nr_embb"]), radio_map


def test_bigger_video_loads_the_cell_and_slows_uplinks():
    base, radio_map = _load([])
    heavy, _ = _load(["network.video_bits_per_pixel.h264=0.14"])
    for gnb_id, load in base.load.items():
        assert 0 < load < 1
        assert heavy.load[gnb_id] == pytest.approx(2 * load)
    position = (560.0, 300.0)
    rates = [
        RadioAccess(radio_map, PROFILES["nr_embb"], Direction.UPLINK, load).path(position, 0.0).rate_bps
        for load in (None, base, heavy)
    ]
    assert rates[0] > rates[1] > rates[2]
    downlink = RadioAccess(radio_map, PROFILES["nr_embb"], Direction.DOWNLINK, heavy).path(position, 0.0)
    assert downlink.cell_load == 0.0  # camera video loads the uplink only


def test_overloaded_cell_is_bad_input():
    with pytest.raises(ScenarioError, match="video streams need"):
        _load(["network.video_bits_per_pixel.h264=3"])


def test_fixed_radios_are_evaluated_at_their_own_height(default_scenario):
    radio_map = RadioMap(default_scenario, RandomStreams(0).stream("network/radio"))
    profile = PROFILES["nr_embb"]
    for camera in default_scenario.cameras:
        at_grid_height, gnb = radio_map.fixed_uplink(profile, *camera.position, 1.5)
        assert at_grid_height == pytest.approx(radio_map.rate_at(profile, Direction.UPLINK, *camera.position))
        assert gnb.id == radio_map.serving_gnb(*camera.position).id
        on_pole, _ = radio_map.fixed_uplink(profile, *camera.position, camera.height)
        assert on_pole >= at_grid_height  # a mast-mounted radio loses less (Table 7.4.1-1: h_UT terms)
