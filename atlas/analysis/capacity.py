"""Access weighed by capacity: two-step floating catchment (2SFCA, E2SFCA) and zones grises.

A commune within 10 km of one saturated épicerie counts as covered for
:func:`atlas.analysis.coverage.zones_blanches`. The two-step floating catchment area method (Luo &
Wang 2003; enhanced with distance bands by Luo & Qi 2009) weighs each site's capacity by the demand
that can reach it:

1. for every site *j*, the ratio ``R_j = S_j / Σ_i w(d_ij) D_i`` of its capacity ``S_j`` (e.g.
   « bénéficiaires par semaine ») to the demand ``D_i`` (population, or people in need) of the
   origins within reach (``d_ij ≤ d0``);
2. for every origin *i*, the sum ``A_i = Σ_j w(d_ij) R_j`` over the sites it reaches: the capacity
   available per unit of demand (« places par semaine pour un habitant »).

``w`` is 1 within the threshold (2SFCA) or a step of distance bands (E2SFCA, e.g. 1 up to 5 km,
0.68 up to 10 km, 0.22 up to 15 km). The computation is PySAL's ``access`` package
(:meth:`access.Access.two_stage_fca`); this module builds its demand, supply and cost frames
(straight line, or along roads with :func:`atlas.analysis.reach.network_pairs`) and reads its
answer back.

A **zone grise** is an origin within reach of at least one site (so not a zone blanche) whose
``A_i`` is below a threshold (``min_ratio``): help is there but too small for the demand around it.
Origins reaching a site of unknown capacity get no verdict (``capacity_unknown``), never a guess.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from atlas.analysis.reach import as_frame, demand_weights, line_pairs, network_pairs
from atlas.crs import points_xy, to_l93
from atlas.errors import AccessError

__all__ = ["Catchment", "floating_catchment"]


@dataclass(eq=False)
class Catchment:
    """Capacity within reach of every origin (:func:`floating_catchment`).

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        The origins plus ``demand``, ``n_sites_reached``, ``capacity_per_demand`` (``A_i``; 0 where
        no site is reached), ``capacity_unknown`` (a reached site has no capacity), ``zone_blanche``
        (no site reached) and, with ``min_ratio``, ``zone_grise``.
    method : str
        « 2SFCA » or « E2SFCA ».
    threshold_label : str
        The catchment (« 10 km », « 15 min »).
    capacity_total, demand_total : float
        Known capacity of the sites; demand of the origins.
    n_sites_unknown_capacity : int
        Sites without a capacity.
    min_ratio : float or None
        The zone grise threshold (capacity per unit of demand).
    weights : str or None
        Name of the demand weights (None: the population).
    """

    frame: gpd.GeoDataFrame
    method: str
    threshold_label: str
    capacity_total: float
    demand_total: float
    n_sites_unknown_capacity: int
    min_ratio: float | None = None
    weights: str | None = None


def _capacity(sites: pd.DataFrame, column: str) -> np.ndarray:
    if column not in sites.columns:
        raise AccessError(f"colonne de capacité « {column} » absente des sites (bénéficiaires par semaine attendus)")
    raw = sites[column]
    text = raw.astype("string").str.strip().str.replace(",", ".", regex=False).replace("", pd.NA)
    values = pd.to_numeric(text, errors="coerce")
    bad = text.notna() & values.isna()
    arr = values.to_numpy(dtype=float, na_value=np.nan)
    bad |= pd.Series(~np.isnan(arr) & ((arr < 0) | ~np.isfinite(arr)), index=sites.index)
    if bad.any():
        rows = ", ".join(str(i + 1) for i in np.flatnonzero(bad.to_numpy())[:5])
        raise AccessError(f"capacité « {column} » illisible ou négative (site(s) n° {rows})")
    return arr


def _run_access(demand_df: pd.DataFrame, supply_df: pd.DataFrame, cost_df: pd.DataFrame, *, limit: float,
                bands: Mapping[float, float] | None) -> pd.DataFrame:
    """PySAL access's 2SFCA (or E2SFCA with ``bands``) on frames indexed by position."""
    from access import Access
    from access import weights as access_weights

    model = Access(demand_df=demand_df, demand_index="origin", demand_value="demand",
                       supply_df=supply_df, supply_index="site", supply_value="capacity",
                       cost_df=cost_df, cost_origin="origin", cost_dest="site", cost_name="cost")
    if bands is None:
        return model.two_stage_fca(name="fca", max_cost=limit)
    step = access_weights.step_fn({float(k): float(v) for k, v in bands.items()})
    return model.enhanced_two_stage_fca(name="fca", max_cost=limit, weight_fn=step)


def floating_catchment(
    origins: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    capacity: str = "capacity",
    threshold_km: float | None = 10.0,
    threshold_min: float | None = None,
    network: object | None = None,
    weights: str | pd.Series | None = None,
    bands: Mapping[float, float] | None = None,
    min_ratio: float | None = None,
) -> Catchment:
    """Capacity per unit of demand within reach of every origin (2SFCA / E2SFCA), and zones grises.

    Parameters
    ----------
    origins : GeoDataFrame
        Demand points with ``population`` (commune points, or a grid).
    sites : GeoDataFrame
        Sites with a capacity column (:func:`atlas.analysis.sites.select_sites`).
    capacity : str, default "capacity"
        Column of ``sites`` holding the capacity (e.g. beneficiaries per week); empty means unknown.
    threshold_km : float, default 10
        Catchment radius: straight line, or along roads with ``network``.
    threshold_min : float, optional
        Catchment in minutes along roads (needs ``network``).
    network : atlas.analysis.roads.RoadNetwork, optional
        Road network.
    weights : str or pandas.Series, optional
        Demand instead of the population (:func:`atlas.analysis.reach.demand_weights`).
    bands : mapping of float to float, optional
        E2SFCA distance bands ``{upper bound: weight}`` in the threshold's unit (km or min), e.g.
        ``{5: 1, 10: 0.68, 15: 0.22}``; the catchment is then the largest bound. Default: 2SFCA
        (weight 1 up to the threshold).
    min_ratio : float, optional
        Below this capacity per unit of demand, an origin within reach of a site is a zone grise.

    Returns
    -------
    Catchment
        ``frame``: ``origins`` plus ``demand``, ``n_sites_reached``, ``capacity_per_demand``,
        ``capacity_unknown``, ``zone_blanche`` and, with ``min_ratio``, ``zone_grise``.

    Raises
    ------
    AccessError
        Missing or unreadable capacity column, bad threshold or bands, minutes without network.
    """
    from atlas.analysis.distances import check_thresholds

    if "population" not in origins.columns:
        raise AccessError("les points d'origine doivent avoir une colonne « population »")
    if sites is None or len(as_frame(sites)) == 0:
        raise AccessError("aucun site pour mesurer la capacité à portée")
    sites = as_frame(sites)
    cap = _capacity(sites, capacity)
    unit = "min" if threshold_min is not None else "km"
    if bands is not None:
        if not bands or any(not np.isfinite(float(v)) or float(v) < 0 for v in bands.values()):
            raise AccessError("paliers de distance invalides (poids positifs attendus)")
        limit = check_thresholds(max(bands), unit)[0]
    else:
        limit = check_thresholds(threshold_min if unit == "min" else (10.0 if threshold_km is None else threshold_km),
                                 unit)[0]
    if unit == "min" and network is None:
        raise AccessError("un seuil en minutes demande un réseau routier (option --network)")
    pts = to_l93(origins)
    oxy = points_xy(pts)
    sxy = points_xy(to_l93(sites))
    demand, _ = demand_weights(pts, weights)
    if network is None:
        s_idx, o_idx, cost = line_pairs(sxy, oxy, limit * 1000.0)
        cost = cost / 1000.0
    elif unit == "min":
        s_idx, o_idx, cost = network_pairs(network, sxy, oxy, limit, weight="time_min")
    else:
        s_idx, o_idx, cost = network_pairs(network, sxy, oxy, limit * 1000.0, weight="length")
        cost = cost / 1000.0
    known = ~np.isnan(cap)
    n = len(pts)
    reached = np.bincount(o_idx, minlength=n)
    unknown_reached = np.bincount(o_idx[~known[s_idx]], minlength=n) > 0
    keep = known[s_idx]
    demand_df = pd.DataFrame({"origin": np.arange(n), "demand": demand})
    supply_df = pd.DataFrame({"site": np.arange(len(sites)), "capacity": np.nan_to_num(cap)})[known]
    cost_df = pd.DataFrame({"origin": o_idx[keep], "site": s_idx[keep], "cost": cost[keep]})
    score = np.zeros(n)
    if len(cost_df):
        logging.getLogger("access").setLevel(logging.WARNING)
        with warnings.catch_warnings():  # access 1.1 calls set_index(inplace=True), deprecated in pandas 3.1
            warnings.filterwarnings("ignore", message="The inplace keyword", module="access")
            res = _run_access(demand_df, supply_df, cost_df, limit=limit, bands=bands)
        score = res["fca_capacity"].reindex(np.arange(n)).to_numpy(dtype=float, na_value=np.nan)
        score = np.nan_to_num(score, nan=0.0, posinf=0.0)
    out = pts.copy()
    out["demand"] = demand
    out["n_sites_reached"] = reached
    out["capacity_per_demand"] = score
    out["capacity_unknown"] = unknown_reached
    out["zone_blanche"] = reached == 0
    if min_ratio is not None:
        out["zone_grise"] = (reached > 0) & ~unknown_reached & (score < float(min_ratio))
    name = None if weights is None else (weights if isinstance(weights, str)
                                         else str(getattr(weights, "name", None) or "poids"))
    return Catchment(frame=out, method="E2SFCA" if bands is not None else "2SFCA", threshold_label=f"{limit:g} {unit}",
                     capacity_total=float(np.nansum(cap)), demand_total=float(demand.sum()),
                     n_sites_unknown_capacity=int((~known).sum()), min_ratio=min_ratio, weights=name)
