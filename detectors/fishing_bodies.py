"""Bodies for the fishing detector: vertical blobs of about a person's size whose feet are on the bank.

A person is a vertical blob, rods and lines are thin slanted ones: an opening with a vertical line a third
of a person's height at that row keeps bodies and drops most of the gear (step 2 of the pipeline in
:mod:`detectors.fishing`). Steep stretches of rod or line survive it; within one connected foreground
object the pieces are taken from the lowest up, and a piece that is a rod or line of a kept body
(:func:`_is_gear_of`) is dropped.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from detectors.fishing_masks import CameraMasks

TALLEST = 1.4
"""Body boxes are cut to this many person heights above the feet (+2 px): the rest is a raised rod."""
WIDEST_PERSON_M = 1.2
"""A body piece wider than this (arms out; +3 px of anti-aliasing and closing) holds gear that the opening
kept: it is cut to its tall columns, m."""
LEG_GAP_M = 0.4
"""With ``grounded``, columns this far apart (or nearer) belong to one body: the space between two legs, m."""
WET_FILL = 0.4
"""With ``dry_feet``, a body stands in the water when the row below its feet holds foreground over at least
this share of its width (and at least 2 px), most of it on the water (:func:`stands_in_water`)."""
GROUNDED_SLACK_PX = 2
"""With ``grounded``, a column's run counts when it reaches this close to the feet row, px (a leg's
anti-aliased foot may leave the lowest rows)."""


def find_bodies(
    foreground: np.ndarray,
    masks: CameraMasks,
    *,
    person_height_m: float,
    rod_length_m: float,
    reach_m: float,
    grounded: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Boxes (n, 4) of vertical blobs of about a person's size whose feet are on the bank, and their
    feet (n, 2): mean column and bottom edge of their lowest row on the bank, px.

    ``foreground``: H x W uint8 mask (0 or 255) of the frame; ``person_height_m``, ``rod_length_m`` and
    ``reach_m`` (m) as the detector's parameters; ``grounded``: a piece wider than a person is cut to the
    block of columns around its tallest whose runs reach its feet (:func:`grounded_runs`), else to the
    span of the columns holding most pixels.
    """
    body = np.zeros_like(foreground)
    for run in np.unique(masks.run[masks.region.any(axis=1)]):
        rows = masks.run == run
        opened = cv2.morphologyEx(foreground, cv2.MORPH_OPEN, np.ones((int(run), 1), np.uint8))
        body[rows] |= opened[rows]
    count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        body, 8, cv2.CV_32S, cv2.CCL_GRANA
    )
    if count <= 1:
        return np.zeros((0, 4)), np.zeros((0, 2))
    # The foreground object each piece belongs to: a steep stretch of rod survives the opening too,
    # but it floats above the feet of the body that holds it.
    _, objects = cv2.connectedComponentsWithAlgorithm(foreground, 8, cv2.CV_32S, cv2.CCL_GRANA)
    pieces: dict[int, list[tuple[int, int, int, int, float, float]]] = {}  # box, feet x, fill
    for k in range(1, count):
        piece = _piece(labels, stats, k, objects, masks, person_height_m, grounded)
        if piece is not None:
            obj, box = piece
            pieces.setdefault(obj, []).append(box)
    kept: list[tuple] = []
    for group in pieces.values():
        bodies: list[tuple] = []
        for piece in sorted(group, key=lambda b: (-b[3], b[0])):
            if not any(
                _is_gear_of(piece, body, masks.ppm, person_height_m, rod_length_m, reach_m) for body in bodies
            ):
                bodies.append(piece)
        kept += [b[:5] for b in bodies]
    kept = np.array(kept, dtype=np.float64).reshape(-1, 5)
    return kept[:, :4], np.column_stack([kept[:, 4], kept[:, 3]])


def _piece(
    labels: np.ndarray,
    stats: np.ndarray,
    k: int,
    objects: np.ndarray,
    masks: CameraMasks,
    person_height_m: float,
    grounded: bool = False,
) -> tuple[int, tuple[int, int, int, int, float, float]] | None:
    """Piece ``k`` of the opened foreground as a body candidate: (its foreground object, (x0, y0, x1, y1,
    feet x, fill)), px; None when its feet are not on the bank or it is not of a person's size."""
    x, y, w, h = (int(v) for v in stats[k, :4])
    # The feet: its lowest row on the bank (a line crossing it may hang lower, over the water),
    # which must be in the lower half of the piece.
    mine = labels[y : y + h, x : x + w] == k
    on_bank = np.flatnonzero((mine & masks.feet[y : y + h, x : x + w]).any(axis=1))
    if not len(on_bank) or on_bank[-1] < 0.5 * h:
        return None
    h = int(on_bank[-1]) + 1
    bottom = y + h - 1
    ppm = masks.ppm[bottom]
    if ppm <= 0:
        return None
    expected = person_height_m * ppm
    tallest = math.ceil(TALLEST * expected + 2)
    top = max(0, h - tallest)  # above this a rod raised for a cast stands on the head
    mine = mine[top:h]
    y, h = y + top, h - top
    columns = np.flatnonzero(mine.any(axis=0))
    if columns[-1] - columns[0] + 1 > WIDEST_PERSON_M * ppm + 3:
        # Wider than a person: a steep rod or line survived the opening and joined the body (in
        # grazing views the line meets the water on the feet row). The body is where the piece
        # is tall (half its tallest column, half a person); a rod or line column holds a few pixels
        # (``grounded``: a rod or line column's run stops short of the feet, a body's reaches them, and
        # the body is the block of such columns around the tallest: a line meeting the water on the
        # feet row is another block).
        heights = grounded_runs(mine) if grounded else mine.sum(axis=0)
        tall = np.flatnonzero(heights >= max(0.5 * expected, 0.5 * heights.max()))
        if grounded and len(tall):
            tall = _block_around(tall, int(np.argmax(heights)), max(1.0, LEG_GAP_M * ppm))
        columns = tall if len(tall) else columns
    mine = mine[:, columns[0] : columns[-1] + 1]
    x, w = x + int(columns[0]), int(columns[-1] - columns[0]) + 1
    rows = np.flatnonzero(mine.any(axis=1))
    mine = mine[rows[0] : rows[-1] + 1]
    y, h = y + int(rows[0]), int(rows[-1] - rows[0]) + 1
    feet_row = mine[-1]
    if not (h >= 0.35 * expected and w <= 4.0 * ppm + 3):
        return None
    obj = int(objects[bottom, x : x + w][feet_row].max())
    feet_x = x + float(np.flatnonzero(feet_row).mean()) + 0.5
    return obj, (x, y, x + w, y + h, feet_x, float(mine.mean()))


def grounded_runs(mask: np.ndarray, slack: int = GROUNDED_SLACK_PX) -> np.ndarray:
    """Per column of ``mask`` (H x W bool, its last row the feet row), the length of the vertical run of True
    that reaches within ``slack`` rows of the last row (0 where none does), px. One-pixel holes in a column
    (anti-aliasing, sensor noise in the foreground) do not break a run."""
    filled = mask.copy()
    filled[1:-1] |= mask[:-2] & mask[2:]
    height = mask.shape[0]
    run = np.zeros(mask.shape[1], np.int32)
    grounded = np.zeros(mask.shape[1], np.int32)
    for index, row in enumerate(filled):
        run = (run + 1) * row
        if index >= height - 1 - slack:
            np.maximum(grounded, run, out=grounded)
    return grounded


def stands_in_water(foreground: np.ndarray, masks: CameraMasks, box) -> bool:
    """Does the body of ``box`` (x0, y0, x1, y1, px; its last row the feet row, the lowest on the bank) stand
    in the water rather than on the bank? True when most of its feet row's foreground (``foreground``, H x W,
    non-zero) lies off the bank (``masks.feet``: a body beside the end of a bank, touching it), or when the
    row under its feet holds foreground in at least :data:`WET_FILL` of the box's columns and 2 px, most of
    it on the water (``masks.water``: a body in front of the bank, whose legs end at the waterline 2-5 m
    out). An angler's feet are on the bank: below them is bank or, past its edge, water without a body (a
    line crossing it is a pixel or two)."""
    x0, _, x1, y1 = (int(v) for v in box)
    feet_row = foreground[y1 - 1, x0:x1] > 0
    if feet_row.any() and masks.feet[y1 - 1, x0:x1][feet_row].mean() < 0.5:
        return True
    if y1 >= foreground.shape[0]:
        return False
    row = foreground[y1, x0:x1] > 0
    return bool(row.sum() >= max(2.0, WET_FILL * (x1 - x0)) and masks.water[y1, x0:x1][row].mean() > 0.5)


def _block_around(columns: np.ndarray, centre: int, gap_px: float) -> np.ndarray:
    """The block of ``columns`` (sorted indices; gaps of at most ``gap_px`` columns, the space between two
    legs, do not split a block) that holds ``centre``, or the one nearest it: the body, not the end of its
    line that meets the water on the feet row farther away."""
    blocks = np.split(columns, np.flatnonzero(np.diff(columns) > gap_px + 1) + 1)
    return min(blocks, key=lambda block: 0 if block[0] <= centre <= block[-1] else abs(block - centre).min())


def _is_gear_of(
    piece, body, ppm_rows: np.ndarray, person_height_m: float, rod_length_m: float, reach_m: float
) -> bool:
    """Is ``piece`` a steep stretch of the rod or line held by ``body`` (a lower or equally low
    piece of the same foreground object)?

    Its bottom must be at most the hands' height plus a rod length above the body's feet. Then it
    is gear if it floats above the body's feet beside the body (by at most a rod length) and is
    not a filled blob (over 55 % of its box) of 0.7 person heights or more at its own row (that is
    someone standing farther away), or if it is much shorter than the body and within
    ``reach_m`` of it (the line comes down to the water, which may be level with the angler's
    feet or nearer the camera). Pieces are (x0, y0, x1, y1, feet x, fill); ``ppm_rows``: (H,) pixels
    per metre of each image row, px/m; sizes in m.
    """
    ppm = ppm_rows[int(body[3]) - 1]
    rod_px = rod_length_m * ppm
    centre = 0.5 * (piece[0] + piece[2])
    if piece[3] < body[3] - (0.75 * person_height_m * ppm + rod_px):
        return False  # higher than any rod tip
    floats = piece[3] < body[3] - (0.3 * person_height_m * ppm + 1)
    if floats and body[0] - rod_px <= centre <= body[2] + rod_px:
        # A filled blob of a person's height where it stands is someone farther away, not a rod.
        own = person_height_m * ppm_rows[int(piece[3]) - 1]
        return piece[3] - piece[1] - 2 < 0.7 * own or piece[5] < 0.55
    reach = reach_m * ppm
    short = (piece[3] - piece[1]) < 0.7 * (body[3] - body[1])
    return short and body[0] - reach <= centre <= body[2] + reach
