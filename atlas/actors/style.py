"""The look of the actors drawings: colours of the worlds, marker of each kind, lines, type sizes.

Shared by the graph drawing (:mod:`atlas.actors.draw`), the map of partnerships
(:mod:`atlas.actors.partnership_map`) and the exports (GEXF colours).
"""

from __future__ import annotations

from atlas.print_style import MIN_PT  # smallest type size at print size (A3), the same on every drawing

__all__ = ["COMMUNITY_PALETTE", "EDGE_LOOK", "EDGE_STYLES", "KIND_MARKERS", "MIN_PT", "WORLD_COLOURS", "mpl_text"]

#: Colours of the worlds (colour-blind safe: green / orange / purple).
WORLD_COLOURS: dict[str, str] = {"pat": "#1b7837", "aid": "#e66101", "both": "#5e3c99"}

#: Marker of each kind of actor (matplotlib markers; no two kinds share one).
KIND_MARKERS: dict[str, str] = {
    "collectivity": "s", "chamber": "D", "producer": "^", "network": "h", "distribution": "o",
    "epicerie": "p", "meal": "v", "ccas": "P", "social_centre": "X", "association": "*",
    "logistics": ">", "other": "d",
}  # fmt: skip

EDGE_STYLES: dict[str, dict] = {
    "direct": {"color": "#404040", "style": "solid", "label": "Partenariat direct"},
    "shared": {"color": "#9e9e9e", "style": (0, (3, 2)), "label": "Action ou collectif en commun"},
    "donation": {"color": "#2166ac", "style": "solid", "label": "Don de denrées (épaisseur selon les kg)"},
}

#: Lines of the graph drawing, by edge style of :func:`atlas.actors.draw.drawing_graph`.
EDGE_LOOK: dict[str, dict] = {
    "direct": {"color": "#3a3a3a", "ls": "solid"},
    "donation": {"color": "#2166ac", "ls": "solid"},
    "shared": {"color": "#8c8c8c", "ls": (0, (3, 2))},
    "membership": {"color": "#b0b0b0", "ls": "solid"},
}

#: Shades of the communities C1, C2...
COMMUNITY_PALETTE = ["#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99", "#8dd3c7", "#bebada",
                     "#80b1d3", "#fccde5"]


def mpl_text(text: object) -> str:
    """Registry text safe for matplotlib: ``$`` escaped so it is never read as mathtext."""
    return str(text).replace("$", r"\$")
