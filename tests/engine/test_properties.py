"""Hypothesis: random small valid scenarios run to completion with the run invariants."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine import run
from sim.fleet.policies import POLICIES
from sim.loading import validate
from sim.world.geometry import ZoneGeometry
from tests.helpers.invariants import assert_invariants
from tests.helpers.paths import SCENARIOS


def ellipse(cx: float, cy: float, rx: float, ry: float, n: int = 24) -> list[list[float]]:
    return [
        [cx + rx * math.cos(2 * math.pi * i / n), cy + ry * math.sin(2 * math.pi * i / n)] for i in range(n)
    ]


def box(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


compliance = {
    "p_leave": 0.7,
    "leave_delay": {"dist": "lognormal", "mean": 120, "sd": 60},
    "max_warnings": 2,
    "warning_interval": 60,
}


@st.composite
def small_scenarios(draw) -> dict:
    """A lake (ellipse, maybe with an island) in a square zone, cameras around it, 1-3 boats."""
    size = draw(st.floats(300, 1200))
    cx = cy = size / 2
    rx = draw(st.floats(0.2, 0.4)) * size
    ry = draw(st.floats(0.2, 0.4)) * size
    islands = []
    if draw(st.booleans()):
        islands.append(ellipse(cx, cy, 0.25 * rx, 0.25 * ry, 10))
    cameras = []
    for i in range(draw(st.integers(1, 4))):
        angle = draw(st.floats(0, 2 * math.pi))
        x = cx + (rx + 8) * math.cos(angle)
        y = cy + (ry + 8) * math.sin(angle)
        yaw = (math.degrees(math.atan2(cx - x, cy - y))) % 360  # looking at the lake centre
        cameras.append(
            {
                "id": f"cam-{i}",
                "position": [x, y],
                "height": draw(st.floats(6, 20)),
                "yaw": yaw,
                "pitch": draw(st.floats(5, 30)),
                "hfov": draw(st.floats(40, 100)),
                "resolution": [1280, 720],
                "fps": draw(st.sampled_from([5, 10, 25])),
                "max_range": draw(st.floats(100, 400)),
            }
        )
    boats = [
        {
            "id": f"boat-{i}",
            "dock": "dock-s",
            "cruise_speed": draw(st.floats(1, 4)),
            "max_speed": 5.0,
            "battery_wh": draw(st.sampled_from([260, 400, 1500])),  # small batteries force charging stops
            "reserve_wh": 200,
            "acceleration": draw(st.floats(0.1, 2.0)),
            "lateral_acceleration": draw(st.floats(0.2, 3.0)),
        }
        for i in range(draw(st.integers(1, 3)))
    ]

    def kind(rate: float) -> dict:
        return {
            "rate_per_hour": rate,
            "hourly_profile": [1] * 24,
            "monthly_profile": [1] * 12,
            "duration": {"dist": "lognormal", "mean": draw(st.floats(300, 3000)), "sd": 300},
            "visible_height": 0.4,
            "drift_speed": draw(st.floats(0, 0.3)),
            "compliance": compliance,
        }

    fishing = kind(draw(st.floats(0.1, 4)))
    fishing["drift_speed"] = 0.0
    return {
        "name": "hypothesis",
        "run": {
            "seed": draw(st.integers(0, 10_000)),
            "duration": draw(st.floats(1800, 3 * 3600)),
            "start": "2026-07-01T" + draw(st.sampled_from(["02:00", "06:30", "12:00", "19:45"])),
        },
        "zone": {
            "width": size,
            "height": size,
            "water": [ellipse(cx, cy, rx, ry)],
            "islands": islands,
            "no_swimming": [{"id": "ns", "polygon": box(cx - rx, cy - 0.8 * ry, cx + rx, cy - 0.3 * ry)}],
            "no_fishing": [
                {"id": "nf", "polygon": box(cx + 0.6 * rx, cy - 0.3 * ry, cx + rx + 30, cy + 0.3 * ry)}
            ],
            "current": draw(
                st.sampled_from(
                    [
                        None,
                        {"type": "uniform", "velocity": [0.3, -0.2]},
                        {
                            "type": "grid",
                            "spacing": size / 2,
                            "east": [[0.2, -0.3]] * 3,
                            "north": [[0.1] * 2] * 3,
                        },
                    ]
                )
            ),
        },
        "docks": [{"id": "dock-s", "position": [cx, cy - ry - 3]}],
        "cameras": cameras,
        # One well-placed gNB without shadowing: these cases test the pipeline, not coverage holes.
        "gnbs": [
            {"id": "g", "position": [cx, cy], "height": 25, "antenna_gain_dbi": 18, "uplink_share": 0.6}
        ],
        "boats": boats,
        "incidents": {"swimming": kind(draw(st.floats(0.1, 6))), "fishing": fishing},
        "detection": {"threshold": draw(st.floats(0.2, 0.9)), "calibration": "calibration/default.json"},
        "network": {
            "profile": draw(st.sampled_from(["nr_embb", "lte", "nr_urllc"])),
            "radio": {"shadowing": False, "ue_power_dbm": 26},
        },
        "dispatch": {
            "policy": draw(st.sampled_from(sorted(POLICIES))),
            "patrol_points": [[cx, cy - 0.55 * ry], [cx + 0.6 * rx, cy]],
            "operator": draw(
                st.sampled_from(
                    [None, {"delay": {"dist": "exponential", "mean": 30}, "reject_false_share": 0.7}]
                )
            ),
            "on_scene": {
                "warning_setup": 5,
                "give_up_after": 120,
                "evidence_photos": 3,
                "photo_bytes": 400_000,
                "clip_bytes": 5_000_000,
            },
        },
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios())
def test_random_small_scenarios_keep_the_invariants(data):
    scenario = validate(data, SCENARIOS)
    result = run(scenario)
    assert_invariants(result, ZoneGeometry(scenario))
    assert result.summary["counts"]["incidents"] == len(result.incidents)
    assert_terminal_outcomes(result)


def assert_terminal_outcomes(result) -> None:
    """Every incident ends decided; 'unresolved' only if still there, or still being handled, at the end."""
    horizon = result.scenario.run.duration
    compliance = result.scenario.incidents
    longest_on_scene = (
        max(
            c.compliance.max_warnings * c.compliance.warning_interval
            for c in (compliance.swimming, compliance.fishing)
        )
        + result.scenario.dispatch.on_scene.give_up_after
        + 600.0
    )
    open_rows = result.incidents[result.incidents["outcome"] == "unresolved"]
    still_there = open_rows["t_end"] > horizon
    being_handled = horizon - open_rows["t_warning"] < longest_on_scene
    assert (still_there | being_handled).all(), open_rows
