"""The command line of ``run_sim.py``: one module per command, ``common`` for what they share."""

from sim.cli.main import main

__all__ = ["main"]
