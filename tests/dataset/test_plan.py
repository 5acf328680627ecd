"""sim.dataset.plan: every condition gets its share, cameras turn over, clips split train/val with no overlap.

Plans only: nothing is rendered, so these run on the default scenario's real cameras.
"""

from __future__ import annotations

import collections

import pytest

from sim.dataset.plan import (
    FRAMES_PER_CLIP,
    SENSORS,
    Split,
    check_request,
    dataset_cameras,
    plan_dataset,
    val_count,
)
from sim.errors import DatasetError
from sim.scenario.models import Kind, SensorType
from sim.world.geometry import ZoneGeometry

CONDITIONS = 12 * len(SENSORS)  # light x weather x sensor


@pytest.fixture(scope="module")
def geometry(default_scenario):
    return ZoneGeometry(default_scenario)


@pytest.mark.parametrize("frames", [1, 7, 12, 60, 1200, 1234, 9000])
def test_frames_add_up_and_each_condition_gets_its_share(default_scenario, geometry, frames):
    plan = plan_dataset(default_scenario, geometry, frames)
    assert plan.frames == frames
    per_condition = collections.Counter()
    for clip in plan.clips:
        assert 1 <= clip.frames <= FRAMES_PER_CLIP
        per_condition[(clip.view.light, clip.view.weather, clip.view.sensor)] += clip.frames
    if frames >= CONDITIONS:
        assert len(per_condition) == CONDITIONS
    # Each condition has as many views, and a view's frames differ from another's by one at most.
    views_per_condition = -(-len(plan.views) // CONDITIONS)
    assert max(per_condition.values()) - min(per_condition.values()) <= views_per_condition
    # Images are numbered in plan order without gaps.
    firsts = [clip.first_image for clip in plan.clips]
    assert firsts == [sum(c.frames for c in plan.clips[:i]) for i in range(len(plan.clips))]


def test_views_grow_with_the_frames_and_a_condition_never_repeats_a_camera(default_scenario, geometry):
    cameras = dataset_cameras(default_scenario, geometry)
    full = 100 * CONDITIONS  # 100 frames a view
    assert len(plan_dataset(default_scenario, geometry, full).views) == CONDITIONS
    assert len(plan_dataset(default_scenario, geometry, full + 1).views) == 2 * CONDITIONS
    assert len(plan_dataset(default_scenario, geometry, int(2.5 * full)).views) == 3 * CONDITIONS
    assert len(plan_dataset(default_scenario, geometry, 7).views) == 7
    plan = plan_dataset(default_scenario, geometry, 100_000)
    assert len(plan.views) == CONDITIONS * len(cameras)  # every camera under every condition, once
    by_condition = collections.defaultdict(list)
    for view in plan.views:
        by_condition[(view.light, view.weather, view.sensor)].append(view.camera_id)
    for ids in by_condition.values():
        assert sorted(ids) == sorted(c for c, _ in cameras)


def test_cameras_are_those_that_see_a_no_go_area_interleaved_by_kind(default_scenario, geometry):
    cameras = dataset_cameras(default_scenario, geometry)
    ids = [c for c, _ in cameras]
    assert "cam-northwest" not in ids  # it sees no no-go area
    kinds = dict(cameras)
    assert kinds["cam-beach-w"] == (Kind.SWIMMING,)
    assert kinds["cam-east-n"] == (Kind.FISHING,)
    assert kinds["cam-mouth"] == (Kind.SWIMMING, Kind.FISHING)
    # In the smallest full plan each weather's views (and each light's) hold both kinds of scene.
    plan = plan_dataset(default_scenario, geometry, 2400)
    for attribute in ("weather", "light"):
        seen = collections.defaultdict(set)
        for view in plan.views:
            seen[getattr(view, attribute)].update(view.kinds)
        assert all(kinds == {Kind.SWIMMING, Kind.FISHING} for kinds in seen.values()), attribute


def test_the_split_is_by_clip_every_fifth_clip_in_every_view(default_scenario, geometry):
    plan = plan_dataset(default_scenario, geometry, 2400)
    val = [clip for clip in plan.clips if clip.split is Split.VAL]
    assert len(val) == val_count(len(plan.clips)) == round(0.2 * len(plan.clips))
    assert {clip.view.index for clip in val} == {view.index for view in plan.views}
    names = [clip.image_name(n) for clip in plan.clips for n in range(clip.frames)]
    assert len(set(names)) == plan.frames
    for clip in plan.clips:
        assert clip.image_name(0) == f"images/{clip.split}/{clip.name}_00.jpg"
    assert len({clip.name for clip in plan.clips}) == len(plan.clips)


def test_the_sensors_are_the_scenarios_and_each_gets_every_light_and_weather(default_scenario, geometry):
    assert SENSORS == ("visible", "thermal")
    plan = plan_dataset(default_scenario, geometry, 2400)
    for sensor in SensorType:
        views = [v for v in plan.views if v.sensor is sensor]
        assert len({(v.light, v.weather) for v in views}) == len(views) == 12
    thermal_only = plan_dataset(default_scenario, geometry, 120, ("thermal",))
    assert {v.sensor for v in thermal_only.views} == {SensorType.THERMAL}
    assert thermal_only.sensors == ("thermal",) and thermal_only.frames == 120


@pytest.mark.parametrize(("clips", "val"), [(0, 0), (1, 0), (2, 1), (7, 1), (8, 2), (10, 2), (120, 24)])
def test_val_count(clips, val):
    assert val_count(clips) == val


@pytest.mark.parametrize(
    ("frames", "sensors", "label_format", "message"),
    [
        (0, SENSORS, "yolo", "--frames: must be >= 1, got 0"),
        (-5, SENSORS, "coco", "--frames: must be >= 1, got -5"),
        (10, ("sonar",), "yolo", "--sensor: unknown sensor 'sonar' (valid: "),
        (10, (), "yolo", "--sensor: no sensor given"),
        (10, SENSORS, "voc", "--format: unknown format 'voc' (valid: yolo, coco)"),
    ],
)
def test_bad_requests_name_the_option(frames, sensors, label_format, message):
    with pytest.raises(DatasetError) as error:
        check_request(frames, sensors, label_format)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)
