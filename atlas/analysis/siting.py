"""Where to act: maximal covering and set covering solved exactly, each answer with its proven gap.

Two location problems on the same data (Church & ReVelle 1974; Toregas et al. 1971):

* :func:`maximal_covering` — open ``k`` new sites among candidate places so that the most
  demand (population, or a weight such as poor households) lies within reach of a site;
* :func:`set_covering` — the fewest new sites bringing everyone within reach (or a given share of
  the population).

Existing and planned sites are fixed: the demand they already reach counts as covered and is
not sought again. Coverage is a sparse candidates × origins matrix
(:mod:`atlas.analysis.reach`: straight line, or along roads in km or minutes).

Solvers and what they guarantee
-------------------------------
``method="exact"`` solves the integer programme with HiGHS (through :func:`scipy.optimize.milp`)
under a time limit. HiGHS returns its best solution and a **proven bound** on the optimum (the
dual bound of its branch and bound); when both meet, the answer is optimal, else its gap to the
bound is stated (« à 0,4 % au plus de l'optimum »). ``method="greedy"`` takes the candidate that
adds most, one after the other (a (1 − 1/e)-approximation for maximal covering, ln n for set
covering); its bound is the optimum of the linear relaxation, solved by HiGHS too, so the greedy
answer states its gap as well. Before solving, demand points with the same set of covering
candidates are merged (their weights added) and candidates with the same coverage set are
merged (the first kept): the optimum is unchanged.

The value reported for maximal covering is the demand *newly* covered (beyond the fixed sites),
recomputed from the chosen sites and the coverage matrix, never read from the solver; the gap is
relative to the optimum of that gain (``(bound − value) / bound`` is an upper bound of
``(optimum − value) / optimum``). For set covering, the value is the number of new sites and the
bound the rounded-up dual bound (``(value − bound) / value``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from atlas.analysis.reach import coverage_matrix, covered_by, demand_weights, network_coverage_matrix
from atlas.crs import L93, points_xy
from atlas.errors import AccessError
from atlas.fr import decimal_fr, integer_fr, number_fr

__all__ = [
    "METHODS",
    "Siting",
    "Solution",
    "maximal_covering",
    "set_covering",
    "siting_markdown",
    "siting_table",
    "write_siting",
]

#: Solution methods: HiGHS branch and bound, or the greedy heuristic with its LP bound.
METHODS = ("exact", "greedy")

#: Default time limit of the exact solver (seconds).
TIME_LIMIT_S = 60.0

_EPS = 1e-9


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Solution:
    """How good a siting answer is: its value, a proven bound on the optimum and the gap between.

    Attributes
    ----------
    problem : {"maximal_covering", "set_covering", "round"}
        ``round``: a mobile round (:func:`atlas.analysis.rounds.plan_round`), a maximisation whose
        greedy bound is the coverage without driving limit.
    method : {"exact", "greedy"}
    value : float
        Maximal covering: demand newly covered by the new sites. Set covering: number of new sites.
    bound : float
        Proven bound on the optimum of ``value``: an upper bound (maximal covering) or a lower
        bound (set covering).
    status : {"optimal", "time_limit", "heuristic"}
        ``optimal``: HiGHS proved it; ``time_limit``: stopped at the limit with a gap;
        ``heuristic``: greedy answer (its bound is the linear relaxation's).
    seconds : float
        Solving time (greedy and bound included), wall clock.
    time_limit_s : float or None
        The exact solver's limit.
    """

    problem: str
    method: str
    value: float
    bound: float
    status: str
    seconds: float
    time_limit_s: float | None = None

    @property
    def gap(self) -> float:
        """Relative gap to the proven bound (0 when the answer is optimal)."""
        if self.problem != "set_covering":
            if self.bound <= 0:
                return 0.0
            return max(0.0, (self.bound - self.value) / self.bound)
        if self.value <= 0:
            return 0.0
        return max(0.0, (self.value - self.bound) / self.value)

    @property
    def proven(self) -> bool:
        """The value equals the bound: the answer is an optimum."""
        return self.gap <= 1e-7

    def gap_fr(self) -> str:
        """The gap in French, rounded up (« 0,4 % »): never smaller than the true gap."""
        pct = 100 * self.gap
        digits = 1 if pct >= 0.1 else 2
        up = math.ceil(pct * 10**digits - 1e-6) / 10**digits
        return f"{decimal_fr(up, digits)} %"

    def sentence(self) -> str:
        """One French sentence: « optimum prouvé » or « à 0,4 % au plus de l'optimum », and why."""
        secs = f"{decimal_fr(self.seconds, 1)} s"
        if self.problem != "set_covering":
            bound = integer_fr(math.floor(self.bound + 1e-6))
        else:
            bound = f"au moins {integer_fr(self.bound)} site{'s' if self.bound > 1 else ''}"
        if self.method == "greedy" and self.problem == "round":
            if self.proven:
                return f"Méthode gloutonne : optimum prouvé (égal à la meilleure couverture sans limite de conduite ; {secs})."
            return (f"Méthode gloutonne : à {self.gap_fr()} au plus de l'optimum (borne : la meilleure couverture avec "
                    f"autant d'arrêts sans limite de conduite, {bound} ; {secs}).")
        if self.method == "greedy":
            if self.proven:
                return f"Méthode gloutonne : optimum prouvé (égal à la borne de la relaxation linéaire, {bound} ; {secs})."
            return (f"Méthode gloutonne : à {self.gap_fr()} au plus de l'optimum "
                    f"(borne de la relaxation linéaire : {bound} ; {secs}).")
        if self.proven:
            return f"Optimum prouvé par HiGHS (borne : {bound} ; {secs})."
        why = f"limite de temps de {number_fr(self.time_limit_s or 0)} s atteinte ; " if self.status == "time_limit" else ""
        return f"À {self.gap_fr()} au plus de l'optimum (HiGHS, {why}borne prouvée : {bound} ; {secs})."

    def as_dict(self) -> dict[str, object]:
        """Plain values (the fields, ``gap``, ``proven`` and ``sentence``), e.g. for a one-row table."""
        return {**asdict(self), "gap": self.gap, "proven": self.proven, "sentence": self.sentence()}


@dataclass(eq=False)
class Siting:
    """New sites proposed by :func:`maximal_covering` or :func:`set_covering`, and how good they are.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        The new sites, ordered by what each adds after the previous ones: the candidate's columns
        and point, ``rank`` (1…), ``population_gained``, ``population_covered`` (cumulative, fixed
        sites included), ``share_covered`` (0–1); with weights also ``demand_gained`` and
        ``demand_share_covered``.
    solution : Solution
        Value, proven bound, gap, status, time.
    population_total : int
        Population of the origins.
    population_covered_before : int
        Population already within reach of a fixed (existing or planned) site.
    threshold_label : str
        The reach, in French (« 10 km », « 15 min »).
    k : int or None
        Sites asked (maximal covering).
    share_target : float or None
        Share asked (set covering; None: everyone reachable).
    population_unreachable : int
        Population no candidate nor fixed site reaches (set covering).
    weights : str or None
        Name of the demand weights (None: the population).
    demand_total, demand_covered_before : float or None
        With weights: the demand, and the part fixed sites already reach.
    weights_missing : int
        Origin points without a weight (counted 0).
    """

    frame: gpd.GeoDataFrame
    solution: Solution
    population_total: int
    population_covered_before: int
    threshold_label: str
    k: int | None = None
    share_target: float | None = None
    population_unreachable: int = 0
    weights: str | None = None
    demand_total: float | None = None
    demand_covered_before: float | None = None
    weights_missing: int = 0

    def __len__(self) -> int:
        return len(self.frame)


# --------------------------------------------------------------------------------------------
# The reduced problem
# --------------------------------------------------------------------------------------------


@dataclass
class _Problem:
    """Candidates × demand groups: ``B`` (groups × kept candidates), group weights, kept candidates."""

    B: sparse.csr_matrix
    w: np.ndarray
    cand: np.ndarray  # indices of the kept candidates in the original candidates
    integral: bool


def _reduce(cover: sparse.csr_matrix, weight: np.ndarray) -> _Problem:
    """Merge demand points with the same covering candidates, and candidates with the same coverage."""
    cover = cover.tocsr()
    cover.sum_duplicates()
    cover.sort_indices()
    demand = np.flatnonzero(weight > 0)
    ct = cover[:, demand].T.tocsr()  # demand × candidates
    ct.sort_indices()
    groups: dict[bytes, int] = {}
    gid = np.full(len(demand), -1)
    for r in range(ct.shape[0]):
        idx = ct.indices[ct.indptr[r]:ct.indptr[r + 1]]
        if len(idx) == 0:
            continue
        gid[r] = groups.setdefault(idx.tobytes(), len(groups))
    keep = gid >= 0
    w = np.bincount(gid[keep], weights=weight[demand[keep]], minlength=len(groups))
    # groups × candidates: row g = candidates covering group g
    first = np.flatnonzero(keep)[np.unique(gid[keep], return_index=True)[1]]
    b = ct[first]
    # candidates with the same set of groups: keep the first
    bc = b.T.tocsr()
    bc.sort_indices()
    seen: set[bytes] = set()
    cand = []
    for j in range(bc.shape[0]):
        idx = bc.indices[bc.indptr[j]:bc.indptr[j + 1]]
        if len(idx) == 0:
            continue
        key = idx.tobytes()
        if key not in seen:
            seen.add(key)
            cand.append(j)
    cand_arr = _undominated(bc[cand], np.asarray(cand, dtype=int))
    integral = bool(np.allclose(weight, np.round(weight)))
    return _Problem(B=b[:, cand_arr].tocsr(), w=w, cand=cand_arr, integral=integral)


def _undominated(bc: sparse.csr_matrix, cand: np.ndarray) -> np.ndarray:
    """Candidates (rows of ``bc``, all distinct) whose groups are not a strict subset of another's.

    A dominated candidate can be swapped for its dominant in any solution without losing
    coverage, so both problems keep their optimum without it.
    """
    size = np.asarray(bc.sum(axis=1)).ravel()
    overlap = (bc @ bc.T).tocoo()  # shared groups of every pair
    sub = (overlap.data == size[overlap.row]) & (overlap.row != overlap.col) & (size[overlap.col] > size[overlap.row])
    dominated = np.zeros(len(cand), dtype=bool)
    dominated[overlap.row[sub]] = True
    return cand[~dominated]


def _gains(b: sparse.csr_matrix, w: np.ndarray, chosen: np.ndarray) -> float:
    """Weight of the groups reached by the ``chosen`` columns of ``b``."""
    if len(chosen) == 0:
        return 0.0
    hit = np.asarray(b[:, chosen].sum(axis=1)).ravel() > 0
    return float(w[hit].sum())


def _greedy(b: sparse.csr_matrix, w: np.ndarray, *, k: int | None = None, target: float | None = None,
            among: np.ndarray | None = None) -> list[int]:
    """Columns of ``b`` picked one by one, each adding the most weight; stop at ``k`` or ``target``."""
    bc = b.T.tocsr()
    left = w.astype(float).copy()
    chosen: list[int] = []
    allowed = np.ones(bc.shape[0], dtype=bool) if among is None else np.isin(np.arange(bc.shape[0]), among)
    got = 0.0
    while (k is None or len(chosen) < k) and (target is None or got < target - 1e-9):
        gains = bc @ left
        gains[~allowed] = -1.0
        best = int(np.argmax(gains)) if len(gains) else -1
        if best < 0 or gains[best] <= _EPS:
            break
        chosen.append(best)
        got += float(gains[best])
        allowed[best] = False
        left[bc.indices[bc.indptr[best]:bc.indptr[best + 1]]] = 0.0
    return chosen


def _options(time_limit_s: float | None) -> dict[str, object]:
    opts: dict[str, object] = {"disp": False, "mip_rel_gap": 0.0, "presolve": True}
    if time_limit_s is not None:
        opts["time_limit"] = float(time_limit_s)
    return opts


def _mclp_model(p: _Problem, k: int, integer: bool) -> dict[str, object]:
    n, m = p.B.shape[1], p.B.shape[0]
    c = np.concatenate([np.zeros(n), -p.w])
    link = sparse.hstack([-p.B, sparse.identity(m, format="csr")], format="csr")  # y_g - Σ x_j ≤ 0
    budget = sparse.csr_matrix(np.concatenate([np.ones(n), np.zeros(m)]))
    cons = [LinearConstraint(link, -np.inf, 0.0), LinearConstraint(budget, -np.inf, float(k))]
    integrality = np.concatenate([np.ones(n) if integer else np.zeros(n), np.zeros(m)])
    return {"c": c, "constraints": cons, "integrality": integrality, "bounds": Bounds(0.0, 1.0)}


def _cover_model(p: _Problem, target: float | None, integer: bool) -> dict[str, object]:
    n, m = p.B.shape[1], p.B.shape[0]
    if target is None:  # every group: Σ x_j ≥ 1
        return {"c": np.ones(n), "constraints": [LinearConstraint(p.B, 1.0, np.inf)],
                "integrality": np.ones(n) if integer else np.zeros(n), "bounds": Bounds(0.0, 1.0)}
    c = np.concatenate([np.ones(n), np.zeros(m)])
    link = sparse.hstack([-p.B, sparse.identity(m, format="csr")], format="csr")
    need = sparse.csr_matrix(np.concatenate([np.zeros(n), p.w]))
    cons = [LinearConstraint(link, -np.inf, 0.0), LinearConstraint(need, float(target), np.inf)]
    integrality = np.concatenate([np.ones(n) if integer else np.zeros(n), np.zeros(m)])
    return {"c": c, "constraints": cons, "integrality": integrality, "bounds": Bounds(0.0, 1.0)}


def _solve(model: dict[str, object], time_limit_s: float | None) -> object:
    res = milp(**model, options=_options(time_limit_s))  # type: ignore[arg-type]
    if res.status not in (0, 1):
        raise AccessError(f"le solveur HiGHS a échoué : {res.message}")
    return res


def _solve_mclp(p: _Problem, k: int, method: str, time_limit_s: float | None) -> tuple[list[int], float, str]:
    """(chosen columns of ``p.B``, upper bound on the gain, status)."""
    greedy = _greedy(p.B, p.w, k=k)
    total = float(p.w.sum())
    if method == "greedy" or len(greedy) == 0 or _gains(p.B, p.w, np.asarray(greedy)) >= total - _EPS:
        if len(greedy) == 0 or _gains(p.B, p.w, np.asarray(greedy)) >= total - _EPS:
            return greedy, _gains(p.B, p.w, np.asarray(greedy)), "optimal"
        lp = _solve(_mclp_model(p, k, integer=False), None)
        return greedy, min(total, -float(lp.fun)), "heuristic"
    res = _solve(_mclp_model(p, k, integer=True), time_limit_s)
    n = p.B.shape[1]
    chosen = greedy
    if res.x is not None:
        exact = list(np.flatnonzero(res.x[:n] > 0.5))
        if _gains(p.B, p.w, np.asarray(exact, dtype=int)) > _gains(p.B, p.w, np.asarray(greedy)):
            chosen = exact
    dual = getattr(res, "mip_dual_bound", None)
    bound = total if dual is None or not np.isfinite(dual) else min(total, -float(dual))
    if res.status != 0 and bound >= total - _EPS:  # stopped before its root relaxation: take the LP's
        bound = min(bound, -float(_solve(_mclp_model(p, k, integer=False), None).fun))
    return chosen, bound, "optimal" if res.status == 0 else "time_limit"


def _solve_cover(p: _Problem, target: float | None, method: str, time_limit_s: float | None
                 ) -> tuple[list[int], float, str]:
    """(chosen columns, lower bound on the number of sites, status)."""
    if target is None:  # every group: the classic greedy, most groups newly reached first (ln n factor)
        greedy = _greedy(p.B, np.ones(len(p.w)), target=float(len(p.w)))
    else:
        greedy = _greedy(p.B, p.w, target=target)
    if len(greedy) <= 1:  # nothing or one site: the LP gives no better bound than this
        return greedy, float(len(greedy)), "optimal"
    if method == "greedy":
        lp = _solve(_cover_model(p, target, integer=False), None)
        return greedy, float(math.ceil(float(lp.fun) - 1e-6)), "heuristic"
    res = _solve(_cover_model(p, target, integer=True), time_limit_s)
    n = p.B.shape[1]
    chosen = greedy
    if res.x is not None:
        exact = list(np.flatnonzero(res.x[:n] > 0.5))
        if len(exact) < len(greedy):
            chosen = exact
    dual = getattr(res, "mip_dual_bound", None)
    bound = 1.0 if dual is None or not np.isfinite(dual) else float(math.ceil(float(dual) - 1e-6))
    if res.status != 0 and bound <= 1.0:  # stopped before its root relaxation: take the LP's
        bound = max(bound, float(math.ceil(float(_solve(_cover_model(p, target, integer=False), None).fun) - 1e-6)))
    return chosen, max(bound, 1.0), "optimal" if res.status == 0 else "time_limit"


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


@dataclass
class _Inputs:
    cover: sparse.csr_matrix  # candidates × origins
    pop: np.ndarray
    weight: np.ndarray
    before: np.ndarray  # origins covered by the fixed sites
    cxy: np.ndarray
    radius_label: str
    missing_weights: int


def _inputs(origins: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, *,
            sites: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame] | None, threshold_km: float | None, threshold_min: float | None,
            network: object | None, weights: str | pd.Series | None) -> _Inputs:
    from atlas.analysis.distances import check_thresholds

    if "population" not in origins.columns:
        raise AccessError("les points d'origine doivent avoir une colonne « population »")
    if candidates is None or len(candidates) == 0:
        raise AccessError("aucun lieu candidat pour un nouveau site")
    if threshold_min is not None:
        if network is None:
            raise AccessError("un seuil en minutes demande un réseau routier (option --network)")
        minutes = check_thresholds(threshold_min, "min")[0]

        def cover(a: np.ndarray, b: np.ndarray) -> sparse.csr_matrix:
            return network_coverage_matrix(network, a, b, minutes, weight="time_min")

        label = f"{number_fr(minutes)} min"
    else:
        km = check_thresholds(10.0 if threshold_km is None else threshold_km, "km")[0]
        if network is not None:
            def cover(a: np.ndarray, b: np.ndarray) -> sparse.csr_matrix:
                return network_coverage_matrix(network, a, b, km * 1000.0, weight="length")
        else:
            def cover(a: np.ndarray, b: np.ndarray) -> sparse.csr_matrix:
                return coverage_matrix(a, b, km * 1000.0)
        label = f"{number_fr(km)} km"
    oxy = points_xy(origins)
    pop = pd.to_numeric(origins["population"], errors="coerce").fillna(0).to_numpy(dtype=float)
    weight, missing = demand_weights(origins, weights)
    fixed = [sites] if sites is None or not isinstance(sites, (list, tuple)) else list(sites)
    before = np.zeros(len(oxy), dtype=bool)
    for frame in fixed:
        before |= covered_by(frame, oxy, cover)
    cxy = points_xy(candidates)
    return _Inputs(cover=cover(cxy, oxy), pop=pop, weight=weight, before=before, cxy=cxy, radius_label=label,
                   missing_weights=missing)


def _ranked(candidates: gpd.GeoDataFrame, inp: _Inputs, chosen: np.ndarray, solution: Solution,
            weights: str | pd.Series | None) -> Siting:
    """The chosen candidates, ordered by what each adds after the previous ones (greedy among them)."""
    left_w = np.where(inp.before, 0.0, inp.weight)
    left_p = np.where(inp.before, 0.0, inp.pop)
    cover = inp.cover.tocsr()
    order: list[int] = []
    gained_w: list[float] = []
    gained_p: list[float] = []
    todo = [int(c) for c in chosen]
    while todo:
        gains = np.array([float(left_w[cover.indices[cover.indptr[c]:cover.indptr[c + 1]]].sum()) for c in todo])
        best = int(np.argmax(gains))
        c = todo.pop(best)
        idx = cover.indices[cover.indptr[c]:cover.indptr[c + 1]]
        if gains[best] <= _EPS and float(left_p[idx].sum()) <= _EPS:
            continue  # a site that adds nothing is not proposed
        order.append(c)
        gained_w.append(float(gains[best]))
        gained_p.append(float(left_p[idx].sum()))
        left_w[idx] = 0.0
        left_p[idx] = 0.0
    total = float(inp.pop.sum())
    before = float(inp.pop[inp.before].sum())
    out = candidates.iloc[order].copy()
    if out.geometry.name in out.columns:
        out = out.set_geometry(gpd.points_from_xy(inp.cxy[order, 0], inp.cxy[order, 1], crs=L93))
    out.insert(0, "rank", np.arange(1, len(order) + 1))
    out["population_gained"] = np.round(gained_p).astype("int64")
    cumul = before + np.cumsum(gained_p) if order else np.zeros(0)
    out["population_covered"] = np.round(cumul).astype("int64")
    out["share_covered"] = cumul / total if total > 0 else np.nan
    extra: dict[str, object] = {}
    if weights is not None:
        out["demand_gained"] = np.asarray(gained_w)
        wsum = float(inp.weight.sum())
        wbefore = float(inp.weight[inp.before].sum())
        cum_w = wbefore + np.cumsum(gained_w) if order else np.zeros(0)
        out["demand_share_covered"] = cum_w / wsum if wsum > 0 else np.nan
        name = weights if isinstance(weights, str) else str(getattr(weights, "name", None) or "poids")
        extra = {"weights": name, "demand_total": wsum, "demand_covered_before": wbefore,
                 "weights_missing": inp.missing_weights}
    frame = gpd.GeoDataFrame(out, geometry=out.geometry.name, crs=L93)
    return Siting(frame=frame, solution=solution, population_total=int(round(total)),
                  population_covered_before=int(round(before)), threshold_label=inp.radius_label, **extra)


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise AccessError(f"méthode inconnue : « {method} » (attendu : exacte ou glouton)")


def _check_time(time_limit_s: float | None) -> None:
    if time_limit_s is not None and not (isinstance(time_limit_s, (int, float)) and time_limit_s > 0):
        raise AccessError(f"limite de temps invalide : « {time_limit_s} » (secondes > 0 attendues)")


def maximal_covering(
    origins: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    *,
    k: int = 5,
    sites: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame] | None = None,
    threshold_km: float | None = 10.0,
    threshold_min: float | None = None,
    network: object | None = None,
    weights: str | pd.Series | None = None,
    method: str = "exact",
    time_limit_s: float | None = TIME_LIMIT_S,
) -> Siting:
    """Open ``k`` new sites among the candidates so that the most demand is within reach.

    Parameters
    ----------
    origins : GeoDataFrame
        Demand points with ``population`` (commune points of
        :func:`atlas.analysis.distances.commune_origins`, or a grid).
    candidates : GeoDataFrame
        Candidate places (points; polygons are reduced to a point inside them), with any columns
        (``insee``, ``name``, ``id``…), kept in the output. See :func:`atlas.analysis.reach.grid_candidates`.
    k : int, default 5
        Number of new sites.
    sites : GeoDataFrame or list of GeoDataFrame, optional
        Fixed sites — existing ones and those already planned (``[existing, planned]``): the
        demand they reach is already covered. Selected sites holding their points in ``frame``
        are taken too (:func:`atlas.analysis.reach.as_frame`).
    threshold_km : float, default 10
        Reach of a site: straight line, or along roads with ``network``.
    threshold_min : float, optional
        Reach in minutes along roads (needs ``network``); replaces ``threshold_km``.
    network : atlas.analysis.roads.RoadNetwork, optional
        Road network.
    weights : str or pandas.Series, optional
        Demand instead of the population (:func:`atlas.analysis.reach.demand_weights`).
    method : {"exact", "greedy"}, default "exact"
        HiGHS branch and bound, or the greedy heuristic (see the module notes).
    time_limit_s : float or None, default 60
        Time limit of the exact solver; at the limit, the best solution found is returned with its gap.

    Returns
    -------
    Siting
        ``frame``: at most ``k`` new sites (fewer when more sites add nothing), ordered by what
        each adds after the previous ones; ``solution.value`` is the demand they newly reach,
        ``solution.bound`` the proven upper bound of that gain, ``solution.sentence()`` says it in French.

    Raises
    ------
    AccessError
        Bad threshold, ``k``, method, weights or time limit; no candidate; origins without population.
    """
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise AccessError(f"nombre de sites à proposer invalide : {k!r} (entier ≥ 1 attendu)")
    _check_method(method)
    _check_time(time_limit_s)
    start = time.perf_counter()
    inp = _inputs(origins, candidates, sites=sites, threshold_km=threshold_km,
                  threshold_min=threshold_min, network=network, weights=weights)
    p = _reduce(inp.cover, np.where(inp.before, 0.0, inp.weight))
    cols, bound, status = _solve_mclp(p, int(k), method, time_limit_s)
    chosen = p.cand[np.asarray(cols, dtype=int)]
    value = _gains(p.B, p.w, np.asarray(cols, dtype=int))
    if p.integral:
        bound = math.floor(bound + 1e-6)
    solution = Solution("maximal_covering", method, value, max(bound, value), status,
                        time.perf_counter() - start, time_limit_s if method == "exact" else None)
    out = _ranked(candidates, inp, chosen, solution, weights)
    out.k = int(k)
    return out


def set_covering(
    origins: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    *,
    share: float | None = None,
    sites: gpd.GeoDataFrame | Sequence[gpd.GeoDataFrame] | None = None,
    threshold_km: float | None = 10.0,
    threshold_min: float | None = None,
    network: object | None = None,
    weights: str | pd.Series | None = None,
    method: str = "exact",
    time_limit_s: float | None = TIME_LIMIT_S,
) -> Siting:
    """The fewest new sites bringing everyone (or a share of the demand) within reach.

    Parameters
    ----------
    origins, candidates, sites, threshold_km, threshold_min, network, weights, method, time_limit_s
        As for :func:`maximal_covering`.
    share : float, optional
        Share of the demand (0–1, fixed sites included) to bring within reach. None: every
        demand point that some candidate reaches (those no candidate reaches are counted in
        ``population_unreachable``).

    Returns
    -------
    Siting
        ``frame``: the new sites, ordered as for :func:`maximal_covering`; ``solution.value`` is
        their number, ``solution.bound`` the proven minimum number; ``population_unreachable`` the
        population no candidate nor fixed site reaches; ``share_target`` the share asked.

    Raises
    ------
    AccessError
        As :func:`maximal_covering`; a share outside ]0, 1], or one that even a site at every
        candidate would not reach.
    """
    if share is not None and not (isinstance(share, (int, float)) and 0 < share <= 1):
        raise AccessError(f"part de la population à couvrir invalide : « {share} » (entre 0 et 100 %)")
    _check_method(method)
    _check_time(time_limit_s)
    start = time.perf_counter()
    inp = _inputs(origins, candidates, sites=sites, threshold_km=threshold_km,
                  threshold_min=threshold_min, network=network, weights=weights)
    left = np.where(inp.before, 0.0, inp.weight)
    p = _reduce(inp.cover, left)
    reach = np.asarray(inp.cover.sum(axis=0)).ravel() > 0
    unreachable = float(inp.pop[~inp.before & ~reach].sum())
    target = None
    if share is not None:
        wsum = float(inp.weight.sum())
        need = share * wsum - float(inp.weight[inp.before].sum())
        best = float(p.w.sum())
        if need > best + 1e-6:
            most = (float(inp.weight[inp.before].sum()) + best) / wsum if wsum else 0.0
            raise AccessError(f"même avec un site sur chaque lieu candidat, {decimal_fr(100 * most, 1)} % seulement "
                              f"de la demande serait à portée (part demandée : {decimal_fr(100 * share, 1)} %)")
        target = max(need, 0.0)
        if p.integral:
            target = math.ceil(target - 1e-9)
    if target is not None and target <= 0:
        cols, bound, status = [], 0.0, "optimal"
    else:
        cols, bound, status = _solve_cover(p, target, method, time_limit_s)
    chosen = p.cand[np.asarray(cols, dtype=int)]
    solution = Solution("set_covering", method, float(len(cols)), min(bound, float(len(cols))), status,
                        time.perf_counter() - start, time_limit_s if method == "exact" else None)
    out = _ranked(candidates, inp, chosen, solution, weights)
    out.population_unreachable = int(round(unreachable))
    out.share_target = share
    return out


# --------------------------------------------------------------------------------------------
# Tables for people
# --------------------------------------------------------------------------------------------

_HEADERS = {
    "rank": "Rang", "name": "Lieu", "id": "Identifiant", "insee": "Code INSEE", "epci_name": "EPCI",
    "population_gained": "Population sortie des zones blanches",
    "population_covered": "Population couverte (cumul)", "share_covered": "Part couverte (cumul, %)",
    "demand_gained": "Demande couverte en plus", "demand_share_covered": "Part de la demande couverte (cumul, %)",
}


def siting_table(result: Siting) -> pd.DataFrame:
    """French table of :func:`maximal_covering` or :func:`set_covering` (shares in %)."""
    ranked = result.frame
    df = pd.DataFrame(ranked.drop(columns=ranked.geometry.name))
    for col in ("share_covered", "demand_share_covered"):
        if col in df.columns:
            df[col] = (df[col] * 100).round(1)
    if "demand_gained" in df.columns:
        df["demand_gained"] = df["demand_gained"].round(1)
    cols = [c for c in _HEADERS if c in df.columns]
    return df[cols].rename(columns=_HEADERS)


def siting_markdown(result: Siting) -> str:
    """Markdown report: coverage before, the sites, and how good the answer is (its proven gap)."""
    from atlas.io import markdown_table

    r = result
    reach = r.threshold_label
    share = decimal_fr(100 * r.population_covered_before / r.population_total, 1) if r.population_total else "—"
    if r.solution.problem == "set_covering":
        goal = ("toute la population à portée" if r.share_target is None
                else f"{decimal_fr(100 * r.share_target, 1)} % de la demande")
        title = f"# Le moins de sites pour couvrir {goal} ({reach})"
    else:
        k = r.k or len(r)
        title = f"# Où ouvrir {k} site{'s' if k > 1 else ''} de plus ({reach})"
    lines = [title, "", f"Aujourd'hui : {integer_fr(r.population_covered_before)} habitants sur "
             f"{integer_fr(r.population_total)} à moins de {reach} d'un site existant ou prévu ({share} %)."]
    if r.weights is not None:
        lines.append(f"Demande pondérée par « {r.weights} » : {decimal_fr(r.demand_covered_before or 0, 0)} "
                     f"sur {decimal_fr(r.demand_total or 0, 0)} déjà à portée.")
        if r.weights_missing:
            lines.append(f"{integer_fr(r.weights_missing)} point(s) d'origine sans poids, comptés 0.")
    if r.population_unreachable:
        lines.append(f"{integer_fr(r.population_unreachable)} habitants ne sont à portée d'aucun lieu candidat.")
    if r.solution.problem == "set_covering":
        n = int(r.solution.value)
        lines.append(f"{integer_fr(n)} nouveau{'x' if n > 1 else ''} site{'s' if n > 1 else ''}.")
    else:
        lines.append(f"Population sortie des zones blanches : {integer_fr(r.frame['population_gained'].sum())}.")
    lines += [r.solution.sentence(), "", ""]
    if len(r) == 0:
        return "\n".join(lines) + "Aucun nouveau site n'est utile.\n"
    return "\n".join(lines) + markdown_table(siting_table(r))


def write_siting(result: Siting, path: str | Path, fmt: str | None = None) -> Path:
    """Write :func:`maximal_covering` / :func:`set_covering` atomically: CSV, Markdown or GeoPackage
    (layer ``suggestions``, with the solution report in a one-row table ``solution``)."""
    from atlas.io import write_output

    def layers() -> dict[str, pd.DataFrame]:
        return {"suggestions": result.frame, "solution": pd.DataFrame([result.solution.as_dict()])}

    return write_output(path, fmt, error=AccessError, csv=lambda: siting_table(result),
                        md=lambda: siting_markdown(result), gpkg=layers)
