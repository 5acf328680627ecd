"""Each path-loss model used only where TR 38.901 / TR 36.777 define it: every boundary from both sides."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.loading import load_scenario
from sim.network import aerial, radio
from tests.helpers.paths import DEFAULT

M = radio.PathLossModel
CAMERAS_AT_10_M = [f"cameras.{i}.height=10" for i in range(8)]
RMA = ["network.radio.path_loss=rma", "gnbs.0.height=35", "gnbs.1.height=35", *CAMERAS_AT_10_M]
"""The default park as an RMa site: 35 m masts (Table 7.4.1-1's default), cameras within 1-10 m."""


def outcome(overrides: list[str]) -> str:
    """'ok', or the key path the ScenarioError names."""
    try:
        load_scenario(DEFAULT, overrides)
    except ScenarioError as error:
        return str(error).split(":")[0]
    return "ok"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # UMa (the default): h_UT 1.5-22.5 m, h_BS = 25 m
        (["network.radio.ue_height=1.5"], "ok"),
        (["network.radio.ue_height=1.49"], "network.radio.ue_height"),
        (["network.radio.ue_height=22.5"], "ok"),
        (["network.radio.ue_height=22.51"], "network.radio.ue_height"),
        (["cameras.0.height=22.5"], "ok"),
        (["cameras.0.height=22.51"], "cameras.0.height"),
        (["gnbs.1.height=24.99"], "gnbs.1.height"),
        (["gnbs.1.height=25.01"], "gnbs.1.height"),
        # UMi-Street Canyon: h_BS = 10 m, chosen per gNB
        (["gnbs.1.path_loss=umi", "gnbs.1.height=10"], "ok"),
        (["gnbs.1.path_loss=umi"], "gnbs.1.height"),  # a 25 m mast
        (["gnbs.1.path_loss=umi", "gnbs.1.height=9.99"], "gnbs.1.height"),
        (["gnbs.1.path_loss=umi", "gnbs.1.height=10.01"], "gnbs.1.height"),
        # RMa: h_BS 10-150 m, h_UT 1-10 m, 0.5-30 GHz
        (RMA, "ok"),
        ([*RMA, "network.radio.ue_height=1"], "ok"),
        ([*RMA, "network.radio.ue_height=0.99"], "network.radio.ue_height"),
        ([*RMA, "network.radio.ue_height=10"], "ok"),
        ([*RMA, "network.radio.ue_height=10.01"], "network.radio.ue_height"),
        ([*RMA, "cameras.7.height=10.01"], "cameras.7.height"),
        ([*RMA, "gnbs.0.height=10"], "ok"),
        ([*RMA, "gnbs.0.height=9.99"], "gnbs.0.height"),
        ([*RMA, "gnbs.0.height=150"], "ok"),
        ([*RMA, "gnbs.0.height=150.01"], "gnbs.0.height"),  # also above the schema's 150 m
        ([*RMA, "gnbs.0.frequency_ghz=30", "gnbs.0.numerology=3"], "ok"),
        ([*RMA, "gnbs.0.frequency_ghz=30.01", "gnbs.0.numerology=3"], "gnbs.0.frequency_ghz"),
        # carriers below 0.5 GHz: outside every TR 38.901 model (and NR FR1's 0.41 GHz lower edge)
        (["gnbs.0.frequency_ghz=0.5", "gnbs.0.bandwidth_mhz=40"], "ok"),
        (["gnbs.0.frequency_ghz=0.49", "gnbs.0.bandwidth_mhz=40"], "gnbs.0.frequency_ghz"),
        # drones: TR 36.777 aerial UEs above 22.5 m (UMa-AV, UMi-AV; RMa-AV above 10 m), at most 300 m
        (["drones.0.altitude=22.5"], "drones.0.altitude"),
        (["drones.0.altitude=22.51"], "ok"),
        (["drones.0.altitude=300"], "ok"),
        (["drones.0.altitude=300.01"], "drones.0.altitude"),
        ([*RMA, "drones.0.altitude=10"], "drones.0.altitude"),
        ([*RMA, "drones.0.altitude=10.01"], "ok"),
        # distances: the zone's farthest corner from a gNB within 4 km with drones (UMa-AV), 5 km without
        (["gnbs.0.position=[0, 0]", "zone.width=3872.98"], "ok"),  # 3999.99 m
        (["gnbs.0.position=[0, 0]", "zone.width=3873"], "gnbs.0.position"),  # 4000.01 m
        (["gnbs.0.position=[0, 0]", "zone.width=4898.97", "drones=[]"], "ok"),  # 4999.99 m
        (["gnbs.0.position=[0, 0]", "zone.width=4899", "drones=[]"], "gnbs.0.position"),  # 5000.02 m
    ],
)
def test_validity_boundaries_from_both_sides(overrides, expected):
    assert outcome(overrides) == expected


def test_the_error_names_the_model_and_its_range():
    with pytest.raises(ScenarioError, match=r"network.radio.ue_height: 1.4 m .* UMa .* 1.5-22.5 m"):
        load_scenario(DEFAULT, ["network.radio.ue_height=1.4"])
    with pytest.raises(ScenarioError, match=r"gnbs.0.frequency_ghz: 40 GHz is outside RMa .*0.5-30 GHz"):
        load_scenario(DEFAULT, [*RMA, "gnbs.0.frequency_ghz=40", "gnbs.0.numerology=3"])
    with pytest.raises(ScenarioError, match=r"drones.0.altitude: 500 m .* UMa-AV .* at most 300 m"):
        load_scenario(DEFAULT, ["drones.0.altitude=500"])


def test_the_model_is_chosen_per_gnb_with_a_scenario_default():
    from sim.network.radio_map import path_loss_model

    scenario = load_scenario(DEFAULT, ["gnbs.1.path_loss=umi", "gnbs.1.height=10"])
    assert [path_loss_model(g, scenario) for g in scenario.gnbs] == [M.UMA, M.UMI]


# ---------------------------------------------------------------- TR 36.777 Annex B by hand


def test_uma_av_by_hand():
    # h_UT 80 m, d_2D 500 m from a 25 m mast, 3.5 GHz: d_3D = hypot(500, 55) = 503.016 m, log = 2.701582.
    d3 = math.hypot(500, 55)
    # LOS: 28 + 22·2.701582 + 20 log 3.5 = 28 + 59.4348 + 10.8814
    assert float(aerial.aerial_los(M.UMA, d3, 3.5, 80)) == pytest.approx(98.32, abs=0.01)
    # NLOS: −17.5 + (46 − 7 log 80)·2.701582 + 20 log(40π·3.5/3) = −17.5 + 88.2833 + 43.3236
    assert float(aerial.aerial_nlos(M.UMA, d3, 3.5, 80)) == pytest.approx(114.11, abs=0.01)
    # Pr_LOS: d1 = 460 log 80 − 700 = 175.42 m, p1 = 4300 log 80 − 3800 = 4383.3 m:
    # 175.42/500 + exp(−500/4383.3)(1 − 175.42/500) = 0.35084 + 0.89220·0.64916
    assert aerial.aerial_los_probability(M.UMA, np.array([500.0]), 80)[0] == pytest.approx(0.93002, abs=1e-5)
    assert aerial.aerial_los_probability(M.UMA, np.array([3000.0]), 150)[0] == 1.0  # certain above 100 m
    # the relay takes the expected state: LOS here
    assert float(aerial.drone_to_gnb(M.UMA, np.array(500.0), 3.5, 25, 80)) == pytest.approx(98.32, abs=0.01)


def test_boat_to_drone_is_free_space_up_to_the_two_ray_breakpoint():
    # 80 m and 1.5 m at 3.5 GHz: d_BP = 2π·80·1.5·3.5e9/c = 8802.5 m
    assert aerial.two_ray_breakpoint(3.5, 1.5, 80) == pytest.approx(8802.5, abs=0.1)
    # 100 m off: d_3D = hypot(100, 78.5) = 127.13 m, 20 log(40π·127.13·3.5/3) = 85.41 dB
    assert float(aerial.boat_to_drone(np.array(100.0), 3.5, 1.5, 80)) == pytest.approx(85.41, abs=0.01)
    # beyond d_BP: 40 dB per decade of d_3D
    bp = aerial.two_ray_breakpoint(3.5, 1.5, 80)
    far = aerial.boat_to_drone(np.array([bp, 10 * bp]), 3.5, 1.5, 80)
    assert far[1] - far[0] == pytest.approx(40 * math.log10(math.hypot(10 * bp, 78.5) / math.hypot(bp, 78.5)))


@pytest.mark.parametrize("model", list(M))
def test_distances_below_10_m_are_evaluated_at_10_m(model):
    """The one clamp: Table 7.4.1-1 starts at d_2D = 10 m and gives no formula closer; grid cells nearer a
    mast take the 10 m value (docs/network.md, "Validity ranges")."""
    h_bs = radio.VALIDITY[model].h_bs_m[0] if model is not M.RMA else 35.0
    near = np.array([0.0, 5.0, 9.99, 10.0, 10.5])
    for los in (True, False):
        loss = radio.path_loss(model, near, 3.5, h_bs, 1.5, np.full(5, los))
        assert np.all(loss[:4] == loss[3]) and loss[4] > loss[3]


# ---------------------------------------------------------------- the radio map's memory


def test_a_radio_map_too_large_for_the_memory_names_the_grid_key_and_a_grid_that_fits(default_scenario):
    from sim.network.checks import check_map_size, radio_map_bytes

    need = radio_map_bytes(default_scenario)  # 200 x 200 cells at 5 m, 2 gNBs
    assert need == pytest.approx(200 * 200 * (520 + 2 * 20))
    check_map_size(default_scenario, memory_bytes=need)  # fits exactly: no error
    with pytest.raises(ScenarioError) as error:
        check_map_size(default_scenario, memory_bytes=need / 100)
    message = str(error.value)
    assert message.startswith("network.radio.resolution: a 5 m grid over the 1000 x 1000 m zone")
    assert "40,000 cells" in message and "0.0 GB" in message
    # At half the memory, the grid must cut the cells 200-fold: sqrt(200) x 5 m = 70.7 m, so 71 m.
    assert message.endswith("use a grid of 71 m or coarser")


def test_the_radio_map_memory_estimate_bounds_what_building_it_takes(default_scenario):
    """The estimate is an upper bound of the peak measured building the map and three profiles' rate maps,
    and not loose by more than a factor of two (it is what `validate` compares with the machine's memory)."""
    import tracemalloc

    from sim.core.rng import RandomStreams
    from sim.network.checks import radio_map_bytes
    from sim.network.links import PROFILES, Direction
    from sim.network.radio_map import RadioMap

    scenario = load_scenario(DEFAULT, ["network.radio.resolution=7"])  # a grid size no other test caches
    tracemalloc.start()
    try:
        radio_map = RadioMap(scenario, RandomStreams(0).stream("network/radio"))
        for name in ("nr_embb", "nr_urllc", "nr_mmtc"):
            for direction in Direction:
                radio_map.rate_map(PROFILES[name], direction)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= radio_map_bytes(scenario) <= 2 * peak
