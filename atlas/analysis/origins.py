"""Origin points (a population grid, any points) given to the communes they belong to, none lost.

Commune polygons are simplified: a grid point can fall in the thin gaps between two communes,
or just beyond the coast or the region's border. :func:`attach_origins` gives every point a
commune, in this order:

1. a point inside (or on the border of) a commune of the territory belongs to it;
2. a point inside another commune of the reference belongs to that commune, outside the
   territory asked for;
3. a point inside no commune but within :data:`ORIGIN_GAP_M` of one joins the nearest commune
   (in the territory or not);
4. a point farther than that from every commune lies **outside**: it is counted and reported,
   never silently dropped.

Points that come with an ``insee`` column keep it (step 2 applies to codes outside the
territory). Sums are made on the input values: the population of the points kept, of those in
other communes and of those outside add up to the population given.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from atlas.crs import to_l93
from atlas.fr import decimal_fr, integer_fr
from atlas.territory.reference import load_communes

logger = logging.getLogger(__name__)

__all__ = ["ORIGIN_GAP_M", "OriginReport", "attach_origins"]

#: Largest gap (m) between an origin point and the nearest commune polygon for the point to join it.
ORIGIN_GAP_M = 500.0


@dataclass(frozen=True)
class OriginReport:
    """What became of the origin points given to :func:`attach_origins`.

    Attributes
    ----------
    n_input, population_input : int, float
        Points given and their population (sum of the input values).
    n_kept, population_kept : int, float
        Points in a commune of the territory (their commune's population counts them).
    n_joined, population_joined : int, float
        Among the kept points, those outside every polygon that joined the nearest commune.
    n_elsewhere, population_elsewhere : int, float
        Points in (or joined to) a commune of the reference outside the territory.
    n_outside, population_outside : int, float
        Points farther than ``max_gap_m`` from every commune.
    max_gap_m : float
        The distance used (:data:`ORIGIN_GAP_M` by default).
    """

    n_input: int
    population_input: float
    n_kept: int
    population_kept: float
    n_joined: int
    population_joined: float
    n_elsewhere: int
    population_elsewhere: float
    n_outside: int
    population_outside: float
    max_gap_m: float = ORIGIN_GAP_M

    def attrs(self) -> dict[str, float]:
        """The report as plain numbers, for a frame's ``attrs`` (``origins_…`` keys)."""
        return {f"origins_{k}": v for k, v in self.__dict__.items()}

    def messages(self) -> list[str]:
        """French sentences for people (nothing when every point belongs to the territory)."""
        gap = f"{self.max_gap_m:g} m"
        out = []
        if self.n_joined:
            out.append(f"{_points(self.n_joined)} ({_people(self.population_joined)}) hors des contours "
                       f"simplifiés des communes, à moins de {gap}, {_word(self.n_joined, 'rattaché', 'rattachés')} à la "
                       "commune la plus proche.")
        if self.n_elsewhere:
            out.append(f"{_points(self.n_elsewhere)} ({_people(self.population_elsewhere)}) dans d'autres "
                       "communes que celles du territoire demandé : non comptés ici.")
        if self.n_outside:
            out.append(f"{_points(self.n_outside)} ({_people(self.population_outside)}) à plus de {gap} de "
                       "toute commune : hors du territoire, non comptés.")
        return out


def _word(n: float, singular: str, plural: str) -> str:
    return singular if abs(n) < 2 else plural


def _points(n: int) -> str:
    word = _word(n, "point d'origine", "points d'origine")
    return f"{integer_fr(n)} {word}"


def _people(population: float) -> str:
    value = integer_fr(population) if float(population).is_integer() else decimal_fr(population, 1)
    return f"{value} {_word(population, 'habitant', 'habitants')}"


def _fsum(values: np.ndarray) -> float:
    return math.fsum(values.tolist()) if len(values) else 0.0


def _first_match(hits: pd.DataFrame, n: int, column: str) -> np.ndarray:
    """For each of ``n`` points, the ``column`` of its first match in ``hits`` ("" when none)."""
    out = np.full(n, "", dtype=object)
    if len(hits):
        first = hits[~hits.index.duplicated(keep="first")]
        out[first.index.to_numpy()] = first[column].astype(str).to_numpy()
    return out


def _polygon_codes(xy: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, n: int) -> np.ndarray:
    """INSEE code of the commune each point (index: its position among ``n``) lies in or on
    ("" when none; on a shared border, the lowest code)."""
    hits = gpd.sjoin(xy, communes[["insee", "geometry"]], how="inner", predicate="intersects")
    return _first_match(hits.sort_values("insee", kind="stable"), n, "insee")


def attach_origins(
    origins: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    all_communes: gpd.GeoDataFrame | None = None,
    max_gap_m: float = ORIGIN_GAP_M,
    report: bool = True,
) -> tuple[gpd.GeoDataFrame, OriginReport]:
    """The origin points of ``communes`` (a territory) with their ``insee`` code, and what was left out.

    Parameters
    ----------
    origins : GeoDataFrame
        Points (or cells) with a ``population`` column (missing: 1 per point), and optionally
        an ``insee`` column, which is then trusted.
    communes : GeoDataFrame
        Communes of the territory (``insee``, polygons).
    all_communes : GeoDataFrame, optional
        Every commune the territory was chosen from, to tell a point of a neighbouring commune
        from a point in a gap; default the embedded reference
        (:func:`atlas.territory.reference.load_communes`).
    max_gap_m : float, default :data:`ORIGIN_GAP_M`
        A point outside every polygon but this close to one joins the nearest commune.
    report : bool, default True
        Say in French (the ``atlas`` logger) what was joined or left out.

    Returns
    -------
    (GeoDataFrame, OriginReport)
        The points of the territory, in Lambert-93, with their ``insee`` (same index as
        ``origins``); and the counts and populations of every outcome.
    """
    pts = to_l93(origins)
    n = len(pts)
    pop = (pd.to_numeric(pts["population"], errors="coerce").fillna(0).to_numpy(dtype=float)
           if "population" in pts.columns else np.ones(n))
    territory = set(communes["insee"].astype(str))
    joined = np.zeros(n, dtype=bool)
    if "insee" in pts.columns:
        codes = pts["insee"].astype(str).to_numpy(dtype=object)
    else:
        xy = gpd.GeoDataFrame(geometry=pts.geometry.to_numpy(), crs=pts.crs)
        codes = _polygon_codes(xy, communes, n)
        todo = codes == ""
        if todo.any():
            others = all_communes if all_communes is not None else load_communes()
            others = to_l93(others)
            others = others[~others["insee"].astype(str).isin(territory)]
            every = pd.concat([communes[["insee", "geometry"]], others[["insee", "geometry"]]], ignore_index=True)
            if len(others):
                codes[todo] = _polygon_codes(xy[todo], others, n)[todo]
            gap = todo.copy()
            gap[todo] = codes[todo] == ""
            if gap.any():
                near = gpd.sjoin_nearest(xy[gap], every, how="inner", max_distance=max_gap_m)
                found = _first_match(near.sort_values("insee", kind="stable"), n, "insee")
                codes[gap] = found[gap]
                joined = gap & (codes != "")
    kept = np.isin(codes, list(territory))
    outside = codes == ""
    elsewhere = ~kept & ~outside
    rep = OriginReport(
        n_input=n, population_input=_fsum(pop), n_kept=int(kept.sum()), population_kept=_fsum(pop[kept]),
        n_joined=int((joined & kept).sum()), population_joined=_fsum(pop[joined & kept]),
        n_elsewhere=int(elsewhere.sum()), population_elsewhere=_fsum(pop[elsewhere]),
        n_outside=int(outside.sum()), population_outside=_fsum(pop[outside]), max_gap_m=max_gap_m,
    )
    if report:
        for message in rep.messages():
            logger.info(message)
    out = pts[kept].copy()
    out["insee"] = codes[kept].astype(str)
    return out, rep
