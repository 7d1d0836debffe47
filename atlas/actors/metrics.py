"""Reading the actors graph: centralities, communities, bridges between the two worlds.

:func:`node_metrics` and :func:`graph_summary`: degree and betweenness centrality, Louvain
communities (:func:`networkx.community.louvain_communities`, fixed seed), connected components,
isolated actors, bridges between the PAT world and the food-aid world, aid actors with no path to
any PAT actor (« ponts manquants »); :func:`summary_lines` says it in French.
"""

from __future__ import annotations

import re
import textwrap

import networkx as nx
import pandas as pd

from atlas.actors.model import simple_graph, world_sets
from atlas.fr import decimal_fr, integer_fr, plural_fr
from atlas.registry import schema

#: Default seed of the Louvain community detection (results are reproducible).
LOUVAIN_SEED = 42

#: French headers of the metrics CSV meant for people (:func:`atlas.actors.export.write_metrics_csv`).
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


# --------------------------------------------------------------------------- reading
def communities(G: nx.Graph, seed: int = LOUVAIN_SEED, resolution: float = 1.0) -> list[set[str]]:
    """Louvain communities (weighted), largest first; isolated actors are left out.

    Uses :func:`networkx.community.louvain_communities` with a fixed ``seed`` so the numbering
    is the same from one run to the next.

    Parameters
    ----------
    G : networkx.Graph
        The actors graph (:func:`atlas.actors.model.build_graph`).
    seed : int
        Seed of the Louvain method.
    resolution : float
        Louvain resolution (above 1: smaller communities).

    Returns
    -------
    list of set of str
        Actor ids of each community, largest first.
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
    # sorted: summed in the order of a set, the scores would change in their last digits from run to run
    raw = nx.betweenness_centrality_subset(H, sources=sorted(pat_only), targets=sorted(aid_only), normalized=False)
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
        Graph from :func:`atlas.actors.model.build_graph`.
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


# --------------------------------------------------------------------------- for people
def short_label(name: str, width: int = 24, max_lines: int = 2) -> str:
    """A short label for a drawing: the acronym in final parentheses when there is one
    (« … Béthune-Bruay, Artois-Lys Romane (CABBALR) » -> « CABBALR »), otherwise the name wrapped
    on ``max_lines`` lines of ``width`` characters, cut with « … »."""
    name = str(name).strip()
    m = re.search(r"\(([^()]{2,14})\)\s*$", name)
    if m and re.fullmatch(r"[A-ZÀ-Ý0-9][A-ZÀ-Ý0-9 .&'-]*", m.group(1).strip()):
        return m.group(1).strip()
    lines = textwrap.wrap(name, width=width)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip(" ,;-–") + "…"
    return "\n".join(lines)


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
