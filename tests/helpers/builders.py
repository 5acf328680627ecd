"""Small builders of synthetic inputs shared by several test modules."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
from shapely.geometry import box

from sim.scenario.models import ClassCalibration, Kind, Weather
from sim.sensing.detection_model import DetectionModel
from sim.sensing.sensors import Sensor
from sim.sensing.statistical import StatisticalSensing
from sim.world.daylight import Daylight
from sim.world.incidents import Incident, Track
from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.paths import DEFAULT


def make_incident(incident_id: int, t_start: float, t_end: float, kind: Kind = Kind.SWIMMING) -> Incident:
    track = Track(np.array([t_start, t_end]), np.array([[1.0, 1.0], [1.0, 1.0]]))
    return Incident(incident_id, kind, "a", t_start, t_end, track, 0.35, (True,), (60.0,))


def camera_sensing(default_scenario, **swimming) -> StatisticalSensing:
    """One camera and a swimming class whose terms are the defaults (independent frames, no offender
    offsets, every alarm on target) except ``swimming``: whatever the bundled calibration holds."""
    calibration = default_scenario.calibration
    plain = {"intercept": 0.0, "size_slope": 1.0}
    spec = ClassCalibration(**plain).model_copy(update=swimming)
    calibration = calibration.model_copy(update={"classes": {**calibration.classes, Kind.SWIMMING: spec}})
    camera = Sensor(
        "cam", box(0, 0, 2, 2), 1.0, 1, 1, frozenset({Kind.SWIMMING}), lambda xy, h: np.full(len(xy), 10.0)
    )
    daylight = Daylight(datetime(2026, 7, 1, 12), 34.0, 113.8, 8.0)  # noon: daylight, offset 0
    return StatisticalSensing([camera], DetectionModel(calibration, 0.5, Weather.CLEAR), daylight, 20_000.0)


def assert_calibration_refused(
    tmp_path, capsys, path_in_file: tuple[str, ...], value, message: str, named: bool = True
) -> None:
    """The bundled calibration with one value replaced is refused: one error line naming its key path (with
    ``named`` False, only ``message``: a check across keys names their block in it)."""
    calibration = json.loads((DEFAULT.parent / "calibration" / "default.json").read_text(encoding="utf-8"))
    *parents, key = path_in_file
    target = calibration
    for parent in parents:
        target = target[parent]
    target[key] = value
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(calibration), encoding="utf-8")
    rc = call_main(["validate", str(DEFAULT), "--set", f"detection.calibration={path}"])
    assert_one_error_line(capsys, rc, (".".join(path_in_file), message) if named else (message,))
