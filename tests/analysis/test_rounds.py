"""Mobile rounds: the exact programme equals a brute-force enumeration on a small instance, the
greedy answer lies between the optimum and its bound, and the rows read back raise the coverage of
``gaps --semaine`` on their days by what the round claims."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from atlas.analysis.rounds import Truck, plan_round, registry_rows, schedule_table
from atlas.crs import L93, points_xy
from atlas.errors import AccessError


def _pts(xy, **cols) -> gpd.GeoDataFrame:
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=L93)


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(11)
    xy = rng.uniform(0, 50_000, size=(25, 2))
    pop = rng.integers(100, 3000, size=25)
    origins = _pts(xy, population=pop, name=[f"V{i}" for i in range(25)], insee=[f"{i:05d}" for i in range(25)])
    cands = origins.iloc[:7]
    depot = _pts([[25_000, 25_000]])
    # one existing site open on Mondays only: the zones blanches differ by day
    sites = _pts([[10_000, 10_000]], id=["s"], name=["site"], kind=["distribution"], opening_hours=["Mo 09:00-12:00"])
    return origins, cands, depot, sites


def _brute(origins, cands, depot, sites, *, days, stops, drive, km, detour=1.3, speed=50.0):
    """Every assignment of candidates to days (or none), each day's best order by enumeration."""
    oxy, cxy, dxy = points_xy(origins), points_xy(cands), points_xy(depot)[0]
    pop = origins["population"].to_numpy(float)
    reach = np.sqrt(((cxy[:, None] - oxy[None]) ** 2).sum(axis=2)) <= km * 1000
    site_xy = points_xy(sites)[0]
    near_site = np.sqrt(((oxy - site_xy) ** 2).sum(axis=1)) <= km * 1000
    blank = {0: ~near_site, 3: np.ones(len(oxy), dtype=bool)}  # Monday: the site covers; Thursday: nothing open
    pts = np.vstack([dxy, cxy])
    minutes = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(axis=2)) * detour / (speed * 1000 / 60)

    def shortest(members):
        if not members:
            return 0.0
        return min(sum(minutes[a, b] for a, b in itertools.pairwise([0, *[m + 1 for m in p], 0]))
                   for p in itertools.permutations(members))

    best = 0.0
    for assign in itertools.product([None, *days], repeat=len(cxy)):
        value, ok = 0.0, True
        for d in days:
            members = [i for i, a in enumerate(assign) if a == d]
            if len(members) > stops or shortest(members) > drive + 1e-9:
                ok = False
                break
            hit = reach[members].any(axis=0) & blank[d] if members else np.zeros(len(oxy), dtype=bool)
            value += pop[hit].sum()
        if ok:
            best = max(best, value)
    return best


def test_exact_round_equals_brute_force_and_greedy_is_bounded(small):
    origins, cands, depot, sites = small
    truck = Truck(depot=depot, days=["lundi", "jeudi"], stops_per_day=2, max_drive_min=70, stop_min=60)
    best = _brute(origins, cands, depot, sites, days=[0, 3], stops=2, drive=70, km=8)
    exact = plan_round(origins, cands, truck=truck, sites=sites, threshold_km=8, method="exact")
    assert exact.solution.value == best and exact.solution.proven
    greedy = plan_round(origins, cands, truck=truck, sites=sites, threshold_km=8)
    assert greedy.solution.value <= best <= greedy.solution.bound
    for rnd in (exact, greedy):
        assert (rnd.days["drive_min"] <= 70 + 1e-6).all() and (rnd.days["n_stops"] <= 2).all()
        assert rnd.stops["insee"].is_unique  # one day a week at most per place
        assert rnd.days["population_gained"].sum() == rnd.solution.value
    # the schedule: leave at 09:00, arrive after the drive, stay 60 minutes
    first = exact.stops.iloc[0]
    h, m = map(int, first["arrival"].split(":"))
    assert h * 60 + m == round(9 * 60 + first["drive_min"])
    assert list(schedule_table(exact).columns[:3]) == ["Jour", "Ordre", "Commune"]


def test_round_errors(small):
    origins, cands, depot, _ = small
    with pytest.raises(AccessError, match="jours de tournée"):
        plan_round(origins, cands, truck=Truck(depot=depot, days=[]))
    with pytest.raises(AccessError, match="un dépôt"):
        plan_round(origins, cands, truck=Truck(depot=depot.iloc[:0], days=["lundi"]))
    with pytest.raises(AccessError, match="limitée à"):
        plan_round(origins, origins, truck=Truck(depot=depot, days=["lundi"]), threshold_km=30, method="exact")


def test_rows_read_back_raise_weekly_coverage_by_the_claimed_amount(tmp_path):
    """A round in an EPCI of the Aisne: the registry with its rows, read back, gains on each day what it claims."""
    from atlas.analysis.coverage import weekly_coverage
    from atlas.analysis.distances import commune_origins
    from atlas.analysis.sites import SiteFilter
    from atlas.registry.actors import read_actors
    from atlas.territory.reference import load_communes
    from atlas.territory.selection import select_territory

    communes = load_communes()
    territory = select_territory(communes, dep=["02"])
    territory = territory[territory["epci"] == territory["epci"].value_counts().index[0]]  # the largest EPCI
    pts = commune_origins(territory)
    base = read_actors("data/raw/actors.csv").accepted
    from atlas.analysis.sites import select_sites

    sites = select_sites(base, SiteFilter(kinds=None))
    depot = pts.iloc[[int(np.argmax(pts["population"].to_numpy()))]]
    truck = Truck(depot=depot, days=["mardi", "vendredi"], stops_per_day=4, max_drive_min=180, stop_min=75)
    rnd = plan_round(pts, pts, truck=truck, sites=sites, threshold_km=10)
    assert rnd.solution.value > 0
    rows = registry_rows(rnd, route_id="camion-test", name="Camion test", depot_insee=str(depot["insee"].iloc[0]))
    registry = pd.read_csv("data/raw/actors.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "actors.csv"
    pd.concat([registry, rows], ignore_index=True).fillna("").to_csv(path, index=False)
    after = read_actors(path).accepted
    assert len(after) == len(base) + len(rows)  # every row accepted
    kw = {"threshold_km": 10.0, "by": "region", "sites_filter": SiteFilter(kinds=None)}
    before_w = weekly_coverage(territory, base, **kw)
    after_w = weekly_coverage(territory, after, **kw)
    claimed = rnd.days.set_index("day")["population_gained"]
    for day in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"):
        gained = int(before_w[f"uncovered_{day}"].sum() - after_w[f"uncovered_{day}"].sum())
        assert gained == int(claimed.get(day, 0)), day


def test_cli_tournee_writes_schedule_and_registry_rows(tmp_path):
    from click.testing import CliRunner

    from atlas.cli import cli
    from atlas.registry.actors import read_actors

    rows, schedule = tmp_path / "lignes.csv", tmp_path / "horaires.csv"
    res = CliRunner().invoke(cli, ["-q", "tournee", "--epci", "200070944", "--depot", "80360", "--jours", "lundi,jeudi",
                                   "--arrets-par-jour", "3", "--seuil", "5", "--lignes", str(rows), "-o", str(schedule)])
    assert res.exit_code == 0, res.output
    assert "Méthode gloutonne" in res.output
    table = pd.read_csv(schedule, sep=";", encoding="utf-8-sig", dtype=str)
    assert list(table.columns[:6]) == ["Jour", "Ordre", "Commune", "Code INSEE", "Arrivée", "Départ"]
    assert set(table["Jour"]) <= {"lundi", "jeudi"} and len(table) <= 6
    lines = pd.read_csv(rows, dtype=str, keep_default_na=False)
    assert lines["route"].iloc[0] == "" and (lines["route"].iloc[1:] == "tournee-80360").all()
    assert len(read_actors(rows).accepted) == len(lines) == len(table) + 1
    res = CliRunner().invoke(cli, ["-q", "tournee", "--epci", "200070944", "--depot", "Nulle-Part", "--jours", "lundi"])
    assert res.exit_code == 1 and "introuvable" in res.output
