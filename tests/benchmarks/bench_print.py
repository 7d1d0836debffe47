"""Benchmark of the printable A3 maps (not collected by pytest; run it by hand).

    python tests/benchmarks/bench_print.py            # one CABBALR sheet + atlas of all EPCI
    python tests/benchmarks/bench_print.py --quick    # one CABBALR sheet only

Measures, on the demonstration registry (``data/raw/actors.csv``) and on the print fixture
(``tests/data/print_sites.csv``, more sites in CABBALR):

1. One A3 sheet of CABBALR (100 communes): wall time of :func:`atlas.maps.print.render.render_map`
   as a user pays it (region layers prepared, sheet laid out, PDF written), best of 3;
   target < 5 s. PDF size; target < 5 MB per sheet.
2. The atlas of all EPCI of the region (92 sheets plus table continuations) in one PDF:
   time, pages, size.

Communes and registry loading are excluded (done once before timing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one sheet only, no atlas")
    args = parser.parse_args()

    from pypdf import PdfReader

    from atlas import settings
    from atlas.maps.print import booklet
    from atlas.maps.print import render as printmap
    from atlas.maps.print.sites import print_sites
    from atlas.registry.actors import read_actors
    from atlas.registry.build import build_atlas
    from atlas.territory.selection import resolve_territory

    settings.options.quiet = True
    built = build_atlas(write=False)
    communes = built.communes
    fixture = read_actors(REPO / "tests" / "data" / "print_sites.csv", communes=communes).accepted
    day = dt.date(2026, 11, 24)
    print(f"machine: {platform.machine()} {platform.processor() or ''}, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, actors in (("demo registry", built.actors), ("print fixture", fixture)):
            out = Path(tmp) / f"cabbalr-{label.split()[0]}.pdf"
            secs, _ = best_of(lambda a=actors, o=out: printmap.render_map(communes, a, territory="CABBALR",
                                                                          output=o, generated=day))
            terr = resolve_territory(communes, "CABBALR")
            n_sites = len(print_sites(actors, terr))
            pages = len(PdfReader(out).pages)
            size = out.stat().st_size / 1e6
            print(f"CABBALR, {label}: {n_sites} sites, {pages} sheet(s), {secs:.2f} s, {size:.2f} MB "
                  f"({size / pages:.2f} MB per sheet)")
        if args.quick:
            return
        out = Path(tmp) / "atlas-epci.pdf"
        t = time.perf_counter()
        booklet.render_atlas(communes, built.actors, by="epci", output=out, generated=day)
        secs = time.perf_counter() - t
        pages = len(PdfReader(out).pages)
        n_epci = communes["epci"].nunique()
        size = out.stat().st_size / 1e6
        print(f"Atlas of all EPCI, demo registry: {n_epci} EPCI, {pages} sheets, {secs:.1f} s "
              f"({secs / pages:.2f} s per sheet), {size:.1f} MB")


if __name__ == "__main__":
    main()
