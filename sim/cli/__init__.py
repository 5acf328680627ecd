"""The command line of ``run_sim.py``: one module per command, ``common`` for what they share, ``main``
to parse and dispatch (``from sim.cli.main import main``)."""
