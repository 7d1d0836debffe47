"""The actors graph: building, reading, exports and drawing, checked against independent counts."""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import networkx as nx
import pytest

from atlas import settings
from atlas.actors.draw import draw_graph, draw_partnership_map, mpl_text, save_drawing
from atlas.actors.export import write_gexf, write_graphml, write_metrics_csv
from atlas.actors.metrics import (
    bridge_scores,
    communities,
    community_table,
    cross_world_edges,
    graph_summary,
    missing_bridges,
    node_metrics,
    short_label,
)
from atlas.actors.model import build_graph, membership_graph, unpartnered_actors
from atlas.registry.actors import read_actors
from atlas.registry.partnerships import load_partnerships, partnership_lines, read_actions, read_partnerships

DATA = Path(__file__).parents[1] / "data" / "graph"


# --------------------------------------------------------------------------- independent helpers
def _csv(path: Path, delimiter: str = ",") -> list[dict]:
    with open(path, encoding="utf-8-sig") as f:
        return [r for r in csv.DictReader(f, delimiter=delimiter) if any((v or "").strip() for v in r.values())]


def _expected_edges(actor_ids: set[str], rows: list[dict], action_ids: set[str]) -> set[frozenset]:
    """Actor pairs linked directly or through a shared action, from the raw CSV rows."""
    edges: set[frozenset] = set()
    members: dict[str, set[str]] = {}
    for r in rows:
        s, t = r["source"].strip(), r["target"].strip()
        if s in action_ids and t in actor_ids and t not in action_ids:
            s, t = t, s
        if s not in actor_ids or s == t:
            continue
        if t in actor_ids:
            edges.add(frozenset((s, t)))
        elif t in action_ids:
            members.setdefault(t, set()).add(s)
    for ms in members.values():
        edges |= {frozenset(p) for p in itertools.combinations(sorted(ms), 2)}
    return edges


def _kg(rows: list[dict], actor_ids: set[str]) -> tuple[dict, dict]:
    given: dict[str, float] = {}
    received: dict[str, float] = {}
    for r in rows:
        kind = r["kind"].strip().lower()
        if kind not in ("donation", "don") or r["source"] not in actor_ids or r["target"] not in actor_ids:
            continue
        w = r["weight"].replace("kg", "").replace(" ", "").replace(",", ".")
        unit = r["unit"].strip() or ("kg" if "kg" in r["weight"] else "")
        if not w or unit != "kg":
            continue
        given[r["source"]] = given.get(r["source"], 0.0) + float(w)
        received[r["target"]] = received.get(r["target"], 0.0) + float(w)
    return given, received


# --------------------------------------------------------------------------- fixture graph
@pytest.fixture(scope="module")
def fx(communes):
    actors = read_actors(DATA / "actors.csv", communes=communes).accepted
    acts = read_actions(DATA / "actions.csv").accepted
    parts = read_partnerships(DATA / "partnerships.csv", actors, acts).accepted
    return actors, parts, acts, build_graph(actors, parts, acts)


def test_fixture_graph_against_csv(fx):
    actors, parts, acts, G = fx
    rows = _csv(DATA / "partnerships.csv")
    actor_ids = {r["id"] for r in _csv(DATA / "actors.csv")}
    action_ids = {r["id"] for r in _csv(DATA / "actions.csv")}
    expected = _expected_edges(actor_ids, rows, action_ids)
    assert set(G.nodes) == actor_ids
    assert {frozenset(e) for e in G.edges} == expected
    assert G.number_of_edges() == len(expected) == 11
    # the shared action is recorded on the projected edge
    assert G["ferme-a"]["ccas-a"]["actions"] == "act-1" and G["ferme-a"]["ccas-a"]["n_links"] == 0
    assert G["solaal"]["spf-a"]["kinds"] == "donation" and G["solaal"]["spf-a"]["kg"] == 928.0
    # node attributes from the actor registry
    assert G.nodes["spf-a"]["world"] == "aid" and G.nodes["spf-a"]["epci"] == "200072460"
    assert G.nodes["spf-a"]["network"] == "secours-populaire" and G.nodes["spf-a"]["commune_name"] == "Béthune"
    given, received = _kg(rows, actor_ids)
    for n in G:
        assert G.nodes[n]["kg_given"] == pytest.approx(given.get(n, 0.0))
        assert G.nodes[n]["kg_received"] == pytest.approx(received.get(n, 0.0))
    assert given["solaal"] == 928 + 7958


def test_multigraph_and_membership_graph(fx):
    actors, parts, acts, _ = fx
    M = build_graph(actors, parts, acts, multigraph=True)
    # one edge per actor-actor row + one per pair of members of each action
    n_direct = (parts["target_type"] == "actor").sum()
    members = parts[parts["target_type"] == "action"].groupby("target")["source"].nunique()
    assert M.number_of_edges() == n_direct + sum(math.comb(int(k), 2) for k in members)
    B = membership_graph(actors, parts, acts)
    assert nx.is_bipartite(B)
    assert {n for n, d in B.nodes(data=True) if d["bipartite"] == 1} == set(members.index)
    assert B.number_of_edges() == (parts["target_type"] == "action").sum()
    # without projection only the direct links remain
    assert build_graph(actors, parts, acts, project=False).number_of_edges() == n_direct


def test_fixture_metrics(fx):
    actors, parts, acts, G = fx
    m = node_metrics(G).set_index("id")
    # independent graph from the expected edges
    H = nx.Graph()
    H.add_nodes_from(G.nodes)
    rows = _csv(DATA / "partnerships.csv")
    ids = set(G.nodes)
    H.add_edges_from(tuple(e) for e in _expected_edges(ids, rows, {r["id"] for r in _csv(DATA / "actions.csv")}))
    btw = nx.betweenness_centrality(H)
    for n in H:
        assert m.at[n, "degree"] == H.degree(n)
        assert m.at[n, "betweenness"] == pytest.approx(btw[n])
    assert m.at["spf-a", "degree"] == 5
    assert set(m.index[m["isolated"]]) == {"asso-x", "croix-b", "isole"}
    assert set(m.index[m["no_partnership"]]) == {"asso-x", "croix-b", "isole"}
    assert set(unpartnered_actors(actors, parts)["id"]) == {"asso-x", "croix-b", "isole"}
    assert m.loc[["cab", "spf-a", "solaal"], "component"].nunique() == 1
    assert m.at["cab", "component_size"] == 7 and m.at["capso", "component_size"] == 2
    assert m.at["solaal", "kg_given"] == 8886.0 and m.at["solaal", "kg_received"] == 100.0
    assert missing_bridges(G) == ["asso-x", "croix-b", "isole"]
    assert len(cross_world_edges(G)) == 6
    assert set(m.index[m["bridge"]]) == {"cab", "spf-a", "epi-a", "ferme-a", "ccas-a", "solaal", "capso", "epi-b"}
    assert set(m.index[m["articulation"]]) == set(nx.articulation_points(H)) == {"epi-a"}  # restos-a hangs on it
    s = graph_summary(G)
    assert (s["n_actors"], s["n_edges"], s["n_isolated"], s["n_components"]) == (12, 11, 3, 2)
    # communities: every linked actor in exactly one community, isolated ones in none
    comms = communities(G)
    assert sorted(n for c in comms for n in c) == sorted(n for n in G if G.degree(n))
    assert (m.loc[m["isolated"], "community"] == 0).all() and (m.loc[~m["isolated"], "community"] > 0).all()
    assert [sorted(c) for c in communities(G)] == [sorted(c) for c in comms]  # same seed, same result


def test_bridge_score_on_a_path():
    G = nx.Graph()
    for n, w in (("p", "pat"), ("x", "both"), ("a", "aid"), ("b", "aid")):
        G.add_node(n, world=w)
    G.add_edges_from([("p", "x"), ("x", "a"), ("a", "b")])
    scores = bridge_scores(G)
    # every (PAT, aid) shortest path goes through x; half of them through a
    assert scores["x"] == pytest.approx(1.0) and scores["a"] == pytest.approx(0.5) and scores["p"] == 0.0
    G.add_node("z", world="aid")
    assert missing_bridges(G) == ["z"]


def test_partnership_lines(fx):
    actors, parts, acts, G = fx
    lines = partnership_lines(G, actors)
    assert str(lines.crs) == "EPSG:2154" and len(lines) == G.number_of_edges()
    pts = actors.set_index("id").geometry
    for _, r in lines.iterrows():
        assert r["length_m"] == pytest.approx(pts[r["source"]].distance(pts[r["target"]]))
    same = lines[(lines["source"] == "cab") & (lines["target"] == "spf-a") | (lines["source"] == "spf-a")
                 & (lines["target"] == "cab")]
    assert same["length_m"].iloc[0] == 0.0  # both at Béthune town hall
    rows = partnership_lines(parts, actors)
    assert len(rows) == (parts["target_type"] == "actor").sum()
    assert set(rows["kind"]) == {"donation"}


def test_geographic_view(fx, communes, tmp_path):
    actors, parts, acts, G = fx
    fig = draw_partnership_map(G, actors, communes, epci=["200072460", "200069037"], title="Essai")
    png, = save_drawing(fig, [tmp_path / "carte.png"])
    assert png.read_bytes()[:4] == b"\x89PNG"
    texts = [t.get_text() for t in fig.texts]
    assert any("11 liens entre acteurs localisés" in t for t in texts)


def test_exports_round_trip(fx, tmp_path):
    actors, parts, acts, G = fx
    m = node_metrics(G)
    gexf = write_gexf(G, tmp_path / "g.gexf", m)
    graphml = write_graphml(G, tmp_path / "g.graphml", m)
    for back in (nx.read_gexf(gexf), nx.read_graphml(graphml)):
        assert set(back.nodes) == set(G.nodes)
        assert back.number_of_edges() == G.number_of_edges()
        assert back.nodes["spf-a"]["world"] == "aid"
        assert float(back.nodes["spf-a"]["betweenness"]) == pytest.approx(m.set_index("id").at["spf-a", "betweenness"])
        assert float(back.nodes["solaal"]["kg_given"]) == 8886.0
        assert back.nodes["spf-a"]["label"] == "Secours populaire A"
    assert nx.read_gexf(gexf).nodes["spf-a"]["viz"]["color"] == {"r": 0xE6, "g": 0x61, "b": 0x01, "a": 1.0}
    path = write_metrics_csv(m, tmp_path / "m.csv")
    rows = _csv(path, delimiter=";")
    assert len(rows) == len(G)
    assert {"nom", "nombre de partenaires", "centralité d'intermédiarité", "kg donnés", "communauté"} <= set(rows[0])
    by_id = {r["identifiant"]: r for r in rows}
    assert by_id["asso-x"]["isolé dans le graphe"] == "oui" and by_id["spf-a"]["isolé dans le graphe"] == "non"
    assert by_id["solaal"]["kg donnés"] == "8886,0"


@pytest.mark.slow
def test_drawing_files(fx, tmp_path):
    from PIL import Image
    from pypdf import PdfReader

    actors, parts, acts, G = fx
    fig = draw_graph(G, title="Essai $5 et $6")
    texts = [t.get_text() for a in fig.axes for t in a.texts] + [t.get_text() for t in fig.texts]
    assert r"Essai \$5 et \$6" in texts  # never read as mathtext
    assert any(r"« X » \$5 le panier" in t for t in texts)  # registry text, actor without links
    png, pdf, svg = save_drawing(fig, [tmp_path / "g.png", tmp_path / "g.pdf", tmp_path / "g.svg"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(png) as im:
        assert im.size == (int(16.54 * 150), int(11.69 * 150))
    page = PdfReader(pdf).pages[0]
    assert float(page.mediabox.width) == pytest.approx(16.54 * 72, abs=1)
    assert float(page.mediabox.height) == pytest.approx(11.69 * 72, abs=1)
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert not list(tmp_path.glob(".*part*"))  # atomic: no temporary file left
    assert mpl_text("5 $ et 6 $") == r"5 \$ et 6 \$"


def test_short_label():
    assert short_label("Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane (CABBALR)") == "CABBALR"
    assert short_label("Épicerie (test)") != "test"  # lower-case: not an acronym
    lab = short_label("Secours populaire français de Vendin-lès-Béthune et environs", width=20)
    assert len(lab.split("\n")) == 2 and lab.endswith("…")


# --------------------------------------------------------------------------- demonstration registry
@pytest.fixture(scope="module")
def demo_graph(demo):
    assert (settings.raw_dir() / "partnerships.csv").exists(), "registre de démonstration absent de data/raw"
    parts, acts = load_partnerships(demo.actors)
    return demo.actors, parts.accepted, acts.accepted, build_graph(demo.actors, parts.accepted, acts.accepted)


def test_demo_graph_against_csv(demo_graph):
    actors, parts, acts, G = demo_graph
    raw = settings.raw_dir()
    rows = _csv(raw / "partnerships.csv")
    actor_ids = set(actors["id"])
    action_ids = {r["id"] for r in _csv(raw / "actions.csv")}
    expected = _expected_edges(actor_ids, rows, action_ids)
    assert G.number_of_nodes() == len(actors)
    assert {frozenset(e) for e in G.edges} == expected
    linked = {n for e in expected for n in e}
    m = node_metrics(G).set_index("id")
    assert set(m.index[m["isolated"]]) == actor_ids - linked
    named = {r["source"] for r in rows} | {r["target"] for r in rows}
    assert set(m.index[m["no_partnership"]]) == actor_ids - named
    given, received = _kg(rows, actor_ids)
    for n in actor_ids:
        assert m.at[n, "kg_given"] == pytest.approx(given.get(n, 0.0))
        assert m.at[n, "kg_received"] == pytest.approx(received.get(n, 0.0))
    # SOLAAL's flows to the CABBALR associations (document 003: 928 + 7 958 + 8 008 + 65 kg)
    if "solaal-hdf" in m.index and given.get("solaal-hdf"):
        assert m.at["solaal-hdf", "kg_given"] == pytest.approx(given["solaal-hdf"])
    comm = community_table(G)
    assert comm["n_actors"].sum() == len(linked)


@pytest.mark.slow
def test_demo_drawing_labels_do_not_overlap(demo_graph, tmp_path):
    """The drawing of the demonstration graph: no two texts of the graph panel overlap."""
    actors, parts, acts, G = demo_graph
    fig = draw_graph(G)
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text().strip() and t.get_visible()]
    assert len(boxes) > 20
    overlaps = [(i, j) for i, j in itertools.combinations(range(len(boxes)), 2) if boxes[i].overlaps(boxes[j])]
    assert overlaps == []
    png, = save_drawing(fig, [tmp_path / "acteurs.png"])
    assert png.stat().st_size > 100_000


# --------------------------------------------------------------------------- command line
@pytest.mark.slow
def test_cli_actors(tmp_path):
    from click.testing import CliRunner

    from atlas.cli import cli

    out = tmp_path / "acteurs"
    res = CliRunner().invoke(cli, ["-q", "actors", "--registry", str(DATA / "actors.csv"), "--partnerships",
                                   str(DATA / "partnerships.csv"), "--dessin", "png", "--dessin", "svg",
                                   "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "12 acteurs, 11 paires d'acteurs liées" in res.output
    assert "SOLAAL test : 8\u00a0886 kg donnés, 100 kg reçus" in res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["acteurs-carte.png", "acteurs-carte.svg", "acteurs-communautes.csv", "acteurs-liens.gpkg",
                     "acteurs-metriques.csv", "acteurs.gexf", "acteurs.graphml", "acteurs.png", "acteurs.svg"]
    assert len(nx.read_gexf(out / "acteurs.gexf")) == 12
    # a territory: its actors and their direct partners only
    res = CliRunner().invoke(cli, ["-q", "actors", "--registry", str(DATA / "actors.csv"), "--partnerships",
                                   str(DATA / "partnerships.csv"), "--epci", "CAPSO", "--dessin", "png",
                                   "-o", str(tmp_path / "capso")])
    assert res.exit_code == 0, res.output
    assert set(nx.read_graphml(tmp_path / "capso" / "acteurs.graphml").nodes) == {"capso", "epi-b", "croix-b", "isole"}


@pytest.mark.slow
def test_cli_actors_bad_rows_and_errors(tmp_path):
    from click.testing import CliRunner

    from atlas.cli import cli

    runner = CliRunner()
    res = runner.invoke(cli, ["actors", "--registry", str(DATA / "actors.csv"), "--partnerships",
                              str(DATA / "partnerships_bad.csv"), "--actions", str(DATA / "actions.csv"),
                              "--dessin", "png", "-o", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    assert "partnerships_bad.csv, ligne 7 : poids négatif : « -5 »" in res.output
    assert "16 lignes lues, 4 acceptées, 12 rejetées" in res.output
    res = runner.invoke(cli, ["actors", "--registry", str(DATA / "actors.csv"), "--partnerships",
                              str(tmp_path / "absent.csv"), "-o", str(tmp_path / "b")])
    assert res.exit_code == 1 and "Fichier introuvable" in res.output and "Traceback" not in res.output
    res = runner.invoke(cli, ["actors", "--registry", str(DATA / "actors.csv"), "--partnerships",
                              str(DATA / "partnerships.csv"), "--epci", "NULLEPART", "-o", str(tmp_path / "c")])
    assert res.exit_code == 1 and "Territoire inconnu" in res.output
    assert not (tmp_path / "c").exists() or not list((tmp_path / "c").iterdir())
