"""Benchmark of the interactive web map (``web``), run by ``python -m tests.benchmarks``.

    python -m tests.benchmarks web            # CABBALR and the whole region
    python -m tests.benchmarks web --quick    # CABBALR only

On the demonstration registry (``data/raw/actors.csv``), actors only and with every layer
(zones blanches at 10 km, access bands, EPCI borders, partnerships):

1. Page size (bytes) and generation time of :func:`atlas.maps.web.render.make_webmap` (median of
   the repeats; analysis layers computed once before timing).
2. Time the browser spends building the map (``data-atlas-init-ms``, measured by
   ``atlas-map.js`` with ``performance.now()`` from reading the data blob to the last layer),
   in headless Chromium, real time (no virtual time), median of the repeats.
3. For comparison, the naive folium page of the region: one ``GeoJson`` of the same simplified
   communes with a tooltip, one ``Marker`` with popup per located actor, assets from CDNs, no
   analysis layer.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks import Config, Table, bench  # noqa: E402


def layers(communes, actors) -> dict:
    from atlas.analysis.coverage import zones_blanches
    from atlas.analysis.distances import commune_access
    from atlas.analysis.sites import select_sites
    from atlas.maps.layers import MapLayers, access_band_polygons
    from atlas.registry.partnerships import load_partnerships, partnership_lines

    sites = select_sites(actors)
    zb = zones_blanches(communes, sites, thresholds_km=(10,))
    zones = zb.frame[zb.frame[zb.zones_column()]]
    bands = access_band_polygons(commune_access(communes, sites))
    parts, _ = load_partnerships(actors)
    return {"layers": MapLayers(zones=zones, bands=bands, partnerships=partnership_lines(parts.accepted, actors))}


def browser_ms(page: str, repeats: int = 3) -> float | None:
    """Median time (ms) Chromium spends building the map; None without Chromium."""
    exe = shutil.which("chromium")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "carte.html"
        path.write_text(page, encoding="utf-8")
        times = []
        for _ in range(repeats):
            res = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                  "--no-first-run", f"--user-data-dir={tmp}/p", "--host-resolver-rules=MAP * ~NOTFOUND",
                                  "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120)
            m = re.search(r'data-atlas-init-ms="(\d+)"', res.stdout)
            if m:
                times.append(int(m.group(1)))
        return statistics.median(times) if times else None


def naive_folium(communes, actors) -> int:
    import folium

    from atlas.maps.web.topology import simplify_communes

    simp = simplify_communes(communes).to_crs("EPSG:4326")
    simp["geometry"] = simp.geometry.set_precision(1e-5)
    m = folium.Map(location=[50.0, 2.8], zoom_start=8)
    folium.GeoJson(simp[["insee", "name", "geometry"]], tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    located = actors[actors.geometry.notna()].to_crs("EPSG:4326")
    for _, r in located.iterrows():
        folium.Marker([r.geometry.y, r.geometry.x], popup=folium.Popup(r["name"]), tooltip=r["name"]).add_to(m)
    return len(m.get_root().render().encode("utf-8"))


@bench("web", "Interactive web map: page size, generation and building in the browser")
def web_bench(config: Config) -> list[Table]:
    from atlas.maps.web import render as webmap
    from atlas.registry.actors import read_actors
    from atlas.territory.reference import load_communes
    from atlas.territory.selection import select_territory

    region = load_communes()
    actors = read_actors(REPO / "data" / "raw" / "actors.csv", communes=region).accepted
    cases = [("CABBALR", select_territory(region, epci="CABBALR").communes, True)]
    if not config.quick:
        cases.append(("Hauts-de-France", region, False))
    n = config.repeats
    table = Table(f"`make_webmap` on the demonstration registry ({len(actors)} actors; median of {n})",
                  ["page", "communes", "page size", "generated in", "built by Chromium"])
    for name, communes, clip in cases:
        for label, extra in (("actors only", {}), ("all layers", layers(communes, actors))):
            times, page = [], ""
            for _ in range(n):
                t = time.perf_counter()
                page = webmap.make_webmap(communes, actors, clip=clip, **extra)
                times.append(time.perf_counter() - t)
            ms = browser_ms(page, n)
            table.rows.append([f"{name}, {label}", f"{len(communes):,}", f"{len(page.encode('utf-8')) / 1e6:.2f} MB",
                               f"{statistics.median(times):.2f} s", "—" if ms is None else f"{ms:.0f} ms"])
        if not clip:
            size = naive_folium(communes, actors) / 1e6
            table.rows.append([f"{name}, naive folium page (CDN assets not inlined, no analysis layer)",
                               f"{len(communes):,}", f"{size:.2f} MB", "—", "—"])
    table.notes.append("All layers = zones blanches at 10 km, access bands, EPCI borders, partnerships. Built by "
                       "Chromium = `data-atlas-init-ms`, from reading the data blob to the last layer (headless, real "
                       "time). The naive page loads Leaflet and its plugins from CDNs, about 1.4 MB more to inline.")
    return [table]


if __name__ == "__main__":
    from tests.benchmarks.__main__ import main

    raise SystemExit(main(["web", *sys.argv[1:]]))
