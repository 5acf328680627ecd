"""Writing a calibration file: a kind's fitted class entry and false-alarm entry, rounded for the file."""

from __future__ import annotations

import json
from pathlib import Path

from sim.scenario.models import Kind, SensorType

ACQUISITION_KEYS = (
    "entry_acquisition",
    "acquisition_rate_per_s",
    "loss_rate_per_s",
    "acquisition_sd",
    "track_age_offsets",
    "acquisition_step_s",
)
"""A class's keys of the acquisition model (:mod:`sim.sensing.acquisition`), present only when it was
fitted."""


def class_entry(hit_model: dict) -> dict:
    """A kind's ``classes`` entry of a calibration file from a hit-model fit (rounded for the file)."""
    return (
        ({"model": hit_model["model"]} if "model" in hit_model else {})
        | {
            "intercept": round(hit_model["intercept"], 4),
            "size_slope": round(hit_model["size_slope"], 4),
            "size_basis": "analysed",  # the logs' heights (sim.sensing.analysed_size)
            "offender_sd": round(hit_model["offender_sd"], 4),
            "offender_spell_s": hit_model.get("offender_spell_s", 0.0),
            "offender_lasting_sd": round(hit_model.get("offender_lasting_sd", 0.0), 4),
            "never_share": round(hit_model.get("never_share", 0.0), 4),
            "never_size_slope": round(hit_model.get("never_size_slope", 0.0), 4),
            "hit_run_s": round(hit_model.get("hit_run_s", 0.0), 4),
            "hit_run_odds_exponent": round(hit_model.get("hit_run_odds_exponent", 0.0), 4),
            "alarm_on_target": round(hit_model.get("alarm_on_target", 1.0), 4),
            "shadowed_share": round(hit_model.get("shadowed_share", 0.0), 4),
            "evidence_s": round(hit_model.get("evidence_s", 0.0), 4),
        }
        | {
            key: [round(v, 4) for v in hit_model[key]] if isinstance(hit_model[key], list) else hit_model[key]
            for key in ACQUISITION_KEYS
            if key in hit_model
        }
        | ({"alarm_hazard": _rounded(hit_model["alarm_hazard"])} if "alarm_hazard" in hit_model else {})
        | {
            "light": {k: round(v, 4) for k, v in hit_model["light"].items()},
            "weather": {k: round(v, 4) for k, v in hit_model["weather"].items()},
        }
    )


def _rounded(value):
    """``value`` (numbers, lists and mappings of them) with every float rounded to 4 decimals."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def write_calibration(
    base: dict,
    kind: Kind,
    hit_model: dict,
    false_alarm_fit: dict,
    source: str,
    path: Path,
    sensor: SensorType = SensorType.VISIBLE,
) -> dict:
    """The calibration file with this kind's class and false-alarm entries replaced: the top-level ones
    (visible cameras), or those of ``sensors.<sensor>`` (the rest of the file as it was)."""
    calibration = json.loads(json.dumps(base))
    terms = calibration
    if sensor is not SensorType.VISIBLE:
        terms = calibration.setdefault("sensors", {}).setdefault(sensor.value, {})
        for name in ("classes", "false_alarms"):
            terms.setdefault(name, {})
    terms["classes"][kind.value] = class_entry(hit_model)
    terms["false_alarms"][kind.value] = false_alarm_fit
    terms["source"] = source
    path.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    return calibration
