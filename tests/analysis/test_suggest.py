"""Greedy maximal covering: synthetic exact cases and a brute-force check on the real region."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from atlas.analysis.distances import commune_origins
from atlas.analysis.sites import select_sites
from atlas.analysis.suggest import coverage_matrix, suggest_sites, write_suggestions
from atlas.crs import L93, points_xy
from atlas.errors import AccessError


def _pts(xy, **cols) -> gpd.GeoDataFrame:
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=L93)


@pytest.fixture
def clusters():
    # three villages 50 km apart: 1,000, 600 and 300 people; existing site near the 600 one
    origins = _pts([[0, 0], [1000, 0], [50_000, 0], [50_500, 0], [100_000, 0]], population=[500, 500, 300, 300, 300])
    sites = _pts([[50_000, 2000]], id=["existing"], name=["Existant"])
    cands = _pts([[500, 0], [50_200, 0], [100_000, 3000], [200_000, 0]], name=["A", "B", "C", "D"])
    return origins, sites, cands


def test_greedy_order_and_figures(clusters):
    origins, sites, cands = clusters
    ranked = suggest_sites(None, sites, candidates=cands, origins=origins, thresholds_km=(5,), k=4)
    ranked_frame = ranked.frame
    assert list(ranked_frame["name"]) == ["A", "C"]  # B adds nothing (already covered), D covers nobody
    assert list(ranked_frame["rank"]) == [1, 2]
    assert list(ranked_frame["population_gained"]) == [1000, 300]
    assert ranked.population_covered_before == 600
    assert list(ranked_frame["population_covered"]) == [1600, 1900]
    assert ranked_frame["share_covered"].iloc[-1] == pytest.approx(1.0)
    # without existing sites, the best first pick is still A, then B
    fresh = suggest_sites(None, None, candidates=cands, origins=origins, thresholds_km=(5,), k=2)
    assert list(fresh.frame["name"]) == ["A", "B"] and list(fresh.frame["population_gained"]) == [1000, 600]


def test_radius_boundary_and_coverage_matrix():
    o = np.array([[0.0, 0.0], [3000.0, 4000.0], [np.nan, np.nan]])
    c = np.array([[0.0, 0.0], [np.nan, 1.0]])
    m = coverage_matrix(c, o, 5000.0).toarray()
    assert m.tolist() == [[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]  # exactly 5 km counts as covered


def test_bad_input(clusters):
    origins, sites, cands = clusters
    with pytest.raises(AccessError, match="seuil invalide"):
        suggest_sites(None, sites, candidates=cands, origins=origins, thresholds_km=(0,))
    with pytest.raises(AccessError, match="nombre de sites"):
        suggest_sites(None, sites, candidates=cands, origins=origins, k=0)
    with pytest.raises(AccessError, match="population"):
        suggest_sites(None, sites, candidates=cands, origins=origins.drop(columns="population"))
    with pytest.raises(AccessError, match="candidat"):
        suggest_sites(None, sites, candidates=cands.iloc[:0], origins=origins)


def test_first_pick_is_brute_force_best_on_real_region(demo):
    communes = demo.communes
    origins = commune_origins(communes)
    sites = select_sites(demo.actors)
    ranked = suggest_sites(None, sites, candidates=origins, origins=origins, thresholds_km=(10,), k=3)
    xy = points_xy(origins)
    pop = communes["population"].to_numpy(dtype=float)
    s = points_xy(sites.frame)
    d_site = np.min([np.hypot(*(xy - p).T) for p in s], axis=0)
    weight = np.where(d_site <= 10_000, 0.0, pop)
    assert ranked.population_covered_before == int(pop[d_site <= 10_000].sum())
    cumul = ranked.population_covered_before
    for _, row in ranked.frame.iterrows():
        gains = np.array([weight[np.hypot(*(xy - p).T) <= 10_000].sum() for p in xy])
        assert row["population_gained"] == int(gains.max())
        assert row["insee"] == origins["insee"].iloc[int(np.argmax(gains))]
        cumul += int(gains.max())
        assert row["population_covered"] == cumul
        weight[np.hypot(*(xy - xy[int(np.argmax(gains))]).T) <= 10_000] = 0.0


def test_outputs_and_cli(tmp_path, clusters):
    origins, sites, cands = clusters
    ranked = suggest_sites(None, sites, candidates=cands, origins=origins, thresholds_km=(5,), k=2)
    csv = write_suggestions(ranked, tmp_path / "s.csv")
    table = pd.read_csv(csv, sep=";", decimal=",", encoding="utf-8-sig")  # French Excel dialect
    assert list(table.columns[:2]) == ["Rang", "Lieu"] and "Population sortie des zones blanches" in table
    md = write_suggestions(ranked, tmp_path / "s.md").read_text(encoding="utf-8")
    assert "Aujourd'hui : 600 habitants sur 1\u00a0900" in md
    from atlas.cli import cli

    res = CliRunner().invoke(cli, ["-q", "suggest", "--epci", "CABBALR", "-k", "2", "--threshold", "5"])
    assert res.exit_code == 0, res.output
    assert "| Rang |" in res.output and res.output.count("\n| ") >= 3
    res = CliRunner().invoke(cli, ["-q", "suggest", "--threshold", "abc"])
    assert res.exit_code == 2  # click rejects a non-number before atlas runs
