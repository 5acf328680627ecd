"""scripts/optical_depth_terms.py puts a fitted optical-depth term into one class and installs the terms into
a calibration file the loader accepts, saying where they came from."""

from __future__ import annotations

import json
from pathlib import Path

from sim.calibration.optical_depth_fit import OpticalDepthFit
from sim.scenario.models import Calibration, Kind, OpticalDepthTerm, SensorType
from tests.helpers.paths import SCENARIOS
from tests.helpers.scripts import script

TERM = OpticalDepthTerm(knots=(0.5, 2.0), slopes=(0.3, 5.0))


def _script():
    """scripts/optical_depth_terms.py as a module."""
    return script("optical_depth_terms")


def test_the_term_goes_into_its_kinds_class_alone_on_its_sensor_type():
    bundled = Calibration.model_validate_json((SCENARIOS / "calibration" / "default.json").read_text())
    changed = _script().with_term(bundled, SensorType.VISIBLE, Kind.FISHING, TERM)
    assert changed.classes[Kind.FISHING].alarm_hazard.optical_depth == TERM
    assert changed.classes[Kind.SWIMMING] == bundled.classes[Kind.SWIMMING]
    assert changed.sensors == bundled.sensors
    without = _script().with_term(changed, SensorType.VISIBLE, Kind.FISHING, None).classes[Kind.FISHING]
    assert without.alarm_hazard.optical_depth is None
    assert without.alarm_hazard.age_log_rates == bundled.classes[Kind.FISHING].alarm_hazard.age_log_rates
    thermal = _script().with_term(bundled, SensorType.THERMAL, Kind.FISHING, TERM)
    assert thermal.sensors[SensorType.THERMAL].classes[Kind.FISHING].alarm_hazard.optical_depth == TERM
    assert thermal.classes == bundled.classes


def test_install_writes_both_terms_and_a_sentence_of_source(tmp_path, monkeypatch):
    data = json.loads((SCENARIOS / "calibration" / "default.json").read_text(encoding="utf-8"))
    for spec in data["classes"].values():
        spec["alarm_hazard"].pop("optical_depth", None)
        spec["alarm_hazard"]["weather"] = {}  # as the pixel fits write it: replaced by the term
    data["source"] = (  # an older fit's sentence and scripts/visible_terms.py's: both replaced
        "Installed by `x`. The alarm rates' optical-depth terms, fishing's (9 offenders), were fitted by "
        "`old`, each class held. The alarm rates' optical-depth terms of swimming are the replaced file's, "
        "fitted with the class it replaced (`python scripts/optical_depth_terms.py` fits them again)."
    )
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    fits = {
        (SensorType.VISIBLE, kind): OpticalDepthFit(TERM, -10.0, 20 + i, 5) for i, kind in enumerate(Kind)
    }
    fits[SensorType.THERMAL, Kind.FISHING] = OpticalDepthFit(TERM, -3.0, 7, 2)
    monkeypatch.chdir(tmp_path)
    _script().install(path, fits, tmp_path / "out" / "weather-effect")
    installed = Calibration.model_validate_json(path.read_text(encoding="utf-8"))
    assert all(installed.classes[kind].alarm_hazard.optical_depth == TERM for kind in Kind)
    thermal = installed.sensors[SensorType.THERMAL].classes
    assert thermal[Kind.FISHING].alarm_hazard.optical_depth == TERM
    assert thermal[Kind.SWIMMING].alarm_hazard is None  # an ordinal class: no alarm rates, no term
    assert installed.source.count("optical-depth terms") == 1
    assert installed.source.startswith("Installed by `x`. The alarm rates' optical-depth terms, swimming's")
    assert installed.source.endswith(
        "The alarm rates' optical-depth terms, swimming's (20 offenders) and fishing's (21 offenders) and "
        "thermal fishing's (7 offenders), were fitted by `PYTHONPATH=. python "
        "scripts/optical_depth_terms.py out/weather-effect --install` to "
        'paired pixel runs in haze and fog (scripts/weather_effect.py; docs/detectors.md, "The optical '
        "depth: the alarm rates' weather covariate\"), each class held."
    )
    assert _script().shown(Path("/elsewhere/kept")) == "/elsewhere/kept"
