"""Access distances: nearest sites, independent geodesic checks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from atlas.analysis.distances import check_thresholds, commune_access, nearest, nearest_xy
from atlas.analysis.sites import select_sites
from atlas.crs import L93, l93_to_lonlat, points_xy
from atlas.errors import AccessError


def test_nearest_matches_brute_force():
    rng = np.random.default_rng(42)
    o = rng.uniform([600_000, 6_900_000], [750_000, 7_100_000], size=(2000, 2))
    s = rng.uniform([600_000, 6_900_000], [750_000, 7_100_000], size=(50, 2))
    full = np.hypot(o[:, None, 0] - s[None, :, 0], o[:, None, 1] - s[None, :, 1])
    d, i = nearest_xy(o, s)
    np.testing.assert_allclose(d, full.min(axis=1))
    np.testing.assert_array_equal(i, full.argmin(axis=1))
    origins = gpd.GeoDataFrame({"k": range(len(o))}, geometry=gpd.points_from_xy(o[:, 0], o[:, 1]), crs=L93)
    sites = gpd.GeoDataFrame({"id": [f"s{j}" for j in range(50)], "name": [f"Site {j}" for j in range(50)]},
                             geometry=gpd.points_from_xy(s[:, 0], s[:, 1]), crs=L93)
    res = nearest(origins, sites, k=2)
    second = np.sort(full, axis=1)[:, 1]
    np.testing.assert_allclose(res["distance_m"], full.min(axis=1))
    np.testing.assert_allclose(res["distance_m_2"], second)
    assert list(res["site_id"][:3]) == [f"s{j}" for j in full.argmin(axis=1)[:3]]
    assert res.index.equals(origins.index) and res.crs == L93


def test_nearest_handles_missing_and_other_crs():
    sites = gpd.GeoDataFrame({"id": ["x"], "name": ["X"]}, geometry=[shapely.Point(2.0, 50.0)], crs="EPSG:4326")
    origins = gpd.GeoDataFrame({"n": [1, 2]}, geometry=[shapely.Point(2.0, 50.0), None], crs="EPSG:4326")
    res = nearest(origins, sites, k=3)
    assert res.loc[0, "distance_m"] == pytest.approx(0, abs=1e-6)
    assert np.isnan(res.loc[1, "distance_m"]) and res.loc[1, "site_id"] == ""
    assert np.isnan(res.loc[0, "distance_m_2"]) and res.loc[0, "site_id_3"] == ""
    with pytest.raises(AccessError):
        nearest(origins, sites, k=0)


def test_check_thresholds():
    assert check_thresholds([20, "10", 10, "2,5"]) == [2.5, 10.0, 20.0]
    for bad in (0, -1, float("nan"), float("inf"), "dix", 5000):
        with pytest.raises(AccessError, match="seuil invalide"):
            check_thresholds([bad])


# ------------------------------------------------------------------ real data
@pytest.fixture(scope="module")
def restos(foodaid_2015, communes):
    from atlas.registry.actors import read_actors

    return read_actors(foodaid_2015 / "position_centres_2015_restos_du_coeur.csv", mapping="restos-2015",
                       communes=communes).accepted


def test_distances_agree_with_geodesic(communes, restos):
    """Lambert-93 distances vs pyproj geodesic distances on GRS80, within 0.5 %."""
    sites = select_sites(restos).frame
    res = commune_access(communes, sites)
    assert len(res) == 3782 and res["distance_m"].notna().all()
    site_xy = points_xy(sites.set_index("id").loc[res["site_id"]])
    lon1, lat1 = l93_to_lonlat(res["origin_x"].to_numpy(), res["origin_y"].to_numpy())
    lon2, lat2 = l93_to_lonlat(site_xy[:, 0], site_xy[:, 1])
    _, _, geodesic = Geod(ellps="GRS80").inv(lon1, lat1, lon2, lat2)
    far = geodesic > 1000
    assert far.sum() > 3000
    rel = np.abs(res["distance_m"].to_numpy()[far] - geodesic[far]) / geodesic[far]
    assert rel.max() < 0.005
    # and the nearest site really is the nearest geodesically (no closer site by > 0.5 %)
    sample = np.flatnonzero(far)[::97]
    all_lon, all_lat = l93_to_lonlat(*points_xy(sites).T)
    for i in sample:
        _, _, dall = Geod(ellps="GRS80").inv(np.full(len(all_lon), lon1[i]), np.full(len(all_lon), lat1[i]),
                                             all_lon, all_lat)
        assert geodesic[i] <= dall.min() * 1.005


def test_commune_with_site_has_zero_distance(communes, restos):
    """A site's own point is at distance 0 from a site; a commune holding a site is no
    farther from food aid than from that site, which lies within the commune's extent."""
    own = nearest(restos, restos)
    assert (own["distance_m"] == 0).all()
    unique = ~restos.geometry.duplicated(keep=False).to_numpy()
    assert (own.loc[unique, "site_id"] == restos.loc[unique, "id"]).all()

    res = commune_access(communes, select_sites(restos))
    inside = gpd.sjoin(restos[["id", "geometry"]], communes[["geometry"]], predicate="within")
    assert len(inside) >= len(restos) - 2  # 2 points lie 200–400 m outside the region (Dormans, Persan)
    origin = gpd.points_from_xy(res["origin_x"], res["origin_y"], crs=L93)
    for site_pos, commune_pos in zip(inside.index, inside["index_right"], strict=True):
        site_pt = restos.geometry.loc[site_pos]
        d_own = shapely.distance(origin[commune_pos], site_pt)
        assert res["distance_m"].iloc[commune_pos] <= d_own + 1e-6
        assert d_own <= shapely.hausdorff_distance(origin[commune_pos], communes.geometry.iloc[commune_pos])
    zero = res["distance_m"] < 1.0
    assert zero.sum() >= 1


def test_origins_with_infinite_population_are_a_clear_error(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    from atlas.analysis.distances import read_origins

    path = tmp_path / "points.gpkg"
    gpd.GeoDataFrame({"population": [10.0, float("inf")]}, geometry=[Point(2.8, 50.4), Point(2.9, 50.5)],
                     crs="EPSG:4326").to_file(path)
    with pytest.raises(AccessError, match="population non finie ou négative \\(point\\(s\\) n° 2\\)"):
        read_origins(str(path))


def test_distances_from_origins_use_the_gap_rule_of_gaps(communes):
    """Random points around the Pas-de-Calais: those inside its communes are kept, those in no polygon
    but within 500 m join the nearest commune (recomputed with a shapely index), the others are
    counted and reported, population included; nothing is lost."""
    from atlas.analysis.distances import distances
    from atlas.analysis.origins import ORIGIN_GAP_M
    from atlas.territory.selection import select_territory

    terr = select_territory(communes, dep="62")
    xmin, ymin, xmax, ymax = terr.communes.total_bounds
    rng = np.random.default_rng(7)
    n = 20_000
    x, y = rng.uniform(xmin - 3000, xmax + 3000, n), rng.uniform(ymin - 3000, ymax + 3000, n)
    pop = rng.uniform(0, 10, n).round(2)
    origins = gpd.GeoDataFrame({"population": pop}, geometry=gpd.points_from_xy(x, y), crs=L93)
    sites = gpd.GeoDataFrame({"id": ["a"], "name": ["A"], "kind": ["distribution"], "status": ["open"],
                              "visibility": ["public"]},
                             geometry=[shapely.Point(650_000, 7_030_000)], crs=L93)
    result = distances(terr, sites, origins=origins, clip=True)
    res, report = result.frame, result.origins
    # independent recomputation
    geoms = communes.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    pts = shapely.points(x, y)
    inside = np.zeros(n, dtype=bool)
    inside[tree.query(pts, predicate="intersects")[0]] = True
    near_pt, near_com = tree.query_nearest(pts, max_distance=ORIGIN_GAP_M)
    in_dep = communes["dep"].to_numpy() == "62"
    gap_joined = {p for p, c in zip(near_pt, near_com, strict=True) if not inside[p] and in_dep[c]}
    far = ~inside
    far[near_pt] = False
    kept_inside = np.zeros(n, dtype=bool)
    hit_pt, hit_com = tree.query(pts, predicate="intersects")
    kept_inside[hit_pt[in_dep[hit_com]]] = True
    assert len(gap_joined) > 0 and far.sum() > 0  # the sample does exercise both rules
    assert set(res.index) == set(np.flatnonzero(kept_inside)) | gap_joined
    assert report.n_joined == len(gap_joined)
    assert report.n_outside == int(far.sum())
    assert report.population_outside == pytest.approx(pop[far].sum(), abs=1e-6)
    total = sum(getattr(report, f"population_{k}") for k in ("kept", "elsewhere", "outside"))
    assert total == pytest.approx(pop.sum(), abs=1e-6)  # every inhabitant counted somewhere
    joined = res.loc[sorted(gap_joined)]
    nearest_code = {p: communes["insee"].iloc[c] for p, c in zip(near_pt, near_com, strict=True)}
    assert (joined["insee"].to_numpy() == [nearest_code[p] for p in joined.index]).all()
    assert res["distance_m"].notna().all()


@pytest.mark.parametrize("workers", [1, -1])
def test_large_queries_use_pykdtree_with_the_same_answers(monkeypatch, workers):
    """From BIG_QUERY origins on, pykdtree answers: the same distances as a brute-force search,
    NaN origins kept apart, and of several sites at one place always the first row."""
    from atlas.analysis import distances

    rng = np.random.default_rng(21)
    sites = rng.uniform(0, 50_000, (40, 2))
    sites[[7, 30]] = sites[19]  # three sites at one place: row 7 is the first of them
    origins = rng.uniform(0, 50_000, (3000, 2))
    origins[:5] = sites[19]  # on that place exactly
    origins[[10, 2999]] = np.nan
    brute = np.sqrt(((origins[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2))
    small = nearest_xy(origins, sites, workers=workers)
    monkeypatch.setattr(distances, "BIG_QUERY", 100)
    big = nearest_xy(origins, sites, workers=workers)
    for dist, idx in (small, big):
        ok = np.isfinite(origins).all(axis=1)
        np.testing.assert_allclose(dist[ok], np.nanmin(brute[ok], axis=1), rtol=0, atol=1e-9)
        assert (idx[~ok] == -1).all() and np.isnan(dist[~ok]).all()
        assert (idx[:5] == 7).all() and (dist[:5] == 0).all()
        assert not np.isin(idx, [19, 30]).any()
    np.testing.assert_array_equal(big[1], small[1])
    np.testing.assert_array_equal(big[0], small[0])
