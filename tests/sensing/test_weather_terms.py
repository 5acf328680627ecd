"""Statistical mode says when its detection does not follow the run's weather (the hazard classes' alarm
rates fitted in clear weather have no weather term)."""

from __future__ import annotations

import json

from sim.loading import load_scenario
from sim.sensing.weather_terms import rates_without_weather, weather_caveat
from tests.helpers.cli import call_main
from tests.helpers.paths import DEFAULT, SCENARIOS


def test_clear_weather_and_pixel_mode_need_no_note():
    assert weather_caveat(load_scenario(DEFAULT, [])) is None
    assert weather_caveat(load_scenario(DEFAULT, ["run.weather=fog", "run.mode=pixel"])) is None


def without_weather_terms(tmp_path, fishing_fog: float | None = None) -> str:
    """The default calibration with neither class's optical-depth term (and fishing's alarm rates with an
    offset for fog, if given), written to a file: its path."""
    calibration = json.loads((SCENARIOS / "calibration" / "default.json").read_text(encoding="utf-8"))
    for spec in calibration["classes"].values():
        spec["alarm_hazard"].pop("optical_depth", None)
    if fishing_fog is not None:
        calibration["classes"]["fishing"]["alarm_hazard"]["weather"] = {"fog": fishing_fog}
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(calibration), encoding="utf-8")
    return f"detection.calibration={path}"


def test_fog_names_every_hazard_class_without_a_fog_term(tmp_path):
    scenario = load_scenario(DEFAULT, ["run.weather=fog", without_weather_terms(tmp_path)])
    assert rates_without_weather(scenario) == ["classes.swimming", "classes.fishing"]
    note = weather_caveat(scenario)
    assert note.startswith("note: detection in statistical mode does not follow the fog")
    assert "Weather and the alarm rates" in note


def test_a_class_with_a_term_for_the_weather_is_not_named(tmp_path):
    fitted = without_weather_terms(tmp_path, fishing_fog=-4.2)
    assert rates_without_weather(load_scenario(DEFAULT, ["run.weather=fog", fitted])) == ["classes.swimming"]
    haze = load_scenario(DEFAULT, ["run.weather=haze", fitted])
    assert rates_without_weather(haze) == ["classes.swimming", "classes.fishing"]


def test_the_default_classes_follow_every_weather_by_their_optical_depth():
    for weather in ("haze", "fog", "rain"):
        scenario = load_scenario(DEFAULT, [f"run.weather={weather}"])
        assert rates_without_weather(scenario) == []
        assert weather_caveat(scenario) is None


def test_validate_prints_the_note(capsys, tmp_path):
    bare = without_weather_terms(tmp_path)
    assert call_main(["validate", str(DEFAULT), "--set", "run.weather=haze", "--set", bare]) == 0
    assert "note: detection in statistical mode does not follow the haze" in capsys.readouterr().out
