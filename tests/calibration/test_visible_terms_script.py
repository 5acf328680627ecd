"""scripts/visible_terms.py installs the visible classes from pixel runs (the hazard model) with their clip
runs' weather offsets, and the false alarms fitted to the clip runs' counts pooled with the evidence's fit
clips (its held-out clips never enter); pixel runs that saw no angler are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.calibration.false_alarm_evidence import count_table, read_chunks
from sim.calibration.false_alarm_fits import fit_pooled_false_alarms
from sim.scenario.models import Calibration
from tests.calibration.test_thermal_terms_script import HAZARD, write_alarm_weather
from tests.helpers.evidence import write_chunk
from tests.helpers.paths import SCENARIOS
from tests.helpers.scripts import script

KINDS = ("swimming", "fishing")
CLIP_WEATHER = {"clear": 0.0, "fog": -0.5, "haze": -0.25, "rain": -0.75}


def _bundled() -> dict:
    return json.loads((SCENARIOS / "calibration" / "default.json").read_text(encoding="utf-8"))


def _hazard_class(kind: str, installed: bool = False) -> dict:
    """A pixel-run fit's hazard class of ``kind``; ``installed``: with the clip run's score weather offsets
    :data:`CLIP_WEATHER` (its alarm rates the pixel fit's, whatever the clip run's estimate of them)."""
    hazard = HAZARD | (
        {"thresholds": [0.2, 0.8], "threshold_offsets": [0.0, -1.0]} if kind == "swimming" else {}
    )
    light = {"day": 0.0, "dusk": -0.4, "night": -9.0}
    spec = {"model": "hazard", "intercept": 1.0, "size_slope": 2.0, "alarm_hazard": hazard, "light": light}
    return spec | {"weather": CLIP_WEATHER} if installed else spec


def _folders(out: Path, seen: tuple[str, ...] = KINDS) -> None:
    """``out/pixel-visible`` (hazard classes of both kinds, pixel runs that saw the kinds ``seen``) and
    ``out/tune-<kind>`` (the bundled file, weather offsets :data:`CLIP_WEATHER`, a false_alarms.csv)."""
    for kind in KINDS:
        folder = out / f"tune-{kind}"
        folder.mkdir(parents=True)
        data = _bundled()
        data["classes"][kind]["weather"] = CLIP_WEATHER
        data["source"] = f"Fitted for {kind} by `clip run`: 60 rendered clips, 1.00 camera-hours. Earlier."
        (folder / "calibration.json").write_text(json.dumps(data), encoding="utf-8")
        write_alarm_weather(folder)
        rows = [
            ("day", w, t, n, 0.25)
            for w in CLIP_WEATHER
            for t, n in ((0.2, 6), (0.25, 90), (0.5, 2), (0.8, 1))
        ]
        pd.DataFrame(rows, columns=["light", "weather", "threshold", "false_alarms", "camera_hours"]).to_csv(
            folder / "false_alarms.csv", index=False
        )
    pixel = out / "pixel-visible"
    pixel.mkdir()
    data = _bundled() | {"source": "Fitted to pixel mode by `hazard run`: 18 runs."}
    data["classes"] = {kind: _hazard_class(kind) for kind in KINDS}
    (pixel / "calibration.json").write_text(json.dumps(data), encoding="utf-8")
    rows = [f"{kind},hazard,{1000 if kind in seen else 0}" for kind in KINDS]
    (pixel / "model_choice.csv").write_text("kind,model,fit_frames\n" + "\n".join(rows) + "\n")


EVIDENCE_CHUNKS = (  # part, first clip, scored hours, light, false alarms at τ 0.2, 0.35, 0.5, 0.65, 0.8
    ("fit", 0, 2.0, "day", (9, 4, 2, 1, 0)),
    ("fit", 3, 1.0, "dusk", (3, 1, 0, 0, 0)),
    ("held_out", 0, 3.0, "day", (500, 400, 300, 200, 100)),
)


def _evidence(folder: Path) -> Path:
    chunks = folder / "chunks"
    chunks.mkdir(parents=True)
    for kind in KINDS:
        for part, first, hours, light, counts in EVIDENCE_CHUNKS:
            alarms = dict(zip(("0.2", "0.35", "0.5", "0.65", "0.8"), counts, strict=True))
            write_chunk(chunks, part, first, hours, alarms, {}, kind=kind, light=light)
    return folder


def _with_depth_term(spec: dict, replaced: dict) -> dict:
    """``spec`` with the alarm rates' optical-depth term of ``replaced`` (a class of the replaced file)."""
    term = replaced["alarm_hazard"]["optical_depth"]
    return spec | {"alarm_hazard": spec["alarm_hazard"] | {"optical_depth": term}}


def _script():
    """scripts/visible_terms.py as a module."""
    return script("visible_terms")


def test_classes_come_from_the_pixel_runs_and_false_alarms_from_clips_and_fit_evidence(tmp_path):
    out, target = tmp_path / "out", tmp_path / "default.json"
    _folders(out)
    evidence = _evidence(tmp_path / "evidence")
    _script().main(out, evidence, target)
    installed = json.loads(target.read_text(encoding="utf-8"))
    Calibration.model_validate(installed)
    clips = read_chunks(evidence)
    for kind in KINDS:
        assert installed["classes"][kind] == _hazard_class(kind, installed=True)
        fit = clips[(clips["kind"] == kind) & (clips["part"] == "fit")]
        tune = pd.read_csv(out / f"tune-{kind}" / "false_alarms.csv")
        assert installed["false_alarms"][kind] == fit_pooled_false_alarms([tune, count_table(fit)])
        assert (
            installed["false_alarms"][kind]["light"]["dusk"] < 0
        )  # 4 in 1 h at dusk against 16 in 3 h by day
    assert (
        "`hazard run`" in installed["source"]
        and "60 rendered clips, 1.00 camera-hours." in installed["source"]
    )
    assert "3.0 fit camera-hours of the evidence" in installed["source"]
    assert installed["sensors"] == _bundled()["sensors"]  # the thermal block as the clip runs carried it


def test_the_held_out_clips_never_enter_the_fit(tmp_path):
    out = tmp_path / "out"
    _folders(out)
    evidence = _evidence(tmp_path / "evidence")
    _script().main(out, evidence, tmp_path / "with.json")
    for path in (evidence / "chunks").glob("*held_out*"):
        path.unlink()
    _script().main(out, evidence, tmp_path / "without.json")
    with_held_out, without = (
        json.loads((tmp_path / n).read_text(encoding="utf-8")) for n in ("with.json", "without.json")
    )
    assert with_held_out["false_alarms"] == without["false_alarms"]


def test_pixel_runs_without_an_angler_in_view_are_refused(tmp_path):
    out, target = tmp_path / "out", tmp_path / "default.json"
    _folders(out, seen=("swimming",))
    with pytest.raises(SystemExit, match="no fishing offender in view of the pixel runs"):
        _script().main(out, _evidence(tmp_path / "evidence"), target)
    assert not target.exists()


def test_a_target_that_exists_keeps_its_sensors_block(tmp_path):
    out, target = tmp_path / "out", tmp_path / "default.json"
    _folders(out)
    thermal = _bundled()["sensors"]["thermal"]
    kept = {"thermal": thermal | {"source": "the file being replaced's own thermal terms"}}
    target.write_text(json.dumps(_bundled() | {"sensors": kept}), encoding="utf-8")
    _script().main(out, _evidence(tmp_path / "evidence"), target)
    assert json.loads(target.read_text(encoding="utf-8"))["sensors"] == kept


def test_a_kept_class_is_the_replaced_files_and_the_source_says_so(tmp_path):
    """``--keep-class fishing``: fishing's class is the target's as it was but for its weather offsets (the
    clip run's, which the pixel runs cannot tell), swimming's the pixel runs', the false alarms refitted
    for both; the source names the kept class with the replaced file's account of its fit. Without a file
    to keep from, one line."""
    out, target = tmp_path / "out", tmp_path / "default.json"
    _folders(out)
    evidence = _evidence(tmp_path / "evidence")
    replaced = _bundled() | {
        "source": "Installed on 2026-12-01 by `x`. Detection classes, fishing: Fitted to pixel mode by `old "
        "run`: 12 runs. Those runs were in clear weather: the rest."
    }
    target.write_text(json.dumps(replaced), encoding="utf-8")
    _script().main(out, evidence, target, ("fishing",))
    installed = json.loads(target.read_text(encoding="utf-8"))
    Calibration.model_validate(installed)
    old = replaced["classes"]["fishing"]
    assert installed["classes"]["fishing"] == old | {"weather": CLIP_WEATHER}
    assert installed["classes"]["swimming"] == _with_depth_term(
        _hazard_class("swimming", installed=True), replaced["classes"]["swimming"]
    )
    fit = read_chunks(evidence)
    fit = fit[(fit["kind"] == "fishing") & (fit["part"] == "fit")]
    tune = pd.read_csv(out / "tune-fishing" / "false_alarms.csv")
    assert installed["false_alarms"]["fishing"] == fit_pooled_false_alarms([tune, count_table(fit)])
    assert installed["source"].endswith(
        "The fishing class is the replaced file's, kept (`--keep-class fishing`) but for its weather offsets "
        "(the clip run's): Fitted to pixel mode by `old run`: 12 runs."
    )
    assert "Detection classes, swimming (hazard model): " in installed["source"]
    with pytest.raises(SystemExit, match=r"--keep-class: .* does not exist"):
        _script().main(out, evidence, tmp_path / "missing.json", ("fishing",))


def test_both_classes_kept_each_with_its_own_account(tmp_path):
    """Both classes kept, from a file whose fishing class was itself kept from an older one: swimming's
    account is the fit that file installed, fishing's its own kept sentence's; no pixel fit is claimed."""
    out, target = tmp_path / "out", tmp_path / "default.json"
    _folders(out)
    replaced = _bundled() | {
        "source": "Installed on 2026-12-07 by `x`. Detection classes, swimming (hazard model): Fitted to "
        "pixel mode by `new run`: 18 runs. Those runs were in clear weather: the rest. The fishing class is "
        "the replaced file's, kept (`--keep-class fishing`): Fitted to pixel mode by `old run`: 12 runs."
    }
    target.write_text(json.dumps(replaced), encoding="utf-8")
    _script().main(out, _evidence(tmp_path / "evidence"), target, ("swimming", "fishing"))
    source = json.loads(target.read_text(encoding="utf-8"))["source"]
    assert "Detection classes" not in source and "`hazard run`" not in source
    assert source.endswith(
        "The swimming class is the replaced file's, kept (`--keep-class swimming`) but for its weather "
        "offsets (the clip run's): Fitted to pixel mode by `new run`: 18 runs. The fishing class is the "
        "replaced file's, kept (`--keep-class fishing`) but for its weather offsets (the clip run's): Fitted "
        "to pixel mode by `old run`: 12 runs."
    )


def test_a_refitted_class_takes_the_replaced_files_optical_depth_term(tmp_path):
    """No regeneration run is in bad weather: a refitted class keeps the replaced class's term for the
    weather's cost by distance, and the source says so; a file without terms gives classes without."""
    out, target = tmp_path / "out", tmp_path / "default.json"
    _folders(out)
    evidence = _evidence(tmp_path / "evidence")
    replaced = _bundled()
    target.write_text(json.dumps(replaced), encoding="utf-8")
    _script().main(out, evidence, target)
    installed = json.loads(target.read_text(encoding="utf-8"))
    for kind in KINDS:
        expected = _with_depth_term(_hazard_class(kind, installed=True), replaced["classes"][kind])
        assert installed["classes"][kind] == expected
    assert "optical-depth terms of swimming, fishing are the replaced file's" in installed["source"]
    for spec in replaced["classes"].values():
        del spec["alarm_hazard"]["optical_depth"]
    target.write_text(json.dumps(replaced), encoding="utf-8")
    _script().main(out, evidence, target)
    installed = json.loads(target.read_text(encoding="utf-8"))
    assert all("optical_depth" not in spec["alarm_hazard"] for spec in installed["classes"].values())
    assert "optical-depth" not in installed["source"]


def test_kept_classes_keep_their_terms_fitted_with_them_and_the_sentences_of_their_fits(tmp_path):
    out, target = tmp_path / "out", tmp_path / "default.json"
    _folders(out)
    depth = (
        " The alarm rates' optical-depth terms, fishing's (9 offenders) and swimming's (8 offenders), were "
        "fitted by `terms run`, each class held."
    )
    cliff = " The swimming class's size cliff (below 1 px) was fitted by `cliff run`, the class held."
    replaced = _bundled() | {
        "source": "Installed by `x`. Detection classes, swimming (hazard model): Fitted to pixel mode by "
        "`new run`: 18 runs. Pixel runs are in clear weather: the rest. The fishing class is the replaced "
        "file's, kept (`--keep-class fishing`): Fitted to pixel mode by `old run`: 12 runs." + depth + cliff
    }
    target.write_text(json.dumps(replaced), encoding="utf-8")
    _script().main(out, _evidence(tmp_path / "evidence"), target, ("swimming", "fishing"))
    installed = json.loads(target.read_text(encoding="utf-8"))
    for kind in KINDS:
        term = replaced["classes"][kind]["alarm_hazard"]["optical_depth"]
        assert installed["classes"][kind]["alarm_hazard"]["optical_depth"] == term
    assert installed["source"].count("optical-depth terms,") == 1  # the sentence of their fit, once
    assert "swimming, fishing follow the weather by their optical-depth terms" in installed["source"]
    assert installed["source"].endswith("Fitted to pixel mode by `old run`: 12 runs.")
    assert depth + cliff + " The swimming class is the replaced file's, kept" in installed["source"]
    assert installed["source"].count("size cliff") == 1
