"""The strip under the map: region inset, legend, scale bar and north arrow.

The legend lists the kinds of sites printed, the marker conventions, the borders and the analysis
layers drawn, in columns at least 48 mm wide; the strip grows when the legend needs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import geopandas as gpd
import pandas as pd
from matplotlib.patches import Rectangle

from atlas.fr import integer_fr
from atlas.maps.layers import MapLayers
from atlas.maps.pictograms import draw_pictogram, pictogram_label
from atlas.maps.print import typeset as pl
from atlas.maps.print.mapframe import PrintContext
from atlas.maps.print.sheet import INSET_H, STRIP_H, Box, Sheet, SheetLayout, draw_marker, draw_text, points
from atlas.maps.symbols import EDGE_DEP, EDGE_EPCI, MUTED, PARTNER_COLOR, PRINT_BAND_COLORS, ZONES_COLOR
from atlas.print_style import DEP_LW, EPCI_LW, SCALE_PT, draw_north_arrow, draw_scale_bar, nice_length
from atlas.registry.schema import AID_KINDS, KIND_LABELS
from atlas.territory.selection import Territory

LegendItem = tuple[str, Any]


def inset_width(height: float, bounds: Sequence[float]) -> float:
    """Width in mm of the region inset drawn ``height`` mm tall."""
    return height * (bounds[2] - bounds[0]) / (bounds[3] - bounds[1])


# --------------------------------------------------------------------------- legend
def sheet_layers(layers: MapLayers, terr: Territory) -> MapLayers:
    """The analysis layers as one sheet draws them: the territory's own zones blanches and access
    bands, the partnership lines that cross the territory. Empty layers are dropped, so that the
    legend never explains what the sheet does not show."""
    out: dict[str, gpd.GeoDataFrame | None] = {"zones": None, "bands": None, "partnerships": None}
    insee = set(terr.communes["insee"].astype(str))
    zones = layers.zones
    if zones is not None and len(zones):
        col = layers.zones_column or "zone_blanche"
        z = zones[zones[col].astype(bool)] if col in zones.columns else zones
        if "insee" in z.columns:
            z = z[z["insee"].astype(str).isin(insee)]
        if len(z):
            out["zones"] = z
    bands = layers.bands
    if bands is not None and len(bands):
        part = bands[bands["insee"].astype(str).isin(insee)] if "insee" in bands.columns else bands
        if len(part):  # the whole layer: each band keeps its colour from sheet to sheet
            out["bands"] = bands
    lines = layers.partnerships
    if lines is not None and len(lines):
        crossing = lines[lines.intersects(terr.outline)]
        if len(crossing):
            out["partnerships"] = crossing
    return replace(layers, **out)


def legend_items(sites: pd.DataFrame, layers: MapLayers, displaced: bool = True, *,
                 dep_border: bool = True) -> list[LegendItem]:
    """Legend entries: kinds printed, marker conventions, borders, analysis layers — only those
    drawn (``layers`` as drawn on the sheet, :func:`sheet_layers`; ``dep_border``: a département
    border crosses the map)."""
    items: list[LegendItem] = []
    kinds = list(dict.fromkeys(sites["kind"])) if len(sites) else list(AID_KINDS)
    for kind in kinds:
        items.append((KIND_LABELS.get(kind, kind), ("marker", kind)))
    if len(sites) and sites["approximate"].any():
        items.append(("Contour pointillé : lieu repéré à la mairie de sa commune", ("approx", kinds[0])))
    if displaced:
        items.append(("Repères écartés : un trait mène au lieu exact", ("leader", None)))
    items.append(("Limite d'EPCI", ("line", {"color": EDGE_EPCI, "lw": EPCI_LW})))
    if dep_border:
        items.append(("Limite de département", ("line", {"color": EDGE_DEP, "lw": DEP_LW, "ls": (0, (6, 2))})))
    zones = layers.zones
    if zones is not None and len(zones):
        items.append((layers.zones_label or "Zone blanche : commune éloignée de tout lieu", ("zones", {})))
    bands = layers.bands
    if bands is not None and len(bands):
        col = layers.bands_column
        labels = list(dict.fromkeys(bands[col].astype(str))) if col in bands.columns else ["Bande d'accès"]
        for k, lab in enumerate(labels):
            color = PRINT_BAND_COLORS[min(k, len(PRINT_BAND_COLORS) - 1)]
            items.append((f"Lieu le plus proche : {lab}", ("band", {"color": color})))
    lines = layers.partnerships
    if lines is not None and len(lines):
        items.append((layers.partnerships_label or "Partenariat entre acteurs", ("lines", {})))
    return items


def legend_plan(items: list[LegendItem], width: float) -> tuple[float, list[list[str]], list[float],
                                                                list[list[int]], float]:
    """Columns at least 48 mm wide; items flowed to balance their heights.

    Returns column width, wrapped labels, item heights, items per column, height needed.
    """
    lh = 2.9
    n_cols = max(1, int(width // 48.0))
    col_w = width / n_cols
    wrapped = [pl.wrap_text(label, col_w - 9.5, 7.5) for label, _ in items]
    heights = [max(4.8, len(w) * lh + 1.8) for w in wrapped]
    target = sum(heights) / n_cols
    cols: list[list[int]] = [[]]
    used = 0.0
    for i, h in enumerate(heights):
        if cols[-1] and used + h / 2 > target and len(cols) < n_cols:
            cols.append([])
            used = 0.0
        cols[-1].append(i)
        used += h
    needed = max(sum(heights[i] for i in c) for c in cols) + 2.0
    return col_w, wrapped, heights, cols, needed


def _legend_symbol(ax: Any, x: float, y: float, what: str, arg: Any) -> None:
    if what == "marker":
        draw_marker(ax, x, y, arg, "1", d=4.6, approximate=False, zorder=3)
    elif what == "approx":
        draw_marker(ax, x, y, arg, "1", d=4.6, approximate=True, zorder=3)
    elif what == "leader":
        ax.plot([x - 2.5, x + 1.5], [y - 1.5, y + 1.2], color="#333333", lw=0.5)
        ax.scatter([x - 2.5], [y - 1.5], s=points(1.3) ** 2, c="#111111", linewidths=0)
        ax.scatter([x + 1.5], [y + 1.2], s=points(3.0) ** 2, c="#888888", linewidths=0)
    elif what == "line":
        ax.plot([x - 3, x + 3], [y, y], color=arg["color"], lw=arg["lw"], ls=arg.get("ls", "-"))
    elif what == "lines":
        ax.plot([x - 3, x + 3], [y - 1, y + 1], color=PARTNER_COLOR, lw=1.2, alpha=0.75)
    elif what == "zones":
        ax.add_patch(Rectangle((x - 3, y - 1.8), 6, 3.6, facecolor=ZONES_COLOR, alpha=0.18, edgecolor="none"))
        ax.add_patch(Rectangle((x - 3, y - 1.8), 6, 3.6, facecolor="none", edgecolor=ZONES_COLOR, hatch="////",
                               lw=0, alpha=0.55))
    elif what == "band":
        ax.add_patch(Rectangle((x - 3, y - 1.8), 6, 3.6, facecolor=arg["color"], alpha=0.35, edgecolor="none"))
        ax.add_patch(Rectangle((x - 3, y - 1.8), 6, 3.6, facecolor="none", edgecolor="#BBBBBB", lw=0.3))


def draw_legend(ax: Any, items: list[LegendItem], box: Box) -> None:
    """Draw the legend items in columns (7.5 pt) inside ``box`` (mm)."""
    x0, y0, width, height = box
    lh = 2.9
    col_w, wrapped, heights, cols, _ = legend_plan(items, width)
    for c, members in enumerate(cols):
        y = y0 + height - 1.0
        for i in members:
            label_lines = wrapped[i]
            h = heights[i]
            cy = y - h / 2
            x = x0 + c * col_w
            _legend_symbol(ax, x + 3, cy, items[i][1][0], items[i][1][1])
            for j, line in enumerate(label_lines):
                draw_text(ax, x + 7.5, cy + (len(label_lines) - 1) * lh / 2 - j * lh, line, fontsize=7.5,
                          va="center")
            y -= h


def is_side_strip(layout: SheetLayout) -> bool:
    """True when the strip stands beside the map (taller than wide): inset and scale on top, the
    legend under them."""
    return layout.strip[3] > layout.strip[2]


def strip_height(sites: pd.DataFrame, layout: SheetLayout, *, layers: MapLayers, ctx: PrintContext) -> float:
    """Height the strip needs for the legend of these sites and layers (at least 34 mm under the
    map; beside it, the inset's height and the legend's)."""
    iw = inset_width(INSET_H, ctx.inset_deps.total_bounds)
    items = legend_items(sites, layers, True)
    if is_side_strip(layout):
        return INSET_H + 4.0 + legend_plan(items, layout.strip[2])[4]
    width = layout.strip[2] - iw - 6.0 - 40.0
    need = legend_plan(items, width)[4]
    return max(STRIP_H, need)


# --------------------------------------------------------------------------- strip
def _draw_inset(sheet: Sheet, ctx: PrintContext, terr: Territory) -> float:
    """The region inset at the strip's left, the territory in red; returns its width (mm)."""
    sx, sy, sw, sh = sheet.layout.strip
    deps = ctx.inset_deps
    rb = deps.total_bounds
    ih = min(sh - 2, INSET_H)
    iw = inset_width(ih, rb)
    inset = sheet.axes_mm((sx, sy + sh - 1 - ih, iw, ih), zorder=2)
    inset.set_axis_off()
    deps.plot(ax=inset, facecolor="#E4E4E4", edgecolor="white", linewidth=0.5)
    gpd.GeoSeries([terr.outline], crs=deps.crs).simplify(300).plot(
        ax=inset, facecolor="#B91C1C", edgecolor="#B91C1C", linewidth=0.4)
    tb = terr.communes.total_bounds
    if max(tb[2] - tb[0], tb[3] - tb[1]) < 0.06 * (rb[2] - rb[0]):  # too small to see: ring it
        inset.scatter([(tb[0] + tb[2]) / 2], [(tb[1] + tb[3]) / 2], s=points(3.2) ** 2, facecolors="none",
                      edgecolors="#B91C1C", linewidths=1.0, zorder=3)
    inset.set_xlim(rb[0], rb[2])
    inset.set_ylim(rb[1], rb[3])
    inset.set_aspect("equal", adjustable="box")
    return iw


def _draw_scale_and_north(ax: Any, strip: Box, scale: float) -> None:
    """Scale bar (bottom right of the strip) and north arrow above it (:mod:`atlas.print_style`)."""
    sx, sy, sw, sh = strip
    length = nice_length(30.0 * scale)
    bx = sx + sw - 36.0
    by = sy + 7.5
    draw_scale_bar(ax, bx, by, length, text=draw_text, units_per_m=1.0 / scale)
    denom = round(scale * 1000 / 5000) * 5000 or round(scale * 1000)
    draw_text(ax, bx, by - 4.0, f"Échelle 1/{integer_fr(denom)}" + " (sur A3)", fontsize=SCALE_PT,
              va="baseline", color=MUTED)
    draw_north_arrow(ax, bx + 15, sy + sh - 17, text=draw_text)


def draw_strip(sheet: Sheet, terr: Territory, sites: pd.DataFrame, *, ctx: PrintContext, layers: MapLayers,
               map_info: dict) -> None:
    """Draw the strip under the map: inset, legend, scale bar and north arrow.

    ``map_info`` is what :func:`atlas.maps.print.mapframe.draw_map` returned (scale, displaced
    markers, whether a département border was drawn).
    """
    sx, sy, sw, sh = sheet.layout.strip
    iw = _draw_inset(sheet, ctx, terr)
    lx = sx + iw + 6
    # « Limite de département » only when the map frame drew one (on land, in the frame)
    items = legend_items(sites, layers, map_info["displaced"], dep_border=bool(map_info["dep_border"]))
    if is_side_strip(sheet.layout):  # beside the map: inset, scale and north on top, the legend under them
        top = min(sh - 2, INSET_H) + 3.0
        draw_legend(sheet.page, items, (sx, sy, sw, sh - top))
        _draw_scale_and_north(sheet.page, (sx + iw + 4, sy + sh - top, sw - iw - 4, top), map_info["scale"])
        return
    draw_legend(sheet.page, items, (lx, sy, sx + sw - 40.0 - lx, sh))
    _draw_scale_and_north(sheet.page, sheet.layout.strip, map_info["scale"])


# --------------------------------------------------------------------------- pictograms' key
KEY_SIZE = 7.5
KEY_TITLE = "Services :"


def _key_entries(keys: Sequence[str]) -> list[tuple[str, str, float]]:
    """(service, label, width in mm) of each entry of the key: a pictogram, then its name."""
    icon = pl.icon_size_mm(KEY_SIZE)
    return [(k, pictogram_label(k), icon + 1.0 + pl.text_width_mm(pictogram_label(k), KEY_SIZE) + 3.5) for k in keys]


def service_key_lines(keys: Sequence[str], width: float) -> list[list[tuple[str, str, float]]]:
    """The key's entries flowed into lines ``width`` mm wide, each entry with its x offset (mm);
    the first line starts after « Services : »."""
    lines: list[list[tuple[str, str, float]]] = [[]]
    x = pl.text_width_mm(KEY_TITLE, KEY_SIZE, bold=True) + 2.0
    for key, label, w in _key_entries(keys):
        if lines[-1] and x + w - 3.5 > width:
            lines.append([])
            x = 0.0
        lines[-1].append((key, label, x))
        x += w
    return lines if keys else []


def service_key_height(keys: Sequence[str], width: float) -> float:
    """Height (mm) of the pictograms' key for ``keys`` set ``width`` mm wide (0 without keys)."""
    n = len(service_key_lines(keys, width))
    return n * (pl.icon_size_mm(KEY_SIZE) + 0.9) + 1.0 if n else 0.0


def draw_service_key(ax: Any, keys: Sequence[str], x: float, top: float, width: float) -> float:
    """Draw the key of the services' pictograms (« Services : [icône] colis alimentaires … ») from
    ``top`` down, ``width`` mm wide; returns the y (mm) of its bottom."""
    lines = service_key_lines(keys, width)
    if not lines:
        return top
    icon = pl.icon_size_mm(KEY_SIZE)
    step = icon + 0.9
    y = top
    for k, line in enumerate(lines):
        mid = y - step / 2
        if k == 0:
            draw_text(ax, x, mid, KEY_TITLE, fontsize=KEY_SIZE, fontweight="bold", va="center_baseline")
        for key, label, dx in line:
            draw_pictogram(ax, key, x + dx, mid - icon / 2, icon, zorder=3)
            draw_text(ax, x + dx + icon + 1.0, mid, label, fontsize=KEY_SIZE, va="center_baseline")
        y -= step
    return y - 1.0
