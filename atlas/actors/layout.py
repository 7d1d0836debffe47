"""Where the nodes of the actors graph go: « group in a box » layout, in memory linear in nodes + edges.

Communities are laid out as discs (spring layout of the community graph), each community inside
its disc: Kamada-Kawai for small ones, a spring layout for mid-sized ones, and above
:data:`SPIRAL_FROM` nodes a sunflower spiral (most connected actors in the middle), cheap and
free of overlaps by construction. Markers are then kept apart by :func:`separate`, which only
looks at neighbouring markers through a k-d tree (no n × n array). Every step is deterministic:
nodes in sorted order, fixed seeds.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

#: Communities of up to this many nodes are laid out with Kamada-Kawai (dense n × n distances).
KAMADA_KAWAI_MAX = 40
#: From this many nodes, a community is laid on a sunflower spiral instead of a spring layout.
SPIRAL_FROM = 300


def separate(xy: np.ndarray, radius: np.ndarray, frame: tuple[float, float, float, float] | None = None, *,
             gap: float = 0.0, max_iter: int = 200) -> np.ndarray:
    """Move discs apart until no two overlap (or ``max_iter`` rounds), each as little as possible.

    Overlapping pairs are found with a k-d tree (:meth:`scipy.spatial.cKDTree.query_pairs`
    within twice the largest radius plus ``gap``), so memory grows with the number of discs and
    of close pairs, never with its square. Each round pushes both discs of every overlapping
    pair apart along their axis by half the overlap (damped by the number of overlaps of each
    disc); discs stay inside ``frame`` ``(xmin, ymin, xmax, ymax)``.

    Parameters
    ----------
    xy : array (n, 2)
        Centres.
    radius : array (n,)
        Radii, same unit.
    frame : tuple, optional
        Box the discs stay in.
    gap : float
        Free space wanted between two discs.
    max_iter : int
        Rounds at most.

    Returns
    -------
    array (n, 2)
        New centres.
    """
    pos = np.array(xy, dtype=float).reshape(-1, 2)
    r = np.asarray(radius, dtype=float).reshape(-1)
    n = len(pos)
    if n < 2:
        return pos
    reach = 2 * float(r.max()) + gap

    def clamp(p: np.ndarray) -> np.ndarray:
        if frame is not None:
            p[:, 0] = np.clip(p[:, 0], frame[0] + r, np.maximum(frame[2] - r, frame[0] + r))
            p[:, 1] = np.clip(p[:, 1], frame[1] + r, np.maximum(frame[3] - r, frame[1] + r))
        return p

    pos = clamp(pos)
    for it in range(max_iter):
        pairs = cKDTree(pos).query_pairs(reach, output_type="ndarray")
        if not len(pairs):
            break
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]  # a fixed order: the same sums every run
        i, j = pairs[:, 0], pairs[:, 1]
        delta = pos[i] - pos[j]
        dist = np.hypot(delta[:, 0], delta[:, 1])
        need = (r[i] + r[j]) * 1.02 + gap
        over = dist < need - 1e-6
        if not over.any():
            break
        i, j, delta, dist, need = i[over], j[over], delta[over], dist[over], need[over]
        same = dist < 1e-9  # coincident: apart along a direction that depends on the pair only
        if same.any():
            angle = (i[same] * 2.399963 + j[same] * 0.7) % (2 * math.pi)
            delta[same] = np.column_stack([np.cos(angle), np.sin(angle)])
            dist[same] = 1.0
        push = 0.5 * (need - dist) / dist
        count = np.bincount(np.concatenate([i, j]), minlength=n)
        move = np.zeros_like(pos)
        np.add.at(move, i, delta * (push / np.sqrt(count[i]))[:, None])
        np.add.at(move, j, -delta * (push / np.sqrt(count[j]))[:, None])
        pos = clamp(pos + move * (1.0 if it < max_iter // 2 else 0.8))
    return pos


def sunflower(n: int, spacing: float) -> np.ndarray:
    """``n`` points on a sunflower (Vogel) spiral, ``spacing`` apart, the first in the middle."""
    k = np.arange(n, dtype=float)
    rho = spacing * 0.55 * np.sqrt(k + 0.5)
    theta = k * math.pi * (3 - math.sqrt(5))
    return np.column_stack([rho * np.cos(theta), rho * np.sin(theta)])


def _local_layout(sub: nx.Graph, nodes: list[str], radius: dict[str, float], seed: int) -> np.ndarray:
    """Positions of one community's nodes (any unit, centred), in the order of ``nodes``."""
    n = len(nodes)
    if n == 1:
        return np.zeros((1, 2))
    if n >= SPIRAL_FROM:
        # most connected in the middle, then by id: a fixed order
        order = sorted(range(n), key=lambda i: (-sub.degree(nodes[i]), nodes[i]))
        spiral = sunflower(n, 2.2 * max(radius[x] for x in nodes))
        out = np.empty((n, 2))
        out[order] = spiral
        return out
    if n <= KAMADA_KAWAI_MAX and n > 2 and nx.is_connected(sub):
        local = nx.kamada_kawai_layout(sub, weight=None)
    else:
        local = nx.spring_layout(sub, seed=seed, iterations=60 if n > KAMADA_KAWAI_MAX else 200,
                                 k=1.5 / math.sqrt(n))
    return np.array([local[x] for x in nodes], dtype=float)


def _community_graph(D: nx.Graph, groups: dict[int, list[str]], community: dict[str, int]) -> nx.Graph:
    C: nx.Graph = nx.Graph()
    for c in sorted(groups):
        C.add_node(c, size=len(groups[c]))
    weights: dict[tuple[int, int], int] = {}
    for u, v in D.edges():
        cu, cv = community.get(u, 0), community.get(v, 0)
        if cu != cv:
            key = (min(cu, cv), max(cu, cv))
            weights[key] = weights.get(key, 0) + 1
    C.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items()))
    return C


def group_layout(D: nx.Graph, community: dict[str, int], box: tuple[float, float], radius: dict[str, float], *,
                 seed: int, label_room: float = 4.0) -> dict[str, np.ndarray]:
    """« Group in a box » layout in points: one disc per community, nodes inside, none overlapping.

    Parameters
    ----------
    D : networkx.Graph
        The graph as drawn (:func:`atlas.actors.draw.drawing_graph`).
    community : dict
        Community of each node.
    box : (float, float)
        Width and height of the panel (points).
    radius : dict
        Marker radius of each node (points).
    seed : int
        Seed of the spring layouts.
    label_room : float
        Area around each marker kept for labels, in marker areas.

    Returns
    -------
    dict
        Position of each node (points from the panel's lower left corner).
    """
    groups: dict[int, list[str]] = {}
    for n in sorted(D, key=str):
        groups.setdefault(community.get(n, 0), []).append(n)
    if not groups:
        return {}
    C = _community_graph(D, groups, community)
    cids = sorted(groups)
    if len(C) == 1:
        P = np.array([[0.5, 0.5]])
    else:
        centres = nx.spring_layout(C, weight="weight", seed=seed, k=2.0 / math.sqrt(len(C)), iterations=200)
        P = np.array([centres[c] for c in cids], dtype=float)
    area = box[0] * box[1]
    need = {c: sum(math.pi * (radius[n] + 4) ** 2 for n in ns) * label_room for c, ns in groups.items()}
    # discs as large as the panel allows (room for labels), smaller when it is crowded
    fill = min(2.5, math.sqrt(0.5 * area / max(sum(need.values()), 1.0)))
    R = np.array([fill * math.sqrt(need[c] / math.pi) for c in cids])
    R = np.maximum(R, [max(radius[n] for n in groups[c]) for c in cids])
    P = (P - P.min(axis=0)) / np.maximum(np.ptp(P, axis=0), 1e-9)
    extent = np.maximum(np.array(box) - 2 * R.max(), 0.0)  # the discs spread over the whole panel
    P = (np.array(box) - extent) / 2.0 + P * extent
    frame = (0.0, 0.0, box[0], box[1])
    P = separate(P, R + 6.0, frame, max_iter=400)
    pos: dict[str, np.ndarray] = {}
    for c, centre, rad in zip(cids, P, R, strict=True):
        ns = groups[c]
        member = set(ns)
        sub: nx.Graph = nx.Graph()
        sub.add_nodes_from(ns)  # in sorted order: the same layout every run
        sub.add_edges_from(sorted((u, v) for u, v in D.edges(ns) if u in member and v in member))
        arr = _local_layout(sub, ns, radius, seed)
        arr -= arr.mean(axis=0)
        span = float(np.hypot(arr[:, 0], arr[:, 1]).max()) or 1.0
        room = max(rad - max(radius[n] for n in ns), 0.0)
        for n, xy in zip(ns, arr, strict=True):
            pos[n] = centre + xy / span * room
    nodes = list(pos)
    Q = separate(np.array([pos[n] for n in nodes]), np.array([radius[n] for n in nodes]), frame, gap=3.0)
    return {n: Q[i] for i, n in enumerate(nodes)}
