"""Access distances: from where people live to the nearest food-aid site.

Straight-line distances are computed in Lambert-93 (metres) with a k-d tree
(:class:`scipy.spatial.cKDTree`) over plain numpy coordinate arrays, so that the cost stays
within a few percent of a bare tree query even for millions of origin points (a 200 m
population grid). Road-network distances live in :mod:`atlas.analysis.roads`; which sites
count, in :mod:`atlas.analysis.sites`.

Typical use::

    from atlas.analysis.distances import commune_access, nearest
    from atlas.analysis.sites import SiteFilter, select_sites
    sites = select_sites(actors, SiteFilter(kinds=("distribution", "epicerie"), day="samedi"))
    per_commune = commune_access(territory, sites)
    grid = nearest(grid_points, sites)            # any origin points
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from atlas.analysis.origins import OriginReport, attach_origins
from atlas.analysis.roads import RoadNetwork, network_nearest
from atlas.analysis.sites import Sites, sites_frame
from atlas.analysis.tables import append_columns, french_table
from atlas.crs import points_xy, to_l93
from atlas.errors import AccessError, NoSiteError
from atlas.fr import integer_fr
from atlas.io import write_output
from atlas.progress import info
from atlas.territory.reference import representative_points
from atlas.territory.selection import Territory, as_territory

__all__ = [
    "Distances",
    "check_thresholds",
    "commune_access",
    "commune_origins",
    "distances",
    "distances_table",
    "nearest",
    "nearest_xy",
    "read_origins",
    "read_points",
    "within_territory",
    "write_distances",
]


# --------------------------------------------------------------------------------------------
# Coordinates
# --------------------------------------------------------------------------------------------


#: Number of origins from which the nearest site is found with pykdtree (cKDTree below).
BIG_QUERY = 100_000


def nearest_xy(
    origin_xy: np.ndarray, site_xy: np.ndarray, k: int = 1, workers: int = -1
) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line distance from each origin to its ``k`` nearest sites (array level).

    Parameters
    ----------
    origin_xy : numpy.ndarray
        ``(n, 2)`` Lambert-93 coordinates (NaN rows allowed: distance NaN, index -1).
    site_xy : numpy.ndarray
        ``(m, 2)`` Lambert-93 coordinates of the sites, all finite.
    k : int, default 1
        Number of nearest sites.
    workers : int, default -1
        Threads for the tree query (-1: all cores), as :meth:`scipy.spatial.cKDTree.query`.

    Returns
    -------
    (distances, indices)
        Arrays of shape ``(n,)`` when ``k == 1``, else ``(n, k)``; distances in metres,
        indices into ``site_xy`` (-1 where there is no site). With ``k == 1``, of several
        sites at the same place the first row is given (whatever the tree).

    Notes
    -----
    With ``k == 1`` and :data:`BIG_QUERY` origins or more, the tree is pykdtree's: its queries
    are about 1.7 times as fast as cKDTree's on one thread here, with the same float64 distances
    (``python -m tests.benchmarks access``); ``workers`` limits its OpenMP threads.
    """
    origin_xy = np.ascontiguousarray(origin_xy, dtype=float)
    site_xy = np.ascontiguousarray(site_xy, dtype=float)
    first = None
    if k == 1:  # one row per place: the first site there, whatever the tree breaks ties with
        site_xy, first = np.unique(site_xy, axis=0, return_index=True)
    query = _query(site_xy, k, workers, big=k == 1 and len(origin_xy) >= BIG_QUERY)
    finite = np.isfinite(origin_xy).all(axis=1)
    if finite.all():
        dist, idx = query(origin_xy)
    else:
        shape = (len(origin_xy),) if k == 1 else (len(origin_xy), k)
        dist = np.full(shape, np.nan)
        idx = np.full(shape, -1, dtype=np.intp)
        dist[finite], idx[finite] = query(origin_xy[finite])
    if first is not None:
        return dist, np.where(idx >= 0, first[np.maximum(idx, 0)], -1)
    m = len(site_xy)
    if k > m:  # cKDTree pads with inf / m
        missing = idx >= m
        dist = np.where(missing, np.nan, dist)
        idx = np.where(missing, -1, idx)
    return dist, idx


def _query(site_xy: np.ndarray, k: int, workers: int, *, big: bool):  # noqa: ANN202 - a query function
    """``query(xy) -> (dist, idx)`` over the sites: pykdtree when ``big``, else cKDTree."""
    if not big:
        tree = cKDTree(site_xy)
        return lambda xy: tree.query(xy, k=k, workers=workers)
    from pykdtree.kdtree import KDTree
    from threadpoolctl import threadpool_limits

    tree = KDTree(site_xy)

    def query(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        limit = None if workers == -1 else max(int(workers), 1)
        with threadpool_limits(limits=limit, user_api="openmp"):
            dist, idx = tree.query(np.ascontiguousarray(xy))
        return dist, idx.astype(np.intp, copy=False)

    return query


# --------------------------------------------------------------------------------------------
# Nearest sites
# --------------------------------------------------------------------------------------------


def _site_labels(sites: pd.DataFrame, column: str) -> np.ndarray:
    if column in sites.columns:
        return sites[column].to_numpy(dtype=object)
    if column == "id":
        return np.asarray(sites.index.astype(str), dtype=object)
    return np.full(len(sites), "", dtype=object)


def nearest(
    origins: Territory | gpd.GeoDataFrame,
    sites: Sites | gpd.GeoDataFrame,
    *,
    k: int = 1,
    workers: int = -1,
) -> gpd.GeoDataFrame:
    """Straight-line distance from every origin to its nearest site(s), in Lambert-93.

    Parameters
    ----------
    origins : Territory or GeoDataFrame
        Origin points: a territory (one point per commune, :func:`commune_origins`), a population
        grid, any points (polygons are reduced to a point inside them). Any CRS.
    sites : Sites or GeoDataFrame
        Sites (:func:`~atlas.analysis.sites.select_sites`), or points taken as sites; ``id`` and
        ``name`` columns are reported when present.
    k : int, default 1
        Number of nearest sites reported.
    workers : int, default -1
        Threads for the k-d tree query (-1: all cores).

    Returns
    -------
    GeoDataFrame
        ``origins`` (same index and geometry) plus ``distance_m`` (metres), ``site_id``,
        ``site_name``; with ``k > 1`` also ``distance_m_2``, ``site_id_2``, ``site_name_2``…
        Origins without geometry get NaN and empty ids.

    Raises
    ------
    AccessError
        When ``k`` is not a positive integer or no site is located.

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> near = atlas.nearest(atlas.territory("62119", communes=built.communes), atlas.select_sites(built.actors))
    >>> near[["name", "site_name"]].to_records(index=False).tolist()
    [('Béthune', 'Restos du Cœur – centre fictif de Béthune')]
    """
    if isinstance(origins, Territory):
        origins = commune_origins(origins)
    sites = sites_frame(sites)
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise AccessError(f"nombre de sites voisins invalide : {k!r} (entier ≥ 1 attendu)")
    site_xy = points_xy(sites)
    ok = np.isfinite(site_xy).all(axis=1)
    if not ok.any():
        raise NoSiteError("aucun site localisé : impossible de calculer des distances")
    if not ok.all():
        sites = sites[ok]
        site_xy = site_xy[ok]
    dist, idx = nearest_xy(points_xy(origins), site_xy, k=k, workers=workers)
    ids = _site_labels(sites, "id")
    names = _site_labels(sites, "name")
    dist2 = dist.reshape(len(origins), -1)
    idx2 = idx.reshape(len(origins), -1)
    columns: dict[str, np.ndarray] = {}
    for j in range(k):
        suffix = "" if j == 0 else f"_{j + 1}"
        col = idx2[:, j]
        columns[f"distance_m{suffix}"] = dist2[:, j]
        # object columns: no per-row conversion to pandas' string dtype (millions of rows)
        if col.min(initial=0) >= 0:
            columns[f"site_id{suffix}"], columns[f"site_name{suffix}"] = ids[col], names[col]
        else:
            valid = col >= 0
            columns[f"site_id{suffix}"] = np.where(valid, ids[np.maximum(col, 0)], "").astype(object, copy=False)
            columns[f"site_name{suffix}"] = np.where(valid, names[np.maximum(col, 0)], "").astype(object, copy=False)
    # the origins' own columns are not copied (to_l93 makes a new frame only in another CRS)
    return append_columns(to_l93(origins), columns)


def commune_origins(communes: Territory | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One origin point per commune: the population-weighted point where the reference knows the
    population of former communes, else the town hall or a point inside the commune (see
    :func:`atlas.territory.reference.representative_points` with ``weighted=True``).

    Parameters
    ----------
    communes : GeoDataFrame
        Reference communes (:func:`atlas.territory.reference.load_communes`).

    Returns
    -------
    GeoDataFrame
        Points with ``insee``, ``name``, ``population``, ``epci``, ``epci_name``, ``dep``,
        ``origin``; same index as ``communes``.
    """
    if isinstance(communes, Territory):
        communes = communes.communes
    pts = representative_points(communes, weighted=True)
    pts.index = communes.index
    return pts


def commune_access(
    territory: Territory | gpd.GeoDataFrame,
    sites: Sites | gpd.GeoDataFrame,
    *,
    network: RoadNetwork | None = None,
    origins: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Distance from every commune of a territory to the nearest site.

    Parameters
    ----------
    territory : Territory or GeoDataFrame
        The territory (:func:`atlas.select_territory`); a GeoDataFrame of communes is taken as one.
    sites : Sites or GeoDataFrame
        The sites (:func:`~atlas.analysis.sites.select_sites`), also outside the territory.
    network : atlas.analysis.roads.RoadNetwork, optional
        Road network (:func:`atlas.analysis.roads.load_network`): distances and times along roads
        instead of straight lines.
    origins : GeoDataFrame, optional
        Origin points with an ``insee`` column (one or several per commune, e.g. a population
        grid with a ``population`` column); default one point per commune
        (:func:`commune_origins`). With several points, the commune's distance is the
        population-weighted mean and ``distance_min_m`` / ``distance_max_m`` are reported.

    Returns
    -------
    GeoDataFrame
        Commune polygons with ``insee``, ``name``, ``population``, ``epci``, ``epci_name``,
        ``dep``, ``dep_name``, ``distance_m`` (straight line, or along roads), ``site_id``,
        ``site_name``, ``origin_x``, ``origin_y``; with a network also ``time_min``.

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> cab = atlas.territory("CABBALR", communes=built.communes)
    >>> access = atlas.commune_access(cab, atlas.select_sites(built.actors))
    >>> len(access), round(float(access["distance_m"].max()) / 1000, 1)
    (100, 9.8)
    """
    communes = as_territory(territory).communes
    sites = sites_frame(sites)
    pts = commune_origins(communes) if origins is None else origins
    if network is not None:
        dist = network_nearest(network, pts, sites)
    else:
        dist = nearest(pts, sites)
    keep = ["insee", "name", "population", "epci", "epci_name", "dep", "dep_name", "geometry"]
    out = communes[[c for c in keep if c in communes.columns]].copy()
    if origins is None:
        xy = points_xy(pts)
        for col in ("distance_m", "site_id", "site_name", "time_min"):
            if col in dist.columns:
                out[col] = dist[col].to_numpy()
        out["origin_x"] = xy[:, 0]
        out["origin_y"] = xy[:, 1]
        return out
    if "insee" not in dist.columns:
        raise AccessError("les points d'origine doivent avoir une colonne « insee » pour un résultat par commune")
    w = dist["population"].astype(float) if "population" in dist.columns else pd.Series(1.0, index=dist.index)
    frame = pd.DataFrame({"insee": dist["insee"].astype(str).to_numpy(), "w": w.to_numpy(),
                          "d": dist["distance_m"].to_numpy()})
    frame["wd"] = frame["w"] * frame["d"]
    g = frame.groupby("insee")
    agg = pd.DataFrame({"wsum": g["w"].sum(), "wdsum": g["wd"].sum(), "dmin": g["d"].min(),
                        "dmax": g["d"].max(), "dmean": g["d"].mean()})
    mean = np.where(agg["wsum"] > 0, agg["wdsum"] / agg["wsum"].where(agg["wsum"] > 0, 1), agg["dmean"])
    agg["distance_m"] = mean
    key = out["insee"].astype(str)
    out["distance_m"] = key.map(agg["distance_m"]).to_numpy()
    out["distance_min_m"] = key.map(agg["dmin"]).to_numpy()
    out["distance_max_m"] = key.map(agg["dmax"]).to_numpy()
    return out


def check_thresholds(values: Sequence[float] | float | None, unit: str = "km") -> list[float]:
    """Validate access thresholds (positive, finite, plausible).

    Parameters
    ----------
    values : float or sequence of float
        Thresholds in kilometres (``unit="km"``) or minutes (``unit="min"``).
    unit : {"km", "min"}

    Returns
    -------
    list of float
        Sorted unique thresholds.

    Raises
    ------
    AccessError
        « seuil invalide » for a non-number, zero, negative, infinite, or absurd value
        (> 500 km or > 600 minutes).
    """
    if values is None:
        return []
    if isinstance(values, (int, float, str, np.number)):
        values = [values]
    limit = 500.0 if unit == "km" else 600.0
    label = "km" if unit == "km" else "minutes"
    out = []
    for v in values:
        try:
            f = float(str(v).replace(",", ".")) if isinstance(v, str) else float(v)
        except (TypeError, ValueError):
            raise AccessError(f"seuil invalide : « {v} » (nombre de {label} attendu)") from None
        if not math.isfinite(f) or f <= 0:
            raise AccessError(f"seuil invalide : « {v} » (un nombre de {label} strictement positif est attendu)")
        if f > limit:
            raise AccessError(f"seuil invalide : « {v} » {label} (au plus {limit:g} {label})")
        out.append(f)
    return sorted(set(out))


# --------------------------------------------------------------------------------------------
# Inputs for the command line
# --------------------------------------------------------------------------------------------


def _read_vector(p: Path, what: str) -> gpd.GeoDataFrame:
    """Read a vector file, or say in French which file of ``what`` is missing or unreadable."""
    if not p.is_file():
        raise AccessError(f"fichier de {what} introuvable : « {p} »")
    try:
        return gpd.read_file(p)
    except Exception as exc:
        raise AccessError(f"impossible de lire les {what} « {p.name} » : {exc}") from exc


def read_origins(path: str, population_column: str = "population") -> gpd.GeoDataFrame:
    """Read origin points (e.g. a population grid) from any vector file.

    Parameters
    ----------
    path : path
        GeoPackage, GeoJSON, shapefile… of points or cells (cells are reduced to a point inside
        them).
    population_column : str, default "population"
        Column holding the population of each point (renamed ``population``).

    Returns
    -------
    GeoDataFrame
        In Lambert-93, with a numeric ``population`` column.

    Raises
    ------
    AccessError
        Unreadable file or missing population column.
    """
    p = Path(path)
    gdf = _read_vector(p, "points d'origine")
    if population_column not in gdf.columns:
        raise AccessError(f"« {p.name} » n'a pas de colonne « {population_column} » (population de chaque point)")
    gdf = to_l93(gdf).rename(columns={population_column: "population"})
    gdf["population"] = pd.to_numeric(gdf["population"], errors="coerce").fillna(0)
    bad = ~np.isfinite(gdf["population"].to_numpy(float)) | (gdf["population"].to_numpy(float) < 0)
    if bad.any():  # inf, -1…: a mistake in the file, not people
        rows = ", ".join(str(i + 1) for i in np.flatnonzero(bad)[:5])
        raise AccessError(f"« {p.name} » : population non finie ou négative (point(s) n° {rows})")
    return gdf


def read_points(path: str) -> gpd.GeoDataFrame:
    """Read candidate places or other points from any vector file, in Lambert-93.

    Raises
    ------
    AccessError
        Missing or unreadable file.
    """
    p = Path(path)
    gdf = _read_vector(p, "points")
    if len(gdf) == 0:
        raise AccessError(f"« {p.name} » ne contient aucun point")
    return to_l93(gdf)


def within_territory(points: gpd.GeoDataFrame, territory: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Points lying in the territory's communes (with their ``insee`` when they had none); how many
    were left out is said in French (:func:`atlas.progress.info`).

    Raises
    ------
    AccessError
        When no point lies in the territory.
    """
    pts = to_l93(points)
    hit = gpd.sjoin(pts[[pts.geometry.name]], territory[["insee", territory.geometry.name]], how="inner",
                    predicate="within")
    hit = hit[~hit.index.duplicated()]
    if len(hit) == 0:
        raise AccessError("aucun point d'origine dans le territoire demandé")
    out = pts.loc[hit.index].copy()
    if "insee" not in out.columns:
        out["insee"] = hit["insee"].astype(str).to_numpy()
    left = len(pts) - len(out)
    if left:  # said, never dropped silently
        info(f"{integer_fr(left)} {'point' if left < 2 else 'points'} d'origine hors du territoire demandé : "
             "non compris dans le résultat.")
    return out


@dataclass(eq=False)
class Distances:
    """What :func:`distances` measured.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        Per commune (:func:`commune_access`) or per origin point (:func:`nearest`, or
        :func:`atlas.analysis.roads.network_nearest` with a network).
    n_sites : int
        Sites the distances were measured to.
    origins : OriginReport or None
        With origin points: how many were given, kept, joined across a gap, in other communes and
        outside (:class:`~atlas.analysis.origins.OriginReport`).
    """

    frame: gpd.GeoDataFrame
    n_sites: int
    origins: OriginReport | None = None

    def __len__(self) -> int:
        """Number of rows (communes or origin points)."""
        return len(self.frame)


def distances(
    territory: Territory | gpd.GeoDataFrame,
    sites: Sites | gpd.GeoDataFrame,
    *,
    origins: gpd.GeoDataFrame | None = None,
    network: RoadNetwork | None = None,
    clip: bool = True,
) -> Distances:
    """Distance (and time, along a road network) to the nearest site, what ``atlas distances`` prints.

    Parameters
    ----------
    territory : Territory or GeoDataFrame
        The territory (:func:`atlas.select_territory`).
    sites : Sites or GeoDataFrame
        The sites (:func:`~atlas.analysis.sites.select_sites`), also outside the territory.
    origins : GeoDataFrame, optional
        Origin points (e.g. a population grid); default one point per commune.
    network : RoadNetwork, optional
        Road network (:func:`atlas.analysis.roads.load_network`); default straight line.
    clip : bool
        Keep only the origins of the territory, given their commune by the same rule as
        ``atlas gaps`` (:func:`atlas.analysis.origins.attach_origins`): a point in no commune
        polygon but within :data:`~atlas.analysis.origins.ORIGIN_GAP_M` of one joins the nearest
        commune; the points of other communes and those farther from every commune are counted
        and reported in French (:attr:`Distances.origins`), never dropped silently; a point of a
        neighbouring commune is told from a point in a gap by the territory's ``reference``.

    Returns
    -------
    Distances

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> result = atlas.distances(atlas.territory("CAPSO", communes=built.communes), atlas.select_sites(built.actors))
    >>> len(result), result.n_sites
    (53, 57)
    """
    terr = as_territory(territory)
    frame = sites_frame(sites)
    if origins is None:
        return Distances(commune_access(terr, frame, network=network), len(frame))
    report = None
    if clip:
        origins, report = attach_origins(origins, terr.communes, all_communes=terr.reference)
        if len(origins) == 0:
            raise AccessError("aucun point d'origine dans le territoire demandé")
    out = network_nearest(network, origins, frame) if network is not None else nearest(origins, frame)
    return Distances(out, len(frame), report)


def write_distances(result: Distances, path: str | Path, fmt: str | None = None) -> Path:
    """Write :func:`distances` as CSV (French headers for communes) or a GeoPackage layer, atomically.

    Raises
    ------
    AtlasError
        For a format other than ``csv`` or ``gpkg``.
    """
    return write_output(path, fmt, error=AccessError, csv=lambda: distances_table(result),
                        gpkg=lambda: {"distances": result.frame})


def distances_table(result: Distances | gpd.GeoDataFrame) -> pd.DataFrame:
    """The table of :func:`distances` without geometry (French headers for a per-commune table)."""
    frame = result.frame if isinstance(result, Distances) else result
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    if "insee" in table.columns and "name" in table.columns and "population" in table.columns:
        return french_table(table, total=False)
    return table
