"""Benchmark of straight-line access distances (``access``), run by ``python -m tests.benchmarks``.

    python -m tests.benchmarks access            # national size (a few minutes)
    python -m tests.benchmarks access --quick    # smaller sizes, for a smoke run
    python tests/benchmarks/bench_access.py      # the same, as a script

2.3 million origin points (the size of INSEE's 200 m population grid for France) to 15,000
sites, random positions over metropolitan France in Lambert-93, same thread count on every side:

- ``atlas.analysis.distances.nearest`` (GeoDataFrames in and out, site ids and names) against
  the **fair GeoDataFrame baseline**: the same frames in, coordinates read with
  ``shapely.get_x``/``get_y``, a bare ``cKDTree`` build + query, the frame out with the
  distance, site id and site name columns (target ≤ 1.2×);
- against the bare ``cKDTree`` build + query on the coordinate arrays (target ≤ 1.5×), and
  ``nearest_xy`` (atlas on arrays) against the same;
- ``geopandas.sjoin_nearest`` against ``nearest`` (target: atlas ≥ 5× faster);
- peak memory of a fresh process building the inputs and running ``nearest`` (target < 2 GB).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks import Config, Table, bench, measure, peak_rss_bytes, ratio_cell, seconds  # noqa: E402

N_ORIGINS = 2_300_000
N_SITES = 15_000
BOUNDS = (100_000.0, 6_100_000.0, 1_200_000.0, 7_100_000.0)  # inside metropolitan France, L93


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


def fair_baseline(origins, sites, workers: int):
    """What a careful user writes with geopandas + scipy: the same frames in, the same frame out."""
    import pandas as pd
    import shapely
    from scipy.spatial import cKDTree

    ov = np.asarray(origins.geometry.array)
    sv = np.asarray(sites.geometry.array)
    oxy = np.column_stack([shapely.get_x(ov), shapely.get_y(ov)])
    sxy = np.column_stack([shapely.get_x(sv), shapely.get_y(sv)])
    dist, idx = cKDTree(sxy).query(oxy, workers=workers)
    out = origins.copy(deep=False)
    out["distance_m"] = dist
    out["site_id"] = pd.Series(sites["id"].to_numpy(dtype=object)[idx], index=out.index, dtype=object)
    out["site_name"] = pd.Series(sites["name"].to_numpy(dtype=object)[idx], index=out.index, dtype=object)
    return out


def memory_child(n_origins: int, n_sites: int) -> None:
    """Run in a fresh process: build inputs, compute nearest, print peak RSS (bytes)."""
    from atlas.analysis.distances import nearest

    _, _, origins, sites = frames(n_origins, n_sites)
    res = nearest(origins, sites)
    assert len(res) == n_origins
    print(peak_rss_bytes())


@bench("access", "Straight-line distances to the nearest site")
def bench_straight(config: Config) -> list[Table]:
    import geopandas as gpd
    from scipy.spatial import cKDTree

    from atlas.analysis.distances import nearest, nearest_xy

    n_o, n_s = (200_000, 1_500) if config.quick else (N_ORIGINS, N_SITES)
    w = config.workers
    o, s, origins, sites = frames(n_o, n_s)
    res = nearest(origins, sites, workers=w)
    ref, _ = cKDTree(s).query(o)
    assert np.array_equal(res["distance_m"].to_numpy(), ref)
    assert np.array_equal(fair_baseline(origins, sites, w)["site_id"].to_numpy(), res["site_id"].to_numpy())
    runs = measure({
        "bare": lambda: cKDTree(s).query(o, workers=w),
        "fair": lambda: fair_baseline(origins, sites, w),
        "nearest_xy": lambda: nearest_xy(o, s, workers=w),
        "nearest": lambda: nearest(origins, sites, workers=w),
        "sjoin": lambda: gpd.sjoin_nearest(origins, sites[["id", "geometry"]], how="left", distance_col="d"),
    }, config.repeats)
    child = subprocess.run([sys.executable, __file__, "--memory-child", str(n_o), str(n_s)],
                           capture_output=True, text=True, check=True)
    rss = int(child.stdout.split()[-1])
    n = config.repeats
    table = Table(
        f"{n_o:,} origins → {n_s:,} sites, random over France (Lambert-93), workers={w}",
        ["compared", f"ratio (median of {n} runs)", "target", "atlas time", "other time"],
        [
            ["`nearest` (GeoDataFrames) / fair GeoDataFrame baseline", ratio_cell(runs, "nearest", "fair", bold=True),
             "≤ 1.2×", seconds(runs, "nearest"), seconds(runs, "fair")],
            ["`nearest` (GeoDataFrames) / bare `cKDTree` on arrays", ratio_cell(runs, "nearest", "bare"), "≤ 1.5×",
             seconds(runs, "nearest"), seconds(runs, "bare")],
            ["`nearest_xy` (arrays) / bare `cKDTree` on arrays", ratio_cell(runs, "nearest_xy", "bare"), "",
             seconds(runs, "nearest_xy"), seconds(runs, "bare")],
            ["`geopandas.sjoin_nearest` / `nearest` (how much faster atlas is)",
             ratio_cell(runs, "sjoin", "nearest", bold=True), "≥ 5×", seconds(runs, "nearest"),
             seconds(runs, "sjoin")],
        ],
        [f"Peak memory of a fresh process building the inputs and running `nearest`: **{rss / 1e9:.2f} GB** max RSS "
         "(target < 2 GB). Fair baseline: the same frames in, x/y read with `shapely.get_x`/`get_y`, "
         "`cKDTree` build + query, a shallow copy of the origins with distance, site id and site name columns out."],
    )
    return [table]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--memory-child":
        memory_child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        from tests.benchmarks.__main__ import main

        raise SystemExit(main(["access", *sys.argv[1:]]))
