"""The sites printed on a sheet: which ones, in which order, and their table rows in French.

:func:`print_sites` picks the food-aid sites of a territory (a truck's stops one row each) and
numbers them in table order; :func:`table_columns` and :func:`table_rows` turn them into the
paragraphs of the sheet's table (:mod:`atlas.maps.print.layout`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from atlas import placement
from atlas.maps.pictograms import has_pictogram
from atlas.maps.print import layout as pl
from atlas.maps.symbols import ALERT, MUTED
from atlas.registry.hours_fr import closures_fr, humanize_hours
from atlas.registry.schema import ACCESS_LABELS, AID_KINDS, NETWORK_LABELS, PRECISION_NOTES, SERVICE_LABELS
from atlas.territory.selection import Territory

NOT_LOCATED = "adresse non localisée"
NO_ADDRESS = "adresse non communiquée (repère : mairie)"
TOWN_HALL = "repère sur la carte : mairie"
MOBILE = "camion itinérant"


# --------------------------------------------------------------------------- text
def clean(value: Any) -> str:
    """A cell value as clean text ("" for missing values)."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return " ".join(str(value).split())


def fold(text: str) -> str:
    """Text without accents, case-folded: the key of French alphabetical order."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def typo(text: str) -> str:
    """French typography: no-break spaces before « ; : ! ? % € » and inside « guillemets »."""
    text = re.sub(r" ([;:!?%€»])", "\u00a0\\1", text)
    return re.sub(r"« ", "«\u00a0", text)


# --------------------------------------------------------------------------- sites
SITE_COLUMNS = ["number", "id", "name", "kind", "address", "commune", "hours", "services", "public",
                "phone", "x", "y", "located", "approximate", "mobile", "fictitious", "updated"]  # fmt: skip


def print_sites(actors: gpd.GeoDataFrame | None, territory: Territory, kinds: Sequence[str] | None = AID_KINDS
                ) -> pd.DataFrame:
    """The sites printed for a territory, numbered in table order.

    Sites are those of ``kinds`` (all kinds when ``None``) whose commune belongs to the
    territory. A truck's stops are printed one row each (« camion itinérant ») and inherit the
    truck's hours, services, public and phone when theirs are blank; the truck's own row is
    left out when its stops are printed. Numbers follow commune then name; sites with no
    position come last, numbered « – » (no marker).

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`SITE_COLUMNS`: French text ready for people (hours via
        :func:`atlas.registry.hours.humanize_hours`, services via
        :data:`atlas.registry.schema.SERVICE_LABELS`), Lambert-93 ``x``/``y`` (NaN when not located),
        ``located`` (a marker is drawn), ``approximate`` (marker at the town hall: the address
        is not located), ``mobile``; and ``placement``, said under the address when the marker
        is on the site's street or at its lieu-dit rather than at its door (« adresse approchée
        (rue) », :data:`atlas.registry.schema.PRECISION_NOTES`).
    """
    if actors is None or len(actors) == 0:
        return pd.DataFrame(columns=SITE_COLUMNS)
    insee = set(territory.communes["insee"])
    act = actors[actors["insee"].astype(str).isin(insee)]
    if kinds is not None:
        act = act[act["kind"].isin(list(kinds))]
    by_id = actors.set_index(actors["id"].astype(str), drop=False)
    stops_of = {clean(r) for r in act.get("route", pd.Series(dtype=str)) if clean(r)}
    rows = []
    for _, a in act.iterrows():
        rid = clean(a["id"])
        route = clean(a.get("route", ""))
        mobile = clean(a.get("mode", "")) == "mobile"
        if mobile and not route and rid in stops_of:
            continue  # the truck itself: its stops are printed
        parent = by_id.loc[route] if route and route in by_id.index else None
        if isinstance(parent, pd.DataFrame):
            parent = parent.iloc[0]

        def field_(col: str, _a: pd.Series = a, _p: Any = parent) -> str:
            v = clean(_a.get(col, ""))
            return v or (clean(_p.get(col, "")) if _p is not None else "")

        geom = a.geometry
        has_point = geom is not None and not shapely.is_empty(geom)
        precision = clean(a.get("precision", ""))
        services = [SERVICE_LABELS.get(x.strip(), x.strip().replace("-", " "))
                    for x in field_("services").split(",") if x.strip()]
        public = [field_("public")]
        access = ACCESS_LABELS.get(field_("access"), "")
        if access and access not in public[0]:
            public.append(access)
        price = field_("price")
        if price:
            plain = fold(price).startswith(("particip", "gratuit", "prix", "tarif", "sans"))
            public.append(price if plain else f"participation : {price}")
        hours = humanize_hours(field_("opening_hours")) if field_("opening_hours") else "horaires non communiqués"
        closures = field_("closures")
        network = NETWORK_LABELS.get(clean(a.get("network", "")).split(",")[0], "")
        rows.append({
            "id": rid,
            "name": clean(a["name"]),
            "network": network if network and fold(network)[:8] not in fold(clean(a["name"])) else "",
            "kind": clean(a["kind"]),
            "address": clean(a.get("address", "")),
            "postcode": clean(a.get("postcode", "")),
            "commune": clean(a.get("commune_name", "")) or clean(a.get("commune", "")),
            "hours": hours,
            "closures": closures,
            "services": ", ".join(services),
            "public": " ; ".join(p for p in public if p),
            "phone": field_("phone"),
            "x": geom.x if has_point else np.nan,
            "y": geom.y if has_point else np.nan,
            "located": has_point,
            "approximate": has_point and precision == "commune",
            "placement": PRECISION_NOTES.get(precision, "") if has_point else "",
            "mobile": mobile or bool(route),
            "fictitious": bool(a.get("fictitious", False)),
            "updated": clean(a.get("updated", "")),
        })
    df = pd.DataFrame(rows, columns=[*SITE_COLUMNS, "network", "postcode", "closures", "placement"])
    if df.empty:
        return df
    df["_k1"] = ~df["located"].astype(bool)
    df["_k2"] = df["commune"].map(fold)
    df["_k3"] = df["name"].map(fold)
    df = df.sort_values(["_k1", "_k2", "_k3"], kind="stable").drop(columns=["_k1", "_k2", "_k3"])
    df = df.reset_index(drop=True)
    n_loc = int(df["located"].sum())
    df["number"] = [str(i + 1) if i < n_loc else "–" for i in range(len(df))]
    return df


# --------------------------------------------------------------------------- table
#: What a cell says when the registry does not give the value (agreeing with its column).
UNKNOWN = "non communiqué"
UNKNOWN_ADDRESS = "non communiquée"
UNKNOWN_HOURS = "non communiqués"
#: Phone numbers and « non communiqué » are never wrapped: the phone column is as wide as the widest.
_PHONE_SAMPLE = "03 21 00 00 00"
_SERVICE_KEYS = {label: key for key, label in SERVICE_LABELS.items()}


def table_columns(width: float = 0.0, phone: bool = True, *, phones: Sequence[str] = (), size: float = 7.5
                  ) -> list[pl.Column]:
    """The table's columns: N°, nom, adresse, commune, horaires, services, public et accès, téléphone.

    The telephone column is always there (a site without a phone reads « non communiqué »), as
    wide as the longest of ``phones`` and « non communiqué » at ``size`` points. ``width`` and
    ``phone`` are kept for callers of earlier versions and are not used.
    """
    del width, phone
    widest = max((placement.text_width_mm(t, size) for t in (*phones, _PHONE_SAMPLE, UNKNOWN)), default=0.0)
    return [
        pl.Column("number", "N°", fixed_mm=8.0),
        pl.Column("name", "Nom", 1.15),
        pl.Column("address", "Adresse", 1.0),
        pl.Column("commune", "Commune", 1.0),
        pl.Column("hours", "Horaires", 1.1),
        pl.Column("services", "Services", 1.0),
        pl.Column("public", "Public et accès", 0.9),
        pl.Column("phone", "Téléphone", fixed_mm=widest + 2.4),
    ]


def service_keys(services: str) -> list[str]:
    """The services of a site's « services » text (French labels joined by commas) as canonical
    values (:data:`atlas.registry.schema.SERVICE_LABELS`), those with a pictogram only."""
    keys = [_SERVICE_KEYS.get(s.strip(), s.strip().replace(" ", "-")) for s in str(services).split(",") if s.strip()]
    return [k for k in dict.fromkeys(keys) if has_pictogram(k)]


def _unknown(text: str = UNKNOWN) -> pl.Paragraph:
    return pl.Paragraph(text, italic=True, color=MUTED)


def table_rows(sites: pd.DataFrame) -> list[dict]:
    """One row of the table per site: paragraphs keyed by column (:func:`table_columns`), plus the
    site's ``_kind`` and ``_located`` for its number's marker, and ``_services`` (canonical services
    with a pictogram). Every column has a value: what the registry does not give reads « non
    communiqué ». The services cell starts with the services' pictograms. A site with a
    ``freshness`` note (:func:`atlas.registry.publication.freshness_note`) carries it under its hours,
    in the style of its temporary closures (a row grows by one line at most)."""
    rows = []
    for _, s in sites.iterrows():
        name = [pl.Paragraph(typo(s["name"]), bold=True)]
        if s["mobile"] and not any(w in fold(s["name"]) for w in ("camion", "itinerant", "bus ")):
            name.append(pl.Paragraph(MOBILE, italic=True, color=MUTED))
        address = [pl.Paragraph(typo(s["address"]))] if s["address"] else [_unknown(UNKNOWN_ADDRESS)]
        if not s["located"]:
            address.append(pl.Paragraph(NOT_LOCATED, italic=True, color=ALERT))
        elif s["approximate"] and s["address"]:  # placed at the town hall although the address is known
            address.append(pl.Paragraph(TOWN_HALL, italic=True, color=MUTED))
        elif s.get("placement"):  # geocoded on the street or at the lieu-dit, not at the door
            address.append(pl.Paragraph(s["placement"], italic=True, color=MUTED))
        commune = " ".join(p for p in (s.get("postcode", ""), s["commune"]) if p)
        known_hours = s["hours"] and fold(s["hours"]) != "horaires non communiques"
        hours = [pl.Paragraph(s["hours"])] if known_hours else [_unknown(UNKNOWN_HOURS)]
        if s.get("closures"):
            closed = closures_fr(s["closures"])
            closed = closed if fold(closed).startswith("ferm") else f"Fermé : {closed}"
            hours.append(pl.Paragraph(typo(closed), italic=True, color=ALERT))
        if s.get("freshness"):  # « informations de mars 2024 — à vérifier »: hours are what goes stale first
            hours.append(pl.Paragraph(typo(s["freshness"]), italic=True, color=ALERT))
        keys = service_keys(s["services"])
        services = [pl.Paragraph(typo(s["services"]), lead=" ".join(keys)) if s["services"] else _unknown()]
        public = [pl.Paragraph(typo(s["public"]))] if s["public"] else [_unknown()]
        phone = [pl.Paragraph(s["phone"].replace(" ", "\u00a0"))] if s["phone"] else [_unknown()]
        rows.append({
            "number": s["number"], "name": name, "address": address, "commune": commune or UNKNOWN,
            "hours": hours, "services": services, "public": public, "phone": phone,
            "_kind": s["kind"], "_located": s["located"], "_approximate": bool(s["approximate"]), "_services": keys,
        })
    return rows
