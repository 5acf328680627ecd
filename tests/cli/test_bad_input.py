"""Bad input is expected.

The rule (DESIGN.md, principle 4): every scenario key is validated; an error
names the key path, says what is wrong, exits 2, prints no traceback and leaves
no output folder behind. Every case below drives ``sim.cli.main.main`` in-process
and checks all of that.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

import sim
from tests.helpers.cli import assert_one_error_line, call_main

ROOT = Path(sim.__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "xuchang_lake.yaml"
CITY = ROOT / "scenarios" / "city_waterways.yaml"
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))

MISSING = object()
"""Scenario marker: pass a path that does not exist."""

EXTENDS = "extends: @DEFAULT\n"
"""Header of a scenario that starts from the default one (from another folder) and overrides a few keys."""
EXTENDS_CITY = "extends: @CITY\n"
"""The same, starting from the 5 km x 4 km city scenario."""
ONLY_JANUARY = "[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]"

CAMERA = """\
cameras:
  - id: cam-a
    position: [370, 245]
    height: 12
    yaw: 60
    pitch: 15
    hfov: 70
    resolution: [1920, 1080]
"""
"""One camera of the default scenario, without its fps line."""

POND_DOCK = """\
zone:
  water:
    - [[200, 200], [800, 200], [800, 850], [200, 850]]
    - [[900, 900], [980, 900], [980, 980], [900, 980]]
docks:
  - {id: dock-south, position: [620, 195]}
  - {id: dock-north, position: [688, 855]}
  - {id: dock-pond, position: [940, 985]}
cameras: []
"""
"""A square lake holding the default no-go areas and island, its docks on its shore (the default cameras
and docks would stand in it: no cameras), and a pond with a dock of its own."""

POND_AREA = """\
zone:
  water:
    - [[200, 200], [800, 200], [800, 850], [200, 850]]
    - [[900, 900], [980, 900], [980, 980], [900, 980]]
  no_swimming:
    - {id: ns-beach, polygon: [[380, 240], [560, 240], [565, 330], [375, 335]]}
    - {id: ns-pond, polygon: [[910, 910], [970, 910], [970, 970], [910, 970]]}
docks:
  - {id: dock-south, position: [620, 195]}
  - {id: dock-north, position: [688, 855]}
cameras: []
"""
"""The same lake and pond, no cameras, the docks on the lake's shore and a no-swimming area on the pond."""


TRACE = "network:\n  profile: trace\n  trace: t.csv\n"
"""Network section of a scenario replaying the latency trace t.csv beside it."""


def _expand(text: str) -> str:
    return text.replace("@DEFAULT", str(DEFAULT)).replace("@CITY", str(CITY))


def _scenario_path(tmp_path: Path, scenario: object) -> Path:
    """The scenario argument for a case: the default file, a missing file, or YAML written to tmp_path."""
    if isinstance(scenario, dict):  # several files, the scenario is scenario.yaml
        for name, text in scenario.items():
            (tmp_path / name).write_text(_expand(text), encoding="utf-8")
        return tmp_path / "scenario.yaml"
    if scenario is None:
        return DEFAULT
    if scenario is MISSING:
        return tmp_path / "nope.yaml"
    path = tmp_path / "scenario.yaml"
    if isinstance(scenario, bytes):
        path.write_bytes(scenario)
    else:
        path.write_text(_expand(str(scenario)), encoding="utf-8")
    return path


def _assert_nothing_left(tmp_path: Path, before: set[str]) -> None:
    after = {p.name for p in tmp_path.iterdir()}
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".out.*")), "a temporary output folder was left behind"
    assert after == before, f"new entries left in {tmp_path}: {sorted(after - before)}"


# ---------------------------------------------------------------- scenario cases
#
# (scenario, one --set override or None, fragments the error line must contain).
# scenario: None = the default scenario, MISSING = a path that does not exist,
# YAML text (or bytes) written to tmp_path/scenario.yaml, or {file name: YAML}
# with the scenario in scenario.yaml. Each case runs through both `run` and
# `validate`. EXTENDS + text: the default scenario with a few keys overridden.

SCENARIO_CASES = [
    # -- the file itself
    pytest.param(MISSING, None, ("nope.yaml", "no such file"), id="missing-file"),
    pytest.param("", None, ("scenario.yaml", "empty"), id="empty-file"),
    pytest.param("# only a comment\n\n", None, ("scenario.yaml", "empty"), id="comments-only-file"),
    pytest.param("- a\n- b\n", None, ("scenario.yaml", "mapping"), id="top-level-list"),
    # a file that is not UTF-8 text
    pytest.param(b"name: caf\xe9\n", None, ("scenario.yaml", "utf-8"), id="not-utf8"),
    # -- YAML syntax errors give the line of the problem
    pytest.param(
        "name: x\nrun:\n  seed: 1\n  duration: 6h: 7\n", None, ("syntax", "line 4"), id="yaml-colon-in-value"
    ),
    pytest.param("name: x\nrun:\n  seed: 1\n duration: 6h\n", None, ("syntax", "line 4"), id="yaml-indent"),
    pytest.param("name: x\n\tfoo: 1\n", None, ("syntax", "line 2"), id="yaml-tab"),
    # -- duplicate keys (PyYAML alone would keep the last one silently)
    pytest.param(
        "name: a\ndescription: x\nname: b\n", None, ("duplicate", "'name'", "line 3", "line 1"), id="dup-top"
    ),
    pytest.param(
        "name: a\nrun:\n  seed: 1\n  seed: 2\n",
        None,
        ("duplicate", "'seed'", "line 4", "line 3"),
        id="dup-nested",
    ),
    pytest.param(
        "cameras:\n  - id: a\n    fps: 1\n    fps: 2\n",
        None,
        ("duplicate", "'fps'", "line 4"),
        id="dup-in-list",
    ),
    # -- unknown keys, with a suggestion
    pytest.param(EXTENDS + "camras: []\n", None, ("camras", "unknown key", "'cameras'"), id="typo-top"),
    pytest.param(EXTENDS + "dispach: {}\n", None, ("dispach", "unknown key", "'dispatch'"), id="typo-top-2"),
    pytest.param(EXTENDS + "run:\n  sed: 3\n", None, ("run.sed", "unknown key", "'seed'"), id="typo-run"),
    # a camera with fps and a stray fsp
    pytest.param(
        EXTENDS + CAMERA + "    fps: 15\n    fsp: 10\n",
        None,
        ("cameras.0.fsp", "unknown key", "'fps'"),
        id="typo-camera-extra",
    ),
    # fps mistyped as fsp: the typo, not only the missing fps, must be named
    pytest.param(
        EXTENDS + CAMERA + "    fsp: 10\n", None, ("cameras.0.fsp", "'fps'"), id="typo-camera-instead-of-fps"
    ),
    pytest.param(None, "cameras.0.fsp=10", ("cameras.0.fsp", "'fps'"), id="typo-set"),
    # -- wrong types
    pytest.param(None, "cameras.0.fps=fast", ("cameras.0.fps", "number", "fast"), id="fps-not-number"),
    pytest.param(EXTENDS + "zone:\n  width: wide\n", None, ("zone.width", "number"), id="width-not-number"),
    pytest.param(None, "run.start=banana", ("run.start", "datetime"), id="start-not-datetime"),
    pytest.param(None, "cameras.0=5", ("cameras.0:", "camera"), id="camera-not-mapping"),
    pytest.param(None, "cameras.0.position=[1]", ("cameras.0.position", "missing"), id="position-one-number"),
    # the key path must be the user's, not pydantic's internal validator names
    pytest.param(
        None, "detection.calibration=5", ("error: detection.calibration: ",), id="calibration-not-mapping"
    ),
    pytest.param(
        None, "detection.calibration=nope.json", ("detection.calibration", "nope.json"), id="cal-file"
    ),
    # -- the detector threshold: one number, or one per kind (the path never shows pydantic's union tags)
    pytest.param(
        None, "detection.threshold=1", ("error: detection.threshold: ", "less than 1"), id="threshold-one"
    ),
    pytest.param(
        None,
        "detection.threshold=high",
        ("error: detection.threshold: ", "number", "high"),
        id="threshold-not-number",
    ),
    pytest.param(
        None,
        "detection.threshold.fishing=1.5",
        ("error: detection.threshold.fishing: ", "less than 1", "1.5"),
        id="kind-threshold-out-of-range",
    ),
    pytest.param(
        None,
        "detection.threshold.swimming=0",
        ("error: detection.threshold.swimming: ", "greater than 0"),
        id="kind-threshold-zero",
    ),
    pytest.param(
        None,
        "detection.threshold.swimming=high",
        ("error: detection.threshold.swimming: ", "number", "high"),
        id="kind-threshold-not-number",
    ),
    pytest.param(
        None,
        "detection.threshold.diving=0.5",
        ("error: detection.threshold.diving: ", "swimming", "fishing", "diving"),
        id="kind-threshold-unknown-kind",
    ),
    pytest.param(
        None,
        "detection.threshold={swimming: 0.8}",
        ("error: detection.threshold: ", "no value for fishing"),
        id="kind-threshold-kind-missing",
    ),
    pytest.param(
        EXTENDS + "detection:\n  threshold: {swimming: 0.8, fishing: -0.1}\n",
        None,
        ("error: detection.threshold.fishing: ", "greater than 0"),
        id="kind-threshold-file-out-of-range",
    ),
    pytest.param(
        EXTENDS + "detection:\n  threshold: {swimming: 0.8, fishing: 0.5, diving: 0.3}\n",
        None,
        ("error: detection.threshold.diving: ", "swimming", "fishing"),
        id="kind-threshold-file-unknown-kind",
    ),
    pytest.param(
        None,
        "detection.threshold.fishing.night=0.5",
        ("detection.threshold.fishing", "a value, not a mapping"),
        id="kind-threshold-too-deep",
    ),
    # -- zero, negative and non-finite numbers
    pytest.param(
        None,
        "incidents.swimming.rate_per_hour=0",
        ("incidents.swimming.rate_per_hour", "greater than 0"),
        id="rate-zero",
    ),
    pytest.param(
        None, "boats.0.cruise_speed=-1", ("boats.0.cruise_speed", "greater than 0"), id="speed-negative"
    ),
    pytest.param(None, "cameras.0.fps=0", ("cameras.0.fps", "greater than 0"), id="fps-zero"),
    pytest.param(None, "run.duration=-5m", ("run.duration", "greater than 0"), id="duration-negative-set"),
    pytest.param(None, "run.duration=0", ("run.duration", "greater than 0"), id="duration-zero-set"),
    pytest.param(None, "zone.width=0", ("zone.width", "greater than 0"), id="zone-width-zero"),
    # infinity passes `gt=0`: it must still be refused, not crash the run later
    pytest.param(
        None,
        "incidents.swimming.rate_per_hour=.inf",
        ("incidents.swimming.rate_per_hour", "finite"),
        id="rate-infinite",
    ),
    pytest.param(None, "cameras.0.max_range=.inf", ("cameras.0.max_range", "finite"), id="range-infinite"),
    # -- thermal cameras (sim/render/thermal_look.py) and the climate they see
    pytest.param(
        None,
        "cameras.0.sensor=uv",
        ("cameras.0.sensor", "'visible' or 'thermal'", "'uv'"),
        id="sensor-unknown",
    ),
    pytest.param(
        None, "cameras.0.thermal.netd=0", ("cameras.0.thermal.netd", "greater than 0"), id="netd-zero"
    ),
    pytest.param(
        None, "cameras.0.thermal.netd=-40", ("cameras.0.thermal.netd", "greater than 0"), id="netd-negative"
    ),
    pytest.param(
        None, "cameras.0.thermal.netd=.inf", ("cameras.0.thermal.netd", "finite"), id="netd-infinite"
    ),
    pytest.param(
        None,
        "cameras.0.thermal={netd: 50, nedt: 40}",
        ("cameras.0.thermal.nedt", "unknown key", "'netd'"),
        id="netd-typo",
    ),
    pytest.param(
        EXTENDS + "zone:\n  climate:\n    air_temperature: [0, 4, 11, 17, 23, 27, 27, 26, 21, 18, 8, -300]\n",
        None,
        ("zone.climate.air_temperature.11", "-300 °C is below absolute zero"),
        id="air-below-absolute-zero",
    ),
    pytest.param(
        None,
        "zone.climate.air_temperature=[0, 4, 11, 17, 23, 27, 27, 26, 21, 18, 8]",
        ("zone.climate.air_temperature", "at least 12"),
        id="air-eleven-months",
    ),
    pytest.param(
        None,
        "zone.climate.water_minimum=-274",
        ("zone.climate.water_minimum", "greater than or equal to 0"),
        id="water-below-freezing",
    ),
    # a thermal core has no near-infrared illuminator mode
    pytest.param(
        EXTENDS + CAMERA + "    fps: 15\n    sensor: thermal\n    infrared: true\n",
        None,
        ("cameras.0.infrared", "thermal camera has no near-infrared"),
        id="thermal-with-infrared",
    ),
    # -- the far-bank tile of the fishing detector (sim/pixel/far_bank_tile.py)
    pytest.param(
        None,
        "cameras.4.fishing_tile_beyond=0",
        ("cameras.4.fishing_tile_beyond", "greater than 0"),
        id="tile-0",
    ),
    pytest.param(
        None, "cameras.4.fishing_tile_beyond=.inf", ("cameras.4.fishing_tile_beyond", "finite"), id="tile-inf"
    ),
    pytest.param(
        None, "cameras.4.fishing_tile_beyond=far", ("cameras.4.fishing_tile_beyond", "number"), id="tile-word"
    ),
    pytest.param(
        None,
        "cameras.4.fishing_tile_beyond=350",
        ("cameras.4.fishing_tile_beyond", "350 m", "not below max_range 350 m"),
        id="tile-beyond-range",
    ),
    # cam-beach-w sees no no-fishing bank at all: a tile there would silently analyse nothing
    pytest.param(
        None,
        "cameras.0.fishing_tile_beyond=100",
        ("cameras.0.fishing_tile_beyond", "'cam-beach-w'", "no no-fishing bank farther than 100 m"),
        id="tile-no-far-bank",
    ),
    # -- positions and areas
    pytest.param(None, "cameras.0.position=[1200, 50]", ("cameras.0.position", "outside"), id="camera-out"),
    pytest.param(None, "docks.0.position=[1200, 50]", ("docks.0.position", "outside"), id="dock-out"),
    pytest.param(None, "docks.0.position=[500, 50]", ("docks.0.position", "from the water"), id="dock-dry"),
    pytest.param(None, "gnbs.1.position=[-5, 10]", ("gnbs.1.position", "outside"), id="gnb-out"),
    pytest.param(
        None, "drones.0.position=[1500, 240]", ("drones.0.position", "outside"), id="drone-base-out"
    ),
    # -- radio: 3GPP ranges (TS 38.104 frequency ranges, TS 38.101-1/-2 bandwidths, TS 38.211 numerology)
    pytest.param(None, "gnbs.0.frequency_ghz=10", ("gnbs.0.frequency_ghz", "outside", "FR1"), id="freq-gap"),
    pytest.param(None, "gnbs.0.frequency_ghz=0.3", ("gnbs.0.frequency_ghz", "outside"), id="freq-low"),
    pytest.param(None, "gnbs.0.frequency_ghz=-1", ("gnbs.0.frequency_ghz", "greater than 0"), id="freq-neg"),
    pytest.param(
        None, "gnbs.1.bandwidth_mhz=120", ("gnbs.1.bandwidth_mhz", "120 MHz", "valid"), id="bandwidth-fr1"
    ),
    # 15 kHz carriers stop at 50 MHz (TS 38.101-1 Table 5.3.5-1)
    pytest.param(None, "gnbs.0.numerology=0", ("gnbs.0.bandwidth_mhz", "15 kHz"), id="bandwidth-scs"),
    pytest.param(None, "gnbs.0.numerology=3", ("gnbs.0.numerology", "not used", "FR1"), id="numerology-fr1"),
    pytest.param(
        None, "gnbs.0.numerology=4", ("gnbs.0.numerology", "less than or equal to 3"), id="numerology"
    ),
    pytest.param(None, "drones.0.altitude=10", ("drones.0.altitude", "22.5"), id="drone-too-low"),
    # -- each path-loss model within its validity (TR 38.901 Table 7.4.1-1, TR 36.777 Table B-2)
    pytest.param(
        None, "drones.0.altitude=301", ("drones.0.altitude", "UMa-AV", "at most 300 m"), id="drone-too-high"
    ),
    pytest.param(
        None, "network.radio.ue_height=1.4", ("network.radio.ue_height", "UMa", "1.5-22.5 m"), id="ut-low"
    ),
    pytest.param(
        None, "network.radio.ue_height=22.6", ("network.radio.ue_height", "UMa", "1.5-22.5 m"), id="ut-high"
    ),
    pytest.param(None, "cameras.2.height=30", ("cameras.2.height", "UMa", "1.5-22.5 m"), id="camera-ut-high"),
    pytest.param(
        None, "gnbs.1.path_loss=umi", ("gnbs.1.height", "UMi-Street Canyon", "h_BS = 10 m"), id="umi-on-25-m"
    ),
    pytest.param(
        None,
        'gnbs=[{"id": "g", "position": [300, 150], "height": 35, "path_loss": "rma", "frequency_ghz": 40, '
        '"numerology": 3, "bandwidth_mhz": 100}]',
        ("gnbs.0.frequency_ghz", "40 GHz", "RMa", "0.5-30 GHz"),
        id="freq-outside-rma",
    ),
    pytest.param(
        None,
        "network.radio.path_loss=cost231",
        ("network.radio.path_loss", "'uma', 'umi' or 'rma'", "cost231"),
        id="path-loss-unknown",
    ),
    pytest.param(
        None,
        "gnbs.0.path_loss=UMa",
        ("gnbs.0.path_loss", "'uma', 'umi' or 'rma'"),
        id="gnb-path-loss-unknown",
    ),
    # -- a network that cannot work (found from the radio map at the scenario's seed, by validate and run)
    pytest.param(
        None, "network.video_bits_per_pixel.h264=3", ("cameras", "video streams need"), id="cell-overload"
    ),
    # a dock in a 60 dB radio shadow: boats berthed there could never be reached
    pytest.param(
        None,
        "network.radio.obstructions=[{id: s, polygon: [[600, 260], [640, 260], [640, 300], [600, 300]],"
        " loss_db: 60}]",
        ("docks.0.position", "no gNB coverage"),
        id="dock-in-hole",
    ),
    # a camera in that shadow cannot stream or send alarms
    pytest.param(
        None,
        "network.radio.obstructions=[{id: s, polygon: [[840, 400], [880, 400], [880, 440], [840, 440]],"
        " loss_db: 90}]",
        ("cameras.2.position", "no uplink coverage"),
        id="camera-in-hole",
    ),
    pytest.param(None, "network.profile=trace", ("network.profile", "network.trace"), id="trace-unset"),
    pytest.param(
        None,
        "network.traffic.evidence=trace",
        ("network.traffic.evidence", "network.trace"),
        id="trace-unset-traffic",
    ),
    pytest.param(
        EXTENDS + "network:\n  profile: trace\n  trace: nowhere.csv\n",
        None,
        ("network.trace", "nowhere.csv", "no such file"),
        id="trace-missing",
    ),
    pytest.param(
        {"scenario.yaml": EXTENDS + TRACE, "t.csv": ""},
        None,
        ("network.trace", "t.csv", "empty"),
        id="trace-empty",
    ),
    pytest.param(
        {"scenario.yaml": EXTENDS + TRACE, "t.csv": "latency_s\n"},
        None,
        ("network.trace", "t.csv", "no values"),
        id="trace-header-only",
    ),
    pytest.param(
        {"scenario.yaml": EXTENDS + TRACE, "t.csv": "latency_s\n0.01\n-0.002\n"},
        None,
        ("network.trace", "row 3", "negative"),
        id="trace-negative",
    ),
    pytest.param(
        {"scenario.yaml": EXTENDS + TRACE, "t.csv": "latency_s\n0.01\nfast\n"},
        None,
        ("network.trace", "row 3", "'fast'", "not a number"),
        id="trace-not-numeric",
    ),
    pytest.param(
        {"scenario.yaml": EXTENDS + TRACE, "t.csv": "a,b\n1,2\n"},
        None,
        ("network.trace", "latency_s"),
        id="trace-two-columns",
    ),
    pytest.param(
        EXTENDS
        + "network:\n  radio:\n    obstructions:\n"
        + "      - {id: o, polygon: [[0, 0], [9, 0], [9, 9]], loss_db: 0}\n",
        None,
        ("network.radio.obstructions.0.loss_db", "greater than 0"),
        id="obstruction-no-loss",
    ),
    pytest.param(
        EXTENDS
        + "buoys:\n  - {id: b1, position: [10, 990], detection_radius: 20, report_interval: 60,"
        + " detection_probability: 0.9}\n",
        None,
        ("buoys.0.position", "not on water"),
        id="buoy-on-land",
    ),
    # a no-swimming area entirely on land (north-west corner)
    pytest.param(
        None,
        "zone.no_swimming.0.polygon=[[10,950],[60,950],[60,990],[10,990]]",
        ("zone.no_swimming.0", "does not overlap water"),
        id="no-swimming-on-land",
    ),
    # a no-fishing area in the middle of the lake, away from any shore
    pytest.param(
        None,
        "zone.no_fishing.0.polygon=[[500,500],[520,500],[520,520]]",
        ("zone.no_fishing.0", "does not overlap"),
        id="no-fishing-off-shore",
    ),
    # an island on land, far from the lake
    pytest.param(
        None,
        "zone.islands.0=[[10,950],[60,950],[60,990],[10,990]]",
        ("zone.islands.0", "not inside the water"),
        id="island-on-land",
    ),
    pytest.param(
        None,
        "zone.water.1=[[0,0],[100,100],[100,0],[0,100]]",
        ("zone.water.1", "crosses itself"),
        id="water-bowtie",
    ),
    # -- the city scenario: a camera or a dock moved onto a lake (the narrows lake's east basin)
    pytest.param(
        EXTENDS_CITY,
        "cameras.3.position=[2800, 880]",
        ("cameras.3.position", "'cam-04'", "stands on water", "m from the shore"),
        id="city-camera-on-water",
    ),
    pytest.param(
        EXTENDS_CITY,
        "docks.6.position=[2800, 880]",
        ("docks.6.position", "'dock-west-basin'", "on water", "m from the shore"),
        id="city-dock-on-water",
    ),
    # -- a radio map too large for this machine: how large, and the key that sets the grid
    pytest.param(
        EXTENDS_CITY,
        "network.radio.resolution=0.01",
        ("network.radio.resolution", "0.01 m grid", "5000 x 4000 m zone", "200,000,000,000 cells", "GB"),
        id="radio-map-too-large",
    ),
    # -- hotspots: an area's hourly and monthly multipliers
    pytest.param(
        None,
        "zone.no_swimming.0.hourly_profile=[1, 2]",
        ("zone.no_swimming.0.hourly_profile", "at least 24"),
        id="hotspot-hours-short",
    ),
    pytest.param(
        None,
        "zone.no_swimming.1.monthly_profile=[1, 1, 1, 1, 1, -1, 1, 1, 1, 1, 1, 1]",
        ("zone.no_swimming.1", "monthly_profile", "negative"),
        id="hotspot-negative",
    ),
    pytest.param(
        EXTENDS
        + "zone:\n  no_fishing:\n"
        + "    - {id: nf-a, polygon: [[730, 500], [830, 500], [830, 680], [730, 680]], monthly_profile: "
        + ONLY_JANUARY
        + "}\n",
        None,
        ("zone.no_fishing", "no area takes fishing incidents", "February", "incidents.fishing"),
        id="hotspot-nobody-in-february",
    ),
    # -- --set paths that do not exist
    pytest.param(None, "cameras.0.nonsense=1", ("cameras.0.nonsense", "no key"), id="set-unknown-leaf"),
    pytest.param(None, "nothere.x=1", ("nothere", "no key"), id="set-unknown-top"),
    pytest.param(None, "cameras.99.fps=10", ("cameras.99", "no index 99"), id="set-index-range"),
    pytest.param(None, "cameras.0.fps.x=1", ("cameras.0.fps", "not a mapping"), id="set-into-value"),
    pytest.param(None, "cameras.0.fps", ("cameras.0.fps", "key.path=value"), id="set-no-equals"),
    pytest.param(None, "cameras..fps=1", ("cameras..fps", "empty key"), id="set-empty-key"),
    # -- boats and ids
    pytest.param(
        None, "boats.0.cruise_speed=6", ("boats.0", "cruise_speed", "above max_speed"), id="cruise-above-max"
    ),
    pytest.param(
        None, "boats.0.reserve_wh=3000", ("boats.0", "reserve_wh", "not below battery_wh"), id="reserve-high"
    ),
    pytest.param(None, "boats.0.dock=dock-west", ("boats.0.dock", "no dock", "dock-west"), id="boat-dock"),
    pytest.param(None, "boats.1.max_speed=0", ("boats.1.max_speed", "greater than 0"), id="max-speed-zero"),
    pytest.param(None, "boats.2.acceleration=-1", ("boats.2.acceleration", "greater than 0"), id="accel"),
    pytest.param(None, "boats.0.deceleration=0", ("boats.0.deceleration", "greater than 0"), id="decel"),
    pytest.param(
        None, "boats.0.reserve_wh=2000", ("boats.0", "reserve_wh", "not below battery_wh"), id="reserve-equal"
    ),
    # a dock on a pond of its own: boats from it could never reach a no-go area
    pytest.param(
        EXTENDS + POND_DOCK, None, ("docks.2", "dock-pond", "reaches no no-swimming"), id="dock-cannot-reach"
    ),
    pytest.param(
        EXTENDS + POND_AREA, None, ("zone.no_swimming.1", "ns-pond", "from any dock"), id="area-unreachable"
    ),
    pytest.param(
        None,
        "zone.current={type: uniform, velocity: [3, 0]}",
        ("zone.current", "not below", "cruise_speed", "headway"),
        id="current-too-strong",
    ),
    pytest.param(
        None,
        "zone.current={type: grid, spacing: 100, east: [[0, 1]], north: [[0, 1]]}",
        ("zone.current", "at least 2 x 2"),
        id="current-grid-one-row",
    ),
    pytest.param(
        None,
        "zone.current={type: grid, spacing: 100, east: [[0, 1], [0, 1]], north: [[0, 1, 2], [0, 1, 2]]}",
        ("zone.current", "differ in shape"),
        id="current-grid-shapes",
    ),
    pytest.param(
        None, "zone.current={type: whirlpool}", ("zone.current", "uniform", "grid"), id="current-type"
    ),
    pytest.param(
        None,
        "dispatch.on_scene.message_length=100",
        ("dispatch.on_scene.message_length", "longer than", "warning_interval"),
        id="message-too-long",
    ),
    pytest.param(
        None, "dispatch.policy=zone_patrol", ("dispatch.patrol_points", "at least one"), id="patrol-no-points"
    ),
    pytest.param(
        None,
        "dispatch.patrol_points=[[500, 500], [10, 10]]",
        ("dispatch.patrol_points.1", "not on water"),
        id="patrol-point-on-land",
    ),
    # zone_patrol boats wait at their points: one in a radio shadow could never be reached
    pytest.param(
        EXTENDS
        + "dispatch:\n  policy: zone_patrol\n  patrol_points: [[500, 500], [780, 420]]\n"
        + "network:\n  radio:\n    obstructions:\n      - id: s\n"
        + "        polygon: [[700, 340], [845, 340], [845, 690], [700, 690]]\n        loss_db: 60\n",
        None,
        ("dispatch.patrol_points.1", "no gNB coverage"),
        id="patrol-point-in-hole",
    ),
    pytest.param(
        None,
        "dispatch.operator={delay: {dist: exponential, mean: 20}, reject_false_share: 1.5}",
        ("dispatch.operator.reject_false_share", "less than or equal to 1"),
        id="operator-share",
    ),
    pytest.param(
        None,
        "dispatch.operator={reject_false_share: 0.5}",
        ("dispatch.operator.delay", "missing"),
        id="operator-no-delay",
    ),
    pytest.param(None, "cameras.1.id=cam-beach-w", ("cameras.1.id", "already used"), id="dup-camera-id"),
    pytest.param(None, "boats.1.id=usv-1", ("boats.1.id", "already used"), id="dup-boat-id"),
    pytest.param(None, "docks.1.id=dock-south", ("docks.1.id", "already used"), id="dup-dock-id"),
    # -- names that must be registered: the error lists the valid ones
    pytest.param(
        None,
        "dispatch.policy=random_walk",
        ("dispatch.policy", "unknown policy", "random_walk", "nearest_idle"),
        id="unknown-policy",
    ),
    pytest.param(
        None,
        "network.profile=wifi",
        ("network.profile", "unknown link profile", "wifi", "lte", "nr_embb", "nr_urllc"),
        id="unknown-profile",
    ),
    pytest.param(
        None,
        "network.traffic.alarm=wifi",
        ("network.traffic.alarm", "unknown link profile", "nr_embb"),
        id="unknown-traffic-profile",
    ),
    pytest.param(None, "network.inference=fog", ("network.inference", "edge", "cloud"), id="inference"),
    # -- extends
    pytest.param(
        "extends: nowhere.yaml\nname: x\n",
        None,
        ("extends", "no such file", "nowhere.yaml"),
        id="extends-missing",
    ),
    pytest.param("extends: 5\nname: x\n", None, ("extends", "file path"), id="extends-not-path"),
    # two files that extend each other
    pytest.param(
        {
            "scenario.yaml": "extends: other.yaml\nname: s\n",
            "other.yaml": "extends: scenario.yaml\nname: o\n",
        },
        None,
        ("extends", "cycle", "scenario.yaml", "other.yaml"),
        id="extends-cycle",
    ),
    pytest.param("extends: scenario.yaml\nname: s\n", None, ("extends", "cycle"), id="extends-itself"),
]


@pytest.mark.parametrize(("scenario", "override", "expected"), SCENARIO_CASES)
def test_run_rejects_bad_scenario(tmp_path, capsys, scenario, override, expected):
    path = _scenario_path(tmp_path, scenario)
    before = {p.name for p in tmp_path.iterdir()}
    # a short run in case validation wrongly passes; the case's own --set comes later and wins
    argv = ["run", "--scenario", str(path), "--no-figures", "--out", str(tmp_path / "out")]
    argv += ["--set", "run.duration=30m"]
    if override is not None:
        argv += ["--set", override]
    rc = call_main(argv)
    assert_one_error_line(capsys, rc, expected)
    _assert_nothing_left(tmp_path, before)


@pytest.mark.parametrize(("scenario", "override", "expected"), SCENARIO_CASES)
def test_validate_rejects_bad_scenario(tmp_path, capsys, scenario, override, expected):
    path = _scenario_path(tmp_path, scenario)
    argv = ["validate", str(path)]
    if override is not None:
        argv += ["--set", override]
    rc = call_main(argv)
    assert_one_error_line(capsys, rc, expected)


# ---------------------------------------------------------------- command-line flags
#
# (arguments after `run`, fragments the error line must contain). The default
# scenario, a 30-minute run and --out tmp_path/out come first, so a case's
# own flags win.

FLAG_CASES = [
    # argparse takes "-5m" for an option; the message must still say what is wrong
    pytest.param(["--duration", "-5m"], ("--duration", "positive"), id="duration-negative"),
    pytest.param(["--duration=-5m"], ("--duration", "positive"), id="duration-negative-equals"),
    pytest.param(["--duration", "0"], ("--duration", "positive"), id="duration-zero"),
    pytest.param(
        ["--duration", "banana"], ("--duration", "banana", "expected a duration"), id="duration-banana"
    ),
    pytest.param(["--duration", "5 weeks"], ("--duration", "expected a duration"), id="duration-unit"),
    pytest.param(["--seed", "-1"], ("--seed", ">= 0"), id="seed-negative"),
    pytest.param(["--seed", "seven"], ("--seed", "invalid int"), id="seed-not-int"),
    pytest.param(["--mode", "fast"], ("--mode", "invalid choice", "statistical"), id="mode-unknown"),
    pytest.param(["--bogus"], ("unrecognized", "--bogus"), id="unknown-flag"),
    pytest.param(["--set"], ("--set", "expected one argument"), id="set-without-value"),
]


@pytest.mark.parametrize(("args", "expected"), FLAG_CASES)
def test_run_rejects_bad_flag(tmp_path, capsys, args, expected):
    before = {p.name for p in tmp_path.iterdir()}
    out = tmp_path / "out"
    argv = ["run", "--scenario", str(DEFAULT), "--duration", "30m", "--no-figures", "--out", str(out)]
    rc = call_main(argv + args)
    assert_one_error_line(capsys, rc, expected)
    _assert_nothing_left(tmp_path, before)


def test_run_rejects_out_in_missing_folder(tmp_path, capsys):
    out = tmp_path / "missing" / "out"
    rc = call_main(["run", "--duration", "30m", "--no-figures", "--out", str(out)])
    assert_one_error_line(capsys, rc, ("--out", "does not exist", str(out.parent)))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["frobnicate"], ("frobnicate", "invalid choice"), id="unknown-command"),
        pytest.param(["validate"], ("required", "scenario"), id="validate-without-file"),
        pytest.param(["schema", "extra"], ("unrecognized", "extra"), id="schema-extra-argument"),
    ],
)
def test_bad_command_line(capsys, argv, expected):
    rc = call_main(argv)
    assert_one_error_line(capsys, rc, expected)


# ---------------------------------------------------------------- bundled scenarios are valid


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_validate_bundled_scenario(capsys, path):
    rc = call_main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert err == ""
    first = out.splitlines()[0]
    assert first.endswith(": valid")


def test_bundled_scenarios_found():
    assert DEFAULT in BUNDLED
    assert len(BUNDLED) >= 2


# ---------------------------------------------------------------- sweep files
#
# (sweep file text below a `scenario:` line naming the default scenario, fragments the error line must
# contain). Every case must fail before any run starts and leave no output folder.

SWEEP_CASES = [
    pytest.param(
        "seeds: 2\ngrid:\n  network.profil: [lte]\n",
        ("grid", "network.profil", "no key 'profil'", "did you mean 'profile'"),
        id="swept-key-not-a-scenario-key",
    ),
    pytest.param("seeds: 2\ngrid:\n  bogus: [1, 2]\n", ("grid", "no key 'bogus'"), id="swept-key-unknown"),
    pytest.param("seeds: 2\ngrid: {}\n", ("grid", "empty"), id="grid-empty"),
    pytest.param(
        "seeds: 2\ngrid:\n  network.profile: []\n", ("grid", "network.profile", "empty"), id="grid-no-values"
    ),
    pytest.param("seeds: 0\ngrid:\n  network.profile: [lte]\n", ("seeds", ">= 1", "got 0"), id="seeds-zero"),
    pytest.param("seeds: -3\ngrid:\n  network.profile: [lte]\n", ("seeds", ">= 1"), id="seeds-negative"),
    pytest.param("seeds: [1, -1]\ngrid:\n  network.profile: [lte]\n", ("seeds", ">= 0"), id="seed-negative"),
    pytest.param("seeds: []\ngrid:\n  network.profile: [lte]\n", ("seeds", "empty"), id="seed-list-empty"),
    pytest.param("seeds: [1, 1]\ngrid:\n  network.profile: [lte]\n", ("seeds", "twice"), id="seed-twice"),
    pytest.param("grid:\n  network.profile: [lte]\n", ("seeds", "required"), id="seeds-missing"),
    pytest.param(
        "seeds: 2\nzip:\n  network.profile: [lte, nr_embb]\n  network.inference: [edge]\n",
        ("zip", "same length"),
        id="zip-lengths-differ",
    ),
    pytest.param(
        "seeds: 2\ngrid:\n  detection.threshold: [0.5, 1.5]\n",
        ("variant", "detection.threshold=1.5", "detection.threshold", "less than 1"),
        id="swept-value-invalid",
    ),
    pytest.param(
        "seeds: 2\ngrid:\n  detection.threshold.fishing: [0.5, 1.5]\n",
        ("variant", "detection.threshold.fishing=1.5", "detection.threshold.fishing", "less than 1"),
        id="swept-kind-threshold-invalid",
    ),
    pytest.param(
        "seeds: 2\nset:\n  detection.threshold.swimming: 0.8\ngrid:\n  detection.threshold: [0.4, 0.6]\n",
        ("detection.threshold.swimming lies inside detection.threshold", "give one of them"),
        id="set-key-inside-a-swept-key",
    ),
    pytest.param(
        "seeds: 2\ngrid:\n  detection.threshold: [0.4]\n  detection.threshold.fishing: [0.3, 0.6]\n",
        ("detection.threshold.fishing lies inside detection.threshold",),
        id="swept-key-inside-a-swept-key",
    ),
    pytest.param(
        "seeds: 2\ngrid:\n  detection.threshold.diving: [0.5]\n",
        ("variant", "detection.threshold.diving", "swimming", "fishing"),
        id="swept-kind-threshold-unknown-kind",
    ),
    pytest.param(
        "seeds: 2\ngrid:\n  boats.7.cruise_speed: [2]\n",
        ("grid", "boats", "no index 7"),
        id="swept-index-out-of-range",
    ),
    pytest.param(
        "seeds: 2\ngrdi:\n  network.profile: [lte]\n", ("grdi", "did you mean 'grid'"), id="sweep-key-typo"
    ),
    pytest.param("seeds: 2\nmode: fast\n", ("mode", "statistical", "fast"), id="mode-unknown"),
]


def _sweep_file(tmp_path: Path, body: str = "seeds: 1\n") -> Path:
    """tmp_path/sweep.yaml: the default scenario for 10 minutes, then ``body``."""
    path = tmp_path / "sweep.yaml"
    path.write_text(f"scenario: {DEFAULT}\nduration: 10m\n{body}", encoding="utf-8")
    return path


def _unused_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(("body", "expected"), SWEEP_CASES)
def test_sweep_rejects_bad_file(tmp_path, capsys, body, expected):
    path = _sweep_file(tmp_path, body)
    rc = call_main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert_one_error_line(capsys, rc, expected)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["--workers", "0"], ("--workers", ">= 1"), id="workers-zero"),
        pytest.param(
            ["--dask", "tcp://h:1", "--workers", "2"], ("--workers", "drop"), id="workers-with-dask"
        ),
        pytest.param(["--dask", "bogus://nowhere"], ("--dask", "bogus://nowhere"), id="bad-address"),
    ],
)
def test_sweep_rejects_bad_flag(tmp_path, capsys, args, expected):
    path = _sweep_file(tmp_path)
    rc = call_main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet", *args])
    assert_one_error_line(capsys, rc, expected)


def test_sweep_unreachable_dask_scheduler_fails_fast(tmp_path, capsys):
    port = _unused_port()
    path = _sweep_file(tmp_path)
    start = time.monotonic()
    rc = call_main(["sweep", str(path), "--dask", f"tcp://127.0.0.1:{port}", "--out", str(tmp_path / "o")])
    assert time.monotonic() - start < 20.0  # a clear error, not a hang (the connect timeout is 5 s)
    assert_one_error_line(capsys, rc, ("--dask", f"127.0.0.1:{port}", "no scheduler answered"))


def test_sweep_refuses_a_used_folder(tmp_path, capsys):
    path = _sweep_file(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine", encoding="utf-8")
    rc = call_main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert_one_error_line(capsys, rc, ("--out", "not empty", "--resume"))
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["plot", "@tmp/missing"], ("missing", "no such folder"), id="plot-missing"),
        pytest.param(["plot", "@tmp"], ("neither a sweep folder", "nor a run folder"), id="plot-not-output"),
        pytest.param(["compare", "@tmp", "--baseline", "a=b"], ("neither a sweep",), id="compare-not-output"),
        pytest.param(["compare", "@tmp"], ("neither a sweep",), id="compare-without-baseline"),
    ],
)
def test_plot_and_compare_reject_bad_folders(tmp_path, capsys, argv, expected):
    rc = call_main([a.replace("@tmp", str(tmp_path)) for a in argv])
    assert_one_error_line(capsys, rc, expected)


# ---------------------------------------------------------------- pixel mode's camera workers


PIXEL = ["--mode", "pixel"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param([*PIXEL, "--workers", "0"], ("--workers", ">= 1", "got 0"), id="workers-zero"),
        pytest.param(["--workers", "2"], ("--workers", "only in pixel mode"), id="workers-statistical"),
        pytest.param(["--dask", "local"], ("--dask", "only in pixel mode"), id="dask-statistical"),
        pytest.param([*PIXEL, "--dask", "tcp://h:1", "--workers", "2"], ("--workers", "drop"), id="and-dask"),
        pytest.param([*PIXEL, "--dask", "bogus://x"], ("--dask", "bogus://x", "not a"), id="bad-address"),
    ],
)
def test_run_rejects_bad_camera_workers(tmp_path, capsys, args, expected):
    out = tmp_path / "out"
    rc = call_main(["run", "--duration", "30s", "--no-figures", "--out", str(out), *args])
    assert_one_error_line(capsys, rc, expected)
    assert list(tmp_path.iterdir()) == []


def test_pixel_run_on_an_unreachable_dask_scheduler_fails_within_5_s(tmp_path, capsys, monkeypatch):
    """Nothing listens at the address: one line, exit 2, nothing written, and well within 5 s (the connection
    is tried before the run is built; a scheduler that does not answer at all is given 3 s)."""
    port = _unused_port()
    monkeypatch.chdir(tmp_path)  # the default folder would be out/ here
    start = time.monotonic()
    rc = call_main(["run", "--mode", "pixel", "--duration", "30s", "--dask", f"tcp://127.0.0.1:{port}"])
    assert time.monotonic() - start < 5.0
    assert_one_error_line(capsys, rc, ("--dask", f"127.0.0.1:{port}", "no scheduler answered"))
    assert list(tmp_path.iterdir()) == []
