"""Scenario models of the fleet and dispatch: docks, boats (speeds, battery, power), what a boat does on
scene, the optional operator, and the dispatch policy with its association rule and patrol points.

See :mod:`sim.scenario.models` for the whole scenario and ``docs/boats.md`` for the models.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.fields import DistributionSpec, Duration, Point, Probability, Strict


class Dock(Strict):
    id: str
    position: Point = Field(description="berth on the shore, m")


class Boat(Strict):
    id: str
    dock: str = Field(description="id of the home dock")
    cruise_speed: float = Field(gt=0, description="transit speed, m/s")
    max_speed: float = Field(gt=0, description="top speed, m/s")
    battery_wh: float = Field(gt=0, description="battery capacity, Wh")
    reserve_wh: float = Field(
        0.0, ge=0, description="charge each mission must leave on return; below it the boat charges, Wh"
    )
    hotel_power_w: float = Field(50.0, ge=0, description="electronics, radio and navigation, W")
    loudspeaker_power_w: float = Field(60.0, ge=0, description="loudspeaker while a warning plays, W")
    camera_power_w: float = Field(15.0, ge=0, description="evidence camera while on scene or on patrol, W")
    acceleration: float = Field(0.5, gt=0, description="speeding up, m/s^2")
    deceleration: float = Field(1.0, gt=0, description="slowing down, m/s^2")
    lateral_acceleration: float = Field(1.0, gt=0, description="largest sideways acceleration turning, m/s^2")
    corner_cut: float = Field(2.0, gt=0, description="how far a turn's arc may cut inside a path corner, m")
    drag_coefficient: float = Field(
        20.0, gt=0, description="propulsion power per speed cubed, W/(m/s)^3 (P = c v^3)"
    )
    charge_power_w: float = Field(1000.0, gt=0, description="charging power at the dock, W")
    loudspeaker_range: float = Field(50.0, gt=0, description="distance at which a warning is heard, m")


class OnScene(Strict):
    warning_setup: Duration = Field(ge=0, description="from arrival in range to the first warning, s")
    give_up_after: Duration = Field(gt=0, description="time after the last warning before leaving, s")
    evidence_photos: int = Field(ge=0, description="photos taken per incident")
    photo_bytes: int = Field(gt=0, description="size of one photo, bytes")
    clip_bytes: int = Field(ge=0, description="size of the evidence clip, bytes")
    message_length: Duration = Field(15.0, gt=0, description="length of one loudspeaker warning, s")


class Operator(Strict):
    """An operator who checks each new case's snapshot while the boat is already on its way."""

    delay: DistributionSpec = Field(description="time from the case opening to the operator's verdict, s")
    reject_false_share: Probability = Field(
        description="share of false alarms the operator recognises and rejects (the mission aborts)"
    )


class DispatchConfig(Strict):
    policy: str = Field("nearest_idle", description="dispatch policy name")
    association_radius: float = Field(40.0, gt=0, description="alarms this close join a case, m")
    association_window: Duration = Field(900.0, gt=0, description="... if the case is this recent, s")
    decision_time: Duration = Field(0.0, ge=0, description="dispatcher's time to pick a boat, s")
    on_scene: OnScene
    operator: Operator | None = Field(None, description="optional operator confirmation (none if absent)")
    patrol_points: tuple[Point, ...] = Field(
        (), description="zone_patrol: points on the water where idle boats wait (boat i at point i mod n), m"
    )
