"""The actors graph: who works with whom, built from the registries.

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

Its reading is in :mod:`atlas.actors.metrics`, its exports in :mod:`atlas.actors.export` and its
drawings in :mod:`atlas.actors.draw`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import networkx as nx
import pandas as pd

from atlas.registry import schema
from atlas.registry.partnerships import actor_links, memberships

#: Node attributes copied from the actors table.
NODE_ATTRIBUTES: tuple[str, ...] = (
    "name", "kind", "network", "world", "insee", "commune_name", "epci", "epci_name", "dep", "lon", "lat",
)  # fmt: skip


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

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> graph = atlas.build_graph(built.actors, built.partnerships.accepted, built.actions.accepted)
    >>> graph.number_of_nodes(), graph.number_of_edges()
    (190, 936)
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
    _add_links(G, links, multigraph=multigraph)
    if project and len(mem):
        _add_shared_actions(G, membership_graph(actors, mem, actions), multigraph=multigraph)
    if not multigraph:
        for _, _, e in G.edges(data=True):
            e["weight"] = float(e["n_links"] + e["n_actions"])
            e.setdefault("directed_kinds", "")
    return G


def _add_links(G: nx.Graph, links: pd.DataFrame, *, multigraph: bool) -> None:
    """Direct links between actors: one edge per row (multigraph) or merged per pair; donated
    kilograms summed on the edge and on both actors."""
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


def _add_shared_actions(G: nx.Graph, B: nx.Graph, *, multigraph: bool) -> None:
    """Projection of the bipartite graph ``B`` (:func:`membership_graph`): every pair of members
    of an action linked, the action id recorded on the edge."""
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


# --------------------------------------------------------------------------- parts of the graph
def world_sets(G: nx.Graph) -> tuple[set[str], set[str]]:
    """Nodes of the PAT world and of the food-aid world (an actor of both worlds is in both)."""
    pat = {n for n, w in G.nodes(data="world") if w in ("pat", "both")}
    aid = {n for n, w in G.nodes(data="world") if w in ("aid", "both")}
    return pat, aid


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


def unpartnered_actors(actors: pd.DataFrame, partnerships: pd.DataFrame) -> pd.DataFrame:
    """Actors of the registry named in no partnership row at all (neither link nor membership)."""
    named = set(partnerships["source"]) | set(partnerships.loc[partnerships["target_type"] == "actor", "target"])
    return actors[~actors["id"].astype(str).isin(named)]
