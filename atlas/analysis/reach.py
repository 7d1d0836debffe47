"""Reach: which candidate places reach which demand points, what each point weighs, and the value files.

The coverage of a site is a sparse candidates × origins matrix: straight line
(:func:`coverage_matrix`, from :func:`line_pairs`) or along roads (:func:`network_coverage_matrix`,
from :func:`network_pairs`, in minutes or metres). :func:`demand_weights` gives each origin its
demand (the population, a column, or one weight per commune shared among its points);
:func:`grid_candidates` puts candidate places on a regular grid; :func:`read_values` reads a table
of one number per code (weights per commune, capacities per site). Used by
:mod:`atlas.analysis.siting`, :mod:`atlas.analysis.rounds` and :mod:`atlas.analysis.capacity`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from atlas.crs import L93, points_xy, to_l93
from atlas.errors import AccessError

__all__ = [
    "as_frame",
    "coverage_matrix",
    "covered_by",
    "demand_weights",
    "grid_candidates",
    "line_pairs",
    "network_coverage_matrix",
    "network_pairs",
    "read_values",
]


# --------------------------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------------------------


def as_frame(points: object) -> gpd.GeoDataFrame:
    """The GeoDataFrame of ``points``: itself, or the ``frame`` of an object holding one (selected sites)."""
    frame = getattr(points, "frame", points)
    if not isinstance(frame, gpd.GeoDataFrame):
        raise AccessError("des points (GeoDataFrame) sont attendus")
    return frame


def line_pairs(candidate_xy: np.ndarray, origin_xy: np.ndarray, limit_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (candidate, origin) pair at most ``limit_m`` apart in a straight line, with its distance.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Candidate indices, origin indices and distances in metres (NaN rows pair with nothing;
        pairs at distance 0 are kept).
    """
    ok_o = np.flatnonzero(np.isfinite(origin_xy).all(axis=1))
    ok_c = np.flatnonzero(np.isfinite(candidate_xy).all(axis=1))
    if len(ok_o) == 0 or len(ok_c) == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0)
    tree_o = cKDTree(origin_xy[ok_o])
    tree_c = cKDTree(candidate_xy[ok_c])
    pairs = tree_c.sparse_distance_matrix(tree_o, limit_m, output_type="ndarray")
    return ok_c[pairs["i"]], ok_o[pairs["j"]], pairs["v"].astype(float)


def network_pairs(network: object, candidate_xy: np.ndarray, origin_xy: np.ndarray, limit: float, *,
                  weight: str = "time_min", max_snap_m: float = 2000.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (candidate, origin) pair whose trip from the origin to the candidate along roads is at most ``limit``.

    Parameters
    ----------
    network : atlas.analysis.roads.RoadNetwork
        Road network (:func:`atlas.analysis.roads.load_network`).
    candidate_xy, origin_xy : numpy.ndarray
        ``(n, 2)`` Lambert-93 coordinates.
    limit : float
        Minutes (``weight="time_min"``) or metres (``weight="length"``).
    weight : {"time_min", "length"}
        Edge weight.
    max_snap_m : float, default 2000
        Points farther than this from the network pair with nothing.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Candidate indices, origin indices and trip costs. Each point is attached to its nearest
        node of the main component and the straight connector is added (at
        :data:`atlas.analysis.roads.CONNECTOR_SPEED_KMH` for times), as
        :func:`atlas.analysis.roads.network_nearest` does; one Dijkstra bounded by ``limit`` runs
        from every distinct candidate node on the reversed graph (origin → candidate trips).
    """
    from scipy.sparse import csgraph

    from atlas.analysis import roads

    net = network.prepare()  # type: ignore[attr-defined]
    c_node, c_conn = net.snap(np.asarray(candidate_xy, dtype=float))
    o_node, o_conn = net.snap(np.asarray(origin_xy, dtype=float))
    speed = roads.CONNECTOR_SPEED_KMH.get(net.mode, roads.WALK_SPEED_KMH)
    scale = speed * 1000 / 60 if weight == "time_min" else 1.0  # metres per minute
    c_cost, o_cost = c_conn / scale, o_conn / scale
    c_ok = np.isfinite(c_conn) & (c_conn <= max_snap_m) & (c_node >= 0)
    o_ok = np.isfinite(o_conn) & (o_conn <= max_snap_m) & (o_node >= 0)
    graph = net.matrix("time" if weight == "time_min" else "length", reverse=True)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    costs: list[np.ndarray] = []
    nodes = np.unique(c_node[c_ok])
    if len(nodes):
        dist = csgraph.dijkstra(graph, directed=True, indices=nodes, limit=float(limit))
        where = {int(n): r for r, n in enumerate(nodes)}
        o_idx = np.flatnonzero(o_ok)
        for i in np.flatnonzero(c_ok):
            d = dist[where[int(c_node[i])], o_node[o_idx]] + o_cost[o_idx] + c_cost[i]
            hit = d <= limit
            rows.append(np.full(int(hit.sum()), i))
            cols.append(o_idx[hit])
            costs.append(d[hit])
    if not rows:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(costs)


def _matrix(pairs: tuple[np.ndarray, np.ndarray, np.ndarray], shape: tuple[int, int]) -> sparse.csr_matrix:
    rows, cols, _ = pairs
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)


def coverage_matrix(candidate_xy: np.ndarray, origin_xy: np.ndarray, radius_m: float) -> sparse.csr_matrix:
    """Sparse boolean matrix: candidate *i* covers origin *j* (straight line ≤ ``radius_m``).

    Parameters
    ----------
    candidate_xy, origin_xy : numpy.ndarray
        ``(n, 2)`` Lambert-93 coordinates (NaN rows cover / are covered by nothing).
    radius_m : float
        Coverage radius in metres (a point exactly at the radius is covered).

    Returns
    -------
    scipy.sparse.csr_matrix
        Shape ``(n_candidates, n_origins)``, ``float64`` ones.
    """
    return _matrix(line_pairs(candidate_xy, origin_xy, radius_m), (len(candidate_xy), len(origin_xy)))


def network_coverage_matrix(network: object, candidate_xy: np.ndarray, origin_xy: np.ndarray, limit: float, *,
                            weight: str = "time_min", max_snap_m: float = 2000.0) -> sparse.csr_matrix:
    """Candidate *i* covers origin *j* when the trip along roads is at most ``limit`` (:func:`network_pairs`)."""
    pairs = network_pairs(network, candidate_xy, origin_xy, limit, weight=weight, max_snap_m=max_snap_m)
    return _matrix(pairs, (len(candidate_xy), len(origin_xy)))


def covered_by(sites: gpd.GeoDataFrame | None, origin_xy: np.ndarray, cover: object) -> np.ndarray:
    """Origins reached by any of ``sites`` (``cover(site_xy, origin_xy)`` gives the matrix)."""
    if sites is None:
        return np.zeros(len(origin_xy), dtype=bool)
    sites = as_frame(sites)
    if len(sites) == 0:
        return np.zeros(len(origin_xy), dtype=bool)
    sxy = points_xy(sites)
    sxy = sxy[np.isfinite(sxy).all(axis=1)]
    if len(sxy) == 0:
        return np.zeros(len(origin_xy), dtype=bool)
    m = cover(sxy, origin_xy)  # type: ignore[operator]
    return np.asarray(m.sum(axis=0)).ravel() > 0


# --------------------------------------------------------------------------------------------
# Demand
# --------------------------------------------------------------------------------------------


def demand_weights(origins: pd.DataFrame, weights: str | pd.Series | None = None) -> tuple[np.ndarray, int]:
    """The demand of every origin point, and how many points had no weight (counted as 0).

    Parameters
    ----------
    origins : DataFrame
        Origin points with ``population`` (and ``insee`` for per-commune weights).
    weights : str or pandas.Series, optional
        None: the population. A column name of ``origins`` (numeric). A Series indexed by INSEE
        code (one value per commune, e.g. poor households): with one point per commune the
        point takes it; with several points per commune (a grid) it is shared among them in
        proportion to their population.

    Returns
    -------
    (numpy.ndarray, int)
        Weights (float, ≥ 0) and the number of points whose commune or cell had no weight.

    Raises
    ------
    AccessError
        Unknown column, non-numeric, negative or infinite weights, per-commune weights without
        an ``insee`` column in the origins.
    """
    pop = pd.to_numeric(origins["population"], errors="coerce").fillna(0).to_numpy(dtype=float)
    if weights is None:
        return pop, 0
    if isinstance(weights, str):
        if weights not in origins.columns:
            raise AccessError(f"colonne de poids « {weights} » absente des points d'origine "
                              f"(colonnes : {', '.join(map(str, origins.columns))})")
        raw = pd.to_numeric(origins[weights], errors="coerce")
        bad = raw.notna() & ~np.isfinite(raw.astype(float))
        text = origins[weights].notna() & raw.isna()
        if (bad | text).any():
            rows = ", ".join(str(i + 1) for i in np.flatnonzero((bad | text).to_numpy())[:5])
            raise AccessError(f"poids « {weights} » non numérique ou infini (point(s) n° {rows})")
        values = raw.to_numpy(dtype=float)
    else:
        if "insee" not in origins.columns:
            raise AccessError("des poids par commune demandent une colonne « insee » dans les points d'origine")
        series = pd.to_numeric(pd.Series(weights), errors="coerce")
        series.index = series.index.astype(str)
        codes = origins["insee"].astype(str)
        per = codes.map(series).to_numpy(dtype=float)
        share = pd.Series(pop, index=origins.index).groupby(codes.to_numpy()).transform("sum").to_numpy()
        count = codes.map(codes.value_counts()).to_numpy(dtype=float)
        frac = np.where(share > 0, pop / np.where(share > 0, share, 1), 1 / count)
        values = per * frac
    missing = int(np.isnan(values).sum())
    values = np.nan_to_num(values, nan=0.0)
    if (values < 0).any() or not np.isfinite(values).all():
        rows = ", ".join(str(i + 1) for i in np.flatnonzero((values < 0) | ~np.isfinite(values))[:5])
        raise AccessError(f"poids négatif ou infini (point(s) n° {rows})")
    return values, missing


# --------------------------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------------------------


def grid_candidates(territory: gpd.GeoDataFrame, *, spacing_km: float = 2.0) -> gpd.GeoDataFrame:
    """Candidate places on a regular grid over the territory (one point per cell inside it).

    Parameters
    ----------
    territory : GeoDataFrame
        Communes (polygons, with ``insee`` and ``name``).
    spacing_km : float, default 2
        Grid spacing (Lambert-93, origin at multiples of the spacing).

    Returns
    -------
    GeoDataFrame
        Points inside the communes with ``id`` (« grille-X-Y »: the point's Lambert-93 coordinates in
        kilometres), ``insee`` and ``name`` of the commune they fall in.
    """
    if not (isinstance(spacing_km, (int, float)) and math.isfinite(spacing_km) and 0.05 <= spacing_km <= 100):
        raise AccessError(f"pas de grille invalide : « {spacing_km} » km (entre 0,05 et 100 km)")
    t = to_l93(territory)
    x0, y0, x1, y1 = t.total_bounds
    step = spacing_km * 1000.0
    xs = np.arange(math.floor(x0 / step) * step + step / 2, x1, step)
    ys = np.arange(math.floor(y0 / step) * step + step / 2, y1, step)
    gx, gy = np.meshgrid(xs, ys)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(gx.ravel(), gy.ravel()), crs=L93)
    hit = gpd.sjoin(pts, t[["insee", "name", t.geometry.name]], how="inner", predicate="within")
    hit = hit[~hit.index.duplicated()].sort_index()
    xy = points_xy(hit)
    ids = [f"grille-{x / 1000:g}-{y / 1000:g}" for x, y in xy]
    out = gpd.GeoDataFrame({"id": ids, "insee": hit["insee"].astype(str).to_numpy(),
                            "name": hit["name"].astype(str).to_numpy()},
                           geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=L93)
    if len(out) == 0:
        raise AccessError("aucun point de la grille dans le territoire (pas trop grand ?)")
    return out


# --------------------------------------------------------------------------------------------
# Value files (weights per commune, capacities per site)
# --------------------------------------------------------------------------------------------


def read_values(path: str | Path, *, keys: Sequence[str], value: str | None = None, what: str = "poids") -> pd.Series:
    """A table of one number per code (commune weights, site capacities) from a CSV file.

    Parameters
    ----------
    path : path
        CSV (``;`` or ``,`` separated, decimal comma accepted), UTF-8 or Latin-1.
    keys : sequence of str
        Accepted names of the code column, the first one present is used (``insee``, ``codgeo``…).
    value : str, optional
        Column of the numbers; default the only other column.
    what : str
        What the numbers are, in French, for messages.

    Returns
    -------
    pandas.Series
        Numbers (float) indexed by code (str), named after the value column.

    Raises
    ------
    AccessError
        Missing file or column, a code given twice, or a cell that is not a number ≥ 0 — with the
        lines (numbered as in a spreadsheet, header = 1).
    """
    p = Path(path)
    if not p.is_file():
        raise AccessError(f"fichier de {what} introuvable : « {p} »")
    frame = None
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            frame = pd.read_csv(p, sep=None, engine="python", dtype=str, encoding=encoding, keep_default_na=False)
            break
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, _csv_error()) as exc:
            raise AccessError(f"impossible de lire le fichier de {what} « {p.name} » : {exc}") from exc
    if frame is None:
        raise AccessError(f"impossible de lire le fichier de {what} « {p.name} » (encodage)")
    lower = {str(c).strip().lower(): c for c in frame.columns}
    key = next((lower[k] for k in keys if k in lower), None)
    if key is None:
        raise AccessError(f"« {p.name} » n'a pas de colonne {' / '.join(keys)}")
    others = [c for c in frame.columns if c != key]
    if value is None:
        if len(others) != 1:
            raise AccessError(f"« {p.name} » : précisez la colonne de {what} parmi {', '.join(map(str, others))}")
        col = others[0]
    else:
        col = lower.get(value.strip().lower())
        if col is None:
            raise AccessError(f"« {p.name} » n'a pas de colonne « {value} »")
    codes = frame[key].astype(str).str.strip()
    text = frame[col].astype(str).str.strip().str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    numbers = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    bad = numbers.isna() | (numbers < 0) | ~np.isfinite(numbers.fillna(0)) | (codes == "")
    if bad.any():
        lines = ", ".join(str(i + 2) for i in np.flatnonzero(bad.to_numpy())[:5])
        raise AccessError(f"« {p.name} » : {what} ou code illisible ligne(s) {lines} (nombre ≥ 0 attendu)")
    twice = codes.duplicated(keep=False)
    if twice.any():
        lines = ", ".join(str(i + 2) for i in np.flatnonzero(twice.to_numpy())[:5])
        raise AccessError(f"« {p.name} » : code donné plusieurs fois, ligne(s) {lines}")
    return pd.Series(numbers.to_numpy(dtype=float), index=pd.Index(codes, name=str(key)), name=str(col))


def _csv_error() -> type[Exception]:
    """The csv module's error (the python engine of pandas raises it on a broken file)."""
    import csv

    return csv.Error
