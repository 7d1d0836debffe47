"""Fitting a territory on its sheets: the layout that keeps every site on one A3 sheet.

A print cartographer puts the map and the whole table of sites on one sheet. :class:`Fitter`
tries the layouts a sheet allows — landscape (map beside the table) or portrait (map above it),
maps from the ideal size down to :data:`atlas.maps.print.sheet.MIN_MAP_MM`, the table in one or
two blocks side by side, rows set in 7.5 or 7 pt (:data:`atlas.maps.print.typeset.TABLE_STYLES`,
never below 7 pt) — and keeps, among those that hold every row on the first sheet, the one that
draws the territory at the largest scale (larger type and a single block preferred when the
scales are close). Only when no layout holds every row does the table continue on further
sheets; the map then takes its ideal size and the rows left are spread evenly over the
continuation sheets (two blocks on a landscape sheet), so that none is a thin remainder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from atlas.maps.print import typeset as pl
from atlas.maps.print.sheet import (
    GAP,
    MARGIN,
    STRIP_H,
    SheetLayout,
    TablePanel,
    empty_layout,
    map_sizes,
    sized_layout,
)
from atlas.maps.print.sites import table_columns

#: A block narrower than this (mm) is not tried: eight columns need room.
MIN_BLOCK_MM = 125.0
#: Weight of a layout's map scale by table style (7.5 pt first) and by number of blocks.
STYLE_WEIGHT = (1.0, 0.85)
BLOCKS_WEIGHT = {1: 1.0, 2: 0.95}
#: Narrowest strip beside the map (inset, scale and a one-column legend).
MIN_SIDE_MM = 80.0


@dataclass
class Plan:
    """How a territory's sheets are laid out.

    Attributes
    ----------
    layout : SheetLayout
        The first sheet's boxes (``layout.blocks`` blocks of table).
    style : TableStyle
        Type size and paddings of the table on every sheet.
    first, next : TablePanel
        The table laid out for a block of the first sheet and of a continuation sheet.
    pages : list
        For each sheet, for each of its blocks, the indices of its rows.
    next_blocks : int
        Blocks of a continuation sheet.
    scale : float
        Millimetres of the sheet per metre of the territory (the larger, the larger the map).
    """

    layout: SheetLayout
    style: pl.TableStyle
    first: TablePanel
    next: TablePanel
    pages: list[list[list[int]]]
    next_blocks: int = 1
    scale: float = 0.0


def fill_blocks(heights: Sequence[float], capacity: float, blocks: int) -> list[list[int]] | None:
    """Rows (in order) into ``blocks`` blocks of ``capacity`` mm; ``None`` when they do not all fit."""
    out: list[list[int]] = [[]]
    room = capacity
    for i, h in enumerate(heights):
        if h > room + 1e-6:
            if len(out) == blocks or h > capacity + 1e-6:
                return None
            out.append([])
            room = capacity
        out[-1].append(i)
        room -= h
    return out


def balanced_blocks(heights: Sequence[float], capacity: float, blocks: int) -> list[list[int]] | None:
    """As :func:`fill_blocks`, with blocks of even heights (the smallest capacity that still fits)."""
    if fill_blocks(heights, capacity, blocks) is None:
        return None
    if blocks == 1 or not heights:
        return fill_blocks(heights, capacity, blocks)
    lo, hi = max(heights), capacity
    for _ in range(30):
        mid = (lo + hi) / 2
        if fill_blocks(heights, mid, blocks) is None:
            lo = mid
        else:
            hi = mid
    return fill_blocks(heights, hi, blocks)


def spread_pages(heights: Sequence[float], capacity: float, blocks: int) -> list[list[list[int]]]:
    """Rows over as few pages of ``blocks`` blocks as they need, spread evenly over them.

    A row taller than a block still gets a block of its own.
    """
    def pages_at(cap: float) -> list[list[list[int]]]:
        pages: list[list[list[int]]] = [[[]]]
        room = cap
        for i, h in enumerate(heights):
            if h > room + 1e-6 and pages[-1][-1]:
                if len(pages[-1]) < blocks:
                    pages[-1].append([])
                else:
                    pages.append([[]])
                room = cap
            pages[-1][-1].append(i)
            room -= h
        return pages

    if not heights:
        return []
    n = len(pages_at(capacity))
    lo, hi = max(max(heights), 1e-3), max(capacity, max(heights))
    for _ in range(30):
        mid = (lo + hi) / 2
        if len(pages_at(mid)) > n:
            lo = mid
        else:
            hi = mid
    return pages_at(hi)


class Fitter:
    """Lays out the table of one territory's rows for the layouts of :mod:`atlas.maps.print.sheet`.

    Parameters
    ----------
    rows : list of dict
        Table rows (:func:`atlas.maps.print.sites.table_rows`).
    strip_height : callable
        ``strip_height(layout)``: height (mm) the strip under the map needs for that layout.
    foot_height : callable
        ``foot_height(width, n_sheets, style)``: height (mm) of what is set under the table (the
        pictograms' key and the notes) across ``width`` mm.
    """

    def __init__(self, rows: list[dict], *, strip_height: Callable[[SheetLayout], float],
                 foot_height: Callable[[float, int, pl.TableStyle], float]):
        self.rows = rows
        self.strip_height = strip_height
        self.foot_height = foot_height
        self.phones = sorted({p.text for r in rows for p in r.get("phone", []) if hasattr(p, "text")})
        self._panels: dict[tuple[float, pl.TableStyle], TablePanel] = {}

    def panel(self, width: float, style: pl.TableStyle) -> TablePanel:
        """The table laid out for blocks ``width`` mm wide (cached)."""
        key = (round(width, 1), style)
        if key not in self._panels:
            cols = table_columns(phones=self.phones, size=style.size)
            widths = pl.balanced_widths(self.rows, cols, width, style)
            self._panels[key] = TablePanel(cols, widths, pl.lay_out_rows(self.rows, cols, widths, style))
        return self._panels[key]

    def _capacity(self, panel: TablePanel, box_h: float, table_w: float, n_sheets: int,
                  style: pl.TableStyle) -> float:
        return box_h - pl.header_height(panel.columns, panel.widths, style) - self.foot_height(table_w, n_sheets, style)

    def _layout(self, orientation: str, map_mm: float, blocks: int, side: float = 0.0) -> SheetLayout | None:
        """The layout for this map size, its strip tall enough for the legend (``None`` when a
        strip beside the map cannot hold it)."""
        layout = sized_layout(orientation, map_mm, blocks=blocks, side=side)
        need = self.strip_height(layout)
        if side > 0:
            return layout if need <= map_mm + 1e-6 else None
        if need > STRIP_H + 1e-6:
            layout = sized_layout(orientation, map_mm, strip_h=need, blocks=blocks)
        return layout

    @staticmethod
    def _sides(orientation: str, map_mm: float, aspect: float) -> tuple[float, ...]:
        """Strip placements to try: under the map, and in portrait beside it when the territory
        drawn ``map_mm`` high leaves at least :data:`MIN_SIDE_MM` of the sheet's width free."""
        if orientation != "portrait":
            return (0.0,)
        free = pl.A3_MM[1] - 2 * MARGIN - GAP - map_mm * aspect * 1.04
        return (0.0, max(free, MIN_SIDE_MM)) if free >= MIN_SIDE_MM - 25.0 else (0.0,)

    @staticmethod
    def scale(layout: SheetLayout, size: tuple[float, float]) -> float:
        """Millimetres of the sheet per metre of a territory of ``size`` (metres) in ``layout``'s map."""
        pad = 0.04 * max(size) + 500
        return min(layout.map[2] / (size[0] + 2 * pad), layout.map[3] / (size[1] + 2 * pad))

    def one_sheet(self, orientation: str, size: tuple[float, float]) -> tuple[float, Plan] | None:
        """The best layout of ``orientation`` holding every row on one sheet, with its score."""
        # a lower bound of the table's height: every row one line at 7 pt, over two blocks
        low = min(st.size for st in pl.TABLE_STYLES)
        if len(self.rows) * (pl.line_height_mm(low) + 1.0) > 2 * pl.A3_MM[0]:
            return None
        best: tuple[float, Plan] | None = None
        for s_i, style in enumerate(pl.TABLE_STYLES):
            for blocks in (1, 2) if orientation == "portrait" else (1,):
                for side in (0.0, 1.0) if orientation == "portrait" else (0.0,):
                    found = self._largest_map(orientation, size, style, blocks, beside=side > 0)
                    if found is None:
                        continue
                    scale, plan = found
                    score = scale * STYLE_WEIGHT[min(s_i, len(STYLE_WEIGHT) - 1)] * BLOCKS_WEIGHT[blocks]
                    if best is None or score > best[0]:
                        best = (score, plan)
        return best

    def _try(self, orientation: str, size: tuple[float, float], style: pl.TableStyle, blocks: int, m: float, *,
             beside: bool) -> Plan | None:
        """The plan with a map ``m`` mm (see :func:`sized_layout`) when every row fits, else ``None``."""
        aspect = max(size[0], 1.0) / max(size[1], 1.0)
        side = self._sides(orientation, m, aspect)[-1] if beside else 0.0
        if beside and side == 0.0:
            return None
        layout = self._layout(orientation, m, blocks, side)
        if layout is None:
            return None
        box = layout.block_boxes()[0]
        if blocks > 1 and box[2] < MIN_BLOCK_MM:
            return None
        panel = self.panel(box[2], style)
        cap = self._capacity(panel, box[3], layout.table[2], 1, style)
        split = balanced_blocks([r.height for r in panel.rows], cap, blocks)
        if split is None:
            return None
        return Plan(layout, style, panel, panel, [split], blocks, self.scale(layout, size))

    def _largest_map(self, orientation: str, size: tuple[float, float], style: pl.TableStyle, blocks: int, *,
                     beside: bool) -> tuple[float, Plan] | None:
        """The largest map that leaves room for every row, the strip under the map or (``beside``)
        beside it: the map sizes of :func:`map_sizes` from the ideal one down, then bisection
        between the first that fits and the one before (a smaller map has a smaller scale)."""
        aspect = max(size[0], 1.0) / max(size[1], 1.0)
        sizes = map_sizes(orientation, aspect)
        if self._try(orientation, size, style, blocks, sizes[-1], beside=beside) is None:
            return None  # not even the smallest map leaves room (the widest table is the shortest)
        for k, m in enumerate(sizes):
            plan = self._try(orientation, size, style, blocks, m, beside=beside)
            if plan is None:
                continue
            lo, hi = m, sizes[k - 1] if k else m
            for _ in range(4 if orientation == "portrait" else 2):
                if hi - lo < 1.0:
                    break
                mid = (lo + hi) / 2
                trial = self._try(orientation, size, style, blocks, mid, beside=beside)
                if trial is None:
                    hi = mid
                else:
                    lo, plan = mid, trial
            return plan.scale, plan
        return None

    def many_sheets(self, orientation: str, size: tuple[float, float]) -> Plan:
        """The ideal map on the first sheet, the table filling its room, then continuation sheets
        sharing the rest evenly."""
        aspect = max(size[0], 1.0) / max(size[1], 1.0)
        style = pl.TABLE_STYLES[0]
        layout = self._layout(orientation, map_sizes(orientation, aspect)[0], 1)
        assert layout is not None  # a strip under the map always holds the legend
        first = self.panel(layout.table[2], style)
        cap = self._capacity(first, layout.table[3], layout.table[2], 2, style)
        on_first: list[int] = []
        room = cap
        for i, r in enumerate(first.rows):
            if r.height > room + 1e-6:
                break
            on_first.append(i)
            room -= r.height
        cont = layout.continuation_box()
        n_blocks = 2 if orientation == "landscape" else 1
        block = layout.block_boxes(cont, n_blocks)[0]
        nxt = self.panel(block[2], style)
        rest = list(range(len(on_first), len(self.rows)))
        cap2 = self._capacity(nxt, block[3], cont[2], 2, style)
        sub = spread_pages([nxt.rows[i].height for i in rest], cap2, n_blocks)
        pages = [[on_first]] + [[[rest[j] for j in b] for b in page] for page in sub]
        return Plan(layout, style, first, nxt, pages, n_blocks, self.scale(layout, size))

    def plan(self, orientations: Sequence[str], size: tuple[float, float]) -> Plan:
        """The plan of the sheets: one sheet when a layout holds every row (the largest map
        scale), else the fewest sheets (then the largest map scale)."""
        # the shortest the table can be: full portrait width, the smallest type, over two blocks at most
        widest = self.panel(pl.A3_MM[1] - 2 * MARGIN, pl.TABLE_STYLES[-1])
        hopeless = sum(r.height for r in widest.rows) > 2 * (pl.A3_MM[1] - 2 * MARGIN)
        fits = [] if hopeless else [f for o in orientations if (f := self.one_sheet(o, size)) is not None]
        if fits:
            return max(fits, key=lambda f: f[0])[1]
        plans = [self.many_sheets(o, size) for o in orientations]
        return min(plans, key=lambda p: (len(p.pages), -p.scale))


def empty_plan(orientation: str, size: tuple[float, float]) -> Plan:
    """The plan of a territory without any site: the map takes the table's room."""
    aspect = max(size[0], 1.0) / max(size[1], 1.0)
    layout = empty_layout(orientation, aspect)
    panel = TablePanel([], [], [])
    return Plan(layout, pl.TABLE_STYLES[0], panel, panel, [[[]]], 1, Fitter.scale(layout, size))
