"""Scenario files to a validated :class:`~sim.scenario.models.Scenario`.

``load_scenario(path, overrides)`` reads YAML (rejecting duplicate keys, which
PyYAML would silently accept), follows ``extends:``, applies ``--set``
overrides, validates with pydantic, inlines the calibration file and runs the
cross-field checks of :mod:`sim.scenario.checks`. Every problem becomes one
:class:`ScenarioError` whose message names the key path.
"""

from __future__ import annotations

import difflib
import enum
import json
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError
from sim.scenario.fields import UNION_TAGS
from sim.scenario.models import Calibration, Mode, Scenario, SensorType

_TAGS = ("constant", "exponential", "uniform", "lognormal", *UNION_TAGS)
"""Parts pydantic adds to an error's path for a member of a tagged union: not keys, left out."""


# ---------------------------------------------------------------- YAML


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader that refuses a mapping with the same key twice. Parsed by libyaml where PyYAML has it (its
    wheels do): the pure-Python parser took 93 % of loading a scenario (30 ms of the default's 34 ms)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` merges another mapping in; the base constructor handles it
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ScenarioError(f"line {line}: duplicate key {key!r} (first given on line {seen[key]})")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> dict:
    """The mapping in a YAML file; ScenarioError for a missing, empty or malformed file."""
    if not path.is_file():
        raise ScenarioError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {error.start})") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except ScenarioError as error:
        raise ScenarioError(f"{path}: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        lines = text.splitlines()
        source_line = lines[mark.line] if mark and mark.line < len(lines) else ""
        hint = _yaml_hint(problem, mark.line + 1 if mark else None, source_line)
        raise ScenarioError(f"{path}: YAML syntax error at {where}{problem}{hint}") from None
    if data is None:
        raise ScenarioError(f"{path}: the file is empty")
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping of scenario keys, got {type(data).__name__}")
    return data


INDENTATION_PROBLEMS = (
    "expected <block end>",
    "mapping values are not allowed",
    "did not find expected key",
    "could not find expected ':'",
    "did not find expected '-' indicator",
)
"""PyYAML's and libyaml's words for problems that are nearly always a line indented too far or not far
enough."""


def _yaml_hint(problem: str, line: int | None, source_line: str = "") -> str:
    """A short hint for the usual causes of a YAML syntax error: a tab (in the message, as PyYAML's own
    parser says it, or on the line the error points at: libyaml does not name the character), or a wrong
    indentation."""
    if "'\\t'" in problem or "\t" in problem or "\t" in source_line:
        return " (use spaces, not tabs, to indent YAML)"
    if any(words in problem for words in INDENTATION_PROBLEMS):
        return f" (check the indentation of line {line} and the lines above it)" if line else ""
    return ""


def deep_merge(base: Mapping, extra: Mapping) -> dict:
    """``base`` updated by ``extra``: mappings merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_with_extends(path: Path, _chain: tuple[Path, ...] = ()) -> dict:
    """A scenario mapping with its ``extends:`` chain merged in (parent first)."""
    path = path.resolve()
    if path in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, path))
        raise ScenarioError(f"extends: cycle {cycle}")
    data = read_yaml(path)
    _anchor_calibration(data, path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends: expected a file path, got {parent!r}")
    parent_path = path.parent / parent
    if not parent_path.is_file():
        raise ScenarioError(f"{path}: extends: no such file {parent}")
    return deep_merge(read_with_extends(parent_path, (*_chain, path)), data)


def _anchor_calibration(data: dict, folder: Path) -> None:
    """Make a relative ``detection.calibration`` path absolute, from the file that names it.

    So a scenario extending one in another folder still finds its parent's calibration.
    """
    detection = data.get("detection")
    if isinstance(detection, dict) and isinstance(detection.get("calibration"), str):
        detection["calibration"] = str(folder / detection["calibration"])
    network = data.get("network")  # a latency trace, too, is named relative to its scenario
    if isinstance(network, dict) and isinstance(network.get("trace"), str):
        network["trace"] = str(folder / network["trace"])


# ---------------------------------------------------------------- --set overrides


def _unwrap(annotation: Any) -> Any:
    """The model or container type inside Optional/Annotated/Union annotations."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        models = [_unwrap(a) for a in typing.get_args(annotation) if a is not type(None)]
        for candidate in models:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                return candidate
        for candidate in models:  # a key path can go on into a container, not into a number
            if typing.get_origin(candidate) in (dict, tuple, list):
                return candidate
        return models[0] if models else annotation
    return annotation


def _child_type(parent: Any, key: str) -> Any:
    """Type of ``key`` inside ``parent`` (a model, tuple/list or dict type); None if unknown."""
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        field = parent.model_fields.get(key)
        return _unwrap(field.annotation) if field else None
    origin = typing.get_origin(parent)
    if origin in (tuple, list) and key.lstrip("-").isdigit():
        return _unwrap(typing.get_args(parent)[0])
    if origin is dict:
        return _unwrap(typing.get_args(parent)[1])
    return None


def _valid_keys(parent: Any) -> list[str]:
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        return list(parent.model_fields)
    return []


def apply_override(data: dict, assignment: str) -> dict:
    """Apply one ``a.b.0.c=value`` (value parsed as YAML) to a scenario mapping, in place."""
    if "=" not in assignment:
        raise ScenarioError(f"--set {assignment}: expected key.path=value")
    dotted, raw_value = assignment.split("=", 1)
    if not all(dotted.strip().split(".")):
        raise ScenarioError(f"--set {assignment}: empty key in path {dotted!r}")
    try:
        value = yaml.safe_load(raw_value) if raw_value.strip() else ""
    except yaml.YAMLError:
        value = raw_value
    return set_key(data, dotted.strip(), value, f"--set {dotted}")


def set_key(data: dict, dotted: str, value: Any, where: str) -> dict:
    """Set the scenario key ``dotted`` (``a.b.0.c``) to ``value`` in ``data``, in place.

    The path must name a scenario key (checked against the :class:`Scenario` model) or an
    existing list entry; errors start with ``where`` (``--set a.b``, ``grid: a.b``).
    """
    keys = dotted.split(".")
    if not all(keys):
        raise ScenarioError(f"{where}: empty key in path {dotted!r}")
    node: Any = data
    node_type: Any = Scenario
    for depth, key in enumerate(keys):
        here = ".".join(keys[:depth]) or "the scenario"
        child_type = _child_type(node_type, key)
        last = depth == len(keys) - 1
        if isinstance(node, list):
            if not key.lstrip("-").isdigit() or not -len(node) <= int(key) < len(node):
                raise ScenarioError(f"{where}: {here} has {len(node)} entries, no index {key}")
            if last:
                node[int(key)] = value
            else:
                node = node[int(key)]
            node_type = child_type
            continue
        if not isinstance(node, dict):
            raise ScenarioError(f"{where}: {here} is a value, not a mapping")
        if key not in node and child_type is None and node_type is not dict:
            valid = _valid_keys(node_type)
            raise ScenarioError(f"{where}: no key {key!r} in {here}{_suggest(key, valid)}")
        if last:
            node[key] = value
        else:
            _spread_number(node, key, node_type, child_type)
            node = node.setdefault(key, {})
        node_type = child_type
    return data


def _spread_number(node: dict, key: str, node_type: Any, child_type: Any) -> None:
    """A number that may also be written as a mapping keyed by an enum (``detection.threshold: 0.5`` or
    ``{swimming: 0.8, fishing: 0.5}``) becomes that mapping, one entry per member, before a path goes
    into it: so ``detection.threshold.swimming=0.8`` changes swimming's entry and keeps the others.
    An absent key spreads the model's default."""
    if typing.get_origin(child_type) is not dict:
        return
    enum_type = typing.get_args(child_type)[0]
    if not (isinstance(enum_type, type) and issubclass(enum_type, enum.Enum)):
        return
    if key in node:
        value = node[key]
    else:
        field = node_type.model_fields.get(key) if isinstance(node_type, type) else None
        value = None if field is None else field.default
    if isinstance(value, int | float) and not isinstance(value, bool):
        node[key] = {member.value: value for member in enum_type}


def _suggest(word: str, valid: Iterable[str]) -> str:
    valid = list(valid)
    close = difflib.get_close_matches(word, valid, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (valid: {', '.join(valid)})" if valid else ""


# ---------------------------------------------------------------- validation


def first_error(error: ValidationError, root: type[BaseModel] = Scenario) -> str:
    """One line for the first pydantic error of a ``root`` model: dotted key path, then the problem."""
    # An unknown key is usually the cause of other errors (a typo for a required key): report it first.
    details = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")
    first = details[0]
    # Unions and validators add parts such as 'lognormal' or 'function-after[...]' to the path: drop them.
    loc = [
        str(part)
        for part in first["loc"]
        if str(part) not in _TAGS and "[" not in str(part) and not str(part).startswith("function-")
    ]
    path = ".".join(loc) or "the scenario"
    if first["type"] == "extra_forbidden":
        parent: Any = root
        for part in loc[:-1]:
            parent = _child_type(parent, part)
        message = f"unknown key{_suggest(loc[-1], _valid_keys(parent))}"
    elif first["type"] == "missing":
        message = "required key is missing"
    else:
        message = first["msg"].removeprefix("Value error, ")
        if "input" in first and not isinstance(first["input"], dict | list | tuple):
            message += f" (got {first['input']!r})"
        message += _list_hint(first.get("input"))
    more = f" (and {len(details) - 1} more problems)" if len(details) > 1 else ""
    return f"{path}: {message}{more}"


def _list_hint(value: Any) -> str:
    """For a text such as ``(1200, 50)`` where a list is expected: how to write it (``[1200, 50]``).

    Positions and sizes are YAML lists, the form JSON and the schema share; a tuple in parentheses is
    YAML text, so it is refused with this hint rather than guessed at."""
    if isinstance(value, str) and value.strip().startswith("(") and value.strip().endswith(")"):
        return f": write it as a list, [{value.strip()[1:-1].strip()}]"
    return ""


def build_scenario(data: Mapping, base_dir: Path) -> Scenario:
    """A :class:`Scenario` from a merged mapping, validated key by key (pydantic); calibration paths
    resolve from ``base_dir``. The cross-field checks are ``sim.loading.validate``'s."""
    data = dict(data)
    detection = data.get("detection")
    source = "inline"  # where the calibration came from, for errors
    if isinstance(detection, Mapping) and isinstance(detection.get("calibration"), str):
        source = Path(detection["calibration"]).name
        data["detection"] = {**detection, "calibration": _read_calibration(base_dir, detection)}
    elif detection is None:
        default = Scenario.model_fields["detection"].default.calibration
        source = Path(default).name
        data["detection"] = {"calibration": _read_calibration(base_dir, {"calibration": default})}
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(first_error(error)) from None
    _check_sensor_terms(scenario, source)
    _check_hazard_rules(scenario, source)
    return scenario


def _check_sensor_terms(scenario: Scenario, source: str) -> None:
    """A statistical run's cameras each need their sensor type's terms in the calibration (``sensors``):
    without them a thermal camera would silently detect as a visible one."""
    if scenario.run.mode is not Mode.STATISTICAL:
        return  # pixel mode runs the detectors themselves
    for i, camera in enumerate(scenario.cameras):
        missing = scenario.calibration.missing_terms(camera.sensor)
        if missing:
            raise ScenarioError(
                f"detection.calibration ({source}): no {missing[0]} for cameras.{i} ({camera.id}, sensor: "
                f"{camera.sensor.value}) in statistical mode; fit them with run_sim.py tune --sensor "
                f"{camera.sensor.value}, or run in pixel mode"
            )


def _check_hazard_rules(scenario: Scenario, source: str) -> None:
    """A ``hazard`` class's alarm rates were counted with one k-of-n rule: a statistical run with another
    (``detection.persistence``) would get the rates of a rule it does not use. Only the terms of the
    cameras' sensor types are checked (the top level for visible cameras, ``sensors.<type>`` for others):
    a run without thermal cameras never reads ``sensors.thermal``."""
    if scenario.run.mode is not Mode.STATISTICAL:
        return
    rule = scenario.detection.persistence
    used = {camera.sensor for camera in scenario.cameras}
    blocks = {"": scenario.calibration} if SensorType.VISIBLE in used else {}
    blocks |= {
        f"sensors.{sensor.value}.": terms
        for sensor, terms in scenario.calibration.sensors.items()
        if sensor in used
    }
    for prefix, terms in blocks.items():
        for kind, spec in terms.classes.items():
            rates = spec.alarm_hazard
            if rates is not None and (rates.k, rates.n) != (rule.k, rule.n):
                raise ScenarioError(
                    f"detection.persistence: {rule.k} of {rule.n}, but detection.calibration ({source}) "
                    f"{prefix}classes.{kind.value}.alarm_hazard was counted with {rates.k} of {rates.n}; "
                    "fit it again with this rule (run_sim.py tune --pixel-runs --model hazard)"
                )


def _read_calibration(base_dir: Path, detection: Mapping) -> Any:
    path = base_dir / detection["calibration"]
    if not path.is_file():
        raise ScenarioError(f"detection.calibration: no such file {detection['calibration']}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ScenarioError(f"detection.calibration: {path.name} line {error.lineno}: {error.msg}") from None
    try:
        return Calibration.model_validate(raw).model_dump(mode="json")
    except ValidationError as error:
        raise ScenarioError(f"detection.calibration ({path.name}): {first_error(error)}") from None


def read_scenario_data(path: str | Path, overrides: Iterable[str] = ()) -> dict:
    """A scenario file as a mapping: read, ``extends:`` merged, ``--set`` overrides applied."""
    data = read_with_extends(Path(path))
    for assignment in overrides:
        apply_override(data, assignment)
    return data


def scenario_to_yaml(scenario: Scenario) -> str:
    """The fully resolved scenario (calibration inlined, no ``extends``) as YAML text."""
    plain = scenario.model_dump(mode="json")
    return yaml.safe_dump(plain, sort_keys=False, default_flow_style=None, width=100)
