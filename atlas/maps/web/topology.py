"""Geometry of the web map: commune borders simplified, quantised and shared as arcs.

Commune polygons are simplified in Lambert-93 (``shapely.coverage_simplify``: shared borders stay
shared), projected to WGS84, quantised to 1e-5 degree (about 1 m) and cut into arcs stored once
for both neighbours (:func:`build_topology`, as TopoJSON does), each arc a delta-encoded flat
integer array.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from atlas.crs import L93, WGS84, to_l93
from atlas.errors import AtlasError

#: Simplification tolerance of commune and EPCI borders (metres, Lambert-93).
SIMPLIFY_TOLERANCE_M = 75.0
#: Quantisation of coordinates in the page: 1e-5 degree (about 1.1 m in latitude).
COORD_SCALE = 100_000


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
    out: list[list[list[tuple[int, int]]]] = []
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


def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The geometries of a layer in WGS84 (French error when the layer has no CRS)."""
    if gdf.crs is None:
        raise AtlasError("Couche sans système de coordonnées : impossible de la placer sur la carte.")
    return gdf.geometry.to_crs(WGS84)
