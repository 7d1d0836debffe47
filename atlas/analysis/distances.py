"""Access distances: from where people live to the nearest food-aid site.

Straight-line distances are computed in Lambert-93 (metres) with a k-d tree
(:class:`scipy.spatial.cKDTree`) over plain numpy coordinate arrays, so that the cost stays
within a few percent of a bare tree query even for millions of origin points (a 200 m
population grid). Road-network distances live in :mod:`atlas.analysis.roads`.

Typical use::

    from atlas.analysis import access
    sites = access.select_sites(actors, kinds=("distribution", "epicerie"), day="samedi")
    per_commune = access.commune_access(communes, sites)
    grid = access.nearest(grid_points, sites)            # any origin points
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from atlas.analysis.roads import network_nearest
from atlas.analysis.tables import french_table
from atlas.crs import L93, points_xy, to_l93
from atlas.errors import AccessError, NoSiteError
from atlas.io import write_output
from atlas.registry.schema import AID_KINDS

__all__ = [
    "AID_KINDS",
    "AccessError",
    "NoSiteError",
    "check_thresholds",
    "commune_access",
    "commune_origins",
    "nearest",
    "nearest_xy",
    "points_xy",
    "read_origins",
    "read_points",
    "within_territory",
    "select_sites",
]


# --------------------------------------------------------------------------------------------
# Coordinates
# --------------------------------------------------------------------------------------------


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
        indices into ``site_xy`` (-1 where there is no site).
    """
    origin_xy = np.ascontiguousarray(origin_xy, dtype=float)
    tree = cKDTree(np.ascontiguousarray(site_xy, dtype=float))
    finite = np.isfinite(origin_xy).all(axis=1)
    if finite.all():
        dist, idx = tree.query(origin_xy, k=k, workers=workers)
    else:
        shape = (len(origin_xy),) if k == 1 else (len(origin_xy), k)
        dist = np.full(shape, np.nan)
        idx = np.full(shape, -1, dtype=np.intp)
        dist[finite], idx[finite] = tree.query(origin_xy[finite], k=k, workers=workers)
    m = len(site_xy)
    if k > m:  # cKDTree pads with inf / m
        missing = idx >= m
        dist = np.where(missing, np.nan, dist)
        idx = np.where(missing, -1, idx)
    return dist, idx


# --------------------------------------------------------------------------------------------
# Sites
# --------------------------------------------------------------------------------------------


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    out = tuple(str(v).strip() for v in value if str(v).strip())
    return out or None


def _split_slugs(series: pd.Series) -> list[set[str]]:
    return [{p.strip() for p in str(v).split(",") if p.strip()} if isinstance(v, str) else set()
            for v in series.tolist()]


def _column(actors: pd.DataFrame, name: str) -> pd.Series:
    if name in actors.columns:
        return actors[name].fillna("").astype(str)
    return pd.Series([""] * len(actors), index=actors.index, dtype=str)


def _resolve_day(day: int | str | dt.date | None) -> tuple[int | None, dt.date | None]:
    """A weekday index, and the calendar date when one was given."""
    from atlas.registry.hours import weekday_index

    if day is None:
        return None, None
    if isinstance(day, dt.datetime):
        day = day.date()
    if isinstance(day, dt.date):
        return day.weekday(), day
    if isinstance(day, str) and len(day.strip()) >= 8 and day.strip()[:4].isdigit():
        try:
            date = dt.date.fromisoformat(day.strip()[:10])
        except ValueError as exc:
            raise AccessError(f"date illisible : « {day} » (attendu : AAAA-MM-JJ ou un jour, ex. samedi)") from exc
        return date.weekday(), date
    return weekday_index(day), None


def select_sites(
    actors: gpd.GeoDataFrame,
    kinds: str | Iterable[str] | None = AID_KINDS,
    networks: str | Iterable[str] | None = None,
    services: str | Iterable[str] | None = None,
    day: int | str | dt.date | None = None,
    unknown_hours: str = "closed",
) -> gpd.GeoDataFrame:
    """Sites (located actors) that count for an access analysis.

    Parameters
    ----------
    actors : GeoDataFrame
        Accepted actors of a registry (:func:`atlas.registry.actors.read_actors`,
        :func:`atlas.registry.build.build_atlas`).
    kinds : str or iterable of str or None, default :data:`atlas.registry.schema.AID_KINDS`
        Kinds kept (``distribution``, ``epicerie``, ``meal``, ``producer``…); None keeps all.
    networks : str or iterable of str, optional
        Keep actors belonging to at least one of these networks (``restos-du-coeur``…).
    services : str or iterable of str, optional
        Keep actors offering at least one of these services (``colis``, ``fruits-legumes``…).
    day : int, str or datetime.date, optional
        Keep only sites open that day: a weekday (0 = lundi, « samedi », "Sa"), judged on a
        typical week (:func:`atlas.registry.hours.covers_day`), or a calendar date (``date`` or
        ``"2026-08-01"``), which also drops sites with a temporary closure that day
        (:func:`atlas.registry.hours.closed_on` on ``closures``).
    unknown_hours : {"closed", "open"}, default "closed"
        How to count sites whose opening hours are not given when ``day`` is set.

    Returns
    -------
    GeoDataFrame
        The kept sites with a Point geometry in Lambert-93 (actors not located are dropped),
        same columns as ``actors``. Mobile stops (rows whose ``route`` names a truck row) are
        sites of their own; a stop without hours takes its truck's hours, and its truck's kind
        when its own is empty. A truck row that has stops covers nothing itself (its point, if
        any, is its depot); a truck row without geometry covers nothing either.
        ``attrs["n_unlocated"]`` counts matching actors dropped for lack of a location.

    Raises
    ------
    NoSiteError
        When nothing is left, with a French message naming the filter.
    AccessError
        On an unknown ``unknown_hours`` value or an unreadable date.
    """
    if unknown_hours not in ("closed", "open"):
        raise AccessError(f"valeur inconnue pour les horaires non communiqués : « {unknown_hours} »")
    if actors is None or len(actors) == 0:
        raise NoSiteError("le registre ne contient aucun acteur")
    df = actors if actors.crs is None else to_l93(actors)
    df = df.copy()
    hours = _column(df, "opening_hours")
    kind = _column(df, "kind")
    # Mobile stops inherit their truck's hours and kind when they have none of their own.
    route = _column(df, "route")
    if (route != "").any() and "id" in df.columns:
        ids = df["id"].astype(str)
        truck_hours = dict(zip(ids, hours, strict=True))
        truck_kind = dict(zip(ids, kind, strict=True))
        stop = route != ""
        hours = hours.where(~(stop & (hours == "")), route.map(truck_hours).fillna(""))
        kind = kind.where(~(stop & (kind == "")), route.map(truck_kind).fillna(""))
        df["opening_hours"] = hours
        df["kind"] = kind

    mask = np.ones(len(df), dtype=bool)
    what = []
    kinds_t = _as_tuple(kinds)
    if kinds_t:
        from atlas.registry.schema import KIND_LABELS

        unknown = [k for k in kinds_t if k not in KIND_LABELS]
        if unknown:
            raise AccessError(f"type de site inconnu : « {', '.join(unknown)} » (attendu : {', '.join(KIND_LABELS)})")
        mask &= kind.isin(kinds_t).to_numpy()
        from atlas.registry.schema import KIND_LABELS

        what.append("type " + " / ".join(f"« {KIND_LABELS.get(k, k)} »" for k in kinds_t))
    nets = _as_tuple(networks)
    if nets:
        have = _split_slugs(_column(df, "network"))
        mask &= np.array([bool(h & set(nets)) for h in have], dtype=bool)
        what.append("réseau " + " / ".join(f"« {n} »" for n in nets))
    servs = _as_tuple(services)
    if servs:
        have = _split_slugs(_column(df, "services"))
        mask &= np.array([bool(h & set(servs)) for h in have], dtype=bool)
        what.append("service " + " / ".join(f"« {s} »" for s in servs))
    if not mask.any():
        raise NoSiteError(f"aucun site dans le registre pour : {', '.join(what) or 'la sélection'}")

    wd, date = _resolve_day(day)
    if wd is not None:
        from atlas.registry.hours import WEEKDAYS_FR, closed_on, covers_day

        is_open = covers_day(hours.to_numpy(), wd)
        if unknown_hours == "open":
            is_open |= (hours == "").to_numpy()
        if date is not None:
            closures = _column(df, "closures")
            is_open &= np.array([not (c and closed_on(c, date)) for c in closures], dtype=bool)
        if not (mask & is_open).any():
            when = date.strftime("%d/%m/%Y") if date else WEEKDAYS_FR[wd]
            raise NoSiteError(
                f"aucun site ouvert le {when} pour : {', '.join(what) or 'la sélection'} "
                f"({int(mask.sum())} site(s) de ce type, aucun ouvert ce jour-là d'après ses horaires)"
            )
        mask &= is_open
        what.append(f"ouvert le {date.isoformat() if date else WEEKDAYS_FR[wd]}")

    # A truck with stops covers its stops, on their days, not its own (depot) location.
    if "id" in df.columns:
        trucks = set(route[route != ""])
        if trucks:
            mask &= ~df["id"].astype(str).isin(trucks).to_numpy()
    geom = np.asarray(df.geometry.array)
    located = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    n_unlocated = int((mask & ~located).sum())
    mask &= located
    if not mask.any():
        raise NoSiteError(f"aucun site localisé pour : {', '.join(what) or 'la sélection'}")
    out = df[mask].copy()
    if out.crs is None:
        out = out.set_crs(L93)
    out.attrs["n_unlocated"] = n_unlocated
    out.attrs["filter"] = ", ".join(what)
    return out


# --------------------------------------------------------------------------------------------
# Nearest sites
# --------------------------------------------------------------------------------------------


def _site_labels(sites: pd.DataFrame, column: str) -> np.ndarray:
    if column in sites.columns:
        return sites[column].astype(object).to_numpy()
    if column == "id":
        return np.asarray(sites.index.astype(str), dtype=object)
    return np.full(len(sites), "", dtype=object)


def nearest(
    origins: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    k: int = 1,
    workers: int = -1,
) -> gpd.GeoDataFrame:
    """Straight-line distance from every origin to its nearest site(s), in Lambert-93.

    Parameters
    ----------
    origins : GeoDataFrame
        Origin points: commune points (:func:`commune_origins`), a population grid, any points
        (polygons are reduced to a point inside them). Any CRS.
    sites : GeoDataFrame
        Sites with Point geometries (:func:`select_sites`); ``id`` and ``name`` columns are
        reported when present.
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
    """
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
    out = origins.copy() if origins.crs == L93 else to_l93(origins)  # to_l93 returns a new frame
    dist2 = dist.reshape(len(out), -1)
    idx2 = idx.reshape(len(out), -1)
    for j in range(k):
        suffix = "" if j == 0 else f"_{j + 1}"
        col = idx2[:, j]
        valid = col >= 0
        out[f"distance_m{suffix}"] = dist2[:, j]
        # object columns: no per-row conversion to pandas' string dtype (millions of rows)
        if valid.all():
            site_id, site_name = ids[col], names[col]
        else:
            site_id = np.where(valid, ids[np.maximum(col, 0)], "")
            site_name = np.where(valid, names[np.maximum(col, 0)], "")
        out[f"site_id{suffix}"] = pd.Series(site_id, index=out.index, dtype=object)
        out[f"site_name{suffix}"] = pd.Series(site_name, index=out.index, dtype=object)
    return out


def commune_origins(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
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
    from atlas.territory.reference import representative_points

    pts = representative_points(communes, weighted=True)
    pts.index = communes.index
    return pts


def commune_access(
    communes: gpd.GeoDataFrame,
    actors: gpd.GeoDataFrame,
    kinds: str | Iterable[str] | None = AID_KINDS,
    networks: str | Iterable[str] | None = None,
    services: str | Iterable[str] | None = None,
    day: int | str | dt.date | None = None,
    network: object | None = None,
    origins: gpd.GeoDataFrame | None = None,
    sites_selected: bool = False,
) -> gpd.GeoDataFrame:
    """Distance from every commune to the nearest site of the chosen kinds.

    Parameters
    ----------
    communes : GeoDataFrame
        Reference communes (or a territory selection of them).
    actors : GeoDataFrame
        Registry actors; filtered with :func:`select_sites` unless ``sites_selected``.
    kinds, networks, services, day
        Site filter, see :func:`select_sites`.
    network : atlas.analysis.roads.RoadNetwork, optional
        Road network (:func:`atlas.analysis.roads.load_network`): distances and times along roads
        instead of straight lines.
    origins : GeoDataFrame, optional
        Origin points with an ``insee`` column (one or several per commune, e.g. a population
        grid with a ``population`` column); default one point per commune
        (:func:`commune_origins`). With several points, the commune's distance is the
        population-weighted mean and ``distance_min_m`` / ``distance_max_m`` are reported.
    sites_selected : bool, default False
        ``actors`` are already the sites (skip :func:`select_sites`).

    Returns
    -------
    GeoDataFrame
        Commune polygons with ``insee``, ``name``, ``population``, ``epci``, ``epci_name``,
        ``dep``, ``dep_name``, ``distance_m`` (straight line, or along roads), ``site_id``,
        ``site_name``, ``origin_x``, ``origin_y``; with a network also ``time_min``.
    """
    sites = actors if sites_selected else select_sites(actors, kinds, networks, services, day)
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
    """Points lying in the territory's communes (with their ``insee`` when they had none).

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
    return out


def distances(
    territory: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    origins: gpd.GeoDataFrame | None = None,
    network: object | None = None,
    clip: bool = True,
) -> gpd.GeoDataFrame:
    """Distance (and time, along a road network) to the nearest site, what ``atlas distances`` prints.

    Parameters
    ----------
    territory : GeoDataFrame
        Communes of the territory (:func:`atlas.territory.reference.select_territory`).
    sites : GeoDataFrame
        Sites already selected (:func:`select_sites`), also outside the territory.
    origins : GeoDataFrame, optional
        Origin points (e.g. a population grid); default one point per commune.
    network : RoadNetwork, optional
        Road network (:func:`atlas.analysis.roads.load_network`); default straight line.
    clip : bool
        Keep only the origins inside the territory.

    Returns
    -------
    GeoDataFrame
        Per commune (:func:`commune_access`) or per origin point (:func:`nearest`, or
        :func:`atlas.analysis.roads.network_nearest` with a network).
    """
    if origins is None:
        return commune_access(territory, sites, network=network, sites_selected=True)
    if clip:
        origins = within_territory(origins, territory)
    if network is not None:
        return network_nearest(network, origins, sites)
    return nearest(origins, sites)


def write_distances(result: gpd.GeoDataFrame, path: str | Path, fmt: str | None = None) -> Path:
    """Write :func:`distances` as CSV (French headers for communes) or a GeoPackage layer, atomically.

    Raises
    ------
    AtlasError
        For a format other than ``csv`` or ``gpkg``.
    """
    return write_output(path, fmt, error=AccessError, csv=lambda: distances_table(result), gpkg=lambda: {"distances": result})


def distances_table(result: gpd.GeoDataFrame) -> pd.DataFrame:
    """The table of :func:`distances` without geometry (French headers for a per-commune table)."""
    table = pd.DataFrame(result.drop(columns=result.geometry.name))
    if "insee" in table.columns and "name" in table.columns and "population" in table.columns:
        return french_table(table, total=False)
    return table
