"""The actors graph: who works with whom, its reading, exports and drawing.

Nodes are the actors of the registry (every actor, even without any partnership), carrying their
attributes (name, kind, network, world, commune, EPCI, département, lon/lat). Edges come from
the partnerships registry (:mod:`atlas.partnerships`):

* direct links between two actors (PAT partner, funding, donation, logistics, governance...);
* memberships of an action, collectif or PAT (actor ↔ action) form a bipartite graph
  (:func:`membership_graph`) projected onto actor ↔ actor links: two actors taking part in the
  same action are linked, the edge records the action ids (``actions``) and counts them.

Edge attribute ``weight`` (used by weighted degree and Louvain communities) is the number of
direct links plus the number of shared actions. Flows (kind ``donation`` with unit ``kg``) are
summed per actor as ``kg_given`` / ``kg_received``.

Reading (:func:`node_metrics`, :func:`graph_summary`): degree and betweenness centrality,
Louvain communities (:func:`networkx.community.louvain_communities`, fixed seed), connected
components, isolated actors, bridges between the PAT world and the food-aid world, aid actors
with no path to any PAT actor (« ponts manquants »).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from atlas import schema
from atlas.crs import L93
from atlas.io import atomic_output
from atlas.partnerships import PARTNERSHIP_KINDS, actor_links, memberships

#: Default seed of the Louvain community detection (results are reproducible).
LOUVAIN_SEED = 42

#: Node attributes copied from the actors table.
NODE_ATTRIBUTES: tuple[str, ...] = (
    "name", "kind", "network", "world", "insee", "commune_name", "epci", "epci_name", "dep", "lon", "lat",
)  # fmt: skip

#: French headers of the metrics CSV meant for people (``write_metrics_csv``).
METRIC_LABELS: dict[str, str] = {
    "id": "identifiant",
    "name": "nom",
    "kind_label": "type d'acteur",
    "world_label": "monde",
    "network": "réseau",
    "commune_name": "commune",
    "epci_name": "EPCI",
    "degree": "nombre de partenaires",
    "weighted_degree": "liens pondérés (liens directs + actions partagées)",
    "betweenness": "centralité d'intermédiarité",
    "bridge_score": "intermédiarité PAT ↔ aide alimentaire",
    "cross_world_links": "partenaires de l'autre monde",
    "community": "communauté",
    "component": "composante",
    "component_size": "taille de la composante",
    "n_partnerships": "lignes de partenariat",
    "kg_given": "kg donnés",
    "kg_received": "kg reçus",
    "isolated": "isolé dans le graphe",
    "no_partnership": "aucun partenariat au registre",
    "reaches_pat": "relié au monde du PAT",
}


# --------------------------------------------------------------------------- building
def _world(value: object, kind: str) -> str:
    w = str(value or "").strip()
    return w if w in schema.WORLD_LABELS else schema.KIND_WORLD.get(kind, "pat")


def _node_attrs(row: pd.Series) -> dict:
    attrs = {}
    for col in NODE_ATTRIBUTES:
        v = row.get(col, "")
        if col in ("lon", "lat"):
            try:
                v = float(v)
            except (TypeError, ValueError):
                v = float("nan")
        else:
            v = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
        attrs[col] = v
    attrs["world"] = _world(attrs["world"], attrs["kind"])
    return attrs


def membership_graph(actors: pd.DataFrame, partnerships: pd.DataFrame, actions: pd.DataFrame | None = None) -> nx.Graph:
    """Bipartite graph actor ↔ action from the membership rows.

    Parameters
    ----------
    actors : DataFrame
        Accepted actors (``id`` and attributes).
    partnerships : DataFrame
        Accepted partnerships (:func:`atlas.partnerships.read_partnerships`).
    actions : DataFrame, optional
        Accepted actions (names and kinds of the action nodes).

    Returns
    -------
    networkx.Graph
        Actor nodes with ``bipartite=0`` (only actors that are members of something), action
        nodes with ``bipartite=1``, ``node_type`` (``actor`` | ``action``), ``name``, ``kind``;
        edges carry the link ``kind`` (« pat_partner », « collectif »...) and ``period``.
    """
    B = nx.Graph()
    mem = memberships(partnerships)
    acts = actions.set_index("id") if actions is not None and len(actions) else None
    by_id = actors.set_index("id") if len(actors) else None
    for _, r in mem.iterrows():
        a, t = str(r["source"]), str(r["target"])
        if a not in B:
            attrs = _node_attrs(by_id.loc[a]) if by_id is not None and a in by_id.index else {}
            B.add_node(a, bipartite=0, node_type="actor", **attrs)
        if t not in B:
            info = acts.loc[t] if acts is not None and t in acts.index else {}
            B.add_node(t, bipartite=1, node_type="action", name=str(info.get("name", t)),
                       kind=str(info.get("kind", "action")), territory=str(info.get("territory", "")))
        if B.has_edge(a, t):
            B[a][t]["kind"] = ",".join(sorted({*B[a][t]["kind"].split(","), str(r["kind"])}))
        else:
            B.add_edge(a, t, kind=str(r["kind"]), period=str(r["period"]))
    return B


def build_graph(
    actors: pd.DataFrame,
    partnerships: pd.DataFrame,
    actions: pd.DataFrame | None = None,
    project: bool = True,
    multigraph: bool = False,
) -> nx.Graph:
    """Build the actors graph from the registries.

    Parameters
    ----------
    actors : DataFrame
        Accepted actors (every actor becomes a node, with its attributes).
    partnerships : DataFrame
        Accepted partnerships (:func:`atlas.partnerships.read_partnerships`); rows naming an
        actor absent from ``actors`` are ignored (they are rejects of the reader).
    actions : DataFrame, optional
        Accepted actions (their names are recorded on projected edges).
    project : bool
        Project memberships (actor ↔ action) onto actor ↔ actor links.
    multigraph : bool
        Return a :class:`networkx.MultiGraph` with one edge per partnership row and one per
        shared action, instead of one merged edge per pair of actors.

    Returns
    -------
    networkx.Graph or networkx.MultiGraph
        Node attributes: :data:`NODE_ATTRIBUTES` plus ``kg_given``, ``kg_received``,
        ``n_partnerships``. Edge attributes (merged graph): ``kinds`` (comma-separated link
        kinds), ``n_links`` (direct partnership rows), ``actions`` (comma-separated shared action
        ids), ``n_actions``, ``weight`` (= ``n_links + n_actions``), ``kg`` (kilograms donated
        between the two, both ways), ``directed_kinds``.
    """
    G: nx.Graph = nx.MultiGraph() if multigraph else nx.Graph()
    G.graph["name"] = "Cartographie des acteurs"
    for _, row in actors.iterrows():
        G.add_node(str(row["id"]), **_node_attrs(row), kg_given=0.0, kg_received=0.0, n_partnerships=0)
    ids = set(G.nodes)
    links = actor_links(partnerships)
    links = links[links["source"].isin(ids) & links["target"].isin(ids)]
    mem = memberships(partnerships)
    mem = mem[mem["source"].isin(ids)]
    for s in (*links["source"], *links["target"], *mem["source"]):
        G.nodes[s]["n_partnerships"] += 1

    for _, r in links.iterrows():
        u, v = str(r["source"]), str(r["target"])
        kg = float(r["weight"]) if str(r["unit"]) == "kg" and not math.isnan(r["weight"]) else 0.0
        if r["kind"] == "donation" and kg:
            G.nodes[u]["kg_given"] += kg
            G.nodes[v]["kg_received"] += kg
        if multigraph:
            G.add_edge(u, v, kind=str(r["kind"]), via="direct", directed=bool(r["directed"]),
                       source_id=u, weight=1.0, kg=kg, period=str(r["period"]), actions="")
            continue
        if G.has_edge(u, v):
            e = G[u][v]
            e["kinds"] = ",".join(sorted({*e["kinds"].split(","), str(r["kind"])} - {""}))
            e["n_links"] += 1
            e["kg"] += kg
        else:
            G.add_edge(u, v, kinds=str(r["kind"]), n_links=1, actions="", n_actions=0, kg=kg)
        if r["directed"]:
            G[u][v]["directed_kinds"] = ",".join(sorted({*G[u][v].get("directed_kinds", "").split(","),
                                                          f"{r['kind']}:{u}>{v}"} - {""}))

    if project and len(mem):
        B = membership_graph(actors, mem, actions)
        action_nodes = [n for n, d in B.nodes(data=True) if d["bipartite"] == 1]
        for act in sorted(action_nodes):
            members = sorted(B.neighbors(act))
            for i, u in enumerate(members):
                for v in members[i + 1:]:
                    if multigraph:
                        G.add_edge(u, v, kind="shared_action", via="projection", directed=False, source_id=u,
                                   weight=1.0, kg=0.0, period="", actions=act)
                    elif G.has_edge(u, v):
                        e = G[u][v]
                        e["actions"] = ",".join([*filter(None, e["actions"].split(",")), act])
                        e["n_actions"] += 1
                    else:
                        G.add_edge(u, v, kinds="", n_links=0, actions=act, n_actions=1, kg=0.0)
    if not multigraph:
        for _, _, e in G.edges(data=True):
            e["weight"] = float(e["n_links"] + e["n_actions"])
            e.setdefault("directed_kinds", "")
    return G


def flow_graph(partnerships: pd.DataFrame, unit: str = "kg") -> nx.DiGraph:
    """Directed graph of flows (donations) in ``unit``: edge ``weight`` = quantity summed."""
    D = nx.DiGraph()
    rows = actor_links(partnerships)
    rows = rows[(rows["kind"] == "donation") & (rows["unit"] == unit)]
    for _, r in rows.iterrows():
        w = 0.0 if math.isnan(r["weight"]) else float(r["weight"])
        if D.has_edge(r["source"], r["target"]):
            D[r["source"]][r["target"]]["weight"] += w
        else:
            D.add_edge(r["source"], r["target"], weight=w)
    return D


def simple_graph(G: nx.Graph) -> nx.Graph:
    """A simple :class:`networkx.Graph` (multi-edges merged, weights summed)."""
    if not G.is_multigraph():
        return G
    H = nx.Graph()
    H.add_nodes_from(G.nodes(data=True))
    for u, v, d in G.edges(data=True):
        w = float(d.get("weight", 1.0))
        if H.has_edge(u, v):
            H[u][v]["weight"] += w
        else:
            H.add_edge(u, v, weight=w)
    return H


# --------------------------------------------------------------------------- reading
def world_sets(G: nx.Graph) -> tuple[set[str], set[str]]:
    """Nodes of the PAT world and of the food-aid world (an actor of both worlds is in both)."""
    pat = {n for n, w in G.nodes(data="world") if w in ("pat", "both")}
    aid = {n for n, w in G.nodes(data="world") if w in ("aid", "both")}
    return pat, aid


def communities(G: nx.Graph, seed: int = LOUVAIN_SEED, resolution: float = 1.0) -> list[set[str]]:
    """Louvain communities (weighted), largest first; isolated actors are left out.

    Uses :func:`networkx.community.louvain_communities` with a fixed ``seed`` so the numbering
    is the same from one run to the next.
    """
    H = simple_graph(G)
    H = H.subgraph([n for n in H if H.degree(n) > 0])
    if H.number_of_edges() == 0:
        return []
    found = nx.community.louvain_communities(H, weight="weight", seed=seed, resolution=resolution)
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(c)))


def cross_world_edges(G: nx.Graph) -> list[tuple[str, str]]:
    """Edges that join the two worlds: their ends belong to different worlds (PAT, aid, both)."""
    out = []
    for u, v in simple_graph(G).edges():
        wu, wv = G.nodes[u]["world"], G.nodes[v]["world"]
        if wu != wv:
            out.append((u, v) if u < v else (v, u))
    return sorted(set(out))


def bridge_scores(G: nx.Graph) -> dict[str, float]:
    """Share of the shortest paths between PAT and food-aid actors passing through each actor.

    :func:`networkx.betweenness_centrality_subset` with PAT actors as sources and aid actors as
    targets, normalised by the number of (PAT, aid) pairs that are connected; 0 when none is.
    """
    H = simple_graph(G)
    pat, aid = world_sets(H)
    pat_only, aid_only = pat - aid, aid - pat
    raw = nx.betweenness_centrality_subset(H, sources=list(pat_only), targets=list(aid_only), normalized=False)
    pairs = 0
    for comp in nx.connected_components(H):
        pairs += len(comp & pat_only) * len(comp & aid_only)
    # networkx counts each undirected (s, t) pair with weight 1/2
    return {n: (2.0 * b / pairs if pairs else 0.0) for n, b in raw.items()}


def missing_bridges(G: nx.Graph) -> list[str]:
    """Food-aid actors (world ``aid``) with no path to any actor of the PAT world."""
    H = simple_graph(G)
    pat, _ = world_sets(H)
    out = []
    for comp in nx.connected_components(H):
        if not comp & pat:
            out += [n for n in comp if H.nodes[n]["world"] == "aid"]
    return sorted(out)


def node_metrics(G: nx.Graph, seed: int = LOUVAIN_SEED) -> pd.DataFrame:
    """One row per actor: centralities, community, component, flows, isolation, bridges.

    Parameters
    ----------
    G : networkx.Graph
        Graph from :func:`build_graph`.
    seed : int
        Louvain seed.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``name``, ``kind``, ``kind_label``, ``world``, ``world_label``, ``network``,
        ``commune_name``, ``epci``, ``epci_name``, ``degree`` (number of partners),
        ``weighted_degree``, ``betweenness`` (normalised), ``bridge_score`` (see
        :func:`bridge_scores`), ``cross_world_links`` (partners of another world), ``community``
        (1 = largest; 0 for isolated actors), ``component`` (1 = largest), ``component_size``,
        ``n_partnerships`` (registry rows naming the actor), ``kg_given``, ``kg_received``,
        ``isolated`` (no edge in the graph), ``no_partnership`` (no row at all in the
        partnerships registry), ``reaches_pat`` (a path to a PAT actor exists), sorted by
        betweenness then degree, descending.
    """
    H = simple_graph(G)
    deg = dict(H.degree())
    wdeg = dict(H.degree(weight="weight"))
    btw = nx.betweenness_centrality(H, normalized=True)
    bridge = bridge_scores(H)
    comm = {n: i + 1 for i, c in enumerate(communities(H, seed=seed)) for n in c}
    comps = sorted(nx.connected_components(H), key=lambda c: (-len(c), min(c)))
    comp = {n: i + 1 for i, c in enumerate(comps) for n in c}
    comp_size = {n: len(c) for c in comps for n in c}
    pat, _ = world_sets(H)
    reaches = {n: bool(c & pat) for c in comps for n in c}
    rows = []
    for n, d in H.nodes(data=True):
        cross = sum(1 for m in H.neighbors(n) if H.nodes[m]["world"] != d["world"])
        rows.append({
            "id": n, "name": d.get("name", ""), "kind": d.get("kind", ""),
            "kind_label": schema.KIND_LABELS.get(d.get("kind", ""), d.get("kind", "")),
            "world": d["world"], "world_label": schema.WORLD_LABELS.get(d["world"], d["world"]),
            "network": d.get("network", ""), "commune_name": d.get("commune_name", ""),
            "epci": d.get("epci", ""), "epci_name": d.get("epci_name", ""),
            "degree": int(deg[n]), "weighted_degree": float(wdeg[n]), "betweenness": float(btw[n]),
            "bridge_score": float(bridge.get(n, 0.0)), "cross_world_links": int(cross),
            "community": int(comm.get(n, 0)), "component": int(comp[n]), "component_size": int(comp_size[n]),
            "n_partnerships": int(d.get("n_partnerships", 0)),
            "kg_given": float(d.get("kg_given", 0.0)), "kg_received": float(d.get("kg_received", 0.0)),
            "isolated": deg[n] == 0, "no_partnership": int(d.get("n_partnerships", 0)) == 0,
            "reaches_pat": reaches[n],
        })  # fmt: skip
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=list(METRIC_LABELS) + ["kind", "world", "epci"])
    return df.sort_values(["betweenness", "degree", "id"], ascending=[False, False, True]).reset_index(drop=True)


def graph_summary(G: nx.Graph, seed: int = LOUVAIN_SEED) -> dict[str, float | int]:
    """Figures for people: actors, links, isolated actors, components, communities, bridges.

    Returns
    -------
    dict
        ``n_actors``, ``n_edges``, ``n_isolated``, ``n_components`` (with ≥ 2 actors),
        ``largest_component``, ``n_communities``, ``modularity`` (of the Louvain partition),
        ``density``, ``n_cross_world_edges``, ``n_missing_bridges``.
    """
    H = simple_graph(G)
    comms = communities(H, seed=seed)
    linked = H.subgraph([n for n in H if H.degree(n) > 0])
    comps = [c for c in nx.connected_components(H) if len(c) > 1]
    mod = nx.community.modularity(linked, comms, weight="weight") if comms else float("nan")
    return {
        "n_actors": H.number_of_nodes(),
        "n_edges": H.number_of_edges(),
        "n_isolated": sum(1 for n in H if H.degree(n) == 0),
        "n_components": len(comps),
        "largest_component": max((len(c) for c in comps), default=0),
        "n_communities": len(comms),
        "modularity": float(mod),
        "density": float(nx.density(H)) if H.number_of_nodes() > 1 else 0.0,
        "n_cross_world_edges": len(cross_world_edges(H)),
        "n_missing_bridges": len(missing_bridges(H)),
    }


def summary_lines(G: nx.Graph, metrics: pd.DataFrame | None = None, top: int = 10) -> list[str]:
    """French text describing the graph (for the CLI)."""
    s = graph_summary(G)
    m = metrics if metrics is not None else node_metrics(G)
    lines = [
        f"{s['n_actors']} acteurs, {s['n_edges']} liens (partenariats directs et actions partagées), "
        f"densité {s['density']:.3f}.",
        f"{s['n_isolated']} acteurs isolés ; {s['n_components']} groupes d'acteurs reliés "
        f"(le plus grand : {s['largest_component']} acteurs) ; {s['n_communities']} communautés (Louvain, "
        f"modularité {s['modularity']:.2f}).",
        f"{s['n_cross_world_edges']} liens entre le monde du PAT et l'aide alimentaire ; "
        f"{s['n_missing_bridges']} acteurs de l'aide alimentaire sans chemin vers le monde du PAT.",
        "Acteurs les plus centraux (intermédiarité) :",
    ]
    for _, r in m.head(top).iterrows():
        lines.append(f"  {r['name']} ({r['kind_label']}, {r['commune_name'] or 'commune inconnue'}) : "
                     f"{r['degree']} partenaires, intermédiarité {r['betweenness']:.3f}, communauté {r['community']}")
    flows = m[(m["kg_given"] > 0) | (m["kg_received"] > 0)]
    if len(flows):
        lines.append("Flux de denrées (kg) :")
        for _, r in flows.sort_values("kg_received", ascending=False).iterrows():
            lines.append(f"  {r['name']} : {_fr_number(r['kg_given'])} kg donnés, {_fr_number(r['kg_received'])} kg reçus")
    return lines


def _fr_number(x: float) -> str:
    return f"{x:,.0f}".replace(",", "\u00a0")


def unpartnered_actors(actors: pd.DataFrame, partnerships: pd.DataFrame) -> pd.DataFrame:
    """Actors of the registry named in no partnership row at all (neither link nor membership)."""
    named = set(partnerships["source"]) | set(partnerships.loc[partnerships["target_type"] == "actor", "target"])
    return actors[~actors["id"].astype(str).isin(named)]


def community_table(G: nx.Graph, metrics: pd.DataFrame | None = None, seed: int = LOUVAIN_SEED) -> pd.DataFrame:
    """One row per community: ``community``, ``n_actors``, ``n_pat``, ``n_aid``, ``n_both``, ``members``
    (names, most central first), ``epci_names``."""
    m = metrics if metrics is not None else node_metrics(G, seed=seed)
    rows = []
    for c, grp in m[m["community"] > 0].groupby("community"):
        grp = grp.sort_values(["degree", "betweenness"], ascending=False)
        rows.append({
            "community": int(c), "n_actors": len(grp),
            "n_pat": int((grp["world"] == "pat").sum()), "n_aid": int((grp["world"] == "aid").sum()),
            "n_both": int((grp["world"] == "both").sum()),
            "members": " ; ".join(grp["name"]),
            "epci_names": " ; ".join(sorted({e for e in grp["epci_name"] if e})),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=["community", "n_actors", "n_pat", "n_aid", "n_both", "members", "epci_names"])


def subgraph_territory(G: nx.Graph, epci: str | Iterable[str], neighbours: bool = True) -> nx.Graph:
    """Actors of one or several EPCI (SIREN), plus (``neighbours``) their direct partners elsewhere."""
    codes = {epci} if isinstance(epci, str) else set(epci)
    core = {n for n, e in G.nodes(data="epci") if e in codes}
    keep = set(core)
    if neighbours:
        for n in core:
            keep.update(G.neighbors(n))
    H = G.subgraph(keep).copy()
    H.graph["territory"] = ",".join(sorted(codes))
    return H


# --------------------------------------------------------------------------- geographic view
def partnership_lines(graph_or_partnerships: nx.Graph | pd.DataFrame, actors: pd.DataFrame) -> gpd.GeoDataFrame:
    """Partnerships as lines between located actors (Lambert-93), for maps.

    Parameters
    ----------
    graph_or_partnerships : networkx.Graph or DataFrame
        A graph from :func:`build_graph` (one line per edge, direct or projected) or the accepted
        partnerships (one line per actor ↔ actor row; memberships have no second actor).
    actors : DataFrame
        Actors with a Lambert-93 point ``geometry`` (None where not located).

    Returns
    -------
    geopandas.GeoDataFrame
        ``source``, ``target``, ``source_name``, ``target_name``, ``kind`` (link kinds, or
        « shared_action »), ``kind_label`` (French), ``weight``, ``kg``, ``actions``,
        ``length_m``, LineString geometry in EPSG:2154. Pairs where an actor is not located are
        left out (they are counted in ``attrs["n_unlocated"]``).
    """
    geo = actors.set_index(actors["id"].astype(str))["geometry"]
    names = actors.set_index(actors["id"].astype(str))["name"].astype(str)
    rows: list[dict] = []
    if isinstance(graph_or_partnerships, nx.Graph):
        H = graph_or_partnerships
        it = []
        for u, v, d in H.edges(data=True):
            kinds = d.get("kinds", d.get("kind", "")) or "shared_action"
            it.append((u, v, kinds, float(d.get("weight", 1.0)), float(d.get("kg", 0.0)), str(d.get("actions", ""))))
    else:
        links = actor_links(graph_or_partnerships)
        it = [(str(r["source"]), str(r["target"]), str(r["kind"]),
               1.0 if math.isnan(r["weight"]) else float(r["weight"]),
               float(r["weight"]) if r["unit"] == "kg" and not math.isnan(r["weight"]) else 0.0, "")
              for _, r in links.iterrows()]
    unlocated = 0
    for u, v, kinds, w, kg, acts in it:
        gu, gv = geo.get(u), geo.get(v)
        if gu is None or gv is None or shapely.is_empty(gu) or shapely.is_empty(gv):
            unlocated += 1
            continue
        line = shapely.LineString([gu, gv])
        label = ", ".join(PARTNERSHIP_KINDS.get(k, "Action partagée") for k in kinds.split(",") if k)
        rows.append({"source": u, "target": v, "source_name": names.get(u, u), "target_name": names.get(v, v),
                     "kind": kinds, "kind_label": label or "Action partagée", "weight": w, "kg": kg,
                     "actions": acts, "length_m": float(line.length), "geometry": line})
    cols = ["source", "target", "source_name", "target_name", "kind", "kind_label", "weight", "kg", "actions",
            "length_m", "geometry"]
    out = gpd.GeoDataFrame(rows, columns=cols, geometry="geometry", crs=L93)
    out.attrs["n_unlocated"] = unlocated
    return out


# --------------------------------------------------------------------------- exports
def _export_ready(G: nx.Graph, metrics: pd.DataFrame | None = None) -> nx.Graph:
    """Copy with attributes GEXF/GraphML accept: str, float, int, bool; never None or NaN."""
    H = nx.Graph() if not G.is_multigraph() else nx.MultiGraph()
    H.graph.update({k: str(v) for k, v in G.graph.items() if isinstance(v, str | int | float)})
    extra = metrics.set_index("id") if metrics is not None else None

    def clean(d: dict) -> dict:
        out = {}
        for k, v in d.items():
            if isinstance(v, bool | np.bool_):
                out[k] = bool(v)
            elif isinstance(v, int | np.integer):
                out[k] = int(v)
            elif isinstance(v, float | np.floating):
                out[k] = float(v) if math.isfinite(v) else -1.0 if k in ("lon", "lat") else 0.0
            elif v is None:
                out[k] = ""
            else:
                out[k] = str(v)
        return out

    for n, d in G.nodes(data=True):
        attrs = dict(d)
        attrs["label"] = str(d.get("name", n))
        attrs["world_label"] = schema.WORLD_LABELS.get(d.get("world", ""), "")
        attrs["kind_label"] = schema.KIND_LABELS.get(d.get("kind", ""), "")
        if extra is not None and n in extra.index:
            for col in ("degree", "weighted_degree", "betweenness", "bridge_score", "community", "component",
                        "isolated", "reaches_pat"):
                attrs[col] = extra.at[n, col]
        H.add_node(n, **clean(attrs))
    for u, v, d in G.edges(data=True):
        H.add_edge(u, v, **clean(dict(d)))
    return H


def write_gexf(G: nx.Graph, path: str | Path, metrics: pd.DataFrame | None = None) -> Path:
    """Write the graph as GEXF (Gephi), node metrics included, atomically."""
    with atomic_output(path) as tmp:
        nx.write_gexf(_export_ready(G, metrics), tmp)
    return Path(path)


def write_graphml(G: nx.Graph, path: str | Path, metrics: pd.DataFrame | None = None) -> Path:
    """Write the graph as GraphML (Cytoscape, yEd), node metrics included, atomically."""
    with atomic_output(path) as tmp:
        nx.write_graphml(_export_ready(G, metrics), tmp)
    return Path(path)


def metrics_for_people(metrics: pd.DataFrame) -> pd.DataFrame:
    """The metrics table with French headers (:data:`METRIC_LABELS`) and « oui »/« non »."""
    out = metrics[[c for c in METRIC_LABELS if c in metrics.columns]].copy()
    for col in ("isolated", "no_partnership", "reaches_pat"):
        if col in out:
            out[col] = out[col].map({True: "oui", False: "non"})
    for col in ("betweenness", "bridge_score"):
        out[col] = out[col].round(4)
    return out.rename(columns=METRIC_LABELS)


def write_metrics_csv(metrics: pd.DataFrame, path: str | Path) -> Path:
    """Write the metrics table for people: French headers, ``;`` separator, decimal comma,
    UTF-8 with BOM (opens as is in a French Excel), atomically."""
    with atomic_output(path) as tmp:
        metrics_for_people(metrics).to_csv(tmp, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    return Path(path)
