"""The one place that knows coordinate reference systems.

Every distance and area in atlas is computed in Lambert-93 (EPSG:2154), in metres; WGS84
(EPSG:4326) is kept for input coordinates and the web only.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

L93 = "EPSG:2154"
WGS84 = "EPSG:4326"

#: Rough Lambert-93 bounds of metropolitan France (xmin, ymin, xmax, ymax), metres.
L93_FRANCE_BOUNDS = (60_000.0, 6_020_000.0, 1_250_000.0, 7_130_000.0)

_L93_CRS = CRS.from_user_input(L93)  # compared with a CRS object: 4x cheaper than with a string
_TO_L93 = Transformer.from_crs(WGS84, L93, always_xy=True)
_TO_WGS84 = Transformer.from_crs(L93, WGS84, always_xy=True)


def to_l93(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` in Lambert-93 (assumes WGS84 when it has no CRS)."""
    if gdf.crs is None:
        gdf = gdf.set_crs(WGS84)
    return gdf if gdf.crs == _L93_CRS else gdf.to_crs(L93)


def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` in WGS84 lon/lat (for the web)."""
    if gdf.crs is None:
        gdf = gdf.set_crs(L93)
    return gdf if gdf.crs == WGS84 else gdf.to_crs(WGS84)


def lonlat_to_l93(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 longitude/latitude arrays to Lambert-93 x/y (metres)."""
    x, y = _TO_L93.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def l93_to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project Lambert-93 x/y arrays to WGS84 longitude/latitude."""
    lon, lat = _TO_WGS84.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def looks_like_l93(x: float, y: float) -> bool:
    """True when (x, y) fall in Lambert-93 metric bounds of metropolitan France."""
    xmin, ymin, xmax, ymax = L93_FRANCE_BOUNDS
    return xmin <= x <= xmax and ymin <= y <= ymax


def points_xy(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    """Lambert-93 coordinates of point geometries as an ``(n, 2)`` float array.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Points (any CRS; WGS84 assumed when none). Non-point geometries are reduced to a
        point inside them (:meth:`~geopandas.GeoSeries.representative_point`).

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` array; rows of missing/empty geometries are NaN.
    """
    geo = gdf if isinstance(gdf, gpd.GeoSeries) else gdf.geometry
    if geo.crs is None or geo.crs != _L93_CRS:
        geo = to_l93(gpd.GeoDataFrame(geometry=geo)).geometry
    values = np.asarray(geo.array)
    # fast path (one pass per axis): get_x/get_y give NaN for missing and non-point geometries,
    # which are then resolved alone; an empty point makes GEOS raise, so the general path runs
    try:
        xy = np.column_stack([shapely.get_x(values), shapely.get_y(values)])
    except shapely.errors.GEOSException:
        return _general_xy(values)
    odd = np.isnan(xy[:, 0])
    if odd.any():
        xy[odd] = _general_xy(values[odd])
    return xy


def _general_xy(values: np.ndarray) -> np.ndarray:
    """Coordinates of any geometries: a point inside non-points, NaN for missing or empty ones."""
    types = shapely.get_type_id(values)
    if ((types != 0) & (types != -1)).any():  # 0 = Point, -1 = missing
        values = np.where(types > 0, shapely.point_on_surface(values), values)
    xy = np.full((len(values), 2), np.nan)
    ok = ~(shapely.is_missing(values) | shapely.is_empty(values))
    if ok.all():
        xy[:, 0] = shapely.get_x(values)
        xy[:, 1] = shapely.get_y(values)
    elif ok.any():
        xy[ok, 0] = shapely.get_x(values[ok])
        xy[ok, 1] = shapely.get_y(values[ok])
    return xy
