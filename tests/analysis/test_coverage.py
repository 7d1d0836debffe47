"""Zones blanches: totals on the real region, independent recomputation, days, outputs, CLI."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from atlas.analysis import coverage as gaps
from atlas.analysis.distances import commune_origins
from atlas.analysis.sites import SiteFilter, select_sites, sites_frame
from atlas.crs import L93, points_xy
from atlas.errors import AccessError, NoSiteError

REGION_POPULATION = 6_003_283


def _brute_covered(communes: gpd.GeoDataFrame, sites, km: float) -> int:
    """Population within ``km`` of a site, by a full distance matrix (no tree)."""
    o = points_xy(commune_origins(communes))
    s = points_xy(sites_frame(sites))
    best = np.full(len(o), np.inf)
    for start in range(0, len(s), 50):
        chunk = s[start:start + 50]
        d = np.hypot(o[:, None, 0] - chunk[None, :, 0], o[:, None, 1] - chunk[None, :, 1]).min(axis=1)
        best = np.minimum(best, d)
    return int(communes["population"].to_numpy()[best <= km * 1000].sum())


def _check_epci_table(zb: gaps.Coverage, key: str = "10km") -> pd.DataFrame:
    by_epci = gaps.summarize(zb, "epci")
    assert len(by_epci) == zb.frame["epci"].nunique()
    assert by_epci["n_communes"].sum() == len(zb)
    total = by_epci[f"pop_covered_{key}"] + by_epci[f"pop_uncovered_{key}"]
    assert (total == by_epci["population"]).all()
    assert total.sum() == REGION_POPULATION
    return by_epci


@pytest.fixture(scope="module")
def foodaid_2015_actors(foodaid_2015):
    from atlas.registry.build import build_registries

    res = build_registries([foodaid_2015 / "position_centres_2015_restos_du_coeur.csv",
                       foodaid_2015 / "position_centres_2015_CRF.xlsx"],
                      mappings=["restos-2015", "croix-rouge-2015"], write=False)
    return res.actors


def test_zones_blanches_restos_croix_rouge_2015(communes, foodaid_2015_actors):
    """Real 2015 lists: 192 Restos du Cœur centres + 140 Croix-Rouge units in the region."""
    actors = foodaid_2015_actors
    assert len(actors) == 332
    zb = gaps.zones_blanches(communes, select_sites(actors, SiteFilter(kinds=None)), thresholds_km=[5, 10, 20])
    assert zb.n_sites == 332 and len(zb) == 3782
    by_epci = _check_epci_table(zb)
    region = gaps.summarize(zb, "region").iloc[0]
    assert region["population"] == REGION_POPULATION
    assert region["pop_covered_10km"] == 5_445_456
    assert region["pop_uncovered_10km"] == 557_827
    assert region["n_zone_blanche_10km"] == 914
    assert by_epci["pop_covered_10km"].sum() == 5_445_456
    # thresholds nest: more coverage with a larger radius
    assert region["pop_covered_5km"] < region["pop_covered_10km"] < region["pop_covered_20km"]
    # independent recomputation without k-d tree
    sites = select_sites(actors, SiteFilter(kinds=None))
    for km in (5, 10, 20):
        assert region[f"pop_covered_{km}km"] == _brute_covered(communes, sites, km)
    # by département sums to the same
    assert gaps.summarize(zb, "dep")["pop_uncovered_10km"].sum() == 557_827
    # Restos du Cœur alone (distribution points)
    restos = gaps.zones_blanches(communes, select_sites(actors, SiteFilter(kinds="distribution")), thresholds_km=(10,))
    covered = gaps.summarize(restos, "region").iloc[0]["pop_covered_10km"]
    assert covered == _brute_covered(communes, select_sites(actors, SiteFilter(kinds="distribution")), 10) == 3_862_907


def test_zones_blanches_demo_registry(demo):
    zb = gaps.zones_blanches(demo.communes, select_sites(demo.actors), thresholds_km=(10,))
    _check_epci_table(zb)
    region = gaps.summarize(zb, "region").iloc[0]
    sites = select_sites(demo.actors)
    assert region["pop_covered_10km"] == _brute_covered(demo.communes, sites, 10)
    assert region["pop_covered_10km"] + region["pop_uncovered_10km"] == REGION_POPULATION
    # a weekday filter can only remove sites, hence coverage
    saturday = gaps.zones_blanches(demo.communes, select_sites(demo.actors, SiteFilter(day="samedi")), thresholds_km=(10,))
    assert saturday.n_sites < zb.n_sites
    sat = gaps.summarize(saturday, "region").iloc[0]
    assert sat["pop_covered_10km"] <= region["pop_covered_10km"]
    saturday_sites = select_sites(demo.actors, SiteFilter(day="samedi"))
    assert sat["pop_covered_10km"] == _brute_covered(demo.communes, saturday_sites, 10)


def test_day_closed_site_covers_nothing_and_truck_covers_its_day(communes):
    """A site open only on Saturday covers on Saturday, not Monday; a truck stop on its day."""
    pts = commune_origins(communes)
    target = pts[pts["insee"] == "62119"].geometry.iloc[0]  # Béthune town hall
    stop = pts[pts["insee"] == "02691"].geometry.iloc[0]  # Saint-Quentin
    actors = gpd.GeoDataFrame({
        "id": ["sat", "truck", "stop"], "name": ["Samedi", "Camion", "Arrêt"],
        "kind": ["distribution"] * 3, "opening_hours": ["Sa 09:00-12:00", "", "Mo 10:00-11:00"],
        "mode": ["fixed", "mobile", "mobile"], "route": ["", "", "truck"], "closures": ["", "", ""],
        "network": "", "services": "",
    }, geometry=[target, None, stop], crs=L93)
    sat = gaps.zones_blanches(communes, select_sites(actors, SiteFilter(day="samedi")), thresholds_km=(5,))
    mon = gaps.zones_blanches(communes, select_sites(actors, SiteFilter(day="lundi")), thresholds_km=(5,))
    any_day = gaps.zones_blanches(communes, select_sites(actors), thresholds_km=(5,))
    bethune = communes["insee"] == "62119"
    st_quentin = communes["insee"] == "02691"
    sat, mon, any_day = sat.frame, mon.frame, any_day.frame
    assert not sat.loc[bethune, "zone_blanche_5km"].iloc[0] and sat.loc[st_quentin, "zone_blanche_5km"].iloc[0]
    assert mon.loc[bethune, "zone_blanche_5km"].iloc[0] and not mon.loc[st_quentin, "zone_blanche_5km"].iloc[0]
    assert any_day["pop_covered_5km"].sum() == sat["pop_covered_5km"].sum() + mon["pop_covered_5km"].sum()
    with pytest.raises(NoSiteError, match="mardi"):
        gaps.zones_blanches(communes, select_sites(actors, SiteFilter(day="mardi")), thresholds_km=(5,))


def test_grid_origins_and_territory(communes):
    from atlas.territory.selection import select_territory

    terr = select_territory(communes, epci="CAPSO")
    # a synthetic 1 km grid over the EPCI, 10 people per cell inside a commune
    xmin, ymin, xmax, ymax = terr.communes.total_bounds
    xs, ys = np.meshgrid(np.arange(xmin, xmax, 1000.0), np.arange(ymin, ymax, 1000.0))
    grid = gpd.GeoDataFrame({"population": np.full(xs.size, 10.0)},
                            geometry=gpd.points_from_xy(xs.ravel(), ys.ravel()), crs=L93)
    inside = grid[shapely.contains(terr.communes.union_all(), np.asarray(grid.geometry.array))]
    site = terr.communes[terr.communes["insee"] == "62765"].representative_point().iloc[0]  # Saint-Omer
    sites = gpd.GeoDataFrame({"id": ["so"], "name": ["Saint-Omer"]}, geometry=[site], crs=L93)
    zb = gaps.zones_blanches(terr, sites, thresholds_km=[5, 10], origins=grid).frame
    assert zb["population"].sum() == 10 * len(inside)
    for key in ("5km", "10km"):
        assert (zb[f"pop_covered_{key}"] + zb[f"pop_uncovered_{key}"] == zb["population"]).all()
    d = np.hypot(*(points_xy(inside) - np.array([site.x, site.y])).T)
    assert zb["pop_covered_5km"].sum() == 10 * (d <= 5000).sum()
    assert zb["pop_covered_10km"].sum() == 10 * (d <= 10000).sum()


def test_bad_input(communes, demo):
    for bad in ([0], [-5], [float("nan")], [1e6]):
        with pytest.raises(AccessError, match="seuil invalide"):
            gaps.zones_blanches(communes, select_sites(demo.actors), thresholds_km=bad)
    with pytest.raises(AccessError, match="aucun seuil"):
        gaps.zones_blanches(communes, select_sites(demo.actors), thresholds_km=[])
    with pytest.raises(AccessError, match="réseau routier"):
        gaps.zones_blanches(communes, select_sites(demo.actors), thresholds_km=None, thresholds_min=[15])
    with pytest.raises(NoSiteError, match="aucun site"):
        gaps.zones_blanches(communes, select_sites(demo.actors, SiteFilter(kinds="logistics", networks="emmaus")))
    with pytest.raises(AccessError, match="regroupement"):
        gaps.summarize(gaps.zones_blanches(communes, select_sites(demo.actors), thresholds_km=(10,)), by="canton")


def test_outputs_are_french_and_atomic(tmp_path, demo):
    zb = gaps.zones_blanches(demo.communes, select_sites(demo.actors), thresholds_km=[10, 20])
    csv = gaps.write_gaps(zb, tmp_path / "zb.csv", by="dep")
    table = pd.read_csv(csv, dtype={"Département": str}, sep=";", decimal=",", encoding="utf-8-sig")
    assert "Population non couverte (10 km)" in table.columns and "Part couverte (20 km, %)" in table.columns
    assert table["Département"].iloc[-1] == "Total" and table["Population"].iloc[-1] == REGION_POPULATION
    md = gaps.write_gaps(zb, tmp_path / "zb.md", by="epci").read_text(encoding="utf-8")
    assert "| Population non couverte (10 km) |" in md and "6\u00a0003\u00a0283" in md
    import pyogrio

    gpkg = gaps.write_gaps(zb, tmp_path / "zb.gpkg")
    layers = {name for name, _ in pyogrio.list_layers(gpkg)}
    assert layers == {"zones_blanches_communes", "zones_blanches_epci", "zones_blanches_dep"}
    with pytest.raises(AccessError, match="format"):
        gaps.write_gaps(zb, tmp_path / "zb.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zb.csv", "zb.gpkg", "zb.md"]


def test_cli_gaps(tmp_path):
    from atlas.cli import cli

    runner = CliRunner()
    out = tmp_path / "zb.csv"
    res = runner.invoke(cli, ["-q", "gaps", "--threshold", "10", "--kind", "distribution", "--kind", "epicerie",
                              "--day", "samedi", "--epci", "CABBALR", "--by", "commune", "-o", str(out)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out, dtype=str, sep=";", encoding="utf-8-sig")
    assert len(table) == 100 and set(table["EPCI (SIREN)"]) == {"200072460"}
    res = runner.invoke(cli, ["-q", "gaps", "--threshold", "10", "--by", "region"])
    assert res.exit_code == 0 and "Hauts-de-France" in res.output
    for args, message in [
        (["--threshold", "-1"], "seuil invalide"),
        (["--epci", "NOPE"], "Territoire inconnu"),
        (["--dep", "75"], "Territoire inconnu"),
        (["--kind", "producer", "--day", "dimanche"], "aucun site ouvert"),
        (["--network", str(tmp_path / "absent.osm.pbf")], "introuvable"),
    ]:
        bad = tmp_path / "bad.md"
        res = runner.invoke(cli, ["-q", "gaps", *args, "-o", str(bad)])
        assert res.exit_code == 1, (args, res.output)
        assert message in res.output and "Traceback" not in res.output
        assert not bad.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["zb.csv"]


def test_cli_gaps_network_not_covering(tmp_path, shared_data):
    from atlas.cli import cli

    graph = shared_data / "road-graph-fr-osmnx" / "maisons_laffitte.graphml"
    out = tmp_path / "zb.gpkg"
    res = CliRunner().invoke(cli, ["-q", "gaps", "--epci", "CAPSO", "--network", str(graph), "-o", str(out)])
    assert res.exit_code == 1 and "ne couvre pas le territoire" in res.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_cli_distances(tmp_path):
    from atlas.cli import cli

    out = tmp_path / "d.csv"
    res = CliRunner().invoke(cli, ["-q", "distances", "--epci", "CAPSO", "-o", str(out)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out, dtype={"Code INSEE": str}, sep=";", decimal=",", encoding="utf-8-sig")
    assert len(table) == 53 and table["Distance au site le plus proche (km)"].notna().all()


def test_cli_distances_from_origin_points(tmp_path, communes):
    from atlas.cli import cli
    from atlas.territory.selection import select_territory

    terr = select_territory(communes, epci="CAPSO")
    pts = commune_origins(terr)[["insee", "population", "geometry"]]
    grid = tmp_path / "points.gpkg"
    pts.to_file(grid, layer="points")
    out = tmp_path / "d.gpkg"
    res = CliRunner().invoke(cli, ["-q", "distances", "--origins", str(grid), "-o", str(out)])
    assert res.exit_code == 0, res.output
    back = gpd.read_file(out, layer="distances")
    assert len(back) == len(terr) and back["distance_m"].notna().all()
    res = CliRunner().invoke(cli, ["-q", "distances", "--origins", str(grid), "--epci", "CABBALR"])
    assert res.exit_code == 1 and "aucun point d'origine" in res.output
    res = CliRunner().invoke(cli, ["-q", "gaps", "--origins", str(grid), "--epci", "CAPSO", "--threshold", "10",
                                   "--by", "region", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert f"{int(terr.communes['population'].sum())}" in res.output
    bad = tmp_path / "nopop.gpkg"
    pts.drop(columns="population").to_file(bad, layer="points")
    res = CliRunner().invoke(cli, ["-q", "gaps", "--origins", str(bad), "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 1 and "population" in res.output and not (tmp_path / "x.csv").exists()


def test_weekly_coverage_follows_opening_days(communes):
    """Two sites, one open on Saturday only, one on weekdays: coverage per day recomputed by hand."""
    from atlas.analysis.coverage import weekly_coverage, weekly_table
    from atlas.territory.reference import representative_points
    from atlas.territory.selection import select_territory

    cab = select_territory(communes, epci="CABBALR")
    ref = representative_points(cab.communes).set_index("insee")
    bethune, bruay = ref.loc["62119"].geometry, ref.loc["62178"].geometry
    sites = gpd.GeoDataFrame(
        {"id": ["s1", "s2"], "name": ["samedi", "semaine"], "kind": ["distribution", "epicerie"],
         "opening_hours": ["Sa 09:00-12:00", "Mo-Fr 14:00-17:00"], "closures": ["", ""], "mode": ["fixed"] * 2,
         "route": ["", ""], "network": ["", ""], "services": ["", ""], "insee": ["62119", "62178"]},
        geometry=[bethune, bruay], crs="EPSG:2154")
    week = weekly_coverage(cab, select_sites(sites), thresholds_km=(10,), by="epci")
    row = week.frame.iloc[0]
    pop = cab.communes.set_index("insee")["population"]
    near = {name: set(ref.index[shapely.distance(ref.geometry.values, p) <= 10_000])
            for name, p in (("samedi", bethune), ("semaine", bruay))}
    assert row["population"] == pop.sum()
    assert row["uncovered_samedi"] == pop.sum() - pop[list(near["samedi"])].sum()
    for day in ("lundi", "mardi", "mercredi", "jeudi", "vendredi"):
        assert row["uncovered_" + day] == pop.sum() - pop[list(near["semaine"])].sum()
    assert row["uncovered_dimanche"] == pop.sum() and row["dimanche"] == 0
    table = weekly_table(week)
    assert table.iloc[-1, 0] == "Total" and "samedi (% couvert, 10 km)" in table.columns


def test_cli_gaps_week(tmp_path):
    from atlas.cli import cli

    out = tmp_path / "semaine.md"
    res = CliRunner().invoke(cli, ["-q", "gaps", "--semaine", "--epci", "CABBALR", "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "samedi (% couvert, 10 km)" in text and "Béthune-Bruay" in text
    res = CliRunner().invoke(cli, ["gaps", "--semaine", "--day", "samedi"])
    assert res.exit_code == 1 and "--semaine et --day" in res.output
