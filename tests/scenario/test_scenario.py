"""Scenario loading: extends, overrides, durations, calibration, round trip."""

from datetime import datetime

import pytest
import yaml

from sim.errors import ScenarioError
from sim.loading import load_scenario, validate
from sim.scenario.loading import apply_override, deep_merge, scenario_to_yaml
from sim.scenario.models import (
    Calibration,
    DetectionConfig,
    Kind,
    Mode,
    Scenario,
    SensorType,
    Weather,
    parse_duration,
)
from tests.helpers.paths import DEFAULT, SCENARIOS


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (90, 90.0),
        (1.5, 1.5),
        ("90", 90.0),
        ("30s", 30.0),
        ("15m", 900.0),
        ("6h", 21600.0),
        ("2d", 172800.0),
        (" 2.5h ", 9000.0),
        ("-5m", -300.0),  # the sign is kept so the bound check can name it
    ],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["banana", "5 minutes", "", "h", True, None, [5]])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_default_scenario_contents(default_scenario):
    s = default_scenario
    assert (s.zone.width, s.zone.height) == (1000, 1000)
    assert len(s.cameras) == 8 and len(s.docks) == 2 and len(s.gnbs) == 2 and len(s.drones) == 1
    assert len(s.boats) == 3 and len(s.zone.no_swimming) == 3 and len(s.zone.no_fishing) == 2
    assert len(s.zone.islands) >= 1
    assert isinstance(s.detection.calibration, Calibration)
    assert s.run.mode is Mode.STATISTICAL


def test_extends_merges_mappings_and_replaces_lists():
    merged = deep_merge({"a": {"b": 1, "c": [1, 2]}, "d": 1}, {"a": {"c": [3]}, "e": 2})
    assert merged == {"a": {"b": 1, "c": [3]}, "d": 1, "e": 2}


def test_child_scenario_changes_only_its_story(default_scenario):
    night = load_scenario(SCENARIOS / "night_fishing.yaml")
    assert night.name == "night_fishing"
    assert night.run.weather is Weather.HAZE
    assert night.incidents.fishing.rate_per_hour > default_scenario.incidents.fishing.rate_per_hour
    # Its fishing-bank cameras are thermal copies of the default's (its stated assumption); the rest alike.
    thermal = {"cam-east-n", "cam-peninsula", "cam-mouth", "cam-river"}
    assert {c.id for c in night.cameras if c.sensor is SensorType.THERMAL} == thermal
    assert night.cameras == tuple(
        c.as_sensor(SensorType.THERMAL) if c.id in thermal else c for c in default_scenario.cameras
    )
    assert night.zone == default_scenario.zone


@pytest.mark.parametrize(
    ("assignment", "check"),
    [
        ("cameras.2.fps=10", lambda s: s.cameras[2].fps == 10.0),
        ("network.profile=lte", lambda s: s.network.profile == "lte"),
        ("run.duration=2h", lambda s: s.run.duration == 7200.0),
        ("run.weather=fog", lambda s: s.run.weather is Weather.FOG),
        ("boats.1.cruise_speed=4", lambda s: s.boats[1].cruise_speed == 4.0),
        ("dispatch.policy=fastest_eta", lambda s: s.dispatch.policy == "fastest_eta"),  # file: nearest_idle
        (
            "cameras.-1.height=20",
            lambda s: s.cameras[-1].height == 20.0,
        ),  # negative indices count from the end
        ("zone.no_swimming.0.weight=0.5", lambda s: s.zone.no_swimming[0].weight == 0.5),
        (
            "network.traffic.alarm=lte",
            lambda s: s.network.traffic.alarm == "lte",
        ),  # optional key absent in YAML
        (
            "detection.threshold=0.8",
            lambda s: (
                s.detection.threshold == 0.8 and s.detection.thresholds == {"swimming": 0.8, "fishing": 0.8}
            ),
        ),
        (
            "detection.threshold.swimming=0.6",  # one entry of the file's {swimming: 0.8, fishing: 0.5}
            lambda s: s.detection.thresholds == {"swimming": 0.6, "fishing": 0.5},
        ),
        (
            "detection.threshold={fishing: 0.3, swimming: 0.9}",
            lambda s: (
                (s.detection.threshold_for(Kind.SWIMMING), s.detection.threshold_for(Kind.FISHING))
                == (0.9, 0.3)
            ),
        ),
    ],
)
def test_overrides(assignment, check, default_scenario):
    assert not check(default_scenario), f"{assignment} sets what the file already holds: it proves nothing"
    assert check(load_scenario(DEFAULT, [assignment]))


def test_override_values_are_yaml_typed():
    data = {"run": {"seed": 0}}
    apply_override(data, "run.seed=7")
    apply_override(data, "run.start=2026-01-01T00:00:00")
    apply_override(data, "run.weather=fog")
    assert data == {"run": {"seed": 7, "start": datetime(2026, 1, 1), "weather": "fog"}}
    assert type(data["run"]["seed"]) is int  # an int, not the string "7" (nor a float)


def test_threshold_is_one_number_or_one_per_kind():
    assert DetectionConfig().threshold == 0.5  # the default stays one number
    assert [DetectionConfig().threshold_for(kind) for kind in Kind] == [0.5, 0.5]
    own = DetectionConfig(threshold={"swimming": 0.8, "fishing": 0.4})
    assert own.threshold_for(Kind.SWIMMING) == 0.8 and own.threshold_for(Kind.FISHING) == 0.4
    assert own.thresholds == {Kind.SWIMMING: 0.8, Kind.FISHING: 0.4}


@pytest.mark.parametrize(
    ("data", "assignment", "expected"),
    [
        (
            {"detection": {"threshold": 0.6}},
            "detection.threshold.fishing=0.3",
            {"swimming": 0.6, "fishing": 0.3},
        ),
        # absent from the file: the default 0.5 is spread
        ({"detection": {}}, "detection.threshold.fishing=0.3", {"swimming": 0.5, "fishing": 0.3}),
        ({}, "detection.threshold.swimming=0.9", {"swimming": 0.9, "fishing": 0.5}),
        (
            {"detection": {"threshold": {"swimming": 0.7, "fishing": 0.2}}},
            "detection.threshold.swimming=0.9",
            {"swimming": 0.9, "fishing": 0.2},
        ),
        ({"detection": {"threshold": {"swimming": 0.7, "fishing": 0.2}}}, "detection.threshold=0.4", 0.4),
    ],
)
def test_override_of_one_kind_spreads_a_single_threshold(data, assignment, expected):
    apply_override(data, assignment)
    assert data["detection"]["threshold"] == expected


def test_per_kind_threshold_in_a_file_round_trips(tmp_path):
    path = tmp_path / "kinds.yaml"
    path.write_text(f"extends: {DEFAULT}\ndetection:\n  threshold: {{swimming: 0.8, fishing: 0.5}}\n")
    scenario = load_scenario(path)
    assert scenario.detection.thresholds == {Kind.SWIMMING: 0.8, Kind.FISHING: 0.5}
    assert load_scenario(path, ["detection.threshold.fishing=0.3"]).detection.thresholds == {
        Kind.SWIMMING: 0.8,
        Kind.FISHING: 0.3,
    }
    resolved = tmp_path / "resolved.yaml"
    resolved.write_text(scenario_to_yaml(scenario))
    assert load_scenario(resolved) == scenario


def test_resolved_scenario_round_trips(default_scenario, tmp_path):
    text = scenario_to_yaml(default_scenario)
    assert "extends" not in text
    path = tmp_path / "resolved.yaml"
    path.write_text(text)
    again = load_scenario(path)  # calibration is inline, so no file next to it is needed
    assert again == default_scenario


def test_schema_fields_carry_units():
    schema = Scenario.model_json_schema()
    camera = schema["$defs"]["Camera"]["properties"]
    assert "deg" in camera["yaw"]["description"]
    assert "m" in camera["height"]["description"]
    assert "1/s" in camera["fps"]["description"]


def test_validate_accepts_plain_mappings(default_scenario):
    data = yaml.safe_load(scenario_to_yaml(default_scenario))
    assert validate(data, SCENARIOS) == default_scenario


def test_missing_calibration_file_is_named(tmp_path):
    (tmp_path / "s.yaml").write_text(f"extends: {DEFAULT}\ndetection: {{calibration: nowhere.json}}\n")
    with pytest.raises(ScenarioError, match=r"detection.calibration: no such file .*nowhere.json"):
        load_scenario(tmp_path / "s.yaml")
