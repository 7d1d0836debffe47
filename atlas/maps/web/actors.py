"""The interactive cartographie des acteurs: one offline HTML file (``atlas actors --web``).

The partnership network of :mod:`atlas.actors` drawn in the browser by Cytoscape.js 3 (MIT,
vendored in ``assets/cytoscape.min.js`` and inlined, nothing loads from a CDN; its canvas renderer
needs no GPU). What the page shows is the graph of the A3 drawing (:func:`atlas.actors.draw.drawing_graph`):
actors with at least one link, actions shared by three actors or more as small grey squares linked
to their members, direct links, donations (thick by kilograms) and small shared actions; same
colours (:data:`atlas.actors.draw.WORLD_COLOURS`) and shapes (:data:`atlas.actors.draw.KIND_MARKERS`,
turned into polygons by :data:`MARKER_POLYGONS`) as the drawing.

Layout: computed here, in Python, with a fixed seed, and given to Cytoscape as a ``preset``
layout. The page is then the same from one run to the next (a coordinator who says « en haut à
gauche, le groupe C2 » is understood by the colleague who opened the same file), it opens
instantly (no force simulation running in the browser of an old office computer) and tests can
compare it. The layout groups actors by Louvain community (:func:`atlas.actors.metrics.node_metrics`,
the numbers C1, C2... of the drawing and the CSV): each community is laid out in its own disc
(Kamada-Kawai), the discs placed by a spring layout of the community graph and pushed apart with
:func:`atlas.placement.spread_markers`; each community is a shaded box named « C1 · 57 acteurs ».
Actors without any link are set on a grid in a box of their own, so they can still be found.

Clicking an actor (or choosing it in the accent-insensitive search) lists its partners (each one a
button leading to that partner), with what links them (kinds of partnership, shared actions), the
actions and collectifs it takes part in, and the kilograms of food it gives or receives. Filters by
world, type of actor, community and EPCI hide the other actors.

Safety: registry text never becomes markup. All data go into one JSON blob
(``<script type="application/json" id="atlas-actors-data">``) with ``<``, ``>``, ``&`` written as
``\\u003c``, ``\\u003e``, ``\\u0026``; ``atlas-actors.js`` writes text with ``textContent`` only;
the few strings set in the HTML (title, territory, legend, filters) go through :func:`html.escape`.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from atlas.actors.draw import EDGE_STYLES, KIND_MARKERS, WORLD_COLOURS, drawing_graph
from atlas.actors.metrics import LOUVAIN_SEED, node_metrics, short_label
from atlas.actors.model import build_graph, flow_graph, simple_graph, subgraph_territory
from atlas.errors import AtlasError
from atlas.fr import integer_fr, plural_fr
from atlas.io import write_text_atomic
from atlas.maps.web.render import html_output_path
from atlas.placement import spread_markers
from atlas.registry import schema
from atlas.registry.partnerships import PARTNERSHIP_KINDS, memberships

DEFAULT_TITLE = "Cartographie des acteurs"
DEFAULT_TERRITORY = "Hauts-de-France (tout le registre)"
CYTOSCAPE_VERSION = "3.35.0"


def _regular(n: int, start_deg: float, scale: tuple[float, float] = (1.0, 1.0)) -> tuple[float, ...]:
    """Vertices of a regular polygon in Cytoscape's unit box (``y`` grows downwards)."""
    pts: list[float] = []
    for i in range(n):
        a = math.radians(start_deg + 360.0 * i / n)
        pts += [round(scale[0] * math.cos(a), 3), round(-scale[1] * math.sin(a), 3)]
    return tuple(pts)


def _star(points: int = 5, inner: float = 0.38) -> tuple[float, ...]:
    """A star (matplotlib's ``*``): ``points`` tips, inner radius ``inner`` of the outer one."""
    pts: list[float] = []
    for i in range(2 * points):
        r = 1.0 if i % 2 == 0 else inner
        a = math.radians(90.0 + 180.0 * i / points)
        pts += [round(r * math.cos(a), 3), round(-r * math.sin(a), 3)]
    return tuple(pts)


def _plus(rotate_deg: float = 0.0) -> tuple[float, ...]:
    t = 0.36
    base = [(-t, -1), (t, -1), (t, -t), (1, -t), (1, t), (t, t), (t, 1), (-t, 1), (-t, t), (-1, t), (-1, -t), (-t, -t)]
    a = math.radians(rotate_deg)
    turned = [(x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)) for x, y in base]
    k = 1.0 / max(max(abs(x), abs(y)) for x, y in turned)  # the rotated cross fills the box
    return tuple(round(k * v, 3) for xy in turned for v in xy)


#: The matplotlib markers of :data:`atlas.actors.draw.KIND_MARKERS` as Cytoscape polygons (unit
#: box, ``y`` downwards; ``None``: a disc). The same points draw the legend's SVG symbols.
MARKER_POLYGONS: dict[str, tuple[float, ...] | None] = {
    "o": None,
    "s": (-0.85, -0.85, 0.85, -0.85, 0.85, 0.85, -0.85, 0.85),
    "D": (0.0, -1.0, 1.0, 0.0, 0.0, 1.0, -1.0, 0.0),
    "d": (0.0, -1.0, 0.62, 0.0, 0.0, 1.0, -0.62, 0.0),
    "^": (0.0, -1.0, 1.0, 0.8, -1.0, 0.8),
    "v": (-1.0, -0.8, 1.0, -0.8, 0.0, 1.0),
    ">": (-0.8, -1.0, 1.0, 0.0, -0.8, 1.0),
    "<": (0.8, -1.0, -1.0, 0.0, 0.8, 1.0),
    "h": _regular(6, 90.0),
    "H": _regular(6, 0.0),
    "p": _regular(5, 90.0),
    "8": _regular(8, 22.5),
    "P": _plus(),
    "X": _plus(45.0),
    "*": _star(),
}

#: Names of the markers in CSS classes (« ^ » or « > » cannot be part of a Cytoscape selector).
MARKER_NAMES: dict[str, str] = {
    "o": "disc", "s": "square", "D": "diamond", "d": "thin-diamond", "^": "triangle-up", "v": "triangle-down",
    ">": "triangle-right", "<": "triangle-left", "h": "hexagon", "H": "hexagon-flat", "p": "pentagon", "8": "octagon",
    "P": "plus", "X": "cross", "*": "star",
}  # fmt: skip

#: Look of the links in the page, from the drawing's :data:`atlas.actors.draw.EDGE_STYLES`
#: (colour, dashed or not); « membership » joins an actor to a shared action's square.
_HUB_FILL, _HUB_BORDER = "#d9d9d9", "#7f7f7f"
_MEMBERSHIP_COLOUR = "#b0b0b0"


def _edge_look(style: str) -> tuple[str, str]:
    if style == "membership":
        return _MEMBERSHIP_COLOUR, "solid"
    look = EDGE_STYLES["shared" if style == "shared" else style]
    return look["color"], "solid" if look["style"] == "solid" else "dashed"


def marker_of(kind: str) -> str:
    """The matplotlib marker of a kind of actor in the drawing (``o`` when unknown)."""
    m = KIND_MARKERS.get(kind, "o")
    return m if m in MARKER_POLYGONS else "o"


# --------------------------------------------------------------------------- layout
def _communities(D: nx.Graph, metrics: pd.DataFrame) -> dict[str, int]:
    """Community of every node drawn: the actor's Louvain community; an action square joins the
    community most of its members are in (the smallest number on a tie), as in the drawing."""
    m = metrics.set_index("id")["community"]
    out = {n: int(m.get(n, 0)) for n, t in D.nodes(data="node_type") if t == "actor"}
    for h, t in D.nodes(data="node_type"):
        if t == "action":
            votes = pd.Series([out[x] for x in D.neighbors(h) if x in out], dtype=int)
            out[h] = int(votes.mode().min()) if len(votes) else 0
    return out


def _group_positions(D: nx.Graph, community: dict[str, int], size: dict[str, float], seed: int) -> dict[str, np.ndarray]:
    """« Grouped » layout in page pixels: each community in its own disc (Kamada-Kawai inside),
    discs placed by a spring layout of the community graph, then nothing overlapping."""
    groups: dict[int, list[str]] = {}
    for n in sorted(D, key=str):
        groups.setdefault(community[n], []).append(n)
    C: nx.Graph = nx.Graph()
    C.add_nodes_from(sorted(groups))
    for u, v in D.edges():
        cu, cv = community[u], community[v]
        if cu != cv:
            C.add_edge(cu, cv, weight=C[cu][cv]["weight"] + 1 if C.has_edge(cu, cv) else 1)
    radius = {c: 1.15 * math.sqrt(sum((size[n] + 44.0) ** 2 for n in ns) / math.pi) + 20.0 for c, ns in groups.items()}
    cids = sorted(groups)
    if len(cids) == 1:
        centres = np.zeros((1, 2))
    else:
        spring = nx.spring_layout(C, weight="weight", seed=seed, k=2.0 / math.sqrt(len(C)), iterations=200)
        centres = np.array([spring[c] for c in cids]) * 0.45 * sum(radius.values()) * np.array([1.6, 1.0])  # screens are wide
    # community boxes are squares around the discs: centres a diagonal apart never overlap
    diam = np.array([2.0 * math.sqrt(2.0) * radius[c] + 50.0 for c in cids])
    centres, _ = spread_markers(centres, diam, None, 2000, gap=0.0, rings=False)
    pos: dict[str, np.ndarray] = {}
    for c, centre in zip(cids, centres, strict=True):
        ns = groups[c]
        sub: nx.Graph = nx.Graph()
        sub.add_nodes_from(ns)
        sub.add_edges_from((u, v) for u, v in D.edges(ns) if community[u] == community[v] == c)
        if len(ns) == 1:
            local = {ns[0]: np.zeros(2)}
        elif nx.is_connected(sub) and len(ns) > 2:
            local = nx.kamada_kawai_layout(sub, weight=None)
        else:
            local = nx.spring_layout(sub, seed=seed, iterations=200, k=1.5 / math.sqrt(len(ns)))
        arr = np.array([local[n] for n in ns], dtype=float)
        arr -= arr.mean(axis=0)
        span = float(np.abs(arr).max()) or 1.0
        for n, xy in zip(ns, arr, strict=True):
            pos[n] = centre + xy / span * (radius[c] - size[n])
    nodes = list(pos)
    spread, _ = spread_markers(np.array([pos[n] for n in nodes]), np.array([size[n] for n in nodes]), None, 400,
                               gap=14.0, rings=False)
    return {n: spread[i] for i, n in enumerate(nodes)}


def _grid(ids: list[str], top: float, left: float, width: float) -> dict[str, np.ndarray]:
    """Actors without any link in columns below the network (the name to the right of each)."""
    col, row = 300.0, 34.0
    per_col = math.ceil(len(ids) / max(int(width // col), 1)) if ids else 1
    return {n: np.array([left + (i // per_col) * col, top + (i % per_col) * row]) for i, n in enumerate(ids)}


# --------------------------------------------------------------------------- details of an actor
def _labels(G: nx.Graph) -> dict[str, str]:
    """Full names for the page, with the commune added when two actors share a name."""
    names = {n: str(d.get("name") or n) for n, d in G.nodes(data=True)}
    counts = pd.Series(list(names.values())).value_counts()
    out = {}
    for n, name in names.items():
        place = str(G.nodes[n].get("commune_name") or "")
        out[n] = f"{name} – {place}" if counts[name] > 1 and place else name
    return out


def _relation(edge: dict, action_index: dict[str, int]) -> list:
    """What links two actors: kinds of direct partnership in French, and the numbers of the shared
    actions (in the page's list of action names)."""
    kinds = ", ".join(PARTNERSHIP_KINDS.get(k, k) for k in filter(None, str(edge.get("kinds", "")).split(",")))
    return [kinds, [action_index[a] for a in filter(None, str(edge.get("actions", "")).split(","))]]


def actor_details(G: nx.Graph, partnerships: pd.DataFrame | None = None) -> tuple[dict[str, dict], list[str]]:
    """What the page shows when an actor is chosen, for every actor of ``G``.

    Parameters
    ----------
    G : networkx.Graph
        Graph from :func:`atlas.actors.model.build_graph` (possibly a territory's subgraph).
    partnerships : DataFrame, optional
        Accepted partnerships: memberships of actions (also those shared with no one) and the
        direction of donations in kilograms.

    Returns
    -------
    (dict, list of str)
        By actor id: ``p`` partners as ``[id, kinds of partnership, [numbers of shared actions]]``
        sorted by name, ``a`` actions as ``[number of the action, kind of participation]``, ``f``
        flows as ``["don"|"reçu", partner id, "7 958 kg"]``, ``kg`` the totals given and received in
        words (empty when none); and the names of the actions, by number.
    """
    H = simple_graph(G)
    action_names = dict(G.graph.get("action_names", {}))
    labels = _labels(H)
    out: dict[str, dict] = {}
    mem = memberships(partnerships) if partnerships is not None else None
    if mem is not None:
        mem = mem[mem["source"].astype(str).isin(set(H))]
    ids = set(action_names) | {a for _, _, x in H.edges(data="actions") for a in str(x or "").split(",") if a}
    ids |= set(mem["target"].astype(str)) if mem is not None else set()
    ordered = sorted(ids, key=lambda a: (action_names.get(a, a).casefold(), a))  # type: ignore[union-attr]
    action_index = {a: i for i, a in enumerate(ordered)}
    flows = flow_graph(partnerships) if partnerships is not None else nx.DiGraph()
    for n in H:
        partners = sorted(H.neighbors(n), key=lambda m: (labels[m].casefold(), m))
        acts: list[list[str]] = []
        if mem is not None:
            rows = mem[mem["source"].astype(str) == n]
            for t, grp in rows.groupby("target", sort=True):
                kinds = sorted({PARTNERSHIP_KINDS.get(str(k), str(k)) for k in grp["kind"]})
                acts.append([action_index[str(t)], ", ".join(kinds)])  # type: ignore[list-item]
        acts.sort()
        f = []
        if n in flows:
            f += [["don", str(v), f"{integer_fr(d['weight'])} kg"] for v, d in sorted(flows.succ[n].items()) if v in H]
            f += [["reçu", str(u), f"{integer_fr(d['weight'])} kg"] for u, d in sorted(flows.pred[n].items()) if u in H]
        d = H.nodes[n]
        totals = []
        if d.get("kg_given"):
            totals.append(f"{integer_fr(d['kg_given'])} kg donnés")
        if d.get("kg_received"):
            totals.append(f"{integer_fr(d['kg_received'])} kg reçus")
        out[n] = {"p": [[m, *_relation(H[n][m], action_index)] for m in partners], "a": acts, "f": f,
                  "kg": " ; ".join(totals)}
    return out, [action_names.get(a, a) for a in ordered]


# --------------------------------------------------------------------------- data of the page
def _node_size(deg: int, max_deg: int) -> float:
    return round(18.0 + 26.0 * (deg / max(max_deg, 1)) ** 0.8, 1)


def _nodes(G: nx.Graph, D: nx.Graph, metrics: pd.DataFrame, seed: int) -> tuple[list[dict], list[dict]]:
    """Cytoscape elements: community boxes, actors, action squares, with their positions."""
    H = simple_graph(G)
    m = metrics.set_index("id")
    labels = _labels(H)
    max_deg = max((H.degree(n) for n in H), default=1)
    size = {n: (_node_size(H.degree(n), max_deg) if t == "actor" else 16.0) for n, t in D.nodes(data="node_type")}
    community = _communities(D, metrics)
    pos = _group_positions(D, community, size, seed) if len(D) else {}
    isolated = sorted((n for n in H if n not in D), key=lambda n: (str(H.nodes[n].get("world", "")), labels[n].casefold()))
    if pos:
        xy = np.array(list(pos.values()))
        (x0, _), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    else:
        x0, x1, y1 = 0.0, 900.0, -160.0
    pos.update(_grid(isolated, y1 + 160.0, x0, max(x1 - x0, 900.0)))
    counts = pd.Series([community[n] for n, t in D.nodes(data="node_type") if t == "actor"], dtype=int).value_counts()
    groups = [{"data": {"id": f"groupe:{c}", "label": f"C{c} · {plural_fr(int(counts.get(c, 0)), 'acteur')}",
                        "group": 1}, "classes": "group"}
              for c in sorted(set(community.values())) if c > 0]
    if isolated:
        groups.append({"data": {"id": "groupe:0", "label": f"Sans lien au registre · {plural_fr(len(isolated), 'acteur')}",
                                "group": 1}, "classes": "group isolated-group"})
    nodes = []
    for n in [*sorted(D, key=str), *isolated]:
        x, y = (round(float(v), 1) for v in pos[n])
        if D.has_node(n) and D.nodes[n].get("node_type") == "action":
            c = community[n]
            nodes.append({"data": {"id": n, "label": short_label(str(D.nodes[n].get("name", n)), width=26),
                                   "name": str(D.nodes[n].get("name", n)), "hub": 1, "parent": f"groupe:{c}" if c else None,
                                   "size": size[n], "members": sorted(D.neighbors(n), key=lambda a: labels[a].casefold())},
                          "position": {"x": x, "y": y}, "classes": "hub"})
            continue
        d = H.nodes[n]
        c = int(m.at[n, "community"]) if n in m.index else 0  # type: ignore[arg-type]
        deg = H.degree(n)
        nodes.append({
            "data": {"id": n, "name": labels[n], "label": short_label(labels[n]) if n in D else short_label(labels[n], width=36, max_lines=1),
                     "k": d.get("kind", "other"), "iso": int(n not in D),
                     "w": d.get("world", ""), "cm": c, "e": d.get("epci_name", ""), "c": d.get("commune_name", ""),
                     "nw": ", ".join(schema.NETWORK_LABELS.get(x, x) for x in str(d.get("network", "")).split(",") if x),
                     "deg": deg, "size": size.get(n, _node_size(0, max_deg)),
                     "fs": round(12.0 + 18.0 * (deg / max(max_deg, 1)) ** 0.7, 1) if n in D else 13.0,
                     "bridge": bool(m.at[n, "bridge"]) if n in m.index else False,
                     "parent": f"groupe:{c}" if n in D else "groupe:0"},
            "position": {"x": x, "y": y}, "classes": f"actor m-{MARKER_NAMES[marker_of(d.get('kind', ''))]}",
        })  # fmt: skip
    for e in nodes:
        if e["data"].get("parent") is None:  # type: ignore[attr-defined]
            e["data"].pop("parent", None)  # type: ignore[attr-defined]
    return groups, nodes


def _edges(D: nx.Graph) -> list[dict]:
    kg_max = max([d["kg"] for _, _, d in D.edges(data=True)] + [1.0])
    out = []
    for i, (u, v, d) in enumerate(sorted(D.edges(data=True), key=lambda e: (str(e[0]), str(e[1])))):
        st = d["style"]
        width = {"donation": 2.5 + 8.0 * d["kg"] / kg_max, "direct": 1.4 + 0.5 * min(d["weight"], 6),
                 "shared": 1.2 + 0.4 * min(d["weight"], 4), "membership": 1.0}[st]
        data = {"id": f"lien:{i}", "source": u, "target": v, "wd": round(width, 2)}
        if d["kg"]:
            data["kg"] = f"{integer_fr(d['kg'])} kg"
        out.append({"data": data, "classes": st})
    return out


def _style() -> list[dict]:
    """Cytoscape style sheet: worlds' colours and kinds' shapes of the drawing."""
    style: list[dict] = [
        {"selector": "node", "style": {"label": "data(label)", "text-wrap": "wrap", "text-max-width": "160px",
                                       "font-size": 11, "min-zoomed-font-size": 8, "color": "#1a1a1a",
                                       "text-valign": "bottom", "text-margin-y": 3, "text-background-color": "#ffffff",
                                       "text-background-opacity": 0.8, "text-background-padding": "1px",
                                       "font-family": "Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif",
                                       "border-width": 1.5, "border-color": "#ffffff", "background-color": "#777777"}},
        {"selector": "node[size]", "style": {"width": "data(size)", "height": "data(size)"}},
        {"selector": "node[fs]", "style": {"font-size": "data(fs)"}},
        {"selector": "node.hub", "style": {"shape": "rectangle", "background-color": _HUB_FILL, "border-color": _HUB_BORDER,
                                           "border-width": 1, "font-size": 10, "font-style": "italic", "color": "#555555",
                                           "min-zoomed-font-size": 11}},
        {"selector": "node.group", "style": {"shape": "round-rectangle", "background-color": "#eef1f5",
                                             "background-opacity": 0.7, "border-color": "#c9d1dc", "border-width": 1,
                                             "label": "data(label)", "text-valign": "top", "text-halign": "center",
                                             "font-size": 22, "font-weight": "bold", "color": "#4d4d4d",
                                             "text-wrap": "none", "text-max-width": "900px",
                                             "min-zoomed-font-size": 6, "padding": "18px",
                                             "text-background-opacity": 0, "text-margin-y": -4}},
        {"selector": "node.isolated-group", "style": {"background-color": "#f7f7f7", "border-style": "dashed"}},
        {"selector": "edge", "style": {"width": 1, "curve-style": "straight", "opacity": 0.8, "line-color": "#999999"}},
        {"selector": "edge[wd]", "style": {"width": "data(wd)"}},
    ]
    for w, colour in WORLD_COLOURS.items():
        style.append({"selector": f'node.actor[w = "{w}"]', "style": {"background-color": colour}})
    for marker, pts in MARKER_POLYGONS.items():
        shape = {"shape": "ellipse"} if pts is None else {"shape": "polygon", "shape-polygon-points": " ".join(map(str, pts))}
        style.append({"selector": f"node.m-{MARKER_NAMES[marker]}", "style": shape})
    for st in ("direct", "donation", "shared", "membership"):
        colour, line = _edge_look(st)
        style.append({"selector": f"edge.{st}", "style": {"line-color": colour, "line-style": line,
                                                          "opacity": 0.65 if st == "membership" else 0.85}})
    style += [
        {"selector": ".faded", "style": {"opacity": 0.12, "text-opacity": 0.12}},
        {"selector": "node.group.faded", "style": {"opacity": 0.5, "text-opacity": 0.6}},
        {"selector": "node.lbl-top", "style": {"text-valign": "top", "text-margin-y": -3}},
        {"selector": "node.lbl-right", "style": {"text-valign": "center", "text-halign": "right", "text-margin-y": 0,
                                                 "text-margin-x": 3, "text-justification": "left"}},
        {"selector": "node.lbl-left", "style": {"text-valign": "center", "text-halign": "left", "text-margin-y": 0,
                                                "text-margin-x": -3, "text-justification": "right"}},
        {"selector": "node.nolabel", "style": {"label": ""}},
        {"selector": "node.partner", "style": {"z-index": 20}},
        {"selector": "node.hover", "style": {"label": "data(label)", "min-zoomed-font-size": 0, "z-index": 40,
                                             "text-background-opacity": 1}},
        {"selector": "node.chosen", "style": {"label": "data(label)", "border-color": "#111111", "border-width": 4,
                                              "min-zoomed-font-size": 0,
                                              "font-weight": "bold", "z-index": 30}},
        {"selector": "edge.near", "style": {"opacity": 1, "z-index": 15}},
        {"selector": ".hidden", "style": {"display": "none"}},
    ]
    return style


def actors_page_data(G: nx.Graph, partnerships: pd.DataFrame | None = None, *, metrics: pd.DataFrame | None = None,
                     seed: int = LOUVAIN_SEED) -> dict:
    """Everything ``atlas-actors.js`` needs, as one JSON-ready dict.

    Parameters
    ----------
    G : networkx.Graph
        Graph from :func:`atlas.actors.model.build_graph`.
    partnerships : DataFrame, optional
        Accepted partnerships (actions of each actor, direction of the flows in kg).
    metrics : DataFrame, optional
        :func:`atlas.actors.metrics.node_metrics` of ``G`` (computed when not given).
    seed : int
        Louvain and layout seed.

    Returns
    -------
    dict
        ``elements`` (Cytoscape nodes and edges with preset positions), ``style``, ``details``
        and ``actions`` (:func:`actor_details`), ``labels`` (kinds, worlds, link styles in French).
    """
    metrics = metrics if metrics is not None else node_metrics(G, seed=seed)
    D = drawing_graph(G)
    groups, nodes = _nodes(G, D, metrics, seed)
    details, actions = actor_details(G, partnerships)
    return {
        "elements": {"nodes": groups + nodes, "edges": _edges(D)},
        "style": _style(),
        "details": details,
        "actions": actions,
        "labels": {"kinds": schema.KIND_LABELS, "worlds": schema.WORLD_LABELS},
    }


# --------------------------------------------------------------------------- page
def _asset(name: str) -> str:
    return (resources.files("atlas.maps.web") / "assets" / name).read_text(encoding="utf-8")


def _json_for_script(data: object) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>``, ``&`` characters at all."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def inline_actor_assets() -> tuple[str, str]:
    """The ``<style>`` and ``<script>`` elements of the page: Cytoscape.js (with its licence
    notice) and atlas's ``atlas-actors.js`` / ``atlas-actors.css``, inlined."""
    css = _asset("atlas-actors.css")
    js = "\n".join([_asset("cytoscape.min.js"), _asset("atlas-actors.js")])
    for text in (css, js):
        if "</script" in text.lower() or "</style" in text.lower():  # pragma: no cover - vendored files
            raise AtlasError("Fichier JavaScript/CSS embarqué invalide (balise fermante).")
    return f"<style>\n{css}\n</style>", f"<script>\n{js}\n</script>"


def _symbol_svg(marker: str, fill: str, stroke: str = "#616161") -> str:
    pts = MARKER_POLYGONS.get(marker)
    shape = (f'<circle r="1" fill="{fill}" stroke="{stroke}" stroke-width="0.18"/>' if pts is None else
             f'<polygon points="{" ".join(map(str, pts))}" fill="{fill}" stroke="{stroke}" stroke-width="0.18"/>')
    return f'<svg class="aa-sym" viewBox="-1.2 -1.2 2.4 2.4" aria-hidden="true">{shape}</svg>'


def _legend_html(G: nx.Graph, styles: set[str]) -> str:
    e = html.escape
    worlds = [w for w in ("pat", "aid", "both") if any(d.get("world") == w for _, d in G.nodes(data=True))]
    kinds = [k for k in schema.KIND_LABELS if any(d.get("kind") == k for _, d in G.nodes(data=True))]
    items = ['<h2>Monde (couleur)</h2><ul>']
    items += [f'<li>{_symbol_svg("o", WORLD_COLOURS[w], "#ffffff")}{e(schema.WORLD_LABELS[w])}</li>' for w in worlds]
    items.append("</ul><h2>Type d'acteur (forme)</h2><ul>")
    items += [f'<li>{_symbol_svg(marker_of(k), "#bdbdbd")}{e(schema.KIND_LABELS[k])}</li>' for k in kinds]
    items.append("</ul><h2>Liens (taille des points : nombre de partenaires)</h2><ul>")
    link_labels = {"direct": "Partenariat direct", "donation": "Don de denrées (épaisseur : kg)",
                   "shared": "Action en commun (petite action)", "membership": "Action ou collectif (3 membres ou plus)"}
    for st, label in link_labels.items():
        if st not in styles:
            continue
        colour, line = _edge_look(st)
        hub = '<span class="aa-hub-sym"></span>' if st == "membership" else ""
        items.append(f'<li><span class="aa-line" style="border-top:{4 if st == "donation" else 2}px {line} {colour}">'
                     f"</span>{hub}{e(label)}</li>")
    items.append('<li><span class="aa-group-sym"></span>Communauté (Louvain ; C1 : la plus grande)</li></ul>')
    return "".join(items)


def _options(pairs: Iterable[tuple[str, str]], everything: str) -> str:
    e = html.escape
    return f'<option value="">{e(everything)}</option>' + "".join(
        f'<option value="{e(v, quote=True)}">{e(label)}</option>' for v, label in pairs)


def _filters_html(G: nx.Graph, metrics: pd.DataFrame) -> str:
    e = html.escape
    nodes = [d for _, d in G.nodes(data=True)]
    worlds = "".join(
        f'<label class="aa-check"><input type="checkbox" name="aa-world" value="{w}" checked>'
        f'{_symbol_svg("o", WORLD_COLOURS[w], "#ffffff")}{e(schema.WORLD_LABELS[w])} '
        f'({sum(1 for d in nodes if d.get("world") == w)})</label>'
        for w in ("pat", "aid", "both") if any(d.get("world") == w for d in nodes))
    kinds = [(k, f"{lab} ({sum(1 for d in nodes if d.get('kind') == k)})") for k, lab in schema.KIND_LABELS.items()
             if any(d.get("kind") == k for d in nodes)]
    comm = metrics["community"].value_counts()
    communities = [(str(c), f"C{c} ({plural_fr(int(comm[c]), 'acteur')})") for c in sorted(comm.index) if c > 0]
    if comm.get(0):
        communities.append(("0", f"Sans lien ({plural_fr(int(comm[0]), 'acteur')})"))
    epcis = pd.Series([str(d.get("epci_name") or "") for d in nodes]).value_counts()
    epci_pairs = [(n, f"{n} ({epcis[n]})") for n in sorted((x for x in epcis.index if x), key=str.casefold)]
    if epcis.get(""):
        epci_pairs.append(("-", f"Sans EPCI : acteur régional ou non localisé ({epcis['']})"))
    return (f'<fieldset class="aa-worlds"><legend>Monde</legend>{worlds}</fieldset>'
            f'<label class="aa-select">Type d\'acteur<select id="aa-f-kind">{_options(kinds, "Tous les types")}</select></label>'
            f'<label class="aa-select">Communauté<select id="aa-f-community">{_options(communities, "Toutes")}</select></label>'
            f'<label class="aa-select">EPCI<select id="aa-f-epci">{_options(epci_pairs, "Tous les EPCI")}</select></label>'
            '<button type="button" id="aa-reset">Tout afficher</button>')


def make_actors_page(G: nx.Graph, partnerships: pd.DataFrame | None = None, *, metrics: pd.DataFrame | None = None,
                     title: str | None = None, territory: str | None = None, fictitious: bool = False,
                     seed: int = LOUVAIN_SEED) -> str:
    """The interactive cartographie des acteurs, as one self-contained HTML page.

    Parameters
    ----------
    G : networkx.Graph
        Graph from :func:`atlas.actors.model.build_graph` (or a territory's subgraph).
    partnerships : DataFrame, optional
        Accepted partnerships (actions of each actor, direction of flows).
    metrics : DataFrame, optional
        :func:`atlas.actors.metrics.node_metrics` of ``G`` (computed when not given).
    title : str, optional
        Title (default « Cartographie des acteurs »); the territory follows it in the tab.
    territory : str, optional
        Territory named under the title (default: the whole registry).
    fictitious : bool
        Say « données de démonstration » (the registry has fictitious actors).
    seed : int
        Louvain and layout seed.

    Returns
    -------
    str
        The HTML page (UTF-8 text).
    """
    e = html.escape
    metrics = metrics if metrics is not None else node_metrics(G, seed=seed)
    data = actors_page_data(G, partnerships, metrics=metrics, seed=seed)
    title = title or DEFAULT_TITLE
    territory = territory or DEFAULT_TERRITORY
    H = simple_graph(G)
    n_iso = sum(1 for n in H if H.degree(n) == 0)
    counts = (f"{plural_fr(H.number_of_nodes(), 'acteur')}, {plural_fr(H.number_of_edges(), 'paire')} d'acteurs liées, "
              f"{n_iso} sans lien")
    demo = ('<p class="aa-demo">Données de démonstration : acteurs fictifs mêlés aux acteurs des documents.</p>'
            if fictitious else "")
    css, js = inline_actor_assets()
    styles = {edge["classes"] for edge in data["elements"]["edges"]}
    body = f"""<div id="aa-app">
<header id="aa-side" class="aa-panel">
<h1 id="aa-title">{e(title)}</h1>
<p class="aa-territory">{e(territory)}</p>
<p class="aa-sub">{e(counts)}</p>
{demo}<div class="aa-search" role="search">
<label for="aa-search-input">Rechercher un acteur</label>
<input id="aa-search-input" type="search" placeholder="Nom, commune ou EPCI…" autocomplete="off"
 aria-controls="aa-search-results" aria-describedby="aa-search-help">
<span id="aa-search-help" class="aa-help">Les accents et majuscules ne comptent pas.</span>
<ul id="aa-search-results" aria-label="Résultats de la recherche"></ul>
</div>
<details id="aa-filters" open><summary>Filtres</summary>{_filters_html(G, metrics)}
<p id="aa-count" aria-live="polite"></p></details>
<details id="aa-legend" open><summary>Légende et sources</summary>{_legend_html(G, styles)}
<p class="aa-sources">Sources : registres atlas (acteurs, partenariats, actions). Communautés : méthode de Louvain
(networkx). Graphe : Cytoscape.js {CYTOSCAPE_VERSION} (MIT).</p></details>
</header>
<main id="aa-graph" aria-label="Graphe des partenariats : cliquez sur un acteur pour voir ses partenaires"></main>
<div id="aa-zoom" role="group" aria-label="Zoom">
<button type="button" id="aa-zoom-in" aria-label="Zoomer">+</button>
<button type="button" id="aa-zoom-out" aria-label="Dézoomer">−</button>
<button type="button" id="aa-fit" aria-label="Voir tout le graphe">Tout voir</button>
</div>
<aside id="aa-details" class="aa-panel" hidden aria-live="polite" aria-label="Fiche de l'acteur">
<button type="button" id="aa-close" aria-label="Fermer la fiche">×</button>
<div id="aa-details-body"></div>
</aside>
</div>
<script type="application/json" id="atlas-actors-data">{_json_for_script(data)}</script>
<script>atlasActors();</script>"""
    return (f'<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="atlas">\n<title>{e(title)} — {e(territory)}</title>\n'
            f"{css}\n{js}\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def write_actors_page(actors: pd.DataFrame, partnerships: pd.DataFrame, actions: pd.DataFrame | None,
                      output: str | Path, *, epci: Iterable[str] | None = None, communes: pd.DataFrame | None = None,
                      seed: int = LOUVAIN_SEED) -> Path:
    """Build the graph from the registries and write the page to ``output`` atomically.

    Parameters
    ----------
    actors, partnerships, actions : DataFrame
        Accepted registries.
    output : str or Path
        HTML file (refused unless it ends in ``.html``, before anything is computed).
    epci : list of str, optional
        Only the actors of these EPCI (SIREN or short names) and their direct partners.
    communes : DataFrame, optional
        Reference communes (to resolve ``epci`` and name the territory).
    seed : int
        Louvain and layout seed.

    Returns
    -------
    pathlib.Path
    """
    from atlas.territory.reference import load_communes
    from atlas.territory.selection import resolve_epci

    output = html_output_path(output)
    G = build_graph(actors, partnerships, actions)
    territory = None
    if epci:
        communes = communes if communes is not None else load_communes()
        codes = [resolve_epci(x, communes) for x in epci]
        G = subgraph_territory(G, codes, neighbours=True)
        names = sorted({str(n) for n in communes.loc[communes["epci"].isin(codes), "epci_name"]})
        territory = ", ".join(names) + " (et leurs partenaires)"
    fictitious = "fictitious" in actors and bool(actors.loc[actors["id"].astype(str).isin(set(G)), "fictitious"]
                                                  .fillna(False).astype(bool).any())
    page = make_actors_page(G, partnerships, territory=territory, fictitious=fictitious, seed=seed)
    return write_text_atomic(output, page)
