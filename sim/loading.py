"""Loading a scenario: read the file, validate every key, then run every cross-field check.

The checks live with the concern that knows what is right (the scenario's own structure, the zone's
geometry, the radio network, the fleet); this module sits above them all and runs them in the order
a reader meets the keys. It is the one place that turns a file into a :class:`Scenario` a run can trust.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from sim.errors import ScenarioError
from sim.fleet.checks import check_fleet, check_policy
from sim.network.checks import check_profiles, check_radio
from sim.scenario.checks import check_boats, check_hotspots, check_structure
from sim.scenario.loading import build_scenario, read_scenario_data
from sim.scenario.models import Scenario
from sim.world.checks import check_fishing_tiles, check_places
from sim.world.geometry import ZoneGeometry


def check_scenario(scenario: Scenario) -> None:
    """Raise :class:`~sim.errors.ScenarioError` for the first cross-field problem found."""
    check_structure(scenario)
    check_hotspots(scenario)
    geometry = ZoneGeometry(scenario)
    check_places(scenario, geometry)
    check_boats(scenario)
    check_radio(scenario)
    check_profiles(scenario)
    check_policy(scenario)
    check_fleet(scenario, geometry)
    check_fishing_tiles(scenario, geometry)


def validate(data: Mapping, base_dir: Path) -> Scenario:
    """A checked :class:`Scenario` from a merged mapping; calibration paths resolve from ``base_dir``."""
    scenario = build_scenario(data, base_dir)
    check_scenario(scenario)
    return scenario


PROJECT_FOLDER = Path(__file__).resolve().parents[1]
"""The project's folder: ``scenarios/`` in it holds the bundled scenarios."""
BUNDLED = PROJECT_FOLDER / "scenarios"
"""The project's bundled scenarios, listed when a scenario file is missing."""


def scenario_path(path: str | Path) -> Path:
    """``path`` as given if it exists; else, when relative, from the project's folder if it is there.

    So ``scenarios/xuchang_lake.yaml`` names the bundled scenario from any working folder (a notebook
    elsewhere); paths inside a scenario file always resolve from that file's own folder.
    """
    path = Path(path)
    if not path.exists() and not path.is_absolute() and (PROJECT_FOLDER / path).is_file():
        return PROJECT_FOLDER / path
    return path


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Read, merge ``extends:``, apply ``--set`` overrides, validate and check a scenario file.

    ``path``: from the working folder, or a bundled one by its path in the project
    (``scenarios/night_fishing.yaml``) from anywhere (:func:`scenario_path`). A missing file is a
    one-line error that lists the bundled scenarios.
    """
    path = scenario_path(path)
    if not path.is_file():
        bundled = ", ".join(f"scenarios/{p.name}" for p in sorted(BUNDLED.glob("*.yaml")))
        raise ScenarioError(f"{path.resolve()}: no such file (bundled scenarios: {bundled})")
    return validate(read_scenario_data(path, overrides), path.resolve().parent)
