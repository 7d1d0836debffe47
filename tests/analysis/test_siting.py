"""Exact maximal covering and set covering: checked against brute force, spopt (PuLP/CBC) and the
real Somme figures of issue 25 (HiGHS through scipy, measured before this code existed)."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from atlas.analysis.reach import grid_candidates
from atlas.analysis.siting import Solution, maximal_covering, set_covering
from atlas.crs import L93, points_xy
from atlas.errors import AccessError

# PuLP 3.3 warns about its own API on every variable spopt makes
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pulp")


def _pts(xy, **cols) -> gpd.GeoDataFrame:
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=L93)


def _random_case(seed: int, n_dem: int = 60, n_cand: int = 14):
    rng = np.random.default_rng(seed)
    dem = rng.uniform(0, 40_000, size=(n_dem, 2))
    pop = rng.integers(10, 2000, size=n_dem)
    cand = rng.uniform(0, 40_000, size=(n_cand, 2))
    origins = _pts(dem, population=pop, insee=[f"{i:05d}" for i in range(n_dem)])
    cands = _pts(cand, name=[f"C{i}" for i in range(n_cand)])
    return origins, cands


def _within(cand_xy: np.ndarray, dem_xy: np.ndarray, km: float) -> np.ndarray:
    """Independent coverage: plain pairwise distances (candidates × demand)."""
    d = np.sqrt(((cand_xy[:, None, :] - dem_xy[None, :, :]) ** 2).sum(axis=2))
    return d <= km * 1000


def _brute_mclp(cov: np.ndarray, w: np.ndarray, k: int, already: np.ndarray | None = None) -> float:
    already = np.zeros(cov.shape[1], dtype=bool) if already is None else already
    best = 0.0
    for subset in itertools.combinations(range(cov.shape[0]), k):
        hit = cov[list(subset)].any(axis=0) & ~already
        best = max(best, float(w[hit].sum()))
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("k", [1, 3])
def test_exact_equals_brute_force_and_greedy_is_bounded(seed, k):
    origins, cands = _random_case(seed)
    cov = _within(points_xy(cands), points_xy(origins), 8)
    w = origins["population"].to_numpy(float)
    best = _brute_mclp(cov, w, k)
    exact = maximal_covering(origins, cands, k=k, threshold_km=8, method="exact")
    assert exact.solution.value == best
    assert exact.solution.proven and exact.solution.bound == best
    assert exact.solution.sentence().startswith("Optimum prouvé par HiGHS")
    # the value reported is what the chosen sites really cover
    chosen = cands.index.get_indexer(exact.frame.index)
    assert float(w[cov[chosen].any(axis=0)].sum()) == best == exact.frame["population_gained"].sum()
    greedy = maximal_covering(origins, cands, k=k, threshold_km=8, method="greedy")
    g = greedy.solution.value
    assert g <= best <= greedy.solution.bound
    assert greedy.solution.gap == pytest.approx(1 - g / greedy.solution.bound)


def test_exact_beats_greedy_on_a_trap_with_fixed_and_planned_sites():
    # A covers the middle of two pairs (800); B and C each cover one pair entirely (750): greedy takes A first
    origins = _pts([[0, 0], [2000, 0], [10_000, 0], [12_000, 0], [50_000, 0], [80_000, 0]],
                   population=[350, 400, 400, 350, 900, 500])
    cands = _pts([[6000, 0], [1000, 0], [11_000, 0]], name=["A", "B", "C"])
    greedy = maximal_covering(origins, cands, k=2, threshold_km=4.5, method="greedy")
    exact = maximal_covering(origins, cands, k=2, threshold_km=4.5, method="exact")
    assert list(greedy.frame["name"]) == ["A", "B"] and greedy.solution.value == 1150
    assert sorted(exact.frame["name"]) == ["B", "C"] and exact.solution.value == 1500
    assert greedy.solution.bound >= 1500 and not greedy.solution.proven
    assert "au plus de l'optimum" in greedy.solution.sentence()
    # an existing site on the left pair and a planned one far away: only C is still worth it
    sites = _pts([[1000, 100]], name=["existant"])
    planned = _pts([[50_000, 100]], name=["prévu"])
    fixed = maximal_covering(origins, cands, k=2, sites=[sites, planned], threshold_km=4.5)
    assert list(fixed.frame["name"]) == ["C"] and fixed.solution.value == 750
    assert fixed.population_covered_before == 350 + 400 + 900
    assert list(fixed.frame["population_covered"]) == [2400]


def test_weights_change_the_answer_and_shares():
    origins = _pts([[0, 0], [30_000, 0]], population=[1000, 200], poor=[10, 150], insee=["00001", "00002"])
    cands = _pts([[0, 0], [30_000, 0]], name=["ville", "village"])
    by_pop = maximal_covering(origins, cands, k=1, threshold_km=5)
    by_need = maximal_covering(origins, cands, k=1, threshold_km=5, weights="poor")
    per_commune = maximal_covering(origins, cands, k=1, threshold_km=5,
                                   weights=pd.Series({"00001": 10, "00002": 150}))
    assert list(by_pop.frame["name"]) == ["ville"] and list(by_need.frame["name"]) == ["village"]
    assert list(per_commune.frame["name"]) == ["village"]
    assert by_need.frame["demand_gained"].tolist() == [150] and by_need.frame["population_gained"].tolist() == [200]
    assert by_need.frame["demand_share_covered"].iloc[0] == pytest.approx(150 / 160)
    with pytest.raises(AccessError, match="colonne de poids"):
        maximal_covering(origins, cands, k=1, weights="menages")
    with pytest.raises(AccessError, match="négatif"):
        maximal_covering(origins.assign(poor=[-1, 2]), cands, k=1, weights="poor")


def _brute_cover(cov: np.ndarray, w: np.ndarray, need: float) -> int:
    for size in range(cov.shape[0] + 1):
        for subset in itertools.combinations(range(cov.shape[0]), size):
            if float(w[cov[list(subset)].any(axis=0)].sum()) >= need:
                return size
    raise AssertionError("unreachable")


@pytest.mark.parametrize("seed", [4, 5])
def test_set_covering_is_the_proven_minimum(seed):
    origins, _ = _random_case(seed, n_dem=40)
    rng = np.random.default_rng(seed)
    # candidates: 12 random points plus the demand points' own places would be too many: use 14 points
    cands = _pts(rng.uniform(0, 40_000, size=(14, 2)), name=[f"C{i}" for i in range(14)])
    cov = _within(points_xy(cands), points_xy(origins), 12)
    w = origins["population"].to_numpy(float)
    reachable = cov.any(axis=0)
    out = set_covering(origins, cands, threshold_km=12)
    n = _brute_cover(cov, w, float(w[reachable].sum()))
    assert out.solution.value == n == len(out) and out.solution.proven
    chosen = cands.index.get_indexer(out.frame.index)
    assert (cov[chosen].any(axis=0) | ~reachable).all()  # everyone reachable is reached
    assert out.population_unreachable == int(w[~reachable].sum())
    # a share: the fewest sites reaching 60 % of everyone
    part = set_covering(origins, cands, threshold_km=12, share=0.6)
    assert part.solution.value == _brute_cover(cov, w, 0.6 * w.sum())
    assert part.frame["share_covered"].iloc[-1] >= 0.6
    greedy = set_covering(origins, cands, threshold_km=12, method="greedy")
    assert greedy.solution.bound <= n <= greedy.solution.value


def test_set_covering_unreachable_share_is_a_french_error():
    origins = _pts([[0, 0], [100_000, 0]], population=[10, 90])
    cands = _pts([[0, 0]], name=["A"])
    with pytest.raises(AccessError, match="10,0 % seulement"):
        set_covering(origins, cands, threshold_km=5, share=0.5)
    with pytest.raises(AccessError, match="méthode inconnue"):
        set_covering(origins, cands, method="magique")


def test_gap_sentence_rounds_up():
    s = Solution("maximal_covering", "exact", 995.0, 1000.0, "time_limit", 60.2, 60.0)
    assert s.gap == pytest.approx(0.005) and s.gap_fr() == "0,5 %"
    assert s.sentence().startswith("À 0,5 % au plus de l'optimum") and "limite de temps de 60 s" in s.sentence()
    assert Solution("maximal_covering", "exact", 99_601.0, 100_000.0, "time_limit", 1, 1).gap_fr() == "0,4 %"
    assert Solution("set_covering", "greedy", 10.0, 8.0, "heuristic", 0.1).gap_fr() == "20,0 %"


def test_grid_candidates(communes):
    from atlas.territory.selection import select_territory

    t = select_territory(communes, insee=["80021"])  # Amiens
    grid = grid_candidates(t, spacing_km=1)
    assert set(grid["insee"]) == {"80021"} and len(grid) == pytest.approx(t.to_crs(L93).area.sum() / 1e6, rel=0.25)
    assert grid["id"].is_unique


def _spopt_mclp(origins, cands, km: float, k: int) -> float:
    spopt = pytest.importorskip("spopt.locate")
    import pulp

    cost = np.sqrt(((points_xy(origins)[:, None, :] - points_xy(cands)[None, :, :]) ** 2).sum(axis=2))
    w = origins["population"].to_numpy(float)
    model = spopt.MCLP.from_cost_matrix(cost, w, service_radius=km * 1000, p_facilities=k)
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    return float(pulp.value(model.problem.objective))


def test_exact_equals_spopt_on_random_cases():
    for seed in (6, 7):
        origins, cands = _random_case(seed, n_dem=80, n_cand=30)
        ours = maximal_covering(origins, cands, k=4, threshold_km=7)
        assert ours.solution.value == pytest.approx(_spopt_mclp(origins, cands, 7, 4))


def test_somme_k5_matches_issue_and_spopt(shared_data, communes):
    from atlas.analysis.distances import commune_origins
    from atlas.territory.selection import select_territory

    pts = commune_origins(select_territory(communes, dep=["80"]))
    exact = maximal_covering(pts, pts, k=5, threshold_km=10)
    greedy = maximal_covering(pts, pts, k=5, threshold_km=10, method="greedy")
    # issue 25: optimum 335,089 (HiGHS) against 318,727 for the greedy, 10 km, no site
    assert exact.solution.value == 335_089 and exact.solution.proven
    assert greedy.solution.value == 318_727 and greedy.solution.bound >= 335_089
    assert exact.population_total == int(pts["population"].sum())
    # and an independent solver (spopt's MCLP, CBC) on the same data
    assert _spopt_mclp(pts, pts, 10, 5) == pytest.approx(335_089)


@pytest.fixture(scope="module")
def laffitte_drive(shared_data):
    from atlas.analysis.roads import load_network

    path = shared_data / "road-graph-fr-osmnx" / "maisons_laffitte.graphml"
    if not path.is_file():
        pytest.fail(f"{path} manquant dans les données de référence")
    return load_network(path, "drive")


def test_road_coverage_agrees_with_network_nearest(laffitte_drive):
    """A candidate covers an origin within 4 minutes iff network_nearest (one-site runs) says so."""
    from atlas.analysis.reach import network_coverage_matrix, network_pairs
    from atlas.analysis.roads import network_nearest

    net = laffitte_drive
    rng = np.random.default_rng(3)
    main = net.main_nodes()
    cand_xy = net.node_xy[rng.choice(main, 4, replace=False)] + 15.0
    orig_xy = net.node_xy[rng.choice(main, 150, replace=False)] - 10.0
    origins = _pts(orig_xy, population=np.ones(len(orig_xy)))
    m = network_coverage_matrix(net, cand_xy, orig_xy, 4.0).toarray() > 0
    rows, cols, cost = network_pairs(net, cand_xy, orig_xy, 4.0)
    for i in range(len(cand_xy)):
        one = network_nearest(net, origins, _pts(cand_xy[[i]], id=["c"], name=["c"]))
        times = one["time_min"].to_numpy()
        np.testing.assert_array_equal(m[i], times <= 4.0)
        mine = rows == i
        np.testing.assert_allclose(cost[mine], times[cols[mine]], rtol=1e-9)
    assert 0 < m.sum() < m.size
    # and the solvers use it: two sites in minutes, exact = brute force over the same matrix
    cands = _pts(cand_xy, name=[f"C{i}" for i in range(4)])
    exact = maximal_covering(origins, cands, k=2, threshold_min=4.0, network=net)
    assert exact.solution.value == max(float(m[list(s)].any(axis=0).sum())
                                                for s in itertools.combinations(range(4), 2))
    assert exact.threshold_label == "4 min"


def test_read_values(tmp_path):
    from atlas.analysis.reach import read_values

    good = tmp_path / "poids.csv"
    good.write_text("insee;menages_pauvres\n80021;12 345,5\n80001;0\n", encoding="utf-8")
    s = read_values(good, keys=("insee", "codgeo"))
    assert s.to_dict() == {"80021": 12345.5, "80001": 0.0} and s.name == "menages_pauvres"
    bad = tmp_path / "bad.csv"
    bad.write_text("codgeo,poids\n80021,3\n80001,beaucoup\n80002,-1\n80021,4\n", encoding="utf-8")
    with pytest.raises(AccessError, match=r"ligne\(s\) 3, 4"):
        read_values(bad, keys=("insee", "codgeo"))
    bad.write_text("codgeo,poids\n80021,3\n80021,4\n", encoding="utf-8")
    with pytest.raises(AccessError, match=r"plusieurs fois, ligne\(s\) 2, 3"):
        read_values(bad, keys=("insee", "codgeo"))
    with pytest.raises(AccessError, match="pas de colonne codgeo / code_insee"):
        read_values(good, keys=("codgeo", "code_insee"))


# --------------------------------------------------------------------------------------------
# The command line, on the real Vimeu (25 communes of the Somme), checked by brute force
# --------------------------------------------------------------------------------------------

VIMEU = "200070944"


@pytest.fixture(scope="module")
def vimeu():
    from atlas.analysis.distances import commune_origins
    from atlas.territory.reference import load_communes
    from atlas.territory.selection import select_territory

    pts = commune_origins(select_territory(load_communes(), epci=[VIMEU]))
    xy = points_xy(pts)
    return pts, _within(xy, xy, 5), pts["population"].to_numpy(float)


def _run(*args: str):
    from click.testing import CliRunner

    from atlas.cli import cli

    return CliRunner().invoke(cli, ["-q", "suggerer", "--epci", VIMEU, "--seuil", "5", *args])


def _csv(output: str) -> pd.DataFrame:
    import io

    return pd.read_csv(io.StringIO(output.lstrip("\ufeff")), sep=";", decimal=",", dtype={"Code INSEE": str})


def test_cli_exact_and_greedy_against_brute_force(vimeu):
    pts, cov, w = vimeu
    best = _brute_mclp(cov, w, 2)
    res = _run("-k", "2")
    assert res.exit_code == 0, res.output
    assert "Optimum prouvé par HiGHS" in res.output
    assert f"Population sortie des zones blanches : {best:,.0f}.".replace(",", "\u00a0") in res.output
    table = _csv(_run("-k", "2", "--format", "csv").output)
    chosen = pts.reset_index(drop=True).index[pts["insee"].isin(table["Code INSEE"]).to_numpy()]
    assert float(w[cov[chosen].any(axis=0)].sum()) == best
    greedy = _run("-k", "2", "--methode", "glouton", "--limite-temps", "5")
    assert greedy.exit_code == 0 and "Méthode gloutonne" in greedy.output


def test_cli_cover_all_is_minimal_and_covers_everyone(vimeu):
    pts, cov, w = vimeu
    res = _run("--couvrir-tout", "--format", "csv")
    assert res.exit_code == 0, res.output
    table = _csv(res.output)
    chosen = np.flatnonzero(pts["insee"].isin(table["Code INSEE"]).to_numpy())
    # independent check: every commune point within 5 km of a chosen commune point
    assert cov[chosen].any(axis=0).all()
    assert len(chosen) == _brute_cover(cov, w, w.sum())
    part = _run("--couvrir-tout", "--part", "80")
    assert part.exit_code == 0 and "80,0 % de la demande" in part.output
    assert f"{_brute_cover(cov, w, 0.8 * w.sum())} nouveau" in part.output


def test_cli_planned_sites_and_weights(vimeu, tmp_path):
    pts, cov, w = vimeu
    planned = tmp_path / "prevus.gpkg"
    pts.iloc[[0]][["insee", "geometry"]].to_file(planned)
    res = _run("-k", "1", "--sites-prevus", str(planned), "--format", "csv")
    assert res.exit_code == 0, res.output
    assert _csv(res.output)["Population sortie des zones blanches"].iloc[0] == _brute_mclp(cov, w, 1, already=cov[0])
    weights = tmp_path / "poids.csv"
    poor = np.where(np.arange(len(pts)) == len(pts) - 1, 1000.0, 1.0)  # one commune in need
    pd.DataFrame({"insee": pts["insee"], "menages": poor}).to_csv(weights, sep=";", index=False)
    res = _run("-k", "1", "--poids", str(weights), "--format", "csv")
    assert res.exit_code == 0, res.output
    assert _csv(res.output)["Demande couverte en plus"].iloc[0] == _brute_mclp(cov, poor, 1)


def test_cli_errors_are_french_sentences():
    res = _run("--couvrir-tout", "--part", "150")
    assert res.exit_code == 1 and "entre 0 et 100" in res.output
    res = _run("--minutes", "10")
    assert res.exit_code == 1 and "réseau routier" in res.output
    res = _run("--grille", "2", "--candidats", "x.gpkg")
    assert res.exit_code == 1 and "ne vont pas ensemble" in res.output


def test_time_limit_gives_the_best_found_with_its_proven_gap(communes):
    from atlas.analysis.distances import commune_origins
    from atlas.territory.selection import select_territory

    pts = commune_origins(select_territory(communes, dep=["80"]))
    out = maximal_covering(pts, pts, k=20, threshold_km=10, time_limit_s=0.01)
    a = out.solution
    # issue 25: greedy 541,377, optimum 555,468 (so any proven bound is at least that)
    assert a.status == "time_limit" and not a.proven
    assert 541_377 <= a.value <= 555_468 <= a.bound
    assert a.gap == pytest.approx(1 - a.value / a.bound) and a.sentence().startswith("À ")
    assert "limite de temps de 0,01 s atteinte" in a.sentence()
