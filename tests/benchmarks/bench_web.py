"""Benchmark of the interactive web map (not collected by pytest; run it by hand).

    python tests/benchmarks/bench_web.py            # CABBALR and the whole region
    python tests/benchmarks/bench_web.py --quick    # CABBALR only

On the demonstration registry (``data/raw/actors.csv``), with every layer (zones blanches at
10 km, access bands, EPCI borders, partnerships):

1. Page size (bytes) and generation time of :func:`atlas.maps.web.render.make_webmap` (best of 3;
   analysis layers computed once before timing).
2. Time the browser spends building the map (``data-atlas-init-ms``, measured by
   ``atlas-map.js`` with ``performance.now()`` from reading the data blob to the last layer),
   in headless Chromium, real time (no virtual time), best of 3.
3. For comparison, the naive folium page: one ``GeoJson`` of the same simplified communes with
   a tooltip, one ``Marker`` with popup per located actor, assets from CDNs, no analysis layer.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import folium

from atlas.analysis.coverage import zones_blanches
from atlas.analysis.distances import commune_access
from atlas.maps.layers import access_band_polygons
from atlas.maps.web import render as webmap
from atlas.maps.web.topology import simplify_communes
from atlas.registry.actors import read_actors
from atlas.registry.partnerships import load_partnerships, partnership_lines
from atlas.territory.reference import load_communes
from atlas.territory.selection import select_territory

REPO = Path(__file__).resolve().parents[2]


def layers(communes, actors) -> dict:
    zb = zones_blanches(communes, actors, thresholds_km=10)
    zones = zb[zb[f"zone_blanche_{zb.attrs['thresholds'][0]}"]]
    bands = access_band_polygons(commune_access(communes, actors))
    parts, _ = load_partnerships(actors)
    return {"layers": {"zones": zones, "bands": bands, "partnerships": partnership_lines(parts.accepted, actors)}}


def browser_ms(page: str) -> int | None:
    exe = shutil.which("chromium")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "carte.html"
        path.write_text(page, encoding="utf-8")
        best = None
        for _ in range(3):
            res = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                  "--no-first-run", f"--user-data-dir={tmp}/p", "--host-resolver-rules=MAP * ~NOTFOUND",
                                  "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120)
            m = re.search(r'data-atlas-init-ms="(\d+)"', res.stdout)
            if m:
                best = min(best or 10**9, int(m.group(1)))
        return best


def naive_folium(communes, actors) -> int:
    simp = simplify_communes(communes).to_crs("EPSG:4326")
    simp["geometry"] = simp.geometry.set_precision(1e-5)
    m = folium.Map(location=[50.0, 2.8], zoom_start=8)
    folium.GeoJson(simp[["insee", "name", "geometry"]], tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    located = actors[actors.geometry.notna()].to_crs("EPSG:4326")
    for _, r in located.iterrows():
        folium.Marker([r.geometry.y, r.geometry.x], popup=folium.Popup(r["name"]), tooltip=r["name"]).add_to(m)
    return len(m.get_root().render().encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    region = load_communes()
    actors = read_actors(REPO / "data" / "raw" / "actors.csv", communes=region).accepted
    cases = [("CABBALR", select_territory(region, epci="CABBALR"), True)]
    if not args.quick:
        cases.append(("Hauts-de-France", region, False))
    for name, communes, clip in cases:
        extra = layers(communes, actors)
        best, page = float("inf"), ""
        for _ in range(3):
            t = time.perf_counter()
            page = webmap.make_webmap(communes, actors, clip=clip, **extra)
            best = min(best, time.perf_counter() - t)
        size = len(page.encode("utf-8"))
        ms = browser_ms(page)
        print(f"{name}: {len(communes)} communes, page {size / 1e6:.2f} MB, generated in {best:.2f} s, "
              f"built by Chromium in {ms if ms is not None else '?'} ms")
        if not clip:
            print(f"  naive folium page (CDN, no analysis layer): {naive_folium(communes, actors) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
