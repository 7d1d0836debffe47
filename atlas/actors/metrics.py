"""Reading the actors graph: centralities, communities, bridges between the two worlds.

:func:`node_metrics` and :func:`graph_summary`: degree and betweenness centrality, Louvain
communities (:func:`networkx.community.louvain_communities`, fixed seed), connected components,
isolated actors, bridges between the PAT world and the food-aid world, aid actors with no path to
any PAT actor (« ponts manquants »); :func:`summary_lines` says it in French.
"""

from __future__ import annotations

import random
import re
import textwrap

import networkx as nx
import numpy as np
import pandas as pd

try:  # a compiled backend for the shortest paths, when installed
    import igraph
except ImportError:  # pragma: no cover - networkx does the same, slower
    igraph = None

from atlas.actors.model import simple_graph, world_sets
from atlas.fr import decimal_fr, integer_fr, plural_fr
from atlas.registry import schema

#: Default seed of the Louvain community detection (results are reproducible).
LOUVAIN_SEED = 42

#: Up to this many actors, betweenness (and the PAT ↔ aid bridge score) is computed exactly;
#: above, it is estimated from :data:`SAMPLED_SOURCES` sources drawn with a fixed seed
#: (python-igraph; with networkx alone: :data:`EXACT_MAX_ACTORS_PY`, :data:`SAMPLED_SOURCES_PY`).
EXACT_MAX_ACTORS = 3000
EXACT_MAX_ACTORS_PY = 600
#: Sources drawn for the estimated betweenness (in :data:`SAMPLE_BATCHES` batches, whose spread
#: gives the standard error of each value).
SAMPLED_SOURCES = 1024
SAMPLED_SOURCES_PY = 192
SAMPLE_BATCHES = 8

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
    "betweenness_se": "erreur type de l'intermédiarité (0 : valeur exacte)",
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
    "betweenness_method": "méthode de calcul de l'intermédiarité",
}


# --------------------------------------------------------------------------- canonical order
def canonical_graph(G: nx.Graph) -> nx.Graph:
    """A simple graph with its nodes and edges in sorted order (ids as text).

    networkx's algorithms follow the order of nodes and neighbours: a graph built from sets
    (whose order changes with ``PYTHONHASHSEED``) would give other communities, other layouts and
    other last digits from one run to the next. Every reading of the graph starts from this copy.
    """
    H = simple_graph(G)
    C = nx.Graph()
    C.graph.update(H.graph)
    C.add_nodes_from(sorted(H.nodes(data=True), key=lambda t: str(t[0])))
    edges = ((u, v, d) if str(u) <= str(v) else (v, u, d) for u, v, d in H.edges(data=True))
    C.add_edges_from(sorted(edges, key=lambda t: (str(t[0]), str(t[1]))))
    return C


class _Paths:
    """Shortest-path betweenness on a canonical graph: python-igraph (compiled) when it is
    installed, networkx otherwise; both give the same values (pairs of an undirected graph
    counted once, as :func:`networkx.betweenness_centrality_subset` with ``normalized=False``)."""

    def __init__(self, H: nx.Graph) -> None:
        self.H = H
        self.nodes = list(H)
        self.index = {n: i for i, n in enumerate(self.nodes)}
        self.g = None
        if igraph is not None:
            self.g = igraph.Graph(n=len(self.nodes), edges=[(self.index[u], self.index[v]) for u, v in H.edges()])

    @property
    def backend(self) -> str:
        return "python-igraph" if self.g is not None else "networkx"

    def subset(self, sources: list, targets: list) -> np.ndarray:
        """Raw betweenness restricted to paths from ``sources`` to ``targets``, one per node."""
        if self.g is not None:
            return np.asarray(self.g.betweenness(directed=False, sources=[self.index[x] for x in sources],
                                                 targets=[self.index[x] for x in targets]), dtype=float)
        raw = nx.betweenness_centrality_subset(self.H, sources=sources, targets=targets, normalized=False)
        return np.array([raw[v] for v in self.nodes], dtype=float)

    def exact(self) -> np.ndarray:
        """Raw betweenness of every node (each pair once)."""
        if self.g is not None:
            return np.asarray(self.g.betweenness(directed=False), dtype=float)
        raw = nx.betweenness_centrality(self.H, normalized=False)
        return np.array([raw[v] for v in self.nodes], dtype=float)


def _limits(exact_max: int | None, samples: int | None) -> tuple[int, int]:
    fast = igraph is not None
    return (exact_max if exact_max is not None else (EXACT_MAX_ACTORS if fast else EXACT_MAX_ACTORS_PY),
            samples if samples is not None else (SAMPLED_SOURCES if fast else SAMPLED_SOURCES_PY))


def _sampled_subset(paths: _Paths, sources: list, targets: list, *, seed: int, scale: float,
                    samples: int) -> tuple[dict, dict]:
    """Betweenness restricted to paths from ``sources`` (``samples`` of them drawn with ``seed``)
    to ``targets``, estimated in :data:`SAMPLE_BATCHES` batches: (mean of the batch estimates,
    their standard error), each multiplied by ``scale``."""
    rng = random.Random(seed)
    drawn = rng.sample(sources, min(samples, len(sources)))
    n_batches = min(SAMPLE_BATCHES, len(drawn))
    est = np.zeros((n_batches, len(paths.nodes)))
    for b in range(n_batches):
        batch = drawn[b::n_batches]
        est[b] = paths.subset(batch, targets) * len(sources) / len(batch)
    mean = est.mean(axis=0) * scale
    se = est.std(axis=0, ddof=1) / np.sqrt(n_batches) * scale if n_batches > 1 else np.zeros(len(paths.nodes))
    return dict(zip(paths.nodes, mean.tolist(), strict=True)), dict(zip(paths.nodes, se.tolist(), strict=True))


def _betweenness(paths: _Paths, *, seed: int, exact_max: int, samples: int) -> tuple[dict, dict, str]:
    n = len(paths.nodes)
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 0.0  # networkx's normalisation
    if n <= exact_max or n < 3:
        values = dict(zip(paths.nodes, (paths.exact() * scale).tolist(), strict=True))
        return values, dict.fromkeys(paths.nodes, 0.0), f"exacte (algorithme de Brandes, {paths.backend})"
    values, se = _sampled_subset(paths, paths.nodes, paths.nodes, seed=seed, scale=scale, samples=samples)
    top = sorted(values, key=lambda v: (-values[v], v))[:20]
    rel = float(np.median([se[v] / values[v] for v in top if values[v] > 0] or [0.0]))
    method = (f"estimée sur {integer_fr(min(samples, n))} sources tirées au hasard parmi {integer_fr(n)} acteurs "
              f"(graine {seed}, {paths.backend}) ; erreur type : {decimal_fr(100 * rel, 1)} % de la valeur "
              f"(médiane des 20 acteurs les plus centraux)")
    return values, se, method


def betweenness(G: nx.Graph, *, seed: int = LOUVAIN_SEED, exact_max: int | None = None,
                samples: int | None = None) -> tuple[dict[str, float], dict[str, float], str]:
    """Normalised betweenness centrality, exact up to ``exact_max`` actors, estimated above.

    Exact: Brandes' algorithm (python-igraph when installed, else networkx). Estimated: the
    dependencies of ``samples`` sources drawn at random with ``seed`` (Brandes and Pich), in
    :data:`SAMPLE_BATCHES` batches whose spread gives a standard error for each actor. Defaults:
    :data:`EXACT_MAX_ACTORS` and :data:`SAMPLED_SOURCES` with python-igraph,
    :data:`EXACT_MAX_ACTORS_PY` and :data:`SAMPLED_SOURCES_PY` without.

    Returns
    -------
    (dict, dict, str)
        Betweenness by actor, its standard error (0 when exact), and the method in French.
    """
    exact_max, samples = _limits(exact_max, samples)
    return _betweenness(_Paths(canonical_graph(G)), seed=seed, exact_max=exact_max, samples=samples)


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

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> graph = atlas.build_graph(built.actors, built.partnerships.accepted, built.actions.accepted)
    >>> groups = atlas.communities(graph)
    >>> len(groups), all(len(g) > 1 for g in groups)
    (5, True)
    """
    H = canonical_graph(G)
    H.remove_nodes_from([n for n in list(H) if H.degree(n) == 0])
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


def bridge_scores(G: nx.Graph, *, seed: int = LOUVAIN_SEED, exact_max: int | None = None,
                  samples: int | None = None) -> dict[str, float]:
    """Share of the shortest paths between PAT and food-aid actors passing through each actor.

    Betweenness restricted to paths from PAT actors (sources) to aid actors (targets), normalised
    by the number of (PAT, aid) pairs that are connected; 0 when none is. Above ``exact_max``
    actors, the sources are a sample drawn with ``seed`` (as in :func:`betweenness`).
    """
    exact_max, samples = _limits(exact_max, samples)
    return _bridge_scores(_Paths(canonical_graph(G)), seed=seed, exact_max=exact_max, samples=samples)


def _bridge_scores(paths: _Paths, *, seed: int, exact_max: int, samples: int) -> dict[str, float]:
    H = paths.H
    pat, aid = world_sets(H)
    pat_only, aid_only = sorted(pat - aid), sorted(aid - pat)
    pairs = 0
    for comp in nx.connected_components(H):
        pairs += len(comp.intersection(pat_only)) * len(comp.intersection(aid_only))
    if not pairs:
        return dict.fromkeys(H, 0.0)
    if H.number_of_nodes() <= exact_max:
        raw = paths.subset(pat_only, aid_only)  # each (PAT, aid) pair counted with weight 1/2
        return dict(zip(paths.nodes, (2.0 * raw / pairs).tolist(), strict=True))
    values, _ = _sampled_subset(paths, pat_only, aid_only, seed=seed + 1, scale=2.0 / pairs, samples=samples)
    return values


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

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> graph = atlas.build_graph(built.actors, built.partnerships.accepted, built.actions.accepted)
    >>> metrics = atlas.node_metrics(graph)
    >>> metrics.sort_values("degree", ascending=False)["name"].iloc[0]
    'DRAAF Hauts-de-France'
    """
    H = canonical_graph(G)
    deg = dict(H.degree())
    wdeg = dict(H.degree(weight="weight"))
    paths = _Paths(H)
    exact_max, samples = _limits(None, None)
    btw, btw_se, method = _betweenness(paths, seed=seed, exact_max=exact_max, samples=samples)
    bridge = _bridge_scores(paths, seed=seed, exact_max=exact_max, samples=samples)
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
            "betweenness_se": float(btw_se[n]), "betweenness_method": method,
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
    df = df.sort_values(["betweenness", "degree", "id"], ascending=[False, False, True]).reset_index(drop=True)
    return df


def graph_summary(G: nx.Graph, seed: int = LOUVAIN_SEED, metrics: pd.DataFrame | None = None) -> dict[str, float | int]:
    """Figures for people: actors, links, isolated actors, components, communities, bridges.

    The communities are read from ``metrics`` (:func:`node_metrics`) when given, so that
    Louvain runs once.

    Returns
    -------
    dict
        ``n_actors``, ``n_edges``, ``n_isolated``, ``n_components`` (with ≥ 2 actors),
        ``largest_component``, ``n_communities``, ``modularity`` (of the Louvain partition),
        ``density``, ``n_cross_world_edges``, ``n_missing_bridges``.
    """
    H = canonical_graph(G)
    if metrics is not None and len(metrics):
        linked_m = metrics[metrics["community"] > 0]
        comms = [set(g["id"]) for _, g in linked_m.groupby("community", sort=True)]
    else:
        comms = communities(H, seed=seed)
    linked = H.copy()
    linked.remove_nodes_from([n for n in H if H.degree(n) == 0])
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
    m = metrics if metrics is not None else node_metrics(G)
    s = graph_summary(G, metrics=m)
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
    if "betweenness_method" in m and len(m) and not str(m["betweenness_method"].iloc[0]).startswith("exacte"):
        lines.append(f"Intermédiarité {m['betweenness_method'].iloc[0]}.")
    n_none = int(m["no_partnership"].sum())
    lines.append(f"{plural_fr(n_none, 'acteur')} du registre sans aucun partenariat (ni lien, ni action).")
    comm = community_table(G, m)
    if len(comm):
        lines.append("Communautés (Louvain) :")
        for _, c in comm.head(20).iterrows():
            first = " ; ".join(short_label(x, width=60, max_lines=1) for x in str(c["members"]).split(" ; ")[:5])
            lines.append(f"  C{c['community']} : {plural_fr(int(c['n_actors']), 'acteur')} ({c['n_pat']} PAT, {c['n_aid']} aide "
                         f"alimentaire, {c['n_both']} les deux) : {first}{' ; …' if c['n_actors'] > 5 else ''}")
        if len(comm) > 20:
            lines.append(f"  … et {plural_fr(len(comm) - 20, 'autre communauté', 'autres communautés')} "
                         "(tableau des communautés).")
    missing = missing_bridges(G)
    if missing:
        names = [short_label(G.nodes[n].get("name", n), width=60, max_lines=1) for n in missing[:8]]
        lines.append(f"Ponts manquants (aide alimentaire sans chemin vers le PAT) : {' ; '.join(names)}"
                     f"{' ; …' if len(missing) > 8 else ''}")
    flows = m[(m["kg_given"] > 0) | (m["kg_received"] > 0)]
    if len(flows):
        lines.append("Flux de denrées (kg) :")
        flows = flows.assign(kg=flows["kg_given"] + flows["kg_received"]).sort_values(["kg", "id"],
                                                                                     ascending=[False, True])
        for _, r in flows.head(15).iterrows():
            lines.append(f"  {r['name']} : {integer_fr(r['kg_given'])} kg donnés, {integer_fr(r['kg_received'])} kg reçus")
        if len(flows) > 15:
            lines.append(f"  … et {plural_fr(len(flows) - 15, 'autre acteur')} (tableau des mesures).")
    return lines
