"""``optimize`` bad input: one line naming the key, exit 2, nothing written; and the search space's places."""

from __future__ import annotations

import math

import optuna
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.experiments.optimizer import plan_study
from sim.experiments.search_space import bearing
from sim.world.geometry import ZoneGeometry
from tests.helpers.cli import assert_one_error_line, call_main
from tests.helpers.optimize_rig import STUDY, write_study

SPACE = STUDY["space"]
BAD_STUDIES = [
    (
        {"space": {**SPACE, "dispatch.decision_tim": {"low": 1, "high": 5}}},
        ("dispatch.decision_tim", "decision_time"),
    ),
    (
        {"space": {"detection.threshold.swimming": {"low": 0.9, "high": 0.5}}},
        ("space: detection.threshold.swimming: low 0.9 is above high 0.5",),
    ),
    ({"space": {"dispatch.policy": {"choices": []}}}, ("dispatch.policy", "choices")),
    ({"space": {}}, ("space",)),
    (
        {"objectives": [{"column": "response_p90"}]},
        ("objectives.0.column", "response_p90", "response_time_s.p90"),
    ),
    (
        {"constraints": [{"column": "false_dispatch", "max": 2}]},
        ("constraints.0.column", "false_dispatches_per_day"),
    ),
    ({"objectives": None}, ("objectives",)),
    ({"objectives": []}, ("objectives",)),
    ({"costs": {"camera": 8000, "dock": 15000}}, ("costs", "boat")),
    ({"space": {"cameras.0": {"shore": "camera", "aim": "ns-nowhere"}}}, ("cameras.0", "aim", "ns-beach")),
    ({"space": {"docks.0": {"shore": "camera"}}}, ("docks.0", "cameras.N")),
    ({"space": {"docks.0": {"shore": "dock", "aim": "ns-beach"}}}, ("docks.0", "a dock has none")),
    ({"space": {"cameras.0": {"shore": "camera", "pitch": [20, 5]}}}, ("cameras.0", "pitch")),
]


@pytest.mark.parametrize(("changes", "expected"), BAD_STUDIES)
def test_bad_study_is_one_line_and_writes_nothing(tmp_path, capsys, changes, expected):
    out = tmp_path / "out"
    rc = call_main(["optimize", str(write_study(tmp_path, **changes)), "--out", str(out)])
    assert_one_error_line(capsys, rc, expected)
    assert not out.exists()


@pytest.mark.parametrize("trials", ["0", "-3"])
def test_trials_must_be_positive(tmp_path, capsys, trials):
    out = tmp_path / "out"
    rc = call_main(["optimize", str(write_study(tmp_path)), "--out", str(out), f"--trials={trials}"])
    assert_one_error_line(capsys, rc, ("--trials",))
    assert not out.exists()


def test_resume_refuses_a_different_study(tmp_path, capsys):
    out = tmp_path / "out"
    assert call_main(["optimize", str(write_study(tmp_path)), "--out", str(out), "--trials", "1",
                      "--workers", "1", "--no-confirm"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "1 trials run on process pool (1 workers)" in printed and "best 1: trial 0: cost" in printed
    assert (out / "trials.csv").is_file() and (out / "best" / "1" / "scenario.yaml").is_file()
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    rc = call_main(["optimize", str(write_study(tmp_path, seeds=3)), "--out", str(out), "--resume"])
    assert_one_error_line(capsys, rc, ("--resume", "different study", "seeds"))
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    rc = call_main(["optimize", str(write_study(tmp_path)), "--out", str(out)])
    assert_one_error_line(capsys, rc, ("--out", "not empty", "--resume"))


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("space")
    space = {
        **SPACE,
        "cameras.1": {"shore": "camera", "yaw": "free", "pitch": [8, 20]},
        "cameras.3": {"shore": "camera"},
        "docks.1": {"shore": "dock"},
        "drones.0": {"shore": "drone"},
        "dispatch.decision_time": {"low": 1, "high": 30, "integer": True, "log": True},
        "dispatch.policy": {"choices": ["nearest_idle", "fastest_eta"]},
    }
    return plan_study(write_study(folder, space=space))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(u=st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
def test_shore_places_land_on_land_within_a_metre_of_the_shore(plan, u):
    geometry = plan.space.shoreline.geometry
    position, faces = plan.space.shoreline.place(u)
    point = shapely.Point(position)
    assert geometry.bounds.contains(point)
    assert geometry.water.distance(point) > 0  # on land
    assert geometry.water.distance(point) <= 1.0  # within a metre of the shore
    assert math.dist(position, faces) <= 1.0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_search_space_maps_to_valid_scenarios(plan, data):
    params = {}
    for key, dim in plan.space.dimensions.items():
        if hasattr(dim, "choices"):
            params[key] = data.draw(st.sampled_from(range(len(dim.choices))))
        elif hasattr(dim, "boats"):
            params[key] = data.draw(st.integers(*dim.boats))
        elif hasattr(dim, "shore"):
            params[key] = data.draw(st.floats(0.0, 1.0, exclude_max=True))
            if dim.yaw == "free":
                params[f"{key}.yaw"] = data.draw(st.floats(0.0, 360.0))
            if dim.pitch is not None:
                params[f"{key}.pitch"] = data.draw(st.floats(*dim.pitch))
        elif dim.integer:
            params[key] = data.draw(st.integers(int(dim.low), int(dim.high)))
        else:
            params[key] = data.draw(st.floats(dim.low, dim.high))
    overrides = plan.space.suggest(optuna.trial.FixedTrial(params))
    try:
        scenario = plan.scenario(overrides)
    except ScenarioError as error:  # refused by a check: the optimizer records it as infeasible
        assert str(error).strip() and "\n" not in str(error)
        return
    geometry = ZoneGeometry(scenario)
    assert len(scenario.boats) == params["boats"]
    assert {boat.dock for boat in scenario.boats} <= {dock.id for dock in scenario.docks}
    assert 8 <= scenario.cameras[1].pitch <= 20 and 0 <= scenario.cameras[1].yaw <= 360
    assert scenario.cameras[1].yaw == params["cameras.1.yaw"]
    for camera in (scenario.cameras[0], scenario.cameras[1], scenario.cameras[3]):
        assert not geometry.on_water([camera.position[0]], [camera.position[1]])[0]
    beach = shapely.Polygon(scenario.zone.no_swimming[0].polygon).centroid
    assert scenario.cameras[0].yaw == pytest.approx(bearing(scenario.cameras[0].position, (beach.x, beach.y)))
    assert scenario.dispatch.policy in ("nearest_idle", "fastest_eta")
