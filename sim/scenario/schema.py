"""The JSON schema of scenario files (``run_sim.py schema``), from the pydantic models."""

from __future__ import annotations

from sim.scenario.models import Scenario


def json_schema() -> dict:
    """JSON schema of the scenario file."""
    return Scenario.model_json_schema()
