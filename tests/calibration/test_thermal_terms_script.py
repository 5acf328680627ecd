"""scripts/thermal_terms.py installs the thermal block: each kind's class from its pixel runs (fishing's on
the hazard model) with its clip run's weather offsets; ``--only KIND`` replaces that one class of an installed
block and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.paths import SCENARIOS
from tests.helpers.scripts import script

HAZARD = {
    "age_edges_s": [0.0, 7.0],
    "age_log_rates": [-8.0, -2.0],
    "size_slope": 0.6,
    "light": {"night": 0.1},
    "thresholds": [0.2, 0.5, 0.8],
    "threshold_offsets": [0.0, -0.3, -1.3],
    "k": 3,
    "n": 5,
}
"""A fishing hazard block counted with the default scenario's 3-of-5 rule."""
ALARM_WEATHER = {"fog": -1.25, "haze": -0.5, "rain": 0.125}
"""A clip run's weather offsets on the alarm rates (its ``hazard_weather.csv``)."""


def write_alarm_weather(folder: Path) -> None:
    """``folder/hazard_weather.csv`` (a tune clip run's) with the offsets :data:`ALARM_WEATHER`."""
    rows = [("clear", 0.0), *sorted(ALARM_WEATHER.items())]
    lines = [f"{w},30,{20 - i},{v},{v - 1},{v + 1}" for i, (w, v) in enumerate(rows)]
    (folder / "hazard_weather.csv").write_text(
        "weather,offenders,alarmed,offset,low,high\n" + "\n".join(lines)
    )


def _bundled() -> dict:
    return json.loads((SCENARIOS / "calibration" / "default.json").read_text(encoding="utf-8"))


def _tune_folder(
    out: Path, name: str, thermal: dict, fitted: tuple[str, ...] = ("swimming", "fishing")
) -> None:
    """A tune output folder ``out/name``: the bundled file with ``thermal`` as its sensors.thermal block
    and a model_choice.csv whose pixel runs saw the kinds ``fitted``."""
    folder = out / name
    folder.mkdir(parents=True)
    data = _bundled()
    data["sensors"]["thermal"] = thermal
    (folder / "calibration.json").write_text(json.dumps(data), encoding="utf-8")
    rows = [f"{kind},hazard,{1000 if kind in fitted else 0}" for kind in ("swimming", "fishing")]
    (folder / "model_choice.csv").write_text("kind,model,fit_frames\n" + "\n".join(rows) + "\n")


def _hazard_block() -> dict:
    """The bundled thermal block with fishing on the hazard model (as a pixel-run fit writes it)."""
    thermal = _bundled()["sensors"]["thermal"]
    spec = {"model": "hazard", "intercept": -5.0, "size_slope": 1.9, "alarm_hazard": HAZARD}
    thermal["classes"]["fishing"] = spec | {"light": {"day": 0.0, "night": 0.3}, "weather": {"clear": 0.0}}
    return thermal | {"source": "Fitted to pixel mode by `hazard run`: 12 runs."}


def _script():
    """scripts/thermal_terms.py as a module."""
    return script("thermal_terms")


def _install(out: Path, target: Path, only: str | None = None) -> None:
    _script().main(out, target, only)


@pytest.fixture
def target(tmp_path) -> Path:
    path = tmp_path / "default.json"
    path.write_text(json.dumps(_bundled(), indent=2) + "\n", encoding="utf-8")
    return path


def test_only_fishing_replaces_that_class_and_keeps_its_weather_offsets(tmp_path, target):
    _tune_folder(tmp_path, "pixel-thermal-fishing", _hazard_block())
    _install(tmp_path, target, "fishing")
    before, after = _bundled(), json.loads(target.read_text(encoding="utf-8"))
    old, new = before["sensors"]["thermal"], after["sensors"]["thermal"]
    assert new["classes"]["fishing"]["alarm_hazard"] == HAZARD
    assert new["classes"]["fishing"]["model"] == "hazard"
    assert new["classes"]["fishing"]["weather"] == old["classes"]["fishing"]["weather"]  # the clip run's
    assert (
        new["source"].startswith(old["source"]) and "--only fishing` with the hazard model" in new["source"]
    )
    assert "`hazard run`" in new["source"]
    # Nothing else moved: the visible terms, swimming's class and both false-alarm entries.
    for data in (before, after):
        del data["sensors"]["thermal"]["classes"]["fishing"], data["sensors"]["thermal"]["source"]
    assert after == before


def test_pixel_runs_without_an_angler_in_view_are_refused(tmp_path, target):
    _tune_folder(tmp_path, "pixel-thermal-fishing", _hazard_block(), fitted=("swimming",))
    with pytest.raises(SystemExit, match="no fishing offender in view of the pixel runs"):
        _install(tmp_path, target, "fishing")
    assert json.loads(target.read_text(encoding="utf-8")) == _bundled()


def test_the_full_block_takes_each_class_from_its_pixel_runs_and_the_weather_from_the_clips(tmp_path, target):
    bundled = _bundled()["sensors"]["thermal"]
    clips = bundled | {"source": "Fitted by `clip run`: 36 clips, 0.55 camera-hours. More."}
    for kind in ("swimming", "fishing"):
        _tune_folder(tmp_path, f"tune-{kind}-thermal", clips)
    _tune_folder(tmp_path, "pixel-thermal", bundled | {"source": "Fitted to pixel mode by `ordinal run`."})
    _tune_folder(tmp_path, "pixel-thermal-fishing", _hazard_block())
    write_alarm_weather(tmp_path / "tune-fishing-thermal")  # the clip run's estimate: not installed
    _install(tmp_path, target)
    block = json.loads(target.read_text(encoding="utf-8"))["sensors"]["thermal"]
    assert block["classes"]["swimming"] == bundled["classes"]["swimming"]
    assert block["classes"]["fishing"]["alarm_hazard"] == HAZARD
    assert block["classes"]["fishing"]["weather"] == bundled["classes"]["fishing"]["weather"]
    assert "swimming (ordinal model): Fitted to pixel mode by `ordinal run`." in block["source"]
    assert "fishing (hazard model): Fitted to pixel mode by `hazard run`" in block["source"]
    assert block["false_alarms"] == bundled["false_alarms"]
