"""Benchmark of the printable A3 maps (not collected by pytest; run it by hand).

    python tests/benchmarks/bench_print.py                  # the curve: one CABBALR sheet, 100 … 20 000 sites
    python tests/benchmarks/bench_print.py --sites 2000     # one size only
    python tests/benchmarks/bench_print.py --demo           # demo registry sheet + the Pas-de-Calais booklet
    python -m tests.benchmarks print [--quick]              # the curve, with the other benchmarks' runner

**The curve** (what issue 12 asks): one CABBALR sheet (100 communes) from a synthetic registry of
n food-aid sites spread at random over its communes (copies of the demo registry's CABBALR sites,
each with its own name and point). Each size runs in a fresh process, so its peak resident
memory (its own ``VmHWM``) is its own; the time is :func:`atlas.maps.print.render.render_map` as a
user pays it (region layers prepared, sheet laid out, PDF written), communes and registry
loading excluded. Beyond what one map can show without markers covering one another, the
sheet is refused with a French message (:class:`atlas.errors.TooManySitesError`) suggesting
``--atlas commune``: the outcome column says which.

Also measured: the placement functions alone (:func:`atlas.placement.spread_markers` and
:func:`atlas.placement.label_spots`) on n markers and names at the density of a full map, to
show that their cost grows linearly (spatial indexes, no all-pairs loops).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks import Config, Table, bench, peak_rss_bytes  # noqa: E402

SIZES = (100, 200, 400, 2_000, 5_000, 20_000)
DAY = dt.date(2026, 11, 24)


def synthetic_registry(communes, actors, n: int, seed: int = 12):
    """``n`` food-aid sites at random points of CABBALR's communes, copied from the demo's own."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from atlas.registry.schema import AID_KINDS
    from atlas.territory.selection import resolve_territory

    rng = np.random.default_rng(seed)
    terr = resolve_territory(communes, "CABBALR").communes.reset_index(drop=True)
    models = actors[actors["insee"].astype(str).isin(set(terr["insee"])) & actors["kind"].isin(AID_KINDS)]
    rows = models.iloc[rng.integers(0, len(models), n)].copy().reset_index(drop=True)
    # uniform points in the territory: random points of its bounding box kept when inside a commune
    tree = shapely.STRtree(terr.geometry.values)
    xs, ys, which = [], [], []
    b = terr.total_bounds
    while len(xs) < n:
        p = shapely.points(rng.uniform(b[0], b[2], 4 * n), rng.uniform(b[1], b[3], 4 * n))
        src, hit = tree.query(p, predicate="within")
        xs += list(shapely.get_x(p[src]))
        ys += list(shapely.get_y(p[src]))
        which += list(hit)
    idx = np.asarray(which[:n])
    rows["insee"] = terr["insee"].to_numpy()[idx]
    rows["commune_name"] = terr["name"].to_numpy()[idx]
    rows["commune"] = rows["commune_name"]
    rows["id"] = [f"synth-{i}" for i in range(n)]
    rows["name"] = [f"Lieu d'aide {i}" for i in range(n)]
    rows["route"] = ""
    rows["mode"] = "fixed"
    rows["precision"] = "housenumber"
    return gpd.GeoDataFrame(rows, geometry=shapely.points(xs[:n], ys[:n]), crs=actors.crs)


def one_size(n: int) -> dict:
    """Render one CABBALR sheet with ``n`` synthetic sites (in this process) and report."""
    from pypdf import PdfReader

    from atlas import settings
    from atlas.errors import TooManySitesError
    from atlas.maps.print import render as printmap
    from atlas.maps.print.mapframe import PrintContext
    from atlas.registry.build import build_registries
    from atlas.territory.selection import select_territory

    settings.options.quiet = True
    built = build_registries(write=False)
    reg = synthetic_registry(built.communes, built.actors, n)
    ctx = PrintContext.build(built.communes)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cabbalr.pdf"
        t = time.perf_counter()
        try:
            printmap.render_map(select_territory(built.communes, epci="CABBALR"), reg, output=out, generated=DAY,
                                context=ctx)
            outcome = f"{len(PdfReader(out).pages)} sheet(s), {out.stat().st_size / 1e6:.1f} MB"
        except TooManySitesError as exc:
            outcome = f"refused: « {str(exc)[:60]}… »"
        secs = time.perf_counter() - t
    peak_mb = peak_rss_bytes() / 1024 / 1024
    return {"sites": n, "seconds": secs, "peak_mb": peak_mb, "outcome": outcome}


def placement_curve(sizes=(500, 2_000, 5_000, 20_000)) -> list[dict]:
    """spread_markers and label_spots alone, n markers at the density of a full map."""
    import numpy as np

    from atlas import placement

    out = []
    rng = np.random.default_rng(3)
    for n in sizes:
        side = float(np.sqrt(n * 60.0))  # ~ one 5.5 mm marker per 60 mm²
        xy = rng.uniform(0, side, (n, 2))
        t = time.perf_counter()
        pos, _ = placement.spread_markers(xy, 5.5, (0, 0, side, side))
        t_spread = time.perf_counter() - t
        labels = [placement.Label(x, y, f"Commune {k}", 7.5) for k, (x, y) in enumerate(xy)]
        boxes = [(p[0] - 3, p[1] - 3, p[0] + 3, p[1] + 3) for p in pos]
        t = time.perf_counter()
        placement.label_spots(labels, boxes, (0, 0, side, side))
        out.append({"n": n, "spread_s": t_spread, "labels_s": time.perf_counter() - t})
    return out


def demo_runs() -> list[list[str]]:
    """The demonstration registry: CABBALR sheet, then the Pas-de-Calais booklet (one row each:
    map, sheets, seconds, PDF size)."""
    from pypdf import PdfReader

    from atlas import settings
    from atlas.maps.print import booklet
    from atlas.maps.print import render as printmap
    from atlas.registry.build import build_registries
    from atlas.territory.selection import select_territory

    settings.options.quiet = True
    built = build_registries(write=False)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cabbalr.pdf"
        t = time.perf_counter()
        printmap.render_map(select_territory(built.communes, epci="CABBALR"), built.actors, output=out, generated=DAY)
        secs = time.perf_counter() - t
        rows.append(["CABBALR, demonstration registry", f"{len(PdfReader(out).pages)}", f"{secs:.1f}",
                     f"{out.stat().st_size / 1e6:.2f} MB"])
        out = Path(tmp) / "atlas62.pdf"
        t = time.perf_counter()
        booklet.render_atlas(select_territory(built.communes, dep="62"), built.actors, by="epci",
                             output=out, generated=DAY)
        secs = time.perf_counter() - t
        rows.append(["Pas-de-Calais booklet (`--atlas epci --dep 62`), demonstration registry",
                     f"{len(PdfReader(out).pages)}", f"{secs:.1f}", f"{out.stat().st_size / 1e6:.2f} MB"])
    return rows


def sites_rows(sizes) -> list[list[str]]:
    """One row per size: sites, seconds, peak RSS (MB), outcome; each size in a fresh process."""
    rows = []
    for n in sizes:
        run = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(REPO)}, check=False)
        if run.returncode:
            why = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else f"exit {run.returncode}"
            rows.append([f"{n:,}".replace(",", " "), "–", "–", f"failed: {why}"])
            continue
        r = json.loads(run.stdout.strip().splitlines()[-1])
        rows.append([f"{r['sites']:,}".replace(",", " "), f"{r['seconds']:.1f}", f"{r['peak_mb']:.0f}", r["outcome"]])
    return rows


def placement_rows(sizes=(500, 2_000, 5_000, 20_000)) -> list[list[str]]:
    return [[f"{r['n']:,}".replace(",", " "), f"{r['spread_s']:.2f}", f"{r['labels_s']:.2f}"]
            for r in placement_curve(sizes)]


@bench("print", "One A3 sheet of CABBALR against the number of sites; placement alone")
def print_bench(config: Config) -> list[Table]:
    sizes = (100, 2_000) if config.quick else SIZES
    demo = [] if config.quick else [
        Table("The demonstration registry (in this process, reference and registry loading excluded)",
              ["map", "pages", "seconds", "PDF size"], demo_runs())]
    return [
        *demo,
        Table("One CABBALR sheet, synthetic registry (fresh process per size)",
              ["sites", "seconds", "peak RSS (MB)", "outcome"], sites_rows(sizes)),
        Table("Placement alone, n markers and names at the density of a full map",
              ["markers and names", "spread_markers (s)", "label_spots (s)"],
              placement_rows((500, 2_000) if config.quick else (500, 2_000, 5_000, 20_000))),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, nargs="*", default=None, help="sizes (default: the curve)")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)  # child process
    parser.add_argument("--demo", action="store_true", help="demo registry sheet and booklet")
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one_size(args.one)))
        return
    if args.demo:
        for row in demo_runs():
            print(" | ".join(row))
        return
    cpu = platform.processor() or platform.machine()
    print(f"machine: {cpu}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print("\n| sites | seconds | peak RSS (MB) | outcome |\n|---:|---:|---:|---|")
    for row in sites_rows(args.sites or SIZES):
        print("| " + " | ".join(row) + " |", flush=True)
    print("\n| markers and names | spread_markers (s) | label_spots (s) |\n|---:|---:|---:|")
    for row in placement_rows():
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
