"""Drawings of the actors graph for people: the graph on an A3 sheet (and, in
:mod:`atlas.actors.partnership_map`, the partnerships on the map).

Nodes are laid out by :func:`atlas.actors.layout.group_layout` (memory linear in nodes + edges,
deterministic), named with :func:`atlas.actors.labels.unique_labels` (never two alike) and
:func:`atlas.actors.labels.place_node_labels` (never over another label or marker); a node that
cannot be named is numbered, its number listed in the key. Every text is at least
:data:`atlas.actors.style.MIN_PT` points at print size.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon

from atlas.actors.labels import disc_boxes, place_node_labels, sheet_mm, unique_labels
from atlas.actors.layout import group_layout
from atlas.actors.metrics import LOUVAIN_SEED, canonical_graph, graph_summary, node_metrics, short_label
from atlas.actors.partnership_map import draw_partnership_map
from atlas.actors.style import (
    COMMUNITY_PALETTE,
    EDGE_LOOK,
    EDGE_STYLES,
    KIND_MARKERS,
    MIN_PT,
    WORLD_COLOURS,
    mpl_text,
)
from atlas.io import atomic_output
from atlas.placement import MM_PER_PT, Label, label_spots
from atlas.registry import schema

__all__ = ["EDGE_STYLES", "KIND_MARKERS", "WORLD_COLOURS", "draw_graph", "draw_partnership_map", "drawing_graph",
           "mpl_text", "save_drawing"]

#: Nodes tried for a label, most important first (beyond, a node is at most numbered).
LABEL_TRIES = 400
_ROW_IN, _HEAD_IN = 0.16, 0.40  # inches: one line of the list of actors without links, its title
_KEY_LINE_IN = 0.135  # inches: one line of the key (7 pt)


def drawing_graph(G: nx.Graph, hub_min: int = 3) -> nx.Graph:
    """The graph as drawn: actions shared by ``hub_min`` actors or more become hub nodes.

    A projected clique (every pair of members of a large action linked) is unreadable on paper;
    the drawing shows the action itself as a small grey node linked to its members instead. Direct
    links are kept; projected links through smaller actions are kept as « action en commun ».
    Nodes and edges are in sorted order (the drawing does not depend on the hash seed).

    Returns
    -------
    networkx.Graph
        Actor nodes (``node_type="actor"``) with at least one link, hub nodes
        (``node_type="action"``, id ``"action:<id>"``, ``name``), edges with ``style`` in
        ``direct``, ``donation``, ``shared``, ``membership``, plus ``kg`` and ``weight``.
    """
    H = canonical_graph(G)
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


# --------------------------------------------------------------------------- the sheet
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


def _page(figsize: tuple[float, float], isolated: list[str], *, linked: bool, show_isolated: bool) -> _Page:
    """Figure and panels: the graph on the left, legend and key on the right, actors without any
    link in a band at the bottom (as many rows as fit)."""
    fig = plt.figure(figsize=figsize, dpi=100)
    n_cols_iso = 4
    share = 0.30 if linked else 0.78  # without any link, the list may fill the page
    max_rows = int((share * figsize[1] - _HEAD_IN) / _ROW_IN)
    listed = isolated if len(isolated) <= max_rows * n_cols_iso else isolated[: max_rows * n_cols_iso - 1]
    n_iso_rows = math.ceil(len(isolated) / n_cols_iso) if show_isolated and isolated else 0
    n_iso_rows = min(n_iso_rows, max_rows)
    band = (_HEAD_IN + _ROW_IN * n_iso_rows) / figsize[1] if n_iso_rows else 0.0
    top = 0.90
    gap = 0.02 if band else 0.012
    ax_rect = (0.008, band + gap, 0.70, top - band - gap)
    ax = fig.add_axes(ax_rect)
    ax.set_axis_off()
    box = (ax_rect[2] * figsize[0] * 72.0, ax_rect[3] * figsize[1] * 72.0)  # 1 data unit = 1 point
    ax.set_xlim(0, box[0])
    ax.set_ylim(0, box[1])
    side = fig.add_axes((0.715, band + gap, 0.28, top - band - gap + 0.05))
    side.set_axis_off()
    return _Page(fig, ax, side, box, band, n_iso_rows, listed, figsize)


def _draw_communities(ax, pos: dict, community: dict[str, int], box: tuple[float, float]) -> list:
    """Shaded hulls of the communities, named C1, C2... where the name fits; returns the names'
    extents (display pixels)."""
    renderer = ax.figure.canvas.get_renderer()
    frame_box = ax.get_window_extent(renderer)
    groups: dict[int, list[np.ndarray]] = {}
    for n, xy in pos.items():
        groups.setdefault(community.get(n, 0), []).append(xy)
    names = []
    for c in sorted(groups):
        pts = groups[c]
        if c <= 0 or len(pts) < 2:
            continue
        hull = shapely.MultiPoint(np.asarray(pts)).convex_hull.buffer(14.0, quad_segs=6)
        xy = np.asarray(hull.exterior.coords)
        ax.add_patch(Polygon(xy, closed=True, fc=COMMUNITY_PALETTE[(c - 1) % len(COMMUNITY_PALETTE)], ec="none",
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


def _draw_links_and_nodes(ax, D: nx.Graph, pos: dict, area: dict[str, float]) -> None:
    """Edges by style (donations thick by kilograms) as one collection per style, then actors
    (colour: world, shape: kind) and actions (grey squares), one scatter per shape."""
    big = D.number_of_edges() > 3000
    kg_max = max([d["kg"] for _, _, d in D.edges(data=True)] + [1.0])
    segments: dict[str, tuple[list, list]] = {}
    for u, v, d in D.edges(data=True):
        st = d["style"]
        lw = {"donation": 1.5 + 5.0 * d["kg"] / kg_max, "direct": 0.8 + 0.35 * min(d["weight"], 6),
              "shared": 0.7 + 0.3 * min(d["weight"], 4), "membership": 0.6}[st]
        seg, widths = segments.setdefault(st, ([], []))
        seg.append((pos[u], pos[v]))
        widths.append(lw * (0.4 if big else 1.0))
    for st in ("membership", "shared", "direct", "donation"):
        if st in segments:
            seg, widths = segments[st]
            ax.add_collection(LineCollection(
                np.asarray(seg), colors=EDGE_LOOK[st]["color"], linestyles=EDGE_LOOK[st]["ls"], linewidths=widths,
                alpha=(0.35 if big else 0.8) if st != "membership" else (0.3 if big else 0.7),
                zorder=2 if st != "membership" else 1.5, capstyle="round"))
    by_marker: dict[str, list[str]] = {}
    for n, t in D.nodes(data="node_type"):
        if t == "actor":
            by_marker.setdefault(KIND_MARKERS.get(D.nodes[n].get("kind", ""), "o"), []).append(n)
    edge_w = 0.9 if len(D) < 1000 else 0.3
    for marker in sorted(by_marker):
        ns = by_marker[marker]
        ax.scatter([pos[n][0] for n in ns], [pos[n][1] for n in ns], s=[area[n] for n in ns], marker=marker,
                   c=[WORLD_COLOURS.get(D.nodes[n].get("world", ""), "#777777") for n in ns], edgecolors="white",
                   linewidths=edge_w, zorder=3)
    hubs = [n for n, t in D.nodes(data="node_type") if t == "action"]
    if hubs:
        ax.scatter([pos[n][0] for n in hubs], [pos[n][1] for n in hubs], s=[area[n] for n in hubs], marker="s",
                   c="#d9d9d9", edgecolors="#7f7f7f", linewidths=0.7, zorder=3)


# --------------------------------------------------------------------------- labels and numbers
def _node_labels(H: nx.Graph, D: nx.Graph, actors: list[str], hubs: list[str]) -> dict[str, str]:
    """Labels of the drawn nodes, never two alike (actors: name, disambiguated by the commune)."""
    items = [(n, str(H.nodes[n].get("name", n)), str(H.nodes[n].get("commune_name", "") or "")) for n in actors]
    for h in hubs:
        name = str(D.nodes[h].get("name", h))
        items.append((h, name.split(" : ", 1)[-1] if " : " in name else name, ""))
    return unique_labels(items, width=24, max_lines=2)


def _key_labels(H: nx.Graph, D: nx.Graph, actors: list[str], hubs: list[str]) -> dict[str, str]:
    """Names of the numbered nodes on one line of the key, never two alike."""
    items = [(n, str(H.nodes[n].get("name", n)), str(H.nodes[n].get("commune_name", "") or "")) for n in actors]
    items += [(h, str(D.nodes[h].get("name", h)).split(" : ", 1)[-1], "") for h in hubs]
    return {k: v.replace("\n", " ") for k, v in unique_labels(items, width=36, max_lines=1).items()}


def _place_numbers(ax, pos: dict, numbers: dict[str, str], radius: dict[str, float],
                   obstacles: list) -> list[tuple[float, float, float, float]]:
    """Numbers of the nodes that could not be named: beside their marker where there is room
    (a short leader line when set apart), otherwise on the marker. Returns their boxes (mm)."""
    renderer = ax.figure.canvas.get_renderer()
    bounds, px = sheet_mm(ax)
    style = {"fontsize": MIN_PT, "fontweight": "bold", "color": "#1a1a1a", "zorder": 6,
             "bbox": {"boxstyle": "round,pad=0.08", "fc": "white", "ec": "none", "alpha": 0.9}}
    probe = ax.text(0, 0, "", fontsize=MIN_PT, fontweight="bold")
    wanted = []
    for n, text in numbers.items():
        probe.set_text(text)
        ext = probe.get_window_extent(renderer)
        x, y = ax.transData.transform(pos[n]) * px
        wanted.append(Label(x, y, text, MIN_PT, True, clearance=radius[n] * MM_PER_PT,
                            steps=(0.6, 3.0, 6.0, 10.0, 15.0), width=ext.width * px, height=ext.height * px))
    probe.remove()
    spots = label_spots(wanted, obstacles, tuple(bounds), centred=False, pad=0.8 * px)
    to_data = ax.transData.inverted()
    boxes = []
    for (n, text), lab, spot in zip(numbers.items(), wanted, spots, strict=True):
        if spot is None:  # on the marker itself
            ax.text(pos[n][0], pos[n][1], text, ha="center", va="center", **style)
            continue
        boxes.append(spot.box)
        ax.text(*to_data.transform((spot.x / px, spot.y / px)), text, ha="center", va="center", **style)
        if spot.step > 0:
            dx, dy = spot.direction
            ends = to_data.transform([((lab.x + dx * lab.clearance) / px, (lab.y + dy * lab.clearance) / px),
                                      ((lab.x + dx * (spot.distance - 0.3)) / px,
                                       (lab.y + dy * (spot.distance - 0.3)) / px)])
            ax.plot(ends[:, 0], ends[:, 1], color="#6f6f6f", lw=0.5, zorder=4.5)
    return boxes


def _draw_labels(ax, H: nx.Graph, D: nx.Graph, pos: dict, *, order: list[str], radius: dict[str, float],
                 obstacles: list, capacity: int) -> tuple[list[str], list[str], dict[str, str], int]:
    """Labels in ``order`` (the first :data:`LABEL_TRIES`); the nodes that get none are numbered
    (actors 1, 2..., actions A1, A2...) as long as the key has room (``capacity`` lines).
    Returns the numbered actors, the numbered actions, the labels and how many nodes are left
    with neither."""
    hubs = {n for n in order if D.nodes[n].get("node_type") == "action"}
    actors_drawn = [n for n in order if n not in hubs]
    labels = _node_labels(H, D, actors_drawn, [h for h in order if h in hubs])
    fs = 7.6 if len(actors_drawn) <= 80 else MIN_PT
    styles: dict[str, dict] = {n: {"fontsize": fs, "color": "#1a1a1a"} for n in actors_drawn}
    styles.update({h: {"fontsize": MIN_PT, "color": "#4d4d4d", "fontstyle": "italic"} for h in hubs})
    tried = order[:LABEL_TRIES]
    failed, boxes = place_node_labels(ax, pos, labels, tried, radius=radius, obstacles=obstacles, styles=styles)
    failed += order[LABEL_TRIES:]
    numbered = [n for n in failed if n not in hubs][:capacity]
    numbered_hubs = [h for h in failed if h in hubs][: max(capacity - len(numbered), 0)]
    numbers = {n: str(i) for i, n in enumerate(numbered, start=1)}
    numbers.update({h: f"A{i}" for i, h in enumerate(numbered_hubs, start=1)})
    _place_numbers(ax, pos, numbers, radius, obstacles + boxes)
    return numbered, numbered_hubs, labels, len(failed) - len(numbers)


# --------------------------------------------------------------------------- title, legend, key, band
def _draw_title(fig: Figure, H: nx.Graph, m: pd.DataFrame, *, seed: int, title: str | None,
                subtitle: str | None) -> None:
    s = graph_summary(H, seed=seed, metrics=m.reset_index())
    fig.text(0.008, 0.972, mpl_text(title or "Cartographie des acteurs : qui travaille avec qui"),
             fontsize=18, fontweight="bold", va="center")
    sub = subtitle or (
        f"{s['n_actors']} acteurs, {s['n_edges']} paires d'acteurs liées ; {s['n_isolated']} acteurs sans lien ; "
        f"{s['n_communities']} communautés (Louvain) ; {s['n_cross_world_edges']} liens entre le monde du PAT "
        f"et celui de l'aide alimentaire ; {s['n_missing_bridges']} acteurs de l'aide alimentaire sans chemin "
        f"vers le monde du PAT")
    fig.text(0.008, 0.945, mpl_text(short_label(sub, width=150, max_lines=2)), fontsize=10, color="#333333",
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
        Line2D([], [], color=EDGE_LOOK["direct"]["color"], lw=2, label="Partenariat direct"),
        Line2D([], [], color=EDGE_LOOK["donation"]["color"], lw=3.5, label="Don de denrées (épaisseur : kg)"),
        Line2D([], [], color=EDGE_LOOK["shared"]["color"], ls=EDGE_LOOK["shared"]["ls"], lw=1.5,
               label="Action en commun (petite action)"),
        Line2D([], [], ls="-", color=EDGE_LOOK["membership"]["color"], marker="s", mfc="#d9d9d9", mec="#7f7f7f",
               ms=6, label=f"Action ou collectif ({hub_min} membres ou plus)"),
        Patch(fc=COMMUNITY_PALETTE[0], alpha=0.5, ec="none", label="Communauté (C1 : la plus grande)"),
    ]
    renderer = side.figure.canvas.get_renderer()
    y = 1.0
    for handles, ttl, cols in ((world_handles, "Monde (couleur)", 1), (kind_handles, "Type d'acteur (forme)", 2),
                               (edge_handles, "Liens (taille des points : nombre de partenaires)", 1)):
        leg = side.legend(handles=handles, title=ttl, loc="upper left", bbox_to_anchor=(0, y), fontsize=8,
                          title_fontsize=9, frameon=False, alignment="left", borderaxespad=0, labelspacing=0.3,
                          ncols=cols if len(handles) > 4 else 1, columnspacing=1.0, handletextpad=0.5)
        side.add_artist(leg)
        side.figure.canvas.draw()
        y = side.transAxes.inverted().transform(leg.get_window_extent(renderer))[0][1] - 0.02
    return y


def _key_capacity(page: _Page, y: float) -> int:
    """Lines the key can hold below the legend (two columns)."""
    height_in = page.side.get_position().height * page.figsize[1]
    rows = int(((y - 0.03) * height_in - 0.05) / _KEY_LINE_IN)
    return max(rows, 0) * 2


def _draw_key(page: _Page, y: float, entries: list[str], left_out: int) -> None:
    """« Numéros du graphe »: the names of the numbered nodes, on two columns, at 7 pt; a last line
    says how many nodes are neither named nor numbered (the metrics table has them all)."""
    side = page.side
    if not entries and not left_out:
        return
    side.text(0.0, y, "Numéros du graphe", fontsize=9, fontweight="bold", va="top", transform=side.transAxes)
    height_in = side.get_position().height * page.figsize[1]
    line = _KEY_LINE_IN / height_in
    if left_out:
        entries = [*entries, f"{left_out} autres nœuds ni nommés ni numérotés :",
                   "voir le tableau des mesures (CSV)"]
    per_col = max(math.ceil(len(entries) / 2), 1)
    for i, e in enumerate(entries):
        col, row = divmod(i, per_col)
        side.text(0.5 * col, y - 0.03 - row * line, mpl_text(e), fontsize=MIN_PT, va="top", transform=side.transAxes)


def _draw_isolated(page: _Page, H: nx.Graph, isolated: list[str]) -> None:
    """The band of actors without any link, on four columns (the last line says how many are
    left out when they do not all fit)."""
    if not page.iso_rows:
        return
    iso_ax = page.fig.add_axes((0.008, 0.02, 0.984, page.band))  # above the source line
    iso_ax.set_axis_off()
    iso_ax.set_xlim(0, 1)
    iso_ax.set_ylim(0, 1)
    iso_ax.text(0.0, 0.99, f"Acteurs du registre sans aucun lien ({len(isolated)}) : des ponts à construire",
                fontsize=10, fontweight="bold", va="top")
    band_in = page.band * page.figsize[1]
    row_h = _ROW_IN / band_in
    listed, n_rows = page.listed, page.iso_rows
    names = unique_labels([(n, str(H.nodes[n].get("name", n)), str(H.nodes[n].get("commune_name", "") or ""))
                           for n in listed], width=56, max_lines=1)
    if len(listed) < len(isolated):
        k = len(isolated) - len(listed)
        col, row = divmod(len(listed), n_rows)
        iso_ax.text(0.004 + col * 0.25, 1.0 - (_HEAD_IN / band_in) - (row + 0.5) * row_h,
                    f"… et {k} autres (voir le tableau des mesures)", fontsize=MIN_PT, va="center", fontstyle="italic")
    for i, n in enumerate(listed):
        col, row = i // n_rows, i % n_rows
        x, yy = 0.004 + col * 0.25, 1.0 - (_HEAD_IN / band_in) - (row + 0.5) * row_h
        d = H.nodes[n]
        iso_ax.scatter([x], [yy], s=26, marker=KIND_MARKERS.get(d.get("kind", ""), "o"),
                       c=WORLD_COLOURS.get(d.get("world", ""), "#777777"), edgecolors="white", linewidths=0.5)
        iso_ax.text(x + 0.005, yy, mpl_text(names[n]), fontsize=MIN_PT, va="center")


# --------------------------------------------------------------------------- the drawing
def _sizes(D: nx.Graph, H: nx.Graph, actors: list[str], hubs: list[str], box: tuple[float, float]) -> dict:
    """Marker areas (points²): growing with the number of partners, all smaller on a crowded panel."""
    deg = {n: H.degree(n) for n in actors}
    max_deg = max(deg.values(), default=1)
    area = {n: 100.0 + 300.0 * (deg[n] / max_deg) ** 0.8 for n in actors}
    area.update(dict.fromkeys(hubs, 70.0))
    total = sum(area.values()) * math.pi / 4
    shrink = min(1.0, 0.16 * box[0] * box[1] / max(total, 1.0))
    return {n: max(a * shrink, 9.0) for n, a in area.items()}


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
    linked to their members (see :func:`drawing_graph`). Labels never overlap and never read
    alike: each is placed around its marker where it collides with nothing, otherwise the node
    gets a number listed in the key on the right. Actors without any link are listed in a band
    at the bottom. Every text is at least 7 pt on the A3 sheet. On a large graph only the most
    central nodes are named or numbered (the key says how many are not).

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

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> figure = atlas.draw_graph(atlas.build_graph(built.actors, built.partnerships.accepted, built.actions.accepted))
    >>> [round(float(x), 2) for x in figure.get_size_inches()]
    [16.54, 11.69]
    """
    matplotlib.use("Agg", force=False)
    H = canonical_graph(G)
    m = (metrics if metrics is not None else node_metrics(H, seed=seed)).set_index("id")
    D = drawing_graph(G, hub_min=hub_min)
    actors_drawn = [n for n, t in D.nodes(data="node_type") if t == "actor"]
    hubs = [n for n, t in D.nodes(data="node_type") if t == "action"]
    isolated = sorted((n for n in H if H.degree(n) == 0),
                      key=lambda n: (str(H.nodes[n].get("world", "")), str(H.nodes[n].get("name", n)), n))
    page = _page(figsize, isolated, linked=bool(actors_drawn), show_isolated=show_isolated)
    fig, ax = page.fig, page.ax
    y = _draw_legend(page.side, H, hub_min)  # first, while the figure is light to draw

    # ---- sizes, communities, layout
    area = _sizes(D, H, actors_drawn, hubs, page.box)
    radius = {n: math.sqrt(a) / 2.0 for n, a in area.items()}
    community = {n: int(m.at[n, "community"]) for n in actors_drawn}
    for h in hubs:
        votes = Counter(community[x] for x in D.neighbors(h))
        community[h] = min(c for c, k in votes.items() if k == max(votes.values())) if votes else 0
    pos = group_layout(D, community, page.box, radius, seed=seed) if len(D) else {}
    if not pos:
        ax.text(page.box[0] / 2, page.box[1] / 2, "Aucun partenariat entre ces acteurs dans le registre.",
                ha="center", va="center", fontsize=12, color="#555555", fontstyle="italic")

    # ---- communities, edges, nodes
    names = _draw_communities(ax, pos, community, page.box)
    _draw_links_and_nodes(ax, D, pos, area)

    # ---- labels: most central actors first, then actions by number of members
    _, px = sheet_mm(ax)
    obstacles = [(b.x0 * px, b.y0 * px, b.x1 * px, b.y1 * px) for b in names] + disc_boxes(ax, pos, radius)
    deg = {n: H.degree(n) for n in actors_drawn}
    order = sorted(actors_drawn, key=lambda n: (-m.at[n, "betweenness"], -deg[n], n))
    order += sorted(hubs, key=lambda h: (-D.degree(h), h))
    capacity = max(_key_capacity(page, y) - 2, 0)
    numbered, numbered_hubs, labels, left_out = _draw_labels(ax, H, D, pos, order=order, radius=radius,
                                                             obstacles=obstacles, capacity=capacity)

    # ---- title, key, actors without any link
    _draw_title(fig, H, m, seed=seed, title=title, subtitle=subtitle)
    key = _key_labels(H, D, numbered, numbered_hubs)
    entries = [f"{i}. {key[n]}" for i, n in enumerate(numbered, 1)]
    entries += [f"A{i}. {key[h]}" for i, h in enumerate(numbered_hubs, 1)]
    _draw_key(page, y, entries, left_out)
    _draw_isolated(page, H, isolated)
    method = str(m["betweenness_method"].iloc[0]) if "betweenness_method" in m and len(m) else ""
    fig.text(0.992, 0.004, "Source : registres atlas (acteurs, partenariats, actions) ; communautés : méthode de Louvain "
             f"(networkx) ; intermédiarité {method.split(' ;')[0]}", fontsize=MIN_PT, color="#555555", ha="right",
             va="bottom")
    fig.atlas_labels = {"labels": {n: labels[n] for n in labels if n not in numbered and n not in numbered_hubs},
                        "numbered": numbered + numbered_hubs, "left_out": left_out}
    return fig


def save_drawing(fig, paths: Iterable[str | Path]) -> list[Path]:
    """Save a figure to each path (format from the suffix: .png, .svg, .pdf), atomically.

    The files are the same bytes for the same figure: no creation date in the PDF or SVG, a
    fixed seed for the SVG's ids.
    """
    out = []
    for p in paths:
        p = Path(p)
        suffix = p.suffix.lower()
        metadata = None
        if suffix == ".pdf":
            metadata = {"Title": "Cartographie des acteurs", "CreationDate": None, "ModDate": None}
        elif suffix == ".svg":
            metadata = {"Title": "Cartographie des acteurs", "Date": None}
        # TrueType fonts embedded in PDFs (print shops reject Type 3 fonts)
        with atomic_output(p) as tmp, matplotlib.rc_context({"pdf.fonttype": 42, "svg.hashsalt": "atlas"}):
            fig.savefig(tmp, format=suffix.lstrip(".") or "png", dpi=150 if suffix == ".png" else None,
                        metadata=metadata)
        out.append(p)
    plt.close(fig)
    return out
