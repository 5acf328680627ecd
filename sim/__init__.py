"""5G smart-city event-detection simulator.

For notebooks::

    from sim import load_scenario, run
    result = run(load_scenario("scenarios/xuchang_lake.yaml", ["run.duration=2h"]))
    result.incidents.head()
"""

from sim.engine import run
from sim.errors import ScenarioError
from sim.loading import load_scenario
from sim.results.result import Result

__all__ = ["Result", "ScenarioError", "load_scenario", "run"]
