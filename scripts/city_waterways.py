"""The geometry of ``scenarios/city_waterways.yaml``: water, islands, no-go areas, docks and cameras.

    python scripts/city_waterways.py            # print the generated blocks
    python scripts/city_waterways.py --write    # replace them in scenarios/city_waterways.yaml
    python scripts/city_waterways.py --plot map.png

The scenario file is the bundled artefact; this script only says how its long lists of coordinates were
made, so they can be made again after a change. It rewrites the blocks between the lines
``# >>> generated: NAME`` and ``# <<< generated: NAME`` and nothing else.

The city (fictional; a 5 km x 4 km district of a plains city at 34 N, like the default scenario's):

- **River**: 90 m wide (assumption: a mid-size urban river), meandering west to east across the middle of
  the zone, with a 280 m long island (an eyot) splitting it in the west.
- **Island lake** (north-west): about 1.1 km x 0.7 km with five islands, joined to the river by a 40 m canal.
- **Narrows lake** (south): two basins joined by a 35 m wide, 200 m long strait; not connected to the
  river (a park lake fed by a pipe), so it has its own dock and boat.
- **Mouth lake** (north-east): a 30 m creek enters it from the north edge through a mouth with a sand
  bar; the lake drains south into the river through a 50 m outflow.

Shapes are smooth closed curves r(θ) = ellipse radius · (1 + Σ a_k cos(kθ + φ_k)) with fixed harmonics
(no random numbers), and centrelines smoothed by Chaikin corner cutting; coordinates are rounded to whole
metres. Every length is metres, x east and y north from the zone's south-west corner.
"""

from __future__ import annotations

import argparse
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon, box
from shapely.ops import nearest_points

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "city_waterways.yaml"
WIDTH, HEIGHT = 5000.0, 4000.0
"""Zone extent east-west and north-south, m."""
OUTLINE_TOLERANCE_M = 1.5
"""Outlines are simplified to within this distance before rounding, m (keeps the vertex count down)."""


def chaikin(points: list[tuple[float, float]], rounds: int = 4) -> np.ndarray:
    """An open polyline smoothed by Chaikin's corner cutting (ends kept)."""
    line = np.asarray(points, dtype=float)
    for _ in range(rounds):
        a, b = line[:-1], line[1:]
        cut = np.empty((2 * len(a), 2))
        cut[0::2], cut[1::2] = 0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b
        line = np.vstack([line[:1], cut, line[-1:]])
    return line


def blob(centre, radii, harmonics=(), rotation_deg: float = 0.0, vertices: int = 72) -> Polygon:
    """A smooth closed outline: an ellipse of ``radii`` (m) modulated by ``(k, amplitude, phase_deg)``."""
    theta = np.linspace(0.0, 2 * np.pi, vertices, endpoint=False)
    scale = 1.0 + sum(a * np.cos(k * theta + math.radians(p)) for k, a, p in harmonics)
    x, y = radii[0] * np.cos(theta) * scale, radii[1] * np.sin(theta) * scale
    turn = math.radians(rotation_deg)
    xr, yr = x * math.cos(turn) - y * math.sin(turn), x * math.sin(turn) + y * math.cos(turn)
    return Polygon(np.column_stack([centre[0] + xr, centre[1] + yr]))


def channel(points, width_m: float) -> Polygon:
    """A watercourse of ``width_m`` along the smoothed centreline through ``points``, flat ends."""
    return LineString(chaikin(points)).buffer(width_m / 2, cap_style="flat", join_style="round", quad_segs=4)


def rounded(polygon: Polygon) -> Polygon:
    """The outline clipped to the zone, simplified, with whole-metre vertices."""
    clipped = polygon.intersection(box(0, 0, WIDTH, HEIGHT)).simplify(OUTLINE_TOLERANCE_M)
    ring = np.round(np.asarray(clipped.exterior.coords)[:-1])
    out = Polygon(ring)
    if not out.is_valid:
        raise ValueError("an outline crosses itself after rounding")
    return out


# ---------------------------------------------------------------- water bodies (m)

RIVER_CENTRE = [(-50, 1850), (500, 2000), (1000, 1900), (1500, 1750), (2100, 1900), (2600, 2150),
                (3100, 2100), (3600, 2000), (4200, 2150), (4700, 2050), (5050, 2000)]  # fmt: skip
"""The main river's centreline, west to east (extends past the edges so the banks reach them), m."""

WATER = {
    "river": (channel(RIVER_CENTRE, 90), "main river, 90 m wide, west edge to east edge"),
    "island-lake": (
        blob((1300, 3050), (560, 340), [(2, 0.08, 30), (3, 0.06, 200), (5, 0.03, 90)], rotation_deg=8),
        "island lake (north-west), about 1.1 km x 0.7 km",
    ),
    "canal": (channel([(1250, 2750), (1230, 2300), (1280, 1850)], 40), "canal, 40 m, island lake to river"),
    "narrows-west": (
        blob((1900, 800), (330, 240), [(2, 0.06, 60), (3, 0.05, 10)], rotation_deg=-10),
        "narrows lake, west basin",
    ),
    "narrows-strait": (channel([(2180, 850), (2300, 870), (2420, 860)], 35), "the narrows: 35 m wide, 200 m"),
    "narrows-east": (
        blob((2800, 880), (400, 280), [(2, 0.07, 150), (4, 0.04, 40)], rotation_deg=12),
        "narrows lake, east basin",
    ),
    "mouth-lake": (
        blob((3950, 3050), (470, 320), [(2, 0.05, 100), (3, 0.07, 300)], rotation_deg=-6),
        "mouth lake (north-east), about 0.95 km x 0.65 km",
    ),
    "creek": (
        channel([(4150, 4050), (4120, 3700), (4060, 3400), (4030, 3330)], 30),
        "creek, 30 m, from the north edge",
    ),
    "outflow": (
        channel([(3900, 2780), (3870, 2450), (3800, 2080)], 50),
        "outflow, 50 m, mouth lake to river",
    ),
}
"""Each water polygon and what it is; overlapping pieces form one water body."""

ISLANDS = {
    "eyot": (blob((700, 1958), (140, 14), [(2, 0.1, 0)], rotation_deg=-7, vertices=24), "river eyot, 280 m"),
    "lake-big": (
        blob((1150, 3120), (170, 90), [(2, 0.1, 40), (3, 0.08, 0)], rotation_deg=15, vertices=36),
        "wooded island, about 340 m x 180 m",
    ),
    "lake-long": (
        blob((1550, 2900), (150, 22), [(2, 0.1, 0)], rotation_deg=-25, vertices=24),
        "long thin island: two 60-90 m channels beside it",
    ),
    "lake-round": (blob((1600, 3260), (45, 40), vertices=16), "round island, 90 m"),
    "lake-pair-a": (blob((850, 2900), (30, 20), vertices=12), "islet, 60 m"),
    "lake-pair-b": (
        blob((920, 2870), (25, 18), rotation_deg=30, vertices=12),
        "islet, 50 m, 25 m from the first",
    ),
    "sand-bar": (
        blob((4080, 3300), (70, 14), [(2, 0.1, 0)], rotation_deg=-20, vertices=16),
        "sand bar in the creek's mouth",
    ),
}
"""Islands and what they are."""


def water() -> tuple[Polygon, dict[str, Polygon], dict[str, Polygon]]:
    """The water as the simulator sees it (union less islands), and the rounded pieces by name."""
    pieces = {name: rounded(shape) for name, (shape, _) in WATER.items()}
    islands = {name: rounded(shape) for name, (shape, _) in ISLANDS.items()}
    union = shapely.union_all(list(pieces.values())).difference(shapely.union_all(list(islands.values())))
    return union, pieces, islands


# ---------------------------------------------------------------- no-go areas, hotspots (m, multipliers)

SUMMER = (0, 0, 0, 0.1, 0.4, 1, 1, 1, 0.4, 0, 0, 0)
"""Monthly multiplier Jan..Dec of an open-water swimming spot: June to August (assumption)."""
AFTERNOON = (0, 0, 0, 0, 0, 0, 0, 0, 0.2, 0.4, 0.7, 0.9, 1, 1, 1, 1, 1, 0.8, 0.5, 0.3, 0.1, 0, 0, 0)
"""Hourly multiplier 0..23 h of a beach: the warm afternoon (assumption)."""
EVENING = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.1, 0.2, 0.2, 0.3, 0.4, 0.6, 0.9, 1, 1, 0.8, 0.4, 0.1, 0)
"""Hourly multiplier of a city-centre spot: after work and school (assumption)."""
DAWN_DUSK = (0.1, 0, 0, 0, 0.5, 1, 1, 0.6, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1, 1, 0.6, 0.3,
             0.2, 0.1)  # fmt: skip
"""Hourly multiplier of a fishing bank: feeding times at dawn and dusk (assumption)."""
NIGHT = (1, 1, 0.8, 0.6, 0.4, 0.2, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.1, 0.3, 0.6, 0.9, 1, 1)
"""Hourly multiplier of a dark bank far from street lights: night fishing (assumption)."""
SPRING_AUTUMN = (0.2, 0.2, 0.6, 1, 1, 0.6, 0.4, 0.4, 0.8, 1, 0.7, 0.3)
"""Monthly multiplier of a bank where fish run in spring and autumn (assumption)."""
WINTER = (1, 1, 0.6, 0.2, 0, 0, 0, 0, 0, 0.2, 0.6, 1)
"""Monthly multiplier of a sheltered deep bay where fish gather in the cold months (assumption)."""


@dataclass(frozen=True)
class Area:
    """A no-go area: a box (m) around ``centre`` and, optionally, when it is a hotspot."""

    id: str
    centre: tuple[float, float]
    size: tuple[float, float]
    weight: float
    note: str
    hourly: tuple[float, ...] | None = None
    monthly: tuple[float, ...] | None = None
    cameras: int = 2

    @property
    def polygon(self) -> Polygon:
        (x, y), (w, h) = self.centre, self.size
        return box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)


NO_SWIMMING = [
    Area("ns-lake-beach", (1150, 2790), (360, 140), 3, "island lake's south beach, the city's favourite spot",
         AFTERNOON, SUMMER, cameras=5),
    Area("ns-big-island", (1150, 3120), (460, 300), 1, "swimming out to the wooded island", AFTERNOON, SUMMER,
         cameras=4),
    Area("ns-eyot", (700, 1975), (380, 140), 1, "river channels beside the eyot: fast current", cameras=5),
    Area("ns-city-river", (2600, 2150), (500, 150), 2, "city-centre river below the bridge: jumping at dusk",
         EVENING, SUMMER, cameras=5),
    Area("ns-strait", (2300, 865), (260, 120), 1, "the narrows: currents between the basins", cameras=4),
    Area("ns-east-basin", (2820, 640), (400, 140), 2, "south beach of the narrows lake's east basin",
         AFTERNOON, SUMMER, cameras=4),
    Area("ns-mouth", (4070, 3330), (300, 140), 1.5, "the creek's mouth: cold inflow, a sand bar",
         cameras=4),
    Area("ns-weir", (3840, 2150), (220, 200), 1, "outflow joining the river above a weir", cameras=3),
]  # fmt: skip
"""No-swimming areas (boxes, m): what they are, their weight (share of incidents, assumption) and hotspot."""

NO_FISHING = [
    Area("nf-river-west", (300, 1960), (400, 120), 1, "river's north bank by the west park", DAWN_DUSK,
         SPRING_AUTUMN, cameras=3),
    Area("nf-river-south", (1900, 1810), (450, 100), 1, "river's south bank promenade", DAWN_DUSK, cameras=4),
    Area("nf-river-east", (4550, 2090), (500, 160), 1, "both river banks by the east bridge", NIGHT,
         cameras=4),
    Area("nf-lake-north", (1350, 3380), (500, 100), 1, "island lake's dark north bank", NIGHT, cameras=4),
    Area("nf-canal", (1240, 2500), (80, 300), 0.5, "canal banks", cameras=2),
    Area("nf-west-basin", (1620, 820), (100, 300), 1, "west basin's reed bank", DAWN_DUSK, cameras=3),
    Area("nf-mouth-east", (4390, 3050), (120, 360), 1, "mouth lake's deep east bay", None, WINTER, cameras=3),
    Area("nf-outflow", (3885, 2600), (110, 260), 0.5, "outflow banks", cameras=3),
]  # fmt: skip
"""No-fishing shore stretches (boxes straddling the shoreline, m)."""

DOCKS = {
    "dock-river-west": ((420, 1900), "river's south bank, west park"),
    "dock-canal": ((1290, 1900), "where the canal joins the river"),
    "dock-city": ((2350, 2060), "city centre, river's north bank"),
    "dock-weir": ((3700, 2090), "river's north bank beside the outflow"),
    "dock-river-east": ((4650, 2000), "river's south bank, east bridge"),
    "dock-lake": ((1450, 2740), "island lake's south shore, east of the beach"),
    "dock-west-basin": ((1950, 580), "narrows lake, west basin's south shore"),
    "dock-east-basin": ((3100, 800), "narrows lake, east basin's east shore"),
}
"""Docks: a point near where each stands (snapped to land 3 m from the water) and where it is."""

CAMERA = {"height": 12, "pitch": 12, "hfov": 70, "resolution": [1920, 1080], "fps": 5, "codec": "h265"}
"""Every camera's lens height (m), depression (deg), field of view (deg), image (px), analysed frame rate
(1/s) and video codec: a 1080p pole camera on a 12 m street-light mast (assumption). 5 fps and H.265: the
gNBs stand in the city centre (see the scenario's gnbs), so cameras at the edges have a few Mbit/s of
uplink, and 60 streams at the default's 15 fps H.264 would need three times what the cells carry."""
SETBACK_M = 3.0
"""Camera poles and docks stand on land this far from the water, m."""
RANGE_M = 250.0
"""A camera's analysed ground range, m (the default scenario's cameras use 220-350 m)."""
FISHING_BAND_M = 6.0
"""Fishers stand on land within this distance of the water (as ``sim.world.geometry``), m."""


def regions(water_body: Polygon, kind: str) -> list[tuple[Area, Polygon]]:
    """Each area of ``kind`` and where its offenders can be: water, or the shore band next to it."""
    if kind == "swimming":
        return [(a, a.polygon.intersection(water_body)) for a in NO_SWIMMING]
    land = box(0, 0, WIDTH, HEIGHT).difference(water_body)
    band = land.intersection(water_body.buffer(FISHING_BAND_M))
    return [(a, a.polygon.intersection(band)) for a in NO_FISHING]


def bearing(origin, target) -> float:
    """Compass bearing from ``origin`` to ``target``, deg clockwise from north, in [0, 360)."""
    return math.degrees(math.atan2(target[0] - origin[0], target[1] - origin[1])) % 360


def cameras_of(area: Area, region: Polygon, water_body: Polygon, poles: Polygon) -> list[dict]:
    """``area.cameras`` poles spread along the shore next to ``region``, each aimed at what it can see."""
    shore = shapely.union_all([shapely.LinearRing(p.exterior.coords) for p in water_body.geoms])
    stretch = shore.intersection(region.buffer(60))
    if stretch.length < 1:
        raise ValueError(f"{area.id}: no shore next to the area")
    lines = list(getattr(stretch, "geoms", [stretch]))
    lengths = np.cumsum([0.0] + [line.length for line in lines])
    out = []
    for k in range(area.cameras):
        along = (k + 0.5) / area.cameras * lengths[-1]
        piece = int(np.searchsorted(lengths, along, side="right") - 1)
        shore_point = lines[min(piece, len(lines) - 1)].interpolate(along - lengths[piece])
        pole = nearest_points(poles, shore_point)[0]
        seen = region.intersection(Point(pole).buffer(RANGE_M * 0.8))
        aim = (seen if not seen.is_empty else region).representative_point()
        centre = seen.centroid if not seen.is_empty and seen.centroid.distance(pole) > 30 else aim
        position = (round(pole.x), round(pole.y))
        reach = max(RANGE_M, 50 * math.ceil((centre.distance(pole) + 80) / 50))
        out.append({"position": position, "yaw": round(bearing(position, (centre.x, centre.y))),
                    "max_range": reach, "watches": area.id})  # fmt: skip
    return out


def layout() -> dict:
    """Everything the generated blocks hold."""
    body, pieces, islands = water()
    land = box(0, 0, WIDTH, HEIGHT).difference(body)
    poles = land.buffer(-SETBACK_M)
    docks = {}
    for name, (anchor, note) in DOCKS.items():
        shore_point = nearest_points(body.boundary, Point(anchor))[0]
        point = nearest_points(poles, shore_point)[0]
        docks[name] = ((round(point.x), round(point.y)), note)
    cameras = []
    for kind in ("swimming", "fishing"):
        for area, region in regions(body, kind):
            if region.area < 1:
                missed = "water" if kind == "swimming" else "shore"
                raise ValueError(f"{area.id}: the box misses the {missed}")
            cameras += cameras_of(area, region, body, poles)
    return {"body": body, "pieces": pieces, "islands": islands, "docks": docks, "cameras": cameras}


# ---------------------------------------------------------------- YAML blocks


def ring_yaml(polygon: Polygon, indent: str, note: str) -> list[str]:
    """``- [[x, y], ...]`` wrapped at about 100 characters, the note above and ``# m`` on the last line."""
    points = [f"[{int(x)}, {int(y)}]" for x, y in np.asarray(polygon.exterior.coords)[:-1]]
    lines, line = [], f"{indent}- ["
    for k, point in enumerate(points):
        piece = point + ("]" if k == len(points) - 1 else ", ")
        if len(line) + len(piece) > 100:
            lines.append(line.rstrip())
            line = indent + "   "
        line += piece
    lines.append(f"{line:<{max(100, len(line) + 1)}}# m")
    return [f"{indent}# {note}, {polygon.area:,.0f} m^2", *lines]


def profile_yaml(values: tuple[float, ...] | None, name: str, indent: str) -> list[str]:
    if values is None:
        return []
    unit = "local hours 0..23" if len(values) == 24 else "months Jan..Dec"
    numbers = ", ".join(f"{v:g}" for v in values)
    return [f"{indent}{name}: [{numbers}]  # multipliers, {unit} (assumption)"]


def areas_yaml(kind: str, indent: str) -> list[str]:
    lines = []
    for area in NO_SWIMMING if kind == "swimming" else NO_FISHING:
        corners = np.asarray(area.polygon.exterior.coords)[:-1]
        ring = ", ".join(f"[{round(x)}, {round(y)}]" for x, y in corners)
        lines += [
            f"{indent}- id: {area.id:<24}# {area.note}",
            f"{indent}  polygon: [{ring}]  # m",
            f"{indent}  weight: {area.weight:<21g}# relative share of {kind} incidents (assumption)",
            *profile_yaml(area.hourly, "hourly_profile", indent + "  "),
            *profile_yaml(area.monthly, "monthly_profile", indent + "  "),
        ]
    return lines


def blocks() -> dict[str, list[str]]:
    """The generated blocks of the scenario file by name, as lines."""
    plan = layout()
    water = [
        line for name, (_, note) in WATER.items() for line in ring_yaml(plan["pieces"][name], "    ", note)
    ]
    islands = [
        line for name, (_, note) in ISLANDS.items() for line in ring_yaml(plan["islands"][name], "    ", note)
    ]
    docks = [
        f"  - {{id: {name}, position: [{x}, {y}]}}{' ' * max(1, 30 - len(name))}# m; {note}"
        for name, ((x, y), note) in plan["docks"].items()
    ]
    cameras = []
    for number, camera in enumerate(plan["cameras"], start=1):
        (x, y), fixed = camera["position"], ", ".join(f"{k}: {v}" for k, v in CAMERA.items())
        cameras.append(
            f"  - {{id: cam-{number:02d}, position: [{x}, {y}], yaw: {camera['yaw']}, "
            f"max_range: {camera['max_range']:g}, {fixed}}}  # watches {camera['watches']}"
        )
    return {
        "water": water,
        "islands": islands,
        "no_swimming": areas_yaml("swimming", "    "),
        "no_fishing": areas_yaml("fishing", "    "),
        "docks": docks,
        "cameras": cameras,
    }


def write(path: Path) -> None:
    """Replace each generated block of ``path`` between its marker lines."""
    text = path.read_text(encoding="utf-8")
    for name, lines in blocks().items():
        pattern = re.compile(rf"(# >>> generated: {name}\n)(?:.*?\n)?([ ]*# <<< generated: {name})", re.S)
        if not pattern.search(text):
            raise SystemExit(f"{path}: no '# >>> generated: {name}' ... '# <<< generated: {name}' block")
        body = "\n".join(lines)
        text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
    path.write_text(text, encoding="utf-8")


def plot(path: Path) -> None:
    """A quick look at the layout: water, islands, no-go boxes, docks, camera poles and headings."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plan = layout()
    fig, ax = plt.subplots(figsize=(12.5, 10))
    for polygon in plan["body"].geoms:
        ax.fill(*polygon.exterior.xy, color="#a6cee3")
        for ring in polygon.interiors:
            ax.fill(*ring.xy, color="#b2df8a")
    for area in (*NO_SWIMMING, *NO_FISHING):
        ax.plot(*area.polygon.exterior.xy, color="red" if area in NO_SWIMMING else "orange", lw=1)
        ax.annotate(area.id, area.centre, fontsize=7)
    for (x, y), _ in plan["docks"].values():
        ax.plot(x, y, "ks", ms=5)
    for camera in plan["cameras"]:
        (x, y), yaw = camera["position"], math.radians(camera["yaw"])
        ax.plot([x, x + 120 * math.sin(yaw)], [y, y + 120 * math.cos(yaw)], color="purple", lw=0.8)
        ax.plot(x, y, "o", color="purple", ms=2)
    ax.set_aspect("equal")
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(0, HEIGHT)
    fig.savefig(path, dpi=100, bbox_inches="tight")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite the generated blocks of {SCENARIO}")
    parser.add_argument("--plot", type=Path, help="draw the layout to this PNG")
    args = parser.parse_args()
    if args.plot:
        plot(args.plot)
    if args.write:
        write(SCENARIO)
    elif not args.plot:
        for name, lines in blocks().items():
            print(f"# >>> generated: {name}", *lines, f"# <<< generated: {name}", sep="\n")


if __name__ == "__main__":
    main()
