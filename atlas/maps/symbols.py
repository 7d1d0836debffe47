"""Symbols of the maps: colours, markers and line styles of the printed and web maps.

Both outputs' tables live side by side here; they still differ (the printed map uses an
Okabe–Ito based palette chosen for paper, the web map its own), and are kept as they are.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- printed map (A3 PDF)
#: Marker (matplotlib symbol) and colour for each kind; colour-blind safe (Okabe–Ito based).
KIND_STYLE: dict[str, tuple[str, str]] = {
    "distribution": ("o", "#B84300"),
    "epicerie": ("s", "#0063A0"),
    "meal": ("h", "#00775A"),
    "ccas": ("p", "#8E3B79"),
    "social_centre": ("p", "#8E3B79"),
    "association": ("8", "#555555"),
}
DEFAULT_STYLE = ("8", "#555555")

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
#: Marker colour of each kind of actor (colour-blind-friendly where it matters: aid kinds).
KIND_COLORS: dict[str, str] = {
    "distribution": "#d7301f",
    "epicerie": "#f28e00",
    "meal": "#c51b7d",
    "producer": "#2e8b2e",
    "ccas": "#1f78b4",
    "social_centre": "#6a3d9a",
    "association": "#8c6d31",
    "collectivity": "#404040",
    "chamber": "#7fae1b",
    "network": "#00838f",
    "logistics": "#7f7f7f",
    "other": "#a0a0a0",
}

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
