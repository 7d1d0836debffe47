"""Page geometry for printed maps: text wrapping and tables.

Everything here works in millimetres on the sheet and in typographic points for type sizes,
without drawing anything: :mod:`atlas.maps.print.render` draws what these functions lay out.
Text is measured with the very font matplotlib embeds in the PDF (DejaVu Sans through
FreeType, :func:`atlas.placement.text_width_mm`), so wrapped lines fit their columns exactly;
marker spreading and label placement are in :mod:`atlas.placement`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import numpy as np

from atlas.placement import MM_PER_PT, text_width_mm

#: A3 sheet, millimetres (long side, short side).
A3_MM = (420.0, 297.0)
#: Smallest type size allowed anywhere on a sheet (points).
MIN_FONT_PT = 7.0
#: Line height as a multiple of the type size.
LINE_SPACING = 1.22


def line_height_mm(size: float) -> float:
    """Baseline-to-baseline distance for type of ``size`` points, in millimetres."""
    return size * LINE_SPACING * MM_PER_PT


def wrap_text(text: str, width_mm: float, size: float, bold: bool = False, italic: bool = False, *,
              first_mm: float | None = None) -> list[str]:
    """Wrap ``text`` into lines no wider than ``width_mm``.

    Breaks at ordinary spaces, then after hyphens inside compound words
    (« Béthune-Bruay- / la-Buissière »); no-break spaces (U+00A0) keep « 14 h » together.
    Explicit newlines are kept, and a word longer than the column is split by characters as
    a last resort, so that nothing is ever cut off.

    Returns
    -------
    list of str
        At least one line (an empty string for empty text). With ``first_mm``, the first line is
        at most that wide (text set after something else on its line).
    """
    lines: list[str] = []

    def fits(s: str) -> bool:
        limit = first_mm if first_mm is not None and not lines else width_mm
        return text_width_mm(s, size, bold, italic) <= limit

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
    """A run of text inside a cell with its style.

    ``lead`` is a space-separated list of service pictograms (:mod:`atlas.maps.pictograms`)
    set before the text, one line high (:func:`icon_size_mm`); the text goes on after them on
    the same line when there is room.
    """

    text: str
    bold: bool = False
    italic: bool = False
    color: str = "#111111"
    lead: str = ""


#: Gap between two pictograms of a row, as a fraction of their size.
ICON_GAP = 0.3


def icon_size_mm(size: float) -> float:
    """Side of a pictogram in a line of ``size``-point text (never smaller than the type's em)."""
    return max(0.92 * line_height_mm(size), size * MM_PER_PT)


def wrap_icons(keys: str, width_mm: float, size: float) -> list[str]:
    """Wrap a row of pictograms (space-separated keys) into lines no wider than ``width_mm``."""
    step = icon_size_mm(size) * (1 + ICON_GAP)
    per_line = max(1, int((width_mm + icon_size_mm(size) * ICON_GAP) // step))
    items = keys.split()
    return [" ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)] or [""]


#: Marks the pictograms at the start of a wrapped line: ``ICON_MARK + keys + ICON_MARK + text``.
ICON_MARK = "\x1f"


def split_line(line: str) -> tuple[list[str], str]:
    """A wrapped line as (pictogram keys, text) (see :func:`wrap_paragraph`)."""
    if line.startswith(ICON_MARK):
        keys, _, text = line[1:].partition(ICON_MARK)
        return keys.split(), text
    return [], line


def wrap_paragraph(para: Paragraph, width_mm: float, size: float) -> list[str]:
    """Lines of a paragraph wrapped to ``width_mm``: its pictograms (``lead``) first, the text after
    them on the same line when its first word fits there. A line with pictograms starts with
    :data:`ICON_MARK` (:func:`split_line` reads it)."""
    if not para.lead:
        return wrap_text(para.text, width_mm, size, para.bold, para.italic)
    icons = [ICON_MARK + keys + ICON_MARK for keys in wrap_icons(para.lead, width_mm, size)]
    if not para.text:
        return icons
    room = width_mm - len(split_line(icons[-1])[0]) * icon_size_mm(size) * (1 + ICON_GAP)
    first = para.text.split(" ")[0]
    if room < 8.0 or text_width_mm(first, size, para.bold, para.italic) > room:
        return icons + wrap_text(para.text, width_mm, size, para.bold, para.italic)
    text = wrap_text(para.text, width_mm, size, para.bold, para.italic, first_mm=room)
    return [*icons[:-1], icons[-1] + text[0], *text[1:]]


def balanced_lines(text: str, width_mm: float, size: float, *, bold: bool = False, max_lines: int = 2) -> list[str]:
    """Wrap ``text`` into as few lines as :func:`wrap_text` (up to ``max_lines``), of even lengths.

    The narrowest width that still gives the same number of lines is found by bisection, so a
    subtitle never leaves one word alone on its last line.
    """
    lines = wrap_text(text, width_mm, size, bold)
    n = len(lines)
    if n < 2 or n > max_lines:
        return lines
    if n == 2 and " — " in text:  # break after the dash when both parts fit: « Territoire — / 22 lieux… »
        head, _, tail = text.partition(" — ")
        parts = [f"{head} —", tail]
        if all(text_width_mm(p, size, bold) <= width_mm for p in parts):
            return parts
    lo, hi = 0.0, width_mm
    for _ in range(18):
        mid = (lo + hi) / 2
        if len(wrap_text(text, mid, size, bold)) <= n:
            hi = mid
        else:
            lo = mid
    return wrap_text(text, hi, size, bold)


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


#: Table styles tried to keep a territory on one sheet, the most comfortable first.
TABLE_STYLES: tuple[TableStyle, ...] = (
    TableStyle(),
    TableStyle(size=7.0, header_size=7.0, pad_x=0.9, pad_y=0.55),
)


def column_widths(columns: list[Column], width_mm: float) -> list[float]:
    """Share ``width_mm`` between columns: fixed widths first, the rest by weight."""
    fixed = sum(c.fixed_mm or 0.0 for c in columns)
    weights = sum(c.weight for c in columns if c.fixed_mm is None)
    rest = max(width_mm - fixed, 0.0)
    return [c.fixed_mm if c.fixed_mm is not None else rest * c.weight / weights for c in columns]


def _para_width(p: Paragraph, size: float) -> float:
    lead = len(p.lead.split()) * icon_size_mm(size) * (1 + ICON_GAP)
    return lead + text_width_mm(p.text, size, p.bold, p.italic)


def _cell_width(value: object, size: float) -> float:
    paras = [Paragraph(value)] if isinstance(value, str) else list(value or [])  # type: ignore[arg-type]
    return sum(_para_width(p, size) for p in paras if p.text or p.lead)


def _longest_word(value: object, size: float) -> float:
    paras = [Paragraph(value)] if isinstance(value, str) else list(value or [])  # type: ignore[arg-type]
    icon = icon_size_mm(size) if any(p.lead for p in paras) else 0.0
    return max((text_width_mm(w, size, p.bold, p.italic) for p in paras for w in p.text.split(" ") if w),
               default=icon)


@functools.lru_cache(maxsize=262144)
def _n_lines(text: str, width: float, size: float, bold: bool, italic: bool, *, lead: str = "") -> int:
    return len(wrap_paragraph(Paragraph(text, bold, italic, lead=lead), width, size))


def _cell_lines(value: object, width: float, size: float) -> int:
    paras = [Paragraph(value)] if isinstance(value, str) else list(value or [])  # type: ignore[arg-type]
    return max(sum(_n_lines(p.text, round(width, 1), size, p.bold, p.italic, lead=p.lead)
                   for p in paras if p.text or p.lead), 1)


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
                if not (para.text or para.lead):
                    continue
                for line in wrap_paragraph(para, width - 2 * style.pad_x, style.size):
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
