"""Interactive web map (issue 6): self-contained, offline, escaped, small.

Browser tests open the generated page in a real headless Chromium with the network made
unreachable (every host name resolves to nothing, the proxy is a closed port) and read the
rendered DOM: ``atlas-map.js`` writes what it built into ``<body data-atlas-…>`` attributes and
copies the text of the open popup into ``#atlas-test-popup``. A missing Chromium skips these
tests on a developer's machine but FAILS in CI (``CI`` or ``ATLAS_REQUIRE_REFERENCE`` set;
``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from conftest import named, offline_prefix

from atlas import settings
from atlas.analysis.sites import select_sites
from atlas.cli import cli
from atlas.errors import AtlasError
from atlas.maps.layers import MapLayers, access_band_polygons
from atlas.maps.web import render as webmap
from atlas.maps.web.topology import COORD_SCALE, build_topology, encode_polygons, simplify_communes
from atlas.registry.actors import read_actors
from atlas.territory.selection import select_territory

DATA = Path(__file__).parents[1] / "data"
FIXTURE = DATA / "web_actors.csv"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
NBSP = "\u00a0"

# The fixture (tests/data/web_actors.csv, all rows fictitious): 11 rows; in CABBALR 9 actors
# with a point (7 at an address, 2 at the town hall... and the mobile truck's own row at its
# commune), one row outside (Lens), one with no place at all.
CABBALR_LOCATED = 9
REGION_LOCATED = 10
REGION_ACTORS = 11


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def fixture_actors(communes):
    return read_actors(FIXTURE, communes=communes).accepted


@pytest.fixture(scope="module")
def cabbalr(communes):
    return select_territory(communes, epci="CABBALR").communes


@pytest.fixture(scope="module")
def cab_page(cabbalr, fixture_actors) -> str:
    return webmap.make_webmap(named(cabbalr, "CABBALR"), fixture_actors, registry="web_actors.csv")


@pytest.fixture(scope="module")
def region_page(communes, fixture_actors) -> str:
    return webmap.make_webmap(named(communes, "Hauts-de-France"), fixture_actors, clip=False)


def _blob(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', page, re.S)
    assert m, "no data blob"
    return json.loads(m.group(1))


def _decode(flat: list[int]) -> np.ndarray:
    return np.cumsum(np.asarray(flat, dtype=np.int64).reshape(-1, 2), axis=0) / COORD_SCALE


# --------------------------------------------------------------------------- page structure (no browser)
def test_page_is_self_contained(cab_page):
    assert cab_page.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in cab_page
    # nothing is loaded from anywhere: no external script, stylesheet, image or font
    assert not re.search(r"<script[^>]*\ssrc\s*=", cab_page, re.I)
    assert not re.search(r"<link[^>]*\shref\s*=", cab_page, re.I)
    assert not re.search(r"<img[^>]*\ssrc\s*=", cab_page, re.I)
    assert "@import" not in cab_page
    urls = re.findall(r"url\(([^)]*)\)", cab_page)
    assert urls and all(u.startswith(("data:", "#default#VML")) for u in urls), urls
    # the only http(s) strings: the optional OSM tile template, the SVG namespace name (never
    # fetched), comments of the vendored files, and a website of the registry (a popup link)
    found = set(re.findall(r"https?://[^\s\"'<>)\\]+", cab_page))
    allowed = {webmap.OSM_URL, "http://www.w3.org/2000/svg", "https://leafletjs.com",
               "https://github.com/Leaflet/Leaflet.markercluster",
               "https://bugs.chromium.org/p/chromium/issues/detail?id=600120",
               "https://bugzilla.mozilla.org/show_bug.cgi?id=888319", "https://example.org/restos"}
    assert found <= allowed, found - allowed
    for cdn in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "unpkg"):
        assert cdn not in cab_page
    # Leaflet and markercluster are inlined with their licence notices
    assert "Leaflet 1.9.4, a JS library for interactive maps" in cab_page
    assert "Leaflet.markercluster 1.5.3" in cab_page and "MIT" in cab_page


def test_registry_text_is_escaped_in_the_html(cab_page, fixture_actors):
    # no registry string reaches the HTML as markup; the JSON blob holds no "<", ">" or "&"
    assert XSS_SCRIPT not in cab_page
    assert XSS_IMG not in cab_page
    assert "<svg onload" not in cab_page and "<b>gras" not in cab_page
    blob_text = re.search(r'id="atlas-data">(.*?)</script>', cab_page, re.S).group(1)
    assert not set("<>&") & set(blob_text)
    # ... and nothing is lost: the browser gets the exact names back
    names = {a["i"]: a["n"] for a in _blob(cab_page)["actors"]}
    assert names["w-xss-script"] == XSS_SCRIPT
    assert names["w-xss-img"] == XSS_IMG


def test_title_and_sources_are_escaped(cabbalr, fixture_actors):
    page = webmap.make_webmap(cabbalr, fixture_actors, title="<i>Carte</i> & co", registry="<b>x</b>.csv")
    assert "<i>Carte</i>" not in page and "&lt;i&gt;Carte&lt;/i&gt; &amp; co" in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;.csv" in page


TEMPLATE_PAYLOADS = (
    "{{7*7}}",
    "{{ cycler.__init__.__globals__.os.popen('echo ATLAS_PWNED').read() }}",
    "{{constructor.constructor('alert(1)')()}}",
    "{% for x in range(3) %}loop{% endfor %}",
    "{# comment #}",
)


@pytest.mark.parametrize("payload", TEMPLATE_PAYLOADS)
def test_registry_text_is_never_template_source(cabbalr, fixture_actors, payload):
    # branca renders Element strings as Jinja2 source: registry text and the title must reach the
    # page literally, never evaluated (issue 20: a cell ran `id` on the user's machine)
    actors = fixture_actors.copy()
    row = actors.index[actors["insee"].astype(str).isin(set(cabbalr["insee"]))][0]
    actors.loc[row, "name"] = payload
    page = webmap.make_webmap(named(cabbalr, payload), actors, title=payload, registry=payload)
    assert "ATLAS_PWNED\n" not in page  # the command's output (with its newline) never reaches the page
    assert "looplooploop" not in page
    assert payload in [a["n"] for a in _blob(page)["actors"]]  # the browser gets the exact text
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert html.unescape(title).endswith(payload)
    assert html.escape(payload) in page.split("</title>", 1)[1]  # title panel, escaped, literal


def test_actor_records(cab_page):
    data = _blob(cab_page)
    actors = {a["i"]: a for a in data["actors"]}
    assert set(actors) == {"w-resto-bethune", "w-epicerie-bruay", "w-repas-lillers", "w-ferme-auchel",
                           "w-ccas-noeux", "w-camion", "w-camion-isbergues", "w-xss-script", "w-xss-img"}
    assert sum(1 for a in actors.values() if a["ll"]) == CABBALR_LOCATED
    labels = [f[0] for f in data["fields"]]
    resto = {labels[i]: v for i, v in actors["w-resto-bethune"]["f"]}
    assert resto["Réseau"] == "Restos du Cœur"
    assert resto["Adresse"] == "12 rue de la Paix, 62400 Béthune"
    assert resto["Horaires"] == f"lundi et jeudi 14{NBSP}h{NBSP}– 17{NBSP}h"
    assert resto["Services"] == "colis alimentaires, fruits et légumes"
    assert resto["Accès"] == "sur inscription"
    assert resto["Courriel"] == "bethune@example.org"
    assert actors["w-resto-bethune"]["p"] == "address"
    assert actors["w-repas-lillers"]["p"] == "commune"
    assert actors["w-resto-bethune"]["x"] == 1  # fictitious
    lat, lon = actors["w-resto-bethune"]["ll"]
    assert (lat, lon) == (50.5298, 2.6391)
    stop = {labels[i]: v for i, v in actors["w-camion-isbergues"]["f"]}
    assert stop["Tournée"] == "Camion solidaire de l'Artois (fictif)"
    assert actors["w-camion-isbergues"]["kl"] == "Distribution alimentaire — distribution itinérante"
    # the data's date and the demonstration banner
    assert "Données à jour au 1er mars 2026" in cab_page
    assert "Données de démonstration" in cab_page


def test_clip_and_unlocated(region_page):
    data = _blob(region_page)
    assert len(data["actors"]) == REGION_ACTORS
    assert sum(1 for a in data["actors"] if a["ll"]) == REGION_LOCATED
    lost = next(a for a in data["actors"] if a["i"] == "w-sans-lieu")
    assert lost["ll"] is None and lost["p"] == "unknown"
    assert "11 acteurs, dont 10 sur la carte (1 sans localisation : voir la liste)" in region_page


def _arcs_points(arcs: list[list[int]]) -> list[list[tuple[int, int]]]:
    """Python mirror of decodeArcs() in atlas-map.js (integer points)."""
    out, x, y = [], 0, 0
    for arc in arcs:
        pts = []
        for dx, dy in zip(arc[::2], arc[1::2], strict=True):
            x, y = x + dx, y + dy
            pts.append((x, y))
        out.append(pts)
    return out


def _ring_from_arcs(points: list, refs: list[int]) -> list[tuple[int, int]]:
    """Python mirror of ringFromArcs() in atlas-map.js."""
    ring: list[tuple[int, int]] = []
    for r in refs:
        pts = points[r] if r >= 0 else points[~r][::-1]
        ring.extend(pts if not ring else pts[1:])
    return ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring


def _same_cycle(a: list, b: list) -> bool:
    if len(a) != len(b) or not a:
        return False
    k = b.index(a[0]) if a[0] in b else -1
    return k >= 0 and (b[k:] + b[:k] == a or (b[k::-1] + b[:k:-1]) == a)


def test_communes_topology_roundtrip(cabbalr, cab_page):
    """The browser's rings (rebuilt from shared arcs) are exactly the simplified, quantised rings."""
    data = _blob(cab_page)
    assert data["communes"]["insee"] == list(cabbalr["insee"])
    points = _arcs_points(data["communes"]["arcs"])
    simp = simplify_communes(cabbalr).to_crs("EPSG:4326")
    for k, geom in enumerate(simp.geometry):
        direct = encode_polygons(geom)
        rebuilt = data["communes"]["geoms"][k]
        assert len(rebuilt) == len(direct)
        for poly_arcs, poly_direct in zip(rebuilt, direct, strict=True):
            for refs, flat in zip(poly_arcs, poly_direct, strict=True):
                expected = [tuple(p) for p in np.cumsum(np.asarray(flat).reshape(-1, 2), axis=0).tolist()]
                assert _same_cycle(_ring_from_arcs(points, refs), expected), (k, refs)
    # neighbours share their border: most arcs are used by two communes, and stored once
    owners = build_topology(simp.geometry.to_numpy()).owners
    assert max(len(o) for o in owners) == 2
    shared = sum(1 for o in owners if len(o) == 2)
    assert shared > len(owners) / 2
    # ~6,9 arcs per commune referenced twice on average, each stored once
    n_refs = sum(len(r) for g in data["communes"]["geoms"] for p in g for r in p)
    assert n_refs == sum(len(o) for o in owners)


def test_communes_topology_whole_region(communes):
    simp = simplify_communes(communes).to_crs("EPSG:4326")
    geoms = simp.geometry.to_numpy()
    topo = build_topology(geoms)
    points = _arcs_points(topo.arcs)
    q = 0.5 / COORD_SCALE
    for k in range(0, len(geoms), 97):  # a sample of ~40 communes: same area up to quantisation
        polys = [shapely.Polygon(np.asarray(_ring_from_arcs(points, rings[0])) / COORD_SCALE,
                                 [np.asarray(_ring_from_arcs(points, h)) / COORD_SCALE for h in rings[1:]])
                 for rings in topo.polygons[k]]
        rebuilt = shapely.MultiPolygon(polys)
        assert rebuilt.symmetric_difference(geoms[k]).area < geoms[k].length * q * 2
    assert max(len(o) for o in topo.owners) == 2


def test_simplification_keeps_shared_borders(communes):
    sub = select_territory(communes, epci="CABBALR").communes
    simp = simplify_communes(sub, tolerance_m=300.0)
    before = shapely.get_num_coordinates(sub.geometry.values).sum()
    after = shapely.get_num_coordinates(simp.geometry.values).sum()
    assert after < before  # it did simplify
    assert shapely.is_valid(simp.geometry.values).all()
    # a coverage stays a coverage: no overlaps, no gaps between neighbours
    union_before = shapely.union_all(sub.geometry.values).area
    union_after = shapely.union_all(simp.geometry.values).area
    total_after = simp.geometry.area.sum()
    assert abs(total_after - union_after) < 1.0  # m², no overlaps
    assert abs(union_after - union_before) / union_before < 0.01


def _region_page_all_layers(communes) -> tuple[str, int, int]:
    from atlas.analysis.distances import commune_access
    from atlas.registry.partnerships import load_partnerships, partnership_lines

    actors = read_actors(settings.raw_dir() / "actors.csv", communes=communes).accepted
    acc = commune_access(communes, select_sites(actors))
    zones = acc[acc["distance_m"] > 10_000]
    bands = access_band_polygons(acc)
    parts, _ = load_partnerships(actors)
    lines = partnership_lines(parts.accepted, actors)
    page = webmap.make_webmap(communes, actors, layers=MapLayers(zones=zones, bands=bands, partnerships=lines),
                              clip=False)
    return page, len(zones), len(lines)


def test_sizes_region_under_3_mb(communes):
    """Whole region, every layer, with the demonstration registry (sizes recorded in README)."""
    page, n_zones, n_lines = _region_page_all_layers(communes)
    size = len(page.encode("utf-8"))
    assert size < 3_000_000, size
    data = _blob(page)
    assert len(data["communes"]["insee"]) == len(communes) == 3782
    titles = [s["title"] for s in data["shapes"]]
    assert titles == ["Bandes d'accès", f"Zones blanches ({n_zones} communes)", "Contours des EPCI", "Partenariats"]
    assert data["shapes"][3]["show"] is False and len(data["shapes"][3]["geoms"]) == n_lines > 0
    # zones and bands reuse the commune polygons: a list of indices, not geometry
    assert all(isinstance(g, int) for g in data["shapes"][1]["geoms"])
    assert len(data["shapes"][1]["geoms"]) == n_zones
    assert data["shapes"][2]["arcs"] and all(isinstance(a, int) for g in data["shapes"][2]["geoms"] for a in g)


def test_sizes_region_2018_polygons_under_3_mb(shared_data):
    """The 2018 commune polygons of the reference folder are twice as detailed: still < 3 MB."""
    from atlas.territory.reference import load_communes

    page, _, _ = _region_page_all_layers(load_communes("2018"))
    assert len(page.encode("utf-8")) < 3_000_000


def test_output_is_deterministic(cabbalr, fixture_actors, cab_page):
    again = webmap.make_webmap(named(cabbalr, "CABBALR"), fixture_actors, registry="web_actors.csv")
    assert again == cab_page


# --------------------------------------------------------------------------- bad input, atomic output
def test_bad_input_raises_french_errors(cabbalr, fixture_actors):
    with pytest.raises(AtlasError, match="Aucune commune"):
        webmap.make_webmap(cabbalr.iloc[0:0], fixture_actors)
    with pytest.raises(AtlasError, match="colonne"):
        webmap.make_webmap(cabbalr, fixture_actors.drop(columns="kind"))
    bad = fixture_actors.copy()
    bad.loc[0, "kind"] = "soucoupe"
    with pytest.raises(AtlasError, match="Type"):
        webmap.make_webmap(cabbalr, bad)
    dup = fixture_actors.copy()
    dup.loc[1, "id"] = dup.loc[0, "id"]
    with pytest.raises(AtlasError, match="double"):
        webmap.make_webmap(cabbalr, dup)


def test_write_is_atomic(tmp_path, cabbalr, fixture_actors):
    out = tmp_path / "carte.html"
    out.write_text("ancienne carte", encoding="utf-8")
    with pytest.raises(AtlasError):
        webmap.write_webmap(cabbalr, fixture_actors.drop(columns="name"), output=out)
    assert out.read_text(encoding="utf-8") == "ancienne carte"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["carte.html"]
    with pytest.raises(AtlasError, match=r"\.html"):
        webmap.write_webmap(cabbalr, fixture_actors, output=tmp_path / "carte.png")
    path = webmap.write_webmap(cabbalr, fixture_actors, output=out)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_web(tmp_path):
    runner = CliRunner()
    out = tmp_path / "cab.html"
    res = runner.invoke(cli, ["-q", "web", "--epci", "CABBALR", "--registry", str(FIXTURE), "--zones-blanches", "5",
                              "--acces", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "Carte interactive écrite" in res.output
    data = _blob(out.read_text(encoding="utf-8"))
    assert len(data["actors"]) == 9 and len(data["communes"]["insee"]) == 100
    titles = [s["title"] for s in data["shapes"]]
    assert titles[0] == "Bandes d'accès" and titles[2] == "Contours des EPCI"
    assert re.fullmatch(r"Zones blanches \(\d+ communes?\)", titles[1])
    res = runner.invoke(cli, ["-q", "web", "--epci", "CABBALR", "--registry", str(FIXTURE), "--zones-blanches", "50",
                              "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    data = _blob(page)
    # no zone blanche: no empty layer nor « Zones blanches (0 commune) » legend entry, the title panel says it
    assert [s["title"] for s in data["shapes"]] == ["Contours des EPCI"]
    assert "Zones blanches : aucune commune de la carte" in page and "(0 commune)" not in page
    for args, message in (
        (["--epci", "XYZ"], "Territoire inconnu"),
        (["--registry", str(tmp_path / "absent.csv")], "Fichier introuvable"),
        (["--zones-blanches", "-3"], "seuil invalide"),
    ):
        target = tmp_path / "x.html"
        res = runner.invoke(cli, ["-q", "web", *args, "-o", str(target)])
        assert res.exit_code == 1, (args, res.output)
        assert message in res.output and "Traceback" not in res.output
        assert not target.exists()
    res = runner.invoke(cli, ["-q", "web", "--registry", str(FIXTURE), "-o", str(tmp_path / "x.png")])
    assert res.exit_code == 1 and ".html" in res.output


# --------------------------------------------------------------------------- real browser
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio",
    # network unreachable: no name resolves, and the only proxy is a closed port
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost", "--proxy-server=http://127.0.0.1:9",
    "--virtual-time-budget=30000",
]  # fmt: skip

#: Injected in the test copy only: records any alert()/confirm()/prompt() call, and any
#: uncaught JavaScript error, as attributes of <html>.
ALERT_HOOK = ("<script>window.__atlasAlerts=[];['alert','confirm','prompt'].forEach(function(n){"
              "window[n]=function(m){window.__atlasAlerts.push(String(m));"
              "document.documentElement.setAttribute('data-alerts',window.__atlasAlerts.join('|'));};});"
              "window.addEventListener('error',function(e){if(e.message){document.documentElement.setAttribute("
              "'data-js-errors',(document.documentElement.getAttribute('data-js-errors')||'')+e.message+'|');}});"
              "</script>")



@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    """Render a page (with the alert hook) in headless Chromium and return the DOM after scripts.

    The browser runs in a network namespace of its own when ``unshare`` works (no network at
    all), and in any case resolves no host name and goes through a closed proxy port.
    """
    root = tmp_path_factory.mktemp("chromium")
    prefix = offline_prefix()

    def render(page: str, fragment: str = "", name: str = "carte.html", screenshot: Path | None = None) -> str:
        path = root / name
        path.write_text(page.replace("<head>", "<head>" + ALERT_HOOK, 1), encoding="utf-8")
        args = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={root / 'profile'}"]
        if screenshot is not None:
            args += [f"--screenshot={screenshot}", "--window-size=1400,900"]
        else:
            args += ["--dump-dom"]
        res = subprocess.run([*prefix, *args, path.as_uri() + fragment], capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]
        return res.stdout

    return render


def _body(dom: str) -> dict[str, str]:
    """What atlas-map.js reported on <body>; also checks that no JavaScript error occurred."""
    m = re.search(r'<html[^>]*\sdata-js-errors="([^"]*)"', dom)
    assert m is None, f"JavaScript errors: {html.unescape(m.group(1))}"
    tag = re.search(r"<body([^>]*)>", dom).group(1)
    return dict(re.findall(r'data-atlas-([a-z-]+)="([^"]*)"', tag))


def _alerts(dom: str) -> str:
    """What the injected hook recorded (``data-alerts`` of ``<html>``), "" when nothing ran."""
    m = re.search(r'<html[^>]*\sdata-alerts="([^"]*)"', dom)
    return html.unescape(m.group(1)) if m else ""


def _popup_text(dom: str) -> str:
    m = re.search(r'<pre id="atlas-test-popup">(.*?)</pre>', dom, re.S)
    return html.unescape(m.group(1)) if m else ""


def test_browser_alert_hook_works(browser):
    """Positive control: the hook does catch a real injection, so « no alert » below means something."""
    page = "<!DOCTYPE html><html><head></head><body><img src=x onerror=alert(7)></body></html>"
    dom = browser(page, name="controle.html")
    assert _alerts(dom) == "7"


def test_browser_network_is_unreachable(browser):
    """Control: in the test browser a CDN file cannot load, so the map cannot depend on one."""
    page = ("<!DOCTYPE html><html><head></head><body>"
            "<img src='https://unpkg.com/leaflet@1.9.4/dist/images/marker-icon.png' "
            "onload=\"document.body.setAttribute('data-atlas-net','loaded')\" "
            "onerror=\"document.body.setAttribute('data-atlas-net','blocked')\"></body></html>")
    dom = browser(page, name="reseau.html")
    assert _body(dom).get("net") == "blocked"


def test_browser_map_initialises_offline(browser, cab_page, cabbalr):
    dom = browser(cab_page)
    body = _body(dom)
    assert body.get("ready") == "1", body
    assert 'class="folium-map leaflet-container' in dom
    assert int(body["communes"]) == len(cabbalr) == 100
    # every located actor is a marker, and the rendered DOM shows them all (alone or in clusters)
    assert int(body["markers"]) == CABBALR_LOCATED
    assert int(body["dom-markers"]) == CABBALR_LOCATED
    assert int(body["dom-singles"]) + int(body["dom-clusters"]) >= 1
    singles = len(re.findall(r'class="[^"]*\batlas-marker\b', dom))
    clusters = [int(n) for n in re.findall(r'class="[^"]*marker-cluster[^"]*"[^>]*><div><span[^>]*>(\d+)</span>', dom)]
    assert singles + sum(clusters) == CABBALR_LOCATED
    # controls: layers with one overlay per kind, legend, title, search, sources
    assert "Distribution alimentaire (3)" in dom  # 2 located distributions + the truck's stop
    assert "Fond OpenStreetMap (en ligne)" in dom and "Contours des EPCI" in dom
    assert 'id="atlas-legend"' in dom and 'id="atlas-search-input"' in dom
    assert "Sources : IGN, INSEE" in dom
    assert not re.search(r"<img[^>]*leaflet-tile", dom)  # online background off by default: no request
    assert not _alerts(dom)


def test_browser_popup_in_french(browser, cab_page):
    dom = browser(cab_page, "#actor=w-resto-bethune")
    assert _body(dom).get("popup") == "w-resto-bethune"
    text = _popup_text(dom)
    assert "Restos du Cœur de Béthune (fictif)" in text
    assert "Distribution alimentaire" in text
    assert f"lundi et jeudi 14{NBSP}h{NBSP}– 17{NBSP}h" in text
    assert "12 rue de la Paix, 62400 Béthune" in text
    assert "sur inscription" in text and "03 21 00 00 01" in text
    assert "localisation : adresse exacte" in text
    assert "Acteur fictif (données de démonstration)" in text
    assert 'href="mailto:bethune@example.org"' in dom
    dom = browser(cab_page, "#actor=w-repas-lillers")
    assert "localisation approximative (mairie de la commune)" in _popup_text(dom)


@pytest.mark.parametrize("actor_id, name", [("w-xss-script", XSS_SCRIPT), ("w-xss-img", XSS_IMG)])
def test_browser_escaping(browser, cab_page, actor_id, name):
    dom = browser(cab_page, f"#actor={actor_id}")
    body = _body(dom)
    assert body.get("popup") == actor_id
    text = _popup_text(dom)
    assert name in text  # shown as text...
    assert not _alerts(dom)  # ...and nothing ran
    popup = re.search(r'<div class="leaflet-popup-content[^"]*"[^>]*>(.*?)</div></div></div>', dom, re.S).group(1)
    assert "<img" not in popup and "<script" not in popup and "<svg" not in popup and "<b>" not in popup
    assert not re.search(r"<img[^>]*src=\"?x", dom)
    assert html.escape(name, quote=False) in popup
    if actor_id == "w-xss-script":
        assert "<b>gras</b> & Cie, 62400 Béthune" in text
        assert "javascript:alert(4)" in text and 'href="javascript' not in dom
        assert "</script><script>alert(5)</script>" in text


def test_browser_search_and_unlocated(browser, region_page):
    dom = browser(region_page, "#q=script")
    results = re.search(r'<ul class="atlas-search-results" id="atlas-search-results"[^>]*>(.*?)</ul>', dom, re.S).group(1)
    assert html.escape(XSS_SCRIPT, quote=False) in results and "<script" not in results
    assert not _alerts(dom)
    dom = browser(region_page, "#q=bruay")
    hits = [html.unescape(h) for h in re.findall(
        r'<li class="atlas-search-hit"[^>]*>(?:<span class="atlas-search-no">\d+\. </span>)?<strong>(.*?)</strong>', dom)]
    assert set(hits[:2]) == {"Bruay-la-Buissière", "Bruay-sur-l'Escaut"}  # communes named so come first
    assert "Épicerie solidaire « Le Panier » (fictif)" in hits  # then actors in Bruay
    dom = browser(region_page, "#actor=w-sans-lieu")
    assert _body(dom).get("popup") == "w-sans-lieu"
    assert "adresse non localisée" in _popup_text(dom)
    # never on the map: its card opens in the list of places, no popup anywhere on the map
    assert _body(dom).get("card") == "w-sans-lieu"
    assert 'class="leaflet-popup' not in dom
    item = re.search(r'<li id="atlas-item-w-sans-lieu">(.*?)</li>', dom, re.S).group(1)
    assert 'data-actor-id="w-sans-lieu"' in item and "adresse non localisée" in html.unescape(item)
    body = _body(dom)
    assert int(body["markers"]) == REGION_LOCATED and int(body["actors"]) == REGION_ACTORS
    assert int(body["communes"]) == 3782


def test_browser_online_background_stays_blank_offline(browser, cab_page):
    """The optional OSM layer, chosen with no network: the page keeps working, tiles stay empty."""
    dom = browser(cab_page, "#fond=osm")
    body = _body(dom)
    assert body.get("ready") == "1" and body.get("base") == "osm"
    assert int(body["dom-markers"]) == CABBALR_LOCATED
    assert re.search(r"<img[^>]*leaflet-tile", dom)  # tiles were asked for ... and could not load
    assert 'class="leaflet-tile leaflet-tile-loaded' not in dom


def test_layers_dict_as_printmap_gives_it(cabbalr, fixture_actors):
    """``layers=`` takes the analysis layers in the form of atlas.maps.layers.analysis_layers."""
    zb = cabbalr[["insee", "name", "geometry"]].copy()
    zb["zone_blanche_5km"] = zb["insee"].isin(["62119", "62178", "62516"])
    page = webmap.make_webmap(cabbalr, fixture_actors, layers=MapLayers(zones=zb, zones_column="zone_blanche_5km"))
    shapes = _blob(page)["shapes"]
    assert shapes[0]["title"] == "Zones blanches (3 communes)"
    index = list(cabbalr["insee"])
    assert sorted(shapes[0]["geoms"]) == sorted(index.index(i) for i in ("62119", "62178", "62516"))
    assert shapes[0]["labels"][0].startswith("Zone blanche : ")


def test_sources_name_the_registry_never_its_file(region_page, cabbalr, fixture_actors):
    """Without a title the sources say what the registry is (all fixture rows are fictitious:
    the demonstration registry), never a file name; with ``registry_label`` they quote it."""
    from atlas.maps.site_table import DEMO_REGISTRY

    assert f"registre : {DEMO_REGISTRY}" in html.unescape(region_page)
    assert "web_actors.csv" not in region_page
    titled = webmap.make_webmap(named(cabbalr, "CABBALR"), fixture_actors,
                                registry="Registre de l'aide alimentaire du Béthunois")
    assert "registre : Registre de l'aide alimentaire du Béthunois" in html.unescape(titled)
