"""Checks of a scenario's radio network: carriers, numerologies and bandwidths within 3GPP's ranges,
drone heights within TR 36.777's, link profiles that exist, a trace file that can be read.

Each failure raises :class:`~sim.errors.ScenarioError` naming the key path.
"""

from __future__ import annotations

from pathlib import Path

from sim.errors import ScenarioError, TraceError
from sim.network import radio
from sim.network.links import PROFILES
from sim.network.traces import TRACE_PROFILE, read_trace
from sim.scenario.models import Scenario


def check_radio(scenario: Scenario) -> None:
    """Carrier, numerology and bandwidth within 3GPP's ranges; drone heights within TR 36.777's."""
    for i, gnb in enumerate(scenario.gnbs):
        where = f"gnbs.{i}"
        band = radio.frequency_range(gnb.frequency_ghz)
        if band is None or gnb.frequency_ghz < 0.5:
            raise ScenarioError(
                f"{where}.frequency_ghz: {gnb.frequency_ghz:g} GHz is outside NR FR1 (0.5-7.125 GHz for "
                "the TR 38.901 model) and FR2 (24.25-52.6 GHz)"
            )
        numerologies = sorted(mu for b, mu in radio.CHANNEL_BANDWIDTHS_MHZ if b == band)
        if gnb.numerology not in numerologies:
            raise ScenarioError(
                f"{where}.numerology: {gnb.numerology} ({15 * 2**gnb.numerology} kHz) is not used for data "
                f"in {band} (valid: {', '.join(map(str, numerologies))})"
            )
        bandwidths = radio.CHANNEL_BANDWIDTHS_MHZ[(band, gnb.numerology)]
        if gnb.bandwidth_mhz not in bandwidths:
            raise ScenarioError(
                f"{where}.bandwidth_mhz: {gnb.bandwidth_mhz:g} MHz is not a {band} channel bandwidth at "
                f"{15 * 2**gnb.numerology} kHz (valid: {', '.join(map(str, bandwidths))})"
            )
    for i, drone in enumerate(scenario.drones):
        if not 22.5 <= drone.altitude <= 300:
            raise ScenarioError(
                f"drones.{i}.altitude: {drone.altitude:g} m is outside 22.5-300 m, where the TR 36.777 "
                "air-to-ground model holds"
            )


def check_profiles(scenario: Scenario) -> None:
    """Every link profile named exists; the ``trace`` profile has a readable ``network.trace``."""
    names = {"network.profile": scenario.network.profile}
    names |= {f"network.traffic.{k}": v for k, v in scenario.network.traffic.model_dump().items() if v}
    valid = sorted([*PROFILES, TRACE_PROFILE])
    for path, name in names.items():
        if name not in valid:
            raise ScenarioError(f"{path}: unknown link profile {name!r} (valid: {', '.join(valid)})")
    if TRACE_PROFILE in names.values():
        if scenario.network.trace is None:
            path = next(p for p, n in names.items() if n == TRACE_PROFILE)
            raise ScenarioError(
                f"{path}: profile 'trace' needs network.trace, a CSV file of measured latencies"
            )
        try:
            read_trace(Path(scenario.network.trace))
        except TraceError as error:
            raise ScenarioError(f"network.trace: {error}") from None
