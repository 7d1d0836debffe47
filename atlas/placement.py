"""Where things go on a drawing: label placement and marker spreading, in drawing units.

Shared by the printed maps (:mod:`atlas.maps.print`) and the actors drawings
(:mod:`atlas.actors.draw`), without drawing anything:

* :func:`text_width_mm` measures text with the very font matplotlib embeds in PDFs (DejaVu Sans
  through FreeType), :func:`label_box` gives the box a label takes;
* :func:`label_spots` (and its short form :func:`place_labels`) sets labels greedily, most
  important first, where they overlap no other label, no obstacle and stay inside the frame;
* :func:`spread_markers` moves round markers (or discs of different sizes) so that none hides
  another, each as close as possible to its true place.

Both use spatial indexes (a grid of boxes, a k-d tree of markers): their cost grows with the
number of labels or markers, not with its square.

Units: anything that holds text is in millimetres on the sheet, type sizes in typographic points.
:func:`spread_markers` works in any unit, as long as positions, diameters and gaps share it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font, LoadFlags
from scipy.spatial import cKDTree

from atlas.text import drawn_text

#: Millimetres per typographic point.
MM_PER_PT = 25.4 / 72.0

FONT_FAMILY = "DejaVu Sans"

#: Directions tried around an anchor by :func:`place_labels`: above, below, right, left, then
#: the four diagonals (a label set at a diagonal has its near corner on the diagonal).
AROUND: tuple[tuple[float, float], ...] = ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1))


def compass(degrees: Sequence[float]) -> tuple[tuple[float, float], ...]:
    """Unit directions for :func:`label_spots` from angles in degrees (0 = right, 90 = up)."""
    return tuple((math.cos(math.radians(d)), math.sin(math.radians(d))) for d in degrees)


# --------------------------------------------------------------------------- text
@functools.lru_cache(maxsize=8)
def _font(weight: str, style: str) -> FT2Font:
    path = font_manager.findfont(
        font_manager.FontProperties(family=FONT_FAMILY, weight=weight, style=style), fallback_to_default=True  # type: ignore[arg-type]
    )
    return FT2Font(path)


@functools.lru_cache(maxsize=65536)
def text_width_mm(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Width of one line of ``text`` set in DejaVu Sans at ``size`` points, in millimetres."""
    if not text:
        return 0.0
    font = _font("bold" if bold else "normal", "italic" if italic else "normal")
    font.set_size(size, 72)
    font.set_text(drawn_text(text), 0.0, flags=LoadFlags.NO_HINTING)  # as draw_text draws it
    width_px = font.get_width_height()[0] / 64.0  # 26.6 fixed point, at 72 dpi: points
    return width_px * MM_PER_PT


# --------------------------------------------------------------------------- labels
def boxes_overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """True when two ``(xmin, ymin, xmax, ymax)`` boxes intersect."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def label_box(
    x: float, y: float, text: str, size: float, bold: bool = False, *,
    pad: float = 0.6, italic: bool = False, linespacing: float = 1.2,
) -> tuple:
    """Box in mm of a label centred on ``(x, y)`` (with a small halo margin ``pad``).

    A label of several lines (``\\n``) is as wide as its widest line; each line after the first
    adds ``linespacing`` times the type size to its height.
    """
    lines = text.split("\n")
    w = max(text_width_mm(line, size, bold, italic) for line in lines) / 2 + pad
    h = size * MM_PER_PT * 0.62 + pad
    if len(lines) > 1:
        h += (len(lines) - 1) * linespacing * size * MM_PER_PT / 2
    return (x - w, y - h, x + w, y + h)


class Label(NamedTuple):
    """A label to place: its anchor (mm), text and type (points).

    ``clearance`` (mm, default: the one given to :func:`label_spots`) is the distance from the
    anchor to a label set beside it, e.g. the radius of the marker drawn on the anchor;
    ``steps`` (default: the call's) are the extra distances tried, nearest first. ``width`` and
    ``height`` (mm) give the size of the text when the caller measured it (with the renderer of a
    screen drawing, whose hinted glyphs are wider than the embedded font's); by default the text
    is measured by :func:`label_box`.
    """

    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    italic: bool = False
    clearance: float | None = None
    steps: tuple[float, ...] | None = None
    width: float | None = None
    height: float | None = None


class Spot(NamedTuple):
    """Where a label went: its centre, the direction and distance from its anchor to its near
    side, the index of the step used (-1: centred on the anchor) and its box."""

    x: float
    y: float
    direction: tuple[float, float]
    distance: float
    step: int
    box: tuple[float, float, float, float]


def label_spots(
    labels: Sequence[Label | tuple],
    obstacles: Sequence[tuple[float, float, float, float]] | BoxIndex,
    bounds: tuple[float, float, float, float],
    *,
    clearance: float = 3.0,
    directions: Sequence[tuple[float, float]] = AROUND,
    steps: Sequence[float] = (0.0,),
    centred: bool = True,
    pad: float = 0.6,
    linespacing: float = 1.2,
    accept: Callable[[int, np.ndarray], np.ndarray] | None = None,
) -> list[Spot | None]:
    """Greedy label placement: in the given order (most important first), set each label at the
    first position whose box overlaps no placed label, no obstacle and stays inside ``bounds``.

    Positions tried: centred on the anchor (``centred``), then for each of ``steps`` (nearest
    first) each of ``directions`` in turn. In direction ``(dx, dy)`` the label's near side is at
    ``(clearance + step) * (dx, dy)`` from the anchor: a label on the right starts there, one on
    the left ends there, one above or below is centred on it (``|dx| <= 0.3``), and one set at a
    diagonal has its near corner there. A label that fits nowhere is left out (``None``).

    Parameters
    ----------
    labels : list of Label or (x, y, text, size, bold) tuples
        Anchors in mm on the sheet, most important first.
    obstacles : list of boxes or BoxIndex
        ``(xmin, ymin, xmax, ymax)`` areas labels must not cover (markers, legend...); or a
        :class:`BoxIndex` of boxes already taken (obstacles and labels of an earlier call), to
        which the labels set now are added.
    bounds : box
        The frame labels stay in.
    clearance : float
        Gap (mm) between the anchor and a label set beside it (a :class:`Label` may give its own).
    directions : list of (dx, dy)
        Directions tried, in order (:data:`AROUND`, or unit vectors from :func:`compass`).
    steps : list of float
        Extra distances (mm) tried beyond ``clearance``, nearest first.
    centred : bool
        Try the label centred on its anchor first.
    pad : float
        Halo margin (mm) around each label (:func:`label_box`).
    linespacing : float
        Baseline distance of labels on several lines, in type sizes.
    accept : callable, optional
        ``accept(k, boxes)``: for the k-th label, which of its candidate boxes (n × 4) are allowed
        (boolean array), e.g. those whose centre lies in the labelled commune.

    Returns
    -------
    list of Spot or None
        One per label, in the order given.
    """
    if isinstance(obstacles, BoxIndex):
        taken = obstacles
    else:
        taken = BoxIndex()
        for box in obstacles:
            taken.add(box)
    out: list[Spot | None] = []
    for n, item in enumerate(labels):
        lab = item if isinstance(item, Label) else Label(*item)
        boxes, tries = _candidate_boxes(lab, clearance=clearance, directions=directions, steps=steps,
                                        centred=centred, pad=pad, linespacing=linespacing)
        if not tries:
            out.append(None)
            continue
        ok = ((boxes[:, 0] >= bounds[0]) & (boxes[:, 1] >= bounds[1])
              & (boxes[:, 2] <= bounds[2]) & (boxes[:, 3] <= bounds[3]))
        if accept is not None and ok.any():
            ok &= np.asarray(accept(n, boxes), dtype=bool)
        if ok.any():
            ok &= ~taken.hits(boxes)
        free = np.flatnonzero(ok)
        if not len(free):
            out.append(None)
            continue
        i = int(free[0])
        box = tuple(float(v) for v in boxes[i])  # type: ignore[assignment]
        taken.add(box)
        _, _, direction, dist, k = tries[i]
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        out.append(Spot(cx, cy, direction, dist, k, box))
    return out


def _candidate_boxes(
    lab: Label, *, clearance: float, directions: Sequence[tuple[float, float]], steps: Sequence[float],
    centred: bool, pad: float, linespacing: float,
) -> tuple[np.ndarray, list[tuple[float, float, tuple[float, float], float, int]]]:
    """Boxes (n × 4) of the positions :func:`label_spots` tries for one label, in order, with
    their ``(dx, dy, direction, distance, step)``."""
    if lab.width is None or lab.height is None:
        b = label_box(0.0, 0.0, lab.text, lab.size, lab.bold, pad=pad, italic=lab.italic, linespacing=linespacing)
        hw, hh = b[2], b[3]
    else:
        hw, hh = lab.width / 2 + pad, lab.height / 2 + pad
    near = clearance if lab.clearance is None else lab.clearance
    tries: list[tuple[float, float, tuple[float, float], float, int]] = [(0.0, 0.0, (0, 0), 0.0, -1)] if centred else []
    for k, step in enumerate(steps if lab.steps is None else lab.steps):
        dist = near + step
        for dx, dy in directions:
            ax = 1 if dx > 0.3 else -1 if dx < -0.3 else 0
            ay = 1 if dy > 0.3 else -1 if dy < -0.3 else 0
            tries.append((dx * dist + ax * hw, dy * dist + ay * hh, (dx, dy), dist, k))
    cx = lab.x + np.array([t[0] for t in tries], dtype=float)
    cy = lab.y + np.array([t[1] for t in tries], dtype=float)
    return np.column_stack([cx - hw, cy - hh, cx + hw, cy + hh]).reshape(-1, 4), tries


class BoxIndex:
    """Boxes ``(xmin, ymin, xmax, ymax)`` in a uniform grid of ``cell`` mm, growing one box at a
    time: asking which boxes a new one would overlap costs the boxes near it, not all of them (the
    placement of n labels is linear in n, where a list of boxes made it quadratic)."""

    def __init__(self, cell: float = 12.0):
        self.cell = cell
        self.boxes: list[tuple[float, float, float, float]] = []
        self.grid: dict[tuple[int, int], list[int]] = {}

    def _cells(self, box: Sequence[float]) -> list[tuple[int, int]]:
        c = self.cell
        i0, j0 = math.floor(box[0] / c), math.floor(box[1] / c)
        i1, j1 = math.floor(box[2] / c), math.floor(box[3] / c)
        return [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]

    def add(self, box: Sequence[float]) -> None:
        """Add a box."""
        k = len(self.boxes)
        self.boxes.append(tuple(float(v) for v in box))  # type: ignore[arg-type]
        for cell in self._cells(box):
            self.grid.setdefault(cell, []).append(k)

    def near(self, box: Sequence[float]) -> np.ndarray:
        """Indices of the boxes sharing a grid cell with ``box`` (a superset of those it overlaps)."""
        found: set[int] = set()
        for cell in self._cells(box):
            found.update(self.grid.get(cell, ()))
        return np.fromiter(found, dtype=np.int64, count=len(found))

    def hits(self, boxes: np.ndarray) -> np.ndarray:
        """For each of ``boxes`` (n × 4), whether it overlaps a box of the index."""
        boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
        if not self.boxes or not len(boxes):
            return np.zeros(len(boxes), dtype=bool)
        hull = (boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max())
        idx = self.near(hull)
        if not len(idx):
            return np.zeros(len(boxes), dtype=bool)
        t = np.asarray([self.boxes[i] for i in idx])
        hit = ((boxes[:, None, 0] < t[None, :, 2]) & (t[None, :, 0] < boxes[:, None, 2])
               & (boxes[:, None, 1] < t[None, :, 3]) & (t[None, :, 1] < boxes[:, None, 3]))
        return hit.any(axis=1)  # type: ignore[return-value]


def place_labels(
    candidates: list[tuple[float, float, str, float, bool]],
    obstacles: list[tuple[float, float, float, float]],
    bounds: tuple[float, float, float, float],
    clearance: float = 3.0,
) -> list[tuple[float, float, str, float, bool]]:
    """Greedy label placement: in the given order (most important first), keep a label at
    the first position whose box overlaps no placed label, no obstacle and stays in bounds.

    Positions tried: centred on the anchor, then beside it — above, below, right, left and
    the four diagonals — just clear of a marker of radius ``clearance`` drawn on the anchor
    (a town hall often carries a marker). A label that fits nowhere is left out. This is
    :func:`label_spots` with its defaults.

    Parameters
    ----------
    candidates : list of (x, y, text, size, bold)
        Anchor points in mm on the sheet, most important first.
    obstacles : list of boxes
        Areas labels must not cover (markers, legend...).
    bounds : box
        The map frame.
    clearance : float
        Gap (mm) between the anchor and a label set beside it.

    Returns
    -------
    list of (x, y, text, size, bold)
        Labels kept, with their final centre.
    """
    spots = label_spots(candidates, obstacles, bounds, clearance=clearance)
    return [(s.x, s.y, text, size, bold) for (_, _, text, size, bold), s in zip(candidates, spots, strict=True) if s]


# --------------------------------------------------------------------------- markers
def _ring_slots(n: int, d: float) -> np.ndarray:
    """Offsets of ``n`` marker centres around a point, on rings, without overlap.

    Up to ten markers share one ring (wide enough for them); more fill concentric rings
    ``1.12 d`` apart from the inside out. Slots start at the top and go clockwise.
    """
    step = 1.12 * d
    counts: list[tuple[float, int]] = []
    if n <= 10:
        counts.append((max(step, n * step / (2 * math.pi)), n))
    else:
        left, k = n, 1
        while left > 0:
            cap = int(2 * math.pi * k)
            take = min(cap, left)
            counts.append((k * step, take))
            left -= take
            k += 1
    slots = []
    for r, take in counts:
        for j in range(take):
            a = math.pi / 2 - 2 * math.pi * j / take
            slots.append((r * math.cos(a), r * math.sin(a)))
    return np.asarray(slots, dtype=float)


#: Iterations of :func:`spread_markers` with the spring toward the true place (at most half of them).
SPRING_ITER = 200


def spread_markers(
    xy: np.ndarray, diameter: float | np.ndarray, bounds: tuple[float, float, float, float] | None = None,
    max_iter: int = 3000, *, gap: float = 0.0, rings: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Place round markers so that none hides another, each as close as possible to its place.

    Markers at the same point start on a small ring around it (see :func:`_ring_slots`); then
    overlapping markers push each other apart while a weak spring pulls each back toward its
    true position (during the first :data:`SPRING_ITER` iterations, at most half of them), until
    no two markers overlap. The
    true points stay marked and a leader line joins a moved marker to its point (drawn by the
    caller). Should the relaxation not settle (extreme densities), groups are laid on rings
    around their centre instead (``rings``), or the last positions are returned.

    Parameters
    ----------
    xy : array (n, 2)
        True positions (millimetres on the sheet for printed markers; any unit shared by all
        arguments).
    diameter : float or array (n,)
        Marker diameter, one for all or one per marker (discs of different sizes).
    bounds : tuple, optional
        ``(xmin, ymin, xmax, ymax)`` the markers must stay inside.
    max_iter : int
        Iterations of the relaxation.
    gap : float
        Free space wanted between two markers, beyond 4 % of their diameter.
    rings : bool
        Fall back on rings when the relaxation does not settle.

    Returns
    -------
    positions : array (n, 2)
        Where to draw each marker.
    displaced : array of bool (n,)
        Markers not drawn at their true position (they need a leader line).
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    n = len(xy)
    if n == 0:
        return xy.copy(), np.zeros(0, dtype=bool)
    if np.ndim(diameter):
        d = np.asarray(diameter, dtype=float).reshape(-1)
        need = 1.04 * float(d.max()) + gap  # the largest centre distance wanted (per pair: _push_apart)
        r = d / 2
    else:
        d = diameter  # type: ignore[assignment]
        need = 1.04 * diameter + gap  # type: ignore[assignment]
        r = diameter / 2  # type: ignore[assignment]
    pos = xy.copy()
    # identical points: start on a ring around the point
    keys = np.round(xy / 0.2).astype(np.int64)
    _, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    for g in np.flatnonzero(counts > 1):
        members = np.flatnonzero(inverse.ravel() == g)
        size = d if np.ndim(d) == 0 else float(np.max(d[members]))
        pos[members] = xy[members[0]] + _ring_slots(len(members), size + gap)  # type: ignore[arg-type]

    def clamp(p: np.ndarray) -> np.ndarray:
        if bounds is None:
            return p
        p[:, 0] = np.clip(p[:, 0], bounds[0] + r, bounds[2] - r)
        p[:, 1] = np.clip(p[:, 1], bounds[1] + r, bounds[3] - r)
        return p

    pos = clamp(pos)
    settled = n == 1
    reach = float(np.max(need)) if np.ndim(need) else float(need)
    # the spring holds markers near their place while they settle; it stops early (it keeps small
    # overlaps alive), after which the markers only push apart until none overlaps
    spring_iter = min(max_iter // 2, SPRING_ITER)
    for it in range(max_iter):
        step = _push_apart(pos, d, gap, reach)
        if step is None:
            settled = True
            break
        pos = pos + step
        if it < spring_iter:
            pos = pos + 0.04 * (xy - pos)  # spring toward the true place
        pos = clamp(pos)
    if not settled and rings:
        return _spread_rings(xy, float(np.max(d)) + gap, bounds)
    displaced = np.hypot(*(pos - xy).T) > 0.05
    return pos, displaced


def _push_apart(pos: np.ndarray, d: float | np.ndarray, gap: float, reach: float) -> np.ndarray | None:
    """One relaxation step of :func:`spread_markers`: how far each marker moves so that those too
    close push each other apart, or ``None`` when no two overlap.

    Only the pairs closer than ``reach`` are looked at (a k-d tree finds them), so a step costs
    about the number of markers, not its square.
    """
    pairs = cKDTree(pos).query_pairs(reach, output_type="ndarray")
    if not len(pairs):
        return None
    i, j = pairs[:, 0], pairs[:, 1]
    need = 1.04 * (d[i] + d[j]) / 2 + gap if np.ndim(d) else 1.04 * d + gap  # type: ignore[index]
    delta = pos[i] - pos[j]
    dist = np.hypot(delta[:, 0], delta[:, 1])
    over = dist < need - 1e-3
    if not over.any():
        return None
    i, j, delta, dist = i[over], j[over], delta[over], dist[over]
    need = need[over] if np.ndim(need) else need  # type: ignore[index]
    same = dist <= 1e-6  # coincident markers (after clamping): separate along a fixed direction
    delta[same] += np.array([0.01, 0.013])
    push = 0.5 * (need + 0.02 - dist) / np.maximum(dist, 1e-6)
    crowd = np.sqrt(np.maximum(np.bincount(np.r_[i, j], minlength=len(pos)), 1))  # damp crowded markers
    move = np.zeros_like(pos)
    np.add.at(move, i, (push / crowd[i])[:, None] * delta)
    np.add.at(move, j, -(push / crowd[j])[:, None] * delta)
    return move


def _spread_rings(
    xy: np.ndarray, diameter: float, bounds: tuple[float, float, float, float] | None = None, max_rounds: int = 40
) -> tuple[np.ndarray, np.ndarray]:
    """Place round markers so that none hides another.

    Markers closer than ``diameter`` are grouped; each group of several is laid on rings
    around the group's centre (the true points stay marked, a leader line joins them), and
    groups whose rings touch are merged and laid out again until no two markers overlap.

    Parameters
    ----------
    xy : array (n, 2)
        True positions on the sheet, millimetres.
    diameter : float
        Marker diameter, millimetres.
    bounds : tuple, optional
        ``(xmin, ymin, xmax, ymax)`` the markers must stay inside (rings are shifted inward).

    Returns
    -------
    positions : array (n, 2)
        Where to draw each marker.
    displaced : array of bool (n,)
        Markers not drawn at their true position (they need a leader line).
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    n = len(xy)
    pos = xy.copy()
    if n == 0:
        return pos, np.zeros(0, dtype=bool)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    gap = 1.04 * diameter
    for i, j in cKDTree(xy).query_pairs(gap - 1e-9, output_type="ndarray"):
        union(int(i), int(j))
    for _ in range(max_rounds):
        groups: dict[int, list[int]] = {}
        for i in range(n):
            groups.setdefault(find(i), []).append(i)
        for members in groups.values():
            if len(members) == 1:
                pos[members[0]] = xy[members[0]]
                continue
            centre = xy[members].mean(axis=0)
            # order members by the angle of their true point (clockwise from the top), then index
            ang = np.arctan2(xy[members, 0] - centre[0], xy[members, 1] - centre[1]) % (2 * math.pi)
            same = np.allclose(xy[members], centre, atol=0.2)
            order = list(members) if same else [m for _, m in sorted(zip(ang.round(3), members, strict=True))]
            slots = _ring_slots(len(order), diameter) + centre
            if bounds is not None:
                xmin, ymin, xmax, ymax = bounds
                r = diameter / 2
                dx = max(xmin + r - slots[:, 0].min(), 0) - max(slots[:, 0].max() - (xmax - r), 0)
                dy = max(ymin + r - slots[:, 1].min(), 0) - max(slots[:, 1].max() - (ymax - r), 0)
                slots = slots + [dx, dy]
            pos[order] = slots
        clash = cKDTree(pos).query_pairs(gap - 1e-9, output_type="ndarray")
        pairs = [(int(i), int(j)) for i, j in clash if find(int(i)) != find(int(j))]
        if not pairs:
            break
        for i, j in pairs:
            union(i, j)
    displaced = np.hypot(*(pos - xy).T) > 0.05
    return pos, displaced
