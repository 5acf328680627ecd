"""``run_sim.py validate FILE``: check a scenario file and summarise what it contains."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import EXIT_OK, Commands, add_set_option
from sim.core.durations import format_duration
from sim.loading import load_scenario
from sim.scenario.models import Scenario
from sim.sensing.weather_terms import weather_caveat


def add_parser(commands: Commands) -> None:
    """Register ``validate`` on the main parser's ``commands``."""
    validate = commands.add_parser("validate", help="check a scenario file and summarise it")
    validate.add_argument("scenario", type=Path)
    add_set_option(validate)
    validate.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Load the scenario (a bad key is a one-line error) and print :func:`describe_scenario`."""
    scenario = load_scenario(args.scenario, args.overrides)
    print(describe_scenario(scenario))
    return EXIT_OK


def describe_scenario(scenario: Scenario) -> str:
    """A few lines a researcher reads to see what a scenario contains."""
    import shapely

    from sim.engine import expected_incidents
    from sim.fleet.policies import waits_on_water
    from sim.network.radio_map import describe_radio
    from sim.world.cameras import CameraModel, visible_region
    from sim.world.geometry import ZoneGeometry

    zone = scenario.zone
    geometry = ZoneGeometry(scenario)
    views = shapely.union_all([visible_region(CameraModel(c), geometry.islands) for c in scenario.cameras])
    no_go = shapely.union_all([a.region for a in (*geometry.no_swimming, *geometry.no_fishing)])
    covered = no_go.intersection(views).area / no_go.area if no_go.area else 0.0
    expected = expected_incidents(scenario)
    run = scenario.run
    lines = [
        f"{scenario.name}: valid",
        f"  zone       {zone.width:g} x {zone.height:g} m, water {geometry.water.area:,.0f} m² "
        f"({100 * geometry.water.area / geometry.bounds.area:.0f} %), {len(zone.islands)} island(s)",
        f"  no-go      {len(zone.no_swimming)} no-swimming, {len(zone.no_fishing)} no-fishing; "
        f"cameras see {100 * covered:.0f} % of them",
        f"  equipment  {len(scenario.cameras)} cameras, {len(scenario.buoys)} buoys, "
        f"{len(scenario.gnbs)} gNBs, "
        f"{len(scenario.drones)} drones, {len(scenario.boats)} boats at {len(scenario.docks)} docks",
        f"  run        {run.mode.value}, {format_duration(run.duration)} "
        f"from {run.start.isoformat(' ', 'minutes')}, "
        f"{run.weather.value}, seed {run.seed}",
        f"  expected   {expected['swimming']:.1f} swimming and {expected['fishing']:.1f} fishing incidents",
        f"  network    {scenario.network.profile}, inference at the {scenario.network.inference.value}; "
        f"dispatch policy {scenario.dispatch.policy}",
        describe_radio(scenario, waits_on_water(scenario.dispatch.policy)),
    ]
    if caveat := weather_caveat(scenario):
        lines.append(f"  {caveat}")
    return "\n".join(lines)
