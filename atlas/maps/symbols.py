"""Symbols of the maps: one visual language for the printed sheet and the web page.

:data:`KIND_SYMBOLS` is THE table of kind → shape, colour, French label and pictogram: the A3
sheet draws its markers with the shape's matplotlib marker (:attr:`KindSymbol.marker`), the web
page with an SVG polygon of the same shape and colour (:func:`svg_marker`), so orange means
« distribution » on paper and on screen alike. The colours of food-aid kinds are colour-blind
safe (Okabe–Ito based) and dark enough for a white number on them.

Cluster bubbles of the web page (several places grouped at low zoom) are white discs with a
dark ring and a dark count (:data:`CLUSTER_STYLE`): no site kind looks like that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from atlas.registry.schema import KIND_LABELS


@dataclass(frozen=True)
class KindSymbol:
    """How one kind of actor is drawn, on paper and on screen.

    Attributes
    ----------
    shape : str
        ``circle``, ``square``, ``hexagon``, ``pentagon``, ``octagon``, ``diamond``,
        ``triangle`` or ``triangle-down``.
    color : str
        Fill colour (``#RRGGBB``); numbers are written on it in white.
    label : str
        French label (:data:`atlas.registry.schema.KIND_LABELS`).
    pictogram : str
        A short pictogram for lists and legends ("" for none).
    """

    shape: str
    color: str
    label: str
    pictogram: str = ""

    @property
    def marker(self) -> str:
        """The matplotlib marker of the shape."""
        return SHAPE_MARKERS[self.shape]


#: matplotlib marker of each shape.
SHAPE_MARKERS: dict[str, str] = {
    "circle": "o", "square": "s", "hexagon": "h", "pentagon": "p", "octagon": "8", "diamond": "D",
    "triangle": "^", "triangle-down": "v",
}  # fmt: skip
#: Relative size of each shape, so that every shape looks as large as the circle.
SHAPE_SCALE: dict[str, float] = {
    "circle": 1.0, "square": 0.86, "hexagon": 1.06, "pentagon": 1.08, "octagon": 1.04, "diamond": 1.0,
    "triangle": 1.2, "triangle-down": 1.2,
}  # fmt: skip

_K = KIND_LABELS
#: THE table: kind → shape, colour, French label, pictogram (print and web).
KIND_SYMBOLS: dict[str, KindSymbol] = {
    "distribution": KindSymbol("circle", "#B84300", _K["distribution"]),
    "epicerie": KindSymbol("square", "#0063A0", _K["epicerie"]),
    "meal": KindSymbol("hexagon", "#00775A", _K["meal"]),
    "ccas": KindSymbol("pentagon", "#8E3B79", _K["ccas"]),
    "social_centre": KindSymbol("diamond", "#8E3B79", _K["social_centre"]),  # not the CCAS pentagon
    "association": KindSymbol("octagon", "#555555", _K["association"]),
    "producer": KindSymbol("triangle", "#5B7A00", _K["producer"]),
    "collectivity": KindSymbol("diamond", "#2B2B2B", _K["collectivity"]),
    "chamber": KindSymbol("triangle", "#6B5B00", _K["chamber"]),
    "network": KindSymbol("diamond", "#006E7A", _K["network"]),
    "logistics": KindSymbol("triangle-down", "#5F5F5F", _K["logistics"]),
    "other": KindSymbol("octagon", "#7A7A7A", _K["other"]),
}
DEFAULT_SYMBOL = KIND_SYMBOLS["other"]


def kind_symbol(kind: str) -> KindSymbol:
    """The symbol of ``kind`` (:data:`DEFAULT_SYMBOL` for an unknown kind)."""
    return KIND_SYMBOLS.get(kind, DEFAULT_SYMBOL)


# --------------------------------------------------------------------------- printed map (A3 PDF)
#: Marker (matplotlib symbol) and colour for each kind, from :data:`KIND_SYMBOLS`.
KIND_STYLE: dict[str, tuple[str, str]] = {k: (s.marker, s.color) for k, s in KIND_SYMBOLS.items()}
DEFAULT_STYLE = (DEFAULT_SYMBOL.marker, DEFAULT_SYMBOL.color)

# colours of the base map
FILL_IN = "#F3EFE6"
FILL_OUT = "#FAFAFA"
EDGE_COMMUNE = "#B9B2A6"
EDGE_OUT = "#DEDEDE"
EDGE_EPCI = "#6B6B6B"
EDGE_DEP = "#2B2B2B"
ZONES_COLOR = "#D7301F"
PARTNER_COLOR = "#6A3D9A"
#: Access bands of the printed map, nearest first.
PRINT_BAND_COLORS = ("#1B7837", "#5AAE61", "#A6DBA0", "#D9F0D3", "#F7F7F7")

TEXT = "#111111"
MUTED = "#555555"
ALERT = "#9B1C1C"


# --------------------------------------------------------------------------- web map (HTML)
#: Marker colour of each kind of actor (the colours of :data:`KIND_SYMBOLS`).
KIND_COLORS: dict[str, str] = {k: s.color for k, s in KIND_SYMBOLS.items()}

#: Cluster bubbles: white disc, dark ring, dark count — unlike any site kind.
CLUSTER_STYLE = {"fill": "#FFFFFF", "ring": "#333333", "text": "#111111"}
CLUSTER_LEGEND = "Groupe de lieux proches (leur nombre) : cliquer pour zoomer"


def _polygon(n: int, rotation_deg: float, radius: float = 9.0) -> str:
    """SVG points of a regular ``n``-gon in a 20 × 20 box, first vertex at ``rotation_deg`` from the top."""
    pts = []
    for i in range(n):
        a = math.radians(rotation_deg + 360.0 * i / n)
        pts.append(f"{10 + radius * math.sin(a):.2f},{10 - radius * math.cos(a):.2f}")
    return " ".join(pts)


#: SVG drawing of each shape in a 20 × 20 box (matplotlib's orientations).
SVG_SHAPES: dict[str, str] = {
    "circle": '<circle cx="10" cy="10" r="8.6"/>',
    "square": '<rect x="2.2" y="2.2" width="15.6" height="15.6"/>',
    "hexagon": f'<polygon points="{_polygon(6, 0.0, 9.4)}"/>',
    "pentagon": f'<polygon points="{_polygon(5, 0.0, 9.6)}"/>',
    "octagon": f'<polygon points="{_polygon(8, 22.5, 9.2)}"/>',
    "diamond": f'<polygon points="{_polygon(4, 0.0, 9.6)}"/>',
    "triangle": f'<polygon points="{_polygon(3, 0.0, 9.8)}" transform="translate(0 1.6)"/>',
    "triangle-down": f'<polygon points="{_polygon(3, 180.0, 9.8)}" transform="translate(0 -1.6)"/>',
}


def svg_marker(kind: str, *, approximate: bool = False) -> str:
    """The kind's shape as an inline SVG (20 × 20 box scaled by CSS), white-edged.

    A site placed at its town hall (``approximate``) is drawn white with a dashed outline of the
    kind's colour, as the printed sheet draws it dotted.
    """
    sym = kind_symbol(kind)
    shape = SVG_SHAPES[sym.shape]
    if approximate:
        paint = f'fill="#FFFFFF" stroke="{sym.color}" stroke-width="2.2" stroke-dasharray="2.5 1.6"'
    else:
        paint = f'fill="{sym.color}" stroke="#FFFFFF" stroke-width="1.6"'
    return (f'<svg class="atlas-shape" viewBox="-1 -1 22 22" aria-hidden="true" focusable="false">'
            f'<g {paint}>{shape}</g></svg>')


ZONE_STYLE = {"color": "#d6604d", "weight": 0.6, "fillColor": "#f4a582", "fillOpacity": 0.55}
#: Access bands of the web map, nearest first.
WEB_BAND_COLORS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027", "#a50026")
EPCI_STYLE = {"color": "#3d3d3d", "weight": 1.8, "opacity": 0.9}
LINK_STYLE = {"color": "#5e3c99", "weight": 2, "opacity": 0.75}
LINK_COLORS: dict[str, str] = {
    "pat_partner": "#5e3c99", "collectif": "#1b7837", "action_partner": "#2166ac", "funding": "#b35806",
    "donation": "#e08214", "logistics": "#542788", "governance": "#404040", "other": "#878787",
    "shared_action": "#9e9ac8",
}  # fmt: skip
LINK_LABELS: dict[str, str] = {
    "pat_partner": "partenaire du PAT", "collectif": "collectif", "action_partner": "partenaire d'action",
    "funding": "financement", "donation": "dons", "logistics": "logistique", "governance": "gouvernance",
    "other": "autre lien", "shared_action": "action partagée",
}  # fmt: skip
