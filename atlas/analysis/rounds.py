"""Mobile rounds: a truck's week, the stops chosen and ordered day by day, with a proven bound.

A truck leaves its depot on each day of operation, makes at most ``stops_per_day`` stops,
stays ``stop_min`` minutes at each and comes back, driving at most ``max_drive_min`` minutes that
day. A stop brings within reach (``threshold_km``) the people of the zones blanches **of that
day** — the origins no existing site open that day reaches, as ``atlas gaps --semaine`` counts
them — and each place is a stop on one day of the week at most. :func:`plan_round` chooses and
orders the stops so that the sum over the days of the population newly within reach is largest.

Solvers and what they guarantee
-------------------------------
``method="greedy"`` (any size): the (day, stop) pair adding most population is inserted where it
lengthens that day's drive least (cheapest insertion), as long as the drive and the number of
stops allow; each day's order is then shortened by 2-opt; last, a local search replaces a stop
by an unused place whenever the day gains and the drive still fits. ``method="exact"`` (small instances:
at most :data:`EXACT_MAX_CANDIDATES` useful candidates): one integer programme (HiGHS) with a
route per day (Miller–Tucker–Zemlin subtour constraints), the driving limit and the coverage.
Either way the answer states a **proven bound**: the exact programme's dual bound, or, for the
greedy answer, the sum over the days of the best coverage with ``stops_per_day`` stops and no
driving limit (each day's maximal covering solved by HiGHS,
:func:`atlas.analysis.siting.maximal_covering`, its proven bound taken) — the gap to it is an
upper bound of the gap to the optimum (loose when the driving limit binds).

Drive times: straight line × ``detour`` at ``speed_kmh`` (stated in the result), or along roads
with a :class:`~atlas.analysis.roads.RoadNetwork` (its travel times).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from atlas.analysis.reach import as_frame, coverage_matrix
from atlas.analysis.siting import METHODS, Solution, maximal_covering
from atlas.crs import L93, points_xy
from atlas.errors import AccessError, NoSiteError
from atlas.fr import WEEKDAYS_FR, number_fr

__all__ = ["DETOUR", "EXACT_MAX_CANDIDATES", "SPEED_KMH", "Round", "Truck", "plan_round", "registry_rows", "schedule_table"]

#: Straight line × this factor ≈ the road distance (rural France, a usual rule of thumb).
DETOUR = 1.3
#: Average speed of a truck on rural roads (km/h), straight-line mode.
SPEED_KMH = 50.0
#: Largest number of useful candidates the exact programme is given.
EXACT_MAX_CANDIDATES = 16

_OSM = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


@dataclass(eq=False)
class Truck:
    """What a truck can do in a day.

    Attributes
    ----------
    depot : GeoDataFrame
        One point: where the truck leaves from and comes back to each day.
    days : sequence of str or int
        Days of operation (« lundi », "Mo", 0…).
    stops_per_day : int, default 5
        Most stops the truck makes in a day (the depot not counted).
    max_drive_min : float, default 180
        Driving time per day, depot to depot (time at the stops excluded).
    stop_min : float, default 60
        Time at each stop.
    start : str, default "09:00"
        Departure from the depot.
    detour, speed_kmh : float
        Without a road network: straight line × ``detour`` at ``speed_kmh``.
    """

    depot: gpd.GeoDataFrame
    days: Sequence[str | int]
    stops_per_day: int = 5
    max_drive_min: float = 180.0
    stop_min: float = 60.0
    start: str = "09:00"
    detour: float = DETOUR
    speed_kmh: float = SPEED_KMH

    def checked(self) -> tuple[list[int], int]:
        """(weekday indices, start in minutes after midnight); French errors on bad values."""
        day_idx = [_day_index(d) for d in self.days]
        if not day_idx or len(set(day_idx)) != len(day_idx):
            raise AccessError("jours de tournée invalides : au moins un jour, chacun une seule fois")
        limits = (("arrêts par jour", self.stops_per_day, 1), ("temps de conduite", self.max_drive_min, 0),
                  ("temps à l'arrêt", self.stop_min, 0), ("détour", self.detour, 1), ("vitesse", self.speed_kmh, 1))
        for name, value, low in limits:
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= low):
                raise AccessError(f"{name} invalide : « {value} »")
        if self.depot is None or len(self.depot) != 1:
            raise AccessError("un dépôt (un seul point) est attendu")
        h, _, m = str(self.start).partition(":")
        try:
            start_min = int(h) * 60 + int(m or 0)
        except ValueError:
            raise AccessError(f"heure de départ illisible : « {self.start} » (attendu : 09:00)") from None
        return day_idx, start_min


@dataclass
class Round:
    """A planned week: the stops of every day in order, and how good the plan is.

    Attributes
    ----------
    stops : GeoDataFrame
        One row per stop: ``day`` (French weekday), ``order`` (1…), the candidate's columns,
        ``arrival`` and ``departure`` (« HH:MM »), ``population_gained`` (zone-blanche population
        of that day newly within reach), ``drive_min`` (from the previous point).
    days : DataFrame
        Per day: ``day``, ``n_stops``, ``drive_min`` (depot to depot), ``population_gained``.
    solution : Solution
        Value (population gained, summed over the days), proven bound, gap.
    settings : dict
        Depot, speeds, limits: what the plan assumed (for the report).
    """

    stops: gpd.GeoDataFrame
    days: pd.DataFrame
    solution: Solution
    settings: dict


def _day_index(day: str | int) -> int:
    from atlas.registry.hours import weekday_index

    return weekday_index(day)


def _travel_matrix(xy: np.ndarray, network: object | None, *, detour: float, speed_kmh: float) -> np.ndarray:
    """Minutes between every pair of points (row: from, column: to)."""
    if network is None:
        d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
        return d * detour / (speed_kmh * 1000 / 60)
    from scipy.sparse import csgraph

    from atlas.analysis import roads

    net = network.prepare()  # type: ignore[attr-defined]
    nodes, conn = net.snap(xy)
    if (nodes < 0).any() or (conn > 2000).any():
        raise AccessError("un arrêt ou le dépôt est à plus de 2 km du réseau routier")
    speed = roads.CONNECTOR_SPEED_KMH.get(net.mode, roads.WALK_SPEED_KMH) * 1000 / 60
    dist = csgraph.dijkstra(net.matrix("time"), directed=True, indices=nodes)[:, nodes]
    out = dist + (conn / speed)[:, None] + (conn / speed)[None, :]
    np.fill_diagonal(out, 0.0)
    if not np.isfinite(out).all():
        raise AccessError("le réseau routier ne relie pas tous les arrêts au dépôt")
    return out


def _route_time(order: list[int], t: np.ndarray) -> float:
    """Drive from the depot (index 0) through ``order`` and back."""
    path = [0, *order, 0]
    return float(sum(t[a, b] for a, b in itertools.pairwise(path)))


def _two_opt(order: list[int], t: np.ndarray) -> list[int]:
    best = list(order)
    improved = True
    while improved and len(best) > 2:
        improved = False
        for i in range(len(best) - 1):
            for j in range(i + 1, len(best)):
                cand = best[:i] + best[i:j + 1][::-1] + best[j + 1:]
                if _route_time(cand, t) < _route_time(best, t) - 1e-9:
                    best, improved = cand, True
    return best


def _greedy_round(cover: list[sparse.csr_matrix], w: list[np.ndarray], t: np.ndarray, *, stops_per_day: int,
                  max_drive: float) -> list[list[int]]:
    """Cheapest-insertion greedy over (day, candidate); candidates are 1… in ``t`` (0 is the depot)."""
    n_days, n_cand = len(cover), cover[0].shape[0]
    routes: list[list[int]] = [[] for _ in range(n_days)]
    left = [wd.copy() for wd in w]
    used = np.zeros(n_cand, dtype=bool)
    while True:
        best = None
        for d in range(n_days):
            if len(routes[d]) >= stops_per_day:
                continue
            gains = cover[d] @ left[d]
            base = _route_time(routes[d], t)
            for c in np.argsort(-gains):
                if gains[c] <= 1e-9 or (best is not None and gains[c] <= best[0]):
                    break
                if used[c]:
                    continue
                pos, extra = _cheapest(routes[d], c + 1, t)
                if base + extra <= max_drive + 1e-9:
                    best = (float(gains[c]), d, int(c), pos)
                    break
        if best is None:
            break
        _, d, c, pos = best
        routes[d].insert(pos, c + 1)
        used[c] = True
        left[d][cover[d].indices[cover[d].indptr[c]:cover[d].indptr[c + 1]]] = 0.0
        routes[d] = _two_opt(routes[d], t)
    return _swap_stops(routes, cover, w, t, max_drive=max_drive)


def _day_value(route: list[int], cover: sparse.csr_matrix, w: np.ndarray) -> float:
    if not route:
        return 0.0
    hit = np.asarray(cover[[n - 1 for n in route]].sum(axis=0)).ravel() > 0
    return float(w[hit].sum())


def _swap_stops(routes: list[list[int]], cover: list[sparse.csr_matrix], w: list[np.ndarray], t: np.ndarray, *,
                max_drive: float, rounds: int = 20) -> list[list[int]]:
    """Local search: replace one stop by an unused place when the day gains and the drive still fits."""
    for _ in range(rounds):
        used = {n for r in routes for n in r}
        improved = False
        for d, route in enumerate(routes):
            current = _day_value(route, cover[d], w[d])
            for s in route:
                rest = [n for n in route if n != s]
                left = w[d].copy()
                if rest:
                    left[np.asarray(cover[d][[n - 1 for n in rest]].sum(axis=0)).ravel() > 0] = 0.0
                gains = cover[d] @ left
                kept = current - float(left[cover[d].indices[cover[d].indptr[s - 1]:cover[d].indptr[s]]].sum())
                for c in np.argsort(-gains):
                    if kept + gains[c] <= current + 1e-9:
                        break
                    if c + 1 in used:
                        continue
                    pos, extra = _cheapest(rest, c + 1, t)
                    if _route_time(rest, t) + extra <= max_drive + 1e-9:
                        route = _two_opt([*rest[:pos], c + 1, *rest[pos:]], t)
                        routes[d] = route
                        used = (used - {s}) | {c + 1}
                        current = kept + float(gains[c])
                        improved = True
                        break
                if improved:
                    break  # the route changed: start again from its new stops
        if not improved:
            break
    return routes


def _cheapest(order: list[int], node: int, t: np.ndarray) -> tuple[int, float]:
    """Where inserting ``node`` into ``order`` lengthens the drive least, and by how much."""
    path = [0, *order, 0]
    costs = [t[path[i], node] + t[node, path[i + 1]] - t[path[i], path[i + 1]] for i in range(len(path) - 1)]
    i = int(np.argmin(costs))
    return i, float(costs[i])


@dataclass
class _Layout:
    """Variable positions of the exact programme: per day x (arcs), z (visits), u (MTZ order); then y."""

    n: int
    n_days: int
    arcs: list[tuple[int, int]]
    m_groups: list[int]

    @property
    def per_day(self) -> int:
        return len(self.arcs) + 2 * self.n

    @property
    def n_var(self) -> int:
        return self.n_days * self.per_day + sum(self.m_groups)

    def x(self, d: int, k: int) -> int:
        return d * self.per_day + k

    def z(self, d: int, i: int) -> int:  # i in 1..n
        return d * self.per_day + len(self.arcs) + (i - 1)

    def u(self, d: int, i: int) -> int:
        return d * self.per_day + len(self.arcs) + self.n + (i - 1)

    def y(self, d: int, g: int) -> int:
        return self.n_days * self.per_day + sum(self.m_groups[:d]) + g


def _day_rows(lay: _Layout, d: int, cover: sparse.csr_matrix, t: np.ndarray, *, stops_per_day: int,
              max_drive: float) -> list[tuple[dict[int, float], float, float]]:
    """Constraints of day ``d``: flows through visited places, one tour from the depot, MTZ, limits, coverage."""
    v = lay.n + 1
    arc = {a: k for k, a in enumerate(lay.arcs)}
    leave = {lay.x(d, arc[(0, j)]): 1.0 for j in range(1, v)}
    back = {lay.x(d, arc[(j, 0)]): -1.0 for j in range(1, v)}
    rows: list[tuple[dict[int, float], float, float]] = [(leave, -np.inf, 1.0), (leave | back, 0.0, 0.0)]
    for i in range(1, v):
        rows.append(({lay.x(d, arc[(i, j)]): 1.0 for j in range(v) if j != i} | {lay.z(d, i): -1.0}, 0.0, 0.0))
        rows.append(({lay.x(d, arc[(j, i)]): 1.0 for j in range(v) if j != i} | {lay.z(d, i): -1.0}, 0.0, 0.0))
        rows.append((leave | {lay.z(d, i): -1.0}, 0.0, np.inf))  # a visit means the truck goes out
        for j in range(1, v):
            if i != j:
                rows.append(({lay.u(d, i): 1.0, lay.u(d, j): -1.0, lay.x(d, arc[(i, j)]): float(lay.n)},
                             -np.inf, lay.n - 1.0))
    rows.append(({lay.x(d, k): float(t[a]) for k, a in enumerate(lay.arcs)}, -np.inf, max_drive))
    rows.append(({lay.z(d, i): 1.0 for i in range(1, v)}, -np.inf, float(stops_per_day)))
    groups = cover.T.tocsr()  # groups × candidates
    for g in range(lay.m_groups[d]):
        cands = groups.indices[groups.indptr[g]:groups.indptr[g + 1]]
        rows.append(({lay.y(d, g): 1.0} | {lay.z(d, int(j) + 1): -1.0 for j in cands}, -np.inf, 0.0))
    return rows


def _exact_round(cover: list[sparse.csr_matrix], w: list[np.ndarray], t: np.ndarray, *, stops_per_day: int,
                 max_drive: float, time_limit_s: float | None) -> tuple[list[list[int]], float, str]:
    """One integer programme over all days (MTZ routes, driving limit, coverage); (routes, bound, status)."""
    n = cover[0].shape[0]
    lay = _Layout(n=n, n_days=len(cover), arcs=[(i, j) for i in range(n + 1) for j in range(n + 1) if i != j],
                  m_groups=[len(wd) for wd in w])
    c = np.zeros(lay.n_var)
    integrality = np.zeros(lay.n_var)
    lb, ub = np.zeros(lay.n_var), np.ones(lay.n_var)
    rows: list[tuple[dict[int, float], float, float]] = []
    for d in range(lay.n_days):
        integrality[[lay.x(d, k) for k in range(len(lay.arcs))]] = 1
        integrality[[lay.z(d, i) for i in range(1, n + 1)]] = 1
        lb[[lay.u(d, i) for i in range(1, n + 1)]] = 1.0
        ub[[lay.u(d, i) for i in range(1, n + 1)]] = float(n)
        c[[lay.y(d, g) for g in range(lay.m_groups[d])]] = -w[d]
        rows += _day_rows(lay, d, cover[d], t, stops_per_day=stops_per_day, max_drive=max_drive)
    rows += [({lay.z(d, i): 1.0 for d in range(lay.n_days)}, -np.inf, 1.0) for i in range(1, n + 1)]  # once a week
    ri = [r for r, (coefs, _, _) in enumerate(rows) for _ in coefs]
    ci = [col for coefs, _, _ in rows for col in coefs]
    data = [val for coefs, _, _ in rows for val in coefs.values()]
    a = sparse.csr_matrix((data, (ri, ci)), shape=(len(rows), lay.n_var))
    opts: dict[str, object] = {"disp": False, "mip_rel_gap": 0.0}
    if time_limit_s is not None:
        opts["time_limit"] = float(time_limit_s)
    res = milp(c, constraints=[LinearConstraint(a, [r[1] for r in rows], [r[2] for r in rows])],
               integrality=integrality, bounds=Bounds(lb, ub), options=opts)
    if res.status not in (0, 1) or res.x is None:
        raise AccessError(f"le solveur HiGHS n'a pas trouvé de tournée : {res.message}")
    routes: list[list[int]] = []
    for d in range(lay.n_days):
        succ = {a[0]: a[1] for k, a in enumerate(lay.arcs) if res.x[lay.x(d, k)] > 0.5}
        order, node = [], succ.get(0)
        while node not in (None, 0):
            order.append(node)
            node = succ.get(node)
        routes.append(order)
    bound = -float(res.mip_dual_bound) if res.mip_dual_bound is not None else np.inf
    return routes, bound, "optimal" if res.status == 0 else "time_limit"


def _hhmm(minutes: float) -> str:
    m = int(round(minutes))
    return f"{m // 60:02d}:{m % 60:02d}"


def _day_weights(origins: gpd.GeoDataFrame, sites: gpd.GeoDataFrame | None, day_idx: list[int],
                 radius: float) -> list[np.ndarray]:
    """Per day, the population of each origin in a zone blanche that day (0 where a site open that day reaches)."""
    from atlas.analysis.sites import SiteFilter, select_sites

    oxy = points_xy(origins)
    pop = pd.to_numeric(origins["population"], errors="coerce").fillna(0).to_numpy(dtype=float)
    out = []
    for d in day_idx:
        covered = np.zeros(len(oxy), dtype=bool)
        if sites is not None and len(as_frame(sites)):
            try:
                open_sites = as_frame(select_sites(as_frame(sites), SiteFilter(kinds=None, day=d)))
                covered = np.asarray(coverage_matrix(points_xy(open_sites), oxy, radius).sum(axis=0)).ravel() > 0
            except NoSiteError:  # nothing open that day: everyone is in a zone blanche
                pass
        out.append(np.where(covered, 0.0, pop))
    return out


def _schedule(routes: list[list[int]], *, day_idx: list[int], weights: list[np.ndarray], full: sparse.csr_matrix,
              useful: np.ndarray, t: np.ndarray, start_min: int, stop_min: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stops (day, order, hours, gains) and days (stops, drive, gains) of the chosen routes."""
    rows = []
    per_day = []
    for w_day, d, order in zip(weights, day_idx, routes, strict=True):
        left = w_day.copy()
        clock, prev, gained_day = float(start_min), 0, 0.0
        for k, node in enumerate(order, start=1):
            drive = float(t[prev, node])
            clock += drive
            c = int(useful[node - 1])
            idx = full.indices[full.indptr[c]:full.indptr[c + 1]]
            gain = float(left[idx].sum())
            left[idx] = 0.0
            gained_day += gain
            rows.append({"day": WEEKDAYS_FR[d], "weekday": d, "order": k, "candidate": c, "arrival": _hhmm(clock),
                         "departure": _hhmm(clock + stop_min), "population_gained": int(round(gain)),
                         "drive_min": round(drive, 1)})
            clock += stop_min
            prev = node
        per_day.append({"day": WEEKDAYS_FR[d], "n_stops": len(order), "drive_min": round(_route_time(order, t), 1),
                        "population_gained": int(round(gained_day)), "_value": gained_day})
    table = pd.DataFrame(rows, columns=["day", "weekday", "order", "candidate", "arrival", "departure",
                                        "population_gained", "drive_min"])
    return table, pd.DataFrame(per_day)


def plan_round(
    origins: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    *,
    truck: Truck,
    sites: gpd.GeoDataFrame | None = None,
    threshold_km: float = 10.0,
    network: object | None = None,
    method: str = "greedy",
    time_limit_s: float | None = 60.0,
) -> Round:
    """Choose and order a truck's stops for its days of operation (see the module notes).

    Parameters
    ----------
    origins : GeoDataFrame
        Demand points with ``population`` (commune points).
    candidates : GeoDataFrame
        Places where the truck may stop (commune points; their columns are kept).
    truck : Truck
        Depot, days, stops per day, driving limit, time at each stop, start, speeds.
    sites : GeoDataFrame, optional
        Existing sites (any day; each day keeps those open that day,
        :func:`atlas.analysis.sites.select_sites`): the zones blanches of a day are what they leave.
    threshold_km : float, default 10
        Reach of a stop (straight line), as for the zones blanches.
    network : atlas.analysis.roads.RoadNetwork, optional
        Drive times along roads; default straight line × ``truck.detour`` at ``truck.speed_kmh``.
    method : {"greedy", "exact"}, default "greedy"
        ``exact`` is for small instances (see :data:`EXACT_MAX_CANDIDATES`).
    time_limit_s : float, default 60
        Time limit of HiGHS (exact programme, or the bound of the greedy answer).

    Returns
    -------
    Round

    Raises
    ------
    AccessError
        Bad days, limits or method; an exact request on too many candidates.
    """
    t0 = time.perf_counter()
    if method not in METHODS:
        raise AccessError(f"méthode inconnue : « {method} » (attendu : exacte ou glouton)")
    day_idx, start_min = truck.checked()
    if "population" not in origins.columns:
        raise AccessError("les points d'origine doivent avoir une colonne « population »")
    cxy = points_xy(candidates)
    full = coverage_matrix(cxy, points_xy(origins), threshold_km * 1000.0)
    weights = _day_weights(origins, sites, day_idx, threshold_km * 1000.0)
    useful = np.flatnonzero(np.asarray(full @ np.vstack(weights).max(axis=0)).ravel() > 0)
    if method == "exact" and len(useful) > EXACT_MAX_CANDIDATES:
        raise AccessError(f"la résolution exacte d'une tournée est limitée à {EXACT_MAX_CANDIDATES} lieux utiles "
                          f"({len(useful)} ici) : utilisez la méthode gloutonne, qui donne aussi son écart")
    cover = full[useful]
    t = _travel_matrix(np.vstack([points_xy(truck.depot)[:1], cxy[useful]]), network, detour=truck.detour,
                       speed_kmh=truck.speed_kmh)
    limits = {"stops_per_day": int(truck.stops_per_day), "max_drive": float(truck.max_drive_min)}
    if method == "exact":
        keep = [np.flatnonzero((wd > 0) & (np.asarray(cover.sum(axis=0)).ravel() > 0)) for wd in weights]
        routes, bound, status = _exact_round([cover[:, k] for k in keep], [wd[k] for wd, k in zip(weights, keep, strict=True)],
                                             t, time_limit_s=time_limit_s, **limits)
    else:
        routes = _greedy_round([cover] * len(day_idx), weights, t, **limits)
        status = "heuristic"
        bound = 0.0
        for wd in weights:  # each day: best coverage with stops_per_day stops, no driving limit (HiGHS, proven bound)
            day_best = maximal_covering(origins.assign(_w=wd), candidates.iloc[useful], k=int(truck.stops_per_day),
                                        threshold_km=threshold_km, weights="_w", time_limit_s=time_limit_s)
            bound += float(day_best.solution.bound)
    table, days = _schedule(routes, day_idx=day_idx, weights=weights, full=full, useful=useful, t=t,
                            start_min=start_min, stop_min=float(truck.stop_min))
    chosen = candidates.iloc[table["candidate"].to_numpy()].reset_index(drop=True)
    stops = pd.concat([table.drop(columns="candidate"), chosen.drop(columns=chosen.geometry.name)], axis=1)
    stops = gpd.GeoDataFrame(stops, geometry=gpd.points_from_xy(cxy[table["candidate"], 0],
                                                                 cxy[table["candidate"], 1]), crs=L93)
    total = float(days["_value"].sum()) if len(days) else 0.0
    if np.isfinite(bound) and all(np.allclose(wd, np.round(wd)) for wd in weights):
        bound = math.floor(bound + 1e-6)
    solution = Solution("round", method, total, max(bound, total), status, time.perf_counter() - t0,
                        time_limit_s if method == "exact" else None)
    used = {"days": [WEEKDAYS_FR[d] for d in day_idx], "stops_per_day": int(truck.stops_per_day),
            "max_drive_min": float(truck.max_drive_min), "stop_min": float(truck.stop_min), "start": truck.start,
            "threshold_km": threshold_km, "n_candidates_useful": int(len(useful)),
            "drive": "par la route" if network is not None else
            f"à vol d'oiseau × {number_fr(truck.detour)} à {number_fr(truck.speed_kmh)} km/h"}
    return Round(stops=stops, days=days.drop(columns="_value", errors="ignore"), solution=solution, settings=used)


def schedule_table(rnd: Round) -> pd.DataFrame:
    """The schedule for people: jour, ordre, commune, code INSEE, arrivée, départ, population gagnée."""
    df = pd.DataFrame(rnd.stops.drop(columns=rnd.stops.geometry.name))
    cols = {"day": "Jour", "order": "Ordre", "name": "Commune", "insee": "Code INSEE", "arrival": "Arrivée",
            "departure": "Départ", "drive_min": "Trajet depuis le point précédent (min)",
            "population_gained": "Population de zone blanche à portée ce jour-là"}
    return df[[c for c in cols if c in df.columns]].rename(columns=cols)


def registry_rows(rnd: Round, *, route_id: str, name: str, depot_insee: str = "", depot_commune: str = "",
                  kind: str = "distribution") -> pd.DataFrame:
    """The round as registry rows (the truck, then one row per stop with its day and hours).

    The stops' ``route`` names the truck, their ``opening_hours`` the day and hours (« Mo 09:40-11:10 »),
    their ``lon``/``lat`` the stop's point: read back by :func:`atlas.registry.actors.read_actors`,
    ``atlas gaps --semaine`` counts each stop on its day.
    """
    from atlas.crs import l93_to_lonlat

    xy = points_xy(rnd.stops)
    lon, lat = l93_to_lonlat(xy[:, 0], xy[:, 1]) if len(xy) else (np.zeros(0), np.zeros(0))
    truck = {"id": route_id, "name": name, "kind": kind, "commune": depot_commune, "insee": depot_insee,
             "precision": "commune", "mode": "mobile", "route": "",
             "source": "tournée proposée par atlas tournee", "public": "habitants des communes desservies"}
    rows = [truck]
    for i, s in enumerate(rnd.stops.itertuples(index=False)):
        commune = str(getattr(s, "name", ""))
        rows.append({"id": f"{route_id}-{i + 1}", "name": f"{name} – arrêt de {commune}", "kind": kind,
                     "commune": commune, "insee": str(getattr(s, "insee", "")), "lon": f"{lon[i]:.6f}",
                     "lat": f"{lat[i]:.6f}", "precision": "commune", "mode": "mobile", "route": route_id,
                     "opening_hours": f"{_OSM[int(s.weekday)]} {s.arrival}-{s.departure}",
                     "source": "tournée proposée par atlas tournee", "public": "habitants des communes desservies"})
    return pd.DataFrame(rows).fillna("")
