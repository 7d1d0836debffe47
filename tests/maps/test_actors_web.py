"""Interactive cartographie des acteurs (issue 13, item 3): ``atlas actors --web``.

The page is checked without a browser (one file, nothing external, escaped, same symbols as the
drawing, partners recomputed from the CSV files, a layout where nothing overlaps) and in a real
headless Chromium with the network cut (the helpers of ``test_web.py``): it opens with no
JavaScript error and no console message, loads no resource at all, a name typed in the search
box (no accents, other case) finds the actor, and choosing it lists in the details panel exactly
the partners recomputed here from the raw registries.
"""

from __future__ import annotations

import csv
import html
import itertools
import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import offline_prefix
from test_web import ALERT_HOOK, CHROMIUM_FLAGS

from atlas import settings
from atlas.actors.draw import KIND_MARKERS, WORLD_COLOURS
from atlas.actors.metrics import node_metrics
from atlas.actors.model import build_graph
from atlas.cli import cli
from atlas.errors import AtlasError
from atlas.maps.web import actors as web_actors
from atlas.registry.actors import read_actors
from atlas.registry.partnerships import load_partnerships, read_actions, read_partnerships

GRAPH = Path(__file__).parents[1] / "data" / "graph"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_CLOSE = "</script><img src=x onerror=alert(2)>"


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def demo_registries(demo):
    parts, acts = load_partnerships(demo.actors)
    return demo.actors, parts.accepted, acts.accepted


@pytest.fixture(scope="module")
def demo_page(demo_registries) -> str:
    actors, parts, acts = demo_registries
    return web_actors.make_actors_page(build_graph(actors, parts, acts), parts, fictitious=True)


@pytest.fixture(scope="module")
def xss_page(communes) -> tuple[str, dict]:
    """The small graph of tests/data/graph with two actors renamed into markup."""
    actors = read_actors(GRAPH / "actors.csv", communes=communes).accepted
    acts = read_actions(GRAPH / "actions.csv").accepted
    parts = read_partnerships(GRAPH / "partnerships.csv", actors, acts).accepted
    actors = actors.copy()
    actors.loc[actors["id"] == "spf-a", "name"] = XSS_SCRIPT
    actors.loc[actors["id"] == "restos-a", "name"] = XSS_CLOSE
    G = build_graph(actors, parts, acts)
    return web_actors.make_actors_page(G, parts, title="<b>Titre</b> & co", territory="<i>Test</i>"), dict(G.nodes)


def _blob(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="atlas-actors-data">(.*?)</script>', page, re.S)
    assert m, "no data blob"
    return json.loads(m.group(1))


def _raw_csv(name: str) -> list[dict]:
    with open(settings.raw_dir() / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _expected_partners() -> dict[str, set[str]]:
    """Partners of every actor straight from data/raw (direct rows, then co-members of an action)."""
    actor_ids = {r["id"] for r in _raw_csv("actors.csv")}
    action_ids = {r["id"] for r in _raw_csv("actions.csv")}
    partners: dict[str, set[str]] = {a: set() for a in actor_ids}
    members: dict[str, set[str]] = {}
    for r in _raw_csv("partnerships.csv"):
        s, t = r["source"].strip(), r["target"].strip()
        if s in actor_ids and t in actor_ids and s != t:
            partners[s].add(t)
            partners[t].add(s)
        elif s in actor_ids and t in action_ids:
            members.setdefault(t, set()).add(s)
    for ms in members.values():
        for u, v in itertools.combinations(sorted(ms), 2):
            partners[u].add(v)
            partners[v].add(u)
    return partners


# --------------------------------------------------------------------------- the page, without a browser
@pytest.mark.slow
def test_page_is_self_contained(demo_page):
    assert demo_page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in demo_page
    assert not re.search(r"<script[^>]*\ssrc\s*=", demo_page, re.I)
    assert not re.search(r"<link[^>]*\shref\s*=", demo_page, re.I)
    assert not re.search(r"<(img|iframe|object|embed)\b", demo_page, re.I)
    assert "@import" not in demo_page and "url(" not in demo_page
    # the only addresses are in comments of the vendored library (never fetched) and the SVG namespace
    found = set(re.findall(r"https?://[^\s\"'<>)\\]+", demo_page))
    allowed = {"http://en.wikipedia.org/wiki/MIT_License", "http://engelschall.com", "http://opensource.org/licenses/MIT",
               "https://github.com/gre/bezier-easing", "http://www.w3.org/2000/svg"}
    assert found <= allowed, found - allowed
    # Cytoscape.js inlined with its licence notice, and its licence file shipped beside it
    assert "Copyright (c) 2016-2026, The Cytoscape Consortium" in demo_page
    assert 'cf.version="3.35.0"' in demo_page and web_actors.CYTOSCAPE_VERSION == "3.35.0"
    assets = Path(web_actors.__file__).parent / "assets"
    assert "The Cytoscape Consortium" in (assets / "LICENSE-cytoscape.txt").read_text(encoding="utf-8")
    assert "cytoscape.min.js" in (assets / "README.md").read_text(encoding="utf-8")


def test_title_territory_and_french(demo_page):
    demo_page = html.unescape(demo_page)
    assert "<title>Cartographie des acteurs — Hauts-de-France (tout le registre)</title>" in demo_page
    assert "190 acteurs, 936 paires d'acteurs liées, 60 sans lien" in demo_page
    assert "Données de démonstration" in demo_page
    for text in ("Rechercher un acteur", "Monde du PAT (66)", "Aide alimentaire (95)", "Les deux mondes (29)",
                 "Tous les types", "Communauté", "Tous les EPCI", "Sans EPCI : acteur régional ou non localisé (107)",
                 "Don de denrées (épaisseur : kg)", "Action ou collectif (3 membres ou plus)"):
        assert text in demo_page, text


def test_registry_text_is_escaped(xss_page):
    page, nodes = xss_page
    assert XSS_SCRIPT not in page and XSS_CLOSE not in page and "<b>Titre</b>" not in page
    assert "&lt;b&gt;Titre&lt;/b&gt; &amp; co" in page and "&lt;i&gt;Test&lt;/i&gt;" in page
    text = re.search(r'id="atlas-actors-data">(.*?)</script>', page, re.S).group(1)
    assert not set("<>&") & set(text)
    names = {n["data"]["id"]: n["data"].get("name") for n in _blob(page)["elements"]["nodes"]}
    assert names["spf-a"] == XSS_SCRIPT and names["restos-a"] == XSS_CLOSE  # nothing lost
    assert nodes["spf-a"]["name"] == XSS_SCRIPT


def test_same_colours_and_shapes_as_the_drawing(demo_page, demo_registries):
    blob = _blob(demo_page)
    style = {s["selector"]: s["style"] for s in blob["style"]}
    for world, colour in WORLD_COLOURS.items():
        assert style[f'node.actor[w = "{world}"]']["background-color"] == colour
    for kind, marker in KIND_MARKERS.items():
        assert marker in web_actors.MARKER_POLYGONS, f"marker {marker!r} of {kind} has no web shape"
        assert f"node.m-{web_actors.MARKER_NAMES[marker]}" in style
    actors = {n["data"]["id"]: n for n in blob["elements"]["nodes"] if "actor" in n.get("classes", "")}
    assert len(actors) == len(demo_registries[0]) == 190
    for row in demo_registries[0].itertuples():
        assert f"m-{web_actors.MARKER_NAMES[KIND_MARKERS[row.kind]]}" in actors[row.id]["classes"].split()
    # a polygon stays in Cytoscape's unit box
    for pts in filter(None, web_actors.MARKER_POLYGONS.values()):
        assert len(pts) % 2 == 0 and max(abs(v) for v in pts) <= 1.0


def test_partners_actions_and_flows_from_the_raw_registries(demo_page):
    blob = _blob(demo_page)
    details, actions = blob["details"], blob["actions"]
    expected = _expected_partners()
    assert set(details) == set(expected)
    for actor, want in expected.items():
        assert {p[0] for p in details[actor]["p"]} == want, actor
    # actions: every membership row of the actor, by name
    action_names = {r["id"]: r["name"] for r in _raw_csv("actions.csv")}
    member_of: dict[str, set[str]] = {}
    for r in _raw_csv("partnerships.csv"):
        if r["target"] in action_names:
            member_of.setdefault(r["source"], set()).add(action_names[r["target"]])
    for actor in expected:
        assert {actions[a[0]] for a in details[actor]["a"]} == member_of.get(actor, set()), actor
    # donations in kg, with their direction
    nbsp = "\u00a0"
    assert details["petit-panier-solidaire"]["f"] == [["reçu", "solaal-hdf", f"7{nbsp}958 kg"]]
    assert details["petit-panier-solidaire"]["kg"] == f"7{nbsp}958 kg reçus"
    gives = {f[1]: f[2] for f in details["solaal-hdf"]["f"] if f[0] == "don"}
    assert gives == {"spf-vendin": "928 kg", "petit-panier-solidaire": f"7{nbsp}958 kg", "spf-noeux": f"8{nbsp}008 kg",
                     "ma-ptite-epice-rit": "65 kg"}
    assert [f[1] for f in details["solaal-hdf"]["f"] if f[0] == "reçu"] == ["pole-legumes"]


def test_layout_groups_communities_without_overlap(demo_page, demo_registries):
    blob = _blob(demo_page)
    nodes = [n for n in blob["elements"]["nodes"] if "group" not in n.get("classes", "")]
    pos = {n["data"]["id"]: (n["position"]["x"], n["position"]["y"], n["data"]["size"] / 2) for n in nodes}
    for (a, (xa, ya, ra)), (b, (xb, yb, rb)) in itertools.combinations(pos.items(), 2):
        assert (xa - xb) ** 2 + (ya - yb) ** 2 >= (ra + rb) ** 2, (a, b)
    # one box per Louvain community (same numbers as the metrics CSV) + the actors without link
    actors, parts, acts = demo_registries
    m = node_metrics(build_graph(actors, parts, acts)).set_index("id")["community"]
    boxes: dict[str, list] = {}
    for n in nodes:
        if "actor" in n["classes"]:
            assert n["data"]["parent"] == f"groupe:{m[n['data']['id']]}"
        boxes.setdefault(n["data"].get("parent", ""), []).append(pos[n["data"]["id"]])
    assert set(boxes) == {f"groupe:{c}" for c in set(m)}
    extent = {g: (min(x - r for x, _, r in ps), min(y - r for _, y, r in ps), max(x + r for x, _, r in ps),
                  max(y + r for _, y, r in ps)) for g, ps in boxes.items()}
    for (g, a), (h, b) in itertools.combinations(extent.items(), 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (g, h)


@pytest.mark.slow
def test_output_is_deterministic(demo_registries, demo_page):
    actors, parts, acts = demo_registries
    assert web_actors.make_actors_page(build_graph(actors, parts, acts), parts, fictitious=True) == demo_page


@pytest.mark.slow
def test_cli_actors_web(tmp_path):
    runner = CliRunner()
    target = tmp_path / "acteurs.html"
    res = runner.invoke(cli, ["actors", "--web", "--epci", "CAPSO", "-o", str(target)])
    assert res.exit_code == 0, res.output
    assert "Cartographie interactive des acteurs écrite" in res.output
    page = html.unescape(target.read_text(encoding="utf-8"))
    assert "Communauté d'agglomération du Pays de Saint-Omer (et leurs partenaires)" in page
    assert not list(tmp_path.glob("*.png")) and not list(tmp_path.glob("*.gexf"))  # only the page
    for args, message in ((["actors", "--web", "-o", str(tmp_path / "x.png")], ".html"),
                          (["actors", "-o", str(tmp_path / "x.html")], "ajoutez --web")):
        res = runner.invoke(cli, args)
        assert res.exit_code == 1 and message in res.output and "Traceback" not in res.output
    with pytest.raises(AtlasError):
        web_actors.write_actors_page(None, None, None, tmp_path / "x.txt")


# --------------------------------------------------------------------------- real browser
#: Injected in the test copy only: console messages of any level above « log » are recorded.
CONSOLE_HOOK = ("<script>['error','warn'].forEach(function(k){var f=console[k];console[k]=function(){"
                "document.documentElement.setAttribute('data-console',(document.documentElement.getAttribute("
                "'data-console')||'')+k+':'+Array.prototype.join.call(arguments,' ')+'|');return f.apply(console,"
                "arguments);};});</script>")


def _run(chromium: str, page: str, path: Path, after: str = "") -> str:
    """Open ``page`` offline in headless Chromium, run ``after`` once the graph is built, return the DOM."""
    page = page.replace("<head>", "<head>" + ALERT_HOOK + CONSOLE_HOOK, 1)
    page = page.replace("<script>atlasActors();</script>", f"<script>atlasActors();{after}</script>", 1)
    path.write_text(page, encoding="utf-8")
    args = [*offline_prefix(), chromium, *CHROMIUM_FLAGS, f"--user-data-dir={path.parent / 'profile'}",
            "--dump-dom", path.as_uri()]
    res = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    dom = res.stdout
    for attr in ("data-js-errors", "data-console", "data-alerts"):
        m = re.search(rf'<html[^>]*\s{attr}="([^"]*)"', dom)
        assert m is None, f"{attr}: {html.unescape(m.group(1))}"
    return dom


def _body(dom: str) -> dict[str, str]:
    tag = re.search(r"<body([^>]*)>", dom[dom.index("</head>"):]).group(1)
    return {k: html.unescape(v) for k, v in re.findall(r'data-(?:atlas|test)-([a-z-]+)="([^"]*)"', tag)}


#: What the test does in the page, as a person would: types in the search box, clicks a result.
TYPE_AND_CHOOSE = """
var input = document.getElementById('aa-search-input');
input.value = 'PETIT panier solidaire'; input.dispatchEvent(new Event('input'));
var buttons = Array.prototype.slice.call(document.querySelectorAll('#aa-search-results button'));
document.body.setAttribute('data-test-hits', buttons.map(function (b) { return b.getAttribute('data-id'); }).join('|'));
buttons.filter(function (b) { return b.textContent.indexOf('groupement de 3') > 0; })[0].click();
input.value = 'epicerie solidaire MA ptite'; input.dispatchEvent(new Event('input'));
document.body.setAttribute('data-test-hits-accent', Array.prototype.map.call(
  document.querySelectorAll('#aa-search-results button'), function (b) { return b.getAttribute('data-id'); }).join('|'));
document.body.setAttribute('data-test-resources', String(performance.getEntriesByType('resource').length));
"""

#: Counts pairs of drawn labels that overlap (Cytoscape's own label boxes).
LABEL_OVERLAPS = """
var cy = window.atlasActorsGraph, boxes = cy.nodes().not('.hidden').not('.group').not('.nolabel').map(function (n) {
  return n.boundingBox({includeNodes: false, includeEdges: false, includeLabels: true}); }), k = 0;
for (var i = 0; i < boxes.length; i++) { for (var j = i + 1; j < boxes.length; j++) { var a = boxes[i], b = boxes[j];
  if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) { k++; } } }
document.body.setAttribute('data-test-overlaps', String(k));
"""


def test_browser_opens_offline_without_error(chromium, demo_page, tmp_path):
    dom = _run(chromium, demo_page, tmp_path / "acteurs.html", LABEL_OVERLAPS)
    body = _body(dom)
    assert body.get("ready") == "1", body
    assert int(body["nodes"]) == 190 and int(body["visible"]) == 190
    assert int(body["edges"]) == len(_blob(demo_page)["elements"]["edges"])
    assert int(body["labels"]) >= 60  # many names readable at once...
    assert body["overlaps"] == "0"  # ... and none over another
    assert "<canvas" in dom  # Cytoscape drew


def test_browser_search_then_partners(chromium, demo_page, tmp_path):
    dom = _run(chromium, demo_page, tmp_path / "acteurs.html", TYPE_AND_CHOOSE)
    body = _body(dom)
    # the four « Petit Panier solidaire » of the registry, told apart by the rest of their name
    assert set(body["hits"].split("|")) == {"petit-panier-solidaire", "petit-panier-auchel", "petit-panier-beuvry",
                                            "petit-panier-violaines"}
    assert body["hits-accent"].split("|") == ["ma-ptite-epice-rit"]  # « Épicerie … P'tite » typed without accent
    assert body["resources"] == "0"  # nothing was requested from anywhere
    assert body["selected"] == "petit-panier-solidaire"
    panel = re.search(r'<aside id="aa-details"([^>]*)>(.*?)</aside>', dom, re.S)
    assert "hidden" not in panel.group(1)
    text = panel.group(2)
    assert "Le Petit Panier solidaire (groupement de 3 épiceries sociales et solidaires)" in html.unescape(text)
    listed = [html.unescape(n) for n in re.findall(
        r'<button class="aa-link" type="button" data-id="[^"]*">([^<]*)</button>',
        re.search(r'<ul class="aa-list" id="aa-partners">(.*?)</ul>', text, re.S).group(1))]
    names = {r["id"]: r["name"] for r in _raw_csv("actors.csv")}
    want = sorted((names[p] for p in _expected_partners()["petit-panier-solidaire"]), key=str.casefold)
    assert listed == want and len(listed) == 21
    flows = html.unescape(re.search(r'<ul class="aa-list" id="aa-flows">(.*?)</ul>', text, re.S).group(1))
    assert re.sub(r"<[^>]+>", "", flows) == "Reçoit 7\u00a0958 kg de SOLAAL Hauts-de-France"
    assert "Partenaires (21)" in text


def test_browser_filter_by_epci(chromium, demo_page, demo_registries, tmp_path):
    actors = demo_registries[0]
    capso = "Communauté d'agglomération du Pays de Saint-Omer"
    script = ("var f = document.getElementById('aa-f-epci'); f.value = " + json.dumps(capso)
              + "; f.dispatchEvent(new Event('change'));")
    body = _body(_run(chromium, demo_page, tmp_path / "acteurs.html", script))
    assert int(body["visible"]) == int((actors["epci_name"] == capso).sum()) == 19


def test_browser_escaping(chromium, xss_page, tmp_path):
    page, _ = xss_page
    dom = _run(chromium, page, tmp_path / "xss.html", "window.atlasActorsSelect('spf-a');")
    assert _body(dom)["selected"] == "spf-a"
    panel = re.search(r'<aside id="aa-details"[^>]*>(.*?)</aside>', dom, re.S).group(1)
    assert html.escape(XSS_SCRIPT, quote=False) in panel and "<script" not in panel and "<img" not in panel
    assert not re.search(r"<img[^>]*src=\"?x", dom)


def test_browser_phone_width(chromium, demo_page, tmp_path):
    """At 390 px (a phone; headless windows are never narrower than 500 px, so the page is opened
    in a 390 × 800 frame): panels stacked, none over another, filters folded, the graph as wide as
    the screen, and a chosen actor's card inside the screen."""
    _run(chromium, demo_page, tmp_path / "acteurs.html")  # the test copy, checked for errors
    frame_page = tmp_path / "telephone.html"
    probe = """
    var f = document.getElementById('f');
    f.addEventListener('load', function () {
      var d = f.contentDocument, w = f.contentWindow, r = function (id) { return d.getElementById(id).getBoundingClientRect(); };
      w.atlasActorsSelect('solaal-hdf');
      var side = r('aa-side'), graph = r('aa-graph'), card = r('aa-details'), zoom = r('aa-zoom');
      var out = {inner: w.innerWidth, scroll: d.documentElement.scrollWidth, sideBottom: side.bottom, graphTop: graph.top,
                 graphWidth: graph.width, graphRight: graph.right, cardTop: card.top, cardBottom: card.bottom,
                 cardRight: card.right, zoomBottom: zoom.bottom, filtersOpen: d.getElementById('aa-filters').open,
                 cyWidth: w.atlasActorsGraph.width()};
      document.body.setAttribute('data-test-phone', JSON.stringify(out));
    });"""
    frame_page.write_text(
        '<!DOCTYPE html><html><head></head><body style="margin:0">'
        '<iframe id="f" src="acteurs.html" style="width:390px;height:800px;border:0;display:block"></iframe>'
        f"<script>{probe}</script></body></html>", encoding="utf-8")
    args = [*offline_prefix(), chromium, *CHROMIUM_FLAGS, "--allow-file-access-from-files",
            f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", frame_page.as_uri()]
    res = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    m = re.search(r'data-test-phone="([^"]*)"', res.stdout)
    assert m, "the probe did not run"
    got = json.loads(html.unescape(m.group(1)))
    assert got["inner"] == 390 and got["scroll"] == 390  # nothing wider than the screen
    assert got["sideBottom"] <= got["graphTop"]  # title panel above the graph, not over it
    assert got["graphWidth"] == got["cyWidth"] == 390 and got["graphRight"] <= 390
    assert got["filtersOpen"] is False  # folded: the graph keeps most of the screen
    assert got["cardBottom"] <= 800 and got["cardRight"] <= 390 and got["cardTop"] > got["graphTop"]
    assert got["cardBottom"] - got["cardTop"] <= 0.45 * 800  # the card leaves part of the graph in view
