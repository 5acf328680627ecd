"""``run_sim.py params [KEY]``: the scenario's keys with their defaults, units and descriptions, as a
table (like ns-3's ``--PrintAttributes``), read from the pydantic models' fields.

Keys are written as ``--set`` takes them; ``<i>`` stands for an item's index in a list
(``cameras.<i>.fps``: ``--set cameras.2.fps=10``). Units are in the descriptions.
"""

from __future__ import annotations

import argparse
import difflib
import enum
import re
import types
import typing
from collections.abc import Iterator

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from sim.cli.common import EXIT_OK, Commands
from sim.errors import BadInputError
from sim.scenario.models import Scenario

REQUIRED = "(required)"
"""The default column of a key without a default."""


def add_parser(commands: Commands) -> None:
    """Register ``params`` on the main parser's ``commands``."""
    params = commands.add_parser(
        "params", help="list the scenario keys with their defaults, units and descriptions"
    )
    params.add_argument("key", nargs="?", help="only this key or section, e.g. run or cameras.<i>.fps")
    params.set_defaults(execute=execute)


def _model_of(annotation: object) -> tuple[type[BaseModel] | None, bool]:
    """The model a field holds (directly, or as items of a tuple or list) and whether it is a list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin = typing.get_origin(annotation)
    if origin in (tuple, list):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        if len(args) == 1 and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            return args[0], True
    return None, False


def _text(value: object) -> str:
    """A default as one would write it in YAML."""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, BaseModel):
        return str(value.model_dump(mode="json"))
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_text(k)}: {_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def rows(model: type[BaseModel] = Scenario, prefix: str = "") -> Iterator[tuple[str, str, str]]:
    """(key, default, description) of every leaf key of ``model``, in the models' order."""
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        inner, is_list = _model_of(field.annotation)
        if inner is not None and not _is_union(field.annotation):
            yield from rows(inner, f"{key}.<i>." if is_list else f"{key}.")
            continue
        if field.default is not PydanticUndefined:
            default = _text(field.default)
        elif field.default_factory is not None:
            default = _text(field.default_factory())
        else:
            default = REQUIRED
        yield key, default, field.description or ""


def _is_union(annotation: object) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def select(key: str | None) -> list[tuple[str, str, str]]:
    """The rows of ``key`` (a leaf, or a section and everything under it; list indices may be numbers)."""
    everything = list(rows())
    if key is None:
        return everything
    wanted = re.sub(r"\.\d+(?=\.|$)", ".<i>", key.strip().rstrip("."))
    chosen = [r for r in everything if r[0] == wanted or r[0].startswith(f"{wanted}.")]
    if not chosen:
        names = sorted({r[0] for r in everything} | {r[0].split(".")[0] for r in everything})
        close = difflib.get_close_matches(wanted, names, n=1)
        suggestion = f"; did you mean {close[0]}?" if close else ""
        sections = ", ".join(dict.fromkeys(r[0].split(".")[0] for r in everything))
        raise BadInputError(f"params {key}: no such key{suggestion} (sections: {sections})")
    return chosen


def format_table(table: list[tuple[str, str, str]], width: int = 60) -> str:
    """Aligned columns key, default, description; long defaults are shortened to ``width`` characters."""
    table = [(k, d if len(d) <= width else d[: width - 1] + "…", text) for k, d, text in table]
    key_width = max(len("key"), *(len(k) for k, _, _ in table))
    default_width = max(len("default"), *(len(d) for _, d, _ in table))
    lines = [f"{'key':<{key_width}}  {'default':<{default_width}}  description"]
    lines += [f"{k:<{key_width}}  {d:<{default_width}}  {text}" for k, d, text in table]
    return "\n".join(lines)


def execute(args: argparse.Namespace) -> int:
    """Print the table of ``args.key`` (every key when not given)."""
    print(format_table(select(args.key)))
    return EXIT_OK
