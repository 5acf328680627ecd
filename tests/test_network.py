"""Links: TS 38.306 rate formula and sampled delays against their analytic means."""

import numpy as np
import pytest

from sim.network import PROFILES, Direction, Link, RadioTiming, peak_rate_mbps


def test_peak_rate_matches_the_published_nr_figure():
    # TS 38.306 §4.1.2 for one 100 MHz carrier at 30 kHz (273 PRB), 4 layers, 256QAM, f = 1,
    # FR1 downlink overhead 0.14: the widely quoted single-carrier NR peak of 2.337 Gbit/s.
    assert peak_rate_mbps(4, 8, 273, 1, overhead=0.14) == pytest.approx(2337.0, abs=0.5)


def test_peak_rate_by_hand_for_lte_like_carrier():
    # 100 PRB, 15 kHz: 1200 subcarriers x 14 000 symbols/s; 1 layer QPSK; overhead 0.
    by_hand = 1e-6 * 2 * (948 / 1024) * 1200 * 14_000
    assert peak_rate_mbps(1, 2, 100, 0, overhead=0.0) == pytest.approx(by_hand)


@pytest.mark.parametrize("name", sorted(PROFILES))
@pytest.mark.parametrize("direction", list(Direction))
def test_sampled_delay_mean_matches_analytic_mean(name, direction):
    link = Link(PROFILES[name], direction, backhaul_s=0.004, rng=np.random.default_rng(5), processing_s=0.01)
    samples = np.array([link.delay(200_000) for _ in range(40_000)])
    timing = link.timing
    # Standard deviation bound: uniform access wait plus geometric retransmissions.
    retx_var = timing.bler / (1 - timing.bler) ** 2 * timing.harq_rtt_s**2
    sd = np.sqrt(timing.access_period_s**2 / 12 + retx_var)
    assert samples.mean() == pytest.approx(
        link.mean_delay(200_000), abs=4 * sd / np.sqrt(len(samples)) + 1e-12
    )
    assert samples.min() >= timing.fixed_s + 0.014 - 1e-12


def test_urllc_commands_are_sub_millisecond_and_lte_is_slowest():
    small = 256
    means = {
        name: Link(p, Direction.DOWNLINK, 0.0, np.random.default_rng(0)).mean_delay(small)
        for name, p in PROFILES.items()
    }
    assert means["nr_urllc"] < 1e-3
    assert means["nr_urllc"] < means["nr_embb"] < means["lte"]
    uplink = {name: p.uplink.mean_delay(small) for name, p in PROFILES.items()}
    assert uplink["lte"] > 2 * uplink["nr_embb"]  # most of NR's gain is in the uplink


def test_transmission_time_grows_linearly_with_payload():
    timing = PROFILES["nr_embb"].uplink
    assert timing.mean_delay(2_000_000) - timing.mean_delay(1_000_000) == pytest.approx(
        8e6 / (timing.rate_mbps * 1e6)
    )


@pytest.mark.parametrize("payload", [0, -5])
def test_payload_must_be_positive(payload):
    link = Link(PROFILES["lte"], Direction.UPLINK, 0.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="payload"):
        link.delay(payload)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"bler": 1.0},
        {"bler": -0.1},
        {"rate_mbps": 0.0},
        {"fixed_s": -1.0},
    ],
)
def test_bad_timing_is_refused(kwargs):
    base = {"access_period_s": 1e-3, "fixed_s": 1e-3, "rate_mbps": 10.0, "bler": 0.1, "harq_rtt_s": 1e-3}
    with pytest.raises(ValueError):
        RadioTiming(**(base | kwargs))
