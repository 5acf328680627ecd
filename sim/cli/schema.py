"""``run_sim.py schema``: print the JSON schema of scenario files (for editors and validators)."""

from __future__ import annotations

import argparse
import json

from sim.cli.common import EXIT_OK, Commands
from sim.scenario.schema import json_schema


def add_parser(commands: Commands) -> None:
    """Register ``schema`` on the main parser's ``commands``."""
    schema = commands.add_parser("schema", help="print the JSON schema of scenario files")
    schema.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Print the schema, indented by two spaces."""
    print(json.dumps(json_schema(), indent=2))
    return EXIT_OK
