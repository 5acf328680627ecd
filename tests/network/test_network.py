"""Links: TS 38.306 rate formula, and sampled delays against their analytic means."""

from __future__ import annotations

import numpy as np
import pytest

from sim.network import radio
from sim.network.links import (
    PROFILES,
    Direction,
    FixedAccess,
    Link,
    LinkProfile,
    Scheduling,
    Service,
    Transfer,
    peak_rate_mbps,
    profile_name,
)

RATE_BPS = 50e6
"""Fixed access: 50 Mbit/s everywhere, in the profile's TTIs on a 30 kHz (μ = 1) carrier."""


def test_peak_rate_matches_the_published_nr_figure():
    # TS 38.306 §4.1.2 for one 100 MHz carrier at 30 kHz (273 PRB), 4 layers, 256QAM, f = 1,
    # FR1 downlink overhead 0.14: the widely quoted single-carrier NR peak of 2.337 Gbit/s.
    assert peak_rate_mbps(4, 8, 273, 1, overhead=0.14) == pytest.approx(2337.0, abs=0.5)


def test_peak_rate_by_hand_for_lte_like_carrier():
    # 100 PRB, 15 kHz: 1200 subcarriers x 14 000 symbols/s; 1 layer QPSK; overhead 0.
    by_hand = 1e-6 * 2 * (948 / 1024) * 1200 * 14_000
    assert peak_rate_mbps(1, 2, 100, 0, overhead=0.0) == pytest.approx(by_hand)


def _link(name: str, direction: Direction, **kwargs) -> Link:
    access = FixedAccess(RATE_BPS, PROFILES[name].tti_s(1))
    rng = np.random.default_rng(5)
    return Link(PROFILES[name], direction, 0.004, rng, access, processing_s=0.01, **kwargs)


@pytest.mark.parametrize("name", sorted(PROFILES))
@pytest.mark.parametrize("direction", list(Direction))
def test_sampled_delay_mean_matches_analytic_mean(name, direction):
    link = _link(name, direction, wake_up_s=0.02, paging_cycle_s=1.0)
    samples = np.array([link.delay(200_000, (0.0, 0.0)) for _ in range(20_000)])
    profile, tti = link.profile, PROFILES[name].tti_s(1)
    # Standard deviation bound: uniform scheduling and paging waits plus geometric retransmissions.
    retx_var = profile.bler / (1 - profile.bler) ** 2 * (profile.harq_rtt_ttis * tti) ** 2
    period = profile.scheduling(direction).period_ttis * tti
    paging = 1.0 if direction is Direction.DOWNLINK else 0.0
    sd = np.sqrt(period**2 / 12 + paging**2 / 12 + retx_var)
    assert samples.mean() == pytest.approx(
        link.mean_delay(200_000), abs=4 * sd / np.sqrt(len(samples)) + 1e-12
    )
    assert samples.min() >= 0.014


def test_transmission_takes_whole_ttis():
    link = _link("nr_embb", Direction.UPLINK)
    tti = 0.5e-3
    # 25 kbit per TTI: 1 byte and 3125 bytes both fit one TTI, 3126 bytes need two.
    one, full, two = (link.mean_delay(b) for b in (1, 3125, 3126))
    assert one == pytest.approx(full)
    assert two - one == pytest.approx(tti)


def test_ordering_of_services_for_a_small_command():
    means = {name: _link(name, Direction.DOWNLINK).mean_delay(256) - 0.014 for name in PROFILES}
    assert means["nr_urllc"] < 1e-3  # radio part under the TR 38.913 URLLC budget
    assert means["nr_urllc"] < means["nr_embb"] < means["lte"]
    uplink = {name: PROFILES[name].uplink for name in PROFILES}
    assert uplink["lte"].period_ttis * 1e-3 > 2 * uplink["nr_embb"].period_ttis * 0.5e-3


def test_lte_ttis_are_one_millisecond_whatever_the_gnb():
    assert PROFILES["lte"].tti_s(1) == 1e-3
    assert PROFILES["nr_embb"].tti_s(1) == 0.5e-3
    assert PROFILES["nr_urllc"].tti_s(1) == pytest.approx(0.5e-3 * 2 / 14)  # 2-symbol mini-slots


def test_mmtc_uplink_wakes_up_first_and_downlink_waits_for_paging():
    up = _link("nr_mmtc", Direction.UPLINK, wake_up_s=0.02, paging_cycle_s=10.24)
    awake = _link("nr_mmtc", Direction.UPLINK)
    assert up.mean_delay(200) - awake.mean_delay(200) == pytest.approx(0.02)
    down = _link("nr_mmtc", Direction.DOWNLINK, paging_cycle_s=10.24)
    assert down.mean_delay(200) - _link("nr_mmtc", Direction.DOWNLINK).mean_delay(200) == pytest.approx(5.12)


def test_every_transfer_is_logged_with_its_parts():
    rows: list[Transfer] = []
    link = _link("nr_embb", Direction.UPLINK, log=rows.append, traffic="evidence")
    total = link.delay(1_000_000, (10.0, 20.0), t=5.0)
    (row,) = rows
    assert (row.traffic, row.service, row.direction, row.x, row.y, row.t) == (
        "evidence", "embb", "uplink", 10.0, 20.0, 5.0,
    )  # fmt: skip
    parts = (
        row.route_wait_s + row.scheduling_s + row.transmission_s + row.harq_s + row.core_s + row.processing_s
    )
    assert row.total_s == pytest.approx(parts) == pytest.approx(total)
    assert row.transmission_s == pytest.approx(np.ceil(8e6 / 25_000) * 0.5e-3)


@pytest.mark.parametrize("payload", [0, -5])
def test_payload_must_be_positive(payload):
    with pytest.raises(ValueError, match="payload"):
        _link("lte", Direction.UPLINK).delay(payload)


@pytest.mark.parametrize("kwargs", [{"bler": 1.0}, {"bler": -0.1}, {"harq_rtt_ttis": -1}, {"core_s": -1.0}])
def test_bad_profile_is_refused(kwargs):
    base = {
        "name": "x",
        "service": Service.EMBB,
        "uplink": Scheduling(1, 1),
        "downlink": Scheduling(1, 1),
        "bler": 0.1,
        "harq_rtt_ttis": 4,
        "cqi_table": radio.CQI_NR_64QAM,
    }
    with pytest.raises(ValueError):
        LinkProfile(**(base | kwargs))


@pytest.mark.parametrize(
    ("traffic", "own", "default", "expected"),
    [
        ("alarm", None, "nr_embb", "nr_embb"),
        ("command", "nr_urllc", "nr_embb", "nr_urllc"),
        ("sensor", None, "nr_embb", "nr_mmtc"),  # mMTC by default
        ("heartbeat", None, "nr_embb", "nr_urllc"),
        ("command", "nr_urllc", "lte", "lte"),  # an LTE network has no NR services: one override
        ("telemetry", None, "lte", "lte"),
        ("alarm", "trace", "lte", "trace"),
        ("command", "nr_urllc", "trace", "trace"),  # a trace stands for the whole network
    ],
)
def test_profile_resolution(traffic, own, default, expected):
    assert profile_name(traffic, own, default) == expected
