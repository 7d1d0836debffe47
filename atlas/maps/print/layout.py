"""Page geometry for printed maps: text measuring and wrapping, tables, marker spreading.

Everything here works in millimetres on the sheet and in typographic points for type sizes,
without drawing anything: :mod:`atlas.maps.print.render` draws what these functions lay out.
Text is measured with the very font matplotlib embeds in the PDF (DejaVu Sans through
FreeType), so wrapped lines fit their columns exactly.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field

import numpy as np
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font, LoadFlags

#: Millimetres per typographic point.
MM_PER_PT = 25.4 / 72.0
#: A3 sheet, millimetres (long side, short side).
A3_MM = (420.0, 297.0)
#: Smallest type size allowed anywhere on a sheet (points).
MIN_FONT_PT = 7.0
#: Line height as a multiple of the type size.
LINE_SPACING = 1.22

FONT_FAMILY = "DejaVu Sans"


@functools.lru_cache(maxsize=8)
def _font(weight: str, style: str) -> FT2Font:
    path = font_manager.findfont(
        font_manager.FontProperties(family=FONT_FAMILY, weight=weight, style=style), fallback_to_default=True
    )
    return FT2Font(path)


@functools.lru_cache(maxsize=65536)
def text_width_mm(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Width of one line of ``text`` set in DejaVu Sans at ``size`` points, in millimetres."""
    if not text:
        return 0.0
    font = _font("bold" if bold else "normal", "italic" if italic else "normal")
    font.set_size(size, 72)
    font.set_text(text, 0.0, flags=LoadFlags.NO_HINTING)
    width_px = font.get_width_height()[0] / 64.0  # 26.6 fixed point, at 72 dpi: points
    return width_px * MM_PER_PT


def line_height_mm(size: float) -> float:
    """Baseline-to-baseline distance for type of ``size`` points, in millimetres."""
    return size * LINE_SPACING * MM_PER_PT


def wrap_text(text: str, width_mm: float, size: float, bold: bool = False, italic: bool = False) -> list[str]:
    """Wrap ``text`` into lines no wider than ``width_mm``.

    Breaks at ordinary spaces, then after hyphens inside compound words
    (« Béthune-Bruay- / la-Buissière »); no-break spaces (U+00A0) keep « 14 h » together.
    Explicit newlines are kept, and a word longer than the column is split by characters as
    a last resort, so that nothing is ever cut off.

    Returns
    -------
    list of str
        At least one line (an empty string for empty text).
    """

    def fits(s: str) -> bool:
        return text_width_mm(s, size, bold, italic) <= width_mm

    lines: list[str] = []
    for para in str(text).split("\n"):
        # (piece, glued to the previous piece) — pieces of compound words are glued
        tokens: list[tuple[str, bool]] = []
        for word in (w for w in para.split(" ") if w):
            parts = re.split(r"(?<=-)(?=.)", word)
            tokens.extend((part, k > 0) for k, part in enumerate(parts))
        current = ""
        for piece, glued in tokens:
            trial = current + piece if (glued or not current) else f"{current} {piece}"
            if fits(trial):
                current = trial
                continue
            if current:
                lines.append(current)
            while not fits(piece) and len(piece) > 1:  # longer than the column: split by characters
                cut = len(piece) - 1
                while cut > 1 and not fits(piece[:cut]):
                    cut -= 1
                lines.append(piece[:cut])
                piece = piece[cut:]
            current = piece
        lines.append(current)
    return lines or [""]


# --------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class Column:
    """A table column: data key, French header, relative width (or fixed width in mm)."""

    key: str
    title: str
    weight: float = 1.0
    fixed_mm: float | None = None


@dataclass(frozen=True)
class Paragraph:
    """A run of text inside a cell with its style."""

    text: str
    bold: bool = False
    italic: bool = False
    color: str = "#111111"


@dataclass
class LaidCell:
    """A cell wrapped to its column: lines with their styles."""

    lines: list[tuple[str, Paragraph]] = field(default_factory=list)


@dataclass
class LaidRow:
    """A table row wrapped to the columns, with its height in millimetres."""

    cells: dict[str, LaidCell]
    height: float
    data: dict


@dataclass(frozen=True)
class TableStyle:
    """Type sizes and paddings of a printed table (all sizes ≥ :data:`MIN_FONT_PT`)."""

    size: float = 7.5
    header_size: float = 7.5
    pad_x: float = 1.0
    pad_y: float = 0.75
    #: A cell longer than this many lines is abridged (never happens with real registries).
    max_lines: int = 16

    def __post_init__(self) -> None:
        if self.size < MIN_FONT_PT or self.header_size < MIN_FONT_PT:
            raise ValueError(f"type size below {MIN_FONT_PT} pt")


def column_widths(columns: list[Column], width_mm: float) -> list[float]:
    """Share ``width_mm`` between columns: fixed widths first, the rest by weight."""
    fixed = sum(c.fixed_mm or 0.0 for c in columns)
    weights = sum(c.weight for c in columns if c.fixed_mm is None)
    rest = max(width_mm - fixed, 0.0)
    return [c.fixed_mm if c.fixed_mm is not None else rest * c.weight / weights for c in columns]


def _cell_width(value: object, size: float) -> float:
    paras = [Paragraph(value)] if isinstance(value, str) else list(value or [])  # type: ignore[arg-type]
    return sum(text_width_mm(p.text, size, p.bold, p.italic) for p in paras if p.text)


def _longest_word(value: object, size: float) -> float:
    paras = [Paragraph(value)] if isinstance(value, str) else list(value or [])  # type: ignore[arg-type]
    return max((text_width_mm(w, size, p.bold, p.italic) for p in paras for w in p.text.split(" ") if w),
               default=0.0)


@functools.lru_cache(maxsize=262144)
def _n_lines(text: str, width: float, size: float, bold: bool, italic: bool) -> int:
    return len(wrap_text(text, width, size, bold, italic))


def _cell_lines(value: object, width: float, size: float) -> int:
    paras = [Paragraph(value)] if isinstance(value, str) else list(value or [])  # type: ignore[arg-type]
    return max(sum(_n_lines(p.text, round(width, 1), size, p.bold, p.italic) for p in paras if p.text), 1)


def _needs_and_floors(rows: list[dict], columns: list[Column], style: TableStyle, *, quantile: float,
                      max_word_mm: float) -> tuple[list[float], list[float]]:
    """Each column's wish (its ``quantile`` cell, weighted) and its floor (longest word of header
    and cells, up to ``max_word_mm``); 0 for fixed columns."""
    need, floor = [], []
    for c in columns:
        if c.fixed_mm is not None:
            need.append(0.0)
            floor.append(0.0)
            continue
        widths = [_cell_width(r.get(c.key, ""), style.size) for r in rows]
        q = float(np.quantile(widths, quantile)) if widths else 0.0
        head = max(text_width_mm(w, style.header_size, bold=True) for w in c.title.split())
        longest = max((_longest_word(r.get(c.key, ""), style.size) for r in rows), default=0.0)
        lo = max(head, min(longest, max_word_mm), 10.0) + 2 * style.pad_x
        floor.append(lo)
        need.append(max(q + 2 * style.pad_x, lo) * c.weight)
    return need, floor


def _lift_to_floors(out: list[float], floor: list[float], columns: list[Column]) -> None:
    """Lift columns below their floor (in place), taking the room from the widest ones."""
    for _ in range(len(columns)):
        short = [i for i, c in enumerate(columns) if c.fixed_mm is None and out[i] < floor[i] - 1e-6]
        if not short:
            break
        deficit = sum(floor[i] - out[i] for i in short)
        for i in short:
            out[i] = floor[i]
        others = [i for i, c in enumerate(columns) if c.fixed_mm is None and i not in short]
        pool = sum(out[i] - floor[i] for i in others)
        if pool <= 0:
            break
        for i in others:
            out[i] -= deficit * (out[i] - floor[i]) / pool


def _move_width(out: list[float], floor: list[float], rows: list[dict], columns: list[Column],
                style: TableStyle) -> None:
    """Local search (in place): move width to where it saves the most lines."""
    free = [i for i, c in enumerate(columns) if c.fixed_mm is None]

    def lines(i: int, w: float) -> np.ndarray:
        key = columns[i].key
        return np.array([_cell_lines(r.get(key, ""), w - 2 * style.pad_x, style.size) for r in rows])

    cur = {i: lines(i, out[i]) for i in free}
    for step in (8.0, 4.0, 2.0):
        for _ in range(60):
            base = np.max(np.vstack([cur[i] for i in free]), axis=0)
            score = base.sum()
            plus = {i: lines(i, out[i] + step) for i in free}
            minus = {i: lines(i, out[i] - step) for i in free if out[i] - step >= floor[i]}
            best = None
            for i in free:
                for j in minus:
                    if i == j:
                        continue
                    trial = np.max(np.vstack([plus[k] if k == i else minus[k] if k == j else cur[k] for k in free]),
                                   axis=0).sum()
                    if trial < score and (best is None or trial < best[0]):
                        best = (trial, i, j)
            if best is None:
                break
            _, i, j = best
            out[i] += step
            out[j] -= step
            cur[i], cur[j] = plus[i], minus[j]


def balanced_widths(rows: list[dict], columns: list[Column], width_mm: float, style: TableStyle, *,
                    quantile: float = 0.8, max_word_mm: float = 30.0) -> list[float]:
    """Column widths that make the table as short as possible.

    Starts from widths in proportion to each column's text (its ``quantile`` cell), then moves
    width between columns (8, 4, then 2 mm at a time) while that lowers the total number of
    lines of the table (each row is as tall as its tallest cell). A column is never narrower
    than its header's longest word, nor than the longest word of its cells (up to
    ``max_word_mm``), so words are not split.
    """
    fixed = sum(c.fixed_mm or 0.0 for c in columns)
    rest = max(width_mm - fixed, 1.0)
    need, floor = _needs_and_floors(rows, columns, style, quantile=quantile, max_word_mm=max_word_mm)
    total = sum(need)
    if total <= 0 or not rows:
        return column_widths(columns, width_mm)
    out = [c.fixed_mm if c.fixed_mm is not None else rest * n / total for c, n in zip(columns, need, strict=True)]
    _lift_to_floors(out, floor, columns)
    _move_width(out, floor, rows, columns, style)
    return out


def lay_out_rows(
    rows: list[dict], columns: list[Column], widths: list[float], style: TableStyle
) -> list[LaidRow]:
    """Wrap every cell of ``rows`` to its column width.

    Parameters
    ----------
    rows : list of dict
        Each maps a column key to a list of :class:`Paragraph` (or a plain string).
    columns, widths : list
        The columns and their widths in mm (see :func:`column_widths`).
    style : TableStyle

    Returns
    -------
    list of LaidRow
    """
    lh = line_height_mm(style.size)
    out = []
    for row in rows:
        cells: dict[str, LaidCell] = {}
        n_lines = 1
        for col, width in zip(columns, widths, strict=True):
            value = row.get(col.key, "")
            paras = [Paragraph(value)] if isinstance(value, str) else list(value)
            cell = LaidCell()
            for para in paras:
                if not para.text:
                    continue
                for line in wrap_text(para.text, width - 2 * style.pad_x, style.size, para.bold, para.italic):
                    cell.lines.append((line, para))
            if len(cell.lines) > style.max_lines:
                cell.lines = [*cell.lines[: style.max_lines - 1], ("… (texte abrégé)", Paragraph("", italic=True))]
            cells[col.key] = cell
            n_lines = max(n_lines, len(cell.lines))
        out.append(LaidRow(cells, n_lines * lh + 2 * style.pad_y, row))
    return out


def header_height(columns: list[Column], widths: list[float], style: TableStyle) -> float:
    """Height in mm of the header row (titles wrapped to their column)."""
    n = max(len(wrap_text(c.title, w - 2 * style.pad_x, style.header_size, bold=True))
            for c, w in zip(columns, widths, strict=True))
    return n * line_height_mm(style.header_size) + 2 * style.pad_y


def paginate(heights: list[float], first_mm: float, next_mm: float) -> list[list[int]]:
    """Split rows of the given heights over a first panel and continuation panels.

    A row is never split; a row taller than a whole panel still gets a panel of its own.

    Returns
    -------
    list of list of int
        Row indices per panel (at least one, possibly empty, panel).
    """
    pages: list[list[int]] = [[]]
    room = first_mm
    for i, h in enumerate(heights):
        if h > room + 1e-9 and pages[-1]:
            pages.append([])
            room = next_mm
        elif h > room + 1e-9 and len(pages) == 1 and not pages[0] and first_mm < next_mm:
            pages.append([])  # not even one row fits beside the map: start on the next sheet
            room = next_mm
        pages[-1].append(i)
        room -= h
    return pages


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


def spread_markers(
    xy: np.ndarray, diameter: float, bounds: tuple[float, float, float, float] | None = None,
    max_iter: int = 3000,
) -> tuple[np.ndarray, np.ndarray]:
    """Place round markers so that none hides another, each as close as possible to its place.

    Markers at the same point start on a small ring around it (see :func:`_ring_slots`); then
    overlapping markers push each other apart while a weak spring pulls each back toward its
    true position, until no two markers overlap. The true points stay marked and a leader line
    joins a moved marker to its point (drawn by the caller). Should the relaxation not settle
    (extreme densities), groups are laid on rings around their centre instead.

    Parameters
    ----------
    xy : array (n, 2)
        True positions on the sheet, millimetres.
    diameter : float
        Marker diameter, millimetres.
    bounds : tuple, optional
        ``(xmin, ymin, xmax, ymax)`` the markers must stay inside.
    max_iter : int
        Iterations of the relaxation.

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
    gap = 1.04 * diameter
    r = diameter / 2
    pos = xy.copy()
    # identical points: start on a ring around the point
    keys = np.round(xy / 0.2).astype(np.int64)
    _, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    for g in np.flatnonzero(counts > 1):
        members = np.flatnonzero(inverse.ravel() == g)
        pos[members] = xy[members[0]] + _ring_slots(len(members), diameter)

    def clamp(p: np.ndarray) -> np.ndarray:
        if bounds is None:
            return p
        p[:, 0] = np.clip(p[:, 0], bounds[0] + r, bounds[2] - r)
        p[:, 1] = np.clip(p[:, 1], bounds[1] + r, bounds[3] - r)
        return p

    pos = clamp(pos)
    settled = n == 1
    for it in range(max_iter):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.hypot(delta[..., 0], delta[..., 1])
        np.fill_diagonal(dist, 1e9)
        over = dist < gap - 1e-3
        if not over.any():
            settled = True
            break
        safe = np.where(dist > 1e-6, dist, 1e-6)
        push = np.where(over, 0.5 * (gap + 0.02 - dist) / safe, 0.0)
        push /= np.maximum(over.sum(axis=1, keepdims=True), 1) ** 0.5  # damp crowded markers
        # coincident markers (after clamping): separate along a fixed direction
        same = over & (dist <= 1e-6)
        if same.any():
            delta = delta + same[..., None] * np.array([0.01, 0.013])
        pos = pos + (push[..., None] * delta).sum(axis=1)
        if it < max_iter // 2:
            pos = pos + 0.04 * (xy - pos)  # spring toward the true place
        pos = clamp(pos)
    if not settled:
        return _spread_rings(xy, diameter, bounds)
    displaced = np.hypot(*(pos - xy).T) > 0.05
    return pos, displaced


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
    d2 = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    for i, j in zip(*np.nonzero(np.triu(d2 < gap, 1)), strict=True):
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
        dist = np.hypot(pos[:, None, 0] - pos[None, :, 0], pos[:, None, 1] - pos[None, :, 1])
        clash = np.triu(dist < gap, 1)
        pairs = [(int(i), int(j)) for i, j in zip(*np.nonzero(clash), strict=True) if find(int(i)) != find(int(j))]
        if not pairs:
            break
        for i, j in pairs:
            union(i, j)
    displaced = np.hypot(*(pos - xy).T) > 0.05
    return pos, displaced


# --------------------------------------------------------------------------- labels
def boxes_overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """True when two ``(xmin, ymin, xmax, ymax)`` boxes intersect."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def label_box(x: float, y: float, text: str, size: float, bold: bool = False, pad: float = 0.6) -> tuple:
    """Box in mm of a label centred on ``(x, y)`` (with a small halo margin)."""
    w = text_width_mm(text, size, bold) / 2 + pad
    h = size * MM_PER_PT * 0.62 + pad
    return (x - w, y - h, x + w, y + h)


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
    (a town hall often carries a marker). A label that fits nowhere is left out.

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
    placed: list[tuple[float, float, float, float]] = []
    kept = []
    for x, y, text, size, bold in candidates:
        b = label_box(0.0, 0.0, text, size, bold)
        hw, hh = b[2], b[3]
        dx, dy = hw + clearance, hh + clearance
        offsets = ((0, 0), (0, dy), (0, -dy), (dx, 0), (-dx, 0), (dx, dy), (-dx, dy), (dx, -dy), (-dx, -dy))
        for ox, oy in offsets:
            box = label_box(x + ox, y + oy, text, size, bold)
            if box[0] < bounds[0] or box[1] < bounds[1] or box[2] > bounds[2] or box[3] > bounds[3]:
                continue
            if any(boxes_overlap(box, o) for o in obstacles) or any(boxes_overlap(box, p) for p in placed):
                continue
            placed.append(box)
            kept.append((x + ox, y + oy, text, size, bold))
            break
    return kept
