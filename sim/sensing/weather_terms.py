"""Whether statistical mode's detection follows a run's weather: a ``hazard`` class's alarm rates change
with the weather only through their optical-depth term (``alarm_hazard.optical_depth``, fitted to paired
pixel runs in haze and fog: ``scripts/optical_depth_terms.py``) or their ``alarm_hazard.weather`` offsets;
a class fitted to clear-weather pixel runs alone has neither (the score an alarm reports still follows the
class's own weather offsets). ``run_sim.py run`` and ``validate`` print :func:`weather_caveat`."""

from __future__ import annotations

from sim.scenario.models import Mode, Scenario, SensorType, Weather

EVIDENCE = (
    "in pixel mode fog costs the near beach's swimmers 76 points (97 % detected in clear weather, 21 % in "
    "fog) and the near bank's anglers 40 (69 % to 29 %); haze costs little "
    '(docs/detectors.md, "Weather and the alarm rates")'
)


def rates_without_weather(scenario: Scenario) -> list[str]:
    """The calibration's hazard classes, of its cameras' sensor types, whose alarm rates have neither an
    optical-depth term nor an offset for the run's weather (``sensors.thermal.classes.swimming``, ...)."""
    weather, calibration = scenario.run.weather, scenario.calibration
    missing = []
    for sensor in sorted(
        {camera.sensor for camera in scenario.cameras}, key=lambda s: s is not SensorType.VISIBLE
    ):
        prefix = "" if sensor is SensorType.VISIBLE else f"sensors.{sensor.value}."
        if sensor is not SensorType.VISIBLE and sensor not in calibration.sensors:
            continue  # a missing block is the loader's error, not this caveat's
        for kind, spec in calibration.for_sensor(sensor).classes.items():
            rates = spec.alarm_hazard
            if rates is not None and rates.optical_depth is None and weather not in rates.weather:
                missing.append(f"{prefix}classes.{kind.value}")
    return missing


def weather_caveat(scenario: Scenario) -> str | None:
    """A note for a statistical run in weather other than clear whose detection does not follow it, None
    otherwise."""
    if scenario.run.mode is not Mode.STATISTICAL or scenario.run.weather is Weather.CLEAR:
        return None
    missing = rates_without_weather(scenario)
    if not missing:
        return None
    return (
        f"note: detection in statistical mode does not follow the {scenario.run.weather.value}: the alarm "
        f"rates of {', '.join(missing)} have no weather term (fitted to clear-weather pixel runs); {EVIDENCE}"
    )
