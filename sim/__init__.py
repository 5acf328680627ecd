"""5G smart-city event-detection simulator.

For notebooks (docs/api.md)::

    from sim import batch, load_scenario, run
    result = run(load_scenario("scenarios/xuchang_lake.yaml", ["run.duration=2h"]))
    result.incidents.head()
    result.write("out/notebook")                    # the folder `run_sim.py run` writes
    table = batch("scenarios/xuchang_lake.yaml", grid={"network.profile": ["lte", "nr_embb"]}, seeds=4)
"""

from sim.engine import run
from sim.errors import BadInputError, ScenarioError, SimError
from sim.experiments.batch import batch
from sim.loading import load_scenario
from sim.results.reading import read_run
from sim.results.result import Result

__all__ = [
    "BadInputError",
    "Result",
    "ScenarioError",
    "SimError",
    "batch",
    "load_scenario",
    "read_run",
    "run",
]
