"""The output contract of a run folder, as the project's own check.

The contract is DESIGN.md's section "A run's outputs" (the design notes beside the repository). It is
written out here from that text, not taken from ``sim``'s own constants, so a change in the code that
breaks the contract fails the tests instead of moving the contract with it. It checks what
``../shared/checks/run_outputs.py`` checks, plus what the section says and that checker leaves out: the
ordered times up to ``t_evidence_uploaded``, what each outcome means, the stage distributions, the
package versions, the seed in ``scenario.yaml`` and the three figures by name.

Not checked: ``replay.html``, listed by the section, which no run writes yet (the browser replay is
later work).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import yaml

FILES = ("incidents.csv", "alarms.csv", "missions.csv", "summary.json", "scenario.yaml")
INCIDENT_COLUMNS = (
    "incident_id", "kind", "x", "y", "t_start", "t_end", "t_first_visible", "t_detected",
    "t_alarm_received", "t_dispatched", "t_boat_arrived", "t_warning", "t_offender_left",
    "t_evidence_uploaded", "boat_id", "outcome",
)  # fmt: skip
ALARM_COLUMNS = ("alarm_id", "t", "source", "kind", "x", "y", "score", "incident_id", "dispatched")
MISSION_COLUMNS = (
    "mission_id", "boat_id", "incident_id", "t_assigned", "t_depart", "t_arrive", "t_done", "t_back",
    "distance_m", "energy_wh",
)  # fmt: skip
KINDS = ("swimming", "fishing")
TIMES = tuple(c for c in INCIDENT_COLUMNS if c.startswith("t_"))
"""Incident times, s since the start; empty where it never happened."""
ORDERED = INCIDENT_COLUMNS[INCIDENT_COLUMNS.index("t_detected") : INCIDENT_COLUMNS.index("boat_id")]
"""Non-empty times are ordered as listed from ``t_detected`` on."""
OUTCOMES = ("deterred", "non_compliant", "left_before_response", "missed", "unresolved")
SUMMARY_KEYS = (
    "scenario", "seed", "mode", "duration_s", "counts", "detection_rate", "false_alarms_per_hour",
    "false_dispatches", "response_time_s", "stages_s", "boat_utilization", "sim_events", "wall_time_s",
    "versions",
)  # fmt: skip
DISTRIBUTION = ("mean", "p50", "p90", "p99", "n")
STAGES = ("detection", "uplink", "dispatch", "transit")
FIGURES = ("response_time_cdf.png", "latency_breakdown.png", "zone_map.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def contract_problems(out: Path) -> list[str]:
    """What in the run folder ``out`` breaks the output contract, one line each; empty when it meets it.

    A folder without figures (``run --no-figures``) gives exactly ``["no figures/"]``.
    """
    out = Path(out)
    missing = [f"missing {name}" for name in FILES if not (out / name).is_file()]
    if missing:
        return missing
    incidents, problems = _table(out / "incidents.csv", INCIDENT_COLUMNS)
    for name, columns in (("alarms.csv", ALARM_COLUMNS), ("missions.csv", MISSION_COLUMNS)):
        problems += _table(out / name, columns)[1]
    if not problems:
        for row in incidents:
            problems += _incident_problems(row)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    problems += _summary_problems(summary, incidents)
    problems += _scenario_problems(out / "scenario.yaml", summary)
    return problems + _figure_problems(out / "figures")


def _table(path: Path, columns: tuple[str, ...]) -> tuple[list[dict[str, str]], list[str]]:
    """The rows of a CSV file and one problem per contract column it lacks."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        header = reader.fieldnames or []
    return rows, [f"{path.name} lacks column {c}" for c in columns if c not in header]


def _incident_problems(row: dict[str, str]) -> list[str]:
    """One incidents.csv row: its kind, times (non-negative numbers, the ordered ones in order) and
    an outcome that means what the contract says."""
    name = f"incident {row['incident_id']}"
    problems = []
    if row["kind"] not in KINDS:
        problems.append(f"{name}: kind {row['kind']!r}")
    try:
        times = {c: float(row[c]) for c in TIMES if row[c] != ""}
    except ValueError:
        return [*problems, f"{name}: a time that is not a number"]
    if any(t < 0 for t in times.values()):
        problems.append(f"{name}: a negative time")
    ordered = [times[c] for c in ORDERED if c in times]
    if ordered != sorted(ordered):
        problems.append(f"{name}: times out of order")
    outcome = row["outcome"]
    meaning = {
        "deterred": "t_warning" in times and "t_offender_left" in times,  # left after a warning
        "non_compliant": "t_warning" in times,  # still there when the boat gave up
        "left_before_response": "t_detected" in times and "t_warning" not in times,
        "missed": "t_detected" not in times,  # never detected
        "unresolved": True,  # still open at the end
    }
    if outcome not in OUTCOMES:
        problems.append(f"{name}: outcome {outcome!r}")
    elif not meaning[outcome]:
        problems.append(f"{name}: outcome {outcome} does not fit its times")
    return problems


def _summary_problems(summary: dict, incidents: list[dict[str, str]]) -> list[str]:
    """summary.json: its keys, the response time and each stage as a distribution, and ``n`` of the
    response time equal to the number of warned incidents (it runs from ``t_start`` to ``t_warning``)."""
    problems = [f"summary.json lacks {key}" for key in SUMMARY_KEYS if key not in summary]
    response = summary.get("response_time_s", {})
    problems += [f"summary.json response_time_s lacks {k}" for k in DISTRIBUTION if k not in response]
    stages = summary.get("stages_s", {})
    for stage in STAGES:
        lacking = DISTRIBUTION if stage not in stages else [k for k in DISTRIBUTION if k not in stages[stage]]
        problems += [f"summary.json stages_s.{stage} lacks {k}" for k in lacking]
    warned = sum(row.get("t_warning", "") != "" for row in incidents)
    if "n" in response and response["n"] != warned:
        problems.append(f"summary.json response_time_s n {response['n']}, but {warned} incidents warned")
    return problems


def _scenario_problems(path: Path, summary: dict) -> list[str]:
    """scenario.yaml: a scenario mapping with the run's name and seed, so the run can be repeated."""
    try:
        scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return ["scenario.yaml is not YAML"]
    if not isinstance(scenario, dict) or not isinstance(scenario.get("run"), dict):
        return ["scenario.yaml holds no scenario with a run section"]
    problems = []
    seed, name = scenario["run"].get("seed"), scenario.get("name")
    if "seed" in summary and seed != summary["seed"]:
        problems.append(f"scenario.yaml run.seed {seed!r} is not the run's {summary['seed']!r}")
    if "scenario" in summary and name != summary["scenario"]:
        problems.append(f"scenario.yaml name {name!r} is not the run's {summary['scenario']!r}")
    return problems


def _figure_problems(figures: Path) -> list[str]:
    """figures/: at least the response-time CDF, the latency breakdown and the zone map, as PNG files."""
    if not figures.is_dir() or not any(figures.iterdir()):
        return ["no figures/"]
    problems = []
    for name in FIGURES:
        path = figures / name
        if not path.is_file():
            problems.append(f"figures/ lacks {name}")
        elif not path.read_bytes().startswith(PNG_SIGNATURE):
            problems.append(f"figures/{name} is not a PNG")
    return problems
