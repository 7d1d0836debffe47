"""Where one more site would help most: greedy maximal covering location.

Given origin points with their population, the existing sites and candidate places (commune
points, or any points), :func:`suggest_sites` picks ``k`` candidates one after the other, each
time the one whose coverage disc (straight-line radius ``threshold_km``, Lambert-93) takes the
most population out of the zones blanches that remain (Church & ReVelle's maximal covering
location problem, greedy heuristic). The coverage sets are a sparse candidates × origins
matrix, so each round is one sparse matrix–vector product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from atlas.analysis.distances import check_thresholds, commune_origins, nearest_xy
from atlas.analysis.sites import Sites, sites_frame
from atlas.crs import L93, points_xy
from atlas.errors import AccessError
from atlas.fr import decimal_fr, integer_fr, number_fr
from atlas.io import markdown_table, write_output
from atlas.progress import progress
from atlas.territory.selection import Territory, as_territory

__all__ = ["Suggestions", "coverage_matrix", "suggest_sites", "suggestions_markdown", "suggestions_table", "write_suggestions"]


def coverage_matrix(candidate_xy: np.ndarray, origin_xy: np.ndarray, radius_m: float) -> sparse.csr_matrix:
    """Sparse boolean matrix: candidate *i* covers origin *j* (distance ≤ ``radius_m``).

    Parameters
    ----------
    candidate_xy, origin_xy : numpy.ndarray
        ``(n, 2)`` Lambert-93 coordinates (NaN rows cover / are covered by nothing).
    radius_m : float
        Coverage radius in metres.

    Returns
    -------
    scipy.sparse.csr_matrix
        Shape ``(n_candidates, n_origins)``, ``float64`` ones.
    """
    ok_o = np.flatnonzero(np.isfinite(origin_xy).all(axis=1))
    ok_c = np.flatnonzero(np.isfinite(candidate_xy).all(axis=1))
    shape = (len(candidate_xy), len(origin_xy))
    if len(ok_o) == 0 or len(ok_c) == 0:
        return sparse.csr_matrix(shape)
    tree_o = cKDTree(origin_xy[ok_o])
    tree_c = cKDTree(candidate_xy[ok_c])
    pairs = tree_c.sparse_distance_matrix(tree_o, radius_m, output_type="ndarray")
    rows = ok_c[pairs["i"]]
    cols = ok_o[pairs["j"]]
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)


@dataclass(eq=False)
class Suggestions:
    """Where new sites would help most (:func:`suggest_sites`).

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        At most ``k`` rows in order of choice: the candidate's columns and point, ``rank`` (1…),
        ``population_gained``, ``population_covered`` (cumulative, existing sites included),
        ``share_covered`` (0–1 of the origins' population).
    population_total : int
        Population of the origins.
    population_covered_before : int
        Population within the threshold of an existing site.
    threshold_km : float
        Coverage radius.
    """

    frame: gpd.GeoDataFrame
    population_total: int
    population_covered_before: int
    threshold_km: float

    def __len__(self) -> int:
        """Number of places proposed."""
        return len(self.frame)


def suggest_sites(
    territory: Territory | gpd.GeoDataFrame | None,
    sites: Sites | gpd.GeoDataFrame | None,
    *,
    candidates: gpd.GeoDataFrame | None = None,
    origins: gpd.GeoDataFrame | None = None,
    thresholds_km: Sequence[float] = (10.0,),
    k: int = 5,
) -> Suggestions:
    """Rank candidate places for new sites by the population they take out of zones blanches.

    Parameters
    ----------
    territory : Territory, GeoDataFrame or None
        The territory (:func:`atlas.select_territory`): its commune points are the default
        origins and candidates (None when both are given).
    sites : Sites, GeoDataFrame or None
        Existing sites (:func:`atlas.analysis.sites.select_sites`); None or empty when there is none.
    candidates : GeoDataFrame, optional
        Candidate places (points, or polygons reduced to a point inside them), with any
        descriptive columns (``insee``, ``name``, ``id``…), kept in the output; default one point
        per commune of the territory (:func:`atlas.analysis.distances.commune_origins`).
    origins : GeoDataFrame, optional
        Population points with a ``population`` column (e.g. a grid); default one point per
        commune of the territory.
    thresholds_km : sequence of one float, default (10,)
        Coverage radius (straight line).
    k : int, default 5
        Number of sites to place.

    Returns
    -------
    Suggestions
        At most ``k`` rows in order of choice (fewer when nothing more can be gained).

    Raises
    ------
    AccessError
        Bad threshold (or not one) or ``k``, origins without ``population``, no candidate.

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> ranked = atlas.suggest_sites(atlas.territory("CAPSO", communes=built.communes),
    ...                              atlas.select_sites(built.actors), thresholds_km=(10,), k=2)
    >>> ranked.frame[["rank", "name", "population_gained"]].to_records(index=False).tolist()
    [(1, 'Beaumetz-lès-Aire', 1203)]
    """
    values = check_thresholds(thresholds_km, "km")
    if len(values) != 1:
        raise AccessError("les propositions de sites se calculent à un seul seuil en km")
    radius = values[0] * 1000.0
    if origins is None or candidates is None:
        if territory is None:
            raise AccessError("aucun territoire : donnez les points d'origine et les lieux candidats")
        points = commune_origins(as_territory(territory))
        origins = points if origins is None else origins
        candidates = points if candidates is None else candidates
    sites = sites_frame(sites) if sites is not None else None
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise AccessError(f"nombre de sites à proposer invalide : {k!r} (entier ≥ 1 attendu)")
    if "population" not in origins.columns:
        raise AccessError("les points d'origine doivent avoir une colonne « population »")
    if candidates is None or len(candidates) == 0:
        raise AccessError("aucun lieu candidat pour un nouveau site")
    oxy = points_xy(origins)
    pop = pd.to_numeric(origins["population"], errors="coerce").fillna(0).to_numpy(dtype=float)
    covered = np.zeros(len(origins), dtype=bool)
    if sites is not None and len(sites):
        sxy = points_xy(sites)
        sxy = sxy[np.isfinite(sxy).all(axis=1)]
        if len(sxy):
            d, _ = nearest_xy(oxy, sxy)
            covered = np.nan_to_num(d, nan=np.inf) <= radius
    total = float(pop.sum())
    before = float(pop[covered].sum())
    cxy = points_xy(candidates)
    cover = coverage_matrix(cxy, oxy, radius)
    weight = np.where(covered, 0.0, pop)
    chosen: list[int] = []
    gained: list[float] = []
    cumul: list[float] = []
    current = before
    for _ in progress(range(int(k)), label="Choix des sites"):
        gains = cover @ weight
        if chosen:
            gains[chosen] = -1.0
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        chosen.append(best)
        gained.append(float(gains[best]))
        current += float(gains[best])
        cumul.append(current)
        newly = cover.indices[cover.indptr[best]:cover.indptr[best + 1]]
        weight[newly] = 0.0
    out = candidates.iloc[chosen].copy()
    if out.geometry.name in out.columns:
        out = out.set_geometry(gpd.points_from_xy(cxy[chosen, 0], cxy[chosen, 1], crs=L93))
    out.insert(0, "rank", np.arange(1, len(chosen) + 1))
    out["population_gained"] = np.round(gained).astype("int64")
    out["population_covered"] = np.round(cumul).astype("int64")
    out["share_covered"] = np.array(cumul) / total if total > 0 else np.nan
    out = gpd.GeoDataFrame(out, geometry=out.geometry.name, crs=L93)
    return Suggestions(out, int(round(total)), int(round(before)), radius / 1000.0)


_HEADERS = {
    "rank": "Rang", "name": "Lieu", "insee": "Code INSEE", "epci_name": "EPCI",
    "population_gained": "Population sortie des zones blanches",
    "population_covered": "Population couverte (cumul)", "share_covered": "Part couverte (cumul, %)",
}


def suggestions_table(ranked: Suggestions) -> pd.DataFrame:
    """French table of :func:`suggest_sites` (rank, place, population gained, cumulative cover)."""
    df = pd.DataFrame(ranked.frame.drop(columns=ranked.frame.geometry.name))
    df["share_covered"] = (df["share_covered"] * 100).round(1)
    cols = [c for c in _HEADERS if c in df.columns]
    return df[cols].rename(columns=_HEADERS)


def suggestions_markdown(ranked: Suggestions) -> str:
    """Markdown report of :func:`suggest_sites`, with the coverage before any new site."""
    total = ranked.population_total
    before = ranked.population_covered_before
    km = number_fr(ranked.threshold_km)
    share = decimal_fr(100 * before / total, 1) if total else "—"
    head = (f"# Où ouvrir un site de plus ({km} km)\n\n"
            f"Aujourd'hui : {integer_fr(before)} habitants sur {integer_fr(total)} à moins de {km} km d'un site "
            f"({share} %).\n\n")
    if len(ranked) == 0:
        return head + "Aucun lieu candidat ne couvre de population en zone blanche.\n"
    return head + markdown_table(suggestions_table(ranked))


def write_suggestions(ranked: Suggestions, path: str | Path, fmt: str | None = None) -> Path:
    """Write :func:`suggest_sites` atomically as CSV, Markdown or a GeoPackage layer ``suggestions``."""
    return write_output(path, fmt, error=AccessError, csv=lambda: suggestions_table(ranked),
                        md=lambda: suggestions_markdown(ranked), gpkg=lambda: {"suggestions": ranked.frame})
