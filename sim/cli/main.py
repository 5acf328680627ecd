"""Command line: ``python run_sim.py [run|validate|render|tune|sweep|optimize|plot|compare|replay|...] ...``.

Exit codes: 0 ok, 2 bad input (scenario, arguments, missing file), 1 internal error.
Bad input is reported on one line, without a traceback. Each command lives in its own module
(``sim.cli.run``, ...) with ``add_parser(commands)`` and ``execute(args) -> exit code``; this module
only builds the parser from them, dispatches, and maps exceptions to exit codes by their type.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sim.cli import (
    compare,
    dataset,
    optimize,
    params,
    plot,
    render,
    replay,
    run,
    schema,
    sweep,
    tune,
    validate,
)
from sim.cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, Parser
from sim.errors import BadInputError

COMMANDS = (run, validate, render, tune, dataset, schema, params, sweep, optimize, plot, compare, replay)
"""The command modules, in the order ``--help`` lists them."""

NEGATIVE_VALUE_OPTIONS = ("--duration", "--seed", "--seconds", "--start")
"""Options whose value may start with ``-`` (a negative number, rejected with a clear message)."""


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``run_sim.py`` with every command; ``args.execute(args)`` runs the chosen one."""
    parser = Parser(
        prog="run_sim.py",
        description="5G smart-city event-detection simulator. Without a command: run the default scenario.",
    )
    commands = parser.add_subparsers(dest="command", parser_class=Parser)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def _attach_negative_values(argv: list[str]) -> list[str]:
    """``--duration -5m`` -> ``--duration=-5m``: argparse would take ``-5m`` for an option."""
    joined: list[str] = []
    for arg in argv:
        if joined and joined[-1] in NEGATIVE_VALUE_OPTIONS and arg.startswith("-"):
            joined[-1] = f"{joined[-1]}={arg}"
        else:
            joined.append(arg)
    return joined


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command in ``argv`` (default: ``sys.argv[1:]``; none: ``run``) and return its exit code.

    A :class:`~sim.errors.BadInputError` (a bad scenario key, argument, file) is printed as one line
    ``error: <message>`` and exits 2; Ctrl-C exits 1; a closed output pipe exits 0. Any other
    exception is a bug and propagates with its traceback (exit 1).
    """
    argv = _attach_negative_values(list(sys.argv[1:] if argv is None else argv))
    try:
        args = build_parser().parse_args(argv or ["run"])
        args.command_line = "python run_sim.py " + " ".join(argv)  # recorded by tune in its outputs
        return args.execute(args)
    except BadInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERNAL
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        return EXIT_OK
