"""One A3 sheet: where the map, the strip under it and the table go, and what every sheet draws.

Boxes are in millimetres from the bottom-left corner of the sheet (``(x, y, w, h)``). This module
holds the sheet's layout (:func:`sized_layout`, :func:`empty_layout`), the figure with a full-page axes in millimetres
(:class:`Sheet`), and the drawing shared by every sheet: text that is never read as mathematics
(:func:`draw_text`), numbered markers (:func:`draw_marker`), the header and footer
(:func:`draw_header`) and the sites table (:func:`draw_table`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from atlas import placement
from atlas.maps.pictograms import draw_pictogram
from atlas.maps.print import typeset as pl
from atlas.maps.print.sites import typo
from atlas.maps.symbols import DEFAULT_STYLE, KIND_STYLE, MUTED, TEXT
from atlas.registry.publication import PRO_MARK

DEMO_MARK = "DONNÉES DE DÉMONSTRATION"
#: Under the professional mark (:data:`atlas.registry.publication.PRO_MARK`) of sheets made with ``--professionnels``.
PRO_NOTE = "lieux réservés aux professionnels : ne pas remettre au public"
PRO_COLOR = "#4A1D6B"

MARGIN = 10.0
FOOTER_H = 13.0
HEADER_H = 26.0
STRIP_H = 34.0
INSET_H = 32.0
GAP = 6.0
#: Between two blocks of a table set side by side.
BLOCK_GAP = 5.0
#: Smallest map on a sheet that also holds the table (mm: width in landscape, height in portrait).
MIN_MAP_MM = {"landscape": 150.0, "portrait": 115.0}

Box = tuple[float, float, float, float]


# --------------------------------------------------------------------------- drawing primitives
def draw_text(ax: Any, x: float, y: float, s: str, **kw: Any) -> Any:
    """Draw text that is never read as mathematics (registry text lands here)."""
    kw.setdefault("color", TEXT)
    return ax.text(x, y, s, parse_math=False, usetex=False, **kw)


def points(mm: float) -> float:
    """A length in millimetres as typographic points (marker sizes)."""
    return mm / placement.MM_PER_PT


def marker_size(numbers: Iterable[str]) -> float:
    """Marker diameter in mm, wide enough for the longest number at 7 pt bold."""
    widest = max((placement.text_width_mm(n, 7.0, bold=True) for n in numbers), default=2.0)
    return max(5.0, widest + 2.2)


def draw_marker(ax: Any, x: float, y: float, kind: str, number: str, *, d: float, approximate: bool,
                zorder: float = 10, size: float = 7.0) -> None:
    """A site's marker: the kind's symbol ``d`` mm wide with its number; dotted outline when the
    site is placed at its town hall (``approximate``)."""
    marker, color = KIND_STYLE.get(kind, DEFAULT_STYLE)
    scale = {"o": 1.0, "s": 0.86, "h": 1.06, "p": 1.08, "8": 1.04}.get(marker, 1.0)
    ax.scatter([x], [y], s=points(d * scale) ** 2, marker=marker, c=color, edgecolors="white",
               linewidths=0.9, zorder=zorder, clip_on=False)
    if approximate:
        ax.scatter([x], [y], s=points(d * scale + 0.9) ** 2, marker=marker, facecolors="none",
                   edgecolors=color, linewidths=0.6, linestyle=(0, (1.5, 1.0)), zorder=zorder, clip_on=False)
    draw_text(ax, x, y, number, ha="center", va="center_baseline", fontsize=size, fontweight="bold",
              color="white", zorder=zorder + 0.1, clip_on=False)


# --------------------------------------------------------------------------- sheet geometry
@dataclass
class SheetLayout:
    """Boxes of one sheet, millimetres from the bottom-left corner: ``(x, y, w, h)``."""

    width: float
    height: float
    map: Box
    strip: Box
    table: Box
    #: The table is set in this many blocks side by side (newspaper columns) in ``table``.
    blocks: int = 1

    @property
    def orientation(self) -> str:
        """« landscape » or « portrait »."""
        return "landscape" if self.width > self.height else "portrait"

    def block_boxes(self, box: Box | None = None, blocks: int | None = None) -> list[Box]:
        """The boxes of the table's blocks side by side in ``box`` (default the table's)."""
        x, y, w, h = box or self.table
        k = blocks or self.blocks
        bw = (w - (k - 1) * BLOCK_GAP) / k
        return [(x + j * (bw + BLOCK_GAP), y, bw, h) for j in range(k)]

    def continuation_box(self) -> Box:
        """The table's box on a continuation sheet (the whole sheet under the header)."""
        top = self.height - MARGIN - HEADER_H
        bottom = MARGIN + FOOTER_H
        return (MARGIN, bottom, self.width - 2 * MARGIN, top - bottom)


def empty_layout(orientation: str, aspect: float, *, strip_h: float = STRIP_H) -> SheetLayout:
    """Sheet boxes for a territory without any site (no table): the map, framing a bbox
    ``aspect`` (width / height) wide, takes the table's room (:func:`sized_layout`)."""
    if orientation == "landscape":
        map_h = pl.A3_MM[1] - 2 * MARGIN - HEADER_H - FOOTER_H - strip_h - 3
        return sized_layout(orientation, float(np.clip(map_h * aspect, 175.0, 300.0)), strip_h=strip_h)
    tallest = pl.A3_MM[0] - 2 * MARGIN - HEADER_H - FOOTER_H - strip_h - 3 - GAP - 45.0
    return sized_layout(orientation, float(np.clip((pl.A3_MM[1] - 2 * MARGIN) / aspect, 130.0, tallest)),
                        strip_h=strip_h)


def map_sizes(orientation: str, aspect: float, *, strip_h: float = STRIP_H, step: float = 10.0) -> list[float]:
    """Map sizes to try (mm: width in landscape, height in portrait), the ideal one first, down to
    :data:`MIN_MAP_MM`: the ideal frames the territory at the largest scale the sheet allows."""
    if orientation == "landscape":
        map_h = pl.A3_MM[1] - 2 * MARGIN - HEADER_H - FOOTER_H - strip_h - 3
        ideal = float(np.clip(map_h * aspect, 175.0, 240.0))
    else:
        ideal = float(np.clip((pl.A3_MM[1] - 2 * MARGIN) / aspect, 130.0, 215.0))
    low = MIN_MAP_MM[orientation]
    sizes = [ideal]
    while sizes[-1] - step >= low - 1e-9:
        sizes.append(sizes[-1] - step)
    if sizes[-1] > low + 1e-9:
        sizes.append(low)
    return sizes


def sized_layout(orientation: str, map_mm: float, *, strip_h: float = STRIP_H, blocks: int = 1,
                 side: float = 0.0) -> SheetLayout:
    """Sheet boxes with a map of ``map_mm`` (width in landscape, beside the table; height in
    portrait, above it) and the table in ``blocks`` blocks side by side.

    In portrait, ``side`` (mm) sets the strip (inset, legend, scale) beside the map rather than
    under it, ``side`` mm wide: a wide territory drawn short leaves that room free.
    """
    if orientation == "landscape":
        w, h = pl.A3_MM
        top = h - MARGIN - HEADER_H
        bottom = MARGIN + FOOTER_H
        map_h = top - bottom - strip_h - 3
        mp = (MARGIN, bottom + strip_h + 3, map_mm, map_h)
        strip = (MARGIN, bottom, map_mm, strip_h)
        tx = MARGIN + map_mm + GAP
        table = (tx, bottom, w - MARGIN - tx, top - bottom)
    else:
        h, w = pl.A3_MM[0], pl.A3_MM[1]
        top = h - MARGIN - HEADER_H
        bottom = MARGIN + FOOTER_H
        full = w - 2 * MARGIN
        if side > 0:
            mp = (MARGIN, top - map_mm, full - side - GAP, map_mm)
            strip = (MARGIN + full - side, top - map_mm, side, map_mm)
            table = (MARGIN, bottom, full, top - map_mm - GAP - bottom)
        else:
            mp = (MARGIN, top - map_mm, full, map_mm)
            strip = (MARGIN, top - map_mm - 3 - strip_h, full, strip_h)
            table = (MARGIN, bottom, full, strip[1] - GAP - bottom)
    return SheetLayout(w, h, mp, strip, table, blocks)


class Sheet:
    """One figure (sheet) with a full-page axes in millimetres for text and furniture."""

    def __init__(self, layout: SheetLayout):
        self.layout = layout
        self.fig = Figure(figsize=(layout.width / 25.4, layout.height / 25.4))
        self.page = self.fig.add_axes((0, 0, 1, 1))
        self.page.set_xlim(0, layout.width)
        self.page.set_ylim(0, layout.height)
        self.page.set_axis_off()
        self.page.set_zorder(5)
        self.page.patch.set_alpha(0)

    def axes_mm(self, box: Box, zorder: float = 1) -> Any:
        """A new axes over ``box`` (mm) of the sheet."""
        x, y, w, h = box
        W, H = self.layout.width, self.layout.height
        ax = self.fig.add_axes((x / W, y / H, w / W, h / H))
        ax.set_zorder(zorder)
        return ax


# --------------------------------------------------------------------------- header and footer
def _draw_mark(ax: Any, right: float, top: float, mark: str, note: str, *, size: float, color: str) -> float:
    """A mark in a coloured box ending at ``right`` (mm), its note under it; returns the box's left."""
    label_w = placement.text_width_mm(mark, size, bold=True) + 8
    bx = right - label_w
    ax.add_patch(FancyBboxPatch((bx, top - 12.5), label_w, 11, boxstyle="round,pad=0,rounding_size=1.5",
                                facecolor=color, edgecolor="none", zorder=3))
    draw_text(ax, bx + label_w / 2, top - 7, mark, fontsize=size, fontweight="bold", color="white",
              ha="center", va="center", zorder=4)
    draw_text(ax, right, top - 16.5, note, fontsize=7.5, color=color, ha="right", va="center", fontstyle="italic")
    return bx


def draw_header(sheet: Sheet, title: str, subtitle: str, *, footer: str, demo: bool, page: tuple[int, int] | None,
                pro: bool = False, notice: str = "") -> None:
    """Title, subtitle (two balanced lines at most), demonstration and professional marks, footer
    (``notice`` in bold on its first line: who made the sheet and whom to tell of an error, then
    the sources ``footer``) and « feuille k/n » (none when ``page`` is None: a booklet's cover)."""
    ax = sheet.page
    W, H = sheet.layout.width, sheet.layout.height
    right = W - MARGIN
    size = 13.0 if not (demo and pro) else 10.0
    if pro:  # a sheet for professionals: sites they alone may see are on it
        right = _draw_mark(ax, right, H - MARGIN, PRO_MARK.upper(), PRO_NOTE, size=size, color=PRO_COLOR) - 6
    if demo:
        right = _draw_mark(ax, right, H - MARGIN, DEMO_MARK, "lieux fictifs : ne pas distribuer au public",
                           size=size, color="#B91C1C") - 6
    room = right - MARGIN
    size = 22.0
    while size > 14 and placement.text_width_mm(title, size, bold=True) > room:
        size -= 1
    draw_text(ax, MARGIN, H - MARGIN - 8.5, title, fontsize=size, fontweight="bold", va="baseline")
    lines = pl.balanced_lines(typo(subtitle), room, 11.0)
    for k, line in enumerate(lines[:2]):
        draw_text(ax, MARGIN, H - MARGIN - 15.5 - k * 5, line, fontsize=11, color="#333333", va="baseline")
    ax.plot([MARGIN, W - MARGIN], [H - MARGIN - HEADER_H + 3.5] * 2, color="#2F2F2F", lw=0.8)
    # footer
    ax.plot([MARGIN, W - MARGIN], [MARGIN + FOOTER_H - 2] * 2, color="#9A9A9A", lw=0.4)
    y = MARGIN + FOOTER_H - 5.4
    for line in pl.wrap_text(typo(notice), W - 2 * MARGIN - 30, 8.0, bold=True)[:1] if notice else []:
        draw_text(ax, MARGIN, y, line, fontsize=8.0, fontweight="bold", va="baseline")
        y -= 3.6
    for line in pl.wrap_text(typo(footer), W - 2 * MARGIN - 30, 7.0)[: 3 if not notice else 2]:
        draw_text(ax, MARGIN, y, line, fontsize=7.0, color=MUTED, va="baseline")
        y -= 3.0
    if page is not None:
        draw_text(ax, W - MARGIN, MARGIN + FOOTER_H - 5.4, f"feuille {page[0]}/{page[1]}", fontsize=7.5,
                  color=MUTED, va="baseline", ha="right")


# --------------------------------------------------------------------------- table
@dataclass
class TablePanel:
    """The table as laid out for one width: its columns, their widths and every row wrapped."""

    columns: list[pl.Column]
    widths: list[float]
    rows: list[pl.LaidRow]


def _draw_number(ax: Any, x: float, y: float, row: pl.LaidRow, *, marker_d: float, style: pl.TableStyle) -> None:
    """The « N° » cell: the site's marker (a box of its colour for 3 digits), or « – » unlocated."""
    asc = 0.93 * style.size * placement.MM_PER_PT
    num = row.data["number"]
    if row.data["_located"] and len(num) >= 3:  # a box of the kind's colour fits 3 digits
        draw_text(ax, x, y - style.pad_y - asc, num, fontsize=7.0, fontweight="bold", color="white", ha="center",
                  va="baseline", zorder=3, bbox={"boxstyle": "round,pad=0.2", "facecolor": KIND_STYLE.get(
                      row.data["_kind"], DEFAULT_STYLE)[1], "edgecolor": "none"})
    elif row.data["_located"]:
        draw_marker(ax, x, y - style.pad_y - marker_d / 2 - 0.2, row.data["_kind"], num, d=marker_d,
                    approximate=bool(row.data.get("_approximate")), zorder=3, size=7.0)
    else:
        draw_text(ax, x, y - style.pad_y - asc, num, fontsize=style.size, ha="center", va="baseline", zorder=2)


def _draw_icons(ax: Any, x: float, top: float, keys: list[str], *, style: pl.TableStyle) -> float:
    """Service pictograms from ``x`` in a text line whose top is ``top`` (mm); returns where they end."""
    size = pl.icon_size_mm(style.size)
    y = top - (pl.line_height_mm(style.size) + size) / 2
    step = size * (1 + pl.ICON_GAP)
    for j, key in enumerate(keys):
        draw_pictogram(ax, key, x + j * step, y, size, zorder=2)
    return x + len(keys) * step


def draw_table(sheet: Sheet, box: Box, panel: TablePanel, *, rows: list[int], marker_d: float,
               style: pl.TableStyle) -> float:
    """Draw the header and ``rows`` (indices into ``panel.rows``) of the table at the top of ``box``.

    Returns
    -------
    float
        The y (mm) of the table's bottom line.
    """
    ax = sheet.page
    cols, widths = panel.columns, panel.widths
    x0, y0, w, h = box
    top = y0 + h
    hh = pl.header_height(cols, widths, style)
    ax.add_patch(Rectangle((x0, top - hh), w, hh, facecolor="#2F2F2F", edgecolor="none", zorder=1))
    xs = np.concatenate([[x0], x0 + np.cumsum(widths)])
    asc = 0.93 * style.size * placement.MM_PER_PT
    lh = pl.line_height_mm(style.size)
    for c, cx, cw in zip(cols, xs[:-1], widths, strict=True):
        for k, line in enumerate(pl.wrap_text(c.title, cw - 2 * style.pad_x, style.header_size, bold=True)):
            draw_text(ax, cx + style.pad_x, top - style.pad_y - asc - k * lh, line, fontsize=style.header_size,
                      fontweight="bold", color="white", va="baseline", zorder=2)
    y = top - hh
    d = min(marker_d, 4.6)
    for n, i in enumerate(rows):
        row = panel.rows[i]
        if n % 2:
            ax.add_patch(Rectangle((x0, y - row.height), w, row.height, facecolor="#F0F0F0",
                                   edgecolor="none", zorder=1))
        ax.plot([x0, x0 + w], [y - row.height, y - row.height], color="#CFCFCF", lw=0.3, zorder=1.5)
        for c, cx in zip(cols, xs[:-1], strict=True):
            if c.key == "number":
                _draw_number(ax, cx + widths[0] / 2, y, row, marker_d=d, style=style)
                continue
            for k, (line, para) in enumerate(row.cells[c.key].lines):
                keys, line = pl.split_line(line)
                tx = _draw_icons(ax, cx + style.pad_x, y - style.pad_y - k * lh, keys, style=style) if keys else cx
                if not line:
                    continue
                draw_text(ax, tx + (style.pad_x if not keys else 0.0), y - style.pad_y - asc - k * lh, line, fontsize=style.size,
                          fontweight="bold" if para.bold else "normal",
                          fontstyle="italic" if para.italic else "normal", color=para.color,
                          va="baseline", zorder=2)
        y -= row.height
    ax.plot([x0, x0 + w], [y, y], color="#2F2F2F", lw=0.6, zorder=1.5)
    return y
