"""Actors of the web map: one compact record per actor, with its popup rows in French.

Registry text is never written as HTML: the records go into the page's JSON blob and the page's
script builds popups with ``textContent``.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from atlas.crs import WGS84
from atlas.fr import date_fr
from atlas.registry import schema
from atlas.registry.hours_fr import closures_fr, humanize_hours
from atlas.text import clean_text

#: Popup rows: (French label, link kind or "").
POPUP_FIELDS: tuple[tuple[str, str], ...] = (
    ("Réseau", ""),
    ("Adresse", ""),
    ("Horaires", ""),
    ("Fermetures", ""),
    ("Services", ""),
    ("Public", ""),
    ("Accès", ""),
    ("Participation", ""),
    ("Téléphone", "tel"),
    ("Courriel", "mail"),
    ("Site", "url"),
    ("Tournée", ""),
    ("Mise à jour", ""),
)
_FIELD = {label: i for i, (label, _) in enumerate(POPUP_FIELDS)}

PRECISION_TEXT: dict[str, str] = {
    "address": "localisation : adresse exacte",
    **{p: f"localisation : {note}" for p, note in schema.PRECISION_NOTES.items()},
    "commune": "localisation approximative (mairie de la commune)",
    "unknown": "adresse non localisée",
}


def _labels(slugs: str, table: dict[str, str]) -> str:
    parts = [p.strip() for p in clean_text(slugs).split(",") if p.strip()]
    return ", ".join(table.get(p, p) for p in parts)


def _actor_fields(row: pd.Series, route_names: dict[str, str]) -> list[list]:
    commune = clean_text(row.get("commune_name")) or clean_text(row.get("commune"))
    address = ", ".join(p for p in (clean_text(row.get("address")), " ".join(
        p for p in (clean_text(row.get("postcode")), commune) if p)) if p)
    route = clean_text(row.get("route"))
    values = {
        "Réseau": _labels(row.get("network", ""), schema.NETWORK_LABELS),
        "Adresse": address,
        "Horaires": humanize_hours(clean_text(row.get("opening_hours"))),
        "Fermetures": closures_fr(clean_text(row.get("closures"))) if clean_text(row.get("closures")) else "",
        "Services": _labels(row.get("services", ""), schema.SERVICE_LABELS),
        "Public": clean_text(row.get("public")),
        "Accès": schema.ACCESS_LABELS.get(clean_text(row.get("access")), clean_text(row.get("access"))),
        "Participation": clean_text(row.get("price")),
        "Téléphone": clean_text(row.get("phone")),
        "Courriel": clean_text(row.get("email")),
        "Site": clean_text(row.get("website")),
        "Tournée": route_names.get(route, route) if route else "",
        "Mise à jour": date_fr(clean_text(row.get("updated"))),
    }
    return [[_FIELD[k], v] for k, v in values.items() if v]


def actor_records(actors: gpd.GeoDataFrame, kinds: list[str], *, notes: Sequence[str] | None = None,
                  numbers: dict[str, int] | None = None) -> list[dict]:
    """One compact dict per actor for the JSON blob (keys: see ``atlas-map.js``).

    ``notes`` (one per actor, "" for none) are shown at the top of the popup (key ``v``): the
    freshness note « informations de mars 2024 — à vérifier »
    (:func:`atlas.registry.publication.freshness_notes`). ``numbers`` (actor id → number, from
    :func:`atlas.maps.site_table.site_numbers`) are the sites' numbers of the printed sheet (key
    ``no``), given only to actors with a position.
    """
    if not len(actors):
        return []
    geo = actors.geometry
    has = np.array([g is not None and not shapely.is_empty(g) for g in geo.to_numpy()], dtype=bool)
    lon = np.full(len(actors), np.nan)
    lat = np.full(len(actors), np.nan)
    if has.any():
        pts = gpd.GeoSeries(geo.to_numpy()[has], crs=actors.crs).to_crs(WGS84)
        lon[has], lat[has] = pts.x.to_numpy(), pts.y.to_numpy()
    ids = [clean_text(v) for v in actors["id"]]
    route_names = dict(zip(ids, (clean_text(v) for v in actors["name"]), strict=True))
    out = []
    for pos, (_, row) in enumerate(actors.iterrows()):
        kind = clean_text(row.get("kind")) or "other"
        precision = clean_text(row.get("precision")) if has[pos] else "unknown"
        if precision not in PRECISION_TEXT:
            precision = "address" if has[pos] else "unknown"
        kind_label = schema.KIND_LABELS.get(kind, kind)
        if clean_text(row.get("mode")) == "mobile":
            kind_label += " — " + schema.MODE_LABELS["mobile"]
        rec = {
            "i": ids[pos],
            "n": clean_text(row.get("name")),
            "k": kinds.index(kind),
            "c": clean_text(row.get("commune_name")) or clean_text(row.get("commune")),
            "ic": clean_text(row.get("insee")),
            "p": precision,
            "ll": [round(float(lat[pos]), 5), round(float(lon[pos]), 5)] if has[pos] else None,
            "f": _actor_fields(row, route_names),
        }
        if kind_label != schema.KIND_LABELS.get(kind, kind):
            rec["kl"] = kind_label
        if bool(row.get("fictitious", False)):
            rec["x"] = 1
        if notes is not None and notes[pos]:
            rec["v"] = notes[pos]
        if numbers and has[pos] and ids[pos] in numbers:
            rec["no"] = int(numbers[ids[pos]])
        out.append(rec)
    return out
