"""Where one more site would help most: greedy maximal covering location.

Given origin points with their population, the existing sites and candidate places (commune
points, or any points), :func:`suggest_sites` picks ``k`` candidates one after the other, each
time the one whose coverage disc (straight-line radius ``threshold_km``, Lambert-93) takes the
most population out of the zones blanches that remain (Church & ReVelle's maximal covering
location problem, greedy heuristic). The coverage sets are a sparse candidates × origins
matrix, so each round is one sparse matrix–vector product.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from atlas.analysis.distances import check_thresholds, nearest_xy
from atlas.analysis.reach import coverage_matrix
from atlas.crs import L93, points_xy
from atlas.errors import AccessError
from atlas.fr import decimal_fr, integer_fr, number_fr
from atlas.io import markdown_table, write_output
from atlas.progress import progress

__all__ = ["coverage_matrix", "suggest_sites", "suggestions_markdown", "suggestions_table", "write_suggestions"]


def suggest_sites(
    origins: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame | None,
    candidates: gpd.GeoDataFrame,
    threshold_km: float = 10.0,
    k: int = 5,
) -> gpd.GeoDataFrame:
    """Rank candidate places for new sites by the population they take out of zones blanches.

    Parameters
    ----------
    origins : GeoDataFrame
        Population points with a ``population`` column (commune points of
        :func:`atlas.analysis.distances.commune_origins`, or a grid).
    sites : GeoDataFrame or None
        Existing sites (:func:`atlas.analysis.sites.select_sites`); None or empty when there is none.
    candidates : GeoDataFrame
        Candidate places (points, or polygons reduced to a point inside them), with any
        descriptive columns (``insee``, ``name``, ``id``…), kept in the output.
    threshold_km : float, default 10
        Coverage radius (straight line).
    k : int, default 5
        Number of sites to place.

    Returns
    -------
    GeoDataFrame
        At most ``k`` rows in order of choice (fewer when nothing more can be gained): the
        candidate's columns and point, ``rank`` (1…), ``population_gained`` (population newly
        within ``threshold_km``), ``population_covered`` (cumulative, existing sites
        included), ``share_covered`` (0–1 of the origins' population). ``attrs`` holds
        ``population_total`` and ``population_covered_before``.

    Raises
    ------
    AccessError
        Bad threshold or ``k``, origins without ``population``, no candidate.
    """
    radius = check_thresholds(threshold_km, "km")[0] * 1000.0
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
    out.attrs["population_total"] = int(round(total))
    out.attrs["population_covered_before"] = int(round(before))
    out.attrs["threshold_km"] = radius / 1000.0
    return out


_HEADERS = {
    "rank": "Rang", "name": "Lieu", "insee": "Code INSEE", "epci_name": "EPCI",
    "population_gained": "Population sortie des zones blanches",
    "population_covered": "Population couverte (cumul)", "share_covered": "Part couverte (cumul, %)",
}


def suggestions_table(ranked: gpd.GeoDataFrame) -> pd.DataFrame:
    """French table of :func:`suggest_sites` (rank, place, population gained, cumulative cover)."""
    df = pd.DataFrame(ranked.drop(columns=ranked.geometry.name))
    df["share_covered"] = (df["share_covered"] * 100).round(1)
    cols = [c for c in _HEADERS if c in df.columns]
    return df[cols].rename(columns=_HEADERS)


def suggestions_markdown(ranked: gpd.GeoDataFrame) -> str:
    """Markdown report of :func:`suggest_sites`, with the coverage before any new site."""
    total = ranked.attrs.get("population_total", 0)
    before = ranked.attrs.get("population_covered_before", 0)
    km = number_fr(ranked.attrs.get("threshold_km", 0))
    share = decimal_fr(100 * before / total, 1) if total else "—"
    head = (f"# Où ouvrir un site de plus ({km} km)\n\n"
            f"Aujourd'hui : {integer_fr(before)} habitants sur {integer_fr(total)} à moins de {km} km d'un site "
            f"({share} %).\n\n")
    if len(ranked) == 0:
        return head + "Aucun lieu candidat ne couvre de population en zone blanche.\n"
    return head + markdown_table(suggestions_table(ranked))


def write_suggestions(ranked: gpd.GeoDataFrame, path: str | Path, fmt: str | None = None) -> Path:
    """Write :func:`suggest_sites` atomically as CSV, Markdown or a GeoPackage layer ``suggestions``."""
    return write_output(path, fmt, error=AccessError, csv=lambda: suggestions_table(ranked), md=lambda: suggestions_markdown(ranked),
                        gpkg=lambda: {"suggestions": ranked})
