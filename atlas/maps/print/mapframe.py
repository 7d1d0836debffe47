"""The map of a sheet: communes, analysis layers, borders, numbered markers and commune names.

The territory is framed in its box of the sheet at the largest scale that fits, with the
neighbouring communes drawn pale around it. Markers that would overlap are spread apart, a thin
leader line leading back to the exact place; commune names are placed where they cover no marker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.patches import Rectangle
from scipy.spatial import cKDTree

from atlas import placement
from atlas.errors import TooManySitesError
from atlas.fr import integer_fr
from atlas.maps.layers import MapLayers
from atlas.maps.print.sheet import Sheet, draw_marker, draw_text, points
from atlas.maps.print.sites import fold
from atlas.maps.symbols import (
    ALERT,
    EDGE_COMMUNE,
    EDGE_DEP,
    EDGE_EPCI,
    EDGE_OUT,
    FILL_IN,
    FILL_OUT,
    PARTNER_COLOR,
    PRINT_BAND_COLORS,
    ZONES_COLOR,
)
from atlas.print_style import DEP_LW, EPCI_LW
from atlas.territory.reference import departement_polygons, epci_polygons, neighbouring_land
from atlas.territory.selection import Territory

NO_SITE = "Aucun site d'aide alimentaire recensé sur ce territoire"
#: The sea's colour on paper (a pale blue, distinct from the land around the territory).
SEA = "#D3E4F0"
#: Water smaller than this (m²) is a gap between commune polygons, not sea.
SEA_MIN_M2 = 2e6


@dataclass
class PrintContext:
    """Region-wide layers computed once for many sheets (atlas mode)."""

    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    deps: gpd.GeoDataFrame
    inset_deps: gpd.GeoDataFrame
    tree: shapely.STRtree = field(repr=False)
    land: np.ndarray | None = field(default=None, repr=False)
    land_tree: shapely.STRtree | None = field(default=None, repr=False)
    foreign_x: float = np.inf

    @classmethod
    def build(cls, communes: gpd.GeoDataFrame) -> PrintContext:
        """Dissolve EPCI and départements once, simplify the inset, index the communes and the
        land around the region (to draw the sea)."""
        communes = communes.reset_index(drop=True)
        epci = epci_polygons(communes)
        deps = departement_polygons(communes)
        inset = deps[["dep", "geometry"]].copy()
        inset["geometry"] = inset.geometry.simplify(600)
        land = neighbouring_land().to_numpy()
        # Belgium: east of the northernmost point of French land (the border on the North Sea)
        north = communes.geometry.bounds["maxy"].idxmax()
        ring = shapely.get_coordinates(communes.geometry.iloc[north])
        foreign_x = float(ring[np.argmax(ring[:, 1]), 0]) if len(communes) else np.inf
        return cls(communes, epci, deps, inset, shapely.STRtree(communes.geometry.values), land,
                   shapely.STRtree(land), foreign_x)

    def sea(self, view: shapely.Geometry) -> shapely.Geometry:
        """The sea in ``view``: what no French commune covers, open to the frame's edge, west of
        Belgium (no outside data: the land is the communes of the region and of the départements
        around it, :func:`atlas.territory.reference.neighbouring_land`)."""
        parts = [self.communes.geometry.values[self.tree.query(view, predicate="intersects")]]
        if self.land_tree is not None:
            parts.append(self.land[self.land_tree.query(view, predicate="intersects")])
        land = shapely.union_all(np.concatenate(parts))
        x0, y0, x1, y1 = view.bounds
        water = view.difference(land).difference(shapely.box(self.foreign_x, y0 - 1, x1 + 1, y1 + 1))
        edge = view.boundary
        keep = [p for p in shapely.get_parts(water)
                if p.area > SEA_MIN_M2 and p.intersects(edge)]  # slivers between communes are no sea
        return shapely.union_all(keep) if keep else shapely.Polygon()


@dataclass
class MapFrame:
    """The map's axes and its extent: Lambert-93 metres from ``(x0, y0)`` to ``(x1, y1)``,
    ``scale`` metres per millimetre of the sheet, ``size_mm`` the map box's width and height."""

    ax: Any
    x0: float
    y0: float
    x1: float
    y1: float
    scale: float
    size_mm: tuple[float, float]

    @property
    def view(self) -> shapely.Geometry:
        """The extent as a rectangle (Lambert-93)."""
        return shapely.box(self.x0, self.y0, self.x1, self.y1)

    def to_mm(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Lambert-93 coordinates as millimetres from the map box's corner (n × 2)."""
        return np.column_stack([(np.asarray(x) - self.x0) / self.scale, (np.asarray(y) - self.y0) / self.scale])

    def to_data(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Millimetres of the map box (n × 2) as Lambert-93 x and y."""
        return self.x0 + p[:, 0] * self.scale, self.y0 + p[:, 1] * self.scale


def _frame(sheet: Sheet, terr: Territory) -> MapFrame:
    """The map's axes, framing the territory (with a small margin) at the largest scale that fits."""
    mx, my, mw, mh = sheet.layout.map
    ax = sheet.axes_mm(sheet.layout.map, zorder=1)
    ax.set_axis_off()
    b = terr.communes.total_bounds
    pad = 0.04 * max(b[2] - b[0], b[3] - b[1]) + 500
    bw, bh = b[2] - b[0] + 2 * pad, b[3] - b[1] + 2 * pad
    scale = max(bw / mw, bh / mh)  # metres per mm
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    x0, y0 = cx - scale * mw / 2, cy - scale * mh / 2
    x1, y1 = x0 + scale * mw, y0 + scale * mh
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    return MapFrame(ax, x0, y0, x1, y1, scale, (mw, mh))


def _draw_zones(frame: MapFrame, layers: MapLayers, insee: set[str]) -> None:
    """Zones blanches of the territory, shaded and hatched."""
    zones = layers.zones
    if zones is None or not len(zones):
        return
    col = layers.zones_column or "zone_blanche"
    z = zones[zones[col].astype(bool)] if col in zones.columns else zones
    if "insee" in z.columns:  # only the territory's own zones blanches
        z = z[z["insee"].astype(str).isin(insee)]
    z = z[z.intersects(frame.view)]
    if len(z):
        z.plot(ax=frame.ax, facecolor=ZONES_COLOR, alpha=0.18, edgecolor="none", zorder=2.5)
        z.plot(ax=frame.ax, facecolor="none", edgecolor=ZONES_COLOR, hatch="////", linewidth=0, alpha=0.55,
               zorder=2.6)


def _draw_bands(frame: MapFrame, layers: MapLayers, insee: set[str]) -> None:
    """Access bands of the territory, one colour per band in the order they come."""
    bands = layers.bands
    if bands is None or not len(bands):
        return
    col = layers.bands_column
    labels = list(dict.fromkeys(bands[col].astype(str))) if col in bands.columns else ["Bande d'accès"]
    for k, lab in enumerate(labels):
        part = bands[bands[col].astype(str) == lab] if col in bands.columns else bands
        if "insee" in part.columns:
            part = part[part["insee"].astype(str).isin(insee)]
        part = part[part.intersects(frame.view)]
        color = PRINT_BAND_COLORS[min(k, len(PRINT_BAND_COLORS) - 1)]
        if len(part):
            part.plot(ax=frame.ax, facecolor=color, alpha=0.35, edgecolor="none", zorder=2.4)


def _draw_partnerships(frame: MapFrame, layers: MapLayers) -> None:
    """Partnership lines, thicker for heavier links (``weight``)."""
    lines = layers.partnerships
    if lines is None or not len(lines):
        return
    lin = lines[lines.intersects(frame.view)]
    if len(lin):
        lw = 0.9
        if "weight" in lin.columns:
            wgt = pd.to_numeric(lin["weight"], errors="coerce").fillna(1.0).to_numpy()
            lw = 0.6 + 1.8 * np.sqrt(wgt / max(wgt.max(), 1e-9))
        lin.plot(ax=frame.ax, color=PARTNER_COLOR, linewidth=lw, alpha=0.75, zorder=4)


def _site_communes(communes: gpd.GeoDataFrame, sites: pd.DataFrame) -> np.ndarray:
    """The INSEE code of each site's commune: the commune containing its point, else the commune
    of its name (a site without coordinates), else ``""``."""
    if not len(sites):
        return np.zeros(0, dtype=object)
    by_name = dict(zip(communes["name"].map(fold), communes["insee"].astype(str), strict=False))
    out = np.array([by_name.get(fold(str(c)), "") for c in sites["commune"]], dtype=object)
    loc = sites["located"].astype(bool).to_numpy()
    if loc.any():
        pts = shapely.points(sites["x"].to_numpy(float)[loc], sites["y"].to_numpy(float)[loc])
        src, hit = shapely.STRtree(communes.geometry.values).query(pts, predicate="within")
        codes = out[loc]
        codes[src] = communes["insee"].astype(str).to_numpy()[hit]
        out[loc] = codes
    return out


#: Centre spacing of markers packed edge to edge, in diameters (:func:`atlas.placement.spread_markers`).
PACKED = 1.04
#: Largest map box of an A3 sheet (mm²): the whole sheet under the header, above the strip.
A3_MAP_MM2 = 400.0 * 240.0


def marker_capacity(area_mm2: float, marker_d: float) -> int:
    """How many markers of ``marker_d`` mm a map box of ``area_mm2`` holds at most (hexagonal packing)."""
    return int(area_mm2 / (0.866 * (PACKED * marker_d) ** 2))


def too_many_sites(terr: Territory, n: int, capacity: int) -> TooManySitesError:
    """The French message when a sheet cannot show the sites: say so and suggest the atlas by commune."""
    epci = set(terr.communes["epci"].astype(str)) if "epci" in terr.communes.columns else set()
    deps = set(terr.communes["dep"].astype(str)) if "dep" in terr.communes.columns else set()
    where = f" --epci {epci.pop()}" if len(epci) == 1 else f" --dep {deps.pop()}" if len(deps) == 1 else ""
    return TooManySitesError(
        f"Trop de lieux pour une carte A3 lisible : {integer_fr(n)} lieux sur {terr.name}, alors qu'une feuille "
        f"en montre au plus {integer_fr(capacity)} sans que leurs repères se recouvrent ; imprimez plutôt une "
        f"feuille par commune : « atlas print --atlas commune{where} ».")


def check_capacity(terr: Territory, sites: pd.DataFrame, marker_d: float, area_mm2: float = A3_MAP_MM2) -> None:
    """Refuse early, before any layout, a territory whose located sites cannot fit on one map.

    Raises
    ------
    TooManySitesError
        More located sites than :func:`marker_capacity` of the largest map box of an A3 sheet.
    """
    n = int(sites["located"].astype(bool).sum()) if len(sites) else 0
    cap = marker_capacity(area_mm2, marker_d)
    if n > cap:
        raise too_many_sites(terr, n, cap)


@dataclass
class Markers:
    """The markers drawn: the boxes labels must avoid (mm), the commune of each marker and whether
    a marker was moved off its place."""

    boxes: list[tuple[float, float, float, float]]
    insee: list[str]
    displaced: bool


def _draw_markers(frame: MapFrame, terr: Territory, sites: pd.DataFrame, marker_d: float,
                  communes: np.ndarray) -> Markers:
    """Numbered markers of the located sites, spread apart where they would overlap.

    ``communes`` gives the INSEE code of each site (:func:`_site_communes`).

    Raises
    ------
    TooManySitesError
        When markers still overlap once spread: the map cannot show every site apart.
    """
    loc_mask = sites["located"].astype(bool).to_numpy() if len(sites) else np.zeros(0, dtype=bool)
    loc = sites[loc_mask]
    if not len(loc):
        return Markers([], [], False)
    ax = frame.ax
    true_mm = frame.to_mm(loc["x"].to_numpy(float), loc["y"].to_numpy(float))
    pos, displaced = placement.spread_markers(true_mm, marker_d, bounds=(0, 0, *frame.size_mm))
    if len(pos) > 1 and len(cKDTree(pos).query_pairs(0.98 * marker_d)):  # the map cannot show them all apart
        raise too_many_sites(terr, len(pos), min(len(pos) - 1, marker_capacity(frame.size_mm[0] * frame.size_mm[1],
                                                                               marker_d)))
    px, py = frame.to_data(pos)
    tx, ty = frame.to_data(true_mm)
    for i in np.flatnonzero(displaced):
        ax.plot([tx[i], px[i]], [ty[i], py[i]], color="#333333", lw=0.5, zorder=8, solid_capstyle="round")
    if displaced.any():
        ax.scatter(tx[displaced], ty[displaced], s=points(1.3) ** 2, c="#111111", zorder=8.5, linewidths=0)
    for (_, s), x, y in zip(loc.iterrows(), px, py, strict=True):
        draw_marker(ax, x, y, s["kind"], s["number"], d=marker_d, approximate=bool(s["approximate"]))
    r = marker_d / 2 + 0.4
    codes = [str(c) for c in communes[loc_mask]]
    boxes = [(p[0] - r, p[1] - r, p[0] + r, p[1] + r) for p in pos]
    boxes += [(p[0] - 0.8, p[1] - 0.8, p[0] + 0.8, p[1] + 0.8) for p in true_mm]
    return Markers(boxes, codes + codes, bool(displaced.any()))


#: Type sizes (points) of commune names: at least 7.5 pt, so never under 7 pt however measured.
LABEL_MIN_PT = 7.5
#: Directions tried around a commune's town hall, every 22.5° from the right.
LABEL_DIRECTIONS = placement.compass(range(0, 360, 45)) + placement.compass(range(22, 360, 45))


def _label_style(pop: int, has_site: bool) -> tuple[float, bool]:
    if pop >= 10_000:
        return 9.0, True
    if pop >= 3_000 or has_site:
        return 8.0, False
    return LABEL_MIN_PT, False


def _commune_labels(frame: MapFrame, communes: gpd.GeoDataFrame, markers: Markers, marker_d: float,
                    with_site: set[str]) -> list[dict]:
    """Names of the communes: every commune with a site first, then the most populous others.

    A name is set inside its commune, near its town hall, where it covers no marker and no other
    name (:func:`atlas.placement.label_spots`, greedy, most important first). A commune with a
    site that has no room inside its borders gets its name just beside them; failing that, further
    away with a thin leader line to its town hall. Other names are dropped when they find no room.
    Returns the names set: ``name``, ``insee``, ``size``, ``box`` (mm of the map box), ``leader``.
    """
    com = communes.reset_index(drop=True)
    th = shapely.points(com["townhall_x"].fillna(0).to_numpy(), com["townhall_y"].fillna(0).to_numpy())
    inside = shapely.contains(com.geometry.values, th)
    rep = np.where(inside, th, com.geometry.representative_point().values)
    pts = frame.to_mm(shapely.get_x(rep), shapely.get_y(rep))
    polys = shapely.transform(com.geometry.values, lambda c: (c - [frame.x0, frame.y0]) / frame.scale)
    codes = com["insee"].astype(str).to_numpy()
    pop = com["population"].fillna(0).astype(int).to_numpy()
    site = np.isin(codes, list(with_site))
    width, height = frame.size_mm
    limit = int(width * height / 900)  # the other communes: at most ~1 name per 900 mm² of map
    order_site = [int(i) for i in np.argsort(-pop, kind="stable") if site[i]]
    order_rest = [int(i) for i in np.argsort(-pop, kind="stable") if not site[i]]
    order_rest = order_rest[: max(limit - len(order_site), 0)]
    order_rest = [i for k, i in enumerate(order_rest) if pop[i] >= 400 or k < 12]
    bounds = (1.0, 1.0, width - 1.0, height - 1.0)
    index = placement.BoxIndex()
    for box in markers.boxes:
        index.add(box)
    near = marker_d / 2 + 0.5

    def labels(rows: list[int], small: bool = False) -> list[placement.Label]:
        return [placement.Label(pts[i, 0], pts[i, 1], str(com["name"].iloc[i]),
                                *((LABEL_MIN_PT, False) if small else _label_style(pop[i], site[i]))) for i in rows]

    def within(rows: list[int], grow: float) -> Any:
        zones = [polys[i].buffer(grow) if grow else polys[i] for i in rows]

        def accept(k: int, boxes: np.ndarray) -> np.ndarray:
            return shapely.contains_xy(zones[k], (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2)
        return accept

    placed: list[dict] = []
    todo = order_site
    near_steps = (0.0, 1.0, 2.0, 3.5, 5.0, 6.5, 8.0, 10.0, 12.0)
    # a commune with a site always gets its name: inside it, then at most 3 mm out of it, then
    # smaller, then anywhere near with a leader line to its town hall
    passes = [(0.0, near_steps, False), (3.0, near_steps, False), (3.0, near_steps, True),
              (None, (*near_steps, 15.0, 20.0, 25.0, 30.0, 40.0), True)]
    for grow, steps, small in passes:
        if not todo:
            break
        labs = labels(todo, small)
        spots = placement.label_spots(labs, index, bounds, clearance=near, directions=LABEL_DIRECTIONS,
                                      steps=steps, accept=None if grow is None else within(todo, grow))
        left = []
        for i, lab, spot in zip(todo, labs, spots, strict=True):
            if spot is None:
                left.append(i)
                continue
            far = grow is None and not shapely.contains_xy(polys[i].buffer(3.0), spot.x, spot.y)
            placed.append(_placed(codes[i], lab, spot, leader=bool(far)))
        todo = left
    labs = labels(order_rest)
    spots = placement.label_spots(labs, index, bounds, clearance=near, steps=(0.0, 1.5),
                                  accept=within(order_rest, 0.0))
    placed += [_placed(codes[i], lab, spot, leader=False)
               for i, lab, spot in zip(order_rest, labs, spots, strict=True) if spot]
    halo = [patheffects.Stroke(linewidth=2.2, foreground="white")]
    for lab in placed:
        x, y = lab["x"], lab["y"]
        if lab["leader"]:
            ax_, ay_ = lab["anchor"]
            bx = min(max(ax_, lab["box"][0]), lab["box"][2])
            by = min(max(ay_, lab["box"][1]), lab["box"][3])
            frame.ax.plot([frame.x0 + bx * frame.scale, frame.x0 + ax_ * frame.scale],
                          [frame.y0 + by * frame.scale, frame.y0 + ay_ * frame.scale],
                          color="#3A3A3A", lw=0.4, zorder=5.9)
        style = {"fontsize": lab["size"], "fontweight": "bold" if lab["bold"] else "normal", "ha": "center",
                 "va": "center"}
        xd, yd = frame.x0 + x * frame.scale, frame.y0 + y * frame.scale
        # the white halo alone (drawn as outlines), then the name as real text: searchable in the PDF
        draw_text(frame.ax, xd, yd, lab["name"], color="white", zorder=5.95, path_effects=halo, **style)
        draw_text(frame.ax, xd, yd, lab["name"], color="#3A3A3A", zorder=6, **style)
    return placed


def _placed(insee: str, lab: placement.Label, spot: placement.Spot, *, leader: bool) -> dict:
    return {"name": lab.text, "insee": insee, "size": lab.size, "bold": lab.bold, "x": spot.x, "y": spot.y,
            "box": spot.box, "anchor": (lab.x, lab.y), "leader": leader}


def draw_map(sheet: Sheet, ctx: PrintContext, terr: Territory, sites: pd.DataFrame, *, layers: MapLayers,
             marker_d: float) -> dict:
    """Draw the map box of a sheet.

    Parameters
    ----------
    sheet : Sheet
        The sheet (its layout's ``map`` box is drawn).
    ctx : PrintContext
        Region layers: communes around the territory, EPCI and département borders.
    terr : Territory
        The territory framed.
    sites : pandas.DataFrame
        Sites of :func:`atlas.maps.print.sites.print_sites` (the located ones get a marker).
    layers : MapLayers
        Analysis layers (:class:`atlas.maps.layers.MapLayers`).
    marker_d : float
        Marker diameter (mm).

    Returns
    -------
    dict
        ``scale`` (metres per mm of the sheet), ``displaced`` (a marker was moved off its place),
        ``labels`` (commune names set, :func:`_commune_labels`), ``markers`` (``(insee, box)`` of
        each marker and of each true point, mm of the map box), ``size_mm`` (the map box) and
        ``origin`` (Lambert-93 of its lower left corner), ``borders`` (the EPCI and département
        border lines drawn, Lambert-93) and ``dep_border`` (a département border is drawn: on land,
        in the frame — what the legend should go by).
    """
    frame = _frame(sheet, terr)
    ax, view = frame.ax, frame.view
    hits = ctx.tree.query(view, predicate="intersects")
    near = ctx.communes.iloc[np.sort(hits)]
    insee = set(terr.communes["insee"])
    inside = near["insee"].isin(insee).to_numpy()
    if (~inside).any():
        near[~inside].plot(ax=ax, facecolor=FILL_OUT, edgecolor=EDGE_OUT, linewidth=0.3, zorder=1)
    near[inside].plot(ax=ax, facecolor=FILL_IN, edgecolor=EDGE_COMMUNE, linewidth=0.35, zorder=2)
    _draw_zones(frame, layers, insee)
    _draw_bands(frame, layers, insee)
    sea = ctx.sea(view)
    if not sea.is_empty:
        gpd.GeoSeries([sea], crs=ctx.communes.crs).plot(ax=ax, facecolor=SEA, edgecolor="none", zorder=0.9)
    # borders, on land only (the coast is no EPCI or département border)
    coast = sea.buffer(40) if not sea.is_empty else None
    borders, drawn = [], {}
    for key, polys, style in (
            ("epci", ctx.epci, {"color": EDGE_EPCI, "linewidth": EPCI_LW, "zorder": 3}),
            ("dep", ctx.deps, {"color": EDGE_DEP, "linewidth": DEP_LW, "linestyle": (0, (6, 2)), "zorder": 3.1})):
        lines = polys[polys.intersects(view)].boundary
        if coast is not None:
            lines = lines.difference(coast)
        lines = lines[~lines.is_empty & lines.intersects(view)]
        drawn[key] = bool(len(lines))
        if len(lines):
            lines.plot(ax=ax, **style)
            borders += list(lines.values)
    gpd.GeoSeries([terr.outline], crs=terr.communes.crs).boundary.plot(ax=ax, color="#111111", linewidth=1.6, zorder=3.2)
    _draw_partnerships(frame, layers)
    site_communes = _site_communes(terr.communes, sites)
    markers = _draw_markers(frame, terr, sites, marker_d, site_communes)
    labels = _commune_labels(frame, terr.communes, markers, marker_d, {c for c in site_communes if c})
    if len(sites) == 0:
        draw_text(ax, (frame.x0 + frame.x1) / 2, frame.y1 - 0.06 * (frame.y1 - frame.y0), NO_SITE, fontsize=13,
                  fontweight="bold", ha="center", va="top", color=ALERT, zorder=20,
                  bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": ALERT, "lw": 1.0})
    ax.set_xlim(frame.x0, frame.x1)  # geopandas autoscales to what it plots: frame the territory again
    ax.set_ylim(frame.y0, frame.y1)
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, edgecolor="#2F2F2F", lw=0.8,
                           zorder=30, clip_on=False))
    return {"scale": frame.scale, "displaced": markers.displaced, "labels": labels,
            "markers": list(zip(markers.insee, markers.boxes, strict=True)), "size_mm": frame.size_mm,
            "origin": (frame.x0, frame.y0), "borders": borders, "dep_border": drawn.get("dep", False)}
