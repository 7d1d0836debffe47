"""The actors drawings as printed: A3 pages, no text under 7 pt, no two labels alike, every node
named or numbered, distinct legend entries, a map that fills its sheet; layout and metrics that
scale (k-d tree separation, sampled betweenness) and give the same bytes whatever the hash seed."""

from __future__ import annotations

import filecmp
import itertools
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from atlas import settings
from atlas.actors.draw import draw_graph, draw_partnership_map, drawing_graph, save_drawing
from atlas.actors.labels import candidates, unique_labels
from atlas.actors.layout import SPIRAL_FROM, group_layout, separate
from atlas.actors.metrics import betweenness, bridge_scores, canonical_graph, node_metrics
from atlas.actors.model import build_graph
from atlas.registry.partnerships import load_partnerships

pdfplumber = pytest.importorskip("pdfplumber")

DATA = Path(__file__).parents[1] / "data" / "graph"
REPO = Path(__file__).parents[2]
A3 = (420.0, 297.0)


# --------------------------------------------------------------------------- reading a PDF
def _pdf_page(path: Path) -> dict:
    """Size in mm, characters and text blocks (lines of one label joined) of the first page."""
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        size = (float(page.width) * 25.4 / 72, float(page.height) * 25.4 / 72)
        chars = list(page.chars)
        frags = page.extract_words(keep_blank_chars=True, x_tolerance=1.2, y_tolerance=1.0)
    return {"size": size, "chars": chars, "blocks": _blocks(frags)}


def _blocks(frags: list[dict]) -> list[str]:
    """Fragments of text stacked closely, overlapping horizontally, with the same type size, joined
    into blocks: the lines of one multi-line label."""
    frags = sorted(frags, key=lambda f: (f["top"], f["x0"]))
    blocks: list[list[dict]] = []
    for f in frags:
        for b in blocks:
            last = b[-1]
            if (abs(last["height"] - f["height"]) < 0.05 and -0.3 * f["height"] <= f["top"] - last["bottom"] < 0.45 * f["height"]
                    and min(last["x1"], f["x1"]) - max(last["x0"], f["x0"]) > 0):
                b.append(f)
                break
        else:
            blocks.append([f])
    return [" ".join(x["text"].strip() for x in b) for b in blocks]


def _legend_looks(fig) -> list[tuple]:
    """What each legend entry of a figure looks like (colour, line style and width, marker)."""
    out = []
    for leg in [*fig.legends, *(a for ax in fig.axes for a in ax.artists if a.__class__.__name__ == "Legend")]:
        for h in leg.legend_handles:
            if hasattr(h, "get_marker"):
                out.append(("line", h.get_color(), str(h.get_linestyle()), round(h.get_linewidth(), 2),
                            str(h.get_marker()), str(h.get_markerfacecolor())))
            else:
                out.append(("patch", tuple(np.round(h.get_facecolor(), 3)), str(h.get_linestyle())))
    return out


# --------------------------------------------------------------------------- labels
def test_labels_told_apart_by_commune():
    items = [("a", "Le Petit Panier solidaire – épicerie de Auchel", "Auchel"),
             ("b", "Le Petit Panier solidaire – épicerie de Beuvry", "Beuvry"),
             ("c", "Le Petit Panier solidaire – épicerie de Violaines", "Violaines"),
             ("d", "Épicerie solidaire de Lens", "Lens"), ("e", "Épicerie solidaire de Lens", "Lens"),
             ("f", "Restos du Cœur", "Lens"), ("g", "Restos du Cœur", "Liévin")]
    out = unique_labels(items, width=24, max_lines=2)
    flat = {k: v.replace("\n", " ") for k, v in out.items()}
    assert flat["a"] == "Le Petit Panier solidaire – Auchel"
    assert flat["b"] == "Le Petit Panier solidaire – Beuvry"
    assert flat["f"] == "Restos du Cœur – Lens" and flat["g"] == "Restos du Cœur – Liévin"
    assert flat["d"].endswith("(1)") and flat["e"].endswith("(2)")  # same name, same commune
    assert len(set(flat.values())) == len(items)
    assert all(len(line) <= 24 for v in out.values() for line in v.split("\n")[:2])
    assert candidates("Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane (CABBALR)")[0] == "CABBALR"


# --------------------------------------------------------------------------- layout
def _overlaps(xy: np.ndarray, r: np.ndarray) -> int:
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    need = r[:, None] + r[None, :]
    return int(np.triu(d < need - 1e-6, 1).sum())


def test_separate_removes_overlaps_and_is_repeatable():
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 100, (400, 2))
    xy[:20] = 50.0  # twenty discs on one point
    r = rng.uniform(1.0, 3.0, 400)
    assert _overlaps(xy, r) > 100
    out = separate(xy, r, (0, 0, 200, 200), max_iter=400)
    assert _overlaps(out, r) == 0
    assert np.array_equal(out, separate(xy, r, (0, 0, 200, 200), max_iter=400))
    assert (out >= 0).all() and (out <= 200).all()


def test_large_community_on_a_spiral_without_overlap():
    G = nx.barabasi_albert_graph(SPIRAL_FROM + 50, 2, seed=1)
    D = nx.relabel_nodes(G, {n: f"n{n:04d}" for n in G})
    radius = {n: 3.0 for n in D}
    pos = group_layout(D, dict.fromkeys(D, 1), (800.0, 600.0), radius, seed=42)
    xy = np.array([pos[n] for n in sorted(pos)])
    assert _overlaps(xy, np.full(len(xy), 3.0)) == 0
    hub = max(D, key=D.degree)  # the most connected actor in the middle of its community
    centre = xy.mean(axis=0)
    assert np.hypot(*(pos[hub] - centre)) < np.median(np.hypot(*(xy - centre).T))


# --------------------------------------------------------------------------- metrics that scale
def test_sampled_betweenness_close_to_exact():
    G = nx.connected_watts_strogatz_graph(400, 6, 0.1, seed=2)
    G = nx.relabel_nodes(G, {n: f"a{n:03d}" for n in G})
    nx.set_node_attributes(G, {n: ("pat" if i % 3 == 0 else "aid") for i, n in enumerate(G)}, "world")
    exact = nx.betweenness_centrality(G)
    values, se, method = betweenness(G, exact_max=100, samples=192)
    assert method.startswith("estimée sur 192 sources") and "graine 42" in method
    err = np.array([values[n] - exact[n] for n in G])
    s = np.array([se[n] for n in G])
    assert (s > 0).mean() > 0.9
    assert (np.abs(err) <= 3 * s + 1e-9).mean() > 0.9  # the stated error holds for nearly every actor
    top_exact = sorted(G, key=lambda n: -exact[n])[:10]
    assert np.median([abs(values[n] - exact[n]) / exact[n] for n in top_exact]) < 0.2
    assert betweenness(G, exact_max=100, samples=192) == (values, se, method)  # fixed seed
    v2, se2, m2 = betweenness(G)  # below the threshold: exact
    assert m2.startswith("exacte") and all(v2[n] == pytest.approx(exact[n]) for n in G) and set(se2.values()) == {0.0}
    b_exact = bridge_scores(G)
    b_est = bridge_scores(G, exact_max=100, samples=192)
    top = sorted(G, key=lambda n: -b_exact[n])[:10]
    assert np.median([abs(b_est[n] - b_exact[n]) / b_exact[n] for n in top]) < 0.2


def test_backends_agree(monkeypatch):
    """python-igraph (when installed) and networkx give the same exact and sampled values."""
    from atlas.actors import metrics

    G = nx.relabel_nodes(nx.connected_watts_strogatz_graph(120, 4, 0.2, seed=5), lambda n: f"x{n:03d}")
    nx.set_node_attributes(G, {n: ("pat" if i % 4 == 0 else "aid") for i, n in enumerate(G)}, "world")
    runs = [(betweenness(G, exact_max=1000), betweenness(G, exact_max=50, samples=40),
             bridge_scores(G, exact_max=1000), bridge_scores(G, exact_max=50, samples=40))]
    monkeypatch.setattr(metrics, "igraph", None)
    runs.append((betweenness(G, exact_max=1000), betweenness(G, exact_max=50, samples=40),
                 bridge_scores(G, exact_max=1000), bridge_scores(G, exact_max=50, samples=40)))
    (e1, s1, b1, t1), (e2, s2, b2, t2) = runs
    for a, b in ((e1[0], e2[0]), (s1[0], s2[0]), (s1[1], s2[1]), (b1, b2), (t1, t2)):
        assert all(a[n] == pytest.approx(b[n], abs=1e-12) for n in G)
    assert e2[2] == "exacte (algorithme de Brandes, networkx)"


def test_canonical_graph_order():
    G = nx.Graph()
    G.add_edges_from([("b", "a"), ("c", "a"), ("a", "d")])
    C = canonical_graph(G)
    assert list(C) == ["a", "b", "c", "d"] and list(C.edges()) == [("a", "b"), ("a", "c"), ("a", "d")]


# --------------------------------------------------------------------------- the demonstration drawings
@pytest.fixture(scope="module")
def demo_graph(demo):
    assert (settings.raw_dir() / "partnerships.csv").exists(), "registre de démonstration absent de data/raw"
    parts, acts = load_partnerships(demo.actors)
    G = build_graph(demo.actors, parts.accepted, acts.accepted)
    return demo, G, node_metrics(G)


def test_demo_graph_drawing_printable(demo_graph, tmp_path):
    demo, G, m = demo_graph
    fig = draw_graph(G, m)
    info = fig.atlas_labels
    D = drawing_graph(G)
    # every node drawn is named or numbered, and the key lists every number
    assert info["left_out"] == 0
    assert set(info["labels"]) | set(info["numbered"]) == set(D)
    assert not set(info["labels"]) & set(info["numbered"])
    looks = _legend_looks(fig)
    assert len(looks) > 15 and len(set(looks)) == len(looks)  # no two legend entries drawn alike
    pdf, = save_drawing(fig, [tmp_path / "acteurs.pdf"])
    page = _pdf_page(pdf)
    assert page["size"] == pytest.approx(A3, abs=1.0)
    small = sorted({c["text"] for c in page["chars"] if c["size"] < 7.0 - 1e-3})
    assert small == [] and len(page["chars"]) > 3000
    labels = [b for b in page["blocks"] if len(b) > 3]
    dup = sorted({b for b in labels if labels.count(b) > 1})
    assert dup == []
    for text in ("Le Petit Panier solidaire – Auchel", "Le Petit Panier solidaire – Beuvry",
                 "Le Petit Panier solidaire – Violaines"):
        assert text in info["labels"].values() or any(text in b for b in page["blocks"])
    flat = " ".join(page["blocks"])
    n_actors = sum(1 for n in info["numbered"] if not n.startswith("action:"))
    for i in range(1, n_actors + 1):
        assert f"{i}. " in flat  # the key has every number
    assert "Numéros du graphe" in flat


def test_demo_partnership_map_printable(demo_graph, tmp_path):
    demo, G, m = demo_graph
    fig = draw_partnership_map(G, demo.actors, demo.communes, metrics=m, title="Essai")
    ax = fig.axes[0]
    w, h = fig.get_size_inches()
    assert sorted((w, h)) == pytest.approx(sorted((11.69, 16.54)), abs=0.01)
    box = ax.get_position()
    assert box.width * box.height > 0.6  # the map fills its sheet
    # the scale bar of the A3 sheets (atlas.print_style), in the map's metres: its labels stand where
    # the ground length they name ends
    texts = {t.get_text(): t.get_position() for t in ax.texts}
    full = next(k for k in texts if k.endswith(" km"))
    km = float(full.split()[0].replace(",", "."))
    assert texts[full][0] - texts["0"][0] == pytest.approx(km * 1000)
    assert "N" in texts
    looks = _legend_looks(fig)
    assert len(set(looks)) == len(looks)
    pdf, = save_drawing(fig, [tmp_path / "carte.pdf"])
    page = _pdf_page(pdf)
    assert sorted(page["size"]) == pytest.approx(sorted(A3), abs=1.0)
    assert [c["text"] for c in page["chars"] if c["size"] < 7.0 - 1e-3] == []
    labels = [b for b in page["blocks"] if len(b) > 3]
    assert sorted({b for b in labels if labels.count(b) > 1}) == []
    assert any(b.endswith("km") for b in page["blocks"])  # the scale bar


# --------------------------------------------------------------------------- same bytes, any hash seed
def test_same_files_whatever_the_hash_seed(tmp_path):
    def run(seed: str, out: Path) -> None:
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
        res = subprocess.run([sys.executable, "-c", "from atlas.cli import main; main()", "-q", "actors",
                              "--registry", str(DATA / "actors.csv"), "--partnerships", str(DATA / "partnerships.csv"),
                              "--format", "png", "--format", "pdf", "-o", str(out)],
                             capture_output=True, text=True, env=env, check=False)
        assert res.returncode == 0, res.stderr[-2000:]

    run("1", tmp_path / "a")
    run("987", tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(names) == 9
    different = [x for x in names if not filecmp.cmp(tmp_path / "a" / x, tmp_path / "b" / x, shallow=False)]
    assert different == []
    assert list(itertools.islice((tmp_path / "a").glob("acteurs*.pdf"), 3))
