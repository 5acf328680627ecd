"""The scenario: pydantic models validated once at the boundary.

A scenario is a YAML file (see ``scenarios/xuchang_lake.yaml``) that becomes an
immutable :class:`Scenario`; nothing downstream reads raw dictionaries.
Units: metres, seconds, degrees, watts, watt-hours, as each field's
description says. Positions are ``[x, y]`` metres, x east and y north, from
the zone's south-west corner.

:class:`Scenario` is defined here; the models of its sections live beside it, one module per concern
(:mod:`sim.scenario.run_section`, :mod:`sim.scenario.zone_section`, :mod:`sim.scenario.sensing_section`,
:mod:`sim.scenario.incidents_section`, :mod:`sim.scenario.fleet_section`,
:mod:`sim.scenario.network_section`, :mod:`sim.scenario.climate_section`; building blocks in
:mod:`sim.scenario.fields`), and every model is importable from here.

Loading, ``extends:``, ``--set`` overrides and error reporting live in
:mod:`sim.scenario.loading`; cross-field checks that need geometry live in
:mod:`sim.scenario.checks`.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.calibration_section import (
    DETECTION_MODEL_TERMS,
    AlarmHazard,
    Calibration,
    ClassCalibration,
    FalseAlarmCalibration,
    SensorCalibration,
)
from sim.scenario.climate_section import Climate
from sim.scenario.fields import (
    ABSOLUTE_ZERO_C,
    Celsius,
    Codec,
    ConstantSpec,
    DistributionSpec,
    Duration,
    ExponentialSpec,
    Kind,
    KindThreshold,
    Light,
    LogNormalSpec,
    Mode,
    Point,
    Probability,
    Ring,
    SensorType,
    Strict,
    UniformSpec,
    Weather,
    parse_duration,
    per_kind,
)
from sim.scenario.fleet_section import Boat, DispatchConfig, Dock, OnScene, Operator
from sim.scenario.hazard_terms_section import NeighbourTerm, OpticalDepthTerm, SizeCliff
from sim.scenario.incidents_section import Compliance, IncidentKind, Incidents
from sim.scenario.network_section import (
    Drone,
    Gnb,
    Inference,
    Mmtc,
    NetworkConfig,
    Obstruction,
    PathLoss,
    PerSite,
    RadioConfig,
    TraceMode,
    Traffic,
)
from sim.scenario.run_section import RenderConfig, RunConfig
from sim.scenario.sensing_section import (
    Buoy,
    Camera,
    DetectionConfig,
    KindDetectors,
    Persistence,
    PixelDetectors,
    SensorDetectors,
    ThermalCore,
)
from sim.scenario.zone_section import Area, GridCurrentSpec, UniformCurrentSpec, Zone

__all__ = [  # the models of every section module, importable from here
    "ABSOLUTE_ZERO_C",
    "DETECTION_MODEL_TERMS",
    "AlarmHazard",
    "Area",
    "Boat",
    "Buoy",
    "Calibration",
    "Camera",
    "Celsius",
    "ClassCalibration",
    "Climate",
    "Codec",
    "Compliance",
    "ConstantSpec",
    "DetectionConfig",
    "DispatchConfig",
    "DistributionSpec",
    "Dock",
    "Drone",
    "Duration",
    "ExponentialSpec",
    "FalseAlarmCalibration",
    "Gnb",
    "GridCurrentSpec",
    "IncidentKind",
    "Incidents",
    "Inference",
    "Kind",
    "KindDetectors",
    "KindThreshold",
    "Light",
    "LogNormalSpec",
    "Mmtc",
    "Mode",
    "NeighbourTerm",
    "NetworkConfig",
    "Obstruction",
    "OnScene",
    "Operator",
    "OpticalDepthTerm",
    "PathLoss",
    "PerSite",
    "Persistence",
    "PixelDetectors",
    "Point",
    "Probability",
    "RadioConfig",
    "RenderConfig",
    "Ring",
    "RunConfig",
    "Scenario",
    "SensorCalibration",
    "SensorDetectors",
    "SensorType",
    "SizeCliff",
    "Strict",
    "ThermalCore",
    "TraceMode",
    "Traffic",
    "UniformCurrentSpec",
    "UniformSpec",
    "Weather",
    "Zone",
    "parse_duration",
    "per_kind",
]

# ---------------------------------------------------------------- the scenario


class Scenario(Strict):
    name: str = Field(min_length=1)
    description: str = ""
    run: RunConfig = RunConfig()
    zone: Zone
    docks: tuple[Dock, ...] = Field(min_length=1)
    cameras: tuple[Camera, ...] = ()
    buoys: tuple[Buoy, ...] = ()
    gnbs: tuple[Gnb, ...] = Field(min_length=1)
    drones: tuple[Drone, ...] = ()
    boats: tuple[Boat, ...] = Field(min_length=1)
    incidents: Incidents
    detection: DetectionConfig = DetectionConfig()
    network: NetworkConfig = NetworkConfig()
    dispatch: DispatchConfig
    render: RenderConfig = RenderConfig()

    @property
    def calibration(self) -> Calibration:
        """The detection model; :func:`sim.scenario.loading.load_scenario` always inlines it."""
        if not isinstance(self.detection.calibration, Calibration):
            raise TypeError("calibration path not resolved: load scenarios with sim.load_scenario")
        return self.detection.calibration

    def dock(self, dock_id: str) -> Dock:
        return next(d for d in self.docks if d.id == dock_id)
