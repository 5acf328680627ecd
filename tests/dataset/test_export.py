"""``run_sim.py dataset``: the COCO file and the YOLO labels give back truth.csv's boxes exactly, the split
is by clip, the same seed gives the same files byte for byte, and the card counts what is inside.

The datasets are rendered once per module through the command line, small and fast: 36 frames (three per
light and weather condition) at an analysis width of 160 px, from the default scenario cut to two cameras
(one sees a no-swimming area, the other both kinds' areas: a camera's ground map costs 0.3 s whatever the
frame size).
"""

from __future__ import annotations

import ast
import collections
import csv
import json
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from sim.dataset.labels import CLASS_NAMES
from sim.dataset.scenes import MIN_SNR
from tests.helpers.cli import call_main
from tests.helpers.paths import DEFAULT, ROOT

pycocotools_coco = pytest.importorskip("pycocotools.coco", reason="the test extra 'pycocotools'")

FRAMES = 36
WIDTH, HEIGHT = 160, 90
CAMERAS = ("cam-beach-w", "cam-mouth")
SMALL = [
    "--scenario",
    "../two_cameras.yaml",
    "--frames",
    str(FRAMES),
    "--set",
    f"detection.analysis_width={WIDTH}",
]


def export(folder: Path, label_format: str) -> Path:
    """Run the command in ``folder`` (so the card's command line is the same wherever it runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        rc = call_main(["dataset", "--out", "ds", "--format", label_format, *SMALL])
    assert rc == 0
    return folder / "ds"


@pytest.fixture(scope="module")
def datasets(tmp_path_factory, default_scenario) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("datasets")
    cameras = [c.model_dump(mode="json") for c in default_scenario.cameras if c.id in CAMERAS]
    scenario = {"extends": str(DEFAULT), "cameras": cameras}
    (root / "two_cameras.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")
    return {
        "yolo": export(root / "a", "yolo"),
        "coco": export(root / "b", "coco"),
        "yolo again": export(root / "c", "yolo"),
    }


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def labelled_truth(folder: Path) -> dict[str, list[tuple[int, tuple[int, int, int, int]]]]:
    """truth.csv's labelled boxes per image: (class index, (x0, y0, x1, y1)), in file order."""
    boxes = collections.defaultdict(list)
    for row in read_csv(folder / "truth.csv"):
        if row["labelled"] == "True":
            box = tuple(int(row[k]) for k in ("x0", "y0", "x1", "y1"))
            boxes[row["image"]].append((int(row["class_index"]), box))
    return boxes


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_the_coco_file_loads_with_pycocotools_and_its_boxes_are_truth_csv(datasets):
    folder = datasets["coco"]
    coco = pycocotools_coco.COCO(str(folder / "annotations.json"))
    assert [coco.cats[i]["name"] for i in sorted(coco.cats)] == list(CLASS_NAMES)
    assert len(coco.imgs) == FRAMES
    truth = labelled_truth(folder)
    assert sum(len(b) for b in truth.values()) == len(coco.anns) > 0
    for image_id, image in coco.imgs.items():
        assert (image["width"], image["height"]) == (WIDTH, HEIGHT)
        assert cv2.imread(str(folder / image["file_name"])).shape == (HEIGHT, WIDTH, 3)
        annotations = coco.loadAnns(coco.getAnnIds(imgIds=[image_id]))
        got = [(a["category_id"] - 1, tuple(a["bbox"])) for a in annotations]
        expected = [(c, (x0, y0, x1 - x0, y1 - y0)) for c, (x0, y0, x1, y1) in truth[image["file_name"]]]
        assert got == expected
        for a in annotations:
            assert a["area"] == a["bbox"][2] * a["bbox"][3] > 0
            assert a["iscrowd"] == 0


def test_yolo_labels_parse_and_give_truth_csv_boxes_exactly(datasets):
    folder = datasets["yolo"]
    data = yaml.safe_load((folder / "data.yaml").read_text(encoding="utf-8"))
    assert data["names"] == dict(enumerate(CLASS_NAMES)) and data["nc"] == len(CLASS_NAMES)
    assert "path" not in data  # Ultralytics then takes data.yaml's own folder
    truth = labelled_truth(folder)
    images = sorted(p.relative_to(folder).as_posix() for p in (folder / "images").rglob("*.jpg"))
    assert len(images) == FRAMES
    n = 0
    for name in images:
        label = folder / Path(name.replace("images/", "labels/", 1)).with_suffix(".txt")
        got = []
        for line in label.read_text(encoding="utf-8").splitlines():
            index, cx, cy, w, h = line.split()
            x0, x1 = (float(cx) - float(w) / 2) * WIDTH, (float(cx) + float(w) / 2) * WIDTH
            y0, y1 = (float(cy) - float(h) / 2) * HEIGHT, (float(cy) + float(h) / 2) * HEIGHT
            exact = tuple(round(v) for v in (x0, y0, x1, y1))
            assert np.allclose((x0, y0, x1, y1), exact, rtol=0, atol=1e-6 * WIDTH)
            got.append((int(index), exact))
        assert got == truth.get(name, [])
        n += len(got)
    assert n > 0


def test_both_formats_name_the_classes_alike_and_hold_the_same_frames(datasets):
    yolo, coco = datasets["yolo"], datasets["coco"]
    categories = json.loads((coco / "annotations.json").read_text(encoding="utf-8"))["categories"]
    names = yaml.safe_load((yolo / "data.yaml").read_text(encoding="utf-8"))["names"]
    assert {c["id"] - 1: c["name"] for c in categories} == names
    a, b = files(yolo), files(coco)
    shared = [k for k in a if k.startswith("images/") or k in ("truth.csv", "images.csv", "scenario.yaml")]
    assert shared and all(a[k] == b[k] for k in shared)


def test_the_same_seed_gives_the_same_files_byte_for_byte(datasets):
    first, again = files(datasets["yolo"]), files(datasets["yolo again"])
    assert len(first) == 2 * FRAMES + 5  # images, labels, data.yaml, truth.csv, images.csv, scenario, card
    assert list(first) == list(again)
    assert [k for k in first if first[k] != again[k]] == []


def test_the_split_is_by_clip(datasets):
    folder = datasets["yolo"]
    splits = collections.defaultdict(set)
    for row in read_csv(folder / "images.csv"):
        splits[row["clip"]].add(row["split"])
        assert row["image"].startswith(f"images/{row['split']}/{row['clip']}_")
    assert all(len(s) == 1 for s in splits.values())
    assert {s for (s,) in splits.values()} == {"train", "val"}
    for split in ("train", "val"):
        clips = {p.name.split("_")[0] for p in (folder / "images" / split).iterdir()}
        assert clips == {c for c, s in splits.items() if s == {split}}


def test_faint_boxes_stay_in_truth_csv_but_are_not_labels(datasets):
    rows = read_csv(datasets["yolo"] / "truth.csv")
    assert {r["labelled"] for r in rows} == {"True", "False"}  # the night has faint ones
    for row in rows:
        assert (row["labelled"] == "True") == (float(row["snr"]) >= MIN_SNR)
        assert (
            0 <= int(row["x0"]) < int(row["x1"]) <= WIDTH and 0 <= int(row["y0"]) < int(row["y1"]) <= HEIGHT
        )
    faint = [r for r in rows if r["labelled"] == "False"]
    # Clear daylight shows every visible actor (fog by day hides far ones, as Koschmieder's law has it); a
    # thermal camera by day can lose debris at the water's temperature.
    assert all(r["light"] != "day" or r["weather"] == "fog" for r in faint if r["sensor"] == "visible")


def test_thermal_frames_are_grey_labelled_and_show_the_night_s_swimmers(datasets):
    """Half the default dataset is thermal: grey frames (three equal channels) with labels; at night the
    thermal views label every swimmer, while the visible views lose some to the dark."""
    folder = datasets["yolo"]
    images = read_csv(folder / "images.csv")
    half = FRAMES // 2
    assert collections.Counter(r["sensor"] for r in images) == {"visible": half, "thermal": half}
    for row in images:
        image = cv2.imread(str(folder / row["image"]))
        grey = bool((image[..., 0] == image[..., 1]).all() and (image[..., 1] == image[..., 2]).all())
        assert grey == (row["sensor"] == "thermal" or row["infrared"] == "True"), row["image"]
    rows = read_csv(folder / "truth.csv")
    assert sum(r["labelled"] == "True" for r in rows if r["sensor"] == "thermal") > 0
    night_swimmers = [r for r in rows if r["light"] == "night" and r["class"] == "swimmer"]
    labelled = collections.Counter((r["sensor"], r["labelled"]) for r in night_swimmers)
    assert labelled[("thermal", "True")] > 0 and labelled[("thermal", "False")] == 0
    assert labelled[("visible", "False")] > 0


def test_the_project_boat_is_usv_and_a_leisure_boat_is_boat(datasets):
    classes = collections.defaultdict(set)
    for row in read_csv(datasets["yolo"] / "truth.csv"):
        classes[row["actor_id"].split("/")[1]].add(row["class"])
    assert classes["boat-0"] == {"usv"}
    assert classes["leisure-boat"] == {"boat"}
    assert set().union(*classes.values()) == set(CLASS_NAMES)


def test_the_card_counts_what_is_inside(datasets):
    folder = datasets["yolo"]
    card = (folder / "README.md").read_text(encoding="utf-8")
    rows = [r for r in read_csv(folder / "truth.csv") if r["labelled"] == "True"]
    assert f"`python run_sim.py dataset --out ds --format yolo {' '.join(SMALL)}`" in card
    assert "seed 0" in card
    header = re.search(r"(\d+) images \((\d+) train, (\d+) val\), (\d+) boxes", card)
    images = read_csv(folder / "images.csv")
    train = sum(r["split"] == "train" for r in images)
    assert tuple(map(int, header.groups())) == (FRAMES, train, FRAMES - train, len(rows))
    for index, name in enumerate(CLASS_NAMES):
        counts = collections.Counter(r["split"] for r in rows if r["class"] == name)
        line = f"| {index} | {index + 1} | {name} | {counts['train']} | {counts['val']} |"
        assert line in card
    by_light = collections.Counter(r["light"] for r in rows)
    for light in ("day", "dusk", "night"):
        assert re.search(rf"\| {light} \| 12 \| {by_light[light]} \|", card), light
    by_sensor = collections.Counter(r["sensor"] for r in rows)
    assert "sensors: visible, thermal." in card
    for sensor in ("visible", "thermal"):
        assert f"| {sensor} | {FRAMES // 2} | {by_sensor[sensor]} |" in card, sensor


# The class map docs/dataset.md gives OnnxDetector for a model trained on this dataset (usv, 6, unmapped).
ROUND_TRIP_CLASS_MAP = {0: "swimmer", 1: "fisher", 2: "walker", 3: "bird", 4: "debris", 5: "boat"}
DOC = ROOT / "docs" / "dataset.md"


def oracle_model(folder: Path, name: str, input_size: tuple[int, int], path: Path) -> Path:
    """A constant YOLOv8-layout ONNX model whose boxes are image ``name``'s labels, letterboxed into
    ``input_size`` as Ultralytics (and OnnxDetector) do: scaled by one gain, centred, padded."""
    from tests.helpers.onnx_models import write_constant_model

    gain = min(input_size[0] / WIDTH, input_size[1] / HEIGHT)
    left = round((input_size[0] - WIDTH * gain) / 2 - 0.1)
    top = round((input_size[1] - HEIGHT * gain) / 2 - 0.1)
    label = folder / Path(name.replace("images/", "labels/", 1)).with_suffix(".txt")
    columns = []
    for line in label.read_text(encoding="utf-8").splitlines():
        index, cx, cy, w, h = (float(v) for v in line.split())
        scores = np.eye(len(CLASS_NAMES))[int(index)] * 0.9
        box = [cx * WIDTH * gain + left, cy * HEIGHT * gain + top, w * WIDTH * gain, h * HEIGHT * gain]
        columns.append([*box, *scores])
    columns += [[0.0] * (4 + len(CLASS_NAMES))] * (16 - len(columns))  # more boxes than attributes
    return write_constant_model(path, np.array(columns, np.float32).T[None], input_size)


def busiest_val_image(folder: Path) -> str:
    truth = labelled_truth(folder)
    return max((n for n in truth if n.startswith("images/val/")), key=lambda n: len(truth[n]))


def test_a_model_trained_on_the_dataset_comes_back_through_the_onnx_detector(datasets, tmp_path):
    """An oracle export that outputs one val image's labels: OnnxDetector, configured with docs/dataset.md's
    class map, returns truth.csv's boxes of that image in frame pixels, with their classes."""
    pytest.importorskip("onnx", reason="the test extra 'onnx' builds the model")
    from detectors.base import ClassId, FrameContext
    from detectors.dnn import OnnxDetector

    assert [c.label for c in ClassId] == list(CLASS_NAMES[:6])
    folder = datasets["yolo"]
    name = busiest_val_image(folder)
    model = oracle_model(folder, name, (160, 160), tmp_path / "oracle.onnx")
    # NMS is not under test (the oracle's boxes are the truth): nothing suppressed.
    detector = OnnxDetector(model, class_map=ROUND_TRIP_CLASS_MAP, input_size=(160, 160), nms_threshold=1.0)
    mask = np.zeros((HEIGHT, WIDTH), bool)
    frame = cv2.imread(str(folder / name))
    detections = detector.update(frame, 0.0, FrameContext(mask, mask, mask, mask, np.zeros(HEIGHT), 10.0))
    got = sorted(
        (int(c), tuple(np.round(b, 6))) for c, b in zip(detections.class_id, detections.xyxy, strict=True)
    )
    expected = sorted(
        (c, tuple(float(v) for v in box))
        for c, box in labelled_truth(folder)[name]
        if CLASS_NAMES[c] != "usv"
    )
    assert len(expected) >= 3
    assert got == expected


def test_the_round_trip_in_the_docs_runs_as_written(datasets, tmp_path, capsys):
    """docs/dataset.md's scoring block, on this module's dataset and the oracle model at the docs' 640 x 640
    input: it scores every val frame, and the oracle's image gives its labels as true positives."""
    pytest.importorskip("onnx", reason="the test extra 'onnx' builds the model")
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)]
    assert 'class_map={0: "swimmer", 1: "fisher", 2: "walker", 3: "bird", 4: "debris", 5: "boat"}' in block
    folder = datasets["yolo"]
    name = busiest_val_image(folder)
    model = oracle_model(folder, name, (640, 640), tmp_path / "oracle.onnx")
    script = re.sub(r"^DATASET = .*$", f"DATASET = Path({str(folder)!r})", block, count=1, flags=re.M)
    script = re.sub(r"^MODEL = .*$", f"MODEL = Path({str(model)!r})", script, count=1, flags=re.M)
    assert script.count(str(folder)) == 1 and script.count(str(model)) == 1
    exec(compile(script, str(DOC), "exec"), {})
    summary = ast.literal_eval(capsys.readouterr().out.strip())
    val_images = sum(r["split"] == "val" for r in read_csv(folder / "images.csv"))
    expected = [c for c, _ in labelled_truth(folder)[name] if CLASS_NAMES[c] != "usv"]
    assert summary["n_frames"] == val_images
    assert summary["n_true_positive"] >= len(expected) >= 3
