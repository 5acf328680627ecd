"""5G smart-city event-detection simulator.

For notebooks::

    from sim import load_scenario, run
    result = run(load_scenario("scenarios/xuchang_lake.yaml", ["run.duration=2h"]))
    result.incidents.head()
"""

from sim.engine import run
from sim.errors import ScenarioError
from sim.results.result import Result
from sim.scenario.loading import load_scenario

__all__ = ["Result", "ScenarioError", "load_scenario", "run"]
